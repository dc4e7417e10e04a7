/* clock.c - the clock tick: KeUpdateSystemTime advances the interrupt time,
 * KeTickCount and KUSER_SHARED_DATA's copies of both, charges the tick to
 * the running thread (user or kernel time, by the interrupted CS) and its
 * process, wakes the waits that are due and counts down the quantum. */
#include "../inc/ke.h"
#include "../inc/hal.h"

volatile KSYSTEM_TIME KeTickCount;
ULONG ExpTickCountMultiplier = KE_TICK_COUNT_MULTIPLIER;

/* The KSYSTEM_TIME write order: High2Time, LowPart, High1Time. */
static void KiWriteSystemTime(volatile KSYSTEM_TIME *Time, ULONGLONG Value)
{
    Time->High2Time = (LONG)(Value >> 32);
    Time->LowPart = (ULONG)Value;
    Time->High1Time = (LONG)(Value >> 32);
}

static ULONGLONG KiReadSystemTime(volatile KSYSTEM_TIME *Time)
{
    return (ULONGLONG)(ULONG)Time->High1Time << 32 | Time->LowPart;
}

void KeUpdateSystemTime(PKTRAP_FRAME TrapFrame)
{
    PKPRCB Prcb = KeGetPcr()->Prcb;
    PKTHREAD Thread = Prcb->CurrentThread;
    ULONGLONG Ticks = KiReadSystemTime(&KeTickCount) + 1;

    KiWriteSystemTime(&SharedUserData->InterruptTime,
                      KiReadSystemTime(&SharedUserData->InterruptTime) + KE_TIME_INCREMENT);
    KiWriteSystemTime(&KeTickCount, Ticks);
    KiWriteSystemTime(&SharedUserData->TickCount, Ticks);
    SharedUserData->TickCountLow = (ULONG)Ticks;
    Prcb->InterruptCount++;
    if (Thread) {
        PKPROCESS Process = Thread->ApcState.Process;
        if (TrapFrame && (TrapFrame->SegCs & 1)) {
            Thread->UserTime++;
            Prcb->UserTime++;
            if (Process) Process->UserTime++;
        } else {
            Thread->KernelTime++;
            Prcb->KernelTime++;
            if (Process) Process->KernelTime++;
        }
        KiExpireTimers();
        if (Thread != Prcb->IdleThread && --Thread->Quantum <= 0) {
            Thread->Quantum = THREAD_QUANTUM;
            Prcb->QuantumEnd = 1;
        }
    }
    HalEndSystemInterrupt(CLOCK_VECTOR);
}
