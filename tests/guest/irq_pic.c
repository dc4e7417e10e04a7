/* irq_pic.c - the 8259A pair delivering interrupts in protected mode (Intel
 * 8259A datasheet; SDM Vol. 3 ch. 6): masked requests wait in IRR, unmasking
 * delivers them, ISR while in service, non-specific and specific EOI, a lower
 * priority request waiting for the EOI of a higher one, the interrupt gate's
 * IF, and EXT in the error code of a fault while delivering an IRQ.
 */
#include "lib/sys.h"

enum { EOI_NONE, EOI_NONSPECIFIC, EOI_SPECIFIC };

static volatile unsigned count[16];
static volatile uint8_t isr_seen[16], iir_seen;
static volatile uint32_t if_in_handler, pushed_eflags;
static int eoi_mode = EOI_NONSPECIFIC;

static void irq_handler(struct frame *f)
{
    unsigned irq = f->vector - PIC_VEC;
    count[irq]++;
    isr_seen[irq] = pic_isr(irq < 8 ? 0x20 : 0xA0);
    if_in_handler = read_eflags() & EFLAGS_IF;
    pushed_eflags = f->eflags;
    if (irq == 4) {
        iir_seen = inb(0x3FA);              /* reading IIR clears THRE */
        outb(0x3F9, 0);                     /* no more UART interrupts */
    }
    if (eoi_mode == EOI_NONSPECIFIC) {
        if (irq >= 8) outb(0xA0, 0x20);
        outb(0x20, 0x20);
    } else if (eoi_mode == EOI_SPECIFIC) {
        outb(0x20, (uint8_t)(0x60 | irq));
    }
}

/* One edge on IRQ 0: the 8254's channel 0 in mode 0 with a short count. */
static void pit_one_shot(void)
{
    outb(0x43, 0x30);
    outb(0x40, 200); outb(0x40, 0);          /* about 168 us */
}

static void wait_irr(uint8_t bit)
{
    for (unsigned i = 0; i < 1000000 && !(pic_irr(0x20) & bit); i++) {
    }
}

static void wait_count(unsigned irq, unsigned n)
{
    for (unsigned i = 0; i < 1000000 && count[irq] < n; i++) __asm__ volatile("pause");
}

static void masking_and_eoi(void)
{
    cli();
    pit_one_shot();
    wait_irr(0x01);
    check_eq("pic_masked_irq0_waits_in_irr", 1, pic_irr(0x20) & 1);
    sti();
    spin(2000);
    check_eq("pic_masked_irq0_not_delivered", 0, count[0]);
    outb(0x21, 0xFE);                        /* unmask IRQ 0 */
    wait_count(0, 1);
    check_eq("pic_unmask_delivers_irq0", 1, count[0]);
    check_eq("pic_isr_bit0_while_in_handler", 1, isr_seen[0] & 1);
    check_eq("pic_irr_bit0_clear_after_ack", 0, pic_irr(0x20) & 1);
    check_eq("pic_isr_clear_after_nonspecific_eoi", 0, pic_isr(0x20));
    check_eq("pic_interrupt_gate_clears_if", 0, if_in_handler);
    check_eq("pic_pushed_eflags_has_if", EFLAGS_IF, pushed_eflags & EFLAGS_IF);

    eoi_mode = EOI_SPECIFIC;
    pit_one_shot();
    wait_count(0, 2);
    check_eq("pic_second_edge_delivered", 2, count[0]);
    check_eq("pic_isr_clear_after_specific_eoi", 0, pic_isr(0x20));

    eoi_mode = EOI_NONE;
    pit_one_shot();
    wait_count(0, 3);
    check_eq("pic_third_edge_delivered", 3, count[0]);
    check_eq("pic_isr_stays_without_eoi", 1, pic_isr(0x20) & 1);
}

/* IRQ 0 is in service (no EOI yet): IRQ 4, lower in priority, waits. */
static void priority(void)
{
    outb(0x3FB, 0x03);                       /* 8N1 */
    outb(0x3FC, 0x08);                       /* OUT2: the IRQ line reaches the 8259 */
    outb(0x21, 0xEE);                        /* IRQ 0 and IRQ 4 unmasked */
    eoi_mode = EOI_NONSPECIFIC;
    outb(0x3F9, 0x02);                       /* THRE interrupt: THR is empty now */
    for (unsigned i = 0; i < 1000000 && !(pic_irr(0x20) & 0x10); i++) {
    }
    check_eq("pic_lower_priority_irq4_in_irr", 0x10, pic_irr(0x20) & 0x10);
    spin(2000);
    check_eq("pic_lower_priority_waits_for_eoi", 0, count[4]);
    outb(0x20, 0x20);                        /* EOI for IRQ 0 */
    wait_count(4, 1);
    check_eq("pic_lower_priority_after_eoi", 1, count[4]);
    check_eq("pic_irq4_isr_bit_in_handler", 0x10, isr_seen[4] & 0x10);
    check_eq("pic_uart_iir_thre", 0x02, iir_seen & 0x0F);
    check_eq("pic_isr_empty_at_end", 0, pic_isr(0x20));
    outb(0x3FC, 0);
}

static struct fault fl;
static void wait_for_irq(void)
{
    sti();
    for (unsigned i = 0; i < 1000000; i++) __asm__ volatile("pause");
}

/* An IRQ through a not-present gate: #NP with IDT and EXT set. */
static void ext_bit(void)
{
    cli();
    outb(0x21, 0xFE);
    idt[PIC_VEC].hi &= ~0x8000u;
    pit_one_shot();
    wait_irr(0x01);
    run_catch(wait_for_irq, &fl);
    cli();
    idt_default(PIC_VEC, 0);
    check_eq("np_irq_gate_not_present_vector", 11, (uint32_t)fl.vector);
    check_eq("np_irq_gate_not_present_error_idt_ext", PIC_VEC * 8 + 3, fl.error);
    outb(0x20, 0x20);
}

void guest_main(uint32_t magic, const uint8_t *mbi)
{
    (void)magic, (void)mbi;
    sys_init();
    for (unsigned v = PIC_VEC; v < PIC_VEC + 16; v++) set_handler(v, irq_handler);
    pic_remap(0xFF, 0xFF);
    masking_and_eoi();
    priority();
    set_handler(PIC_VEC, 0);
    ext_bit();
    cli();
    outb(0x21, 0xFF);
}
