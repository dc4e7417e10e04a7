/* test_flags.c - the lazy flags of cpu/flags.c: the six status flags computed
 * from a recorded operation, the condition codes (SDM Vol. 1 B.1) and the
 * raw RFLAGS accessors.  No machine: each case fills cpu->lf directly.
 */
#include <criterion/criterion.h>
#include "cpu/ops.h"

static struct cpu cpu;

static void record(int op, unsigned size, uint64_t dst, uint64_t src, uint64_t res, int carry_in)
{
    memset(&cpu, 0, sizeof cpu);
    lazy_set(&cpu, op, size, dst, src, res);
    cpu.lf.carry_in = (uint8_t)carry_in;
}

#define C FL_CF
#define P FL_PF
#define A FL_AF
#define Z FL_ZF
#define S FL_SF
#define O FL_OF

/* Expected flags first; the result is what the instruction computed (not truncated). */
static const struct {
    const char *what;
    int op; unsigned size; uint64_t dst, src, res; int carry_in;
    uint64_t flags;
} flag_cases[] = {
    { "add8 FF+01 carries out to zero",      LF_ADD, 1, 0xFF, 0x01, 0x100, 0, C | P | A | Z },
    { "add8 7F+01 overflows to negative",    LF_ADD, 1, 0x7F, 0x01, 0x80, 0, A | S | O },
    { "add16 8000+8000 carries and overflows", LF_ADD, 2, 0x8000, 0x8000, 0x10000, 0, C | P | Z | O },
    { "add32 FFFFFFFF+1 carries out",        LF_ADD, 4, 0xFFFFFFFF, 1, 0x100000000, 0, C | P | A | Z },
    { "add64 7FFF..+1 overflows",            LF_ADD, 8, INT64_MAX, 1, 1ull << 63, 0, P | A | S | O },
    { "adc8 FF+00+CF carries out",           LF_ADC, 1, 0xFF, 0x00, 0x100, 1, C | P | A | Z },
    { "adc32 0+FFFFFFFF+CF carries out",     LF_ADC, 4, 0, 0xFFFFFFFF, 0x100000000, 1, C | P | A | Z },
    { "sub8 00-01 borrows",                  LF_SUB, 1, 0x00, 0x01, (uint64_t)-1, 0, C | P | A | S },
    { "sub32 80000000-1 overflows",          LF_SUB, 4, 0x80000000, 1, 0x7FFFFFFF, 0, P | A | O },
    { "sub64 equal operands give ZF",        LF_SUB, 8, 1234, 1234, 0, 0, P | Z },
    { "sbb8 05-05-CF borrows",               LF_SBB, 1, 5, 5, (uint64_t)-1, 1, C | P | A | S },
    { "sbb16 0-FFFF-CF borrows to zero",     LF_SBB, 2, 0, 0xFFFF, (uint64_t)-0x10000, 1, C | P | A | Z },
    { "inc8 7F overflows and keeps CF=1",    LF_INC, 1, 0x7F, 1, 0x80, 1, C | A | S | O },
    { "inc32 FFFFFFFF wraps, keeps CF=0",    LF_INC, 4, 0xFFFFFFFF, 1, 0x100000000, 0, P | A | Z },
    { "dec8 80 overflows and keeps CF=1",    LF_DEC, 1, 0x80, 1, 0x7F, 1, C | A | O },
    { "logic16 8000 sets SF only",           LF_LOGIC, 2, 0x8001, 0x8000, 0x8000, 1, P | S },
    { "logic64 zero sets ZF and PF",         LF_LOGIC, 8, 5, 2, 0, 0, P | Z },
};

Test(flags, status_flags_from_each_kind_and_size)
{
    for (unsigned i = 0; i < sizeof flag_cases / sizeof flag_cases[0]; i++) {
        record(flag_cases[i].op, flag_cases[i].size, flag_cases[i].dst, flag_cases[i].src,
               flag_cases[i].res, flag_cases[i].carry_in);
        cr_expect_eq(flag_cases[i].flags, flags_compute(&cpu), "%s: expected %#llx, got %#llx",
                     flag_cases[i].what, (unsigned long long)flag_cases[i].flags,
                     (unsigned long long)flags_compute(&cpu));
    }
}

/* SDM Vol. 1 B.1, evaluated on a materialised flags word. */
static bool reference_cond(uint64_t f, unsigned cc)
{
    bool cf = f & C, zf = f & Z, sf = f & S, of = f & O, pf = f & P, t;
    switch (cc >> 1) {
    case 0: t = of; break;
    case 1: t = cf; break;
    case 2: t = zf; break;
    case 3: t = cf || zf; break;
    case 4: t = sf; break;
    case 5: t = pf; break;
    case 6: t = sf != of; break;
    default: t = zf || sf != of; break;
    }
    return t ^ (cc & 1);
}

/* The CMP and TEST shortcuts in cond_eval must agree with the flags. */
Test(flags, cond_eval_agrees_with_materialised_flags_for_all_16_conditions)
{
    static const uint64_t values[] = { 0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0x7FFFFFFF,
                                       0x80000000, 0xFFFFFFFF, INT64_MAX, 1ull << 63, ~0ull };
    static const int ops[] = { LF_SUB, LF_LOGIC, LF_ADD, LF_SBB, LF_INC };
    unsigned n = sizeof values / sizeof values[0];
    for (unsigned o = 0; o < 5; o++)
        for (unsigned size = 1; size <= 8; size *= 2)
            for (unsigned i = 0; i < n; i++)
                for (unsigned j = 0; j < n; j++) {
                    uint64_t d = values[i] & size_mask(size), s = values[j] & size_mask(size), r;
                    switch (ops[o]) {
                    case LF_LOGIC: r = d & s; break;
                    case LF_ADD:   r = d + s; break;
                    case LF_SBB:   r = d - s - 1; break;
                    case LF_INC:   r = d + 1; s = 1; break;
                    default:       r = d - s; break;
                    }
                    record(ops[o], size, d, s, r, 1);
                    uint64_t f = flags_compute(&cpu);
                    for (unsigned cc = 0; cc < 16; cc++)
                        cr_assert_eq(reference_cond(f, cc), cond_eval(&cpu, cc),
                                     "op %d size %u %#llx,%#llx cc %u", ops[o], size,
                                     (unsigned long long)d, (unsigned long long)s, cc);
                }
}

Test(flags, cond_eval_reads_rflags_when_no_record)
{
    memset(&cpu, 0, sizeof cpu);
    cpu.rflags = FL_1 | C | O;
    cr_expect(cond_eval(&cpu, 0x0), "JO with OF=1");
    cr_expect(cond_eval(&cpu, 0x2), "JB with CF=1");
    cr_expect(!cond_eval(&cpu, 0x4), "JE with ZF=0");
    cr_expect(cond_eval(&cpu, 0xC), "JL with SF=0, OF=1");
}

Test(flags, cpu_set_flags_forces_bit1_and_drops_the_record)
{
    record(LF_SUB, 4, 0, 1, (uint64_t)-1, 0);
    cpu_set_flags(&cpu, Z);
    cr_expect_eq(LF_NONE, cpu.lf.op);
    cr_expect_eq(Z | FL_1, cpu.rflags);
}

Test(flags, cpu_get_flags_materialises_and_keeps_the_other_bits)
{
    record(LF_ADD, 1, 0xFF, 1, 0x100, 0);
    cpu.rflags = FL_IF | FL_DF | S | O;         /* stale status bits must go */
    cr_expect_eq(FL_IF | FL_DF | FL_1 | C | P | A | Z, cpu_get_flags(&cpu));
    cr_expect_eq(LF_NONE, cpu.lf.op);
}
