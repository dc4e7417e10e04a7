/* spawn - CreateProcessA -> CreateProcessInternalW -> NtCreateProcessEx
 * (0x30) + NtCreateThread (0x35); the parent waits for the child
 * (NtWaitForSingleObject on the process) and reads its exit code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

int main(int argc, char **argv)
{
    if (argc > 2 && strcmp(argv[1], "child") == 0) {
        int n = atoi(argv[2]);
        printf("spawn child: asked for %d, exiting with %d\n", n, n * 6);
        return n * 6;
    }

    static char line[] = "spawn.elf child 7";
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    DWORD code = 0;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    printf("spawn: CreateProcessA(\"%s\")\n", line);
    if (!CreateProcessA(NULL, line, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
        printf("spawn: CreateProcessA failed: error %lu\n", GetLastError());
        return 1;
    }
    DWORD wait = WaitForSingleObject(pi.hProcess, INFINITE);
    GetExitCodeProcess(pi.hProcess, &code);
    printf("spawn: wait returned %lu; the child exited with %lu\n", wait, code);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);

    /* A program that is not in the ramdisk. */
    static char missing[] = "no-such-program.elf";
    if (CreateProcessA(NULL, missing, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
        printf("spawn: %s started?\n", missing);
        return 1;
    }
    printf("spawn: %s: error %lu\n", missing, GetLastError());
    return code == 42 ? 0 : 1;
}
