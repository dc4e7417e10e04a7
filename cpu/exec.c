/* exec.c - decode once, run many times: the decode cache and the dispatch loop.
 *
 * Instructions are decoded into blocks (straight-line runs ending at a branch,
 * a block-ending row, the end of a page or BLOCK_MAX) cached by physical
 * address and decode mode; a direct-mapped jump cache maps a linear RIP to
 * its block.  A store to a page holding decoded code drops that page's blocks
 * (self-modifying code).  The loop calls each instruction's handler through
 * its pointer; cpu_raise() unwinds to the one setjmp here.  A code hook's
 * address (cpu/hook.c) always starts a block, flagged so that the loop calls
 * the hook when it enters it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ops.h"
#include "exec.h"
#include "system.h"
#include "cycles.h"
#include "fast.h"
#include "debug.h"
#include "mmu/bus.h"

#define BLOCK_MAX   48
#define HASH_BITS   14
#define JUMP_BITS   12
#define DEAD_LIMIT  256

struct block {
    uint64_t phys;              /* physical address of the first instruction */
    uint64_t lin;               /* linear address it was entered at (jump-cache key) */
    uint8_t  dmode;
    bool     valid;
    bool     hooked;            /* a code hook is at lin: the loop calls it on entry */
    uint16_t n;
    uint16_t bytes;             /* length of the instructions, from lin */
    uint32_t *costs;            /* costs[i]: cycles of instructions 0..i */
    struct block *hash_next;    /* same (phys, dmode) hash bucket */
    struct block *page_next;    /* same physical page */
    struct block *dead_next;    /* invalidated, waiting to be freed */
    struct insn insn[];
};

struct decode_cache {
    struct block *hash[1u << HASH_BITS];
    struct block **page_head;   /* per RAM page: the blocks decoded from it */
    uint64_t npages;
    struct { uint64_t lin; uint8_t dmode; uint32_t gen; struct block *b; } jump[1u << JUMP_BITS];
    struct block *dead;
    unsigned ndead;
    struct block *scratch;      /* one-instruction block for uncached execution */
};

/* ---- the cache ------------------------------------------------------- */

static void bus_wrote_ram(void *ctx, uint64_t phys, uint64_t len);
static void bus_map_changed(void *ctx);

/* The cache, and the bus's two ways of telling it that bytes or mappings
 * changed under decoded code. */
int dc_init(struct cpu *cpu)
{
    struct decode_cache *dc = calloc(1, sizeof *dc);
    if (!dc) return -1;
    dc->npages = cpu->bus->ram_size >> 12;
    dc->page_head = calloc(dc->npages ? dc->npages : 1, sizeof *dc->page_head);
    dc->scratch = calloc(1, sizeof(struct block) + sizeof(struct insn) + sizeof(uint32_t));
    if (dc->scratch) {
        dc->scratch->n = 1;
        dc->scratch->costs = (uint32_t *)(dc->scratch->insn + 1);
    }
    if (!dc->page_head || !dc->scratch) {
        free(dc->page_head);
        free(dc->scratch);
        free(dc);
        return -1;
    }
    cpu->dc = dc;
    cpu->bus->on_ram_write = bus_wrote_ram;
    cpu->bus->on_ram_write_ctx = cpu;
    cpu->bus->on_map_change = bus_map_changed;
    cpu->bus->on_map_change_ctx = cpu;
    return 0;
}

static void free_dead(struct decode_cache *dc)
{
    while (dc->dead) {
        struct block *b = dc->dead;
        dc->dead = b->dead_next;
        free(b);
    }
    dc->ndead = 0;
}

void dc_flush_all(struct cpu *cpu)
{
    struct decode_cache *dc = cpu->dc;
    for (uint64_t p = 0; p < dc->npages; p++)
        if (dc->page_head[p]) dc_invalidate_page(cpu, p << 12);
    dc_flush_jump_cache(cpu);
}

void dc_free(struct cpu *cpu)
{
    struct decode_cache *dc = cpu->dc;
    if (!dc) return;
    for (uint64_t p = 0; p < dc->npages; p++) {
        struct block *b = dc->page_head[p];
        while (b) {
            struct block *next = b->page_next;
            free(b);
            b = next;
        }
    }
    free_dead(dc);
    free(dc->page_head);
    free(dc->scratch);
    free(dc);
    cpu->dc = NULL;
    if (cpu->bus->on_ram_write_ctx == cpu) cpu->bus->on_ram_write = NULL;
    if (cpu->bus->on_map_change_ctx == cpu) cpu->bus->on_map_change = NULL;
}

static unsigned hash_of(uint64_t phys, unsigned dmode)
{
    uint64_t h = (phys ^ (phys >> HASH_BITS) ^ ((uint64_t)dmode << 3)) * 0x9E3779B97F4A7C15ull;
    return (unsigned)(h >> (64 - HASH_BITS));
}

static unsigned jump_slot(uint64_t lin)
{
    return (unsigned)((lin ^ (lin >> JUMP_BITS)) & ((1u << JUMP_BITS) - 1));
}

bool dc_page_has_code(struct cpu *cpu, uint64_t ppage)
{
    uint64_t p = ppage >> 12;
    return p < cpu->dc->npages && cpu->dc->page_head[p] != NULL;
}

void dc_flush_jump_cache(struct cpu *cpu)
{
    memset(cpu->dc->jump, 0, sizeof cpu->dc->jump);
    free_dead(cpu->dc);         /* nothing can point at a dead block any more */
}

static void unlink_hash(struct decode_cache *dc, struct block *b)
{
    struct block **pp = &dc->hash[hash_of(b->phys, b->dmode)];
    while (*pp && *pp != b) pp = &(*pp)->hash_next;
    if (*pp) *pp = b->hash_next;
}

/* Drop every block decoded from a physical page.  The block being executed
 * may be among them: it is only marked invalid here and freed later, and
 * cpu->events makes the loop leave it after the current instruction. */
void dc_invalidate_page(struct cpu *cpu, uint64_t ppage)
{
    struct decode_cache *dc = cpu->dc;
    uint64_t p = ppage >> 12;
    if (p >= dc->npages) return;
    struct block *b = dc->page_head[p];
    dc->page_head[p] = NULL;
    while (b) {
        struct block *next = b->page_next;
        b->valid = false;
        unlink_hash(dc, b);
        b->dead_next = dc->dead;
        dc->dead = b;
        dc->ndead++;
        cpu->stats.blocks_invalidated++;
        b = next;
    }
    cpu->events = 1;
}

void cpu_invalidate_code(struct cpu *cpu, uint64_t phys, uint64_t len)
{
    if (len == 0) return;
    for (uint64_t page = phys & ~0xFFFull; page < phys + len; page += 0x1000)
        if (dc_page_has_code(cpu, page)) dc_invalidate_page(cpu, page);
}

static void bus_wrote_ram(void *ctx, uint64_t phys, uint64_t len)
{
    cpu_invalidate_code(ctx, phys, len);
}

/* A20 or the ROM changed: the same linear address may now reach other bytes. */
static void bus_map_changed(void *ctx)
{
    struct cpu *cpu = ctx;
    cpu_tlb_flush(cpu);
    cpu->events = 1;
}

/* ---- building blocks -------------------------------------------------- */

/* Pseudo-handlers for bytes that do not decode: the fault happens when the
 * instruction is reached, not when it is decoded. */
static void op_decode_ud(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    cpu_raise(cpu, EXC_UD, EXC_NO_ERROR);
}

static void op_decode_gp(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    cpu_raise(cpu, EXC_GP, 0);
}

static void set_fault(struct insn *in, int status)
{
    uint8_t len = in->len;
    memset(in, 0, sizeof *in);
    in->len = len ? len : 1;
    in->fn = status == DEC_TOOLONG ? op_decode_gp : op_decode_ud;
    in->cls = CC_SYSTEM;
}

/* What the decoder needs to know about this CPU. */
static struct decode_ctx decode_ctx_of(const struct cpu *cpu)
{
    return (struct decode_ctx){ (enum dmode)cpu->dmode, cpu->model->vendor, cpu->features };
}

/* A decoded instruction's cycle cost and its specialized handler. */
static void finish_decoded(const struct cpu *cpu, struct insn *in)
{
    in->cost = (uint8_t)cycles_for(cpu)[in->cls];
    specialize(in);
}

/* A block ends after a branch, after a row that may change how the next
 * instruction decodes or whether an interrupt may come (F_STOP), and after a
 * REP string instruction, which restarts itself every so many iterations. */
static bool ends_block(const struct insn *in)
{
    uint64_t flags = op_table[in->row].flags;
    return (flags & (F_BRANCH | F_STOP)) || ((flags & F_REP) && in->rep);
}

/* Bytes the instruction at rip may use within the CS limit (protected and
 * real mode) and the page; 64-bit mode has no limit. */
static uint64_t fetch_window(const struct cpu *cpu, uint64_t rip, uint64_t in_page)
{
    if (cpu->dmode == DM_64) return in_page;
    uint64_t limit = cpu->seg[SEG_CS].limit;
    if (rip > limit) return 0;
    uint64_t room = limit - rip + 1;
    return room < in_page ? room : in_page;
}

/* The linear address delta bytes after rip (IP wraps at the CS width). */
static uint64_t lin_at(const struct cpu *cpu, uint64_t rip, uint64_t delta)
{
    uint64_t lin = cpu->seg[SEG_CS].base + ((rip + delta) & cpu->ip_mask);
    return cpu->dmode == DM_64 ? lin : (uint32_t)lin;
}

static struct block *new_block(struct cpu *cpu, uint64_t phys, uint64_t lin, const uint8_t *page,
                               uint64_t rip)
{
    struct insn tmp[BLOCK_MAX];
    unsigned n = 0;
    unsigned off = (unsigned)(phys & 0xFFF), start = off;
    const struct decode_ctx ctx = decode_ctx_of(cpu);
    bool hooks = cpu->hooks.n != 0;
    while (n < BLOCK_MAX) {
        if (hooks && n && cpu_hook_at(cpu, lin_at(cpu, rip, off - start))) break;
        uint64_t window = fetch_window(cpu, (rip + off - (phys & 0xFFF)) & cpu->ip_mask,
                                       0x1000 - off);
        struct insn *in = &tmp[n];
        int st = window ? decode(in, page + off, window, &ctx) : DEC_MORE;
        if (st == DEC_MORE) {
            if (window == 0x1000 - off) break;     /* crosses the page: runs uncached */
            set_fault(in, DEC_TOOLONG);            /* runs past the CS limit: #GP(0) */
            n++;
            break;
        }
        if (st != DEC_OK) {
            set_fault(in, st);
            n++;
            break;
        }
        finish_decoded(cpu, in);
        n++;
        off += in->len;
        if (ends_block(in) || off >= 0x1000) break;
    }
    if (n == 0) return NULL;
    struct block *b = malloc(sizeof *b + n * sizeof(struct insn) + n * sizeof(uint32_t));
    if (!b) {
        fprintf(stderr, "ringsim: out of host memory for decoded code\n");
        abort();
    }
    b->phys = phys;
    b->lin = lin;
    b->dmode = cpu->dmode;
    b->valid = true;
    b->hooked = hooks && cpu_hook_at(cpu, lin);
    b->n = (uint16_t)n;
    b->bytes = (uint16_t)(off - start);
    if (off == start) b->bytes = tmp[0].len;    /* a single instruction that faults */
    memcpy(b->insn, tmp, n * sizeof(struct insn));
    b->costs = (uint32_t *)(b->insn + n);
    for (unsigned i = 0; i < n; i++) b->costs[i] = (i ? b->costs[i - 1] : 0) + tmp[i].cost;
    return b;
}

static void insert_block(struct cpu *cpu, struct block *b)
{
    struct decode_cache *dc = cpu->dc;
    uint64_t p = b->phys >> 12;
    unsigned h = hash_of(b->phys, b->dmode);
    if (!dc->page_head[p]) tlb_drop_write(cpu, b->phys & ~0xFFFull);  /* now a code page */
    b->hash_next = dc->hash[h];
    dc->hash[h] = b;
    b->page_next = dc->page_head[p];
    dc->page_head[p] = b;
    cpu->stats.blocks_decoded++;
}

static struct block *find_block(struct decode_cache *dc, uint64_t phys, unsigned dmode)
{
    for (struct block *b = dc->hash[hash_of(phys, dmode)]; b; b = b->hash_next)
        if (b->phys == phys && b->dmode == dmode) return b;
    return NULL;
}

static uint64_t current_linear(const struct cpu *cpu)
{
    uint64_t lin = cpu->seg[SEG_CS].base + cpu->rip;
    return cpu->dmode == DM_64 ? lin : (uint32_t)lin;
}

static void check_fetch(struct cpu *cpu)
{
    cpu->insn_start = cpu->rip;     /* a fault here is at this RIP, not the last one's */
    if (cpu->dmode == DM_64) {
        if (!canonical(cpu, cpu->rip)) cpu_raise(cpu, EXC_GP, 0);
    } else if (cpu->rip > cpu->seg[SEG_CS].limit) {
        cpu_raise(cpu, EXC_GP, 0);
    }
}

/* A block decoded at another linear alias of its page is right for lin
 * only if the hooks at lin and inside it are those it was decoded for. */
static bool hooks_agree(const struct cpu *cpu, const struct block *b, uint64_t lin)
{
    return b->hooked == cpu_hook_at(cpu, lin) && !cpu_hook_in(cpu, lin + 1, lin + b->bytes) &&
           !cpu_hook_in(cpu, b->lin + 1, b->lin + b->bytes);
}

/* The hook table changed at lin: blocks holding it (other than at their
 * start, or flagged for it) are dropped with their page, and the jump cache
 * is emptied by a new fetch generation (an alias is checked at lookup).
 * Nothing is freed: a hook may change the table while its block is held. */
void dc_hook_changed(struct cpu *cpu, uint64_t lin)
{
    struct decode_cache *dc = cpu->dc;
    for (unsigned h = 0; h < (1u << HASH_BITS); h++) {
    again:
        for (struct block *b = dc->hash[h]; b; b = b->hash_next) {
            if (lin >= b->lin && lin < b->lin + b->bytes) {
                dc_invalidate_page(cpu, b->phys & ~0xFFFull);
                goto again;
            }
        }
    }
    speed_tlb_new_gen(cpu, cpu->tlb_cur);
    cpu->events = 1;
}

/* The block for the current RIP, decoding it if needed: the jump cache missed. */
static __attribute__((noinline)) struct block *block_lookup(struct cpu *cpu, uint64_t lin,
                                                           unsigned slot)
{
    struct decode_cache *dc = cpu->dc;
    cpu->insn_start = cpu->rip;     /* a fetch fault reports this instruction */
    check_fetch(cpu);
    uint64_t phys;
    const uint8_t *host = mem_fetch_ptr(cpu, lin, &phys);
    if (!host || (phys >> 12) >= dc->npages) return NULL;
    struct block *b = find_block(dc, phys, cpu->dmode);
    if (b && cpu->hooks.n && b->lin != lin && !hooks_agree(cpu, b, lin)) {
        dc_invalidate_page(cpu, phys & ~0xFFFull);   /* decoded for another alias */
        b = NULL;
    }
    if (!b) {
        b = new_block(cpu, phys, lin, host, cpu->rip);
        if (!b) return NULL;
        insert_block(cpu, b);
    }
    dc->jump[slot].lin = lin;
    dc->jump[slot].dmode = cpu->dmode;
    dc->jump[slot].gen = cpu->fetch_gen;
    dc->jump[slot].b = b;
    return b;
}

/* The block for the current RIP, or NULL when the instruction must run
 * uncached (it crosses a page, or the page is not RAM).  The jump cache is
 * keyed by linear address: an entry is used only in the speed-TLB
 * generation it was made in (cpu->fetch_gen moves whenever a fetch
 * translation is dropped or changed), so paging (CPL, NX, SMEP, a new CR3,
 * INVLPG) is never bypassed. */
static inline struct block *block_for_rip(struct cpu *cpu)
{
    struct decode_cache *dc = cpu->dc;
    uint64_t lin = current_linear(cpu);
    unsigned slot = jump_slot(lin);
    struct block *b = dc->jump[slot].b;
    if (likely(b && dc->jump[slot].lin == lin && dc->jump[slot].gen == cpu->fetch_gen &&
               dc->jump[slot].dmode == cpu->dmode && b->valid))
        return b;
    return block_lookup(cpu, lin, slot);
}

/* ---- running ------------------------------------------------------------ */

/* Run a block.  instret and cycles are brought up to date once at its end
 * (costs[] holds the running sums); a fault in the middle is accounted by
 * account_partial_block(), and cpu_cycles_now() gives exact values to
 * anything that asks in between (RDTSC, devices). */
static inline void run_block(struct cpu *cpu, const struct block *b, uint64_t budget)
{
    const struct insn *in = b->insn;
    const struct insn *end = in + (b->n < budget ? b->n : budget);
    cpu->cur_block = b;
    cpu->block_rip = cpu->rip;
    cpu->stats.blocks_run++;
    do {
        cpu->insn_start = cpu->rip;
        cpu->rip = (cpu->rip + in->len) & cpu->ip_mask;
        in->fn(cpu, in);
    } while (++in < end && !cpu->events);
    unsigned done = (unsigned)(in - b->insn);
    cpu->instret += done;
    cpu->cycles += b->costs[done - 1];
    cpu->cur_block = NULL;
}

/* How many instructions of the running block retired before the one at
 * cpu->insn_start (0 between blocks). */
static unsigned retired_in_block(const struct cpu *cpu)
{
    const struct block *b = cpu->cur_block;
    if (!b) return 0;
    uint64_t rip = cpu->block_rip;
    unsigned done = 0;
    while (done < b->n && rip != cpu->insn_start) {
        rip = (rip + b->insn[done].len) & cpu->ip_mask;
        done++;
    }
    return done;
}

/* The counters as of the instruction now executing: instret and cycles are
 * brought up to date only at block ends, so a device asking the time in the
 * middle of a block (an IN from a timer) adds the block's retired part. */
uint64_t cpu_cycles_now(const struct cpu *cpu)
{
    unsigned done = retired_in_block(cpu);
    return cpu->cycles + (done ? cpu->cur_block->costs[done - 1] : 0);
}

uint64_t cpu_instret_now(const struct cpu *cpu)
{
    return cpu->instret + retired_in_block(cpu);
}

uint64_t cpu_time_now(const struct cpu *cpu)
{
    return cpu->cycle_model ? cpu_cycles_now(cpu) : cpu_instret_now(cpu);
}

/* After an exception unwound out of run_block: count the instructions of the
 * block that retired before the one at cpu->insn_start, and return that one. */
static const struct insn *account_partial_block(struct cpu *cpu)
{
    const struct block *b = cpu->cur_block;
    if (!b) return NULL;
    unsigned done = retired_in_block(cpu);
    if (done) {
        cpu->instret += done;
        cpu->cycles += b->costs[done - 1];
    }
    cpu->cur_block = NULL;
    return done < b->n ? &b->insn[done] : NULL;
}

/* INT n, INT3, INTO and INT1 complete before their interrupt is delivered
 * (trap-like: the saved RIP is the next instruction), so they retire once
 * delivery has succeeded or the run stops to report them.  A fault never
 * retires, and neither does an INT whose delivery faulted. */
static bool exception_unwound(struct cpu *cpu)
{
    const struct insn *in = account_partial_block(cpu);
    bool retires = cpu->exc_source != INT_EXCEPTION;
    bool stop = exception_dispatch(cpu);
    if (retires && in && (!stop || cpu->exit_reason == EXIT_EXCEPTION)) {
        cpu->instret++;
        cpu->cycles += in->cost;
    }
    return stop;
}

/* Fetch up to 15 bytes at the current RIP through the bus: for an
 * instruction that crosses a page or lives outside RAM.  The second page is
 * translated only if the instruction really extends into it.  False when a
 * code hook there stopped the run before it. */
static bool run_uncached(struct cpu *cpu)
{
    uint8_t bytes[15];
    struct insn *in = &cpu->dc->scratch->insn[0];
    uint64_t lin = current_linear(cpu);
    if (cpu->hooks.n && cpu_hook_at(cpu, lin) && cpu_hooks_run(cpu, lin)) return false;
    uint64_t in_page = 0x1000 - (lin & 0xFFF);
    uint64_t window = fetch_window(cpu, cpu->rip, 15);
    uint64_t first = window < in_page ? window : in_page;
    uint64_t p1 = mem_fetch_phys(cpu, lin);
    for (unsigned k = 0; k < first; k++) bytes[k] = (uint8_t)bus_read(cpu->bus, p1 + k, 1);
    const struct decode_ctx ctx = decode_ctx_of(cpu);
    int st = decode(in, bytes, first, &ctx);
    if (st == DEC_MORE && window > first) {
        uint64_t lin2 = cpu->dmode == DM_64 ? lin + in_page : (uint32_t)(lin + in_page);
        uint64_t p2 = mem_fetch_phys(cpu, lin2);
        for (unsigned k = (unsigned)first; k < window; k++)
            bytes[k] = (uint8_t)bus_read(cpu->bus, p2 + (k - first), 1);
        st = decode(in, bytes, window, &ctx);
    }
    if (st == DEC_MORE) st = DEC_TOOLONG;   /* ran into the CS limit */
    if (st != DEC_OK) set_fault(in, st);
    else finish_decoded(cpu, in);
    cpu->dc->scratch->costs[0] = in->cost;
    run_block(cpu, cpu->dc->scratch, 1);
    return true;
}

void cpu_set_intr(struct cpu *cpu, bool level)
{
    cpu->intr = level;
    if (level) cpu->events = 1;     /* look at it after the current instruction */
}

void cpu_set_nmi(struct cpu *cpu)
{
    cpu->nmi_pending = true;
    cpu->events = 1;
}

/* An NMI is taken whatever IF says, unless one is being handled (blocked
 * until the next IRET, SDM Vol. 3 6.7.1).  It is delivered as vector 2 from
 * outside, like INTR; delivery sets the blocking. */
static bool nmi_ready(const struct cpu *cpu)
{
    return cpu->nmi_pending && !cpu->nmi_blocked;
}

static void accept_nmi(struct cpu *cpu)
{
    cpu->nmi_pending = false;
    cpu->nmi_blocked = true;
    cpu->halted = false;
    cpu->insn_start = cpu->rip;
    cpu_raise_int(cpu, EXC_NMI, INT_EXTERNAL);
}

/* Accept a maskable interrupt: the INTA cycle, then delivery through the one
 * exception path (which does not return: it unwinds to the dispatch loop).
 * A controller that withdrew its request returns -1: nothing happens. */
static void accept_interrupt(struct cpu *cpu)
{
    int vector = cpu->intr_ack ? cpu->intr_ack(cpu->intr_ctx) : -1;
    if (vector < 0) return;
    cpu->halted = false;
    cpu->insn_start = cpu->rip;
    cpu_raise_int(cpu, vector & 0xFF, INT_EXTERNAL);
}

/* Enter a block: its hooks first.  False when the block must not run now
 * (a hook stopped the run, changed the code or the RIP under it, or set TF
 * or a breakpoint: the debugger stepping into the hooked instruction, which
 * then goes through the debug path). */
static inline bool enter_block(struct cpu *cpu, const struct block *b)
{
    if (likely(!b->hooked)) return true;
    uint64_t lin = current_linear(cpu);
    bool stepping = cpu->debug_step;
    if (cpu_hooks_run(cpu, lin)) return false;
    return b->valid && current_linear(cpu) == lin && cpu->debug_step == stepping;
}

/* Run one instruction: the one an interrupt shadow (STI, MOV SS, POP SS)
 * covers, before any pending interrupt (SDM Vol. 3 6.8.3), or one under the
 * debug machinery.  False when a code hook kept it from running. */
static bool run_one(struct cpu *cpu)
{
    const struct block *b = block_for_rip(cpu);
    if (b) {
        if (!enter_block(cpu, b)) return false;
        run_block(cpu, b, 1);
        return true;
    }
    return run_uncached(cpu);
}

/* At a block boundary: a pending, unmasked INTR is accepted unless the
 * previous instruction opened a shadow.  The shadow lasts one instruction
 * either way. */
static void check_interrupts(struct cpu *cpu)
{
    bool nmi = nmi_ready(cpu);
    if (!nmi && !(cpu->intr && (cpu->rflags & FL_IF))) {
        cpu->interrupt_shadow = 0;
        return;
    }
    if (cpu->interrupt_shadow) {
        uint8_t shadow = cpu->interrupt_shadow;
        cpu->interrupt_shadow = 0;
        if (!run_one(cpu)) cpu->interrupt_shadow = shadow;     /* still before it */
        cpu->events = 1;
        return;
    }
    if (nmi) accept_nmi(cpu);
    accept_interrupt(cpu);
}

/* One instruction under the debug machinery (SDM Vol. 3 17.3): an enabled
 * instruction breakpoint at its linear address is a #DB fault before it
 * runs, unless EFLAGS.RF (set by the IRET that resumes it) suppresses it
 * once; with EFLAGS.TF set when it starts, a #DB trap follows it with DR6.BS
 * (and any data-breakpoint hits of the same instruction).  An instruction
 * that faults or delivers an interrupt does not trap (delivery clears TF;
 * the handler's IRET restores it).  After MOV SS or POP SS the trap waits
 * one more instruction, as interrupts do.  Code hooks at the instruction
 * (the debugger's breakpoints) come first: one that stops the run leaves
 * the instruction and the guest's breakpoint for later (the loop stops). */
static void step_debugged(struct cpu *cpu)
{
    if (cpu->hooks.n) {
        uint64_t lin = current_linear(cpu);
        if (cpu_hook_at(cpu, lin) && cpu_hooks_run(cpu, lin)) return;
    }
    if (cpu->dbg.exec) {
        bool rf = (cpu->rflags & FL_RF) && cpu_instret_now(cpu) < cpu->rf_until;
        uint64_t lin = cpu->seg[SEG_CS].base + cpu->rip;
        unsigned hits = rf ? 0 : debug_exec_hits(cpu, cpu->dmode == DM_64 ? lin : (uint32_t)lin);
        if (hits) {
            cpu->dr[6] = (cpu->dr[6] & ~0xFull) | hits;
            cpu->insn_start = cpu->rip;
            cpu_raise(cpu, EXC_DB, EXC_NO_ERROR);
        }
    }
    bool tf = cpu->rflags & FL_TF;
    if (!run_one(cpu) || !tf) return;
    if (cpu->interrupt_shadow == SHADOW_MOV_SS && cpu->instret < cpu->run_end) {
        cpu->interrupt_shadow = 0;
        if (!run_one(cpu)) return;
    }
    cpu->events = 1;
    debug_trap(cpu, DR6_BS);
}

/* Things that happen between blocks.  Returns true when the run must stop. */
static bool handle_events(struct cpu *cpu)
{
    cpu->events = 0;
    if (cpu->dc->ndead > DEAD_LIMIT) dc_flush_jump_cache(cpu);
    if (cpu->host.hit) {            /* a debugger watchpoint: stop; a guest #DB waits */
        cpu->events = cpu->dbg.pending != 0;
        cpu->exit_reason = EXIT_STOP;
        return true;
    }
    if (cpu->dbg.pending) debug_trap(cpu, 0);   /* data breakpoints of the last instruction */
    if (cpu->stop_requested) {
        cpu->stop_requested = false;
        cpu->exit_reason = EXIT_STOP;
        return true;
    }
    if (cpu->halted) {
        /* HLT resumes on an unmasked interrupt (the loop accepts it next). */
        if ((cpu->intr && (cpu->rflags & FL_IF)) || nmi_ready(cpu)) return false;
        cpu->exit_reason = EXIT_HALT;
        return true;
    }
    return false;
}

enum cpu_exit cpu_run(struct cpu *cpu, uint64_t max_insns)
{
    jmp_buf jb;
    jmp_buf *outer = cpu->unwind;
    cpu->unwind = &jb;
    cpu->run_end = cpu->instret + max_insns;
    cpu->exit_reason = EXIT_BUDGET;
    if (setjmp(jb) != 0) {
        if (exception_unwound(cpu)) goto out;
    }
    if (cpu->halted || cpu->stop_requested) cpu->events = 1;
    while (cpu->instret < cpu->run_end) {
        if (cpu->events && handle_events(cpu)) break;
        if (unlikely(cpu->attention)) {
            if (cpu->intr | cpu->interrupt_shadow | cpu->nmi_pending) {
                check_interrupts(cpu);
                if (cpu->events) continue;
            }
            if (cpu->debug_step) {
                if ((cpu->rflags & FL_TF) | cpu->dbg.exec) {
                    step_debugged(cpu);
                    continue;
                }
                cpu->debug_step = false;
            }
        }
        const struct block *b = block_for_rip(cpu);
        if (!b) run_uncached(cpu);
        else if (enter_block(cpu, b)) run_block(cpu, b, cpu->run_end - cpu->instret);
    }
out:
    cpu->unwind = outer;
    return cpu->exit_reason;
}

enum cpu_exit cpu_step(struct cpu *cpu)
{
    return cpu_run(cpu, 1);
}

void cpu_request_stop(struct cpu *cpu)
{
    cpu->stop_requested = true;
    cpu->events = 1;
}
