/* hal.h - the hardware abstraction layer: the 8259 pair, the 8254 clock,
 * the COM1 console and the debug ports of a PC. */
#ifndef NTK_HAL_H
#define NTK_HAL_H

#include "ntdef.h"

void HalInitializeConsole(void);
void HalDisplayString(const char *s);
void HalDisplayBytes(const char *Bytes, ULONG Length);
void HalInitSystem(void);
void HalEndSystemInterrupt(ULONG Vector);
/* Ends the machine through isa-debug-exit (port 0xF4): 0x10 success. */
void HalReturnToFirmware(ULONG Status) __attribute__((noreturn));
#define HAL_EXIT_SUCCESS 0x10
#define HAL_EXIT_FAILURE 0x11

#endif
