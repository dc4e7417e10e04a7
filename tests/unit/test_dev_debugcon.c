/* test_dev_debugcon.c - devices/debugcon.c: the debug console at 0xE9. */
#include <string.h>
#include <criterion/criterion.h>
#include "devices/debugcon.h"
#include "mmu/bus.h"

static struct bus *bus;
static struct debugcon con;
static struct { char text[64]; unsigned n; } out;

static void emit(void *ctx, uint8_t byte)
{
    (void)ctx;
    if (out.n < sizeof out.text - 1) out.text[out.n++] = (char)byte;
}

static void setup(void)
{
    bus = bus_new(1 << 20);
    cr_assert_not_null(bus);
    memset(&out, 0, sizeof out);
    debugcon_init(&con, emit, NULL);
    cr_assert_eq(0, debugcon_attach(&con, bus));
}

static void teardown(void) { bus_free(bus); bus = NULL; }

TestSuite(debugcon, .init = setup, .fini = teardown);

Test(debugcon, bytes_written_reach_the_output_in_order)
{
    const char *msg = "hello\n";
    for (const char *p = msg; *p; p++) bus_port_out(bus, DEBUGCON_PORT, 1, (uint8_t)*p);
    cr_expect_str_eq(out.text, "hello\n");
    cr_expect_eq(6, con.bytes);
}

Test(debugcon, reading_the_port_returns_0xe9_so_guests_can_detect_it)
{
    cr_expect_eq(0xE9, bus_port_in(bus, DEBUGCON_PORT, 1));
}

Test(debugcon, a_wide_write_sends_only_the_low_byte)
{
    bus_port_out(bus, DEBUGCON_PORT, 2, 0x4241);   /* 'A', 'B' */
    cr_expect_eq(1, out.n);
    cr_expect_eq('A', out.text[0]);
}

Test(debugcon, neighbouring_ports_are_not_the_console)
{
    bus_port_out(bus, DEBUGCON_PORT + 1, 1, 'x');
    bus_port_out(bus, DEBUGCON_PORT - 1, 1, 'y');
    cr_expect_eq(0, out.n);
    cr_expect_eq(0xFF, bus_port_in(bus, DEBUGCON_PORT + 1, 1));
}
