/* smss - the session manager, the first user process the kernel starts.
 * Without arguments it runs the demo programs of nt-kernel.md one after the
 * other; with arguments ("smss.elf NAME ARGS...") it runs only NAME with
 * that command line.  Each child inherits the console handles and is
 * waited for (WaitForSingleObject on the process); its exit status is
 * printed.  When smss exits, the kernel stops the machine. */
#include <stdio.h>
#include <string.h>
#include <windows.h>

static const char *const demos[] = {
    "hello", "hello-int2e", "readmem", "spawn", "threads",
    "callback", "teb", "notify", "badcalls",
};

/* Run one command line; the status is the child's exit code, or the
 * Win32 error when it could not be started. */
static DWORD run(const char *name, char *command_line)
{
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    DWORD code = 0;

    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    if (!CreateProcessA(NULL, command_line, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
        DWORD error = GetLastError();
        printf("[smss] %s could not be started: error %lu\n", name, error);
        return error;
    }
    if (WaitForSingleObject(pi.hProcess, INFINITE) != WAIT_OBJECT_0)
        printf("[smss] waiting for %s failed: error %lu\n", name, GetLastError());
    if (!GetExitCodeProcess(pi.hProcess, &code))
        printf("[smss] %s: no exit code: error %lu\n", name, GetLastError());
    else
        printf("[smss] %s exited with 0x%08lx\n", name, code);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    return code;
}

/* The command line after smss's own name, as the child gets it. */
static char *tail_after_first_word(char *line)
{
    while (*line == ' ' || *line == '\t')
        line++;
    while (*line && *line != ' ' && *line != '\t')
        line++;
    while (*line == ' ' || *line == '\t')
        line++;
    return line;
}

int main(int argc, char **argv)
{
    static char command_line[1024];

    if (argc > 1) {
        char *tail = tail_after_first_word(GetCommandLineA());
        if (strlen(tail) >= sizeof command_line) {
            printf("[smss] the command line is too long\n");
            return 1;
        }
        strcpy(command_line, tail);
        printf("[smss] running %s\n", argv[1]);
        /* The program's exit status is the session's: ringsim run exits 1
         * when it is not 0 (or the program could not start). */
        return run(argv[1], command_line) == 0 ? 0 : 1;
    }
    printf("[smss] session manager: %u demo programs\n", (unsigned)(sizeof demos / sizeof demos[0]));
    for (unsigned i = 0; i < sizeof demos / sizeof demos[0]; i++) {
        printf("[smss] ---- %s ----\n", demos[i]);
        strcpy(command_line, demos[i]);
        run(demos[i], command_line);
    }
    printf("[smss] all demo programs have run\n");
    return 0;
}
