/* pit8254.h - the PC/AT Intel 8254 programmable interval timer (Intel 82C54
 * datasheet, order no. 231244): counters 0-2 at ports 0x40-0x42, control word
 * at 0x43, and port 0x61's channel 2 gate, speaker enable, refresh toggle and
 * OUT2 bits.  Counter 0's OUT drives IRQ 0; the gates of 0 and 1 are tied high.
 */
#ifndef RINGSIM_PIT8254_H
#define RINGSIM_PIT8254_H

#include <stdbool.h>
#include <stdint.h>
#include "devices/device.h"
#include "sim/timers.h"

struct bus;

/* The input clock is 105 MHz / 88 = 1,193,181.8 Hz; kept as a ratio so
 * counts and deadlines come from virtual ns exactly, however long the run. */
#define PIT_HZ_NUM 105000000u
#define PIT_HZ_DEN 88u

enum pit_state {
    PIT_IDLE,       /* no count written since the control word */
    PIT_ARMED,      /* modes 1 and 5: count written, waiting for a gate trigger */
    PIT_LOAD,       /* the count register moves to the counting element next CLK */
    PIT_COUNT,      /* counting */
};

/* One counter.  The counting element is kept as it stood at CLK pulse `base`;
 * reads, writes and timers first bring it forward arithmetically (no ticking). */
struct pit_channel {
    uint8_t mode;           /* 0-5 as it behaves (6 and 7 act as 2 and 3) */
    uint8_t mode_bits;      /* M2-M0 as programmed, for the status byte */
    uint8_t rw;             /* 1 = LSB, 2 = MSB, 3 = LSB then MSB */
    bool bcd;
    bool gate;
    bool out;
    bool null_count;        /* count register written but not yet loaded */
    enum pit_state state;
    uint32_t cr;            /* initial count, 1..modulus (a written 0 means modulus) */
    bool wr_msb_next;       /* write flip-flop (rw 3) */
    uint8_t wr_lsb;
    bool rd_msb_next;       /* read flip-flop (rw 3) */
    uint64_t base;          /* CLK pulse the state below belongs to */
    uint32_t ce;            /* counting element: modes 0,1,4,5 mod modulus; mode 2 1..period */
    uint32_t period;        /* modes 2 and 3: the count in use since the last reload */
    uint32_t rem;           /* mode 3: CLK pulses left in this half cycle */
    bool strobe_pending;    /* modes 4 and 5: terminal count not yet strobed */
    bool count_latched;
    uint16_t latch;         /* latched count as it will be read (BCD already applied) */
    bool status_latched;
    uint8_t status;
};

struct pit8254 {
    struct pit_channel ch[3];
    struct timer_queue *q;
    struct irq_line irq0;
    struct timer irq_timer; /* armed only for counter 0's next OUT rising edge */
    uint8_t port61;         /* bits 0-3 as last written */
};

void pit_init(struct pit8254 *p, struct timer_queue *q, const struct irq_line *irq0);
int pit_attach(struct pit8254 *p, struct bus *bus);   /* ports 0x40-0x43 and 0x61 */

#endif
