/* ioapic.c - the 82093AA I/O APIC (datasheet 290566, 3.1 IOREGSEL/IOWIN,
 * 3.2.4 redirection table).  Edge pins send on the rising edge (an edge on a
 * masked pin is lost); level pins send while asserted with remote IRR clear,
 * and again after the local APIC's EOI for the vector if still asserted.
 * Fixed and lowest-priority entries deliver; other delivery modes are stored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "devices/ioapic.h"
#include "devices/lapic.h"
#include "mmu/bus.h"

#define RTE_MASKED      (1ull << 16)
#define RTE_LEVEL       (1ull << 15)    /* trigger mode: level */
#define RTE_REMOTE_IRR  (1ull << 14)
#define RTE_WRITABLE    0xFF0000000001AFFFull   /* all but delivery status, remote IRR */

/* ---- delivery -------------------------------------------------------------------- */

static bool deliverable_mode(uint64_t rte)
{
    unsigned mode = rte >> 8 & 7;
    return mode == 0 || mode == 1;      /* fixed; lowest priority with one CPU */
}

static bool send(struct ioapic *io, unsigned pin)
{
    uint64_t rte = io->redir[pin];
    if (!deliverable_mode(rte)) return false;
    return lapic_deliver_fixed(io->target, rte & 0xFF, (rte & RTE_LEVEL) != 0);
}

/* A level pin asserted, unmasked and not awaiting EOI sends once more. */
static void service_level(struct ioapic *io, unsigned pin)
{
    uint64_t rte = io->redir[pin];
    if (!(rte & RTE_LEVEL) || (rte & (RTE_MASKED | RTE_REMOTE_IRR))) return;
    if (!(io->asserted >> pin & 1)) return;
    if (send(io, pin)) io->redir[pin] |= RTE_REMOTE_IRR;
}

void ioapic_set_irq(void *ctx, unsigned pin, int level)
{
    struct ioapic *io = ctx;
    if (pin >= IOAPIC_PINS) {
        fprintf(stderr, "ioapic_set_irq: pin %u is not 0-23 (a wiring bug)\n", pin);
        abort();
    }
    bool was = io->asserted >> pin & 1;
    io->asserted = level ? io->asserted | 1u << pin : io->asserted & ~(1u << pin);
    uint64_t rte = io->redir[pin];
    if (rte & RTE_LEVEL) service_level(io, pin);
    else if (level && !was && !(rte & RTE_MASKED)) send(io, pin);
}

void ioapic_eoi(struct ioapic *io, uint8_t vector)
{
    for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
        uint64_t rte = io->redir[pin];
        if ((rte & 0xFF) != vector || !(rte & RTE_LEVEL)) continue;
        io->redir[pin] &= ~RTE_REMOTE_IRR;
        service_level(io, pin);
    }
}

static void eoi_hook(void *ctx, uint8_t vector)
{
    ioapic_eoi(ctx, vector);
}

/* ---- registers ---------------------------------------------------------------------- */

static uint32_t reg_read(const struct ioapic *io, uint32_t index)
{
    if (index >= 0x10 && index < 0x10 + 2 * IOAPIC_PINS) {
        uint64_t rte = io->redir[(index - 0x10) / 2];
        return (uint32_t)(index & 1 ? rte >> 32 : rte);
    }
    switch (index) {
    case 0x00: return io->id;
    case 0x01: return IOAPIC_VERSION;
    case 0x02: return io->arb;
    default: return 0;                  /* reserved */
    }
}

static void write_rte(struct ioapic *io, unsigned pin, bool high, uint32_t v)
{
    uint64_t rte = io->redir[pin];
    if (high) rte = (rte & 0xFFFFFFFFull) | (uint64_t)v << 32;
    else rte = (rte & ~0xFFFFFFFFull) | v;
    rte = (rte & RTE_WRITABLE) | (io->redir[pin] & RTE_REMOTE_IRR);
    if (!(rte & RTE_LEVEL)) rte &= ~RTE_REMOTE_IRR;
    io->redir[pin] = rte;
    service_level(io, pin);             /* an unmasked, still asserted level pin */
}

static void reg_write(struct ioapic *io, uint32_t index, uint32_t v)
{
    if (index >= 0x10 && index < 0x10 + 2 * IOAPIC_PINS) {
        write_rte(io, (index - 0x10) / 2, index & 1, v);
        return;
    }
    if (index == 0x00) io->id = io->arb = v & 0x0F000000u;   /* 3.2.3: arb ID loads too */
}

/* ---- MMIO: 32-bit accesses to IOREGSEL (0x00) and IOWIN (0x10) only ------------------ */

static uint64_t ioapic_mmio_read(void *ctx, uint64_t offset, unsigned size)
{
    struct ioapic *io = ctx;
    if (size != 4) return 0;
    if (offset == 0x00) return io->ioregsel;
    if (offset == 0x10) return reg_read(io, io->ioregsel);
    return 0;
}

static void ioapic_mmio_write(void *ctx, uint64_t offset, unsigned size, uint64_t value)
{
    struct ioapic *io = ctx;
    if (size != 4) return;
    if (offset == 0x00) io->ioregsel = (uint32_t)value & 0xFF;
    else if (offset == 0x10) reg_write(io, io->ioregsel, (uint32_t)value);
}

void ioapic_init(struct ioapic *io, struct lapic *target)
{
    memset(io, 0, sizeof *io);
    io->target = target;
    for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) io->redir[pin] = RTE_MASKED;
    target->eoi_broadcast = eoi_hook;
    target->eoi_ctx = io;
}

int ioapic_attach(struct ioapic *io, struct bus *bus)
{
    return bus_map_mmio(bus, IOAPIC_DEFAULT_BASE, IOAPIC_MMIO_SIZE, ioapic_mmio_read,
                        ioapic_mmio_write, io);
}
