/* ops_shift.c - shifts and rotates: ROL ROR RCL RCR SHL SHR SAR (group 2),
 * SHLD/SHRD, and the BMI2 SHLX/SARX/SHRX/RORX (SDM Vol. 1 7.3.6-7.3.7, Vol. 2
 * entries).  The count is masked to 5 bits (6 with 64-bit operands).  Flags
 * the SDM leaves undefined (OF for counts above 1, AF, SHLD/SHRD beyond the
 * operand size) follow the vendor profile; the Intel values were measured on
 * the host for every count and size.
 */
#include "ops.h"

typedef unsigned __int128 u128;

/* Bit n-1 (the sign) of v, for an n-bit operand, as 0 or 1. */
static inline uint64_t msb(uint64_t v, unsigned n) { return (v >> (n - 1)) & 1; }

/* Rotates of an n-bit value by c in 0..n-1; the result is truncated to n bits. */
static inline uint64_t rotl(uint64_t v, unsigned c, unsigned n)
{
    return c ? truncate(v << c | v >> (n - c), n / 8) : v;
}
static inline uint64_t rotr(uint64_t v, unsigned c, unsigned n)
{
    return c ? truncate(v >> c | v << (n - c), n / 8) : v;
}

/* OF for counts above 1: Intel computes it as if the count were 1 (measured;
 * one exception in do_rot), AMD takes it from the last one-bit step
 * (VirtualBox's 3990X measurements).  AF: Intel clears it, AMD sets it. */
static inline uint64_t shift_af(const struct cpu *cpu) { return is_amd(cpu) ? FL_AF : 0; }

/* ---- one function per kind: d is the truncated operand, c = 1..63 ------ */

static uint64_t do_shl(struct cpu *cpu, unsigned n, uint64_t d, unsigned c)
{
    uint64_t r = truncate(d << c, n / 8);
    uint64_t cf = c <= n ? (d >> (n - c)) & 1 : 0;     /* 8/16-bit counts reach 31 */
    uint64_t of = is_amd(cpu) ? msb(r, n) ^ cf : msb(d ^ d << 1, n);
    flags_set_status(cpu, cf | of << 11 | flags_szp(r, n / 8) | shift_af(cpu));
    return r;
}

static uint64_t do_shr(struct cpu *cpu, unsigned n, uint64_t d, unsigned c)
{
    uint64_t r = d >> c;
    uint64_t cf = (d >> (c - 1)) & 1;
    uint64_t of = (!is_amd(cpu) || c == 1) ? msb(d, n) : 0;
    flags_set_status(cpu, cf | of << 11 | flags_szp(r, n / 8) | shift_af(cpu));
    return r;
}

static uint64_t do_sar(struct cpu *cpu, unsigned n, uint64_t d, unsigned c)
{
    int64_t s = sign_extend(d, n / 8);
    uint64_t r = truncate((uint64_t)(s >> c), n / 8);
    uint64_t cf = (uint64_t)(s >> (c - 1)) & 1;
    flags_set_status(cpu, cf | flags_szp(r, n / 8) | shift_af(cpu));     /* OF = 0 */
    return r;
}

/* Rotates change only CF and OF.  A count that is a multiple of the width
 * (8-bit ROL by 8, 16, 24) leaves the value but still sets the flags.  Intel
 * keeps OF when a register is rotated by an immediate above 1; by CL, or in
 * memory, OF is as for a count of 1 (all measured). */
static uint64_t do_rot(struct cpu *cpu, unsigned n, uint64_t d, unsigned c, bool left,
                       bool reg_by_imm)
{
    uint64_t r = left ? rotl(d, c & (n - 1), n) : rotr(d, c & (n - 1), n);
    uint64_t cf = left ? r & 1 : msb(r, n), of;
    if (is_amd(cpu))
        of = left ? msb(r, n) ^ cf : cf ^ msb(r << 1, n);
    else if (reg_by_imm && c > 1)
        of = cond_eval(cpu, 0);
    else
        of = left ? msb(d ^ d << 1, n) : msb(d, n) ^ (d & 1);
    flags_put(cpu, FL_CF | FL_OF, (uint32_t)(cf | of << 11));
    return r;
}

/* RCL/RCR rotate the n+1 bits CF:d, so 8- and 16-bit counts go modulo 9 and
 * 17.  When that leaves 0, Intel changes nothing (measured); AMD keeps CF and
 * still writes OF (VirtualBox's 3990X model). */
static uint64_t do_rcx(struct cpu *cpu, unsigned n, uint64_t d, unsigned c, bool left)
{
    uint64_t cf_in = cond_eval(cpu, 2);
    unsigned cc = n < 32 ? c % (n + 1) : c;
    u128 v = (u128)cf_in << n | d, all = ((u128)1 << (n + 1)) - 1;
    if (cc == 0 && !is_amd(cpu))
        return d;
    if (cc)
        v = (left ? v << cc | v >> (n + 1 - cc) : v >> cc | v << (n + 1 - cc)) & all;
    uint64_t r = truncate((uint64_t)v, n / 8), cf = (uint64_t)(v >> n) & 1, of;
    if (is_amd(cpu))
        of = left ? msb(r, n) ^ cf : msb(r ^ r << 1, n);
    else
        of = left ? msb(d ^ d << 1, n) : msb(d, n) ^ cf_in;
    flags_put(cpu, FL_CF | FL_OF, (uint32_t)(cf | of << 11));
    return r;
}

static inline unsigned count_mask(unsigned size) { return size == 8 ? 63 : 31; }

/* A masked count of 0 changes no flag, but the destination is still written:
 * a 32-bit register is zero-extended and a read-only page faults (both
 * measured on the host). */
static void shift_E(struct cpu *cpu, const struct insn *in, uint64_t count, bool by_imm)
{
    unsigned size = in->osize, c = count & count_mask(size);
    struct rmw w = { 0 };
    uint64_t d = E_rmw_read(cpu, in, size, &w);
    unsigned n = 8 * size;
    bool reg_by_imm = by_imm && in->mod == 3;
    switch (c ? in->sub & 7 : 8) {
    case 0: d = do_rot(cpu, n, d, c, true, reg_by_imm); break;
    case 1: d = do_rot(cpu, n, d, c, false, reg_by_imm); break;
    case 2: d = do_rcx(cpu, n, d, c, true); break;
    case 3: d = do_rcx(cpu, n, d, c, false); break;
    case 4: case 6: d = do_shl(cpu, n, d, c); break;    /* 6 is SAL, an alias */
    case 5: d = do_shr(cpu, n, d, c); break;
    case 7: d = do_sar(cpu, n, d, c); break;
    default: break;                                     /* count 0 */
    }
    E_rmw_write(cpu, in, size, &w, d);
}

void op_shift_E_Ib(struct cpu *cpu, const struct insn *in) { shift_E(cpu, in, in->imm, true); }
void op_shift_E_1(struct cpu *cpu, const struct insn *in)  { shift_E(cpu, in, 1, false); }
void op_shift_E_CL(struct cpu *cpu, const struct insn *in)
{
    shift_E(cpu, in, cpu->gpr[RCX], false);
}

/* ---- SHLD / SHRD ----------------------------------------------------------
 * The operand and the filler are joined into one wide value w of W bits and
 * shifted as one.  16-bit counts go up to 31, beyond the operand size, where
 * the SDM leaves the result undefined: Intel then behaves as if w were
 * d:s:d (48 bits) (measured), AMD as if it were d:s:s (VirtualBox). */

static uint64_t do_shld(struct cpu *cpu, unsigned n, uint64_t d, uint64_t s, unsigned c)
{
    bool amd = is_amd(cpu);
    unsigned W = n == 16 ? 48 : 2 * n;
    u128 w = (u128)d << (W - n) | (u128)s << (W - 2 * n);
    if (n == 16)
        w |= amd ? s : d;
    uint64_t r = truncate((uint64_t)(w >> (W - n - c)), n / 8);
    uint64_t cf = (uint64_t)(w >> (W - c)) & 1, of;
    if (!amd) {
        of = msb(d ^ d << 1, n);
    } else if (c < n) {
        of = msb(d << (c - 1) ^ r, n);
    } else {                            /* AMD, 16-bit, counts 16..31 */
        cf = of = c == n ? d & 1 : 0;
    }
    flags_set_status(cpu, cf | of << 11 | flags_szp(r, n / 8) | shift_af(cpu));
    return r;
}

static uint64_t do_shrd(struct cpu *cpu, unsigned n, uint64_t d, uint64_t s, unsigned c)
{
    bool amd = is_amd(cpu);
    u128 w = (u128)s << n | d;
    if (n == 16)
        w |= (u128)(amd ? s : d) << 32;
    uint64_t r = truncate((uint64_t)(w >> c), n / 8);
    uint64_t cf = (uint64_t)(w >> (c - 1)) & 1, of;
    if (!amd) {
        of = msb(d, n) ^ (s & 1);
    } else {                            /* the bit out comes from d alone */
        cf = (d >> (c - 1)) & 1;
        of = msb((uint64_t)(w >> (c - 1)) ^ r, n);
    }
    flags_set_status(cpu, cf | of << 11 | flags_szp(r, n / 8) | shift_af(cpu));
    return r;
}

/* 0F A4/A5/AC/AD: sub 0 SHLD Ib, 1 SHLD CL, 2 SHRD Ib, 3 SHRD CL. */
void op_shxd(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize;
    unsigned c = ((in->sub & 1) ? cpu->gpr[RCX] : in->imm) & count_mask(size);
    uint64_t s = greg_read(cpu, in, size);
    struct rmw w = { 0 };
    uint64_t d = E_rmw_read(cpu, in, size, &w);
    if (c)
        d = in->sub < 2 ? do_shld(cpu, 8 * size, d, s, c) : do_shrd(cpu, 8 * size, d, s, c);
    E_rmw_write(cpu, in, size, &w, d);
}

/* ---- BMI2: no flags ------------------------------------------------------ */

/* VEX 0F38 F7 with 66/F3/F2: SHLX, SARX, SHRX (sub 0-2); the count is vvvv. */
void op_shiftx(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize == 8 ? 8 : 4;
    uint64_t v = E_read(cpu, in, size);
    unsigned c = cpu->gpr[in->vex_v] & count_mask(size);
    uint64_t r;
    switch (in->sub) {
    case 0:  r = v << c; break;
    case 1:  r = (uint64_t)(sign_extend(v, size) >> c); break;
    default: r = v >> c; break;
    }
    reg_write(cpu, in->reg, size, r);
}

/* VEX F2 0F3A F0: RORX by an immediate. */
void op_rorx(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize == 8 ? 8 : 4;
    uint64_t v = E_read(cpu, in, size);
    reg_write(cpu, in->reg, size, rotr(v, in->imm & count_mask(size), 8 * size));
}
