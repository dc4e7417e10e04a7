/* test_bcd.c - cpu/ops_bcd.c: DAA, DAS, AAA, AAS, AAM, AAD after the SDM's
 * pseudo-code, with the host's values for the undefined flags.  32-bit
 * protected mode (real mode for one case); all six are #UD in 64-bit mode.
 */
#include <criterion/criterion.h>
#include "tests/unit/harness.h"

static struct th t;
static void init32(void) { th_init(&t, DM_32); }
static void fini(void) { th_free(&t); }
TestSuite(bcd, .init = init32, .fini = fini);

static void run(const uint8_t *code, size_t len, unsigned n) { th_run_all(&t, code, len, n); }

static uint64_t status(void) { return th_flags(&t) & FL_STATUS; }

/* Packed decimal sums; OF (undefined) is 0.  99 + 99 shows DAA using the
 * carry of the ADD even though AL (32h) looks like valid BCD. */
Test(bcd, daa_after_packed_add_in_real_mode)
{
    static const uint8_t code[] = {
        0x00, 0xD8,                                             /* add al, bl */
        0x27,                                                   /* daa */
    };
    static const struct { uint8_t a, b, al; uint64_t flags; } cases[] = {
        { 0x12, 0x34, 0x46, 0 },
        { 0x79, 0x35, 0x14, FL_CF | FL_AF | FL_PF },            /* 114 */
        { 0x99, 0x99, 0x98, FL_CF | FL_AF | FL_SF },            /* 198 */
    };
    th_free(&t);
    th_init(&t, DM_16);
    for (unsigned i = 0; i < 3; i++) {
        t.cpu.gpr[RAX] = cases[i].a;
        t.cpu.gpr[RBX] = cases[i].b;
        run(code, sizeof code, 2);
        cr_expect_eq(cases[i].al, t.cpu.gpr[RAX], "%x + %x", cases[i].a, cases[i].b);
        cr_expect_eq(cases[i].flags, status(), "%x + %x", cases[i].a, cases[i].b);
    }
}

/* 35 - 47 = -12: AL = 88h with a decimal borrow. */
Test(bcd, das_after_packed_subtract)
{
    static const uint8_t code[] = {
        0x28, 0xD8,                                             /* sub al, bl */
        0x2F,                                                   /* das */
    };
    t.cpu.gpr[RAX] = 0x35;
    t.cpu.gpr[RBX] = 0x47;
    run(code, sizeof code, 2);
    cr_expect_eq(0x88, t.cpu.gpr[RAX]);
    cr_expect_eq(FL_CF | FL_AF | FL_SF | FL_PF, status());
}

/* Unpacked 9 + 8 = 17: AH = 1, AL = 7; SF, ZF, PF follow AL, OF = 0. */
Test(bcd, aaa_carries_into_AH)
{
    static const uint8_t code[] = {
        0x00, 0xD8,                                             /* add al, bl */
        0x37,                                                   /* aaa */
    };
    t.cpu.gpr[RAX] = 0x0009;
    t.cpu.gpr[RBX] = 0x08;
    run(code, sizeof code, 2);
    cr_expect_eq(0x0107, t.cpu.gpr[RAX]);
    cr_expect_eq(FL_CF | FL_AF, status());
}

/* Unpacked 12 - 5 = 7: the borrow comes out of AH. */
Test(bcd, aas_borrows_from_AH)
{
    static const uint8_t code[] = {
        0x28, 0xD8,                                             /* sub al, bl */
        0x3F,                                                   /* aas */
    };
    t.cpu.gpr[RAX] = 0x0102;
    t.cpu.gpr[RBX] = 0x05;
    run(code, sizeof code, 2);
    cr_expect_eq(0x0007, t.cpu.gpr[RAX]);
    cr_expect_eq(FL_CF | FL_AF, status());
}

Test(bcd, aaa_without_adjustment_clears_AF_and_CF)
{
    static const uint8_t code[] = { 0x37 };                     /* aaa */
    cpu_set_flags(&t.cpu, FL_CF | FL_OF | FL_SF);
    t.cpu.gpr[RAX] = 0x0305;
    run(code, sizeof code, 1);
    cr_expect_eq(0x0305, t.cpu.gpr[RAX]);
    cr_expect_eq(FL_PF, status());
}

/* AAM splits AL in the immediate's base; OF, AF, CF (undefined) are 0. */
Test(bcd, aam_splits_AL_into_digits)
{
    static const struct { uint8_t base; uint16_t ax; uint64_t flags; } cases[] = {
        { 10, 0x0709, FL_PF },                                  /* 79 = 7, 9 */
        { 16, 0x040F, FL_PF },                                  /* 4Fh = 4, Fh */
    };
    for (unsigned i = 0; i < 2; i++) {
        const uint8_t code[] = { 0xD4, cases[i].base };        /* aam base */
        cpu_set_flags(&t.cpu, FL_CF | FL_AF | FL_OF);
        t.cpu.gpr[RAX] = 0xAB4F;
        run(code, sizeof code, 1);
        cr_expect_eq(cases[i].ax, t.cpu.gpr[RAX], "base %u", cases[i].base);
        cr_expect_eq(cases[i].flags, status(), "base %u", cases[i].base);
    }
}

Test(bcd, aam_0_raises_DE_and_leaves_AX)
{
    static const uint8_t code[] = { 0xD4, 0x00 };               /* aam 0 */
    t.cpu.gpr[RAX] = 0x1234;
    th_code(&t, code, sizeof code);
    cr_expect_eq(EXIT_EXCEPTION, th_run(&t, 1));
    cr_expect_eq(EXC_DE, t.cpu.exc_vector);
    cr_expect_eq(0x1234, t.cpu.gpr[RAX]);
}

/* AAD is AL + AH * base as an 8-bit ADD: its CF, AF and OF are the add's. */
Test(bcd, aad_combines_digits_with_the_flags_of_an_add)
{
    static const struct { uint8_t base; uint16_t in, out; uint64_t flags; } cases[] = {
        { 10, 0x0709, 0x004F, 0 },                              /* 7 * 10 + 9 = 79 */
        { 16, 0x0F80, 0x0070, FL_CF | FL_OF },                  /* 80h + F0h carries, overflows */
        { 10, 0x0A9C, 0x0000, FL_CF | FL_AF | FL_ZF | FL_PF },  /* 9Ch + 64h = 100h */
    };
    for (unsigned i = 0; i < 3; i++) {
        const uint8_t code[] = { 0xD5, cases[i].base };        /* aad base */
        t.cpu.gpr[RAX] = cases[i].in;
        run(code, sizeof code, 1);
        cr_expect_eq(cases[i].out, t.cpu.gpr[RAX], "case %u", i);
        cr_expect_eq(cases[i].flags, status(), "case %u", i);
    }
}

Test(bcd, bcd_opcodes_are_invalid_in_64bit_mode)
{
    static const uint8_t code[] = { 0x27 };                     /* daa */
    th_free(&t);
    th_init(&t, DM_64);
    th_code(&t, code, sizeof code);
    cr_expect_eq(EXIT_EXCEPTION, th_run(&t, 1));
    cr_expect_eq(EXC_UD, t.cpu.exc_vector);
}
