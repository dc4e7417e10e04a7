/* decoder_check_main.c - build/tests/decoder-check: the decoder cross-check
 * from the command line (make decoder-check STRINGS=N SEED=S).
 *   decoder-check --strings N --seed S [--mode 16|32|64] [--vendor intel|amd]
 *                 [--report N] [--list-skipped]
 */
#include <stdlib.h>
#include <string.h>
#include "tests/semantics/decoder_check.h"

static int usage(void)
{
    fprintf(stderr, "usage: decoder-check --strings N --seed S [--mode 16|32|64] "
                    "[--vendor intel|amd] [--report N] [--list-skipped]\n");
    return 2;
}

static int parse_mode(const char *s, unsigned *mask)
{
    static const char *const names[] = { [DM_16] = "16", [DM_32] = "32", [DM_64] = "64" };
    for (unsigned m = DM_16; m <= DM_64; m++)
        if (strcmp(s, names[m]) == 0) { *mask = 1u << m; return 1; }
    return 0;
}

int main(int argc, char **argv)
{
    struct dc_run run = { .strings = 100000, .seed = 1, .max_report = 20, .out = stdout,
                          .vendor = VENDOR_INTEL };
    unsigned modes = 7;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--list-skipped") == 0) { run.list_skipped = 1; continue; }
        if (!val) return usage();
        i++;
        if (strcmp(a, "--strings") == 0) run.strings = strtoull(val, NULL, 0);
        else if (strcmp(a, "--seed") == 0) run.seed = strtoull(val, NULL, 0);
        else if (strcmp(a, "--report") == 0) run.max_report = (unsigned)strtoul(val, NULL, 0);
        else if (strcmp(a, "--mode") == 0) { if (!parse_mode(val, &modes)) return usage(); }
        else if (strcmp(a, "--vendor") == 0 && strcmp(val, "intel") == 0) run.vendor = VENDOR_INTEL;
        else if (strcmp(a, "--vendor") == 0 && strcmp(val, "amd") == 0) run.vendor = VENDOR_AMD;
        else return usage();
    }
    uint64_t disagree = 0;
    for (unsigned m = DM_16; m <= DM_64; m++) {
        if (!(modes & (1u << m))) continue;
        struct dc_tally t;
        run.mode = (enum dmode)m;
        disagree += dc_run_mode(&run, &t);
    }
    return disagree ? 1 : 0;
}
