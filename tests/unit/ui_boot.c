/* ui_boot.c - the UI tests' machine: the built-in kernel from build/ with
 * its ramdisk, COM1 to nowhere (the session taps it), ntdll's symbols. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include "tests/unit/ui_boot.h"
#include "tests/unit/nt_boot.h"

static int boot(struct machine *m, void *ctx, char *err, size_t errlen)
{
    (void)ctx;
    return nt_boot_with_ramdisk(m, err, errlen);
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
