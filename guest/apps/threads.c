/* threads - CreateThread (NtCreateThread 0x35 in the current process) and
 * priorities (SetThreadPriority -> NtSetInformationThread 0xE5,
 * ThreadPriority).  The output does not depend on timing: the high thread
 * (priority 10) sleeps; the low thread (priority 6, below the main
 * thread's 8) only runs once main waits, and spins on a flag without a
 * system call; only the clock can wake the high thread, which preempts the
 * spinner and sets the flag. */
#include <stdio.h>
#include <windows.h>

static volatile LONG flag;
static volatile LONG low_spinning;

static DWORD WINAPI high_thread(LPVOID parameter)
{
    printf("threads: high (%s) sleeps 50 ms\n", (const char *)parameter);
    Sleep(50);
    printf("threads: high woke by the clock; the low thread %s spinning\n",
           low_spinning ? "was" : "was not");
    flag = 1;
    return 10;
}

static DWORD WINAPI low_thread(LPVOID parameter)
{
    printf("threads: low (%s) spins until the flag is set\n", (const char *)parameter);
    low_spinning = 1;
    while (!flag)
        ;
    printf("threads: low saw the flag\n");
    return 6;
}

static HANDLE start(LPTHREAD_START_ROUTINE routine, const char *name, int priority)
{
    DWORD id;
    HANDLE h = CreateThread(NULL, 0, routine, (LPVOID)name, CREATE_SUSPENDED, &id);
    if (!h) {
        printf("threads: CreateThread failed: error %lu\n", GetLastError());
        return NULL;
    }
    if (!SetThreadPriority(h, priority))
        printf("threads: SetThreadPriority failed: error %lu\n", GetLastError());
    return h;
}

int main(void)
{
    DWORD high_code = 0, low_code = 0;
    HANDLE high = start(high_thread, "priority 10", THREAD_PRIORITY_HIGHEST);
    HANDLE low = start(low_thread, "priority 6", THREAD_PRIORITY_LOWEST);
    if (!high || !low)
        return 1;

    ResumeThread(high);                 /* runs at once: 10 > 8; then sleeps */
    ResumeThread(low);                  /* ready, but below main */
    printf("threads: main (priority 8) waits for the high thread\n");
    WaitForSingleObject(high, INFINITE);
    GetExitCodeThread(high, &high_code);
    printf("threads: high exited with %lu; main waits for the low thread\n", high_code);
    WaitForSingleObject(low, INFINITE);
    GetExitCodeThread(low, &low_code);
    printf("threads: low exited with %lu\n", low_code);
    CloseHandle(high);
    CloseHandle(low);
    return high_code == 10 && low_code == 6 ? 0 : 1;
}
