/* thread.c - a thread's kernel side: its kernel stack with the first
 * switch frame (KiSwapContext "returns" into KiThreadStartup), and the
 * conversions between a user CONTEXT and a KTRAP_FRAME. */
#include "../inc/ke.h"
#include "../inc/mm.h"
#include "../inc/rtl.h"

PKTRAP_FRAME KiUserTrapFrame(PKTHREAD Thread)
{
    return (PKTRAP_FRAME)((ULONG)Thread->InitialStack - KTRAP_FRAME_OFFSET);
}

void KiInitializeThreadState(PKTHREAD Thread, PKPROCESS Process, PVOID StackBase, PVOID StackLimit,
                             CHAR Priority, KPROCESSOR_MODE Mode)
{
    KeInitializeDispatcherHeader(&Thread->Header, ThreadObject, sizeof(KTHREAD), 0);
    Thread->StackBase = Thread->InitialStack = StackBase;
    Thread->StackLimit = StackLimit;
    Thread->ApcState.Process = Process;
    Thread->ServiceTable = KeServiceDescriptorTable;
    Thread->Priority = Thread->BasePriority = Priority;
    Thread->Quantum = THREAD_QUANTUM;
    Thread->PreviousMode = Mode;
    Thread->KernelStackResident = TRUE;
    Thread->Affinity = Thread->UserAffinity = 1;
}

NTSTATUS KeInitializeThread(PKTHREAD Thread, PKPROCESS Process, PKSTART_ROUTINE StartRoutine,
                            PVOID StartContext)
{
    PETHREAD Ethread = (PETHREAD)Thread;
    UCHAR *Stack = ExAllocatePool(KERNEL_STACK_SIZE_THREAD);
    if (!Stack) return STATUS_INSUFFICIENT_RESOURCES;
    Ethread->KernelStackBase = Stack;
    Ethread->KernelStackSize = KERNEL_STACK_SIZE_THREAD;
    KiInitializeThreadState(Thread, Process, Stack + KERNEL_STACK_SIZE_THREAD, Stack, Process->BasePriority,
                            UserMode);
    Thread->State = Initialized;
    Thread->TrapFrame = KiUserTrapFrame(Thread);

    /* Below the trap frame: KiThreadStartup's two arguments, its address
     * as KiSwapContext's return address, and four saved registers. */
    ULONG *Sp = (ULONG *)Thread->TrapFrame;
    *--Sp = (ULONG)StartContext;
    *--Sp = (ULONG)StartRoutine;
    *--Sp = (ULONG)KiThreadStartup;
    for (int i = 0; i < 4; i++) *--Sp = 0;
    Thread->KernelStack = Sp;
    return STATUS_SUCCESS;
}

/* User-mode segments and flags whatever the CONTEXT says: nothing user
 * mode hands over can make the IRETD back fault (NtContinue,
 * NtCreateThread). */
#define EFLAGS_USER_BITS 0x00000DD5u        /* CF PF AF ZF SF TF DF OF */
void KeContextToTrapFrame(const CONTEXT *Context, PKTRAP_FRAME TrapFrame)
{
    TrapFrame->Edi = Context->Edi;
    TrapFrame->Esi = Context->Esi;
    TrapFrame->Ebx = Context->Ebx;
    TrapFrame->Edx = Context->Edx;
    TrapFrame->Ecx = Context->Ecx;
    TrapFrame->Eax = Context->Eax;
    TrapFrame->Ebp = Context->Ebp;
    TrapFrame->Eip = Context->Eip;
    TrapFrame->HardwareEsp = Context->Esp;
    TrapFrame->EFlags = (Context->EFlags & EFLAGS_USER_BITS) | EFLAGS_IF | 0x2;
    TrapFrame->SegCs = KGDT_R3_CODE | RPL_MASK;
    TrapFrame->HardwareSegSs = KGDT_R3_DATA | RPL_MASK;
    TrapFrame->SegDs = TrapFrame->SegEs = KGDT_R3_DATA | RPL_MASK;
    TrapFrame->SegFs = KGDT_R3_TEB | RPL_MASK;
    TrapFrame->SegGs = 0;
    TrapFrame->ExceptionList = (PVOID)-1;
    TrapFrame->PreviousPreviousMode = UserMode;
    TrapFrame->ErrCode = 0;
    TrapFrame->Dr7 = 0;
}

void KeTrapFrameToContext(const KTRAP_FRAME *TrapFrame, PCONTEXT Context)
{
    Context->ContextFlags = CONTEXT_FULL;
    Context->Edi = TrapFrame->Edi;
    Context->Esi = TrapFrame->Esi;
    Context->Ebx = TrapFrame->Ebx;
    Context->Edx = TrapFrame->Edx;
    Context->Ecx = TrapFrame->Ecx;
    Context->Eax = TrapFrame->Eax;
    Context->Ebp = TrapFrame->Ebp;
    Context->Eip = TrapFrame->Eip;
    Context->SegCs = TrapFrame->SegCs & 0xFFFF;
    Context->EFlags = TrapFrame->EFlags;
    Context->Esp = TrapFrame->HardwareEsp;
    Context->SegSs = TrapFrame->HardwareSegSs & 0xFFFF;
    Context->SegDs = TrapFrame->SegDs & 0xFFFF;
    Context->SegEs = TrapFrame->SegEs & 0xFFFF;
    Context->SegFs = TrapFrame->SegFs & 0xFFFF;
    Context->SegGs = TrapFrame->SegGs & 0xFFFF;
}
