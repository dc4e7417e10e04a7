/* ke.h - the kernel core (Ke public, Ki internal): boot, processor
 * structures, traps, the clock, bug checks. */
#ifndef NTK_KE_H
#define NTK_KE_H

#include "ketypes.h"

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
extern ULONG ExpTickCountMultiplier;
extern ULONG KeFeatureBits;
extern KTSS KiTss;

void KiSystemStartup(ULONG Magic, ULONG LoaderBlock);
void KiInitializeGdt(void);
void KiInitializeIdt(void);
void KiInitializeTss(void);
void KiInitializePcr(void);
void KiLoadFastSyscallMachineSpecificRegisters(void);
void KeUpdateSystemTime(void);
void KeBugCheckEx(ULONG Code, ULONG P1, ULONG P2, ULONG P3, ULONG P4) __attribute__((noreturn));

/* Trap and interrupt entry points (ke/i386/trap.S). */
extern void (*const KiTrapTable[0x20])(void);
extern void (*const KiUnexpectedInterruptTable[0x100 - PRIMARY_VECTOR_BASE])(void);
void KiTrap02(void);
void KiTrap08(void);
void KiGetTickCount(void);
void KiClockInterrupt(void);
void KiLoadSegments(void);

/* Bug-check codes used so far. */
#define UNEXPECTED_KERNEL_MODE_TRAP 0x0000007F
#define NMI_HARDWARE_FAILURE        0x00000080
#define TRAP_CAUSE_UNKNOWN          0x00000012

#endif
