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

/* ---- protected-mode set-up ----
 * th_protected() builds a GDT at TH_GDT, an empty IDT at TH_IDT (8- or
 * 16-byte gates as the mode wants) and a 32-bit (or 64-bit) TSS at TH_TSS
 * with ESP0 = TH_STACK0, loads GDTR, IDTR and TR, and reloads the segment
 * registers from the GDT:
 *   0x08 ring-0 code (32-bit, or 64-bit in DM_64)   0x10 ring-0 data
 *   0x18 ring-3 code (selector 0x1B)                0x20 ring-3 data (0x23)
 *   0x28 the TSS                                    0x38 ring-0 32-bit code
 *   0x40-0xF8 free for tests (th_desc)                                      */
#define TH_GDT    0x20000u
#define TH_IDT    0x21000u
#define TH_TSS    0x22000u
#define TH_STACK0 0x30000u
#define TH_GDT_ENTRIES 32
void th_protected(struct th *t);
/* GDT entry index: base, limit (20 bits, as in the descriptor), the access
 * byte (P DPL S type) and the flags nibble (G D/B L AVL). */
void th_desc(struct th *t, unsigned index, uint32_t base, uint32_t limit, uint8_t access,
             uint8_t flags);
/* A call gate (or other 8-byte gate) in GDT entry index. */
void th_gdt_gate(struct th *t, unsigned index, uint16_t sel, uint32_t offset, uint8_t access,
                 uint8_t params);
/* IDT entry for vector: selector, offset, access byte (P DPL 0 type), IST. */
void th_gate(struct th *t, unsigned vector, uint16_t sel, uint64_t offset, uint8_t access,
             unsigned ist);
/* Run at privilege cpl with the ring's code and data selectors of th_protected. */
void th_user(struct th *t);
/* Set CPL directly in the segment caches (no GDT needed): CS.RPL and SS.DPL. */
void th_set_cpl(struct th *t, unsigned cpl);

#endif
