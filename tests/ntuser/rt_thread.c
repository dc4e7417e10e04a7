/* rt_thread - kernel32's threads, run by tests/ntuser/ntuser: CreateThread
 * suspended and not, the thread starting in BaseThreadStartThunk with its
 * parameter and its own TEB (0x7FFDD000, then a page lower), ResumeThread's
 * previous count, SetThreadPriority's range, ExitThread from deep inside a
 * thread, an exception handled on a thread's own SEH chain, and the exit
 * codes read back with GetExitCodeThread.  Each step waits for the thread,
 * so the output does not depend on scheduling. */
#include <stdio.h>
#include <ntdll.h>
#include <windows.h>

ULONG thread_probe(ULONG address);
extern const char thread_fault[], thread_resume[];
__asm__(
    "    .text\n"
    "    .globl thread_probe, thread_fault, thread_resume\n"
    "thread_probe:\n"
    "    mov  4(%esp), %ecx\n"
    "thread_fault:\n"
    "    mov  (%ecx), %eax\n"
    "thread_resume:\n"
    "    ret\n");

static ULONG main_thread_id;

static void report(ULONG n)
{
    PTEB teb = NtCurrentTeb();
    printf("thread %lu: TEB %p, own id: %s, TEB->ClientId agrees: %s, SEH chain empty: %s\n", n,
           (void *)teb, GetCurrentThreadId() != main_thread_id ? "yes" : "no",
           (ULONG)teb->ClientId.UniqueThread == GetCurrentThreadId() ? "yes" : "no",
           teb->NtTib.ExceptionList == EXCEPTION_CHAIN_END ? "yes" : "no");
}

static DWORD WINAPI plain(LPVOID parameter)
{
    report((ULONG)parameter);
    return 100 + (ULONG)parameter;
}

static __attribute__((noinline)) void inner_exit(ULONG code)
{
    ExitThread(code);
}

static __attribute__((noinline)) void outer_exit(ULONG code)
{
    inner_exit(code);
    printf("outer_exit: ExitThread came back?\n");
}

static DWORD WINAPI exits(LPVOID parameter)
{
    report((ULONG)parameter);
    outer_exit(55);
    return 1;
}

static EXCEPTION_DISPOSITION on_fault(PEXCEPTION_RECORD r, PEXCEPTION_REGISTRATION_RECORD f, PCONTEXT c, PVOID d)
{
    (void)f; (void)d;
    if (r->ExceptionCode != STATUS_ACCESS_VIOLATION || c->Eip != (ULONG)thread_fault)
        return ExceptionContinueSearch;
    c->Eip = (ULONG)thread_resume;
    c->Eax = 0xAB;
    return ExceptionContinueExecution;
}

static DWORD WINAPI faults(LPVOID parameter)
{
    EXCEPTION_REGISTRATION_RECORD reg = { EXCEPTION_CHAIN_END, on_fault };
    report((ULONG)parameter);
    __asm__ volatile ("movl %0, %%fs:0" : : "r"(&reg) : "memory");
    ULONG v = thread_probe(0x00000020);
    __asm__ volatile ("movl %0, %%fs:0" : : "r"(reg.Next) : "memory");
    printf("thread %lu: the fault was handled on this thread's chain, EAX 0x%lx\n", (ULONG)parameter, v);
    return v;
}

static void run(LPTHREAD_START_ROUTINE routine, ULONG n, BOOL suspended)
{
    DWORD id = 0, code = 0;
    HANDLE h = CreateThread(NULL, 0, routine, (LPVOID)n, suspended ? CREATE_SUSPENDED : 0, &id);
    if (!h) {
        printf("CreateThread failed: error %lu\n", GetLastError());
        return;
    }
    if (suspended) {
        GetExitCodeThread(h, &code);
        printf("thread %lu created suspended: exit code 0x%lx (STILL_ACTIVE)\n", n, code);
        BOOL high = SetThreadPriority(h, THREAD_PRIORITY_HIGHEST);
        BOOL bad = SetThreadPriority(h, 7);
        printf("SetThreadPriority: HIGHEST %d; 7 %d, error %lu\n", high, bad, GetLastError());
        DWORD previous = ResumeThread(h);  /* printed after the wait: the thread prints too */
        WaitForSingleObject(h, INFINITE);
        printf("ResumeThread: previous count %lu\n", previous);
    }
    DWORD wait = WaitForSingleObject(h, INFINITE);
    GetExitCodeThread(h, &code);
    printf("thread %lu: wait %lu, exit code %lu\n", n, wait, code);
    CloseHandle(h);
}

int main(void)
{
    main_thread_id = GetCurrentThreadId();
    run(plain, 1, TRUE);
    run(plain, 2, FALSE);
    run(exits, 3, FALSE);
    run(faults, 4, FALSE);
    return 0;
}
