/* test_guest_demos.c - the demo programs (guest/apps) under the built-in
 * kernel: `build/ringsim --headless` boots it, smss runs every demo, and the
 * console from smss's first line to its last must equal
 * tests/golden/demos/session.txt (the same transcript QEMU prints, see make
 * qemu-compare).  Each demo's own golden file (tests/golden/demos/NAME.txt,
 * its header line to its exit status) must be one block of the session, so
 * the per-demo copies cannot drift from it.  The kernel's boot lines before
 * smss are the kernel tests' business. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const demos[] = {
    "hello", "hello-int2e", "readmem", "spawn", "threads", "callback", "teb", "notify", "badcalls",
};

static const char *build_dir(void)
{
    const char *b = getenv("BUILD");
    return b && *b ? b : "build";
}

static char *slurp(FILE *f)
{
    size_t cap = 1 << 16, n = 0, got;
    char *s = malloc(cap);
    cr_assert_not_null(s);
    while ((got = fread(s + n, 1, cap - 1 - n, f)) > 0) {
        n += got;
        if (n == cap - 1) {
            cap *= 2;
            s = realloc(s, cap);
            cr_assert_not_null(s);
        }
    }
    s[n] = '\0';
    return s;
}

static char *read_golden(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "tests/golden/demos/%s.txt", name);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s (run from the top directory)", path);
    char *s = slurp(f);
    fclose(f);
    return s;
}

/* The console from "[smss] session manager" to the line after
 * "[smss] all demo programs have run". */
static char *session_of(char *console)
{
    char *from = strstr(console, "[smss] session manager");
    cr_assert_not_null(from, "smss did not start; the console was:\n%s", console);
    char *last = strstr(from, "[smss] all demo programs have run\n");
    cr_assert_not_null(last, "smss did not finish; the console was:\n%s", console);
    last[strlen("[smss] all demo programs have run\n")] = '\0';
    return from;
}

TestSuite(guest_demos, .timeout = 300);

Test(guest_demos, every_demo_under_the_kernel_prints_the_golden_session)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s/ringsim --headless 2>/dev/null", build_dir());
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    char *console = slurp(p);
    int rc = pclose(p);
    cr_assert_eq(0, rc, "ringsim --headless: status %d", rc);
    char *got = session_of(console), *want = read_golden("session");
    /* Line by line, so that a difference names its line. */
    int line = 1;
    char *g = got, *w = want;
    while (*g || *w) {
        size_t gl = strcspn(g, "\n"), wl = strcspn(w, "\n");
        cr_assert(gl == wl && !memcmp(g, w, gl), "line %d:\n  got  %.*s\n  want %.*s", line, (int)gl, g,
                  (int)wl, w);
        g += gl + (g[gl] == '\n');
        w += wl + (w[wl] == '\n');
        line++;
    }
    free(console);
    free(want);
}

Test(guest_demos, each_demos_golden_file_is_its_block_of_the_session)
{
    char *session = read_golden("session");
    for (size_t i = 0; i < sizeof demos / sizeof demos[0]; i++) {
        char *demo = read_golden(demos[i]), header[64], trailer[96];
        snprintf(header, sizeof header, "[smss] ---- %s ----\n", demos[i]);
        snprintf(trailer, sizeof trailer, "[smss] %s exited with 0x", demos[i]);
        cr_assert_eq(0, strncmp(demo, header, strlen(header)), "%s.txt starts with its header", demos[i]);
        cr_assert_not_null(strstr(demo, trailer), "%s.txt has its exit status", demos[i]);
        cr_assert_not_null(strstr(session, demo), "%s.txt is not a block of session.txt", demos[i]);
        free(demo);
    }
    free(session);
}
