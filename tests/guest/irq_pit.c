/* irq_pit.c - the 8254's channel 0 interrupting at the programmed rate,
 * counted against clocks both machines derive from the same virtual time:
 * channel 2's one-shot (OUT2 on port 0x61) and the RTC's seconds.
 * IRQ 0 requests wait while IF is clear.
 *
 * Tolerances: a machine cannot deliver more edges than the rate allows, so
 * the upper bounds are tight (one tick of phase).  QEMU without -icount runs
 * its timers on host time and drops edges when the host is busy (its 8254
 * does not catch up; on a loaded two-core host it lost 45 per cent at
 * 250 Hz), so the lower bounds only ask for a quarter of the edges: they
 * catch a timer that is off by a factor, the upper bounds one that is fast.
 * ringsim, in virtual time, is exact.
 */
#include "lib/sys.h"

static volatile unsigned ticks;

static void irq0(struct frame *f)
{
    (void)f;
    ticks++;
    outb(0x20, 0x20);
}

static void pit_periodic(uint16_t divisor)
{
    outb(0x43, 0x34);                                   /* channel 0, mode 2 */
    outb(0x40, (uint8_t)divisor); outb(0x40, (uint8_t)(divisor >> 8));
}

/* Channel 2, mode 0, gate on: OUT2 (port 0x61 bit 5) rises after n counts. */
static void ch2_start(uint16_t n)
{
    outb(0x61, (uint8_t)((inb(0x61) & 0x0C) | 0x01));
    outb(0x43, 0xB0);
    outb(0x42, (uint8_t)n); outb(0x42, (uint8_t)(n >> 8));
}

static int ch2_done(void) { return (inb(0x61) & 0x20) != 0; }

static void wait_ch2(void)
{
    for (unsigned i = 0; i < 20000000 && !ch2_done(); i++) {
    }
}

static uint8_t cmos(uint8_t reg) { outb(0x70, reg); return inb(0x71); }

/* The next RTC update: the seconds register changes. */
static void wait_rtc_update(void)
{
    uint8_t s = cmos(0x00);
    for (unsigned i = 0; i < 50000000 && cmos(0x00) == s; i++) {
    }
}

static void in_range(const char *name, unsigned lo, unsigned hi, unsigned got)
{
    if (got >= lo && got <= hi) {
        check(1, name);
        return;
    }
    check_count_failure();
    puts_("FAIL "); puts_(name); puts_(": expected ");
    putdec(lo); puts_(".."); putdec(hi); puts_(", got "); putdec(got); puts_("\n");
}

void guest_main(uint32_t magic, const uint8_t *mbi)
{
    (void)magic, (void)mbi;
    sys_init();
    set_handler(PIC_VEC, irq0);
    pic_remap(0xFE, 0xFF);

    /* 250 Hz (divisor 4773) against 4 x 65535 counts of channel 2 (220 ms). */
    pit_periodic(4773);
    sti();
    unsigned n = 0, start;
    for (int k = 0; k < 4; k++) {
        ch2_start(65535);
        start = ticks;
        wait_ch2();
        n += ticks - start;
    }
    check(ch2_done(), "pit_ch2_one_shot_ends");
    in_range("pit_250hz_55_ticks_in_4_ch2_periods", 14, 56, n);

    /* IF clear: no IRQ 0 for 10 ms, the request waits in IRR. */
    cli();
    start = ticks;
    ch2_start(11932);
    wait_ch2();
    check_eq("pit_no_ticks_while_if_clear", 0, ticks - start);
    check_eq("pit_irq0_pending_in_irr", 1, pic_irr(0x20) & 1);
    sti();
    for (unsigned i = 0; i < 1000 && ticks == start; i++) __asm__ volatile("pause");
    check_eq("pit_pending_irq0_on_sti", 1, ticks - start >= 1);

    /* 100 Hz (divisor 11932) over one RTC second. */
    pit_periodic(11932);
    wait_rtc_update();
    start = ticks;
    wait_rtc_update();
    in_range("pit_100hz_between_rtc_updates", 25, 101, ticks - start);

    /* 18.2 Hz (divisor 65536) against channel 2 over 8 x 54.9 ms. */
    pit_periodic(0);
    unsigned total = 0;
    for (int k = 0; k < 8; k++) {
        ch2_start(0xFFFF);
        start = ticks;
        wait_ch2();
        total += ticks - start;
    }
    in_range("pit_18hz_8_ticks_in_8_ch2_periods", 2, 9, total);
    cli();
    outb(0x43, 0x30); outb(0x40, 0); outb(0x40, 0);
    outb(0x21, 0xFF);
}
