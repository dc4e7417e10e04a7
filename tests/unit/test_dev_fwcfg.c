/* test_dev_fwcfg.c - devices/fwcfg.c: QEMU fw_cfg over I/O ports 0x510/0x511
 * (docs/specs/fw_cfg.rst). */
#include <criterion/criterion.h>
#include "devices/fwcfg.h"
#include "mmu/bus.h"

static struct bus *bus;
static struct fwcfg cfg;

static void setup(void)
{
    bus = bus_new(1 << 20);
    cr_assert_not_null(bus);
    fwcfg_init(&cfg, 4, 0x123456789ull);
    cr_assert_eq(0, fwcfg_attach(&cfg, bus));
}

static void teardown(void) { bus_free(bus); bus = NULL; }

TestSuite(fwcfg, .init = setup, .fini = teardown);

static void select_item(uint16_t key) { bus_port_out(bus, FWCFG_PORT_SELECTOR, 2, key); }
static uint8_t next_byte(void) { return (uint8_t)bus_port_in(bus, FWCFG_PORT_DATA, 1); }

static uint64_t read_le(unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) v |= (uint64_t)next_byte() << (8 * i);
    return v;
}

Test(fwcfg, the_signature_item_reads_QEMU)
{
    select_item(FW_CFG_SIGNATURE);
    char sig[5] = { 0 };
    for (int i = 0; i < 4; i++) sig[i] = (char)next_byte();
    cr_expect_str_eq(sig, "QEMU");
}

Test(fwcfg, the_id_offers_the_traditional_interface_and_no_dma)
{
    select_item(FW_CFG_ID);
    cr_expect_eq(FW_CFG_ID_TRADITIONAL, read_le(4));
}

Test(fwcfg, the_cpu_count_is_16_bit_little_endian)
{
    select_item(FW_CFG_NB_CPUS);
    cr_expect_eq(4, read_le(2));
}

Test(fwcfg, the_ram_size_is_64_bit_little_endian)
{
    select_item(FW_CFG_RAM_SIZE);
    cr_expect_eq(0x123456789ull, read_le(8));
}

Test(fwcfg, the_file_directory_holds_zero_files)
{
    select_item(FW_CFG_FILE_DIR);
    for (int i = 0; i < 4; i++) cr_expect_eq(0, next_byte(), "count byte %d", i);
}

Test(fwcfg, reading_past_the_end_of_an_item_reads_zero)
{
    select_item(FW_CFG_SIGNATURE);
    read_le(4);
    cr_expect_eq(0, next_byte());
    cr_expect_eq(0, next_byte());
}

Test(fwcfg, an_unknown_selector_reads_zero)
{
    select_item(0x0042);
    cr_expect_eq(0, read_le(8));
    select_item(FW_CFG_ARCH_LOCAL | FW_CFG_SIGNATURE);
    cr_expect_eq(0, next_byte(), "no arch-local items");
}

Test(fwcfg, selecting_again_rewinds_the_item)
{
    select_item(FW_CFG_SIGNATURE);
    cr_expect_eq('Q', next_byte());
    cr_expect_eq('E', next_byte());
    select_item(FW_CFG_SIGNATURE);
    cr_expect_eq('Q', next_byte());
}

Test(fwcfg, data_port_writes_are_ignored)
{
    select_item(FW_CFG_WRITE_CHANNEL | FW_CFG_NB_CPUS);
    bus_port_out(bus, FWCFG_PORT_DATA, 1, 0x99);
    select_item(FW_CFG_NB_CPUS);
    cr_expect_eq(4, read_le(2));
}
