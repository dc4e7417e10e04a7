/* ops_bit.c - bit test and scan: BT BTS BTR BTC, BSF BSR, TZCNT LZCNT POPCNT,
 * and the BMI1/BMI2 bit-field instructions ANDN BLSR BLSMSK BLSI BZHI PEXT
 * PDEP BEXTR (SDM Vol. 1 7.3.7, Vol. 2 entries).  VEX forms are 32 or 64 bits
 * wide (the decoder resolves VEX.W into osize).  Undefined flags follow the
 * vendor profile; the Intel values were measured on the host.
 */
#include "ops.h"

static inline unsigned vex_size(const struct insn *in) { return in->osize == 8 ? 8 : 4; }

/* ---- BT, BTS, BTR, BTC --------------------------------------------------- */

enum { BT_TEST, BT_SET, BT_RESET, BT_COMPLEMENT };

/* CF = the selected bit.  OF, SF, AF, PF are undefined and ZF unaffected;
 * both vendors leave all five unchanged (Intel measured, AMD per VirtualBox). */
static uint64_t bit_apply(struct cpu *cpu, unsigned op, uint64_t v, unsigned bit)
{
    uint64_t m = 1ull << bit;
    flags_put(cpu, FL_CF, (uint32_t)((v >> bit) & 1));
    switch (op) {
    case BT_SET:        return v | m;
    case BT_RESET:      return v & ~m;
    case BT_COMPLEMENT: return v ^ m;
    default:            return v;
    }
}

/* The register operand or memory at the ModRM address. */
static void bit_E(struct cpu *cpu, const struct insn *in, unsigned bit)
{
    unsigned size = in->osize;
    if (in->sub == BT_TEST) {
        bit_apply(cpu, BT_TEST, E_read(cpu, in, size), bit);
        return;
    }
    struct rmw w = { 0 };
    uint64_t v = E_rmw_read(cpu, in, size, &w);
    E_rmw_write(cpu, in, size, &w, bit_apply(cpu, in->sub, v, bit));
}

/* 0F A3/AB/B3/BB.  With a memory operand the register is a signed bit offset
 * that may reach beyond the operand: the operand-sized unit it falls in is
 * at ea + floor(offset / bits) * bytes, wrapped to the address size. */
void op_bt_E_G(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize, bits = 8 * size;
    uint64_t off = greg_read(cpu, in, size);
    if (in->mod == 3) {
        bit_E(cpu, in, off & (bits - 1));
        return;
    }
    int64_t units = sign_extend(off, size) >> __builtin_ctz(bits);
    uint64_t ea = truncate(insn_ea(cpu, in) + (uint64_t)units * size, in->asize);
    unsigned bit = off & (bits - 1);
    if (in->sub == BT_TEST) {
        bit_apply(cpu, BT_TEST, mem_read(cpu, in->seg, ea, size), bit);
        return;
    }
    struct rmw w;
    uint64_t v = mem_rmw_read(cpu, in->seg, ea, size, &w);
    mem_rmw_write(cpu, &w, size, bit_apply(cpu, in->sub, v, bit));
}

/* 0F BA /4-/7: the immediate offset is always taken modulo the width. */
void op_bt_E_Ib(struct cpu *cpu, const struct insn *in)
{
    bit_E(cpu, in, in->imm & (8u * in->osize - 1));
}

/* ---- BSF, BSR ------------------------------------------------------------ */

/* A zero source sets ZF and leaves the destination alone, including the
 * upper half of a 64-bit register with a 32-bit operand (measured on the
 * host; AMD documents "unchanged").  CF, OF, SF, AF, PF are undefined: Intel
 * clears them and sets PF from the index (PF = 1 for a zero source), AMD
 * changes only ZF (VirtualBox's 3990X measurements). */
static void bit_scan(struct cpu *cpu, const struct insn *in, bool reverse)
{
    unsigned size = in->osize;
    uint64_t v = E_read(cpu, in, size);
    bool amd = is_amd(cpu);
    if (v == 0) {
        if (amd)
            flags_put(cpu, FL_ZF, FL_ZF);
        else
            flags_set_status(cpu, FL_ZF | FL_PF);
        return;
    }
    unsigned idx = reverse ? 63 - __builtin_clzll(v) : __builtin_ctzll(v);
    greg_write(cpu, in, size, idx);
    if (amd)
        flags_put(cpu, FL_ZF, 0);
    else
        flags_set_status(cpu, (uint64_t)!__builtin_parity(idx) << 2);
}

void op_bsf(struct cpu *cpu, const struct insn *in) { bit_scan(cpu, in, false); }
void op_bsr(struct cpu *cpu, const struct insn *in) { bit_scan(cpu, in, true); }

/* ---- TZCNT, LZCNT, POPCNT -------------------------------------------------- */

/* CF = (source == 0), ZF = (count == 0).  OF, SF, AF, PF are undefined:
 * Intel clears them (measured), AMD leaves them (VirtualBox). */
static void count_flags(struct cpu *cpu, uint64_t src, unsigned count)
{
    uint64_t f = (uint64_t)(src == 0) | (uint64_t)(count == 0) << 6;
    if (is_amd(cpu))
        flags_put(cpu, FL_CF | FL_ZF, (uint32_t)f);
    else
        flags_set_status(cpu, f);
}

/* F3 0F BC: the operand width when the source is 0. */
void op_tzcnt(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize;
    uint64_t v = E_read(cpu, in, size);
    unsigned n = v ? (unsigned)__builtin_ctzll(v) : 8 * size;
    greg_write(cpu, in, size, n);
    count_flags(cpu, v, n);
}

/* F3 0F BD: leading zeros within the operand width. */
void op_lzcnt(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize;
    uint64_t v = E_read(cpu, in, size);
    unsigned n = v ? (unsigned)__builtin_clzll(v) - (64 - 8 * size) : 8 * size;
    greg_write(cpu, in, size, n);
    count_flags(cpu, v, n);
}

/* F3 0F B8: ZF = (source == 0), the other five cleared. */
void op_popcnt(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize;
    uint64_t v = E_read(cpu, in, size);
    greg_write(cpu, in, size, (uint64_t)__builtin_popcountll(v));
    flags_set_status(cpu, (uint64_t)(v == 0) << 6);
}

/* ---- BMI1 / BMI2 ------------------------------------------------------------
 * AF and PF (and SF for BEXTR) are undefined: Intel clears them (measured).
 * VirtualBox models AMD the same way; assumed. */

/* VEX 0F38 F2: reg = ~vvvv & E; SF, ZF from the result, CF = OF = 0. */
void op_andn(struct cpu *cpu, const struct insn *in)
{
    unsigned size = vex_size(in);
    uint64_t r = truncate(~reg_read(cpu, in->vex_v, size) & E_read(cpu, in, size), size);
    reg_write(cpu, in->reg, size, r);
    flags_set_status(cpu, (flags_szp(r, size) & (FL_ZF | FL_SF)));
}

/* VEX 0F38 F3 /1 /2 /3: BLSR, BLSMSK, BLSI into vvvv.  CF is the borrow of
 * the src - 1 (BLSR, BLSMSK) or 0 - src (BLSI) step; OF = 0. */
void op_bls(struct cpu *cpu, const struct insn *in)
{
    unsigned size = vex_size(in);
    uint64_t s = E_read(cpu, in, size), r;
    bool cf;
    switch (in->sub) {
    case 1:  r = s & (s - 1); cf = s == 0; break;
    case 2:  r = s ^ (s - 1); cf = s == 0; break;
    default: r = s & (0 - s); cf = s != 0; break;
    }
    r = truncate(r, size);
    reg_write(cpu, in->vex_v, size, r);
    flags_set_status(cpu, (flags_szp(r, size) & (FL_ZF | FL_SF)) | cf);
}

/* VEX 0F38 F5: reg = E with the bits from index vvvv[7:0] up cleared;
 * CF = (index >= width), then the value is unchanged. */
void op_bzhi(struct cpu *cpu, const struct insn *in)
{
    unsigned size = vex_size(in), idx = cpu->gpr[in->vex_v] & 0xFF;
    uint64_t r = E_read(cpu, in, size);
    bool cf = idx >= 8 * size;
    if (!cf)
        r &= (1ull << idx) - 1;
    reg_write(cpu, in->reg, size, r);
    flags_set_status(cpu, (flags_szp(r, size) & (FL_ZF | FL_SF)) | cf);
}

/* VEX 0F38 F7: reg = E[start + len - 1 : start], start = vvvv[7:0] and
 * len = vvvv[15:8]; bits beyond the operand read as 0.  ZF only. */
void op_bextr(struct cpu *cpu, const struct insn *in)
{
    unsigned size = vex_size(in), bits = 8 * size;
    uint64_t ctl = cpu->gpr[in->vex_v], v = E_read(cpu, in, size), r = 0;
    unsigned start = ctl & 0xFF, len = (ctl >> 8) & 0xFF;
    if (start < bits) {
        r = v >> start;
        if (len < bits)
            r &= (1ull << len) - 1;
    }
    reg_write(cpu, in->reg, size, r);
    flags_set_status(cpu, (uint64_t)(r == 0) << 6);
}

/* PDEP and PEXT walk the set bits of the mask, lowest first; no flags. */
static uint64_t deposit(uint64_t src, uint64_t mask)
{
    uint64_t r = 0;
    for (uint64_t bit = 1; mask; mask &= mask - 1, bit <<= 1)
        if (src & bit)
            r |= mask & (0 - mask);
    return r;
}

static uint64_t extract(uint64_t src, uint64_t mask)
{
    uint64_t r = 0;
    for (uint64_t bit = 1; mask; mask &= mask - 1, bit <<= 1)
        if (src & mask & (0 - mask))
            r |= bit;
    return r;
}

/* VEX F2 0F38 F5: reg = the low bits of vvvv scattered to the mask E. */
void op_pdep(struct cpu *cpu, const struct insn *in)
{
    unsigned size = vex_size(in);
    uint64_t mask = E_read(cpu, in, size);
    reg_write(cpu, in->reg, size, deposit(reg_read(cpu, in->vex_v, size), mask));
}

/* VEX F3 0F38 F5: reg = the bits of vvvv under the mask E, packed low. */
void op_pext(struct cpu *cpu, const struct insn *in)
{
    unsigned size = vex_size(in);
    uint64_t mask = E_read(cpu, in, size);
    reg_write(cpu, in->reg, size, extract(reg_read(cpu, in->vex_v, size), mask));
}
