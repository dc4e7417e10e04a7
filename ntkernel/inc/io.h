/* io.h - the I/O manager's small part: the boot ramdisk (the Multiboot
 * module carrying the programs) and the console device behind File
 * objects, with NtWriteFile and NtReadFile. */
#ifndef NTK_IO_H
#define NTK_IO_H

#include "pstypes.h"

/* The ramdisk format (tools/mkramdisk.c): "RSRAMDK1", count, 0, then count
 * entries of { char name[56]; ULONG offset, size; }, then the files. */
void IoInitRamdisk(ULONG ModuleStart, ULONG ModuleEnd);
/* Extra Multiboot modules: a file named by the first word of String. */
void IoAddBootFile(const char *String, ULONG Start, ULONG End);
/* The file's bytes (KSEG0), or NULL. */
const UCHAR *IoFindBootFile(const char *Name, PULONG Size);
/* The command-line words after NAME of a boot file added by IoAddBootFile
 * ("" if none). */
const char *IoBootFileArguments(const char *Name);

/* A File object on the console: the caller inserts it into a handle table. */
NTSTATUS IoCreateConsoleFile(PVOID *FileObject);

NTSTATUS NTAPI NtWriteFile(HANDLE FileHandle, HANDLE Event, PVOID ApcRoutine, PVOID ApcContext,
                           PIO_STATUS_BLOCK IoStatusBlock, const void *Buffer, ULONG Length,
                           PLARGE_INTEGER ByteOffset, PULONG Key);
NTSTATUS NTAPI NtReadFile(HANDLE FileHandle, HANDLE Event, PVOID ApcRoutine, PVOID ApcContext,
                          PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length,
                          PLARGE_INTEGER ByteOffset, PULONG Key);

/* Boot-time checks of the I/O manager ("selftest"). */
void IoSelfTest(void);

#endif
