/* debugcon.c - the debug console at 0xE9 (see debugcon.h). */
#include "debugcon.h"
#include "mmu/bus.h"

void debugcon_init(struct debugcon *d, debugcon_out_fn out, void *ctx)
{
    d->out = out;
    d->ctx = ctx;
    d->bytes = 0;
}

/* A wider read also covers the unclaimed ports above 0xE9, which float high. */
static uint64_t debugcon_in(void *ctx, uint16_t port, unsigned size)
{
    (void)ctx; (void)port;
    uint64_t ones = size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
    return (ones & ~0xFFull) | DEBUGCON_READBACK;
}

/* Only the low byte belongs to 0xE9; the rest of a wide write goes elsewhere. */
static void debugcon_out(void *ctx, uint16_t port, unsigned size, uint64_t value)
{
    struct debugcon *d = ctx;
    (void)port; (void)size;
    d->bytes++;
    if (d->out) d->out(d->ctx, (uint8_t)value);
}

int debugcon_attach(struct debugcon *d, struct bus *bus)
{
    return bus_map_ports(bus, DEBUGCON_PORT, DEBUGCON_PORT, debugcon_in, debugcon_out, d);
}
