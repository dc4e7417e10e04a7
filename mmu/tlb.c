/* tlb.c - the architectural TLB (SDM Vol. 3 4.10): lookup by linear page
 * and PCID, insertion with FIFO replacement per set, and the invalidations
 * of MOV to CR0/CR3/CR4, INVLPG, INVPCID and page faults.  See tlb.h.
 */
#include <string.h>
#include "cpu/cpu.h"
#include "cpu/exec.h"
#include "mmu/tlb.h"

static const char *const cause_names[TLB_CAUSE_COUNT] = {
    [TLB_CAUSE_CR3] = "cr3", [TLB_CAUSE_CR0] = "cr0", [TLB_CAUSE_CR4] = "cr4",
    [TLB_CAUSE_INVLPG] = "invlpg", [TLB_CAUSE_INVPCID_ADDR] = "invpcid-address",
    [TLB_CAUSE_INVPCID_PCID] = "invpcid-context", [TLB_CAUSE_INVPCID_ALL] = "invpcid-all",
    [TLB_CAUSE_INVPCID_NONGLOBAL] = "invpcid-nonglobal", [TLB_CAUSE_PF] = "page-fault",
};

const char *tlb_cause_name(unsigned cause)
{
    return cause < TLB_CAUSE_COUNT ? cause_names[cause] : "?";
}

unsigned tlb_current_pcid(const struct cpu *cpu)
{
    return (cpu->cr4 & CR4_PCIDE) ? (unsigned)(cpu->cr3 & 0xFFF) : 0;
}

const struct atlb_stats *tlb_stats(const struct cpu *cpu)
{
    return &cpu->atlb.stats;
}

static unsigned set_of(uint64_t lin)
{
    return (unsigned)((lin >> 12) & (ATLB_SETS - 1));
}

struct atlb_entry *tlb_lookup(struct cpu *cpu, uint64_t lin)
{
    uint64_t vpage = lin & ~0xFFFull;
    unsigned pcid = tlb_current_pcid(cpu);
    struct atlb_entry *ways = cpu->atlb.set[set_of(lin)];
    for (unsigned w = 0; w < ATLB_WAYS; w++) {
        struct atlb_entry *e = &ways[w];
        if (e->valid && e->vpage == vpage && (e->pcid == pcid || e->global)) {
            cpu->atlb.stats.hits++;
            return e;
        }
    }
    cpu->atlb.stats.misses++;
    return NULL;
}

/* An entry leaves: the speed TLB must not keep what it cached from it. */
static void drop(struct cpu *cpu, struct atlb_entry *e)
{
    speed_tlb_drop_page(cpu, e->vpage);
    e->valid = 0;
}

struct atlb_entry *tlb_insert(struct cpu *cpu, const struct atlb_entry *n)
{
    unsigned s = set_of(n->vpage);
    struct atlb_entry *ways = cpu->atlb.set[s], *slot = NULL;
    for (unsigned w = 0; w < ATLB_WAYS && !slot; w++)
        if (ways[w].valid && ways[w].vpage == n->vpage &&
            (ways[w].pcid == n->pcid || ways[w].global))
            slot = &ways[w];                /* the same translation, renewed */
    for (unsigned w = 0; w < ATLB_WAYS && !slot; w++)
        if (!ways[w].valid) slot = &ways[w];
    if (!slot) {
        slot = &ways[cpu->atlb.next[s]];
        cpu->atlb.next[s] = (uint8_t)((cpu->atlb.next[s] + 1) % ATLB_WAYS);
        cpu->atlb.stats.evictions++;
        drop(cpu, slot);
    }
    *slot = *n;
    slot->valid = 1;
    cpu->atlb.stats.fills++;
    return slot;
}

static void report(struct cpu *cpu, enum tlb_cause cause, uint64_t addr, unsigned pcid,
                   unsigned dropped)
{
    cpu->atlb.stats.flushes[cause]++;
    cpu->atlb.stats.dropped += dropped;
    if (cpu->on_tlb_flush) cpu->on_tlb_flush(cpu->observer, cause, addr, pcid);
}

void tlb_invalidate_page(struct cpu *cpu, uint64_t lin, unsigned pcid, bool globals,
                         enum tlb_cause cause)
{
    unsigned n = 0;
    for (unsigned s = 0; s < ATLB_SETS; s++) {
        for (unsigned w = 0; w < ATLB_WAYS; w++) {
            struct atlb_entry *e = &cpu->atlb.set[s][w];
            if (!e->valid || (lin >> e->size_shift) != (e->vbase >> e->size_shift)) continue;
            if (e->pcid == pcid ? (!e->global || globals) : (e->global && globals)) {
                drop(cpu, e);
                n++;
            }
        }
    }
    report(cpu, cause, lin, pcid, n);
}

void tlb_invalidate_pcid(struct cpu *cpu, unsigned pcid, bool globals, enum tlb_cause cause)
{
    unsigned n = 0;
    for (unsigned s = 0; s < ATLB_SETS; s++) {
        for (unsigned w = 0; w < ATLB_WAYS; w++) {
            struct atlb_entry *e = &cpu->atlb.set[s][w];
            if (e->valid && e->pcid == pcid && (globals || !e->global)) {
                drop(cpu, e);
                n++;
            }
        }
    }
    report(cpu, cause, 0, pcid, n);
}

void tlb_invalidate_all(struct cpu *cpu, bool globals, enum tlb_cause cause)
{
    unsigned n = 0;
    for (unsigned s = 0; s < ATLB_SETS; s++) {
        for (unsigned w = 0; w < ATLB_WAYS; w++) {
            struct atlb_entry *e = &cpu->atlb.set[s][w];
            if (e->valid && (globals || !e->global)) {
                e->valid = 0;
                n++;
            }
        }
    }
    speed_tlb_flush(cpu);
    report(cpu, cause, 0, tlb_current_pcid(cpu), n);
}

size_t tlb_list(const struct cpu *cpu, struct atlb_entry *out, size_t max)
{
    size_t n = 0;
    for (unsigned s = 0; s < ATLB_SETS; s++)
        for (unsigned w = 0; w < ATLB_WAYS; w++)
            if (cpu->atlb.set[s][w].valid) {
                if (n < max) out[n] = cpu->atlb.set[s][w];
                n++;
            }
    return n;
}
