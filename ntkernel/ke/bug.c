/* bug.c - KeBugCheckEx: the kernel's stop.  The blue screen's first line
 * goes to the console and the machine ends with the failure status. */
#include "../inc/ke.h"
#include "../inc/hal.h"
#include "../inc/rtl.h"
#include "../inc/arch.h"

void KeBugCheckEx(ULONG Code, ULONG P1, ULONG P2, ULONG P3, ULONG P4)
{
    _disable();
    DbgPrint("\n*** STOP: 0x%08X (0x%08X,0x%08X,0x%08X,0x%08X)\n", Code, P1, P2, P3, P4);
    HalReturnToFirmware(HAL_EXIT_FAILURE);
}
