/* loader.h - putting a guest into the machine: Multiboot v1 kernels (the GNU
 * Multiboot Specification 0.6.96, ELF32 or the a.out kludge) with modules and
 * the boot information structure, plain ELF32/ELF64 executables, and a flat
 * firmware ROM at the reset vector.  Every malformed input is refused with a
 * one-line message in the caller's buffer (the front end prints it, exits 2).
 */
#ifndef RINGSIM_LOADER_H
#define RINGSIM_LOADER_H

#include <stddef.h>
#include <stdint.h>

struct machine;

struct load_request {
    const char *kernel;           /* --kernel PATH (Multiboot v1 or plain ELF, detected) */
    const char *append;           /* --append text, may be NULL */
    const char *initrd;           /* --initrd FILE[,FILE...], may be NULL */
    const char *bios;             /* --bios PATH, may be NULL */
};

/* Guest memory the loaders use (physical addresses), and the entry state:
 *   0x00000-0x0FFFF  the loader's: IVT/BDA, the stack below LOADER_STACK,
 *                    the Multiboot information area; images may not load here
 *   0x10000-0x9FBFF  conventional memory: images may load here
 *   0x9FC00-0xFFFFF  EBDA, video memory, BIOS ROM: images may not load here
 *   0x100000-        extended memory: images and modules
 * Multiboot entry: 32-bit flat protected mode, paging off, IF = 0, A20 open,
 * EAX = 0x2BADB002, EBX = MB_INFO_BASE, ESP = LOADER_STACK, other GPRs 0.
 * Plain ELF entry: the same with EAX = EBX = 0 (ELF32), or 64-bit mode with an
 * identity translation and paging off until the page walker exists (ELF64). */
#define LOADER_LOW_END     0x10000u      /* first byte an image may occupy */
#define LOADER_CONV_END    0x9FC00u      /* end of conventional memory (EBDA above) */
#define LOADER_EXT_BASE    0x100000u
#define LOADER_STACK       0x7C00u       /* ESP at entry; the spec leaves it undefined */
#define MB_INFO_BASE       0x8000u       /* the information structure ... */
#define MB_INFO_END        0x10000u      /* ... and everything it points to */
#define LOADER_MAX_FILE    (1ull << 30)  /* larger files are refused */

#define MB_HEADER_MAGIC    0x1BADB002u
#define MB_BOOT_MAGIC      0x2BADB002u
#define MB_SEARCH_BYTES    8192u

/* Multiboot information flags we set (spec 3.3). */
#define MBI_MEM            (1u << 0)
#define MBI_CMDLINE        (1u << 2)
#define MBI_MODS           (1u << 3)
#define MBI_MMAP           (1u << 6)
#define MBI_LOADER_NAME    (1u << 9)

/* Offsets in the information structure, as a guest reads it (spec 3.3). */
enum {
    MBI_FLAGS = 0, MBI_MEM_LOWER = 4, MBI_MEM_UPPER = 8, MBI_BOOT_DEVICE = 12,
    MBI_CMDLINE_ADDR = 16, MBI_MODS_COUNT = 20, MBI_MODS_ADDR = 24,
    MBI_MMAP_LENGTH = 44, MBI_MMAP_ADDR = 48, MBI_LOADER_NAME_ADDR = 64,
    MBI_SIZE = 120,               /* through the framebuffer fields, left 0 */
};

/* Read the files, detect the format, load, record symbols, set the entry
 * state.  m->symbols is created if NULL.  0, or -1 with err set. */
int machine_boot(struct machine *m, const struct load_request *req, char *err, size_t errlen);

/* The pieces, for tests and other front ends.  path is what the command line
 * shows the kernel (its first word); initrd as for --initrd. */
int load_multiboot(struct machine *m, const char *path, const void *image, size_t size,
                   const char *append, const char *initrd, char *err, size_t errlen);
int load_elf(struct machine *m, const char *path, const void *image, size_t size,
             char *err, size_t errlen);
int load_bios(struct machine *m, const void *image, size_t size, char *err, size_t errlen);

/* A Multiboot kernel and its modules from host memory (the built-in
 * kernel and ramdisk, embedded in the ringsim binary): the same boot as
 * --kernel with --initrd, the module string of each given ("NAME ARGS"),
 * the firmware's local-APIC state included.  0, or -1 with err set. */
struct mb_blob {
    const void *data;
    size_t size;
    const char *string;
};
int load_multiboot_mem(struct machine *m, const char *path, const void *image, size_t size,
                       const char *append, const struct mb_blob *mods, unsigned count,
                       char *err, size_t errlen);

/* 1 if the first 8192 bytes hold a Multiboot v1 header with a valid checksum. */
int loader_is_multiboot(const void *image, size_t size);

#endif
