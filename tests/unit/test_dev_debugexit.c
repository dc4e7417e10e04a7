/* test_dev_debugexit.c - devices/debugexit.c: QEMU isa-debug-exit at 0xF4. */
#include <criterion/criterion.h>
#include "devices/debugexit.h"
#include "mmu/bus.h"

static struct bus *bus;
static struct debugexit dev;
static struct { int calls, status; void *ctx; } stopped;

static void stop(void *ctx, int status)
{
    stopped.calls++;
    stopped.status = status;
    stopped.ctx = ctx;
}

static void setup(void)
{
    bus = bus_new(1 << 20);
    cr_assert_not_null(bus);
    stopped.calls = 0; stopped.status = -1; stopped.ctx = NULL;
    debugexit_init(&dev, stop, &stopped);
    cr_assert_eq(0, debugexit_attach(&dev, bus));
}

static void teardown(void) { bus_free(bus); bus = NULL; }

TestSuite(debugexit, .init = setup, .fini = teardown);

Test(debugexit, nothing_is_requested_before_a_write)
{
    cr_expect_not(dev.exited);
    cr_expect_eq(0, stopped.calls);
}

Test(debugexit, writing_v_asks_to_exit_with_status_v_shifted_left_or_1)
{
    bus_port_out(bus, DEBUGEXIT_PORT, 1, 0x10);
    cr_expect(dev.exited);
    cr_expect_eq(0x21, dev.status);
    cr_expect_eq(1, stopped.calls);
    cr_expect_eq(0x21, stopped.status);
    cr_expect_eq(&stopped, stopped.ctx, "the stop callback gets its context");
}

Test(debugexit, writing_zero_gives_status_1)
{
    bus_port_out(bus, DEBUGEXIT_PORT, 4, 0);
    cr_expect_eq(1, stopped.status);
}

Test(debugexit, the_value_is_truncated_to_the_access_size)
{
    bus_port_out(bus, DEBUGEXIT_PORT, 1, 0x1FF);
    cr_expect_eq((0xFF << 1) | 1, stopped.status);
    bus_port_out(bus, DEBUGEXIT_PORT, 2, 0x12345);
    cr_expect_eq((0x2345 << 1) | 1, stopped.status);
}

Test(debugexit, all_four_ports_of_the_window_are_the_device)
{
    bus_port_out(bus, DEBUGEXIT_PORT + 3, 1, 2);
    cr_expect_eq(5, stopped.status);
    bus_port_out(bus, DEBUGEXIT_PORT + 4, 1, 2);
    cr_expect_eq(1, stopped.calls, "0xF8 is outside the window");
}

Test(debugexit, without_a_callback_the_request_is_only_recorded)
{
    debugexit_init(&dev, NULL, NULL);
    bus_port_out(bus, DEBUGEXIT_PORT, 1, 3);
    cr_expect(dev.exited);
    cr_expect_eq(7, dev.status);
    cr_expect_eq(0, stopped.calls);
}
