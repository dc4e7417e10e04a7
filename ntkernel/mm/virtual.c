/* virtual.c - the virtual-memory services (WRK mm/allocvm.c, freevm.c,
 * protect.c, queryvm.c, readwrt.c give the semantics and the statuses).
 * Each one checks its plain arguments, captures what its pointer arguments
 * point to (through MmCopyFromUser when the caller was user mode, directly
 * when it was the kernel), references the process by handle, calls the
 * worker and stores the results back the same way.  As in NT, a store that
 * fails after the work was done does not undo it. */
#include "mi.h"
#include "../inc/ob.h"
#include "../inc/ps.h"
#include "../inc/rtl.h"

#define PROCESS_VM_OPERATION 0x0008
#define PROCESS_VM_READ      0x0010
#define PROCESS_VM_WRITE     0x0020
#define PROCESS_QUERY_INFORMATION 0x0400
#define MEM_TOP_DOWN         0x100000
#define MM_MAXIMUM_ZERO_BITS 21
#define MI_COPY_CHUNK        512

/* ProbeForWrite: every byte is a present, writable user page (NULL, a
 * missing pointer, passes: the caller decides whether it was optional). */
static NTSTATUS MiProbeForWrite(KPROCESSOR_MODE Mode, const void *P, ULONG Length)
{
    if (Mode == KernelMode || !P) return STATUS_SUCCESS;
    return MmProbeForWrite(P, Length);
}

/* Base and size in, checked; the caller then references the process. */
static NTSTATUS MiCaptureRange(KPROCESSOR_MODE Mode, PVOID *BaseAddress, PULONG RegionSize,
                               PULONG Base, PULONG Size)
{
    if (!NT_SUCCESS(MiProbeForWrite(Mode, BaseAddress, sizeof *BaseAddress)) ||
        !NT_SUCCESS(MiProbeForWrite(Mode, RegionSize, sizeof *RegionSize)) ||
        !NT_SUCCESS(MmCopyFromCaller(Mode, Base, BaseAddress, sizeof *Base)) ||
        !NT_SUCCESS(MmCopyFromCaller(Mode, Size, RegionSize, sizeof *Size)))
        return STATUS_ACCESS_VIOLATION;
    return STATUS_SUCCESS;
}

static void MiStoreRange(KPROCESSOR_MODE Mode, PVOID *BaseAddress, PULONG RegionSize, ULONG Start,
                         ULONG End)
{
    ULONG Size = End - Start + 1;
    MmCopyToCaller(Mode, BaseAddress, &Start, sizeof Start);
    MmCopyToCaller(Mode, RegionSize, &Size, sizeof Size);
}

/* Enough free frames for the pages of [Start, End] not yet committed and
 * their page tables; checked first so a commit never half happens. */
static BOOLEAN MiCanCommit(PMMVAD Vad, ULONG Start, ULONG End)
{
    ULONG Needed = ((End >> 22) - (Start >> 22)) + 1;
    for (ULONG Va = Start; Va < End; Va += PAGE_SIZE)
        if (!Vad || !Vad->Page[(Va - Vad->StartingVa) >> PAGE_SHIFT]) Needed++;
    return MmAvailablePages >= Needed;
}

static NTSTATUS MiCommitRange(PEPROCESS Process, PMMVAD Vad, ULONG Start, ULONG End, ULONG Protect)
{
    NTSTATUS Status = STATUS_SUCCESS;
    for (ULONG Va = Start; NT_SUCCESS(Status) && Va < End; Va += PAGE_SIZE)
        Status = MiCommitPage(Process, Vad, Va, Protect);
    return Status;
}

/* ---- NtAllocateVirtualMemory ------------------------------------------------- */

/* A new region: an explicit base rounds down to 64 KB, the end up to a page;
 * no base takes the lowest free 64 KB-aligned place below the PEB (the
 * highest with MEM_TOP_DOWN).  The first 64 KB are never handed out (NT 6.2
 * refuses them too). */
static NTSTATUS MiReserve(PEPROCESS Process, ULONG Base, ULONG Size, ULONG ZeroBits, ULONG Type,
                          ULONG Protect, PULONG Start, PULONG End)
{
    if (Base) {
        *Start = Base & ~(MI_X64K - 1);
        *End = (Base + Size - 1) | (PAGE_SIZE - 1);
        if (*Start < MM_LOWEST_USER_ADDRESS) return STATUS_INVALID_PARAMETER_2;
        if (*End > MM_HIGHEST_VAD_ADDRESS) return STATUS_INVALID_PARAMETER_4;
        if (!MiRangeIsFree(Process, *Start, *End)) return STATUS_CONFLICTING_ADDRESSES;
    } else {
        ULONG Highest = MI_PEB_TEB_BASE - 1;
        if (ZeroBits && (0xFFFFFFFFu >> ZeroBits) < Highest) Highest = 0xFFFFFFFFu >> ZeroBits;
        *Start = (Type & MEM_TOP_DOWN) ? MiFindFreeRangeTopDown(Process, MI_ROUND_TO_PAGES(Size), Highest)
                                       : MiFindFreeRange(Process, MI_ROUND_TO_PAGES(Size), Highest);
        if (!*Start) return STATUS_NO_MEMORY;
        *End = *Start + MI_ROUND_TO_PAGES(Size) - 1;
    }
    if ((Type & MEM_COMMIT) && !MiCanCommit(NULL, *Start, *End)) return STATUS_NO_MEMORY;
    PMMVAD Vad;
    NTSTATUS Status = MiInsertVad(Process, *Start, *End, MEM_PRIVATE, Protect, &Vad);
    if (NT_SUCCESS(Status) && (Type & MEM_COMMIT)) {
        Status = MiCommitRange(Process, Vad, *Start, *End, Protect);
        if (!NT_SUCCESS(Status)) MiDeleteVad(Process, Vad);
    }
    return Status;
}

/* MEM_COMMIT inside one private region reserved before. */
static NTSTATUS MiCommit(PEPROCESS Process, ULONG Base, ULONG Size, ULONG Protect, PULONG Start,
                         PULONG End)
{
    *Start = MI_PAGE_ALIGN(Base);
    *End = (Base + Size - 1) | (PAGE_SIZE - 1);
    PMMVAD Vad = MiLocateVad(Process, *Start);
    if (!Vad || *End > Vad->EndingVa || Vad->Type != MEM_PRIVATE) return STATUS_CONFLICTING_ADDRESSES;
    if (!MiCanCommit(Vad, *Start, *End)) return STATUS_NO_MEMORY;
    return MiCommitRange(Process, Vad, *Start, *End, Protect);
}

NTSTATUS NTAPI NtAllocateVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, ULONG ZeroBits,
                                       PULONG RegionSize, ULONG AllocationType, ULONG Protect)
{
    KPROCESSOR_MODE Mode = KeGetPreviousMode();
    ULONG Base, Size, Start, End;
    PEPROCESS Process;
    if (ZeroBits > MM_MAXIMUM_ZERO_BITS) return STATUS_INVALID_PARAMETER_3;
    if ((AllocationType & ~(ULONG)(MEM_COMMIT | MEM_RESERVE | MEM_TOP_DOWN)) ||
        !(AllocationType & (MEM_COMMIT | MEM_RESERVE)))
        return STATUS_INVALID_PARAMETER_5;
    /* Private memory cannot be copy-on-write. */
    if (!MiIsValidProtection(Protect) || (Protect & (PAGE_WRITECOPY | PAGE_EXECUTE_WRITECOPY)))
        return STATUS_INVALID_PAGE_PROTECTION;
    NTSTATUS Status = MiCaptureRange(Mode, BaseAddress, RegionSize, &Base, &Size);
    if (!NT_SUCCESS(Status)) return Status;
    if (Base > MM_HIGHEST_VAD_ADDRESS) return STATUS_INVALID_PARAMETER_2;
    if (Size == 0 || MM_HIGHEST_VAD_ADDRESS - Base + 1 < Size) return STATUS_INVALID_PARAMETER_4;
    Status = ObReferenceObjectByHandle(ProcessHandle, PROCESS_VM_OPERATION, &PsProcessType, Mode,
                                       (PVOID *)&Process);
    if (!NT_SUCCESS(Status)) return Status;
    if (!Base || (AllocationType & MEM_RESERVE))
        Status = MiReserve(Process, Base, Size, ZeroBits, AllocationType, Protect, &Start, &End);
    else
        Status = MiCommit(Process, Base, Size, Protect, &Start, &End);
    ObDereferenceObject(Process);
    if (NT_SUCCESS(Status)) MiStoreRange(Mode, BaseAddress, RegionSize, Start, End);
    return Status;
}

/* ---- NtFreeVirtualMemory ----------------------------------------------------- */

/* Releases [Start, End] out of a private region, which may leave a head
 * and a tail region.  The tail is made first, so a failure changes nothing. */
static NTSTATUS MiReleaseRange(PEPROCESS Process, PMMVAD Vad, ULONG Start, ULONG End)
{
    if (Start == Vad->StartingVa && End == Vad->EndingVa) {
        MiDeleteVad(Process, Vad);
        return STATUS_SUCCESS;
    }
    PMMVAD Tail = NULL;
    if (End < Vad->EndingVa) {
        NTSTATUS Status = MiInsertVad(Process, End + 1, Vad->EndingVa, Vad->Type,
                                      Vad->AllocationProtect, &Tail);
        if (!NT_SUCCESS(Status)) return Status;
        ULONG First = (End + 1 - Vad->StartingVa) >> PAGE_SHIFT;
        for (ULONG i = 0; i < MI_VAD_PAGES(Tail); i++) Tail->Page[i] = Vad->Page[First + i];
    }
    for (ULONG Va = Start; Va < End; Va += PAGE_SIZE) MiDecommitPage(Process, Vad, Va);
    if (Start == Vad->StartingVa) MiRemoveVad(Process, Vad);
    else Vad->EndingVa = Start - 1;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI NtFreeVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PULONG RegionSize,
                                   ULONG FreeType)
{
    KPROCESSOR_MODE Mode = KeGetPreviousMode();
    ULONG Base, Size, Start, End;
    PEPROCESS Process;
    if (FreeType != MEM_DECOMMIT && FreeType != MEM_RELEASE) return STATUS_INVALID_PARAMETER_4;
    NTSTATUS Status = MiCaptureRange(Mode, BaseAddress, RegionSize, &Base, &Size);
    if (!NT_SUCCESS(Status)) return Status;
    if (Base > MM_HIGHEST_USER_ADDRESS) return STATUS_INVALID_PARAMETER_2;
    if (MM_HIGHEST_USER_ADDRESS - Base + 1 < Size) return STATUS_INVALID_PARAMETER_3;
    Status = ObReferenceObjectByHandle(ProcessHandle, PROCESS_VM_OPERATION, &PsProcessType, Mode,
                                       (PVOID *)&Process);
    if (!NT_SUCCESS(Status)) return Status;
    Start = MI_PAGE_ALIGN(Base);
    PMMVAD Vad = MiLocateVad(Process, Start);
    if (!Vad) {
        Status = STATUS_MEMORY_NOT_ALLOCATED;
    } else {
        End = Size ? (Base + Size - 1) | (PAGE_SIZE - 1) : Vad->EndingVa;
        if (End > Vad->EndingVa) Status = STATUS_UNABLE_TO_FREE_VM;
        else if (Vad->Type != MEM_PRIVATE) Status = STATUS_UNABLE_TO_DELETE_SECTION;
        else if (FreeType == MEM_RELEASE && Size == 0 && Start != Vad->StartingVa)
            Status = STATUS_FREE_VM_NOT_AT_BASE;
        else if (FreeType == MEM_RELEASE)
            Status = MiReleaseRange(Process, Vad, Start, End);
        else
            for (ULONG Va = Start; Va < End; Va += PAGE_SIZE) MiDecommitPage(Process, Vad, Va);
    }
    ObDereferenceObject(Process);
    if (NT_SUCCESS(Status)) MiStoreRange(Mode, BaseAddress, RegionSize, Start, End);
    return Status;
}

/* ---- NtProtectVirtualMemory -------------------------------------------------- */

NTSTATUS NTAPI NtProtectVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PULONG RegionSize,
                                      ULONG NewProtect, PULONG OldProtect)
{
    KPROCESSOR_MODE Mode = KeGetPreviousMode();
    ULONG Base, Size, Start, End, Old = 0;
    PEPROCESS Process;
    if (!MiIsValidProtection(NewProtect)) return STATUS_INVALID_PAGE_PROTECTION;
    if (!NT_SUCCESS(MiProbeForWrite(Mode, OldProtect, sizeof *OldProtect)) || (Mode && !OldProtect))
        return STATUS_ACCESS_VIOLATION;
    NTSTATUS Status = MiCaptureRange(Mode, BaseAddress, RegionSize, &Base, &Size);
    if (!NT_SUCCESS(Status)) return Status;
    if (Base > MM_HIGHEST_USER_ADDRESS) return STATUS_INVALID_PARAMETER_2;
    if (Size == 0 || MM_HIGHEST_USER_ADDRESS - Base + 1 < Size) return STATUS_INVALID_PARAMETER_3;
    Status = ObReferenceObjectByHandle(ProcessHandle, PROCESS_VM_OPERATION, &PsProcessType, Mode,
                                       (PVOID *)&Process);
    if (!NT_SUCCESS(Status)) return Status;
    Start = MI_PAGE_ALIGN(Base);
    End = (Base + Size - 1) | (PAGE_SIZE - 1);
    PMMVAD Vad = MiLocateVad(Process, Start);
    if (!Vad || End > Vad->EndingVa) Status = STATUS_CONFLICTING_ADDRESSES;
    for (ULONG Va = Start; NT_SUCCESS(Status) && Va < End; Va += PAGE_SIZE)
        if (!Vad->Page[(Va - Vad->StartingVa) >> PAGE_SHIFT]) Status = STATUS_NOT_COMMITTED;
    if (NT_SUCCESS(Status)) {
        Old = MI_PAGE_PROTECT(Vad->Page[(Start - Vad->StartingVa) >> PAGE_SHIFT]);
        for (ULONG Va = Start; Va < End; Va += PAGE_SIZE) MiSetPageProtection(Process, Vad, Va, NewProtect);
    }
    ObDereferenceObject(Process);
    if (NT_SUCCESS(Status)) {
        MiStoreRange(Mode, BaseAddress, RegionSize, Start, End);
        if (OldProtect) MmCopyToCaller(Mode, OldProtect, &Old, sizeof Old);
    }
    return Status;
}

/* ---- NtQueryVirtualMemory ---------------------------------------------------- */

/* The run of pages from Va on that share one state and protection. */
static void MiQueryRegion(PEPROCESS Process, ULONG Va, MEMORY_BASIC_INFORMATION *Info)
{
    PMMVAD Vad = MiLocateVad(Process, Va);
    memset(Info, 0, sizeof *Info);
    Info->BaseAddress = (PVOID)Va;
    if (Vad) {
        ULONG First = Vad->Page[(Va - Vad->StartingVa) >> PAGE_SHIFT], End = Va;
        while (End < Vad->EndingVa) {
            ULONG Entry = Vad->Page[(End - Vad->StartingVa) >> PAGE_SHIFT];
            if ((Entry != 0) != (First != 0) || MI_PAGE_PROTECT(Entry) != MI_PAGE_PROTECT(First)) break;
            End += PAGE_SIZE;
        }
        Info->AllocationBase = (PVOID)Vad->StartingVa;
        Info->AllocationProtect = Vad->AllocationProtect;
        Info->RegionSize = End - Va;
        Info->State = First ? MEM_COMMIT : MEM_RESERVE;
        Info->Protect = MI_PAGE_PROTECT(First);
        Info->Type = Vad->Type;
    } else if (Va == MM_SHARED_USER_DATA_VA) {
        /* The shared page: committed, read-only, private (as XP reports it). */
        Info->AllocationBase = (PVOID)Va;
        Info->AllocationProtect = Info->Protect = PAGE_READONLY;
        Info->RegionSize = PAGE_SIZE;
        Info->State = MEM_COMMIT;
        Info->Type = MEM_PRIVATE;
    } else {
        ULONG Next = Va < MM_SHARED_USER_DATA_VA ? MM_SHARED_USER_DATA_VA : MM_USER_PROBE_ADDRESS;
        for (PMMVAD v = Process->VadRoot; v; v = v->Next)
            if (v->StartingVa > Va && v->StartingVa < Next) Next = v->StartingVa;
        Info->RegionSize = Next - Va;
        Info->State = MEM_FREE;
        Info->Protect = PAGE_NOACCESS;
    }
}

NTSTATUS NTAPI NtQueryVirtualMemory(HANDLE ProcessHandle, PVOID BaseAddress, ULONG InfoClass,
                                    PVOID Buffer, ULONG Length, PULONG ResultLength)
{
    KPROCESSOR_MODE Mode = KeGetPreviousMode();
    MEMORY_BASIC_INFORMATION Info;
    PEPROCESS Process;
    if (InfoClass != 0 /* MemoryBasicInformation */) return STATUS_INVALID_INFO_CLASS;
    if (Length < sizeof Info) return STATUS_INFO_LENGTH_MISMATCH;
    if (!NT_SUCCESS(MiProbeForWrite(Mode, Buffer, sizeof Info)) || (Mode && !Buffer) ||
        !NT_SUCCESS(MiProbeForWrite(Mode, ResultLength, sizeof *ResultLength)))
        return STATUS_ACCESS_VIOLATION;
    if ((ULONG)BaseAddress > MM_HIGHEST_USER_ADDRESS) return STATUS_INVALID_PARAMETER;
    NTSTATUS Status = ObReferenceObjectByHandle(ProcessHandle, PROCESS_QUERY_INFORMATION,
                                                &PsProcessType, Mode, (PVOID *)&Process);
    if (!NT_SUCCESS(Status)) return Status;
    MiQueryRegion(Process, MI_PAGE_ALIGN(BaseAddress), &Info);
    ObDereferenceObject(Process);
    ULONG Written = sizeof Info;
    if (!NT_SUCCESS(MmCopyToCaller(Mode, Buffer, &Info, sizeof Info))) return STATUS_ACCESS_VIOLATION;
    if (ResultLength) MmCopyToCaller(Mode, ResultLength, &Written, sizeof Written);
    return STATUS_SUCCESS;
}

/* ---- NtReadVirtualMemory / NtWriteVirtualMemory ---------------------------------- */

/* The caller's side of a transfer: its own user pages, or kernel memory
 * when the caller was the kernel. */
static BOOLEAN MiCallerCopy(KPROCESSOR_MODE Mode, ULONG CallerVa, PVOID Kernel, ULONG Length,
                            BOOLEAN Write)
{
    ULONG Done;
    if (Mode == KernelMode && CallerVa >= KSEG0_BASE) {
        if (Write) memcpy((PVOID)CallerVa, Kernel, Length);
        else memcpy(Kernel, (PVOID)CallerVa, Length);
        return TRUE;
    }
    return NT_SUCCESS(MiCopyProcess(PsGetCurrentProcess(), CallerVa, Kernel, Length, Write, &Done));
}

/* Chunk by chunk: an inaccessible page in the target ends the copy with
 * STATUS_PARTIAL_COPY, one in the caller's buffer with
 * STATUS_ACCESS_VIOLATION (as NT's MmCopyVirtualMemory tells them apart). */
static NTSTATUS MiTransfer(KPROCESSOR_MODE Mode, PEPROCESS Target, ULONG TargetVa, ULONG CallerVa,
                           ULONG Size, BOOLEAN ToTarget, PULONG Copied)
{
    UCHAR Bounce[MI_COPY_CHUNK];
    for (*Copied = 0; *Copied < Size; ) {
        ULONG Chunk = Size - *Copied, Moved;
        if (Chunk > sizeof Bounce) Chunk = sizeof Bounce;
        if (ToTarget) {
            if (!MiCallerCopy(Mode, CallerVa + *Copied, Bounce, Chunk, FALSE)) return STATUS_ACCESS_VIOLATION;
            NTSTATUS Status = MiCopyProcess(Target, TargetVa + *Copied, Bounce, Chunk, TRUE, &Moved);
            *Copied += Moved;
            if (!NT_SUCCESS(Status)) return STATUS_PARTIAL_COPY;
        } else {
            NTSTATUS Status = MiCopyProcess(Target, TargetVa + *Copied, Bounce, Chunk, FALSE, &Moved);
            if (!MiCallerCopy(Mode, CallerVa + *Copied, Bounce, Moved, TRUE)) return STATUS_ACCESS_VIOLATION;
            *Copied += Moved;
            if (!NT_SUCCESS(Status)) return STATUS_PARTIAL_COPY;
        }
    }
    return STATUS_SUCCESS;
}

static NTSTATUS MiReadWrite(HANDLE ProcessHandle, ULONG BaseAddress, ULONG Buffer, ULONG Size,
                            PULONG NumberOfBytes, BOOLEAN Write)
{
    KPROCESSOR_MODE Mode = KeGetPreviousMode();
    ULONG Copied = 0;
    PEPROCESS Process;
    NTSTATUS Status = STATUS_SUCCESS;
    if (Mode == UserMode) {
        if (BaseAddress + Size < BaseAddress || Buffer + Size < Buffer ||
            BaseAddress + Size > MM_USER_PROBE_ADDRESS || Buffer + Size > MM_USER_PROBE_ADDRESS)
            return STATUS_ACCESS_VIOLATION;
        if (!NT_SUCCESS(MiProbeForWrite(Mode, NumberOfBytes, sizeof *NumberOfBytes)))
            return STATUS_ACCESS_VIOLATION;
    }
    if (Size) {
        Status = ObReferenceObjectByHandle(ProcessHandle, Write ? PROCESS_VM_WRITE : PROCESS_VM_READ,
                                           &PsProcessType, Mode, (PVOID *)&Process);
        if (!NT_SUCCESS(Status)) return Status;
        Status = MiTransfer(Mode, Process, BaseAddress, Buffer, Size, Write, &Copied);
        ObDereferenceObject(Process);
    }
    if (NumberOfBytes) MmCopyToCaller(Mode, NumberOfBytes, &Copied, sizeof Copied);
    return Status;
}

NTSTATUS NTAPI NtReadVirtualMemory(HANDLE ProcessHandle, PVOID BaseAddress, PVOID Buffer,
                                   ULONG Size, PULONG NumberOfBytesRead)
{
    return MiReadWrite(ProcessHandle, (ULONG)BaseAddress, (ULONG)Buffer, Size, NumberOfBytesRead, FALSE);
}

NTSTATUS NTAPI NtWriteVirtualMemory(HANDLE ProcessHandle, PVOID BaseAddress, const void *Buffer,
                                    ULONG Size, PULONG NumberOfBytesWritten)
{
    return MiReadWrite(ProcessHandle, (ULONG)BaseAddress, (ULONG)Buffer, Size, NumberOfBytesWritten, TRUE);
}
