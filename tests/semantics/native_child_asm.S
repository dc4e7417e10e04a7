/* native_child_asm.S - entry/exit glue of the native executor child (64- and 32-bit).
 * native_enter loads the case's flags, registers (and, 32-bit, segments) and jumps to the code
 * page; native_sig_entry sanitises DF/AC, lets child_on_signal report, then native_resume
 * restarts the child loop on its own stack with known segments. The handler never returns:
 * strict seccomp in compat mode forbids rt_sigreturn, and a fresh start needs no foreign state. */

#define EFLAGS_DF_AC 0x40400
#define EFLAGS_CLEAN 0x202          /* IF and the always-one bit */

        .section .note.GNU-stack, "", @progbits

        .bss
        .balign 64
native_loop_stack:
        .skip 65536
native_loop_stack_top:

        .text
#ifdef __x86_64__

        .globl _start
_start:
        mov     %rsp, %rdi          /* argc, argv, envp, auxv */
        and     $-16, %rsp
        call    child_start
        ud2

/* Register loads are RIP-relative, so no register is needed as a base. */
        .globl native_enter, native_enter_start, native_enter_end
native_enter:
native_enter_start:
        lea     native_enter_ctx(%rip), %rsp
        popfq
        mov     native_enter_ctx+8(%rip), %rax
        mov     native_enter_ctx+16(%rip), %rcx
        mov     native_enter_ctx+24(%rip), %rdx
        mov     native_enter_ctx+32(%rip), %rbx
        mov     native_enter_ctx+48(%rip), %rbp
        mov     native_enter_ctx+56(%rip), %rsi
        mov     native_enter_ctx+64(%rip), %rdi
        mov     native_enter_ctx+72(%rip), %r8
        mov     native_enter_ctx+80(%rip), %r9
        mov     native_enter_ctx+88(%rip), %r10
        mov     native_enter_ctx+96(%rip), %r11
        mov     native_enter_ctx+104(%rip), %r12
        mov     native_enter_ctx+112(%rip), %r13
        mov     native_enter_ctx+120(%rip), %r14
        mov     native_enter_ctx+128(%rip), %r15
        mov     native_enter_ctx+40(%rip), %rsp
        jmp     *native_enter_ctx+136(%rip)
native_enter_end:

/* sa_sigaction(sig, info, uc) on the alternate stack; entry %rsp is 8 mod 16. */
        .globl native_sig_entry
native_sig_entry:
        pushfq
        andq    $~EFLAGS_DF_AC, (%rsp)
        popfq
        sub     $8, %rsp
        call    child_on_signal
        /* fall through */

        .globl native_resume
native_resume:
        xor     %eax, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %fs
        mov     %eax, %gs
        mov     native_flat_ds(%rip), %eax
        mov     %eax, %ss
        lea     native_loop_stack_top(%rip), %rsp
        pushq   $EFLAGS_CLEAN
        popfq
        cmpb    $0, native_have_fsgsbase(%rip)
        je      1f
        xor     %eax, %eax          /* the case may have written the bases */
        wrfsbase %rax
        wrgsbase %rax
1:      call    child_loop
        ud2

        .globl native_restorer
native_restorer:                    /* never reached; x86-64 requires SA_RESTORER */
        mov     $15, %eax           /* rt_sigreturn */
        syscall
        ud2

#else   /* i386 */

        .globl _start
_start:
        mov     %esp, %eax
        and     $-16, %esp
        sub     $12, %esp
        push    %eax
        call    child_start
        ud2

/* Once DS may be the LDT window segment, every load names CS (flat) explicitly. The far
 * jump enters either the flat 32-bit CS or the 16-bit LDT code segment. */
        .globl native_enter, native_enter_start, native_enter_end
native_enter:
native_enter_start:
        mov     $native_enter_ctx, %esp
        popfl
        mov     %cs:native_enter_ctx+48, %es
        mov     %cs:native_enter_ctx+44, %ds
        mov     %cs:native_enter_ctx+4, %eax
        mov     %cs:native_enter_ctx+8, %ecx
        mov     %cs:native_enter_ctx+12, %edx
        mov     %cs:native_enter_ctx+16, %ebx
        mov     %cs:native_enter_ctx+24, %ebp
        mov     %cs:native_enter_ctx+28, %esi
        mov     %cs:native_enter_ctx+32, %edi
        mov     %cs:native_enter_ctx+52, %ss
        mov     %cs:native_enter_ctx+20, %esp
        ljmp    *%cs:native_enter_ctx+36
native_enter_end:

/* sa_sigaction(sig, info, uc), cdecl; the kernel already loaded flat DS/ES/SS/CS but FS/GS
 * are whatever the case left. Entry %esp is 12 mod 16. */
        .globl native_sig_entry
native_sig_entry:
        pushfl
        andl    $~EFLAGS_DF_AC, (%esp)
        popfl
        mov     native_flat_ds, %eax
        mov     %eax, %fs
        mov     %eax, %gs
        pushl   12(%esp)
        pushl   12(%esp)
        pushl   12(%esp)
        call    child_on_signal
        /* fall through */

        .globl native_resume
native_resume:
        mov     native_flat_ds, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %fs
        mov     %eax, %gs
        mov     %eax, %ss
        mov     $native_loop_stack_top, %esp
        pushl   $EFLAGS_CLEAN
        popfl
        call    child_loop
        ud2

        .globl native_restorer
native_restorer:                    /* never reached */
        mov     $173, %eax          /* rt_sigreturn */
        int     $0x80
        ud2

#endif
