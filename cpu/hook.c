/* hook.c - code hooks: host functions run before the instruction at a linear
 * address, for tracers and the debugger's breakpoints.
 *
 * The table is sorted by linear address.  The decoder ends a block before a
 * hooked address and flags a block that starts at one (cpu/exec.c), so the
 * loop looks at the table only when it enters a flagged block; everything
 * else runs as fast as without hooks.  Changing the table drops the blocks
 * that contain the address and every jump-cache entry (a block reached
 * through another linear alias is checked again when it is looked up).
 */
#include <stdlib.h>
#include <string.h>
#include "cpu.h"
#include "exec.h"

/* The first index whose address is >= lin. */
static size_t hook_index(const struct cpu_hooks *h, uint64_t lin)
{
    size_t lo = 0, hi = h->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (h->v[mid].lin < lin) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

bool cpu_hook_at(const struct cpu *cpu, uint64_t lin)
{
    size_t i = hook_index(&cpu->hooks, lin);
    return i < cpu->hooks.n && cpu->hooks.v[i].lin == lin;
}

bool cpu_hook_in(const struct cpu *cpu, uint64_t lo, uint64_t hi)
{
    size_t i = hook_index(&cpu->hooks, lo);
    return i < cpu->hooks.n && cpu->hooks.v[i].lin < hi;
}

int cpu_hook_add(struct cpu *cpu, uint64_t lin, cpu_hook_fn *fn, void *ctx)
{
    struct cpu_hooks *h = &cpu->hooks;
    size_t i = hook_index(h, lin);
    for (; i < h->n && h->v[i].lin == lin; i++)
        if (h->v[i].fn == fn && h->v[i].ctx == ctx) return 0;
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 16;
        struct cpu_hook *v = realloc(h->v, cap * sizeof *v);
        if (!v) return -1;
        h->v = v;
        h->cap = cap;
    }
    memmove(&h->v[i + 1], &h->v[i], (h->n - i) * sizeof *h->v);
    h->v[i] = (struct cpu_hook){ lin, fn, ctx };
    h->n++;
    dc_hook_changed(cpu, lin);
    return 0;
}

int cpu_hook_remove(struct cpu *cpu, uint64_t lin, cpu_hook_fn *fn, void *ctx)
{
    struct cpu_hooks *h = &cpu->hooks;
    size_t i = hook_index(h, lin);
    while (i < h->n && h->v[i].lin == lin && !(h->v[i].fn == fn && h->v[i].ctx == ctx)) i++;
    if (i == h->n || h->v[i].lin != lin) return -1;
    memmove(&h->v[i], &h->v[i + 1], (h->n - i - 1) * sizeof *h->v);
    h->n--;
    dc_hook_changed(cpu, lin);
    return 0;
}

void cpu_hooks_free(struct cpu *cpu)
{
    free(cpu->hooks.v);
    memset(&cpu->hooks, 0, sizeof cpu->hooks);
}

/* Run the hooks at lin before the instruction there executes; true when one
 * of them asked the run to stop (the instruction must not run now).  They
 * may add or remove hooks: the ones to call are copied first. */
bool cpu_hooks_run(struct cpu *cpu, uint64_t lin)
{
    struct cpu_hooks *h = &cpu->hooks;
    if (h->skip && h->skip_lin == lin && h->skip_instret == cpu->instret) return false;
    h->skip = true;
    h->skip_lin = lin;
    h->skip_instret = cpu->instret;
    size_t first = hook_index(h, lin), n = 0;
    while (first + n < h->n && h->v[first + n].lin == lin) n++;
    struct cpu_hook local[8], *calls = local;
    if (n > 8 && !(calls = malloc(n * sizeof *calls))) abort();
    memcpy(calls, &h->v[first], n * sizeof *calls);
    for (size_t k = 0; k < n; k++) calls[k].fn(cpu, calls[k].ctx, lin);
    if (calls != local) free(calls);
    return cpu->stop_requested || cpu->host.hit != HOST_HIT_NONE;
}
