/* fwcfg.h - QEMU's firmware configuration device, traditional I/O interface
 * only (QEMU docs/specs/fw_cfg.rst): a 16-bit selector at 0x510 and an 8-bit
 * data port at 0x511 that streams the selected item from offset 0.  Items:
 * signature, ID (no DMA), RAM size, CPU count and an empty file directory;
 * anything else, and reads past the end of an item, read 0.
 */
#ifndef RINGSIM_FWCFG_H
#define RINGSIM_FWCFG_H

#include <stdint.h>

struct bus;

#define FWCFG_PORT_SELECTOR 0x510
#define FWCFG_PORT_DATA     0x511

/* Selector keys (fw_cfg.rst, "Selector Key Values"). */
#define FW_CFG_SIGNATURE     0x0000   /* "QEMU" */
#define FW_CFG_ID            0x0001   /* 32-bit LE feature bitmap */
#define FW_CFG_RAM_SIZE      0x0003   /* 64-bit LE */
#define FW_CFG_NB_CPUS       0x0005   /* 16-bit LE */
#define FW_CFG_FILE_DIR      0x0019   /* 32-bit BE count, then entries */
#define FW_CFG_WRITE_CHANNEL 0x4000
#define FW_CFG_ARCH_LOCAL    0x8000
#define FW_CFG_ENTRY_MASK    0x3FFF

#define FW_CFG_ID_TRADITIONAL 0x1     /* bit 0: the I/O port interface */
#define FW_CFG_ID_DMA         0x2     /* bit 1: DMA interface (not offered) */

struct fwcfg {
    uint16_t selector;
    uint32_t offset;          /* next byte of the selected item */
    uint16_t ncpus;
    uint64_t ram_size;
};

void fwcfg_init(struct fwcfg *f, uint16_t ncpus, uint64_t ram_bytes);
int fwcfg_attach(struct fwcfg *f, struct bus *bus);

#endif
