/* ops_bcd.c - decimal adjustment: DAA, DAS (packed BCD), AAA, AAS, AAM, AAD
 * (unpacked BCD), following the pseudo-code of SDM Vol. 2 and Vol. 1 7.3.2.5.
 * All are invalid in 64-bit mode (the decoder raises #UD).  Undefined flags are
 * what the host (Intel) produces, measured exhaustively over every AX, CF and
 * AF; no AMD measurements were found, so the AMD profile assumes the same.
 */
#include "ops.h"

enum { REG8_AL = 0, REG8_AH = 16 };

static inline bool flag_af(struct cpu *cpu)
{
    flags_materialize(cpu);
    return cpu->rflags & FL_AF;
}

/* 27 DAA: adjust AL after adding two packed BCD bytes.  OF (undefined) = 0. */
void op_daa(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    uint8_t al = reg8_read(cpu, REG8_AL), old_al = al;
    bool old_cf = flag_cf(cpu), af = flag_af(cpu), cf;
    if ((al & 0x0F) > 9 || af) {
        al += 6;
        af = true;
    }
    cf = old_al > 0x99 || old_cf;       /* the SDM's second step decides CF alone */
    if (cf)
        al += 0x60;
    reg8_write(cpu, REG8_AL, al);
    flags_set_status(cpu, cf | (uint64_t)af << 4 | flags_szp(al, 1));
}

/* 2F DAS: adjust AL after subtracting packed BCD.  OF (undefined) = 0. */
void op_das(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    uint8_t al = reg8_read(cpu, REG8_AL), old_al = al;
    bool old_cf = flag_cf(cpu), af = flag_af(cpu), cf = false;
    if ((al & 0x0F) > 9 || af) {
        cf = old_cf || al < 6;
        al -= 6;
        af = true;
    }
    if (old_al > 0x99 || old_cf) {
        al -= 0x60;
        cf = true;
    }
    reg8_write(cpu, REG8_AL, al);
    flags_set_status(cpu, cf | (uint64_t)af << 4 | flags_szp(al, 1));
}

/* AAA (add = true) and AAS: AF = CF = whether AL's low digit needed the
 * adjustment; AX += 106h or AX -= 6, AH -= 1; AL keeps its low digit.
 * OF (undefined) = 0; SF, ZF, PF (undefined) follow the final AL. */
static void ascii_adjust(struct cpu *cpu, bool add)
{
    uint16_t ax = (uint16_t)cpu->gpr[RAX];
    bool adjust = (ax & 0x0F) > 9 || flag_af(cpu);
    if (adjust)
        ax = add ? (uint16_t)(ax + 0x106) : (uint16_t)(ax - 0x106);
    ax &= 0xFF0F;
    reg_write(cpu, RAX, 2, ax);
    flags_set_status(cpu, (adjust ? FL_CF | FL_AF : 0) | flags_szp((uint8_t)ax, 1));
}

void op_aaa(struct cpu *cpu, const struct insn *in) { (void)in; ascii_adjust(cpu, true); }
void op_aas(struct cpu *cpu, const struct insn *in) { (void)in; ascii_adjust(cpu, false); }

/* D4 ib AAM: AH = AL / imm, AL = AL % imm; imm 0 is #DE.  SF, ZF, PF from
 * AL; OF, AF, CF (undefined) = 0, exactly a logic result. */
void op_aam(struct cpu *cpu, const struct insn *in)
{
    uint8_t base = (uint8_t)in->imm, al = reg8_read(cpu, REG8_AL);
    if (base == 0)
        cpu_raise(cpu, EXC_DE, EXC_NO_ERROR);
    uint8_t q = al / base, r = al % base;
    reg_write(cpu, RAX, 2, (uint16_t)(q << 8 | r));
    lazy_set(cpu, LF_LOGIC, 1, r, 0, r);
}

/* D5 ib AAD: AL = AL + AH * imm (mod 256), AH = 0.  The hardware does this
 * as an 8-bit ADD, whose CF, AF and OF (undefined by the SDM) it keeps. */
void op_aad(struct cpu *cpu, const struct insn *in)
{
    uint8_t al = reg8_read(cpu, REG8_AL), ah = reg8_read(cpu, REG8_AH);
    uint8_t p = (uint8_t)(ah * (uint8_t)in->imm), r = (uint8_t)(al + p);
    reg_write(cpu, RAX, 2, r);
    lazy_set(cpu, LF_ADD, 1, al, p, r);
}
