/* lapic.h - the local APIC in xAPIC mode (Intel SDM Vol. 3A ch. 11: 11.4
 * enabling and the IA32_APIC_BASE MSR, 11.5 LVT, error handling and the timer,
 * 11.6 the ICR, 11.8 IRR/ISR/TMR, priorities and EOI, 11.9 the SVR).  One
 * processor: self-IPIs only; x2APIC is not advertised.  The timer counts a
 * 1 GHz bus clock (one tick per virtual ns) through the divider.
 */
#ifndef RINGSIM_LAPIC_H
#define RINGSIM_LAPIC_H

#include <stdbool.h>
#include <stdint.h>
#include "devices/device.h"
#include "sim/timers.h"

struct bus;

#define LAPIC_DEFAULT_BASE  0xFEE00000u
#define LAPIC_MMIO_SIZE     0x1000u
#define LAPIC_BUS_HZ        1000000000u     /* timer input clock before the divider */
#define LAPIC_VERSION       0x00050014u     /* version 14h, max LVT entry 5 (six LVTs) */

#define APIC_BASE_BSP       (1ull << 8)
#define APIC_BASE_EXTD      (1ull << 10)    /* x2APIC enable: reserved here */
#define APIC_BASE_EN        (1ull << 11)
#define APIC_BASE_ADDR      0x0000000FFFFFF000ull   /* MAXPHYADDR 36 (CPUID 80000008h) */

/* The LVT registers in address order, 0x320 + 0x10 * n. */
enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, LVT_COUNT };

struct lapic {
    struct timer_queue *q;
    struct timer timer;
    struct irq_line intr;           /* the CPU's INTR input */
    int intr_level;                 /* what we last drove on intr */
    uint64_t base_msr;              /* IA32_APIC_BASE */
    uint64_t mapped_base;           /* where lapic_attach put the window */
    uint32_t id, tpr, ldr, dfr, svr;
    uint32_t esr;                   /* what reads of 0x280 see */
    uint32_t esr_new;               /* errors since the last ESR write */
    uint32_t icr_lo, icr_hi;
    uint32_t lvt[LVT_COUNT];
    uint32_t irr[8], isr[8], tmr[8];    /* bit v & 31 of word v >> 5 */
    uint32_t initial_count, divide_conf;
    bool timer_running;             /* counting down (or periodic) */
    uint64_t timer_start;           /* virtual ns at which current count was initial */
    bool nmi;                       /* an NMI waiting for lapic_nmi_pending */
    uint8_t lint;                   /* bit n: the level on LINTn */
    /* Pulsed when an NMI is raised (ICR, an NMI-mode LINT), so the board can
     * take it to the CPU's NMI pin at once; lapic_nmi_pending consumes it. */
    struct irq_line nmi_out;
    /* Told of an EOI for a level-triggered vector (TMR set): the I/O APIC's
     * remote IRR.  Set by ioapic_init; NULL for none. */
    void (*eoi_broadcast)(void *ctx, uint8_t vector);
    void *eoi_ctx;
};

void lapic_init(struct lapic *a, struct timer_queue *q, uint32_t apic_id,
                const struct irq_line *intr);     /* intr: the CPU's INTR input */
int  lapic_attach(struct lapic *a, struct bus *bus);  /* MMIO at the base, 4 KiB */
uint64_t lapic_read_base_msr(const struct lapic *a);
int  lapic_write_base_msr(struct lapic *a, uint64_t v);  /* -1: reserved bits (#GP) */
void lapic_set_irq(void *ctx, unsigned vector, int level);  /* an irq_set_fn: edge, fixed */
/* A fixed interrupt message; level_triggered sets its TMR bit.  False if
 * the APIC did not accept it (disabled, or vector 0-15). */
bool lapic_deliver_fixed(struct lapic *a, unsigned vector, bool level_triggered);
int  lapic_pending(const struct lapic *a);    /* the vector INTA would return, or -1 */
int  lapic_acknowledge(struct lapic *a);      /* IRR -> ISR, or the spurious vector */
bool lapic_nmi_pending(struct lapic *a);      /* consumed by the call */
/* An irq_set_fn for the LINT0/LINT1 pins (line 0 or 1): a rising edge on an
 * unmasked pin raises an NMI (delivery mode NMI) or its vector (fixed); an
 * unmasked ExtINT pin passes its level to INTR (virtual-wire mode, 11.5.1)
 * and the INTA cycle goes to the 8259 (lapic_extint says when).
 * Level-triggered fixed LINT is not modelled. */
void lapic_set_lint(void *ctx, unsigned line, int level);
/* True while an unmasked ExtINT LINT pin is asserted: INTA belongs to the
 * external controller (ExtINT ignores the APIC's priorities). */
bool lapic_extint(const struct lapic *a);
/* Move the MMIO window to the base IA32_APIC_BASE now names. */
int  lapic_relocate(struct lapic *a, struct bus *bus);
/* CR8 (64-bit mode) is TPR[7:4]. */
unsigned lapic_cr8_read(const struct lapic *a);
void lapic_cr8_write(struct lapic *a, unsigned cr8);
uint32_t lapic_ppr(const struct lapic *a);    /* processor priority (register 0xA0) */

#endif
