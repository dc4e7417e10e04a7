/* test_bus.c - the physical bus on its own (mmu/bus.c): RAM, open bus for
 * unclaimed addresses and ports, MMIO and port dispatch to a fake device,
 * bus_load telling the decode cache, and RAM reserved but not committed.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "mmu/bus.h"

#define RAM (1u << 20)

static struct bus *bus;

static void setup(void)
{
    bus = bus_new(RAM);
    cr_assert_not_null(bus);
}

static void teardown(void)
{
    bus_free(bus);
    bus = NULL;
}

TestSuite(bus, .init = setup, .fini = teardown);

/* A fake device: remembers the last access and answers reads with a pattern. */
struct fake {
    int reads, writes;
    uint64_t offset, value;
    unsigned size;
    uint64_t answer;
};

static uint64_t fake_read(void *ctx, uint64_t offset, unsigned size)
{
    struct fake *f = ctx;
    f->reads++;
    f->offset = offset;
    f->size = size;
    return f->answer;
}

static void fake_write(void *ctx, uint64_t offset, unsigned size, uint64_t value)
{
    struct fake *f = ctx;
    f->writes++;
    f->offset = offset;
    f->size = size;
    f->value = value;
}

static uint64_t fake_in(void *ctx, uint16_t port, unsigned size)
{
    return fake_read(ctx, port, size);
}

static void fake_out(void *ctx, uint16_t port, unsigned size, uint64_t value)
{
    fake_write(ctx, port, size, value);
}

static uint64_t all_ones(unsigned size)
{
    return size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static const unsigned sizes[] = { 1, 2, 4, 8 };

/* ---- RAM ------------------------------------------------------------------------- */

Test(bus, fresh_ram_reads_zero)
{
    for (size_t i = 0; i < 4; i++)
        cr_expect_eq(0, bus_read(bus, 0x1234, sizes[i]), "size %u", sizes[i]);
}

Test(bus, ram_write_then_read_returns_the_value_little_endian)
{
    bus_write(bus, 0x1000, 8, 0x0123456789ABCDEFull);
    cr_expect_eq(0x0123456789ABCDEFull, bus_read(bus, 0x1000, 8));
    cr_expect_eq(0x89ABCDEF, bus_read(bus, 0x1000, 4));
    cr_expect_eq(0xCDEF, bus_read(bus, 0x1000, 2));
    cr_expect_eq(0xEF, bus_read(bus, 0x1000, 1));
    cr_expect_eq(0x01, bus_read(bus, 0x1007, 1));
    cr_expect_eq(0xEF, bus->ram[0x1000]);
}

Test(bus, a_narrow_write_changes_only_its_bytes)
{
    bus_write(bus, 0x2000, 4, 0x11223344);
    bus_write(bus, 0x2001, 1, 0xAA);
    cr_expect_eq(0x1122AA44, bus_read(bus, 0x2000, 4));
    bus_write(bus, 0x2002, 2, 0xBBCC);
    cr_expect_eq(0xBBCCAA44, bus_read(bus, 0x2000, 4));
}

Test(bus, the_last_bytes_of_ram_are_ram)
{
    bus_write(bus, RAM - 8, 8, 0x1122334455667788ull);
    cr_expect_eq(0x1122334455667788ull, bus_read(bus, RAM - 8, 8));
    bus_write(bus, RAM - 1, 1, 0x5A);
    cr_expect_eq(0x5A, bus_read(bus, RAM - 1, 1));
}

Test(bus, ram_pointer_covers_ram_only)
{
    cr_expect_eq(bus->ram + 0x100, bus_ram_ptr(bus, 0x100, 16));
    cr_expect_not_null(bus_ram_ptr(bus, RAM - 16, 16));
    cr_expect_null(bus_ram_ptr(bus, RAM - 8, 16), "straddles the end of RAM");
    cr_expect_null(bus_ram_ptr(bus, RAM, 1));
    cr_expect_null(bus_ram_ptr(bus, ~0ull, 2), "no wrap-around");
}

/* ---- open bus ---------------------------------------------------------------------- */

Test(bus, unclaimed_addresses_read_all_ones_at_every_size)
{
    static const uint64_t addrs[] = { RAM, RAM + 0x1000, 0xFEE00000, 0xFFFFFFF0 };
    for (size_t a = 0; a < 4; a++)
        for (size_t i = 0; i < 4; i++)
            cr_expect_eq(all_ones(sizes[i]), bus_read(bus, addrs[a], sizes[i]),
                         "%#llx size %u", (unsigned long long)addrs[a], sizes[i]);
}

Test(bus, writes_to_unclaimed_addresses_are_dropped)
{
    bus_write(bus, RAM + 0x10, 4, 0x12345678);
    cr_expect_eq(0xFFFFFFFF, bus_read(bus, RAM + 0x10, 4));
    cr_expect_eq(0, bus_read(bus, 0x10, 4), "nothing landed in RAM");
}

Test(bus, unclaimed_ports_read_all_ones_at_every_size)
{
    static const uint16_t ports[] = { 0x0000, 0x0080, 0x03F8, 0xFFFF };
    for (size_t p = 0; p < 4; p++)
        for (size_t i = 0; i < 3; i++)      /* IN reads 1, 2 or 4 bytes */
            cr_expect_eq(all_ones(sizes[i]), bus_port_in(bus, ports[p], sizes[i]),
                         "port %#x size %u", ports[p], sizes[i]);
}

Test(bus, out_to_an_unclaimed_port_is_dropped)
{
    bus_port_out(bus, 0x80, 1, 0x55);           /* must not crash or land anywhere */
    cr_expect_eq(0xFF, bus_port_in(bus, 0x80, 1));
}

/* ---- MMIO ---------------------------------------------------------------------------- */

Test(bus, mmio_read_reaches_the_device_with_the_offset_and_size)
{
    struct fake dev = { .answer = 0xDEADBEEF };
    cr_assert_eq(0, bus_map_mmio(bus, 0xFEC00000, 0x1000, fake_read, fake_write, &dev));
    cr_expect_eq(0xDEADBEEF, bus_read(bus, 0xFEC00010, 4));
    cr_expect_eq(1, dev.reads);
    cr_expect_eq(0x10, dev.offset);
    cr_expect_eq(4, dev.size);
}

Test(bus, mmio_write_reaches_the_device_with_the_offset_size_and_value)
{
    struct fake dev = { 0 };
    cr_assert_eq(0, bus_map_mmio(bus, 0xFEC00000, 0x1000, fake_read, fake_write, &dev));
    bus_write(bus, 0xFEC00FFE, 2, 0xBEEF);
    cr_expect_eq(1, dev.writes);
    cr_expect_eq(0xFFE, dev.offset);
    cr_expect_eq(2, dev.size);
    cr_expect_eq(0xBEEF, dev.value);
}

/* A window moved over RAM (a relocated local APIC) decodes first; the RAM
 * under it is out of reach, the RAM around it is not. */
Test(bus, an_mmio_window_over_ram_wins_and_the_ram_beside_it_stays)
{
    struct fake dev = { .answer = 0x1234 };
    bus_write(bus, 0x10000, 4, 0x11111111);
    bus_write(bus, 0x11000, 4, 0x22222222);
    cr_assert_eq(0, bus_map_mmio(bus, 0x10000, 0x1000, fake_read, fake_write, &dev));
    cr_expect_eq(0x1234, bus_read(bus, 0x10000, 4));
    bus_write(bus, 0x10FFC, 4, 0x55);
    cr_expect_eq(1, dev.writes);
    cr_expect_eq(0xFFC, dev.offset);
    cr_expect_null(bus_ram_ptr(bus, 0x10FF0, 0x20), "no host pointer across the window");
    cr_expect_eq(0x22222222, bus_read(bus, 0x11000, 4));
    cr_expect_not_null(bus_ram_ptr(bus, 0x11000, 0x1000));
    cr_assert_eq(0, bus_move_mmio(bus, &dev, 0x10000, 0xFEE00000));
    cr_expect_eq(0x11111111, bus_read(bus, 0x10000, 4), "RAM again once the window moves away");
}

Test(bus, addresses_just_outside_an_mmio_region_are_open_bus)
{
    struct fake dev = { .answer = 0 };
    cr_assert_eq(0, bus_map_mmio(bus, 0xFEC00000, 0x1000, fake_read, fake_write, &dev));
    cr_expect_eq(0xFFFFFFFF, bus_read(bus, 0xFEBFFFFC, 4));
    cr_expect_eq(0xFFFFFFFF, bus_read(bus, 0xFEC01000, 4));
    bus_write(bus, 0xFEC01000, 4, 1);
    cr_expect_eq(0, dev.reads);
    cr_expect_eq(0, dev.writes);
}

Test(bus, each_mmio_region_dispatches_to_its_own_device)
{
    struct fake a = { .answer = 0xAA }, b = { .answer = 0xBB };
    cr_assert_eq(0, bus_map_mmio(bus, 0xE0000000, 0x100, fake_read, fake_write, &a));
    cr_assert_eq(0, bus_map_mmio(bus, 0xE0000100, 0x100, fake_read, fake_write, &b));
    cr_expect_eq(0xAA, bus_read(bus, 0xE00000FF, 1));
    cr_expect_eq(0xBB, bus_read(bus, 0xE0000100, 1));
    cr_expect_eq(0, b.offset);
    cr_expect_eq(1, a.reads);
    cr_expect_eq(1, b.reads);
}

Test(bus, mmio_region_without_a_read_callback_reads_as_open_bus)
{
    struct fake dev = { 0 };
    cr_assert_eq(0, bus_map_mmio(bus, 0xE0000000, 0x100, NULL, fake_write, &dev));
    cr_expect_eq(0xFFFF, bus_read(bus, 0xE0000000, 2));
    bus_write(bus, 0xE0000004, 1, 7);
    cr_expect_eq(1, dev.writes);
}

Test(bus, mmio_table_refuses_more_than_its_capacity)
{
    struct fake dev = { 0 };
    for (unsigned i = 0; i < BUS_MAX_MMIO; i++)
        cr_assert_eq(0, bus_map_mmio(bus, 0xE0000000 + i * 0x1000ull, 0x1000, fake_read,
                                     fake_write, &dev), "region %u", i);
    cr_expect_eq(-1, bus_map_mmio(bus, 0xF0000000, 0x1000, fake_read, fake_write, &dev));
}

/* ---- ports ------------------------------------------------------------------------------ */

Test(bus, port_in_reaches_the_device_with_the_port_number_and_size)
{
    struct fake dev = { .answer = 0x1234 };
    cr_assert_eq(0, bus_map_ports(bus, 0x60, 0x64, fake_in, fake_out, &dev));
    cr_expect_eq(0x1234, bus_port_in(bus, 0x64, 2));
    cr_expect_eq(1, dev.reads);
    cr_expect_eq(0x64, dev.offset);
    cr_expect_eq(2, dev.size);
}

Test(bus, port_out_reaches_the_device_with_the_port_size_and_value)
{
    struct fake dev = { 0 };
    cr_assert_eq(0, bus_map_ports(bus, 0x60, 0x64, fake_in, fake_out, &dev));
    bus_port_out(bus, 0x60, 1, 0xF4);
    cr_expect_eq(1, dev.writes);
    cr_expect_eq(0x60, dev.offset);
    cr_expect_eq(1, dev.size);
    cr_expect_eq(0xF4, dev.value);
}

Test(bus, ports_just_outside_a_range_are_open_bus)
{
    struct fake dev = { .answer = 0 };
    cr_assert_eq(0, bus_map_ports(bus, 0x60, 0x64, fake_in, fake_out, &dev));
    cr_expect_eq(0xFF, bus_port_in(bus, 0x5F, 1));
    cr_expect_eq(0xFF, bus_port_in(bus, 0x65, 1));
    bus_port_out(bus, 0x65, 1, 0);
    cr_expect_eq(0, dev.reads);
    cr_expect_eq(0, dev.writes);
}

Test(bus, each_port_range_dispatches_to_its_own_device)
{
    struct fake pic = { .answer = 0x21 }, pit = { .answer = 0x40 };
    cr_assert_eq(0, bus_map_ports(bus, 0x20, 0x21, fake_in, fake_out, &pic));
    cr_assert_eq(0, bus_map_ports(bus, 0x40, 0x43, fake_in, fake_out, &pit));
    cr_expect_eq(0x21, bus_port_in(bus, 0x21, 1));
    cr_expect_eq(0x40, bus_port_in(bus, 0x40, 1));
    bus_port_out(bus, 0x43, 1, 0x36);
    cr_expect_eq(1, pit.writes);
    cr_expect_eq(0, pic.writes);
}

/* ---- bus_load ------------------------------------------------------------------------- */

struct load_log {
    int calls;
    uint64_t phys, len;
};

static void log_ram_write(void *ctx, uint64_t phys, uint64_t len)
{
    struct load_log *log = ctx;
    log->calls++;
    log->phys = phys;
    log->len = len;
}

Test(bus, bus_load_copies_into_ram_and_tells_on_ram_write)
{
    static const uint8_t image[] = { 0xEA, 0x5B, 0xE0, 0x00, 0xF0 };
    struct load_log log = { 0 };
    bus->on_ram_write = log_ram_write;
    bus->on_ram_write_ctx = &log;
    cr_assert_eq(0, bus_load(bus, 0x7C00, image, sizeof image));
    cr_expect_eq(0, memcmp(image, bus->ram + 0x7C00, sizeof image));
    cr_expect_eq(1, log.calls);
    cr_expect_eq(0x7C00, log.phys);
    cr_expect_eq(sizeof image, log.len);
}

Test(bus, bus_load_beyond_ram_fails_without_copying_or_telling)
{
    static const uint8_t image[16] = { 1, 2, 3 };
    struct load_log log = { 0 };
    bus->on_ram_write = log_ram_write;
    bus->on_ram_write_ctx = &log;
    cr_expect_eq(-1, bus_load(bus, RAM - 8, image, sizeof image));
    cr_expect_eq(0, log.calls);
    cr_expect_eq(0, bus_read(bus, RAM - 8, 8));
}

Test(bus, bus_load_without_a_listener_still_copies)
{
    static const uint8_t image[] = { 0x90, 0xF4 };
    cr_assert_eq(0, bus_load(bus, 0x100, image, sizeof image));
    cr_expect_eq(0xF490, bus_read(bus, 0x100, 2));
}

/* ---- reserved, not committed ------------------------------------------------------------ */

/* Resident pages of the mapping, by mincore(2). */
static uint64_t resident_pages(const struct bus *b)
{
    long page = sysconf(_SC_PAGESIZE);
    uint64_t npages = (b->ram_size + (uint64_t)page - 1) / (uint64_t)page;
    unsigned char *vec = malloc(npages);
    cr_assert_not_null(vec);
    cr_assert_eq(0, mincore(b->ram, b->ram_size, vec));
    uint64_t n = 0;
    for (uint64_t i = 0; i < npages; i++) n += vec[i] & 1;
    free(vec);
    return n;
}

Test(bus, a_64_GiB_bus_reserves_address_space_and_commits_only_touched_pages)
{
    const uint64_t size = 64ull << 30;
    struct bus *big = bus_new(size);
    if (!big)
        cr_skip_test("the host refuses to reserve 64 GiB of address space "
                     "(overcommit policy or a ulimit -v): nothing to check");
    cr_expect_eq(size, big->ram_size);
    cr_expect_eq(0, resident_pages(big), "nothing committed by bus_new");
    bus_write(big, size - 8, 8, 0x1122334455667788ull);
    cr_expect_eq(0x1122334455667788ull, bus_read(big, size - 8, 8));
    cr_expect_eq(0, bus_read(big, size / 2, 8), "untouched RAM reads zero");
    /* One written page and one read of the zero page; with transparent huge
     * pages set to "always" each may be a 2 MiB page: still nothing like 64 GiB. */
    cr_expect_leq(resident_pages(big), 2 * 512, "only the touched pages are committed");
    bus_free(big);
}
