/* pic8259.h - the PC/AT pair of Intel 8259A programmable interrupt
 * controllers (Intel 8259A datasheet, order no. 231468): master at
 * 0x20/0x21, slave at 0xA0/0xA1 cascaded on master IR2, and the PC's edge/
 * level control registers (ELCR) at 0x4D0/0x4D1.  Lines 0-7 are the
 * master's IR0-7, lines 8-15 the slave's IR0-7; line 2 is the cascade.
 */
#ifndef RINGSIM_PIC8259_H
#define RINGSIM_PIC8259_H

#include <stdbool.h>
#include <stdint.h>
#include "devices/device.h"

struct bus;

/* One 8259A.  Bit n of each 8-bit register is IRn. */
struct pic8259_chip {
    uint8_t irr;            /* edge latches; a level-triggered IR reads its pin */
    uint8_t isr;            /* in service */
    uint8_t imr;            /* masked (OCW1) */
    uint8_t pins;           /* the level now on each IR input */
    uint8_t elcr;           /* 1 = level-triggered (PC ELCR, port 0x4D0/0x4D1) */
    uint8_t elcr_writable;  /* IR lines the board lets be level-triggered */
    uint8_t icw1, icw2, icw3, icw4;
    uint8_t init_step;      /* 0 = operational, else the ICW (2-4) expected next */
    uint8_t lowest;         /* IR of lowest priority (7 until rotated) */
    bool master;            /* the AT's master: IR2 carries the slave */
    bool read_isr;          /* OCW3 RR/RIS: the command port reads ISR, not IRR */
    bool poll;              /* OCW3 P: the next command-port read is a poll */
    bool special_mask;      /* OCW3 SMM */
    bool rotate_on_aeoi;    /* OCW2 R=1 SL=0 EOI=0 */
};

struct pic8259 {
    struct pic8259_chip chip[2];    /* [0] master, [1] slave */
    struct irq_line intr;           /* the CPU's INTR input */
    int intr_level;                 /* what we last drove on intr */
};

void pic_init(struct pic8259 *p, const struct irq_line *intr);   /* intr: the CPU's INTR input */
int  pic_attach(struct pic8259 *p, struct bus *bus);             /* ports 0x20-21, 0xA0-A1, 0x4D0-4D1 */
void pic_set_irq(void *ctx, unsigned line, int level);           /* an irq_set_fn: lines 0-15 */
int  pic_pending(const struct pic8259 *p);                       /* the vector INTA would return, or -1 */
int  pic_acknowledge(struct pic8259 *p);                         /* the INTA cycle: vector, IRR->ISR */

#endif
