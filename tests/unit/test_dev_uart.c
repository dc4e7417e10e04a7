/* test_dev_uart.c - devices/uart16550.c against the PC16550D datasheet,
 * driven as the CPU would: port I/O on a bus, the virtual clock advanced by
 * hand, a fake backend capturing the line and a fake IRQ line recording its
 * level.  Also the host backends of devices/uart_backend.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include "devices/uart16550.h"
#include "mmu/bus.h"

#define COM1 UART_COM1_BASE
#define CHAR_8N1_115200 86805u      /* 10 bits at 115200 baud, in ns */

struct fake_line {
    uint8_t out[64]; unsigned n_out;
    uint8_t in[64]; unsigned in_head, n_in;
};
struct fake_irq { int level, rises; };

static struct bus *bus;
static struct timer_queue q;
static struct uart16550 uart;
static struct fake_line line;
static struct fake_irq pin;

static void line_write(void *ctx, uint8_t byte)
{
    struct fake_line *l = ctx;
    if (l->n_out < sizeof l->out) l->out[l->n_out++] = byte;
}

static int line_read(void *ctx)
{
    struct fake_line *l = ctx;
    return l->in_head < l->n_in ? l->in[l->in_head++] : -1;
}

static void pin_set(void *ctx, unsigned nr, int level)
{
    struct fake_irq *p = ctx;
    cr_assert_eq(UART_COM1_IRQ, nr);
    if (level && !p->level) p->rises++;
    p->level = level;
}

static void setup(void)
{
    struct irq_line irq = { pin_set, &pin, UART_COM1_IRQ };
    struct uart_backend be = { line_write, line_read, &line };
    memset(&line, 0, sizeof line);
    memset(&pin, 0, sizeof pin);
    bus = bus_new(1u << 20);
    cr_assert_not_null(bus);
    tq_init(&q);
    uart_init(&uart, COM1, &q, &irq, &be);
    cr_assert_eq(0, uart_attach(&uart, bus));
}

static void teardown(void)
{
    bus_free(bus);
}

TestSuite(uart, .init = setup, .fini = teardown);

static void out8(unsigned reg, uint8_t v) { bus_port_out(bus, COM1 + reg, 1, v); }
static uint8_t in8(unsigned reg) { return (uint8_t)bus_port_in(bus, COM1 + reg, 1); }
static void advance(uint64_t ns) { tq_advance(&q, tq_now(&q) + ns); }

static void set_line(uint16_t divisor, uint8_t lcr)
{
    out8(UART_LCR, UART_LCR_DLAB);
    out8(UART_DLL, divisor & 0xFF);
    out8(UART_DLM, divisor >> 8);
    out8(UART_LCR, lcr);
}

static void feed(const char *s)
{
    size_t n = strlen(s);
    memcpy(line.in + line.n_in, s, n);
    line.n_in += n;
}

/* ---- registers ---- */

Test(uart, after_reset_lsr_shows_an_idle_transmitter_and_iir_no_interrupt)
{
    cr_expect_eq(UART_LSR_THRE | UART_LSR_TEMT, in8(UART_LSR));
    cr_expect_eq(UART_IIR_NONE, in8(UART_IIR));
    cr_expect_eq(0, in8(UART_IER));
    cr_expect_eq(0, in8(UART_MCR));
    cr_expect_eq(0, pin.level);
}

Test(uart, scratch_register_holds_any_byte)
{
    out8(UART_SCR, 0xA5);
    cr_expect_eq(0xA5, in8(UART_SCR));
    out8(UART_SCR, 0x5A);
    cr_expect_eq(0x5A, in8(UART_SCR));
}

Test(uart, dlab_switches_offsets_0_and_1_to_the_divisor_latch)
{
    set_line(0x1234, 0x03);
    out8(UART_IER, UART_IER_ERBFI);
    cr_expect_eq(UART_IER_ERBFI, in8(UART_IER));
    out8(UART_LCR, 0x83);
    cr_expect_eq(0x34, in8(UART_DLL));
    cr_expect_eq(0x12, in8(UART_DLM));
    cr_expect_eq(0, line.n_out, "a DLL write is not a THR write");
}

Test(uart, ier_keeps_only_its_low_four_bits)
{
    out8(UART_IER, 0xF0);
    cr_expect_eq(0x00, in8(UART_IER));
}

Test(uart, com2_at_0x2f8_is_independent_of_com1)
{
    struct uart16550 com2;
    uart_init(&com2, UART_COM2_BASE, &q, NULL, NULL);
    cr_assert_eq(0, uart_attach(&com2, bus));
    bus_port_out(bus, UART_COM2_BASE + UART_SCR, 1, 0x22);
    out8(UART_SCR, 0x11);
    cr_expect_eq(0x22, bus_port_in(bus, UART_COM2_BASE + UART_SCR, 1));
    cr_expect_eq(0x11, in8(UART_SCR));
}

/* ---- transmitter ---- */

Test(uart, a_byte_written_to_thr_reaches_the_backend_after_one_character_time)
{
    set_line(1, 0x03);
    out8(UART_THR, 'A');
    advance(CHAR_8N1_115200 - 1);
    cr_expect_eq(0, line.n_out);
    cr_expect_eq(UART_LSR_THRE, in8(UART_LSR), "THR empty, shift register busy");
    advance(1);
    cr_assert_eq(1, line.n_out);
    cr_expect_eq('A', line.out[0]);
    cr_expect_eq(UART_LSR_THRE | UART_LSR_TEMT, in8(UART_LSR));
}

/* Start + data + parity + stop bits at 115200/divisor baud. */
Test(uart, character_time_follows_the_divisor_and_lcr)
{
    static const struct { uint16_t divisor; uint8_t lcr; uint64_t ns; } cases[] = {
        { 1, 0x03, 86805 },      /* 8N1: 10 bits */
        { 12, 0x03, 1041666 },   /* 8N1 at 9600 */
        { 1, 0x0F, 104166 },     /* 8 data, parity, 2 stop: 12 bits */
        { 2, 0x1A, 173611 },     /* 7E1: 10 bits at 57600 */
        { 2, 0x04, 130208 },     /* 5 data, 1.5 stop: 7.5 bits at 57600 */
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        set_line(cases[i].divisor, cases[i].lcr);
        cr_expect_eq(cases[i].ns, uart_char_time_ns(&uart), "case %u", i);
    }
}

Test(uart, the_transmitter_is_empty_only_after_the_character_time_at_the_programmed_baud)
{
    set_line(12, 0x03);
    out8(UART_THR, 'x');
    advance(1041665);
    cr_expect_eq(0, in8(UART_LSR) & UART_LSR_TEMT);
    advance(1);
    cr_expect_eq(UART_LSR_TEMT, in8(UART_LSR) & UART_LSR_TEMT);
}

Test(uart, a_second_byte_holds_thre_clear_until_the_first_leaves_the_shift_register)
{
    set_line(1, 0x03);
    out8(UART_THR, '1');
    out8(UART_THR, '2');
    cr_expect_eq(0, in8(UART_LSR) & (UART_LSR_THRE | UART_LSR_TEMT));
    advance(CHAR_8N1_115200);
    cr_expect_eq(UART_LSR_THRE, in8(UART_LSR));
    advance(CHAR_8N1_115200);
    cr_assert_eq(2, line.n_out);
    cr_expect_eq('1', line.out[0]);
    cr_expect_eq('2', line.out[1]);
    cr_expect_eq(UART_LSR_THRE | UART_LSR_TEMT, in8(UART_LSR));
}

Test(uart, fifo_mode_sends_queued_bytes_back_to_back)
{
    set_line(1, 0x03);
    out8(UART_FCR, UART_FCR_ENABLE);
    for (const char *s = "abc"; *s; s++) out8(UART_THR, (uint8_t)*s);
    for (unsigned n = 1; n <= 3; n++) {
        advance(CHAR_8N1_115200);
        cr_expect_eq(n, line.n_out, "after %u character times", n);
    }
    cr_expect_eq(0, memcmp("abc", line.out, 3));
    cr_expect_eq(UART_LSR_THRE | UART_LSR_TEMT, in8(UART_LSR));
}

Test(uart, word_length_masks_the_transmitted_byte)
{
    set_line(1, 0x00);      /* 5 data bits */
    out8(UART_THR, 0xFF);
    advance(1000000);
    cr_assert_eq(1, line.n_out);
    cr_expect_eq(0x1F, line.out[0]);
}

/* ---- THRE interrupt ---- */

Test(uart, enabling_etbei_with_an_empty_thr_raises_the_thre_interrupt)
{
    out8(UART_MCR, UART_MCR_OUT2);
    out8(UART_IER, UART_IER_ETBEI);
    cr_expect_eq(1, pin.level);
    cr_expect_eq(UART_IIR_THRE, in8(UART_IIR));
}

Test(uart, thre_interrupt_is_cleared_by_reading_iir)
{
    out8(UART_MCR, UART_MCR_OUT2);
    out8(UART_IER, UART_IER_ETBEI);
    cr_assert_eq(UART_IIR_THRE, in8(UART_IIR));
    cr_expect_eq(0, pin.level);
    cr_expect_eq(UART_IIR_NONE, in8(UART_IIR));
}

Test(uart, thre_interrupt_is_cleared_by_writing_thr_while_the_shift_register_is_busy)
{
    set_line(1, 0x03);
    out8(UART_MCR, UART_MCR_OUT2);
    out8(UART_THR, '1');            /* straight into the shift register */
    out8(UART_IER, UART_IER_ETBEI);
    cr_assert_eq(1, pin.level);
    out8(UART_THR, '2');            /* waits in THR */
    cr_expect_eq(0, pin.level);
    cr_expect_eq(UART_IIR_NONE, in8(UART_IIR));
}

Test(uart, thre_interrupt_returns_when_the_fifo_empties_into_the_shift_register)
{
    set_line(1, 0x03);
    out8(UART_FCR, UART_FCR_ENABLE);
    out8(UART_MCR, UART_MCR_OUT2);
    out8(UART_IER, UART_IER_ETBEI);
    in8(UART_IIR);
    for (int i = 0; i < 4; i++) out8(UART_THR, 'a' + i);
    cr_expect_eq(0, pin.level);
    advance(3 * CHAR_8N1_115200 - 1);
    cr_expect_eq(0, pin.level, "one byte still waits in the FIFO");
    advance(1);
    cr_expect_eq(1, pin.level);
    cr_expect_eq(UART_IIR_FIFO | UART_IIR_THRE, in8(UART_IIR));
}

Test(uart, irq_output_is_gated_by_out2)
{
    out8(UART_IER, UART_IER_ETBEI);
    cr_expect_eq(0, pin.level);
    out8(UART_MCR, UART_MCR_OUT2);
    cr_expect_eq(1, pin.level);
    out8(UART_MCR, 0);
    cr_expect_eq(0, pin.level);
    cr_expect_eq(UART_IIR_THRE, in8(UART_IIR), "still pending inside the chip");
}

/* ---- receiver ---- */

Test(uart, received_bytes_arrive_through_poll_input_and_set_dr)
{
    feed("h");
    cr_expect_eq(0, in8(UART_LSR) & UART_LSR_DR);
    uart_poll_input(&uart);
    cr_expect_eq(UART_LSR_DR, in8(UART_LSR) & UART_LSR_DR);
    cr_expect_eq('h', in8(UART_RBR));
    cr_expect_eq(0, in8(UART_LSR) & UART_LSR_DR);
}

Test(uart, poll_input_leaves_bytes_in_the_backend_while_the_receiver_is_full)
{
    feed("hi");
    uart_poll_input(&uart);
    uart_poll_input(&uart);
    cr_expect_eq(0, in8(UART_LSR) & UART_LSR_OE);
    cr_expect_eq('h', in8(UART_RBR));
    uart_poll_input(&uart);
    cr_expect_eq('i', in8(UART_RBR));
}

Test(uart, received_data_interrupt_outside_fifo_mode_follows_dr)
{
    out8(UART_MCR, UART_MCR_OUT2);
    out8(UART_IER, UART_IER_ERBFI);
    feed("z");
    uart_poll_input(&uart);
    cr_expect_eq(1, pin.level);
    cr_expect_eq(UART_IIR_RDA, in8(UART_IIR));
    in8(UART_RBR);
    cr_expect_eq(0, pin.level);
}

Test(uart, received_data_interrupt_in_fifo_mode_waits_for_the_trigger_level)
{
    out8(UART_FCR, UART_FCR_ENABLE | 0x40);     /* trigger 4 */
    out8(UART_MCR, UART_MCR_OUT2);
    out8(UART_IER, UART_IER_ERBFI);
    feed("abc");
    uart_poll_input(&uart);
    cr_expect_eq(0, pin.level);
    cr_expect_eq(UART_IIR_FIFO | UART_IIR_NONE, in8(UART_IIR));
    feed("d");
    uart_poll_input(&uart);
    cr_expect_eq(1, pin.level);
    cr_expect_eq(UART_IIR_FIFO | UART_IIR_RDA, in8(UART_IIR));
    cr_expect_eq('a', in8(UART_RBR));
    cr_expect_eq(0, pin.level, "below the trigger level again");
}

Test(uart, fifo_trigger_levels_are_1_4_8_and_14)
{
    static const unsigned levels[4] = { 1, 4, 8, 14 };
    out8(UART_IER, UART_IER_ERBFI);
    for (unsigned t = 0; t < 4; t++) {
        out8(UART_FCR, UART_FCR_ENABLE | UART_FCR_RX_RESET | (uint8_t)(t << 6));
        for (unsigned n = 1; n <= levels[t]; n++) {
            cr_expect_eq(UART_IIR_FIFO | UART_IIR_NONE, in8(UART_IIR), "trigger %u, byte %u",
                         levels[t], n);
            uart_receive(&uart, 'x', 0);
        }
        cr_expect_eq(UART_IIR_FIFO | UART_IIR_RDA, in8(UART_IIR), "trigger %u", levels[t]);
    }
}

Test(uart, character_timeout_after_four_character_times_below_the_trigger_level)
{
    set_line(1, 0x03);
    out8(UART_FCR, UART_FCR_ENABLE | 0x80);     /* trigger 8 */
    out8(UART_MCR, UART_MCR_OUT2);
    out8(UART_IER, UART_IER_ERBFI);
    feed("ok");
    uart_poll_input(&uart);
    advance(4 * CHAR_8N1_115200 - 1);
    cr_expect_eq(0, pin.level);
    advance(1);
    cr_expect_eq(1, pin.level);
    cr_expect_eq(UART_IIR_FIFO | UART_IIR_CTI, in8(UART_IIR));
    cr_expect_eq('o', in8(UART_RBR));
    cr_expect_eq(0, pin.level, "reading a character clears the timeout");
    advance(4 * CHAR_8N1_115200);
    cr_expect_eq(UART_IIR_FIFO | UART_IIR_CTI, in8(UART_IIR), "and restarts its timer");
}

Test(uart, fcr_rx_reset_empties_the_receive_fifo)
{
    out8(UART_FCR, UART_FCR_ENABLE);
    feed("abc");
    uart_poll_input(&uart);
    out8(UART_FCR, UART_FCR_ENABLE | UART_FCR_RX_RESET);
    cr_expect_eq(0, in8(UART_LSR) & UART_LSR_DR);
}

Test(uart, iir_fifo_bits_follow_fcr_enable)
{
    out8(UART_FCR, UART_FCR_ENABLE);
    cr_expect_eq(UART_IIR_FIFO | UART_IIR_NONE, in8(UART_IIR));
    out8(UART_FCR, 0);
    cr_expect_eq(UART_IIR_NONE, in8(UART_IIR));
}

/* ---- line status ---- */

Test(uart, fifo_overrun_keeps_sixteen_characters_and_line_status_outranks_received_data)
{
    set_line(1, 0x03);
    out8(UART_FCR, UART_FCR_ENABLE | 0xC0);     /* trigger 14 */
    out8(UART_IER, UART_IER_ERBFI | UART_IER_ELSI);
    out8(UART_MCR, UART_MCR_LOOP);
    for (int i = 0; i < 17; i++) {
        out8(UART_THR, (uint8_t)('A' + i));
        advance(CHAR_8N1_115200);
    }
    cr_expect_eq(UART_IIR_FIFO | UART_IIR_RLS, in8(UART_IIR));
    cr_expect_eq(UART_LSR_OE, in8(UART_LSR) & UART_LSR_OE);
    cr_expect_eq(0, in8(UART_LSR) & UART_LSR_OE, "reading LSR clears OE");
    cr_expect_eq(UART_IIR_FIFO | UART_IIR_RDA, in8(UART_IIR));
    for (int i = 0; i < 16; i++) cr_expect_eq('A' + i, in8(UART_RBR), "character %d", i);
    cr_expect_eq(0, in8(UART_LSR) & UART_LSR_DR, "the seventeenth was lost");
}

Test(uart, overrun_outside_fifo_mode_replaces_the_unread_character)
{
    feed("12");
    uart_poll_input(&uart);
    uart_receive(&uart, '3', 0);
    cr_expect_eq(UART_LSR_OE | UART_LSR_DR, in8(UART_LSR) & (UART_LSR_OE | UART_LSR_DR));
    cr_expect_eq('3', in8(UART_RBR));
}

Test(uart, a_parity_error_shows_when_its_character_reaches_the_top_of_the_fifo)
{
    out8(UART_FCR, UART_FCR_ENABLE);
    uart_receive(&uart, 'g', 0);
    uart_receive(&uart, 'b', UART_LSR_PE);
    cr_expect_eq(UART_LSR_FIFOERR | UART_LSR_DR,
                 in8(UART_LSR) & (UART_LSR_FIFOERR | UART_LSR_PE | UART_LSR_DR));
    cr_expect_eq('g', in8(UART_RBR));
    cr_expect_eq(UART_LSR_PE, in8(UART_LSR) & UART_LSR_PE);
    cr_expect_eq('b', in8(UART_RBR));
    cr_expect_eq(0, in8(UART_LSR) & (UART_LSR_PE | UART_LSR_FIFOERR));
}

/* ---- loopback and modem status ---- */

Test(uart, loopback_feeds_thr_into_rbr_and_not_the_line)
{
    set_line(1, 0x03);
    out8(UART_MCR, UART_MCR_LOOP);
    out8(UART_THR, 0x5A);
    advance(CHAR_8N1_115200);
    cr_expect_eq(0, line.n_out);
    cr_expect_eq(UART_LSR_DR, in8(UART_LSR) & UART_LSR_DR);
    cr_expect_eq(0x5A, in8(UART_RBR));
}

Test(uart, loopback_routes_mcr_outputs_to_msr_inputs)
{
    out8(UART_MCR, UART_MCR_LOOP | UART_MCR_RTS | UART_MCR_OUT2);   /* Linux's probe */
    cr_expect_eq(UART_MSR_CTS | UART_MSR_DCD, in8(UART_MSR) & 0xF0);
    out8(UART_MCR, UART_MCR_LOOP | 0x0F);
    cr_expect_eq(0xF0, in8(UART_MSR) & 0xF0);
    out8(UART_MCR, UART_MCR_LOOP | UART_MCR_DTR);
    cr_expect_eq(UART_MSR_DSR, in8(UART_MSR) & 0xF0);
}

Test(uart, loopback_forces_the_interrupt_output_off)
{
    out8(UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2);
    out8(UART_IER, UART_IER_ETBEI);
    cr_expect_eq(0, pin.level);
    cr_expect_eq(UART_IIR_THRE, in8(UART_IIR));
}

Test(uart, modem_input_changes_set_delta_bits_and_reading_msr_clears_them)
{
    out8(UART_MCR, UART_MCR_OUT2);
    out8(UART_IER, UART_IER_EDSSI);
    cr_expect_eq(UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD, in8(UART_MSR));
    uart_set_modem_inputs(&uart, UART_MSR_DSR | UART_MSR_DCD | UART_MSR_RI);
    cr_expect_eq(1, pin.level);
    cr_expect_eq(UART_IIR_MS, in8(UART_IIR));
    cr_expect_eq(UART_MSR_DSR | UART_MSR_DCD | UART_MSR_RI | UART_MSR_DCTS, in8(UART_MSR));
    cr_expect_eq(0, pin.level);
    uart_set_modem_inputs(&uart, UART_MSR_DSR | UART_MSR_DCD);
    cr_expect_eq(UART_MSR_TERI, in8(UART_MSR) & 0x0F, "ring's trailing edge");
}

Test(uart, modem_status_has_the_lowest_priority)
{
    out8(UART_IER, UART_IER_EDSSI | UART_IER_ETBEI);
    uart_set_modem_inputs(&uart, 0);
    cr_expect_eq(UART_IIR_THRE, in8(UART_IIR));
    cr_expect_eq(UART_IIR_MS, in8(UART_IIR));
}

/* ---- backends ---- */

Test(uart, file_backend_writes_the_guest_bytes_to_the_file)
{
    char path[] = "/tmp/ringsim-uart-XXXXXX", spec[64], got[16] = { 0 };
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    snprintf(spec, sizeof spec, "file:%s", path);
    struct uart_backend be;
    cr_assert_eq(0, uart_backend_open(&be, spec));
    uart_init(&uart, COM1, &q, NULL, &be);
    out8(UART_FCR, UART_FCR_ENABLE);
    for (const char *s = "hello"; *s; s++) out8(UART_THR, (uint8_t)*s);
    advance(1000000000);
    cr_expect_eq(-1, be.read(be.ctx), "a file has no input");
    uart_backend_close(&be);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f);
    size_t n = fread(got, 1, sizeof got - 1, f);
    fclose(f);
    unlink(path);
    cr_expect_eq(5, n);
    cr_expect_str_eq("hello", got);
}

Test(uart, backend_open_rejects_an_unknown_spec_with_a_message, .init = cr_redirect_stderr)
{
    struct uart_backend be;
    cr_expect_eq(-1, uart_backend_open(&be, "serial0"));
    fflush(stderr);
    cr_expect_stderr_eq_str(
        "ringsim: unknown backend \"serial0\" (expected stdio, file:PATH, pty or null)\n");
}

Test(uart, backend_open_rejects_a_file_spec_without_a_usable_path, .init = cr_redirect_stderr)
{
    struct uart_backend be;
    cr_expect_eq(-1, uart_backend_open(&be, "file:"));
    cr_expect_eq(-1, uart_backend_open(&be, "file:/nonexistent-dir/x"));
    cr_expect_eq(-1, uart_backend_open(&be, ""));
}

Test(uart, null_backend_discards_output_and_has_no_input)
{
    struct uart_backend be;
    cr_assert_eq(0, uart_backend_open(&be, "null"));
    be.write(be.ctx, 'x');
    cr_expect_eq(-1, be.read(be.ctx));
    uart_backend_close(&be);
}

Test(uart, pty_backend_opens_and_has_no_input_while_the_slave_is_idle, .init = cr_redirect_stderr)
{
    struct uart_backend be;
    if (uart_backend_open(&be, "pty") != 0) cr_skip_test("no ptys on this host");
    be.write(be.ctx, 'x');
    cr_expect_eq(-1, be.read(be.ctx));
    uart_backend_close(&be);
}
