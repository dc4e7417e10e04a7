/* pt.c - page tables for the paging tests (see pt.h). */
#include <string.h>
#include "tests/unit/pt.h"
#include "mmu/paging.h"

#define PT_POOL 0x80000u    /* tables from here up to the top of RAM */

uint64_t pt_alloc(struct pt *p)
{
    uint64_t a = p->next;
    p->next += 0x1000;
    memset(th_mem(p->t, a), 0, 0x1000);
    return a;
}

static unsigned esize(const struct pt *p)
{
    return p->mode == PT_32 ? 4 : 8;
}

static unsigned top_level(const struct pt *p)
{
    return p->mode == PT_32 ? 2 : p->mode == PT_PAE ? 3 : p->mode == PT_4L ? 4 : 5;
}

static uint64_t index_of(const struct pt *p, uint64_t lin, int level)
{
    if (p->mode == PT_32) return (lin >> (level == 2 ? 22 : 12)) & 0x3FF;
    if (p->mode == PT_PAE && level == 3) return (lin >> 30) & 3;
    return (lin >> (12 + 9 * (level - 1))) & 0x1FF;
}

uint64_t pt_entry(struct pt *p, uint64_t lin, int level)
{
    uint64_t table = p->root;
    for (int l = (int)top_level(p); ; l--) {
        uint64_t addr = table + index_of(p, lin, l) * esize(p);
        if (l == level) return addr;
        uint64_t v = th_peek(p->t, addr, esize(p));
        if (!(v & PG_P)) {
            uint64_t fresh = pt_alloc(p);
            v = fresh | (p->mode == PT_PAE && l == 3 ? PG_P : PG_P | PG_RW | PG_US);
            th_poke(p->t, addr, esize(p), v);
        }
        table = v & 0xFFFFFFFFF000ull;
    }
}

uint64_t pt_get(struct pt *p, uint64_t lin, int level)
{
    return th_peek(p->t, pt_entry(p, lin, level), esize(p));
}

void pt_set(struct pt *p, uint64_t lin, int level, uint64_t value)
{
    th_poke(p->t, pt_entry(p, lin, level), esize(p), value);
}

void pt_map(struct pt *p, uint64_t lin, uint64_t phys, uint64_t flags)
{
    pt_set(p, lin, 1, phys | flags);
}

void pt_map_large(struct pt *p, uint64_t lin, uint64_t phys, uint64_t flags, int level)
{
    pt_set(p, lin, level, phys | flags | PG_PS);
}

void pt_setup(struct pt *p, struct th *t, enum pt_mode mode)
{
    struct cpu *cpu = &t->cpu;
    p->t = t;
    p->mode = mode;
    p->next = PT_POOL;
    p->root = pt_alloc(p);
    for (uint64_t a = 0; a < 0x20000; a += 0x1000) pt_map(p, a, a, PG_P | PG_RW | PG_US);
    cpu->cr3 = p->root;
    if (mode != PT_32) cpu->cr4 |= CR4_PAE;
    if (mode == PT_5L) cpu->cr4 |= CR4_LA57;
    if (mode == PT_PAE) paging_load_pdptes(cpu, cpu->cr3);
    cpu->cr0 |= CR0_PG;
    cpu_update_mode(cpu);
}

void pt_cpl(struct th *t, unsigned cpl)
{
    struct cpu *cpu = &t->cpu;
    for (int s = SEG_CS; s <= SEG_SS; s++) {
        cpu->seg[s].sel = (uint16_t)((cpu->seg[s].sel & ~3u) | cpl);
        cpu->seg[s].attr = (uint16_t)((cpu->seg[s].attr & ~SA_DPL) | (cpl << 5));
    }
    cpu->cpl = (uint8_t)cpl;
    cpu_update_mode(cpu);
}
