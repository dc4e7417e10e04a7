/* crt0.c - a program's entry point.  The process's first thread starts in
 * kernel32!BaseProcessStartThunk, which calls _start; _start turns the
 * UNICODE command line of PEB->ProcessParameters into argc/argv (words
 * split at blanks, "double quotes" group a word with blanks; characters
 * beyond 8 bits become '?'), calls main and ends the process with its
 * result. */
#include <ntdll.h>
#include <windows.h>

int main(int argc, char **argv);

#define MAX_ARGS 32

static char  crt_cmdline[1024];
static char *crt_argv[MAX_ARGS + 1];

static int crt_split(char *s, char **argv)
{
    int argc = 0;
    while (*s && argc < MAX_ARGS) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s)
            break;
        char *out = s;
        argv[argc++] = out;
        int quoted = 0;
        for (; *s && (quoted || (*s != ' ' && *s != '\t')); s++) {
            if (*s == '"')
                quoted = !quoted;
            else
                *out++ = *s;
        }
        if (*s)
            s++;
        *out = '\0';
    }
    argv[argc] = NULL;
    return argc;
}

void _start(void) __attribute__((noreturn));
void _start(void)
{
    PRTL_USER_PROCESS_PARAMETERS params = NtCurrentPeb()->ProcessParameters;
    ULONG n = 0;
    if (params && params->CommandLine.Buffer) {
        ULONG chars = params->CommandLine.Length / sizeof(WCHAR);
        for (; n < chars && n < sizeof crt_cmdline - 1; n++) {
            WCHAR c = params->CommandLine.Buffer[n];
            crt_cmdline[n] = c < 0x100 ? (char)c : '?';
        }
    }
    crt_cmdline[n] = '\0';
    int argc = crt_split(crt_cmdline, crt_argv);
    ExitProcess((UINT)main(argc, crt_argv));
}
