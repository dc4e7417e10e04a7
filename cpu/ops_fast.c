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

/* ADD OR AND SUB XOR CMP on registers, one handler per operation so the
 * operation is not a run-time switch (an indirect jump that mispredicts as
 * ADD and CMP alternate).  specialize() fills in->dst and in->src from the
 * form: 01/09/... E,G (dst = rm), 03/0B/... G,E (dst = reg), 81/83 with a
 * register, and 05/0D/... (dst = RAX).  ADC and SBB stay generic. */
INLINE void alu_rr(struct cpu *cpu, const struct insn *in, unsigned op)
{
    unsigned size = in->osize;
    uint64_t r = alu(cpu, op, size, reg_read(cpu, in->dst, size), reg_read(cpu, in->src, size));
    if (op != ALU_CMP) reg_write(cpu, in->dst, size, r);
}

INLINE void alu_ri(struct cpu *cpu, const struct insn *in, unsigned op)
{
    unsigned size = in->osize;
    uint64_t r = alu(cpu, op, size, reg_read(cpu, in->dst, size), truncate(in->imm, size));
    if (op != ALU_CMP) reg_write(cpu, in->dst, size, r);
}

static void op_add_rr(struct cpu *cpu, const struct insn *in) { alu_rr(cpu, in, ALU_ADD); }
static void op_or_rr(struct cpu *cpu, const struct insn *in) { alu_rr(cpu, in, ALU_OR); }
static void op_and_rr(struct cpu *cpu, const struct insn *in) { alu_rr(cpu, in, ALU_AND); }
static void op_sub_rr(struct cpu *cpu, const struct insn *in) { alu_rr(cpu, in, ALU_SUB); }
static void op_xor_rr(struct cpu *cpu, const struct insn *in) { alu_rr(cpu, in, ALU_XOR); }
static void op_cmp_rr(struct cpu *cpu, const struct insn *in) { alu_rr(cpu, in, ALU_CMP); }
static void op_add_ri(struct cpu *cpu, const struct insn *in) { alu_ri(cpu, in, ALU_ADD); }
static void op_or_ri(struct cpu *cpu, const struct insn *in) { alu_ri(cpu, in, ALU_OR); }
static void op_and_ri(struct cpu *cpu, const struct insn *in) { alu_ri(cpu, in, ALU_AND); }
static void op_sub_ri(struct cpu *cpu, const struct insn *in) { alu_ri(cpu, in, ALU_SUB); }
static void op_xor_ri(struct cpu *cpu, const struct insn *in) { alu_ri(cpu, in, ALU_XOR); }
static void op_cmp_ri(struct cpu *cpu, const struct insn *in) { alu_ri(cpu, in, ALU_CMP); }

/* Indexed by the ALU operation (ModRM.reg order); NULL: keep the generic handler. */
static const op_fn alu_rr_by_op[8] = {
    op_add_rr, op_or_rr, NULL, NULL, op_and_rr, op_sub_rr, op_xor_rr, op_cmp_rr,
};
static const op_fn alu_ri_by_op[8] = {
    op_add_ri, op_or_ri, NULL, NULL, op_and_ri, op_sub_ri, op_xor_ri, op_cmp_ri,
};

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
    { op_test_E_G, FORM_REG, op_test_rr },
    { op_mov_E_G, FORM_REG, op_mov_rr },
    { op_mov_E_G, FORM_MEM, op_mov_mr },
    { op_mov_G_E, FORM_REG, op_mov_rr_rev },
    { op_mov_G_E, FORM_MEM, op_mov_rm },
    { op_mov_Z_I, FORM_ANY, op_mov_ri },
    { op_mov_E_I, FORM_REG, op_mov_ri },
    { op_mov_E_I, FORM_MEM, op_mov_mi },
};

/* The register forms of the ALU rows: choose the operation's handler and
 * record which registers are destination and source. */
static bool specialize_alu(struct insn *in)
{
    const op_fn *table = alu_rr_by_op;
    if (in->fn == op_alu_E_G && in->mod == 3) {
        in->dst = in->rm; in->src = in->reg;
    } else if (in->fn == op_alu_G_E && in->mod == 3) {
        in->dst = in->reg; in->src = in->rm;
    } else if (in->fn == op_alu_E_I && in->mod == 3) {
        in->dst = in->rm; table = alu_ri_by_op;
    } else if (in->fn == op_alu_A_I) {
        in->dst = RAX; table = alu_ri_by_op;
    } else {
        return false;
    }
    if (!table[in->sub & 7]) return false;
    in->fn = table[in->sub & 7];
    return true;
}

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
    if (specialize_alu(in)) return;
    for (unsigned i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        if (variants[i].generic != in->fn) continue;
        if (variants[i].form == FORM_REG && in->mod != 3) continue;
        if (variants[i].form == FORM_MEM && in->mod == 3) continue;
        in->fn = variants[i].fast;
        return;
    }
}
