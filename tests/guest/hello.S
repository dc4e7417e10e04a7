/* hello.S - the smallest Multiboot v1 guest, without the guest library:
 * checks the Multiboot hand-over, prints "PASS hello_multiboot_handover" (or
 * FAIL) on the debug console (port 0xE9) and COM1, and exits through
 * isa-debug-exit with 0x10 (process status 0x21), or 0x11 (status 35) when
 * the hand-over is wrong.  Runs unchanged under qemu-system-i386 -kernel. */
#include "lib/multiboot.h"
    MULTIBOOT_HEADER

    .text
    .code32
    .globl _start
_start:
    mov  $message, %esi
    cmp  $MB_LOADER_MAGIC, %eax         /* the loader's magic */
    jne  fail
    testl $1, (%ebx)                    /* flags: mem_lower/mem_upper valid */
    jz   fail
    call print
    mov  $0x10, %al
    outb %al, $0xF4                     /* exit status (0x10 << 1) | 1 = 33 */
    hlt
fail:
    mov  $failed, %esi
    call print
    mov  $0x11, %al
    outb %al, $0xF4
    hlt

print:
1:  lodsb
    test %al, %al
    jz   2f
    outb %al, $0xE9
    mov  $0x3F8, %dx
    outb %al, %dx
    jmp  1b
2:  ret

    .section .rodata
message:
    .asciz "PASS hello_multiboot_handover\nDONE\n"
failed:
    .asciz "FAIL hello_multiboot_handover\nDONE\n"

    .section .note.GNU-stack, "", @progbits
