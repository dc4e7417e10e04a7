/* psinit.c - the System process and the session manager, the first user
 * process: its image, its console handles (input 0x4, output 0x8, error
 * 0xC, inheritable), its RTL_USER_PROCESS_PARAMETERS with the command line,
 * a 64 KB stack and its first thread at the program's entry point. */
#include "../inc/ke.h"
#include "../inc/ps.h"
#include "../inc/mm.h"
#include "../inc/ob.h"
#include "../inc/io.h"
#include "../inc/rtl.h"
#include "psp.h"

#define SMSS_STACK_SIZE 0x10000

/* The parameters block: the structure, then the command line and the
 * image path (UTF-16), all in one page, pointers absolute (normalized). */
static NTSTATUS PspCreateParameters(PEPROCESS Process, const char *CommandLine, HANDLE Std[3])
{
    ULONG Va = 0;
    NTSTATUS Status = MmAllocateVirtual(Process, &Va, PAGE_SIZE, PAGE_READWRITE, MEM_PRIVATE);
    if (!NT_SUCCESS(Status)) return Status;
    UCHAR *Page = ExAllocatePool(PAGE_SIZE);
    if (!Page) return STATUS_INSUFFICIENT_RESOURCES;
    PRTL_USER_PROCESS_PARAMETERS p = (PRTL_USER_PROCESS_PARAMETERS)Page;
    ULONG Offset = sizeof *p;
    WCHAR *Line = (WCHAR *)(Page + Offset);
    ULONG n = 0;
    while (CommandLine[n] && n < 500) Line[n] = (WCHAR)CommandLine[n], n++;
    Line[n] = 0;
    p->CommandLine = (UNICODE_STRING){ (USHORT)(2 * n), (USHORT)(2 * n + 2), (PWSTR)(Va + Offset) };
    ULONG NameLength = 0;
    while (CommandLine[NameLength] && CommandLine[NameLength] != ' ') NameLength++;
    p->ImagePathName = (UNICODE_STRING){ (USHORT)(2 * NameLength), (USHORT)(2 * n + 2), (PWSTR)(Va + Offset) };
    p->MaximumLength = p->Length = PAGE_SIZE;
    p->Flags = RTL_USER_PROC_PARAMS_NORMALIZED;
    p->StandardInput = Std[0];
    p->StandardOutput = Std[1];
    p->StandardError = Std[2];
    Status = MmCopyToProcess(Process, Va, Page, PAGE_SIZE);
    ExFreePool(Page);
    if (NT_SUCCESS(Status))
        Status = MmCopyToProcess(Process, (ULONG)&Process->Peb->ProcessParameters, &Va, sizeof Va);
    return Status;
}

NTSTATUS PspCreateSessionManager(const char *CommandLine, PEPROCESS *Result)
{
    char Image[64];
    ULONG i = 0;
    while (CommandLine[i] && CommandLine[i] != ' ' && i < sizeof Image - 1) Image[i] = CommandLine[i], i++;
    Image[i] = 0;
    PEPROCESS Process;
    NTSTATUS Status = PspCreateProcess(PsInitialSystemProcess, Image, FALSE, &Process);
    if (!NT_SUCCESS(Status)) return Status;
    PVOID Console;
    HANDLE Std[3];
    Status = IoCreateConsoleFile(&Console);
    for (int k = 0; k < 3 && NT_SUCCESS(Status); k++)
        Status = ObInsertObject(Process, Console, OBJ_INHERIT, 0x1F01FF /* FILE_ALL_ACCESS */, &Std[k]);
    if (NT_SUCCESS(Status)) ObDereferenceObject(Console);
    if (NT_SUCCESS(Status)) Status = PspCreateParameters(Process, CommandLine, Std);
    ULONG Stack = 0;
    if (NT_SUCCESS(Status)) Status = MmAllocateVirtual(Process, &Stack, SMSS_STACK_SIZE, PAGE_READWRITE, MEM_PRIVATE);
    if (!NT_SUCCESS(Status)) {
        ObDereferenceObject(Process);
        return Status;
    }
    CONTEXT Context;
    RtlZeroMemory(&Context, sizeof Context);
    Context.Eip = Process->ImageEntry;
    Context.Esp = Stack + SMSS_STACK_SIZE - 16;
    Context.EFlags = 0x202;
    INITIAL_TEB Teb = { 0, 0, (PVOID)(Stack + SMSS_STACK_SIZE), (PVOID)Stack, (PVOID)Stack };
    PETHREAD Thread;
    Status = PspCreateThread(Process, &Context, &Teb, FALSE, &Thread);
    if (!NT_SUCCESS(Status)) {
        ObDereferenceObject(Process);
        return Status;
    }
    *Result = Process;
    return STATUS_SUCCESS;
}
