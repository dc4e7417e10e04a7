/* iotest.c - IoSelfTest: the I/O manager checked at boot, one console line
 * per check (inc/selftest.h): the ramdisk checks on a good image and on
 * broken ones, and the console File object through NtWriteFile and
 * NtReadFile from kernel and user callers, bad arguments included.  The
 * bytes written show on the console as lines starting "[console]", which
 * the host-side test reads back. */
#include "iop.h"
#include "../inc/mm.h"
#include "../inc/ob.h"
#include "../inc/ntstatus.h"
#include "../inc/selftest.h"

#define USER_PAGE 0x00400000u

static ETHREAD IopTestThread;

/* "RSRAMDK1", 2 files: "hello" (5 bytes at 0x90) and "world" (3 at 0xA0). */
static void IopBuildRamdisk(UCHAR *Disk)
{
    ULONG Head[2] = { 2, 0 }, Where[2][2] = { { 0x90, 5 }, { 0xA0, 3 } };
    memset(Disk, 0, 0xB0);
    memcpy(Disk, "RSRAMDK1", 8);
    memcpy(Disk + 8, Head, 8);
    memcpy(Disk + 16, "hello", 5);
    memcpy(Disk + 16 + 56, Where[0], 8);
    memcpy(Disk + 80, "world", 5);
    memcpy(Disk + 80 + 56, Where[1], 8);
    memcpy(Disk + 0x90, "HELLO", 5);
    memcpy(Disk + 0xA0, "abc", 3);
}

static void IopTestRamdisk(void)
{
    static UCHAR Disk[0xB0], Bad[0xB0];
    ULONG Count = 0, Size = 0, Refused = 0, Mask = 0, v;
    IopBuildRamdisk(Disk);
    const char *Why = IopCheckRamdisk(Disk, sizeof Disk, &Count);
    const UCHAR *World = IopFindInRamdisk(Disk, Count, "world", &Size);
    ST_CHECK("ramdisk: a good image, its files by name", !Why && Count == 2 && World == Disk + 0xA0 &&
             Size == 3 && !IopFindInRamdisk(Disk, Count, "hell", &Size), "%s, %u files",
             Why ? Why : "accepted", Count);
    for (ULONG Case = 0; Case < 7; Case++) {
        ULONG Length = sizeof Bad;
        memcpy(Bad, Disk, sizeof Bad);
        switch (Case) {
        case 0: Bad[0] = 'X'; break;                                    /* magic */
        case 1: Length = 12; break;                                     /* truncated header */
        case 2: v = 0x10000000; memcpy(Bad + 8, &v, 4); break;          /* count too large */
        case 3: v = 0xAE; memcpy(Bad + 80 + 56, &v, 4); break;          /* file past the end */
        case 4: v = 0xFFFFFFF0u; memcpy(Bad + 80 + 60, &v, 4); break;   /* size wraps */
        case 5: memset(Bad + 16, 'a', 56); break;                       /* name not terminated */
        default: memcpy(Bad + 80, "hello", 6); break;                   /* a name twice */
        }
        if (IopCheckRamdisk(Bad, Length, &Count)) Refused++;
        else Mask |= 1u << Case;
    }
    ST_CHECK("ramdisk: 7 broken images refused", Refused == 7, "accepted mask 0x%x", Mask);
}

static void IopTestKernelCalls(HANDLE Console, HANDLE NotAFile)
{
    static const char Line[] = "[console] written by the kernel\n";
    IO_STATUS_BLOCK Iosb = { -1, 0 };
    NTSTATUS s = NtWriteFile(Console, NULL, NULL, NULL, &Iosb, Line, sizeof Line - 1, NULL, NULL);
    ST_CHECK("NtWriteFile from the kernel: status block holds the length",
             s == STATUS_SUCCESS && Iosb.Status == STATUS_SUCCESS && Iosb.Information == sizeof Line - 1,
             "0x%x, iosb 0x%x/%u", s, Iosb.Status, Iosb.Information);
    NTSTATUS e1 = NtWriteFile((HANDLE)0x7FC, NULL, NULL, NULL, &Iosb, Line, 4, NULL, NULL);
    NTSTATUS e2 = NtWriteFile(NotAFile, NULL, NULL, NULL, &Iosb, Line, 4, NULL, NULL);
    NTSTATUS e3 = NtWriteFile(Console, (HANDLE)4, NULL, NULL, &Iosb, Line, 4, NULL, NULL);
    NTSTATUS e4 = NtWriteFile(Console, NULL, (PVOID)Line, NULL, &Iosb, Line, 4, NULL, NULL);
    ST_CHECK("NtWriteFile: bad handle, not a file, event or APC", e1 == STATUS_INVALID_HANDLE &&
             e2 == STATUS_OBJECT_TYPE_MISMATCH && e3 == STATUS_NOT_SUPPORTED && e4 == STATUS_NOT_SUPPORTED,
             "0x%x 0x%x 0x%x 0x%x", e1, e2, e3, e4);
    char Buffer[8];
    Iosb.Information = 99;
    s = NtReadFile(Console, NULL, NULL, NULL, &Iosb, Buffer, sizeof Buffer, NULL, NULL);
    ST_CHECK("NtReadFile: the console has no input", s == STATUS_END_OF_FILE &&
             Iosb.Status == STATUS_END_OF_FILE && Iosb.Information == 0, "0x%x, iosb 0x%x/%u", s,
             Iosb.Status, Iosb.Information);
}

/* The user buffer straddles the end of USER_PAGE's first page. */
static void IopTestUserCalls(PEPROCESS P, HANDLE Console)
{
    static const char Line[] = "[console] written from a user buffer across a page\n";
    ULONG Text = USER_PAGE + PAGE_SIZE - 20, IosbVa = USER_PAGE + 0x10;
    IO_STATUS_BLOCK Iosb = { -1, 0 };
    MmCopyToProcess(P, Text, Line, sizeof Line - 1);
    NTSTATUS s = NtWriteFile(Console, NULL, NULL, NULL, (PIO_STATUS_BLOCK)IosbVa, (PVOID)Text,
                             sizeof Line - 1, NULL, NULL);
    MmCopyFromProcess(P, &Iosb, IosbVa, sizeof Iosb);
    ST_CHECK("NtWriteFile from user mode: buffer and status block in the process",
             s == STATUS_SUCCESS && Iosb.Status == STATUS_SUCCESS && Iosb.Information == sizeof Line - 1,
             "0x%x, iosb 0x%x/%u", s, Iosb.Status, Iosb.Information);
    NTSTATUS e1 = NtWriteFile(Console, NULL, NULL, NULL, (PIO_STATUS_BLOCK)IosbVa,
                              (PVOID)(USER_PAGE + 2 * PAGE_SIZE - 4), 8, NULL, NULL);
    NTSTATUS e2 = NtWriteFile(Console, NULL, NULL, NULL, NULL, (PVOID)Text, 4, NULL, NULL);
    NTSTATUS e3 = NtWriteFile(Console, NULL, NULL, NULL, (PIO_STATUS_BLOCK)IosbVa,
                              (PVOID)(KSEG0_BASE + 0x100000), 4, NULL, NULL);
    NTSTATUS e4 = NtReadFile(Console, NULL, NULL, NULL, (PIO_STATUS_BLOCK)IosbVa,
                             (PVOID)MM_SHARED_USER_DATA_VA, 4, NULL, NULL);
    ST_CHECK("user-mode NtWriteFile/NtReadFile refuse unmapped, kernel, read-only and NULL pointers",
             e1 == STATUS_ACCESS_VIOLATION && e2 == STATUS_ACCESS_VIOLATION &&
             e3 == STATUS_ACCESS_VIOLATION && e4 == STATUS_ACCESS_VIOLATION, "0x%x 0x%x 0x%x 0x%x",
             e1, e2, e3, e4);
}

void IoSelfTest(void)
{
    PEPROCESS P;
    PVOID File;
    HANDLE Console = NULL, NotAFile = NULL;
    ULONG Base = USER_PAGE;
    IopTestRamdisk();
    if (!NT_SUCCESS(ObCreateObject(&PsProcessType, sizeof(EPROCESS), (PVOID *)&P)) ||
        !NT_SUCCESS(MmCreateProcessAddressSpace(P)) ||
        !NT_SUCCESS(MmAllocateVirtual(P, &Base, 2 * PAGE_SIZE, PAGE_READWRITE, MEM_PRIVATE)) ||
        !NT_SUCCESS(IoCreateConsoleFile(&File))) {
        ST_CHECK("console test process", FALSE, "%s", "could not be made");
        return;
    }
    ObInsertObject(P, File, 0, 0x3 /* FILE_READ_DATA | FILE_WRITE_DATA */, &Console);
    ObInsertObject(P, P, 0, 0x1F0FFF, &NotAFile);
    ObDereferenceObject(File);
    struct _KTHREAD *Saved = StEnter(&IopTestThread, P, KernelMode);
    IopTestKernelCalls(Console, NotAFile);
    IopTestThread.Tcb.PreviousMode = UserMode;
    IopTestUserCalls(P, Console);
    StLeave(Saved);
    ObKillProcess(P);
    MmDeleteProcessAddressSpace(P);
}
