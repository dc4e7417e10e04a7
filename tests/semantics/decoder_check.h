/* decoder_check.h - the decoder cross-check: ringsim's decode() against an
 * independent decoder (Zydis 4) on random byte strings in 16-, 32- and 64-bit
 * mode.  Lengths and valid/invalid verdicts must agree on every form ringsim
 * implements (AREA_CORE rows); deferred forms are tallied apart.
 */
#ifndef RINGSIM_DECODER_CHECK_H
#define RINGSIM_DECODER_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include "cpu/insn.h"

/* Bytes offered to both decoders: more than the 15-byte limit, so neither
 * ever runs out (DEC_MORE cannot happen). */
#define DC_BUF_LEN 32

/* ---- random strings (decoder_gen.c) ---------------------------------- */

struct dc_rng { uint64_t state; };

void dc_rng_seed(struct dc_rng *rng, uint64_t seed, unsigned stream);
uint64_t dc_rand(struct dc_rng *rng);
/* Fill buf[0..DC_BUF_LEN) with one instruction-shaped random string. */
void dc_generate(struct dc_rng *rng, enum dmode mode, uint8_t buf[DC_BUF_LEN]);

/* ---- the comparison (decoder_check.c) --------------------------------- */

/* One decoder's answer, reduced to what is compared. */
enum dc_rs_state { RS_CORE, RS_OTHER, RS_INVALID, RS_TOOLONG, RS_MORE, RS_STATES };
enum dc_zy_state { ZY_IMPL, ZY_OTHER, ZY_INVALID, ZY_TOOLONG, ZY_STATES };

struct dc_verdict {
    uint8_t rs, zy;             /* enum dc_rs_state, enum dc_zy_state */
    uint8_t rs_len, zy_len;     /* lengths when decoded */
    uint8_t same_form;          /* Zydis' mnemonic is one of ringsim's row's names */
    uint16_t rs_row;            /* ringsim's row when decoded */
    uint16_t zy_mnemonic;       /* Zydis' ZydisMnemonic when decoded */
};

enum dc_outcome { DC_AGREE, DC_DISAGREE, DC_SKIP };

/* The rule, pure: agree, disagree, or not counted (skip). */
enum dc_outcome dc_classify(const struct dc_verdict *v);

struct dc_tally {
    uint64_t strings;
    uint64_t agree_valid;       /* both decoded, same length (and same form) */
    uint64_t agree_invalid;     /* both rejected (#UD or longer than 15 bytes) */
    uint64_t disagree;
    uint64_t not_implemented;   /* deferred or unmodelled forms: not counted */
    uint64_t deferred_length_differs;   /* of those: a deferred row, another length */
};

struct dc_checker;              /* the Zydis decoder and the row-name index for one mode */

struct dc_checker *dc_checker_new(enum dmode mode, enum cpu_vendor vendor);
void dc_checker_free(struct dc_checker *ck);
/* Compare one string (DC_BUF_LEN bytes); fills *v when v is not NULL. */
enum dc_outcome dc_check_bytes(struct dc_checker *ck, const uint8_t buf[DC_BUF_LEN],
                               struct dc_verdict *v);

struct dc_run {
    enum dmode mode;
    enum cpu_vendor vendor;
    uint64_t strings, seed;
    unsigned max_report;        /* disagreements printed in full */
    int list_skipped;           /* print the Zydis mnemonics that were not counted */
    FILE *out;
};

/* Generate and compare; prints the disagreements, a "  mode N: ..." detail
 * line and "decoder: <N> agree, <M> disagree".  Returns the disagreements. */
uint64_t dc_run_mode(const struct dc_run *run, struct dc_tally *tally);

#endif
