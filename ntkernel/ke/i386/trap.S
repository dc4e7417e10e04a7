/* trap.S - every way into the kernel and out of it (nt-reference.md 2.2
 * and 5): the system-call entries KiSystemService (int 2Eh) and
 * KiFastCallEntry (sysenter), the common dispatch through the service
 * descriptor tables with the argument copy, the two exits KiServiceExit
 * (SYSEXIT or IRETD) and KiServiceExit2 (the full restore, always IRETD),
 * the exception and interrupt entries that build the same KTRAP_FRAME,
 * int 2Ah KiGetTickCount, int 2Bh KiCallbackReturn, int 2Dh KiDebugService,
 * and the task entries of the double-fault and NMI TSSs.
 *
 * Frame building follows WRK's ENTER_SYSCALL / ENTER_TRAP /
 * ENTER_INTERRUPT: push the error code (or 0), EBP, EBX, ESI, EDI, FS,
 * the PCR's exception list, PreviousPreviousMode, then reserve the 0x48
 * bytes below, so that ESP = EBP = the KTRAP_FRAME (ks386.h offsets). */

#include "../../inc/ks386.h"

#define STATUS_ACCESS_VIOLATION       0xC0000005
#define STATUS_INVALID_SYSTEM_SERVICE 0xC000001C
#define STATUS_SUCCESS                0

    .text
    .code32

/* ---- the system-call entries ------------------------------------------------ */

/* ENTER_SYSCALL: the rest of a system-call frame above a CPU-pushed
 * interrupt frame (nt-reference.md 5.2 steps 2-7).  EAX, ECX and EDX are
 * kept; ESI = the current thread, EBP = ESP = the frame afterwards. */
.macro ENTER_SYSCALL
    push $0                             /* ErrCode */
    push %ebp
    push %ebx
    push %esi
    push %edi
    push %fs                            /* SegFs: the caller's FS */
    mov  $KGDT_R0_PCR, %ebx
    mov  %bx, %fs
    /* DS/ES: NT keeps the user data selector in them in kernel mode; load it
     * in case user mode left something else there. */
    mov  $(KGDT_R3_DATA | RPL_MASK), %ebx
    mov  %bx, %ds
    mov  %bx, %es
    mov  %fs:PcCurrentThread, %esi
    push %fs:PcExceptionList            /* ExceptionList */
    movl $-1, %fs:PcExceptionList
    movsbl ThPreviousMode(%esi), %ebx
    push %ebx                           /* PreviousPreviousMode */
    sub  $(TsPreviousPreviousMode), %esp
    mov  TsSegCs(%esp), %ebx
    and  $1, %ebx
    movb %bl, ThPreviousMode(%esi)      /* UserMode if CS has RPL 3 */
    mov  %esp, %ebp
    mov  ThTrapFrame(%esi), %ebx
    mov  %ebx, TsEdx(%ebp)              /* link to the previous trap frame */
    mov  %ebp, ThTrapFrame(%esi)
.endm

/* SYSCALL_FRAME_DONE: Dr7 cleared in the frame (the debug registers are
 * saved only for a thread being debugged, which this kernel never marks),
 * DF clear, the Dbg fields for a debugger's stack walk, interrupts back on. */
.macro SYSCALL_FRAME_DONE
    movl $0, TsDr7(%ebp)
    cld
    mov  TsEbp(%ebp), %ebx
    mov  %ebx, TsDbgEbp(%ebp)
    mov  TsEip(%ebp), %ebx
    mov  %ebx, TsDbgEip(%ebp)
    movl $DBG_ARG_MARK, TsDbgArgMark(%ebp)
    mov  %edx, TsDbgArgPointer(%ebp)
    sti
.endm

/* int 2Eh (and the kernel's own Zw stubs, which push a fake interrupt
 * frame with CS = KGDT_R0_CODE).  EAX = service number, EDX = argument
 * pointer. */
    .globl KiSystemService
    .type KiSystemService, @function
KiSystemService:
    ENTER_SYSCALL
    jmp  KiSystemServiceFrameDone

/* sysenter: CPL 0, CS 0x08, SS 0x10, ESP = SYSENTER_ESP (the DPC stack),
 * IF clear.  EAX = service number, EDX = the user ESP.  Steps of
 * nt-reference.md 5.3.  KiFastCallEntry2 is the same entry reached from
 * KiTrap01 when the caller single-stepped into SYSENTER: its saved EFLAGS
 * get TF, which sends the return down the IRETD path. */
.macro FAST_CALL_ENTRY extra_flags
    mov  $(KGDT_R3_DATA | RPL_MASK), %ecx
    mov  %cx, %ds
    mov  %cx, %es
    mov  $KGDT_R0_PCR, %ecx
    mov  %cx, %fs
    mov  %fs:PcTss, %ecx
    mov  TssEsp0(%ecx), %esp            /* onto the thread's kernel stack */
    push $(KGDT_R3_DATA | RPL_MASK)     /* HardwareSegSs */
    push %edx                           /* HardwareEsp */
    pushf                               /* EFlags */
    push $2
    popf                                /* the kernel runs with TF, DF, NT, AC clear */
    add  $8, %edx                       /* past the two return addresses: the arguments */
    orl  $(EFLAGS_IF | \extra_flags), (%esp)
    push $(KGDT_R3_CODE | RPL_MASK)     /* SegCs */
    push KI_USER_SHARED_DATA + UsSystemCallReturn   /* Eip: KiFastSystemCallRet */
    push $0                             /* ErrCode */
    push %ebp
    push %ebx
    push %esi
    push %edi
    push $(KGDT_R3_TEB | RPL_MASK)      /* SegFs */
    mov  %fs:PcCurrentThread, %esi
    push %fs:PcExceptionList
    movl $-1, %fs:PcExceptionList
    push $1                             /* PreviousPreviousMode: UserMode */
    sub  $(TsPreviousPreviousMode), %esp
    mov  ThInitialStack(%esi), %ebp
    sub  $KTRAP_FRAME_OFFSET, %ebp
    cmp  %ebp, %esp                     /* not at InitialStack - 0x29C: a V86 thread */
    jne  KiFastCallRefuse
    movb $1, ThPreviousMode(%esi)
    mov  ThTrapFrame(%esi), %ebx
    mov  %ebx, TsEdx(%ebp)              /* the link, as on the int 2Eh path */
    mov  %ebp, ThTrapFrame(%esi)
    jmp  KiSystemServiceFrameDone
.endm

    .globl KiFastCallEntry, KiFastCallEntry2
    .type KiFastCallEntry, @function
KiFastCallEntry:
    FAST_CALL_ENTRY 0
KiFastCallEntry2:
    FAST_CALL_ENTRY EFLAGS_TF

/* A sysenter from a thread whose kernel stack does not hold a plain user
 * frame (nt-reference.md 5.3 step 8): the call becomes an invalid-opcode
 * trap at the user's return address. */
KiFastCallRefuse:
    mov  %esp, %ebp
    mov  $6, %eax
    jmp  KiTrapDispatch

KiSystemServiceFrameDone:
    SYSCALL_FRAME_DONE

/* The common dispatch (nt-reference.md 5.4).  EAX = service number, EDX =
 * argument pointer, ESI = current thread, EBP = trap frame. */
    .globl KiSystemServiceRepeat
KiSystemServiceRepeat:
    mov  %eax, %edi
    shr  $8, %edi
    and  $0x10, %edi                    /* bit 12: which descriptor (16 bytes each) */
    mov  %edi, %ecx
    add  ThServiceTable(%esi), %edi
    mov  %eax, %ebx
    and  $0xFFF, %eax
    cmp  SdLimit(%edi), %eax
    jae  KiBbtUnexpectedRange
    incl %fs:PcKeSystemCalls
    mov  SdNumber(%edi), %ecx
    movzbl (%ecx,%eax), %ecx            /* bytes of arguments */
    mov  SdBase(%edi), %edi
    mov  (%edi,%eax,4), %ebx            /* the service */
    sub  %ecx, %esp
    shr  $2, %ecx
    mov  %esp, %edi
    mov  %edx, %esi
    testb $1, TsSegCs(%ebp)             /* a user caller: the pointer must be below */
    jz   1f                             /* MmUserProbeAddress */
    cmp  $MM_USER_PROBE_ADDRESS, %esi
    jae  KiSystemServiceAccessViolation
1:
    .globl KiSystemServiceCopyArguments, KiSystemServiceCopyEnd
KiSystemServiceCopyArguments:
    rep movsl                           /* a fault here: KiTrap0E returns ACCESS_VIOLATION */
KiSystemServiceCopyEnd:
    .globl KiSystemServiceCall, KiSystemServiceReturned
KiSystemServiceCall:
    call *%ebx                          /* stdcall: the service pops its arguments */
KiSystemServiceReturned:
    .globl KiSystemServiceExit
KiSystemServiceExit:
    mov  %ebp, %esp
    mov  %fs:PcCurrentThread, %ecx
    mov  TsEdx(%ebp), %edx
    mov  %edx, ThTrapFrame(%ecx)        /* back to the previous frame */
    jmp  KiServiceExit

/* The argument pointer was at or above MmUserProbeAddress, or the copy
 * faulted (KiTrap0E resumes here). */
    .globl KiSystemServiceAccessViolation
KiSystemServiceAccessViolation:
    mov  $STATUS_ACCESS_VIOLATION, %eax
    jmp  KiSystemServiceExit

/* Index beyond the table's limit.  Table 1 (the win32k-style shadow table):
 * the thread is not yet a GUI thread; PsConvertToGuiThread points its
 * ServiceTable at the shadow array and the call is tried again.  Otherwise,
 * STATUS_INVALID_SYSTEM_SERVICE. */
KiBbtUnexpectedRange:
    cmp  $0x10, %ecx
    jne  2f
    push %edx
    push %ebx
    call PsConvertToGuiThread           /* cdecl: STATUS_SUCCESS when converted now */
    pop  %ebx
    pop  %edx
    test %eax, %eax
    jnz  2f
    mov  %fs:PcCurrentThread, %esi
    mov  %ebx, %eax
    jmp  KiSystemServiceRepeat
2:  mov  $STATUS_INVALID_SYSTEM_SERVICE, %eax
    jmp  KiSystemServiceExit

/* ---- the exits ------------------------------------------------------------- */

/* KiServiceExit: a service's return (nt-reference.md 5.5).  EBP = the trap
 * frame, EAX = the status, kept through to user mode.  The volatile
 * registers and DS/ES/GS are not restored. */
    .globl KiServiceExit
    .type KiServiceExit, @function
KiServiceExit:
    cli
    push %eax
    push %ebp
    call KiCheckPreemption              /* cdecl (TrapFrame): a higher-priority thread */
    add  $4, %esp                       /* became ready while this one was in the kernel */
    pop  %eax
    mov  %fs:PcCurrentThread, %esi
    mov  TsExceptionList(%ebp), %edx
    mov  %edx, %fs:PcExceptionList
    mov  TsPreviousPreviousMode(%ebp), %ecx
    movb %cl, ThPreviousMode(%esi)
    mov  TsEdi(%ebp), %edi
    mov  TsEsi(%ebp), %esi
    mov  TsEbx(%ebp), %ebx
    testb $1, TsSegCs(%ebp)
    jz   KiSystemCallExitToKernel
    mov  TsSegFs(%ebp), %ecx
    mov  %cx, %fs                       /* the user's FS: no fs: access after this */
    lea  TsEip(%ebp), %esp
    mov  TsEbp(%ebp), %ebp
    cmpb $0, KiFastSystemCallDisable    /* fast calls never turned on */
    jne  KiSystemCallExitIret
    testl $EFLAGS_TF, 8(%esp)           /* single-stepping: IRETD delivers the trap */
    jnz  KiSystemCallExitIret
    pop  %edx                           /* EIP: KiFastSystemCallRet for SYSENTER callers */
    add  $4, %esp                       /* CS: SYSEXIT loads 0x1B itself */
    andl $~EFLAGS_IF, (%esp)
    popf
    pop  %ecx                           /* the user ESP */
    sti                                 /* its shadow covers SYSEXIT */
    .globl KiSystemCallExitSysexit
KiSystemCallExitSysexit:
    sysexit
    .globl KiSystemCallExitIret
KiSystemCallExitIret:
    iret

/* Back to a kernel caller of a Zw stub: no IRET. */
KiSystemCallExitToKernel:
    lea  TsEip(%ebp), %esp
    mov  TsEbp(%ebp), %ebp
    pop  %edx
    add  $4, %esp
    popf
    .globl KiSystemCallExitKernel
KiSystemCallExitKernel:
    jmp  *%edx

/* KiServiceExit2 / the exit of exceptions and interrupts (EXIT_ALL): every
 * register from the frame, always IRETD.  EBP = the trap frame. */
    .globl KiServiceExit2, KiExceptionExit
    .type KiServiceExit2, @function
KiServiceExit2:
KiExceptionExit:
    cli
    push %ebp
    call KiCheckPreemption
    add  $4, %esp
    mov  TsExceptionList(%ebp), %edx
    mov  %edx, %fs:PcExceptionList
    mov  TsSegGs(%ebp), %ecx
    mov  %cx, %gs
    mov  TsSegEs(%ebp), %ecx
    mov  %cx, %es
    mov  TsSegDs(%ebp), %ecx
    mov  %cx, %ds
    mov  TsEdx(%ebp), %edx
    mov  TsEcx(%ebp), %ecx
    mov  TsEax(%ebp), %eax
    mov  TsEdi(%ebp), %edi
    mov  TsEsi(%ebp), %esi
    mov  TsEbx(%ebp), %ebx
    push TsSegFs(%ebp)
    pop  %fs
    lea  TsEip(%ebp), %esp
    mov  TsEbp(%ebp), %ebp
    .globl KiServiceExit2Iret
KiServiceExit2Iret:
    iret

/* ---- exceptions and interrupts ---------------------------------------------- */

/* ENTER_TRAP: the rest of the frame below the error code.  Every register
 * is saved; DS/ES become the kernel's, FS the PCR. */
.macro ENTER_TRAP
    push %ebp
    push %ebx
    push %esi
    push %edi
    push %fs
    mov  $KGDT_R0_PCR, %ebx
    mov  %bx, %fs
    push %fs:PcExceptionList
    push $0                             /* PreviousPreviousMode: not saved by traps */
    push %eax
    push %ecx
    push %edx
    push %ds
    push %es
    push %gs
    sub  $(TsSegGs), %esp
    mov  $(KGDT_R3_DATA | RPL_MASK), %ebx
    mov  %bx, %ds
    mov  %bx, %es
    mov  %esp, %ebp
    movl $0, TsDr7(%ebp)
    mov  TsEbp(%ebp), %ebx
    mov  %ebx, TsDbgEbp(%ebp)
    mov  TsEip(%ebp), %ebx
    mov  %ebx, TsDbgEip(%ebp)
    movl $DBG_ARG_MARK, TsDbgArgMark(%ebp)
    mov  %edx, TsDbgArgPointer(%ebp)
    cld
.endm

/* The exception vectors: the CPU pushes an error code for 8, 10-14 and 17
 * (SDM Vol. 3 table 6-1); the others push a 0 in its place. */
.macro TRAP n, has_error
    .globl KiTrap\n
    .type KiTrap\n, @function
KiTrap\n:
    .if \has_error == 0
    push $0
    .endif
    ENTER_TRAP
    mov  $0x\n, %eax
    jmp  KiTrapDispatch
.endm
    TRAP 00,0; TRAP 02,0; TRAP 03,0; TRAP 04,0; TRAP 05,0; TRAP 06,0; TRAP 07,0
    TRAP 08,1; TRAP 09,0; TRAP 0A,1; TRAP 0B,1; TRAP 0C,1; TRAP 0D,1; TRAP 0E,1; TRAP 0F,0
    TRAP 10,0; TRAP 11,1; TRAP 12,0; TRAP 13,0; TRAP 14,0; TRAP 15,0; TRAP 16,0; TRAP 17,0
    TRAP 18,0; TRAP 19,0; TRAP 1A,0; TRAP 1B,0; TRAP 1C,0; TRAP 1D,0; TRAP 1E,0; TRAP 1F,0

/* #DB.  A single step that lands on KiFastCallEntry (SYSENTER does not
 * clear TF): drop the debug frame and enter through KiFastCallEntry2,
 * which keeps the user's TF for the IRETD return (nt-reference.md 5.3). */
    .globl KiTrap01
    .type KiTrap01, @function
KiTrap01:
    cmpl $KiFastCallEntry, (%esp)
    jne  1f
    cmpl $KGDT_R0_CODE, 4(%esp)
    jne  1f
    add  $12, %esp
    jmp  KiFastCallEntry2
1:  push $0
    ENTER_TRAP
    mov  $1, %eax
    jmp  KiTrapDispatch

/* The C side (ke/i386/trapc.c) decides: dispatch to user mode, resume a
 * fault inside the argument copy, or bug-check.  EAX = vector, EBP = frame. */
KiTrapDispatch:
    push %ebp
    push %eax
    call KiTrapHandler                  /* cdecl (Vector, TrapFrame) */
    add  $8, %esp
    jmp  KiExceptionExit

    .section .rodata
    .align 4
    .globl KiTrapTable
KiTrapTable:
    .long KiTrap00, KiTrap01, KiTrap02, KiTrap03, KiTrap04, KiTrap05, KiTrap06, KiTrap07
    .long KiTrap08, KiTrap09, KiTrap0A, KiTrap0B, KiTrap0C, KiTrap0D, KiTrap0E, KiTrap0F
    .long KiTrap10, KiTrap11, KiTrap12, KiTrap13, KiTrap14, KiTrap15, KiTrap16, KiTrap17
    .long KiTrap18, KiTrap19, KiTrap1A, KiTrap1B, KiTrap1C, KiTrap1D, KiTrap1E, KiTrap1F
    .text

/* IRQ 0 at CLOCK_VECTOR (ENTER_INTERRUPT: the same frame, ErrCode 0). */
    .globl KiClockInterrupt
    .type KiClockInterrupt, @function
KiClockInterrupt:
    push $0
    ENTER_TRAP
    push %ebp
    call KeUpdateSystemTime             /* cdecl (TrapFrame): may switch threads */
    add  $4, %esp
    jmp  KiExceptionExit

/* IRQ 4 at CLOCK_VECTOR + 4: COM1's transmit FIFO ran empty (hal.c). */
    .globl KiUartInterrupt
    .type KiUartInterrupt, @function
KiUartInterrupt:
    push $0
    ENTER_TRAP
    call HalpUartInterrupt
    jmp  KiExceptionExit

/* int 2Ah: (KeTickCount * ExpTickCountMultiplier) >> 24 in EAX (the tick
 * count in milliseconds), by IRETD with no trap frame.  EDX is clobbered. */
    .globl KiGetTickCount
    .type KiGetTickCount, @function
KiGetTickCount:
    mov  %ss:KeTickCount, %eax
    mull %ss:ExpTickCountMultiplier
    shrd $24, %edx, %eax
    iret

/* int 2Bh: the end of a user-mode callback (nt-reference.md 7.5, the WRK
 * form): a system-call frame, then NtCallbackReturn(ECX = output buffer,
 * EDX = output length, EAX = status).  If it returns (no callback active),
 * its status goes back like any service's. */
    .globl KiCallbackReturn
    .type KiCallbackReturn, @function
KiCallbackReturn:
    ENTER_SYSCALL
    mov  %ecx, TsEcx(%ebp)
    SYSCALL_FRAME_DONE
    push %eax
    push %edx
    push %ecx
    call NtCallbackReturn               /* stdcall (Output, Length, Status) */
    jmp  KiSystemServiceExit

/* int 2Ch: XP's KiSetLowWaitHighThread.  Event pairs are gone; the
 * handler answers STATUS_NO_EVENT_PAIR by IRETD, as XP does. */
    .globl KiSetLowWaitHighThread
KiSetLowWaitHighThread:
    mov  $0xC000014E, %eax
    iret

/* int 2Dh: debugger services.  EAX = 1 (BREAKPOINT_PRINT): ECX = string,
 * EDX = length, printed on the console.  The `int 3` that follows in the
 * caller is skipped, as with no debugger attached. */
    .globl KiDebugService
    .type KiDebugService, @function
KiDebugService:
    push $0
    ENTER_TRAP
    push %ebp
    call KiDebugServiceHandler          /* cdecl (TrapFrame) */
    add  $4, %esp
    jmp  KiExceptionExit

/* ---- the double-fault and NMI tasks -------------------------------------- */

/* The task gates of vectors 8 and 2 switch to KiDoubleFaultTSS / KiNMITSS,
 * whose EIP is here and whose ESP is their own stack, so a fault on a
 * broken kernel stack still reaches a handler. */
    .globl KiDoubleFaultTask, KiNmiTask
KiDoubleFaultTask:
    cld
    call KiDoubleFaultHandler
KiNmiTask:
    cld
    call KiNmiHandler

/* ---- vectors nothing has connected ------------------------------------------ */

/* Vectors 0x30-0xFF (KiUnexpectedInterruptN); each stub's address goes
 * into KiUnexpectedInterruptTable as it is made. */
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
