/* error.c - the thread's last error (TEB->LastErrorValue, fs:[0x34]), the
 * identities kept in the TEB, and the tick count read from
 * KUSER_SHARED_DATA. */
#include "k32.h"

DWORD WINAPI GetLastError(void)
{
    return NtCurrentTeb()->LastErrorValue;
}

void WINAPI SetLastError(DWORD dwErrCode)
{
    NtCurrentTeb()->LastErrorValue = dwErrCode;
}

ULONG BaseSetLastNTError(NTSTATUS Status)
{
    ULONG error = RtlNtStatusToDosError(Status);
    NtCurrentTeb()->LastStatusValue = Status;
    SetLastError(error);
    return error;
}

/* fs:[0x20] and fs:[0x24]: TEB->ClientId. */
DWORD WINAPI GetCurrentProcessId(void)
{
    DWORD id;
    __asm__ volatile ("movl %%fs:0x20, %0" : "=r"(id));
    return id;
}

DWORD WINAPI GetCurrentThreadId(void)
{
    DWORD id;
    __asm__ volatile ("movl %%fs:0x24, %0" : "=r"(id));
    return id;
}

HANDLE WINAPI GetCurrentProcess(void)
{
    return NtCurrentProcess();
}

HANDLE WINAPI GetCurrentThread(void)
{
    return NtCurrentThread();
}

/* Milliseconds since boot: (TickCountLow * TickCountMultiplier) >> 24, the
 * same sum int 2Ah makes in the kernel. */
DWORD WINAPI GetTickCount(void)
{
    ULONGLONG ms = (ULONGLONG)SharedUserData->TickCountLow * SharedUserData->TickCountMultiplier;
    return (DWORD)(ms >> 24);
}
