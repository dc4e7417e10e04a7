/* test_a20_rom.c - the firmware ROM with its reset-vector alias, the A20
 * gate, and port 0x92 (mmu/bus.c, devices/port92.c, cpu/mem.c). */
#include <criterion/criterion.h>
#include <string.h>
#include "harness.h"
#include "mmu/bus.h"
#include "devices/port92.h"

static uint8_t rom_image[0x20000];      /* 128 KiB: the top 64 KiB also appear at F0000 */

static void make_rom(void)
{
    for (unsigned i = 0; i < sizeof rom_image; i++) rom_image[i] = (uint8_t)(i * 7 + 3);
}

Test(rom, the_rom_ends_at_4gib_and_its_top_64k_appear_at_f0000)
{
    struct th t;
    th_init(&t, DM_16);
    make_rom();
    cr_assert_eq(0, bus_load_rom(t.bus, rom_image, sizeof rom_image));
    cr_expect_eq(rom_image[0], bus_read(t.bus, 0xFFFE0000, 1));
    cr_expect_eq(rom_image[sizeof rom_image - 16], bus_read(t.bus, 0xFFFFFFF0, 1));
    cr_expect_eq(rom_image[sizeof rom_image - 16], bus_read(t.bus, 0xFFFF0, 1),
                 "F000:FFF0 and FFFFFFF0 are the same byte");
    cr_expect_eq(rom_image[0x10000], bus_read(t.bus, 0xF0000, 1));
    cr_expect_eq(0xFF, bus_read(t.bus, 0xFFFD0000, 1), "below the ROM is open bus");
    th_free(&t);
}

Test(rom, writes_to_rom_are_dropped_at_both_addresses)
{
    struct th t;
    th_init(&t, DM_16);
    make_rom();
    bus_load_rom(t.bus, rom_image, sizeof rom_image);
    bus_write(t.bus, 0xFFFFFFF0, 1, 0x5A);
    bus_write(t.bus, 0xFFFF0, 1, 0x5A);
    cr_expect_eq(rom_image[sizeof rom_image - 16], bus_read(t.bus, 0xFFFFFFF0, 1));
    cr_expect_eq(rom_image[sizeof rom_image - 16], bus_read(t.bus, 0xFFFF0, 1));
    th_free(&t);
}

/* The reset state fetches from CS.base FFFF0000 + FFF0: the ROM's last 16 bytes. */
Test(rom, the_cpu_starts_at_the_reset_vector_in_rom)
{
    struct th t;
    th_init(&t, DM_16);
    memset(rom_image, 0x90, sizeof rom_image);               /* nop */
    rom_image[sizeof rom_image - 16] = 0xB8;                 /* mov ax, 0x1234 */
    rom_image[sizeof rom_image - 15] = 0x34;
    rom_image[sizeof rom_image - 14] = 0x12;
    rom_image[sizeof rom_image - 13] = 0xF4;                 /* hlt */
    bus_load_rom(t.bus, rom_image, sizeof rom_image);
    cpu_reset(&t.cpu);
    cr_assert_eq(EXIT_HALT, th_run(&t, 10));
    cr_expect_eq(0x1234, t.cpu.gpr[RAX] & 0xFFFF);
    cr_expect_eq(0xFFF4, t.cpu.rip, "after the HLT");
    th_free(&t);
}

Test(rom, a_store_into_the_rom_alias_from_code_changes_nothing)
{
    static const uint8_t code[] = {
        0xB8, 0x00, 0xF0,           /* mov ax, 0xF000 */
        0x8E, 0xD8,                 /* mov ds, ax */
        0xC6, 0x06, 0xF0, 0xFF, 0x77, /* mov byte [0xFFF0], 0x77 */
        0xA0, 0xF0, 0xFF,           /* mov al, [0xFFF0] */
    };
    struct th t;
    th_init(&t, DM_16);
    make_rom();
    bus_load_rom(t.bus, rom_image, sizeof rom_image);
    th_code(&t, code, sizeof code);
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 4));
    cr_expect_eq(rom_image[sizeof rom_image - 16], t.cpu.gpr[RAX] & 0xFF);
    th_free(&t);
}

/* Real mode FFFF:0010 is linear 100000: with A20 closed it wraps to 0.  The
 * harness has 1 MiB of RAM, so with the gate open the read is open bus. */
Test(a20, a_closed_gate_wraps_real_mode_addresses_at_1mib)
{
    static const uint8_t code[] = {
        0xB8, 0xFF, 0xFF,           /* mov ax, 0xFFFF */
        0x8E, 0xD8,                 /* mov ds, ax */
        0xA0, 0x10, 0x00,           /* mov al, [0x0010] */
    };
    struct th t;
    th_init(&t, DM_16);
    th_mem(&t, 0x000000)[0] = 0x11;
    th_code(&t, code, sizeof code);
    bus_set_a20(t.bus, 0);
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 3));
    cr_expect_eq(0x11, t.cpu.gpr[RAX] & 0xFF, "A20 closed: wrapped to 0");

    t.cpu.rip = TH_CODE;
    bus_set_a20(t.bus, 1);
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 3));
    cr_expect_eq(0xFF, t.cpu.gpr[RAX] & 0xFF, "A20 open: above 1 MiB (open bus here)");
    th_free(&t);
}

static int resets;
static void count_reset(void *ctx) { (void)ctx; resets++; }

Test(port92, bit1_opens_and_closes_the_a20_gate)
{
    struct th t;
    struct port92 p;
    th_init(&t, DM_16);
    port92_init(&p, t.bus, count_reset, NULL);
    port92_attach(&p);
    cr_expect_eq(0x02, bus_port_in(t.bus, 0x92, 1) & 0x02, "open at hand-over");
    bus_port_out(t.bus, 0x92, 1, 0x00);
    cr_expect_eq(~(1ull << 20), t.bus->a20_mask);
    cr_expect_eq(0x00, bus_port_in(t.bus, 0x92, 1) & 0x02);
    bus_port_out(t.bus, 0x92, 1, 0x02);
    cr_expect_eq(~0ull, t.bus->a20_mask);
    th_free(&t);
}

Test(port92, bit0_rising_edge_resets_and_reads_back_zero)
{
    struct th t;
    struct port92 p;
    th_init(&t, DM_16);
    resets = 0;
    port92_init(&p, t.bus, count_reset, NULL);
    port92_attach(&p);
    bus_port_out(t.bus, 0x92, 1, 0x03);
    cr_expect_eq(1, resets);
    cr_expect_eq(0x02, bus_port_in(t.bus, 0x92, 1), "bit 0 reads back 0");
    bus_port_out(t.bus, 0x92, 1, 0x03);
    cr_expect_eq(2, resets, "each 0->1 write resets");
    th_free(&t);
}
