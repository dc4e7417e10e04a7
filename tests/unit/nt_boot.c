/* nt_boot.c - the NT kernel tests' shared pieces (nt_boot.h). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "sim/loader.h"
#include "sim/machine.h"
#include "sim/symbols.h"
#include "tests/unit/nt_boot.h"

const char *nt_build_path(const char *name)
{
    static char p[4][256];
    static int k;
    const char *b = getenv("BUILD");
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", b && *b ? b : "build", name);
    return p[k];
}

struct machine *nt_machine_new(const char *cpu_spec, uint64_t max_insns, char *transcript,
                               size_t len)
{
    char serial[96], err[256];
    struct machine_options opt;
    machine_default_options(&opt);
    cr_assert_eq(0, cpu_features_parse(cpu_spec, &opt.model, &opt.features, err, sizeof err), "%s", err);
    opt.set_features = true;
    opt.max_insns = max_insns;
    snprintf(transcript, len, "/tmp/ringsim-nt-test-XXXXXX");
    int fd = mkstemp(transcript);
    cr_assert_geq(fd, 0);
    close(fd);
    snprintf(serial, sizeof serial, "file:%s", transcript);
    opt.serial = serial;
    struct machine *m = machine_new(&opt);
    cr_assert_not_null(m);
    return m;
}

int nt_boot_with_ramdisk(struct machine *m, char *err, size_t errlen)
{
    struct load_request req = { nt_build_path("ntkernel.elf"), NULL, nt_build_path("ramdisk.img"), NULL };
    if (machine_boot(m, &req, err, errlen) != 0) return -1;
    FILE *f = fopen(nt_build_path("guest/ntdll.elf"), "rb");
    if (!f) return snprintf(err, errlen, "no %s", nt_build_path("guest/ntdll.elf")), -1;
    static unsigned char image[1 << 20];
    size_t n = fread(image, 1, sizeof image, f);
    fclose(f);
    if (symtab_add_elf(m->symbols, image, n, 0) != 0) return snprintf(err, errlen, "ntdll's symbols"), -1;
    return 0;
}

uint32_t nt_sym(struct machine *m, const char *name)
{
    uint64_t a;
    cr_assert_eq(0, symtab_find(m->symbols, name, &a), "no symbol %s", name);
    return (uint32_t)a;
}

uint32_t nt_rd32(struct machine *m, uint32_t lin)
{
    uint32_t v = 0;
    cr_assert_eq(0, cpu_read_linear(&m->cpu, lin, &v, 4), "0x%08x is not readable", lin);
    return v;
}

void nt_expect_golden(const char *path, const char *golden)
{
    FILE *got = fopen(path, "r"), *want = fopen(golden, "r");
    cr_assert_not_null(got, "%s", path);
    cr_assert_not_null(want, "%s (run from the top directory)", golden);
    char a[512], b[512];
    int line = 0;
    for (;;) {
        char *ga = fgets(a, sizeof a, got), *gb = fgets(b, sizeof b, want);
        line++;
        if (!ga || !gb) {
            cr_expect(!ga && !gb, "%s line %d: %s", golden, line, ga ? "extra output" : "output ends early");
            break;
        }
        cr_expect_str_eq(a, b, "%s line %d", golden, line);
    }
    fclose(got);
    fclose(want);
}
