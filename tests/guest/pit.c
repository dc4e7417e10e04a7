/* pit.c - the 8254 as seen by a polling guest (Intel 8254 datasheet, "Read-
 * Back Command", modes 0 and 2) and the PC/AT port 0x61: bit 4 toggling with
 * refresh, bit 0 gating channel 2 and bit 5 showing its OUT.
 */
#include "lib/guest.h"

#define LIMIT 2000000u

static uint16_t latch_count(unsigned ch)
{
    outb(0x43, (uint8_t)(ch << 6));                 /* counter latch command */
    uint8_t lo = inb((uint16_t)(0x40 + ch));
    return (uint16_t)(lo | inb((uint16_t)(0x40 + ch)) << 8);
}

static uint8_t status(unsigned ch)
{
    outb(0x43, (uint8_t)(0xE0 | 2u << ch));         /* read-back: status only */
    return inb((uint16_t)(0x40 + ch));
}

static void channel0_mode2_counts_down(void)
{
    outb(0x43, 0x34);
    outb(0x40, 0); outb(0x40, 0);                   /* 65536: 55 ms period */
    uint16_t a = latch_count(0), b = a;
    for (unsigned i = 0; b == a && i < LIMIT; i++) b = latch_count(0);
    check(a != b, "pit_ch0_count_moves");
    check_eq("pit_readback_status_mode2_lohi", 0x34, status(0) & 0x3F);
}

static void channel0_mode0_out_rises(void)
{
    outb(0x43, 0x30);                               /* mode 0: OUT low at once */
    /* 16.8 ms: long enough that a busy host cannot let QEMU's count (on host
     * time) run out before the status read. */
    outb(0x40, 20000 & 0xFF); outb(0x40, 20000 >> 8);
    check_eq("pit_mode0_out_low_after_count", 0, status(0) & 0x80);
    unsigned i = 0;
    while (!(status(0) & 0x80) && ++i < LIMIT) {
    }
    check((status(0) & 0x80) != 0, "pit_mode0_out_high_at_terminal_count");
    check_eq("pit_readback_status_mode0_lohi", 0x30, status(0) & 0x3F);
}

static void port61_refresh_toggles(void)
{
    uint8_t first = inb(0x61) & 0x10;
    unsigned i = 0;
    while ((inb(0x61) & 0x10) == first && ++i < LIMIT) {
    }
    check((inb(0x61) & 0x10) != first || i < LIMIT, "port61_refresh_bit4_toggles");
}

static void channel2_out_on_port61(void)
{
    outb(0x61, (uint8_t)((inb(0x61) & 0x0C) | 0x01));   /* gate 2 on, speaker off */
    outb(0x43, 0xB0);                                   /* channel 2, lo/hi, mode 0 */
    outb(0x42, 20000 & 0xFF); outb(0x42, 20000 >> 8);   /* 16.8 ms, as above */
    check_eq("port61_ch2_out_low_while_counting", 0, inb(0x61) & 0x20);
    unsigned i = 0;
    while (!(inb(0x61) & 0x20) && ++i < LIMIT) {
    }
    check((inb(0x61) & 0x20) != 0, "port61_ch2_out_high_at_terminal_count");
    outb(0x61, inb(0x61) & 0x0C);
}

void guest_main(uint32_t magic, const uint8_t *mbi)
{
    (void)magic, (void)mbi;
    channel0_mode2_counts_down();
    channel0_mode0_out_rises();
    port61_refresh_toggles();
    channel2_out_on_port61();
}
