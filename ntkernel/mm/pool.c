/* pool.c - ExAllocatePool / ExFreePool: kernel memory from KSEG0.  Small
 * blocks come from pages cut into blocks of one size class (16 to 2048
 * bytes, header included); a page whose blocks are all free goes back to
 * the page allocator.  Larger requests take a run of whole pages and are
 * page aligned.  Each small block starts with an 8-byte header naming its
 * class and whether it is in use, so a double free or a pointer the pool
 * never returned stops the system with BAD_POOL_CALLER (0xC2) instead of
 * corrupting the free lists. */
#include "mi.h"
#include "../inc/ke.h"
#include "../inc/rtl.h"

#define POOL_CLASSES     8              /* 16, 32, ... 2048 */
#define POOL_SMALLEST    16u
#define POOL_LARGEST     (POOL_SMALLEST << (POOL_CLASSES - 1))
#define POOL_HEADER_SIZE 8u
#define POOL_IN_USE      0x6C6F6F50u    /* 'Pool' */
#define POOL_FREE        0x65657246u    /* 'Free' */

typedef struct _POOL_HEADER {
    ULONG Class;
    ULONG State;                        /* POOL_IN_USE or POOL_FREE */
} POOL_HEADER, *PPOOL_HEADER;
_Static_assert(sizeof(POOL_HEADER) == POOL_HEADER_SIZE, "the header keeps bodies 8-aligned");

/* A free block's body holds the link to the next free block of its class. */
typedef struct _POOL_FREE_BLOCK {
    POOL_HEADER Header;
    struct _POOL_FREE_BLOCK *Next;
} POOL_FREE_BLOCK, *PPOOL_FREE_BLOCK;

static PPOOL_FREE_BLOCK ExpFreeLists[POOL_CLASSES];

static ULONG ExpClassSize(ULONG Class) { return POOL_SMALLEST << Class; }

/* A fresh page cut into blocks of the class, all on its free list. */
static BOOLEAN ExpGrowClass(ULONG Class)
{
    ULONG Pa = MmAllocatePhysicalPage();
    if (!Pa) return FALSE;
    MiSetPfnUse(Pa, MiPfnPoolSmall);
    UCHAR *Page = MI_P2V(Pa);
    for (ULONG Off = PAGE_SIZE; Off >= ExpClassSize(Class); ) {
        Off -= ExpClassSize(Class);
        PPOOL_FREE_BLOCK Block = (PPOOL_FREE_BLOCK)(Page + Off);
        Block->Header.Class = Class;
        Block->Header.State = POOL_FREE;
        Block->Next = ExpFreeLists[Class];
        ExpFreeLists[Class] = Block;
    }
    return TRUE;
}

static PVOID ExpAllocateLarge(ULONG Size)
{
    ULONG Pages = MI_ROUND_TO_PAGES(Size) >> PAGE_SHIFT;
    if (Pages > 0xFFFF) return NULL;
    ULONG Pa = MiAllocateContiguousPages(Pages);
    if (!Pa) return NULL;
    MiSetPfnUse(Pa, MiPfnPoolLarge);
    *MiPfnShare(Pa) = (USHORT)Pages;
    for (ULONG i = 1; i < Pages; i++) MiSetPfnUse(Pa + i * PAGE_SIZE, MiPfnPoolLargeTail);
    return MI_P2V(Pa);
}

PVOID ExAllocatePool(ULONG Size)
{
    if (Size == 0) Size = 1;
    if (Size > POOL_LARGEST - POOL_HEADER_SIZE) return ExpAllocateLarge(Size);
    ULONG Class = 0;
    while (ExpClassSize(Class) - POOL_HEADER_SIZE < Size) Class++;
    if (!ExpFreeLists[Class] && !ExpGrowClass(Class)) return NULL;
    PPOOL_FREE_BLOCK Block = ExpFreeLists[Class];
    ExpFreeLists[Class] = Block->Next;
    Block->Header.State = POOL_IN_USE;
    (*MiPfnShare(MI_V2P(Block) & ~(PAGE_SIZE - 1)))++;
    PVOID Body = (UCHAR *)Block + POOL_HEADER_SIZE;
    RtlZeroMemory(Body, ExpClassSize(Class) - POOL_HEADER_SIZE);
    return Body;
}

/* The last block of a page went free: take the page's blocks off the
 * class list and give the page back. */
static void ExpReleaseSmallPage(ULONG Pa, ULONG Class)
{
    for (PPOOL_FREE_BLOCK *Link = &ExpFreeLists[Class]; *Link; ) {
        if ((MI_V2P(*Link) & ~(PAGE_SIZE - 1)) == Pa) *Link = (*Link)->Next;
        else Link = &(*Link)->Next;
    }
    MmFreePhysicalPage(Pa);
}

static void ExpFreeSmall(PVOID P, ULONG Pa)
{
    PPOOL_FREE_BLOCK Block = (PPOOL_FREE_BLOCK)((UCHAR *)P - POOL_HEADER_SIZE);
    ULONG Class = Block->Header.Class;
    if (Class >= POOL_CLASSES || (MI_V2P(Block) - Pa) % ExpClassSize(Class) != 0)
        KeBugCheckEx(BAD_POOL_CALLER, BAD_POOL_BAD_ADDRESS, (ULONG)P, Class, 0);
    if (Block->Header.State != POOL_IN_USE)
        KeBugCheckEx(BAD_POOL_CALLER, BAD_POOL_DOUBLE_FREE, (ULONG)P, Block->Header.State, 0);
    Block->Header.State = POOL_FREE;
    Block->Next = ExpFreeLists[Class];
    ExpFreeLists[Class] = Block;
    if (--*MiPfnShare(Pa) == 0) ExpReleaseSmallPage(Pa, Class);
}

void ExFreePool(PVOID P)
{
    ULONG Va = (ULONG)P;
    if (Va < KSEG0_BASE || Va >= KSEG0_BASE + KSEG0_SIZE || (Va & 7))
        KeBugCheckEx(BAD_POOL_CALLER, BAD_POOL_BAD_ADDRESS, Va, 0, 0);
    ULONG Pa = MI_V2P(Va) & ~(PAGE_SIZE - 1);
    switch (MiGetPfnUse(Pa)) {
    case MiPfnPoolSmall:
        if (Va & (PAGE_SIZE - 1)) {
            ExpFreeSmall(P, Pa);
            return;
        }
        break;
    case MiPfnPoolLarge:
        if (!(Va & (PAGE_SIZE - 1))) {
            ULONG Pages = *MiPfnShare(Pa);
            for (ULONG i = 0; i < Pages; i++) MiSetPfnUse(Pa + i * PAGE_SIZE, MiPfnInUse);
            MiFreeContiguousPages(Pa, Pages);
            return;
        }
        break;
    case MiPfnFree:
        KeBugCheckEx(BAD_POOL_CALLER, BAD_POOL_DOUBLE_FREE, Va, 0, 0);
    }
    KeBugCheckEx(BAD_POOL_CALLER, BAD_POOL_BAD_ADDRESS, Va, MiGetPfnUse(Pa), 0);
}
