/* multiboot.h - the Multiboot v1 header every guest image starts with (the
 * GNU Multiboot Specification 0.6.96, sec. 3.1): page-aligned modules and
 * memory information requested.  For assembly: MULTIBOOT_HEADER emits it. */
#ifndef RINGSIM_GUEST_MULTIBOOT_H
#define RINGSIM_GUEST_MULTIBOOT_H

#define MB_HEADER_MAGIC  0x1BADB002
#define MB_HEADER_FLAGS  0x00000003
#define MB_LOADER_MAGIC  0x2BADB002

#ifdef __ASSEMBLER__
#define MULTIBOOT_HEADER                                          \
    .section .multiboot, "a";                                     \
    .align 4;                                                     \
    .long MB_HEADER_MAGIC, MB_HEADER_FLAGS, -(MB_HEADER_MAGIC + MB_HEADER_FLAGS)
#endif

#endif
