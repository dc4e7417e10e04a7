/* mmtest.c - MmSelfTest: the memory manager checked at boot, one console
 * line per check (inc/selftest.h): the page allocator and the pool, two
 * address spaces with pages mapped into each and copies between them
 * (a partial one included), the six virtual-memory services from kernel
 * and user callers, the image mapper on a small ELF built here and on
 * malformed ones, and every page coming back when the spaces are deleted. */
#include "mi.h"
#include "../inc/ob.h"
#include "../inc/selftest.h"

#define A_DATA  0x00400000u     /* two pages in process A */
#define B_DATA  0x00600000u     /* three pages in process B */
#define IMAGE   0x00800000u

static ETHREAD MiTestThread;

static void MiTestPhysical(void)
{
    ULONG Before = MmAvailablePages, Pa[3], Bad = 0;
    for (int i = 0; i < 3; i++) {
        Pa[i] = MmAllocatePhysicalPage();
        const ULONG *p = MI_P2V(Pa[i]);
        for (ULONG j = 0; Pa[i] && j < PAGE_SIZE / 4; j++) Bad |= p[j];
        RtlFillMemory(MI_P2V(Pa[i]), PAGE_SIZE, 0xA5);
    }
    ULONG During = MmAvailablePages;
    for (int i = 0; i < 3; i++) if (Pa[i]) MmFreePhysicalPage(Pa[i]);
    ST_CHECK("physical pages: zeroed, distinct, counted, freed", Pa[0] && Pa[1] && Pa[2] &&
             Pa[0] != Pa[1] && Pa[1] != Pa[2] && !Bad && During == Before - 3 &&
             MmAvailablePages == Before, "pages 0x%x 0x%x 0x%x, available %u -> %u -> %u", Pa[0],
             Pa[1], Pa[2], Before, During, MmAvailablePages);
    ST_CHECK("physical pages: counters", MmNumberOfPhysicalPages == KSEG0_SIZE / PAGE_SIZE ||
             (MmNumberOfPhysicalPages && MmNumberOfPhysicalPages < KSEG0_SIZE / PAGE_SIZE),
             "%u pages, %u available", MmNumberOfPhysicalPages, MmAvailablePages);
}

static BOOLEAN MiIsZero(const void *P, ULONG Length)
{
    const UCHAR *b = P;
    for (ULONG i = 0; i < Length; i++) if (b[i]) return FALSE;
    return TRUE;
}

static BOOLEAN MiEqual(const void *P, const void *Q, ULONG Length)
{
    const UCHAR *a = P, *b = Q;
    for (ULONG i = 0; i < Length; i++) if (a[i] != b[i]) return FALSE;
    return TRUE;
}

static void MiTestPool(void)
{
    static const ULONG Sizes[] = { 1, 7, 8, 100, 1000, 2040, 2041, 3 * PAGE_SIZE + 5 };
    PVOID Block[8];
    ULONG Before = MmAvailablePages, Bad = 0;
    for (ULONG i = 0; i < 8; i++) {
        Block[i] = ExAllocatePool(Sizes[i]);
        if (!Block[i] || ((ULONG)Block[i] & 7) || !MiIsZero(Block[i], Sizes[i])) Bad |= 1u << i;
        else RtlFillMemory(Block[i], Sizes[i], 0x5A);
    }
    BOOLEAN LargeAligned = Block[7] && !((ULONG)Block[7] & (PAGE_SIZE - 1));
    for (ULONG i = 0; i < 8; i++) if (Block[i]) ExFreePool(Block[i]);
    ST_CHECK("pool: blocks zeroed and 8-aligned, large ones page runs", !Bad && LargeAligned,
             "bad sizes mask 0x%x, large block at 0x%x", Bad, (ULONG)Block[7]);
    /* Reuse after free hands back zeroed memory again. */
    PVOID Again = ExAllocatePool(100);
    BOOLEAN Zero = Again && MiIsZero(Again, 100);
    if (Again) ExFreePool(Again);
    ST_CHECK("pool: a reused block is zeroed", Zero, "block 0x%x", (ULONG)Again);
    static PVOID Many[600];
    for (ULONG i = 0; i < 600; i++) Many[i] = ExAllocatePool(16);
    ULONG During = MmAvailablePages;
    for (ULONG i = 0; i < 600; i++) if (Many[i]) ExFreePool(Many[i]);
    ST_CHECK("pool: empty pages go back to the page allocator",
             MmAvailablePages == Before && During < Before, "available %u -> %u -> %u", Before,
             During, MmAvailablePages);
}

static BOOLEAN MiSpaceLooksRight(PEPROCESS P)
{
    const ULONG *Pd = MI_P2V(P->Pcb.DirectoryTableBase[0]), *System = MI_P2V(MmKernelDirectoryTableBase);
    for (ULONG i = KSEG0_BASE >> 22; i < 1024; i++)
        if (i != PTE_BASE >> 22 && Pd[i] != System[i]) return FALSE;
    if ((Pd[PTE_BASE >> 22] & ~(PAGE_SIZE - 1)) != P->Pcb.DirectoryTableBase[0]) return FALSE;
    const ULONG *Pte = MiGetPte(P, MM_SHARED_USER_DATA_VA, FALSE);
    return Pte && *Pte == (MmSharedUserDataPhysical | PTE_VALID | PTE_OWNER) &&
           (Pd[MM_SHARED_USER_DATA_VA >> 22] & (PTE_OWNER | PTE_WRITE)) == (PTE_OWNER | PTE_WRITE);
}

/* Two spaces, pages in each, copies both ways and between them. */
static void MiTestSpaces(PEPROCESS A, PEPROCESS B)
{
    ULONG Base = A_DATA, BBase = B_DATA, Auto = 0, Copied = 0;
    NTSTATUS s1 = MmAllocateVirtual(A, &Base, 2 * PAGE_SIZE, PAGE_READWRITE, MEM_PRIVATE);
    NTSTATUS s2 = MmAllocateVirtual(B, &BBase, 3 * PAGE_SIZE, PAGE_READWRITE, MEM_PRIVATE);
    NTSTATUS s3 = MmAllocateVirtual(A, &Auto, 1, PAGE_READONLY, MEM_PRIVATE);
    ST_CHECK("address spaces: two made, system half shared, self-map and shared page",
             MiSpaceLooksRight(A) && MiSpaceLooksRight(B) &&
             A->Pcb.DirectoryTableBase[0] != B->Pcb.DirectoryTableBase[0], "A 0x%x B 0x%x",
             A->Pcb.DirectoryTableBase[0], B->Pcb.DirectoryTableBase[0]);
    ST_CHECK("MmAllocateVirtual: fixed and picked places", NT_SUCCESS(s1) && NT_SUCCESS(s2) &&
             NT_SUCCESS(s3) && Auto == MM_LOWEST_USER_ADDRESS && A->VadRoot->StartingVa == Auto &&
             A->VadRoot->Next->StartingVa == A_DATA, "0x%x 0x%x 0x%x, picked 0x%x", s1, s2, s3, Auto);
    ULONG Again = A_DATA + PAGE_SIZE;
    NTSTATUS s4 = MmAllocateVirtual(A, &Again, PAGE_SIZE, PAGE_READWRITE, MEM_PRIVATE);
    ST_CHECK("MmAllocateVirtual: an overlapping range is refused", s4 == STATUS_CONFLICTING_ADDRESSES,
             "0x%x", s4);

    static const char Text[] = "crosses a page boundary";
    char Back[sizeof Text] = { 0 };
    NTSTATUS w = MmCopyToProcess(A, A_DATA + PAGE_SIZE - 8, Text, sizeof Text);
    NTSTATUS r = MmCopyFromProcess(A, Back, A_DATA + PAGE_SIZE - 8, sizeof Text);
    ST_CHECK("MmCopyToProcess/MmCopyFromProcess across a page boundary", NT_SUCCESS(w) &&
             NT_SUCCESS(r) && MiEqual(Back, Text, sizeof Text) &&
             MmUserPageAlias(B, A_DATA, FALSE) == NULL, "0x%x 0x%x '%s'", w, r, Back);
    NTSTATUS e1 = MmCopyFromProcess(A, Back, 0x00500000, 4);
    NTSTATUS e2 = MmCopyFromProcess(A, Back, KSEG0_BASE + 0x100000, 4);
    NTSTATUS e3 = MmCopyToProcess(A, Auto, Text, 4);
    NTSTATUS e4 = MmCopyFromProcess(A, Back, A_DATA + 2 * PAGE_SIZE - 2, 4);
    ST_CHECK("copies refuse unmapped, kernel, read-only and half-mapped ranges",
             e1 == STATUS_ACCESS_VIOLATION && e2 == STATUS_ACCESS_VIOLATION &&
             e3 == STATUS_ACCESS_VIOLATION && e4 == STATUS_ACCESS_VIOLATION,
             "0x%x 0x%x 0x%x 0x%x", e1, e2, e3, e4);

    NTSTATUS c1 = MmCopyVirtualMemory(A, A_DATA + PAGE_SIZE - 8, B, B_DATA + 16, sizeof Text, &Copied);
    memset(Back, 0, sizeof Back);
    MmCopyFromProcess(B, Back, B_DATA + 16, sizeof Text);
    ST_CHECK("MmCopyVirtualMemory: A to B", c1 == STATUS_SUCCESS && Copied == sizeof Text &&
             MiEqual(Back, Text, sizeof Text), "0x%x, %u bytes, '%s'", c1, Copied, Back);
    /* A's region ends at A_DATA + 0x2000: a copy from A_DATA + 0x800 of
     * 0x2000 bytes gets 0x1800 of them (into B's second and third pages). */
    NTSTATUS c2 = MmCopyVirtualMemory(A, A_DATA + 0x800, B, B_DATA + PAGE_SIZE, 0x2000, &Copied);
    ST_CHECK("MmCopyVirtualMemory: partial copy stops at the first missing page",
             c2 == STATUS_PARTIAL_COPY && Copied == 0x1800, "0x%x, %u bytes", c2, Copied);
}

/* ---- the services, called as the kernel (PreviousMode KernelMode) --------- */

static ULONG MiQueryState(ULONG Va, ULONG *Size, ULONG *Protect)
{
    MEMORY_BASIC_INFORMATION Info;
    NTSTATUS s = NtQueryVirtualMemory(NtCurrentProcess(), (PVOID)Va, 0, &Info, sizeof Info, NULL);
    if (!NT_SUCCESS(s)) return s;
    if (Size) *Size = Info.RegionSize;
    if (Protect) *Protect = Info.Protect;
    return Info.State;
}

static void MiTestKernelServices(void)
{
    PVOID Base = (PVOID)0x12345678;
    ULONG Size = 0x3000, Qsize = 0, Qprot = 0, Old = 0;
    NTSTATUS s = NtAllocateVirtualMemory(NtCurrentProcess(), &Base, 0, &Size, MEM_RESERVE, PAGE_READWRITE);
    ST_CHECK("NtAllocateVirtualMemory: MEM_RESERVE rounds the base to 64 KB, the end to a page",
             s == STATUS_SUCCESS && Base == (PVOID)0x12340000 && Size == 0x9000, "0x%x, 0x%x + 0x%x",
             s, (ULONG)Base, Size);
    PVOID Commit = (PVOID)0x12341234;
    ULONG CSize = 0x10;
    s = NtAllocateVirtualMemory(NtCurrentProcess(), &Commit, 0, &CSize, MEM_COMMIT, PAGE_READWRITE);
    ULONG State = MiQueryState(0x12341000, &Qsize, &Qprot), Rest = MiQueryState(0x12340000, &Size, NULL);
    ST_CHECK("NtAllocateVirtualMemory: MEM_COMMIT in a reserved range; NtQueryVirtualMemory sees it",
             s == STATUS_SUCCESS && Commit == (PVOID)0x12341000 && CSize == PAGE_SIZE &&
             State == MEM_COMMIT && Qsize == PAGE_SIZE && Qprot == PAGE_READWRITE &&
             Rest == MEM_RESERVE && Size == PAGE_SIZE, "0x%x 0x%x 0x%x 0x%x 0x%x 0x%x", s,
             (ULONG)Commit, CSize, State, Qsize, Rest);

    PVOID b1 = (PVOID)0x12348000, b2 = (PVOID)0x20000000, b3 = (PVOID)0x30000000, b4 = NULL;
    ULONG z1 = 0x1000, z2 = 0x1000, z3 = 0x1000, z4 = 0x1000;
    NTSTATUS e1 = NtAllocateVirtualMemory(NtCurrentProcess(), &b1, 0, &z1, MEM_RESERVE, PAGE_READWRITE);
    NTSTATUS e2 = NtAllocateVirtualMemory(NtCurrentProcess(), &b2, 0, &z2, MEM_COMMIT, PAGE_READWRITE);
    NTSTATUS e3 = NtAllocateVirtualMemory(NtCurrentProcess(), &b3, 0, &z3, MEM_COMMIT, 0x3);
    NTSTATUS e4 = NtAllocateVirtualMemory(NtCurrentProcess(), &b4, 0, &z4, MEM_DECOMMIT, PAGE_READWRITE);
    NTSTATUS e5 = NtAllocateVirtualMemory(NtCurrentProcess(), &b4, 22, &z4, MEM_COMMIT, PAGE_READWRITE);
    NTSTATUS e6 = NtAllocateVirtualMemory(NtCurrentProcess(), &b3, 0, &z3, MEM_COMMIT, PAGE_WRITECOPY);
    ST_CHECK("NtAllocateVirtualMemory: conflicts, unreserved commit, bad protections and types",
             e1 == STATUS_CONFLICTING_ADDRESSES && e2 == STATUS_CONFLICTING_ADDRESSES &&
             e3 == STATUS_INVALID_PAGE_PROTECTION && e4 == STATUS_INVALID_PARAMETER_5 &&
             e5 == STATUS_INVALID_PARAMETER_3 && e6 == STATUS_INVALID_PAGE_PROTECTION,
             "0x%x 0x%x 0x%x 0x%x 0x%x 0x%x", e1, e2, e3, e4, e5, e6);

    Commit = (PVOID)0x12341000;
    CSize = PAGE_SIZE;
    s = NtProtectVirtualMemory(NtCurrentProcess(), &Commit, &CSize, PAGE_NOACCESS, &Old);
    PEPROCESS Self = PsGetCurrentProcess();
    BOOLEAN Hidden = MmUserPageAlias(Self, 0x12341000, FALSE) == NULL;
    NTSTATUS s2 = NtProtectVirtualMemory(NtCurrentProcess(), &Commit, &CSize, PAGE_READONLY, &Old);
    BOOLEAN ReadOnly = MmUserPageAlias(Self, 0x12341000, FALSE) && !MmUserPageAlias(Self, 0x12341000, TRUE);
    PVOID Reserved = (PVOID)0x12342000;
    NTSTATUS e7 = NtProtectVirtualMemory(NtCurrentProcess(), &Reserved, &CSize, PAGE_READONLY, &Old);
    ST_CHECK("NtProtectVirtualMemory: NOACCESS leaves the PTE not present, READONLY not writable",
             s == STATUS_SUCCESS && s2 == STATUS_SUCCESS && Hidden && ReadOnly &&
             Old == PAGE_NOACCESS && e7 == STATUS_NOT_COMMITTED, "0x%x 0x%x %d %d old 0x%x 0x%x", s,
             s2, Hidden, ReadOnly, Old, e7);

    PVOID Mid = (PVOID)0x12341000, Nowhere = (PVOID)0x50000000;
    ULONG Zero = 0;
    NTSTATUS f1 = NtFreeVirtualMemory(NtCurrentProcess(), &Mid, &Zero, MEM_RELEASE);
    NTSTATUS f2 = NtFreeVirtualMemory(NtCurrentProcess(), &Nowhere, &Zero, MEM_RELEASE);
    NTSTATUS f3 = NtFreeVirtualMemory(NtCurrentProcess(), &Mid, &Zero, MEM_RELEASE | MEM_DECOMMIT);
    ULONG One = PAGE_SIZE;
    NTSTATUS f4 = NtFreeVirtualMemory(NtCurrentProcess(), &Mid, &One, MEM_DECOMMIT);
    ULONG After = MiQueryState(0x12341000, NULL, NULL);
    PVOID Whole = (PVOID)0x12340000;
    NTSTATUS f5 = NtFreeVirtualMemory(NtCurrentProcess(), &Whole, &Zero, MEM_RELEASE);
    ULONG Gone = MiQueryState(0x12340000, &Qsize, NULL);
    ST_CHECK("NtFreeVirtualMemory: not at base, not allocated, bad type, decommit, release",
             f1 == STATUS_FREE_VM_NOT_AT_BASE && f2 == STATUS_MEMORY_NOT_ALLOCATED &&
             f3 == STATUS_INVALID_PARAMETER_4 && f4 == STATUS_SUCCESS && After == MEM_RESERVE &&
             f5 == STATUS_SUCCESS && Zero == 0x9000 && Gone == MEM_FREE,
             "0x%x 0x%x 0x%x 0x%x 0x%x 0x%x size 0x%x 0x%x", f1, f2, f3, f4, After, f5, Zero, Gone);
}

/* ---- the services, called from user mode: every pointer is A's ------------- */

static void MiTestUserServices(PEPROCESS A, HANDLE ToB)
{
    ULONG Args[2] = { 0, 0x1800 }, Out[2] = { 0, 0 }, Copied = 0;
    MmCopyToProcess(A, A_DATA, Args, sizeof Args);
    NTSTATUS s = NtAllocateVirtualMemory(NtCurrentProcess(), (PVOID *)A_DATA, 0, (PULONG)(A_DATA + 4),
                                         MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    MmCopyFromProcess(A, Out, A_DATA, sizeof Out);
    ST_CHECK("NtAllocateVirtualMemory from user mode: arguments through A's pages",
             s == STATUS_SUCCESS && Out[0] == 0x20000 && Out[1] == 0x2000 &&
             MmUserPageAlias(A, Out[0] + PAGE_SIZE, TRUE) != NULL, "0x%x, 0x%x + 0x%x", s, Out[0], Out[1]);
    NTSTATUS e1 = NtAllocateVirtualMemory(NtCurrentProcess(), (PVOID *)(KSEG0_BASE + 0x100000), 0,
                                          (PULONG)(A_DATA + 4), MEM_COMMIT, PAGE_READWRITE);
    NTSTATUS e2 = NtAllocateVirtualMemory(NtCurrentProcess(), (PVOID *)A_DATA, 0, NULL, MEM_COMMIT,
                                          PAGE_READWRITE);
    NTSTATUS e3 = NtQueryVirtualMemory(NtCurrentProcess(), (PVOID)A_DATA, 0, (PVOID)0x00500000, 28, NULL);
    NTSTATUS e4 = NtQueryVirtualMemory(NtCurrentProcess(), (PVOID)A_DATA, 0, (PVOID)A_DATA, 27, NULL);
    NTSTATUS e5 = NtQueryVirtualMemory(NtCurrentProcess(), (PVOID)A_DATA, 1, (PVOID)A_DATA, 28, NULL);
    ST_CHECK("user-mode services refuse kernel, NULL and unmapped argument pointers",
             e1 == STATUS_ACCESS_VIOLATION && e2 == STATUS_ACCESS_VIOLATION &&
             e3 == STATUS_ACCESS_VIOLATION && e4 == STATUS_INFO_LENGTH_MISMATCH &&
             e5 == STATUS_INVALID_INFO_CLASS, "0x%x 0x%x 0x%x 0x%x 0x%x", e1, e2, e3, e4, e5);

    /* B holds "crosses a page boundary" at B_DATA + 16 (MiTestSpaces). */
    char Back[24] = { 0 };
    s = NtReadVirtualMemory(ToB, (PVOID)(B_DATA + 16), (PVOID)(A_DATA + 0x100), 23, (PULONG)(A_DATA + 8));
    MmCopyFromProcess(A, Back, A_DATA + 0x100, 23);
    MmCopyFromProcess(A, &Copied, A_DATA + 8, 4);
    ST_CHECK("NtReadVirtualMemory: B's bytes into A's buffer", s == STATUS_SUCCESS && Copied == 23 &&
             MiEqual(Back, "crosses a page boundary", 23), "0x%x, %u bytes, '%s'", s, Copied, Back);
    s = NtWriteVirtualMemory(ToB, (PVOID)(B_DATA + 3 * PAGE_SIZE - 0x10), (PVOID)A_DATA, 0x40,
                             (PULONG)(A_DATA + 8));
    MmCopyFromProcess(A, &Copied, A_DATA + 8, 4);
    NTSTATUS s2 = NtReadVirtualMemory(ToB, (PVOID)(B_DATA + 16), (PVOID)(KSEG0_BASE + 0x100000), 4, NULL);
    NTSTATUS s3 = NtReadVirtualMemory(ToB, (PVOID)0x7FFEFFF0, (PVOID)A_DATA, 0x20, NULL);
    NTSTATUS s4 = NtReadVirtualMemory((HANDLE)0x1234, (PVOID)B_DATA, (PVOID)A_DATA, 4, NULL);
    NTSTATUS s5 = NtReadVirtualMemory(ToB, (PVOID)B_DATA, (PVOID)0x00500000, 4, NULL);
    ST_CHECK("NtWriteVirtualMemory partial copy; bad buffer, address, handle",
             s == STATUS_PARTIAL_COPY && Copied == 0x10 && s2 == STATUS_ACCESS_VIOLATION &&
             s3 == STATUS_ACCESS_VIOLATION && s4 == STATUS_INVALID_HANDLE &&
             s5 == STATUS_ACCESS_VIOLATION, "0x%x %u 0x%x 0x%x 0x%x 0x%x", s, Copied, s2, s3, s4, s5);
}

/* ---- the image mapper ------------------------------------------------------- */

/* A 0x100-byte ET_EXEC image: the header, two program headers, and code at
 * 0x80: segment 0 R+X at IMAGE (offset 0, 0x100 bytes in the file, 0x1800
 * in memory), segment 1 R+W at IMAGE + 0x2000 (no file bytes, 0x10 in memory). */
static void MiBuildImage(UCHAR *File)
{
    static const UCHAR Ident[16] = { 0x7F, 'E', 'L', 'F', 1, 1, 1 };
    ULONG Ph[2][8] = {
        { 1, 0, IMAGE, IMAGE, 0x100, 0x1800, 5, PAGE_SIZE },
        { 1, 0, IMAGE + 0x2000, IMAGE + 0x2000, 0, 0x10, 6, PAGE_SIZE },
    };
    memset(File, 0, 0x100);
    memcpy(File, Ident, 16);
    USHORT Half[2] = { 2 /* ET_EXEC */, 3 /* EM_386 */ };
    ULONG Word[5] = { 1, IMAGE + 0x80, 52, 0, 0 };
    USHORT Tail[6] = { 52, 32, 2, 0, 0, 0 };
    memcpy(File + 16, Half, 4);
    memcpy(File + 20, Word, 20);
    memcpy(File + 40, Tail, 12);
    memcpy(File + 52, Ph, sizeof Ph);
    File[0x80] = 0xC3;                  /* ret */
}

/* One byte or word of a good image changed; every one must be refused. */
static NTSTATUS MiMapBroken(PEPROCESS P, const UCHAR *Good, ULONG Case)
{
    static UCHAR File[0x100];
    ULONG Size = 0x100, Base, Entry, v;
    memcpy(File, Good, sizeof File);
    switch (Case) {
    case 0: Size = 40; break;                                           /* truncated header */
    case 1: for (ULONG i = 0; i < Size; i++) File[i] = (UCHAR)(i * 7 + 3); break;   /* garbage */
    case 2: File[18] = 0x3E; break;                                     /* EM_X86_64 */
    case 3: v = 0x1000; memcpy(File + 28, &v, 4); break;                /* e_phoff past the end */
    case 4: v = 0x2000; memcpy(File + 52 + 16, &v, 4); break;           /* p_filesz > p_memsz */
    case 5: v = 0x80000000u; memcpy(File + 52 + 8, &v, 4); break;       /* in the kernel's half */
    case 6: v = 0x7FFDF000u; memcpy(File + 52 + 32 + 8, &v, 4); break;  /* on the PEB */
    case 7: v = IMAGE + 0x1000; memcpy(File + 52 + 32 + 8, &v, 4); break;   /* overlapping */
    case 8: v = IMAGE + 0x2010; memcpy(File + 52 + 32 + 8, &v, 4);
            v = 0x4; memcpy(File + 52 + 32 + 4, &v, 4); break;           /* offset/address misaligned */
    case 9: v = IMAGE + 0x2004; memcpy(File + 24, &v, 4); break;        /* entry not executable */
    case 10: v = 0x200; memcpy(File + 52 + 16, &v, 4); memcpy(File + 52 + 20, &v, 4); break; /* past the file */
    case 11: v = 0xFFFFF000u; memcpy(File + 52 + 4, &v, 4); break;      /* offset wraps */
    default: File[16] = 3; break;                                       /* ET_DYN */
    }
    return MmMapImage(P, File, Size, &Base, &Entry);
}

static void MiTestImage(PEPROCESS A)
{
    static UCHAR File[0x100];
    ULONG Base = 0, Entry = 0, Refused = 0, Mask = 0;
    UCHAR Head[0x100], Tail = 0xFF;
    MiBuildImage(File);
    for (ULONG Case = 0; Case < 13; Case++) {
        NTSTATUS s = MiMapBroken(A, File, Case);
        if (s == STATUS_INVALID_IMAGE_FORMAT) Refused++;
        else Mask |= 1u << Case;
    }
    ST_CHECK("MmMapImage: 13 malformed images refused, none mapped", Refused == 13 &&
             MiLocateVad(A, IMAGE) == NULL, "accepted or wrong status: mask 0x%x", Mask);
    NTSTATUS s = MmMapImage(A, File, sizeof File, &Base, &Entry);
    MmCopyFromProcess(A, Head, IMAGE, sizeof Head);
    MmCopyFromProcess(A, &Tail, IMAGE + 0x17FF, 1);
    PMMVAD Vad = MiLocateVad(A, IMAGE);
    ST_CHECK("MmMapImage: a good image mapped with its header, zeroed tail and protections",
             s == STATUS_SUCCESS && Base == IMAGE && Entry == IMAGE + 0x80 && MiEqual(Head, File, 0x100) &&
             Tail == 0 && Vad && Vad->Type == MEM_IMAGE && !MmUserPageAlias(A, IMAGE, TRUE) &&
             MmUserPageAlias(A, IMAGE + 0x2000, TRUE) && !MmUserPageAlias(A, IMAGE + 0x3000, FALSE),
             "0x%x base 0x%x entry 0x%x tail 0x%x", s, Base, Entry, Tail);
    NTSTATUS s2 = MmMapImage(A, File, sizeof File, &Base, &Entry);
    ST_CHECK("MmMapImage: onto a mapped image is a conflict", s2 == STATUS_CONFLICTING_ADDRESSES,
             "0x%x", s2);
    /* A library (ntdll, kernel32): e_entry 0, no entry point to check. */
    ULONG Zero = 0, Moved[2] = { IMAGE + 0x100000, IMAGE + 0x102000 };
    memcpy(File + 24, &Zero, 4);
    memcpy(File + 52 + 8, &Moved[0], 4);
    memcpy(File + 52 + 32 + 8, &Moved[1], 4);
    NTSTATUS s3 = MmMapImage(A, File, sizeof File, &Base, &Entry);
    ST_CHECK("MmMapImage: a library with no entry point", s3 == STATUS_SUCCESS &&
             Base == IMAGE + 0x100000 && Entry == 0, "0x%x base 0x%x entry 0x%x", s3, Base, Entry);
}

void MmSelfTest(void)
{
    MiTestPhysical();
    MiTestPool();
    PEPROCESS A, B;
    if (!NT_SUCCESS(ObCreateObject(&PsProcessType, sizeof(EPROCESS), (PVOID *)&A)) ||
        !NT_SUCCESS(ObCreateObject(&PsProcessType, sizeof(EPROCESS), (PVOID *)&B))) {
        ST_CHECK("test processes", FALSE, "%s", "no pool");
        return;
    }
    ULONG Before = MmAvailablePages;
    NTSTATUS ca = MmCreateProcessAddressSpace(A), cb = MmCreateProcessAddressSpace(B);
    if (!NT_SUCCESS(ca) || !NT_SUCCESS(cb)) {
        ST_CHECK("MmCreateProcessAddressSpace", FALSE, "0x%x 0x%x", ca, cb);
        return;
    }
    MiTestSpaces(A, B);
    struct _KTHREAD *Saved = StEnter(&MiTestThread, A, KernelMode);
    MiTestKernelServices();
    HANDLE ToB = NULL;
    ObInsertObject(A, B, 0, 0x1F0FFF /* PROCESS_ALL_ACCESS */, &ToB);
    MiTestThread.Tcb.PreviousMode = UserMode;
    MiTestUserServices(A, ToB);
    StLeave(Saved);
    MiTestImage(A);
    ObKillProcess(A);
    MmDeleteProcessAddressSpace(A);
    MmDeleteProcessAddressSpace(B);
    ST_CHECK("MmDeleteProcessAddressSpace: every page comes back", MmAvailablePages == Before &&
             A->VadRoot == NULL && B->VadRoot == NULL, "available %u, was %u", MmAvailablePages, Before);
    /* The process objects stay: ps/'s delete procedure expects real processes. */
}
