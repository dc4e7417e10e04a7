/* debugexit.c - QEMU isa-debug-exit at 0xF4..0xF7 (see debugexit.h). */
#include "debugexit.h"
#include "mmu/bus.h"

void debugexit_init(struct debugexit *d, debugexit_stop_fn stop, void *ctx)
{
    d->exited = false;
    d->status = 0;
    d->stop = stop;
    d->ctx = ctx;
}

static uint64_t debugexit_in(void *ctx, uint16_t port, unsigned size)
{
    (void)ctx; (void)port; (void)size;
    return 0;                 /* QEMU's device reads as zero */
}

static void debugexit_out(void *ctx, uint16_t port, unsigned size, uint64_t value)
{
    struct debugexit *d = ctx;
    (void)port;
    uint32_t v = size >= 4 ? (uint32_t)value : (uint32_t)(value & ((1u << (8 * size)) - 1));
    d->exited = true;
    d->status = (int)((v << 1) | 1);
    if (d->stop) d->stop(d->ctx, d->status);
}

int debugexit_attach(struct debugexit *d, struct bus *bus)
{
    return bus_map_ports(bus, DEBUGEXIT_PORT, DEBUGEXIT_PORT + DEBUGEXIT_IOSIZE - 1,
                         debugexit_in, debugexit_out, d);
}
