/* ops.h - what instruction handlers use: registers, operands, memory, stack
 * and flags, all through the one state pointer.
 *
 * Handlers are named after the Intel opcode map (op_add_Ev_Gv) and take the
 * operand width from in->osize rather than existing once per width.  Memory
 * goes through the segment check (mem.c) and the TLB; every fault goes through
 * cpu_raise().
 */
#ifndef RINGSIM_OPS_H
#define RINGSIM_OPS_H

#include <string.h>
#include "cpu.h"
#include "insn.h"

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define INLINE static inline __attribute__((always_inline))

/* ---- widths ---------------------------------------------------------- */

/* Sizes are 1, 2, 4 or 8 bytes: a shift gives the mask without a branch. */
static inline uint64_t size_mask(unsigned size)
{
    return ~0ull >> (64 - size * 8);
}
static inline uint64_t sign_bit(unsigned size) { return 1ull << (size * 8 - 1); }
static inline int64_t sign_extend(uint64_t v, unsigned size)
{
    unsigned shift = 64 - size * 8;
    return (int64_t)(v << shift) >> shift;
}
static inline uint64_t truncate(uint64_t v, unsigned size) { return v & size_mask(size); }

/* ---- registers ------------------------------------------------------- */

/* Write a general register with the width rules of SDM Vol. 1 3.4.1.1:
 * 32-bit results zero-extend to 64, 8- and 16-bit results merge.  Branchless:
 * keep[size] says which old bits survive. */
INLINE void reg_write(struct cpu *cpu, unsigned r, unsigned size, uint64_t v)
{
    static const uint64_t keep[9] = { [1] = ~0xFFull, [2] = ~0xFFFFull, [4] = 0, [8] = 0 };
    cpu->gpr[r] = (cpu->gpr[r] & keep[size]) | (v & size_mask(size));
}
INLINE uint64_t reg_read(const struct cpu *cpu, unsigned r, unsigned size)
{
    return cpu->gpr[r] & size_mask(size);
}
/* Byte registers by code: 0-15 are the low bytes, 16-19 are AH CH DH BH. */
INLINE uint8_t reg8_read(const struct cpu *cpu, unsigned code)
{
    return code < 16 ? (uint8_t)cpu->gpr[code] : (uint8_t)(cpu->gpr[code - 16] >> 8);
}
INLINE void reg8_write(struct cpu *cpu, unsigned code, uint8_t v)
{
    if (code < 16)
        cpu->gpr[code] = (cpu->gpr[code] & ~0xFFull) | v;
    else
        cpu->gpr[code - 16] = (cpu->gpr[code - 16] & ~0xFF00ull) | ((uint64_t)v << 8);
}

/* The G operand (ModRM.reg) and the E operand when it is a register. */
INLINE uint64_t greg_read(const struct cpu *cpu, const struct insn *in, unsigned size)
{
    return size == 1 ? reg8_read(cpu, in->reg8) : reg_read(cpu, in->reg, size);
}
INLINE void greg_write(struct cpu *cpu, const struct insn *in, unsigned size, uint64_t v)
{
    if (size == 1) reg8_write(cpu, in->reg8, (uint8_t)v);
    else reg_write(cpu, in->reg, size, v);
}

/* ---- memory ---------------------------------------------------------- */

/* Slow paths and checks (mem.c). */
uint64_t mem_linear_slow(struct cpu *cpu, int seg, uint64_t off, unsigned size, int access);
uint64_t mem_read_slow(struct cpu *cpu, uint64_t lin, unsigned size, int access);
void     mem_write_slow(struct cpu *cpu, uint64_t lin, unsigned size, uint64_t v);
void     mem_check_write(struct cpu *cpu, uint64_t lin, unsigned size);
uint8_t *mem_fetch_ptr(struct cpu *cpu, uint64_t lin, uint64_t *phys);
enum { ACC_READ, ACC_WRITE, ACC_FETCH, ACC_RMW };
/* Or'ed into the access kind: an implicit supervisor access (SDM Vol. 3 4.6.1),
 * such as a descriptor-table, IDT or TSS reference, checked as if CPL were 0
 * whatever the CPL.  These never take the speed path. */
#define ACC_SYS 0x10
#define ACC_KIND(a) ((a) & 0x0F)
uint64_t sys_read(struct cpu *cpu, uint64_t lin, unsigned size);
void     sys_write(struct cpu *cpu, uint64_t lin, unsigned size, uint64_t v);

/* Canonical addresses (SDM Vol. 3 3.3.7.1, 4.5): bits 63 down to the top
 * implemented bit all equal.  canonical() judges by the paging mode in use,
 * 57 bits with 5-level paging and 48 bits otherwise: memory accesses, branch
 * targets, the RIP and RSP of an event or return.  canonical_max() judges by
 * the widest mode the processor supports (57 bits when it advertises la57),
 * whatever CR4.LA57 says: the addresses loaded into MSRs (WRMSR, WRFSBASE,
 * WRGSBASE), the bases of descriptor tables and system segments, and the
 * addresses INVLPG and INVPCID invalidate.  (Intel's 5-level paging white
 * paper 2.5, "Linear-Address Registers and Canonicality"; the SDM's LAM
 * section repeats it for addresses written to MSRs.) */
static inline int canonical(const struct cpu *cpu, uint64_t a)
{
    return (uint64_t)((int64_t)(a << cpu->la_shift) >> cpu->la_shift) == a;
}
static inline int canonical_max(const struct cpu *cpu, uint64_t a)
{
    unsigned s = (cpu->features & CPU_FEAT(FEAT_LA57)) ? 7 : 16;
    return (uint64_t)((int64_t)(a << s) >> s) == a;
}

/* Loads and stores of 1, 2, 4 or 8 bytes at a host pointer.  Each memcpy has
 * a constant size and becomes one move; a run-time size would compile to a
 * general copy (rep movs) on the hottest path of the simulator. */
INLINE uint64_t host_load(const void *p, unsigned size)
{
    uint8_t b; uint16_t w; uint32_t d; uint64_t q;
    switch (size) {
    case 1: memcpy(&b, p, 1); return b;
    case 2: memcpy(&w, p, 2); return w;
    case 4: memcpy(&d, p, 4); return d;
    default: memcpy(&q, p, 8); return q;
    }
}
INLINE void host_store(void *p, unsigned size, uint64_t v)
{
    uint8_t b = (uint8_t)v; uint16_t w = (uint16_t)v; uint32_t d = (uint32_t)v;
    switch (size) {
    case 1: memcpy(p, &b, 1); break;
    case 2: memcpy(p, &w, 2); break;
    case 4: memcpy(p, &d, 4); break;
    default: memcpy(p, &v, 8); break;
    }
}

/* seg:off to a linear address with the segment's checks.  Flat segments
 * (cpu->seg_flat) only need the end of the access checked. */
INLINE uint64_t mem_linear(struct cpu *cpu, int seg, uint64_t off, unsigned size, int access)
{
    if (likely(cpu->seg_flat & (1u << seg))) {
        uint64_t last = off + size - 1;
        if (cpu->dmode == DM_64) {
            if (likely(canonical(cpu, off) && canonical(cpu, last))) return off;
        } else if (likely(last <= 0xFFFFFFFFull)) {
            return off;
        }
    }
    return mem_linear_slow(cpu, seg, off, size, access);
}

/* Effective address of the ModRM memory operand, truncated to the address size. */
INLINE uint64_t insn_ea(const struct cpu *cpu, const struct insn *in)
{
    uint64_t ea = (uint64_t)in->disp;
    if (in->base == REG_RIP)
        ea += cpu->rip;             /* rip already points after the instruction */
    else if (in->base != REG_NONE)
        ea += cpu->gpr[in->base];
    if (in->index != REG_NONE)
        ea += cpu->gpr[in->index] << in->scale;
    return truncate(ea, in->asize);
}

/* Read or write size bytes at seg:off.  The TLB hit path is inline; faults
 * (segment limits, canonical addresses, later paging) go through cpu_raise. */
/* Linear addresses, no segmentation: descriptor tables, the IVT. */
INLINE uint64_t mem_read_linear(struct cpu *cpu, uint64_t lin, unsigned size)
{
    struct tlb_entry *e = &cpu->tlb[(lin >> 12) & (TLB_SIZE - 1)];
    if (likely(e->tag_read == ((lin & ~0xFFFull) | 1) && (lin & 0xFFF) + size <= 0x1000)) {
        return host_load((void *)(uintptr_t)(lin + e->addend), size);
    }
    return mem_read_slow(cpu, lin, size, ACC_READ);
}

INLINE uint64_t mem_read(struct cpu *cpu, int seg, uint64_t off, unsigned size)
{
    return mem_read_linear(cpu, mem_linear(cpu, seg, off, size, ACC_READ), size);
}
INLINE void mem_write(struct cpu *cpu, int seg, uint64_t off, unsigned size, uint64_t v)
{
    uint64_t lin = mem_linear(cpu, seg, off, size, ACC_WRITE);
    struct tlb_entry *e = &cpu->tlb[(lin >> 12) & (TLB_SIZE - 1)];
    if (likely(e->tag_write == ((lin & ~0xFFFull) | 1) && (lin & 0xFFF) + size <= 0x1000)) {
        host_store((void *)(uintptr_t)(lin + e->addend), size, v);
        return;
    }
    mem_write_slow(cpu, lin, size, v);
}

/* Read-modify-write operands: the write permission is checked before the
 * read so a fault leaves memory and registers untouched. */
struct rmw { uint64_t lin; };
INLINE uint64_t mem_rmw_read(struct cpu *cpu, int seg, uint64_t off, unsigned size,
                                    struct rmw *w)
{
    w->lin = mem_linear(cpu, seg, off, size, ACC_RMW);
    struct tlb_entry *e = &cpu->tlb[(w->lin >> 12) & (TLB_SIZE - 1)];
    if (likely(e->tag_write == ((w->lin & ~0xFFFull) | 1) && (w->lin & 0xFFF) + size <= 0x1000)) {
        return host_load((void *)(uintptr_t)(w->lin + e->addend), size);
    }
    mem_check_write(cpu, w->lin, size);
    return mem_read_slow(cpu, w->lin, size, ACC_READ);
}
INLINE void mem_rmw_write(struct cpu *cpu, const struct rmw *w, unsigned size, uint64_t v)
{
    struct tlb_entry *e = &cpu->tlb[(w->lin >> 12) & (TLB_SIZE - 1)];
    if (likely(e->tag_write == ((w->lin & ~0xFFFull) | 1) && (w->lin & 0xFFF) + size <= 0x1000)) {
        host_store((void *)(uintptr_t)(w->lin + e->addend), size, v);
        return;
    }
    mem_write_slow(cpu, w->lin, size, v);
}

/* ---- the E operand (register or memory) ----------------------------- */

INLINE uint64_t E_read(struct cpu *cpu, const struct insn *in, unsigned size)
{
    if (in->mod == 3)
        return size == 1 ? reg8_read(cpu, in->rm8) : reg_read(cpu, in->rm, size);
    return mem_read(cpu, in->seg, insn_ea(cpu, in), size);
}
INLINE void E_write(struct cpu *cpu, const struct insn *in, unsigned size, uint64_t v)
{
    if (in->mod == 3) {
        if (size == 1) reg8_write(cpu, in->rm8, (uint8_t)v);
        else reg_write(cpu, in->rm, size, v);
        return;
    }
    mem_write(cpu, in->seg, insn_ea(cpu, in), size, v);
}
/* Read-modify-write form: E_rmw_read then E_rmw_write with the same handle. */
INLINE uint64_t E_rmw_read(struct cpu *cpu, const struct insn *in, unsigned size,
                                  struct rmw *w)
{
    if (in->mod == 3)
        return size == 1 ? reg8_read(cpu, in->rm8) : reg_read(cpu, in->rm, size);
    return mem_rmw_read(cpu, in->seg, insn_ea(cpu, in), size, w);
}
INLINE void E_rmw_write(struct cpu *cpu, const struct insn *in, unsigned size,
                               const struct rmw *w, uint64_t v)
{
    if (in->mod == 3) {
        if (size == 1) reg8_write(cpu, in->rm8, (uint8_t)v);
        else reg_write(cpu, in->rm, size, v);
        return;
    }
    mem_rmw_write(cpu, w, size, v);
}

/* ---- stack ----------------------------------------------------------- */

/* The stack pointer's width is SS.B (or 64 in 64-bit mode), not the operand size. */
static inline uint64_t sp_get(const struct cpu *cpu)
{
    return cpu->gpr[RSP] & size_mask(cpu->stack_size);
}
static inline void sp_set(struct cpu *cpu, uint64_t v)
{
    reg_write(cpu, RSP, cpu->stack_size, v);
}
/* Push: the write happens before RSP changes, so a fault leaves RSP intact. */
INLINE void push(struct cpu *cpu, unsigned size, uint64_t v)
{
    uint64_t sp = truncate(sp_get(cpu) - size, cpu->stack_size);
    mem_write(cpu, SEG_SS, sp, size, v);
    sp_set(cpu, sp);
}
INLINE uint64_t pop(struct cpu *cpu, unsigned size)
{
    uint64_t sp = sp_get(cpu);
    uint64_t v = mem_read(cpu, SEG_SS, sp, size);
    sp_set(cpu, sp + size);
    return v;
}
/* Read the stack at an offset from RSP without moving it (RET imm, POP checks). */
static inline uint64_t stack_peek(struct cpu *cpu, uint64_t offset, unsigned size)
{
    return mem_read(cpu, SEG_SS, truncate(sp_get(cpu) + offset, cpu->stack_size), size);
}

/* ---- flags ----------------------------------------------------------- */

uint64_t flags_compute(const struct cpu *cpu);    /* status bits from the lazy record */
bool     cond_eval(struct cpu *cpu, unsigned cc); /* condition code 0-15 (SDM Vol. 1 B.1) */
bool     cond_from_record(struct cpu *cpu, unsigned cc);  /* the general case of cond_fast */

/* Condition codes come in pairs (SDM Vol. 1 B.1: O, B, E, BE, S, P, L, LE),
 * the odd one the negation of the even one.  After CMP/SUB (LF_SUB) the
 * unsigned and signed orders of the operands answer directly; after
 * TEST/AND/OR/XOR (LF_LOGIC) CF = OF = 0 folds most conditions into the
 * result's sign and zero.  Everything else (and O, P) computes the flags
 * word.  With a constant pair (the Jcc handlers) the switches fold away. */
INLINE bool cond_test(struct cpu *cpu, unsigned pair, bool neg)
{
    const struct lazy_flags *lf = &cpu->lf;
    unsigned sh = 64 - 8 * lf->size;
    if (likely(lf->op == LF_SUB)) {
        uint64_t a = lf->dst << sh, b = lf->src << sh;
        switch (pair) {
        case 1: return (a < b) ^ neg;
        case 2: return (a == b) ^ neg;
        case 3: return (a <= b) ^ neg;
        case 4: return ((int64_t)(a - b) < 0) ^ neg;
        case 6: return ((int64_t)a < (int64_t)b) ^ neg;
        case 7: return ((int64_t)a <= (int64_t)b) ^ neg;
        default: break;
        }
    } else if (lf->op == LF_LOGIC) {
        int64_t r = (int64_t)(lf->res << sh);
        switch (pair) {
        case 0: case 1: return neg;
        case 2: case 3: return (r == 0) ^ neg;
        case 4: case 6: return (r < 0) ^ neg;
        case 7: return (r <= 0) ^ neg;
        default: break;
        }
    }
    return cond_from_record(cpu, pair << 1 | neg);
}

/* Condition code cc, 0-15. */
INLINE bool cond_fast(struct cpu *cpu, unsigned cc)
{
    return cond_test(cpu, (cc >> 1) & 7, cc & 1);
}

INLINE void lazy_set(struct cpu *cpu, int op, unsigned size, uint64_t dst, uint64_t src,
                            uint64_t res)
{
    cpu->lf.op = (uint8_t)op;
    cpu->lf.size = (uint8_t)size;
    cpu->lf.dst = dst;
    cpu->lf.src = src;
    cpu->lf.res = res;
}
/* Make rflags' status bits current and drop the lazy record. */
static inline void flags_materialize(struct cpu *cpu)
{
    if (cpu->lf.op != LF_NONE) {
        cpu->rflags = (cpu->rflags & ~(uint64_t)FL_STATUS) | flags_compute(cpu);
        cpu->lf.op = LF_NONE;
    }
}
static inline bool flag_cf(struct cpu *cpu)
{
    flags_materialize(cpu);
    return cpu->rflags & FL_CF;
}
/* Replace the bits in mask with the bits of value (eager flag updates). */
static inline void flags_put(struct cpu *cpu, uint32_t mask, uint32_t value)
{
    flags_materialize(cpu);
    cpu->rflags = (cpu->rflags & ~(uint64_t)mask) | (value & mask);
}
/* Replace all six status flags at once: the old ones need not be computed. */
static inline void flags_set_status(struct cpu *cpu, uint64_t f)
{
    cpu->rflags = (cpu->rflags & ~(uint64_t)FL_STATUS) | f;
    cpu->lf.op = LF_NONE;
}
/* ZF, SF and PF of a result. */
INLINE uint64_t flags_szp(uint64_t res, unsigned size)
{
    res = truncate(res, size);
    return (uint64_t)(res == 0) << 6 | (res >> (8 * size - 1)) << 7 |
           (uint64_t)!__builtin_parity((unsigned)(res & 0xFF)) << 2;
}

/* ---- misc ------------------------------------------------------------ */

/* Set RIP after a near branch: the target is truncated to the branch's
 * operand size (a 16-bit IP wraps) and must lie within the CS limit, or be
 * canonical in 64-bit mode, else #GP(0) at the branch (SDM Vol. 2 JMP, Jcc). */
INLINE void branch_near(struct cpu *cpu, uint64_t target, unsigned osize)
{
    target = truncate(target, osize);
    if (cpu->dmode == DM_64 ? !canonical(cpu, target) : target > cpu->seg[SEG_CS].limit)
        cpu_raise(cpu, EXC_GP, 0);
    cpu->rip = target;
}

/* Flags and results the SDM leaves undefined follow the vendor profile. */
static inline bool is_amd(const struct cpu *cpu) { return cpu->model->vendor == VENDOR_AMD; }

/* Port I/O (mmu/bus.c) and time. */
uint64_t cpu_port_in(struct cpu *cpu, uint16_t port, unsigned size);
void     cpu_port_out(struct cpu *cpu, uint16_t port, unsigned size, uint64_t v);
uint64_t cpu_tsc(const struct cpu *cpu);

#endif
