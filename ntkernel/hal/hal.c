/* hal.c - the PC's hardware as the kernel sees it: the COM1 16550 console
 * (with a copy to the 0xE9 debug port), the 8259 pair moved to vectors
 * 0x30-0x3F as NT's HAL does, the 8254 channel 0 as the clock, and the
 * isa-debug-exit port that ends a run under ringsim and QEMU alike. */
#include "../inc/hal.h"
#include "../inc/arch.h"
#include "../inc/ke.h"
#include "../inc/rtl.h"

#define COM1           0x3F8
#define UART_LSR_THRE  0x20
#define UART_LSR_TEMT  0x40
#define DEBUG_PORT     0xE9
#define DEBUG_EXIT     0xF4

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1
#define PIC_EOI  0x20

#define PIT_CH0   0x40
#define PIT_MODE  0x43
#define PIT_HZ    1193182u
#define PIT_DIVISOR ((PIT_HZ + CLOCK_HZ / 2) / CLOCK_HZ)    /* 11932 */

/* 115200 baud, 8N1, FIFOs on, no interrupts (the console is polled). */
void HalInitializeConsole(void)
{
    __outbyte(COM1 + 1, 0x00);
    __outbyte(COM1 + 3, 0x80);
    __outbyte(COM1 + 0, 0x01);
    __outbyte(COM1 + 1, 0x00);
    __outbyte(COM1 + 3, 0x03);
    __outbyte(COM1 + 2, 0xC7);
    __outbyte(COM1 + 4, 0x03);
}

static void HalpPutChar(char c)
{
    while (!(__inbyte(COM1 + 5) & UART_LSR_THRE)) {
    }
    __outbyte(COM1, (UCHAR)c);
    __outbyte(DEBUG_PORT, (UCHAR)c);
}

void HalDisplayString(const char *s)
{
    for (; *s; s++) HalpPutChar(*s);
}

/* Exactly Length bytes, NULs included: what a program writes is what the
 * console gets. */
void HalDisplayBytes(const char *Bytes, ULONG Length)
{
    for (ULONG i = 0; i < Length; i++) HalpPutChar(Bytes[i]);
}

/* ICW1-ICW4 (8259A data sheet): edge-triggered, cascaded on IRQ 2, 8086
 * mode; IRQ 0-7 at PRIMARY_VECTOR_BASE, 8-15 eight above.  Only the clock
 * (IRQ 0) is unmasked. */
static void HalpInitializePics(void)
{
    __outbyte(PIC1_CMD, 0x11);
    __outbyte(PIC2_CMD, 0x11);
    __outbyte(PIC1_DATA, PRIMARY_VECTOR_BASE);
    __outbyte(PIC2_DATA, PRIMARY_VECTOR_BASE + 8);
    __outbyte(PIC1_DATA, 0x04);
    __outbyte(PIC2_DATA, 0x02);
    __outbyte(PIC1_DATA, 0x01);
    __outbyte(PIC2_DATA, 0x01);
    __outbyte(PIC1_DATA, 0xFE);
    __outbyte(PIC2_DATA, 0xFF);
}

/* Channel 0, low then high byte, mode 2 (rate generator), binary. */
static void HalpInitializeClock(void)
{
    __outbyte(PIT_MODE, 0x34);
    __outbyte(PIT_CH0, PIT_DIVISOR & 0xFF);
    __outbyte(PIT_CH0, PIT_DIVISOR >> 8);
}

void HalInitSystem(void)
{
    HalpInitializePics();
    HalpInitializeClock();
    DbgPrint("HalInitSystem: 8259 IRQ 0-15 at 0x%02X-0x%02X, 8254 clock %u Hz (divisor %u)\n",
             PRIMARY_VECTOR_BASE, PRIMARY_VECTOR_BASE + 15, CLOCK_HZ, PIT_DIVISOR);
}

void HalEndSystemInterrupt(ULONG Vector)
{
    if (Vector >= PRIMARY_VECTOR_BASE + 8) __outbyte(PIC2_CMD, PIC_EOI);
    __outbyte(PIC1_CMD, PIC_EOI);
}

/* The console's last byte leaves the shift register before the power goes. */
void HalReturnToFirmware(ULONG Status)
{
    _disable();
    while (!(__inbyte(COM1 + 5) & UART_LSR_TEMT)) {
    }
    __outbyte(DEBUG_EXIT, (UCHAR)Status);
    for (;;) __halt();
}
