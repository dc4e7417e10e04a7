/* irq_uart.c - the 16550's interrupt-driven transmit on IRQ 4 (NS16550A
 * datasheet: IER, IIR priorities; the PC's OUT2 gating the IRQ line): one
 * THRE interrupt per character written from the handler, IIR 0x02 while THRE
 * is pending and 0x01 with nothing pending, LSR idle at the end.
 */
#include "lib/sys.h"

static const char msg[] = "interrupt-driven";
static volatile unsigned sent, irqs, other_iir;
static volatile uint8_t first_iir;

static void irq4(struct frame *f)
{
    (void)f;
    uint8_t iir = inb(0x3FA);
    if (irqs++ == 0) first_iir = iir;
    if ((iir & 0x0F) != 0x02) other_iir++;
    if (sent < sizeof msg - 1) outb(0x3F8, (uint8_t)msg[sent++]);
    else outb(0x3F9, 0);                    /* done: THRE interrupts off */
    outb(0x20, 0x20);
}

void guest_main(uint32_t magic, const uint8_t *mbi)
{
    (void)magic, (void)mbi;
    sys_init();
    set_handler(PIC_VEC + 4, irq4);
    pic_remap(0xEF, 0xFF);
    outb(0x3FB, 0x80); outb(0x3F8, 12); outb(0x3F9, 0); outb(0x3FB, 0x03);  /* 9600 8N1 */
    outb(0x3FA, 0x00);                       /* no FIFOs: IIR bits 7:6 = 0 */
    outb(0x3FC, 0x0B);                       /* DTR, RTS, OUT2 */
    check_eq("uart_iir_nothing_pending", 0x01, inb(0x3FA));
    sti();
    outb(0x3F9, 0x02);                       /* THRE interrupt: THR is already empty */
    for (unsigned i = 0; i < 50000000 && inb(0x3F9); i++) __asm__ volatile("pause");
    cli();
    check_eq("uart_first_iir_thre", 0x02, first_iir);
    check_eq("uart_all_bytes_sent_by_irq", sizeof msg - 1, sent);
    check_eq("uart_one_thre_irq_per_byte_plus_one", sizeof msg, irqs);
    check_eq("uart_only_thre_interrupts", 0, other_iir);
    check_eq("uart_ier_off_at_end", 0, inb(0x3F9));
    for (unsigned i = 0; i < 1000000 && (inb(0x3FD) & 0x60) != 0x60; i++) {
    }
    check_eq("uart_lsr_thre_temt_idle", 0x60, inb(0x3FD) & 0x60);
    check_eq("uart_iir_none_after_disable", 0x01, inb(0x3FA));
    check_eq("uart_pic_isr_empty", 0, pic_isr(0x20));
    outb(0x3FC, 0);
    outb(0x21, 0xFF);
}
