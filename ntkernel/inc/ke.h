/* ke.h - the kernel core (Ke public, Ki internal): boot, processor
 * structures, traps, the clock, bug checks. */
#ifndef NTK_KE_H
#define NTK_KE_H

#include "ketypes.h"
#include "pstypes.h"
#include "ntstatus.h"

/* The boot stack: KiSystemStartup runs on it, the KTSS's Esp0 points at
 * its top until there are threads. */
#define KERNEL_STACK_SIZE 0x3000
extern UCHAR KiBootStack[KERNEL_STACK_SIZE];
extern UCHAR P0BootStack[];             /* its top (ke/i386/start.S) */

/* Clock: the HAL runs the PIT at CLOCK_HZ; each tick adds KeTimeIncrement
 * (100 ns units) to the interrupt time.  PIT input 1193182 Hz, divisor
 * 11932: a period of 100001.5 units, rounded. */
#define CLOCK_HZ          100
#define KE_TIME_INCREMENT 100002u
/* (KeTickCount * multiplier) >> 24 = milliseconds (nt-reference.md 3). */
#define KE_TICK_COUNT_MULTIPLIER ((ULONG)(((ULONGLONG)KE_TIME_INCREMENT << 24) / 10000))

extern volatile KSYSTEM_TIME KeTickCount;
/* Clock ticks as NT's 100 ns time; KeQueryTickTime(): now, since boot. */
static inline LARGE_INTEGER KeTicksToTime(ULONG Ticks)
{
    LARGE_INTEGER t;
    t.QuadPart = (LONGLONG)Ticks * KE_TIME_INCREMENT;
    return t;
}
#define KeQueryTickTime() KeTicksToTime(KeTickCount.LowPart)
extern ULONG ExpTickCountMultiplier;
extern ULONG KeFeatureBits;
extern KTSS KiTss;

void KiSystemStartup(ULONG Magic, ULONG LoaderBlock);
void KiInitializeGdt(void);
void KiInitializeIdt(void);
void KiInitializeTss(void);
void KiInitializePcr(void);
void KiLoadFastSyscallMachineSpecificRegisters(void);
void KeUpdateSystemTime(PKTRAP_FRAME TrapFrame);
void KeBugCheckEx(ULONG Code, ULONG P1, ULONG P2, ULONG P3, ULONG P4) __attribute__((noreturn));

/* Trap and interrupt entry points (ke/i386/trap.S). */
extern void (*const KiTrapTable[0x20])(void);
extern void (*const KiUnexpectedInterruptTable[0x100 - PRIMARY_VECTOR_BASE])(void);
void KiTrap02(void);
void KiTrap08(void);
void KiGetTickCount(void);
void KiClockInterrupt(void);
void KiLoadSegments(void);

/* ---- the dispatcher (ke/sched.c) ----------------------------------------- */
#define LOW_PRIORITY       0
#define LOW_REALTIME_PRIORITY 16
#define HIGH_PRIORITY      31
#define THREAD_QUANTUM     2            /* clock ticks a thread runs before others of its priority */
#define KERNEL_STACK_SIZE_THREAD 0x4000   /* 16 KB: room for three nested callbacks */

void KeInitializeDispatcher(PKTHREAD IdleThread);
void KiReadyThread(PKTHREAD Thread);
void KiUnlinkThread(PKTHREAD Thread);       /* off its ready list or wait, for termination */
/* Gives the processor to the best ready thread; interrupts disabled.  Returns
 * the thread's WaitStatus when it runs again. */
LONG KiSwapThread(void);
void KiSwapContext(PKTHREAD Old, PKTHREAD New);
void KiCheckPreemption(PKTRAP_FRAME TrapFrame);
void KiExpireTimers(void);
void KiReapDeadThreads(void);
void KiQueueDeadThread(PKTHREAD Thread);
void KeSetPriorityThread(PKTHREAD Thread, LONG Priority);

/* Every dispatcher object's header: type, size in DWORDs, signal state and
 * an empty wait list. */
static inline void KeInitializeDispatcherHeader(DISPATCHER_HEADER *Header, UCHAR Type, ULONG Bytes, LONG State)
{
    Header->Type = Type;
    Header->Size = (UCHAR)(Bytes / 4);
    Header->SignalState = State;
    InitializeListHead(&Header->WaitListHead);
}
void KeInitializeEvent(PKEVENT Event, ULONG Type, BOOLEAN State);
LONG KeSetEvent(PKEVENT Event);
LONG KeResetEvent(PKEVENT Event);
void KiSignalObject(DISPATCHER_HEADER *Header);     /* a process or thread ended */
/* Timeout: NULL waits forever; negative = relative, in 100 ns units;
 * positive = absolute (since boot here). */
NTSTATUS KeWaitForSingleObject(PVOID Object, ULONG WaitReason, KPROCESSOR_MODE Mode,
                               BOOLEAN Alertable, PLARGE_INTEGER Timeout);
NTSTATUS KeDelayExecutionThread(KPROCESSOR_MODE Mode, BOOLEAN Alertable, PLARGE_INTEGER Interval);

/* ---- threads (ke/thread.c) ----------------------------------------------------- */
typedef void (*PKSTART_ROUTINE)(PVOID Context);
/* A thread's kernel stack and first switch: it starts in KiThreadStartup,
 * which calls StartRoutine(StartContext) and then, for a user thread,
 * leaves through the trap frame at InitialStack - 0x29C. */
NTSTATUS KeInitializeThread(PKTHREAD Thread, PKPROCESS Process, PKSTART_ROUTINE StartRoutine,
                            PVOID StartContext);
PKTRAP_FRAME KiUserTrapFrame(PKTHREAD Thread);
/* What every thread starts with, the idle thread included: header, stack
 * bounds, process, service table, priority, quantum. */
void KiInitializeThreadState(PKTHREAD Thread, PKPROCESS Process, PVOID StackBase, PVOID StackLimit,
                             CHAR Priority, KPROCESSOR_MODE Mode);
void KeContextToTrapFrame(const CONTEXT *Context, PKTRAP_FRAME TrapFrame);
void KeTrapFrameToContext(const KTRAP_FRAME *TrapFrame, PCONTEXT Context);
void KiThreadStartup(void);

/* ---- exceptions and callbacks ------------------------------------------------- */
void KiDispatchException(PEXCEPTION_RECORD Record, PKTRAP_FRAME TrapFrame, BOOLEAN FirstChance);
NTSTATUS KeUserModeCallback(ULONG ApiNumber, PVOID InputBuffer, ULONG InputLength,
                            PVOID *OutputBuffer, PULONG OutputLength);
extern ULONG KeUserCallbackDispatcher, KeUserExceptionDispatcher, KeFastSystemCall,
             KeFastSystemCallRet, KeIntSystemCall;
extern BOOLEAN KiFastSystemCallDisable;
extern KSERVICE_TABLE_DESCRIPTOR KeServiceDescriptorTable[NUMBER_SERVICE_TABLES];
extern KSERVICE_TABLE_DESCRIPTOR KeServiceDescriptorTableShadow[NUMBER_SERVICE_TABLES];
NTSTATUS PsConvertToGuiThread(void);

/* Bug-check codes used so far. */
#define UNEXPECTED_KERNEL_MODE_TRAP 0x0000007F
#define NMI_HARDWARE_FAILURE        0x00000080
#define TRAP_CAUSE_UNKNOWN          0x00000012
#define KERNEL_MODE_EXCEPTION_NOT_HANDLED 0x0000008E
#define PAGE_FAULT_IN_NONPAGED_AREA 0x00000050
#define NO_MORE_SYSTEM_PTES         0x0000003F
#define SESSION_HAS_VALID_POOL_ON_EXIT 0x000000AB
#define INVALID_PROCESS_ATTACH_ATTEMPT 0x00000005

#endif
