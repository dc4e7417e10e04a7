/* crt0.S - the Multiboot v1 entry of every C guest test: the header (page-
 * aligned modules, memory information), a stack of our own, then
 * guest_main(magic, mbi) and guest_exit().  The loader's flat 32-bit state is
 * kept as it is: ringsim cannot reload segments or the GDT yet. */
#include "multiboot.h"
    MULTIBOOT_HEADER

    .text
    .code32
    .globl _start
_start:
    mov  $stack_top, %esp
    push %ebx
    push %eax
    call guest_main
    call guest_exit

    .bss
    .align 16
    .space 16384
stack_top:

    .section .note.GNU-stack, "", @progbits
