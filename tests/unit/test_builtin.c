/* test_builtin.c - the built-in kernel's boot (sim/builtin.c, sim/main.c):
 * the ramdisk format written by build/tools/mkramdisk and its errors, the
 * Multiboot modules and command line of `ringsim` and `ringsim run`, the
 * program check, the exit-status mapping, and the front end booting the
 * embedded kernel. */
#include <criterion/criterion.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "mmu/bus.h"
#include "sim/builtin.h"
#include "sim/loader.h"
#include "sim/machine.h"
#include "sim/symbols.h"

static const char *build_dir(void)
{
    const char *b = getenv("BUILD");
    return b && *b ? b : "build";
}

static char tmpdir[64];

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ringsim-builtin-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    cr_expect_eq(0, system(cmd));
}

TestSuite(builtin, .init = setup, .fini = teardown);

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "%s", path);
    cr_assert_eq(len, fwrite(data, 1, len, f));
    fclose(f);
}

static unsigned char *read_whole(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc(n ? (size_t)n : 1);
    cr_assert_eq((size_t)n, fread(buf, 1, (size_t)n, f));
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Run a shell command; its exit status, and its stdout and stderr in out. */
static int run(const char *cmd, char *out, size_t outlen)
{
    char full[2048];
    snprintf(full, sizeof full, "%s 2>&1", cmd);
    FILE *p = popen(full, "r");
    cr_assert_not_null(p);
    size_t n = fread(out, 1, outlen - 1, p);
    out[n] = 0;
    int st = pclose(p);
    cr_assert(WIFEXITED(st), "%s did not exit", cmd);
    return WEXITSTATUS(st);
}

static unsigned lines(const char *s)
{
    unsigned n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

static uint32_t get32(const unsigned char *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---- mkramdisk ----------------------------------------------------------- */

Test(builtin, mkramdisk_writes_the_contract_format)
{
    static const size_t sizes[] = { 0, 1, 17, 100 };
    static const char *const names[] = { "empty", "one.txt", "seventeen", "hundred.elf" };
    char cmd[1024], path[256], out[512];
    int len = snprintf(cmd, sizeof cmd, "%s/tools/mkramdisk %s/rd.img", build_dir(), tmpdir);
    for (unsigned i = 0; i < 4; i++) {
        unsigned char data[100];
        for (size_t k = 0; k < sizes[i]; k++) data[k] = (unsigned char)(i * 31 + k);
        snprintf(path, sizeof path, "%s/%s", tmpdir, names[i]);
        write_file(path, data, sizes[i]);
        len += snprintf(cmd + len, sizeof cmd - len, " %s", path);
    }
    cr_assert_eq(0, run(cmd, out, sizeof out), "%s", out);
    snprintf(path, sizeof path, "%s/rd.img", tmpdir);
    size_t n;
    unsigned char *img = read_whole(path, &n);
    cr_assert_not_null(img);
    cr_assert_eq(0, memcmp(img, "RSRAMDK1", 8));
    cr_assert_eq(4, get32(img + 8));
    cr_assert_eq(0, get32(img + 12));
    uint32_t end = 16 + 4 * 64;
    for (unsigned i = 0; i < 4; i++) {
        const unsigned char *e = img + 16 + 64 * i;
        cr_assert_str_eq((const char *)e, names[i]);
        for (size_t k = strlen(names[i]); k < 56; k++) cr_assert_eq(0, e[k], "padding");
        uint32_t off = get32(e + 56), size = get32(e + 60);
        cr_assert_eq(sizes[i], size, "%s", names[i]);
        cr_assert_eq(0, off % 16, "%s at %#x", names[i], off);
        cr_assert_geq(off, end, "%s overlaps what comes before", names[i]);
        cr_assert_lt(off, end + 16);            /* packed: at most the alignment between */
        cr_assert_leq(off + size, n);
        for (size_t k = 0; k < size; k++) cr_assert_eq((unsigned char)(i * 31 + k), img[off + k]);
        end = off + size;
    }
    cr_assert_eq(end, n);
    free(img);
}

Test(builtin, mkramdisk_with_no_files_is_a_header)
{
    char cmd[512], out[256], path[256];
    snprintf(cmd, sizeof cmd, "%s/tools/mkramdisk %s/rd.img", build_dir(), tmpdir);
    cr_assert_eq(0, run(cmd, out, sizeof out), "%s", out);
    snprintf(path, sizeof path, "%s/rd.img", tmpdir);
    size_t n;
    unsigned char *img = read_whole(path, &n);
    cr_assert_eq(16, n);
    cr_assert_eq(0, memcmp(img, "RSRAMDK1\0\0\0\0\0\0\0\0", 16));
    free(img);
}

/* One line, exit 1, no image. */
static void mkramdisk_refuses(const char *files, const char *message)
{
    char cmd[1024], out[512], path[256];
    snprintf(cmd, sizeof cmd, "%s/tools/mkramdisk %s/rd.img %s", build_dir(), tmpdir, files);
    cr_assert_eq(1, run(cmd, out, sizeof out), "%s: %s", cmd, out);
    cr_assert_eq(1, lines(out), "%s", out);
    cr_assert(strstr(out, message), "'%s' does not say '%s'", out, message);
    snprintf(path, sizeof path, "%s/rd.img", tmpdir);
    cr_assert_neq(0, access(path, F_OK), "an image was written");
}

Test(builtin, mkramdisk_refuses_missing_long_and_duplicate_names)
{
    char a[256], b[256], files[600], dir2[128];
    snprintf(a, sizeof a, "%s/same", tmpdir);
    write_file(a, "x", 1);
    snprintf(files, sizeof files, "%s %s/nosuch", a, tmpdir);
    mkramdisk_refuses(files, "nosuch: cannot read it");
    snprintf(dir2, sizeof dir2, "%s/d", tmpdir);
    cr_assert_eq(0, mkdir(dir2, 0700));
    snprintf(b, sizeof b, "%s/same", dir2);
    write_file(b, "y", 1);
    snprintf(files, sizeof files, "%s %s", a, b);
    mkramdisk_refuses(files, "a second file of that name");
    /* 56 bytes cannot hold its NUL; 55 can. */
    char name[80];
    memset(name, 'n', 56);
    name[56] = 0;
    snprintf(b, sizeof b, "%s/%s", tmpdir, name);
    write_file(b, "z", 1);
    mkramdisk_refuses(b, "longer than 55 bytes");
    name[55] = 0;
    snprintf(b, sizeof b, "%s/%s", tmpdir, name);
    write_file(b, "z", 1);
    char cmd[1024], out[256];
    snprintf(cmd, sizeof cmd, "%s/tools/mkramdisk %s/rd.img %s", build_dir(), tmpdir, b);
    cr_assert_eq(0, run(cmd, out, sizeof out), "%s", out);
}

/* ---- the boot ------------------------------------------------------------- */

static char *guest_string(struct machine *m, uint32_t phys)
{
    static char s[256];
    size_t k = 0;
    while (k < sizeof s - 1 && (s[k] = (char)bus_read(m->bus, phys + k, 1))) k++;
    s[k] = 0;
    return s;
}

static uint32_t guest32(struct machine *m, uint32_t phys)
{
    return (uint32_t)bus_read(m->bus, phys, 4);
}

static struct machine *boot_builtin(const char *program, char *const *args, int nargs,
                                    const void *ramdisk, size_t rdlen)
{
    char path[256], err[256];
    snprintf(path, sizeof path, "%s/ntkernel.elf", build_dir());
    size_t klen;
    unsigned char *kernel = read_whole(path, &klen);
    cr_assert_not_null(kernel, "%s", path);
    struct machine_options opt;
    machine_default_options(&opt);
    opt.serial = "null";
    struct machine *m = machine_new(&opt);
    cr_assert_not_null(m);
    const struct builtin_image img = { kernel, klen, ramdisk, rdlen };
    static const unsigned char prog[] = "program bytes";
    cr_assert_eq(0, builtin_boot(m, &img, program, prog, sizeof prog, args, nargs, err,
                                 sizeof err), "%s", err);
    free(kernel);
    return m;
}

Test(builtin, boot_passes_the_ramdisk_as_module_0)
{
    static const unsigned char rd[32] = "RSRAMDK1";
    struct machine *m = boot_builtin(NULL, NULL, 0, rd, sizeof rd);
    cr_assert_eq(MB_BOOT_MAGIC, m->cpu.gpr[RAX]);
    uint32_t info = (uint32_t)m->cpu.gpr[RBX];
    cr_assert_str_eq("ntkernel.elf", guest_string(m, guest32(m, info + MBI_CMDLINE_ADDR)));
    cr_assert_eq(1, guest32(m, info + MBI_MODS_COUNT));
    uint32_t mod = guest32(m, info + MBI_MODS_ADDR);
    uint32_t start = guest32(m, mod), end = guest32(m, mod + 4);
    cr_assert_eq(sizeof rd, end - start);
    cr_assert_eq(0, start & 0xFFF);
    cr_assert_str_eq("RSRAMDK1", guest_string(m, start));
    cr_assert_str_eq("ramdisk", guest_string(m, guest32(m, mod + 8)));
    uint64_t addr;
    cr_assert_eq(0, symtab_find(m->symbols, "KiSystemStartup", &addr), "kernel symbols");
    machine_free(m);
}

Test(builtin, run_adds_the_program_as_module_1)
{
    static const unsigned char rd[16] = "RSRAMDK1";
    char *args[] = { "one", "two words" };
    struct machine *m = boot_builtin("some/dir/prog.elf", args, 2, rd, sizeof rd);
    uint32_t info = (uint32_t)m->cpu.gpr[RBX];
    cr_assert_str_eq("ntkernel.elf run=prog.elf",
                     guest_string(m, guest32(m, info + MBI_CMDLINE_ADDR)));
    cr_assert_eq(2, guest32(m, info + MBI_MODS_COUNT));
    uint32_t mod = guest32(m, info + MBI_MODS_ADDR);
    cr_assert_str_eq("ramdisk", guest_string(m, guest32(m, mod + 8)));
    cr_assert_str_eq("prog.elf one two words", guest_string(m, guest32(m, mod + 16 + 8)));
    uint32_t start = guest32(m, mod + 16);
    cr_assert_gt(start, guest32(m, mod + 4) - 1, "the modules overlap");
    cr_assert_str_eq("program bytes", guest_string(m, start));
    machine_free(m);
}

Test(builtin, exit_values_map_to_statuses)
{
    int known;
    cr_assert_eq(0, builtin_exit_status(0x10, &known));
    cr_assert(known);
    cr_assert_eq(1, builtin_exit_status(0x11, &known));
    cr_assert(known);
    cr_assert_eq(1, builtin_exit_status(0x12, &known));
    cr_assert(!known);
    cr_assert_eq(1, builtin_exit_status(0, &known));
    cr_assert(!known);
}

/* An ELF header alone, with the fields the check looks at. */
static void write_elf(const char *path, unsigned char cls, uint16_t type, uint16_t machine)
{
    unsigned char buf[64] = { 0 };
    memcpy(buf, ELFMAG, SELFMAG);
    buf[EI_CLASS] = cls;
    buf[EI_DATA] = ELFDATA2LSB;
    buf[EI_VERSION] = EV_CURRENT;
    if (cls == ELFCLASS32) {
        Elf32_Ehdr *h = (Elf32_Ehdr *)buf;
        h->e_type = type;
        h->e_machine = machine;
        h->e_version = EV_CURRENT;
        h->e_ehsize = sizeof *h;
        write_file(path, buf, sizeof *h);
    } else {
        Elf64_Ehdr *h = (Elf64_Ehdr *)buf;
        h->e_type = type;
        h->e_machine = machine;
        h->e_version = EV_CURRENT;
        h->e_ehsize = sizeof *h;
        write_file(path, buf, sizeof *h);
    }
}

Test(builtin, the_program_must_be_an_elf32_i386_executable)
{
    char path[256], err[256];
    void *data = NULL;
    size_t size;
    snprintf(path, sizeof path, "%s/ok.elf", tmpdir);
    write_elf(path, ELFCLASS32, ET_EXEC, EM_386);
    cr_assert_eq(0, builtin_read_program(path, &data, &size, err, sizeof err), "%s", err);
    cr_assert_eq(sizeof(Elf32_Ehdr), size);
    free(data);
    write_elf(path, ELFCLASS32, ET_REL, EM_386);
    cr_assert_eq(-1, builtin_read_program(path, &data, &size, err, sizeof err));
    cr_assert(strstr(err, "not an ELF32 i386 executable"), "%s", err);
    write_elf(path, ELFCLASS32, ET_EXEC, EM_X86_64);
    cr_assert_eq(-1, builtin_read_program(path, &data, &size, err, sizeof err));
    write_elf(path, ELFCLASS64, ET_EXEC, EM_X86_64);
    cr_assert_eq(-1, builtin_read_program(path, &data, &size, err, sizeof err));
    snprintf(path, sizeof path, "%s/nosuch.elf", tmpdir);
    cr_assert_eq(-1, builtin_read_program(path, &data, &size, err, sizeof err));
    cr_assert(strstr(err, "No such file"), "%s", err);
}

/* ---- the front end ------------------------------------------------------------ */

static void cli_refuses(const char *args, const char *message)
{
    char cmd[1024], out[1024];
    snprintf(cmd, sizeof cmd, "%s/ringsim %s", build_dir(), args);
    cr_assert_eq(2, run(cmd, out, sizeof out), "%s: %s", cmd, out);
    cr_assert_eq(1, lines(out), "%s: %s", cmd, out);
    cr_assert(strstr(out, message), "%s: '%s' does not say '%s'", cmd, out, message);
}

Test(builtin, cli_run_refuses_missing_text_and_elf64_files)
{
    char args[512], path[256];
    snprintf(args, sizeof args, "run %s/nosuch.elf", tmpdir);
    cli_refuses(args, "nosuch.elf: No such file or directory");
    snprintf(path, sizeof path, "%s/text.elf", tmpdir);
    write_file(path, "hello\n", 6);
    snprintf(args, sizeof args, "run %s a b", path);
    cli_refuses(args, "text.elf: not an ELF32 i386 executable");
    snprintf(path, sizeof path, "%s/e64.elf", tmpdir);
    write_elf(path, ELFCLASS64, ET_EXEC, EM_X86_64);
    snprintf(args, sizeof args, "--headless run %s", path);
    cli_refuses(args, "e64.elf: not an ELF32 i386 executable");
    cli_refuses("run", "run wants a program");
    cli_refuses("--trace=nosuch", "tlb, syscalls or all, not 'nosuch'");
    cli_refuses("--sieve 100 run x.elf", "not with --kernel, --bios or --sieve");
}

Test(builtin, cli_with_no_arguments_boots_the_embedded_kernel)
{
    char cmd[512], out[4096], serial[256];
    snprintf(serial, sizeof serial, "%s/com1.txt", tmpdir);
    snprintf(cmd, sizeof cmd, "%s/ringsim --headless --serial file:%s", build_dir(), serial);
    cr_assert_eq(0, run(cmd, out, sizeof out), "%s", out);
    size_t n;
    char *text = (char *)read_whole(serial, &n);
    cr_assert_not_null(text);
    cr_assert_gt(n, 0);
    text[n - 1] = 0;
    cr_assert(!strncmp(text, "ntkernel: an NT-style kernel for ringsim", 40), "%s", text);
    free(text);
    cr_assert(!strstr(out, "no display"), "--headless prints no notice: %s", out);
}

Test(builtin, cli_run_boots_the_kernel_with_the_program)
{
    char cmd[1024], out[4096], serial[256], prog[256];
    snprintf(prog, sizeof prog, "%s/greet.elf", tmpdir);
    snprintf(cmd, sizeof cmd, "cp %s/guest/apps/hello.elf %s", build_dir(), prog);
    cr_assert_eq(0, system(cmd));
    snprintf(serial, sizeof serial, "%s/com1.txt", tmpdir);
    snprintf(cmd, sizeof cmd, "%s/ringsim --headless --serial file:%s run %s one two",
             build_dir(), serial, prog);
    cr_assert_eq(0, run(cmd, out, sizeof out), "%s", out);
    cr_assert(strstr(out, "the built-in kernel reported success"), "%s", out);
    size_t n;
    char *text = (char *)read_whole(serial, &n);
    cr_assert_not_null(text);
    text = realloc(text, n + 1);
    text[n] = 0;
    /* The session manager ran module 1 by its name, with its arguments. */
    cr_assert(strstr(text, "smss.elf greet.elf one two"), "%s", text);
    cr_assert(strstr(text, "[smss] running greet.elf\n"), "%s", text);
    cr_assert(strstr(text, "hello: Hello from user mode"), "%s", text);
    free(text);
}
