/* ioapic.h - the Intel 82093AA I/O APIC (datasheet 290566: 3.0 register
 * description, IOREGSEL/IOWIN, the redirection table) with 24 pins at
 * 0xFEC00000, for a uniprocessor: every destination reaches the one local
 * APIC.  Pins take the irq_line convention (1 = the source requests); the
 * board's wiring makes that true whatever polarity the entry names.
 */
#ifndef RINGSIM_IOAPIC_H
#define RINGSIM_IOAPIC_H

#include <stdint.h>
#include "devices/device.h"

struct bus;
struct lapic;

#define IOAPIC_DEFAULT_BASE 0xFEC00000u
#define IOAPIC_MMIO_SIZE    0x1000u
#define IOAPIC_PINS         24
#define IOAPIC_VERSION      0x00170011u     /* max redirection entry 23, version 11h */

struct ioapic {
    struct lapic *target;
    uint32_t ioregsel;
    uint32_t id;                    /* bits 27:24 */
    uint32_t arb;                   /* arbitration ID, loaded from the ID */
    uint64_t redir[IOAPIC_PINS];
    uint32_t asserted;              /* bit n: pin n is being driven */
};

/* Also hooks the local APIC's EOI broadcast to ioapic_eoi. */
void ioapic_init(struct ioapic *io, struct lapic *target);
int  ioapic_attach(struct ioapic *io, struct bus *bus);   /* IOREGSEL 0x00, IOWIN 0x10 */
void ioapic_set_irq(void *ctx, unsigned pin, int level);  /* an irq_set_fn: pins 0-23 */
void ioapic_eoi(struct ioapic *io, uint8_t vector);       /* clears remote IRR */

#endif
