/* insn.h - a decoded instruction and the opcode table's row format.
 *
 * The decoder turns bytes into a plain struct insn (named fields, no bit
 * packing) using only the decode context (mode, vendor, features); the
 * opcode table (opcodes.def) is the single source of truth for decode,
 * dispatch, names and coverage.
 * Operand notation follows the Intel SDM Vol. 2 appendix A.2.
 */
#ifndef RINGSIM_INSN_H
#define RINGSIM_INSN_H

#include <stdint.h>
#include "cpu.h"

struct insn;
typedef void (*op_fn)(struct cpu *cpu, const struct insn *in);

/* Opcode maps. */
enum { MAP_1B, MAP_0F, MAP_0F38, MAP_0F3A, MAP_VEX0F, MAP_VEX0F38, MAP_VEX0F3A, MAP_COUNT };

/* Operand kinds (SDM Vol. 2 A.2.1/A.2.2 addressing methods and operand types). */
enum opd {
    O_NONE,
    O_Eb, O_Ew, O_Ed, O_Ev, O_Ey, O_Eq,      /* ModRM r/m: register or memory */
    O_Gb, O_Gw, O_Gd, O_Gv, O_Gy, O_Gq,      /* ModRM reg: general register */
    O_M, O_Mp, O_Mq, O_Mdq, O_Ma, O_Mw,      /* ModRM r/m: memory only */
    O_Rd, O_Ry,                              /* ModRM r/m: register only (mod ignored for CR/DR moves) */
    O_Sw, O_Cd, O_Dd,                        /* ModRM reg: segment, control, debug register */
    O_By,                                    /* VEX.vvvv general register */
    O_Ib, O_Ibs, O_Iw, O_Iz, O_Iv,           /* immediates (Ibs: sign-extended to the operand size) */
    O_Jb, O_Jz,                              /* relative branch offsets */
    O_Ap,                                    /* far pointer immediate */
    O_Ob, O_Ov,                              /* moffs: address-size offset */
    O_Zb, O_Zv,                              /* register in the opcode's low three bits */
    O_AL, O_rAX, O_CL, O_DX, O_ONE,          /* implicit */
    O_ES, O_CS, O_SS, O_DS, O_FS, O_GS,      /* implicit segment registers */
    O_Xb, O_Xv, O_Yb, O_Yv,                  /* string operands DS:rSI and ES:rDI */
    O_W, O_V, O_N, O_P, O_ST,                /* x87/MMX/SSE operands: decoded for length only */
};

/* Row flags. */
enum {
    F_I64     = 1u << 0,    /* invalid in 64-bit mode */
    F_O64     = 1u << 1,    /* valid only in 64-bit mode */
    F_D64     = 1u << 2,    /* default operand size 64 in 64-bit mode (66h gives 16) */
    F_F64     = 1u << 3,    /* operand size forced to 64 in 64-bit mode on Intel (near branches) */
    F_LOCK    = 1u << 4,    /* LOCK allowed (with a memory destination) */
    F_BRANCH  = 1u << 5,    /* may change RIP or CS: ends a decoded block */
    F_STOP    = 1u << 6,    /* ends a decoded block after it (mode, IF or TF may change) */
    F_BYTE    = 1u << 7,    /* operand size is 8 bits */
    F_NOREX_W = 1u << 8,    /* REX.W does not change the operand size */
    F_VEX_L0  = 1u << 9,    /* VEX.L must be 0 (the SDM's VEX.LZ), else #UD */
    F_REP     = 1u << 10,   /* honours REP: with the prefix it may restart itself, so it ends a block */
    F_SEG66W  = 1u << 12,   /* with 66h and REX.W an ES/CS/SS/DS override still names the
                               segment in 64-bit mode (measured: MOVBE on an Intel host) */
    F_MODRM   = 1u << 13,   /* has a ModRM byte even though no operand says so (hint NOP, UD1 ...) */
};
/* Bits F_NEEDS_SHIFT and up: the CPU feature a row needs (CPU_FEAT bits).
 * Without it the row does not match, so the opcode is #UD or falls through
 * to the next row (F3 0F BD without abm is BSR, as on real CPUs). */
#define F_NEEDS_SHIFT 16
#define F_NEEDS(f) (CPU_FEAT(f) << F_NEEDS_SHIFT)
#define F_NEEDS_TSC    F_NEEDS(FEAT_TSC)
#define F_NEEDS_CX8    F_NEEDS(FEAT_CX8)
#define F_NEEDS_CMOV   F_NEEDS(FEAT_CMOV)
#define F_NEEDS_MOVBE  F_NEEDS(FEAT_MOVBE)
#define F_NEEDS_POPCNT F_NEEDS(FEAT_POPCNT)
#define F_NEEDS_BMI1   F_NEEDS(FEAT_BMI1)
#define F_NEEDS_BMI2   F_NEEDS(FEAT_BMI2)
#define F_NEEDS_LAHF   F_NEEDS(FEAT_LAHF_LM)    /* in 64-bit mode only */
#define F_NEEDS_ABM    F_NEEDS(FEAT_ABM)
#define F_NEEDS_RDTSCP F_NEEDS(FEAT_RDTSCP)
#define F_NEEDS_INVPCID F_NEEDS(FEAT_INVPCID)
#define F_NEEDS_SMAP   F_NEEDS(FEAT_SMAP)
#define F_NEEDS_MSR    F_NEEDS(FEAT_MSR)
#define F_NEEDS_SEP    F_NEEDS(FEAT_SEP)
#define F_NEEDS_SYSCALL F_NEEDS(FEAT_SYSCALL)
#define F_NEEDS_FSGSBASE F_NEEDS(FEAT_FSGSBASE)
_Static_assert(FEAT_COUNT <= 64 - F_NEEDS_SHIFT, "feature bits must fit above the row flags");

/* Why a row is not implemented (the coverage report prints this). */
enum area {
    AREA_CORE,          /* implemented here */
    AREA_UD,            /* #UD by design (undefined opcode, not in the modelled CPU) */
    AREA_SYSTEM,        /* system architecture issue */
    AREA_X87,           /* x87/MMX/SSE/AVX issue */
    AREA_SIMD,
};

enum { MOD_ANY, MOD_MEM, MOD_REG };
enum { PFX_ANY, PFX_NONE, PFX_66, PFX_F3, PFX_F2, PFX_NOREP };

/* Cycle classes (cycles.md): the cost table is indexed by these. */
enum cycle_class {
    CC_ALU, CC_MOV, CC_LOAD, CC_STORE, CC_SHIFT, CC_MUL, CC_DIV, CC_BRANCH, CC_CALL,
    CC_STRING, CC_BIT, CC_BCD, CC_STACK, CC_XCHG, CC_ATOMIC, CC_SERIAL, CC_SYSTEM, CC_NOP,
    CC_X87, CC_SIMD, CC_COUNT,
};

struct op_row {
    uint8_t  map, opc, last;  /* opcodes opc..last (a RANGE row covers several) */
    int8_t   reg;           /* required ModRM.reg, -1 for any */
    int8_t   rm;            /* required ModRM.rm with mod == 3, -1 for any */
    uint8_t  mod;           /* MOD_ANY, MOD_MEM or MOD_REG */
    uint8_t  pfx;           /* mandatory prefix */
    const char *mnem;
    uint8_t  opd[3];
    op_fn    fn;
    uint64_t flags;
    uint8_t  area;
    uint8_t  cls;
    uint8_t  sub;           /* handler argument: ALU op, condition code, group index ... */
};

extern const struct op_row op_table[];
extern const unsigned op_table_size;

/* Decoded instruction. Register numbers are 0-15 with REX applied. */
#define REG_NONE 0xFF
#define REG_RIP  0xFE       /* base register of a RIP-relative address */
struct insn {
    op_fn    fn;
    uint16_t row;           /* index into op_table */
    uint8_t  len;
    uint8_t  map, opc;
    uint8_t  osize;         /* operand size in bytes: 1, 2, 4 or 8 */
    uint8_t  asize;         /* address size in bytes: 2, 4 or 8 */
    uint8_t  seg;           /* segment of the memory operand (override or default) */
    uint8_t  seg_override;  /* SEG_NONE when none */
    uint8_t  rep;           /* 0, 0xF3 or 0xF2 (the last of them) */
    uint8_t  lock;
    uint8_t  opsize_prefix, addrsize_prefix;
    uint8_t  rex;           /* the REX byte in effect, 0 if none */
    uint8_t  vex_l, vex_w, vex_v;   /* VEX fields; vex_v is the register number */
    uint8_t  has_modrm, modrm, mod, reg, rm;  /* reg and rm include REX.R/REX.B */
    uint8_t  base, index, scale;    /* memory operand: registers or REG_NONE / REG_RIP */
    uint8_t  reg8;          /* byte-register code for reg: 0-15, or 16-19 for AH CH DH BH */
    uint8_t  rm8;           /* byte-register code for rm */
    uint8_t  sub;           /* copied from the row */
    uint8_t  cls;           /* cycle class, copied from the row */
    uint8_t  cost;          /* cycles added when it retires */
    uint8_t  dst, src;      /* registers of a specialized register form (ops_fast.c) */
    int64_t  disp;
    uint64_t imm;           /* first immediate (sign- or zero-extended per the operand kind) */
    uint64_t imm2;          /* second immediate (ENTER's level, far pointer selector) */
};

/* Decoder results. */
enum {
    DEC_OK = 0,
    DEC_MORE = -1,          /* needs more bytes than were available */
    DEC_UD = -2,            /* invalid opcode: #UD (length still reported when known) */
    DEC_TOOLONG = -3,       /* longer than 15 bytes: #GP(0) */
};

/* What decoding depends on besides the bytes. */
struct decode_ctx {
    enum dmode mode;
    enum cpu_vendor vendor;
    uint64_t features;      /* CPU_FEAT bits; CPU_FEATURES_ALL decodes everything */
};

/* Decode one instruction.  Returns DEC_OK with in->len set, or an error; on
 * DEC_UD, in->len holds the length decoded so far.  Pure: depends only on the
 * bytes and the context (mode, vendor, features). */
int decode(struct insn *in, const uint8_t *bytes, size_t avail, const struct decode_ctx *ctx);

/* The table, indexed for the decoder and reports. */
void optable_init(void);
const struct op_row *optable_row(unsigned index);
const char *insn_mnemonic(const struct insn *in);
bool op_row_has_modrm(const struct op_row *r);

/* Handlers for rows not implemented here: #UD, counted. */
void op_deferred(struct cpu *cpu, const struct insn *in);
void op_ud(struct cpu *cpu, const struct insn *in);

#endif
