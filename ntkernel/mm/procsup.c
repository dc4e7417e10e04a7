/* procsup.c - per-process address spaces: a page directory whose upper half
 * is the system's (copied at creation: the system's page tables never
 * change after boot, since KSEG0, the PCR and the shared page are all mapped
 * by MmInitSystem), with its own self-map at PTE_BASE and its own view of
 * KUSER_SHARED_DATA at 0x7FFE0000.  User pages are reached through their
 * KSEG0 alias, so the kernel can copy to and from any process, current or
 * not, without ever taking a page fault. */
#include "mi.h"
#include "../inc/ke.h"
#include "../inc/ps.h"
#include "../inc/rtl.h"
#include "../inc/arch.h"

static BOOLEAN MiIsCurrent(PEPROCESS Process)
{
    return Process->Pcb.DirectoryTableBase[0] == MiReadCr3();
}

/* The PTE of Va in Process (through KSEG0), or NULL when its page table does
 * not exist and Create is FALSE or no page is left. */
ULONG *MiGetPte(PEPROCESS Process, ULONG Va, BOOLEAN Create)
{
    ULONG *Pd = MI_P2V(Process->Pcb.DirectoryTableBase[0]);
    ULONG *Pde = &Pd[Va >> 22];
    if (!(*Pde & PTE_VALID)) {
        ULONG Pa = Create ? MmAllocatePhysicalPage() : 0;
        if (!Pa) return NULL;
        /* User PDEs allow everything: the PTE alone decides. */
        *Pde = Pa | PTE_VALID | PTE_WRITE | PTE_OWNER;
    }
    ULONG *Pt = MI_P2V(*Pde & ~(PAGE_SIZE - 1));
    return &Pt[(Va >> PAGE_SHIFT) & 0x3FF];
}

NTSTATUS MmCreateProcessAddressSpace(PEPROCESS Process)
{
    ULONG Pa = MmAllocatePhysicalPage();
    if (!Pa) return STATUS_INSUFFICIENT_RESOURCES;
    ULONG *Pd = MI_P2V(Pa), *System = MI_P2V(MmKernelDirectoryTableBase);
    for (ULONG i = KSEG0_BASE >> 22; i < 1024; i++) Pd[i] = System[i];
    Pd[PTE_BASE >> 22] = Pa | PTE_VALID | PTE_WRITE;
    Process->Pcb.DirectoryTableBase[0] = Pa;
    Process->VadRoot = NULL;
    ULONG *Pte = MiGetPte(Process, MM_SHARED_USER_DATA_VA, TRUE);
    if (!Pte) {
        MmFreePhysicalPage(Pa);
        Process->Pcb.DirectoryTableBase[0] = 0;
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    *Pte = MmSharedUserDataPhysical | PTE_VALID | PTE_OWNER;
    return STATUS_SUCCESS;
}

void MmDeleteProcessAddressSpace(PEPROCESS Process)
{
    if (!Process->Pcb.DirectoryTableBase[0]) return;
    if (MiIsCurrent(Process))
        KeBugCheckEx(MEMORY_MANAGEMENT, 0x1000, (ULONG)Process, MiReadCr3(), 0);
    while (Process->VadRoot) MiDeleteVad(Process, Process->VadRoot);
    ULONG *Pd = MI_P2V(Process->Pcb.DirectoryTableBase[0]);
    for (ULONG i = 0; i < KSEG0_BASE >> 22; i++)
        if (Pd[i] & PTE_VALID) MmFreePhysicalPage(Pd[i] & ~(PAGE_SIZE - 1));
    MmFreePhysicalPage(Process->Pcb.DirectoryTableBase[0]);
    Process->Pcb.DirectoryTableBase[0] = 0;
}

/* ---- protections ------------------------------------------------------------- */

/* One base protection, optionally with PAGE_GUARD or PAGE_NOCACHE (0x200);
 * NOACCESS takes neither, and the two modifiers do not mix. */
BOOLEAN MiIsValidProtection(ULONG Protect)
{
    ULONG Base = Protect & 0xFF, Modifiers = Protect & ~0xFFu;
    if (!Base || (Base & (Base - 1))) return FALSE;
    if (Modifiers & ~(ULONG)(PAGE_GUARD | 0x200)) return FALSE;
    if (Modifiers == (PAGE_GUARD | 0x200)) return FALSE;
    return !(Base == PAGE_NOACCESS && Modifiers);
}

/* The PTE bits for a committed page: NOACCESS and GUARD pages are not
 * present (a guard page's first touch is the fault handler's business). */
static ULONG MiPteProtection(ULONG Protect)
{
    if ((Protect & PAGE_GUARD) || (Protect & 0xFF) == PAGE_NOACCESS) return 0;
    ULONG Bits = PTE_VALID | PTE_OWNER;
    if (Protect & (PAGE_READWRITE | PAGE_WRITECOPY | PAGE_EXECUTE_READWRITE | PAGE_EXECUTE_WRITECOPY))
        Bits |= PTE_WRITE;
    return Bits;
}

/* Writes the PTE of a page from its entry in the region, flushing the TLB
 * entry when the address space is the one the CPU runs. */
static void MiUpdatePte(PEPROCESS Process, PMMVAD Vad, ULONG Va)
{
    ULONG Entry = Vad->Page[(Va - Vad->StartingVa) >> PAGE_SHIFT];
    ULONG *Pte = MiGetPte(Process, Va, FALSE);
    ULONG Bits = Entry ? MiPteProtection(MI_PAGE_PROTECT(Entry)) : 0;
    if (!Pte) KeBugCheckEx(MEMORY_MANAGEMENT, 0x41, Va, (ULONG)Process, 0);
    *Pte = Bits ? MI_PAGE_FRAME(Entry) | Bits : 0;
    if (MiIsCurrent(Process)) MiInvalidatePage(Va);
}

/* A zeroed frame for a reserved page (an already committed page keeps its
 * frame and contents and only takes the new protection). */
NTSTATUS MiCommitPage(PEPROCESS Process, PMMVAD Vad, ULONG Va, ULONG Protect)
{
    ULONG *Entry = &Vad->Page[(Va - Vad->StartingVa) >> PAGE_SHIFT];
    if (!*Entry) {
        if (!MiGetPte(Process, Va, TRUE)) return STATUS_NO_MEMORY;
        ULONG Pa = MmAllocatePhysicalPage();
        if (!Pa) return STATUS_NO_MEMORY;
        *Entry = Pa;
    }
    *Entry = MI_PAGE_FRAME(*Entry) | Protect;
    MiUpdatePte(Process, Vad, Va);
    return STATUS_SUCCESS;
}

void MiSetPageProtection(PEPROCESS Process, PMMVAD Vad, ULONG Va, ULONG Protect)
{
    ULONG *Entry = &Vad->Page[(Va - Vad->StartingVa) >> PAGE_SHIFT];
    *Entry = MI_PAGE_FRAME(*Entry) | Protect;
    MiUpdatePte(Process, Vad, Va);
}

void MiDecommitPage(PEPROCESS Process, PMMVAD Vad, ULONG Va)
{
    ULONG *Entry = &Vad->Page[(Va - Vad->StartingVa) >> PAGE_SHIFT];
    if (!*Entry) return;
    ULONG Pa = MI_PAGE_FRAME(*Entry);
    *Entry = 0;
    MiUpdatePte(Process, Vad, Va);
    MmFreePhysicalPage(Pa);
}

void MiDeleteVad(PEPROCESS Process, PMMVAD Vad)
{
    for (ULONG Va = Vad->StartingVa; Va < Vad->EndingVa; Va += PAGE_SIZE)
        MiDecommitPage(Process, Vad, Va);
    MiRemoveVad(Process, Vad);
}

/* ---- regions the kernel makes ---------------------------------------------- */

NTSTATUS MmAllocateVirtual(PEPROCESS Process, PULONG Base, ULONG Size, ULONG Protect, ULONG Type)
{
    ULONG Start, End;
    if (!Size || Size > MM_HIGHEST_VAD_ADDRESS || !MiIsValidProtection(Protect))
        return STATUS_INVALID_PARAMETER;
    if (*Base) {
        if (*Base < MM_LOWEST_USER_ADDRESS || *Base > MM_HIGHEST_VAD_ADDRESS ||
            MM_HIGHEST_VAD_ADDRESS - *Base < Size - 1)
            return STATUS_INVALID_PARAMETER;
        Start = MI_PAGE_ALIGN(*Base);
        End = (*Base + Size - 1) | (PAGE_SIZE - 1);
        if (!MiRangeIsFree(Process, Start, End)) return STATUS_CONFLICTING_ADDRESSES;
    } else {
        /* Picked places stay below the PEB and TEBs. */
        Start = MiFindFreeRange(Process, MI_ROUND_TO_PAGES(Size), MI_PEB_TEB_BASE - 1);
        if (!Start) return STATUS_NO_MEMORY;
        End = Start + MI_ROUND_TO_PAGES(Size) - 1;
    }
    PMMVAD Vad;
    NTSTATUS Status = MiInsertVad(Process, Start, End, Type, Protect, &Vad);
    if (!NT_SUCCESS(Status)) return Status;
    for (ULONG Va = Start; NT_SUCCESS(Status) && Va < End; Va += PAGE_SIZE)
        Status = MiCommitPage(Process, Vad, Va, Protect);
    if (!NT_SUCCESS(Status)) {
        MiDeleteVad(Process, Vad);
        return Status;
    }
    *Base = Start;
    return STATUS_SUCCESS;
}

/* ---- copies through the page tables ------------------------------------------ */

PVOID MmUserPageAlias(PEPROCESS Process, ULONG Va, BOOLEAN Write)
{
    if (Va >= MM_USER_PROBE_ADDRESS || !Process->Pcb.DirectoryTableBase[0]) return NULL;
    ULONG *Pte = MiGetPte(Process, Va, FALSE);
    if (!Pte || !(*Pte & PTE_VALID) || !(*Pte & PTE_OWNER)) return NULL;
    if (Write && !(*Pte & PTE_WRITE)) return NULL;
    ULONG Pa = *Pte & ~(PAGE_SIZE - 1);
    if (Pa >= KSEG0_SIZE) return NULL;
    return (UCHAR *)MI_P2V(Pa) + (Va & (PAGE_SIZE - 1));
}

NTSTATUS MiCopyProcess(PEPROCESS Process, ULONG UserVa, PVOID Kernel, ULONG Length, BOOLEAN Write,
                       PULONG Done)
{
    UCHAR *K = Kernel;
    *Done = 0;
    while (*Done < Length) {
        ULONG Va = UserVa + *Done;
        if (Va < UserVa) return STATUS_ACCESS_VIOLATION;    /* wrapped around */
        UCHAR *Alias = MmUserPageAlias(Process, Va, Write);
        if (!Alias) return STATUS_ACCESS_VIOLATION;
        ULONG Chunk = PAGE_SIZE - (Va & (PAGE_SIZE - 1));
        if (Chunk > Length - *Done) Chunk = Length - *Done;
        _ReadWriteBarrier();
        if (Write) memcpy(Alias, K + *Done, Chunk);
        else memcpy(K + *Done, Alias, Chunk);
        _ReadWriteBarrier();
        *Done += Chunk;
    }
    return STATUS_SUCCESS;
}

NTSTATUS MmCopyFromProcess(PEPROCESS Process, PVOID KernelDst, ULONG UserSrc, ULONG Length)
{
    ULONG Done;
    return MiCopyProcess(Process, UserSrc, KernelDst, Length, FALSE, &Done);
}

NTSTATUS MmCopyToProcess(PEPROCESS Process, ULONG UserDst, const void *KernelSrc, ULONG Length)
{
    ULONG Done;
    return MiCopyProcess(Process, UserDst, (PVOID)KernelSrc, Length, TRUE, &Done);
}

NTSTATUS MmCopyFromUser(PVOID KernelDst, const void *UserSrc, ULONG Length)
{
    return MmCopyFromProcess(PsGetCurrentProcess(), KernelDst, (ULONG)UserSrc, Length);
}

NTSTATUS MmCopyToUser(PVOID UserDst, const void *KernelSrc, ULONG Length)
{
    return MmCopyToProcess(PsGetCurrentProcess(), (ULONG)UserDst, KernelSrc, Length);
}

/* A service's arguments: through the page tables for a user-mode caller,
 * a plain copy for the kernel's own (Zw) calls, which may pass kernel
 * pointers. */
NTSTATUS MmCopyFromCaller(KPROCESSOR_MODE Mode, PVOID KernelDst, const void *CallerSrc, ULONG Length)
{
    if (Mode == UserMode) return MmCopyFromUser(KernelDst, CallerSrc, Length);
    memcpy(KernelDst, CallerSrc, Length);
    return STATUS_SUCCESS;
}

NTSTATUS MmCopyToCaller(KPROCESSOR_MODE Mode, PVOID CallerDst, const void *KernelSrc, ULONG Length)
{
    if (Mode == UserMode) return MmCopyToUser(CallerDst, KernelSrc, Length);
    memcpy(CallerDst, KernelSrc, Length);
    return STATUS_SUCCESS;
}

/* ProbeForWrite for a user-mode caller's output: every page of
 * [UserDst, UserDst + Length) is a present, writable user page of the
 * current process.  Services check their outputs with it before they
 * change anything, so a bad pointer leaves the system as it was. */
NTSTATUS MmProbeForWrite(const void *UserDst, ULONG Length)
{
    ULONG Va = (ULONG)UserDst;
    if (Length == 0) return STATUS_SUCCESS;
    if (Va + Length < Va || Va + Length > MM_USER_PROBE_ADDRESS) return STATUS_ACCESS_VIOLATION;
    for (ULONG Page = Va & ~(PAGE_SIZE - 1); Page < Va + Length; Page += PAGE_SIZE)
        if (!MmUserPageAlias(PsGetCurrentProcess(), Page, TRUE)) return STATUS_ACCESS_VIOLATION;
    return STATUS_SUCCESS;
}

/* Through a bounce buffer on the stack, so neither side is ever touched
 * through the current address space.  The pages are checked as they come:
 * what was copied before the first inaccessible page stays copied. */
NTSTATUS MmCopyVirtualMemory(PEPROCESS From, ULONG FromAddress, PEPROCESS To, ULONG ToAddress,
                             ULONG Length, PULONG Copied)
{
    UCHAR Bounce[512];
    *Copied = 0;
    while (*Copied < Length) {
        ULONG Chunk = Length - *Copied, Got, Put;
        if (Chunk > sizeof Bounce) Chunk = sizeof Bounce;
        NTSTATUS Status = MiCopyProcess(From, FromAddress + *Copied, Bounce, Chunk, FALSE, &Got);
        MiCopyProcess(To, ToAddress + *Copied, Bounce, Got, TRUE, &Put);
        *Copied += Put;
        if (Put < Got || !NT_SUCCESS(Status))
            return *Copied ? STATUS_PARTIAL_COPY : STATUS_ACCESS_VIOLATION;
    }
    return STATUS_SUCCESS;
}
