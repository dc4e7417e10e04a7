/* apic.c - the local APIC at 0xFEE00000 and the I/O APIC at 0xFEC00000 in
 * protected mode (SDM Vol. 3 ch. 10; 82093AA datasheet): ID and version,
 * SVR, TPR, the timer one-shot and periodic with its divide configuration,
 * a self-IPI through the ICR with IRR, ISR and EOI, TPR holding back a lower
 * class, LVT masks, and an I/O APIC redirection entry delivering the RTC's
 * IRQ 8 with the 8259s masked.
 */
#include "lib/sys.h"

#define LAPIC 0xFEE00000u
#define IOAPIC 0xFEC00000u
#define V_TIMER 0x40
#define V_IPI 0x50
#define V_IPI_LOW 0x51
#define V_IPI_CLASS4 0x41
#define V_RTC 0x68

static uint32_t lapic_rd(uint32_t reg) { return *(volatile uint32_t *)(LAPIC + reg); }
static void lapic_wr(uint32_t reg, uint32_t v) { *(volatile uint32_t *)(LAPIC + reg) = v; }
static uint32_t ioapic_rd(uint8_t reg)
{
    *(volatile uint32_t *)IOAPIC = reg;
    return *(volatile uint32_t *)(IOAPIC + 0x10);
}
static void ioapic_wr(uint8_t reg, uint32_t v)
{
    *(volatile uint32_t *)IOAPIC = reg;
    *(volatile uint32_t *)(IOAPIC + 0x10) = v;
}
/* IRR, ISR: bit v of the 256-bit register at base. */
static int apic_bit(uint32_t base, unsigned v) { return (lapic_rd(base + (v / 32) * 0x10) >> (v % 32)) & 1; }

static volatile unsigned count[256];
static volatile int isr_in_handler, irr_in_handler;
static int eoi = 1;

static void handler(struct frame *f)
{
    count[f->vector]++;
    isr_in_handler = apic_bit(0x100, f->vector);
    irr_in_handler = apic_bit(0x200, f->vector);
    if (f->vector == V_RTC) {
        outb(0x70, 0x0C);
        (void)inb(0x71);                     /* register C: acknowledge the RTC */
    }
    if (eoi) lapic_wr(0xB0, 0);
}

static void wait_count(unsigned v, unsigned n)
{
    for (unsigned i = 0; i < 20000000 && count[v] < n; i++) __asm__ volatile("pause");
}

static void identity(void)
{
    uint64_t base = rdmsr(0x1B);
    check_eq("apic_base_msr_address", LAPIC, (uint32_t)base & 0xFFFFF000u);
    check_eq("apic_base_msr_enabled_bsp", 0x900, (uint32_t)base & 0x900);
    check_eq("apic_id_bsp_zero", 0, lapic_rd(0x20) >> 24);
    check_eq("apic_version_14h", 0x14, lapic_rd(0x30) & 0xFF);
    check_eq("apic_version_max_lvt_5", 5, lapic_rd(0x30) >> 16 & 0xFF);
    lapic_wr(0xF0, 0x1FF);
    check_eq("apic_svr_enable_readback", 0x1FF, lapic_rd(0xF0) & 0x1FF);
    lapic_wr(0x80, 0x20);
    check_eq("apic_tpr_readback", 0x20, lapic_rd(0x80) & 0xFF);
    lapic_wr(0x80, 0);
    lapic_wr(0x3E0, 0x3);                    /* divide by 16 */
    check_eq("apic_divide_config_readback", 0x3, lapic_rd(0x3E0) & 0xB);
}

static void self_ipi(void)
{
    cli();
    lapic_wr(0x300, 0x00044000u | V_IPI);    /* fixed, assert, shorthand self */
    for (unsigned i = 0; i < 1000 && !apic_bit(0x200, V_IPI); i++) {
    }
    check_eq("apic_self_ipi_in_irr_while_if_clear", 1, apic_bit(0x200, V_IPI));
    check_eq("apic_self_ipi_not_in_isr_yet", 0, apic_bit(0x100, V_IPI));
    check_eq("apic_icr_delivery_idle", 0, lapic_rd(0x300) & 0x1000);
    sti();
    wait_count(V_IPI, 1);
    check_eq("apic_self_ipi_delivered_on_sti", 1, count[V_IPI]);
    check_eq("apic_isr_bit_in_handler", 1, isr_in_handler);
    check_eq("apic_irr_bit_clear_in_handler", 0, irr_in_handler);
    check_eq("apic_isr_clear_after_eoi", 0, apic_bit(0x100, V_IPI));

    eoi = 0;                                 /* in service until we EOI */
    lapic_wr(0x300, 0x00044000u | V_IPI);
    wait_count(V_IPI, 2);
    check_eq("apic_isr_set_without_eoi", 1, apic_bit(0x100, V_IPI));
    lapic_wr(0x300, 0x00044000u | V_IPI_CLASS4);   /* class 4 below class 5 */
    spin(1000);
    check_eq("apic_lower_class_waits_for_eoi", 0, count[V_IPI_CLASS4]);
    check_eq("apic_lower_class_in_irr", 1, apic_bit(0x200, V_IPI_CLASS4));
    eoi = 1;
    lapic_wr(0xB0, 0);
    wait_count(V_IPI_CLASS4, 1);
    check_eq("apic_lower_class_after_eoi", 1, count[V_IPI_CLASS4]);

    lapic_wr(0x80, 0x60);                    /* TPR class 6 holds back class 5 */
    lapic_wr(0x300, 0x00044000u | V_IPI_LOW);
    spin(1000);
    check_eq("apic_tpr_blocks_lower_class", 0, count[V_IPI_LOW]);
    check_eq("apic_ppr_follows_tpr", 0x60, lapic_rd(0xA0) & 0xF0);
    lapic_wr(0x80, 0x00);
    wait_count(V_IPI_LOW, 1);
    check_eq("apic_tpr_lowered_delivers", 1, count[V_IPI_LOW]);
    cli();
}

static void timer(void)
{
    check_eq("apic_lvt_timer_vector_readback", 0x10000 | V_TIMER,
             (lapic_wr(0x320, 0x10000 | V_TIMER), lapic_rd(0x320) & 0x300FF));
    lapic_wr(0x3E0, 0x3);                    /* divide by 16 */
    lapic_wr(0x380, 0x100000);               /* masked: counts, no interrupt */
    uint32_t a = lapic_rd(0x390);
    spin(100);
    uint32_t b = lapic_rd(0x390);
    check(a <= 0x100000 && b < a, "apic_timer_current_count_decreases");
    sti();
    lapic_wr(0x380, 0x800);
    for (unsigned i = 0; i < 10000000 && lapic_rd(0x390); i++) {
    }
    check_eq("apic_timer_one_shot_stops_at_zero", 0, lapic_rd(0x390));
    check_eq("apic_masked_timer_no_interrupt", 0, count[V_TIMER]);

    lapic_wr(0x320, V_TIMER);                /* one-shot, unmasked */
    lapic_wr(0x380, 0x800);
    wait_count(V_TIMER, 1);
    spin(2000);
    check_eq("apic_timer_one_shot_fires_once", 1, count[V_TIMER]);
    check_eq("apic_timer_one_shot_count_zero", 0, lapic_rd(0x390));

    lapic_wr(0x320, 0x20000 | V_TIMER);      /* periodic */
    lapic_wr(0x380, 0x1000);
    wait_count(V_TIMER, 6);
    check(count[V_TIMER] >= 6, "apic_timer_periodic_repeats");
    uint32_t cur = lapic_rd(0x390);
    check(cur > 0 && cur <= 0x1000, "apic_timer_periodic_reloads");
    lapic_wr(0x320, 0x10000 | V_TIMER);      /* mask it: no more */
    lapic_wr(0x380, 0);
    spin(100);                               /* one already in IRR may still arrive */
    unsigned c = count[V_TIMER];
    spin(3000);
    check_eq("apic_timer_masked_stops_interrupts", c, count[V_TIMER]);
    cli();
}

static void ioapic(void)
{
    check_eq("ioapic_version_max_entry_23", 23, ioapic_rd(1) >> 16 & 0xFF);
    uint32_t ver = ioapic_rd(1) & 0xFF;
    check(ver == 0x11 || ver == 0x20, "ioapic_version_11h_or_20h");
    check_eq("ioapic_id_readback", 0, ioapic_rd(0) & 0x0F000000);
    check_eq("ioapic_entry8_masked_at_start", 0x10000, ioapic_rd(0x10 + 2 * 8) & 0x10000);

    pic_remap(0xFF, 0xFF);                   /* the 8259s out of the way */
    ioapic_wr(0x10 + 2 * 8 + 1, 0);          /* destination: APIC ID 0 */
    ioapic_wr(0x10 + 2 * 8, V_RTC);          /* edge, high, fixed, physical, unmasked */
    check_eq("ioapic_entry8_readback", V_RTC, ioapic_rd(0x10 + 2 * 8) & 0x1FFFF);
    outb(0x70, 0x0A); outb(0x71, 0x26);      /* 1024 Hz periodic rate */
    outb(0x70, 0x0B); uint8_t b = inb(0x71);
    outb(0x70, 0x0B); outb(0x71, (uint8_t)(b | 0x40));   /* PIE */
    outb(0x70, 0x0C); (void)inb(0x71);
    sti();
    wait_count(V_RTC, 4);
    cli();
    outb(0x70, 0x0B); outb(0x71, b);
    outb(0x70, 0x0C); (void)inb(0x71);
    ioapic_wr(0x10 + 2 * 8, 0x10000 | V_RTC);
    check(count[V_RTC] >= 4, "ioapic_rtc_irq8_routed_to_vector");
    check_eq("ioapic_pic_saw_nothing", 0, pic_isr(0xA0));
}

void guest_main(uint32_t magic, const uint8_t *mbi)
{
    (void)magic, (void)mbi;
    sys_init();
    set_handler(V_TIMER, handler);
    set_handler(V_IPI, handler);
    set_handler(V_IPI_LOW, handler);
    set_handler(V_IPI_CLASS4, handler);
    set_handler(V_RTC, handler);
    pic_remap(0xFF, 0xFF);
    identity();
    self_ipi();
    timer();
    ioapic();
}
