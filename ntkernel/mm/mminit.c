/* mminit.c - the system's address space (non-PAE 32-bit paging, SDM Vol. 3
 * 4.3): physical 0-16 MB at KSEG0_BASE (so the kernel image sits at
 * 0x80100000), the page directory mapped onto itself at 0xC0000000, the
 * PCR page at 0xFFDFF000 and KUSER_SHARED_DATA at 0xFFDF0000 in the last
 * page table, and the same shared page read-only for user mode at
 * 0x7FFE0000 (nt-reference.md 1).  Kernel pages are global (CR4.PGE) so
 * CR3 switches keep them in the TLB.  Nothing below KSEG0_BASE is mapped but
 * the shared page: the first 64 KB and the 64 KB under 2 GB stay empty. */
#include "mi.h"
#include "../inc/ke.h"
#include "../inc/arch.h"
#include "../inc/rtl.h"

ULONG MmKernelDirectoryTableBase;
ULONG MmSharedUserDataPhysical;

/* Boot cannot go on without its tables. */
static ULONG MiAllocateBootPage(void)
{
    ULONG Pa = MmAllocatePhysicalPage();
    if (!Pa) KeBugCheckEx(0x7D /* INSTALL_MORE_MEMORY */, MmNumberOfPhysicalPages, 0, 0, 0);
    return Pa;
}

/* Va splits into PDE index (31:22), PTE index (21:12) and offset (11:0).
 * The page table is made on first use; PDEs of user space carry U/S and
 * R/W so that the PTE alone decides a user page's rights. */
void MiMapPage(ULONG Va, ULONG Pa, ULONG Protection)
{
    ULONG *Pd = MI_P2V(MmKernelDirectoryTableBase);
    ULONG *Pde = &Pd[Va >> 22];
    if (!(*Pde & PTE_VALID))
        *Pde = MiAllocateBootPage() | PTE_VALID | PTE_WRITE | (Va < KSEG0_BASE ? PTE_OWNER : 0);
    ULONG *Pt = MI_P2V(*Pde & ~(PAGE_SIZE - 1));
    Pt[(Va >> 12) & 0x3FF] = (Pa & ~(PAGE_SIZE - 1)) | Protection | PTE_VALID;
}

static void MiMapSystemPages(ULONG PhysicalEnd)
{
    for (ULONG Pa = 0; Pa < PhysicalEnd; Pa += PAGE_SIZE)
        MiMapPage(KSEG0_BASE + Pa, Pa, PTE_WRITE | PTE_GLOBAL);
    ULONG *Pd = MI_P2V(MmKernelDirectoryTableBase);
    Pd[PTE_BASE >> 22] = MmKernelDirectoryTableBase | PTE_VALID | PTE_WRITE;
}

/* The boot processor's two fixed pages (the loader's 2-page block). */
static void MiMapProcessorPages(void)
{
    ULONG PcrPhysical = MiAllocateBootPage();
    MmSharedUserDataPhysical = MiAllocateBootPage();
    MiMapPage(KIP0PCRADDRESS, PcrPhysical, PTE_WRITE | PTE_GLOBAL);
    MiMapPage(KI_USER_SHARED_DATA, MmSharedUserDataPhysical, PTE_WRITE | PTE_GLOBAL);
    MiMapPage(MM_SHARED_USER_DATA_VA, MmSharedUserDataPhysical, PTE_OWNER);
}

void MmInitSystem(ULONG LowestFreePhysical, ULONG HighestPhysical)
{
    ULONG Cpuid[4];
    ULONG PhysicalEnd = HighestPhysical < KSEG0_SIZE ? HighestPhysical : KSEG0_SIZE;

    /* The boot page tables map only 0-4 MB: the first frames handed out
     * (the directory and KSEG0's page tables) are the lowest free ones. */
    MiInitializePfnDatabase(MI_ROUND_TO_PAGES(LowestFreePhysical), PhysicalEnd);
    MmKernelDirectoryTableBase = MiAllocateBootPage();
    MiMapSystemPages(PhysicalEnd);
    MiMapProcessorPages();
    __writecr3(MmKernelDirectoryTableBase);

    __cpuid(1, Cpuid);
    if (Cpuid[3] & CPUID_EDX_PGE) {
        __writecr4(__readcr4() | CR4_PGE);
        KeFeatureBits |= KF_GLOBAL_PAGE;
    }
    DbgPrint("MmInitSystem: KSEG0 0x%08X-0x%08X (global %s), self-map 0x%08X\n", KSEG0_BASE,
             KSEG0_BASE + PhysicalEnd - 1, (KeFeatureBits & KF_GLOBAL_PAGE) ? "on" : "off", PTE_BASE);
    DbgPrint("MmInitSystem: KPCR 0x%08X, KUSER_SHARED_DATA 0x%08X (rw) = 0x%08X (user, ro)\n",
             KIP0PCRADDRESS, KI_USER_SHARED_DATA, MM_SHARED_USER_DATA_VA);
}
