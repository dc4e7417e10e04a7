/* debug.c - the debug registers' breakpoints and alignment checking (SDM
 * Vol. 3 17.2-17.3 and 6.15 interrupt 17).
 *
 * DR7 enables up to four breakpoints on the linear addresses in DR0-DR3:
 * instruction breakpoints are faults checked before an instruction starts
 * (unless EFLAGS.RF is set); data breakpoints (write, or read/write, of 1,
 * 2, 4 or 8 bytes) are traps reported after the instruction that touched
 * them.  While any data breakpoint is enabled, or alignment checking is on
 * (CR0.AM, EFLAGS.AC and CPL 3), the speed TLB caches no data accesses, so
 * every one passes through the checks here.
 *
 * The debugger's own breakpoints and watchpoints (struct host_debug) raise
 * nothing: a hit stops cpu_run with EXIT_STOP, a breakpoint (a code hook,
 * cpu/hook.c) before its instruction, a watchpoint (on the data path here)
 * after the instruction that touched it.
 */
#include <stdlib.h>
#include <string.h>
#include "ops.h"
#include "exec.h"
#include "debug.h"
#include "system.h"

/* LEN field to a byte count: 00 1, 01 2, 10 8, 11 4. */
static unsigned bp_len(unsigned len)
{
    static const unsigned bytes[4] = { 1, 2, 8, 4 };
    return bytes[len & 3];
}

void debug_update(struct cpu *cpu)
{
    uint64_t dr7 = cpu->dr[7];
    cpu->dbg.exec = cpu->dbg.data = 0;
    for (unsigned i = 0; i < 4; i++) {
        if (!((dr7 >> (2 * i)) & 3)) continue;              /* neither L nor G */
        unsigned rw = (unsigned)(dr7 >> (16 + 4 * i)) & 3;
        if (rw == 0) cpu->dbg.exec |= (uint8_t)(1u << i);
        else if (rw == 1 || rw == 3) cpu->dbg.data |= (uint8_t)(1u << i);
        /* rw == 2: an I/O breakpoint, refused where it is enabled (debug_refuse_io) */
    }
    if (cpu->dbg.exec) cpu->debug_step = true;
    cpu_update_mode(cpu);       /* the speed TLB's data caching follows dbg.data */
}

/* I/O breakpoints (R/W = 10 with CR4.DE, SDM 17.2.4) are not implemented:
 * enabling one is a counted deferred #UD at the MOV that does it, never a
 * breakpoint that silently never fires. */
void debug_refuse_io(struct cpu *cpu, uint64_t dr7, uint64_t cr4)
{
    if (!(cr4 & CR4_DE)) return;
    for (unsigned i = 0; i < 4; i++)
        if (((dr7 >> (2 * i)) & 3) && ((dr7 >> (16 + 4 * i)) & 3) == 2)
            cpu_deferred(cpu, "I/O breakpoints (DR7 R/W = 10 with CR4.DE)");
}

unsigned debug_exec_hits(const struct cpu *cpu, uint64_t lin)
{
    unsigned hits = 0;
    for (unsigned i = 0; i < 4; i++)
        if ((cpu->dbg.exec >> i & 1) && cpu->dr[i] == lin) hits |= 1u << i;
    return hits;
}

/* The debugger's watchpoints: the first one the access overlaps is the
 * one reported (after the instruction: cpu->events ends the block). */
static void host_watch_check(struct cpu *cpu, uint64_t lin, unsigned size, int access)
{
    unsigned kind = ACC_KIND(access);
    if (kind == ACC_FETCH || cpu->host.hit) return;
    unsigned acc = kind == ACC_READ ? HOST_WATCH_READ
                 : kind == ACC_WRITE ? HOST_WATCH_WRITE : HOST_WATCH_READ | HOST_WATCH_WRITE;
    for (size_t i = 0; i < cpu->host.nwatch; i++) {
        const struct host_watch *w = &cpu->host.watch[i];
        if (!(w->kind & acc) || lin > w->addr + w->len - 1 || w->addr > lin + size - 1)
            continue;
        cpu->host.hit = HOST_HIT_WATCH;
        cpu->host.hit_kind = w->kind;
        cpu->host.hit_owners = w->owners;
        cpu->host.hit_addr = w->addr;
        cpu->events = 1;
        return;
    }
}

/* A data access of size bytes at lin: alignment first (a fault, before the
 * access), breakpoints are remembered for the trap after the instruction. */
void mem_data_checks(struct cpu *cpu, uint64_t lin, unsigned size, int access)
{
    if (cpu->align_check && !(access & ACC_SYS) && (lin & (size - 1)))
        cpu_raise(cpu, EXC_AC, 0);
    if (cpu->host.nwatch) host_watch_check(cpu, lin, size, access);
    if (!cpu->dbg.data) return;
    bool write = ACC_KIND(access) == ACC_WRITE || ACC_KIND(access) == ACC_RMW;
    uint64_t dr7 = cpu->dr[7];
    for (unsigned i = 0; i < 4; i++) {
        if (!(cpu->dbg.data >> i & 1)) continue;
        unsigned rw = (unsigned)(dr7 >> (16 + 4 * i)) & 3;
        if (rw == 1 && !write) continue;
        unsigned len = bp_len((unsigned)(dr7 >> (18 + 4 * i)));
        uint64_t start = cpu->dr[i] & ~(uint64_t)(len - 1);    /* LEN aligns the address */
        if (lin <= start + len - 1 && start <= lin + size - 1) {
            cpu->dbg.pending |= 1u << i;
            cpu->events = 1;
        }
    }
}

/* Report data-breakpoint hits of the instruction that just completed. */
_Noreturn void debug_trap(struct cpu *cpu, uint64_t extra_dr6)
{
    unsigned hits = cpu->dbg.pending;
    cpu->dbg.pending = 0;
    cpu->dr[6] = (cpu->dr[6] & ~0xFull) | hits | extra_dr6;
    cpu->insn_start = cpu->rip;
    cpu_raise(cpu, EXC_DB, EXC_NO_ERROR);
}

/* ---- the debugger's tables ------------------------------------------------ */

static size_t bp_index(const struct cpu *cpu, uint64_t lin)
{
    size_t lo = 0, hi = cpu->host.nbp;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cpu->host.bp[mid].lin < lin) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

unsigned debug_host_break_at(const struct cpu *cpu, uint64_t lin)
{
    size_t i = bp_index(cpu, lin);
    return i < cpu->host.nbp && cpu->host.bp[i].lin == lin ? cpu->host.bp[i].owners : 0;
}

/* A breakpoint is a code hook: it stops the run before its instruction,
 * except where the run resumes (debug_host_resume). */
static void host_break_hook(struct cpu *cpu, void *ctx, uint64_t lin)
{
    (void)ctx;
    if (lin == cpu->host.skip_pc && cpu->instret == cpu->host.skip_instret) return;
    cpu->host.hit = HOST_HIT_BREAK;
    cpu->host.hit_addr = lin;
    cpu->host.hit_owners = (uint8_t)debug_host_break_at(cpu, lin);
    cpu->events = 1;
}

int debug_host_break(struct cpu *cpu, uint64_t lin, unsigned owner, bool set)
{
    struct host_debug *h = &cpu->host;
    size_t i = bp_index(cpu, lin);
    bool present = i < h->nbp && h->bp[i].lin == lin;
    if (!set) {
        if (!present || !(h->bp[i].owners & owner)) return -1;
        h->bp[i].owners &= (uint8_t)~owner;
        if (h->bp[i].owners) return 0;
        memmove(&h->bp[i], &h->bp[i + 1], (h->nbp - i - 1) * sizeof *h->bp);
        h->nbp--;
        return cpu_hook_remove(cpu, lin, host_break_hook, NULL);
    }
    if (present) {
        h->bp[i].owners |= (uint8_t)owner;
        return 0;
    }
    if (h->nbp == h->bp_cap) {
        size_t cap = h->bp_cap ? 2 * h->bp_cap : 16;
        struct host_bp *bp = realloc(h->bp, cap * sizeof *bp);
        if (!bp) return -1;
        h->bp = bp;
        h->bp_cap = cap;
    }
    if (cpu_hook_add(cpu, lin, host_break_hook, NULL) != 0) return -1;
    memmove(&h->bp[i + 1], &h->bp[i], (h->nbp - i) * sizeof *h->bp);
    h->bp[i] = (struct host_bp){ lin, (uint8_t)owner };
    h->nbp++;
    return 0;
}

int debug_host_watch(struct cpu *cpu, uint64_t addr, uint64_t len, unsigned kind, unsigned owner,
                     bool set)
{
    struct host_debug *h = &cpu->host;
    if (len == 0 || kind < HOST_WATCH_WRITE || kind > HOST_WATCH_ACCESS) return -1;
    size_t i = 0;
    while (i < h->nwatch && !(h->watch[i].addr == addr && h->watch[i].len == len &&
                              h->watch[i].kind == kind)) i++;
    if (!set) {
        if (i == h->nwatch || !(h->watch[i].owners & owner)) return -1;
        h->watch[i].owners &= (uint8_t)~owner;
        if (!h->watch[i].owners) h->watch[i] = h->watch[--h->nwatch];
    } else if (i < h->nwatch) {
        h->watch[i].owners |= (uint8_t)owner;
    } else {
        if (h->nwatch == h->watch_cap) {
            size_t cap = h->watch_cap ? 2 * h->watch_cap : 8;
            struct host_watch *w = realloc(h->watch, cap * sizeof *w);
            if (!w) return -1;
            h->watch = w;
            h->watch_cap = cap;
        }
        h->watch[h->nwatch++] = (struct host_watch){ addr, len, (uint8_t)kind, (uint8_t)owner };
    }
    cpu_update_mode(cpu);       /* the speed TLB stops caching data while any is set */
    return 0;
}

void debug_host_drop(struct cpu *cpu, unsigned mask)
{
    struct host_debug *h = &cpu->host;
    for (size_t i = h->nbp; i-- > 0;)
        for (unsigned o = 1; o <= mask; o <<= 1)
            if ((mask & o) && (h->bp[i].owners & o)) debug_host_break(cpu, h->bp[i].lin, o, false);
    for (size_t i = h->nwatch; i-- > 0;) {
        struct host_watch w = h->watch[i];
        for (unsigned o = 1; o <= mask; o <<= 1)
            if ((mask & o) && (w.owners & o)) debug_host_watch(cpu, w.addr, w.len, w.kind, o, false);
    }
}

void debug_host_clear(struct cpu *cpu)
{
    for (size_t i = 0; i < cpu->host.nbp; i++)
        cpu_hook_remove(cpu, cpu->host.bp[i].lin, host_break_hook, NULL);
    free(cpu->host.bp);
    free(cpu->host.watch);
    memset(&cpu->host, 0, sizeof cpu->host);
    cpu_update_mode(cpu);
}

void debug_host_resume(struct cpu *cpu, uint64_t lin)
{
    cpu->host.hit = HOST_HIT_NONE;
    cpu->host.skip_pc = lin;
    cpu->host.skip_instret = cpu->instret;
}
