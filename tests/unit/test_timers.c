/* test_timers.c - sim/timers.c: the deterministic virtual-time queue. */
#include <criterion/criterion.h>
#include "sim/timers.h"

struct log { int n; int who[16]; uint64_t when[16]; };
struct probe { struct log *log; int id; struct timer_queue *q; uint64_t period; };

static void fired(void *ctx, uint64_t now)
{
    struct probe *p = ctx;
    p->log->who[p->log->n] = p->id;
    p->log->when[p->log->n++] = now;
}


Test(timers, timers_fire_in_deadline_order_with_ties_in_arming_order)
{
    struct timer_queue q; struct log log = { 0 };
    struct probe a = { &log, 1, &q, 0 }, b = { &log, 2, &q, 0 }, c = { &log, 3, &q, 0 };
    struct timer ta, tb, tc;
    tq_init(&q);
    timer_init(&ta, fired, &a); timer_init(&tb, fired, &b); timer_init(&tc, fired, &c);
    timer_arm(&q, &ta, 300);
    timer_arm(&q, &tb, 100);
    timer_arm(&q, &tc, 300);
    tq_advance(&q, 1000);
    cr_assert_eq(3, log.n);
    cr_expect_eq(2, log.who[0]); cr_expect_eq(100, log.when[0]);
    cr_expect_eq(1, log.who[1]); cr_expect_eq(300, log.when[1]);
    cr_expect_eq(3, log.who[2]); cr_expect_eq(300, log.when[2]);
    cr_expect_eq(1000, tq_now(&q));
}

Test(timers, a_timer_not_yet_due_does_not_fire_and_bounds_the_next_deadline)
{
    struct timer_queue q; struct log log = { 0 };
    struct probe a = { &log, 1, &q, 0 };
    struct timer ta;
    tq_init(&q);
    timer_init(&ta, fired, &a);
    cr_expect_eq(UINT64_MAX, tq_next_deadline(&q));
    timer_arm(&q, &ta, 500);
    tq_advance(&q, 499);
    cr_expect_eq(0, log.n);
    cr_expect_eq(500, tq_next_deadline(&q));
    timer_disarm(&q, &ta);
    tq_advance(&q, 10000);
    cr_expect_eq(0, log.n, "a disarmed timer never fires");
}

static void rearm(void *ctx, uint64_t now)
{
    struct probe *p = ctx;
    fired(ctx, now);
    extern struct timer rearm_timer;
    if (p->log->n < 4) timer_arm(p->q, &rearm_timer, now + p->period);
}
struct timer rearm_timer;

Test(timers, a_callback_rearming_itself_fires_at_exact_multiples_within_one_advance)
{
    struct timer_queue q; struct log log = { 0 };
    struct probe p = { &log, 7, &q, 250 };
    tq_init(&q);
    timer_init(&rearm_timer, rearm, &p);
    timer_arm(&q, &rearm_timer, 250);
    tq_advance(&q, 10000);
    cr_assert_eq(4, log.n);
    for (int i = 0; i < 4; i++) cr_expect_eq(250u * (i + 1), log.when[i], "firing %d", i);
}

Test(timers, the_clock_never_moves_backwards)
{
    struct timer_queue q;
    tq_init(&q);
    tq_advance(&q, 100);
    tq_advance(&q, 50);
    cr_expect_eq(100, tq_now(&q));
}
