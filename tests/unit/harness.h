/* harness.h - a small machine for unit tests: RAM, one CPU in a chosen mode,
 * code placed at a fixed address, exceptions reported instead of delivered.
 *
 * Layout (physical = linear, no paging):
 *   TH_CODE  0x1000   instructions under test
 *   TH_DATA  0x4000   scratch data
 *   TH_STACK 0x9000   initial stack pointer (grows down)
 */
#ifndef RINGSIM_TEST_HARNESS_H
#define RINGSIM_TEST_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include "cpu/cpu.h"

#define TH_CODE  0x1000u
#define TH_DATA  0x4000u
#define TH_STACK 0x9000u
#define TH_RAM   (1u << 20)

struct th {
    struct bus *bus;
    struct cpu cpu;
};

/* mode: DM_16 = real mode, DM_32 = flat 32-bit protected mode (CPL 0),
 * DM_64 = 64-bit mode (CPL 0).  vendor selects the undefined-flags profile. */
void th_init(struct th *t, enum dmode mode);
void th_init_vendor(struct th *t, enum dmode mode, enum cpu_vendor vendor);
void th_free(struct th *t);

/* Copy code to TH_CODE and point RIP (CS:IP in real mode) at it. */
void th_code(struct th *t, const uint8_t *bytes, size_t n);
/* Run up to n instructions; exceptions stop the run (cpu.exc_vector/exc_error). */
enum cpu_exit th_run(struct th *t, uint64_t n);
/* Host pointer to guest physical memory. */
uint8_t *th_mem(struct th *t, uint64_t phys);
/* Full RFLAGS with the status bits computed. */
uint64_t th_flags(struct th *t);

/* th_init then th_code. */
void th_start(struct th *t, enum dmode mode, const uint8_t *code, size_t n);
/* n bytes (1, 2, 4, 8) of guest physical memory, little-endian. */
uint64_t th_peek(struct th *t, uint64_t phys, unsigned n);
void th_poke(struct th *t, uint64_t phys, unsigned n, uint64_t v);
/* Load code and run exactly n instructions; a Criterion assertion fails if
 * the run stops early (the message names the vector). */
void th_run_all(struct th *t, const uint8_t *code, size_t len, unsigned n);

#endif
