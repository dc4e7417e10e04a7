/* port92.c - System Control Port A (IBM PS/2 and every PC chipset since):
 * bit 1 = A20 gate (the bus masks physical address bit 20 while it is 0),
 * bit 0 = fast reset on a 0->1 write.  The other bits read back as written. */
#include "port92.h"
#include "mmu/bus.h"

#define P92_RESET 0x01
#define P92_A20   0x02

static uint64_t port92_in(void *ctx, uint16_t port, unsigned size)
{
    (void)port;
    (void)size;
    struct port92 *p = ctx;
    return p->value;
}

static void port92_out(void *ctx, uint16_t port, unsigned size, uint64_t value)
{
    (void)port;
    (void)size;
    struct port92 *p = ctx;
    uint8_t old = p->value, v = (uint8_t)value;
    p->value = v & (uint8_t)~P92_RESET;
    if ((v ^ old) & P92_A20) bus_set_a20(p->bus, (v & P92_A20) != 0);
    if ((v & P92_RESET) && !(old & P92_RESET) && p->reset) p->reset(p->reset_ctx);
}

void port92_init(struct port92 *p, struct bus *bus, void (*reset)(void *ctx), void *ctx)
{
    p->bus = bus;
    p->reset = reset;
    p->reset_ctx = ctx;
    /* Firmware hands over with A20 open, as QEMU's and most BIOSes do. */
    p->value = P92_A20;
    bus_set_a20(bus, 1);
}

int port92_attach(struct port92 *p)
{
    return bus_map_ports(p->bus, 0x92, 0x92, port92_in, port92_out, p);
}
