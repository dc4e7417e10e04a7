/* gen.h - the case generator of the instruction-semantics differential tester.
 * Walks the opcode table (cpu/opcodes.def) and, for one row in one mode, builds an
 * encoding and a machine state that are valid natively: memory operands land in the
 * data window, branches in the 0xCC landing zones, so any difference between the host
 * CPU and the interpreter is a real bug (ARCHITECTURE.md, "Tests, by layer", item 2).
 */
#ifndef RINGSIM_TESTS_SEMANTICS_GEN_H
#define RINGSIM_TESTS_SEMANTICS_GEN_H

#include <stdbool.h>
#include <stdint.h>
#include "cpu/cpu.h"
#include "tests/semantics/native.h"

/* How a case runs: the 64-bit child, or the 32-bit child with a flat 32-bit or
 * a 16-bit code segment (the latter always with the window data segments). */
enum sem_mode { SEM_M64, SEM_M32, SEM_M16, SEM_NMODES };

/* Row families: the run counts passes and failures per group. */
enum sem_group {
    G_ALU, G_SHIFT, G_MULDIV, G_BIT, G_BCD, G_MOVE, G_ATOMIC, G_STACK, G_CTRL,
    G_STRING, G_BMI, G_MISC, G_NGROUPS
};

/* Landing zones: linear ranges that hold 0xCC in the interpreter.  Natively only
 * the code page is mapped, so a branch into the rest of a zone ends with a #PF on
 * the fetch at the target, which the driver counts as "landed there". */
#define SEM_LOW_ZONE_END  0x10000u                       /* 16-bit EIPs of flat code */
#define SEM_ZONE_START    (NATIVE_CODE_ADDR - 0x1000u)   /* below the code page */
#define SEM_ZONE_END      (NATIVE_CODE_ADDR + 0x10000u)  /* the 16-bit code segment */

#define SEM_NO_ROW 0xFFFFu

struct sem_case {
    struct native_case nc;  /* bytes, registers, flags, window, segment options */
    uint8_t  mode;          /* enum sem_mode (nc.ldt_data16: window data segments) */
    uint16_t row;           /* the op_table row it exercises, SEM_NO_ROW if unknown */
    uint64_t winseed;       /* nc.data is gen_window(winseed) with a few bytes changed */
    uint32_t undef_flags;   /* status flags the SDM leaves undefined for this case */
    uint16_t undef_gpr;     /* registers whose result the SDM leaves undefined */
    uint8_t  undef_mem;     /* the memory result is undefined */
};

/* One thing to generate: a row in a mode. */
struct gen_form {
    uint16_t row;
    uint8_t  mode;
};

struct gen_config {
    bool same_vendor;       /* the interpreter's profile is the host's vendor */
    bool host_amd;          /* the host honours 66h on near branches in 64-bit mode */
    /* The children's own images, [lo, hi) for the 64-bit [0] and 32-bit [1] child: a
     * stack pointer there can put the kernel's signal frame below the child's alternate
     * signal stack, and the child dies; generated rSP values stay out of them. */
    uint64_t image_lo[2], image_hi[2];
};

/* Classification of op_table rows (data in gen_rows.c). */
int gen_group(unsigned row);                     /* enum sem_group, or -1 if not generated */
const char *gen_group_name(int group);           /* NULL past the last group */
int gen_group_find(const char *name);            /* -1 if unknown */
const char *gen_exclusion(unsigned row);         /* why a CORE row is not generated, or NULL */
bool gen_row_known(unsigned row);                /* the generator knows the row's mnemonic */
bool gen_form_valid(unsigned row, enum sem_mode mode);

/* Every form of a group (G_NGROUPS: all groups); returns the count, fills up to max. */
unsigned gen_forms(int group, struct gen_form *out, unsigned max);

/* Build one case from seed.  The caller sets c->winseed and fills c->nc.data with
 * gen_window(c->winseed) (runs share windows).  False if no valid case came out. */
bool gen_case(struct sem_case *c, const struct gen_form *f, uint64_t seed,
              const struct gen_config *cfg);

/* The data window's initial contents for a seed.  Regression vectors depend on it:
 * change it only together with tests/vectors/semantics.txt. */
void gen_window(uint64_t winseed, uint8_t *data);

/* splitmix64: the one mixing function for seeds and streams. */
uint64_t gen_mix(uint64_t x);

#endif
