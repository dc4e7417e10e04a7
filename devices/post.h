/* post.h - the POST diagnostic port at 0x80 (the IBM PC/AT "manufacturing
 * checkpoint" port that BIOSes write progress codes to, shown on a POST card).
 * Writes are recorded with their virtual time in a ring of the last 64; a read
 * returns the last value written; an optional callback traces each code.
 */
#ifndef RINGSIM_POST_H
#define RINGSIM_POST_H

#include <stdbool.h>
#include <stdint.h>

struct bus;
struct timer_queue;

#define POST_PORT    0x80
#define POST_HISTORY 64

typedef void (*post_trace_fn)(void *ctx, uint8_t code, uint64_t now_ns);

struct post_entry {
    uint8_t code;
    uint64_t ns;              /* virtual time of the write */
};

struct post {
    struct timer_queue *q;    /* read for the time only */
    uint8_t last;
    uint64_t writes;          /* total writes; the ring holds the last POST_HISTORY */
    struct post_entry ring[POST_HISTORY];
    post_trace_fn trace;      /* may be NULL */
    void *ctx;
};

void post_init(struct post *p, struct timer_queue *q, post_trace_fn trace, void *ctx);
int post_attach(struct post *p, struct bus *bus);
/* How many entries the history holds (at most POST_HISTORY). */
unsigned post_history_len(const struct post *p);
/* The entry age writes back: 0 is the newest.  false if age >= post_history_len(). */
bool post_history(const struct post *p, unsigned age, struct post_entry *out);

#endif
