/* builtin.h - booting the built-in NT-style kernel (build/ntkernel.elf) with
 * its boot ramdisk, both embedded in the ringsim binary by the front end.
 *
 * The contract with ntkernel/: Multiboot module 0 is the ramdisk (module
 * string "ramdisk"); `ringsim run PROG.elf ARGS` adds PROG.elf as module 1
 * with the string "PROG.elf ARGS" and the kernel command line
 * "ntkernel.elf run=PROG.elf" (plain "ntkernel.elf" otherwise).  The kernel
 * ends the machine through isa-debug-exit: 0x10 success, 0x11 failure.
 */
#ifndef RINGSIM_BUILTIN_H
#define RINGSIM_BUILTIN_H

#include <stddef.h>

struct machine;

#define BUILTIN_EXIT_SUCCESS 0x10
#define BUILTIN_EXIT_FAILURE 0x11

struct builtin_image {
    const void *kernel;
    size_t kernel_size;
    const void *ramdisk;
    size_t ramdisk_size;
};

/* A program for `ringsim run`: the file read into *data (malloc'd) if it is
 * an ELF32 i386 executable (checked with libelf).  0, or -1 with a one-line
 * reason in err. */
int builtin_read_program(const char *path, void **data, size_t *size, char *err, size_t errlen);

/* Boot the kernel with the ramdisk and, when program is not NULL, the
 * program (its bytes and path) with args[0..nargs).  0, or -1 with err. */
int builtin_boot(struct machine *m, const struct builtin_image *img, const char *program,
                 const void *prog_data, size_t prog_size, char *const *args, int nargs,
                 char *err, size_t errlen);

/* The process exit status for a debug-exit value written by the kernel:
 * 0 for success, 1 for failure or any other value (*known false then). */
int builtin_exit_status(unsigned value, int *known);

#endif
