/* gen_int.h - the generator's working state, shared by gen.c (values, encoding),
 * gen_addr.c (memory operands) and gen_kinds.c (what each kind of row needs set up).
 * Private to the generator; the driver uses gen.h.
 */
#ifndef RINGSIM_TESTS_SEMANTICS_GEN_INT_H
#define RINGSIM_TESTS_SEMANTICS_GEN_INT_H

#include "cpu/insn.h"
#include "tests/semantics/gen.h"
#include "tests/semantics/gen_rows.h"

#define DATA   ((uint64_t)NATIVE_DATA_ADDR)
#define CODE   ((uint64_t)NATIVE_CODE_ADDR)
#define WIN    NATIVE_DATA_SIZE
#define MARGIN 32u      /* kept free at both ends of the window */

struct rng { uint64_t s; };

/* One segment as the native child has it (base, byte-granular limit, writable). */
struct segm { uint64_t base, limit; bool writable; };

struct gen {
    struct rng r;
    struct sem_case *c;
    const struct gen_config *cfg;
    const struct op_row *row;
    struct row_info info;
    int kind;                   /* enum gen_kind */
    uint8_t mode;               /* enum sem_mode */
    bool m64, d16;              /* 64-bit child; ES/SS/DS are the window segment */
    uint8_t opc;                /* the opcode (RANGE rows cover several) */

    /* operand and address size, prefixes */
    uint8_t osize, asize;
    bool p66, p67, lock, rexw, bare_rex;
    uint8_t rep, mand;          /* 0, F2 or F3; the row's mandatory prefix */
    int segovr, seg;            /* override (SEG_NONE) and the memory operand's segment */
    uint8_t pfx[8];
    unsigned npfx;
    int stray_at;               /* a REX before prefix stray_at (ignored), or -1 */
    uint8_t stray_rex;

    /* register extensions: REX or VEX */
    bool rex_r, rex_x, rex_b;
    bool vex, vex_w, vex_l;
    int vreg;                   /* VEX.vvvv */

    /* ModRM, SIB, displacement */
    bool modrm, mem, sib, riprel;
    uint8_t mod, reg3, rm3, ss, idx3, base3;
    int reg, rm, base, index, zreg;     /* register numbers, -1 for none */
    unsigned scale, dsize;
    int64_t disp;

    /* immediates; rel and moffs name the slot of a branch displacement / moffs */
    unsigned nimm, isize[3];
    uint64_t imm[3];
    int rel, moffs;

    /* the memory operand */
    uint64_t ea, lin, rsp_bias;
    uint16_t fixed, addr;       /* registers owned by the set-up / by the address */
    uint8_t len;
};

/* random values (gen.c) */
uint64_t rnd(struct rng *r);
unsigned below(struct rng *r, unsigned n);
bool chance(struct rng *r, unsigned percent);
uint64_t mask_of(unsigned size);
int64_t sext(uint64_t v, unsigned size);
uint64_t edge_value(struct rng *r, unsigned size);
uint64_t any_value(struct rng *r, unsigned size);
uint8_t edge_count(struct rng *r);
uint64_t noncanonical(struct rng *r, unsigned size);

/* window, segments, registers, operands (gen.c) */
bool in_window(uint64_t lin, unsigned n);
void mem_put(struct gen *g, uint64_t lin, unsigned n, uint64_t v);
uint64_t mem_get(struct gen *g, uint64_t lin, unsigned n);
struct segm seg_model(const struct gen *g, int seg);
bool seg_reach(const struct gen *g, int seg, uint64_t lin, unsigned n, uint64_t *ea);
bool reach_with(struct gen *g, int dflt, uint64_t lin, unsigned n, uint64_t *ea);
uint64_t linear_of(const struct gen *g, int seg, uint64_t ea);
uint64_t *gpr(struct gen *g);
bool reg_locked(const struct gen *g, int r);
void set_addr_reg(struct gen *g, int r, uint64_t low);
void set_fixed_reg(struct gen *g, int r, uint64_t v);
bool rex_emitted(const struct gen *g);
int opnd_home(const struct gen *g, int r, unsigned size);
uint64_t opnd_get(struct gen *g, int r, unsigned size);
void opnd_set(struct gen *g, int r, unsigned size, uint64_t v);
uint64_t E_get(struct gen *g, unsigned size);
void E_set(struct gen *g, unsigned size, uint64_t v);
bool row_has(const struct gen *g, uint8_t kind);
bool mnem_is(const struct gen *g, const char *m);

/* memory operands (gen_addr.c) */
void choose_address(struct gen *g);     /* mod, rm, SIB, base, index, displacement size */
bool place_memory(struct gen *g);       /* the address, and the registers that form it */
bool place_memory_at(struct gen *g, uint64_t lin, unsigned n, bool may_fault);
bool solve_address(struct gen *g, uint64_t *ea);
uint64_t pick_offset(struct gen *g, unsigned n);
unsigned access_size(const struct gen *g);

/* the kinds (gen_kinds.c) */
bool kind_setup(struct gen *g);         /* before the memory operand is placed */
bool place_bit_string(struct gen *g);   /* bt* m, r: the offset reaches past the operand */
bool kind_rig(struct gen *g);           /* once the length is known */

#endif
