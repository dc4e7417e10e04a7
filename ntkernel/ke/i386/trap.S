/* trap.S - the kernel's trap and interrupt entry points (nt-reference.md
 * 2.2): KiTrap00-KiTrap1F for the exception vectors, the task entries of the
 * double-fault and NMI TSSs, KiGetTickCount (int 2Ah), the clock interrupt
 * and the stubs of vectors the HAL has not connected.  A trap taken in the
 * kernel before there are threads has no one to hand it to: each one ends
 * in KeBugCheckEx, as NT's KiTrapNN do for kernel-mode faults they cannot
 * resolve. */

#define KGDT_R0_CODE 0x08
#define KGDT_R0_DATA 0x10
#define KGDT_R3_DATA 0x20
#define KGDT_R0_PCR  0x30
#define RPL_MASK     3

    .text
    .code32

/* The exception stubs: the CPU pushes an error code for 8, 10-14 and 17
 * (SDM Vol. 3 table 6-1); the others push a 0 in its place so every stub
 * leaves [vector, error, eip, cs, eflags] for KiUnexpectedTrap. */
.macro TRAP n, has_error
    .globl KiTrap\n
KiTrap\n:
    .if \has_error == 0
    push $0
    .endif
    push $0x\n
    jmp  KiTrapCommon
.endm
    TRAP 00,0; TRAP 01,0; TRAP 02,0; TRAP 03,0; TRAP 04,0; TRAP 05,0; TRAP 06,0; TRAP 07,0
    TRAP 08,1; TRAP 09,0; TRAP 0A,1; TRAP 0B,1; TRAP 0C,1; TRAP 0D,1; TRAP 0E,1; TRAP 0F,0
    TRAP 10,0; TRAP 11,1; TRAP 12,0; TRAP 13,0; TRAP 14,0; TRAP 15,0; TRAP 16,0; TRAP 17,0
    TRAP 18,0; TRAP 19,0; TRAP 1A,0; TRAP 1B,0; TRAP 1C,0; TRAP 1D,0; TRAP 1E,0; TRAP 1F,0

KiTrapCommon:
    cld
    call KiUnexpectedTrap                   /* (vector, error, eip, cs): does not return */

    .section .rodata
    .align 4
    .globl KiTrapTable
KiTrapTable:
    .long KiTrap00, KiTrap01, KiTrap02, KiTrap03, KiTrap04, KiTrap05, KiTrap06, KiTrap07
    .long KiTrap08, KiTrap09, KiTrap0A, KiTrap0B, KiTrap0C, KiTrap0D, KiTrap0E, KiTrap0F
    .long KiTrap10, KiTrap11, KiTrap12, KiTrap13, KiTrap14, KiTrap15, KiTrap16, KiTrap17
    .long KiTrap18, KiTrap19, KiTrap1A, KiTrap1B, KiTrap1C, KiTrap1D, KiTrap1E, KiTrap1F
    .text

/* The double-fault and NMI tasks: the task gates of vectors 8 and 2 switch
 * to KiDoubleFaultTSS / KiNMITSS, whose EIP is here and whose ESP is their
 * own stack, so a fault on a broken kernel stack still reaches a handler. */
    .globl KiDoubleFaultTask, KiNmiTask
KiDoubleFaultTask:
    cld
    call KiDoubleFaultHandler
KiNmiTask:
    cld
    call KiNmiHandler

/* int 2Ah: (KeTickCount * ExpTickCountMultiplier) >> 24 in EAX (the tick
 * count in milliseconds), by IRETD with no trap frame.  EDX is clobbered. */
    .globl KiGetTickCount
KiGetTickCount:
    mov  KeTickCount, %eax
    mull ExpTickCountMultiplier
    shrd $24, %edx, %eax
    iret

/* IRQ 0 at CLOCK_VECTOR: the volatile registers around KeUpdateSystemTime,
 * which also ends the interrupt at the 8259. */
    .globl KiClockInterrupt
KiClockInterrupt:
    push %eax
    push %ecx
    push %edx
    cld
    call KeUpdateSystemTime
    pop  %edx
    pop  %ecx
    pop  %eax
    iret

/* Vectors 0x30-0xFF that nothing has connected (KiUnexpectedInterruptN);
 * each stub's address goes into KiUnexpectedInterruptTable as it is made. */
    .section .rodata
    .align 4
    .globl KiUnexpectedInterruptTable
KiUnexpectedInterruptTable:
    .text
    .set vec, 0x30
.rept 0x100 - 0x30
1:  push $vec
    jmp  KiUnexpectedInterruptCommon
    .section .rodata
    .long 1b
    .text
    .set vec, vec + 1
.endr
KiUnexpectedInterruptCommon:
    cld
    call KiUnexpectedInterruptTail          /* (vector): does not return */

/* After LGDT: CS = KGDT_R0_CODE, SS = KGDT_R0_DATA, DS = ES = KGDT_R3_DATA
 * with RPL 3 (NT keeps user data selectors in DS/ES in kernel mode), FS =
 * KGDT_R0_PCR, GS = 0 (nt-reference.md 2.1). */
    .globl KiLoadSegments
KiLoadSegments:
    ljmp $KGDT_R0_CODE, $1f
1:  mov  $KGDT_R0_DATA, %ax
    mov  %ax, %ss
    mov  $(KGDT_R3_DATA | RPL_MASK), %ax
    mov  %ax, %ds
    mov  %ax, %es
    mov  $KGDT_R0_PCR, %ax
    mov  %ax, %fs
    xor  %eax, %eax
    mov  %ax, %gs
    ret

    .section .note.GNU-stack, "", @progbits
