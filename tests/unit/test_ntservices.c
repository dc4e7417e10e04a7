/* test_ntservices.c - one test per system service of the built-in kernel:
 * each boots build/ntkernel.elf with the ramdisk and one program of
 * tests/ntsvc (built as build/ntsvc/NAME.elf) the way `ringsim run` does
 * (the program as an extra Multiboot module, "run=NAME.elf" on the kernel
 * command line), and asserts the session ended with success, the program's
 * last line says 0 failed, and it ran at least the checks its plan line
 * announced (and at least the floor this file holds, so a program that
 * plans little cannot pass).  Then the system-call fuzzer with several
 * seeds: the kernel must reach its shutdown line with no bug check. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tests/unit/nt_boot.h"
#include "sim/machine.h"
#include "sim/builtin.h"

#define EXIT_SUCCESS_STATUS ((BUILTIN_EXIT_SUCCESS << 1) | 1)

static struct machine *m;
static char serial_path[64];
static void *files[3];

static void teardown(void)
{
    machine_free(m);
    m = NULL;
    for (int i = 0; i < 3; i++) {
        free(files[i]);
        files[i] = NULL;
    }
    if (serial_path[0]) unlink(serial_path);
    serial_path[0] = 0;
}
TestSuite(ntservices, .fini = teardown);

static void *slurp(const char *file, size_t *size)
{
    FILE *f = fopen(file, "rb");
    cr_assert_not_null(f, "%s is missing (make first)", file);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    void *data = malloc(n > 0 ? (size_t)n : 1);
    cr_assert_not_null(data);
    cr_assert_eq((size_t)n, fread(data, 1, (size_t)n, f));
    fclose(f);
    *size = (size_t)n;
    return data;
}

/* Boots the kernel with build/ntsvc/NAME.elf ARGS as `ringsim run` would,
 * runs to the end and returns the console transcript (malloc'd). */
static char *run_program(const char *name, int nargs, char *const *args, enum machine_stop *stop)
{
    char err[256], prog[128];
    m = nt_machine_new("host", 4000000000ull, serial_path, sizeof serial_path);
    struct builtin_image img;
    size_t prog_size;
    files[0] = slurp(nt_build_path("ntkernel.elf"), &img.kernel_size);
    files[1] = slurp(nt_build_path("ramdisk.img"), &img.ramdisk_size);
    img.kernel = files[0];
    img.ramdisk = files[1];
    snprintf(prog, sizeof prog, "ntsvc/%s.elf", name);
    files[2] = slurp(nt_build_path(prog), &prog_size);
    cr_assert_eq(0, builtin_boot(m, &img, nt_build_path(prog), files[2], prog_size, args, nargs, err, sizeof err),
                 "%s", err);
    *stop = machine_run(m);
    size_t size;
    char *text = slurp(serial_path, &size);
    text = realloc(text, size + 1);
    text[size] = 0;
    return text;
}

/* The program's own lines: "NAME: plan N checks" and "NAME: C checks, M failed". */
static void run_service(const char *name, int floor)
{
    enum machine_stop stop;
    char *text = run_program(name, 0, NULL, &stop);
    char key[96];
    int planned = -1, checks = -1, failed = -1;
    snprintf(key, sizeof key, "\n%s: plan ", name);
    const char *p = strstr(text, key);
    if (p) sscanf(p + strlen(key), "%d", &planned);
    snprintf(key, sizeof key, "\n%s: ", name);
    for (p = strstr(text, key); p; p = strstr(p + 1, key)) {
        int c, f;
        if (sscanf(p + strlen(key), "%d checks, %d failed", &c, &f) == 2) checks = c, failed = f;
    }
    /* Every failed check, for the log. */
    for (const char *line = text; *line; ) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        if (memmem(line, n, "FAILED", 6)) cr_log_error("%.*s", (int)n, line);
        line += n + (end != NULL);
    }
    cr_expect(strstr(text, "*** STOP") == NULL, "%s: the kernel stopped with a bug check", name);
    cr_expect_eq(STOP_DEBUG_EXIT, stop, "%s: %s", name, m->message);
    cr_expect_eq(EXIT_SUCCESS_STATUS, m->exit_status, "%s: the session did not end with success", name);
    cr_expect_geq(planned, floor, "%s: plans %d checks, fewer than %d", name, planned, floor);
    cr_expect_eq(0, failed, "%s: %d of %d checks failed", name, failed, checks);
    cr_expect_geq(checks, planned, "%s: ran %d checks of the %d planned", name, checks, planned);
    free(text);
}

#define SERVICE(name, floor) \
    Test(ntservices, name, .timeout = 240) { run_service(#name, floor); }

SERVICE(NtAllocateVirtualMemory, 30)
SERVICE(NtCallbackReturn, 6)
SERVICE(NtClose, 10)
SERVICE(NtContinue, 8)
SERVICE(NtCreateEvent, 12)
SERVICE(NtCreateProcessEx, 30)
SERVICE(NtCreateThread, 30)
SERVICE(NtDelayExecution, 8)
SERVICE(NtDisplayString, 8)
SERVICE(NtFreeVirtualMemory, 20)
SERVICE(NtGetContextThread, 14)
SERVICE(NtOpenProcess, 12)
SERVICE(NtProtectVirtualMemory, 20)
SERVICE(NtQueryInformationProcess, 16)
SERVICE(NtQueryInformationThread, 16)
SERVICE(NtQuerySystemInformation, 14)
SERVICE(NtQueryVirtualMemory, 18)
SERVICE(NtRaiseException, 8)
SERVICE(NtReadFile, 14)
SERVICE(NtReadVirtualMemory, 18)
SERVICE(NtResetEvent, 10)
SERVICE(NtResumeThread, 10)
SERVICE(NtSetEvent, 10)
SERVICE(NtSetInformationThread, 14)
SERVICE(NtTerminateProcess, 10)
SERVICE(NtTerminateThread, 10)
SERVICE(NtWaitForSingleObject, 14)
SERVICE(NtWriteFile, 16)
SERVICE(NtWriteVirtualMemory, 18)
SERVICE(NtYieldExecution, 4)
SERVICE(NtUserCallbackDemo, 10)

/* ---- the fuzzer ---- */

static void run_fuzzer(const char *seed, const char *count)
{
    enum machine_stop stop;
    char *args[2] = { (char *)seed, (char *)count };
    char *text = run_program("fuzz", 2, args, &stop);
    char want[96];
    snprintf(want, sizeof want, "fuzz: seed %s, %s calls done", seed, count);
    cr_expect(strstr(text, "*** STOP") == NULL, "seed %s: the kernel stopped with a bug check:\n%s", seed,
              strstr(text, "*** STOP") ? strstr(text, "*** STOP") : "");
    cr_expect(strstr(text, want) != NULL, "seed %s: the fuzzer did not finish", seed);
    cr_expect(strstr(text, "ntkernel: the session manager exited with 0x00000000; shutting down") != NULL,
              "seed %s: no shutdown line", seed);
    cr_expect_eq(STOP_DEBUG_EXIT, stop, "seed %s: %s", seed, m->message);
    cr_expect_eq(EXIT_SUCCESS_STATUS, m->exit_status, "seed %s", seed);
    free(text);
}

Test(ntservices, fuzz_seed_1, .timeout = 240) { run_fuzzer("1", "3000"); }
Test(ntservices, fuzz_seed_2, .timeout = 240) { run_fuzzer("2", "3000"); }
Test(ntservices, fuzz_seed_12345, .timeout = 240) { run_fuzzer("12345", "3000"); }
Test(ntservices, fuzz_seed_deadbeef, .timeout = 240) { run_fuzzer("3735928559", "3000"); }
