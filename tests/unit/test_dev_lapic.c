/* test_dev_lapic.c - devices/lapic.c, the xAPIC local APIC (Intel SDM Vol. 3A
 * 11.4-11.9), driven as the CPU would: 32-bit loads and stores at 0xFEE00000
 * through the bus, RDMSR/WRMSR 1Bh through the base-MSR calls, INTA through
 * lapic_acknowledge, virtual time through tq_advance, INTR on a fake pin.
 */
#include <criterion/criterion.h>
#include "devices/lapic.h"
#include "mmu/bus.h"
#include "sim/timers.h"

#define BASE 0xFEE00000ull

struct intr_pin { int level, calls; };

static void intr_set(void *ctx, unsigned line, int level)
{
    struct intr_pin *pin = ctx;
    (void)line;
    pin->level = level;
    pin->calls++;
}

/* The EOI broadcast, as the I/O APIC would see it. */
struct eoi_log { int count; int last; };

static void eoi_seen(void *ctx, uint8_t vector)
{
    struct eoi_log *log = ctx;
    log->count++;
    log->last = vector;
}

static struct bus *bus;
static struct timer_queue q;
static struct lapic apic;
static struct intr_pin cpu;
static struct eoi_log eois;

static uint32_t rd(unsigned off) { return (uint32_t)bus_read(bus, BASE + off, 4); }
static void wr(unsigned off, uint32_t v) { bus_write(bus, BASE + off, 4, v); }
static void enable(void) { wr(0xF0, 0x1FF); }                 /* SVR: enable, spurious FFh */
static void fixed(unsigned v) { cr_assert(lapic_deliver_fixed(&apic, v, false)); }
static void advance(uint64_t ns) { tq_advance(&q, tq_now(&q) + ns); }
static void eoi(void) { wr(0xB0, 0); }

/* Acknowledge and retire everything deliverable; how many there were. */
static int service_all(void)
{
    int n = 0;
    while (lapic_pending(&apic) >= 0) {
        lapic_acknowledge(&apic);
        eoi();
        n++;
    }
    return n;
}

static void setup(void)
{
    static const struct irq_line intr = { intr_set, &cpu, 0 };
    cpu = (struct intr_pin){ 0 };
    eois = (struct eoi_log){ 0, -1 };
    tq_init(&q);
    bus = bus_new(1u << 16);
    cr_assert_not_null(bus);
    lapic_init(&apic, &q, 2, &intr);
    apic.eoi_broadcast = eoi_seen;
    apic.eoi_ctx = &eois;
    cr_assert_eq(0, lapic_attach(&apic, bus));
}

static void teardown(void)
{
    bus_free(bus);
    bus = NULL;
}

TestSuite(lapic, .init = setup, .fini = teardown);

/* ---- reset values and writability (11.4.7.1) -------------------------------- */

Test(lapic, registers_come_out_of_reset_with_the_sdm_values)
{
    static const struct { unsigned off; uint32_t value; } reset[] = {
        { 0x20, 0x02000000 }, { 0x30, 0x00050014 }, { 0x80, 0 }, { 0xA0, 0 },
        { 0xD0, 0 }, { 0xE0, 0xFFFFFFFF }, { 0xF0, 0xFF }, { 0x280, 0 },
        { 0x300, 0 }, { 0x310, 0 }, { 0x320, 0x10000 }, { 0x330, 0x10000 },
        { 0x340, 0x10000 }, { 0x350, 0x10000 }, { 0x360, 0x10000 }, { 0x370, 0x10000 },
        { 0x380, 0 }, { 0x390, 0 }, { 0x3E0, 0 },
    };
    for (size_t i = 0; i < sizeof reset / sizeof reset[0]; i++)
        cr_expect_eq(reset[i].value, rd(reset[i].off), "register %#x", reset[i].off);
    for (unsigned off = 0x100; off < 0x280; off += 0x10)
        cr_expect_eq(0, rd(off), "ISR/TMR/IRR %#x", off);
}

Test(lapic, writable_registers_keep_only_their_defined_bits)
{
    static const struct { unsigned off; uint32_t value; } kept[] = {
        { 0x20, 0xFF000000 }, { 0x80, 0xFF }, { 0xD0, 0xFF000000 }, { 0xE0, 0xFFFFFFFF },
        { 0xF0, 0x1FF }, { 0x310, 0xFF000000 }, { 0x3E0, 0xB },
    };
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        wr(kept[i].off, 0xFFFFFFFF);
        cr_expect_eq(kept[i].value, rd(kept[i].off), "register %#x", kept[i].off);
    }
    wr(0xE0, 0);
    cr_expect_eq(0x0FFFFFFF, rd(0xE0), "DFR bits 27:0 read as ones");
}

Test(lapic, read_only_registers_ignore_writes)
{
    static const unsigned ro[] = { 0x30, 0x90, 0xA0, 0x100, 0x180, 0x200, 0x270, 0x390 };
    for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++) {
        uint32_t before = rd(ro[i]);
        wr(ro[i], 0xFFFFFFFF);
        cr_expect_eq(before, rd(ro[i]), "register %#x", ro[i]);
    }
}

Test(lapic, lvt_entries_keep_vector_mode_mask_and_their_own_extra_bits)
{
    static const struct { unsigned off; uint32_t value; } kept[] = {
        { 0x320, 0x000300FF },      /* timer: vector, mask, periodic (no TSC deadline) */
        { 0x330, 0x000107FF },      /* thermal: vector, delivery mode, mask */
        { 0x340, 0x000107FF },      /* perfmon */
        { 0x350, 0x0001A7FF },      /* LINT0: + polarity, trigger mode */
        { 0x360, 0x0001A7FF },      /* LINT1 */
        { 0x370, 0x000100FF },      /* error */
    };
    enable();
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        wr(kept[i].off, 0xFFFFFFFF);
        cr_expect_eq(kept[i].value, rd(kept[i].off), "LVT %#x", kept[i].off);
        wr(kept[i].off, 0x31);
        cr_expect_eq(0x31, rd(kept[i].off), "LVT %#x unmasked", kept[i].off);
    }
}

Test(lapic, accesses_other_than_aligned_dwords_read_zero_and_are_dropped)
{
    cr_expect_eq(0, bus_read(bus, BASE + 0x20, 1), "byte read of the ID");
    cr_expect_eq(0, bus_read(bus, BASE + 0x24, 4), "dword not on a 16-byte boundary");
    bus_write(bus, BASE + 0x80, 1, 0x40);
    bus_write(bus, BASE + 0x84, 4, 0x40);
    bus_write(bus, BASE + 0x80, 2, 0x40);
    cr_expect_eq(0, rd(0x80), "TPR unchanged");
}

Test(lapic, reserved_register_access_logs_illegal_register_address)
{
    rd(0x40);
    wr(0x3F0, 1);
    wr(0x280, 0);
    cr_expect_eq(0x80, rd(0x280));
}

/* ---- software enable (11.4.7.2) ----------------------------------------------------- */

Test(lapic, software_disabled_apic_keeps_lvt_masks_set)
{
    wr(0x320, 0x00000031);
    cr_expect_eq(0x00010031, rd(0x320), "the vector is stored, the mask stays");
    enable();
    wr(0x320, 0x00000031);
    cr_expect_eq(0x00000031, rd(0x320));
}

Test(lapic, clearing_the_svr_enable_bit_masks_every_lvt)
{
    enable();
    for (unsigned off = 0x320; off <= 0x370; off += 0x10) wr(off, 0x40);
    wr(0xF0, 0xFF);
    for (unsigned off = 0x320; off <= 0x370; off += 0x10)
        cr_expect_eq(0x00010040, rd(off), "LVT %#x", off);
}

Test(lapic, software_disabled_apic_accepts_no_fixed_interrupt)
{
    cr_expect_not(lapic_deliver_fixed(&apic, 0x40, false));
    lapic_set_irq(&apic, 0x41, 1);
    cr_expect_eq(-1, lapic_pending(&apic));
    cr_expect_eq(0, rd(0x200 + 0x20), "IRR word 2 empty");
    enable();
    fixed(0x40);
    cr_expect_eq(0x40, lapic_pending(&apic));
}

/* ---- priorities (11.8.3) ------------------------------------------------------------ */

Test(lapic, ppr_is_tpr_while_tpr_class_is_at_least_the_in_service_class)
{
    enable();
    wr(0x80, 0x35);
    cr_expect_eq(0x35, rd(0xA0), "nothing in service");
    fixed(0x3F);
    wr(0x80, 0x20);
    cr_expect_eq(0x3F, lapic_acknowledge(&apic));
    wr(0x80, 0x3A);
    cr_expect_eq(0x3A, rd(0xA0), "same class: TPR with its subclass");
}

Test(lapic, ppr_is_the_in_service_class_when_it_is_above_tpr)
{
    enable();
    wr(0x80, 0x32);
    fixed(0x65);
    lapic_acknowledge(&apic);
    cr_expect_eq(0x60, rd(0xA0), "subclass bits zero");
    eoi();
    cr_expect_eq(0x32, rd(0xA0));
}

Test(lapic, a_vector_is_delivered_only_if_its_class_is_above_the_ppr_class)
{
    enable();
    wr(0x80, 0x50);
    fixed(0x5F);
    cr_expect_eq(-1, lapic_pending(&apic), "class 5 is not above TPR class 5");
    fixed(0x60);
    cr_expect_eq(0x60, lapic_pending(&apic));
    wr(0x80, 0x60);
    cr_expect_eq(-1, lapic_pending(&apic));
    wr(0x80, 0x00);
    cr_expect_eq(0x60, lapic_acknowledge(&apic));
    cr_expect_eq(-1, lapic_pending(&apic), "0x5F waits for 0x60's class");
}

Test(lapic, apr_is_the_highest_of_tpr_isr_and_irr_classes)
{
    enable();
    wr(0x80, 0x23);
    cr_expect_eq(0x23, rd(0x90));
    wr(0x80, 0x60);
    fixed(0x45);
    cr_expect_eq(0x60, rd(0x90), "TPR class above the IRR and ISR");
    wr(0x80, 0x10);
    cr_expect_eq(0x40, rd(0x90), "the IRR class");
    wr(0x80, 0);
    cr_expect_eq(0x45, lapic_acknowledge(&apic));
    wr(0x80, 0x47);
    cr_expect_eq(0x40, rd(0x90), "TPR class not above the ISR class: no subclass");
}

/* ---- acknowledge and EOI (11.8.4, 11.8.5) ---------------------------------------------- */

Test(lapic, the_highest_requested_vector_is_acknowledged_first)
{
    enable();
    fixed(0x31); fixed(0x92); fixed(0x55);
    cr_expect_eq(0x00020000, rd(0x200 + 0x10 * (0x31 >> 5)), "IRR bit of 0x31");
    cr_expect_eq(0x92, lapic_acknowledge(&apic));
    cr_expect_eq(0x00040000, rd(0x100 + 0x10 * (0x92 >> 5)), "ISR bit of 0x92");
    cr_expect_eq(0, rd(0x200 + 0x10 * (0x92 >> 5)), "left the IRR");
}

Test(lapic, nested_interrupts_retire_in_priority_order)
{
    enable();
    fixed(0x40);
    cr_expect_eq(0x40, lapic_acknowledge(&apic));
    fixed(0x45);
    cr_expect_eq(-1, lapic_pending(&apic), "same class as the one in service");
    fixed(0x80);
    cr_expect_eq(0x80, lapic_acknowledge(&apic), "a higher class nests");
    eoi();
    cr_expect_eq(0x00000001, rd(0x100 + 0x10 * 2), "0x80 retired, 0x40 still in service");
    cr_expect_eq(0, rd(0x100 + 0x10 * 4));
    cr_expect_eq(-1, lapic_pending(&apic));
    eoi();
    cr_expect_eq(0x45, lapic_acknowledge(&apic));
}

Test(lapic, eoi_ignores_the_value_written_and_clears_only_the_highest_isr_bit)
{
    enable();
    fixed(0x30);
    lapic_acknowledge(&apic);
    fixed(0x70);
    lapic_acknowledge(&apic);
    wr(0xB0, 0x30);                         /* names 0x30: still retires 0x70 */
    cr_expect_eq(0x00010000, rd(0x100 + 0x10 * 1), "0x30 in service");
    cr_expect_eq(0, rd(0x100 + 0x10 * 3));
}

Test(lapic, nothing_above_ppr_acknowledges_as_the_spurious_vector)
{
    wr(0xF0, 0x1EF);
    cr_expect_eq(0xEF, lapic_acknowledge(&apic), "nothing requested");
    wr(0x80, 0x80);
    fixed(0x71);
    cr_expect_eq(0xEF, lapic_acknowledge(&apic), "masked by TPR");
    for (unsigned off = 0x100; off < 0x180; off += 0x10)
        cr_expect_eq(0, rd(off), "spurious leaves ISR %#x alone", off);
    cr_expect_eq(0x00020000, rd(0x230), "0x71 still requested");
}

Test(lapic, intr_is_high_exactly_while_something_is_deliverable)
{
    enable();
    fixed(0x50);
    cr_expect_eq(1, cpu.level);
    fixed(0x60);
    cr_expect_eq(1, cpu.calls, "already high: not driven again");
    wr(0x80, 0x70);
    cr_expect_eq(0, cpu.level, "TPR masks both");
    wr(0x80, 0);
    lapic_acknowledge(&apic);
    cr_expect_eq(0, cpu.level, "0x50 waits behind 0x60's class");
    eoi();
    cr_expect_eq(1, cpu.level);
}

Test(lapic, level_triggered_vectors_set_tmr_and_broadcast_their_eoi)
{
    enable();
    cr_assert(lapic_deliver_fixed(&apic, 0x61, true));
    cr_expect_eq(0x00000002, rd(0x180 + 0x10 * 3), "TMR bit of 0x61");
    lapic_acknowledge(&apic);
    eoi();
    cr_expect_eq(1, eois.count);
    cr_expect_eq(0x61, eois.last);
    fixed(0x62);
    lapic_acknowledge(&apic);
    eoi();
    cr_expect_eq(1, eois.count, "edge-triggered: no broadcast");
}

/* ---- errors (11.5.3) --------------------------------------------------------------------- */

Test(lapic, vectors_0_to_15_are_refused_and_logged_after_an_esr_write)
{
    enable();
    cr_expect_not(lapic_deliver_fixed(&apic, 15, false));
    cr_expect_eq(-1, lapic_pending(&apic));
    cr_expect_eq(0, rd(0x280), "not visible before the write");
    wr(0x280, 0);
    cr_expect_eq(0x40, rd(0x280), "received illegal vector");
    wr(0x280, 0);
    cr_expect_eq(0, rd(0x280), "the write cleared it");
}

Test(lapic, an_error_raises_the_lvt_error_vector)
{
    enable();
    wr(0x370, 0xFE);
    lapic_deliver_fixed(&apic, 3, false);
    cr_expect_eq(0xFE, lapic_acknowledge(&apic));
}

/* ---- the ICR (11.6.1) -------------------------------------------------------------------- */

Test(lapic, icr_self_shorthand_sends_a_fixed_interrupt_to_this_apic)
{
    enable();
    wr(0x300, 0x00040000 | 0x4000 | 0x53);  /* self, assert, fixed, vector 53h */
    cr_expect_eq(0x53, lapic_acknowledge(&apic));
    cr_expect_eq(0, rd(0x300) & 0x1000, "delivery status idle at once");
    cr_expect_eq(0x00044053, rd(0x300));
}

Test(lapic, icr_all_including_self_reaches_this_apic_and_all_excluding_self_does_not)
{
    enable();
    wr(0x300, 0x000C4000 | 0x61);           /* all excluding self */
    cr_expect_eq(-1, lapic_pending(&apic));
    wr(0x300, 0x00084000 | 0x62);           /* all including self */
    cr_expect_eq(0x62, lapic_pending(&apic));
}

Test(lapic, icr_destination_field_must_name_this_apic)
{
    enable();
    wr(0x310, 0x05000000);
    wr(0x300, 0x4000 | 0x70);
    cr_expect_eq(-1, lapic_pending(&apic), "physical APIC 5 is not us");
    wr(0x310, 0x02000000);
    wr(0x300, 0x4000 | 0x71);
    cr_expect_eq(0x71, lapic_acknowledge(&apic));
    wr(0xD0, 0x04000000);                   /* logical ID bit 2, flat model */
    wr(0x310, 0x08000000);
    wr(0x300, 0x4800 | 0x80);
    cr_expect_eq(-1, lapic_pending(&apic), "logical: no bit in common");
    wr(0x310, 0x0C000000);
    wr(0x300, 0x4800 | 0x81);
    cr_expect_eq(0x81, lapic_pending(&apic));
}

Test(lapic, icr_nmi_is_pending_once)
{
    cr_expect_not(lapic_nmi_pending(&apic));
    wr(0x310, 0x02000000);
    wr(0x300, 0x4000 | 0x400);              /* NMI to APIC 2, vector ignored */
    cr_expect(lapic_nmi_pending(&apic));
    cr_expect_not(lapic_nmi_pending(&apic), "consumed");
    cr_expect_eq(-1, lapic_pending(&apic), "not a maskable interrupt");
}

Test(lapic, lint1_in_nmi_mode_raises_an_nmi_on_the_rising_edge_unless_masked)
{
    enable();
    wr(0x360, 0x10400);                     /* LINT1: NMI, masked */
    lapic_set_lint(&apic, 1, 1);
    cr_expect_not(lapic_nmi_pending(&apic));
    lapic_set_lint(&apic, 1, 0);
    wr(0x360, 0x400);
    lapic_set_lint(&apic, 1, 1);
    cr_expect(lapic_nmi_pending(&apic));
    lapic_set_lint(&apic, 1, 1);
    cr_expect_not(lapic_nmi_pending(&apic), "held high: one edge");
}

Test(lapic, icr_fixed_vector_below_16_is_a_send_illegal_vector_error)
{
    enable();
    wr(0x300, 0x00044000 | 0x0A);
    cr_expect_eq(-1, lapic_pending(&apic));
    wr(0x280, 0);
    cr_expect_eq(0x20, rd(0x280));
}

/* ---- the timer (11.5.4) ------------------------------------------------------------------- */

Test(lapic, one_shot_timer_fires_once_after_initial_count_times_divide)
{
    enable();
    wr(0x3E0, 0x0);                         /* divide by 2 */
    wr(0x320, 0x30);                        /* one-shot, vector 30h */
    wr(0x380, 500);
    advance(999);
    cr_expect_eq(-1, lapic_pending(&apic));
    advance(1);
    cr_expect_eq(0x30, lapic_pending(&apic));
    cr_expect_eq(0, rd(0x390));
    service_all();
    advance(1000000);
    cr_expect_eq(0, service_all(), "one shot only");
}

Test(lapic, periodic_timer_gives_an_exact_number_of_interrupts_over_ten_ms)
{
    enable();
    wr(0x3E0, 0x3);                         /* divide by 16 */
    wr(0x320, 0x20000 | 0x40);              /* periodic */
    wr(0x380, 1000);                        /* 16 us period */
    int n = 0;
    for (int i = 0; i < 10000; i++) {       /* 10 ms in 1 us steps */
        advance(1000);
        n += service_all();
    }
    cr_expect_eq(625, n);
    cr_expect_eq(1000, rd(0x390), "at a period boundary: reloaded");
}

Test(lapic, current_count_decreases_with_virtual_time)
{
    enable();
    wr(0x3E0, 0xB);                         /* divide by 1: 1 tick per ns */
    wr(0x380, 10000);
    cr_expect_eq(10000, rd(0x390));
    advance(2500);
    cr_expect_eq(7500, rd(0x390));
    advance(7499);
    cr_expect_eq(1, rd(0x390));
    advance(100);
    cr_expect_eq(0, rd(0x390), "one-shot stays at zero");
}

Test(lapic, divide_configuration_encodings_select_1_to_128)
{
    static const struct { uint32_t code, divisor; } div[] = {
        { 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
        { 0x8, 32 }, { 0x9, 64 }, { 0xA, 128 }, { 0xB, 1 },
    };
    for (size_t i = 0; i < sizeof div / sizeof div[0]; i++) {
        wr(0x3E0, div[i].code);
        wr(0x380, 1000000);
        advance(12800);
        cr_expect_eq(1000000 - 12800 / div[i].divisor, rd(0x390), "code %#x", div[i].code);
    }
}

Test(lapic, a_divider_change_keeps_the_count_reached)
{
    wr(0x3E0, 0xB);
    wr(0x380, 1000);
    advance(400);
    wr(0x3E0, 0x0);                         /* now 2 ns per tick */
    cr_expect_eq(600, rd(0x390));
    advance(400);
    cr_expect_eq(400, rd(0x390));
}

Test(lapic, writing_initial_count_zero_stops_the_timer)
{
    enable();
    wr(0x3E0, 0xB);
    wr(0x320, 0x20000 | 0x40);
    wr(0x380, 100);
    advance(50);
    wr(0x380, 0);
    cr_expect_eq(0, rd(0x390));
    advance(10000);
    cr_expect_eq(0, service_all());
    cr_expect_eq(UINT64_MAX, tq_next_deadline(&q), "nothing armed");
}

Test(lapic, masked_timer_counts_but_does_not_interrupt)
{
    enable();
    wr(0x3E0, 0xB);
    wr(0x320, 0x10000 | 0x20000 | 0x40);    /* masked, periodic */
    wr(0x380, 100);
    advance(250);
    cr_expect_eq(0, service_all());
    cr_expect_eq(50, rd(0x390), "still counting: 2.5 periods in");
    wr(0x320, 0x20000 | 0x40);
    advance(50);
    cr_expect_eq(1, service_all());
}

/* ---- IA32_APIC_BASE (11.4.4) ---------------------------------------------------------- */

Test(lapic, base_msr_resets_to_fee00000_enabled_bsp)
{
    cr_expect_eq(0xFEE00900ull, lapic_read_base_msr(&apic));
}

Test(lapic, base_msr_refuses_reserved_bits_and_x2apic_enable)
{
    static const uint64_t bad[] = {
        0xFEE00901ull, 0xFEE00980ull,       /* bits 7:0 */
        0xFEE00B00ull,                      /* bit 9 */
        0xFEE00D00ull,                      /* bit 10: x2APIC not advertised */
        0x1000FEE00900ull,                  /* above MAXPHYADDR 36 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_expect_eq(-1, lapic_write_base_msr(&apic, bad[i]), "%#llx", (unsigned long long)bad[i]);
        cr_expect_eq(0xFEE00900ull, lapic_read_base_msr(&apic));
    }
    cr_expect_eq(0, lapic_write_base_msr(&apic, 0xFEE00900ull));
}

Test(lapic, base_msr_keeps_a_new_base_and_the_bsp_flag_is_read_only)
{
    cr_expect_eq(0, lapic_write_base_msr(&apic, 0xFED00800ull));
    cr_expect_eq(0xFED00900ull, lapic_read_base_msr(&apic));
    cr_expect_eq(0xFFFFFFFFu, rd(0x30), "moved away: nothing answers at FEE00000");
}

Test(lapic, clearing_the_global_enable_resets_the_apic_and_hides_it)
{
    enable();
    wr(0x80, 0x20);
    fixed(0x40);
    cr_expect_eq(1, cpu.level);
    cr_expect_eq(0, lapic_write_base_msr(&apic, 0xFEE00100ull));
    cr_expect_eq(0, cpu.level);
    cr_expect_eq(-1, lapic_pending(&apic));
    cr_expect_eq(0xFFFFFFFFu, rd(0x80), "open bus");
    cr_expect_eq(0, lapic_write_base_msr(&apic, 0xFEE00900ull));
    cr_expect_eq(0, rd(0x80), "power-up state");
    cr_expect_eq(0xFF, rd(0xF0));
    cr_expect_eq(0x02000000, rd(0x20), "the ID survives");
}
