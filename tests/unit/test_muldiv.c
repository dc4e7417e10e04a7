/* test_muldiv.c - cpu/ops_muldiv.c: MUL, IMUL in its three forms, DIV, IDIV
 * and MULX (SDM Vol. 2 entries), including #DE and the undefined flags of
 * each vendor profile.  64-bit mode.
 */
#include <criterion/criterion.h>
#include "tests/unit/harness.h"

static struct th t;
static void init64(void) { th_init(&t, DM_64); }
static void fini(void) { th_free(&t); }
TestSuite(muldiv, .init = init64, .fini = fini);

static void run(const uint8_t *code, size_t len, unsigned n) { th_run_all(&t, code, len, n); }

static uint64_t status(void) { return th_flags(&t) & FL_STATUS; }

Test(muldiv, mul8_writes_the_product_to_AX)
{
    static const uint8_t code[] = { 0xF6, 0xE3 };               /* mul bl */
    t.cpu.gpr[RAX] = 0xFFFFFFFFFFFF55F0ull;
    t.cpu.gpr[RBX] = 0x10;
    t.cpu.gpr[RDX] = 0x77;
    run(code, sizeof code, 1);
    cr_expect_eq(0xFFFFFFFFFFFF0F00ull, t.cpu.gpr[RAX]);        /* F0h * 10h = 0F00h */
    cr_expect_eq(0x77, t.cpu.gpr[RDX]);
    cr_expect_eq(FL_CF | FL_OF | FL_PF, status());              /* AH != 0 */
}

Test(muldiv, mul64_puts_the_high_half_in_rdx)
{
    static const uint8_t code[] = { 0x48, 0xF7, 0xE3 };         /* mul rbx */
    t.cpu.gpr[RAX] = ~0ull;
    t.cpu.gpr[RBX] = ~0ull;
    run(code, sizeof code, 1);
    cr_expect_eq(1, t.cpu.gpr[RAX]);
    cr_expect_eq(~0ull - 1, t.cpu.gpr[RDX]);
    cr_expect_eq(FL_CF | FL_OF, status());
}

Test(muldiv, imul32_small_negative_product_fits)
{
    static const uint8_t code[] = { 0xF7, 0xEB };               /* imul ebx */
    t.cpu.gpr[RAX] = 0xFFFFFFFE;                                /* -2 */
    t.cpu.gpr[RBX] = 3;
    run(code, sizeof code, 1);
    cr_expect_eq(0xFFFFFFFA, t.cpu.gpr[RAX]);                   /* -6 */
    cr_expect_eq(0xFFFFFFFF, t.cpu.gpr[RDX]);
    cr_expect_eq(FL_SF | FL_PF, status());                      /* no overflow */
}

Test(muldiv, imul3_sets_CF_OF_when_the_product_does_not_fit)
{
    static const struct { uint8_t code[4]; size_t len; uint64_t rbx, rax, flags; } cases[] = {
        /* imul eax, ebx, -2: -2^31 fits, -2^31 - 2 and +2^31 do not */
        { { 0x6B, 0xC3, 0xFE }, 3, 0x40000000, 0x80000000, FL_SF | FL_PF },
        { { 0x6B, 0xC3, 0xFE }, 3, 0x40000001, 0x7FFFFFFE, FL_CF | FL_OF },
        { { 0x6B, 0xC3, 0xFE }, 3, 0xC0000000, 0x80000000, FL_CF | FL_OF | FL_SF | FL_PF },
        /* imul rax, rbx, 100 */
        { { 0x48, 0x6B, 0xC3, 0x64 }, 4, 5, 500, 0 },
    };
    for (unsigned i = 0; i < 4; i++) {
        t.cpu.gpr[RBX] = cases[i].rbx;
        run(cases[i].code, cases[i].len, 1);
        cr_expect_eq(cases[i].rax, t.cpu.gpr[RAX], "case %u", i);
        cr_expect_eq(cases[i].flags, status(), "case %u", i);
    }
}

/* SF, ZF, AF, PF after MUL are undefined: Intel sets SF and PF from the
 * low half and clears ZF and AF; AMD leaves all four alone. */
Test(muldiv, undefined_mul_flags_follow_the_vendor)
{
    static const uint8_t code[] = { 0xF7, 0xE3 };               /* mul ebx */
    t.cpu.gpr[RAX] = 0;
    t.cpu.gpr[RBX] = 5;
    cpu_set_flags(&t.cpu, FL_AF | FL_SF);
    run(code, sizeof code, 1);
    cr_expect_eq(FL_PF, status());                              /* product 0: ZF stays 0 */

    th_free(&t);
    th_init_vendor(&t, DM_64, VENDOR_AMD);
    t.cpu.gpr[RAX] = 0;
    t.cpu.gpr[RBX] = 5;
    cpu_set_flags(&t.cpu, FL_AF | FL_SF | FL_CF);
    run(code, sizeof code, 1);
    cr_expect_eq(FL_AF | FL_SF, status());                      /* CF, OF from the product */
}

Test(muldiv, div_by_zero_raises_DE_and_changes_nothing)
{
    static const uint8_t code[] = { 0xF7, 0xF3 };               /* div ebx */
    t.cpu.gpr[RAX] = 0x1111111111111111ull;
    t.cpu.gpr[RDX] = 0x2222222222222222ull;
    t.cpu.gpr[RBX] = 0xFFFFFFFF00000000ull;                     /* ebx = 0 */
    cpu_set_flags(&t.cpu, FL_ZF);
    th_code(&t, code, sizeof code);
    cr_expect_eq(EXIT_EXCEPTION, th_run(&t, 1));
    cr_expect_eq(EXC_DE, t.cpu.exc_vector);
    cr_expect_eq(TH_CODE, t.cpu.rip);
    cr_expect_eq(0x1111111111111111ull, t.cpu.gpr[RAX]);
    cr_expect_eq(0x2222222222222222ull, t.cpu.gpr[RDX]);
    cr_expect_eq(FL_ZF, status());
}

Test(muldiv, quotient_overflow_raises_DE)
{
    static const struct { uint8_t code[3]; size_t len; uint64_t rdx, rax, rbx; } cases[] = {
        { { 0xF7, 0xF3 }, 2, 1, 0, 1 },                                   /* div: 1:0 / 1 */
        { { 0xF7, 0xFB }, 2, 0xFFFFFFFF, 0x80000000, 0xFFFFFFFF },        /* idiv: -2^31 / -1 */
        { { 0x48, 0xF7, 0xFB }, 3, ~0ull, 1ull << 63, ~0ull },            /* idiv rbx: INT64_MIN / -1 */
        { { 0xF7, 0xFB }, 2, 0, 0x80000000, 1 },                          /* idiv: +2^31 / 1 */
    };
    for (unsigned i = 0; i < 4; i++) {
        t.cpu.gpr[RDX] = cases[i].rdx;
        t.cpu.gpr[RAX] = cases[i].rax;
        t.cpu.gpr[RBX] = cases[i].rbx;
        th_code(&t, cases[i].code, cases[i].len);
        cr_expect_eq(EXIT_EXCEPTION, th_run(&t, 1), "case %u", i);
        cr_expect_eq(EXC_DE, t.cpu.exc_vector, "case %u", i);
        cr_expect_eq(cases[i].rax, t.cpu.gpr[RAX], "case %u", i);
    }
}

/* The quotient truncates toward zero; the remainder has the dividend's sign. */
Test(muldiv, idiv32_sign_table)
{
    static const uint8_t code[] = { 0x99, 0xF7, 0xFB };         /* cdq; idiv ebx */
    static const struct { int32_t n, d, q, r; } cases[] = {
        { 7, 2, 3, 1 }, { -7, 2, -3, -1 }, { 7, -2, -3, 1 }, { -7, -2, 3, -1 },
        { INT32_MIN, 1, INT32_MIN, 0 },
    };
    for (unsigned i = 0; i < 5; i++) {
        t.cpu.gpr[RAX] = (uint32_t)cases[i].n;
        t.cpu.gpr[RBX] = (uint32_t)cases[i].d;
        run(code, sizeof code, 2);
        cr_expect_eq((uint32_t)cases[i].q, t.cpu.gpr[RAX], "%d / %d", cases[i].n, cases[i].d);
        cr_expect_eq((uint32_t)cases[i].r, t.cpu.gpr[RDX], "%d %% %d", cases[i].n, cases[i].d);
    }
}

Test(muldiv, div64_takes_a_128bit_dividend)
{
    static const uint8_t code[] = { 0x48, 0xF7, 0xF3 };         /* div rbx */
    t.cpu.gpr[RDX] = 0x2;
    t.cpu.gpr[RAX] = 0x1;                                       /* 2^65 + 1 */
    t.cpu.gpr[RBX] = 0x10;
    run(code, sizeof code, 1);
    cr_expect_eq(0x2000000000000000ull, t.cpu.gpr[RAX]);
    cr_expect_eq(1, t.cpu.gpr[RDX]);
}

/* All flags are undefined after DIV: Intel keeps them, AMD sets AF and
 * clears SF, ZF, PF. */
Test(muldiv, undefined_div_flags_follow_the_vendor)
{
    static const uint8_t code[] = { 0xF6, 0xF3 };               /* div bl */
    t.cpu.gpr[RAX] = 100;
    t.cpu.gpr[RBX] = 7;
    cpu_set_flags(&t.cpu, FL_ZF | FL_PF | FL_CF);
    run(code, sizeof code, 1);
    cr_expect_eq(0x020E, t.cpu.gpr[RAX]);                       /* AH = 2, AL = 14 */
    cr_expect_eq(FL_ZF | FL_PF | FL_CF, status());

    th_free(&t);
    th_init_vendor(&t, DM_64, VENDOR_AMD);
    t.cpu.gpr[RAX] = 100;
    t.cpu.gpr[RBX] = 7;
    cpu_set_flags(&t.cpu, FL_ZF | FL_PF | FL_CF);
    run(code, sizeof code, 1);
    cr_expect_eq(FL_AF | FL_CF, status());
}

Test(muldiv, mulx_into_one_register_keeps_the_high_half)
{
    static const uint8_t code[] = { 0xC4, 0xE2, 0xFB, 0xF6, 0xC3 };   /* mulx rax, rax, rbx */
    t.cpu.gpr[RDX] = 1ull << 63;
    t.cpu.gpr[RBX] = 6;
    cpu_set_flags(&t.cpu, FL_ZF);
    run(code, sizeof code, 1);
    cr_expect_eq(3, t.cpu.gpr[RAX]);                            /* 3 * 2^64: high half 3, low 0 */
    cr_expect_eq(FL_ZF, status());
}
