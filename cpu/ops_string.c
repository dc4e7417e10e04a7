/* ops_string.c - the string instructions MOVS, CMPS, STOS, LODS, SCAS, INS,
 * OUTS with REP/REPE/REPNE, and port I/O IN/OUT (SDM Vol. 1 7.3.9 and 19.2,
 * Vol. 2 instruction entries).  rSI, rDI and rCX are address-size wide and
 * wrap within it.  A repeated instruction runs at most REP_CHUNK iterations
 * per execution and then restarts itself, so interrupts and the instruction
 * budget are honoured; a fault leaves the registers describing the
 * iterations that completed, as hardware does.
 */
#include "ops.h"
#include "system.h"
#include "cycles.h"

#define REP_CHUNK 1024

/* The source segment (DS unless overridden); the destination is always ES. */
static int src_seg(const struct insn *in)
{
    return in->seg_override != SEG_NONE ? in->seg_override : SEG_DS;
}

static uint64_t str_reg(const struct cpu *cpu, unsigned r, const struct insn *in)
{
    return reg_read(cpu, r, in->asize);
}

static void str_advance(struct cpu *cpu, unsigned r, const struct insn *in, int64_t delta)
{
    reg_write(cpu, r, in->asize, cpu->gpr[r] + (uint64_t)delta);
}

/* ---- one iteration of each ---------------------------------------------- *
 * A step does its memory and port accesses first and moves its pointers
 * last.  Compare steps return whether the operands were equal. */

static bool step_movs(struct cpu *cpu, const struct insn *in, int64_t delta)
{
    uint64_t v = mem_read(cpu, src_seg(in), str_reg(cpu, RSI, in), in->osize);
    mem_write(cpu, SEG_ES, str_reg(cpu, RDI, in), in->osize, v);
    str_advance(cpu, RSI, in, delta);
    str_advance(cpu, RDI, in, delta);
    return true;
}

static bool step_cmps(struct cpu *cpu, const struct insn *in, int64_t delta)
{
    unsigned size = in->osize;
    uint64_t a = mem_read(cpu, src_seg(in), str_reg(cpu, RSI, in), size);
    uint64_t b = mem_read(cpu, SEG_ES, str_reg(cpu, RDI, in), size);
    lazy_set(cpu, LF_SUB, size, a, b, a - b);
    str_advance(cpu, RSI, in, delta);
    str_advance(cpu, RDI, in, delta);
    return a == b;
}

static bool step_stos(struct cpu *cpu, const struct insn *in, int64_t delta)
{
    mem_write(cpu, SEG_ES, str_reg(cpu, RDI, in), in->osize, cpu->gpr[RAX]);
    str_advance(cpu, RDI, in, delta);
    return true;
}

static bool step_lods(struct cpu *cpu, const struct insn *in, int64_t delta)
{
    uint64_t v = mem_read(cpu, src_seg(in), str_reg(cpu, RSI, in), in->osize);
    reg_write(cpu, RAX, in->osize, v);
    str_advance(cpu, RSI, in, delta);
    return true;
}

static bool step_scas(struct cpu *cpu, const struct insn *in, int64_t delta)
{
    unsigned size = in->osize;
    uint64_t a = reg_read(cpu, RAX, size);
    uint64_t b = mem_read(cpu, SEG_ES, str_reg(cpu, RDI, in), size);
    lazy_set(cpu, LF_SUB, size, a, b, a - b);
    str_advance(cpu, RDI, in, delta);
    return a == b;
}

/* The destination's write permission is checked before the port is read,
 * so a faulting INS does not consume device data. */
static bool step_ins(struct cpu *cpu, const struct insn *in, int64_t delta)
{
    unsigned size = in->osize;
    uint16_t port = (uint16_t)cpu->gpr[RDX];
    uint64_t di = str_reg(cpu, RDI, in);
    io_check(cpu, port, size);
    mem_check_write(cpu, mem_linear(cpu, SEG_ES, di, size, ACC_WRITE), size);
    mem_write(cpu, SEG_ES, di, size, cpu_port_in(cpu, port, size));
    str_advance(cpu, RDI, in, delta);
    return true;
}

static bool step_outs(struct cpu *cpu, const struct insn *in, int64_t delta)
{
    unsigned size = in->osize;
    uint16_t port = (uint16_t)cpu->gpr[RDX];
    io_check(cpu, port, size);
    cpu_port_out(cpu, port, size, mem_read(cpu, src_seg(in), str_reg(cpu, RSI, in), size));
    str_advance(cpu, RSI, in, delta);
    return true;
}

/* ---- whole runs at once ----------------------------------------------------- *
 * REP STOS and REP MOVS are how guests clear and copy pages.  With DF = 0 and
 * flat segments, the elements that lie in one RAM page the TLB already holds
 * (for writing: the page holds no decoded code) cannot fault, so they are done
 * with one host memset/memmove.  Anything else (a page not yet in the TLB, an
 * element straddling pages, segment limits, MMIO) goes element by element. */

/* Host pointer for the first *n elements at seg:off, *n cut to the page. */
static uint8_t *bulk_ptr(struct cpu *cpu, int seg, uint64_t off, unsigned size, uint64_t *n,
                         bool write)
{
    uint64_t room = (0x1000 - (off & 0xFFF)) / size;
    if (!(cpu->seg_flat & (1u << seg)) || room == 0) return NULL;
    if (*n > room) *n = room;
    /* A flat segment's linear address is the offset; a non-canonical one
     * never matches a tag, and no page crosses the 2^16 or 2^32 wrap. */
    const struct tlb_entry *e = &cpu->tlb[(off >> 12) & (TLB_SIZE - 1)];
    if ((write ? e->tag_write : e->tag_read) != ((off & ~0xFFFull) | 1)) return NULL;
    return (uint8_t *)(uintptr_t)(off + e->addend);
}

static uint64_t bulk_stos(struct cpu *cpu, const struct insn *in, uint64_t n)
{
    unsigned size = in->osize;
    uint8_t *d = bulk_ptr(cpu, SEG_ES, str_reg(cpu, RDI, in), size, &n, true);
    if (!d) return 0;
    uint64_t v = cpu->gpr[RAX];
    uint32_t v32 = (uint32_t)v;
    uint16_t v16 = (uint16_t)v;
    switch (size) {             /* fixed-size stores, so the compiler vectorises */
    case 1: memset(d, (uint8_t)v, n); break;
    case 2: for (uint64_t i = 0; i < n; i++) memcpy(d + 2 * i, &v16, 2); break;
    case 4: for (uint64_t i = 0; i < n; i++) memcpy(d + 4 * i, &v32, 4); break;
    default: for (uint64_t i = 0; i < n; i++) memcpy(d + 8 * i, &v, 8); break;
    }
    str_advance(cpu, RDI, in, (int64_t)(n * size));
    return n;
}

/* A destination just above the source within the run is the byte-pattern
 * trick (each element reads what an earlier one wrote): element by element. */
static uint64_t bulk_movs(struct cpu *cpu, const struct insn *in, uint64_t n)
{
    unsigned size = in->osize;
    uint8_t *s = bulk_ptr(cpu, src_seg(in), str_reg(cpu, RSI, in), size, &n, false);
    uint8_t *d = s ? bulk_ptr(cpu, SEG_ES, str_reg(cpu, RDI, in), size, &n, true) : NULL;
    if (!d || (d > s && d < s + n * size)) return 0;
    memmove(d, s, n * size);
    str_advance(cpu, RSI, in, (int64_t)(n * size));
    str_advance(cpu, RDI, in, (int64_t)(n * size));
    return n;
}

/* ---- the repeat loop ------------------------------------------------------ */

typedef bool (*string_step)(struct cpu *cpu, const struct insn *in, int64_t delta);
typedef uint64_t (*string_bulk)(struct cpu *cpu, const struct insn *in, uint64_t n);

enum { ZX_RSI = 1u << RSI, ZX_RDI = 1u << RDI };

/* REP with rCX = 0 does nothing, except that with a 32-bit address size in
 * 64-bit mode the Intel host still writes ECX (zeroing RCX's upper half) and,
 * for MOVS and STOS, ESI/EDI as well (zx says which).  Not a vendor choice:
 * both profiles must match the host wherever the SDM does not say "undefined". */
static void rep_zero_count(struct cpu *cpu, const struct insn *in, unsigned zx)
{
    if (in->asize != 4 || cpu->dmode != DM_64) return;
    reg_write(cpu, RCX, 4, cpu->gpr[RCX]);
    if (zx & ZX_RSI) reg_write(cpu, RSI, 4, cpu->gpr[RSI]);
    if (zx & ZX_RDI) reg_write(cpu, RDI, 4, cpu->gpr[RDI]);
}

/* Run a string instruction.  compare: CMPS/SCAS, where F3 repeats while
 * equal and F2 while not equal; the others treat F2 like F3.  bulk, when
 * given, may do a run of iterations at once.  rCX is counted down after every
 * iteration so a fault finds it exact. */
static inline __attribute__((always_inline))
void string_run(struct cpu *cpu, const struct insn *in, string_step step, string_bulk bulk,
                bool compare, unsigned zx)
{
    int64_t delta = (cpu->rflags & FL_DF) ? -(int64_t)in->osize : (int64_t)in->osize;
    if (!in->rep) {
        step(cpu, in, delta);
        return;
    }
    uint64_t count = str_reg(cpu, RCX, in);
    if (count == 0) {
        rep_zero_count(cpu, in, zx);
        return;
    }
    bool while_equal = in->rep == 0xF3, equal = true;
    uint64_t n = 0, k;
    for (;;) {
        k = bulk && delta > 0 ? bulk(cpu, in, count < REP_CHUNK - n ? count : REP_CHUNK - n) : 0;
        if (k == 0) {
            equal = step(cpu, in, delta);
            k = 1;
        }
        count -= k;
        n += k;
        reg_write(cpu, RCX, in->asize, count);
        if (count == 0 || (compare && equal != while_equal)) break;
        if (n >= REP_CHUNK) {
            cpu->rip = cpu->insn_start;     /* the rest on the next execution */
            break;
        }
    }
    cpu->cycles += (n - 1) * cycles_for(cpu)[CC_STRING];
}

void op_movs(struct cpu *cpu, const struct insn *in)
{
    string_run(cpu, in, step_movs, bulk_movs, false, ZX_RSI | ZX_RDI);
}

void op_cmps(struct cpu *cpu, const struct insn *in)
{
    string_run(cpu, in, step_cmps, NULL, true, 0);
}

void op_stos(struct cpu *cpu, const struct insn *in)
{
    string_run(cpu, in, step_stos, bulk_stos, false, ZX_RDI);
}

void op_lods(struct cpu *cpu, const struct insn *in)
{
    string_run(cpu, in, step_lods, NULL, false, 0);
}

void op_scas(struct cpu *cpu, const struct insn *in)
{
    string_run(cpu, in, step_scas, NULL, true, 0);
}

void op_ins(struct cpu *cpu, const struct insn *in)
{
    string_run(cpu, in, step_ins, NULL, false, 0);
}

void op_outs(struct cpu *cpu, const struct insn *in)
{
    string_run(cpu, in, step_outs, NULL, false, 0);
}

/* ---- IN and OUT ------------------------------------------------------------ */

/* sub 0: the port is the Ib immediate; sub 1: the port is DX. */
static uint16_t io_port(const struct cpu *cpu, const struct insn *in)
{
    return in->sub ? (uint16_t)cpu->gpr[RDX] : (uint16_t)in->imm;
}

/* IN EAX zero-extends into RAX in 64-bit mode (a 32-bit register write). */
void op_in(struct cpu *cpu, const struct insn *in)
{
    uint16_t port = io_port(cpu, in);
    io_check(cpu, port, in->osize);
    reg_write(cpu, RAX, in->osize, cpu_port_in(cpu, port, in->osize));
}

void op_out(struct cpu *cpu, const struct insn *in)
{
    uint16_t port = io_port(cpu, in);
    io_check(cpu, port, in->osize);
    cpu_port_out(cpu, port, in->osize, reg_read(cpu, RAX, in->osize));
}
