/* trapc.c - the C side of traps: turn a processor exception into an
 * NTSTATUS exception record and hand it to user mode
 * (KiUserExceptionDispatcher), resume a fault inside the system-call
 * argument copy as STATUS_ACCESS_VIOLATION, print for int 2Dh, and bug-check
 * what the kernel itself did wrong.  Also NtContinue, NtRaiseException and
 * NtGetContextThread, which meet the same frames. */
#include "../../inc/ke.h"
#include "../../inc/ps.h"
#include "../../inc/mm.h"
#include "../../inc/ob.h"
#include "../../inc/hal.h"
#include "../../inc/rtl.h"
#include "../../inc/arch.h"

void KiUnexpectedTrap(ULONG Vector, ULONG ErrorCode, ULONG Eip, ULONG SegCs) __attribute__((noreturn));
void KiDoubleFaultHandler(void) __attribute__((noreturn));
void KiNmiHandler(void) __attribute__((noreturn));
void KiUnexpectedInterruptTail(ULONG Vector) __attribute__((noreturn));
void KiTrapHandler(ULONG Vector, PKTRAP_FRAME TrapFrame);
void KiDebugServiceHandler(PKTRAP_FRAME TrapFrame);
void PspTerminateCurrentProcessByException(NTSTATUS Code, ULONG Address) __attribute__((noreturn));

extern UCHAR KiSystemServiceCopyArguments[], KiSystemServiceCopyEnd[], KiSystemServiceAccessViolation[];

void KiUnexpectedTrap(ULONG Vector, ULONG ErrorCode, ULONG Eip, ULONG SegCs)
{
    KeBugCheckEx(UNEXPECTED_KERNEL_MODE_TRAP, Vector, ErrorCode, Eip, SegCs);
}

/* Entered by the task gate of vector 8, on KiDoubleFaultTSS's stack; the
 * faulting task's state is in KiTss (its back link is in ours). */
void KiDoubleFaultHandler(void)
{
    KeBugCheckEx(UNEXPECTED_KERNEL_MODE_TRAP, 8, 0, KiTss.Eip, KiTss.Esp);
}

void KiNmiHandler(void)
{
    KeBugCheckEx(NMI_HARDWARE_FAILURE, 0, 0, KiTss.Eip, KiTss.Esp);
}

void KiUnexpectedInterruptTail(ULONG Vector)
{
    KeBugCheckEx(TRAP_CAUSE_UNKNOWN, Vector, 0, 0, 0);
}

static inline ULONG KiReadCr2(void)
{
    ULONG v;
    __asm__ volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}

/* The exception code of each vector user mode can raise (the values NT's
 * KiTrapNN raise). */
static NTSTATUS KiExceptionCode(ULONG Vector, ULONG ErrorCode)
{
    switch (Vector) {
    case 0x00: return STATUS_INTEGER_DIVIDE_BY_ZERO;
    case 0x01: return STATUS_SINGLE_STEP;
    case 0x03: return STATUS_BREAKPOINT;
    case 0x04: return (NTSTATUS)0xC0000095;    /* STATUS_INTEGER_OVERFLOW */
    case 0x05: return (NTSTATUS)0xC000008C;    /* STATUS_ARRAY_BOUNDS_EXCEEDED */
    case 0x06: return STATUS_ILLEGAL_INSTRUCTION;
    case 0x0D: return ErrorCode ? STATUS_ACCESS_VIOLATION : STATUS_PRIVILEGED_INSTRUCTION;
    case 0x11: return (NTSTATUS)0x80000002;    /* STATUS_DATATYPE_MISALIGNMENT */
    default:   return STATUS_ACCESS_VIOLATION;
    }
}

void KiTrapHandler(ULONG Vector, PKTRAP_FRAME TrapFrame)
{
    ULONG Cr2 = Vector == 0x0E ? KiReadCr2() : 0;
    if (!(TrapFrame->SegCs & 1)) {
        /* The only fault the kernel expects: the argument copy touching a
         * bad user page (nt-reference.md 5.4 step 5). */
        if (Vector == 0x0E && TrapFrame->Eip >= (ULONG)KiSystemServiceCopyArguments &&
            TrapFrame->Eip < (ULONG)KiSystemServiceCopyEnd && Cr2 < MM_USER_PROBE_ADDRESS) {
            TrapFrame->Eip = (ULONG)KiSystemServiceAccessViolation;
            return;
        }
        if (Vector == 0x0E)
            KeBugCheckEx(PAGE_FAULT_IN_NONPAGED_AREA, Cr2, TrapFrame->ErrCode, TrapFrame->Eip, 0);
        KeBugCheckEx(KERNEL_MODE_EXCEPTION_NOT_HANDLED, Vector, TrapFrame->ErrCode, TrapFrame->Eip,
                     TrapFrame->SegCs);
    }
    _enable();
    EXCEPTION_RECORD Record;
    RtlZeroMemory(&Record, sizeof Record);
    Record.ExceptionCode = KiExceptionCode(Vector, TrapFrame->ErrCode);
    Record.ExceptionAddress = (PVOID)TrapFrame->Eip;
    if (Vector == 0x0E || Record.ExceptionCode == STATUS_ACCESS_VIOLATION) {
        /* [0] = 1 for a write, [1] = the address (-1 when the #GP gives none). */
        Record.NumberParameters = 2;
        Record.ExceptionInformation[0] = Vector == 0x0E ? (TrapFrame->ErrCode >> 1) & 1 : 0;
        Record.ExceptionInformation[1] = Vector == 0x0E ? Cr2 : 0xFFFFFFFFu;
    }
    if (Vector == 0x03) {                   /* int3 leaves EIP after itself; NT reports the int3 */
        TrapFrame->Eip--;
        Record.ExceptionAddress = (PVOID)TrapFrame->Eip;
    }
    KiDispatchException(&Record, TrapFrame, TRUE);
}

/* User-mode exception dispatch (first chance): the CONTEXT and the
 * EXCEPTION_RECORD go on the user stack, then their addresses, and the
 * thread resumes at ntdll!KiUserExceptionDispatcher(Record, Context).  A
 * stack that cannot take them, or a second chance (NtRaiseException with
 * FirstChance FALSE), ends the process with the exception code: there is
 * no debugger to ask. */
void KiDispatchException(PEXCEPTION_RECORD Record, PKTRAP_FRAME TrapFrame, BOOLEAN FirstChance)
{
    if (!FirstChance || !KeUserExceptionDispatcher)
        PspTerminateCurrentProcessByException(Record->ExceptionCode, (ULONG)Record->ExceptionAddress);
    CONTEXT Context;
    RtlZeroMemory(&Context, sizeof Context);
    KeTrapFrameToContext(TrapFrame, &Context);
    ULONG Sp = (TrapFrame->HardwareEsp & ~3u) - sizeof(CONTEXT);
    ULONG ContextVa = Sp;
    Sp -= sizeof(EXCEPTION_RECORD);
    ULONG RecordVa = Sp;
    ULONG Args[2] = { RecordVa, ContextVa };
    Sp -= sizeof Args;
    if (!NT_SUCCESS(MmCopyToUser((PVOID)ContextVa, &Context, sizeof Context)) ||
        !NT_SUCCESS(MmCopyToUser((PVOID)RecordVa, Record, sizeof *Record)) ||
        !NT_SUCCESS(MmCopyToUser((PVOID)Sp, Args, sizeof Args)))
        PspTerminateCurrentProcessByException(Record->ExceptionCode, (ULONG)Record->ExceptionAddress);
    TrapFrame->HardwareEsp = Sp;
    TrapFrame->Eip = KeUserExceptionDispatcher;
    TrapFrame->EFlags &= ~EFLAGS_TF;
    TrapFrame->SegCs = KGDT_R3_CODE | RPL_MASK;
    TrapFrame->HardwareSegSs = TrapFrame->SegDs = TrapFrame->SegEs = KGDT_R3_DATA | RPL_MASK;
    TrapFrame->SegFs = KGDT_R3_TEB | RPL_MASK;
    TrapFrame->SegGs = 0;
}

/* int 2Dh, BREAKPOINT_PRINT (EAX = 1): ECX = the string, EDX = its length.
 * The caller's following `int 3` is stepped over. */
void KiDebugServiceHandler(PKTRAP_FRAME TrapFrame)
{
    KPROCESSOR_MODE Mode = (TrapFrame->SegCs & 1) ? UserMode : KernelMode;
    _enable();
    if (TrapFrame->Eax == 1) {
        char Buffer[128];
        ULONG Length = TrapFrame->Edx < sizeof Buffer ? TrapFrame->Edx : sizeof Buffer;
        NTSTATUS Status = MmCopyFromCaller(Mode, Buffer, (PVOID)TrapFrame->Ecx, Length);
        if (NT_SUCCESS(Status)) HalDisplayBytes(Buffer, Length);
        TrapFrame->Eax = (ULONG)Status;
    } else {
        TrapFrame->Eax = (ULONG)STATUS_NOT_IMPLEMENTED;
    }
    UCHAR Next = 0;
    if (NT_SUCCESS(MmCopyFromCaller(Mode, &Next, (PVOID)TrapFrame->Eip, 1)) && Next == 0xCC) TrapFrame->Eip++;
}

/* The trap frame of the system call that is running now. */
static PKTRAP_FRAME KiCurrentServiceFrame(void)
{
    return KeGetCurrentThread()->TrapFrame;
}

/* NtContinue(Context, TestAlert): the thread goes on with Context, by the
 * full-restore exit.  The frame is rewritten in place; the service's
 * ordinary exit would then not restore EAX/ECX/EDX, so NtContinue leaves
 * through KiServiceExit2 itself. */
void KiContinueExit(PKTRAP_FRAME TrapFrame) __attribute__((noreturn));
NTSTATUS NTAPI NtContinue(PCONTEXT Context, BOOLEAN TestAlert)
{
    (void)TestAlert;
    PKTHREAD Thread = KeGetCurrentThread();
    PKTRAP_FRAME TrapFrame = KiCurrentServiceFrame();
    CONTEXT Local;
    if (!NT_SUCCESS(MmCopyFromCaller(Thread->PreviousMode, &Local, Context, sizeof Local)))
        return STATUS_ACCESS_VIOLATION;
    if (!(TrapFrame->SegCs & 1)) return STATUS_INVALID_PARAMETER;
    ULONG Link = TrapFrame->Edx;
    KeContextToTrapFrame(&Local, TrapFrame);
    Thread->TrapFrame = (PKTRAP_FRAME)Link;
    Thread->PreviousMode = UserMode;
    KiContinueExit(TrapFrame);
}

/* NtRaiseException(Record, Context, FirstChance): a software exception
 * (RtlRaiseException) or the dispatcher's second chance. */
NTSTATUS NTAPI NtRaiseException(PEXCEPTION_RECORD ExceptionRecord, PCONTEXT Context, BOOLEAN FirstChance)
{
    PKTRAP_FRAME TrapFrame = KiCurrentServiceFrame();
    EXCEPTION_RECORD Record;
    CONTEXT Local;
    KPROCESSOR_MODE Mode = KeGetPreviousMode();
    if (!NT_SUCCESS(MmCopyFromCaller(Mode, &Record, ExceptionRecord, sizeof Record)) ||
        !NT_SUCCESS(MmCopyFromCaller(Mode, &Local, Context, sizeof Local)))
        return STATUS_ACCESS_VIOLATION;
    if (Record.NumberParameters > EXCEPTION_MAXIMUM_PARAMETERS) return STATUS_INVALID_PARAMETER;
    if (!FirstChance)
        PspTerminateCurrentProcessByException(Record.ExceptionCode, (ULONG)Record.ExceptionAddress);
    ULONG Link = TrapFrame->Edx;
    KeContextToTrapFrame(&Local, TrapFrame);
    KeGetCurrentThread()->TrapFrame = (PKTRAP_FRAME)Link;
    KiDispatchException(&Record, TrapFrame, TRUE);
    KiContinueExit(TrapFrame);
}
