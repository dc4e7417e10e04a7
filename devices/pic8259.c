/* pic8259.c - the PC/AT 8259A pair (Intel 8259A datasheet, 231468: "Interrupt
 * Sequence", "Initialization Command Words", "Operation Command Words").
 * Edge-triggered inputs latch the rising edge in IRR until INTA, so a source's
 * irq_pulse() is a request; level-triggered inputs (ICW1.LTIM or the PC's
 * ELCR) read IRR straight from the pin.  The slave's INT drives master IR2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "devices/pic8259.h"
#include "mmu/bus.h"

#define ICW1_IC4    0x01    /* ICW4 follows */
#define ICW1_SNGL   0x02    /* single chip: no ICW3 */
#define ICW1_ADI    0x04    /* MCS-80 CALL interval 4 (else 8) */
#define ICW1_LTIM   0x08    /* every input level-triggered */
#define ICW1_INIT   0x10    /* a command-port write with D4 set is ICW1 */
#define ICW4_UPM    0x01    /* 8086/88 mode (else MCS-80/85) */
#define ICW4_AEOI   0x02
#define ICW4_SFNM   0x10    /* special fully nested mode */
#define OCW3_SEL    0x08    /* a command-port write with D4=0 D3=1 is OCW3 */

#define CASCADE_IR  2       /* the AT wires the slave's INT to master IR2 */

typedef struct pic8259_chip chip_t;

/* ---- one chip ------------------------------------------------------------------ */

static uint8_t level_lines(const chip_t *c)
{
    return (c->icw1 & ICW1_LTIM) ? 0xFF : c->elcr;
}

static uint8_t chip_irr(const chip_t *c)
{
    uint8_t level = level_lines(c);
    return (uint8_t)((c->irr & ~level) | (c->pins & level));
}

static void chip_set_pin(chip_t *c, unsigned ir, int level)
{
    uint8_t bit = (uint8_t)(1u << ir);
    if (level && !(c->pins & bit) && !(level_lines(c) & bit)) c->irr |= bit;
    c->pins = level ? c->pins | bit : c->pins & ~bit;
}

/* IR inputs on which a slave hangs (master in cascade mode only). */
static uint8_t cascade_lines(const chip_t *c)
{
    return (c->master && !(c->icw1 & ICW1_SNGL)) ? c->icw3 : 0;
}

/* The IR at priority level n: 0 is highest, the one just after `lowest`. */
static int ir_at(const chip_t *c, int n)
{
    return (c->lowest + 1 + n) & 7;
}

/* Priority level (0 highest) of the best IR in mask, or 8 for none. */
static int best_level(const chip_t *c, uint8_t mask)
{
    for (int n = 0; n < 8; n++)
        if (mask & (1u << ir_at(c, n))) return n;
    return 8;
}

/* The IR this chip raises INT for, or -1: the best unmasked request that
 * beats everything in service (datasheet "Fully Nested Mode").  Special mask
 * mode ignores masked ISR bits; special fully nested mode lets a slave's
 * request through while the slave's own IR is in service. */
static int chip_request(const chip_t *c)
{
    if (c->init_step) return -1;
    int req = best_level(c, chip_irr(c) & ~c->imr);
    if (req == 8) return -1;
    uint8_t busy = c->special_mask ? c->isr & ~c->imr : c->isr;
    int cur = best_level(c, busy);
    bool sfnm = (c->icw4 & ICW4_SFNM) && (cascade_lines(c) & (1u << ir_at(c, req)));
    if (req < cur || (req == cur && sfnm)) return ir_at(c, req);
    return -1;
}

/* The byte an x86 CPU reads in the second INTA cycle.  In MCS-80/85 mode
 * (no ICW4) that is the low byte of the CALL address. */
static int chip_vector(const chip_t *c, int ir)
{
    if (c->icw4 & ICW4_UPM) return (c->icw2 & 0xF8) | ir;
    if (c->icw1 & ICW1_ADI) return (c->icw1 & 0xE0) | (ir << 2);
    return (c->icw1 & 0xC0) | (ir << 3);
}

/* IRR -> ISR for ir (none in auto-EOI mode, which may rotate instead). */
static void chip_intack(chip_t *c, int ir)
{
    c->irr &= (uint8_t)~(1u << ir);
    if (!(c->icw4 & ICW4_AEOI)) c->isr |= (uint8_t)(1u << ir);
    else if (c->rotate_on_aeoi) c->lowest = (uint8_t)ir;
}

/* INTA for ir, or for nothing (-1): the default IR7 vector, no ISR bit. */
static int chip_ack(chip_t *c, int ir)
{
    if (ir < 0) return chip_vector(c, 7);
    chip_intack(c, ir);
    return chip_vector(c, ir);
}

static void chip_eoi(chip_t *c, int ir, bool rotate)
{
    if (ir < 0 || ir > 7) return;
    c->isr &= (uint8_t)~(1u << ir);
    if (rotate) c->lowest = (uint8_t)ir;
}

/* The IR a non-specific EOI clears; in special mask mode a masked ISR bit is
 * left alone. */
static int highest_in_service(const chip_t *c)
{
    uint8_t isr = c->special_mask ? c->isr & ~c->imr : c->isr;
    int n = best_level(c, isr);
    return n == 8 ? -1 : ir_at(c, n);
}

/* ICW1: the datasheet's list of what initialisation resets, plus IRR and ISR.
 * Pin levels are kept: a line already high needs a new rising edge. */
static void chip_icw1(chip_t *c, uint8_t v)
{
    c->icw1 = v;
    c->init_step = 2;
    c->irr = c->isr = c->imr = 0;
    c->lowest = 7;
    c->read_isr = c->poll = c->special_mask = c->rotate_on_aeoi = false;
    if (!(v & ICW1_IC4)) c->icw4 = 0;
}

static void chip_ocw2(chip_t *c, uint8_t v)
{
    int ir = v & 7;
    switch (v >> 5) {               /* R, SL, EOI */
    case 0: c->rotate_on_aeoi = false; break;
    case 1: chip_eoi(c, highest_in_service(c), false); break;
    case 2: break;                  /* no operation */
    case 3: chip_eoi(c, ir, false); break;
    case 4: c->rotate_on_aeoi = true; break;
    case 5: chip_eoi(c, highest_in_service(c), true); break;
    case 6: c->lowest = (uint8_t)ir; break;     /* set priority */
    case 7: chip_eoi(c, ir, true); break;
    }
}

static void chip_ocw3(chip_t *c, uint8_t v)
{
    if (v & 0x04) c->poll = true;
    if (v & 0x02) c->read_isr = v & 0x01;
    if (v & 0x40) c->special_mask = (v & 0x20) != 0;
}

static void chip_write_command(chip_t *c, uint8_t v)
{
    if (v & ICW1_INIT) chip_icw1(c, v);
    else if (v & OCW3_SEL) chip_ocw3(c, v);
    else chip_ocw2(c, v);
}

static void chip_write_data(chip_t *c, uint8_t v)
{
    switch (c->init_step) {
    case 0:
        c->imr = v;
        break;
    case 2:
        c->icw2 = v;
        c->init_step = !(c->icw1 & ICW1_SNGL) ? 3 : (c->icw1 & ICW1_IC4) ? 4 : 0;
        break;
    case 3:
        c->icw3 = v;
        c->init_step = (c->icw1 & ICW1_IC4) ? 4 : 0;
        break;
    default:
        c->icw4 = v;
        c->init_step = 0;
        break;
    }
}

/* The poll command: the read is an INTA of this chip alone. */
static uint8_t chip_poll(chip_t *c)
{
    int ir = chip_request(c);
    if (ir < 0) return 0;
    chip_intack(c, ir);
    return (uint8_t)(0x80 | ir);
}

static uint8_t chip_read_command(chip_t *c)
{
    if (c->poll) {
        c->poll = false;
        return chip_poll(c);
    }
    return c->read_isr ? c->isr : chip_irr(c);
}

/* Only the lines the board lets be level-triggered; a line that changes mode
 * drops any stale edge latch. */
static void chip_write_elcr(chip_t *c, uint8_t v)
{
    uint8_t old = level_lines(c);
    c->elcr = v & c->elcr_writable;
    c->irr &= (uint8_t)~(old ^ level_lines(c));
}

/* ---- the pair -------------------------------------------------------------------- */

/* Propagate the slave's INT to master IR2 and the master's INT to INTR. */
static void pic_update(struct pic8259 *p)
{
    chip_set_pin(&p->chip[0], CASCADE_IR, chip_request(&p->chip[1]) >= 0);
    int level = chip_request(&p->chip[0]) >= 0;
    if (level == p->intr_level) return;
    p->intr_level = level;
    irq_set(&p->intr, level);
}

void pic_init(struct pic8259 *p, const struct irq_line *intr)
{
    memset(p, 0, sizeof *p);
    if (intr) p->intr = *intr;
    for (int i = 0; i < 2; i++) {
        /* Before ICW1 the chip is undefined: keep everything masked. */
        p->chip[i].imr = 0xFF;
        p->chip[i].lowest = 7;
        p->chip[i].icw4 = ICW4_UPM;
    }
    p->chip[0].master = true;
    p->chip[0].icw3 = 1u << CASCADE_IR;
    p->chip[1].icw3 = CASCADE_IR;
    p->chip[0].elcr_writable = 0xF8;    /* IRQ 0, 1, 2 are always edge */
    p->chip[1].elcr_writable = 0xDE;    /* IRQ 8, 13 are always edge */
}

void pic_set_irq(void *ctx, unsigned line, int level)
{
    struct pic8259 *p = ctx;
    if (line >= 16 || line == CASCADE_IR) {
        fprintf(stderr, "pic_set_irq: line %u is not an input (0-15 but 2, the cascade; "
                "the AT wires ISA IRQ2 to IRQ 9)\n", line);
        abort();
    }
    chip_set_pin(&p->chip[line >> 3], line & 7, level != 0);
    pic_update(p);
}

int pic_pending(const struct pic8259 *p)
{
    const chip_t *m = &p->chip[0], *s = &p->chip[1];
    int ir = chip_request(m);
    if (ir < 0) return -1;
    if (!(cascade_lines(m) & (1u << ir))) return chip_vector(m, ir);
    int sir = chip_request(s);
    return chip_vector(s, sir >= 0 ? sir : 7);
}

int pic_acknowledge(struct pic8259 *p)
{
    chip_t *m = &p->chip[0], *s = &p->chip[1];
    int ir = chip_request(m);
    int vector = chip_ack(m, ir);
    if (ir >= 0 && (cascade_lines(m) & (1u << ir)))
        vector = chip_ack(s, chip_request(s));
    pic_update(p);
    return vector;
}

/* ---- ports ----------------------------------------------------------------------- */

static chip_t *chip_at_port(struct pic8259 *p, uint16_t port)
{
    switch (port) {
    case 0x20: case 0x21: case 0x4D0: return &p->chip[0];
    case 0xA0: case 0xA1: case 0x4D1: return &p->chip[1];
    default: return NULL;
    }
}

static uint8_t pic_read_byte(void *ctx, uint16_t port)
{
    struct pic8259 *p = ctx;
    chip_t *c = chip_at_port(p, port);
    uint8_t v;
    if (!c) return 0xFF;
    if (port >= 0x4D0) v = c->elcr;
    else if (port & 1) v = c->imr;
    else v = chip_read_command(c);
    pic_update(p);
    return v;
}

static void pic_write_byte(void *ctx, uint16_t port, uint8_t v)
{
    struct pic8259 *p = ctx;
    chip_t *c = chip_at_port(p, port);
    if (!c) return;
    if (port >= 0x4D0) chip_write_elcr(c, v);
    else if (port & 1) chip_write_data(c, v);
    else chip_write_command(c, v);
    pic_update(p);
}

/* A wider access is split into byte cycles, as the AT bus does for an 8-bit device. */
static uint64_t pic_port_in(void *ctx, uint16_t port, unsigned size)
{
    return isa_bytes_in(ctx, port, size, pic_read_byte);
}

static void pic_port_out(void *ctx, uint16_t port, unsigned size, uint64_t value)
{
    isa_bytes_out(ctx, port, size, value, pic_write_byte);
}

int pic_attach(struct pic8259 *p, struct bus *bus)
{
    if (bus_map_ports(bus, 0x20, 0x21, pic_port_in, pic_port_out, p)) return -1;
    if (bus_map_ports(bus, 0xA0, 0xA1, pic_port_in, pic_port_out, p)) return -1;
    return bus_map_ports(bus, 0x4D0, 0x4D1, pic_port_in, pic_port_out, p);
}
