/* post.c - the POST code port at 0x80 (see post.h). */
#include "post.h"
#include "mmu/bus.h"
#include "sim/timers.h"

void post_init(struct post *p, struct timer_queue *q, post_trace_fn trace, void *ctx)
{
    p->q = q;
    p->last = 0;
    p->writes = 0;
    for (unsigned i = 0; i < POST_HISTORY; i++) p->ring[i] = (struct post_entry){ 0, 0 };
    p->trace = trace;
    p->ctx = ctx;
}

static uint64_t post_in(void *ctx, uint16_t port, unsigned size)
{
    struct post *p = ctx;
    (void)port; (void)size;
    return p->last;
}

static void post_out(void *ctx, uint16_t port, unsigned size, uint64_t value)
{
    struct post *p = ctx;
    (void)port; (void)size;
    uint64_t now = p->q ? tq_now(p->q) : 0;
    p->last = (uint8_t)value;
    p->ring[p->writes % POST_HISTORY] = (struct post_entry){ p->last, now };
    p->writes++;
    if (p->trace) p->trace(p->ctx, p->last, now);
}

int post_attach(struct post *p, struct bus *bus)
{
    return bus_map_ports(bus, POST_PORT, POST_PORT, post_in, post_out, p);
}

unsigned post_history_len(const struct post *p)
{
    return p->writes < POST_HISTORY ? (unsigned)p->writes : POST_HISTORY;
}

bool post_history(const struct post *p, unsigned age, struct post_entry *out)
{
    if (age >= post_history_len(p)) return false;
    *out = p->ring[(p->writes - 1 - age) % POST_HISTORY];
    return true;
}
