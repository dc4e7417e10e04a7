/* paging.c - the page walker (SDM Vol. 3 ch. 4): one walk for 32-bit, PAE
 * 4-level and 5-level paging, the access-rights rules of 4.6, the accessed
 * and dirty flags of 4.8 and the #PF error code of 4.7.
 *
 * How a linear address splits (5-level paging, 4-KiB page):
 *   56    48 47    39 38    30 29    21 20    12 11       0
 *   | PML5  | PML4  |  PDPT  |   PD   |   PT   |  offset  |
 * 4-level paging starts at the PML4 (bits 47:39); 5-level paging, chosen by
 * CR4.LA57 when IA-32e mode is activated, puts the PML5 above it.
 * PAE paging uses bits 31:30 for one of four PDPTE registers loaded by
 * MOV to CR3; 32-bit paging splits 31:22 (PD) and 21:12 (PT) with 4-byte
 * entries.  Entries are read and written through the bus (physical): a
 * flag update on a page holding decoded code drops that code.
 *
 * Accessed and dirty flags are set only when the whole translation
 * succeeds, rights included: a walk that faults (not present, reserved bit
 * or rights) leaves every entry as it was.
 */
#include <string.h>
#include "cpu/ops.h"
#include "cpu/exec.h"
#include "mmu/bus.h"
#include "mmu/paging.h"

#define PTE_P   0x001ull
#define PTE_RW  0x002ull
#define PTE_US  0x004ull
#define PTE_A   0x020ull
#define PTE_D   0x040ull
#define PTE_PS  0x080ull
#define PTE_G   0x100ull
#define PTE_XD  (1ull << 63)

/* Bits MAXPHYADDR and up to (but not including) bit top. */
static uint64_t bits_from_maxphy(unsigned top)
{
    uint64_t below_top = top >= 64 ? ~0ull : (1ull << top) - 1;
    return below_top & ~((1ull << CPU_MAXPHYADDR) - 1);
}
#define PHYS_MASK (((1ull << CPU_MAXPHYADDR) - 1) & ~0xFFFull)

static bool has(const struct cpu *cpu, enum cpu_feature f)
{
    return (cpu->features & CPU_FEAT(f)) != 0;
}

bool paging_pae_legacy(const struct cpu *cpu)
{
    return (cpu->cr0 & CR0_PG) && (cpu->cr4 & CR4_PAE) && !(cpu->efer & EFER_LMA);
}

/* ---- the walk ------------------------------------------------------------ */

/* A walk's result: the translation or why there is none, and the entries it
 * used (for A/D updates and walk_info). */
struct walk {
    uint64_t phys;
    unsigned shift;         /* page size as a shift */
    unsigned perm;          /* ATLB_U/W/NX, and ATLB_D from the final entry */
    bool global;
    uint32_t error;         /* 0, PF_P|PF_RSVD (reserved bit) or 0x80000000 (not present) */
    unsigned n;
    struct walk_level lv[5];
    unsigned esize;         /* 4 (32-bit paging) or 8 bytes per entry */
};
#define WALK_NOT_PRESENT 0x80000000u

static uint64_t read_entry(struct cpu *cpu, uint64_t addr, unsigned size)
{
    return bus_read(cpu->bus, addr & cpu->bus->a20_mask, size);
}

static bool record(struct walk *w, uint64_t addr, uint64_t v, unsigned level, bool reg)
{
    struct walk_level *l = &w->lv[w->n++];
    l->entry_addr = addr;
    l->value = v;
    l->level = (uint8_t)level;
    l->from_register = reg;
    l->leaf = false;
    if (!(v & PTE_P)) {
        w->error = WALK_NOT_PRESENT;
        return false;
    }
    return true;
}

static void leaf(const struct cpu *cpu, struct walk *w, uint64_t lin, uint64_t base, unsigned shift,
                 uint64_t v)
{
    uint64_t off = lin & ((1ull << shift) - 1);
    w->phys = ((base & ~((1ull << shift) - 1)) | off) & cpu->bus->a20_mask;
    w->shift = shift;
    w->global = (v & PTE_G) && (cpu->cr4 & CR4_PGE);
    if (v & PTE_D) w->perm |= ATLB_D;
    w->lv[w->n - 1].leaf = true;
}

static void rights(struct walk *w, uint64_t v)
{
    if (!(v & PTE_US)) w->perm &= ~(unsigned)ATLB_U;
    if (!(v & PTE_RW)) w->perm &= ~(unsigned)ATLB_W;
    if (v & PTE_XD) w->perm |= ATLB_NX;
}

/* 32-bit paging (SDM 4.3): 4-byte entries, 4-MiB pages with CR4.PSE,
 * physical bits 39:32 of a 4-MiB page in PDE bits 20:13 with PSE-36. */
static void walk32(struct cpu *cpu, uint64_t lin, struct walk *w)
{
    w->esize = 4;
    uint64_t pde_addr = (cpu->cr3 & 0xFFFFF000ull) + ((lin >> 22) & 0x3FF) * 4;
    uint64_t pde = read_entry(cpu, pde_addr, 4);
    if (!record(w, pde_addr, pde, 2, false)) return;
    rights(w, pde);
    if ((pde & PTE_PS) && (cpu->cr4 & CR4_PSE)) {
        unsigned m = has(cpu, FEAT_PSE36) ? CPU_MAXPHYADDR : 32;
        uint64_t rsvd = 0x3FE000ull & ~((1ull << (13 + m - 32)) - 1) ;   /* bits 21:(m-19) */
        if (pde & rsvd) {
            w->error = PF_P | PF_RSVD;
            return;
        }
        uint64_t high = m > 32 ? ((pde >> 13) & ((1ull << (m - 32)) - 1)) << 32 : 0;
        leaf(cpu, w, lin, (pde & 0xFFC00000ull) | high, 22, pde);
        return;
    }
    uint64_t pte_addr = (pde & 0xFFFFF000ull) + ((lin >> 12) & 0x3FF) * 4;
    uint64_t pte = read_entry(cpu, pte_addr, 4);
    if (!record(w, pte_addr, pte, 1, false)) return;
    rights(w, pte);
    leaf(cpu, w, lin, pte & 0xFFFFF000ull, 12, pte);
}

/* Reserved bits of a present PAE, 4-level or 5-level entry at level (SDM
 * tables 4-8 to 4-11, 4-14 to 4-20): above MAXPHYADDR, XD without
 * EFER.NXE, PS in a PML5E or PML4E, a 1-GiB PDPTE without pdpe1gb, the low
 * bits of large-page bases. */
static uint64_t reserved(const struct cpu *cpu, uint64_t v, unsigned level, bool ia32e)
{
    uint64_t r = ia32e ? bits_from_maxphy(52) : bits_from_maxphy(63);
    if (!(cpu->efer & EFER_NXE)) r |= PTE_XD;
    if (level >= 4) r |= PTE_PS;
    if (level == 3 && (v & PTE_PS)) r |= has(cpu, FEAT_PDPE1GB) ? 0x3FFFE000ull : PTE_PS;
    if (level == 2 && (v & PTE_PS)) r |= 0x1FE000ull;
    return r;
}

/* PAE (PDPTE registers, then PD and PT), 4-level and 5-level paging. */
static void walk64(struct cpu *cpu, uint64_t lin, struct walk *w)
{
    bool ia32e = (cpu->efer & EFER_LMA) != 0;
    uint64_t table;
    unsigned level;
    w->esize = 8;
    if (ia32e) {
        table = cpu->cr3 & PHYS_MASK;
        level = (cpu->cr4 & CR4_LA57) ? 5 : 4;
    } else {
        unsigned i = (unsigned)((lin >> 30) & 3);
        uint64_t pdpte = cpu->pdpte[i];
        if (!record(w, (cpu->cr3 & 0xFFFFFFE0ull) + i * 8, pdpte, 3, true)) return;
        table = pdpte & PHYS_MASK;
        level = 2;
    }
    for (;; level--) {
        uint64_t addr = table + ((lin >> (12 + 9 * (level - 1))) & 0x1FF) * 8;
        uint64_t v = read_entry(cpu, addr, 8);
        if (!record(w, addr, v, level, false)) return;
        if (v & reserved(cpu, v, level, ia32e)) {
            w->error = PF_P | PF_RSVD;
            return;
        }
        rights(w, v);
        if (level == 1 || (level <= 3 && (v & PTE_PS))) {
            leaf(cpu, w, lin, v & PHYS_MASK, 12 + 9 * (level - 1), v);
            return;
        }
        table = v & PHYS_MASK;
    }
}

/* Walk the tables in memory without changing anything. */
static void walk(struct cpu *cpu, uint64_t lin, struct walk *w)
{
    memset(w, 0, sizeof *w);
    w->perm = ATLB_U | ATLB_W;
    if (cpu->cr4 & CR4_PAE) walk64(cpu, lin, w);
    else walk32(cpu, lin, w);
    if (!(cpu->efer & EFER_NXE)) w->perm &= ~(unsigned)ATLB_NX;
}

/* Set A in every entry the walk used and D in the final one for a write,
 * each only if not already set (sticky flags, SDM 4.8).  The PAE PDPTE
 * registers have no accessed flag. */
static void set_flags(struct cpu *cpu, const struct walk *w, bool write)
{
    for (unsigned i = 0; i < w->n; i++) {
        const struct walk_level *l = &w->lv[i];
        if (l->from_register) continue;
        uint64_t want = PTE_A | (l->leaf && write ? PTE_D : 0);
        uint64_t v = read_entry(cpu, l->entry_addr, w->esize);
        if ((v & want) == want) continue;
        uint64_t addr = l->entry_addr & cpu->bus->a20_mask;
        if (dc_page_has_code(cpu, addr & ~0xFFFull)) {
            cpu->stats.smc_writes++;
            dc_invalidate_page(cpu, addr & ~0xFFFull);
        }
        bus_write(cpu->bus, addr, w->esize, v | want);
    }
}

/* ---- rights (SDM 4.6) ---------------------------------------------------- */

static uint32_t access_bits(const struct cpu *cpu, int access)
{
    int kind = ACC_KIND(access);
    uint32_t e = 0;
    if (kind == ACC_WRITE || kind == ACC_RMW) e |= PF_W;
    if (!(access & ACC_SYS) && cpu->cpl == 3) e |= PF_U;
    if (kind == ACC_FETCH && ((cpu->cr4 & CR4_SMEP) ||
                              ((cpu->cr4 & CR4_PAE) && (cpu->efer & EFER_NXE))))
        e |= PF_ID;
    return e;
}

uint32_t paging_denied(const struct cpu *cpu, unsigned perm, int access, bool no_ac)
{
    int kind = ACC_KIND(access);
    bool write = kind == ACC_WRITE || kind == ACC_RMW, fetch = kind == ACC_FETCH;
    bool user_page = perm & ATLB_U, ok;
    if (!(access & ACC_SYS) && cpu->cpl == 3) {             /* user-mode access */
        ok = user_page && !(write && !(perm & ATLB_W)) && !(fetch && (perm & ATLB_NX));
    } else if (fetch) {                                     /* supervisor fetch */
        ok = !(user_page && (cpu->cr4 & CR4_SMEP)) && !(perm & ATLB_NX);
    } else {                                                /* supervisor data */
        bool ac = !no_ac && !(access & ACC_SYS) && (cpu->rflags & FL_AC);
        ok = !(user_page && (cpu->cr4 & CR4_SMAP) && !ac) &&
             !(write && !(perm & ATLB_W) && (cpu->cr0 & CR0_WP));
    }
    return ok ? 0 : PF_P | access_bits(cpu, access);
}

/* ---- translation ---------------------------------------------------------- */

_Noreturn static void page_fault(struct cpu *cpu, uint64_t lin, uint32_t error)
{
    /* The fault drops the page's cached translations (SDM 4.10.4.1), so a
     * retry after the tables are fixed walks them again. */
    tlb_invalidate_page(cpu, lin, tlb_current_pcid(cpu), true, TLB_CAUSE_PF);
    cpu->cr2 = lin;
    cpu_raise(cpu, EXC_PF, error);
}

const struct atlb_entry *paging_translate(struct cpu *cpu, uint64_t lin, int access)
{
    int kind = ACC_KIND(access);
    bool write = kind == ACC_WRITE || kind == ACC_RMW;
    struct atlb_entry *e = tlb_lookup(cpu, lin);
    if (e) {
        uint32_t err = paging_denied(cpu, e->perm, access, false);
        if (err) page_fault(cpu, lin, err);
        if (!write || (e->perm & ATLB_D)) return e;
        /* A write through a clean entry walks again to set D (SDM 4.8). */
    }
    struct walk w;
    cpu->atlb.stats.walks++;
    walk(cpu, lin, &w);
    if (w.error == WALK_NOT_PRESENT) page_fault(cpu, lin, access_bits(cpu, access));
    if (w.error) page_fault(cpu, lin, w.error | access_bits(cpu, access));
    uint32_t err = paging_denied(cpu, w.perm, access, false);
    if (err) page_fault(cpu, lin, err);
    set_flags(cpu, &w, write);
    struct atlb_entry n = {
        .vpage = lin & ~0xFFFull,
        .ppage = w.phys & ~0xFFFull,
        .vbase = lin & ~((1ull << w.shift) - 1),
        .pcid = (uint16_t)tlb_current_pcid(cpu),
        .global = w.global,
        .size_shift = (uint8_t)w.shift,
        .perm = (uint8_t)(w.perm | (write ? ATLB_D : 0)),
    };
    return tlb_insert(cpu, &n);
}

int paging_peek(struct cpu *cpu, uint64_t lin, uint64_t *phys)
{
    struct walk w;
    walk(cpu, lin, &w);
    if (w.error) return -1;
    *phys = w.phys;
    return 0;
}

int paging_walk_info(struct cpu *cpu, uint64_t lin, struct walk_info *out)
{
    memset(out, 0, sizeof *out);
    if (!(cpu->cr0 & CR0_PG)) return -1;
    struct walk w;
    walk(cpu, lin, &w);
    out->nlevels = w.n;
    memcpy(out->lv, w.lv, sizeof out->lv);
    out->mapped = w.error == 0;
    if (w.error) {
        out->error = w.error == WALK_NOT_PRESENT ? 0 : w.error;
        return 0;
    }
    out->phys = w.phys;
    out->page_size = 1ull << w.shift;
    out->perm = w.perm;
    out->global = w.global;
    return 0;
}

/* ---- PDPTE registers (SDM 4.4.1) ------------------------------------------ */

int paging_load_pdptes(struct cpu *cpu, uint64_t cr3)
{
    uint64_t p[4];
    uint64_t rsvd = bits_from_maxphy(64) | 0x1E6ull;     /* 63:M, 8:5, 2:1 */
    for (unsigned i = 0; i < 4; i++) {
        p[i] = read_entry(cpu, (cr3 & 0xFFFFFFE0ull) + i * 8, 8);
        if ((p[i] & PTE_P) && (p[i] & rsvd)) return -1;
    }
    memcpy(cpu->pdpte, p, sizeof p);
    return 0;
}

/* ---- the speed TLB's permission context ----------------------------------- */

/* With paging off every slot allows everything, so only PG matters then. */
void paging_mode_changed(struct cpu *cpu)
{
    uint8_t ctx = 0x80;
    if (cpu->cr0 & CR0_PG)
        ctx = (uint8_t)(0xC0 | (cpu->cpl == 3) | (cpu->cr0 & CR0_WP ? 2 : 0) |
                        (cpu->cr4 & CR4_SMEP ? 4 : 0) | (cpu->cr4 & CR4_SMAP ? 8 : 0) |
                        (cpu->efer & EFER_NXE ? 16 : 0));
    if (cpu->align_check || cpu->dbg.data || cpu->host.nwatch || cpu->rec.buf) ctx |= SPEED_NO_DATA;
    unsigned k = cpu->cpl == 3;
    if (k != cpu->tlb_cur) {            /* the other set, filled under its own context */
        cpu->tlb_cur = k;
        cpu->tlb = cpu->tlb_set[k];
        cpu->fetch_gen = cpu->set_gen[k];
    }
    if (ctx != cpu->set_ctx[k]) {
        cpu->set_ctx[k] = ctx;
        speed_tlb_flush_set(cpu, k);
    }
    cpu->speed_ctx = ctx;
}
