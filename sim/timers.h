/* timers.h - virtual time and the deterministic timer queue.
 *
 * Time is virtual nanoseconds, advanced by the machine from retired
 * instructions and modelled cycles, never from the host clock.  Timers fire
 * in deadline order, ties in the order they were armed, so the same run
 * gives the same events every time.
 */
#ifndef RINGSIM_TIMERS_H
#define RINGSIM_TIMERS_H

#include <stdbool.h>
#include <stdint.h>

struct timer;
typedef void (*timer_fn)(void *ctx, uint64_t now_ns);

struct timer {
    timer_fn fn;
    void *ctx;
    uint64_t deadline;      /* virtual ns */
    uint64_t seq;           /* arming order, for ties */
    bool armed;
    struct timer *next;
};

struct timer_queue {
    uint64_t now;           /* virtual ns */
    uint64_t next_seq;
    struct timer *head;     /* sorted by (deadline, seq) */
};

void tq_init(struct timer_queue *q);
void timer_init(struct timer *t, timer_fn fn, void *ctx);
/* (Re)arm t for an absolute virtual time; a deadline in the past fires at the next advance. */
void timer_arm(struct timer_queue *q, struct timer *t, uint64_t deadline_ns);
void timer_disarm(struct timer_queue *q, struct timer *t);
/* Move the clock to now_ns (never backwards), firing every timer due by then;
 * a callback may re-arm its own or other timers. */
void tq_advance(struct timer_queue *q, uint64_t now_ns);
static inline uint64_t tq_now(const struct timer_queue *q) { return q->now; }
/* The earliest armed deadline, or UINT64_MAX: how far the CPU may run. */
uint64_t tq_next_deadline(const struct timer_queue *q);

#endif
