/* sieve_mb_entry.S - the sieve benchmark as a Multiboot v1 kernel: the header,
 * a stack, and a jump into sieve_mb.c. */
    .set MB_MAGIC, 0x1BADB002
    .set MB_FLAGS, 0x00000003
    .section .multiboot, "a"
    .align 4
    .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

    .text
    .code32
    .globl _start
_start:
    mov  $stack_top, %esp
    push %ebx                       /* the Multiboot information */
    push %eax                       /* the loader's magic */
    call kmain
1:  hlt
    jmp  1b

    .bss
    .align 16
    .skip 16384
stack_top:
    .section .note.GNU-stack, "", @progbits
