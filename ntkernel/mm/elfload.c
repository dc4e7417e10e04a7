/* elfload.c - MmMapImage: a program from the ramdisk into a process, as one
 * MEM_IMAGE region.  The file is ELF32 (System V ABI, i386 supplement):
 * ET_EXEC, EM_386, every PT_LOAD copied in and its tail zeroed.  Nothing in
 * the file is trusted: every offset, size and address is checked (with no
 * arithmetic that can wrap) before one page is touched. */
#include "mi.h"
#include "../inc/rtl.h"
#include "../inc/elf32.h"

#define MI_MAX_PHDRS 32

/* The header is copied out: the file may be unaligned. */
static BOOLEAN MiCheckHeader(const UCHAR *File, ULONG Size, ELF32_EHDR *Eh)
{
    if (!File || Size < sizeof *Eh) return FALSE;
    memcpy(Eh, File, sizeof *Eh);
    if (!Elf32IsI386(Eh) || Eh->e_version != 1 || Eh->e_type != ET_EXEC) return FALSE;
    if (Eh->e_phentsize != sizeof(ELF32_PHDR) || Eh->e_phnum == 0 || Eh->e_phnum > MI_MAX_PHDRS)
        return FALSE;
    return Eh->e_phoff <= Size && Size - Eh->e_phoff >= Eh->e_phnum * sizeof(ELF32_PHDR);
}

/* A PT_LOAD whose bytes are in the file and whose pages lie in the user
 * range below the PEB and TEBs, with the offset and address congruent
 * modulo the page size (so a file page maps onto one memory page). */
static BOOLEAN MiCheckSegment(const ELF32_PHDR *Ph, ULONG Size)
{
    if (Ph->p_memsz == 0 || Ph->p_filesz > Ph->p_memsz) return FALSE;
    if (Ph->p_offset > Size || Size - Ph->p_offset < Ph->p_filesz) return FALSE;
    if ((Ph->p_vaddr & (PAGE_SIZE - 1)) != (Ph->p_offset & (PAGE_SIZE - 1))) return FALSE;
    if (Ph->p_align > 1 && (Ph->p_align & (Ph->p_align - 1))) return FALSE;
    if (Ph->p_vaddr < MM_LOWEST_USER_ADDRESS || Ph->p_vaddr >= MI_PEB_TEB_BASE) return FALSE;
    return MI_PEB_TEB_BASE - Ph->p_vaddr >= Ph->p_memsz;
}

/* Win32 protection from the segment flags (PF_R is implied by the others). */
static ULONG MiSegmentProtection(ULONG Flags)
{
    if (Flags & PF_X) return (Flags & PF_W) ? PAGE_EXECUTE_READWRITE : PAGE_EXECUTE_READ;
    if (Flags & PF_W) return PAGE_READWRITE;
    return (Flags & PF_R) ? PAGE_READONLY : PAGE_NOACCESS;
}

/* Validates every program header; the image spans [*Low, *High] and the
 * segment at *Low must start at file offset 0. */
static NTSTATUS MiScanSegments(const UCHAR *File, ULONG Size, const ELF32_EHDR *Eh, ELF32_PHDR *Ph,
                               PULONG Low, PULONG High)
{
    ULONG Loads = 0, LowOffset = 0;
    BOOLEAN EntryFound = FALSE;
    *Low = 0xFFFFFFFFu;
    *High = 0;
    memcpy(Ph, File + Eh->e_phoff, Eh->e_phnum * sizeof *Ph);
    for (ULONG i = 0; i < Eh->e_phnum; i++) {
        if (Ph[i].p_type != PT_LOAD) continue;
        if (!MiCheckSegment(&Ph[i], Size)) return STATUS_INVALID_IMAGE_FORMAT;
        ULONG Start = Ph[i].p_vaddr, End = Ph[i].p_vaddr + Ph[i].p_memsz - 1;
        /* Segments may share a page (their protections merge) but not bytes. */
        for (ULONG j = 0; j < i; j++)
            if (Ph[j].p_type == PT_LOAD && Ph[j].p_vaddr <= End &&
                Start <= Ph[j].p_vaddr + Ph[j].p_memsz - 1)
                return STATUS_INVALID_IMAGE_FORMAT;
        if (Start < *Low) *Low = Start, LowOffset = Ph[i].p_offset;
        if (End > *High) *High = End;
        if ((Ph[i].p_flags & PF_X) && Eh->e_entry >= Start && Eh->e_entry <= End) EntryFound = TRUE;
        Loads++;
    }
    /* A DLL has no entry point (0); a program's must be in executable bytes. */
    if (!Loads || LowOffset != 0 || (Eh->e_entry && !EntryFound)) return STATUS_INVALID_IMAGE_FORMAT;
    *High |= PAGE_SIZE - 1;
    return STATUS_SUCCESS;
}

/* The segment's bytes through the frames' KSEG0 aliases (the pages are
 * fresh and zeroed, so the tail past p_filesz is already zero). */
static void MiCopySegment(PMMVAD Vad, const UCHAR *File, const ELF32_PHDR *Ph)
{
    for (ULONG Done = 0; Done < Ph->p_filesz; ) {
        ULONG Va = Ph->p_vaddr + Done;
        ULONG Entry = Vad->Page[(Va - Vad->StartingVa) >> PAGE_SHIFT];
        ULONG Chunk = PAGE_SIZE - (Va & (PAGE_SIZE - 1));
        if (Chunk > Ph->p_filesz - Done) Chunk = Ph->p_filesz - Done;
        memcpy((UCHAR *)MI_P2V(MI_PAGE_FRAME(Entry)) + (Va & (PAGE_SIZE - 1)),
               File + Ph->p_offset + Done, Chunk);
        Done += Chunk;
    }
}

/* The pages of every segment committed with the union of the flags of the
 * segments on the page. */
static NTSTATUS MiCommitSegments(PEPROCESS Process, PMMVAD Vad, const ELF32_PHDR *Ph, ULONG Count)
{
    for (ULONG Va = Vad->StartingVa; Va < Vad->EndingVa; Va += PAGE_SIZE) {
        ULONG Flags = 0;
        BOOLEAN Used = FALSE;
        for (ULONG i = 0; i < Count; i++) {
            if (Ph[i].p_type != PT_LOAD) continue;
            if (MI_PAGE_ALIGN(Ph[i].p_vaddr) <= Va && Va <= Ph[i].p_vaddr + Ph[i].p_memsz - 1)
                Flags |= Ph[i].p_flags, Used = TRUE;
        }
        if (!Used) continue;
        NTSTATUS Status = MiCommitPage(Process, Vad, Va, MiSegmentProtection(Flags));
        if (!NT_SUCCESS(Status)) return Status;
    }
    return STATUS_SUCCESS;
}

NTSTATUS MmMapImage(PEPROCESS Process, const UCHAR *File, ULONG Size, PULONG ImageBase,
                    PULONG Entry)
{
    ELF32_EHDR Eh;
    ELF32_PHDR Ph[MI_MAX_PHDRS];
    ULONG Low, High;
    if (!MiCheckHeader(File, Size, &Eh)) return STATUS_INVALID_IMAGE_FORMAT;
    NTSTATUS Status = MiScanSegments(File, Size, &Eh, Ph, &Low, &High);
    if (!NT_SUCCESS(Status)) return Status;
    if (!MiRangeIsFree(Process, Low, High)) return STATUS_CONFLICTING_ADDRESSES;
    PMMVAD Vad;
    Status = MiInsertVad(Process, Low, High, MEM_IMAGE, PAGE_EXECUTE_WRITECOPY, &Vad);
    if (!NT_SUCCESS(Status)) return Status;
    Status = MiCommitSegments(Process, Vad, Ph, Eh.e_phnum);
    if (!NT_SUCCESS(Status)) {
        MiDeleteVad(Process, Vad);
        return Status;
    }
    for (ULONG i = 0; i < Eh.e_phnum; i++)
        if (Ph[i].p_type == PT_LOAD) MiCopySegment(Vad, File, &Ph[i]);
    *ImageBase = Low;
    *Entry = Eh.e_entry;
    return STATUS_SUCCESS;
}
