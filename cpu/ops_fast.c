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

/* ADD OR AND SUB XOR CMP into a register, one handler per operation so the
 * operation is not a run-time switch (an indirect jump that mispredicts as
 * ADD and CMP alternate).  specialize() fills in->dst (and in->src for a
 * register source) from the form: 01/09/... E,G (dst = rm), 03/0B/... G,E
 * (dst = reg), 81/83 with a register, and 05/0D/... (dst = RAX).  ADC and SBB
 * stay generic. */
INLINE void alu_to_dst(struct cpu *cpu, const struct insn *in, unsigned op, uint64_t s)
{
    unsigned size = in->osize;
    uint64_t r = alu(cpu, op, size, reg_read(cpu, in->dst, size), s);
    if (op != ALU_CMP) reg_write(cpu, in->dst, size, r);
}

INLINE uint64_t src_reg(const struct cpu *cpu, const struct insn *in)
{
    return reg_read(cpu, in->src, in->osize);
}

INLINE uint64_t src_imm(const struct insn *in)
{
    return truncate(in->imm, in->osize);
}

static void op_add_rr(struct cpu *cpu, const struct insn *in) { alu_to_dst(cpu, in, ALU_ADD, src_reg(cpu, in)); }
static void op_or_rr(struct cpu *cpu, const struct insn *in) { alu_to_dst(cpu, in, ALU_OR, src_reg(cpu, in)); }
static void op_and_rr(struct cpu *cpu, const struct insn *in) { alu_to_dst(cpu, in, ALU_AND, src_reg(cpu, in)); }
static void op_sub_rr(struct cpu *cpu, const struct insn *in) { alu_to_dst(cpu, in, ALU_SUB, src_reg(cpu, in)); }
static void op_xor_rr(struct cpu *cpu, const struct insn *in) { alu_to_dst(cpu, in, ALU_XOR, src_reg(cpu, in)); }
static void op_cmp_rr(struct cpu *cpu, const struct insn *in) { alu_to_dst(cpu, in, ALU_CMP, src_reg(cpu, in)); }
static void op_add_ri(struct cpu *cpu, const struct insn *in) { alu_to_dst(cpu, in, ALU_ADD, src_imm(in)); }
static void op_or_ri(struct cpu *cpu, const struct insn *in) { alu_to_dst(cpu, in, ALU_OR, src_imm(in)); }
static void op_and_ri(struct cpu *cpu, const struct insn *in) { alu_to_dst(cpu, in, ALU_AND, src_imm(in)); }
static void op_sub_ri(struct cpu *cpu, const struct insn *in) { alu_to_dst(cpu, in, ALU_SUB, src_imm(in)); }
static void op_xor_ri(struct cpu *cpu, const struct insn *in) { alu_to_dst(cpu, in, ALU_XOR, src_imm(in)); }
static void op_cmp_ri(struct cpu *cpu, const struct insn *in) { alu_to_dst(cpu, in, ALU_CMP, src_imm(in)); }

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

/* 89 / 8B with mod == 3: specialize() sets in->dst and in->src. */
static void op_mov_rr(struct cpu *cpu, const struct insn *in)
{
    reg_write(cpu, in->dst, in->osize, reg_read(cpu, in->src, in->osize));
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

/* ---- choosing a variant ------------------------------------------------ */

enum form { FORM_ANY, FORM_REG, FORM_MEM };

/* bytes: the variant also serves 8-bit operands.  Register variants do not
 * (AH..BH need the byte-register codes); a memory or immediate operand has
 * no such problem. */
static const struct {
    op_fn generic;
    uint8_t form;
    bool bytes;
    op_fn fast;
} variants[] = {
    { op_test_E_G, FORM_REG, false, op_test_rr },
    { op_mov_E_G, FORM_REG, false, op_mov_rr },
    { op_mov_E_G, FORM_MEM, false, op_mov_mr },
    { op_mov_G_E, FORM_REG, false, op_mov_rr },
    { op_mov_G_E, FORM_MEM, false, op_mov_rm },
    { op_mov_Z_I, FORM_ANY, false, op_mov_ri },
    { op_mov_E_I, FORM_REG, false, op_mov_ri },
    { op_mov_E_I, FORM_MEM, true, op_mov_mi },
};

/* The destination and source registers of a register form, by its row:
 * E,G rows write rm, G,E rows write reg; A,I rows write RAX. */
static void set_registers(struct insn *in)
{
    bool g_is_dst = in->fn == op_alu_G_E || in->fn == op_mov_G_E;
    in->dst = in->fn == op_alu_A_I ? RAX : g_is_dst ? in->reg : in->rm;
    in->src = g_is_dst ? in->rm : in->reg;
}

/* The register forms of the ALU rows: the operation's own handler. */
static bool specialize_alu(struct insn *in)
{
    const op_fn *table;
    if ((in->fn == op_alu_E_G || in->fn == op_alu_G_E) && in->mod == 3) table = alu_rr_by_op;
    else if ((in->fn == op_alu_E_I && in->mod == 3) || in->fn == op_alu_A_I) table = alu_ri_by_op;
    else return false;
    if (!table[in->sub & 7]) return false;      /* ADC, SBB need the carry */
    set_registers(in);
    in->fn = table[in->sub & 7];
    return true;
}

void specialize(struct insn *in)
{
    if (in->osize != 1 && specialize_alu(in)) return;
    for (unsigned i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        if (variants[i].generic != in->fn) continue;
        if (variants[i].form == FORM_REG && in->mod != 3) continue;
        if (variants[i].form == FORM_MEM && in->mod == 3) continue;
        if (in->osize == 1 && !variants[i].bytes) continue;
        set_registers(in);
        in->fn = variants[i].fast;
        return;
    }
}
