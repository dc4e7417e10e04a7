/* test_dev_cmos.c - devices/cmos.c: the MC146818 RTC and CMOS RAM, driven
 * through ports 0x70/0x71 as the CPU would, with the virtual clock advanced
 * by the timer queue.
 */
#include <criterion/criterion.h>
#include "devices/cmos.h"
#include "mmu/bus.h"
#include "sim/timers.h"

#define SEC 1000000000ull
#define JAN_1_2026       1767225600ll   /* Thursday 2026-01-01 00:00:00 UTC */
#define FEB_28_2026_LAST 1772323199ll   /* Saturday 2026-02-28 23:59:59 UTC */

static struct bus *bus;
static struct timer_queue q;
static struct cmos rtc;

/* IRQ 8 as an interrupt controller sees it; the "ISR" may acknowledge the RTC. */
static struct { int rises, level; bool isr_reads_c; } irq8;

static uint8_t rd(uint8_t index)
{
    bus_port_out(bus, CMOS_PORT_INDEX, 1, index);
    return (uint8_t)bus_port_in(bus, CMOS_PORT_DATA, 1);
}

static void wr(uint8_t index, uint8_t value)
{
    bus_port_out(bus, CMOS_PORT_INDEX, 1, index);
    bus_port_out(bus, CMOS_PORT_DATA, 1, value);
}

static void irq8_set(void *ctx, unsigned line, int level)
{
    (void)ctx; (void)line;
    if (level && !irq8.level) irq8.rises++;
    irq8.level = level;
    if (level && irq8.isr_reads_c) rd(CMOS_REG_C);
}

static const struct irq_line line8 = { irq8_set, NULL, 8 };

static void start(int64_t epoch)
{
    bus = bus_new(1 << 20);
    cr_assert_not_null(bus);
    tq_init(&q);
    irq8.rises = 0; irq8.level = 0; irq8.isr_reads_c = false;
    cmos_init(&rtc, &q, &line8, epoch);
    cr_assert_eq(0, cmos_attach(&rtc, bus));
}

static void setup(void) { start(JAN_1_2026); }
static void teardown(void) { bus_free(bus); bus = NULL; }

TestSuite(cmos, .init = setup, .fini = teardown);

Test(cmos, power_on_registers_are_bcd_24_hour_1024hz_with_valid_ram)
{
    cr_expect_eq(0x26, rd(CMOS_REG_A), "divider 32.768 kHz, rate 6");
    cr_expect_eq(CMOS_B_24H, rd(CMOS_REG_B));
    cr_expect_eq(0x00, rd(CMOS_REG_C));
    cr_expect_eq(CMOS_D_VRT, rd(CMOS_REG_D));
}

Test(cmos, time_of_day_is_the_epoch_plus_the_virtual_clock)
{
    tq_advance(&q, 3661 * SEC + SEC / 2);          /* 1 h 1 min 1.5 s */
    cr_expect_eq(0x01, rd(CMOS_SECONDS));
    cr_expect_eq(0x01, rd(CMOS_MINUTES));
    cr_expect_eq(0x01, rd(CMOS_HOURS));
    cr_expect_eq(0x05, rd(CMOS_DAY_OF_WEEK), "Thursday = 5 (Sunday = 1)");
    cr_expect_eq(0x01, rd(CMOS_DAY_OF_MONTH));
    cr_expect_eq(0x01, rd(CMOS_MONTH));
    cr_expect_eq(0x26, rd(CMOS_YEAR));
    cr_expect_eq(0x20, rd(CMOS_CENTURY));
}

Test(cmos, the_date_rolls_over_from_february_28_to_march_1_in_2026)
{
    teardown();
    start(FEB_28_2026_LAST);
    cr_expect_eq(0x59, rd(CMOS_SECONDS));
    cr_expect_eq(0x07, rd(CMOS_DAY_OF_WEEK), "Saturday");
    tq_advance(&q, 1 * SEC);
    cr_expect_eq(0x00, rd(CMOS_SECONDS));
    cr_expect_eq(0x00, rd(CMOS_HOURS));
    cr_expect_eq(0x01, rd(CMOS_DAY_OF_MONTH));
    cr_expect_eq(0x03, rd(CMOS_MONTH));
    cr_expect_eq(0x01, rd(CMOS_DAY_OF_WEEK), "Sunday");
}

Test(cmos, binary_mode_shows_the_same_time_without_bcd)
{
    tq_advance(&q, (23 * 3600 + 45 * 60 + 56) * SEC);
    cr_expect_eq(0x56, rd(CMOS_SECONDS), "BCD");
    cr_expect_eq(0x45, rd(CMOS_MINUTES), "BCD");
    cr_expect_eq(0x23, rd(CMOS_HOURS), "BCD");
    wr(CMOS_REG_B, CMOS_B_24H | CMOS_B_DM_BINARY);
    cr_expect_eq(56, rd(CMOS_SECONDS));
    cr_expect_eq(45, rd(CMOS_MINUTES));
    cr_expect_eq(23, rd(CMOS_HOURS));
    cr_expect_eq(26, rd(CMOS_YEAR));
    cr_expect_eq(20, rd(CMOS_CENTURY));
}

Test(cmos, twelve_hour_mode_sets_the_pm_bit_and_shows_midnight_and_noon_as_12)
{
    wr(CMOS_REG_B, 0);                             /* BCD, 12-hour */
    cr_expect_eq(0x12, rd(CMOS_HOURS), "00:00 is 12 AM");
    tq_advance(&q, 12 * 3600 * SEC);
    cr_expect_eq(0x92, rd(CMOS_HOURS), "12:00 is 12 PM");
    tq_advance(&q, 13 * 3600 * SEC + 5 * 60 * SEC);
    cr_expect_eq(0x81, rd(CMOS_HOURS), "13:05 is 1 PM");
    wr(CMOS_REG_B, CMOS_B_DM_BINARY);
    cr_expect_eq(CMOS_HOURS_PM | 1, rd(CMOS_HOURS), "binary 12-hour");
}

Test(cmos, writing_the_time_under_set_holds_it_until_set_is_cleared)
{
    wr(CMOS_REG_B, CMOS_B_SET | CMOS_B_24H);
    wr(CMOS_HOURS, 0x10);
    wr(CMOS_MINUTES, 0x20);
    wr(CMOS_SECONDS, 0x30);
    tq_advance(&q, 5 * SEC);
    cr_expect_eq(0x30, rd(CMOS_SECONDS), "SET inhibits updates");
    cr_expect_eq(0x20, rd(CMOS_MINUTES));
    cr_expect_eq(0x10, rd(CMOS_HOURS));
    wr(CMOS_REG_B, CMOS_B_24H);
    tq_advance(&q, 6 * SEC);
    cr_expect_eq(0x31, rd(CMOS_SECONDS), "running again");
    cr_expect_eq(JAN_1_2026 + 10 * 3600 + 20 * 60 + 31, cmos_wall_seconds(&rtc));
}

Test(cmos, uip_is_set_only_in_the_244_us_before_an_update)
{
    tq_advance(&q, SEC / 2);
    cr_expect_eq(0, rd(CMOS_REG_A) & CMOS_A_UIP);
    tq_advance(&q, SEC - 244000 - 1);
    cr_expect_eq(0, rd(CMOS_REG_A) & CMOS_A_UIP, "245 us before");
    tq_advance(&q, SEC - 244000);
    cr_expect_eq(CMOS_A_UIP, rd(CMOS_REG_A) & CMOS_A_UIP, "244 us before");
    tq_advance(&q, SEC);
    cr_expect_eq(0, rd(CMOS_REG_A) & CMOS_A_UIP, "update done");
    wr(CMOS_REG_B, CMOS_B_SET | CMOS_B_24H);
    tq_advance(&q, 2 * SEC - 1000);
    cr_expect_eq(0, rd(CMOS_REG_A) & CMOS_A_UIP, "no updates under SET");
}

Test(cmos, register_c_reports_update_ended_and_is_cleared_by_reading)
{
    wr(CMOS_REG_A, CMOS_A_DV_32KHZ | 0);           /* no periodic flag */
    wr(CMOS_REG_B, CMOS_B_24H | CMOS_B_UIE);
    tq_advance(&q, SEC);
    cr_expect_eq(1, irq8.rises);
    cr_expect_eq(1, irq8.level, "IRQ 8 held until C is read");
    cr_expect_eq(CMOS_C_IRQF | CMOS_C_UF, rd(CMOS_REG_C));
    cr_expect_eq(0, irq8.level, "reading C lowers IRQ 8");
    cr_expect_eq(0x00, rd(CMOS_REG_C), "cleared by the first read");
}

Test(cmos, flags_are_set_without_their_enables_but_raise_no_interrupt)
{
    tq_advance(&q, SEC + 1);
    cr_expect_eq(CMOS_C_UF | CMOS_C_PF, rd(CMOS_REG_C), "no IRQF");
    cr_expect_eq(0, irq8.rises);
}

Test(cmos, periodic_interrupt_at_rate_6_fires_1024_times_a_virtual_second)
{
    irq8.isr_reads_c = true;
    wr(CMOS_REG_B, CMOS_B_24H | CMOS_B_PIE);
    tq_advance(&q, SEC);
    cr_expect_eq(1024, irq8.rises);
    tq_advance(&q, SEC + SEC / 4);
    cr_expect_eq(1024 + 256, irq8.rises);
}

Test(cmos, an_unacknowledged_periodic_interrupt_does_not_repeat)
{
    wr(CMOS_REG_B, CMOS_B_24H | CMOS_B_PIE);
    tq_advance(&q, SEC / 10);
    cr_expect_eq(1, irq8.rises, "C never read: IRQ 8 stays high, no new edge");
    cr_expect_eq(CMOS_C_IRQF | CMOS_C_PF, rd(CMOS_REG_C));
    tq_advance(&q, SEC / 10 + SEC / 1024 + 1);
    cr_expect_eq(2, irq8.rises);
}

Test(cmos, rate_3_runs_at_8192_hz_and_rate_0_stops_the_periodic_interrupt)
{
    irq8.isr_reads_c = true;
    wr(CMOS_REG_A, CMOS_A_DV_32KHZ | 3);
    wr(CMOS_REG_B, CMOS_B_24H | CMOS_B_PIE);
    tq_advance(&q, SEC / 8);
    cr_expect_eq(1024, irq8.rises);
    wr(CMOS_REG_A, CMOS_A_DV_32KHZ | 0);
    tq_advance(&q, SEC);
    cr_expect_eq(1024, irq8.rises);
}

Test(cmos, the_alarm_fires_when_seconds_minutes_and_hours_match)
{
    wr(CMOS_SECONDS_ALARM, 0x05);
    wr(CMOS_MINUTES_ALARM, 0x00);
    wr(CMOS_HOURS_ALARM, CMOS_ALARM_ANY);          /* any hour */
    wr(CMOS_REG_A, CMOS_A_DV_32KHZ | 0);           /* no periodic flag */
    wr(CMOS_REG_B, CMOS_B_24H | CMOS_B_AIE);
    tq_advance(&q, 4 * SEC);
    cr_expect_eq(0, irq8.rises);
    tq_advance(&q, 5 * SEC);
    cr_expect_eq(1, irq8.rises);
    cr_expect_eq(CMOS_C_IRQF | CMOS_C_AF | CMOS_C_UF, rd(CMOS_REG_C));
}

Test(cmos, bit_7_of_the_index_port_masks_nmi_and_does_not_select_a_register)
{
    cr_expect_not(cmos_nmi_masked(&rtc));
    bus_port_out(bus, CMOS_PORT_INDEX, 1, 0x80 | 0x40);
    cr_expect(cmos_nmi_masked(&rtc));
    bus_port_out(bus, CMOS_PORT_DATA, 1, 0xA5);
    cr_expect_eq(0xA5, rd(0x40), "index 0x40, not 0xC0");
    cr_expect_not(cmos_nmi_masked(&rtc), "NMI unmasked by the plain index write");
}

Test(cmos, cmos_ram_holds_what_was_written_and_c_d_are_read_only)
{
    for (unsigned i = 0x0E; i < CMOS_SIZE; i++) if (i != CMOS_CENTURY) wr(i, (uint8_t)(i ^ 0x5A));
    for (unsigned i = 0x0E; i < CMOS_SIZE; i++)
        if (i != CMOS_CENTURY) cr_expect_eq(i ^ 0x5A, rd(i), "byte 0x%02x", i);
    wr(CMOS_REG_D, 0);
    cr_expect_eq(CMOS_D_VRT, rd(CMOS_REG_D));
    wr(CMOS_REG_C, 0xF0);
    cr_expect_eq(0, rd(CMOS_REG_C));
}

Test(cmos, memory_size_bytes_follow_the_pc_at_layout)
{
    cmos_set_memory(&rtc, 32u << 20);
    cr_expect_eq(640, rd(0x15) | rd(0x16) << 8, "base memory KB");
    cr_expect_eq(31 * 1024, rd(0x17) | rd(0x18) << 8, "KB above 1 MiB");
    cr_expect_eq(31 * 1024, rd(0x30) | rd(0x31) << 8, "KB above 1 MiB (copy)");
    cr_expect_eq(256, rd(0x34) | rd(0x35) << 8, "64 KiB blocks above 16 MiB");
    cmos_set_memory(&rtc, 128u << 20);
    cr_expect_eq(0xFFFF, rd(0x17) | rd(0x18) << 8, "capped at 64 MiB - 1 KiB");
    cr_expect_eq(112 * 16, rd(0x34) | rd(0x35) << 8);
}
