/* mm.h - memory management: non-PAE 32-bit paging (SDM Vol. 3 4.3), the
 * kernel in the upper half, KSEG0 and the boot processor's fixed pages. */
#ifndef NTK_MM_H
#define NTK_MM_H

#include "ntdef.h"

#define PAGE_SIZE     0x1000u
#define KSEG0_BASE    0x80000000u
#define KSEG0_SIZE    0x01000000u   /* physical 0-16 MB mapped at KSEG0_BASE */
#define MM_HIGHEST_USER_ADDRESS 0x7FFEFFFFu
#define MM_USER_PROBE_ADDRESS   0x7FFF0000u
#define PDE_BASE      0xC0300000u   /* the page directory through its self-map */
#define PTE_BASE      0xC0000000u

/* Page-table entry bits (SDM Vol. 3 table 4-6). */
#define PTE_VALID     0x001u
#define PTE_WRITE     0x002u
#define PTE_OWNER     0x004u        /* U/S: user */
#define PTE_GLOBAL    0x100u

#define MI_P2V(pa) ((PVOID)((ULONG)(pa) + KSEG0_BASE))
#define MI_V2P(va) ((ULONG)(va) - KSEG0_BASE)

extern ULONG MmKernelDirectoryTableBase;    /* physical page directory of the system */
extern ULONG MmSharedUserDataPhysical;

void MmInitSystem(ULONG LowestFreePhysical, ULONG HighestPhysical);
ULONG MmAllocatePhysicalPage(void);
void MiMapPage(ULONG Va, ULONG Pa, ULONG Protection);

#endif
