/* timers.c - the deterministic timer queue (see timers.h).  A sorted singly
 * linked list: a machine has a handful of timers, so simplicity wins. */
#include <stddef.h>
#include "timers.h"

void tq_init(struct timer_queue *q)
{
    q->now = 0;
    q->next_seq = 0;
    q->head = NULL;
}

void timer_init(struct timer *t, timer_fn fn, void *ctx)
{
    t->fn = fn;
    t->ctx = ctx;
    t->deadline = 0;
    t->seq = 0;
    t->armed = false;
    t->next = NULL;
}

void timer_disarm(struct timer_queue *q, struct timer *t)
{
    if (!t->armed) return;
    struct timer **pp = &q->head;
    while (*pp && *pp != t) pp = &(*pp)->next;
    if (*pp) *pp = t->next;
    t->armed = false;
    t->next = NULL;
}

static bool before(const struct timer *a, const struct timer *b)
{
    return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

void timer_arm(struct timer_queue *q, struct timer *t, uint64_t deadline_ns)
{
    timer_disarm(q, t);
    t->deadline = deadline_ns;
    t->seq = q->next_seq++;
    t->armed = true;
    struct timer **pp = &q->head;
    while (*pp && before(*pp, t)) pp = &(*pp)->next;
    t->next = *pp;
    *pp = t;
}

void tq_advance(struct timer_queue *q, uint64_t now_ns)
{
    if (now_ns < q->now) now_ns = q->now;
    while (q->head && q->head->deadline <= now_ns) {
        struct timer *t = q->head;
        q->head = t->next;
        t->next = NULL;
        t->armed = false;
        /* Callbacks see the time the timer was due, so periodic devices stay exact. */
        q->now = t->deadline > q->now ? t->deadline : q->now;
        t->fn(t->ctx, q->now);
    }
    q->now = now_ns;
}

uint64_t tq_next_deadline(const struct timer_queue *q)
{
    return q->head ? q->head->deadline : UINT64_MAX;
}
