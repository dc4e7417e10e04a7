/* test_bit.c - cpu/ops_bit.c: BT/BTS/BTR/BTC with register and memory
 * operands, BSF/BSR, TZCNT/LZCNT/POPCNT and the BMI1/BMI2 bit-field
 * instructions (SDM Vol. 2 entries).  64-bit mode.
 */
#include <criterion/criterion.h>
#include "tests/unit/harness.h"

static struct th t;
static void init64(void) { th_init(&t, DM_64); }
static void fini(void) { th_free(&t); }
TestSuite(bit, .init = init64, .fini = fini);

static void run(const uint8_t *code, size_t len, unsigned n) { th_run_all(&t, code, len, n); }

static uint64_t status(void) { return th_flags(&t) & FL_STATUS; }

static uint32_t load32(uint64_t phys)
{
    uint32_t v;
    memcpy(&v, th_mem(&t, phys), 4);
    return v;
}

#define ALL_BUT_CF (FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)

Test(bit, bt_register_offset_is_taken_modulo_the_width)
{
    static const uint8_t code[] = { 0x0F, 0xA3, 0xD8 };         /* bt eax, ebx */
    cpu_set_flags(&t.cpu, ALL_BUT_CF);
    t.cpu.gpr[RAX] = 0x8;
    t.cpu.gpr[RBX] = 35;                                        /* bit 3 */
    run(code, sizeof code, 1);
    cr_expect_eq(ALL_BUT_CF | FL_CF, status());                 /* the rest untouched */
}

/* With a memory operand the register is a signed offset from the operand. */
Test(bit, bt_memory_negative_offset_reaches_below_the_operand)
{
    static const uint8_t code[] = { 0x0F, 0xA3, 0x1E };         /* bt dword [rsi], ebx */
    memcpy(th_mem(&t, TH_DATA + 0xF8), "\x00\x00\x00\x80\x00\x00\x00\x00", 8);
    t.cpu.gpr[RSI] = TH_DATA + 0x100;
    t.cpu.gpr[RBX] = (uint32_t)-33;                             /* bit 31 of the dword at -8 */
    run(code, sizeof code, 1);
    cr_expect_eq(FL_CF, status() & FL_CF);
    t.cpu.gpr[RBX] = (uint32_t)-1;                              /* bit 31 of the dword at -4 */
    run(code, sizeof code, 1);
    cr_expect_eq(0, status() & FL_CF);
}

Test(bit, bts_memory_offset_beyond_the_operand)
{
    static const uint8_t code[] = { 0x48, 0x0F, 0xAB, 0x1E };   /* bts qword [rsi], rbx */
    t.cpu.gpr[RSI] = TH_DATA;
    t.cpu.gpr[RBX] = 2 * 64 + 5;                                /* bit 5 of the qword at +16 */
    run(code, sizeof code, 1);
    cr_expect_eq(0x20, load32(TH_DATA + 16));
    cr_expect_eq(0, load32(TH_DATA));
    cr_expect_eq(0, status() & FL_CF);
}

Test(bit, bt_immediate_offset_is_modulo_the_width_even_in_memory)
{
    static const uint8_t code[] = { 0x66, 0x0F, 0xBA, 0x36, 0x11 };  /* btr word [rsi], 17 */
    memcpy(th_mem(&t, TH_DATA), "\xFF\xFF\xFF\xFF", 4);
    t.cpu.gpr[RSI] = TH_DATA;
    run(code, sizeof code, 1);
    cr_expect_eq(0xFFFFFFFD, load32(TH_DATA));                  /* bit 1, not bit 17 */
    cr_expect_eq(FL_CF, status() & FL_CF);
}

Test(bit, btc_register_complements_the_bit)
{
    static const uint8_t code[] = { 0x0F, 0xBA, 0xF8, 0x21 };   /* btc eax, 33 */
    t.cpu.gpr[RAX] = 0xFFFFFFFF00000000ull;
    run(code, sizeof code, 1);
    cr_expect_eq(0x2, t.cpu.gpr[RAX]);                          /* and zero-extended */
    cr_expect_eq(0, status() & FL_CF);
}

/* Intel: a zero source sets ZF and PF, clears the rest and leaves all 64
 * bits of the destination. */
Test(bit, bsf_of_zero_keeps_the_whole_destination)
{
    static const uint8_t code[] = { 0x0F, 0xBC, 0xC3 };         /* bsf eax, ebx */
    cpu_set_flags(&t.cpu, FL_CF | FL_SF);
    t.cpu.gpr[RAX] = 0xDEADBEEF12345678ull;
    t.cpu.gpr[RBX] = 0xFFFFFFFF00000000ull;                     /* ebx = 0 */
    run(code, sizeof code, 1);
    cr_expect_eq(0xDEADBEEF12345678ull, t.cpu.gpr[RAX]);
    cr_expect_eq(FL_ZF | FL_PF, status());
}

/* Intel clears CF, OF, SF, AF and sets PF from the index. */
Test(bit, bsf_bsr_find_the_lowest_and_highest_set_bit)
{
    static const struct { uint8_t op; uint32_t src, index; uint64_t flags; } cases[] = {
        { 0xBC, 0x00000808, 3,  FL_PF },                        /* bsf */
        { 0xBD, 0x00000808, 11, 0 },                            /* bsr */
        { 0xBD, 0x80000001, 31, 0 },
    };
    for (unsigned i = 0; i < 3; i++) {
        const uint8_t code[] = { 0x0F, cases[i].op, 0xC3 };    /* bsf/bsr eax, ebx */
        cpu_set_flags(&t.cpu, FL_CF | FL_OF | FL_ZF | FL_AF | FL_SF);
        t.cpu.gpr[RBX] = cases[i].src;
        run(code, sizeof code, 1);
        cr_expect_eq(cases[i].index, t.cpu.gpr[RAX], "case %u", i);
        cr_expect_eq(cases[i].flags, status(), "case %u", i);
    }
}

Test(bit, amd_bsf_changes_only_ZF)
{
    static const uint8_t code[] = { 0x0F, 0xBC, 0xC3 };         /* bsf eax, ebx */
    th_free(&t);
    th_init_vendor(&t, DM_64, VENDOR_AMD);
    cpu_set_flags(&t.cpu, FL_CF | FL_ZF | FL_SF);
    t.cpu.gpr[RBX] = 0x10;
    run(code, sizeof code, 1);
    cr_expect_eq(4, t.cpu.gpr[RAX]);
    cr_expect_eq(FL_CF | FL_SF, status());
}

Test(bit, tzcnt_lzcnt_popcnt_counts_and_flags)
{
    static const struct { uint8_t code[5]; size_t len; uint64_t rbx, rax, flags; } cases[] = {
        { { 0xF3, 0x0F, 0xBC, 0xC3 }, 4, 0, 32, FL_CF },                  /* tzcnt eax, ebx */
        { { 0xF3, 0x0F, 0xBC, 0xC3 }, 4, 1, 0, FL_ZF },
        { { 0x66, 0xF3, 0x0F, 0xBD, 0xC3 }, 5, 0x0100, 7, 0 },            /* lzcnt ax, bx */
        { { 0xF3, 0x48, 0x0F, 0xB8, 0xC3 }, 5, 0xF0F0, 8, 0 },            /* popcnt rax, rbx */
        { { 0xF3, 0x48, 0x0F, 0xB8, 0xC3 }, 5, 0, 0, FL_ZF },
    };
    for (unsigned i = 0; i < 5; i++) {
        cpu_set_flags(&t.cpu, FL_OF | FL_SF | FL_AF | FL_PF);  /* cleared by all three */
        t.cpu.gpr[RAX] = 0;
        t.cpu.gpr[RBX] = cases[i].rbx;
        run(cases[i].code, cases[i].len, 1);
        cr_expect_eq(cases[i].rax, t.cpu.gpr[RAX], "case %u", i);
        cr_expect_eq(cases[i].flags, status(), "case %u", i);
    }
}

/* BMI1: ANDN, BLSR, BLSMSK, BLSI write EAX from EBX (and ECX). */
Test(bit, bmi1_results_and_flags)
{
    static const struct { uint8_t code[5]; uint32_t rbx, rcx, rax; uint64_t flags; } cases[] = {
        /* andn eax, ebx, ecx */
        { { 0xC4, 0xE2, 0x60, 0xF2, 0xC1 }, 0xFF00FF00, 0x0FF00FF0, 0x00F000F0, 0 },
        /* blsr eax, ebx */
        { { 0xC4, 0xE2, 0x78, 0xF3, 0xCB }, 0x80000000, 0, 0, FL_ZF },
        /* blsmsk eax, ebx */
        { { 0xC4, 0xE2, 0x78, 0xF3, 0xD3 }, 0, 0, 0xFFFFFFFF, FL_CF | FL_SF },
        /* blsi eax, ebx */
        { { 0xC4, 0xE2, 0x78, 0xF3, 0xDB }, 0x0C, 0, 0x04, FL_CF },
    };
    for (unsigned i = 0; i < 4; i++) {
        cpu_set_flags(&t.cpu, FL_OF | FL_PF | FL_AF);
        t.cpu.gpr[RBX] = cases[i].rbx;
        t.cpu.gpr[RCX] = cases[i].rcx;
        run(cases[i].code, 5, 1);
        cr_expect_eq(cases[i].rax, t.cpu.gpr[RAX], "case %u", i);
        cr_expect_eq(cases[i].flags, status(), "case %u", i);
    }
}

Test(bit, bzhi_and_bextr_select_bit_fields)
{
    static const struct { uint8_t code[5]; uint32_t rbx, rcx, rax; uint64_t flags; } cases[] = {
        /* bzhi eax, ebx, ecx: index 8, then index = the width */
        { { 0xC4, 0xE2, 0x70, 0xF5, 0xC3 }, 0xFFFFFFFF, 8, 0xFF, 0 },
        { { 0xC4, 0xE2, 0x70, 0xF5, 0xC3 }, 0xFFFFFFFF, 32, 0xFFFFFFFF, FL_CF | FL_SF },
        /* bextr eax, ebx, ecx: start 4 length 8, then start past the width */
        { { 0xC4, 0xE2, 0x70, 0xF7, 0xC3 }, 0x12345678, 0x0804, 0x67, 0 },
        { { 0xC4, 0xE2, 0x70, 0xF7, 0xC3 }, 0x12345678, 0x0820, 0, FL_ZF },
    };
    for (unsigned i = 0; i < 4; i++) {
        cpu_set_flags(&t.cpu, FL_OF);
        t.cpu.gpr[RBX] = cases[i].rbx;
        t.cpu.gpr[RCX] = cases[i].rcx;
        run(cases[i].code, 5, 1);
        cr_expect_eq(cases[i].rax, t.cpu.gpr[RAX], "case %u", i);
        cr_expect_eq(cases[i].flags, status(), "case %u", i);
    }
}

Test(bit, pdep_scatters_and_pext_gathers_under_the_mask)
{
    static const uint8_t pdep[] = { 0xC4, 0xE2, 0xE3, 0xF5, 0xC1 };   /* pdep rax, rbx, rcx */
    static const uint8_t pext[] = { 0xC4, 0xE2, 0xE2, 0xF5, 0xC1 };   /* pext rax, rbx, rcx */
    t.cpu.gpr[RBX] = 0x5;
    t.cpu.gpr[RCX] = 0xF000000000000F0ull;
    run(pdep, sizeof pdep, 1);
    cr_expect_eq(0x50, t.cpu.gpr[RAX]);
    t.cpu.gpr[RBX] = 0x0800000000000050ull;
    run(pext, sizeof pext, 1);
    cr_expect_eq(0x85, t.cpu.gpr[RAX]);                         /* 0101b low, 1000b from bits 56-59 */
}
