/* console.c - the console device behind File objects: NtWriteFile sends
 * the bytes to the HAL's console (COM1 and the debug port), NtReadFile finds
 * no input and reports the end of the file.  Both complete at once, so
 * there is never anything to wait for: an Event or an APC routine, which
 * NT would signal or queue on completion, is refused with
 * STATUS_NOT_SUPPORTED until the kernel has events to signal.  ByteOffset
 * and Key mean nothing to a console and are ignored, as NT's console does.
 * A user-mode caller's buffer is checked whole before the first byte goes
 * out, then copied through a bounce buffer in chunks. */
#include "../inc/io.h"
#include "../inc/ob.h"
#include "../inc/mm.h"
#include "../inc/ps.h"
#include "../inc/hal.h"
#include "../inc/rtl.h"
#include "../inc/ntstatus.h"

#define IO_TYPE_FILE    5
#define FILE_READ_DATA  0x0001
#define FILE_WRITE_DATA 0x0002
#define IOP_CHUNK       256

/* The part of NT's FILE_OBJECT a console file needs. */
typedef struct _FILE_OBJECT {
    USHORT Type;                /* IO_TYPE_FILE */
    USHORT Size;
    PVOID DeviceObject;         /* NULL: the console, the only device */
} FILE_OBJECT, *PFILE_OBJECT;

OBJECT_TYPE IoFileObjectType = { "File", NULL };

NTSTATUS IoCreateConsoleFile(PVOID *FileObject)
{
    PFILE_OBJECT File;
    NTSTATUS Status = ObCreateObject(&IoFileObjectType, sizeof *File, (PVOID *)&File);
    if (!NT_SUCCESS(Status)) return Status;
    File->Type = IO_TYPE_FILE;
    File->Size = sizeof *File;
    *FileObject = File;
    return STATUS_SUCCESS;
}

/* Every page of [P, P + Length) is a present user page (writable if
 * Write) of the current process. */
static BOOLEAN IopProbe(const void *P, ULONG Length, BOOLEAN Write)
{
    ULONG Va = (ULONG)P;
    if (Length == 0) return TRUE;
    if (Va + Length < Va || Va + Length > MM_USER_PROBE_ADDRESS) return FALSE;
    for (ULONG Page = Va & ~(PAGE_SIZE - 1); Page < Va + Length; Page += PAGE_SIZE)
        if (!MmUserPageAlias(PsGetCurrentProcess(), Page, Write)) return FALSE;
    return TRUE;
}

/* The checks both services share, in NT's order: the caller's pointers,
 * then the handle, then the completion options. */
static NTSTATUS IopStartRequest(KPROCESSOR_MODE Mode, HANDLE FileHandle, ACCESS_MASK Access,
                                HANDLE Event, PVOID ApcRoutine, PIO_STATUS_BLOCK IoStatusBlock,
                                const void *Buffer, ULONG Length, PFILE_OBJECT *File)
{
    if (Mode == UserMode) {
        if (!IoStatusBlock || !IopProbe(IoStatusBlock, sizeof *IoStatusBlock, TRUE))
            return STATUS_ACCESS_VIOLATION;
        if (!IopProbe(Buffer, Length, Access == FILE_READ_DATA)) return STATUS_ACCESS_VIOLATION;
    }
    NTSTATUS Status = ObReferenceObjectByHandle(FileHandle, Access, &IoFileObjectType, Mode,
                                                (PVOID *)File);
    if (!NT_SUCCESS(Status)) return Status;
    if (Event || ApcRoutine) {
        ObDereferenceObject(*File);
        return STATUS_NOT_SUPPORTED;
    }
    return STATUS_SUCCESS;
}

static void IopComplete(KPROCESSOR_MODE Mode, PIO_STATUS_BLOCK IoStatusBlock, NTSTATUS Status,
                        ULONG Information)
{
    IO_STATUS_BLOCK Iosb = { Status, Information };
    if (Mode == KernelMode) {
        if (IoStatusBlock) *IoStatusBlock = Iosb;
    } else {
        MmCopyToUser(IoStatusBlock, &Iosb, sizeof Iosb);
    }
}

NTSTATUS NTAPI NtWriteFile(HANDLE FileHandle, HANDLE Event, PVOID ApcRoutine, PVOID ApcContext,
                           PIO_STATUS_BLOCK IoStatusBlock, const void *Buffer, ULONG Length,
                           PLARGE_INTEGER ByteOffset, PULONG Key)
{
    KPROCESSOR_MODE Mode = KeGetCurrentThread()->PreviousMode;
    PFILE_OBJECT File;
    (void)ApcContext, (void)ByteOffset, (void)Key;
    NTSTATUS Status = IopStartRequest(Mode, FileHandle, FILE_WRITE_DATA, Event, ApcRoutine,
                                      IoStatusBlock, Buffer, Length, &File);
    if (!NT_SUCCESS(Status)) return Status;
    if (Mode == KernelMode) HalDisplayBytes(Buffer, Length);
    for (ULONG Done = 0; Mode == UserMode && Done < Length; ) {
        char Bounce[IOP_CHUNK];
        ULONG Chunk = Length - Done < IOP_CHUNK ? Length - Done : IOP_CHUNK;
        Status = MmCopyFromUser(Bounce, (const UCHAR *)Buffer + Done, Chunk);
        if (!NT_SUCCESS(Status)) break;
        HalDisplayBytes(Bounce, Chunk);
        Done += Chunk;
    }
    ObDereferenceObject(File);
    if (!NT_SUCCESS(Status)) return Status;
    IopComplete(Mode, IoStatusBlock, STATUS_SUCCESS, Length);
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI NtReadFile(HANDLE FileHandle, HANDLE Event, PVOID ApcRoutine, PVOID ApcContext,
                          PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length,
                          PLARGE_INTEGER ByteOffset, PULONG Key)
{
    KPROCESSOR_MODE Mode = KeGetCurrentThread()->PreviousMode;
    PFILE_OBJECT File;
    (void)ApcContext, (void)ByteOffset, (void)Key;
    NTSTATUS Status = IopStartRequest(Mode, FileHandle, FILE_READ_DATA, Event, ApcRoutine,
                                      IoStatusBlock, Buffer, Length, &File);
    if (!NT_SUCCESS(Status)) return Status;
    ObDereferenceObject(File);
    IopComplete(Mode, IoStatusBlock, STATUS_END_OF_FILE, 0);
    return STATUS_END_OF_FILE;
}
