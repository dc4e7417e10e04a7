/* device.h - what a device gets from the machine: IRQ line objects and the
 * virtual clock with its timers (sim/timers.h).  A device never calls into
 * cpu/: it drives its output lines, and the machine wires them to an
 * interrupt controller or to the CPU's INTR input.
 */
#ifndef RINGSIM_DEVICE_H
#define RINGSIM_DEVICE_H

#include <stdint.h>

/* One wire: set(ctx, line, level) with level 0 or 1.  Edge-triggered inputs
 * see the 0->1 transition; level-triggered ones the level. */
typedef void (*irq_set_fn)(void *ctx, unsigned line, int level);
struct irq_line {
    irq_set_fn set;
    void *ctx;
    unsigned line;
};

static inline void irq_set(const struct irq_line *l, int level)
{
    if (l && l->set) l->set(l->ctx, l->line, level);
}

/* A 0->1->0 pulse, for edge-triggered sources that have no lasting level. */
static inline void irq_pulse(const struct irq_line *l)
{
    irq_set(l, 1);
    irq_set(l, 0);
}

/* 8-bit devices on the ISA bus: a 16- or 32-bit access becomes byte cycles
 * at consecutive ports, low byte first, as the AT bus splits it. */
typedef uint8_t (*port_byte_in_fn)(void *ctx, uint16_t port);
typedef void (*port_byte_out_fn)(void *ctx, uint16_t port, uint8_t value);

static inline uint64_t isa_bytes_in(void *ctx, uint16_t port, unsigned size, port_byte_in_fn in)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) v |= (uint64_t)in(ctx, (uint16_t)(port + i)) << (8 * i);
    return v;
}

static inline void isa_bytes_out(void *ctx, uint16_t port, unsigned size, uint64_t value,
                                 port_byte_out_fn out)
{
    for (unsigned i = 0; i < size; i++) out(ctx, (uint16_t)(port + i), (uint8_t)(value >> (8 * i)));
}

#endif
