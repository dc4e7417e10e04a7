/* lapic.c - the xAPIC local APIC (Intel SDM Vol. 3A 11.4-11.9, 11.5.4 timer).
 * Only 32-bit accesses at 16-byte-aligned offsets are defined: any other
 * size or offset reads 0 and drops writes.  The current count is computed
 * from virtual time, never ticked; one timer on the queue marks expiry.
 * While IA32_APIC_BASE.EN is clear the window reads as open bus.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "devices/lapic.h"
#include "mmu/bus.h"

#define SVR_ENABLE      0x100u      /* APIC software enable */
#define LVT_MASKED      0x10000u
#define LVT_PERIODIC    0x20000u    /* timer mode 01; 10 (TSC deadline) not advertised */
#define ICR_STATUS      0x1000u     /* delivery status: always idle here */
#define ICR_WRITABLE    0x000CCFFFu /* vector, mode, dest mode, level, trigger, shorthand */
#define DM_FIXED        0u
#define DM_LOWEST       1u
#define DM_NMI          4u

/* ESR bits (11.5.3). */
#define ESR_SEND_ILLEGAL    0x20u
#define ESR_RECV_ILLEGAL    0x40u
#define ESR_ILLEGAL_REG     0x80u

/* Writable bits of each LVT entry; delivery status is read-only. */
static const uint32_t lvt_writable[LVT_COUNT] = {
    [LVT_TIMER] = 0x000300FFu,      /* vector, mask, periodic */
    [LVT_THERMAL] = 0x000107FFu,    /* vector, delivery mode, mask */
    [LVT_PERF] = 0x000107FFu,
    [LVT_LINT0] = 0x0001A7FFu,      /* + polarity, trigger mode */
    [LVT_LINT1] = 0x0001A7FFu,
    [LVT_ERROR] = 0x000100FFu,
};

/* ---- the 256-bit registers ----------------------------------------------------- */

static bool bit_test(const uint32_t *r, unsigned v) { return r[v >> 5] >> (v & 31) & 1; }
static void bit_set(uint32_t *r, unsigned v) { r[v >> 5] |= 1u << (v & 31); }
static void bit_clear(uint32_t *r, unsigned v) { r[v >> 5] &= ~(1u << (v & 31)); }

/* The highest set bit's vector, or -1. */
static int highest(const uint32_t *r)
{
    for (int w = 7; w >= 0; w--)
        if (r[w]) return w * 32 + 31 - __builtin_clz(r[w]);
    return -1;
}

/* ---- priority and INTR ---------------------------------------------------------- */

static bool hw_enabled(const struct lapic *a) { return (a->base_msr & APIC_BASE_EN) != 0; }
static bool sw_enabled(const struct lapic *a) { return (a->svr & SVR_ENABLE) != 0; }

/* 11.8.3.1: PPR is TPR unless the highest in-service class is above it. */
uint32_t lapic_ppr(const struct lapic *a)
{
    int isrv = highest(a->isr);
    uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xF0;
    return (a->tpr & 0xF0) >= isr_class ? a->tpr & 0xFF : isr_class;
}

/* 11.6.2 (Figure 11-15): arbitration priority. */
static uint32_t apr(const struct lapic *a)
{
    int irrv = highest(a->irr), isrv = highest(a->isr);
    uint32_t tpr = a->tpr & 0xF0;
    uint32_t irr = irrv < 0 ? 0 : (uint32_t)irrv & 0xF0;
    uint32_t isr = isrv < 0 ? 0 : (uint32_t)isrv & 0xF0;
    if (tpr >= irr && tpr > isr) return a->tpr & 0xFF;
    uint32_t m = tpr > isr ? tpr : isr;
    return m > irr ? m : irr;
}

int lapic_pending(const struct lapic *a)
{
    if (!hw_enabled(a)) return -1;
    int v = highest(a->irr);
    if (v < 0 || ((uint32_t)v & 0xF0) <= (lapic_ppr(a) & 0xF0)) return -1;
    return v;
}

#define DM_EXTINT_MODE 7u

bool lapic_extint(const struct lapic *a)
{
    if (!hw_enabled(a)) return false;
    for (unsigned line = 0; line < 2; line++) {
        uint32_t lvt = a->lvt[LVT_LINT0 + line];
        if ((a->lint >> line & 1) && !(lvt & LVT_MASKED) && (lvt >> 8 & 7) == DM_EXTINT_MODE)
            return true;
    }
    return false;
}

static void update_intr(struct lapic *a)
{
    int level = lapic_pending(a) >= 0 || lapic_extint(a);
    if (level == a->intr_level) return;
    a->intr_level = level;
    irq_set(&a->intr, level);
}

/* ---- accepting interrupts -------------------------------------------------------- */

/* 11.5.3: log an error; the LVT error entry interrupts unless masked. */
static void apic_error(struct lapic *a, uint32_t bits)
{
    a->esr_new |= bits;
    uint32_t lvt = a->lvt[LVT_ERROR];
    if (lvt & LVT_MASKED) return;
    if ((lvt & 0xFF) < 16) {
        a->esr_new |= ESR_RECV_ILLEGAL;     /* and no second error interrupt */
        return;
    }
    bit_set(a->irr, lvt & 0xFF);
    bit_clear(a->tmr, lvt & 0xFF);
    update_intr(a);
}

bool lapic_deliver_fixed(struct lapic *a, unsigned vector, bool level_triggered)
{
    if (!hw_enabled(a) || !sw_enabled(a)) return false;
    if (vector < 16) {
        apic_error(a, ESR_RECV_ILLEGAL);
        return false;
    }
    bit_set(a->irr, vector);
    if (level_triggered) bit_set(a->tmr, vector);
    else bit_clear(a->tmr, vector);
    update_intr(a);
    return true;
}

void lapic_set_irq(void *ctx, unsigned vector, int level)
{
    if (vector > 255) {
        fprintf(stderr, "lapic_set_irq: vector %u is not 0-255 (a wiring bug)\n", vector);
        abort();
    }
    if (level) lapic_deliver_fixed(ctx, vector, false);   /* a message has no deassert */
}

static void raise_nmi(struct lapic *a)
{
    a->nmi = true;
    irq_pulse(&a->nmi_out);
}

/* An LVT entry fires: fixed delivery of its vector unless masked. */
static void lvt_fire(struct lapic *a, int entry)
{
    uint32_t lvt = a->lvt[entry];
    if (!(lvt & LVT_MASKED)) lapic_deliver_fixed(a, lvt & 0xFF, false);
}

void lapic_set_lint(void *ctx, unsigned line, int level)
{
    struct lapic *a = ctx;
    if (line > 1) {
        fprintf(stderr, "lapic_set_lint: line %u is not LINT0 or LINT1 (a wiring bug)\n", line);
        abort();
    }
    bool rising = level && !(a->lint >> line & 1);
    a->lint = (uint8_t)(level ? a->lint | 1u << line : a->lint & ~(1u << line));
    uint32_t lvt = a->lvt[LVT_LINT0 + (int)line];
    update_intr(a);                     /* ExtINT follows the level */
    if (!rising || !hw_enabled(a) || (lvt & LVT_MASKED)) return;
    if ((lvt >> 8 & 7) == DM_NMI) raise_nmi(a);
    else if ((lvt >> 8 & 7) == DM_FIXED) lapic_deliver_fixed(a, lvt & 0xFF, false);
}

int lapic_acknowledge(struct lapic *a)
{
    int v = lapic_pending(a);
    if (v < 0) return (int)(a->svr & 0xFF);    /* 11.9: spurious, nothing in service */
    bit_clear(a->irr, (unsigned)v);
    bit_set(a->isr, (unsigned)v);
    update_intr(a);
    return v;
}

bool lapic_nmi_pending(struct lapic *a)
{
    bool nmi = a->nmi;
    a->nmi = false;
    return nmi;
}

/* 11.8.5: EOI retires the highest in-service vector; level-triggered ones
 * (TMR set) are broadcast so the I/O APIC clears its remote IRR. */
static void eoi(struct lapic *a)
{
    int v = highest(a->isr);
    if (v < 0) return;
    bit_clear(a->isr, (unsigned)v);
    if (bit_test(a->tmr, (unsigned)v) && a->eoi_broadcast)
        a->eoi_broadcast(a->eoi_ctx, (uint8_t)v);
    update_intr(a);
}

/* ---- the timer (11.5.4) ------------------------------------------------------------ */

static uint64_t divisor(const struct lapic *a)
{
    unsigned code = ((a->divide_conf >> 1) & 4) | (a->divide_conf & 3);
    return code == 7 ? 1 : 2ull << code;      /* 000 = 2 ... 110 = 128, 111 = 1 */
}

static uint32_t current_count(const struct lapic *a)
{
    if (!a->timer_running || !a->initial_count) return 0;
    /* A periodic timer restarts at each expiry, so it never runs past zero. */
    uint64_t ticks = (tq_now(a->q) - a->timer_start) / divisor(a);
    return ticks >= a->initial_count ? 0 : a->initial_count - (uint32_t)ticks;
}

static void timer_stop(struct lapic *a)
{
    a->timer_running = false;
    timer_disarm(a->q, &a->timer);
}

/* Count from `count` down at the present divider, starting now. */
static void timer_start_at(struct lapic *a, uint32_t count)
{
    uint64_t div = divisor(a), now = tq_now(a->q);
    if (!count) {
        timer_stop(a);
        return;
    }
    a->timer_running = true;
    a->timer_start = now - (uint64_t)(a->initial_count - count) * div;
    timer_arm(a->q, &a->timer, now + (uint64_t)count * div);
}

static void timer_expired(void *ctx, uint64_t now_ns)
{
    struct lapic *a = ctx;
    lvt_fire(a, LVT_TIMER);
    if (!(a->lvt[LVT_TIMER] & LVT_PERIODIC)) {
        a->timer_running = false;
        return;
    }
    a->timer_start = now_ns;        /* the due time: periods never drift */
    timer_arm(a->q, &a->timer, now_ns + (uint64_t)a->initial_count * divisor(a));
}

/* Divider or mode changes keep the count reached and go on from there. */
static void timer_rebase(struct lapic *a, uint32_t count)
{
    if (a->timer_running) timer_start_at(a, count);
}

/* ---- reset and the base MSR ---------------------------------------------------------- */

/* 11.4.7.1: the power-up state; the ID survives. */
static void reset_registers(struct lapic *a)
{
    a->tpr = a->ldr = a->icr_lo = a->icr_hi = 0;
    a->esr = a->esr_new = 0;
    a->dfr = 0xFFFFFFFFu;
    a->svr = 0xFF;
    for (int i = 0; i < LVT_COUNT; i++) a->lvt[i] = LVT_MASKED;
    memset(a->irr, 0, sizeof a->irr);
    memset(a->isr, 0, sizeof a->isr);
    memset(a->tmr, 0, sizeof a->tmr);
    a->initial_count = a->divide_conf = 0;
    a->nmi = false;
    timer_stop(a);
}

void lapic_init(struct lapic *a, struct timer_queue *q, uint32_t apic_id,
                const struct irq_line *intr)
{
    memset(a, 0, sizeof *a);
    a->q = q;
    timer_init(&a->timer, timer_expired, a);
    if (intr) a->intr = *intr;
    a->id = apic_id << 24;
    a->base_msr = LAPIC_DEFAULT_BASE | APIC_BASE_EN | APIC_BASE_BSP;  /* the only CPU is the BSP */
    a->mapped_base = LAPIC_DEFAULT_BASE;
    reset_registers(a);
}

uint64_t lapic_read_base_msr(const struct lapic *a)
{
    return a->base_msr;
}

/* The BSP flag is the hardware's and ignores writes.  A new base is kept
 * and read back; the window answers only while the base points at it, and
 * lapic_relocate moves it there. */
int lapic_write_base_msr(struct lapic *a, uint64_t v)
{
    if (v & ~(APIC_BASE_ADDR | APIC_BASE_EN | APIC_BASE_BSP)) return -1;
    bool was_enabled = hw_enabled(a);
    a->base_msr = (v & (APIC_BASE_ADDR | APIC_BASE_EN)) | (a->base_msr & APIC_BASE_BSP);
    if (was_enabled && !hw_enabled(a)) reset_registers(a);   /* 11.4.3 */
    update_intr(a);
    return 0;
}

/* ---- the ICR (11.6.1) ------------------------------------------------------------------ */

static bool icr_reaches_self(const struct lapic *a)
{
    switch (a->icr_lo >> 18 & 3) {
    case 0: {                               /* no shorthand: the destination field */
        uint8_t dest = (uint8_t)(a->icr_hi >> 24);
        if (a->icr_lo & 0x800) return (dest & (a->ldr >> 24)) != 0;   /* logical, flat */
        return dest == 0xFF || dest == (uint8_t)(a->id >> 24);
    }
    case 1: case 2: return true;            /* self, all including self */
    default: return false;                  /* all excluding self: nobody else here */
    }
}

/* Fixed (lowest priority as fixed) and NMI reach this APIC; INIT, SMI and
 * SIPI to oneself are not modelled.  NMI with the self shorthands is
 * undefined in the SDM's table of valid combinations; it is delivered here. */
static void icr_send(struct lapic *a)
{
    unsigned mode = a->icr_lo >> 8 & 7, vector = a->icr_lo & 0xFF;
    if ((mode == DM_FIXED || mode == DM_LOWEST) && vector < 16) {
        apic_error(a, ESR_SEND_ILLEGAL);
        return;
    }
    if (!icr_reaches_self(a)) return;
    if (mode == DM_NMI) raise_nmi(a);
    else if (mode == DM_FIXED || mode == DM_LOWEST) lapic_deliver_fixed(a, vector, false);
}

/* ---- registers ---------------------------------------------------------------------- */

static uint32_t reg_read(struct lapic *a, unsigned off)
{
    if (off >= 0x100 && off < 0x280) {
        const uint32_t *r = off < 0x180 ? a->isr : off < 0x200 ? a->tmr : a->irr;
        return r[(off >> 4) & 7];
    }
    if (off >= 0x320 && off <= 0x370) return a->lvt[(off - 0x320) >> 4];
    switch (off) {
    case 0x20: return a->id;
    case 0x30: return LAPIC_VERSION;
    case 0x80: return a->tpr;
    case 0x90: return apr(a);
    case 0xA0: return lapic_ppr(a);
    case 0xB0: return 0;                    /* EOI is write-only */
    case 0xD0: return a->ldr;
    case 0xE0: return a->dfr;
    case 0xF0: return a->svr;
    case 0x280: return a->esr;
    case 0x300: return a->icr_lo;
    case 0x310: return a->icr_hi;
    case 0x380: return a->initial_count;
    case 0x390: return current_count(a);
    case 0x3E0: return a->divide_conf;
    default:
        apic_error(a, ESR_ILLEGAL_REG);
        return 0;
    }
}

static void write_lvt(struct lapic *a, int entry, uint32_t v)
{
    uint32_t count = current_count(a);
    a->lvt[entry] = v & lvt_writable[entry];
    if (!sw_enabled(a)) a->lvt[entry] |= LVT_MASKED;     /* 11.4.7.2 */
    if (entry == LVT_TIMER) timer_rebase(a, count);
}

static void write_svr(struct lapic *a, uint32_t v)
{
    a->svr = v & 0x1FF;                 /* vector and enable; bit 12 not advertised */
    if (!sw_enabled(a))
        for (int i = 0; i < LVT_COUNT; i++) a->lvt[i] |= LVT_MASKED;
}

static void write_timer(struct lapic *a, unsigned off, uint32_t v)
{
    uint32_t count = current_count(a);
    if (off == 0x380) {
        a->initial_count = v;           /* a new count restarts; 0 stops */
        timer_start_at(a, v);
    } else {
        a->divide_conf = v & 0xB;
        timer_rebase(a, count);
    }
}

static void reg_write(struct lapic *a, unsigned off, uint32_t v)
{
    if (off >= 0x320 && off <= 0x370) {
        write_lvt(a, (int)(off - 0x320) >> 4, v);
        return;
    }
    switch (off) {
    case 0x20: a->id = v & 0xFF000000u; break;
    case 0x80: a->tpr = v & 0xFF; break;
    case 0xB0: eoi(a); break;
    case 0xD0: a->ldr = v & 0xFF000000u; break;
    case 0xE0: a->dfr = v | 0x0FFFFFFFu; break;
    case 0xF0: write_svr(a, v); break;
    case 0x280: a->esr = a->esr_new; a->esr_new = 0; break;
    case 0x300: a->icr_lo = v & ICR_WRITABLE; icr_send(a); break;
    case 0x310: a->icr_hi = v & 0xFF000000u; break;
    case 0x380: case 0x3E0: write_timer(a, off, v); break;
    case 0x30: case 0x90: case 0xA0: case 0x390: break;     /* read-only */
    default:
        if (off >= 0x100 && off < 0x280) break;             /* ISR, TMR, IRR */
        apic_error(a, ESR_ILLEGAL_REG);
        break;
    }
    update_intr(a);
}

/* ---- MMIO ------------------------------------------------------------------------------ */

static bool window_live(const struct lapic *a)
{
    return hw_enabled(a) && (a->base_msr & APIC_BASE_ADDR) == a->mapped_base;
}

static uint64_t lapic_mmio_read(void *ctx, uint64_t offset, unsigned size)
{
    struct lapic *a = ctx;
    if (!window_live(a)) return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
    if (size != 4 || (offset & 0xF)) return 0;
    return reg_read(a, (unsigned)offset);
}

static void lapic_mmio_write(void *ctx, uint64_t offset, unsigned size, uint64_t value)
{
    struct lapic *a = ctx;
    if (!window_live(a) || size != 4 || (offset & 0xF)) return;
    reg_write(a, (unsigned)offset, (uint32_t)value);
}

/* CR8 in 64-bit mode is TPR[7:4] (SDM Vol. 3 10.8.6.1): a write sets the
 * priority class and clears the sub-class. */
unsigned lapic_cr8_read(const struct lapic *a)
{
    return (a->tpr >> 4) & 0xF;
}

void lapic_cr8_write(struct lapic *a, unsigned cr8)
{
    a->tpr = (cr8 & 0xF) << 4;
    update_intr(a);
}

int lapic_relocate(struct lapic *a, struct bus *bus)
{
    uint64_t base = a->base_msr & APIC_BASE_ADDR;
    if (base == a->mapped_base) return 0;
    if (bus_move_mmio(bus, a, a->mapped_base, base) != 0) return -1;
    a->mapped_base = base;
    return 0;
}

int lapic_attach(struct lapic *a, struct bus *bus)
{
    a->mapped_base = a->base_msr & APIC_BASE_ADDR;
    return bus_map_mmio(bus, a->mapped_base, LAPIC_MMIO_SIZE, lapic_mmio_read,
                        lapic_mmio_write, a);
}
