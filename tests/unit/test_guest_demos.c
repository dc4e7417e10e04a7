/* test_guest_demos.c - the golden transcript of each demo program
 * (tests/golden/demos/NAME.txt: smss's header line for it, its output with
 * the kernel's lines about it, its exit status) must be one block of the
 * session's golden transcript, tests/golden/ntkernel_session.txt, which the
 * kernel tests compare with a headless boot (and make qemu-compare with
 * QEMU's): so the per-demo copies cannot drift from what runs. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const demos[] = {
    "hello", "hello-int2e", "readmem", "spawn", "threads", "callback", "teb", "notify", "badcalls",
};

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

TestSuite(guest_demos);

Test(guest_demos, each_demos_golden_file_is_its_block_of_the_session)
{
    FILE *f = fopen("tests/golden/ntkernel_session.txt", "r");
    cr_assert_not_null(f, "tests/golden/ntkernel_session.txt (run from the top directory)");
    char *session = slurp(f);
    fclose(f);
    for (size_t i = 0; i < sizeof demos / sizeof demos[0]; i++) {
        char *demo = read_golden(demos[i]), header[64], trailer[96];
        snprintf(header, sizeof header, "[smss] ---- %s ----\n", demos[i]);
        snprintf(trailer, sizeof trailer, "[smss] %s exited with 0x", demos[i]);
        cr_assert_eq(0, strncmp(demo, header, strlen(header)), "%s.txt starts with its header", demos[i]);
        cr_assert_not_null(strstr(demo, trailer), "%s.txt has its exit status", demos[i]);
        cr_assert_not_null(strstr(session, demo), "%s.txt is not a block of ntkernel_session.txt", demos[i]);
        free(demo);
    }
    free(session);
}
