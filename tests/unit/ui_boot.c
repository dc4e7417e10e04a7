/* ui_boot.c - the UI tests' machine: the built-in kernel from build/ with
 * its ramdisk, COM1 to nowhere (the session taps it), ntdll's symbols. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include "sim/loader.h"
#include "sim/symbols.h"
#include "tests/unit/ui_boot.h"

static const char *path(const char *name)
{
    static char p[4][256];
    static int k;
    const char *b = getenv("BUILD");
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", b && *b ? b : "build", name);
    return p[k];
}

static int boot(struct machine *m, void *ctx, char *err, size_t errlen)
{
    (void)ctx;
    struct load_request req = { path("ntkernel.elf"), NULL, path("ramdisk.img"), NULL };
    if (machine_boot(m, &req, err, errlen) != 0) return -1;
    FILE *f = fopen(path("guest/ntdll.elf"), "rb");
    if (!f) return snprintf(err, errlen, "no guest/ntdll.elf"), -1;
    static unsigned char image[1 << 20];
    size_t n = fread(image, 1, sizeof image, f);
    fclose(f);
    return symtab_add_elf(m->symbols, image, n, 0);
}

void ui_test_open(struct ui_session *s)
{
    struct machine_options opt;
    char err[256];
    machine_default_options(&opt);
    cr_assert_eq(0, cpu_features_parse("intel", &opt.model, &opt.features, err, sizeof err));
    opt.set_features = true;
    opt.serial = "null";
    cr_assert_eq(0, ui_session_open(s, &opt, boot, NULL, err, sizeof err), "%s", err);
}
