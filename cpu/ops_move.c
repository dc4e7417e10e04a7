/* ops_move.c - data movement: MOV in all its forms (general, immediate, moffs,
 * segment registers), the far-pointer loads, MOVZX/MOVSX/MOVSXD, LEA, XCHG,
 * BSWAP, XLAT, MOVBE and the exchanges CMPXCHG, CMPXCHG8B/16B and XADD
 * (SDM Vol. 1 7.3.1, Vol. 2 instruction entries).  Where the SDM leaves a
 * result open, the Intel host was probed and is followed; the comments say so.
 */
#include "ops.h"
#include "system.h"

/* The segment of an operand without ModRM (XLAT): DS unless overridden. */
static int data_seg(const struct insn *in)
{
    return in->seg_override != SEG_NONE ? in->seg_override : SEG_DS;
}

static uint64_t bswap_n(uint64_t v, unsigned size)
{
    switch (size) {
    case 2: return __builtin_bswap16((uint16_t)v);
    case 4: return __builtin_bswap32((uint32_t)v);
    default: return __builtin_bswap64(v);
    }
}

/* ---- MOV ------------------------------------------------------------- */

void op_mov_E_G(struct cpu *cpu, const struct insn *in)
{
    E_write(cpu, in, in->osize, greg_read(cpu, in, in->osize));
}

void op_mov_G_E(struct cpu *cpu, const struct insn *in)
{
    greg_write(cpu, in, in->osize, E_read(cpu, in, in->osize));
}

/* C6/C7: Ib, or Iz sign-extended to 64 bits with REX.W; the write truncates. */
void op_mov_E_I(struct cpu *cpu, const struct insn *in)
{
    E_write(cpu, in, in->osize, in->imm);
}

/* B0+r / B8+r: the decoder put the register in rm/rm8 (Iv is imm64 with REX.W). */
void op_mov_Z_I(struct cpu *cpu, const struct insn *in)
{
    if (in->osize == 1) reg8_write(cpu, in->rm8, (uint8_t)in->imm);
    else reg_write(cpu, in->rm, in->osize, in->imm);
}

/* A0-A3: moffs is in disp with base and index REG_NONE, so insn_ea applies. */
void op_mov_A_O(struct cpu *cpu, const struct insn *in)
{
    reg_write(cpu, RAX, in->osize, mem_read(cpu, in->seg, insn_ea(cpu, in), in->osize));
}

void op_mov_O_A(struct cpu *cpu, const struct insn *in)
{
    mem_write(cpu, in->seg, insn_ea(cpu, in), in->osize, cpu->gpr[RAX]);
}

/* 8C: a register destination takes the selector zero-extended for osize 4/8
 * (merged for osize 2); memory always gets 16 bits.  REX.R is ignored, and the
 * decoder has already made sreg 6/7 #UD. */
void op_mov_E_Sw(struct cpu *cpu, const struct insn *in)
{
    uint16_t sel = cpu->seg[in->reg & 7].sel;
    if (in->mod == 3) reg_write(cpu, in->rm, in->osize, sel);
    else mem_write(cpu, in->seg, insn_ea(cpu, in), 2, sel);
}

/* 8E: MOV CS and sreg 6/7 are #UD in the decoder.  MOV SS shields the next
 * instruction from interrupts so a following MOV rSP completes the switch. */
void op_mov_Sw_E(struct cpu *cpu, const struct insn *in)
{
    int seg = in->reg & 7;
    seg_load(cpu, seg, (uint16_t)E_read(cpu, in, 2));
    if (seg == SEG_SS) cpu->interrupt_shadow = SHADOW_MOV_SS;
}

/* LES/LDS/LSS/LFS/LGS: offset (osize bytes, m16:64 with REX.W on Intel),
 * then the selector after it.  The segment is loaded before the register is
 * written so a bad selector leaves the register alone. */
void op_lfp(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize;
    uint64_t ea = insn_ea(cpu, in);
    uint64_t off = mem_read(cpu, in->seg, ea, size);
    uint16_t sel = (uint16_t)mem_read(cpu, in->seg, truncate(ea + size, in->asize), 2);
    seg_load(cpu, in->sub, sel);
    greg_write(cpu, in, size, off);
}

/* ---- extensions and addresses ---------------------------------------- */

/* sub is the source width: 1 (Eb) or 2 (Ew). */
void op_movzx(struct cpu *cpu, const struct insn *in)
{
    reg_write(cpu, in->reg, in->osize, E_read(cpu, in, in->sub));
}

void op_movsx(struct cpu *cpu, const struct insn *in)
{
    reg_write(cpu, in->reg, in->osize, (uint64_t)sign_extend(E_read(cpu, in, in->sub), in->sub));
}

/* 63 in 64-bit mode.  Without REX.W it is a plain 32-bit move; with 66h the
 * Intel host reads only two bytes (no fault at a page end) and merges AX. */
void op_movsxd(struct cpu *cpu, const struct insn *in)
{
    unsigned src = in->osize == 8 ? 4 : in->osize;
    reg_write(cpu, in->reg, in->osize, (uint64_t)sign_extend(E_read(cpu, in, src), src));
}

/* The address is formed at the address size, then cut or zero-extended to
 * the operand size; nothing is read. */
void op_lea(struct cpu *cpu, const struct insn *in)
{
    reg_write(cpu, in->reg, in->osize, insn_ea(cpu, in));
}

/* AL = [seg: rBX + zero-extended AL], wrapping at the address size. */
void op_xlat(struct cpu *cpu, const struct insn *in)
{
    uint64_t off = truncate(cpu->gpr[RBX] + (uint8_t)cpu->gpr[RAX], in->asize);
    reg_write(cpu, RAX, 1, mem_read(cpu, data_seg(in), off, 1));
}

/* ---- exchanges and byte order ---------------------------------------- */

/* The memory form is locked whether or not LOCK is written; both values are
 * read before either is written. */
void op_xchg_E_G(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize;
    struct rmw w = { 0 };
    uint64_t e = E_rmw_read(cpu, in, size, &w);
    uint64_t g = greg_read(cpu, in, size);
    E_rmw_write(cpu, in, size, &w, g);
    greg_write(cpu, in, size, e);
}

/* 90+r.  Opcode 90 without REX.B is NOP (and F3 90 PAUSE) in every mode and
 * size: unlike 87 C0 it does not zero-extend EAX in 64-bit mode. */
void op_xchg_Z_A(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize;
    if (in->rm == RAX) return;
    uint64_t a = cpu->gpr[RAX], r = cpu->gpr[in->rm];
    reg_write(cpu, RAX, size, r);
    reg_write(cpu, in->rm, size, a);
}

void op_nop(struct cpu *cpu, const struct insn *in)
{
    (void)cpu;
    (void)in;
}

/* 0F C8+r.  With a 16-bit operand the SDM leaves the result undefined; the
 * Intel host clears the low word and keeps the rest of the register. */
void op_bswap(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize;
    uint64_t v = size == 2 ? 0 : bswap_n(cpu->gpr[in->rm], size);
    reg_write(cpu, in->rm, size, v);
}

/* 0F 38 F0/F1: sub 0 loads Gv from memory, sub 1 stores Gv to memory. */
void op_movbe(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize;
    uint64_t ea = insn_ea(cpu, in);
    if (in->sub == 0)
        greg_write(cpu, in, size, bswap_n(mem_read(cpu, in->seg, ea, size), size));
    else
        mem_write(cpu, in->seg, ea, size, bswap_n(greg_read(cpu, in, size), size));
}

/* Flags as CMP accumulator, destination.  Equal: the destination takes the
 * source.  Not equal: the accumulator takes the destination and a memory
 * destination is written back with its own value (so a read-only page faults
 * either way: E_rmw_read checks the write).  A register destination is not
 * written back: on the Intel host a 32-bit one keeps its upper half. */
void op_cmpxchg(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize;
    struct rmw w = { 0 };
    uint64_t d = E_rmw_read(cpu, in, size, &w);
    uint64_t a = reg_read(cpu, RAX, size);
    lazy_set(cpu, LF_SUB, size, a, d, a - d);
    if (a == d) {
        E_rmw_write(cpu, in, size, &w, greg_read(cpu, in, size));
        return;
    }
    if (in->mod != 3) E_rmw_write(cpu, in, size, &w, d);
    reg_write(cpu, RAX, size, d);
}

/* 0F C7 /1: CMPXCHG8B compares EDX:EAX with m64; with REX.W it is
 * CMPXCHG16B on RDX:RAX and m128, which must be 16-byte aligned (#GP(0),
 * checked before any page fault).  Only ZF changes.  Memory is always
 * written, with the old value when the compare fails. */
void op_cmpxchg8b(struct cpu *cpu, const struct insn *in)
{
    unsigned half = in->osize == 8 ? 8 : 4;
    uint64_t ea = insn_ea(cpu, in);
    uint64_t mask = size_mask(half);
    struct rmw lo = { 0 }, hi = { 0 };
    uint64_t m0, m1;

    if (half == 8) {
        /* CMPXCHG16B is this row's REX.W form, so cx16 is checked here (the
         * row itself needs cx8). */
        if (!(cpu->features & CPU_FEAT(FEAT_CX16))) cpu_raise(cpu, EXC_UD, 0);
        /* 64-bit mode only (REX.W); the host checks alignment even before a
         * non-canonical address raises #SS/#GP through the segment. */
        bool fs_gs = in->seg == SEG_FS || in->seg == SEG_GS;
        if ((ea + (fs_gs ? cpu->seg[in->seg].base : 0)) & 15) cpu_raise(cpu, EXC_GP, 0);
        m0 = mem_rmw_read(cpu, in->seg, ea, 8, &lo);
        m1 = mem_rmw_read(cpu, in->seg, truncate(ea + 8, in->asize), 8, &hi);
    } else {
        uint64_t m = mem_rmw_read(cpu, in->seg, ea, 8, &lo);
        m0 = (uint32_t)m;
        m1 = m >> 32;
    }
    bool eq = m0 == (cpu->gpr[RAX] & mask) && m1 == (cpu->gpr[RDX] & mask);
    uint64_t n0 = eq ? cpu->gpr[RBX] & mask : m0, n1 = eq ? cpu->gpr[RCX] & mask : m1;
    if (half == 8) {
        mem_rmw_write(cpu, &lo, 8, n0);
        mem_rmw_write(cpu, &hi, 8, n1);
    } else {
        mem_rmw_write(cpu, &lo, 8, n0 | n1 << 32);
    }
    if (!eq) {
        reg_write(cpu, RAX, half, m0);
        reg_write(cpu, RDX, half, m1);
    }
    flags_put(cpu, FL_ZF, eq ? FL_ZF : 0);
}

/* TEMP = SRC + DEST; SRC = DEST; DEST = TEMP.  The destination is written
 * last, so XADD r, r with one register leaves the sum. */
void op_xadd(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osize;
    struct rmw w = { 0 };
    uint64_t d = E_rmw_read(cpu, in, size, &w);
    uint64_t s = greg_read(cpu, in, size);
    uint64_t r = d + s;
    lazy_set(cpu, LF_ADD, size, d, s, r);
    greg_write(cpu, in, size, d);
    E_rmw_write(cpu, in, size, &w, r);
}
