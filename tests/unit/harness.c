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
