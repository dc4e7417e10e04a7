/* mi.h - the memory manager's internals: the page frame database, the
 * regions of a process (MMVAD, kept as a list sorted by address, where NT
 * keeps an AVL tree), and the page-table walks every other part of mm/ uses.
 * Everything the kernel hands out lies below 16 MB, so each page table and
 * each user page is reached through its KSEG0 alias, never through the
 * current address space. */
#ifndef NTK_MI_H
#define NTK_MI_H

#include "../inc/mm.h"
#include "../inc/ntstatus.h"
#include "../inc/ketypes.h"

#define MI_PAGES_IN_KSEG0 (KSEG0_SIZE / PAGE_SIZE)
#define MI_PAGE_ALIGN(va) ((ULONG)(va) & ~(PAGE_SIZE - 1))
#define MI_ROUND_TO_PAGES(n) (((ULONG)(n) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
#define MI_X64K 0x10000u
/* The highest address a region may reach: the 64 KB below the shared page
 * hold the PEB and the TEBs (nt-reference.md 10.1). */
#define MM_HIGHEST_VAD_ADDRESS (MM_SHARED_USER_DATA_VA - 1)
#define MI_PEB_TEB_BASE 0x7FFD0000u

/* BAD_POOL_CALLER's first parameter (as NT's bug-check documentation
 * gives them): 7 a block freed twice, 0x99 an address the pool never gave. */
#define BAD_POOL_CALLER     0xC2
#define BAD_POOL_DOUBLE_FREE 0x7
#define BAD_POOL_BAD_ADDRESS 0x99
#define PFN_LIST_CORRUPT    0x4E
#define MEMORY_MANAGEMENT   0x1A

/* A region: [StartingVa, EndingVa] inclusive, both page bounds, as NT's
 * MMVAD keeps them (in pages there).  Page[i] describes page i of the
 * region: 0 while only reserved, else the physical frame | the page's Win32
 * protection (which fits the frame's low 12 bits).  Committed pages always
 * own a frame; PAGE_NOACCESS and PAGE_GUARD pages keep theirs with the PTE
 * not present. */
typedef struct _MMVAD {
    ULONG StartingVa;
    ULONG EndingVa;
    ULONG Type;                 /* MEM_PRIVATE or MEM_IMAGE */
    ULONG AllocationProtect;
    ULONG *Page;
    struct _MMVAD *Next;        /* the next region up */
} MMVAD, *PMMVAD;

#define MI_PAGE_FRAME(e)   ((e) & ~(PAGE_SIZE - 1))
#define MI_PAGE_PROTECT(e) ((e) & (PAGE_SIZE - 1))
#define MI_VAD_PAGES(v)    ((((v)->EndingVa - (v)->StartingVa) >> PAGE_SHIFT) + 1)

/* vadsup.c */
PMMVAD MiLocateVad(PEPROCESS Process, ULONG Va);
BOOLEAN MiRangeIsFree(PEPROCESS Process, ULONG Start, ULONG End);
ULONG MiFindFreeRange(PEPROCESS Process, ULONG Size, ULONG Highest);
NTSTATUS MiInsertVad(PEPROCESS Process, ULONG Start, ULONG End, ULONG Type, ULONG Protect,
                     PMMVAD *Result);
void MiRemoveVad(PEPROCESS Process, PMMVAD Vad);

/* procsup.c */
ULONG *MiGetPte(PEPROCESS Process, ULONG Va, BOOLEAN Create);
BOOLEAN MiIsValidProtection(ULONG Protect);
NTSTATUS MiCommitPage(PEPROCESS Process, PMMVAD Vad, ULONG Va, ULONG Protect);
void MiSetPageProtection(PEPROCESS Process, PMMVAD Vad, ULONG Va, ULONG Protect);
void MiDecommitPage(PEPROCESS Process, PMMVAD Vad, ULONG Va);
void MiDeleteVad(PEPROCESS Process, PMMVAD Vad);
/* Copies with a kernel side: Write copies Kernel -> user.  *Done gets the
 * bytes moved before the first page that is not accessible. */
NTSTATUS MiCopyProcess(PEPROCESS Process, ULONG UserVa, PVOID Kernel, ULONG Length, BOOLEAN Write,
                       PULONG Done);

/* pfnlist.c */
void MiInitializePfnDatabase(ULONG LowestFree, ULONG PhysicalEnd);
ULONG MiAllocateContiguousPages(ULONG Count);
void MiFreeContiguousPages(ULONG Pa, ULONG Count);
/* What a physical page is used for (the pool checks its pointers by it). */
enum { MiPfnUnusable, MiPfnFree, MiPfnInUse, MiPfnPoolSmall, MiPfnPoolLarge, MiPfnPoolLargeTail };
UCHAR MiGetPfnUse(ULONG Pa);
void MiSetPfnUse(ULONG Pa, UCHAR Use);
USHORT *MiPfnShare(ULONG Pa);   /* a per-page counter: the pool's blocks in use, a run's length */

static inline ULONG MiReadCr3(void)
{
    ULONG v;
    __asm__ volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}
static inline void MiInvalidatePage(ULONG Va) { __asm__ volatile("invlpg (%0)" :: "r"(Va) : "memory"); }

#endif
