/* ops_muldiv.c - MUL, IMUL (one, two and three operands), DIV, IDIV and the
 * BMI2 MULX (SDM Vol. 2 entries; Vol. 1 7.3.2).  The double-width forms use
 * AH:AL, DX:AX, EDX:EAX or RDX:RAX; a 128-bit intermediate covers all sizes.
 * Flags the SDM leaves undefined follow the vendor profile (see each function).
 */
#include "ops.h"

typedef unsigned __int128 u128;

/* The double-width accumulator: AL/AH for bytes, rAX/rDX otherwise. */
static void acc_load(const struct cpu *cpu, unsigned size, uint64_t *lo, uint64_t *hi)
{
    if (size == 1) {
        *lo = cpu->gpr[RAX] & 0xFF;
        *hi = (cpu->gpr[RAX] >> 8) & 0xFF;
    } else {
        *lo = reg_read(cpu, RAX, size);
        *hi = reg_read(cpu, RDX, size);
    }
}

static void acc_store(struct cpu *cpu, unsigned size, uint64_t lo, uint64_t hi)
{
    if (size == 1) {
        reg_write(cpu, RAX, 2, (lo & 0xFF) | (hi & 0xFF) << 8);
    } else {
        reg_write(cpu, RAX, size, lo);
        reg_write(cpu, RDX, size, hi);
    }
}

/* CF = OF = overflow.  SF, ZF, AF, PF are undefined: Intel (measured on the
 * host, all sizes, all forms) sets SF and PF from the low half and clears ZF
 * and AF; AMD leaves them unchanged (VirtualBox's measurements of a
 * Threadripper 3990X: known for that part, assumed for the others). */
static void mul_flags(struct cpu *cpu, unsigned size, uint64_t lo, bool overflow)
{
    uint64_t cf_of = overflow ? FL_CF | FL_OF : 0;
    if (is_amd(cpu)) {
        flags_put(cpu, FL_CF | FL_OF, (uint32_t)cf_of);
        return;
    }
    uint64_t sf = (lo >> (8 * size - 1)) & 1;
    uint64_t pf = !__builtin_parity((unsigned)(lo & 0xFF));
    flags_set_status(cpu, cf_of | sf << 7 | pf << 2);
}

/* F6/F7 /4: unsigned rDX:rAX = rAX * E. */
void op_mul_E(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize;
    uint64_t b = E_read(cpu, in, size);
    u128 p = (u128)reg_read(cpu, RAX, size) * b;
    uint64_t lo = truncate((uint64_t)p, size), hi = truncate((uint64_t)(p >> (8 * size)), size);
    acc_store(cpu, size, lo, hi);
    mul_flags(cpu, size, lo, hi != 0);
}

/* F6/F7 /5: signed; overflow when the high half is more than lo's sign. */
void op_imul_E(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize;
    int64_t b = sign_extend(E_read(cpu, in, size), size);
    __int128 p = (__int128)sign_extend(cpu->gpr[RAX], size) * b;
    uint64_t lo = truncate((uint64_t)p, size), hi = truncate((uint64_t)(p >> (8 * size)), size);
    acc_store(cpu, size, lo, hi);
    mul_flags(cpu, size, lo, p != sign_extend(lo, size));
}

/* The two- and three-operand forms keep only the low half. */
static void imul_to_G(struct cpu *cpu, const struct insn *in, int64_t a, int64_t b)
{
    unsigned size = in->osize;
    int64_t p;
    bool wrapped = __builtin_mul_overflow(a, b, &p);    /* only possible at 64 bits */
    greg_write(cpu, in, size, (uint64_t)p);
    mul_flags(cpu, size, truncate((uint64_t)p, size), wrapped || p != sign_extend(p, size));
}

/* 0F AF: G = G * E. */
void op_imul_G_E(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize;
    int64_t b = sign_extend(E_read(cpu, in, size), size);
    imul_to_G(cpu, in, sign_extend(greg_read(cpu, in, size), size), b);
}

/* 69 / 6B: G = E * imm (Iz or Ibs, already sign-extended). */
void op_imul_G_E_I(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize;
    int64_t a = sign_extend(E_read(cpu, in, size), size);
    imul_to_G(cpu, in, a, sign_extend(in->imm, size));
}

/* hi:lo / d with hi:lo twice the operand size.  False when the quotient does
 * not fit the operand size (or d is 0): the caller raises #DE. */
static bool udiv_wide(unsigned size, uint64_t hi, uint64_t lo, uint64_t d, uint64_t *q, uint64_t *r)
{
    if (d == 0 || hi >= d)
        return false;
    if (size < 8 || hi == 0) {
        uint64_t n = lo | (size < 8 ? hi << (8 * size) : 0);
        *q = n / d;
        *r = n % d;
    } else {
        u128 n = (u128)hi << 64 | lo;
        *q = (uint64_t)(n / d);
        *r = (uint64_t)(n % d);
    }
    return true;
}

/* All flags are undefined.  Intel leaves them unchanged (measured); AMD sets
 * AF and clears SF, ZF and PF (VirtualBox's 3990X measurements, assumed for
 * other AMD parts). */
static void div_flags(struct cpu *cpu)
{
    if (is_amd(cpu))
        flags_put(cpu, FL_AF | FL_SF | FL_ZF | FL_PF, FL_AF);
}

/* F6/F7 /6: unsigned divide; #DE on zero or an oversized quotient, before
 * anything changes. */
void op_div_E(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize;
    uint64_t d = E_read(cpu, in, size), lo, hi, q, r;
    acc_load(cpu, size, &lo, &hi);
    if (!udiv_wide(size, hi, lo, d, &q, &r))
        cpu_raise(cpu, EXC_DE, EXC_NO_ERROR);
    acc_store(cpu, size, q, r);
    div_flags(cpu);
}

/* F6/F7 /7: signed divide on magnitudes.  The quotient truncates toward zero,
 * the remainder takes the dividend's sign; a quotient outside the signed
 * range (including most-negative / -1) is #DE. */
void op_idiv_E(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize;
    uint64_t sign = sign_bit(size), lo, hi, q, r;
    int64_t d = sign_extend(E_read(cpu, in, size), size);
    acc_load(cpu, size, &lo, &hi);

    bool neg_n = hi & sign, neg_q = neg_n ^ (d < 0);
    if (neg_n) {                        /* two's complement of hi:lo */
        hi = truncate(~hi + (lo == 0), size);
        lo = truncate(0 - lo, size);
    }
    uint64_t ud = d < 0 ? 0 - (uint64_t)d : (uint64_t)d;
    if (!udiv_wide(size, hi, lo, ud, &q, &r) || q > sign - !neg_q)
        cpu_raise(cpu, EXC_DE, EXC_NO_ERROR);
    acc_store(cpu, size, neg_q ? 0 - q : q, neg_n ? 0 - r : r);
    div_flags(cpu);
}

/* VEX F2 0F38 F6: rDX * E into reg (high) and vvvv (low), flags untouched.
 * The high half is written last, so it wins when both name one register. */
void op_mulx(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize == 8 ? 8 : 4;
    uint64_t b = E_read(cpu, in, size);
    u128 p = (u128)reg_read(cpu, RDX, size) * b;
    reg_write(cpu, in->vex_v, size, (uint64_t)p);
    reg_write(cpu, in->reg, size, (uint64_t)(p >> (8 * size)));
}
