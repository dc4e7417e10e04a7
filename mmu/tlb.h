/* tlb.h - the architectural TLB (SDM Vol. 3 4.10): translations as the page
 * walk found them, tagged with the PCID and the global bit, kept until an
 * invalidation or a replacement removes them, so a guest that changes a
 * page-table entry without INVLPG still sees the old mapping, as on hardware.
 *
 * 64 sets of 4 ways, indexed by bits 17:12 of the linear address, with
 * first-in first-out replacement per set (deterministic).  Every entry maps
 * one 4-KiB linear page; a 2-MiB, 4-MiB or 1-GiB page is cached as 4-KiB
 * pieces that remember the large page they belong to, so INVLPG and page
 * faults anywhere in it drop all of them (SDM 4.10.2.3 allows this).
 * The speed TLB in struct cpu (cpu/mem.c) caches these entries for the
 * current permission context and never holds a page this TLB does not.
 */
#ifndef RINGSIM_TLB_H
#define RINGSIM_TLB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cpu;

#define ATLB_SETS 64
#define ATLB_WAYS 4

/* Access rights of a translation, combined over all levels (SDM 4.6). */
#define ATLB_U     0x01     /* U/S = 1 at every level: a user page */
#define ATLB_W     0x02     /* R/W = 1 at every level */
#define ATLB_NX    0x04     /* XD = 1 at some level (EFER.NXE = 1) */
#define ATLB_D     0x08     /* the final entry's dirty flag was set */

/* Why entries were invalidated (counters, traces). */
enum tlb_cause {
    TLB_CAUSE_CR3,          /* MOV to CR3 (or a task switch): the new PCID's non-global entries */
    TLB_CAUSE_CR0,          /* MOV to CR0 clearing PG */
    TLB_CAUSE_CR4,          /* MOV to CR4 changing PGE, PCIDE, PAE, PSE or SMEP */
    TLB_CAUSE_INVLPG,
    TLB_CAUSE_INVPCID_ADDR, /* INVPCID type 0 */
    TLB_CAUSE_INVPCID_PCID, /* type 1 */
    TLB_CAUSE_INVPCID_ALL,  /* type 2, globals included */
    TLB_CAUSE_INVPCID_NONGLOBAL,    /* type 3 */
    TLB_CAUSE_PF,           /* a page fault drops the faulting page's entries (4.10.4.1) */
    TLB_CAUSE_COUNT,
};
const char *tlb_cause_name(unsigned cause);

struct atlb_entry {
    uint64_t vpage;         /* linear 4-KiB page */
    uint64_t ppage;         /* physical 4-KiB page */
    uint64_t vbase;         /* linear base of the page as mapped */
    uint16_t pcid;
    uint8_t  valid, global;
    uint8_t  size_shift;    /* 12, 21, 22 or 30: the page size as mapped */
    uint8_t  perm;          /* ATLB_* */
};

struct atlb_stats {
    uint64_t hits, misses, fills, evictions;
    uint64_t walks;                     /* page walks for translations (paging_translate) */
    uint64_t flushes[TLB_CAUSE_COUNT];  /* invalidation operations by cause */
    uint64_t dropped;                   /* entries those operations removed */
};

struct arch_tlb {
    struct atlb_entry set[ATLB_SETS][ATLB_WAYS];
    uint8_t next[ATLB_SETS];            /* FIFO victim per set */
    struct atlb_stats stats;
};

/* PCID of the current address space: CR3[11:0] with CR4.PCIDE, else 0. */
unsigned tlb_current_pcid(const struct cpu *cpu);

/* The entry translating lin for the current PCID (or a global one), or NULL. */
struct atlb_entry *tlb_lookup(struct cpu *cpu, uint64_t lin);
/* Insert (or replace) the entry for e->vpage; returns where it lives. */
struct atlb_entry *tlb_insert(struct cpu *cpu, const struct atlb_entry *e);

/* Invalidations, each counted and reported to cpu->on_tlb_flush once.
 * page: entries covering lin for pcid (and global ones if globals is set);
 * pcid: entries of pcid, global ones too if globals is set;
 * all:  every entry, or every non-global one. */
void tlb_invalidate_page(struct cpu *cpu, uint64_t lin, unsigned pcid, bool globals,
                         enum tlb_cause cause);
void tlb_invalidate_pcid(struct cpu *cpu, unsigned pcid, bool globals, enum tlb_cause cause);
void tlb_invalidate_all(struct cpu *cpu, bool globals, enum tlb_cause cause);

/* The counters since the CPU was created, for reports (make bench).  Every
 * lookup comes from the speed TLB's slow path (cpu/mem.c): a speed-TLB miss,
 * or an access its entry does not serve; the speed TLB's hits are not counted. */
const struct atlb_stats *tlb_stats(const struct cpu *cpu);

/* The valid entries, in set and way order, for the UI and the debugger:
 * up to max copied to out; returns how many there are. */
size_t tlb_list(const struct cpu *cpu, struct atlb_entry *out, size_t max);

#endif
