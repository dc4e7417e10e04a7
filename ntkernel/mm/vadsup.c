/* vadsup.c - a process's regions (EPROCESS.VadRoot): NT keeps its MMVADs in
 * an AVL tree; here they are one list sorted by address, which is all a
 * teaching kernel's few regions need.  Regions never overlap. */
#include "mi.h"
#include "../inc/rtl.h"

PMMVAD MiLocateVad(PEPROCESS Process, ULONG Va)
{
    for (PMMVAD Vad = Process->VadRoot; Vad && Vad->StartingVa <= Va; Vad = Vad->Next)
        if (Va <= Vad->EndingVa) return Vad;
    return NULL;
}

/* [Start, End] (inclusive) touches no region. */
BOOLEAN MiRangeIsFree(PEPROCESS Process, ULONG Start, ULONG End)
{
    for (PMMVAD Vad = Process->VadRoot; Vad; Vad = Vad->Next)
        if (Vad->StartingVa <= End && Start <= Vad->EndingVa) return FALSE;
    return TRUE;
}

/* The lowest 64 KB aligned gap of Size bytes between 0x10000 and Highest
 * (inclusive), bottom up as NT does without MEM_TOP_DOWN; 0 if none. */
ULONG MiFindFreeRange(PEPROCESS Process, ULONG Size, ULONG Highest)
{
    ULONG Base = MM_LOWEST_USER_ADDRESS;
    for (PMMVAD Vad = Process->VadRoot;; Vad = Vad->Next) {
        ULONG Limit = Vad ? Vad->StartingVa : Highest + 1;
        if (Limit > Highest + 1) Limit = Highest + 1;
        if (Base < Limit && Limit - Base >= Size) return Base;
        if (!Vad || Vad->EndingVa >= Highest) return 0;
        Base = (Vad->EndingVa + MI_X64K) & ~(MI_X64K - 1);
    }
}

/* A new region with every page reserved, put in its place in the list. */
NTSTATUS MiInsertVad(PEPROCESS Process, ULONG Start, ULONG End, ULONG Type, ULONG Protect,
                     PMMVAD *Result)
{
    PMMVAD Vad = ExAllocatePool(sizeof *Vad);
    if (!Vad) return STATUS_NO_MEMORY;
    Vad->StartingVa = Start;
    Vad->EndingVa = End;
    Vad->Type = Type;
    Vad->AllocationProtect = Protect;
    Vad->Page = ExAllocatePool(MI_VAD_PAGES(Vad) * sizeof(ULONG));
    if (!Vad->Page) {
        ExFreePool(Vad);
        return STATUS_NO_MEMORY;
    }
    PMMVAD *Link = &Process->VadRoot;
    while (*Link && (*Link)->StartingVa < Start) Link = &(*Link)->Next;
    Vad->Next = *Link;
    *Link = Vad;
    *Result = Vad;
    return STATUS_SUCCESS;
}

/* Unlinks and frees the region's bookkeeping (its pages must be gone). */
void MiRemoveVad(PEPROCESS Process, PMMVAD Vad)
{
    for (PMMVAD *Link = &Process->VadRoot; *Link; Link = &(*Link)->Next) {
        if (*Link == Vad) {
            *Link = Vad->Next;
            break;
        }
    }
    ExFreePool(Vad->Page);
    ExFreePool(Vad);
}
