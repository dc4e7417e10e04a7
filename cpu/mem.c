/* mem.c - the CPU's memory path: segmentation (SDM Vol. 3 5.3-5.4, 3.4.5),
 * canonical checks (Vol. 3 3.3.7.1), the software TLB and the slow paths for
 * page-crossing, MMIO and self-modifying-code writes.
 *
 * With CR0.PG set, translation goes through the architectural TLB and the
 * page walker (mmu/tlb.c, mmu/paging.c); the speed TLB here caches host
 * pointers for what they allow.
 */
#include <string.h>
#include "ops.h"
#include "system.h"
#include "exec.h"
#include "debug.h"
#include "mmu/bus.h"
#include "mmu/paging.h"


_Noreturn static void segment_fault(struct cpu *cpu, int seg)
{
    cpu_raise(cpu, seg == SEG_SS ? EXC_SS : EXC_GP, 0);
}

/* Type checks apply in protected mode (including compatibility mode) only. */
static void segment_type_check(struct cpu *cpu, int seg, const struct segment *s, int access)
{
    if (!(s->attr & SA_P)) segment_fault(cpu, seg);    /* a null selector was loaded */
    int code = (s->attr & SA_CODE) != 0;
    if (access == ACC_WRITE || access == ACC_RMW) {
        if (code || !(s->attr & SA_WRITE_OR_READ)) segment_fault(cpu, seg);
    } else if (access == ACC_READ && code && !(s->attr & SA_WRITE_OR_READ)) {
        segment_fault(cpu, seg);                        /* execute-only code */
    }
}

static void segment_limit_check(struct cpu *cpu, int seg, const struct segment *s, uint64_t off,
                                unsigned size)
{
    uint64_t last = off + size - 1;
    int expand_down = !(s->attr & SA_CODE) && (s->attr & SA_EXPDOWN_OR_CONFORMING);
    if (expand_down) {
        uint64_t upper = (s->attr & SA_DB) ? 0xFFFFFFFFull : 0xFFFFull;
        if (off <= s->limit || last > upper) segment_fault(cpu, seg);
    } else if (off > s->limit || last > s->limit) {
        segment_fault(cpu, seg);
    }
}

uint64_t mem_linear_slow(struct cpu *cpu, int seg, uint64_t off, unsigned size, int access)
{
    if (cpu->dmode == DM_64) {
        uint64_t lin = off;
        if (seg == SEG_FS || seg == SEG_GS) lin += cpu->seg[seg].base;
        if (!canonical(cpu, lin) || !canonical(cpu, lin + size - 1)) segment_fault(cpu, seg);
        return lin;
    }
    const struct segment *s = &cpu->seg[seg];
    if (cpu->mode == MODE_PROT || cpu->mode == MODE_LONG) segment_type_check(cpu, seg, s, access);
    segment_limit_check(cpu, seg, s, off, size);
    return (uint32_t)(s->base + off);
}

/* ---- translation and the speed TLB ------------------------------------ */

/* Fill the speed TLB's slot for lin after translating it for access (which
 * raises #PF when paging denies it).  With paging on, each of read, write
 * and fetch is cached only when the architectural TLB entry allows it from
 * the current CPL as if EFLAGS.AC were 0, and write only once the entry is
 * dirty: the speed path is never more permissive than the TLB it caches.
 * What it was filled under (CPL 3 or not, WP, SMEP, SMAP, NXE, PG) is kept
 * in cpu->speed_ctx; cpu_update_mode() picks the set of the CPL class and
 * empties it when its context changed (paging_mode_changed). */
static uint64_t tlb_fill(struct cpu *cpu, uint64_t lin, int access)
{
    uint64_t phys, lpage = lin & ~0xFFFull;
    bool r = true, w = true, x = true;
    if (cpu->cr0 & CR0_PG) {
        const struct atlb_entry *te = paging_translate(cpu, lin, access);
        phys = te->ppage | (lin & 0xFFF);
        r = !paging_denied(cpu, te->perm, ACC_READ, true);
        w = !paging_denied(cpu, te->perm, ACC_WRITE, true) && (te->perm & ATLB_D);
        x = !paging_denied(cpu, te->perm, ACC_FETCH, true);
    } else {
        phys = lin & cpu->bus->a20_mask;    /* a closed A20 gate wraps at 1 MiB */
    }
    if (cpu->speed_ctx & SPEED_NO_DATA) r = w = false;     /* each access checked (debug.c) */
    uint64_t ppage = phys & ~0xFFFull;
    struct tlb_entry *e = &cpu->tlb[(lin >> 12) & (TLB_SIZE - 1)];
    uint64_t old_fetch = e->tag_fetch, old_phys = e->phys;
    e->tag_read = e->tag_write = e->tag_fetch = 0;
    uint8_t *host = bus_rom_ptr(cpu->bus, ppage, 0x1000);
    if (host) {
        w = false;                          /* ROM: cached for reads and fetch only */
    } else if (!(host = bus_ram_ptr(cpu->bus, ppage, 0x1000))) {
        if (old_fetch) speed_tlb_new_gen(cpu, cpu->tlb_cur);
        return phys;                        /* never cache MMIO */
    }
    e->addend = (uintptr_t)host - (uintptr_t)lpage;
    e->phys = ppage;
    e->tag_read = r ? lpage | 1 : 0;
    e->tag_fetch = x ? lpage | 1 : 0;
    if (old_fetch && (old_fetch != e->tag_fetch || old_phys != ppage)) speed_tlb_new_gen(cpu, cpu->tlb_cur);
    /* Writes to a page holding decoded code take the slow path, which drops that code. */
    e->tag_write = w && !dc_page_has_code(cpu, ppage) ? lpage | 1 : 0;
    return phys;
}

/* A new generation for set k: jump-cache entries made under the old one
 * (or under the other set) no longer match. */
void speed_tlb_new_gen(struct cpu *cpu, unsigned k)
{
    cpu->set_gen[k] = ++cpu->gen_counter;
    if (k == cpu->tlb_cur) cpu->fetch_gen = cpu->set_gen[k];
}

void speed_tlb_flush_set(struct cpu *cpu, unsigned k)
{
    memset(cpu->tlb_set[k], 0, sizeof cpu->tlb_set[k]);
    speed_tlb_new_gen(cpu, k);
}

void cpu_tlb_flush(struct cpu *cpu)
{
    speed_tlb_flush(cpu);
    dc_flush_jump_cache(cpu);
}

void speed_tlb_flush(struct cpu *cpu)
{
    speed_tlb_flush_set(cpu, 0);
    speed_tlb_flush_set(cpu, 1);
}

void speed_tlb_drop_page(struct cpu *cpu, uint64_t lpage)
{
    for (unsigned k = 0; k < 2; k++) {
        struct tlb_entry *e = &cpu->tlb_set[k][(lpage >> 12) & (TLB_SIZE - 1)];
        if ((e->tag_read | e->tag_write | e->tag_fetch) &&
            (e->tag_read == (lpage | 1) || e->tag_write == (lpage | 1) || e->tag_fetch == (lpage | 1))) {
            if (e->tag_fetch) speed_tlb_new_gen(cpu, k);
            memset(e, 0, sizeof *e);
        }
    }
}

void tlb_drop_write(struct cpu *cpu, uint64_t ppage)
{
    for (unsigned k = 0; k < 2; k++)
        for (unsigned i = 0; i < TLB_SIZE; i++)
            if (cpu->tlb_set[k][i].phys == ppage) cpu->tlb_set[k][i].tag_write = 0;
}

/* The next byte's linear address after a page: 32-bit linear space wraps. */
static uint64_t next_linear(const struct cpu *cpu, uint64_t lin)
{
    return cpu->dmode == DM_64 ? lin : (uint32_t)lin;
}

static uint64_t phys_read(struct cpu *cpu, uint64_t phys, unsigned size)
{
    return bus_read(cpu->bus, phys, size);
}

static void phys_write(struct cpu *cpu, uint64_t phys, unsigned size, uint64_t v)
{
    if (dc_page_has_code(cpu, phys & ~0xFFFull)) {
        cpu->stats.smc_writes++;
        dc_invalidate_page(cpu, phys & ~0xFFFull);
    }
    bus_write(cpu->bus, phys, size, v);
}

uint64_t mem_read_slow(struct cpu *cpu, uint64_t lin, unsigned size, int access)
{
    if (unlikely(cpu->speed_ctx & SPEED_NO_DATA) && ACC_KIND(access) != ACC_FETCH)
        mem_data_checks(cpu, lin, size, access);
    unsigned in_page = 0x1000 - (unsigned)(lin & 0xFFF);
    if (size <= in_page) return phys_read(cpu, tlb_fill(cpu, lin, access), size);
    /* Crossing a page: translate both halves before reading anything. */
    uint64_t lin2 = next_linear(cpu, lin + in_page);
    uint64_t p1 = tlb_fill(cpu, lin, access), p2 = tlb_fill(cpu, lin2, access);
    uint64_t v = 0;
    for (unsigned k = 0; k < size; k++) {
        uint64_t p = k < in_page ? p1 + k : p2 + (k - in_page);
        v |= phys_read(cpu, p, 1) << (8 * k);
    }
    return v;
}

void mem_check_write(struct cpu *cpu, uint64_t lin, unsigned size)
{
    if (unlikely(cpu->speed_ctx & SPEED_NO_DATA)) mem_data_checks(cpu, lin, size, ACC_RMW);
    unsigned in_page = 0x1000 - (unsigned)(lin & 0xFFF);
    tlb_fill(cpu, lin, ACC_WRITE);
    if (size > in_page) tlb_fill(cpu, next_linear(cpu, lin + in_page), ACC_WRITE);
}

static void write_slow(struct cpu *cpu, uint64_t lin, unsigned size, uint64_t v, int access)
{
    if (unlikely(cpu->speed_ctx & SPEED_NO_DATA)) mem_data_checks(cpu, lin, size, access);
    unsigned in_page = 0x1000 - (unsigned)(lin & 0xFFF);
    if (size <= in_page) {
        phys_write(cpu, tlb_fill(cpu, lin, access), size, v);
        return;
    }
    uint64_t lin2 = next_linear(cpu, lin + in_page);
    uint64_t p1 = tlb_fill(cpu, lin, access), p2 = tlb_fill(cpu, lin2, access);
    for (unsigned k = 0; k < size; k++) {
        uint64_t p = k < in_page ? p1 + k : p2 + (k - in_page);
        phys_write(cpu, p, 1, (v >> (8 * k)) & 0xFF);
    }
}

void mem_write_slow(struct cpu *cpu, uint64_t lin, unsigned size, uint64_t v)
{
    write_slow(cpu, lin, size, v, ACC_WRITE);
}

uint64_t sys_read(struct cpu *cpu, uint64_t lin, unsigned size)
{
    return mem_read_slow(cpu, lin, size, ACC_READ | ACC_SYS);
}

void sys_write(struct cpu *cpu, uint64_t lin, unsigned size, uint64_t v)
{
    write_slow(cpu, lin, size, v, ACC_WRITE | ACC_SYS);
}

/* Host pointer to the page holding lin for instruction fetch, or NULL when
 * the page is not RAM (the decoder then reads through the bus). */
uint8_t *mem_fetch_ptr(struct cpu *cpu, uint64_t lin, uint64_t *phys)
{
    struct tlb_entry *e = &cpu->tlb[(lin >> 12) & (TLB_SIZE - 1)];
    if (e->tag_fetch != ((lin & ~0xFFFull) | 1)) {
        *phys = tlb_fill(cpu, lin, ACC_FETCH);
        if (e->tag_fetch != ((lin & ~0xFFFull) | 1)) return NULL;
    }
    *phys = e->phys | (lin & 0xFFF);
    return (uint8_t *)(uintptr_t)((lin & ~0xFFFull) + e->addend);
}

uint64_t mem_fetch_phys(struct cpu *cpu, uint64_t lin)
{
    return tlb_fill(cpu, lin, ACC_FETCH);
}

/* ---- ports, time, debugger access --------------------------------------- */

uint64_t cpu_port_in(struct cpu *cpu, uint16_t port, unsigned size)
{
    return bus_port_in(cpu->bus, port, size);
}

void cpu_port_out(struct cpu *cpu, uint16_t port, unsigned size, uint64_t v)
{
    bus_port_out(cpu->bus, port, size, v);
}

uint64_t cpu_tsc(const struct cpu *cpu)
{
    return cpu_time_now(cpu) + cpu->tsc_offset;
}

/* Walks the tables in memory without touching A/D flags, the TLBs or CR2. */
int cpu_read_linear(struct cpu *cpu, uint64_t lin, void *buf, size_t len)
{
    uint8_t *out = buf;
    for (size_t k = 0; k < len; k++) {
        uint64_t a = cpu->dmode == DM_64 ? lin + k : (uint32_t)(lin + k), phys;
        if (!(cpu->cr0 & CR0_PG)) phys = a & cpu->bus->a20_mask;
        else if (paging_peek(cpu, a, &phys) != 0) return -1;
        out[k] = (uint8_t)bus_read(cpu->bus, phys, 1);
    }
    return 0;
}
