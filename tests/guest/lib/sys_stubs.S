/* sys_stubs.S - the 256 IDT entry stubs and the context switches of the
 * system library (sys.h).  Every stub leaves the same frame (struct frame):
 * the data segments, PUSHA, the vector, the error code (or NO_ERROR where
 * the CPU pushes none), then the CPU's EIP, CS, EFLAGS [, ESP, SS].
 */
#define KDATA 0x10              /* as in sys.h */
#define UCODE 0x1B
#define UDATA 0x23
#define V86_SS 0x2200
#define V86_SP 0xFFF0

    .altmacro
    .macro STUB v
isr\v:
    .if (\v == 8) || ((\v >= 10) && (\v <= 14)) || (\v == 17) || (\v == 21) || (\v == 29) || (\v == 30)
    .else
    push $0xFFFFFFFF
    .endif
    push $\v
    jmp  isr_common
    .endm

    .macro ADDR v
    .long isr\v
    .endm

    .text
    .code32
    .set i, 0
    .rept 256
    STUB %i
    .set i, i + 1
    .endr

isr_common:
    pusha
    push %ds
    push %es
    push %fs
    push %gs
    mov  $KDATA, %ax
    mov  %ax, %ds
    mov  %ax, %es
    cld
    push %esp
    call trap_dispatch
    add  $4, %esp
    pop  %gs
    pop  %fs
    pop  %es
    pop  %ds
    popa
    add  $8, %esp            /* vector and error code */
    iret

/* int ctx_save(struct ctx *c): 0 now, v when ctx_restore(c, v) comes back. */
    .globl ctx_save
ctx_save:
    mov  4(%esp), %eax
    mov  %ebx, 0(%eax)
    mov  %esi, 4(%eax)
    mov  %edi, 8(%eax)
    mov  %ebp, 12(%eax)
    lea  4(%esp), %ecx       /* the caller's ESP after our return */
    mov  %ecx, 16(%eax)
    mov  (%esp), %ecx
    mov  %ecx, 20(%eax)
    pushf
    pop  24(%eax)
    xor  %eax, %eax
    ret

/* void ctx_restore(struct ctx *c, int v): flat ring-0 segments, the saved
 * stack, registers and EFLAGS, and ctx_save returns v. */
    .globl ctx_restore
ctx_restore:
    mov  4(%esp), %edx
    mov  8(%esp), %eax
    mov  $KDATA, %cx
    mov  %cx, %ds
    mov  %cx, %es
    mov  %cx, %fs
    mov  %cx, %gs
    mov  %cx, %ss
    mov  16(%edx), %esp
    push 24(%edx)
    popf
    mov  0(%edx), %ebx
    mov  4(%edx), %esi
    mov  8(%edx), %edi
    mov  12(%edx), %ebp
    jmp  *20(%edx)

/* void enter_user(eip, esp, eflags, ds): IRET to CPL 3 (CS = UCODE, SS =
 * UDATA) with DS/ES/FS/GS = ds.  Does not return. */
    .globl enter_user
enter_user:
    mov  4(%esp), %ecx
    mov  8(%esp), %edx
    mov  12(%esp), %eax
    mov  16(%esp), %ebx
    push $UDATA
    push %edx
    push %eax
    push $UCODE
    push %ecx
    mov  %bx, %ds
    mov  %bx, %es
    mov  %bx, %fs
    mov  %bx, %gs
    iret

/* void enter_v86(ip, cs, eflags, ds): IRET into virtual-8086 mode (EFLAGS.VM
 * set by the caller) with SS:SP = V86_SS:V86_SP and ds in DS/ES/FS/GS. */
    .globl enter_v86
enter_v86:
    mov  4(%esp), %ecx
    mov  8(%esp), %edx
    mov  12(%esp), %eax
    mov  16(%esp), %ebx
    push %ebx                /* GS */
    push %ebx                /* FS */
    push %ebx                /* DS */
    push %ebx                /* ES */
    push $V86_SS
    push $V86_SP
    push %eax
    push %edx
    push %ecx
    iret

    .globl isr_table
    .section .rodata
isr_table:
    .set i, 0
    .rept 256
    ADDR %i
    .set i, i + 1
    .endr

    .section .note.GNU-stack, "", @progbits
