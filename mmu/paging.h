/* paging.h - linear-to-physical translation with CR0.PG set (SDM Vol. 3
 * ch. 4): 32-bit paging (4 KiB, 4 MiB with CR4.PSE and PSE-36), PAE paging
 * (PDPTE registers, 2 MiB pages, NX), 4-level and 5-level paging (CR4.LA57;
 * 2 MiB, 1 GiB pages); access rights with CR0.WP, EFER.NXE, CR4.SMEP, CR4.SMAP and
 * EFLAGS.AC; accessed and dirty flags; #PF with CR2 and its error code.
 */
#ifndef RINGSIM_PAGING_H
#define RINGSIM_PAGING_H

#include <stdbool.h>
#include <stdint.h>
#include "mmu/tlb.h"

struct cpu;

/* #PF error-code bits (SDM Vol. 3 4.7). */
#define PF_P    0x01u   /* the page was present (a rights or reserved-bit fault) */
#define PF_W    0x02u   /* the access was a write */
#define PF_U    0x04u   /* a user-mode access (CPL 3, not an implicit supervisor access) */
#define PF_RSVD 0x08u   /* a reserved bit was set in an entry */
#define PF_ID   0x10u   /* an instruction fetch, with SMEP or PAE+NXE on */

/* Translate lin for an access (ACC_* of cpu/ops.h, ACC_SYS or'ed in) with
 * CR0.PG set: the TLB, or a walk that sets A/D flags and fills the TLB.
 * Raises #PF (CR2 = lin).  The entry stays valid until the TLB next changes. */
const struct atlb_entry *paging_translate(struct cpu *cpu, uint64_t lin, int access);

/* 0 when the rights in perm (ATLB_*) allow the access from the current
 * CPL, else the #PF error code.  no_ac: decide as if EFLAGS.AC were 0 (the
 * speed TLB's entries must hold whatever AC becomes). */
uint32_t paging_denied(const struct cpu *cpu, unsigned perm, int access, bool no_ac);

/* Side-effect-free lookup for debuggers: walks the tables in memory (not the
 * TLB), sets no flags, raises nothing.  0 and *phys, or -1. */
int paging_peek(struct cpu *cpu, uint64_t lin, uint64_t *phys);

/* Each level of a walk, for the GDB monitor and the UI. */
struct walk_level {
    uint64_t entry_addr;    /* physical address of the entry (PAE PDPTEs: where CR3 loaded it) */
    uint64_t value;
    uint8_t  level;         /* 5 PML5, 4 PML4, 3 PDPT, 2 PD, 1 PT (32-bit paging: 2 and 1) */
    bool     from_register; /* a PAE PDPTE register, not memory */
    bool     leaf;          /* maps the page */
};
struct walk_info {
    unsigned nlevels;
    struct walk_level lv[5];
    bool     mapped;        /* a translation exists (rights aside) */
    uint64_t phys;          /* the translation, when mapped */
    uint64_t page_size;
    unsigned perm;          /* ATLB_* combined over the levels */
    bool     global;
    uint32_t error;         /* not mapped: 0 (an entry with P = 0) or PF_P|PF_RSVD */
};
/* 0 with *out filled (out->mapped says whether lin is mapped), or -1 when
 * paging is off. */
int paging_walk_info(struct cpu *cpu, uint64_t lin, struct walk_info *out);

/* PAE: read the four PDPTEs CR3 points at into cpu->pdpte; -1 (and nothing
 * loaded) when a present one sets a reserved bit: the caller's #GP(0). */
int paging_load_pdptes(struct cpu *cpu, uint64_t cr3);
bool paging_pae_legacy(const struct cpu *cpu);  /* PG, PAE and not IA-32e: PDPTEs in use */

/* Called by cpu_update_mode(): the speed TLB is dropped when the rights it
 * was filled under change (CPL 3 or not, WP, SMEP, SMAP, NXE, PG). */
void paging_mode_changed(struct cpu *cpu);
/* speed_ctx bit: data accesses are not cached (alignment checks or data breakpoints). */
#define SPEED_NO_DATA 0x20

#endif
