/* gen_rows.h - what the generator knows about each opcode-table row, kept as data:
 * its group, how its operands are set up (the kind), why it is excluded, and which
 * flags and results the SDM (Vol. 2, each instruction's "Flags Affected") leaves
 * undefined.  Private to gen.c and gen_rows.c.
 */
#ifndef RINGSIM_TESTS_SEMANTICS_GEN_ROWS_H
#define RINGSIM_TESTS_SEMANTICS_GEN_ROWS_H

#include "cpu/insn.h"

/* How the generator sets up a row beyond its encoded operands. */
enum gen_kind {
    K_PLAIN,        /* ModRM, register and immediate operands only */
    K_LEA,          /* computes an address, touches no memory: any address goes */
    K_NOPMEM,       /* hint NOP / prefetch: the address is not accessed */
    K_SHIFT,        /* a shift count (Ib or CL) with the edge counts */
    K_VEXCOUNT,     /* BMI: VEX.vvvv holds a count, index or start/length */
    K_DIV,          /* a dividend in rDX:rAX that usually fits */
    K_BT,           /* bit string with a register bit offset: reaches past the operand */
    K_BITSCAN,      /* bsf bsr tzcnt lzcnt popcnt: a zero source now and then */
    K_CMPXCHG,      /* accumulator equal to the destination half the time */
    K_CMPXCHG8B,    /* rDX:rAX equal to the memory half the time; 16B alignment */
    K_BOUND,        /* the index inside or outside the bounds */
    K_XLAT,         /* [rBX + AL] in the window */
    K_MOFFS,        /* moffs: the address is the immediate */
    K_STRING,       /* rSI, rDI, rCX, DF; REP with small counts */
    K_PUSH,         /* push r/m/imm/sreg, pushf, pusha, enter: room below rSP */
    K_POP,          /* pop r/m, popa: values above rSP */
    K_POPF,         /* popf: a flags image without TF */
    K_ENTER,        /* enter: rBP frame for the nesting level */
    K_LEAVE,        /* leave: rBP in the window */
    K_JREL,         /* jcc, jmp rel: the target in a landing zone */
    K_CALLREL,      /* call rel: the same, and a push */
    K_JIND,         /* jmp r/m */
    K_CALLIND,      /* call r/m */
    K_RET,          /* ret [imm16]: the popped address in a landing zone */
    K_LOOP,         /* loop, loope, loopne, jcxz: the count register and a target */
    K_INT,          /* int3, int 3, int1, into */
    K_SREG,         /* mov r/m, Sreg: the segment register field */
    K_NKINDS
};

/* When the undefined part of a row applies. */
enum undef_rule {
    U_NONE,
    U_ALWAYS,       /* the listed flags are always undefined */
    U_SHIFT,        /* shl shr sal sar: AF if count, OF if count > 1, CF if count >= size (shl/shr) */
    U_ROTATE,       /* rol ror rcl rcr: OF if the masked count is not 0 or 1 */
    U_SHXD,         /* shld shrd: AF, OF unless count 1; everything if count > size */
    U_BITSCAN,      /* bsf bsr: the listed flags, and the destination if the source is 0 */
    U_BSWAP16,      /* bswap r16: the result */
};

struct row_info {
    uint8_t group;          /* enum sem_group */
    uint8_t kind;           /* enum gen_kind */
    uint8_t undef_rule;     /* enum undef_rule */
    uint32_t undef_flags;   /* the flags of that rule */
};

/* The row's info; false if the generator does not know the row (then it is not generated). */
bool row_info(const struct op_row *row, struct row_info *out);

#endif
