/* uart.c - COM1's 16550A as seen by a polling guest (TI PC16550D datasheet):
 * the scratch register, the divisor latch behind LCR.DLAB, LSR THRE/TEMT,
 * IIR with and without FIFOs, and a byte round trip in loopback (MCR bit 4)
 * with the modem outputs looped onto MSR.  Nothing is printed on COM1 while
 * the test owns it.
 */
#include "lib/guest.h"

#define COM1 0x3F8
enum { THR = 0, IER = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

static uint8_t rd(unsigned r) { return inb((uint16_t)(COM1 + r)); }
static void wr(unsigned r, uint8_t v) { outb((uint16_t)(COM1 + r), v); }

static void registers(void)
{
    wr(SCR, 0x5A);
    check_eq("uart_scratch_5a", 0x5A, rd(SCR));
    wr(LCR, 0x83);
    wr(THR, 0x03); wr(IER, 0x00);                   /* 38400 baud */
    uint8_t dll = rd(THR), dlm = rd(IER);
    wr(LCR, 0x03);
    check_eq("uart_divisor_latch_low", 0x03, dll);
    check_eq("uart_divisor_latch_high", 0x00, dlm);
    check_eq("uart_lcr_readback", 0x03, rd(LCR));
    wr(IER, 0);
    wr(FCR, 0);
    check_eq("uart_iir_no_interrupt_no_fifo", 0x01, rd(IIR));
    wr(FCR, 0x07);
    check_eq("uart_iir_fifo_enabled_bits", 0xC0, rd(IIR) & 0xC0);
    wr(FCR, 0);
}

static void loopback(uint8_t *got, uint8_t *lsr_after, uint8_t *msr)
{
    unsigned i = 0;
    while ((rd(LSR) & 0x60) != 0x60 && ++i < 1000000) {
    }
    (void)rd(THR);
    wr(MCR, 0x1F);                                  /* loop, OUT2, OUT1, RTS, DTR */
    *msr = rd(MSR) & 0xF0;
    wr(THR, 'R');
    i = 0;
    while (!(rd(LSR) & 0x01) && ++i < 1000000) {
    }
    *got = rd(THR);
    *lsr_after = rd(LSR);
    wr(MCR, 0x03);
}

void guest_main(uint32_t magic, const uint8_t *mbi)
{
    (void)magic, (void)mbi;
    uint8_t got, lsr, msr;
    com1_quiet = 1;
    registers();
    check_eq("uart_lsr_thre_temt_idle", 0x60, rd(LSR) & 0x61);
    loopback(&got, &lsr, &msr);
    check_eq("uart_loopback_byte_round_trip", 'R', got);
    check_eq("uart_loopback_lsr_dr_clear_after_read", 0, lsr & 0x01);
    check_eq("uart_loopback_msr_mirrors_mcr", 0xF0, msr);
}
