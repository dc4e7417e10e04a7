/* pit8254.c - the Intel 8254 interval timer (82C54 datasheet, "Modes of
 * Operation" and "Read-Back Command") on the PC/AT ports 0x40-0x43 and 0x61.
 * Counters are never ticked: each keeps its state at one CLK pulse and is
 * brought forward in O(1) from virtual ns.  Counter 0's OUT rising edges are
 * the only events put in the timer queue (see pit8254.h).
 */
#include "devices/pit8254.h"
#include "mmu/bus.h"

__extension__ typedef unsigned __int128 u128;

#define NEVER UINT64_MAX
#define NS_PER_S 1000000000u
#define REFRESH_NS 15000u       /* port 0x61 bit 4 toggles every 15 us */

/* CLK pulses that have happened by virtual time ns (pulse k is at ceil(k/f)). */
static uint64_t ns_to_ticks(uint64_t ns)
{
    return (uint64_t)((u128)ns * PIT_HZ_NUM / ((u128)PIT_HZ_DEN * NS_PER_S));
}

/* The first virtual ns at which pulse k has happened. */
static uint64_t ticks_to_ns(uint64_t k)
{
    u128 den = PIT_HZ_NUM;
    u128 ns = ((u128)k * PIT_HZ_DEN * NS_PER_S + den - 1) / den;
    return ns > UINT64_MAX ? UINT64_MAX : (uint64_t)ns;
}

static uint32_t modulus(const struct pit_channel *c) { return c->bcd ? 10000u : 65536u; }

static uint32_t from_bcd(uint16_t v)
{
    return (v >> 12 & 15) * 1000u + (v >> 8 & 15) * 100u + (v >> 4 & 15) * 10u + (v & 15);
}

static uint16_t to_bcd(uint32_t v)
{
    return (uint16_t)((v / 1000 % 10) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | v % 10);
}

static bool counting_enabled(const struct pit_channel *c)
{
    return c->gate || c->mode == 1 || c->mode == 5;   /* 1 and 5: the gate only triggers */
}

static uint32_t half_cycle(uint32_t n, bool high) { return high ? (n + 1) / 2 : n / 2; }

/* ---- bringing one counter forward n CLK pulses; each returns OUT rising edges ---- */

/* Modes 0 and 1: OUT rises when the count reaches 0, then the count wraps on. */
static uint64_t adv_terminal(struct pit_channel *c, uint64_t n)
{
    uint32_t m = modulus(c);
    uint64_t rises = 0;
    if (!c->out && n >= (c->ce ? c->ce : m)) {
        c->out = true;
        rises = 1;
    }
    c->ce = (uint32_t)((c->ce + m - n % m) % m);
    return rises;
}

/* Modes 4 and 5: OUT is low for the one pulse at which the count is 0. */
static uint64_t adv_strobe(struct pit_channel *c, uint64_t n)
{
    uint32_t m = modulus(c);
    uint64_t rises = 0;
    if (c->strobe_pending) {
        uint64_t d = c->out ? (c->ce ? c->ce : m) : 0;   /* pulses until the strobe */
        if (n == d) {
            c->out = false;
        } else if (n > d) {
            c->out = true;
            c->strobe_pending = false;
            rises = 1;
        }
    }
    c->ce = (uint32_t)((c->ce + m - n % m) % m);
    return rises;
}

/* Mode 2: OUT low while the count is 1; the next pulse reloads the count.
 * A count of 1 is illegal; here OUT then stays high and gives no edges. */
static uint64_t adv_rate(struct pit_channel *c, uint64_t n)
{
    uint64_t rises = 0;
    if (n < c->ce) {
        c->ce -= (uint32_t)n;
    } else {
        n -= c->ce;
        rises = (c->period != 1) + (c->cr != 1 ? n / c->cr : 0);
        c->period = c->cr;      /* a count written meanwhile takes effect here */
        c->null_count = false;
        c->ce = c->period - (uint32_t)(n % c->period);
    }
    c->out = c->ce != 1 || c->period == 1;
    return rises;
}

/* Mode 3 past its first half-cycle end: whole cycles of the new count. */
static uint64_t adv_square_cycles(struct pit_channel *c, uint64_t n)
{
    uint32_t p = c->period, first = half_cycle(p, c->out);
    uint64_t rises = c->out ? n / p : (n >= first ? 1 + (n - first) / p : 0);
    uint32_t r = (uint32_t)(n % p);
    if (r < first) {
        c->rem = first - r;
    } else {
        c->out = !c->out;
        c->rem = p - r;
    }
    return rises;
}

/* Mode 3: OUT high for ceil(N/2) pulses, low for floor(N/2). */
static uint64_t adv_square(struct pit_channel *c, uint64_t n)
{
    if (n < c->rem) {
        c->rem -= (uint32_t)n;
        return 0;
    }
    n -= c->rem;
    c->period = c->cr;          /* a count written meanwhile takes effect here */
    c->null_count = false;
    if (c->period == 1) {       /* illegal count: OUT simply stays high */
        uint64_t rose = !c->out;
        c->out = true;
        c->rem = 1;
        return rose;
    }
    c->out = !c->out;
    return (c->out ? 1 : 0) + adv_square_cycles(c, n);
}

/* The pulse that moves the count register into the counting element. */
static uint64_t load(struct pit_channel *c)
{
    bool was = c->out;
    c->state = PIT_COUNT;
    c->null_count = false;
    c->period = c->cr;
    c->ce = c->cr % modulus(c);
    switch (c->mode) {
    case 1: c->out = false; break;
    case 2: c->ce = c->cr; c->out = true; break;
    case 3: c->rem = half_cycle(c->cr, true); c->out = true; break;
    case 4: case 5: c->strobe_pending = true; c->out = true; break;
    default: break;
    }
    return !was && c->out;
}

static uint64_t advance(struct pit_channel *c, uint64_t n)
{
    uint64_t rises = 0;
    if (n == 0) return 0;
    if (c->state == PIT_LOAD) {
        if (!c->gate && (c->mode == 2 || c->mode == 3)) return 0;
        rises = load(c);
        n--;
    }
    if (c->state != PIT_COUNT || n == 0 || !counting_enabled(c)) return rises;
    switch (c->mode) {
    case 0: case 1: return rises + adv_terminal(c, n);
    case 2: return rises + adv_rate(c, n);
    case 3: return rises + adv_square(c, n);
    default: return rises + adv_strobe(c, n);
    }
}

/* CLK pulses from `base` to OUT's next rising edge, or NEVER. */
static uint64_t next_rise(const struct pit_channel *c)
{
    uint32_t m = modulus(c), d = c->ce ? c->ce : m;
    if (c->state == PIT_LOAD) {
        if (!counting_enabled(c)) return NEVER;
        if ((c->mode == 2 || c->mode == 3) && c->cr == 1) return NEVER;
        return 1 + c->cr + (c->mode >= 4 ? 1 : 0);
    }
    if (c->state != PIT_COUNT || !counting_enabled(c)) return NEVER;
    switch (c->mode) {
    case 0: case 1: return c->out ? NEVER : d;
    case 2:
        if (c->period != 1) return c->ce;
        return c->cr == 1 ? NEVER : (uint64_t)c->ce + c->cr;
    case 3:
        if (!c->out) return c->rem;
        return c->cr == 1 ? NEVER : c->rem + half_cycle(c->cr, false);
    default:
        if (!c->strobe_pending) return NEVER;
        return c->out ? (uint64_t)d + 1 : 1;
    }
}

/* ---- the device: sync, IRQ 0, OUT ---- */

/* IRQ 0 is pulsed (1 then 0) on each rising edge of OUT0 rather than made to
 * follow OUT's level: the AT's 8259 takes IR0 edge-triggered (its ELCR cannot
 * make IRQ 0 level), so the rising edge is all it sees, and a pulse costs one
 * timer per period where the level would cost two (mode 3's falling edges). */
static void irq0_rise(struct pit8254 *p) { irq_pulse(&p->irq0); }

static void sync(struct pit8254 *p, int i)
{
    struct pit_channel *c = &p->ch[i];
    uint64_t now = ns_to_ticks(tq_now(p->q));
    uint64_t rises = advance(c, now - c->base);
    c->base = now;
    if (i == 0 && rises) irq0_rise(p);
}

static void reschedule(struct pit8254 *p)
{
    uint64_t d = next_rise(&p->ch[0]), at;
    if (d == NEVER) {
        timer_disarm(p->q, &p->irq_timer);
        return;
    }
    at = ticks_to_ns(p->ch[0].base + d);
    /* Always in the future: a deadline at or before now would fire again at once. */
    timer_arm(p->q, &p->irq_timer, at > tq_now(p->q) ? at : tq_now(p->q) + 1);
}

static void irq_timer_fired(void *ctx, uint64_t now_ns)
{
    struct pit8254 *p = ctx;
    (void)now_ns;
    sync(p, 0);
    reschedule(p);
}

/* OUT changed by a port write: IRQ 0 sees that rising edge too. */
static void set_out(struct pit8254 *p, int i, bool level)
{
    bool rose = !p->ch[i].out && level;
    p->ch[i].out = level;
    if (i == 0 && rose) irq0_rise(p);
}

static void set_gate(struct pit8254 *p, int i, bool level)
{
    struct pit_channel *c = &p->ch[i];
    sync(p, i);
    if (c->gate == level) return;
    c->gate = level;
    if (level && c->mode != 0 && c->mode != 4 && c->state != PIT_IDLE)
        c->state = PIT_LOAD;                /* trigger: (re)load on the next CLK */
    else if (!level && (c->mode == 2 || c->mode == 3))
        set_out(p, i, true);                /* gate low forces OUT high at once */
    if (i == 0) reschedule(p);
}

/* ---- counter ports 0x40-0x42 ---- */

static uint32_t count_now(const struct pit_channel *c)
{
    uint32_t v = c->ce;
    if (c->mode == 3 && c->state == PIT_COUNT) {
        uint32_t n = c->period, i = half_cycle(n, c->out) - c->rem;
        if (i == 0) v = n;
        else if (n % 2 == 0) v = n - 2 * i;
        else v = c->out ? n + 1 - 2 * i : n - 1 - 2 * i;
    }
    v %= modulus(c);
    return c->bcd ? to_bcd(v) : v;
}

static uint8_t status_byte(const struct pit_channel *c)
{
    return (uint8_t)(c->out << 7 | c->null_count << 6 | c->rw << 4 | c->mode_bits << 1 | c->bcd);
}

static void commit_count(struct pit8254 *p, int i, uint16_t raw)
{
    struct pit_channel *c = &p->ch[i];
    uint32_t n = c->bcd ? from_bcd(raw) : raw;
    c->cr = n ? n : modulus(c);
    c->null_count = true;
    if (c->mode == 0) {
        set_out(p, i, false);
        c->state = PIT_LOAD;
    } else if (c->mode == 4) {
        c->state = PIT_LOAD;
    } else if (c->state == PIT_IDLE) {
        c->state = (c->mode == 1 || c->mode == 5) ? PIT_ARMED : PIT_LOAD;
    }   /* else modes 1/2/3/5 take the new count at the next trigger or reload */
}

static void write_count(struct pit8254 *p, int i, uint8_t v)
{
    struct pit_channel *c = &p->ch[i];
    sync(p, i);
    if (c->rw == 1) {
        commit_count(p, i, v);
    } else if (c->rw == 2) {
        commit_count(p, i, (uint16_t)(v << 8));
    } else if (!c->wr_msb_next) {
        c->wr_lsb = v;
        c->wr_msb_next = true;
        if (c->mode == 0) {             /* the first byte stops counting, OUT low */
            c->state = PIT_IDLE;
            set_out(p, i, false);
        }
    } else {
        c->wr_msb_next = false;
        commit_count(p, i, (uint16_t)(c->wr_lsb | v << 8));
    }
    if (i == 0) reschedule(p);
}

/* One byte of a 16-bit count in the counter's access mode. */
static uint8_t count_byte(struct pit_channel *c, uint16_t v, bool *done)
{
    *done = true;
    if (c->rw == 1) return (uint8_t)v;
    if (c->rw == 2) return (uint8_t)(v >> 8);
    c->rd_msb_next = !c->rd_msb_next;
    *done = !c->rd_msb_next;
    return (uint8_t)(c->rd_msb_next ? v : v >> 8);
}

static uint8_t read_count(struct pit8254 *p, int i)
{
    struct pit_channel *c = &p->ch[i];
    bool done;
    if (c->status_latched) {
        c->status_latched = false;
        return c->status;
    }
    if (c->count_latched) {
        uint8_t b = count_byte(c, c->latch, &done);
        if (done) c->count_latched = false;
        return b;
    }
    sync(p, i);
    if (i == 0) reschedule(p);
    return count_byte(c, (uint16_t)count_now(c), &done);
}

/* ---- the control word at 0x43 ---- */

static void latch_count(struct pit8254 *p, int i)
{
    struct pit_channel *c = &p->ch[i];
    sync(p, i);
    if (i == 0) reschedule(p);
    if (c->count_latched) return;        /* later latches wait for the read */
    c->latch = (uint16_t)count_now(c);
    c->count_latched = true;
}

static void latch_status(struct pit8254 *p, int i)
{
    struct pit_channel *c = &p->ch[i];
    sync(p, i);
    if (i == 0) reschedule(p);
    if (c->status_latched) return;
    c->status = status_byte(c);
    c->status_latched = true;
}

/* Read-back: D5 = 0 latches counts, D4 = 0 latches status, D3-D1 pick counters 2-0. */
static void read_back(struct pit8254 *p, uint8_t v)
{
    for (int i = 0; i < 3; i++) {
        if (!(v & 2u << i)) continue;
        if (!(v & 0x20)) latch_count(p, i);
        if (!(v & 0x10)) latch_status(p, i);
    }
}

static void program(struct pit8254 *p, int i, uint8_t v)
{
    struct pit_channel *c = &p->ch[i];
    sync(p, i);
    c->rw = v >> 4 & 3;
    c->mode_bits = v >> 1 & 7;
    c->mode = c->mode_bits > 5 ? c->mode_bits - 4 : c->mode_bits;
    c->bcd = v & 1;
    c->state = PIT_IDLE;
    c->null_count = true;
    c->wr_msb_next = c->rd_msb_next = false;
    c->count_latched = c->status_latched = false;
    c->strobe_pending = false;
    set_out(p, i, c->mode != 0);
    if (i == 0) reschedule(p);
}

static void control_word(struct pit8254 *p, uint8_t v)
{
    int i = v >> 6;
    if (i == 3) read_back(p, v);
    else if ((v >> 4 & 3) == 0) latch_count(p, i);
    else program(p, i, v);
}

/* ---- bus callbacks ---- */

static uint8_t pit_in_byte(void *ctx, uint16_t port)
{
    struct pit8254 *p = ctx;
    if (port >= 0x40 && port <= 0x42) return read_count(p, port - 0x40);
    if (port == 0x61) {
        sync(p, 2);
        uint8_t refresh = (uint8_t)(tq_now(p->q) / REFRESH_NS & 1);
        return (uint8_t)((p->port61 & 0x0F) | refresh << 4 | p->ch[2].out << 5);
    }
    return 0xFF;    /* the control register cannot be read */
}

static void pit_out_byte(void *ctx, uint16_t port, uint8_t v)
{
    struct pit8254 *p = ctx;
    if (port >= 0x40 && port <= 0x42) {
        write_count(p, port - 0x40, v);
    } else if (port == 0x43) {
        control_word(p, v);
    } else if (port == 0x61) {
        p->port61 = v & 0x0F;
        set_gate(p, 2, v & 1);
    }
}

static uint64_t pit_port_in(void *ctx, uint16_t port, unsigned size)
{
    return isa_bytes_in(ctx, port, size, pit_in_byte);
}

static void pit_port_out(void *ctx, uint16_t port, unsigned size, uint64_t value)
{
    isa_bytes_out(ctx, port, size, value, pit_out_byte);
}

void pit_init(struct pit8254 *p, struct timer_queue *q, const struct irq_line *irq0)
{
    *p = (struct pit8254){ .q = q };
    if (irq0) p->irq0 = *irq0;
    timer_init(&p->irq_timer, irq_timer_fired, p);
    uint64_t now = ns_to_ticks(tq_now(q));
    for (int i = 0; i < 3; i++) {
        struct pit_channel *c = &p->ch[i];
        c->gate = i != 2;       /* counters 0 and 1 are gated on by the board */
        c->mode = c->mode_bits = 3;     /* power-up is undefined: an unloaded */
        c->out = true;                  /* mode 3 counter, OUT high, no IRQ */
        c->rw = 3;
        c->cr = 65536;
        c->base = now;
    }
}

int pit_attach(struct pit8254 *p, struct bus *bus)
{
    if (bus_map_ports(bus, 0x40, 0x43, pit_port_in, pit_port_out, p) < 0) return -1;
    return bus_map_ports(bus, 0x61, 0x61, pit_port_in, pit_port_out, p);
}
