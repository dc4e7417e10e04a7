/* model_paging.c - the page-walk panel (SDM Vol. 3 4.3-4.5: CR3 and its
 * PCID, each level's index bits, entry, flags and next table, the frame)
 * and the architectural TLB's real contents (mmu/tlb.h) with its counters
 * and the flush events the session logged.
 */
#include <stdio.h>
#include "mmu/paging.h"
#include "sim/symbols.h"
#include "ui/model.h"

static const char *level_name(const struct cpu *cpu, unsigned level)
{
    static const char *const names[] = { "", "PTE", "PDE", "PDPTE", "PML4E", "PML5E" };
    (void)cpu;
    return names[level];
}

/* The index the level takes from lin. */
static unsigned level_index(const struct cpu *cpu, uint64_t lin, unsigned level)
{
    if (!(cpu->cr4 & CR4_PAE)) return (unsigned)(lin >> (level == 2 ? 22 : 12) & 0x3FF);
    if (level == 3 && !(cpu->efer & EFER_LMA)) return (unsigned)(lin >> 30 & 3);
    return (unsigned)(lin >> (12 + 9 * (level - 1)) & 0x1FF);
}

static void flags(struct ui_text *t, uint64_t e, bool leaf, bool pae)
{
    static const char *const names[] = { "P", "RW", "US", "PWT", "PCD", "A", "D", "PS", "G" };
    for (unsigned b = 0; b < 9; b++) {
        if ((b == 6 || b == 8) && !leaf) continue;      /* D and G mean something in leaves */
        ui_put(t, e >> b & 1 ? UI_NORMAL : UI_GREY, "%s ", names[b]);
    }
    if (pae) ui_put(t, e >> 63 & 1 ? UI_NORMAL : UI_GREY, "XD ");
    ui_put(t, UI_HEAD, "%s %s", e & 4 ? "user" : "supervisor", e & 2 ? "read-write" : "read-only");
}

void ui_model_pagewalk(struct ui_session *s, struct ui_text *t)
{
    struct cpu *cpu = &s->m->cpu;
    uint64_t lin = s->walk_addr;
    ui_text_reset(t, "Page walk");
    ui_line(t);
    ui_put(t, UI_HEAD, "linear %08llx  ", (unsigned long long)lin);
    struct walk_info w;
    if (paging_walk_info(cpu, lin, &w) != 0) {
        ui_put(t, UI_GREY, "paging is off: linear = physical");
        return;
    }
    bool pae = cpu->cr4 & CR4_PAE;
    ui_put(t, UI_NORMAL, "cr3=%08llx", (unsigned long long)(cpu->cr3 & ~0xFFFull));
    if (cpu->cr4 & CR4_PCIDE) ui_put(t, UI_CHANGED, " pcid=%03x", tlb_current_pcid(cpu));
    ui_put(t, UI_GREY, " (%s paging)", !pae ? "32-bit" : !(cpu->efer & EFER_LMA) ? "PAE"
                                         : (cpu->cr4 & CR4_LA57) ? "5-level" : "4-level");
    for (unsigned i = 0; i < w.nlevels; i++) {
        const struct walk_level *l = &w.lv[i];
        ui_line(t);
        ui_put(t, UI_HEAD, "%-5s[%3u] ", level_name(cpu, l->level), level_index(cpu, lin, l->level));
        ui_put(t, UI_NORMAL, "@%09llx%s = %0*llx ", (unsigned long long)l->entry_addr,
               l->from_register ? "(reg)" : "", pae ? 16 : 8, (unsigned long long)l->value);
        if (!(l->value & 1)) {
            ui_put(t, UI_CHANGED, "not present");
            continue;
        }
        flags(t, l->value, l->leaf, pae);
        if (l->leaf) break;
    }
    ui_line(t);
    if (w.mapped) {
        ui_put(t, UI_HEAD, "-> frame ");
        ui_put(t, UI_CHANGED, "%09llx", (unsigned long long)(w.phys & ~0xFFFull));
        ui_put(t, UI_NORMAL, " phys %09llx, %llu KiB page, %s %s%s%s", (unsigned long long)w.phys,
               (unsigned long long)(w.page_size >> 10), w.perm & ATLB_U ? "user" : "supervisor",
               w.perm & ATLB_W ? "read-write" : "read-only", w.perm & ATLB_NX ? " no-exec" : "",
               w.global ? " global" : "");
    } else {
        ui_put(t, UI_CHANGED, "not mapped: an access faults with #PF error %#x (%s%s)", w.error,
               w.error & PF_P ? "P=1 " : "P=0 not present", w.error & PF_RSVD ? "RSVD=1" : "");
    }
}

static const char *size_name(unsigned shift)
{
    return shift == 12 ? "4K" : shift == 21 ? "2M" : shift == 22 ? "4M" : "1G";
}

void ui_model_tlb(struct ui_session *s, struct ui_text *t, unsigned max)
{
    struct cpu *cpu = &s->m->cpu;
    static struct atlb_entry e[ATLB_SETS * ATLB_WAYS];
    size_t n = tlb_list(cpu, e, ATLB_SETS * ATLB_WAYS);
    const struct atlb_stats *st = tlb_stats(cpu);
    ui_text_reset(t, "TLB");
    ui_line(t);
    ui_put(t, UI_HEAD, "%zu valid of %u  pcid now %03x  hits %llu misses %llu fills %llu "
           "evictions %llu", n, ATLB_SETS * ATLB_WAYS, tlb_current_pcid(cpu),
           (unsigned long long)st->hits, (unsigned long long)st->misses,
           (unsigned long long)st->fills, (unsigned long long)st->evictions);
    ui_line(t);
    ui_put(t, UI_NORMAL, "flushes:");
    for (unsigned c = 0; c < TLB_CAUSE_COUNT; c++)
        if (st->flushes[c]) ui_put(t, UI_NORMAL, " %s %llu", tlb_cause_name(c),
                                   (unsigned long long)st->flushes[c]);
    ui_put(t, UI_GREY, " (entries dropped %llu, cr3 loads %llu)", (unsigned long long)st->dropped,
           (unsigned long long)s->cr3_loads);
    ui_line(t);
    ui_put(t, UI_HEAD, "set linear      -> physical  pcid size G  rights");
    unsigned cur = tlb_current_pcid(cpu);
    for (size_t i = 0; i < n && i < max; i++) {
        const struct atlb_entry *x = &e[i];
        unsigned set = (unsigned)(x->vpage >> 12 & (ATLB_SETS - 1));
        ui_line(t);
        ui_put(t, UI_GREY, "%02u    ", set);
        enum ui_attr a = x->global || x->pcid == cur ? UI_NORMAL : UI_GREY;
        ui_put(t, a, "%08llx -> %09llx %03x  %-4s %c  %s %s%s%s", (unsigned long long)x->vpage,
               (unsigned long long)x->ppage, x->pcid, size_name(x->size_shift),
               x->global ? 'G' : '-', x->perm & ATLB_U ? "user" : "sup ",
               x->perm & ATLB_W ? "rw" : "ro", x->perm & ATLB_NX ? " nx" : "",
               x->perm & ATLB_D ? " dirty" : "");
    }
    if (n > max) {
        ui_line(t);
        ui_put(t, UI_GREY, "... %zu more", n - max);
    }
}

/* One row per event: "instret symbol  cause  detail". */
void ui_model_flushes(struct ui_session *s, struct ui_text *t, unsigned rows)
{
    ui_text_reset(t, "TLB flush events");
    size_t have = s->nflushes < UI_LOG ? s->nflushes : UI_LOG;
    size_t first = s->nflushes - (have < rows ? have : rows);
    for (size_t i = first; i < s->nflushes; i++) {
        const struct ui_flush_event *e = &s->flushes[i % UI_LOG];
        char sym[64];
        symtab_format(s->m->symbols, e->cs_base + e->rip, sym, sizeof sym);
        ui_line(t);
        ui_put(t, UI_GREY, "%10llu ", (unsigned long long)e->insns);
        ui_put(t, UI_NORMAL, "%-28.28s ", sym);
        if (e->cr3_load) {
            ui_put(t, UI_HEAD, "mov cr3 ");
            ui_put(t, UI_NORMAL, "cr3=%09llx pcid=%03x ", (unsigned long long)e->addr, e->pcid);
            ui_put(t, e->noflush ? UI_CHANGED : UI_NORMAL, "%s",
                   e->noflush ? "bit63 noflush" : "flush");
        } else {
            ui_put(t, UI_HEAD, "%s ", tlb_cause_name(e->cause));
            ui_put(t, UI_NORMAL, "addr=%08llx pcid=%03x", (unsigned long long)e->addr, e->pcid);
        }
    }
}
