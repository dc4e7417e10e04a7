/* sys64_stubs.S - the 256 entry stubs of the 64-bit IDT and the context
 * switches of sys64.h, as 64-bit code in an i386 object (addresses stay below
 * 4 GiB, so the stub table is 32-bit).  Every stub leaves struct frame64: the
 * fifteen general registers, the vector, the error code (or NO_ERROR), then
 * the CPU's RIP, CS, RFLAGS, RSP, SS.
 */
#define KDATA64 0x18

    .altmacro
    .macro STUB v
isr64_\v:
    .if (\v == 8) || ((\v >= 10) && (\v <= 14)) || (\v == 17) || (\v == 21) || (\v == 29) || (\v == 30)
    .else
    push $-1
    .endif
    push $\v
    jmp  isr64_common
    .endm

    .macro ADDR v
    .long isr64_\v
    .endm

    .text
    .code64
    .set i, 0
    .rept 256
    STUB %i
    .set i, i + 1
    .endr

isr64_common:
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    mov  %rsp, %rdi
    cld
    call trap_dispatch64
    pop  %r15
    pop  %r14
    pop  %r13
    pop  %r12
    pop  %r11
    pop  %r10
    pop  %r9
    pop  %r8
    pop  %rbp
    pop  %rdi
    pop  %rsi
    pop  %rdx
    pop  %rcx
    pop  %rbx
    pop  %rax
    add  $16, %rsp           /* vector and error code */
    iretq

/* int ctx64_save(struct ctx64 *c): 0 now, v when ctx64_restore(c, v) comes back. */
    .globl ctx64_save
ctx64_save:
    mov  %rbx, 0(%rdi)
    mov  %rbp, 8(%rdi)
    mov  %r12, 16(%rdi)
    mov  %r13, 24(%rdi)
    mov  %r14, 32(%rdi)
    mov  %r15, 40(%rdi)
    lea  8(%rsp), %rax
    mov  %rax, 48(%rdi)
    mov  (%rsp), %rax
    mov  %rax, 56(%rdi)
    pushfq
    pop  %rax
    mov  %rax, 64(%rdi)
    xor  %eax, %eax
    ret

/* void ctx64_restore(struct ctx64 *c, int v): ring-0 data segments, the
 * saved stack, registers and RFLAGS; ctx64_save returns v. */
    .globl ctx64_restore
ctx64_restore:
    mov  $KDATA64, %eax
    mov  %eax, %ds
    mov  %eax, %es
    mov  %eax, %ss
    mov  48(%rdi), %rsp
    pushq 64(%rdi)
    popfq
    mov  0(%rdi), %rbx
    mov  8(%rdi), %rbp
    mov  16(%rdi), %r12
    mov  24(%rdi), %r13
    mov  32(%rdi), %r14
    mov  40(%rdi), %r15
    mov  %esi, %eax
    jmp  *56(%rdi)

/* void enter_user64(rip, rsp, rflags, cs, ss): IRETQ to CPL 3. */
    .globl enter_user64
enter_user64:
    push %r8
    push %rsi
    push %rdx
    push %rcx
    push %rdi
    iretq

    .section .rodata
    .globl isr64_table
isr64_table:
    .set i, 0
    .rept 256
    ADDR %i
    .set i, i + 1
    .endr

    .section .note.GNU-stack, "", @progbits
