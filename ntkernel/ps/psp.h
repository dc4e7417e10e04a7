/* psp.h - the process manager's internals shared by ps/ and the boot. */
#ifndef NTK_PSP_H
#define NTK_PSP_H

#include "../inc/ps.h"

HANDLE PspAllocateCid(void);
NTSTATUS PspCreateProcess(PEPROCESS Parent, const char *ImageName, BOOLEAN InheritHandles,
                          PEPROCESS *Result);
NTSTATUS PspCreatePeb(PEPROCESS Process);
NTSTATUS PspCreateThread(PEPROCESS Process, const CONTEXT *Context, const INITIAL_TEB *InitialTeb,
                         BOOLEAN CreateSuspended, PETHREAD *Result);
/* Ends Thread (the current one: does not return); the last thread ends
 * its process. */
void PspTerminateThread(PETHREAD Thread, NTSTATUS ExitStatus);
void PspTerminateProcess(PEPROCESS Process, NTSTATUS ExitStatus);
void PspDeleteProcess(PVOID Object);
void PspReapThread(PETHREAD Thread);
void PspNotifyProcess(PEPROCESS Process, BOOLEAN Create);
void PspNotifyThread(PETHREAD Thread, BOOLEAN Create);
void PspNotifyImageLoad(PEPROCESS Process, const char *Name, ULONG Base, ULONG Size);
/* A symbol's value (ps/psldr.c): the kernel reads ntdll's exports from its
 * symbol table. */
NTSTATUS PspLookupSymbol(const UCHAR *File, ULONG Size, const char *Name, PULONG Value);
NTSTATUS PspLookupKernelUserEntryPoints(void);
/* The session manager: the first user process (ps/psinit.c). */
NTSTATUS PspCreateSessionManager(const char *CommandLine, PEPROCESS *Process);

#endif
