/* sched.c - the dispatcher: the 32 ready lists in the KPRCB with their
 * summary bitmap (2003's placement, nt-kernel.md), priority-preemptive
 * scheduling with a quantum, waits on dispatcher objects (events,
 * processes, threads) with timeouts, and the reaping of dead threads.
 *
 * One processor: the dispatcher's data is guarded by disabling interrupts.
 * The kernel itself is not preemptible: a thread switches only when it
 * waits, yields or ends in the kernel, or when an interrupt or a system
 * call is about to return to user mode and a better thread is ready
 * (KiCheckPreemption).  Threads never hold a kernel resource across a
 * switch, so one that is switched out can be torn down at any time. */
#include "../inc/ke.h"
#include "../inc/ps.h"
#include "../inc/mm.h"
#include "../inc/arch.h"
#include "../inc/rtl.h"

static LIST_ENTRY KiTimerListHead;          /* waits with a timeout, by due tick */
static LIST_ENTRY KiDeadThreadListHead;     /* ended threads whose stacks can go */
static BOOLEAN KiPreemptRequested;
/* The boot processor's thread becomes the idle thread only when phase 1
 * is done: until then it is not to be preempted in the middle of booting. */
BOOLEAN KiIdleLoopRunning;

#define KiPrcb() (KeGetPcr()->Prcb)

void KeInitializeDispatcher(PKTHREAD IdleThread)
{
    InitializeListHead(&KiTimerListHead);
    InitializeListHead(&KiDeadThreadListHead);
    KiPrcb()->CurrentThread = KiPrcb()->IdleThread = IdleThread;
}

/* ---- ready lists ------------------------------------------------------------- */

static void KiInsertReady(PKTHREAD Thread, BOOLEAN AtHead)
{
    PKPRCB Prcb = KiPrcb();
    Thread->State = Ready;
    if (AtHead) InsertHeadList(&Prcb->DispatcherReadyListHead[(UCHAR)Thread->Priority], &Thread->WaitListEntry);
    else InsertTailList(&Prcb->DispatcherReadyListHead[(UCHAR)Thread->Priority], &Thread->WaitListEntry);
    Prcb->ReadySummary |= 1u << Thread->Priority;
}

static void KiRemoveReady(PKTHREAD Thread)
{
    PKPRCB Prcb = KiPrcb();
    RemoveEntryList(&Thread->WaitListEntry);
    if (IsListEmpty(&Prcb->DispatcherReadyListHead[(UCHAR)Thread->Priority]))
        Prcb->ReadySummary &= ~(1u << Thread->Priority);
}

/* Makes a thread ready; one better than the running thread asks for the
 * processor at the next switch point. */
void KiReadyThread(PKTHREAD Thread)
{
    KiInsertReady(Thread, FALSE);
    PKTHREAD Current = KiPrcb()->CurrentThread;
    if (Thread->Priority > Current->Priority || Current == KiPrcb()->IdleThread)
        KiPreemptRequested = TRUE;
}

static PKTHREAD KiSelectReadyThread(LONG MinimumPriority)
{
    ULONG Summary = KiPrcb()->ReadySummary;
    if (!Summary) return NULL;
    LONG Priority = 31 - __builtin_clz(Summary);
    if (Priority < MinimumPriority) return NULL;
    PKTHREAD Thread = CONTAINING_RECORD(KiPrcb()->DispatcherReadyListHead[Priority].Flink, KTHREAD,
                                        WaitListEntry);
    KiRemoveReady(Thread);
    return Thread;
}

LONG KiSwapThread(void)
{
    PKPRCB Prcb = KiPrcb();
    PKTHREAD Old = Prcb->CurrentThread;
    PKTHREAD New = KiSelectReadyThread(0);
    if (!New) New = Prcb->IdleThread;
    KiPreemptRequested = FALSE;
    if (New != Old) {
        /* The idle thread waits in no list: Ready while something else runs. */
        if (Old == Prcb->IdleThread) Old->State = Ready;
        New->State = Running;
        New->Quantum = THREAD_QUANTUM;
        KiSwapContext(Old, New);
        KiReapDeadThreads();
    } else {
        Old->State = Running;
    }
    return Old->WaitStatus;
}

/* At a return to user mode (or in the idle loop): give way to a better
 * ready thread, or to an equal one when the quantum is spent. */
void KiCheckPreemption(PKTRAP_FRAME TrapFrame)
{
    PKPRCB Prcb = KiPrcb();
    PKTHREAD Current = Prcb->CurrentThread;
    if (TrapFrame && !(TrapFrame->SegCs & 1) && Current != Prcb->IdleThread) return;
    if (!KiPreemptRequested && !Prcb->QuantumEnd) return;
    BOOLEAN QuantumEnd = Prcb->QuantumEnd;
    Prcb->QuantumEnd = 0;
    KiPreemptRequested = FALSE;
    if (Current == Prcb->IdleThread) {
        if (Prcb->ReadySummary && KiIdleLoopRunning) KiSwapThread();
        return;
    }
    PKTHREAD Next = KiSelectReadyThread(QuantumEnd ? Current->Priority : Current->Priority + 1);
    if (!Next) return;
    KiInsertReady(Next, TRUE);              /* put it back: KiSwapThread takes the best */
    KiInsertReady(Current, !QuantumEnd);    /* preempted: first in line at its level */
    KiSwapThread();
}

void KeSetPriorityThread(PKTHREAD Thread, LONG Priority)
{
    _disable();
    if (Thread->State == Ready) {
        KiRemoveReady(Thread);
        Thread->Priority = (CHAR)Priority;
        KiReadyThread(Thread);
    } else {
        Thread->Priority = (CHAR)Priority;
        /* Lowered below a ready thread: let it run at the next chance. */
        PKTHREAD Current = KiPrcb()->CurrentThread;
        if (Thread == Current && KiPrcb()->ReadySummary >> (Priority + 1)) KiPreemptRequested = TRUE;
    }
    _enable();
}

/* ---- dead threads --------------------------------------------------------------- */

/* A thread that ended is still on its own kernel stack until the next
 * switch: the one after it frees the stack (and, for the last thread of a
 * process, the address space). */
void KiQueueDeadThread(PKTHREAD Thread)
{
    InsertTailList(&KiDeadThreadListHead, &Thread->WaitListEntry);
}

void PspReapThread(PETHREAD Thread);        /* ps/psdelete.c */

void KiReapDeadThreads(void)
{
    PKTHREAD Current = KiPrcb()->CurrentThread;
    PLIST_ENTRY e = KiDeadThreadListHead.Flink;
    while (e != &KiDeadThreadListHead) {
        PKTHREAD Thread = CONTAINING_RECORD(e, KTHREAD, WaitListEntry);
        e = e->Flink;
        if (Thread == Current) continue;
        RemoveEntryList(&Thread->WaitListEntry);
        PspReapThread((PETHREAD)Thread);
    }
}

/* ---- dispatcher objects and waits --------------------------------------------- */

void KeInitializeEvent(PKEVENT Event, ULONG Type, BOOLEAN State)
{
    KeInitializeDispatcherHeader(&Event->Header, (UCHAR)Type, sizeof(KEVENT), State);
}

static void KiCancelTimer(PKTHREAD Thread)
{
    if (Thread->Timer.Header.Inserted) {
        RemoveEntryList(&Thread->Timer.TimerListEntry);
        Thread->Timer.Header.Inserted = FALSE;
    }
}

/* Ends Thread's wait with Status and makes it ready. */
static void KiUnwaitThread(PKTHREAD Thread, LONG Status)
{
    PKWAIT_BLOCK Wb = Thread->WaitBlockList;
    if (Wb) {
        RemoveEntryList(&Wb->WaitListEntry);
        Thread->WaitBlockList = NULL;
    }
    KiCancelTimer(Thread);
    Thread->WaitStatus = Status;
    KiReadyThread(Thread);
}

/* Satisfies waiters while the object stays signalled: a synchronization
 * event wakes one and resets; notification objects wake all. */
static void KiWaitTest(DISPATCHER_HEADER *Header)
{
    while (Header->SignalState > 0 && !IsListEmpty(&Header->WaitListHead)) {
        PKWAIT_BLOCK Wb = CONTAINING_RECORD(Header->WaitListHead.Flink, KWAIT_BLOCK, WaitListEntry);
        if (Header->Type == SynchronizationEvent) Header->SignalState = 0;
        KiUnwaitThread(Wb->Thread, STATUS_WAIT_0);
    }
}

LONG KeSetEvent(PKEVENT Event)
{
    _disable();
    LONG Previous = Event->Header.SignalState;
    Event->Header.SignalState = 1;
    KiWaitTest(&Event->Header);
    _enable();
    return Previous;
}

LONG KeResetEvent(PKEVENT Event)
{
    _disable();
    LONG Previous = Event->Header.SignalState;
    Event->Header.SignalState = 0;
    _enable();
    return Previous;
}

void KiSignalObject(DISPATCHER_HEADER *Header)
{
    Header->SignalState = 1;
    KiWaitTest(Header);
}

/* 64-by-32-bit division with two DIVs (no libgcc in the kernel). */
static ULONGLONG KiDivide64(ULONGLONG Dividend, ULONG Divisor)
{
    ULONG High = (ULONG)(Dividend >> 32), Low = (ULONG)Dividend, QuotientHigh, QuotientLow, Remainder;
    QuotientHigh = High / Divisor;
    Remainder = High % Divisor;
    __asm__("divl %4" : "=a"(QuotientLow), "=d"(Remainder) : "a"(Low), "d"(Remainder), "rm"(Divisor));
    return (ULONGLONG)QuotientHigh << 32 | QuotientLow;
}

/* 100 ns units to clock ticks, rounded up: a wait never ends early. */
static ULONGLONG KiTimeoutToTicks(PLARGE_INTEGER Timeout)
{
    LONGLONG Interval = Timeout->QuadPart;
    if (Interval > 0) {                     /* absolute: since boot */
        LONGLONG Now = KeQueryTickTime().QuadPart;
        Interval = Interval > Now ? Interval - Now : 0;
    } else {
        Interval = -Interval;
    }
    return KiDivide64((ULONGLONG)Interval + KE_TIME_INCREMENT - 1, KE_TIME_INCREMENT);
}

static void KiInsertTimer(PKTHREAD Thread, ULONGLONG Ticks)
{
    PKTIMER Timer = &Thread->Timer;
    Timer->DueTime = KeTickCount.LowPart + Ticks;
    PLIST_ENTRY e = KiTimerListHead.Flink;
    while (e != &KiTimerListHead && CONTAINING_RECORD(e, KTIMER, TimerListEntry)->DueTime <= Timer->DueTime)
        e = e->Flink;
    InsertTailList(e, &Timer->TimerListEntry);      /* before e */
    Timer->Header.Inserted = TRUE;
}

/* The clock: wake the waits whose time has come. */
void KiExpireTimers(void)
{
    while (!IsListEmpty(&KiTimerListHead)) {
        PKTIMER Timer = CONTAINING_RECORD(KiTimerListHead.Flink, KTIMER, TimerListEntry);
        if (Timer->DueTime > KeTickCount.LowPart) break;
        PKTHREAD Thread = CONTAINING_RECORD(Timer, KTHREAD, Timer);
        KiUnwaitThread(Thread, Thread->WaitBlockList ? STATUS_TIMEOUT : STATUS_SUCCESS);
    }
}

static BOOLEAN KiIsSignalled(DISPATCHER_HEADER *Header)
{
    return Header->SignalState > 0;
}

NTSTATUS KeWaitForSingleObject(PVOID Object, ULONG WaitReason, KPROCESSOR_MODE Mode,
                               BOOLEAN Alertable, PLARGE_INTEGER Timeout)
{
    (void)Alertable;
    DISPATCHER_HEADER *Header = Object;
    PKTHREAD Thread = KiPrcb()->CurrentThread;
    _disable();
    if (KiIsSignalled(Header)) {
        if (Header->Type == SynchronizationEvent) Header->SignalState = 0;
        _enable();
        return STATUS_WAIT_0;
    }
    ULONGLONG Ticks = Timeout ? KiTimeoutToTicks(Timeout) : 0;
    if (Timeout && Ticks == 0) {
        _enable();
        return STATUS_TIMEOUT;
    }
    PKWAIT_BLOCK Wb = &Thread->WaitBlock[0];
    Wb->Thread = Thread;
    Wb->Object = Object;
    Wb->NextWaitBlock = Wb;
    Wb->WaitKey = 0;
    Wb->WaitType = 1;                       /* WaitAny */
    InsertTailList(&Header->WaitListHead, &Wb->WaitListEntry);
    Thread->WaitBlockList = Wb;
    if (Timeout) KiInsertTimer(Thread, Ticks);
    Thread->WaitMode = Mode;
    Thread->WaitReason = (UCHAR)WaitReason;
    Thread->WaitTime = KeTickCount.LowPart;
    Thread->State = Waiting;
    LONG Status = KiSwapThread();
    _enable();
    return Status;
}

NTSTATUS KeDelayExecutionThread(KPROCESSOR_MODE Mode, BOOLEAN Alertable, PLARGE_INTEGER Interval)
{
    (void)Alertable;
    PKTHREAD Thread = KiPrcb()->CurrentThread;
    ULONGLONG Ticks = KiTimeoutToTicks(Interval);
    _disable();
    if (Ticks == 0) {                       /* a zero delay yields to equals */
        PKTHREAD Next = KiSelectReadyThread(Thread->Priority);
        if (Next) {
            KiInsertReady(Next, TRUE);
            KiInsertReady(Thread, FALSE);
            KiSwapThread();
        }
        _enable();
        return STATUS_SUCCESS;
    }
    Thread->WaitBlockList = NULL;
    KiInsertTimer(Thread, Ticks);
    Thread->WaitMode = Mode;
    Thread->WaitReason = DelayExecution;
    Thread->WaitTime = KeTickCount.LowPart;
    Thread->State = Waiting;
    LONG Status = KiSwapThread();
    _enable();
    return Status;
}

/* Takes a thread that is not running out of the dispatcher's hands:
 * off its ready list, out of its wait and its timer. */
void KiUnlinkThread(PKTHREAD Thread)
{
    if (Thread->State == Ready) KiRemoveReady(Thread);
    if (Thread->State == Waiting) {
        if (Thread->WaitBlockList) RemoveEntryList(&Thread->WaitBlockList->WaitListEntry);
        Thread->WaitBlockList = NULL;
        KiCancelTimer(Thread);
    }
}
