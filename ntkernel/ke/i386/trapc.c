/* trapc.c - the C side of traps that arrive before there is anything to
 * hand them to: every one is a kernel-mode trap, and NT's answer to an
 * unexpected kernel-mode trap is a bug check. */
#include "../../inc/ke.h"

void KiUnexpectedTrap(ULONG Vector, ULONG ErrorCode, ULONG Eip, ULONG SegCs) __attribute__((noreturn));
void KiDoubleFaultHandler(void) __attribute__((noreturn));
void KiNmiHandler(void) __attribute__((noreturn));
void KiUnexpectedInterruptTail(ULONG Vector) __attribute__((noreturn));

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
