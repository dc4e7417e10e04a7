/* query.c - what user mode may ask about processes and threads:
 * NtQueryInformationProcess / NtQueryInformationThread (basic information
 * and times), NtSetInformationThread (priority), NtOpenProcess by id,
 * NtGetContextThread, and the lookups by id. */
#include "../inc/ke.h"
#include "../inc/ps.h"
#include "../inc/mm.h"
#include "../inc/ob.h"
#include "../inc/rtl.h"
#include "../inc/arch.h"
#include "psp.h"

enum { ProcessBasicInformation = 0, ProcessTimes = 4 };
enum { ThreadBasicInformation = 0, ThreadTimes = 1, ThreadPriority = 2 };

typedef struct _PROCESS_BASIC_INFORMATION {
    NTSTATUS ExitStatus;
    PPEB PebBaseAddress;
    ULONG AffinityMask;
    KPRIORITY BasePriority;
    ULONG UniqueProcessId;
    ULONG InheritedFromUniqueProcessId;
} PROCESS_BASIC_INFORMATION;
C_ASSERT_SIZE(PROCESS_BASIC_INFORMATION, 24);

typedef struct _KERNEL_USER_TIMES {
    LARGE_INTEGER CreateTime, ExitTime, KernelTime, UserTime;
} KERNEL_USER_TIMES;

typedef struct _THREAD_BASIC_INFORMATION {
    NTSTATUS ExitStatus;
    PVOID TebBaseAddress;
    CLIENT_ID ClientId;
    ULONG AffinityMask;
    KPRIORITY Priority;
    KPRIORITY BasePriority;
} THREAD_BASIC_INFORMATION;
C_ASSERT_SIZE(THREAD_BASIC_INFORMATION, 28);

#define STILL_ACTIVE ((NTSTATUS)0x00000103)     /* STATUS_PENDING */

/* Copies a result out the way every Query service does: length checked
 * first, then the data, then ReturnLength. */
static NTSTATUS PspReturn(PVOID Buffer, ULONG Length, PULONG ReturnLength, const void *Data, ULONG Size)
{
    KPROCESSOR_MODE Mode = KeGetPreviousMode();
    if (Length != Size) return STATUS_INFO_LENGTH_MISMATCH;
    /* As NT, both outputs are probed before either is written. */
    if (Mode == UserMode && (!NT_SUCCESS(MmProbeForWrite(Buffer, Size)) || !Buffer ||
                             (ReturnLength && !NT_SUCCESS(MmProbeForWrite(ReturnLength, sizeof *ReturnLength)))))
        return STATUS_ACCESS_VIOLATION;
    NTSTATUS Status = MmCopyToCaller(Mode, Buffer, Data, Size);
    if (NT_SUCCESS(Status) && ReturnLength) Status = MmCopyToCaller(Mode, ReturnLength, &Size, sizeof Size);
    return Status;
}

NTSTATUS NTAPI NtQueryInformationProcess(HANDLE ProcessHandle, ULONG InfoClass, PVOID Info, ULONG Length,
                                         PULONG ReturnLength)
{
    if (InfoClass != ProcessBasicInformation && InfoClass != ProcessTimes) return STATUS_INVALID_INFO_CLASS;
    PEPROCESS Process;
    NTSTATUS Status = ObReferenceObjectByHandle(ProcessHandle, 0, &PsProcessType,
                                                KeGetPreviousMode(), (PVOID *)&Process);
    if (!NT_SUCCESS(Status)) return Status;
    if (InfoClass == ProcessBasicInformation) {
        PROCESS_BASIC_INFORMATION b = {
            (Process->Flags & PS_PROCESS_FLAGS_EXITING) ? Process->ExitStatus : STILL_ACTIVE,
            Process->Peb, Process->Pcb.Affinity, Process->Pcb.BasePriority,
            (ULONG)Process->UniqueProcessId, (ULONG)Process->InheritedFromUniqueProcessId };
        Status = PspReturn(Info, Length, ReturnLength, &b, sizeof b);
    } else {
        KERNEL_USER_TIMES t = { Process->CreateTime, Process->ExitTime, KeTicksToTime(Process->Pcb.KernelTime),
                                KeTicksToTime(Process->Pcb.UserTime) };
        Status = PspReturn(Info, Length, ReturnLength, &t, sizeof t);
    }
    ObDereferenceObject(Process);
    return Status;
}

NTSTATUS NTAPI NtQueryInformationThread(HANDLE ThreadHandle, ULONG InfoClass, PVOID Info, ULONG Length,
                                        PULONG ReturnLength)
{
    if (InfoClass != ThreadBasicInformation && InfoClass != ThreadTimes) return STATUS_INVALID_INFO_CLASS;
    PETHREAD Thread;
    NTSTATUS Status = ObReferenceObjectByHandle(ThreadHandle, 0, &PsThreadType,
                                                KeGetPreviousMode(), (PVOID *)&Thread);
    if (!NT_SUCCESS(Status)) return Status;
    if (InfoClass == ThreadBasicInformation) {
        THREAD_BASIC_INFORMATION b = {
            (Thread->CrossThreadFlags & PS_CROSS_THREAD_FLAGS_TERMINATED) ? Thread->ExitStatus : STILL_ACTIVE,
            Thread->Tcb.Teb, Thread->Cid, Thread->Tcb.Affinity, Thread->Tcb.Priority, Thread->Tcb.BasePriority };
        Status = PspReturn(Info, Length, ReturnLength, &b, sizeof b);
    } else {
        KERNEL_USER_TIMES t = { Thread->CreateTime, Thread->ExitTime, KeTicksToTime(Thread->Tcb.KernelTime),
                                KeTicksToTime(Thread->Tcb.UserTime) };
        Status = PspReturn(Info, Length, ReturnLength, &t, sizeof t);
    }
    ObDereferenceObject(Thread);
    return Status;
}

/* ThreadPriority: a KPRIORITY from 1 to 31 (LOW_PRIORITY + 1 .. HIGH_PRIORITY). */
NTSTATUS NTAPI NtSetInformationThread(HANDLE ThreadHandle, ULONG InfoClass, PVOID Info, ULONG Length)
{
    if (InfoClass != ThreadPriority) return STATUS_INVALID_INFO_CLASS;
    if (Length != sizeof(KPRIORITY)) return STATUS_INFO_LENGTH_MISMATCH;
    KPRIORITY Priority;
    if (!NT_SUCCESS(MmCopyFromCaller(KeGetPreviousMode(), &Priority, Info, sizeof Priority)))
        return STATUS_ACCESS_VIOLATION;
    if (Priority <= LOW_PRIORITY || Priority > HIGH_PRIORITY) return STATUS_INVALID_PARAMETER;
    PETHREAD Thread;
    NTSTATUS Status = ObReferenceObjectByHandle(ThreadHandle, 0, &PsThreadType,
                                                KeGetPreviousMode(), (PVOID *)&Thread);
    if (!NT_SUCCESS(Status)) return Status;
    KeSetPriorityThread(&Thread->Tcb, Priority);
    ObDereferenceObject(Thread);
    return STATUS_SUCCESS;
}

PEPROCESS PsLookupProcessByProcessId(HANDLE Pid)
{
    PEPROCESS Found = NULL;
    _disable();
    for (PLIST_ENTRY e = PsActiveProcessHead.Flink; e != &PsActiveProcessHead; e = e->Flink) {
        PEPROCESS p = CONTAINING_RECORD(e, EPROCESS, ActiveProcessLinks);
        if (p->UniqueProcessId == Pid) {
            Found = p;
            ObReferenceObject(p);
            break;
        }
    }
    _enable();
    return Found;
}

PETHREAD PsLookupThreadByThreadId(HANDLE Tid)
{
    PETHREAD Found = NULL;
    _disable();
    for (PLIST_ENTRY e = PsActiveProcessHead.Flink; e != &PsActiveProcessHead && !Found; e = e->Flink) {
        PEPROCESS p = CONTAINING_RECORD(e, EPROCESS, ActiveProcessLinks);
        for (PLIST_ENTRY t = p->ThreadListHead.Flink; t != &p->ThreadListHead; t = t->Flink)
            if (CONTAINING_RECORD(t, ETHREAD, ThreadListEntry)->Cid.UniqueThread == Tid) {
                Found = CONTAINING_RECORD(t, ETHREAD, ThreadListEntry);
                ObReferenceObject(Found);
                break;
            }
    }
    _enable();
    return Found;
}

NTSTATUS NTAPI NtOpenProcess(PHANDLE ProcessHandle, ACCESS_MASK DesiredAccess,
                             POBJECT_ATTRIBUTES ObjectAttributes, PCLIENT_ID ClientId)
{
    (void)ObjectAttributes;
    CLIENT_ID Cid;
    if (!ClientId) return STATUS_INVALID_PARAMETER_MIX;
    if (!NT_SUCCESS(MmCopyFromCaller(KeGetPreviousMode(), &Cid, ClientId, sizeof Cid))) return STATUS_ACCESS_VIOLATION;
    PEPROCESS Process = PsLookupProcessByProcessId(Cid.UniqueProcess);
    if (!Process) return STATUS_INVALID_CID;
    NTSTATUS Status = ObInsertObjectForCaller(Process, DesiredAccess, ProcessHandle, NULL);
    ObDereferenceObject(Process);
    return Status;
}

/* The user-mode registers of a thread: those in the trap frame at the top
 * of its kernel stack (for the caller itself, where it entered this call).
 * ContextFlags says which groups are wanted. */
NTSTATUS NTAPI NtGetContextThread(HANDLE ThreadHandle, PCONTEXT ThreadContext)
{
    CONTEXT Context;
    if (!NT_SUCCESS(MmCopyFromCaller(KeGetPreviousMode(), &Context, ThreadContext, sizeof Context))) return STATUS_ACCESS_VIOLATION;
    PETHREAD Thread;
    NTSTATUS Status = ObReferenceObjectByHandle(ThreadHandle, 0, &PsThreadType,
                                                KeGetPreviousMode(), (PVOID *)&Thread);
    if (!NT_SUCCESS(Status)) return Status;
    if (Thread->CrossThreadFlags & PS_CROSS_THREAD_FLAGS_TERMINATED) {
        ObDereferenceObject(Thread);
        return STATUS_THREAD_IS_TERMINATING;
    }
    CONTEXT Full;
    RtlZeroMemory(&Full, sizeof Full);
    KeTrapFrameToContext(KiUserTrapFrame(&Thread->Tcb), &Full);
    ObDereferenceObject(Thread);
    ULONG Flags = Context.ContextFlags;
    if ((Flags & CONTEXT_CONTROL) == CONTEXT_CONTROL) {
        Context.Ebp = Full.Ebp; Context.Eip = Full.Eip; Context.SegCs = Full.SegCs;
        Context.EFlags = Full.EFlags; Context.Esp = Full.Esp; Context.SegSs = Full.SegSs;
    }
    if ((Flags & CONTEXT_INTEGER) == CONTEXT_INTEGER) {
        Context.Edi = Full.Edi; Context.Esi = Full.Esi; Context.Ebx = Full.Ebx;
        Context.Edx = Full.Edx; Context.Ecx = Full.Ecx; Context.Eax = Full.Eax;
    }
    if ((Flags & CONTEXT_SEGMENTS) == CONTEXT_SEGMENTS) {
        Context.SegGs = Full.SegGs; Context.SegFs = Full.SegFs;
        Context.SegEs = Full.SegEs; Context.SegDs = Full.SegDs;
    }
    if ((Flags & CONTEXT_DEBUG_REGISTERS) == CONTEXT_DEBUG_REGISTERS)
        Context.Dr0 = Context.Dr1 = Context.Dr2 = Context.Dr3 = Context.Dr6 = Context.Dr7 = 0;
    return MmCopyToCaller(KeGetPreviousMode(), ThreadContext, &Context, sizeof Context);
}
