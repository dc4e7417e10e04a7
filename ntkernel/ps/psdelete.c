/* psdelete.c - processes and threads end: PspTerminateThread (for the
 * current thread or one that is switched out), the process's end with its
 * last thread, the reaping of kernel stacks and address spaces once nobody
 * runs on them, and NtTerminateThread / NtTerminateProcess. */
#include "../inc/ke.h"
#include "../inc/ps.h"
#include "../inc/mm.h"
#include "../inc/ob.h"
#include "../inc/hal.h"
#include "../inc/rtl.h"
#include "../inc/arch.h"
#include "psp.h"

void PspTerminateThread(PETHREAD Thread, NTSTATUS ExitStatus)
{
    PEPROCESS Process = Thread->ThreadsProcess;
    BOOLEAN Self = Thread == PsGetCurrentThread();
    _disable();
    if (Thread->CrossThreadFlags & PS_CROSS_THREAD_FLAGS_TERMINATED) {
        _enable();
        return;
    }
    Thread->CrossThreadFlags |= PS_CROSS_THREAD_FLAGS_TERMINATED;
    Thread->ExitStatus = ExitStatus;
    if (!Self) KiUnlinkThread(&Thread->Tcb);
    Thread->Tcb.State = Terminated;
    _enable();
    PspNotifyThread(Thread, FALSE);
    _disable();
    RemoveEntryList(&Thread->Tcb.ThreadListEntry);
    RemoveEntryList(&Thread->ThreadListEntry);
    Thread->ExitTime = KeQueryTickTime();
    KiSignalObject(&Thread->Tcb.Header);
    BOOLEAN Last = --Process->ActiveThreads == 0;
    if (Last) {
        if (!(Process->Flags & PS_PROCESS_FLAGS_EXITING)) Process->ExitStatus = ExitStatus;
        Process->Flags |= PS_PROCESS_FLAGS_EXITING;
        _enable();
        PspNotifyProcess(Process, FALSE);
        ObKillProcess(Process);
        _disable();
        Process->ExitTime = KeQueryTickTime();
        KiSignalObject(&Process->Pcb.Header);
    }
    KiQueueDeadThread(&Thread->Tcb);
    if (Self) {
        KiSwapThread();
        KeBugCheckEx(0x1 /* APC_INDEX_MISMATCH: a dead thread ran */, (ULONG)Thread, 0, 0, 0);
    }
    _enable();
}

/* Every thread of Process but the caller, one at a time (each end may
 * change the list).  TRUE when the caller is one of Process's threads. */
static BOOLEAN PspTerminateOtherThreads(PEPROCESS Process, NTSTATUS ExitStatus)
{
    PETHREAD Current = PsGetCurrentThread();
    BOOLEAN Mine = FALSE;
    for (;;) {
        PETHREAD Victim = NULL;
        _disable();
        for (PLIST_ENTRY e = Process->ThreadListHead.Flink; e != &Process->ThreadListHead; e = e->Flink) {
            PETHREAD t = CONTAINING_RECORD(e, ETHREAD, ThreadListEntry);
            if (t == Current) Mine = TRUE;
            else { Victim = t; break; }
        }
        _enable();
        if (!Victim) return Mine;
        PspTerminateThread(Victim, ExitStatus);
    }
}

/* Every thread of Process; the caller's own last. */
void PspTerminateProcess(PEPROCESS Process, NTSTATUS ExitStatus)
{
    _disable();
    if (!(Process->Flags & PS_PROCESS_FLAGS_EXITING)) Process->ExitStatus = ExitStatus;
    Process->Flags |= PS_PROCESS_FLAGS_EXITING;
    _enable();
    if (PspTerminateOtherThreads(Process, ExitStatus)) PspTerminateThread(PsGetCurrentThread(), ExitStatus);
}

/* After the switch away from a dead thread: its stack, its reference, and
 * with the last thread the process's address space. */
void PspReapThread(PETHREAD Thread)
{
    PEPROCESS Process = Thread->ThreadsProcess;
    ExFreePool(Thread->KernelStackBase);
    Thread->KernelStackBase = NULL;
    if (Process->ActiveThreads == 0 && Process->Pcb.DirectoryTableBase[0] &&
        Process != PsInitialSystemProcess) {
        MmDeleteProcessAddressSpace(Process);
        Process->Pcb.DirectoryTableBase[0] = 0;
    }
    ObDereferenceObject(Process);
    ObDereferenceObject(Thread);
}

/* The last reference to a process went. */
void PspDeleteProcess(PVOID Object)
{
    PEPROCESS Process = Object;
    _disable();
    if (Process->ActiveProcessLinks.Flink) RemoveEntryList(&Process->ActiveProcessLinks);
    _enable();
    if (Process->Pcb.DirectoryTableBase[0] && Process != PsInitialSystemProcess &&
        Process->Pcb.DirectoryTableBase[0] != MmKernelDirectoryTableBase) {
        MmDeleteProcessAddressSpace(Process);
        Process->Pcb.DirectoryTableBase[0] = 0;
    }
}

/* No user handler took the exception (or the user stack could not hold
 * it): the process ends with the exception's code, the system goes on. */
void PspTerminateCurrentProcessByException(NTSTATUS Code, ULONG Address)
{
    PEPROCESS Process = PsGetCurrentProcess();
    _enable();
    DbgPrint("ntkernel: %s (process %u) ended by exception 0x%08X at 0x%08X\n",
             (const char *)Process->ImageFileName, (ULONG)Process->UniqueProcessId, (ULONG)Code, Address);
    PspTerminateProcess(Process, Code);
    KeBugCheckEx(0x1, Code, Address, 0, 0);     /* not reached */
}

NTSTATUS NTAPI NtTerminateThread(HANDLE ThreadHandle, NTSTATUS ExitStatus)
{
    PETHREAD Thread;
    if (!ThreadHandle) ThreadHandle = NtCurrentThread();
    NTSTATUS Status = ObReferenceObjectByHandle(ThreadHandle, 0, &PsThreadType,
                                                KeGetPreviousMode(), (PVOID *)&Thread);
    if (!NT_SUCCESS(Status)) return Status;
    if (Thread == PsGetCurrentThread()) {
        ObDereferenceObject(Thread);            /* the thread's own reference outlives the call */
        PspTerminateThread(Thread, ExitStatus); /* does not return */
    }
    PspTerminateThread(Thread, ExitStatus);
    ObDereferenceObject(Thread);
    return STATUS_SUCCESS;
}

/* ProcessHandle NULL: every thread of the caller's process but the caller
 * (what ExitProcess does first, XP). */
NTSTATUS NTAPI NtTerminateProcess(HANDLE ProcessHandle, NTSTATUS ExitStatus)
{
    PEPROCESS Process;
    if (!ProcessHandle) {
        PspTerminateOtherThreads(PsGetCurrentProcess(), ExitStatus);
        return STATUS_SUCCESS;
    }
    NTSTATUS Status = ObReferenceObjectByHandle(ProcessHandle, 0, &PsProcessType,
                                                KeGetPreviousMode(), (PVOID *)&Process);
    if (!NT_SUCCESS(Status)) return Status;
    if (Process == PsInitialSystemProcess) {
        ObDereferenceObject(Process);
        return STATUS_ACCESS_DENIED;
    }
    if (Process == PsGetCurrentProcess()) ObDereferenceObject(Process);
    PspTerminateProcess(Process, ExitStatus);
    ObDereferenceObject(Process);
    return STATUS_SUCCESS;
}
