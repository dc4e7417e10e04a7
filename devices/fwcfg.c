/* fwcfg.c - QEMU fw_cfg, traditional I/O interface (see fwcfg.h). */
#include "fwcfg.h"
#include "mmu/bus.h"

void fwcfg_init(struct fwcfg *f, uint16_t ncpus, uint64_t ram_bytes)
{
    f->selector = 0;
    f->offset = 0;
    f->ncpus = ncpus;
    f->ram_size = ram_bytes;
}

static unsigned put_le(uint8_t *buf, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) buf[i] = (uint8_t)(v >> (8 * i));
    return n;
}

/* The selected item's bytes into buf (at most 8); its length, 0 if none. */
static unsigned fwcfg_item(const struct fwcfg *f, uint8_t buf[8])
{
    if (f->selector & FW_CFG_ARCH_LOCAL) return 0;      /* no x86 items yet */
    switch (f->selector & FW_CFG_ENTRY_MASK) {
    case FW_CFG_SIGNATURE:
        buf[0] = 'Q'; buf[1] = 'E'; buf[2] = 'M'; buf[3] = 'U';
        return 4;
    case FW_CFG_ID:       return put_le(buf, FW_CFG_ID_TRADITIONAL, 4);
    case FW_CFG_RAM_SIZE: return put_le(buf, f->ram_size, 8);
    case FW_CFG_NB_CPUS:  return put_le(buf, f->ncpus, 2);
    case FW_CFG_FILE_DIR: return put_le(buf, 0, 4);     /* count 0 (BE zero) */
    default:              return 0;
    }
}

static uint8_t fwcfg_read_byte(struct fwcfg *f)
{
    uint8_t buf[8];
    unsigned len = fwcfg_item(f, buf);
    if (f->offset >= len) return 0;
    return buf[f->offset++];
}

/* The data port is 8 bits wide; a wider read takes successive bytes, low first. */
static uint64_t fwcfg_in(void *ctx, uint16_t port, unsigned size)
{
    struct fwcfg *f = ctx;
    if (port != FWCFG_PORT_DATA)                         /* the selector is write-only */
        return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) v |= (uint64_t)fwcfg_read_byte(f) << (8 * i);
    return v;
}

/* Selecting an item rewinds it; data-port writes are ignored (as QEMU >= 2.4). */
static void fwcfg_out(void *ctx, uint16_t port, unsigned size, uint64_t value)
{
    struct fwcfg *f = ctx;
    (void)size;
    if (port != FWCFG_PORT_SELECTOR) return;
    f->selector = (uint16_t)value;
    f->offset = 0;
}

int fwcfg_attach(struct fwcfg *f, struct bus *bus)
{
    return bus_map_ports(bus, FWCFG_PORT_SELECTOR, FWCFG_PORT_DATA, fwcfg_in, fwcfg_out, f);
}
