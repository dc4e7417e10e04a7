/* thread.c - threads and waiting: CreateThread (a stack from
 * NtAllocateVirtualMemory, NtCreateThread starting at BaseThreadStartThunk),
 * ExitThread, priorities, WaitForSingleObject and Sleep. */
#include "k32.h"

#define USER_CS     0x1B                /* KGDT_R3_CODE | 3 */
#define USER_DS     0x23                /* KGDT_R3_DATA | 3 */
#define USER_TEB_FS 0x3B                /* KGDT_R3_TEB | 3 */
#define EFLAGS_IF   0x00000200

NTSTATUS BasepCreateStack(HANDLE Process, SIZE_T Size, PINITIAL_TEB InitialTeb)
{
    PVOID base = NULL;
    SIZE_T size = Size ? (Size + 0xFFF) & ~(SIZE_T)0xFFF : BASE_STACK_SIZE;
    NTSTATUS status = NtAllocateVirtualMemory(Process, &base, 0, &size, MEM_RESERVE | MEM_COMMIT,
                                              PAGE_READWRITE);
    if (!NT_SUCCESS(status))
        return status;
    InitialTeb->OldStackBase = NULL;
    InitialTeb->OldStackLimit = NULL;
    InitialTeb->StackBase = (PUCHAR)base + size;
    InitialTeb->StackLimit = base;
    InitialTeb->AllocatedStackBase = base;
    return STATUS_SUCCESS;
}

void BasepInitializeContext(PCONTEXT Context, PVOID Start, PVOID Routine, PVOID Parameter,
                            const INITIAL_TEB *InitialTeb)
{
    RtlZeroMemory(Context, sizeof *Context);
    Context->ContextFlags = CONTEXT_FULL;
    Context->Eip = (ULONG)Start;
    Context->Eax = (ULONG)Routine;
    Context->Ebx = (ULONG)Parameter;
    Context->Esp = (ULONG)InitialTeb->StackBase - 4;
    Context->SegCs = USER_CS;
    Context->SegDs = Context->SegEs = Context->SegSs = USER_DS;
    Context->SegFs = USER_TEB_FS;
    Context->EFlags = EFLAGS_IF;
}

HANDLE WINAPI CreateThread(LPSECURITY_ATTRIBUTES lpThreadAttributes, SIZE_T dwStackSize,
                           LPTHREAD_START_ROUTINE lpStartAddress, LPVOID lpParameter,
                           DWORD dwCreationFlags, LPDWORD lpThreadId)
{
    INITIAL_TEB initial_teb;
    CONTEXT context;
    CLIENT_ID cid;
    HANDLE thread = NULL;
    (void)lpThreadAttributes;

    NTSTATUS status = BasepCreateStack(NtCurrentProcess(), dwStackSize, &initial_teb);
    if (!NT_SUCCESS(status)) {
        BaseSetLastNTError(status);
        return NULL;
    }
    BasepInitializeContext(&context, (PVOID)BaseThreadStartThunk, (PVOID)lpStartAddress,
                           lpParameter, &initial_teb);
    status = NtCreateThread(&thread, THREAD_ALL_ACCESS, NULL, NtCurrentProcess(), &cid, &context,
                            &initial_teb, (dwCreationFlags & CREATE_SUSPENDED) != 0);
    if (!NT_SUCCESS(status)) {
        PVOID base = initial_teb.AllocatedStackBase;
        SIZE_T size = 0;
        NtFreeVirtualMemory(NtCurrentProcess(), &base, &size, MEM_RELEASE);
        BaseSetLastNTError(status);
        return NULL;
    }
    if (lpThreadId)
        *lpThreadId = (DWORD)cid.UniqueThread;
    return thread;
}

/* Reached from BaseThreadStartThunk with the thread's routine and parameter. */
void WINAPI BaseThreadStart(LPTHREAD_START_ROUTINE lpStartAddress, LPVOID lpParameter)
    __attribute__((noreturn));
void WINAPI BaseThreadStart(LPTHREAD_START_ROUTINE lpStartAddress, LPVOID lpParameter)
{
    ExitThread(lpStartAddress(lpParameter));
}

/* The kernel ends the process with its last thread. */
void WINAPI ExitThread(DWORD dwExitCode)
{
    for (;;)
        NtTerminateThread(NtCurrentThread(), (NTSTATUS)dwExitCode);
}

DWORD WINAPI ResumeThread(HANDLE hThread)
{
    ULONG previous = 0;
    NTSTATUS status = NtResumeThread(hThread, &previous);
    if (!NT_SUCCESS(status)) {
        BaseSetLastNTError(status);
        return (DWORD)-1;
    }
    return previous;
}

/* Win32 priorities are offsets from the process's base priority (8,
 * NORMAL_PRIORITY_CLASS); IDLE and TIME_CRITICAL pin the ends of the
 * dynamic range (1 and 15). */
#define BASE_PRIORITY_NORMAL 8

BOOL WINAPI SetThreadPriority(HANDLE hThread, int nPriority)
{
    KPRIORITY priority;
    if (nPriority == THREAD_PRIORITY_TIME_CRITICAL)
        priority = 15;
    else if (nPriority == THREAD_PRIORITY_IDLE)
        priority = 1;
    else if (nPriority >= THREAD_PRIORITY_LOWEST && nPriority <= THREAD_PRIORITY_HIGHEST)
        priority = BASE_PRIORITY_NORMAL + nPriority;
    else {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    NTSTATUS status = NtSetInformationThread(hThread, ThreadPriority, &priority, sizeof priority);
    if (!NT_SUCCESS(status)) {
        BaseSetLastNTError(status);
        return FALSE;
    }
    return TRUE;
}

BOOL WINAPI GetExitCodeThread(HANDLE hThread, LPDWORD lpExitCode)
{
    THREAD_BASIC_INFORMATION info;
    NTSTATUS status = NtQueryInformationThread(hThread, ThreadBasicInformation, &info,
                                               sizeof info, NULL);
    if (!NT_SUCCESS(status)) {
        BaseSetLastNTError(status);
        return FALSE;
    }
    *lpExitCode = (DWORD)info.ExitStatus;
    return TRUE;
}

/* Milliseconds as NT's timeout: negative = relative, in 100 ns units. */
PLARGE_INTEGER BaseFormatTimeOut(PLARGE_INTEGER Timeout, DWORD Milliseconds)
{
    if (Milliseconds == INFINITE)
        return NULL;
    Timeout->QuadPart = -(LONGLONG)Milliseconds * 10000;
    return Timeout;
}

DWORD WINAPI WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds)
{
    LARGE_INTEGER timeout;
    NTSTATUS status = NtWaitForSingleObject(hHandle, FALSE, BaseFormatTimeOut(&timeout, dwMilliseconds));
    if (!NT_SUCCESS(status)) {
        BaseSetLastNTError(status);
        return WAIT_FAILED;
    }
    return (DWORD)status;               /* WAIT_OBJECT_0, WAIT_ABANDONED or WAIT_TIMEOUT */
}

/* Sleep(0) gives up the rest of the quantum; INFINITE never returns. */
void WINAPI Sleep(DWORD dwMilliseconds)
{
    LARGE_INTEGER interval;
    if (dwMilliseconds == INFINITE)
        interval.QuadPart = (LONGLONG)0x8000000000000000ull;
    else
        BaseFormatTimeOut(&interval, dwMilliseconds);
    NtDelayExecution(FALSE, &interval);
}
