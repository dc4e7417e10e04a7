/* uart16550.c - the 16550A UART (National Semiconductor PC16550D datasheet:
 * Table II registers, Table IV interrupt control, "FIFO Interrupt Mode
 * Operation").  A byte written to THR moves to the shift register as soon as
 * it is free and leaves it one character time later (virtual time); received
 * characters come from uart_poll_input or, in loopback, from the transmitter.
 */
#include "devices/uart16550.h"

#include <string.h>
#include "mmu/bus.h"

/* ---- FIFOs ---- */

static void fifo_clear(struct uart_fifo *f)
{
    f->head = 0;
    f->count = 0;
}

static void fifo_push(struct uart_fifo *f, uint8_t byte, uint8_t err)
{
    unsigned i = (f->head + f->count) % UART_FIFO_SIZE;
    f->data[i] = byte;
    f->err[i] = err;
    f->count++;
}

static uint8_t fifo_pop(struct uart_fifo *f)
{
    uint8_t byte = f->data[f->head];
    f->head = (f->head + 1) % UART_FIFO_SIZE;
    f->count--;
    return byte;
}

static bool fifo_has_errors(const struct uart_fifo *f)
{
    for (unsigned i = 0; i < f->count; i++)
        if (f->err[(f->head + i) % UART_FIFO_SIZE]) return true;
    return false;
}

/* ---- derived state ---- */

static bool fifo_mode(const struct uart16550 *u) { return u->fcr & UART_FCR_ENABLE; }
static bool loopback(const struct uart16550 *u) { return u->mcr & UART_MCR_LOOP; }

static unsigned fifo_capacity(const struct uart16550 *u)
{
    return fifo_mode(u) ? UART_FIFO_SIZE : 1;
}

static uint8_t data_mask(const struct uart16550 *u)
{
    return 0xFF >> (3 - (u->lcr & UART_LCR_WLS));
}

static unsigned rx_trigger(const struct uart16550 *u)
{
    static const unsigned levels[4] = { 1, 4, 8, 14 };
    return fifo_mode(u) ? levels[u->fcr >> 6] : 1;
}

/* Start + data + parity + stop bits, counted in half bits for 1.5 stop bits. */
uint64_t uart_char_time_ns(const struct uart16550 *u)
{
    uint64_t half_bits = 2 * (1 + 5 + (u->lcr & UART_LCR_WLS));
    if (u->lcr & UART_LCR_PEN) half_bits += 2;
    if (!(u->lcr & UART_LCR_STB)) half_bits += 2;
    else half_bits += (u->lcr & UART_LCR_WLS) == 0 ? 3 : 4;
    uint64_t divisor = (uint64_t)u->dlm << 8 | u->dll;
    if (divisor == 0) divisor = 65536;      /* the 16-bit counter wraps */
    return half_bits * divisor * 1000000000ull / (2 * UART_CLOCK_BAUD);
}

static uint8_t lsr_value(const struct uart16550 *u)
{
    uint8_t v = u->lsr_err;
    if (u->rx.count) v |= UART_LSR_DR;
    if (u->tx.count == 0) v |= UART_LSR_THRE;
    if (u->tx.count == 0 && !u->tsr_busy) v |= UART_LSR_TEMT;
    if (fifo_mode(u) && fifo_has_errors(&u->rx)) v |= UART_LSR_FIFOERR;
    return v;
}

/* Table IV: the highest-priority pending, enabled interrupt. */
static uint8_t iir_id(const struct uart16550 *u)
{
    const uint8_t line_errors = UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI;
    if ((u->ier & UART_IER_ELSI) && (u->lsr_err & line_errors)) return UART_IIR_RLS;
    if (u->ier & UART_IER_ERBFI) {
        if (u->rx.count >= rx_trigger(u)) return UART_IIR_RDA;
        if (u->timeout_ip) return UART_IIR_CTI;
    }
    if ((u->ier & UART_IER_ETBEI) && u->thre_ip) return UART_IIR_THRE;
    if ((u->ier & UART_IER_EDSSI) && (u->msr & 0x0F)) return UART_IIR_MS;
    return UART_IIR_NONE;
}

/* On the PC the INTRPT pin reaches the PIC through a buffer enabled by OUT2;
 * loopback forces the OUT2 pin inactive, so no interrupt leaves the card. */
static void update_irq(struct uart16550 *u)
{
    int level = iir_id(u) != UART_IIR_NONE && (u->mcr & UART_MCR_OUT2) && !loopback(u);
    if (level == u->irq_level) return;
    u->irq_level = level;
    irq_set(&u->irq, level);
}

/* ---- modem status ---- */

static void set_msr_inputs(struct uart16550 *u, uint8_t inputs)
{
    uint8_t old = u->msr & 0xF0, delta = 0;
    inputs &= 0xF0;
    if ((old ^ inputs) & UART_MSR_CTS) delta |= UART_MSR_DCTS;
    if ((old ^ inputs) & UART_MSR_DSR) delta |= UART_MSR_DDSR;
    if ((old & UART_MSR_RI) && !(inputs & UART_MSR_RI)) delta |= UART_MSR_TERI;
    if ((old ^ inputs) & UART_MSR_DCD) delta |= UART_MSR_DDCD;
    u->msr = inputs | (u->msr & 0x0F) | delta;
}

/* In loopback RTS->CTS, DTR->DSR, OUT1->RI and OUT2->DCD. */
static uint8_t modem_inputs(const struct uart16550 *u)
{
    if (!loopback(u)) return u->host_msr;
    uint8_t m = u->mcr, v = 0;
    if (m & UART_MCR_RTS) v |= UART_MSR_CTS;
    if (m & UART_MCR_DTR) v |= UART_MSR_DSR;
    if (m & UART_MCR_OUT1) v |= UART_MSR_RI;
    if (m & UART_MCR_OUT2) v |= UART_MSR_DCD;
    return v;
}

void uart_set_modem_inputs(struct uart16550 *u, uint8_t msr_inputs)
{
    u->host_msr = msr_inputs & 0xF0;
    set_msr_inputs(u, modem_inputs(u));
    update_irq(u);
}

/* ---- receiver ---- */

/* The timeout counter restarts on each character received or read, unless a
 * timeout is already pending; it runs only with characters in the FIFO. */
static void rx_timer_restart(struct uart16550 *u, uint64_t now)
{
    if (fifo_mode(u) && u->rx.count && !u->timeout_ip)
        timer_arm(u->q, &u->rx_timer, now + 4 * uart_char_time_ns(u));
    else
        timer_disarm(u->q, &u->rx_timer);
}

static void rx_timeout(void *ctx, uint64_t now)
{
    struct uart16550 *u = ctx;
    (void)now;
    if (u->rx.count) u->timeout_ip = true;
    update_irq(u);
}

static void rx_reset(struct uart16550 *u)
{
    fifo_clear(&u->rx);
    u->timeout_ip = false;
    timer_disarm(u->q, &u->rx_timer);
}

/* A full FIFO keeps its characters and loses the new one; a full RBR
 * (non-FIFO mode) is overwritten.  Either way OE is set. */
void uart_receive(struct uart16550 *u, uint8_t byte, uint8_t lsr_errors)
{
    lsr_errors &= UART_LSR_PE | UART_LSR_FE | UART_LSR_BI;
    byte &= data_mask(u);
    if (u->rx.count == fifo_capacity(u)) {
        u->lsr_err |= UART_LSR_OE;
        if (!fifo_mode(u)) {
            u->rx.data[u->rx.head] = byte;
            u->rx.err[u->rx.head] = lsr_errors;
            u->lsr_err |= lsr_errors;
        }
    } else {
        if (u->rx.count == 0) u->lsr_err |= lsr_errors;   /* at the top of the FIFO */
        fifo_push(&u->rx, byte, lsr_errors);
    }
    if (!u->timeout_ip) rx_timer_restart(u, tq_now(u->q));
    update_irq(u);
}

/* Errors of a character show in LSR when it reaches the top of the FIFO. */
static uint8_t read_rbr(struct uart16550 *u)
{
    if (u->rx.count == 0) return u->rbr;
    u->rbr = fifo_pop(&u->rx);
    if (u->rx.count) u->lsr_err |= u->rx.err[u->rx.head];
    u->timeout_ip = false;
    rx_timer_restart(u, tq_now(u->q));
    return u->rbr;
}

void uart_poll_input(struct uart16550 *u)
{
    if (loopback(u) || !u->backend.read) return;
    while (u->rx.count < fifo_capacity(u)) {
        int c = u->backend.read(u->backend.ctx);
        if (c < 0) break;
        uart_receive(u, (uint8_t)c, 0);
    }
}

/* ---- transmitter ---- */

static void tx_start(struct uart16550 *u, uint64_t now)
{
    if (u->tsr_busy || u->tx.count == 0) return;
    u->tsr = fifo_pop(&u->tx);
    u->tsr_busy = true;
    timer_arm(u->q, &u->tx_timer, now + uart_char_time_ns(u));
    if (u->tx.count == 0) u->thre_ip = true;
}

static void tx_done(void *ctx, uint64_t now)
{
    struct uart16550 *u = ctx;
    u->tsr_busy = false;
    if (loopback(u))
        uart_receive(u, u->tsr, 0);
    else if (u->backend.write)
        u->backend.write(u->backend.ctx, u->tsr);
    tx_start(u, now);
    update_irq(u);
}

/* Outside FIFO mode a second write before THRE overwrites THR; a write to a
 * full transmit FIFO is lost. */
static void write_thr(struct uart16550 *u, uint8_t byte)
{
    byte &= data_mask(u);
    u->thre_ip = false;
    if (u->tx.count == fifo_capacity(u)) {
        if (!fifo_mode(u)) u->tx.data[u->tx.head] = byte;
    } else {
        fifo_push(&u->tx, byte, 0);
    }
    tx_start(u, tq_now(u->q));
}

static void tx_reset(struct uart16550 *u)
{
    if (u->tx.count) u->thre_ip = true;
    fifo_clear(&u->tx);
}

/* ---- register access ---- */

/* Enabling ETBEI while THR is empty raises the THRE interrupt at once. */
static void write_ier(struct uart16550 *u, uint8_t v)
{
    bool was = u->ier & UART_IER_ETBEI;
    u->ier = v & 0x0F;
    if (!was && (u->ier & UART_IER_ETBEI) && u->tx.count == 0) u->thre_ip = true;
}

/* Changing FCR0 clears both FIFOs; the other bits need FCR0 set. */
static void write_fcr(struct uart16550 *u, uint8_t v)
{
    if ((v ^ u->fcr) & UART_FCR_ENABLE) {
        rx_reset(u);
        tx_reset(u);
    }
    if (!(v & UART_FCR_ENABLE)) {
        u->fcr = 0;
        return;
    }
    u->fcr = v & (UART_FCR_ENABLE | UART_FCR_DMA | UART_FCR_TRIGGER);
    if (v & UART_FCR_RX_RESET) rx_reset(u);
    if (v & UART_FCR_TX_RESET) tx_reset(u);
    rx_timer_restart(u, tq_now(u->q));
}

static void write_mcr(struct uart16550 *u, uint8_t v)
{
    u->mcr = v & 0x1F;
    set_msr_inputs(u, modem_inputs(u));
}

static uint8_t read_iir(struct uart16550 *u)
{
    uint8_t id = iir_id(u);
    if (id == UART_IIR_THRE) u->thre_ip = false;
    return id | (fifo_mode(u) ? UART_IIR_FIFO : 0);
}

static uint8_t read_lsr(struct uart16550 *u)
{
    uint8_t v = lsr_value(u);
    u->lsr_err = 0;
    return v;
}

static uint8_t read_msr(struct uart16550 *u)
{
    uint8_t v = u->msr;
    u->msr &= 0xF0;
    return v;
}

static uint8_t read_reg(struct uart16550 *u, unsigned off)
{
    bool dlab = u->lcr & UART_LCR_DLAB;
    switch (off) {
    case UART_RBR: return dlab ? u->dll : read_rbr(u);
    case UART_IER: return dlab ? u->dlm : u->ier;
    case UART_IIR: return read_iir(u);
    case UART_LCR: return u->lcr;
    case UART_MCR: return u->mcr;
    case UART_LSR: return read_lsr(u);
    case UART_MSR: return read_msr(u);
    case UART_SCR: return u->scr;
    default:       return 0xFF;
    }
}

static void write_reg(struct uart16550 *u, unsigned off, uint8_t v)
{
    bool dlab = u->lcr & UART_LCR_DLAB;
    switch (off) {
    case UART_THR: if (dlab) u->dll = v; else write_thr(u, v); break;
    case UART_IER: if (dlab) u->dlm = v; else write_ier(u, v); break;
    case UART_FCR: write_fcr(u, v); break;
    case UART_LCR: u->lcr = v; break;
    case UART_MCR: write_mcr(u, v); break;
    case UART_SCR: u->scr = v; break;
    default: break;     /* LSR and MSR are read-only here */
    }
}

static uint8_t uart_read_byte(void *ctx, uint16_t port)
{
    struct uart16550 *u = ctx;
    return read_reg(u, (unsigned)(port - u->base));
}

static void uart_write_byte(void *ctx, uint16_t port, uint8_t v)
{
    struct uart16550 *u = ctx;
    write_reg(u, (unsigned)(port - u->base), v);
}

/* Wider accesses reach consecutive registers, as on the 8-bit ISA bus. */
static uint64_t uart_port_in(void *ctx, uint16_t port, unsigned size)
{
    uint64_t v = isa_bytes_in(ctx, port, size, uart_read_byte);
    update_irq(ctx);
    return v;
}

static void uart_port_out(void *ctx, uint16_t port, unsigned size, uint64_t value)
{
    isa_bytes_out(ctx, port, size, value, uart_write_byte);
    update_irq(ctx);
}

/* ---- life cycle ---- */

void uart_reset(struct uart16550 *u)
{
    timer_disarm(u->q, &u->tx_timer);
    timer_disarm(u->q, &u->rx_timer);
    u->ier = u->mcr = u->scr = u->fcr = 0;
    u->lsr_err = 0;
    u->lcr = 0x03;              /* 8N1; the datasheet resets LCR to 0 */
    u->dll = 12;                /* 9600 baud; undefined after reset */
    u->dlm = 0;
    u->rbr = 0;
    fifo_clear(&u->rx);
    fifo_clear(&u->tx);
    u->tsr_busy = u->thre_ip = u->timeout_ip = false;
    u->msr = u->host_msr;
    update_irq(u);
}

void uart_init(struct uart16550 *u, uint16_t base, struct timer_queue *q,
               const struct irq_line *irq, const struct uart_backend *backend)
{
    memset(u, 0, sizeof *u);
    u->base = base;
    u->q = q;
    if (irq) u->irq = *irq;
    if (backend) u->backend = *backend;
    u->host_msr = UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD;
    timer_init(&u->tx_timer, tx_done, u);
    timer_init(&u->rx_timer, rx_timeout, u);
    uart_reset(u);
    irq_set(&u->irq, 0);
}

int uart_attach(struct uart16550 *u, struct bus *bus)
{
    return bus_map_ports(bus, u->base, (uint16_t)(u->base + 7), uart_port_in, uart_port_out, u);
}
