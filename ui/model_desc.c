/* model_desc.c - the descriptor-table panels: GDT entries decoded beside
 * the hidden caches loaded from them, IDT gates with their handlers'
 * symbols, and the current TSS (SDM Vol. 3 3.4.5, 6.11, 7.2).
 */
#include <stdio.h>
#include "sim/symbols.h"
#include "ui/model.h"

static const char *const seg_names[SEG_COUNT] = { "es", "cs", "ss", "ds", "fs", "gs", "ldtr", "tr" };

static const char *sys_type(unsigned type)
{
    static const char *const names[16] = {
        "reserved", "tss16 avail", "ldt", "tss16 busy", "call gate16", "task gate",
        "int gate16", "trap gate16", "reserved", "tss32 avail", "reserved", "tss32 busy",
        "call gate32", "reserved", "int gate32", "trap gate32",
    };
    return names[type & 15];
}

static void describe(struct ui_text *t, uint64_t d, enum ui_attr attr)
{
    uint32_t base = (uint32_t)((d >> 16 & 0xFFFFFF) | (d >> 32 & 0xFF000000));
    uint32_t limit = (uint32_t)((d & 0xFFFF) | (d >> 32 & 0xF0000));
    unsigned type = (unsigned)(d >> 40 & 15), s = (unsigned)(d >> 44 & 1);
    unsigned dpl = (unsigned)(d >> 45 & 3), p = (unsigned)(d >> 47 & 1);
    bool g = d >> 55 & 1, db = d >> 54 & 1, l = d >> 53 & 1;
    if (g) limit = limit << 12 | 0xFFF;
    const char *kind = !s ? sys_type(type)
                     : (type & 8) ? (l ? "code64" : db ? "code32" : "code16")
                                  : (db ? "data32" : "data16");
    ui_put(t, p ? attr : UI_GREY, "base=%08x limit=%08x dpl=%u %-11s%s%s", base, limit, dpl, kind,
           s && (type & 1) ? " A" : "", p ? "" : " not-present");
}

/* The entries of a descriptor table (ti: the selectors' table bit, 4 for
 * the LDT), with the segment registers whose caches came from each. */
static void table(struct cpu *cpu, struct ui_text *t, uint64_t base, uint32_t limit, unsigned ti)
{
    unsigned n = (unsigned)(((uint64_t)limit + 1) / 8);
    if (n > 32) n = 32;
    for (unsigned i = 0; i < n; i++) {
        uint64_t d = 0;
        ui_line(t);
        ui_put(t, UI_HEAD, "%04x ", i * 8 | ti);
        if (cpu_read_linear(cpu, base + 8 * i, &d, 8) != 0) {
            ui_put(t, UI_GREY, "(not readable)");
            continue;
        }
        if (!d) {
            ui_put(t, UI_GREY, "null");
            continue;
        }
        describe(t, d, UI_NORMAL);
        for (int r = 0; r < SEG_COUNT; r++) {
            const struct segment *g = &cpu->seg[r];
            if ((g->sel & ~7u) != i * 8 || (g->sel & 4) != ti || !(g->sel & ~3u)) continue;
            if (r == SEG_LDTR && ti) continue;
            ui_put(t, UI_CHANGED, " <%s", seg_names[r]);
            uint32_t dbase = (uint32_t)((d >> 16 & 0xFFFFFF) | (d >> 32 & 0xFF000000));
            if (g->base != dbase) ui_put(t, UI_PC, " cache base %08llx", (unsigned long long)g->base);
        }
    }
}

void ui_model_gdt(struct ui_session *s, struct ui_text *t)
{
    struct cpu *cpu = &s->m->cpu;
    ui_text_reset(t, "GDT");
    table(cpu, t, cpu->gdtr.base, cpu->gdtr.limit, 0);
}

void ui_model_ldt(struct ui_session *s, struct ui_text *t)
{
    struct cpu *cpu = &s->m->cpu;
    const struct segment *l = &cpu->seg[SEG_LDTR];
    ui_text_reset(t, "LDT");
    ui_line(t);
    if (!(l->sel & ~3u)) {
        ui_put(t, UI_GREY, "ldtr=%04x: no LDT", l->sel);
        return;
    }
    ui_put(t, UI_HEAD, "ldtr=%04x base=%08llx limit=%x (hidden cache)", l->sel,
           (unsigned long long)l->base, l->limit);
    table(cpu, t, l->base, l->limit, 4);
}

void ui_model_idt(struct ui_session *s, struct ui_text *t, unsigned max)
{
    struct cpu *cpu = &s->m->cpu;
    bool wide = cpu->mode == MODE_LONG;
    unsigned size = wide ? 16 : 8;
    unsigned n = (cpu->idtr.limit + 1u) / size, shown = 0;
    ui_text_reset(t, "IDT");
    for (unsigned v = 0; v < n && shown < max; v++) {
        uint64_t g[2] = { 0, 0 };
        if (cpu->mode == MODE_REAL || cpu_read_linear(cpu, cpu->idtr.base + v * size, g, size) != 0)
            break;
        if (!(g[0] >> 47 & 1)) continue;            /* not present: left out */
        uint64_t off = (g[0] & 0xFFFF) | (g[0] >> 32 & 0xFFFF0000);
        if (wide) off |= g[1] << 32;
        unsigned sel = (unsigned)(g[0] >> 16 & 0xFFFF), dpl = (unsigned)(g[0] >> 45 & 3);
        char sym[80];
        symtab_format(s->m->symbols, off, sym, sizeof sym);
        ui_line(t);
        ui_put(t, UI_HEAD, "%02x ", v);
        ui_put(t, dpl == 3 ? UI_CHANGED : UI_NORMAL, "%-11s dpl=%u %04x:%08llx %s",
               sys_type((unsigned)(g[0] >> 40 & 15)), dpl, sel, (unsigned long long)off, sym);
        shown++;
    }
}

void ui_model_tss(struct ui_session *s, struct ui_text *t)
{
    struct cpu *cpu = &s->m->cpu;
    uint64_t base = cpu->seg[SEG_TR].base;
    ui_text_reset(t, "TSS");
    ui_line(t);
    ui_put(t, UI_HEAD, "tr=%04x base=%08llx limit=%x ", cpu->seg[SEG_TR].sel,
           (unsigned long long)base, cpu->seg[SEG_TR].limit);
    uint32_t v[26] = { 0 };
    if (!cpu->seg[SEG_TR].sel || cpu_read_linear(cpu, base, v, sizeof v) != 0) {
        ui_put(t, UI_GREY, "(no TSS)");
        return;
    }
    ui_line(t);
    if (cpu->mode == MODE_LONG) {
        ui_put(t, UI_NORMAL, "rsp0=%08x%08x rsp1=%08x%08x ist1=%08x%08x", v[2], v[1], v[4], v[3],
               v[10], v[9]);
        return;
    }
    ui_put(t, UI_CHANGED, "esp0=%08x ss0=%04x", v[1], v[2] & 0xFFFF);
    ui_put(t, UI_NORMAL, " esp1=%08x ss1=%04x esp2=%08x ss2=%04x", v[3], v[4] & 0xFFFF, v[5],
           v[6] & 0xFFFF);
    ui_line(t);
    ui_put(t, UI_NORMAL, "cr3=%08x eip=%08x eflags=%08x iomap=%04x link=%04x", v[7], v[8], v[9],
           v[25] >> 16, v[0] & 0xFFFF);
}
