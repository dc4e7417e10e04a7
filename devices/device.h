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

#endif
