/* test_ntkernel_qemu.c - the built-in kernel's boot transcript is the same
 * on both machines: ntkernel/qemu-compare.sh (make qemu-compare) boots
 * build/ntkernel.elf under ringsim and qemu-system-i386, checks that both
 * stop through isa-debug-exit with the success value, and diffs the COM1
 * transcripts. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

Test(ntkernel_qemu, boot_transcript_is_identical_under_ringsim_and_qemu, .timeout = 150)
{
    const char *b = getenv("BUILD");
    char cmd[512], out[4096] = "";
    snprintf(cmd, sizeof cmd, "sh ntkernel/qemu-compare.sh %s 2>&1", b && *b ? b : "build");
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = 0;
    int rc = pclose(p);
    printf("guest ntkernel: %s", out);
    cr_expect(rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "qemu-compare failed:\n%s", out);
    cr_expect(strstr(out, "transcript: identical (") != NULL, "%s", out);
}
