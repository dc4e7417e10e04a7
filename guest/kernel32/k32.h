/* k32.h - kernel32's internal helpers. */
#ifndef RS_K32_H
#define RS_K32_H

#include <ntdll.h>
#include <windows.h>

#define BASE_STACK_SIZE 0x10000         /* a new thread's stack when none is asked for */

/* SetLastError(RtlNtStatusToDosError(Status)); returns the error code. */
ULONG BaseSetLastNTError(NTSTATUS Status);

/* Reserve and commit a stack in Process; fills InitialTeb.  */
NTSTATUS BasepCreateStack(HANDLE Process, SIZE_T Size, PINITIAL_TEB InitialTeb);

/* A user-mode CONTEXT that starts at Start (BaseProcessStartThunk or
 * BaseThreadStartThunk) with EAX = Routine and EBX = Parameter. */
void BasepInitializeContext(PCONTEXT Context, PVOID Start, PVOID Routine, PVOID Parameter,
                            const INITIAL_TEB *InitialTeb);

/* An absolute timeout in milliseconds as NT's relative 100 ns interval;
 * NULL for INFINITE. */
PLARGE_INTEGER BaseFormatTimeOut(PLARGE_INTEGER Timeout, DWORD Milliseconds);

#endif
