/* desc.c - descriptor tables and segment-register loads (SDM Vol. 3 ch. 3.4-3.5
 * and 5.1-5.8; Vol. 2 MOV, POP, LDS, LGDT, LLDT, LTR, LAR, LSL, VERR, ARPL).
 *
 * A selector names a descriptor in the GDT or the LDT; reading it is an
 * implicit supervisor access whatever the CPL.  Loading a segment register
 * checks the descriptor's type, privilege and presence in the order the SDM's
 * pseudo-code gives, raises the selector error code on failure, sets the
 * accessed bit in memory, and fills the hidden cache (struct segment).
 */
#include "ops.h"
#include "system.h"
#include "control.h"

/* ---- reading descriptors -------------------------------------------------- */

uint32_t sel_error(const struct cpu *cpu, uint16_t sel)
{
    return (uint32_t)(sel & 0xFFFC) | cpu->ext;
}

/* The table a selector indexes: the LDT when TI is set. */
static bool table_of(const struct cpu *cpu, uint16_t sel, uint64_t *base, uint32_t *limit)
{
    if (sel & 4) {
        const struct segment *ldt = &cpu->seg[SEG_LDTR];
        if ((ldt->sel & 0xFFFC) == 0 || !(ldt->attr & SA_P)) return false;
        *base = ldt->base;
        *limit = ldt->limit;
    } else {
        *base = cpu->gdtr.base;
        *limit = cpu->gdtr.limit;
    }
    return true;
}

bool desc_read(struct cpu *cpu, uint16_t sel, struct desc *d)
{
    uint64_t base;
    uint32_t limit;
    d->sel = sel;
    if (!table_of(cpu, sel, &base, &limit)) return false;
    uint32_t off = sel & 0xFFF8u;
    if (off + 7 > limit) return false;
    d->addr = cpu->dmode == DM_64 || (cpu->efer & EFER_LMA) ? base + off : (uint32_t)(base + off);
    uint64_t raw = sys_read(cpu, d->addr, 8);
    d->lo = (uint32_t)raw;
    d->hi = (uint32_t)(raw >> 32);
    d->hi2 = 0;
    return true;
}

bool desc_read16(struct cpu *cpu, uint16_t sel, struct desc *d)
{
    uint64_t base = 0;
    uint32_t limit = 0;
    if (!desc_read(cpu, sel, d)) return false;
    table_of(cpu, sel, &base, &limit);
    if ((sel & 0xFFF8u) + 15 > limit) return false;
    uint64_t upper = sys_read(cpu, d->addr + 8, 8);
    d->hi2 = (uint32_t)upper;
    d->hi3 = (uint32_t)(upper >> 32);
    return true;
}

void desc_to_seg(const struct desc *d, struct segment *s)
{
    uint32_t limit = (d->lo & 0xFFFF) | (d->hi & 0xF0000);
    if (d->hi & (1u << 23)) limit = limit << 12 | 0xFFF;
    s->sel = d->sel;
    s->limit = limit;
    s->base = (d->lo >> 16) | ((d->hi & 0xFF) << 16) | (d->hi & 0xFF000000u);
    if (!desc_s(d)) s->base |= (uint64_t)d->hi2 << 32;     /* 16-byte system descriptors */
    s->attr = (uint16_t)(((d->hi >> 8) & 0xFF) | ((d->hi >> 8) & 0xF000));
}

/* Code and data descriptors record a use in their type's bit 0. */
void desc_set_accessed(struct cpu *cpu, struct desc *d)
{
    if (!desc_s(d) || (d->hi & 0x100)) return;
    d->hi |= 0x100;
    sys_write(cpu, d->addr + 5, 1, (d->hi >> 8) & 0xFF);
}

/* TSS descriptors: type 1/9 available, 3/B busy (bit 1 of the type). */
void desc_set_busy(struct cpu *cpu, struct desc *d, bool busy)
{
    d->hi = busy ? d->hi | 0x200 : d->hi & ~0x200u;
    sys_write(cpu, d->addr + 5, 1, (d->hi >> 8) & 0xFF);
}

/* ---- loading segment registers ------------------------------------------ */

/* Virtual-8086 mode: base = selector * 16, a 64 KiB read/write data segment
 * at privilege 3 (SDM Vol. 3 20.2.1). */
void seg_load_v86(struct cpu *cpu, int seg, uint16_t sel)
{
    struct segment *s = &cpu->seg[seg];
    s->sel = sel;
    s->base = (uint64_t)sel << 4;
    s->limit = 0xFFFF;
    s->attr = SA_P | SA_S | SA_DPL | 0x3 | (seg == SEG_CS ? SA_CODE : 0);
}

/* A null selector in DS, ES, FS, GS (or SS where 64-bit mode allows it):
 * the register becomes unusable; any use outside 64-bit mode is #GP(0).
 * Intel clears the base of FS and GS; AMD keeps it (measured behaviour
 * operating systems document). */
/* The stack a null SS gives 64-bit code: usable, flat, at privilege dpl. */
struct segment null_stack(uint16_t sel, unsigned dpl)
{
    return (struct segment){ sel, (uint16_t)(SA_P | SA_S | 0x3 | (dpl << 5)), 0xFFFFFFFF, 0 };
}

void seg_load_null(struct cpu *cpu, int seg, uint16_t sel)
{
    struct segment *s = &cpu->seg[seg];
    if (seg == SEG_SS) {
        *s = null_stack(sel, sel & 3);
        return;
    }
    s->sel = sel;
    s->attr = 0;
    s->limit = 0;
    if (!is_amd(cpu) || (seg != SEG_FS && seg != SEG_GS)) s->base = 0;
}

/* MOV, POP, LDS/LES/LFS/LGS/LSS in protected mode (SDM Vol. 2 MOV, the
 * protected-mode pseudo-code). */
static void seg_load_prot(struct cpu *cpu, int seg, uint16_t sel)
{
    unsigned rpl = sel & 3, cpl = cpu->cpl;
    struct desc d;
    if ((sel & 0xFFFC) == 0) {
        if (seg == SEG_SS && !(cpu->dmode == DM_64 && cpl != 3 && rpl == cpl))
            cpu_raise(cpu, EXC_GP, 0);
        seg_load_null(cpu, seg, sel);
        return;
    }
    if (!desc_read(cpu, sel, &d)) cpu_raise(cpu, EXC_GP, sel_error(cpu, sel));
    unsigned dpl = desc_dpl(&d);
    bool code = desc_s(&d) && (d.hi & 0x800);
    if (seg == SEG_SS) {
        bool writable_data = desc_s(&d) && !code && (d.hi & 0x200);
        if (rpl != cpl || !writable_data || dpl != cpl) cpu_raise(cpu, EXC_GP, sel_error(cpu, sel));
        if (!desc_p(&d)) cpu_raise(cpu, EXC_SS, sel_error(cpu, sel));
    } else {
        bool readable = !code || (d.hi & 0x200);
        bool conforming = code && (d.hi & 0x400);
        if (!desc_s(&d) || !readable) cpu_raise(cpu, EXC_GP, sel_error(cpu, sel));
        if (!conforming && (rpl > dpl || cpl > dpl)) cpu_raise(cpu, EXC_GP, sel_error(cpu, sel));
        if (!desc_p(&d)) cpu_raise(cpu, EXC_NP, sel_error(cpu, sel));
    }
    desc_set_accessed(cpu, &d);
    desc_to_seg(&d, &cpu->seg[seg]);    /* FS/GS in 64-bit mode: base 31:0, upper half cleared */
}

void seg_load(struct cpu *cpu, int seg, uint16_t sel)
{
    switch (cpu->mode) {
    case MODE_REAL: cpu_load_seg_real(cpu, seg, sel); return;
    case MODE_V86: seg_load_v86(cpu, seg, sel); break;
    default: seg_load_prot(cpu, seg, sel); break;
    }
    cpu_update_mode(cpu);
}

/* CS from a checked code descriptor, at privilege cpl (the RPL becomes the CPL). */
void seg_load_cs(struct cpu *cpu, struct desc *d, unsigned cpl)
{
    desc_set_accessed(cpu, d);
    d->sel = (uint16_t)((d->sel & 0xFFFC) | cpl);
    desc_to_seg(d, &cpu->seg[SEG_CS]);
    cpu->cs_from_real = false;
}

/* ---- descriptor-table registers (0F 01 /0-/3, 0F 00 /0-/3) ---------------- */

static void require_prot(struct cpu *cpu)
{
    if (cpu->mode == MODE_REAL || cpu->mode == MODE_V86) cpu_raise(cpu, EXC_UD, EXC_NO_ERROR);
}

static void require_cpl0(struct cpu *cpu)
{
    if (cpu->cpl != 0) cpu_raise(cpu, EXC_GP, 0);
}

/* LGDT/LIDT: limit then base; a 16-bit operand loads 24 bits of base, 64-bit
 * mode eight bytes.  The base is read before either register changes. */
static void load_table_reg(struct cpu *cpu, const struct insn *in, uint64_t *base, uint16_t *limit)
{
    require_cpl0(cpu);
    uint64_t ea = insn_ea(cpu, in);
    uint16_t l = (uint16_t)mem_read(cpu, in->seg, ea, 2);
    uint64_t b;
    if (cpu->dmode == DM_64) {
        b = mem_read(cpu, in->seg, truncate(ea + 2, in->asize), 8);
        if (!canonical_max(cpu, b)) cpu_raise(cpu, EXC_GP, 0);
    } else {
        b = mem_read(cpu, in->seg, truncate(ea + 2, in->asize), 4);
        if (in->osize == 2) b &= 0xFFFFFF;
    }
    *limit = l;
    *base = b;
}

/* SGDT/SIDT: the limit, then the base: 4 bytes outside 64-bit mode (whatever
 * the operand size, SDM SGDT), 8 in it. */
static void store_table_reg(struct cpu *cpu, const struct insn *in, uint64_t base, uint16_t limit)
{
    umip_check(cpu);
    uint64_t ea = insn_ea(cpu, in);
    unsigned bsize = cpu->dmode == DM_64 ? 8 : 4;
    mem_write(cpu, in->seg, ea, 2, limit);
    mem_write(cpu, in->seg, truncate(ea + 2, in->asize), bsize, base);
}

void op_lgdt(struct cpu *cpu, const struct insn *in)
{
    load_table_reg(cpu, in, &cpu->gdtr.base, &cpu->gdtr.limit);
}

void op_lidt(struct cpu *cpu, const struct insn *in)
{
    load_table_reg(cpu, in, &cpu->idtr.base, &cpu->idtr.limit);
}

void op_sgdt(struct cpu *cpu, const struct insn *in)
{
    store_table_reg(cpu, in, cpu->gdtr.base, cpu->gdtr.limit);
}

void op_sidt(struct cpu *cpu, const struct insn *in)
{
    store_table_reg(cpu, in, cpu->idtr.base, cpu->idtr.limit);
}

/* SLDT/STR: a register destination takes the selector zero-extended to the
 * operand size; memory always 16 bits. */
static void store_selector(struct cpu *cpu, const struct insn *in, uint16_t sel)
{
    require_prot(cpu);
    umip_check(cpu);
    if (in->mod == 3) reg_write(cpu, in->rm, in->osize == 8 ? 8 : 4, sel);
    else mem_write(cpu, in->seg, insn_ea(cpu, in), 2, sel);
}

void op_sldt(struct cpu *cpu, const struct insn *in)
{
    store_selector(cpu, in, cpu->seg[SEG_LDTR].sel);
}

void op_str(struct cpu *cpu, const struct insn *in)
{
    store_selector(cpu, in, cpu->seg[SEG_TR].sel);
}

/* A system descriptor for LDTR or TR: 16 bytes in IA-32e mode, whose upper
 * half must have type 0 (SDM Vol. 3 3.5.2, 7.2.3). */
static void read_system_desc(struct cpu *cpu, uint16_t sel, struct desc *d)
{
    bool long16 = cpu->efer & EFER_LMA;
    if ((sel & 4) || !(long16 ? desc_read16(cpu, sel, d) : desc_read(cpu, sel, d)))
        cpu_raise(cpu, EXC_GP, sel_error(cpu, sel));
    if (long16 && (((d->hi3 >> 8) & 0x1F) != 0 || !canonical_max(cpu, desc_base(d))))
        cpu_raise(cpu, EXC_GP, sel_error(cpu, sel));
}

void op_lldt(struct cpu *cpu, const struct insn *in)
{
    require_prot(cpu);
    require_cpl0(cpu);
    uint16_t sel = (uint16_t)E_read(cpu, in, 2);
    struct desc d;
    if ((sel & 0xFFFC) == 0) {
        cpu->seg[SEG_LDTR].sel = sel;
        cpu->seg[SEG_LDTR].attr = 0;        /* unusable: later LDT references #GP */
        return;
    }
    read_system_desc(cpu, sel, &d);
    if (desc_s(&d) || desc_type(&d) != 2) cpu_raise(cpu, EXC_GP, sel_error(cpu, sel));
    if (!desc_p(&d)) cpu_raise(cpu, EXC_NP, sel_error(cpu, sel));
    desc_to_seg(&d, &cpu->seg[SEG_LDTR]);
}

void op_ltr(struct cpu *cpu, const struct insn *in)
{
    require_prot(cpu);
    require_cpl0(cpu);
    uint16_t sel = (uint16_t)E_read(cpu, in, 2);
    struct desc d;
    if ((sel & 0xFFFC) == 0) cpu_raise(cpu, EXC_GP, 0);
    read_system_desc(cpu, sel, &d);
    unsigned type = desc_type(&d);
    bool ok = !desc_s(&d) && (type == 9 || (type == 1 && !(cpu->efer & EFER_LMA)));
    if (!ok) cpu_raise(cpu, EXC_GP, sel_error(cpu, sel));
    if (!desc_p(&d)) cpu_raise(cpu, EXC_NP, sel_error(cpu, sel));
    desc_set_busy(cpu, &d, true);
    desc_to_seg(&d, &cpu->seg[SEG_TR]);
}

/* ---- LAR, LSL, VERR, VERW, ARPL ------------------------------------------ */

/* The descriptor a LAR/LSL/VERR/VERW selector names, if it is visible at the
 * current privilege (conforming code always is).  NULL-selector and limit
 * failures just clear ZF. */
static bool visible_desc(struct cpu *cpu, uint16_t sel, struct desc *d)
{
    if ((sel & 0xFFFC) == 0 || !desc_read(cpu, sel, d)) return false;
    bool conforming_code = desc_s(d) && (d->hi & 0xC00) == 0xC00;
    unsigned dpl = desc_dpl(d);
    return conforming_code || (dpl >= cpu->cpl && dpl >= (sel & 3u));
}

static void set_zf(struct cpu *cpu, bool z)
{
    flags_put(cpu, FL_ZF, z ? FL_ZF : 0);
}

/* System types LAR accepts (SDM LAR table): in IA-32e mode only LDT, 64-bit
 * TSS (available or busy) and 64-bit call gate. */
static bool lar_type_ok(const struct cpu *cpu, const struct desc *d, bool lsl)
{
    if (desc_s(d)) return true;
    unsigned t = desc_type(d);
    if (cpu->efer & EFER_LMA) return t == 2 || t == 9 || t == 0xB || (!lsl && t == 0xC);
    if (lsl) return t == 1 || t == 2 || t == 3 || t == 9 || t == 0xB;
    return t == 1 || t == 2 || t == 3 || t == 4 || t == 5 || t == 9 || t == 0xB || t == 0xC;
}

/* LAR (the access rights, masked as the SDM says) and LSL (the byte-granular
 * limit): ZF and the register only for a visible descriptor of a valid type. */
static void load_desc_field(struct cpu *cpu, const struct insn *in, bool lsl)
{
    require_prot(cpu);
    uint16_t sel = (uint16_t)E_read(cpu, in, 2);
    struct desc d;
    bool ok = visible_desc(cpu, sel, &d) && lar_type_ok(cpu, &d, lsl);
    set_zf(cpu, ok);
    if (!ok) return;
    struct segment s;
    desc_to_seg(&d, &s);
    uint64_t v = lsl ? s.limit : d.hi & (in->osize == 2 ? 0xFF00u : 0x00F0FF00u);
    greg_write(cpu, in, in->osize, v);
}

void op_lar(struct cpu *cpu, const struct insn *in) { load_desc_field(cpu, in, false); }
void op_lsl(struct cpu *cpu, const struct insn *in) { load_desc_field(cpu, in, true); }

/* VERR: readable code or data; VERW: writable data.  Never faults on the selector. */
static void verify(struct cpu *cpu, const struct insn *in, bool write)
{
    require_prot(cpu);
    uint16_t sel = (uint16_t)E_read(cpu, in, 2);
    struct desc d;
    bool ok = visible_desc(cpu, sel, &d) && desc_s(&d);
    if (ok) {
        bool code = d.hi & 0x800, rw = d.hi & 0x200;
        ok = write ? !code && rw : !code || rw;
    }
    set_zf(cpu, ok);
}

void op_verr(struct cpu *cpu, const struct insn *in) { verify(cpu, in, false); }
void op_verw(struct cpu *cpu, const struct insn *in) { verify(cpu, in, true); }

/* ARPL (not in 64-bit mode, where 63 is MOVSXD): raise the destination
 * selector's RPL to the source's.  The destination is written only when it
 * changes: a read-only or code-segment operand faults only then (as the
 * host CPU does). */
void op_arpl(struct cpu *cpu, const struct insn *in)
{
    require_prot(cpu);
    uint16_t dst = (uint16_t)E_read(cpu, in, 2);
    uint16_t src = (uint16_t)greg_read(cpu, in, 2);
    bool raise = (dst & 3) < (src & 3);
    if (raise) E_write(cpu, in, 2, (dst & 0xFFFC) | (src & 3));
    set_zf(cpu, raise);
}
