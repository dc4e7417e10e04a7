/* pfnlist.c - the physical page allocator: one entry per page frame of
 * KSEG0 (physical 0-16 MB) saying what the frame is used for, and the free
 * frames on a doubly linked list threaded through the entries (NT's free
 * page list lives in its PFN database the same way).  Keeping the links out
 * of the pages themselves lets the list be built before all of KSEG0 is
 * mapped, and lets a run of contiguous frames (the pool's large blocks) be
 * taken out of the middle of the list. */
#include "mi.h"
#include "../inc/ke.h"
#include "../inc/rtl.h"

#define MI_NO_PAGE 0xFFFFu

typedef struct _MMPFN {
    USHORT Flink, Blink;        /* free list, by frame number */
    UCHAR Use;                  /* MiPfn* */
    UCHAR Reserved;
    USHORT Share;               /* the pool's count for this frame */
} MMPFN;

static MMPFN MiPfnDatabase[MI_PAGES_IN_KSEG0];
static USHORT MiFreeHead = MI_NO_PAGE, MiFreeTail = MI_NO_PAGE;
ULONG MmNumberOfPhysicalPages, MmAvailablePages;

static void MiUnlinkFree(ULONG Frame)
{
    MMPFN *p = &MiPfnDatabase[Frame];
    if (p->Blink == MI_NO_PAGE) MiFreeHead = p->Flink;
    else MiPfnDatabase[p->Blink].Flink = p->Flink;
    if (p->Flink == MI_NO_PAGE) MiFreeTail = p->Blink;
    else MiPfnDatabase[p->Flink].Blink = p->Blink;
    p->Use = MiPfnInUse;
    p->Share = 0;
    MmAvailablePages--;
}

/* Freed frames go to the tail, so the lowest frames are handed out first
 * at boot and a freed frame is reused last. */
static void MiLinkFree(ULONG Frame)
{
    MMPFN *p = &MiPfnDatabase[Frame];
    p->Use = MiPfnFree;
    p->Share = 0;
    p->Flink = MI_NO_PAGE;
    p->Blink = MiFreeTail;
    if (MiFreeTail == MI_NO_PAGE) MiFreeHead = (USHORT)Frame;
    else MiPfnDatabase[MiFreeTail].Flink = (USHORT)Frame;
    MiFreeTail = (USHORT)Frame;
    MmAvailablePages++;
}

/* Frames below LowestFree hold the real-mode area, the image and the boot
 * modules; they stay unusable for good. */
void MiInitializePfnDatabase(ULONG LowestFree, ULONG PhysicalEnd)
{
    MmNumberOfPhysicalPages = PhysicalEnd >> PAGE_SHIFT;
    for (ULONG Frame = LowestFree >> PAGE_SHIFT; Frame < MmNumberOfPhysicalPages; Frame++)
        MiLinkFree(Frame);
}

static ULONG MiCheckedFrame(ULONG Pa)
{
    ULONG Frame = Pa >> PAGE_SHIFT;
    if ((Pa & (PAGE_SIZE - 1)) || Frame >= MmNumberOfPhysicalPages)
        KeBugCheckEx(PFN_LIST_CORRUPT, 0x99, Pa, MmNumberOfPhysicalPages, 0);
    return Frame;
}

UCHAR MiGetPfnUse(ULONG Pa)
{
    ULONG Frame = Pa >> PAGE_SHIFT;
    return Frame < MmNumberOfPhysicalPages ? MiPfnDatabase[Frame].Use : MiPfnUnusable;
}
void MiSetPfnUse(ULONG Pa, UCHAR Use) { MiPfnDatabase[MiCheckedFrame(Pa)].Use = Use; }
USHORT *MiPfnShare(ULONG Pa) { return &MiPfnDatabase[MiCheckedFrame(Pa)].Share; }

/* A zeroed frame, or 0 when none is left (frame 0 is never free). */
ULONG MmAllocatePhysicalPage(void)
{
    if (MiFreeHead == MI_NO_PAGE) return 0;
    ULONG Frame = MiFreeHead;
    MiUnlinkFree(Frame);
    RtlZeroMemory(MI_P2V(Frame << PAGE_SHIFT), PAGE_SIZE);
    return Frame << PAGE_SHIFT;
}

/* Freeing a frame that is not allocated means someone's bookkeeping is
 * wrong: NT stops with PFN_LIST_CORRUPT (0x4E) rather than corrupt the list. */
void MmFreePhysicalPage(ULONG Pa)
{
    ULONG Frame = MiCheckedFrame(Pa);
    if (MiPfnDatabase[Frame].Use == MiPfnFree || MiPfnDatabase[Frame].Use == MiPfnUnusable)
        KeBugCheckEx(PFN_LIST_CORRUPT, 0x9A, Pa, MiPfnDatabase[Frame].Use, 0);
    MiLinkFree(Frame);
}

/* Count free frames in a row, zeroed, lowest run first; 0 if there is none. */
ULONG MiAllocateContiguousPages(ULONG Count)
{
    ULONG Run = 0;
    for (ULONG Frame = 0; Count && Frame < MmNumberOfPhysicalPages; Frame++) {
        Run = MiPfnDatabase[Frame].Use == MiPfnFree ? Run + 1 : 0;
        if (Run < Count) continue;
        ULONG First = Frame + 1 - Count;
        for (ULONG f = First; f <= Frame; f++) MiUnlinkFree(f);
        RtlZeroMemory(MI_P2V(First << PAGE_SHIFT), Count * PAGE_SIZE);
        return First << PAGE_SHIFT;
    }
    return 0;
}

void MiFreeContiguousPages(ULONG Pa, ULONG Count)
{
    for (ULONG i = 0; i < Count; i++) MmFreePhysicalPage(Pa + i * PAGE_SIZE);
}
