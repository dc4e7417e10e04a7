/* test_dev_post.c - devices/post.c: POST codes at port 0x80. */
#include <criterion/criterion.h>
#include "devices/post.h"
#include "mmu/bus.h"
#include "sim/timers.h"

static struct bus *bus;
static struct timer_queue q;
static struct post post;
static struct { int n; uint8_t code; uint64_t ns; } traced;

static void trace(void *ctx, uint8_t code, uint64_t now_ns)
{
    (void)ctx;
    traced.n++;
    traced.code = code;
    traced.ns = now_ns;
}

static void setup(void)
{
    bus = bus_new(1 << 20);
    cr_assert_not_null(bus);
    tq_init(&q);
    traced.n = 0;
    post_init(&post, &q, trace, NULL);
    cr_assert_eq(0, post_attach(&post, bus));
}

static void teardown(void) { bus_free(bus); bus = NULL; }

TestSuite(post, .init = setup, .fini = teardown);

Test(post, a_read_returns_the_last_code_written)
{
    bus_port_out(bus, POST_PORT, 1, 0x12);
    bus_port_out(bus, POST_PORT, 1, 0x34);
    cr_expect_eq(0x34, bus_port_in(bus, POST_PORT, 1));
    cr_expect_eq(0x34, post.last);
}

Test(post, each_write_is_traced_with_its_virtual_time)
{
    tq_advance(&q, 1500);
    bus_port_out(bus, POST_PORT, 1, 0xAA);
    cr_expect_eq(1, traced.n);
    cr_expect_eq(0xAA, traced.code);
    cr_expect_eq(1500, traced.ns);
}

Test(post, the_history_lists_codes_newest_first_with_times)
{
    struct post_entry e;
    cr_expect_eq(0, post_history_len(&post));
    cr_expect_not(post_history(&post, 0, &e));
    for (unsigned i = 0; i < 3; i++) {
        tq_advance(&q, 100 * (i + 1));
        bus_port_out(bus, POST_PORT, 1, 0x10 + i);
    }
    cr_expect_eq(3, post_history_len(&post));
    cr_assert(post_history(&post, 0, &e));
    cr_expect_eq(0x12, e.code); cr_expect_eq(300, e.ns);
    cr_assert(post_history(&post, 2, &e));
    cr_expect_eq(0x10, e.code); cr_expect_eq(100, e.ns);
    cr_expect_not(post_history(&post, 3, &e));
}

Test(post, the_history_keeps_only_the_last_64_codes)
{
    struct post_entry e;
    for (unsigned i = 0; i < 100; i++) bus_port_out(bus, POST_PORT, 1, i);
    cr_expect_eq(POST_HISTORY, post_history_len(&post));
    cr_expect_eq(100, post.writes);
    cr_assert(post_history(&post, 0, &e));
    cr_expect_eq(99, e.code);
    cr_assert(post_history(&post, POST_HISTORY - 1, &e));
    cr_expect_eq(100 - POST_HISTORY, e.code, "the oldest kept");
}
