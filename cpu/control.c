/* control.c - control and debug registers and the instructions around them
 * (SDM Vol. 2 MOV CRn/DRn, CLTS, LMSW, SMSW, INVLPG, INVPCID, STAC, CLAC;
 * Vol. 3 2.5 control registers, 9.8.5 long-mode activation, 4.4.1 PDPTE
 * loads, 4.10.4.1 TLB invalidation, 17.2 debug registers).
 *
 * Every CR and DR move is privileged (#GP(0) at CPL > 0, V86 included),
 * takes its general register from ModRM.rm whatever the mod field, and is
 * 64 bits wide in 64-bit mode and 32 bits elsewhere.
 */
#include "ops.h"
#include "system.h"
#include "control.h"
#include "debug.h"
#include "exec.h"
#include "handlers.h"
#include "mmu/paging.h"
#include "mmu/tlb.h"

#define CR0_WRITABLE (CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_NE | CR0_WP | CR0_AM | CR0_NW | \
                      CR0_CD | CR0_PG)
#define DR6_FIXED   0xFFFF0FF0ull   /* reads as 1: bits 4-11, 16-31 (RTM absent) */
#define DR6_WRITABLE 0xE00Full      /* B0-B3, BD, BS, BT */
#define DR7_FIXED   0x400ull
#define DR7_WRITABLE 0xFFFF23FFull  /* L/G0-3, LE, GE, GD, R/W and LEN fields */
#define DR7_GD      (1ull << 13)
#define DR6_BD      (1ull << 13)

_Noreturn static void gp0(struct cpu *cpu)
{
    cpu_raise(cpu, EXC_GP, 0);
}

static bool has(const struct cpu *cpu, enum cpu_feature f)
{
    return (cpu->features & CPU_FEAT(f)) != 0;
}

static void require_cpl0(struct cpu *cpu)
{
    if (cpu->cpl != 0) gp0(cpu);
}

/* The general register of a CR/DR move: 64 bits in 64-bit mode, else 32. */
static unsigned gpr_size(const struct cpu *cpu)
{
    return cpu->dmode == DM_64 ? 8 : 4;
}

uint64_t cr4_writable(const struct cpu *cpu)
{
    static const struct { enum cpu_feature f; uint32_t bit; } bits[] = {
        { FEAT_TSC, CR4_TSD }, { FEAT_DE, CR4_DE }, { FEAT_PSE, CR4_PSE },
        { FEAT_PAE, CR4_PAE }, { FEAT_PGE, CR4_PGE }, { FEAT_UMIP, CR4_UMIP },
        { FEAT_PCID, CR4_PCIDE }, { FEAT_SMEP, CR4_SMEP }, { FEAT_SMAP, CR4_SMAP },
        { FEAT_FSGSBASE, CR4_FSGSBASE }, { FEAT_LA57, CR4_LA57 },
    };
    uint64_t w = cpu->model->family >= 6 ? CR4_PCE : 0;   /* RDPMC's gate, from the P6 */
    for (size_t k = 0; k < sizeof bits / sizeof bits[0]; k++)
        if (has(cpu, bits[k].f)) w |= bits[k].bit;
    return w;
}

/* CR4 came with the Pentium: the i486 model has no CR4 (#UD). */
static bool cr_exists(const struct cpu *cpu, unsigned n)
{
    switch (n) {
    case 0: case 2: case 3: return true;
    case 4: return cpu->model->family >= 5;
    case 8: return cpu->dmode == DM_64;
    default: return false;
    }
}

/* ---- CR0 ------------------------------------------------------------------ */

/* Entering IA-32e mode (SDM 9.8.5): CR0.PG set with EFER.LME needs CR4.PAE,
 * not a 64-bit CS, and not a 16-bit TSS in TR. */
static void check_lma_entry(struct cpu *cpu)
{
    unsigned tr_type = cpu->seg[SEG_TR].attr & SA_TYPE;
    if (!(cpu->cr4 & CR4_PAE) || (cpu->seg[SEG_CS].attr & SA_L)) gp0(cpu);
    if (tr_type == 1 || tr_type == 3) gp0(cpu);
}

static void cr0_write(struct cpu *cpu, uint64_t v)
{
    if (v >> 32) gp0(cpu);                  /* only 64-bit mode can try */
    uint64_t old = cpu->cr0;
    v = (v & CR0_WRITABLE) | CR0_ET;        /* ET is fixed at 1; other reserved bits read 0 */
    if ((v & CR0_PG) && !(v & CR0_PE)) gp0(cpu);
    if ((v & CR0_NW) && !(v & CR0_CD)) gp0(cpu);
    bool pg_on = !(old & CR0_PG) && (v & CR0_PG), pg_off = (old & CR0_PG) && !(v & CR0_PG);
    if (pg_off && (cpu->cr4 & CR4_PCIDE)) gp0(cpu);
    if (pg_off && cpu->dmode == DM_64) gp0(cpu);    /* leave long mode from compatibility mode */
    bool lma = cpu->efer & EFER_LMA;
    if (pg_on && (cpu->efer & EFER_LME)) {
        check_lma_entry(cpu);
        lma = true;
    }
    if (pg_off) lma = false;
    /* PAE paging after the write: a change of PG, CD or NW reloads the PDPTEs. */
    if ((v & CR0_PG) && (cpu->cr4 & CR4_PAE) && !lma &&
        ((old ^ v) & (CR0_PG | CR0_CD | CR0_NW)) && paging_load_pdptes(cpu, cpu->cr3) != 0)
        gp0(cpu);
    cpu->cr0 = v;
    cpu->efer = lma ? cpu->efer | EFER_LMA : cpu->efer & ~(uint64_t)EFER_LMA;
    if (pg_off) tlb_invalidate_all(cpu, true, TLB_CAUSE_CR0);
    cpu_update_mode(cpu);
}

/* ---- CR3 ------------------------------------------------------------------ */

static void cr3_write(struct cpu *cpu, uint64_t v)
{
    bool noflush = false;
    if (cpu->dmode == DM_64) {
        if (cpu->cr4 & CR4_PCIDE) {
            noflush = (v & CR3_NOFLUSH) != 0;
            v &= ~CR3_NOFLUSH;              /* bit 63 is never written */
        }
        if (v >> CPU_MAXPHYADDR) gp0(cpu);  /* bits 63:MAXPHYADDR are reserved */
    }
    if (paging_pae_legacy(cpu) && paging_load_pdptes(cpu, v) != 0) gp0(cpu);
    uint64_t old = cpu->cr3;
    cpu->cr3 = v;
    unsigned pcid = tlb_current_pcid(cpu);
    if (cpu->on_cr3) cpu->on_cr3(cpu->observer, old, v, pcid, noflush);
    if (!noflush) tlb_invalidate_pcid(cpu, pcid, false, TLB_CAUSE_CR3);
    speed_tlb_flush(cpu);                   /* it held the previous address space */
}

/* ---- CR4 ------------------------------------------------------------------ */

static void cr4_write(struct cpu *cpu, uint64_t v)
{
    uint64_t old = cpu->cr4, changed = old ^ v;
    bool lma = cpu->efer & EFER_LMA;
    if (v & ~cr4_writable(cpu)) gp0(cpu);   /* reserved or not advertised */
    /* The paging mode cannot change under IA-32e mode: LA57 is chosen
     * before EFER.LME and CR0.PG activate it (SDM Vol. 3 2.5, 4.1.1). */
    if (lma && (changed & CR4_LA57)) gp0(cpu);
    if ((v & CR4_PCIDE) && !(old & CR4_PCIDE) && (!lma || (cpu->cr3 & 0xFFF))) gp0(cpu);
    if (lma && !(v & CR4_PAE)) gp0(cpu);
    debug_refuse_io(cpu, cpu->dr[7], v);
    if ((cpu->cr0 & CR0_PG) && (v & CR4_PAE) && !lma &&
        (changed & (CR4_PAE | CR4_PGE | CR4_PSE | CR4_SMEP)) &&
        paging_load_pdptes(cpu, cpu->cr3) != 0)
        gp0(cpu);
    cpu->cr4 = v;
    if ((changed & CR4_PGE) || ((old & CR4_PCIDE) && !(v & CR4_PCIDE)))
        tlb_invalidate_all(cpu, true, TLB_CAUSE_CR4);
    else if ((changed & (CR4_PAE | CR4_PSE)) || ((v & CR4_SMEP) && !(old & CR4_SMEP)))
        tlb_invalidate_pcid(cpu, tlb_current_pcid(cpu), true, TLB_CAUSE_CR4);
    cpu_update_mode(cpu);
}

void cr_write(struct cpu *cpu, unsigned n, uint64_t value)
{
    switch (n) {
    case 0: cr0_write(cpu, value); break;
    case 2: cpu->cr2 = value; break;
    case 3: cr3_write(cpu, value); break;
    case 4: cr4_write(cpu, value); break;
    case 8:
        if (value & ~0xFull) gp0(cpu);      /* TPR: bits 63:4 reserved */
        cpu->cr8 = value;
        if (cpu->cr8_write) cpu->cr8_write(cpu->apic_ctx, (unsigned)value);
        break;
    default: cpu_raise(cpu, EXC_UD, EXC_NO_ERROR);
    }
}

uint64_t cr_read(const struct cpu *cpu, unsigned n)
{
    switch (n) {
    case 0: return cpu->cr0;
    case 2: return cpu->cr2;
    case 3: return cpu->cr3;
    case 4: return cpu->cr4;
    default: return cpu->cr8_read ? cpu->cr8_read(cpu->apic_ctx) : cpu->cr8;
    }
}

/* 0F 20: MOV Ry, Cd */
void op_mov_Ry_Cd(struct cpu *cpu, const struct insn *in)
{
    if (!cr_exists(cpu, in->reg)) cpu_raise(cpu, EXC_UD, EXC_NO_ERROR);
    require_cpl0(cpu);
    reg_write(cpu, in->rm, gpr_size(cpu), cr_read(cpu, in->reg));
}

/* 0F 22: MOV Cd, Ry */
void op_mov_Cd_Ry(struct cpu *cpu, const struct insn *in)
{
    if (!cr_exists(cpu, in->reg)) cpu_raise(cpu, EXC_UD, EXC_NO_ERROR);
    require_cpl0(cpu);
    cr_write(cpu, in->reg, reg_read(cpu, in->rm, gpr_size(cpu)));
}

/* ---- debug registers (SDM 17.2) -------------------------------------------- */

/* DR4 and DR5 are DR6 and DR7 unless CR4.DE makes them #UD; DR8-15 do not
 * exist.  The privilege check comes first: at CPL 3 an Intel host gives
 * #GP(0) for DR4 with CR4.DE set. */
static unsigned dr_index(struct cpu *cpu, unsigned n)
{
    if (n > 7) cpu_raise(cpu, EXC_UD, EXC_NO_ERROR);
    require_cpl0(cpu);
    if (n == 4 || n == 5) {
        if (cpu->cr4 & CR4_DE) cpu_raise(cpu, EXC_UD, EXC_NO_ERROR);
        n += 2;
    }
    return n;
}

/* DR7.GD: any debug-register access is a #DB fault with DR6.BD set; GD is
 * cleared so the handler itself can use the registers (SDM 17.2.4). */
static void general_detect(struct cpu *cpu)
{
    if (!(cpu->dr[7] & DR7_GD)) return;
    cpu->dr[6] |= DR6_BD;
    cpu->dr[7] &= ~DR7_GD;
    cpu->rip = cpu->insn_start;             /* a fault: it reports the MOV itself */
    cpu_raise(cpu, EXC_DB, EXC_NO_ERROR);
}

/* 0F 21: MOV Ry, Dd */
void op_mov_Ry_Dd(struct cpu *cpu, const struct insn *in)
{
    unsigned n = dr_index(cpu, in->reg);
    general_detect(cpu);
    reg_write(cpu, in->rm, gpr_size(cpu), cpu->dr[n]);
}

/* 0F 23: MOV Dd, Ry */
void op_mov_Dd_Ry(struct cpu *cpu, const struct insn *in)
{
    unsigned n = dr_index(cpu, in->reg);
    general_detect(cpu);
    uint64_t v = reg_read(cpu, in->rm, gpr_size(cpu));
    if (n == 6) {
        if (v >> 32) gp0(cpu);
        v = (v & DR6_WRITABLE) | DR6_FIXED;
    } else if (n == 7) {
        if (v >> 32) gp0(cpu);
        v = (v & DR7_WRITABLE) | DR7_FIXED;
        debug_refuse_io(cpu, v, cpu->cr4);
    }
    cpu->dr[n] = v;
    if (n != 6) debug_update(cpu);
}

/* ---- CLTS, LMSW, SMSW -------------------------------------------------------- */

/* 0F 06 */
void op_clts(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    require_cpl0(cpu);
    cpu->cr0 &= ~(uint64_t)CR0_TS;
}

/* 0F 01 /6: loads PE, MP, EM and TS from the low four bits; PE can be set
 * but not cleared. */
void op_lmsw_Ew(struct cpu *cpu, const struct insn *in)
{
    require_cpl0(cpu);
    uint64_t v = E_read(cpu, in, 2);
    uint64_t low = (v & 0xF) | (cpu->cr0 & CR0_PE);
    cpu->cr0 = (cpu->cr0 & ~0xFull) | low;
    cpu_update_mode(cpu);
}

void umip_check(struct cpu *cpu)
{
    if ((cpu->cr4 & CR4_UMIP) && cpu->cpl > 0) gp0(cpu);
}

/* 0F 01 /4: the register form stores as many bits of CR0 as the operand
 * size holds; the memory form always stores 16. */
void op_smsw_Ew(struct cpu *cpu, const struct insn *in)
{
    umip_check(cpu);
    E_write(cpu, in, in->mod == 3 ? in->osize : 2, cpu->cr0);
}

/* ---- TLB maintenance ----------------------------------------------------------- */

/* 0F 01 /7: the linear address of the operand, without limit checks; a
 * non-canonical one in 64-bit mode invalidates nothing (a NOP). */
void op_invlpg_M(struct cpu *cpu, const struct insn *in)
{
    require_cpl0(cpu);
    uint64_t ea = insn_ea(cpu, in), lin;
    if (cpu->dmode == DM_64) {
        lin = ea + ((in->seg == SEG_FS || in->seg == SEG_GS) ? cpu->seg[in->seg].base : 0);
        if (!canonical_max(cpu, lin)) return;
    } else {
        lin = (uint32_t)(cpu->seg[in->seg].base + ea);
    }
    tlb_invalidate_page(cpu, lin, tlb_current_pcid(cpu), true, TLB_CAUSE_INVLPG);
}

/* 66 0F 38 82: INVPCID type (register), descriptor m128 = PCID in bits
 * 11:0 (63:12 reserved) and a linear address in 127:64. */
void op_invpcid_Gy_M(struct cpu *cpu, const struct insn *in)
{
    if (cpu->mode == MODE_V86) cpu_raise(cpu, EXC_UD, EXC_NO_ERROR);
    require_cpl0(cpu);
    uint64_t type = reg_read(cpu, in->reg, gpr_size(cpu));
    uint64_t ea = insn_ea(cpu, in);
    uint64_t lo = mem_read(cpu, in->seg, ea, 8);
    uint64_t hi = mem_read(cpu, in->seg, truncate(ea + 8, in->asize), 8);
    unsigned pcid = (unsigned)(lo & 0xFFF);
    if (type > 3 || (lo >> 12)) gp0(cpu);
    if (type <= 1 && pcid && !(cpu->cr4 & CR4_PCIDE)) gp0(cpu);
    switch (type) {
    case 0:
        if (!canonical_max(cpu, hi)) gp0(cpu);
        tlb_invalidate_page(cpu, hi, pcid, false, TLB_CAUSE_INVPCID_ADDR);
        break;
    case 1: tlb_invalidate_pcid(cpu, pcid, false, TLB_CAUSE_INVPCID_PCID); break;
    case 2: tlb_invalidate_all(cpu, true, TLB_CAUSE_INVPCID_ALL); break;
    default: tlb_invalidate_all(cpu, false, TLB_CAUSE_INVPCID_NONGLOBAL); break;
    }
}

/* 0F 01 CA (CLAC, sub 0) and 0F 01 CB (STAC, sub 1): #UD at CPL > 0 and in
 * V86 mode; the row needs the smap feature.  The speed TLB never caches a
 * user page for supervisor data accesses under SMAP, so AC needs no flush. */
void op_stac_clac(struct cpu *cpu, const struct insn *in)
{
    if (cpu->cpl != 0) cpu_raise(cpu, EXC_UD, EXC_NO_ERROR);
    if (in->sub) cpu->rflags |= FL_AC;
    else cpu->rflags &= ~(uint64_t)FL_AC;
}

/* ---- caches and performance counters ------------------------------------------ */

/* 0F 08 INVD, 0F 09 WBINVD: privileged.  ringsim models no caches, so there
 * is nothing to write back or drop: memory is always coherent. */
void op_invd(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    require_cpl0(cpu);
}

/* 0F 33 RDPMC: #GP(0) above CPL 0 without CR4.PCE, and for a counter that
 * does not exist.  ringsim implements no performance counters (CPUID does not
 * enumerate leaf 0AH), so every index is one that does not exist. */
void op_rdpmc(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    if (cpu->cpl > 0 && !(cpu->cr4 & CR4_PCE)) gp0(cpu);
    gp0(cpu);
}
