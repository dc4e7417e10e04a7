/* notify - gives the kernel's driver-style module something to log: its
 * process, thread and image-load notify routines print on the console as
 * this program starts a process (hello.elf: image loads, a process and its
 * first thread) and a thread of its own. */
#include <stdio.h>
#include <string.h>
#include <windows.h>

static DWORD WINAPI worker(LPVOID parameter)
{
    (void)parameter;
    printf("notify: the second thread runs\n");
    return 0;
}

int main(void)
{
    static char line[] = "hello.elf";
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    DWORD code = 0;

    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    printf("notify: creating a process\n");
    if (!CreateProcessA(NULL, line, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
        printf("notify: CreateProcessA failed: error %lu\n", GetLastError());
        return 1;
    }
    WaitForSingleObject(pi.hProcess, INFINITE);
    GetExitCodeProcess(pi.hProcess, &code);
    printf("notify: the process exited with %lu\n", code);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);

    printf("notify: creating a thread\n");
    HANDLE t = CreateThread(NULL, 0, worker, NULL, 0, NULL);
    if (!t) {
        printf("notify: CreateThread failed: error %lu\n", GetLastError());
        return 1;
    }
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
    printf("notify: the thread has ended\n");
    return 0;
}
