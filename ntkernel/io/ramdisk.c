/* ramdisk.c - the boot files: the ramdisk that arrives as the first
 * Multiboot module (written by tools/mkramdisk.c: "RSRAMDK1", a count, a
 * reserved word, then 64-byte entries { name[56], offset, size } and the
 * files), and single files passed as further modules ("NAME args...").
 * The loader put them in physical memory below the kernel's free pages, so
 * they are read in place through KSEG0; a module's bounds may be given as
 * physical or as KSEG0 addresses.  A ramdisk that breaks any rule is
 * ignored as a whole, with one console line saying why. */
#include "iop.h"
#include "../inc/mm.h"
#include "../inc/rtl.h"

#define RD_HEADER 16u
#define RD_ENTRY  64u
#define RD_NAME   56u
#define IO_MAX_BOOT_FILES 16

typedef struct _RAMDISK_ENTRY {
    CHAR Name[RD_NAME];
    ULONG Offset, Size;
} RAMDISK_ENTRY;
_Static_assert(sizeof(RAMDISK_ENTRY) == RD_ENTRY, "a ramdisk entry is 64 bytes");

typedef struct _BOOT_FILE {
    CHAR Name[RD_NAME];
    const char *Arguments;
    const UCHAR *Data;
    ULONG Size;
} BOOT_FILE;

static const UCHAR *IopRamdisk;
static ULONG IopRamdiskFiles;
static BOOT_FILE IopBootFiles[IO_MAX_BOOT_FILES];
static ULONG IopBootFileCount;

static BOOLEAN IopNameEquals(const char *a, const char *b, ULONG Max)
{
    for (ULONG i = 0; i < Max; i++) {
        if (a[i] != b[i]) return FALSE;
        if (!a[i]) return TRUE;
    }
    return FALSE;
}

/* A module must lie in KSEG0 with its end after its start; *Start and
 * *End become physical. */
static const char *IopCheckRange(PULONG Start, PULONG End)
{
    if (*Start >= KSEG0_BASE && *End >= KSEG0_BASE) *Start -= KSEG0_BASE, *End -= KSEG0_BASE;
    if (*End < *Start) return "it ends before it starts";
    if (*End > KSEG0_SIZE) return "it is not below 16 MB";
    return NULL;
}

static const char *IopCheckEntry(const UCHAR *Disk, ULONG Size, ULONG Count, ULONG i)
{
    RAMDISK_ENTRY e;
    memcpy(&e, Disk + RD_HEADER + i * RD_ENTRY, sizeof e);
    ULONG n = 0;
    while (n < RD_NAME && e.Name[n]) n++;
    if (n == 0 || n == RD_NAME) return "a name is empty or not terminated";
    if (e.Offset < RD_HEADER + Count * RD_ENTRY || e.Offset > Size || Size - e.Offset < e.Size)
        return "a file lies outside the ramdisk";
    for (ULONG j = 0; j < i; j++)
        if (IopNameEquals((const char *)Disk + RD_HEADER + j * RD_ENTRY, e.Name, RD_NAME))
            return "two files have one name";
    return NULL;
}

const char *IopCheckRamdisk(const UCHAR *Disk, ULONG Size, PULONG Count)
{
    static const char Magic[8] = "RSRAMDK1";
    if (Size < RD_HEADER) return "it is shorter than its header";
    for (ULONG i = 0; i < 8; i++)
        if (Disk[i] != (UCHAR)Magic[i]) return "no RSRAMDK1 magic";
    memcpy(Count, Disk + 8, sizeof *Count);
    if (*Count > (Size - RD_HEADER) / RD_ENTRY) return "its table is larger than the ramdisk";
    for (ULONG i = 0; i < *Count; i++) {
        const char *Why = IopCheckEntry(Disk, Size, *Count, i);
        if (Why) return Why;
    }
    return NULL;
}

void IoInitRamdisk(ULONG ModuleStart, ULONG ModuleEnd)
{
    ULONG Count = 0;
    const char *Why = IopCheckRange(&ModuleStart, &ModuleEnd);
    if (!Why) Why = IopCheckRamdisk(MI_P2V(ModuleStart), ModuleEnd - ModuleStart, &Count);
    if (Why) {
        DbgPrint("IoInitRamdisk: ramdisk ignored: %s\n", Why);
        return;
    }
    IopRamdisk = MI_P2V(ModuleStart);
    IopRamdiskFiles = Count;
    /* No address (the loader's choice) and no size (any program's change
     * would move it): the transcript stays the same. */
    DbgPrint("IoInitRamdisk: %u files\n", Count);
}

void IoAddBootFile(const char *String, ULONG Start, ULONG End)
{
    const char *Why = IopCheckRange(&Start, &End);
    ULONG n = 0;
    while (String && String[n] && String[n] != ' ') n++;
    if (!Why && (n == 0 || n >= RD_NAME)) Why = "its name is empty or too long";
    if (!Why && IopBootFileCount == IO_MAX_BOOT_FILES) Why = "too many boot files";
    if (Why) {
        DbgPrint("IoAddBootFile: module ignored: %s\n", Why);
        return;
    }
    BOOT_FILE *f = &IopBootFiles[IopBootFileCount++];
    memcpy(f->Name, String, n);
    f->Name[n] = 0;
    while (String[n] == ' ') n++;
    f->Arguments = String + n;
    f->Data = MI_P2V(Start);
    f->Size = End - Start;
}

const UCHAR *IopFindInRamdisk(const UCHAR *Disk, ULONG Count, const char *Name, PULONG Size)
{
    for (ULONG i = 0; Disk && i < Count; i++) {
        RAMDISK_ENTRY e;
        memcpy(&e, Disk + RD_HEADER + i * RD_ENTRY, sizeof e);
        if (IopNameEquals(e.Name, Name, RD_NAME)) {
            *Size = e.Size;
            return Disk + e.Offset;
        }
    }
    return NULL;
}

/* Single boot files come first: a module can replace a ramdisk file. */
const UCHAR *IoFindBootFile(const char *Name, PULONG Size)
{
    for (ULONG i = 0; i < IopBootFileCount; i++) {
        if (IopNameEquals(IopBootFiles[i].Name, Name, RD_NAME)) {
            *Size = IopBootFiles[i].Size;
            return IopBootFiles[i].Data;
        }
    }
    return IopFindInRamdisk(IopRamdisk, IopRamdiskFiles, Name, Size);
}

const char *IoBootFileArguments(const char *Name)
{
    for (ULONG i = 0; i < IopBootFileCount; i++)
        if (IopNameEquals(IopBootFiles[i].Name, Name, RD_NAME)) return IopBootFiles[i].Arguments;
    return "";
}
