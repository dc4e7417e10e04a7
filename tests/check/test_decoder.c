/* test_decoder.c - the quick decoder cross-check (tests/semantics/decoder_check.c):
 * 100,000 random strings per mode against Zydis with no disagreement, the
 * agree/disagree rule on hand-made verdicts, and known byte strings whose two
 * verdicts are pinned (SDM Vol. 2 ch. 2 and the BMI1/BMI2 pages).
 */
#include <string.h>
#include <criterion/criterion.h>
#include "tests/semantics/decoder_check.h"

#define QUICK_STRINGS 100000
#define QUICK_SEED    20240601

static void quick_run(enum dmode mode, enum cpu_vendor vendor)
{
    struct dc_run run = { .mode = mode, .vendor = vendor, .strings = QUICK_STRINGS,
                          .seed = QUICK_SEED, .max_report = 20, .out = stdout };
    struct dc_tally t;
    uint64_t disagree = dc_run_mode(&run, &t);
    fflush(stdout);
    cr_expect_eq(disagree, 0, "%llu disagreements (listed above)", (unsigned long long)disagree);
    cr_expect_eq(t.strings, QUICK_STRINGS);
    /* A generator gone wrong would make everything invalid or skipped. */
    cr_expect_gt(t.agree_valid, QUICK_STRINGS / 3, "only %llu strings decoded by both",
                 (unsigned long long)t.agree_valid);
    cr_expect_gt(t.agree_invalid, QUICK_STRINGS / 10);
}

Test(decoder_check, random_strings_16bit_agree_with_zydis) { quick_run(DM_16, VENDOR_INTEL); }
Test(decoder_check, random_strings_32bit_agree_with_zydis) { quick_run(DM_32, VENDOR_INTEL); }
Test(decoder_check, random_strings_64bit_agree_with_zydis) { quick_run(DM_64, VENDOR_INTEL); }
Test(decoder_check, random_strings_64bit_amd_branches_agree_with_zydis) { quick_run(DM_64, VENDOR_AMD); }

/* ---- the rule ----------------------------------------------------------- */

static enum dc_outcome classify(uint8_t rs, uint8_t zy, uint8_t rs_len, uint8_t zy_len,
                                uint8_t same_form)
{
    struct dc_verdict v = { .rs = rs, .zy = zy, .rs_len = rs_len, .zy_len = zy_len,
                            .same_form = same_form };
    return dc_classify(&v);
}

Test(decoder_rule, both_decode_same_form_same_length_agree)
{
    cr_expect_eq(classify(RS_CORE, ZY_IMPL, 3, 3, 1), DC_AGREE);
}

Test(decoder_rule, both_decode_different_length_disagree)
{
    cr_expect_eq(classify(RS_CORE, ZY_IMPL, 3, 4, 1), DC_DISAGREE);
    cr_expect_eq(classify(RS_CORE, ZY_OTHER, 5, 4, 0), DC_DISAGREE);
}

Test(decoder_rule, implemented_row_but_other_implemented_form_disagree)
{
    /* e.g. ringsim picks BSF where Zydis decodes TZCNT */
    cr_expect_eq(classify(RS_CORE, ZY_IMPL, 4, 4, 0), DC_DISAGREE);
}

Test(decoder_rule, implemented_row_and_unmodelled_zydis_form_compare_length_only)
{
    /* e.g. F3 0F 1E /1: a hint NOP here, RDSSPD for Zydis */
    cr_expect_eq(classify(RS_CORE, ZY_OTHER, 4, 4, 0), DC_AGREE);
}

Test(decoder_rule, implemented_row_that_zydis_rejects_disagree)
{
    cr_expect_eq(classify(RS_CORE, ZY_INVALID, 3, 0, 0), DC_DISAGREE);
    cr_expect_eq(classify(RS_CORE, ZY_TOOLONG, 15, 0, 0), DC_DISAGREE);
}

Test(decoder_rule, ringsim_rejects_an_implemented_form_disagree)
{
    cr_expect_eq(classify(RS_INVALID, ZY_IMPL, 2, 2, 0), DC_DISAGREE);
    cr_expect_eq(classify(RS_TOOLONG, ZY_IMPL, 15, 15, 0), DC_DISAGREE);
    cr_expect_eq(classify(RS_OTHER, ZY_IMPL, 3, 3, 0), DC_DISAGREE);
}

Test(decoder_rule, both_reject_agree)
{
    cr_expect_eq(classify(RS_INVALID, ZY_INVALID, 2, 0, 0), DC_AGREE);
    cr_expect_eq(classify(RS_TOOLONG, ZY_TOOLONG, 15, 0, 0), DC_AGREE);
    cr_expect_eq(classify(RS_INVALID, ZY_TOOLONG, 15, 0, 0), DC_AGREE);
}

Test(decoder_rule, deferred_or_unmodelled_forms_not_counted)
{
    cr_expect_eq(classify(RS_OTHER, ZY_OTHER, 3, 4, 0), DC_SKIP);
    cr_expect_eq(classify(RS_OTHER, ZY_INVALID, 3, 0, 0), DC_SKIP);
    cr_expect_eq(classify(RS_INVALID, ZY_OTHER, 3, 3, 0), DC_SKIP);
}

Test(decoder_rule, decoder_asking_for_more_bytes_disagree)
{
    cr_expect_eq(classify(RS_MORE, ZY_INVALID, 0, 0, 0), DC_DISAGREE);
}

/* ---- known strings ------------------------------------------------------ */

struct known {
    enum dmode mode;
    enum cpu_vendor vendor;
    uint8_t bytes[DC_BUF_LEN];
    uint8_t rs, zy, len;        /* expected states; len when both decode */
    const char *what;
    enum dc_outcome outcome;
};

static const struct known known[] = {
    { DM_64, VENDOR_INTEL, { 0x66, 0xE8, 1, 2, 3, 4 }, RS_CORE, ZY_IMPL, 6,
      "66 E8 rel32: Intel ignores 66h on near branches in 64-bit mode", DC_AGREE },
    { DM_64, VENDOR_AMD, { 0x66, 0xE8, 1, 2, 3, 4 }, RS_CORE, ZY_IMPL, 4,
      "66 E8 rel16: AMD honours 66h", DC_AGREE },
    { DM_64, VENDOR_INTEL, { 0x67, 0xA1, 1, 2, 3, 4 }, RS_CORE, ZY_IMPL, 6,
      "67 A1 moffs32: mov eax, [moffs32]", DC_AGREE },
    { DM_64, VENDOR_INTEL, { 0xF3, 0x0F, 0xBC, 0xC0 }, RS_CORE, ZY_IMPL, 4,
      "F3 0F BC: tzcnt eax, eax", DC_AGREE },
    { DM_64, VENDOR_INTEL, { 0x0F, 0x1A, 0x00 }, RS_CORE, ZY_IMPL, 3,
      "0F 1A /r: hint NOP on a CPU without MPX", DC_AGREE },
    { DM_64, VENDOR_INTEL, { 0xC4, 0xE2, 0x7C, 0xF2, 0xC0 }, RS_INVALID, ZY_INVALID, 0,
      "VEX.L=1 andn: BMI forms are VEX.LZ", DC_AGREE },
    { DM_32, VENDOR_INTEL, { 0xC4, 0xE3, 0x3B, 0xF0, 0xC0, 0x01 }, RS_INVALID, ZY_INVALID, 0,
      "rorx with VEX.vvvv=0111b: an unused vvvv must be 1111b, top bit too", DC_AGREE },
    { DM_32, VENDOR_INTEL, { 0xC4, 0xE2, 0x38, 0xF2, 0xC0 }, RS_CORE, ZY_IMPL, 5,
      "andn with VEX.vvvv=0111b in 32-bit mode: the top bit is ignored", DC_AGREE },
    { DM_32, VENDOR_INTEL, { 0xC4, 0x00 }, RS_CORE, ZY_IMPL, 2,
      "C4 with a memory ModRM outside 64-bit mode is LES", DC_AGREE },
    { DM_64, VENDOR_INTEL, { 0xF0, 0x01, 0xC0 }, RS_INVALID, ZY_INVALID, 0,
      "LOCK on a register destination", DC_AGREE },
    { DM_16, VENDOR_INTEL, { 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
                             0x66, 0x66, 0x66, 0x66, 0x90 }, RS_CORE, ZY_IMPL, 15,
      "fourteen prefixes and NOP: exactly 15 bytes", DC_AGREE },
    { DM_16, VENDOR_INTEL, { 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
                             0x66, 0x66, 0x66, 0x66, 0x66, 0x90 }, RS_TOOLONG, ZY_TOOLONG, 0,
      "fifteen prefixes and NOP: 16 bytes, too long", DC_AGREE },
    { DM_32, VENDOR_INTEL, { 0x0F, 0x20, 0x05, 1, 2, 3, 4 }, RS_CORE, ZY_IMPL, 3,
      "mov eax, cr0 with ModRM.mod=00 rm=101: mod is ignored, no disp32", DC_AGREE },
    { DM_32, VENDOR_INTEL, { 0x0F, 0x22, 0xE8 }, RS_INVALID, ZY_INVALID, 0,
      "mov cr5, eax: CR5 does not exist", DC_AGREE },
    { DM_64, VENDOR_INTEL, { 0x44, 0x0F, 0x21, 0xC0 }, RS_INVALID, ZY_INVALID, 0,
      "mov rax, dr8: DR8 does not exist", DC_AGREE },
};

Test(decoder_known, pinned_strings_give_the_expected_verdicts)
{
    for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) {
        const struct known *c = &known[k];
        struct dc_checker *ck = dc_checker_new(c->mode, c->vendor);
        struct dc_verdict v;
        enum dc_outcome o = dc_check_bytes(ck, c->bytes, &v);
        cr_expect_eq(o, c->outcome, "%s: outcome %d", c->what, o);
        cr_expect_eq(v.rs, c->rs, "%s: ringsim state %u", c->what, v.rs);
        cr_expect_eq(v.zy, c->zy, "%s: zydis state %u", c->what, v.zy);
        if (c->rs <= RS_OTHER && c->zy <= ZY_OTHER) {
            cr_expect_eq(v.rs_len, c->len, "%s: ringsim length %u", c->what, v.rs_len);
            cr_expect_eq(v.zy_len, c->len, "%s: zydis length %u", c->what, v.zy_len);
        }
        dc_checker_free(ck);
    }
}

/* The generator must reach the forms the brief names: over-long strings and
 * the VEX BMI rows, in every mode. */
Test(decoder_known, generator_reaches_overlong_strings_and_vex_bmi_rows)
{
    for (unsigned m = DM_16; m <= DM_64; m++) {
        struct dc_checker *ck = dc_checker_new((enum dmode)m, VENDOR_INTEL);
        struct dc_rng rng;
        uint8_t buf[DC_BUF_LEN];
        unsigned toolong = 0, vex_core = 0;
        dc_rng_seed(&rng, QUICK_SEED, m);
        for (unsigned i = 0; i < 20000; i++) {
            struct dc_verdict v;
            dc_generate(&rng, (enum dmode)m, buf);
            dc_check_bytes(ck, buf, &v);
            toolong += v.rs == RS_TOOLONG;
            vex_core += v.rs == RS_CORE && optable_row(v.rs_row)->map >= MAP_VEX0F;
        }
        cr_expect_gt(toolong, 100, "mode %u: %u over-long strings", m, toolong);
        cr_expect_gt(vex_core, 100, "mode %u: %u VEX BMI decodes", m, vex_core);
        dc_checker_free(ck);
    }
}
