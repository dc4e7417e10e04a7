/* test_ntkernel_selftest.c - the built-in kernel's memory manager, object
 * manager and I/O manager (ntkernel/mm, ob, io), through the self-tests the
 * kernel runs at boot when its command line holds "selftest": every
 * "selftest: <what>: ok|FAILED (...)" line must say ok and there must be
 * exactly as many as the kernel has checks.  Also: the page counters after
 * a plain boot, the boot ramdisk accepted and a broken one refused with a
 * console line (the boot goes on either way). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sim/machine.h"
#include "sim/loader.h"
#include "sim/symbols.h"
#include "mmu/bus.h"
#include "tests/unit/nt_boot.h"

#define EXIT_SUCCESS_STATUS 33
#define SELFTEST_CHECKS     43          /* MmSelfTest 28, ObSelfTest 8, IoSelfTest 7 */

static struct machine *m;
static char transcript[64], module[64];

static void teardown(void)
{
    machine_free(m);
    m = NULL;
    if (transcript[0]) unlink(transcript);
    if (module[0]) unlink(module);
    transcript[0] = module[0] = 0;
}
TestSuite(ntkernel_selftest, .fini = teardown);

static void boot(const char *append, const char *initrd)
{
    char err[256];
    m = nt_machine_new("intel", 400000000, transcript, sizeof transcript);
    struct load_request req = { nt_build_path("ntkernel.elf"), append, initrd, NULL };
    cr_assert_eq(0, machine_boot(m, &req, err, sizeof err), "%s", err);
    cr_assert_eq(STOP_DEBUG_EXIT, machine_run(m), "%s", m->message);
    cr_assert_eq(EXIT_SUCCESS_STATUS, m->exit_status, "%s", m->message);
}

/* Lines of the transcript that start with prefix; the last one in last. */
static int count_lines(const char *prefix, const char *must_end, int *bad, char *first_bad, size_t len)
{
    FILE *f = fopen(transcript, "r");
    char line[512];
    int n = 0;
    *bad = 0;
    first_bad[0] = 0;
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, prefix, strlen(prefix))) continue;
        n++;
        size_t l = strlen(line), e = strlen(must_end);
        if (l < e || strcmp(line + l - e, must_end)) {
            if (!(*bad)++) snprintf(first_bad, len, "%s", line);
        }
    }
    if (f) fclose(f);
    return n;
}

static int has_line(const char *text)
{
    FILE *f = fopen(transcript, "r");
    char line[512];
    int n = 0;
    while (f && fgets(line, sizeof line, f)) n += strcmp(line, text) == 0;
    if (f) fclose(f);
    return n;
}

Test(ntkernel_selftest, every_boot_self_test_of_mm_ob_and_io_passes)
{
    boot("selftest", NULL);
    int bad;
    char first[512];
    int n = count_lines("selftest: ", ": ok\n", &bad, first, sizeof first);
    cr_expect_eq(0, bad, "%d checks failed; the first: %s", bad, first);
    cr_expect_eq(SELFTEST_CHECKS, n, "%d self-test lines, not %d", n, SELFTEST_CHECKS);
    cr_expect_eq(1, has_line("KiSystemStartup: phase 0 complete\n"));
}

/* NtWriteFile's bytes reach COM1 exactly, from a kernel buffer and from a
 * user buffer that crosses a page boundary. */
Test(ntkernel_selftest, nt_write_file_puts_the_exact_bytes_on_the_console)
{
    boot("quiet selftest", NULL);
    cr_expect_eq(1, has_line("[console] written by the kernel\n"));
    cr_expect_eq(1, has_line("[console] written from a user buffer across a page\n"));
}

Test(ntkernel_selftest, without_the_word_no_self_test_runs)
{
    boot("selftests", NULL);
    int bad;
    char first[512];
    cr_expect_eq(0, count_lines("selftest: ", "\n", &bad, first, sizeof first));
}

/* Every frame from the image's end to 16 MB is free after boot but the
 * handful MmInitSystem takes: the directory, KSEG0's four page tables, the
 * tables for 0x7FFE0000 and the PCR's region, the PCR and the shared page. */
Test(ntkernel_selftest, page_counters_cover_kseg0_and_boot_takes_only_its_tables)
{
    boot(NULL, NULL);
    uint64_t a, end;
    uint32_t total, avail;
    cr_assert_eq(0, symtab_find(m->symbols, "KiImageEnd", &end));
    uint32_t free_after_image = 4096 - (uint32_t)(((end - 0x80000000u) + 4095) / 4096);
    cr_assert_eq(0, symtab_find(m->symbols, "MmNumberOfPhysicalPages", &a));
    cr_assert_eq(0, cpu_read_linear(&m->cpu, (uint32_t)a, &total, 4));
    cr_assert_eq(0, symtab_find(m->symbols, "MmAvailablePages", &a));
    cr_assert_eq(0, cpu_read_linear(&m->cpu, (uint32_t)a, &avail, 4));
    cr_expect_eq(4096, total, "16 MB of KSEG0 in 4 KB pages: %u", total);
    cr_expect_eq(free_after_image - 9, avail, "available %u of %u (%u after the image)", avail,
                 total, free_after_image);
}

static void write_module(const void *bytes, size_t len)
{
    snprintf(module, sizeof module, "/tmp/ntkernel-ramdisk-XXXXXX");
    int fd = mkstemp(module);
    cr_assert_geq(fd, 0);
    cr_assert_eq((ssize_t)len, write(fd, bytes, len));
    close(fd);
}

/* tools/mkramdisk.c's format: "RSRAMDK1", count, 0, entries of
 * { name[56], offset, size }, then the files. */
Test(ntkernel_selftest, a_good_ramdisk_module_is_accepted)
{
    unsigned char disk[0x60] = "RSRAMDK1";
    disk[8] = 1;
    memcpy(disk + 16, "hello", 5);
    disk[16 + 56] = 0x50;               /* offset */
    disk[16 + 60] = 5;                  /* size */
    memcpy(disk + 0x50, "HELLO", 5);
    write_module(disk, sizeof disk);
    boot(NULL, module);
    char want[128];
    FILE *f = fopen(transcript, "r");
    char line[512];
    int found = 0;
    snprintf(want, sizeof want, "IoInitRamdisk: 1 files\n");
    while (f && fgets(line, sizeof line, f)) found += strncmp(line, want, strlen(want)) == 0;
    if (f) fclose(f);
    cr_expect_eq(1, found, "no line starting \"%s\"", want);
}

Test(ntkernel_selftest, a_broken_ramdisk_is_ignored_with_a_console_line)
{
    unsigned char disk[0x60] = "RSRAMDK1";
    disk[8] = 1;
    memcpy(disk + 16, "hello", 5);
    disk[16 + 56] = 0x5E;               /* 5 bytes at 0x5E run past the end */
    disk[16 + 60] = 5;
    write_module(disk, sizeof disk);
    boot(NULL, module);
    cr_expect_eq(1, has_line("IoInitRamdisk: ramdisk ignored: a file lies outside the ramdisk\n"));
    cr_expect_eq(1, has_line("KiSystemStartup: phase 0 complete\n"));
}

/* ---- the pool's bug checks ------------------------------------------------ */

/* After a plain boot, call ExFreePool(p) on the boot stack (cdecl: the
 * return address, then the argument; the stack is in KSEG0, physical =
 * virtual - 0x80000000) and let it run to its stop. */
static void free_pool(uint32_t p, char *last, size_t len)
{
    boot(NULL, NULL);
    uint64_t fn, stack;
    cr_assert_eq(0, symtab_find(m->symbols, "ExFreePool", &fn));
    cr_assert_eq(0, symtab_find(m->symbols, "P0BootStack", &stack));
    uint32_t esp = (uint32_t)stack - 0x100, frame[2] = { 0, p };
    cr_assert_eq(0, bus_load(m->bus, esp - 0x80000000u, frame, sizeof frame));   /* KSEG0 */
    m->cpu.gpr[RSP] = esp;
    m->cpu.rip = fn;
    m->cpu.halted = false;
    cr_assert_eq(STOP_DEBUG_EXIT, machine_run(m), "%s", m->message);
    cr_expect_eq(35, m->exit_status, "the failure status of a bug check");
    FILE *f = fopen(transcript, "r");
    char line[512];
    last[0] = 0;
    while (f && fgets(line, sizeof line, f))
        if (line[0] != '\n') snprintf(last, len, "%s", line);
    if (f) fclose(f);
}

Test(ntkernel_selftest, freeing_a_free_page_is_bad_pool_caller_7)
{
    char last[512];
    free_pool(0x80FFF000u, last, sizeof last);       /* the last frame of KSEG0: free */
    cr_expect(strstr(last, "*** STOP: 0x000000C2 (0x00000007,0x80FFF000,") != NULL, "last line: %s", last);
}

Test(ntkernel_selftest, freeing_the_kernel_image_or_a_user_address_is_bad_pool_caller_99)
{
    char last[512];
    free_pool(0x80100000u, last, sizeof last);
    cr_expect(strstr(last, "*** STOP: 0x000000C2 (0x00000099,0x80100000,") != NULL, "last line: %s", last);
    teardown();
    free_pool(0x00001000u, last, sizeof last);
    cr_expect(strstr(last, "*** STOP: 0x000000C2 (0x00000099,0x00001000,") != NULL, "last line: %s", last);
}
