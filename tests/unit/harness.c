/* harness.c - the unit-test machine (see harness.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "harness.h"
#include "mmu/bus.h"

void th_init_vendor(struct th *t, enum dmode mode, enum cpu_vendor vendor)
{
    memset(t, 0, sizeof *t);
    t->bus = bus_new(TH_RAM);
    if (!t->bus || cpu_init(&t->cpu, t->bus, vendor == VENDOR_AMD ? &cpu_model_amd
                                                                 : &cpu_model_intel) != 0) {
        fprintf(stderr, "harness: cannot create a machine\n");
        abort();
    }
    switch (mode) {
    case DM_16: cpu_set_real(&t->cpu); break;
    case DM_32: cpu_set_flat32(&t->cpu); break;
    case DM_64: cpu_set_flat64(&t->cpu); break;
    }
    t->cpu.gpr[RSP] = TH_STACK;
    t->cpu.rip = TH_CODE;
    t->cpu.stop_on_exception = true;
}

void th_init(struct th *t, enum dmode mode)
{
    th_init_vendor(t, mode, VENDOR_INTEL);
}

void th_free(struct th *t)
{
    cpu_free(&t->cpu);
    bus_free(t->bus);
    t->bus = NULL;
}

void th_code(struct th *t, const uint8_t *bytes, size_t n)
{
    bus_load(t->bus, TH_CODE, bytes, n);
    t->cpu.rip = TH_CODE;
}

enum cpu_exit th_run(struct th *t, uint64_t n)
{
    return cpu_run(&t->cpu, n);
}

uint8_t *th_mem(struct th *t, uint64_t phys)
{
    return bus_ram_ptr(t->bus, phys, 1);
}

uint64_t th_flags(struct th *t)
{
    return cpu_get_flags(&t->cpu);
}

void th_start(struct th *t, enum dmode mode, const uint8_t *code, size_t n)
{
    th_init(t, mode);
    th_code(t, code, n);
}

uint64_t th_peek(struct th *t, uint64_t phys, unsigned n)
{
    uint64_t v = 0;
    memcpy(&v, th_mem(t, phys), n);
    return v;
}

void th_poke(struct th *t, uint64_t phys, unsigned n, uint64_t v)
{
    memcpy(th_mem(t, phys), &v, n);
}

void th_run_all(struct th *t, const uint8_t *code, size_t len, unsigned n)
{
    th_code(t, code, len);
    cr_assert_eq(EXIT_BUDGET, th_run(t, n), "stopped early, vector %d", t->cpu.exc_vector);
}

/* ---- protected mode ----------------------------------------------------- */

void th_desc(struct th *t, unsigned index, uint32_t base, uint32_t limit, uint8_t access,
             uint8_t flags)
{
    uint64_t d = (limit & 0xFFFFull) | (uint64_t)(base & 0xFFFFFF) << 16 |
                 (uint64_t)access << 40 | (uint64_t)(limit >> 16 & 0xF) << 48 |
                 (uint64_t)(flags & 0xF) << 52 | (uint64_t)(base >> 24) << 56;
    th_poke(t, TH_GDT + 8 * index, 8, d);
}

void th_gdt_gate(struct th *t, unsigned index, uint16_t sel, uint32_t offset, uint8_t access,
                 uint8_t params)
{
    uint64_t d = (offset & 0xFFFFull) | (uint64_t)sel << 16 | (uint64_t)(params & 0x1F) << 32 |
                 (uint64_t)access << 40 | (uint64_t)(offset >> 16) << 48;
    th_poke(t, TH_GDT + 8 * index, 8, d);
}

void th_gate(struct th *t, unsigned vector, uint16_t sel, uint64_t offset, uint8_t access,
             unsigned ist)
{
    bool lm = t->cpu.efer & EFER_LMA;
    uint64_t d = (offset & 0xFFFFull) | (uint64_t)sel << 16 | (uint64_t)(ist & 7) << 32 |
                 (uint64_t)access << 40 | (uint64_t)(offset >> 16 & 0xFFFF) << 48;
    th_poke(t, TH_IDT + (lm ? 16 : 8) * vector, 8, d);
    if (lm) th_poke(t, TH_IDT + 16 * vector + 8, 8, offset >> 32);
}

static void load_seg(struct cpu *cpu, int seg, uint16_t sel, uint32_t base, uint32_t limit,
                     uint16_t attr)
{
    cpu->seg[seg] = (struct segment){ sel, attr, limit, base };
}

void th_protected(struct th *t)
{
    struct cpu *cpu = &t->cpu;
    bool lm = cpu->efer & EFER_LMA;
    memset(th_mem(t, TH_GDT), 0, 0x3000);
    th_desc(t, 1, 0, 0xFFFFF, 0x9B, lm ? 0xA : 0xC);     /* ring-0 code */
    th_desc(t, 2, 0, 0xFFFFF, 0x93, 0xC);                /* ring-0 data */
    th_desc(t, 3, 0, 0xFFFFF, 0xFB, lm ? 0xA : 0xC);     /* ring-3 code */
    th_desc(t, 4, 0, 0xFFFFF, 0xF3, 0xC);                /* ring-3 data */
    th_desc(t, 5, TH_TSS, 0x67 + 0x2000 / 8 + 1, 0x8B, 0); /* busy TSS with an I/O bitmap */
    th_desc(t, 7, 0, 0xFFFFF, 0x9B, 0xC);                /* ring-0 32-bit code */
    if (lm) {
        th_poke(t, TH_TSS + 4, 8, TH_STACK0);            /* RSP0 */
    } else {
        th_poke(t, TH_TSS + 4, 4, TH_STACK0);            /* ESP0 */
        th_poke(t, TH_TSS + 8, 2, 0x10);                 /* SS0 */
    }
    th_poke(t, TH_TSS + 0x66, 2, 0x68);                  /* I/O bitmap right after */
    memset(th_mem(t, TH_TSS + 0x68), 0xFF, 0x2001);      /* every port denied */
    cpu->gdtr.base = TH_GDT;
    cpu->gdtr.limit = TH_GDT_ENTRIES * 8 - 1;
    cpu->idtr.base = TH_IDT;
    cpu->idtr.limit = lm ? 256 * 16 - 1 : 256 * 8 - 1;
    load_seg(cpu, SEG_CS, 0x08, 0, 0xFFFFFFFF, lm ? 0xA09B : 0xC09B);
    for (int s = 0; s < 6; s++)
        if (s != SEG_CS) load_seg(cpu, s, 0x10, 0, 0xFFFFFFFF, 0xC093);
    load_seg(cpu, SEG_TR, 0x28, TH_TSS, 0x67 + 0x2000 / 8 + 1, 0x8B);
    load_seg(cpu, SEG_LDTR, 0, 0, 0, 0);
    cpu_update_mode(cpu);
}

void th_user(struct th *t)
{
    struct cpu *cpu = &t->cpu;
    bool lm = cpu->efer & EFER_LMA;
    load_seg(cpu, SEG_CS, 0x1B, 0, 0xFFFFFFFF, lm ? 0xA0FB : 0xC0FB);
    for (int s = 0; s < 6; s++)
        if (s != SEG_CS) load_seg(cpu, s, 0x23, 0, 0xFFFFFFFF, 0xC0F3);
    cpu_update_mode(cpu);
}

void th_set_cpl(struct th *t, unsigned cpl)
{
    struct cpu *cpu = &t->cpu;
    cpu->seg[SEG_CS].sel = (uint16_t)((cpu->seg[SEG_CS].sel & ~3u) | cpl);
    cpu->seg[SEG_CS].attr = (uint16_t)((cpu->seg[SEG_CS].attr & ~SA_DPL) | cpl << 5);
    cpu->seg[SEG_SS].sel = (uint16_t)((cpu->seg[SEG_SS].sel & ~3u) | cpl);
    cpu->seg[SEG_SS].attr = (uint16_t)((cpu->seg[SEG_SS].attr & ~SA_DPL) | cpl << 5);
    cpu_update_mode(cpu);
}
