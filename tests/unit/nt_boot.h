/* nt_boot.h - what the tests of the built-in NT kernel share: files of the
 * build directory, the kernel booted with its ramdisk and ntdll's symbols,
 * guest reads that must succeed, and a transcript against its golden copy. */
#ifndef RINGSIM_TESTS_NT_BOOT_H
#define RINGSIM_TESTS_NT_BOOT_H

#include <stddef.h>
#include <stdint.h>

struct machine;

/* BUILD/name (BUILD from the environment, default build); four rotating buffers. */
const char *nt_build_path(const char *name);

/* A machine with the CPU of spec (cpu_features_parse), at most max_insns,
 * COM1 written to a new temporary file whose name goes to transcript (the
 * caller unlinks it).  Asserts. */
struct machine *nt_machine_new(const char *cpu_spec, uint64_t max_insns, char *transcript,
                               size_t len);

/* Load build/ntkernel.elf with build/ramdisk.img as its module and add
 * ntdll's symbols (KiFastSystemCallRet ...) to the machine's table.  0, or
 * -1 with err (the shape of a UI session's boot callback). */
int nt_boot_with_ramdisk(struct machine *m, char *err, size_t errlen);

/* The address of a symbol / a 32-bit guest read; both assert. */
uint32_t nt_sym(struct machine *m, const char *name);
uint32_t nt_rd32(struct machine *m, uint32_t lin);

/* Every line of the file at path equals the golden file's (run from the top
 * directory), and neither has more. */
void nt_expect_golden(const char *path, const char *golden);

#endif
