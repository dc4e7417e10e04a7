/* test_features.c - CPU feature switches (--cpu MODEL,+feature,-feature):
 * parsing with QEMU's names (cpu/features.c), CPUID reporting exactly the
 * enabled set, and behaviour following it: #UD for a missing feature, or the
 * older instruction where real CPUs run one (F3 0F BD is BSR without abm,
 * F3 0F BC is BSF without bmi1; LAHF is #UD without lahf_lm in 64-bit mode only).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <criterion/criterion.h>
#include "tests/unit/harness.h"
#include "sim/machine.h"

static struct th t;
static struct cpu *const cpu = &t.cpu;

static void teardown(void) { th_free(&t); }

/* Free the machine between runs of one test (teardown frees the last). */
static void discard(void)
{
    th_free(&t);
    memset(&t, 0, sizeof t);
}

TestSuite(features, .fini = teardown);

/* A machine of the spec's vendor and features in the given mode, code at TH_CODE. */
static void start(const char *spec, enum dmode mode, const uint8_t *code, size_t n)
{
    const struct cpu_model *model;
    uint64_t features;
    char err[256];
    cr_assert_eq(0, cpu_features_parse(spec, &model, &features, err, sizeof err), "%s", err);
    th_init_vendor(&t, mode, model->vendor);
    cpu->features = features;
    th_code(&t, code, n);
}

/* Run one instruction: EXC_UD if it raised #UD, -1 if it retired. */
static int run_one(void)
{
    if (th_run(&t, 1) == EXIT_BUDGET) return -1;
    return cpu->exc_vector;
}

/* ---- parsing -------------------------------------------------------------------- */

static uint32_t parse_ok(const char *spec, const struct cpu_model **model)
{
    uint64_t features = 0;
    char err[256];
    cr_assert_eq(0, cpu_features_parse(spec, model, &features, err, sizeof err),
                 "'%s' refused: %s", spec, err);
    return features;
}

static void parse_refused(const char *spec, const char *message_part)
{
    const struct cpu_model *model = NULL;
    uint64_t features = 0;
    char err[256] = "";
    cr_assert_eq(-1, cpu_features_parse(spec, &model, &features, err, sizeof err), "'%s'", spec);
    cr_expect(strstr(err, message_part), "'%s': message '%s' should mention '%s'", spec, err,
              message_part);
}

Test(features, parse_intel_alone_gives_every_implemented_feature)
{
    const struct cpu_model *m;
    cr_expect_eq(CPU_FEATURES_ALL, parse_ok("intel", &m));
    cr_expect_eq(&cpu_model_intel, m);
}

Test(features, parse_amd_minus_bmi2_turns_only_bmi2_off)
{
    const struct cpu_model *m;
    cr_expect_eq(CPU_FEATURES_ALL & ~CPU_FEAT(FEAT_BMI2), parse_ok("amd,-bmi2", &m));
    cr_expect_eq(&cpu_model_amd, m);
}

Test(features, parse_later_switch_wins)
{
    const struct cpu_model *m;
    cr_expect_eq(CPU_FEATURES_ALL & ~CPU_FEAT(FEAT_POPCNT), parse_ok("intel,+popcnt,-popcnt", &m));
    cr_expect_eq(CPU_FEATURES_ALL, parse_ok("intel,-popcnt,+popcnt", &m));
}

Test(features, parse_accepts_underscore_and_dash_spellings)
{
    const struct cpu_model *m;
    uint32_t want = CPU_FEATURES_ALL & ~CPU_FEAT(FEAT_LAHF_LM);
    cr_expect_eq(want, parse_ok("intel,-lahf_lm", &m));
    cr_expect_eq(want, parse_ok("intel,-lahf-lm", &m));
}

Test(features, parse_i486_has_no_pentium_or_later_features)
{
    const struct cpu_model *m;
    cr_expect_eq(0, parse_ok("i486", &m));
    cr_expect_eq(CPU_FEAT(FEAT_CMOV), parse_ok("i486,+cmov", &m));
}

Test(features, parse_refuses_unimplemented_x2apic_naming_its_issue)
{
    parse_refused("intel,+x2apic", "'x2apic' is not implemented yet");
    parse_refused("intel,+x2apic", "system issue");
    parse_refused("intel,-sse2", "x87/SIMD issue");
}

Test(features, parse_refuses_unknown_feature_and_unknown_model)
{
    parse_refused("intel,-nosuch", "unknown feature 'nosuch'");
    parse_refused("nosuch", "'nosuch'");
    parse_refused("intel,popcnt", "+feature or -feature");
}

Test(features, parse_refuses_switching_lm_off)
{
    parse_refused("intel,-lm", "lm cannot be switched off");
}

/* ---- CPUID ------------------------------------------------------------------------ */

struct regs4 { uint32_t a, b, c, d; };

static struct regs4 cpuid(const char *spec, uint32_t leaf)
{
    static const uint8_t code[] = { 0x0F, 0xA2 };           /* cpuid */
    start(spec, DM_32, code, sizeof code);
    cpu->gpr[RAX] = leaf;
    cpu->gpr[RCX] = 0;
    cr_assert_eq(-1, run_one(), "cpuid %#x", leaf);
    struct regs4 r = { (uint32_t)cpu->gpr[RAX], (uint32_t)cpu->gpr[RBX],
                       (uint32_t)cpu->gpr[RCX], (uint32_t)cpu->gpr[RDX] };
    discard();
    return r;
}

#define BIT(n) (1u << (n))

Test(features, cpuid_leaf1_popcnt_bit_follows_the_switch)
{
    cr_expect(cpuid("intel", 1).c & BIT(23));
    cr_expect_not(cpuid("intel,-popcnt", 1).c & BIT(23));
    cr_expect(cpuid("intel,-popcnt,+popcnt", 1).c & BIT(23));
}

Test(features, cpuid_leaf7_bmi2_off_leaves_bmi1_on)
{
    struct regs4 r = cpuid("amd,-bmi2", 7);
    cr_expect_eq(BIT(3), r.b & (BIT(3) | BIT(8)));
}

Test(features, cpuid_ext_leaf_reports_abm_lahf_rdtscp_switches)
{
    struct regs4 r = cpuid("intel,-abm,-rdtscp", 0x80000001u);
    cr_expect_eq(BIT(0), r.c & (BIT(0) | BIT(5)), "lahf-lm on, abm off");
    cr_expect_eq(BIT(29), r.d & (BIT(27) | BIT(29)), "rdtscp off, lm on");
}

Test(features, cpuid_i486_advertises_no_tsc_cx8_cmov_or_lm)
{
    cr_expect_eq(0, cpuid("i486", 1).d & (BIT(4) | BIT(8) | BIT(15)));
    cr_expect_eq(0, cpuid("i486", 1).c);
    cr_expect_eq(0, cpuid("i486", 0x80000001u).d);
}

/* ---- behaviour: #UD ------------------------------------------------------------ */

struct ud_case {
    const char *name, *spec_off, *spec_on;
    enum dmode mode;
    uint8_t bytes[8];
    size_t n;
};
#define BYTES(...) .bytes = { __VA_ARGS__ }, .n = sizeof((const uint8_t[]){ __VA_ARGS__ })

static const struct ud_case ud_cases[] = {
    { "popcnt eax, ecx", "intel,-popcnt", "intel", DM_64, BYTES(0xF3, 0x0F, 0xB8, 0xC1) },
    { "rdtscp", "intel,-rdtscp", "intel", DM_64, BYTES(0x0F, 0x01, 0xF9) },
    { "rdtsc", "intel,-tsc", "intel", DM_32, BYTES(0x0F, 0x31) },
    { "cmove eax, ecx", "i486", "i486,+cmov", DM_32, BYTES(0x0F, 0x44, 0xC1) },
    { "cmpxchg8b [esi]", "intel,-cx8", "intel", DM_32, BYTES(0x0F, 0xC7, 0x0E) },
    { "cmpxchg16b [rsi]", "intel,-cx16", "intel", DM_64, BYTES(0x48, 0x0F, 0xC7, 0x0E) },
    { "movbe eax, [rsi]", "amd,-movbe", "amd", DM_64, BYTES(0x0F, 0x38, 0xF0, 0x06) },
    { "andn eax, ecx, edx", "intel,-bmi1", "intel", DM_64, BYTES(0xC4, 0xE2, 0x70, 0xF2, 0xC2) },
    { "shlx eax, edx, ecx", "intel,-bmi2", "intel", DM_64, BYTES(0xC4, 0xE2, 0x71, 0xF7, 0xC2) },
    { "lahf (64-bit mode)", "intel,-lahf-lm", "intel", DM_64, BYTES(0x9F) },
};

static int run_case(const struct ud_case *c, const char *spec)
{
    start(spec, c->mode, c->bytes, c->n);
    cpu->gpr[RSI] = TH_DATA;        /* 16-byte aligned for cmpxchg16b */
    int v = run_one();
    discard();
    return v;
}

Test(features, each_feature_off_makes_its_instruction_ud_and_on_runs_it)
{
    for (size_t k = 0; k < sizeof ud_cases / sizeof ud_cases[0]; k++) {
        const struct ud_case *c = &ud_cases[k];
        cr_expect_eq(EXC_UD, run_case(c, c->spec_off), "%s with %s", c->name, c->spec_off);
        cr_expect_eq(-1, run_case(c, c->spec_on), "%s with %s", c->name, c->spec_on);
    }
}

Test(features, lahf_without_lahf_lm_still_runs_in_32_bit_mode)
{
    static const uint8_t code[] = { 0x9F };                 /* lahf */
    start("intel,-lahf-lm", DM_32, code, sizeof code);
    cr_assert_eq(-1, run_one());
    cr_expect_eq(0x02, (cpu->gpr[RAX] >> 8) & 0xFF, "AH = FLAGS low byte (bit 1 set)");
}

/* ---- behaviour: the older instruction --------------------------------------------- */

static uint32_t run_count(const char *spec, const uint8_t *code, size_t n, uint32_t src)
{
    start(spec, DM_64, code, n);
    cpu->gpr[RCX] = src;
    cpu->gpr[RAX] = 0x1234;
    cr_assert_eq(-1, run_one(), "%s", spec);
    return (uint32_t)cpu->gpr[RAX];
}

Test(features, f3_0f_bd_is_lzcnt_with_abm_and_bsr_without)
{
    static const uint8_t code[] = { 0xF3, 0x0F, 0xBD, 0xC1 };   /* lzcnt eax, ecx */
    cr_expect_eq(15, run_count("intel", code, sizeof code, 0x10000), "LZCNT counts leading zeros");
    discard();
    cr_expect_eq(16, run_count("intel,-abm", code, sizeof code, 0x10000), "BSR gives the bit index");
}

Test(features, f3_0f_bc_is_tzcnt_with_bmi1_and_bsf_without)
{
    static const uint8_t code[] = { 0xF3, 0x0F, 0xBC, 0xC1 };   /* tzcnt eax, ecx */
    cr_expect_eq(32, run_count("intel", code, sizeof code, 0), "TZCNT of zero is the width");
    cr_expect_eq(FL_CF, th_flags(&t) & (FL_CF | FL_ZF));
    discard();
    run_count("intel,-bmi1", code, sizeof code, 0);
    cr_expect_eq(FL_ZF, th_flags(&t) & FL_ZF, "BSF of zero sets ZF");
    cr_expect_neq(32, (uint32_t)cpu->gpr[RAX], "BSF does not write the width");
}

/* ---- the machine and the command line --------------------------------------------- */

Test(features, machine_new_applies_the_feature_set)
{
    struct machine_options opt;
    machine_default_options(&opt);
    opt.serial = "null";
    opt.model = &cpu_model_intel;
    opt.set_features = true;
    opt.features = CPU_FEATURES_ALL & ~CPU_FEAT(FEAT_POPCNT);
    struct machine *m = machine_new(&opt);
    cr_assert(m);
    cr_expect_eq(opt.features, m->cpu.features);
    machine_free(m);
}

/* The front end under test: build/ringsim (a prerequisite of the unit tests). */
static int ringsim_status(const char *args)
{
    const char *bin = getenv("RINGSIM_BIN") ? getenv("RINGSIM_BIN") : "build/ringsim";
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s %s >/dev/null 2>&1", bin, args);
    int st = system(cmd);
    cr_assert(WIFEXITED(st), "%s did not exit", cmd);
    return WEXITSTATUS(st);
}

Test(features, cli_refuses_a_bad_cpu_spec_with_status_2)
{
    cr_expect_eq(2, ringsim_status("--cpu intel,+x2apic"));
    cr_expect_eq(2, ringsim_status("--cpu intel,-nosuch"));
    cr_expect_eq(2, ringsim_status("--cpu nosuch"));
}

Test(features, cli_runs_the_demo_with_a_feature_list)
{
    cr_expect_eq(0, ringsim_status("--cpu intel,-popcnt,-abm --sieve 100"));
}
