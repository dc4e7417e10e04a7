/* uart16550.h - the 16550A UART (National Semiconductor PC16550D datasheet,
 * "Register Description" and "FIFO Interrupt Mode Operation"), as the PC's
 * COM1 (0x3F8, IRQ 4) and COM2 (0x2F8, IRQ 3), with host backends for the
 * serial line (uart_backend.c).  Transmit timing runs in virtual time.
 */
#ifndef RINGSIM_UART16550_H
#define RINGSIM_UART16550_H

#include <stdbool.h>
#include <stdint.h>
#include "devices/device.h"
#include "sim/timers.h"

struct bus;

#define UART_COM1_BASE 0x3F8
#define UART_COM1_IRQ  4
#define UART_COM2_BASE 0x2F8
#define UART_COM2_IRQ  3
#define UART_CLOCK_BAUD 115200u     /* 1.8432 MHz / 16: the baud at divisor 1 */
#define UART_FIFO_SIZE  16

/* Register offsets from the base port (DLAB is LCR bit 7). */
enum {
    UART_RBR = 0, UART_THR = 0, UART_DLL = 0,
    UART_IER = 1, UART_DLM = 1,
    UART_IIR = 2, UART_FCR = 2,
    UART_LCR = 3, UART_MCR = 4, UART_LSR = 5, UART_MSR = 6, UART_SCR = 7,
};

enum { UART_IER_ERBFI = 0x01, UART_IER_ETBEI = 0x02, UART_IER_ELSI = 0x04, UART_IER_EDSSI = 0x08 };
/* IIR: bit 0 clear when an interrupt is pending; bits 1-3 say which. */
enum {
    UART_IIR_NONE = 0x01, UART_IIR_RLS = 0x06, UART_IIR_RDA = 0x04, UART_IIR_CTI = 0x0C,
    UART_IIR_THRE = 0x02, UART_IIR_MS = 0x00, UART_IIR_FIFO = 0xC0,
};
enum {
    UART_FCR_ENABLE = 0x01, UART_FCR_RX_RESET = 0x02, UART_FCR_TX_RESET = 0x04,
    UART_FCR_DMA = 0x08, UART_FCR_TRIGGER = 0xC0,
};
enum {
    UART_LCR_WLS = 0x03, UART_LCR_STB = 0x04, UART_LCR_PEN = 0x08, UART_LCR_EPS = 0x10,
    UART_LCR_SP = 0x20, UART_LCR_BREAK = 0x40, UART_LCR_DLAB = 0x80,
};
enum { UART_MCR_DTR = 0x01, UART_MCR_RTS = 0x02, UART_MCR_OUT1 = 0x04, UART_MCR_OUT2 = 0x08,
       UART_MCR_LOOP = 0x10 };
enum {
    UART_LSR_DR = 0x01, UART_LSR_OE = 0x02, UART_LSR_PE = 0x04, UART_LSR_FE = 0x08,
    UART_LSR_BI = 0x10, UART_LSR_THRE = 0x20, UART_LSR_TEMT = 0x40, UART_LSR_FIFOERR = 0x80,
};
enum {
    UART_MSR_DCTS = 0x01, UART_MSR_DDSR = 0x02, UART_MSR_TERI = 0x04, UART_MSR_DDCD = 0x08,
    UART_MSR_CTS = 0x10, UART_MSR_DSR = 0x20, UART_MSR_RI = 0x40, UART_MSR_DCD = 0x80,
};

/* Where the serial line's bytes go and come from. */
struct uart_backend {
    void (*write)(void *ctx, uint8_t byte);
    int  (*read)(void *ctx);          /* -1 when nothing is waiting (non-blocking) */
    void *ctx;
};

/* A FIFO of characters with each one's PE/FE/BI bits (the receiver's), or
 * of bytes alone (the transmitter's).  Outside FIFO mode it holds one. */
struct uart_fifo {
    uint8_t data[UART_FIFO_SIZE];
    uint8_t err[UART_FIFO_SIZE];
    unsigned head, count;
};

struct uart16550 {
    uint16_t base;
    struct timer_queue *q;
    struct irq_line irq;
    struct uart_backend backend;
    uint8_t ier, lcr, mcr, scr, dll, dlm;
    uint8_t fcr;            /* ENABLE, DMA and TRIGGER as last written */
    uint8_t lsr_err;        /* OE, PE, FE, BI: latched until LSR is read */
    uint8_t msr;            /* inputs in bits 4-7, deltas in bits 0-3 */
    uint8_t host_msr;       /* modem inputs from the line when not in loopback */
    uint8_t rbr;            /* last character read: what an empty RBR returns */
    struct uart_fifo rx, tx;
    uint8_t tsr;            /* the transmitter shift register */
    bool tsr_busy;
    bool thre_ip;           /* THRE interrupt condition (cleared by IIR read, THR write) */
    bool timeout_ip;        /* character timeout condition */
    int irq_level;
    struct timer tx_timer;  /* the character in the shift register is out */
    struct timer rx_timer;  /* four character times without receiver activity */
};

/* Reset to the state a PC BIOS leaves a COM port in: the datasheet's reset
 * values, except the divisor (undefined at reset) and LCR set to 9600 8N1.
 * irq and backend are copied; either may be NULL. */
void uart_init(struct uart16550 *u, uint16_t base, struct timer_queue *q,
               const struct irq_line *irq, const struct uart_backend *backend);
void uart_reset(struct uart16550 *u);   /* the MR pin: registers and FIFOs, not the backend */
int  uart_attach(struct uart16550 *u, struct bus *bus);   /* ports base..base+7; 0 or -1 */
/* The machine calls this between blocks: backend bytes into the receive FIFO,
 * as many as fit (bytes stay in the backend while the FIFO is full). */
void uart_poll_input(struct uart16550 *u);
/* One character arriving complete at the serial input, with its PE/FE/BI
 * bits; overruns as the chip does when the receiver is full. */
void uart_receive(struct uart16550 *u, uint8_t byte, uint8_t lsr_errors);
/* The CTS/DSR/RI/DCD inputs (MSR bits 4-7) from the line, used outside
 * loopback; changes set the delta bits.  uart_init makes CTS, DSR and DCD true. */
void uart_set_modem_inputs(struct uart16550 *u, uint8_t msr_inputs);
/* Virtual ns to shift one character out at the current divisor and LCR. */
uint64_t uart_char_time_ns(const struct uart16550 *u);

/* Backends from an option string: "stdio", "file:PATH" (output only),
 * "pty" (prints the slave's name on stderr) or "null".  0, or -1 with a
 * message on stderr. */
int  uart_backend_open(struct uart_backend *b, const char *spec);
void uart_backend_close(struct uart_backend *b);

#endif
