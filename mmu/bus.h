/* bus.h - the physical address space and the I/O port space.
 *
 * RAM is one host mapping committed as it is touched; MMIO regions and port
 * ranges dispatch to device callbacks; unclaimed reads return all ones (open
 * bus).  The CPU reaches RAM through host pointers cached in its TLB and
 * everything else through bus_read/bus_write.
 */
#ifndef RINGSIM_BUS_H
#define RINGSIM_BUS_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

typedef uint64_t (*mmio_read_fn)(void *ctx, uint64_t offset, unsigned size);
typedef void (*mmio_write_fn)(void *ctx, uint64_t offset, unsigned size, uint64_t value);
typedef uint64_t (*port_in_fn)(void *ctx, uint16_t port, unsigned size);
typedef void (*port_out_fn)(void *ctx, uint16_t port, unsigned size, uint64_t value);
/* Told when something other than the CPU writes RAM (loaders, devices), so
 * decoded code for that range can be dropped. */
typedef void (*ram_write_fn)(void *ctx, uint64_t phys, uint64_t len);
/* Told when the physical map changes (A20, a new ROM): cached translations go. */
typedef void (*map_change_fn)(void *ctx);

/* The firmware ROM sits just below 4 GiB; its top 64 KiB also appear at
 * 0xF0000-0xFFFFF, so the reset vector FFFFFFF0 and F000:FFF0 reach the same
 * bytes (the PC/AT's BIOS shadow, without the chipset's PAM registers). */
#define BUS_ROM_TOP      0x100000000ull
#define BUS_ROM_MAX      (16ull << 20)
#define BUS_LOW_ALIAS    0xF0000ull
#define BUS_LOW_ALIAS_SZ 0x10000ull

#define BUS_MAX_MMIO  32
#define BUS_MAX_PORTS 64

struct bus {
    uint8_t *ram;
    uint64_t ram_size;
    uint8_t *rom;               /* NULL until bus_load_rom */
    uint64_t rom_size;
    uint64_t a20_mask;          /* ~0, or bit 20 cleared while the A20 gate is closed */
    struct { uint64_t base, size; mmio_read_fn read; mmio_write_fn write; void *ctx; }
        mmio[BUS_MAX_MMIO];
    unsigned n_mmio;
    unsigned n_mmio_over_ram;   /* MMIO windows inside RAM (a relocated APIC): they win */
    struct { uint16_t first, last; port_in_fn in; port_out_fn out; void *ctx; }
        ports[BUS_MAX_PORTS];
    unsigned n_ports;
    ram_write_fn on_ram_write;
    void *on_ram_write_ctx;
    map_change_fn on_map_change;
    void *on_map_change_ctx;
    /* Called before any device access (ports, MMIO), so the machine can bring
     * virtual time up to the instruction making it: devices then see exact time. */
    void (*before_device)(void *ctx);
    void *before_device_ctx;
    /* An observer of port I/O (traces): after each access, with the value. */
    void (*on_port)(void *ctx, uint16_t port, unsigned size, uint64_t value, int is_write);
    void *on_port_ctx;
};

struct bus *bus_new(uint64_t ram_size);   /* NULL (and a message) if the host refuses */
void bus_free(struct bus *bus);

/* Host pointer for len bytes of RAM at phys, or NULL if any of it is not RAM. */
bool bus_mmio_overlaps(const struct bus *bus, uint64_t phys, uint64_t len);

/* Host pointer for len bytes of RAM at phys, or NULL when they are not all
 * RAM: beyond it, or under an MMIO window mapped over it (MMIO decodes first,
 * as on a PC's chipset). */
static inline uint8_t *bus_ram_ptr(struct bus *bus, uint64_t phys, uint64_t len)
{
    if (phys >= bus->ram_size || len > bus->ram_size - phys) return NULL;
    if (bus->n_mmio_over_ram && bus_mmio_overlaps(bus, phys, len)) return NULL;
    return bus->ram + phys;
}

/* Host pointer for len bytes of ROM (either alias) at phys, or NULL.  Reads
 * only: writes to ROM are dropped by bus_write and never cached. */
uint8_t *bus_rom_ptr(struct bus *bus, uint64_t phys, uint64_t len);

/* Load a firmware image (at most BUS_ROM_MAX bytes) ending at 4 GiB. */
int bus_load_rom(struct bus *bus, const void *image, uint64_t len);
/* Open or close the A20 gate (port 0x92 bit 1, the keyboard controller). */
void bus_set_a20(struct bus *bus, int enabled);

uint64_t bus_read(struct bus *bus, uint64_t phys, unsigned size);
void bus_write(struct bus *bus, uint64_t phys, unsigned size, uint64_t value);
/* Copy into guest RAM from outside the CPU (loaders, DMA): tells on_ram_write. */
int bus_load(struct bus *bus, uint64_t phys, const void *src, uint64_t len);

int bus_map_mmio(struct bus *bus, uint64_t base, uint64_t size, mmio_read_fn rd,
                 mmio_write_fn wr, void *ctx);
/* Move ctx's window at old_base to new_base (a relocated local APIC); RAM
 * still answers first where the two overlap.  -1 if there is no such window. */
int bus_move_mmio(struct bus *bus, void *ctx, uint64_t old_base, uint64_t new_base);
int bus_map_ports(struct bus *bus, uint16_t first, uint16_t last, port_in_fn in,
                  port_out_fn out, void *ctx);
uint64_t bus_port_in(struct bus *bus, uint16_t port, unsigned size);
void bus_port_out(struct bus *bus, uint16_t port, unsigned size, uint64_t value);

#endif
