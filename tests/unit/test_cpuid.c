/* test_cpuid.c - CPUID, RDTSC and RDTSCP through the interpreter
 * (cpu/cpuid.c): the vendor profiles' identification, feature bits that
 * advertise exactly what is implemented (SDM Vol. 2 CPUID tables 3-8 to
 * 3-20, AMD APM Vol. 3 appendix E), out-of-range leaves per vendor, the
 * brand string, a deterministic time-stamp counter and CR4.TSD.
 */
#include <string.h>
#include <criterion/criterion.h>
#include "tests/unit/harness.h"

static struct th t;
static struct cpu *const cpu = &t.cpu;

static void teardown(void) { th_free(&t); }

TestSuite(cpuid, .fini = teardown);

struct regs4 { uint32_t a, b, c, d; };

/* A 32-bit machine of the given vendor with "cpuid" at TH_CODE. */
static void start(enum cpu_vendor vendor)
{
    static const uint8_t code[] = { 0x0F, 0xA2 };           /* cpuid */
    th_init_vendor(&t, DM_32, vendor);
    th_code(&t, code, sizeof code);
}

static struct regs4 query(uint32_t leaf, uint32_t subleaf)
{
    cpu->gpr[RAX] = leaf;
    cpu->gpr[RCX] = subleaf;
    cpu->rip = TH_CODE;
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 1), "cpuid %#x", leaf);
    return (struct regs4){ (uint32_t)cpu->gpr[RAX], (uint32_t)cpu->gpr[RBX],
                           (uint32_t)cpu->gpr[RCX], (uint32_t)cpu->gpr[RDX] };
}

/* The 12-character vendor string is EBX, EDX, ECX in that order. */
static void vendor_string(struct regs4 r, char out[13])
{
    memcpy(out, &r.b, 4);
    memcpy(out + 4, &r.d, 4);
    memcpy(out + 8, &r.c, 4);
    out[12] = 0;
}

/* ---- identification --------------------------------------------------------------- */

Test(cpuid, leaf0_names_GenuineIntel_on_the_intel_profile_and_reaches_leaf_7)
{
    char name[13];
    start(VENDOR_INTEL);
    struct regs4 r = query(0, 0);
    vendor_string(r, name);
    cr_expect_str_eq("GenuineIntel", name);
    cr_expect_geq(r.a, 7, "leaf 7 (BMI1/BMI2) must be reachable");
}

Test(cpuid, leaf0_names_AuthenticAMD_on_the_amd_profile_and_reaches_leaf_7)
{
    char name[13];
    start(VENDOR_AMD);
    struct regs4 r = query(0, 0);
    vendor_string(r, name);
    cr_expect_str_eq("AuthenticAMD", name);
    cr_expect_geq(r.a, 7);
}

Test(cpuid, leaf1_signature_decodes_to_the_profiles_family_model_and_stepping)
{
    static const struct { enum cpu_vendor vendor; const struct cpu_model *model; } cases[] = {
        { VENDOR_INTEL, &cpu_model_intel },
        { VENDOR_AMD, &cpu_model_amd },
    };
    for (size_t i = 0; i < 2; i++) {
        const struct cpu_model *m = cases[i].model;
        start(cases[i].vendor);
        uint32_t a = query(1, 0).a;
        /* SDM Vol. 2 CPUID, figure 3-6: the displayed family and model. */
        uint32_t base_family = (a >> 8) & 0xF, family = base_family, model = (a >> 4) & 0xF;
        if (base_family == 0xF) family += (a >> 20) & 0xFF;
        if (base_family == 0x6 || base_family == 0xF) model |= ((a >> 16) & 0xF) << 4;
        cr_expect_eq(m->family, family, "%s", m->name);
        cr_expect_eq(m->model, model, "%s", m->name);
        cr_expect_eq(m->stepping, a & 0xF, "%s", m->name);
        th_free(&t);
    }
}

/* ---- feature bits ---------------------------------------------------------------------- */

enum { EAX, EBX, ECX, EDX };

static uint32_t reg_of(struct regs4 r, int which)
{
    return which == EAX ? r.a : which == EBX ? r.b : which == ECX ? r.c : r.d;
}

struct feature {
    const char *name;
    uint32_t leaf;
    int reg;
    unsigned bit;
    bool set;
};

static void check_features(enum cpu_vendor vendor, const struct feature *f, size_t n)
{
    start(vendor);
    for (size_t i = 0; i < n; i++) {
        uint32_t v = reg_of(query(f[i].leaf, 0), f[i].reg);
        bool set = (v >> f[i].bit) & 1;
        cr_expect_eq(f[i].set, set, "%s (leaf %#x bit %u) should be %s on %s", f[i].name,
                     f[i].leaf, f[i].bit, f[i].set ? "set" : "clear",
                     vendor == VENDOR_AMD ? "AMD" : "Intel");
    }
    th_free(&t);
}

static const struct feature features[] = {
    /* implemented */
    { "TSC",     1, EDX, 4,  true },
    { "CX8",     1, EDX, 8,  true },
    { "CMOV",    1, EDX, 15, true },
    { "CX16",    1, ECX, 13, true },
    { "MOVBE",   1, ECX, 22, true },
    { "POPCNT",  1, ECX, 23, true },
    { "BMI1",    7, EBX, 3,  true },
    { "BMI2",    7, EBX, 8,  true },
    { "LAHF-SAHF in 64-bit mode", 0x80000001, ECX, 0, true },
    { "ABM (LZCNT)", 0x80000001, ECX, 5, true },
    { "RDTSCP",  0x80000001, EDX, 27, true },
    { "LM",      0x80000001, EDX, 29, true },
    { "DE",      1, EDX, 2,  true },
    { "PSE",     1, EDX, 3,  true },
    { "PAE",     1, EDX, 6,  true },
    { "PGE",     1, EDX, 13, true },
    { "PSE-36",  1, EDX, 17, true },
    { "PCID",    1, ECX, 17, true },
    { "SMEP",    7, EBX, 7,  true },
    { "INVPCID", 7, EBX, 10, true },
    { "SMAP",    7, EBX, 20, true },
    { "UMIP",    7, ECX, 2,  true },
    { "1-GiB pages", 0x80000001, EDX, 26, true },
    { "LA57",    7, ECX, 16, true },
    { "MSR",     1, EDX, 5,  true },
    { "APIC",    1, EDX, 9,  true },
    { "SEP",     1, EDX, 11, true },
    { "MTRR",    1, EDX, 12, true },
    { "PAT",     1, EDX, 16, true },
    { "NX",      0x80000001, EDX, 20, true },
    { "FSGSBASE", 7, EBX, 0, true },
    /* not implemented (yet): never advertised */
    { "FPU",     1, EDX, 0,  false },
    { "X2APIC",  1, ECX, 21, false },
    { "MMX",     1, EDX, 23, false },
    { "FXSR",    1, EDX, 24, false },
    { "SSE",     1, EDX, 25, false },
    { "SSE2",    1, EDX, 26, false },
    { "SSE3",    1, ECX, 0,  false },
    { "SSSE3",   1, ECX, 9,  false },
    { "SSE4.1",  1, ECX, 19, false },
    { "SSE4.2",  1, ECX, 20, false },
    { "XSAVE",   1, ECX, 26, false },
    { "AVX",     1, ECX, 28, false },
    { "AVX2",    7, EBX, 5,  false },
    { "VME",     1, EDX, 1,  false },
    { "MCE",     1, EDX, 7,  false },
};

/* SYSCALL/SYSRET: AMD has them in every mode and says so; Intel only in
 * 64-bit mode and reports the bit only to CPUID executed there. */
Test(cpuid, syscall_bit_is_set_on_amd_in_32bit_mode)
{
    start(VENDOR_AMD);
    cr_expect(query(0x80000001u, 0).d >> 11 & 1);
}

Test(cpuid, syscall_bit_is_clear_on_intel_outside_64bit_mode)
{
    start(VENDOR_INTEL);
    cr_expect_eq(0, query(0x80000001u, 0).d >> 11 & 1);
}

Test(cpuid, syscall_bit_is_set_on_intel_in_64bit_mode)
{
    static const uint8_t code[] = { 0x0F, 0xA2 };           /* cpuid */
    th_init(&t, DM_64);
    th_code(&t, code, sizeof code);
    cpu->gpr[RAX] = 0x80000001u;
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 1));
    cr_expect(cpu->gpr[RDX] >> 11 & 1);
}

Test(cpuid, apic_bit_follows_the_global_enable_in_IA32_APIC_BASE)
{
    start(VENDOR_INTEL);
    cr_expect(query(1, 0).d >> 9 & 1);
    cpu->msr.apic_base &= ~0x800ull;
    cr_expect_eq(0, query(1, 0).d >> 9 & 1, "SDM Vol. 3 10.4.3: cleared with the APIC off");
}

Test(cpuid, leaf1_ebx_reports_initial_apic_id_0)
{
    start(VENDOR_INTEL);
    cr_expect_eq(0, query(1, 0).b >> 24);
}

Test(cpuid, intel_profile_advertises_exactly_the_implemented_features)
{
    check_features(VENDOR_INTEL, features, sizeof features / sizeof features[0]);
}

Test(cpuid, amd_profile_advertises_exactly_the_implemented_features)
{
    check_features(VENDOR_AMD, features, sizeof features / sizeof features[0]);
}

Test(cpuid, leaf7_reads_the_subleaf_from_ecx)
{
    start(VENDOR_INTEL);
    cr_expect_neq(0, query(7, 0).b);
    cr_expect_eq(0, query(7, 1).b, "subleaf 1 has no BMI bits");
}

Test(cpuid, in_64bit_mode_the_leaf_is_eax_and_results_zero_extend)
{
    static const uint8_t code[] = { 0x0F, 0xA2 };           /* cpuid */
    th_init(&t, DM_64);
    th_code(&t, code, sizeof code);
    cpu->gpr[RAX] = 0xFFFFFFFF00000000ull;                  /* leaf 0 */
    cpu->gpr[RBX] = cpu->gpr[RCX] = cpu->gpr[RDX] = ~0ull;
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 1));
    char name[13];
    struct regs4 r = { (uint32_t)cpu->gpr[RAX], (uint32_t)cpu->gpr[RBX],
                       (uint32_t)cpu->gpr[RCX], (uint32_t)cpu->gpr[RDX] };
    vendor_string(r, name);
    cr_expect_str_eq("GenuineIntel", name);
    cr_expect_eq(0, cpu->gpr[RAX] >> 32);
    cr_expect_eq(0, cpu->gpr[RBX] >> 32);
    cr_expect_eq(0, cpu->gpr[RCX] >> 32);
    cr_expect_eq(0, cpu->gpr[RDX] >> 32);
}

/* ---- out-of-range leaves --------------------------------------------------------------- */

Test(cpuid, intel_answers_leaves_past_the_maximum_with_the_highest_basic_leaf)
{
    start(VENDOR_INTEL);
    uint32_t max_basic = query(0, 0).a;
    uint32_t max_ext = query(0x80000000u, 0).a;
    struct regs4 highest = query(max_basic, 0);
    struct regs4 basic = query(max_basic + 1, 0);
    struct regs4 ext = query(max_ext + 1, 0);
    cr_expect_eq(0, memcmp(&highest, &basic, sizeof highest), "leaf %#x", max_basic + 1);
    cr_expect_eq(0, memcmp(&highest, &ext, sizeof highest), "leaf %#x", max_ext + 1);
    cr_expect_neq(0, highest.b, "the highest basic leaf (7) has BMI bits to compare");
}

Test(cpuid, amd_answers_leaves_past_the_maximum_with_zeros)
{
    start(VENDOR_AMD);
    uint32_t max_basic = query(0, 0).a;
    uint32_t max_ext = query(0x80000000u, 0).a;
    struct regs4 basic = query(max_basic + 1, 0);
    struct regs4 ext = query(max_ext + 1, 0);
    static const struct regs4 zero;
    cr_expect_eq(0, memcmp(&zero, &basic, sizeof zero), "leaf %#x", max_basic + 1);
    cr_expect_eq(0, memcmp(&zero, &ext, sizeof zero), "leaf %#x", max_ext + 1);
}

Test(cpuid, extended_leaf_range_covers_the_brand_string)
{
    start(VENDOR_INTEL);
    cr_expect_geq(query(0x80000000u, 0).a, 0x80000004u);
}

/* ---- brand string ----------------------------------------------------------------------- */

Test(cpuid, brand_string_is_printable_nul_terminated_and_zero_padded)
{
    static const enum cpu_vendor vendors[] = { VENDOR_INTEL, VENDOR_AMD };
    for (size_t v = 0; v < 2; v++) {
        char brand[48];
        start(vendors[v]);
        for (uint32_t k = 0; k < 3; k++) {
            struct regs4 r = query(0x80000002u + k, 0);
            memcpy(brand + 16 * k, &r, 16);                 /* EAX, EBX, ECX, EDX */
        }
        size_t len = strnlen(brand, sizeof brand);
        cr_expect_lt(len, sizeof brand, "NUL-terminated within 48 bytes");
        cr_expect_gt(len, 0, "not empty");
        for (size_t i = 0; i < len; i++)
            cr_expect(brand[i] >= 0x20 && brand[i] < 0x7F, "byte %zu is %#x", i, brand[i]);
        for (size_t i = len; i < sizeof brand; i++)
            cr_expect_eq(0, brand[i], "padding byte %zu", i);
        th_free(&t);
    }
}

/* ---- RDTSC and RDTSCP -------------------------------------------------------------------- */

/* rdtsc; mov ebx, eax; mov esi, edx; nop x nops; rdtsc; hlt */
static void run_tsc_program(unsigned nops, bool cycle_model)
{
    uint8_t code[64];
    size_t n = 0;
    static const uint8_t head[] = { 0x0F, 0x31, 0x89, 0xC3, 0x89, 0xD6 };
    memcpy(code, head, sizeof head);
    n = sizeof head;
    for (unsigned k = 0; k < nops; k++) code[n++] = 0x90;
    code[n++] = 0x0F;
    code[n++] = 0x31;
    code[n++] = 0xF4;
    th_init(&t, DM_32);
    th_code(&t, code, n);
    cpu->cycle_model = cycle_model;
    cr_assert_eq(EXIT_HALT, th_run(&t, 100));
}

static uint64_t first_tsc(void)
{
    return cpu->gpr[RSI] << 32 | (uint32_t)cpu->gpr[RBX];
}

static uint64_t second_tsc(void)
{
    return cpu->gpr[RDX] << 32 | (uint32_t)cpu->gpr[RAX];
}

Test(cpuid, without_the_cycle_model_the_tsc_counts_retired_instructions)
{
    run_tsc_program(5, false);
    cr_expect_eq(0, first_tsc());
    /* rdtsc, mov, mov and five nops retired between the two reads */
    cr_expect_eq(8, second_tsc() - first_tsc());
}

Test(cpuid, rdtsc_advances_with_executed_instructions)
{
    run_tsc_program(1, true);
    uint64_t short_run = second_tsc() - first_tsc();
    th_free(&t);
    run_tsc_program(20, true);
    uint64_t long_run = second_tsc() - first_tsc();
    cr_expect_gt(short_run, 0);
    cr_expect_gt(long_run, short_run);
}

Test(cpuid, rdtsc_is_deterministic_for_the_same_program)
{
    run_tsc_program(7, true);
    uint64_t a1 = first_tsc(), a2 = second_tsc();
    th_free(&t);
    run_tsc_program(7, true);
    cr_expect_eq(a1, first_tsc());
    cr_expect_eq(a2, second_tsc());
}

Test(cpuid, tsc_offset_is_added_to_the_counter)
{
    static const uint8_t code[] = { 0x0F, 0x31 };           /* rdtsc */
    th_init(&t, DM_32);
    th_code(&t, code, sizeof code);
    cpu->cycle_model = false;
    cpu->tsc_offset = 0x100000005ull;
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 1));
    cr_expect_eq(1, cpu->gpr[RDX]);
    cr_expect_eq(5, cpu->gpr[RAX]);
}

/* CPL 3 in flat 32-bit protected mode, with or without CR4.TSD. */
static void start_user(const uint8_t *code, size_t n, bool tsd)
{
    th_init(&t, DM_32);
    th_code(&t, code, n);
    if (tsd) cpu->cr4 |= CR4_TSD;
    th_set_cpl(&t, 3);
    cr_assert_eq(3, cpu->cpl);
}

Test(cpuid, rdtsc_at_cpl3_with_cr4_tsd_raises_GP0)
{
    static const uint8_t code[] = { 0x0F, 0x31 };           /* rdtsc */
    start_user(code, sizeof code, true);
    cpu->gpr[RAX] = cpu->gpr[RDX] = 0x5A5A5A5A;
    cr_assert_eq(EXIT_EXCEPTION, th_run(&t, 1));
    cr_expect_eq(EXC_GP, cpu->exc_vector);
    cr_expect_eq(0, cpu->exc_error);
    cr_expect_eq(TH_CODE, cpu->rip);
    cr_expect_eq(0x5A5A5A5A, cpu->gpr[RAX]);
    cr_expect_eq(0x5A5A5A5A, cpu->gpr[RDX]);
}

Test(cpuid, rdtscp_at_cpl3_with_cr4_tsd_raises_GP0)
{
    static const uint8_t code[] = { 0x0F, 0x01, 0xF9 };     /* rdtscp */
    start_user(code, sizeof code, true);
    cr_assert_eq(EXIT_EXCEPTION, th_run(&t, 1));
    cr_expect_eq(EXC_GP, cpu->exc_vector);
    cr_expect_eq(0, cpu->exc_error);
}

Test(cpuid, rdtsc_at_cpl3_without_cr4_tsd_is_allowed)
{
    static const uint8_t code[] = { 0x0F, 0x31 };           /* rdtsc */
    start_user(code, sizeof code, false);
    cr_expect_eq(EXIT_BUDGET, th_run(&t, 1));
    cr_expect_eq(TH_CODE + 2, cpu->rip);
}

Test(cpuid, rdtsc_at_cpl0_with_cr4_tsd_is_allowed)
{
    static const uint8_t code[] = { 0x0F, 0x31 };           /* rdtsc */
    th_init(&t, DM_32);
    th_code(&t, code, sizeof code);
    cpu->cr4 |= CR4_TSD;
    cr_expect_eq(EXIT_BUDGET, th_run(&t, 1));
}

Test(cpuid, rdtscp_returns_tsc_aux_in_ecx_and_the_tsc_in_edx_eax)
{
    static const uint8_t code[] = {
        0x0F, 0x31,                                 /* rdtsc */
        0x49, 0x89, 0xC0,                           /* mov r8, rax */
        0x49, 0x89, 0xD1,                           /* mov r9, rdx */
        0x0F, 0x01, 0xF9,                           /* rdtscp */
    };
    th_init(&t, DM_64);
    th_code(&t, code, sizeof code);
    cpu->cycle_model = false;
    cpu->tsc_aux = 0xCAFEF00D;
    cpu->gpr[RCX] = ~0ull;
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 4));
    cr_expect_eq(0xCAFEF00D, cpu->gpr[RCX]);
    cr_expect_eq(0, cpu->gpr[R8]);
    cr_expect_eq(3, cpu->gpr[RDX] << 32 | cpu->gpr[RAX], "three instructions after the rdtsc");
}
