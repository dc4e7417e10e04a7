/* ctxswap.S - switching threads, starting new ones, and the kernel side of
 * user-mode callbacks (nt-reference.md 7.3 and 7.5; WRK's ctxswap.asm and
 * callout.asm have the same roles). */

#include "../../inc/ks386.h"

#define STATUS_NO_CALLBACK_ACTIVE 0xC0000258
#define STATUS_CALLBACK_POP_STACK 0xC0000423
#define STATUS_STACK_OVERFLOW     0xC00000FD
#define CALLOUT_STACK_RESERVE     0x1800    /* what one more callback level needs */

    .text
    .code32

/* KiSwapContext(Old, New), cdecl, interrupts disabled.  Saves the
 * callee-saved registers on Old's kernel stack, takes New's, then what
 * SwapContext does for the new thread: its process's page directory (CR3),
 * TSS.Esp0 = InitialStack - 0x210 - 0x10, the PCR's initial stack and TEB,
 * and the base of GDT entry 0x38 (FS in user mode) = its TEB.  Returns on
 * New's stack, where New last called KiSwapContext (or in KiThreadStartup). */
    .globl KiSwapContext
    .type KiSwapContext, @function
KiSwapContext:
    push %ebp
    push %ebx
    push %esi
    push %edi
    mov  20(%esp), %esi                 /* Old */
    mov  24(%esp), %edi                 /* New */
    mov  %esp, ThKernelStack(%esi)
    mov  ThKernelStack(%edi), %esp
    mov  ThProcess(%edi), %eax
    cmp  ThProcess(%esi), %eax
    je   1f
    mov  PrDirectoryTableBase(%eax), %eax
    mov  %eax, %cr3                     /* the kernel's pages are global: they stay */
1:  mov  ThInitialStack(%edi), %eax
    mov  %eax, %fs:PcInitialStack
    sub  $(NPX_FRAME_LENGTH + 0x10), %eax
    mov  %fs:PcTss, %ecx
    mov  %eax, TssEsp0(%ecx)
    mov  ThTeb(%edi), %eax
    mov  %eax, %fs:PcTeb
    mov  %fs:PcGdt, %ecx
    mov  %ax, KGDT_R3_TEB + 2(%ecx)     /* base 15:0 */
    shr  $16, %eax
    mov  %al, KGDT_R3_TEB + 4(%ecx)     /* base 23:16 */
    mov  %ah, KGDT_R3_TEB + 7(%ecx)     /* base 31:24 */
    mov  %edi, %fs:PcCurrentThread
    incl ThContextSwitches(%edi)
    pop  %edi
    pop  %esi
    pop  %ebx
    pop  %ebp
    ret

/* A new thread's first return from KiSwapContext lands here with
 * [StartRoutine, StartContext] on its stack, right below its trap frame.
 * The routine (cdecl) runs with interrupts on; a user thread then leaves
 * for user mode through that frame, by the full-restore exit. */
    .globl KiThreadStartup
    .type KiThreadStartup, @function
KiThreadStartup:
    pop  %eax
    pop  %ecx
    sti
    push %ecx
    call *%eax
    add  $4, %esp
    mov  %fs:PcCurrentThread, %eax
    mov  ThTrapFrame(%eax), %ebp
    jmp  KiServiceExit2

/* KiCallUserMode(OutputBuffer, OutputLength), cdecl, called by
 * KeUserModeCallback once the user stack holds the callback's arguments
 * (nt-reference.md 7.3).  Builds the KCALLOUT_FRAME, makes a new initial
 * stack below it, copies the user part of the current trap frame into a
 * new one there with Eip = KiUserCallbackDispatcher, and leaves through
 * KiServiceExit.  It "returns" only when NtCallbackReturn cuts the stack
 * back to the callout frame (KiCallbackReturnResume), with EAX = status. */
    .globl KiCallUserMode
    .type KiCallUserMode, @function
KiCallUserMode:
    push %ebp
    push %ebx
    push %esi
    push %edi
    mov  %fs:PcCurrentThread, %ebx
    lea  -CALLOUT_STACK_RESERVE(%esp), %eax
    cmp  ThStackLimit(%ebx), %eax       /* no room for another level */
    jb   KiCallUserModeOverflow
    push ThCallbackStack(%ebx)
    push ThTrapFrame(%ebx)
    push ThInitialStack(%ebx)
    mov  %esp, ThCallbackStack(%ebx)    /* the KCALLOUT_FRAME */
    mov  %esp, %edi
    and  $~15, %edi                     /* the new InitialStack */
    cli
    mov  %edi, ThInitialStack(%ebx)
    mov  %edi, %fs:PcInitialStack
    lea  -(NPX_FRAME_LENGTH + 0x10)(%edi), %eax
    mov  %fs:PcTss, %ecx
    mov  %eax, TssEsp0(%ecx)
    lea  -KTRAP_FRAME_OFFSET(%edi), %ebp   /* the new trap frame */
    mov  %ebp, %esp
    mov  ThTrapFrame(%ebx), %esi        /* the old one: copy SegFs..HardwareSegSs */
    lea  TsSegFs(%esi), %esi
    lea  TsSegFs(%ebp), %edi
    mov  $((TsHardwareSegSs + 4 - TsSegFs) / 4), %ecx
    cld
    rep movsl
    mov  ThTrapFrame(%ebx), %esi
    mov  TsDr7(%esi), %eax
    mov  %eax, TsDr7(%ebp)
    mov  TsPreviousPreviousMode(%esi), %eax
    mov  %eax, TsPreviousPreviousMode(%ebp)
    mov  %esi, TsEdx(%ebp)              /* link to the frame the callback came from */
    mov  %fs:PcExceptionList, %eax
    mov  %eax, TsExceptionList(%ebp)
    mov  KeUserCallbackDispatcher, %eax
    mov  %eax, TsEip(%ebp)
    mov  %ebp, ThTrapFrame(%ebx)
    sti
    mov  TsEbp(%ebp), %eax
    mov  %eax, TsDbgEbp(%ebp)
    mov  TsEip(%ebp), %eax
    mov  %eax, TsDbgEip(%ebp)
    movl $DBG_ARG_MARK, TsDbgArgMark(%ebp)
    xor  %eax, %eax
    jmp  KiServiceExit

KiCallUserModeOverflow:
    mov  $STATUS_STACK_OVERFLOW, %eax
    pop  %edi
    pop  %esi
    pop  %ebx
    pop  %ebp
    ret

/* NtCallbackReturn(OutputBuffer, OutputLength, Status), stdcall: service
 * 0x14 and the body of int 2Bh (nt-reference.md 7.5).  With a callback
 * active, stores the output through the callout frame, restores the
 * thread's initial stack, TSS.Esp0 and trap frame, cuts the kernel stack
 * back to the KCALLOUT_FRAME and returns from KiCallUserMode. */
    .globl NtCallbackReturn
    .type NtCallbackReturn, @function
NtCallbackReturn:
    mov  %fs:PcCurrentThread, %ebx
    mov  ThCallbackStack(%ebx), %ecx
    test %ecx, %ecx
    jnz  1f
    mov  $STATUS_NO_CALLBACK_ACTIVE, %eax
    ret  $12
1:  mov  ThTrapFrame(%ebx), %esi        /* the frame of this return's entry */
    mov  TsExceptionList(%esi), %eax
    mov  %eax, %fs:PcExceptionList
    mov  4(%esp), %eax
    mov  CuOutBf(%ecx), %edx
    mov  %eax, (%edx)                   /* *Result = OutputBuffer */
    mov  8(%esp), %eax
    mov  CuOutLn(%ecx), %edx
    mov  %eax, (%edx)                   /* *ResultLength = OutputLength */
    mov  12(%esp), %edx                 /* the status */
    cli
    mov  CuInStk(%ecx), %eax
    mov  %eax, ThInitialStack(%ebx)
    mov  %eax, %fs:PcInitialStack
    sub  $(NPX_FRAME_LENGTH + 0x10), %eax
    mov  %fs:PcTss, %edi
    mov  %eax, TssEsp0(%edi)
    mov  CuTrFr(%ecx), %edi             /* the frame the callback started from */
    cmp  $STATUS_CALLBACK_POP_STACK, %edx
    jne  2f
    push %ecx                           /* the user side unwound: its registers carry */
    lea  TsSegFs(%esi), %esi            /* over into the original frame */
    lea  TsSegFs(%edi), %edi
    mov  $((TsHardwareSegSs + 4 - TsSegFs) / 4), %ecx
    cld
    rep movsl
    pop  %ecx
    mov  CuTrFr(%ecx), %edi
2:  movl $0, TsDr7(%edi)
    mov  %edi, ThTrapFrame(%ebx)
    mov  %ecx, %esp                     /* back to the callout frame */
    sti
    add  $8, %esp                       /* InitialStack, TrapFrame: restored above */
    pop  ThCallbackStack(%ebx)
    mov  %edx, %eax
    pop  %edi
    pop  %esi
    pop  %ebx
    pop  %ebp
    .globl KiCallbackReturnResume
KiCallbackReturnResume:
    ret                                 /* out of KiCallUserMode, into KeUserModeCallback */

/* KiContinueExit(TrapFrame): NtContinue and NtRaiseException leave with
 * every register of the rewritten frame. */
    .globl KiContinueExit
KiContinueExit:
    mov  4(%esp), %ebp
    jmp  KiServiceExit2

    .section .note.GNU-stack, "", @progbits
