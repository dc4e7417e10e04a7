/* test_machine_apic.c - the interrupt wiring of the board (sim/machine.c):
 * the local APIC timer in virtual time, a self-IPI, ExtINT from the 8259
 * through LINT0, the 8259 straight to INTR with IA32_APIC_BASE.EN clear, an
 * ISA IRQ through the I/O APIC, an NMI through the ICR, and relocating the
 * APIC window.  The CPU runs real-mode "sti; jmp $" with every IVT entry
 * pointing at a bare IRET; an observer records each delivery and its time. */
#include <criterion/criterion.h>
#include "sim/machine.h"
#include "mmu/bus.h"
#include "cpu/msr.h"

#define APIC 0xFEE00000ull
#define IOAPIC 0xFEC00000ull

static struct machine *m;
static int seen[8], nseen;
static uint64_t seen_at[8];

static void observe(void *ctx, int vector, uint32_t error, int source)
{
    (void)ctx; (void)error; (void)source;
    if (nseen < 8) {
        seen_at[nseen] = machine_now(m);
        seen[nseen++] = vector;
    }
}

static void setup(void)
{
    static const uint8_t code[] = { 0xFB, 0xEB, 0xFE };        /* sti; jmp $ */
    struct machine_options opt;
    machine_default_options(&opt);
    opt.ram_bytes = 4u << 20;
    opt.serial = "null";
    opt.max_insns = 300000;
    m = machine_new(&opt);
    cr_assert_not_null(m);
    cpu_set_real(&m->cpu);
    m->cpu.msr.apic_base = 0xFEE00900;      /* cpu_set_real resets the CPU, not the board */
    uint8_t ivt[1024];
    for (int v = 0; v < 256; v++) {
        ivt[4 * v] = 0x00; ivt[4 * v + 1] = 0x06;               /* 0000:0600 */
        ivt[4 * v + 2] = ivt[4 * v + 3] = 0;
    }
    static const uint8_t iret = 0xCF;
    machine_load(m, 0, ivt, sizeof ivt);
    machine_load(m, 0x600, &iret, 1);
    machine_load(m, 0x1000, code, sizeof code);
    m->cpu.rip = 0x1000;
    m->cpu.gpr[RSP] = 0x8000;
    m->cpu.observer = m;
    m->cpu.on_exception = observe;
    nseen = 0;
}
static void teardown(void) { machine_free(m); }
TestSuite(machine_apic, .init = setup, .fini = teardown, .timeout = 20);

static void apic_write(unsigned reg, uint32_t v) { bus_write(m->bus, APIC + reg, 4, v); }
static uint32_t apic_read(unsigned reg) { return (uint32_t)bus_read(m->bus, APIC + reg, 4); }

static void pic_init_master(uint8_t mask)
{
    static const uint8_t icw[] = { 0x11, 0x08, 0x04, 0x01 };
    bus_port_out(m->bus, 0x20, 1, icw[0]);
    for (int i = 1; i < 4; i++) bus_port_out(m->bus, 0x21, 1, icw[i]);
    bus_port_out(m->bus, 0x21, 1, mask);
}

/* PIT channel 0, mode 2, count n (838 ns per tick). */
static void pit_start(unsigned n)
{
    bus_port_out(m->bus, 0x43, 1, 0x34);
    bus_port_out(m->bus, 0x40, 1, n & 0xFF);
    bus_port_out(m->bus, 0x40, 1, n >> 8);
}

static bool saw(int vector)
{
    for (int i = 0; i < nseen; i++)
        if (seen[i] == vector) return true;
    return false;
}

Test(machine_apic, lapic_timer_fires_at_the_programmed_virtual_time)
{
    apic_write(0xF0, 0x1FF);                /* SVR: enabled */
    apic_write(0x3E0, 0xB);                 /* divide by 1: one tick per ns */
    apic_write(0x320, 0x40);                /* LVT timer: vector 40h, one-shot, unmasked */
    uint64_t t0 = machine_now(m);
    apic_write(0x380, 5000);
    machine_run(m);
    cr_assert_eq(1, nseen, "%d deliveries", nseen);
    cr_expect_eq(0x40, seen[0]);
    cr_expect_geq(seen_at[0], t0 + 5000);
    cr_expect_lt(seen_at[0], t0 + 5000 + 100, "at %llu, due %llu",
                 (unsigned long long)seen_at[0], (unsigned long long)(t0 + 5000));
    cr_expect_eq(1, apic_read(0x100 + 0x20) & 1, "vector 40h in service (ISR bit 64: word 2, bit 0)");
}

Test(machine_apic, a_self_ipi_arrives_as_a_fixed_interrupt)
{
    apic_write(0xF0, 0x1FF);
    apic_write(0x300, 0x40000 | 0x51);      /* shorthand self, fixed, vector 51h */
    machine_run(m);
    cr_assert_eq(1, nseen);
    cr_expect_eq(0x51, seen[0]);
}

Test(machine_apic, the_8259_is_cut_off_while_lint0_is_masked_after_reset)
{
    pic_init_master(0xFE);
    pit_start(100);
    machine_run(m);
    cr_expect_not(saw(0x08), "LVT0 is masked at power-up (SDM Vol. 3 10.4.7.1)");
}

Test(machine_apic, extint_on_lint0_brings_the_8259_vector)
{
    machine_firmware_apic(m);
    cr_expect_eq(0x8700, apic_read(0x350));
    pic_init_master(0xFE);
    pit_start(100);
    machine_run(m);
    cr_expect(saw(0x08), "IRQ 0 through LINT0 (ExtINT), vector from the 8259's INTA");
}

Test(machine_apic, with_the_apic_globally_disabled_the_8259_reaches_intr)
{
    cr_assert_eq(0, msr_write(&m->cpu, MSR_APIC_BASE, 0xFEE00100ull));   /* EN = 0 */
    cr_expect_eq(0xFFFFFFFFu, apic_read(0x30), "the window reads open bus");
    pic_init_master(0xFE);
    pit_start(100);
    machine_run(m);
    cr_expect(saw(0x08), "SDM Vol. 3 10.4.3: no on-chip APIC in the way");
}

Test(machine_apic, isa_irq0_reaches_the_io_apic_on_pin_2)
{
    apic_write(0xF0, 0x1FF);
    pic_init_master(0xFF);                  /* 8259 fully masked */
    bus_write(m->bus, IOAPIC, 4, 0x10 + 2 * 2);
    bus_write(m->bus, IOAPIC + 0x10, 4, 0x30);   /* pin 2: vector 30h, edge, unmasked */
    pit_start(100);
    machine_run(m);
    cr_expect(saw(0x30));
    cr_expect_not(saw(0x08));
}

Test(machine_apic, an_nmi_through_the_icr_is_taken_with_if_clear)
{
    static const uint8_t cli_hlt[] = { 0xFA, 0xF4, 0xEB, 0xFE };   /* cli; hlt; jmp $ */
    machine_load(m, 0x1000, cli_hlt, sizeof cli_hlt);
    apic_write(0xF0, 0x1FF);
    apic_write(0x300, 0x40000 | 0x400);     /* self, delivery mode NMI */
    cr_expect(m->cpu.nmi_pending);
    machine_run(m);
    cr_assert_eq(1, nseen);
    cr_expect_eq(2, seen[0]);
    cr_expect_not(m->cpu.nmi_blocked, "the handler's IRET unblocked NMIs");
}

Test(machine_apic, a_second_icr_nmi_waits_for_the_first_handlers_iret)
{
    apic_write(0xF0, 0x1FF);
    m->cpu.nmi_blocked = true;              /* as inside an NMI handler */
    apic_write(0x300, 0x40000 | 0x400);
    static const uint8_t code[] = { 0x90, 0x90, 0xEB, 0xFE };  /* nop; nop; jmp $ */
    machine_load(m, 0x1000, code, sizeof code);
    cpu_run(&m->cpu, 2);
    cr_expect_eq(0, nseen, "blocked");
    m->cpu.nmi_blocked = false;             /* what IRET does */
    machine_run(m);
    cr_expect(saw(2));
}

Test(machine_apic, a_relocated_apic_answers_at_its_new_base)
{
    cr_assert_eq(0, msr_write(&m->cpu, MSR_APIC_BASE, 0xFED00900ull));
    cr_expect_eq(0x00050014u, (uint32_t)bus_read(m->bus, 0xFED00030, 4));
    cr_expect_eq(0xFFFFFFFFu, apic_read(0x30), "nothing left at FEE00000");
}

Test(machine_apic, an_apic_relocated_into_ram_hides_the_ram_under_it)
{
    bus_write(m->bus, 0x200030, 4, 0xCAFEF00D);
    cr_assert_eq(0, msr_write(&m->cpu, MSR_APIC_BASE, 0x00200900ull));
    cr_expect_eq(0x00050014u, (uint32_t)bus_read(m->bus, 0x200030, 4), "the version register");
    cr_assert_eq(0, msr_write(&m->cpu, MSR_APIC_BASE, 0xFEE00900ull));
    cr_expect_eq(0xCAFEF00Du, (uint32_t)bus_read(m->bus, 0x200030, 4), "the RAM again");
}
