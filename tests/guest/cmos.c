/* cmos.c - the MC146818A RTC and CMOS RAM as seen by a polling guest
 * (Motorola MC146818A datasheet; PC/AT CMOS map): register D's VRT, register
 * A's divider, 24-hour/BCD mode, the date both machines start from
 * (2026-01-01: ringsim's epoch, QEMU's -rtc base), and the memory-size bytes
 * 0x30/0x31 and 0x34/0x35 for 128 MiB and against Multiboot's mem_upper.
 */
#include "lib/guest.h"

static uint8_t cmos(uint8_t index)
{
    outb(0x70, index);
    return inb(0x71);
}

static void clock_registers(void)
{
    check_eq("rtc_reg_d_vrt", 0x80, cmos(0x0D) & 0x80);
    check_eq("rtc_reg_a_divider_32768", 0x20, cmos(0x0A) & 0x70);
    check_eq("rtc_reg_b_24h_bcd", 0x02, cmos(0x0B) & 0x06);
    check_eq("rtc_year_2026_bcd", 0x26, cmos(0x09));
    check_eq("rtc_month_january", 0x01, cmos(0x08));
    check_eq("rtc_day_first", 0x01, cmos(0x07));
    check(cmos(0x00) < 0x60 && (cmos(0x00) & 0x0F) < 10, "rtc_seconds_valid_bcd");
    outb(0x70, 0x3F);
    outb(0x71, 0xC3);
    check_eq("cmos_ram_byte_readback", 0xC3, cmos(0x3F));
}

static void memory_size(const uint8_t *mbi)
{
    uint32_t upper_kb = rd32(mbi + 8);
    uint32_t ext_kb = cmos(0x30) | (uint32_t)cmos(0x31) << 8;
    uint32_t blocks = cmos(0x34) | (uint32_t)cmos(0x35) << 8;
    check_eq("cmos_30_ext_kb_matches_mem_upper", upper_kb > 0xFFFF ? 0xFFFF : upper_kb, ext_kb);
    check_eq("cmos_34_64k_blocks_above_16M_of_128M", (128 - 16) * 16, blocks);
    check(upper_kb <= 64 * blocks + 16384 - 1024, "cmos_34_covers_mem_upper");
    check_eq("cmos_15_base_640", 640, cmos(0x15) | (uint32_t)cmos(0x16) << 8);
}

void guest_main(uint32_t magic, const uint8_t *mbi)
{
    (void)magic;
    clock_registers();
    memory_size(mbi);
}
