/* ops_alu.c - the integer ALU: ADD OR ADC SBB AND SUB XOR CMP, TEST, INC, DEC,
 * NOT, NEG, the sign extensions CBW/CWD, the flag instructions, LAHF/SAHF,
 * SALC, SETcc and CMOVcc (SDM Vol. 1 7.3.2-7.3.4, 7.3.13; Vol. 2 entries).
 * Every operand size goes through the same code; flags are recorded lazily
 * (flags.c) except where an instruction writes them directly.
 */
#include "ops.h"
#include "alu.h"


/* E op= s.  CMP only reads, so it needs no write permission. */
static void alu_E(struct cpu *cpu, const struct insn *in, unsigned size, uint64_t s)
{
    if (in->sub == ALU_CMP) {
        alu(cpu, ALU_CMP, size, E_read(cpu, in, size), s);
        return;
    }
    struct rmw w = { 0 };
    uint64_t d = E_rmw_read(cpu, in, size, &w);
    E_rmw_write(cpu, in, size, &w, alu(cpu, in->sub, size, d, s));
}

void op_alu_E_G(struct cpu *cpu, const struct insn *in)
{
    alu_E(cpu, in, in->osize, greg_read(cpu, in, in->osize));
}

void op_alu_E_I(struct cpu *cpu, const struct insn *in)
{
    alu_E(cpu, in, in->osize, truncate(in->imm, in->osize));
}

void op_alu_G_E(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize;
    uint64_t s = E_read(cpu, in, size);
    uint64_t r = alu(cpu, in->sub, size, greg_read(cpu, in, size), s);
    if (in->sub != ALU_CMP)
        greg_write(cpu, in, size, r);
}

void op_alu_A_I(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize;
    uint64_t r = alu(cpu, in->sub, size, reg_read(cpu, RAX, size), truncate(in->imm, size));
    if (in->sub != ALU_CMP)
        reg_write(cpu, RAX, size, r);
}

/* ---- TEST ------------------------------------------------------------ */

static void test(struct cpu *cpu, unsigned size, uint64_t d, uint64_t s)
{
    lazy_set(cpu, LF_LOGIC, size, d, s, d & s);
}

void op_test_E_G(struct cpu *cpu, const struct insn *in)
{
    test(cpu, in->osize, E_read(cpu, in, in->osize), greg_read(cpu, in, in->osize));
}

void op_test_E_I(struct cpu *cpu, const struct insn *in)
{
    test(cpu, in->osize, E_read(cpu, in, in->osize), in->imm);
}

void op_test_A_I(struct cpu *cpu, const struct insn *in)
{
    test(cpu, in->osize, reg_read(cpu, RAX, in->osize), in->imm);
}

/* ---- INC, DEC, NOT, NEG ------------------------------------------------ */

/* INC and DEC keep CF: the record carries the old one for flags_compute. */
static void incdec_E(struct cpu *cpu, const struct insn *in, int kind)
{
    unsigned size = in->osize;
    struct rmw w = { 0 };
    uint64_t d = E_rmw_read(cpu, in, size, &w);
    bool cf = cond_eval(cpu, 2);
    uint64_t r = kind == LF_INC ? d + 1 : d - 1;
    lazy_set(cpu, kind, size, d, 1, r);
    cpu->lf.carry_in = cf;
    E_rmw_write(cpu, in, size, &w, r);
}

void op_inc_E(struct cpu *cpu, const struct insn *in) { incdec_E(cpu, in, LF_INC); }
void op_dec_E(struct cpu *cpu, const struct insn *in) { incdec_E(cpu, in, LF_DEC); }
/* 40+r / 48+r: the decoder puts the register in rm with mod = 3. */
void op_inc_Z(struct cpu *cpu, const struct insn *in) { incdec_E(cpu, in, LF_INC); }
void op_dec_Z(struct cpu *cpu, const struct insn *in) { incdec_E(cpu, in, LF_DEC); }

void op_not_E(struct cpu *cpu, const struct insn *in)
{
    struct rmw w = { 0 };
    uint64_t d = E_rmw_read(cpu, in, in->osize, &w);
    E_rmw_write(cpu, in, in->osize, &w, ~d);
}

/* NEG is 0 - d: CF = (d != 0), OF = (d == most negative), AF from the borrow. */
void op_neg_E(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize;
    struct rmw w = { 0 };
    uint64_t d = E_rmw_read(cpu, in, size, &w);
    lazy_set(cpu, LF_SUB, size, 0, d, 0 - d);
    E_rmw_write(cpu, in, size, &w, 0 - d);
}

/* ---- sign extension ---------------------------------------------------- */

/* 98: CBW / CWDE / CDQE: the lower half of rAX sign-extended into all of it. */
void op_cbw(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize;
    reg_write(cpu, RAX, size, (uint64_t)sign_extend(cpu->gpr[RAX], size / 2));
}

/* 99: CWD / CDQ / CQO: rDX becomes copies of rAX's sign bit. */
void op_cwd(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize;
    reg_write(cpu, RDX, size, (uint64_t)(sign_extend(cpu->gpr[RAX], size) >> 63));
}

/* ---- flag instructions -------------------------------------------------- */

/* F5 CMC, F8 CLC, F9 STC, FC CLD, FD STD (sub 0-4). */
void op_flag(struct cpu *cpu, const struct insn *in)
{
    switch (in->sub) {
    case 0: flags_materialize(cpu); cpu->rflags ^= FL_CF; break;
    case 1: flags_put(cpu, FL_CF, 0); break;
    case 2: flags_put(cpu, FL_CF, FL_CF); break;
    case 3: cpu->rflags &= ~(uint64_t)FL_DF; break;     /* DF is never lazy */
    default: cpu->rflags |= FL_DF; break;
    }
}

#define FL_LAHF (FL_SF | FL_ZF | FL_AF | FL_PF | FL_CF)
enum { REG8_AH = 16 };  /* byte-register code of AH */

/* AH = SF:ZF:0:AF:0:PF:1:CF (bit 1 of RFLAGS always reads 1). */
void op_lahf(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    reg8_write(cpu, REG8_AH, (uint8_t)((cpu_get_flags(cpu) & FL_LAHF) | FL_1));
}

/* Valid in 64-bit mode: the CPU advertises CPUID.80000001h:ECX.LAHF-SAHF[0]. */
void op_sahf(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    flags_put(cpu, FL_LAHF, reg8_read(cpu, REG8_AH));
}

/* D6 SALC (undocumented): AL = CF ? FFh : 00h, flags unchanged. */
void op_salc(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    reg8_write(cpu, 0, cond_eval(cpu, 2) ? 0xFF : 0x00);
}

/* ---- SETcc, CMOVcc ------------------------------------------------------ */

void op_setcc(struct cpu *cpu, const struct insn *in)
{
    E_write(cpu, in, 1, cond_eval(cpu, in->sub & 15));
}

/* The source is read (and may fault) whatever the condition, and the
 * destination is always written: a false CMOV with a 32-bit operand still
 * zero-extends the register into bits 63:32 (SDM Vol. 2 CMOVcc). */
void op_cmovcc(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize;
    uint64_t v = E_read(cpu, in, size);
    if (!cond_eval(cpu, in->sub & 15))
        v = greg_read(cpu, in, size);
    greg_write(cpu, in, size, v);
}
