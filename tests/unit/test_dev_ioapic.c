/* test_dev_ioapic.c - devices/ioapic.c, the 82093AA I/O APIC (datasheet 290566,
 * 3.0 registers, 3.2.4 redirection table), driven through IOREGSEL/IOWIN at
 * 0xFEC00000 with pins through ioapic_set_irq, delivering to a real local
 * APIC whose INTA and EOI are worked as the CPU would.
 */
#include <signal.h>
#include <criterion/criterion.h>
#include "devices/ioapic.h"
#include "devices/lapic.h"
#include "mmu/bus.h"
#include "sim/timers.h"

#define IOAPIC 0xFEC00000ull
#define LAPIC  0xFEE00000ull

static struct bus *bus;
static struct timer_queue q;
static struct lapic apic;
static struct ioapic io;

static uint32_t io_rd(uint32_t reg)
{
    bus_write(bus, IOAPIC, 4, reg);
    return (uint32_t)bus_read(bus, IOAPIC + 0x10, 4);
}

static void io_wr(uint32_t reg, uint32_t v)
{
    bus_write(bus, IOAPIC, 4, reg);
    bus_write(bus, IOAPIC + 0x10, 4, v);
}

/* Redirection entry n, low dword: vector | flags (destination 0). */
static void route(unsigned pin, uint32_t low)
{
    io_wr(0x11 + 2 * pin, 0);
    io_wr(0x10 + 2 * pin, low);
}

static void pin(unsigned n, int level) { ioapic_set_irq(&io, n, level); }
static int ack(void) { return lapic_acknowledge(&apic); }
static void eoi(void) { bus_write(bus, LAPIC + 0xB0, 4, 0); }

#define LEVEL   0x8000u
#define MASKED  0x10000u
#define RIRR    0x4000u

static void setup(void)
{
    tq_init(&q);
    bus = bus_new(1u << 16);
    cr_assert_not_null(bus);
    lapic_init(&apic, &q, 0, NULL);
    ioapic_init(&io, &apic);
    cr_assert_eq(0, lapic_attach(&apic, bus));
    cr_assert_eq(0, ioapic_attach(&io, bus));
    bus_write(bus, LAPIC + 0xF0, 4, 0x1FF);     /* software-enable the local APIC */
}

static void teardown(void)
{
    bus_free(bus);
    bus = NULL;
}

TestSuite(ioapic, .init = setup, .fini = teardown);

/* ---- registers ------------------------------------------------------------------------ */

Test(ioapic, version_register_reads_24_entries_version_11h)
{
    cr_expect_eq(0x00170011, io_rd(0x01));
    io_wr(0x01, 0);
    cr_expect_eq(0x00170011, io_rd(0x01), "read-only");
}

Test(ioapic, id_keeps_bits_27_24_and_loads_the_arbitration_id)
{
    cr_expect_eq(0, io_rd(0x00));
    io_wr(0x00, 0xFFFFFFFF);
    cr_expect_eq(0x0F000000, io_rd(0x00));
    cr_expect_eq(0x0F000000, io_rd(0x02));
    io_wr(0x02, 0);
    cr_expect_eq(0x0F000000, io_rd(0x02), "arbitration ID is read-only");
}

Test(ioapic, ioregsel_reads_back_its_eight_bits)
{
    bus_write(bus, IOAPIC, 4, 0x1234);
    cr_expect_eq(0x34, bus_read(bus, IOAPIC, 4));
}

Test(ioapic, redirection_entries_come_out_of_reset_masked)
{
    for (unsigned n = 0; n < 24; n++) {
        cr_expect_eq(MASKED, io_rd(0x10 + 2 * n), "entry %u low", n);
        cr_expect_eq(0, io_rd(0x11 + 2 * n), "entry %u high", n);
    }
}

Test(ioapic, redirection_entries_round_trip_but_status_and_remote_irr_are_read_only)
{
    for (unsigned n = 0; n < 24; n++) {
        io_wr(0x10 + 2 * n, 0xFFFFFFFF);
        io_wr(0x11 + 2 * n, 0xFFFFFFFF);
        cr_expect_eq(0x0001AFFF, io_rd(0x10 + 2 * n), "entry %u low", n);
        cr_expect_eq(0xFF000000, io_rd(0x11 + 2 * n), "entry %u high", n);
    }
    io_wr(0x10, 0x00010A5C);                /* masked, SMI mode, vector 5Ch */
    cr_expect_eq(0x00010A5C, io_rd(0x10), "other delivery modes are stored");
}

/* ---- edge-triggered pins ------------------------------------------------------------- */

Test(ioapic, edge_pin_delivers_its_vector_on_the_rising_edge_only)
{
    route(4, 0x34);
    pin(4, 1);
    cr_expect_eq(0x34, ack());
    eoi();
    pin(4, 1);
    cr_expect_eq(-1, lapic_pending(&apic), "held high: no new edge");
    pin(4, 0);
    pin(4, 1);
    cr_expect_eq(0x34, lapic_pending(&apic));
}

Test(ioapic, edge_on_a_masked_pin_is_lost)
{
    route(3, MASKED | 0x33);
    pin(3, 1);
    pin(3, 0);
    route(3, 0x33);
    cr_expect_eq(-1, lapic_pending(&apic));
}

Test(ioapic, edge_pins_leave_tmr_clear_and_send_no_eoi_side_effects)
{
    route(1, 0x91);
    pin(1, 1);
    cr_expect_eq(0, bus_read(bus, LAPIC + 0x180 + 0x10 * 4, 4));
    cr_expect_eq(0x91, ack());
    eoi();
    cr_expect_eq(0x91, io_rd(0x12), "no remote IRR on an edge entry");
}

/* ---- level-triggered pins ------------------------------------------------------------- */

Test(ioapic, level_pin_sets_remote_irr_and_waits_for_the_eoi)
{
    route(10, LEVEL | 0x5A);
    pin(10, 1);
    cr_expect_eq(LEVEL | RIRR | 0x5A, io_rd(0x10 + 2 * 10));
    cr_expect_eq(0x5A, ack());
    pin(10, 0);
    pin(10, 1);
    cr_expect_eq(-1, lapic_pending(&apic), "remote IRR holds it back");
    eoi();
    cr_expect_eq(0x5A, lapic_pending(&apic), "still asserted: sent again");
}

Test(ioapic, level_pin_released_before_eoi_is_not_sent_again)
{
    route(11, LEVEL | 0x5B);
    pin(11, 1);
    cr_expect_eq(0x5B, ack());
    pin(11, 0);
    eoi();
    cr_expect_eq(LEVEL | 0x5B, io_rd(0x10 + 2 * 11), "remote IRR cleared");
    cr_expect_eq(-1, lapic_pending(&apic));
}

Test(ioapic, eoi_for_another_vector_leaves_remote_irr_set)
{
    route(9, LEVEL | 0x69);
    route(2, 0x72);
    pin(9, 1);
    cr_expect_eq(0x69, ack());
    pin(2, 1);
    cr_expect_eq(0x72, ack());
    eoi();                                  /* retires 0x72, edge: no broadcast */
    cr_expect_eq(RIRR, io_rd(0x10 + 2 * 9) & RIRR);
    ioapic_eoi(&io, 0x70);
    cr_expect_eq(RIRR, io_rd(0x10 + 2 * 9) & RIRR, "another vector");
    eoi();
    cr_expect_eq(RIRR, io_rd(0x10 + 2 * 9) & RIRR, "cleared and set again: still asserted");
    cr_expect_eq(0x69, lapic_pending(&apic));
}

Test(ioapic, masked_level_pin_is_delivered_when_unmasked_if_still_asserted)
{
    route(16, MASKED | LEVEL | 0xA0);
    pin(16, 1);
    cr_expect_eq(-1, lapic_pending(&apic));
    cr_expect_eq(0, io_rd(0x10 + 2 * 16) & RIRR);
    route(16, LEVEL | 0xA0);
    cr_expect_eq(0xA0, ack());
    cr_expect_eq(RIRR, io_rd(0x10 + 2 * 16) & RIRR);
}

Test(ioapic, level_vectors_are_marked_in_the_local_apic_tmr)
{
    route(5, LEVEL | 0x45);
    pin(5, 1);
    cr_expect_eq(0x20, bus_read(bus, LAPIC + 0x180 + 0x10 * 2, 4));
}

Test(ioapic, delivery_modes_other_than_fixed_and_lowest_priority_send_nothing)
{
    route(6, 0x100 | 0x46);                 /* lowest priority: as fixed */
    pin(6, 1);
    cr_expect_eq(0x46, ack());
    eoi();
    route(7, 0x400 | 0x47);                 /* NMI: stored only */
    pin(7, 1);
    cr_expect_eq(-1, lapic_pending(&apic));
    cr_expect_not(lapic_nmi_pending(&apic));
}

Test(ioapic, driving_pin_24_is_a_wiring_bug, .signal = SIGABRT)
{
    pin(24, 1);
}
