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

/* The console: 115200 baud, 8N1, FIFOs on.  Output goes into a ring that
 * the UART's transmit interrupt (IRQ 4, THRE: the 16-byte FIFO is empty)
 * drains, so a thread's write costs a copy, not the line's time; until
 * interrupts run (boot) and when the ring is full, the writer feeds the
 * FIFO itself.  Port 0xE9 gets each byte at once. */
#define UART_FIFO_SIZE 16
#define UART_IER_THRE  0x02
#define UART_MCR_OUT2  0x08            /* gates the UART's IRQ line on a PC */
#define UART_IIR_NONE  0x01
#define HAL_RING_SIZE  8192
static UCHAR HalpRing[HAL_RING_SIZE];
static volatile ULONG HalpHead, HalpTail;   /* bytes in the ring: [HalpTail, HalpHead) */
static BOOLEAN HalpInterruptDriven;

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

/* Up to a FIFO's worth from the ring into the UART, if its FIFO is empty.
 * Interrupts are off in the caller. */
static void HalpFeedFifo(void)
{
    if (HalpTail == HalpHead || !(__inbyte(COM1 + 5) & UART_LSR_THRE)) return;
    for (int n = 0; n < UART_FIFO_SIZE && HalpTail != HalpHead; n++) {
        __outbyte(COM1, HalpRing[HalpTail % HAL_RING_SIZE]);
        HalpTail++;
    }
}

/* IRQ 4: the transmit FIFO ran empty. */
void HalpUartInterrupt(void)
{
    while (!(__inbyte(COM1 + 2) & UART_IIR_NONE)) HalpFeedFifo();   /* reading IIR acknowledges THRE */
    HalpFeedFifo();
    HalEndSystemInterrupt(PRIMARY_VECTOR_BASE + 4);
}

static ULONG HalpSaveAndDisable(void)
{
    ULONG Flags;
    __asm__ volatile("pushf; pop %0; cli" : "=r"(Flags) :: "memory");
    return Flags;
}

static void HalpRestore(ULONG Flags)
{
    if (Flags & 0x200) _enable();
}

/* Feed the UART by hand, waiting for each empty FIFO, until no more than
 * Keep bytes are left in the ring.  Interrupts are off in the caller. */
static void HalpDrainTo(ULONG Keep)
{
    while (HalpHead - HalpTail > Keep) {
        while (!(__inbyte(COM1 + 5) & UART_LSR_THRE)) {
        }
        HalpFeedFifo();
    }
}

static void HalpPutChar(char c)
{
    ULONG Flags = HalpSaveAndDisable();
    HalpDrainTo(HAL_RING_SIZE - 1);                     /* full: make room by hand */
    HalpRing[HalpHead % HAL_RING_SIZE] = (UCHAR)c;
    HalpHead++;
    __outbyte(DEBUG_PORT, (UCHAR)c);
    /* Nobody takes the interrupt (boot, or interrupts off): keep the FIFO
     * going by hand. */
    if (!HalpInterruptDriven || !(Flags & 0x200)) HalpDrainTo(UART_FIFO_SIZE - 1);
    HalpFeedFifo();
    HalpRestore(Flags);
}

void HalDisplayString(const char *s)
{
    ULONG Length = 0;
    while (s[Length]) Length++;
    HalDisplayBytes(s, Length);
}

/* Exactly Length bytes, NULs included: what a program writes is what the
 * console gets. */
void HalDisplayBytes(const char *Bytes, ULONG Length)
{
    for (ULONG i = 0; i < Length; i++) HalpPutChar(Bytes[i]);
}


/* ICW1-ICW4 (8259A data sheet): edge-triggered, cascaded on IRQ 2, 8086
 * mode; IRQ 0-7 at PRIMARY_VECTOR_BASE, 8-15 eight above.  The clock (IRQ 0)
 * and COM1 (IRQ 4) are unmasked. */
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
    __outbyte(PIC1_DATA, 0xEE);                 /* IRQ 0 (clock) and IRQ 4 (COM1) */
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
    __outbyte(COM1 + 4, 0x03 | UART_MCR_OUT2);
    __outbyte(COM1 + 1, UART_IER_THRE);
    HalpInterruptDriven = TRUE;
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
    HalpDrainTo(0);                         /* every byte out of the ring */
    while (!(__inbyte(COM1 + 5) & UART_LSR_TEMT)) {
    }
    __outbyte(DEBUG_EXIT, (UCHAR)Status);
    for (;;) __halt();
}
