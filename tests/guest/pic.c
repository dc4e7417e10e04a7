/* pic.c - the 8259A pair as seen by a polling guest (Intel 8259A datasheet):
 * ICW1-ICW4, IMR read-back, OCW3 reads of IRR and ISR, and an edge on a
 * masked line (the 8254's OUT0) landing in IRR without reaching the CPU.
 */
#include "lib/guest.h"

static void pic_init_pair(void)
{
    outb(0x20, 0x11); outb(0x21, 0x20); outb(0x21, 0x04); outb(0x21, 0x01);
    outb(0xA0, 0x11); outb(0xA1, 0x28); outb(0xA1, 0x02); outb(0xA1, 0x01);
    outb(0x21, 0xFF);
    outb(0xA1, 0xFF);
}

static uint8_t read_irr(uint16_t cmd) { outb(cmd, 0x0A); return inb(cmd); }
static uint8_t read_isr(uint16_t cmd) { outb(cmd, 0x0B); return inb(cmd); }

void guest_main(uint32_t magic, const uint8_t *mbi)
{
    (void)magic, (void)mbi;
    pic_init_pair();
    check_eq("pic_master_imr_readback", 0xFF, inb(0x21));
    check_eq("pic_slave_imr_readback", 0xFF, inb(0xA1));
    outb(0x21, 0xA5);
    check_eq("pic_master_imr_pattern", 0xA5, inb(0x21));
    outb(0x21, 0xFF);
    check_eq("pic_master_isr_empty", 0, read_isr(0x20));
    check_eq("pic_slave_isr_empty", 0, read_isr(0xA0));
    outb(0x43, 0x34);                    /* channel 0, lo/hi, mode 2 */
    outb(0x40, 100); outb(0x40, 0);      /* 100 ticks: about 84 us */
    unsigned i = 0;
    while (!(read_irr(0x20) & 1) && ++i < 1000000) {
    }
    check((read_irr(0x20) & 1) != 0, "pic_masked_irq0_edge_sets_irr");
    check_eq("pic_masked_irq_not_in_isr", 0, read_isr(0x20));
    outb(0x43, 0x30); outb(0x40, 0); outb(0x40, 0);   /* stop the periodic edges */
}
