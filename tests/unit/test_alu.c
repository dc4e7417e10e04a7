/* test_alu.c - cpu/ops_alu.c through the machine: the eight ALU operations,
 * TEST, INC/DEC/NOT/NEG, CBW/CWD, the flag instructions, LAHF/SAHF, SALC,
 * SETcc and CMOVcc (SDM Vol. 2 entries).  64-bit mode unless a test says.
 */
#include <criterion/criterion.h>
#include "tests/unit/harness.h"

static struct th t;
static void init64(void) { th_init(&t, DM_64); }
static void fini(void) { th_free(&t); }
TestSuite(alu, .init = init64, .fini = fini);

/* Run n instructions of code; they must all retire. */
static void run(const uint8_t *code, size_t len, unsigned n) { th_run_all(&t, code, len, n); }

static uint64_t status(void) { return th_flags(&t) & FL_STATUS; }

Test(alu, add32_carry_out_sets_CF_and_zero_extends)
{
    static const uint8_t code[] = { 0x01, 0xD8 };               /* add eax, ebx */
    t.cpu.gpr[RAX] = 0xAAAAAAAAFFFFFFF0ull;
    t.cpu.gpr[RBX] = 0x20;
    run(code, sizeof code, 1);
    cr_expect_eq(0x10, t.cpu.gpr[RAX]);
    cr_expect_eq(FL_CF, status());
}

Test(alu, adc64_adds_the_carry_from_stc)
{
    static const uint8_t code[] = {
        0xF9,                                                   /* stc */
        0x48, 0x11, 0xD8,                                       /* adc rax, rbx */
    };
    t.cpu.gpr[RAX] = ~0ull;
    t.cpu.gpr[RBX] = 0;
    run(code, sizeof code, 2);
    cr_expect_eq(0, t.cpu.gpr[RAX]);
    cr_expect_eq(FL_CF | FL_PF | FL_AF | FL_ZF, status());
}

Test(alu, sbb8_borrow_chain_propagates_CF)
{
    static const uint8_t code[] = {
        0x28, 0xD8,                                             /* sub al, bl */
        0x18, 0xD4,                                             /* sbb ah, dl */
    };
    t.cpu.gpr[RAX] = 0x1000;                                    /* AH:AL = 10h:00h */
    t.cpu.gpr[RBX] = 0x01;
    t.cpu.gpr[RDX] = 0x0F;
    run(code, sizeof code, 2);
    cr_expect_eq(0x00FF, t.cpu.gpr[RAX]);                       /* 1000h - 0F01h */
    cr_expect_eq(FL_PF | FL_AF | FL_ZF, status());
}

Test(alu, cmp_sets_flags_and_leaves_memory)
{
    static const uint8_t code[] = { 0x83, 0x3B, 0x05 };         /* cmp dword [rbx], 5 */
    uint8_t *m = th_mem(&t, TH_DATA);
    memcpy(m, "\x03\x00\x00\x00", 4);
    t.cpu.gpr[RBX] = TH_DATA;
    run(code, sizeof code, 1);
    cr_expect_eq(3, m[0]);
    cr_expect_eq(FL_CF | FL_AF | FL_SF, status());              /* 3 - 5 = FFFFFFFEh */
}

Test(alu, ibs_immediate_is_sign_extended_to_64_bits)
{
    static const uint8_t code[] = { 0x48, 0x83, 0xC0, 0xFF };   /* add rax, -1 */
    t.cpu.gpr[RAX] = 1;
    run(code, sizeof code, 1);
    cr_expect_eq(0, t.cpu.gpr[RAX]);
    cr_expect_eq(FL_CF | FL_PF | FL_AF | FL_ZF, status());
}

Test(alu, high_byte_registers_without_rex)
{
    static const uint8_t code[] = { 0x00, 0xFC };               /* add ah, bh */
    t.cpu.gpr[RAX] = 0x1122334455667788ull;
    t.cpu.gpr[RBX] = 0x0000000000000100ull;
    run(code, sizeof code, 1);
    cr_expect_eq(0x1122334455667888ull, t.cpu.gpr[RAX]);
}

Test(alu, inc_dec_keep_CF_and_dec_to_zero_sets_ZF)
{
    static const uint8_t code[] = {
        0xF9,                                                   /* stc */
        0xFF, 0xC1,                                             /* inc ecx */
        0xFF, 0xC9,                                             /* dec ecx */
    };
    t.cpu.gpr[RCX] = 0;
    run(code, sizeof code, 3);
    cr_expect_eq(0, t.cpu.gpr[RCX]);
    cr_expect_eq(FL_CF | FL_PF | FL_ZF, status());
}

/* NEG: CF = (operand != 0), OF only for the most negative value. */
Test(alu, neg_flag_table)
{
    static const uint8_t code[] = { 0xF7, 0xD8 };               /* neg eax */
    static const struct { uint32_t in, out; uint64_t flags; } cases[] = {
        { 0,          0,          FL_PF | FL_ZF },
        { 1,          0xFFFFFFFF, FL_CF | FL_PF | FL_AF | FL_SF },
        { 0x80000000, 0x80000000, FL_CF | FL_PF | FL_SF | FL_OF },
    };
    for (unsigned i = 0; i < 3; i++) {
        t.cpu.gpr[RAX] = cases[i].in;
        run(code, sizeof code, 1);
        cr_expect_eq(cases[i].out, t.cpu.gpr[RAX], "neg %#x", cases[i].in);
        cr_expect_eq(cases[i].flags, status(), "neg %#x", cases[i].in);
    }
}

Test(alu, not_changes_no_flag)
{
    static const uint8_t code[] = {
        0x39, 0xD8,                                             /* cmp eax, ebx */
        0xF7, 0xD0,                                             /* not eax */
    };
    t.cpu.gpr[RAX] = 0;
    t.cpu.gpr[RBX] = 1;
    run(code, sizeof code, 2);
    cr_expect_eq(0xFFFFFFFF, t.cpu.gpr[RAX]);
    cr_expect_eq(FL_CF | FL_PF | FL_AF | FL_SF, status());
}

Test(alu, cbw_cwde_cdqe_sign_extend_the_lower_half)
{
    static const struct { uint8_t code[2]; size_t len; uint64_t in, out; } cases[] = {
        { { 0x66, 0x98 }, 2, 0xFFFFFFFFFFFF0080ull, 0xFFFFFFFFFFFFFF80ull },   /* cbw */
        { { 0x98 },       1, 0xFFFFFFFF00008000ull, 0x00000000FFFF8000ull },   /* cwde */
        { { 0x48, 0x98 }, 2, 0x0000000080000000ull, 0xFFFFFFFF80000000ull },   /* cdqe */
    };
    for (unsigned i = 0; i < 3; i++) {
        t.cpu.gpr[RAX] = cases[i].in;
        run(cases[i].code, cases[i].len, 1);
        cr_expect_eq(cases[i].out, t.cpu.gpr[RAX], "case %u", i);
    }
}

Test(alu, cwd_cdq_cqo_fill_rdx_with_the_sign)
{
    static const struct { uint8_t code[2]; size_t len; uint64_t rax, rdx; } cases[] = {
        { { 0x66, 0x99 }, 2, 0x8000,                0x555555555555FFFFull },          /* cwd */
        { { 0x99 },       1, 0x7FFFFFFF,            0 },                              /* cdq */
        { { 0x48, 0x99 }, 2, 0x8000000000000000ull, ~0ull },                          /* cqo */
    };
    for (unsigned i = 0; i < 3; i++) {
        t.cpu.gpr[RAX] = cases[i].rax;
        t.cpu.gpr[RDX] = 0x5555555555555555ull;
        run(cases[i].code, cases[i].len, 1);
        cr_expect_eq(cases[i].rdx, t.cpu.gpr[RDX], "case %u", i);
    }
}

Test(alu, cmc_clc_stc_std_cld)
{
    static const uint8_t code[] = {
        0xF9,                                                   /* stc */
        0xF5,                                                   /* cmc */
        0xFD,                                                   /* std */
        0xF5,                                                   /* cmc */
        0xF8,                                                   /* clc */
        0xFC,                                                   /* cld */
    };
    run(code, sizeof code, 2);
    cr_expect_eq(0, th_flags(&t) & FL_CF);
    run(code, sizeof code, 4);
    cr_expect_eq(FL_CF | FL_DF, th_flags(&t) & (FL_CF | FL_DF));
    run(code, sizeof code, 6);
    cr_expect_eq(0, th_flags(&t) & (FL_CF | FL_DF));
}

Test(alu, lahf_loads_SF_ZF_AF_PF_CF_and_bit_1)
{
    static const uint8_t code[] = { 0x9F };                     /* lahf */
    cpu_set_flags(&t.cpu, FL_SF | FL_CF | FL_OF | FL_DF);
    t.cpu.gpr[RAX] = 0x1234;
    run(code, sizeof code, 1);
    cr_expect_eq(0x8334, t.cpu.gpr[RAX]);                       /* AH = SF | 2 | CF */
}

Test(alu, sahf_stores_five_flags_and_keeps_OF)
{
    static const uint8_t code[] = { 0x9E };                     /* sahf */
    cpu_set_flags(&t.cpu, FL_OF);
    t.cpu.gpr[RAX] = 0xFF00;                                    /* AH: every bit set */
    run(code, sizeof code, 1);
    cr_expect_eq(FL_SF | FL_ZF | FL_AF | FL_PF | FL_CF | FL_OF, status());
}

/* D6 is invalid in 64-bit mode: 32-bit protected mode here. */
Test(alu, salc_copies_CF_into_AL)
{
    static const uint8_t code[] = { 0xF9, 0xD6, 0xF8, 0xD6 };  /* stc; salc; clc; salc */
    th_free(&t);
    th_init(&t, DM_32);
    t.cpu.gpr[RAX] = 0x1234;
    run(code, sizeof code, 2);
    cr_expect_eq(0x12FF, t.cpu.gpr[RAX]);
    run(code, sizeof code, 4);
    cr_expect_eq(0x1200, t.cpu.gpr[RAX]);
    cr_expect_eq(0, th_flags(&t) & FL_CF);
}

/* cmp eax, ebx with eax = -1, ebx = 1, then setcc for each condition. */
Test(alu, setcc_after_cmp_covers_all_16_conditions)
{
    /* O NO B AE E NE BE A S NS P NP L GE LE G for FFFFFFFEh: CF=0 ZF=0 SF=1 OF=0 PF=0 */
    static const uint8_t expected[16] = { 0, 1, 0, 1, 0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 0 };
    for (unsigned cc = 0; cc < 16; cc++) {
        const uint8_t code[] = {
            0x39, 0xD8,                                         /* cmp eax, ebx */
            0x0F, (uint8_t)(0x90 + cc), 0xC1,                   /* setcc cl */
        };
        t.cpu.gpr[RAX] = 0xFFFFFFFF;
        t.cpu.gpr[RBX] = 1;
        t.cpu.gpr[RCX] = 0x55;
        run(code, sizeof code, 2);
        cr_expect_eq(expected[cc], t.cpu.gpr[RCX], "condition %u", cc);
    }
}

Test(alu, cmov32_false_still_zero_extends_the_destination)
{
    static const uint8_t code[] = {
        0x39, 0xD8,                                             /* cmp eax, ebx (not equal) */
        0x0F, 0x44, 0xCA,                                       /* cmove ecx, edx */
    };
    t.cpu.gpr[RAX] = 1;
    t.cpu.gpr[RCX] = 0xDEADBEEF12345678ull;
    t.cpu.gpr[RDX] = 7;
    run(code, sizeof code, 2);
    cr_expect_eq(0x12345678, t.cpu.gpr[RCX]);
}

Test(alu, cmov_false_still_reads_its_memory_source)
{
    static const uint8_t code[] = { 0x0F, 0x40, 0x03 };         /* cmovo eax, [rbx] */
    cpu_set_flags(&t.cpu, 0);                                   /* OF = 0: no move */
    t.cpu.gpr[RBX] = 0x8000000000000000ull;                     /* non-canonical */
    th_code(&t, code, sizeof code);
    cr_expect_eq(EXIT_EXCEPTION, th_run(&t, 1));
    cr_expect_eq(EXC_GP, t.cpu.exc_vector);
}
