/* crt0_64.S - the Multiboot v1 entry of the 64-bit guest tests (lm_*.c): the
 * loader hands over in 32-bit protected mode, so this identity-maps the first
 * 4 GiB with 2 MiB pages (4-level paging), sets CR4.PAE, EFER.LME and CR0.PG,
 * far-jumps to a 64-bit code segment and calls guest_main(magic, mbi) in
 * 64-bit C, then guest_exit().  The selectors match sys64.h.
 *
 * The image stays an ELF32 file (what Multiboot loaders take): 64-bit C is
 * compiled -m64 -fpie with hidden symbols, so every reference is RIP-relative
 * and assembles, after a .code64 line, into an i386 object (guest.mk).
 */
#include "multiboot.h"
    MULTIBOOT_HEADER

    .text
    .code32
    .globl _start
_start:
    mov  $boot_stack_top, %esp
    mov  %eax, mb_magic
    mov  %ebx, mb_info

    /* PML4[0] -> PDPT; PDPT[0..3] -> four page directories of 2 MiB pages */
    mov  $pdpt, %eax
    or   $0x7, %eax
    mov  %eax, pml4
    xor  %ecx, %ecx
1:  mov  %ecx, %eax
    shl  $12, %eax
    add  $page_dirs, %eax
    or   $0x7, %eax
    mov  %eax, pdpt(, %ecx, 8)
    inc  %ecx
    cmp  $4, %ecx
    jne  1b
    xor  %ecx, %ecx
2:  mov  %ecx, %eax
    shl  $21, %eax
    or   $0x87, %eax                  /* P W U PS; 2048 pages: 4 GiB */
    mov  %eax, page_dirs(, %ecx, 8)
    movl $0, page_dirs + 4(, %ecx, 8)
    inc  %ecx
    cmp  $2048, %ecx
    jne  2b

    mov  %cr4, %eax
    or   $0x20, %eax                  /* PAE */
    mov  %eax, %cr4
    mov  $pml4, %eax
    mov  %eax, %cr3
    mov  $0xC0000080, %ecx            /* IA32_EFER.LME */
    rdmsr
    or   $0x100, %eax
    wrmsr
    mov  %cr0, %eax
    or   $0x80000000, %eax
    mov  %eax, %cr0
    lgdt boot_gdt_ptr
    ljmp $0x10, $long_entry

    .code64
long_entry:
    mov  $0x18, %eax
    mov  %eax, %ds
    mov  %eax, %es
    mov  %eax, %ss
    mov  %eax, %fs
    mov  %eax, %gs
    mov  $boot_stack_top, %esp
    mov  mb_magic(%rip), %edi
    mov  mb_info(%rip), %esi
    call guest_main
    call guest_exit
3:  hlt
    jmp  3b

    .data
    .align 8
boot_gdt:
    .quad 0
    .quad 0x00CF9A000000FFFF          /* 0x08: 32-bit ring-0 code */
    .quad 0x00AF9A000000FFFF          /* 0x10: 64-bit ring-0 code */
    .quad 0x00CF92000000FFFF          /* 0x18: ring-0 data */
boot_gdt_ptr:
    .word boot_gdt_ptr - boot_gdt - 1
    .long boot_gdt
mb_magic: .long 0
mb_info:  .long 0

    .bss
    .align 4096
    .globl pml4, pdpt, page_dirs
pml4:      .space 4096
pdpt:      .space 4096
page_dirs: .space 4 * 4096
    .align 16
    .space 16384
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
