/* clock.c - the clock tick: KeUpdateSystemTime advances the interrupt time,
 * KeTickCount and KUSER_SHARED_DATA's copies of both, and charges the tick
 * to the processor (kernel time until there are threads to charge). */
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

void KeUpdateSystemTime(void)
{
    PKPRCB Prcb = KeGetPcr()->Prcb;
    ULONGLONG Ticks = KiReadSystemTime(&KeTickCount) + 1;

    KiWriteSystemTime(&SharedUserData->InterruptTime,
                      KiReadSystemTime(&SharedUserData->InterruptTime) + KE_TIME_INCREMENT);
    KiWriteSystemTime(&KeTickCount, Ticks);
    KiWriteSystemTime(&SharedUserData->TickCount, Ticks);
    SharedUserData->TickCountLow = (ULONG)Ticks;
    Prcb->InterruptCount++;
    Prcb->KernelTime++;
    HalEndSystemInterrupt(CLOCK_VECTOR);
}
