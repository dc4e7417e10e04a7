/* test_nttrace_boot.c - --trace=syscalls on the built-in kernel and its
 * demo programs (build/ringsim with no image): the paths the demos take are
 * all in the trace, every call ends exactly once on its own thread, every
 * callback returns where it was made, and two runs print the same bytes. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char trace_path[2][64];

static void teardown(void)
{
    for (int i = 0; i < 2; i++)
        if (trace_path[i][0]) unlink(trace_path[i]);
}

TestSuite(nttrace_boot, .fini = teardown, .timeout = 120);

static char *run_traced(int k, size_t *len)
{
    const char *b = getenv("BUILD");
    snprintf(trace_path[k], sizeof trace_path[k], "/tmp/ringsim-syscalls-XXXXXX");
    int fd = mkstemp(trace_path[k]);
    cr_assert_geq(fd, 0);
    close(fd);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s/ringsim --headless --serial null --trace=syscalls "
             "--trace-file %s 2>/dev/null", b && *b ? b : "build", trace_path[k]);
    int st = system(cmd);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: status %d", cmd, st);
    FILE *f = fopen(trace_path[k], "r");
    cr_assert_not_null(f);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc(*len + 1);
    cr_assert_eq(*len, fread(text, 1, *len, f));
    text[*len] = 0;
    fclose(f);
    return text;
}

struct open_call { char thread[32]; char what[72]; };

/* "[P.T] " then spaces, then "-> Name (0xN) via ..." and the like. */
static void check_nesting(char *text)
{
    static struct open_call stack[4096];
    size_t n = 0;
    unsigned calls = 0, ends = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char thread[32], kind[4], name[64];
        cr_assert_eq(3, sscanf(line, "[%31[0-9.]] %3s %63s", thread, kind, name), "%s", line);
        size_t indent = strspn(strchr(line, ']') + 2, " ");
        cr_assert_eq(0, indent % 2, "%s", line);
        /* The innermost open entry of this thread. */
        size_t top = n;
        while (top > 0 && strcmp(stack[top - 1].thread, thread)) top--;
        if (!strcmp(kind, "->") || !strcmp(kind, "=>")) {
            cr_assert_lt(n, 4096);
            snprintf(stack[n].thread, sizeof stack[n].thread, "%s", thread);
            snprintf(stack[n].what, sizeof stack[n].what, "%s%s", kind, name);
            n++;
            calls += kind[0] == '-';
        } else {
            cr_assert_gt(top, 0, "an end without a call: %s", line);
            const char *want = !strcmp(kind, "<-") ? "->" : "=>";
            cr_assert(!strncmp(stack[top - 1].what, want, 2), "%s closes %s", line,
                      stack[top - 1].what);
            if (kind[0] == '<' && kind[1] == '-')
                cr_assert_str_eq(stack[top - 1].what + 2, name, "%s", line);
            memmove(&stack[top - 1], &stack[top], (n - top) * sizeof stack[0]);
            n--;
            ends += kind[1] == '-';
        }
    }
    cr_assert_eq(0, n, "%zu calls or callbacks never ended", n);
    cr_assert_eq(calls, ends);
    cr_assert_gt(calls, 100);
}

Test(nttrace_boot, the_demos_show_every_path_and_every_call_ends)
{
    size_t len[2];
    char *a = run_traced(0, &len[0]);
    static const char *const must[] = {
        "-> NtWriteFile (0x112) via sysenter (0x8, ",
        "<- NtWriteFile (0x112) = 0x00000000 via sysexit, ",
        "-> NtWriteFile (0x112) via int 2Eh (0x8, ",
        "-> NtReadVirtualMemory (0xba) via sysenter (",
        "-> NtUserCallbackDemo (0x1000) via sysenter (",
        "]   => callback 0 to user via sysexit\n",
        "]       => callback 0 to user via sysexit\n",
        "-> NtCallbackReturn (0x14) via int 2Bh (",
        "<- NtCallbackReturn (0x14) does not return\n",
        "<= callback returned 0x",
        "<- NtContinue (0x20) does not return\n",
        "<- NtTerminateProcess (0x101) ends the thread\n",
        "<- NtTerminateThread (0x102) ends the thread\n",
        "-> NtCreateProcessEx (0x30) via sysenter (",
        "-> NtCreateThread (0x35) via sysenter (",
        "<- unknown (0x11c) = 0xC000001C via ",
    };
    for (unsigned i = 0; i < sizeof must / sizeof must[0]; i++)
        cr_expect(strstr(a, must[i]), "the trace has no \"%s\"", must[i]);
    char *b = run_traced(1, &len[1]);
    cr_assert_eq(len[0], len[1], "two runs, two traces");
    cr_assert_eq(0, memcmp(a, b, len[0]), "two runs, two traces");
    check_nesting(a);
    free(a);
    free(b);
}
