/* event.c - event objects and waiting from user mode: NtCreateEvent,
 * NtSetEvent, NtResetEvent, NtWaitForSingleObject (events, processes,
 * threads), NtDelayExecution and NtYieldExecution. */
#include "../inc/ke.h"
#include "../inc/ps.h"
#include "../inc/mm.h"
#include "../inc/ob.h"
#include "../inc/rtl.h"
#include "../inc/arch.h"

OBJECT_TYPE ExEventObjectType = { "Event", NULL };

NTSTATUS NTAPI NtCreateEvent(PHANDLE EventHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                             ULONG EventType, BOOLEAN InitialState)
{
    (void)ObjectAttributes;
    if (EventType != NotificationEvent && EventType != SynchronizationEvent) return STATUS_INVALID_PARAMETER;
    PKEVENT Event;
    NTSTATUS Status = ObCreateObject(&ExEventObjectType, sizeof(KEVENT), (PVOID *)&Event);
    if (!NT_SUCCESS(Status)) return Status;
    KeInitializeEvent(Event, EventType, InitialState != 0);
    Status = ObInsertObjectForCaller(Event, DesiredAccess, EventHandle, NULL);
    ObDereferenceObject(Event);
    return Status;
}

#define EVENT_MODIFY_STATE 0x0002

/* As NT: PreviousState is probed before the event changes, and the handle
 * must grant EVENT_MODIFY_STATE. */
static NTSTATUS ExSetOrReset(HANDLE EventHandle, PLONG PreviousState, BOOLEAN Set)
{
    PKEVENT Event;
    if (PreviousState && KeGetPreviousMode() == UserMode &&
        !NT_SUCCESS(MmProbeForWrite(PreviousState, sizeof *PreviousState)))
        return STATUS_ACCESS_VIOLATION;
    NTSTATUS Status = ObReferenceObjectByHandle(EventHandle, EVENT_MODIFY_STATE, &ExEventObjectType, KeGetPreviousMode(),
                                                (PVOID *)&Event);
    if (!NT_SUCCESS(Status)) return Status;
    LONG Previous = Set ? KeSetEvent(Event) : KeResetEvent(Event);
    ObDereferenceObject(Event);
    if (PreviousState) return MmCopyToCaller(KeGetPreviousMode(), PreviousState, &Previous, sizeof Previous);
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI NtSetEvent(HANDLE EventHandle, PLONG PreviousState)
{
    return ExSetOrReset(EventHandle, PreviousState, TRUE);
}

NTSTATUS NTAPI NtResetEvent(HANDLE EventHandle, PLONG PreviousState)
{
    return ExSetOrReset(EventHandle, PreviousState, FALSE);
}

/* Events, processes and threads are dispatcher objects (their
 * DISPATCHER_HEADER is at +0); files are not waitable here. */
NTSTATUS NTAPI NtWaitForSingleObject(HANDLE Handle, BOOLEAN Alertable, PLARGE_INTEGER Timeout)
{
    LARGE_INTEGER Time;
    if (Timeout && !NT_SUCCESS(MmCopyFromCaller(KeGetPreviousMode(), &Time, Timeout, sizeof Time))) return STATUS_ACCESS_VIOLATION;
    PVOID Object;
    NTSTATUS Status = ObReferenceObjectByHandle(Handle, 0, NULL, KeGetPreviousMode(), &Object);
    if (!NT_SUCCESS(Status)) return Status;
    POBJECT_TYPE Type = ObGetObjectType(Object);
    if (Type != &ExEventObjectType && Type != &PsProcessType && Type != &PsThreadType) {
        ObDereferenceObject(Object);
        return STATUS_OBJECT_TYPE_MISMATCH;
    }
    if (Object == PsGetCurrentThread()) {       /* would never end */
        ObDereferenceObject(Object);
        return STATUS_INVALID_PARAMETER;
    }
    Status = KeWaitForSingleObject(Object, UserRequest, KeGetPreviousMode(), Alertable, Timeout ? &Time : NULL);
    ObDereferenceObject(Object);
    return Status;
}

NTSTATUS NTAPI NtDelayExecution(BOOLEAN Alertable, PLARGE_INTEGER DelayInterval)
{
    LARGE_INTEGER Time;
    if (!DelayInterval) return STATUS_ACCESS_VIOLATION;
    if (!NT_SUCCESS(MmCopyFromCaller(KeGetPreviousMode(), &Time, DelayInterval, sizeof Time))) return STATUS_ACCESS_VIOLATION;
    return KeDelayExecutionThread(KeGetPreviousMode(), Alertable, &Time);
}

/* STATUS_NO_YIELD_PERFORMED when no other thread of the same or a higher
 * priority was ready. */
NTSTATUS NTAPI NtYieldExecution(void)
{
    PKPRCB Prcb = KeGetPcr()->Prcb;
    PKTHREAD Thread = KeGetCurrentThread();
    if (!(Prcb->ReadySummary >> Thread->Priority)) return STATUS_NO_YIELD_PERFORMED;
    LARGE_INTEGER Zero = { .QuadPart = 0 };
    KeDelayExecutionThread(KernelMode, FALSE, &Zero);
    return STATUS_SUCCESS;
}
