/* test_dev_pit.c - devices/pit8254.c, the 8254 interval timer (Intel 82C54
 * datasheet), driven as the CPU would: port writes and reads on a bus while
 * the virtual clock advances.  "Tick k" is the k-th 1,193,181.8 Hz CLK pulse;
 * a count written at tick 0 is loaded at tick 1.
 */
#include <criterion/criterion.h>
#include "devices/pit8254.h"
#include "mmu/bus.h"

__extension__ typedef unsigned __int128 u128;

static struct timer_queue q;
static struct pit8254 pit;
static struct bus *bus;

/* A fake 8259 input: counts 0->1 edges on IRQ 0. */
static struct { int edges; int level; uint64_t last_ns; } irq0;

static void fake_irq_set(void *ctx, unsigned line, int level)
{
    (void)ctx;
    cr_assert_eq(0, line);
    if (level && !irq0.level) {
        irq0.edges++;
        irq0.last_ns = tq_now(&q);
    }
    irq0.level = level;
}

static void setup(void)
{
    struct irq_line line = { fake_irq_set, NULL, 0 };
    irq0.edges = irq0.level = 0;
    irq0.last_ns = 0;
    tq_init(&q);
    bus = bus_new(1u << 20);
    cr_assert_not_null(bus);
    pit_init(&pit, &q, &line);
    cr_assert_eq(0, pit_attach(&pit, bus));
}

static void teardown(void) { bus_free(bus); }

TestSuite(pit, .init = setup, .fini = teardown);

/* Virtual ns of CLK pulse k: ceil(k * 88 / 105 MHz), written out independently. */
static uint64_t tick_ns(uint64_t k) { return (uint64_t)(((u128)k * 88000 + 104) / 105); }
static void at_tick(uint64_t k) { tq_advance(&q, tick_ns(k)); }
static void out8(uint16_t port, uint8_t v) { bus_port_out(bus, port, 1, v); }
static uint8_t in8(uint16_t port) { return (uint8_t)bus_port_in(bus, port, 1); }

/* Control word for LSB-then-MSB access, then the count (binary). */
static void program(int ch, int mode, uint16_t count)
{
    out8(0x43, (uint8_t)(ch << 6 | 0x30 | mode << 1));
    out8((uint16_t)(0x40 + ch), (uint8_t)count);
    out8((uint16_t)(0x40 + ch), (uint8_t)(count >> 8));
}

static uint16_t read_word(int ch)
{
    uint8_t lo = in8((uint16_t)(0x40 + ch));
    return (uint16_t)(lo | in8((uint16_t)(0x40 + ch)) << 8);
}

static uint16_t latched_count(int ch)
{
    out8(0x43, (uint8_t)(ch << 6));    /* counter latch command */
    return read_word(ch);
}

static uint8_t status(int ch)
{
    out8(0x43, (uint8_t)(0xE0 | 2 << ch));  /* read-back: status only */
    return in8((uint16_t)(0x40 + ch));
}

static int out2(void) { return in8(0x61) >> 5 & 1; }

/* ---- rates: IRQ 0 edges over long virtual intervals ---- */

Test(pit, mode2_period_is_count_ticks_of_1193182hz)
{
    program(0, 2, 11932);
    tq_advance(&q, tick_ns(1 + 11932) - 1);
    cr_expect_eq(0, irq0.edges);
    at_tick(1 + 11932);
    cr_expect_eq(1, irq0.edges);
    cr_expect_eq(tick_ns(1 + 11932), irq0.last_ns);
    at_tick(1 + 2 * 11932);
    cr_expect_eq(2, irq0.edges);
    cr_expect_eq(tick_ns(1 + 2 * 11932), irq0.last_ns);
}

Test(pit, mode2_100hz_gives_exactly_n_edges_in_n_periods_of_11932_ticks)
{
    const uint64_t n = 100000;      /* 1000 s of virtual time */
    program(0, 2, 11932);
    tq_advance(&q, tick_ns(1 + n * 11932) - 1);
    cr_expect_eq(n - 1, (uint64_t)irq0.edges);
    at_tick(1 + n * 11932);
    cr_expect_eq(n, (uint64_t)irq0.edges);
    cr_expect_eq(tick_ns(1 + n * 11932), irq0.last_ns);
}

Test(pit, mode3_count_0_gives_18_2hz_with_no_drift_over_an_hour)
{
    /* One hour is 4,295,454,545 whole pulses; edges at 1 + 65536k. */
    program(0, 3, 0);
    tq_advance(&q, 3600ull * 1000000000);
    cr_expect_eq(65543, irq0.edges);
    cr_expect_eq(tick_ns(1 + 65536ull * 65543), irq0.last_ns);
}

Test(pit, reads_and_gate_writes_between_edges_do_not_disturb_the_rate)
{
    /* 10 s at 100 Hz, the CPU reading counter 0 and toggling gate 2 every 0.7 ms. */
    program(0, 3, 11932);
    for (uint64_t t = 0; t < 10000000000ull; t += 700001) {
        tq_advance(&q, t);
        latched_count(0);
        read_word(0);                   /* a live read, no latch */
        out8(0x61, (uint8_t)(t & 1));
    }
    at_tick(1 + 1000ull * 11932);
    cr_expect_eq(1000, irq0.edges);
    cr_expect_eq(tick_ns(1 + 1000ull * 11932), irq0.last_ns);
}

Test(pit, count_read_at_one_second_is_computed_from_virtual_time)
{
    /* 1 s = 1,193,181 pulses; 1,193,180 after the load; 11932 - 1193180 % 11932 = 20. */
    program(0, 2, 11932);
    tq_advance(&q, 1000000000);
    cr_expect_eq(20, latched_count(0));
}

/* ---- mode 3 square wave ---- */

static void expect_out2_pattern(int mode, uint16_t count, const int *want, int n)
{
    out8(0x61, 0x01);                   /* channel 2 gate on */
    program(2, mode, count);
    for (int k = 0; k < n; k++) {
        at_tick((uint64_t)k);
        cr_expect_eq(want[k], out2(), "tick %d", k);
    }
}

Test(pit, mode3_odd_count_5_is_high_3_ticks_low_2)
{
    static const int want[] = { 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1 };
    expect_out2_pattern(3, 5, want, 13);
}

Test(pit, mode3_even_count_4_is_high_2_ticks_low_2)
{
    static const int want[] = { 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1 };
    expect_out2_pattern(3, 4, want, 11);
}

Test(pit, mode3_count_reads_down_by_two_and_reloads_each_half_cycle)
{
    static const uint16_t want[] = { 6, 4, 2, 6, 4, 2, 6 };   /* ticks 1..7 */
    program(0, 3, 6);
    for (int k = 1; k <= 7; k++) {
        at_tick((uint64_t)k);
        cr_expect_eq(want[k - 1], latched_count(0), "tick %d", k);
    }
}

Test(pit, mode3_schedules_only_rising_edges_of_channel0)
{
    program(0, 3, 1000);
    cr_expect_eq(tick_ns(1001), tq_next_deadline(&q));
    out8(0x61, 0x01);
    program(2, 3, 10);
    cr_expect_eq(tick_ns(1001), tq_next_deadline(&q), "channel 2 arms no timer");
    at_tick(1001);
    cr_expect_eq(tick_ns(2001), tq_next_deadline(&q), "not the falling edge at 1501");
}

/* ---- mode 2 rate generator ---- */

Test(pit, mode2_out_low_for_one_tick_at_count_1)
{
    static const int want[] = { 1, 1, 1, 0, 1, 1, 0, 1 };    /* count 3 */
    expect_out2_pattern(2, 3, want, 8);
}

Test(pit, mode2_new_count_takes_effect_at_the_next_reload)
{
    program(0, 2, 1000);
    at_tick(1500);
    out8(0x40, 500 & 0xFF);
    out8(0x40, 500 >> 8);
    cr_expect_eq(0x40, status(0) & 0x40, "null count until the reload");
    at_tick(2001);
    cr_expect_eq(2, irq0.edges);
    cr_expect_eq(tick_ns(2001), irq0.last_ns);
    cr_expect_eq(0, status(0) & 0x40);
    at_tick(2501);
    cr_expect_eq(3, irq0.edges);
    cr_expect_eq(tick_ns(2501), irq0.last_ns);
}

Test(pit, mode2_gate_low_forces_out_high_and_gate_rise_reloads)
{
    out8(0x61, 0x01);
    program(2, 2, 10);
    at_tick(10);
    cr_expect_eq(0, out2(), "count 1 at tick 10");
    out8(0x61, 0x00);
    cr_expect_eq(1, out2(), "gate low sets OUT high at once");
    at_tick(20);
    out8(0x61, 0x01);                   /* reload at 21, count 1 at 30 */
    at_tick(29);
    cr_expect_eq(1, out2());
    at_tick(30);
    cr_expect_eq(0, out2());
    at_tick(31);
    cr_expect_eq(1, out2());
}

/* ---- mode 0 interrupt on terminal count ---- */

Test(pit, mode0_out_rises_n_plus_1_ticks_after_the_count_and_irq0_fires_once)
{
    program(0, 0, 100);
    at_tick(100);
    cr_expect_eq(0, irq0.edges);
    cr_expect_eq(0, status(0) & 0x80);
    at_tick(101);
    cr_expect_eq(1, irq0.edges);
    cr_expect_eq(tick_ns(101), irq0.last_ns);
    at_tick(1000000);                   /* the count wraps; OUT stays high */
    cr_expect_eq(1, irq0.edges);
    cr_expect_eq(0x80, status(0) & 0x80);
    cr_expect_eq(UINT64_MAX, tq_next_deadline(&q), "nothing left to schedule");
}

Test(pit, mode0_count_decrements_once_per_tick_and_wraps_past_zero)
{
    program(0, 0, 1000);
    at_tick(1);    cr_expect_eq(1000, latched_count(0));
    at_tick(501);  cr_expect_eq(500, latched_count(0));
    at_tick(1001); cr_expect_eq(0, latched_count(0));
    at_tick(1002); cr_expect_eq(0xFFFF, latched_count(0));
}

Test(pit, mode0_first_byte_of_a_new_count_stops_counting_and_drops_out)
{
    out8(0x61, 0x01);
    program(2, 0, 10);
    at_tick(20);
    cr_expect_eq(1, out2());
    out8(0x42, 50);
    cr_expect_eq(0, out2(), "OUT low without a clock pulse");
    at_tick(30);
    cr_expect_eq(0xFFF7, latched_count(2), "held at its tick-20 value");
    out8(0x42, 0);                      /* loaded at 31, terminal at 81 */
    at_tick(80);
    cr_expect_eq(0, out2());
    at_tick(81);
    cr_expect_eq(1, out2());
}

Test(pit, mode0_gate_low_suspends_counting)
{
    out8(0x61, 0x01);
    program(2, 0, 100);
    at_tick(51);
    out8(0x61, 0x00);
    at_tick(200);
    cr_expect_eq(50, latched_count(2));
    cr_expect_eq(0, out2());
    out8(0x61, 0x01);
    at_tick(249);
    cr_expect_eq(0, out2());
    at_tick(250);
    cr_expect_eq(1, out2());
}

Test(pit, reprogramming_channel0_from_mode0_low_to_mode2_raises_irq0)
{
    out8(0x43, 0x30);                   /* counter 0, mode 0: OUT low */
    cr_expect_eq(0, irq0.edges);
    out8(0x43, 0x34);                   /* mode 2: OUT high at once */
    cr_expect_eq(1, irq0.edges);
}

/* ---- modes 1, 4, 5 ---- */

Test(pit, mode1_gate_rise_starts_a_one_shot_low_for_n_ticks)
{
    program(2, 1, 10);
    at_tick(5);
    cr_expect_eq(1, out2());
    out8(0x61, 0x01);                   /* trigger: loaded, OUT low at 6 */
    at_tick(6);
    cr_expect_eq(0, out2());
    at_tick(8);
    out8(0x61, 0x00);                   /* the gate no longer matters */
    at_tick(15);
    cr_expect_eq(0, out2());
    at_tick(16);
    cr_expect_eq(1, out2());
}

Test(pit, mode1_retrigger_restarts_the_one_shot)
{
    program(2, 1, 10);
    at_tick(5);
    out8(0x61, 0x01);
    at_tick(12);
    out8(0x61, 0x00);
    out8(0x61, 0x01);                   /* reloaded at 13: high again at 23 */
    at_tick(22);
    cr_expect_eq(0, out2());
    at_tick(23);
    cr_expect_eq(1, out2());
}

Test(pit, mode4_strobe_is_one_tick_low_n_plus_1_ticks_after_the_count)
{
    static const int want[] = { 1, 1, 1, 1, 0, 1, 1 };      /* count 3 */
    expect_out2_pattern(4, 3, want, 7);
    at_tick(4 + 65536);
    cr_expect_eq(1, out2(), "no second strobe when the count wraps");
}

Test(pit, mode4_on_channel0_raises_irq0_once_as_the_strobe_ends)
{
    program(0, 4, 10);
    at_tick(11);
    cr_expect_eq(0, irq0.edges);
    at_tick(12);
    cr_expect_eq(1, irq0.edges);
    cr_expect_eq(tick_ns(12), irq0.last_ns);
    at_tick(200000);
    cr_expect_eq(1, irq0.edges);
}

Test(pit, mode5_gate_trigger_strobes_n_plus_1_ticks_later)
{
    program(2, 5, 10);
    at_tick(5);
    out8(0x61, 0x01);                   /* loaded at 6, count 0 at 16 */
    at_tick(15);
    cr_expect_eq(1, out2());
    at_tick(16);
    cr_expect_eq(0, out2());
    at_tick(17);
    cr_expect_eq(1, out2());
}

/* ---- reading counts: latch, access modes, BCD ---- */

Test(pit, counter_latch_holds_the_value_while_the_counter_runs)
{
    program(0, 2, 50000);
    at_tick(101);
    out8(0x43, 0x00);
    at_tick(2001);
    cr_expect_eq(49900, read_word(0));
    cr_expect_eq(48000, latched_count(0), "a read releases the latch");
}

Test(pit, a_second_latch_before_the_read_is_ignored)
{
    program(0, 2, 50000);
    at_tick(101);
    out8(0x43, 0x00);
    at_tick(201);
    out8(0x43, 0x00);
    cr_expect_eq(49900, read_word(0));
}

Test(pit, lsb_only_and_msb_only_access_read_and_write_one_byte)
{
    out8(0x61, 0x01);
    out8(0x43, 0x94);                   /* counter 2, LSB only, mode 2 */
    out8(0x42, 0x80);
    at_tick(1);
    cr_expect_eq(0x80, in8(0x42));
    out8(0x43, 0xA4);                   /* counter 2, MSB only, mode 2 */
    out8(0x42, 0x02);                   /* count 0x200, loaded at 2 */
    at_tick(2);
    cr_expect_eq(0x02, in8(0x42));
    at_tick(3);
    cr_expect_eq(0x01, in8(0x42), "0x1FF");
}

Test(pit, lsb_then_msb_reads_alternate_with_the_flip_flop)
{
    program(2, 0, 0x1234);              /* gate low: loaded, then held */
    at_tick(5);
    cr_expect_eq(0x34, in8(0x42));
    cr_expect_eq(0x12, in8(0x42));
    cr_expect_eq(0x34, in8(0x42));
    cr_expect_eq(0x12, in8(0x42));
}

Test(pit, bcd_counts_read_as_decimal_and_zero_means_10000)
{
    out8(0x43, 0x35);                   /* counter 0, mode 2, BCD */
    out8(0x40, 0x00);
    out8(0x40, 0x00);
    at_tick(1);    cr_expect_eq(0x0000, latched_count(0));
    at_tick(2);    cr_expect_eq(0x9999, latched_count(0));
    at_tick(1235); cr_expect_eq(0x8766, latched_count(0));
    at_tick(20001);
    cr_expect_eq(2, irq0.edges);
    cr_expect_eq(tick_ns(20001), irq0.last_ns);
}

/* ---- read-back ---- */

Test(pit, readback_status_reports_out_null_count_rw_mode_and_bcd)
{
    out8(0x43, 0xB6);                   /* counter 2, LSB/MSB, mode 3, binary */
    cr_expect_eq(0xF6, status(2), "OUT 1, null count, rw 3, mode 3");
    out8(0x61, 0x01);
    out8(0x42, 10);
    out8(0x42, 0);
    at_tick(1);
    cr_expect_eq(0xB6, status(2), "null count clears when the count is loaded");
    out8(0x43, 0x51);                   /* counter 1, LSB only, mode 0, BCD */
    cr_expect_eq(0x51, status(1), "OUT 0, null count, rw 1, mode 0, BCD");
}

Test(pit, control_word_sets_out_low_in_mode0_and_high_in_the_others)
{
    for (int mode = 0; mode <= 5; mode++) {
        out8(0x43, (uint8_t)(0x80 | 0x30 | mode << 1));
        cr_expect_eq(mode ? 0x80 : 0, status(2) & 0x80, "mode %d", mode);
    }
}

Test(pit, readback_latches_the_counts_of_several_counters_at_once)
{
    out8(0x61, 0x01);
    program(0, 2, 1000);
    program(1, 2, 2000);
    program(2, 2, 3000);
    at_tick(101);
    out8(0x43, 0xDE);                   /* read-back: counts of 2, 1, 0 */
    at_tick(500);
    cr_expect_eq(900, read_word(0));
    cr_expect_eq(1900, read_word(1));
    cr_expect_eq(2900, read_word(2));
}

Test(pit, readback_of_status_and_count_reads_status_first)
{
    program(0, 2, 1000);
    at_tick(101);
    out8(0x43, 0xC2);                   /* read-back: count and status of 0 */
    cr_expect_eq(0xB4, in8(0x40), "OUT 1, rw 3, mode 2");
    cr_expect_eq(900, read_word(0));
}

/* ---- port 0x61 ---- */

Test(pit, port61_stores_gate_and_speaker_bits_and_refresh_toggles_every_15us)
{
    out8(0x61, 0x03);
    cr_expect_eq(0x03, in8(0x61) & 0x0F);
    cr_expect_eq(0, in8(0x61) & 0x10);
    tq_advance(&q, 15000);
    cr_expect_eq(0x10, in8(0x61) & 0x10);
    tq_advance(&q, 29999);
    cr_expect_eq(0x10, in8(0x61) & 0x10);
    tq_advance(&q, 30000);
    cr_expect_eq(0, in8(0x61) & 0x10);
}
