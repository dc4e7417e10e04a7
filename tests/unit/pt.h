/* pt.h - page tables for the paging tests, built in guest RAM by the test
 * itself (independently of mmu/paging.c): 32-bit, PAE, 4- and 5-level tables
 * with an identity map of the harness's low memory.
 */
#ifndef RINGSIM_TEST_PT_H
#define RINGSIM_TEST_PT_H

#include <stdint.h>
#include "tests/unit/harness.h"

#define PG_P   0x001ull
#define PG_RW  0x002ull
#define PG_US  0x004ull
#define PG_A   0x020ull
#define PG_D   0x040ull
#define PG_PS  0x080ull
#define PG_G   0x100ull
#define PG_XD  (1ull << 63)

enum pt_mode { PT_32, PT_PAE, PT_4L, PT_5L };

struct pt {
    struct th *t;
    enum pt_mode mode;
    uint64_t root;          /* what CR3 points at */
    uint64_t next;          /* next free table page */
};

/* Tables for mode with the first 128 KiB identity-mapped as present,
 * writable user pages (code, data and stack of the harness); then CR3,
 * CR4.PAE (and CR4.LA57 for PT_5L) and CR0.PG are set.  The CPU must
 * already be in 32-bit protected mode (PT_32, PT_PAE) or 64-bit mode (PT_4L,
 * PT_5L). */
void pt_setup(struct pt *p, struct th *t, enum pt_mode mode);
/* Physical address of the entry for lin at level (1 PT ... 4 PML4, 5 PML5),
 * creating missing tables with P|RW|US (PAE PDPTEs: P). */
uint64_t pt_entry(struct pt *p, uint64_t lin, int level);
uint64_t pt_get(struct pt *p, uint64_t lin, int level);
void pt_set(struct pt *p, uint64_t lin, int level, uint64_t value);
/* A 4-KiB page, or a large page at level 2 (2/4 MiB) or 3 (1 GiB); PS is added. */
void pt_map(struct pt *p, uint64_t lin, uint64_t phys, uint64_t flags);
void pt_map_large(struct pt *p, uint64_t lin, uint64_t phys, uint64_t flags, int level);
/* A fresh, zeroed table page. */
uint64_t pt_alloc(struct pt *p);
/* CPL 3 (CS and SS RPL/DPL 3) or back to CPL 0. */
void pt_cpl(struct th *t, unsigned cpl);

#endif
