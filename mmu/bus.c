/* bus.c - physical memory and port dispatch (see bus.h). */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/mman.h>
#include "bus.h"

struct bus *bus_new(uint64_t ram_size)
{
    struct bus *bus = calloc(1, sizeof *bus);
    if (!bus) return NULL;
    /* MAP_NORESERVE: host memory is committed only for pages the guest touches. */
    void *p = mmap(NULL, ram_size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        fprintf(stderr, "ringsim: cannot reserve %llu bytes of guest RAM\n",
                (unsigned long long)ram_size);
        free(bus);
        return NULL;
    }
    bus->ram = p;
    bus->ram_size = ram_size;
    bus->a20_mask = ~0ull;
    return bus;
}

void bus_free(struct bus *bus)
{
    if (!bus) return;
    munmap(bus->ram, bus->ram_size);
    free(bus->rom);
    free(bus);
}

uint8_t *bus_rom_ptr(struct bus *bus, uint64_t phys, uint64_t len)
{
    if (!bus->rom) return NULL;
    uint64_t base = BUS_ROM_TOP - bus->rom_size;
    if (phys >= base && phys < BUS_ROM_TOP && len <= BUS_ROM_TOP - phys)
        return bus->rom + (phys - base);
    uint64_t alias = bus->rom_size < BUS_LOW_ALIAS_SZ ? bus->rom_size : BUS_LOW_ALIAS_SZ;
    uint64_t low = BUS_LOW_ALIAS + BUS_LOW_ALIAS_SZ - alias;
    if (phys >= low && phys < BUS_LOW_ALIAS + BUS_LOW_ALIAS_SZ &&
        len <= BUS_LOW_ALIAS + BUS_LOW_ALIAS_SZ - phys)
        return bus->rom + bus->rom_size - (BUS_LOW_ALIAS + BUS_LOW_ALIAS_SZ - phys);
    return NULL;
}

static void map_changed(struct bus *bus)
{
    if (bus->on_map_change) bus->on_map_change(bus->on_map_change_ctx);
}

int bus_load_rom(struct bus *bus, const void *image, uint64_t len)
{
    if (len == 0 || len > BUS_ROM_MAX) return -1;
    uint8_t *copy = malloc(len);
    if (!copy) return -1;
    memcpy(copy, image, len);
    free(bus->rom);
    bus->rom = copy;
    bus->rom_size = len;
    /* Code decoded from the old image at the low alias must go too. */
    if (bus->on_ram_write) bus->on_ram_write(bus->on_ram_write_ctx, BUS_LOW_ALIAS, BUS_LOW_ALIAS_SZ);
    map_changed(bus);
    return 0;
}

void bus_set_a20(struct bus *bus, int enabled)
{
    uint64_t mask = enabled ? ~0ull : ~(1ull << 20);
    if (mask == bus->a20_mask) return;
    bus->a20_mask = mask;
    map_changed(bus);
}

static void sync_devices(struct bus *bus)
{
    if (bus->before_device) bus->before_device(bus->before_device_ctx);
}

static int find_mmio(const struct bus *bus, uint64_t phys)
{
    for (unsigned i = 0; i < bus->n_mmio; i++)
        if (phys - bus->mmio[i].base < bus->mmio[i].size) return (int)i;
    return -1;
}

uint64_t bus_read(struct bus *bus, uint64_t phys, unsigned size)
{
    uint8_t *p = bus_rom_ptr(bus, phys, size);
    if (!p) p = bus_ram_ptr(bus, phys, size);
    if (p) {
        uint64_t v = 0;
        memcpy(&v, p, size);
        return v;
    }
    int i = find_mmio(bus, phys);
    if (i >= 0 && bus->mmio[i].read) {
        sync_devices(bus);
        return bus->mmio[i].read(bus->mmio[i].ctx, phys - bus->mmio[i].base, size);
    }
    return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;   /* open bus reads all ones */
}

void bus_write(struct bus *bus, uint64_t phys, unsigned size, uint64_t value)
{
    if (bus_rom_ptr(bus, phys, size)) return;      /* ROM ignores writes */
    uint8_t *p = bus_ram_ptr(bus, phys, size);
    if (p) {
        memcpy(p, &value, size);
        return;
    }
    int i = find_mmio(bus, phys);
    if (i >= 0 && bus->mmio[i].write) {
        sync_devices(bus);
        bus->mmio[i].write(bus->mmio[i].ctx, phys - bus->mmio[i].base, size, value);
    }
    /* writes to nothing are dropped, as on a real bus */
}

int bus_load(struct bus *bus, uint64_t phys, const void *src, uint64_t len)
{
    uint8_t *p = bus_ram_ptr(bus, phys, len);
    if (!p) return -1;
    memcpy(p, src, len);
    if (bus->on_ram_write) bus->on_ram_write(bus->on_ram_write_ctx, phys, len);
    return 0;
}

bool bus_mmio_overlaps(const struct bus *bus, uint64_t phys, uint64_t len)
{
    for (unsigned i = 0; i < bus->n_mmio; i++)
        if (phys < bus->mmio[i].base + bus->mmio[i].size && bus->mmio[i].base < phys + len)
            return true;
    return false;
}

/* How many MMIO windows lie (partly) inside RAM: bus_ram_ptr checks them only then. */
static void count_mmio_over_ram(struct bus *bus)
{
    bus->n_mmio_over_ram = 0;
    for (unsigned i = 0; i < bus->n_mmio; i++)
        if (bus->mmio[i].base < bus->ram_size) bus->n_mmio_over_ram++;
}

int bus_map_mmio(struct bus *bus, uint64_t base, uint64_t size, mmio_read_fn rd,
                 mmio_write_fn wr, void *ctx)
{
    if (bus->n_mmio == BUS_MAX_MMIO) return -1;
    bus->mmio[bus->n_mmio].base = base;
    bus->mmio[bus->n_mmio].size = size;
    bus->mmio[bus->n_mmio].read = rd;
    bus->mmio[bus->n_mmio].write = wr;
    bus->mmio[bus->n_mmio].ctx = ctx;
    bus->n_mmio++;
    count_mmio_over_ram(bus);
    return 0;
}

int bus_move_mmio(struct bus *bus, void *ctx, uint64_t old_base, uint64_t new_base)
{
    for (unsigned i = 0; i < bus->n_mmio; i++) {
        if (bus->mmio[i].ctx != ctx || bus->mmio[i].base != old_base) continue;
        bus->mmio[i].base = new_base;
        count_mmio_over_ram(bus);
        if (bus->on_map_change) bus->on_map_change(bus->on_map_change_ctx);
        return 0;
    }
    return -1;
}

int bus_map_ports(struct bus *bus, uint16_t first, uint16_t last, port_in_fn in,
                  port_out_fn out, void *ctx)
{
    if (bus->n_ports == BUS_MAX_PORTS) return -1;
    bus->ports[bus->n_ports].first = first;
    bus->ports[bus->n_ports].last = last;
    bus->ports[bus->n_ports].in = in;
    bus->ports[bus->n_ports].out = out;
    bus->ports[bus->n_ports].ctx = ctx;
    bus->n_ports++;
    return 0;
}

static uint64_t port_in(struct bus *bus, uint16_t port, unsigned size)
{
    for (unsigned i = 0; i < bus->n_ports; i++)
        if (port >= bus->ports[i].first && port <= bus->ports[i].last && bus->ports[i].in)
            return bus->ports[i].in(bus->ports[i].ctx, port, size);
    return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

uint64_t bus_port_in(struct bus *bus, uint16_t port, unsigned size)
{
    sync_devices(bus);
    uint64_t v = port_in(bus, port, size);
    if (bus->on_port) bus->on_port(bus->on_port_ctx, port, size, v, 0);
    return v;
}

void bus_port_out(struct bus *bus, uint16_t port, unsigned size, uint64_t value)
{
    sync_devices(bus);
    if (bus->on_port) bus->on_port(bus->on_port_ctx, port, size, value, 1);
    for (unsigned i = 0; i < bus->n_ports; i++)
        if (port >= bus->ports[i].first && port <= bus->ports[i].last && bus->ports[i].out) {
            bus->ports[i].out(bus->ports[i].ctx, port, size, value);
            return;
        }
}
