/* ops_fast.c - register-form variants of the hottest rows.
 *
 * The generic handlers (ops_alu.c, ops_move.c, ops_ctrl.c) serve every form;
 * exec.c's specialize() swaps in one of these after decoding when the form
 * is known to need no memory and no byte registers, so the hot path carries
 * no mod == 3 test and no call into the memory layer.  Semantics are the
 * generic handlers' exactly (the differential tester runs both).
 */
#include "ops.h"
#include "fast.h"
#include "alu.h"
#include "handlers.h"

/* E op= s on registers: the same alu() as the generic handlers, without
 * the memory dispatch. */
INLINE void alu_regs(struct cpu *cpu, const struct insn *in, unsigned dst, uint64_t s)
{
    uint64_t r = alu(cpu, in->sub, in->osize, reg_read(cpu, dst, in->osize), s);
    if (in->sub != ALU_CMP) reg_write(cpu, dst, in->osize, r);
}

/* 01/09/21/29/31/39 with mod == 3: E (rm) op= G (reg). */
void op_alu_rr(struct cpu *cpu, const struct insn *in)
{
    alu_regs(cpu, in, in->rm, reg_read(cpu, in->reg, in->osize));
}

/* 03/0B/23/2B/33/3B with mod == 3: G (reg) op= E (rm). */
void op_alu_rr_rev(struct cpu *cpu, const struct insn *in)
{
    alu_regs(cpu, in, in->reg, reg_read(cpu, in->rm, in->osize));
}

/* 81/83 with mod == 3, and 05/0D/25/2D/35/3D (rm holds RAX there). */
void op_alu_ri(struct cpu *cpu, const struct insn *in)
{
    alu_regs(cpu, in, in->rm, truncate(in->imm, in->osize));
}

void op_alu_ai(struct cpu *cpu, const struct insn *in)
{
    alu_regs(cpu, in, RAX, truncate(in->imm, in->osize));
}

/* 85 with mod == 3. */
void op_test_rr(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize;
    uint64_t d = reg_read(cpu, in->rm, size), s = reg_read(cpu, in->reg, size);
    lazy_set(cpu, LF_LOGIC, size, d, s, d & s);
}

/* 89 / 8B with mod == 3. */
void op_mov_rr(struct cpu *cpu, const struct insn *in)
{
    reg_write(cpu, in->rm, in->osize, reg_read(cpu, in->reg, in->osize));
}

void op_mov_rr_rev(struct cpu *cpu, const struct insn *in)
{
    reg_write(cpu, in->reg, in->osize, reg_read(cpu, in->rm, in->osize));
}

/* B8+r, and C7 /0 with mod == 3. */
void op_mov_ri(struct cpu *cpu, const struct insn *in)
{
    reg_write(cpu, in->rm, in->osize, in->imm);
}

/* 8B with a memory source: the load without the generic E dispatch. */
void op_mov_rm(struct cpu *cpu, const struct insn *in)
{
    reg_write(cpu, in->reg, in->osize, mem_read(cpu, in->seg, insn_ea(cpu, in), in->osize));
}

/* 89 with a memory destination. */
void op_mov_mr(struct cpu *cpu, const struct insn *in)
{
    mem_write(cpu, in->seg, insn_ea(cpu, in), in->osize, reg_read(cpu, in->reg, in->osize));
}

/* C6/C7 /0 with a memory destination (any size: no byte-register issue). */
void op_mov_mi(struct cpu *cpu, const struct insn *in)
{
    mem_write(cpu, in->seg, insn_ea(cpu, in), in->osize, in->imm);
}

/* 70-7F and 0F 80-8F, one handler per condition pair (the odd member of a
 * pair is the negation).  After CMP the condition comes straight from the
 * operands; otherwise from the general path. */
INLINE bool cond_pair_after_sub(const struct lazy_flags *lf, unsigned pair)
{
    unsigned sh = 64 - 8 * lf->size;
    uint64_t a = lf->dst << sh, b = lf->src << sh;
    switch (pair) {
    case 1: return a < b;
    case 2: return a == b;
    case 3: return a <= b;
    case 4: return (int64_t)(a - b) < 0;
    case 6: return (int64_t)a < (int64_t)b;
    default: return (int64_t)a <= (int64_t)b;                   /* 7 */
    }
}

INLINE void jcc_pair(struct cpu *cpu, const struct insn *in, unsigned pair)
{
    bool taken = cpu->lf.op == LF_SUB && pair != 0 && pair != 5
                     ? cond_pair_after_sub(&cpu->lf, pair) ^ (in->sub & 1)
                     : cond_fast(cpu, in->sub);
    if (taken) branch_near(cpu, cpu->rip + in->imm, in->osize);
}

static void op_jo_jno(struct cpu *cpu, const struct insn *in) { jcc_pair(cpu, in, 0); }
static void op_jb_jae(struct cpu *cpu, const struct insn *in) { jcc_pair(cpu, in, 1); }
static void op_je_jne(struct cpu *cpu, const struct insn *in) { jcc_pair(cpu, in, 2); }
static void op_jbe_ja(struct cpu *cpu, const struct insn *in) { jcc_pair(cpu, in, 3); }
static void op_js_jns(struct cpu *cpu, const struct insn *in) { jcc_pair(cpu, in, 4); }
static void op_jp_jnp(struct cpu *cpu, const struct insn *in) { jcc_pair(cpu, in, 5); }
static void op_jl_jge(struct cpu *cpu, const struct insn *in) { jcc_pair(cpu, in, 6); }
static void op_jle_jg(struct cpu *cpu, const struct insn *in) { jcc_pair(cpu, in, 7); }

static const op_fn jcc_by_pair[8] = {
    op_jo_jno, op_jb_jae, op_je_jne, op_jbe_ja, op_js_jns, op_jp_jnp, op_jl_jge, op_jle_jg,
};

/* ---- choosing a variant ------------------------------------------------ */

enum form { FORM_ANY, FORM_REG, FORM_MEM };

static const struct {
    op_fn generic;
    uint8_t form;
    op_fn fast;
} variants[] = {
    { op_alu_E_G, FORM_REG, op_alu_rr },
    { op_alu_G_E, FORM_REG, op_alu_rr_rev },
    { op_alu_E_I, FORM_REG, op_alu_ri },
    { op_alu_A_I, FORM_ANY, op_alu_ai },
    { op_test_E_G, FORM_REG, op_test_rr },
    { op_mov_E_G, FORM_REG, op_mov_rr },
    { op_mov_E_G, FORM_MEM, op_mov_mr },
    { op_mov_G_E, FORM_REG, op_mov_rr_rev },
    { op_mov_G_E, FORM_MEM, op_mov_rm },
    { op_mov_Z_I, FORM_ANY, op_mov_ri },
    { op_mov_E_I, FORM_REG, op_mov_ri },
    { op_mov_E_I, FORM_MEM, op_mov_mi },
};

void specialize(struct insn *in)
{
    /* Byte register forms keep the generic path (AH..BH); ADC and SBB need
     * the carry.  A byte store of an immediate has neither problem. */
    if (in->fn == op_mov_E_I && in->mod != 3) {
        in->fn = op_mov_mi;
        return;
    }
    if (in->fn == op_jcc) {
        in->fn = jcc_by_pair[(in->sub >> 1) & 7];
        return;
    }
    if (in->osize == 1) return;
    bool alu = in->fn == op_alu_E_G || in->fn == op_alu_G_E || in->fn == op_alu_E_I ||
               in->fn == op_alu_A_I;
    if (alu && (in->sub == ALU_ADC || in->sub == ALU_SBB)) return;
    for (unsigned i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        if (variants[i].generic != in->fn) continue;
        if (variants[i].form == FORM_REG && in->mod != 3) continue;
        if (variants[i].form == FORM_MEM && in->mod == 3) continue;
        in->fn = variants[i].fast;
        return;
    }
}
