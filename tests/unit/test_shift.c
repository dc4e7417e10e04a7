/* test_shift.c - cpu/ops_shift.c: group-2 shifts and rotates, SHLD/SHRD and
 * the BMI2 shifts (SDM Vol. 2 entries).  Where the SDM leaves a flag or a
 * result undefined, the Intel cases state what the host CPU does and the AMD
 * cases what the AMD profile models.  64-bit mode.
 */
#include <criterion/criterion.h>
#include "tests/unit/harness.h"

static struct th t;
static void init64(void) { th_init(&t, DM_64); }
static void fini(void) { th_free(&t); }
TestSuite(shift, .init = init64, .fini = fini);

static void run(const uint8_t *code, size_t len, unsigned n) { th_run_all(&t, code, len, n); }

static uint64_t status(void) { return th_flags(&t) & FL_STATUS; }

static void use_amd(void)
{
    th_free(&t);
    th_init_vendor(&t, DM_64, VENDOR_AMD);
}

Test(shift, masked_count_0_keeps_flags_but_zero_extends_a_32bit_register)
{
    static const uint8_t code[] = { 0xD3, 0xE0 };               /* shl eax, cl */
    cpu_set_flags(&t.cpu, FL_OF | FL_ZF | FL_CF);
    t.cpu.gpr[RAX] = 0xDEADBEEF12345678ull;
    t.cpu.gpr[RCX] = 32;                                        /* masked to 0 */
    run(code, sizeof code, 1);
    cr_expect_eq(0x12345678, t.cpu.gpr[RAX]);
    cr_expect_eq(FL_OF | FL_ZF | FL_CF, status());
}

/* shl al, cl on 81h: 8-bit counts are masked to 5 bits, so they can pass 8. */
Test(shift, shl8_counts_up_to_and_beyond_the_width)
{
    static const uint8_t code[] = { 0xD2, 0xE0 };               /* shl al, cl */
    static const struct { uint8_t count, al; uint64_t flags; } cases[] = {
        { 1, 0x02, FL_CF | FL_OF },
        { 8, 0x00, FL_CF | FL_OF | FL_ZF | FL_PF },             /* CF = old bit 0 */
        { 9, 0x00, FL_OF | FL_ZF | FL_PF },                     /* nothing left to shift out */
    };
    for (unsigned i = 0; i < 3; i++) {
        t.cpu.gpr[RAX] = 0x81;
        t.cpu.gpr[RCX] = cases[i].count;
        run(code, sizeof code, 1);
        cr_expect_eq(cases[i].al, t.cpu.gpr[RAX], "count %u", cases[i].count);
        cr_expect_eq(cases[i].flags, status(), "count %u", cases[i].count);
    }
}

Test(shift, shr_CF_is_the_last_bit_out_and_intel_OF_is_the_old_sign)
{
    static const uint8_t code[] = { 0xD3, 0xE8 };               /* shr eax, cl */
    t.cpu.gpr[RAX] = 0x80000018;
    t.cpu.gpr[RCX] = 4;
    run(code, sizeof code, 1);
    cr_expect_eq(0x08000001, t.cpu.gpr[RAX]);
    cr_expect_eq(FL_CF | FL_OF, status());
}

Test(shift, sar_fills_with_the_sign_bit)
{
    static const uint8_t code[] = { 0xD3, 0xF8 };               /* sar eax, cl */
    t.cpu.gpr[RAX] = 0x80000000;
    t.cpu.gpr[RCX] = 31;
    run(code, sizeof code, 1);
    cr_expect_eq(0xFFFFFFFF, t.cpu.gpr[RAX]);
    cr_expect_eq(FL_SF | FL_PF, status());
}

/* RCL/RCR rotate CF:operand, 9 bits for a byte, 17 for a word. */
Test(shift, rcl8_and_rcr16_count_modulo_width_plus_one)
{
    static const struct { uint8_t code[3]; size_t len; uint64_t rax, count, out, flags; } cases[] = {
        { { 0xD2, 0xD0 }, 2,       0x80, 10, 0x01, FL_CF | FL_OF },   /* rcl al, cl: as by 1 */
        { { 0xD2, 0xD0 }, 2,       0x80, 9,  0x80, FL_CF },           /* by 9: nothing changes */
        { { 0x66, 0xD3, 0xD8 }, 3, 0x0001, 17, 0x0001, FL_CF },       /* rcr ax, cl by 17 */
        { { 0x66, 0xD3, 0xD8 }, 3, 0x0001, 18, 0x8000, FL_CF | FL_OF }, /* as by 1 */
    };
    for (unsigned i = 0; i < 4; i++) {
        cpu_set_flags(&t.cpu, FL_CF);
        t.cpu.gpr[RAX] = cases[i].rax;
        t.cpu.gpr[RCX] = cases[i].count;
        run(cases[i].code, cases[i].len, 1);
        cr_expect_eq(cases[i].out, t.cpu.gpr[RAX], "case %u", i);
        cr_expect_eq(cases[i].flags, status(), "case %u", i);
    }
}

/* shl eax, 2 on 60000000h: OF is undefined for counts above 1. */
Test(shift, intel_multibit_OF_is_as_for_count_1_and_AF_is_cleared)
{
    static const uint8_t code[] = { 0xC1, 0xE0, 0x02 };         /* shl eax, 2 */
    t.cpu.gpr[RAX] = 0x60000000;
    run(code, sizeof code, 1);
    cr_expect_eq(0x80000000, t.cpu.gpr[RAX]);
    cr_expect_eq(FL_CF | FL_OF | FL_SF | FL_PF, status());      /* OF = bit 31 ^ bit 30 of the input */
}

Test(shift, amd_multibit_OF_is_from_the_last_step_and_AF_is_set)
{
    static const uint8_t code[] = { 0xC1, 0xE0, 0x02 };         /* shl eax, 2 */
    use_amd();
    t.cpu.gpr[RAX] = 0x60000000;
    run(code, sizeof code, 1);
    cr_expect_eq(0x80000000, t.cpu.gpr[RAX]);
    cr_expect_eq(FL_CF | FL_AF | FL_SF | FL_PF, status());      /* OF = bit 31 ^ CF of the result */
}

Test(shift, amd_shr_by_more_than_1_clears_OF)
{
    static const uint8_t code[] = { 0xD3, 0xE8 };               /* shr eax, cl */
    use_amd();
    t.cpu.gpr[RAX] = 0x80000000;
    t.cpu.gpr[RCX] = 2;
    run(code, sizeof code, 1);
    cr_expect_eq(0x20000000, t.cpu.gpr[RAX]);
    cr_expect_eq(FL_AF | FL_PF, status());
}

/* By CL, OF (undefined above 1) is on Intel what a count of 1 would give:
 * ROL: bit 31 ^ bit 30 of the input, ROR: bit 31 ^ bit 0 of the input. */
Test(shift, intel_rotate_by_cl_OF_is_as_for_count_1)
{
    static const struct { uint8_t modrm; uint32_t in, out; uint64_t flags; } cases[] = {
        { 0xC0, 0x40000000, 0x00000004, FL_OF },                /* rol eax, cl */
        { 0xC8, 0x00000001, 0x10000000, FL_OF },                /* ror eax, cl */
        { 0xC8, 0x80000010, 0x08000001, FL_OF },                /* CF = new bit 31 = 0 */
    };
    for (unsigned i = 0; i < 3; i++) {
        const uint8_t code[] = { 0xD3, cases[i].modrm };
        cpu_set_flags(&t.cpu, FL_CF);
        t.cpu.gpr[RAX] = cases[i].in;
        t.cpu.gpr[RCX] = 4;
        run(code, sizeof code, 1);
        cr_expect_eq(cases[i].out, t.cpu.gpr[RAX], "case %u", i);
        cr_expect_eq(cases[i].flags, status(), "case %u", i);
    }
}

/* Intel: rotating a register by an immediate above 1 leaves OF alone; the
 * memory form computes it as for a count of 1. */
Test(shift, intel_rol_by_immediate_keeps_OF_for_registers_only)
{
    static const uint8_t reg[] = { 0xC1, 0xC3, 0x05 };          /* rol ebx, 5 */
    static const uint8_t mem[] = { 0xC1, 0x03, 0x05 };          /* rol dword [rbx], 5 */
    cpu_set_flags(&t.cpu, FL_OF | FL_CF);
    t.cpu.gpr[RBX] = 1;
    run(reg, sizeof reg, 1);
    cr_expect_eq(0x20, t.cpu.gpr[RBX]);
    cr_expect_eq(FL_OF, status());

    memcpy(th_mem(&t, TH_DATA), "\x01\x00\x00\x00", 4);
    cpu_set_flags(&t.cpu, FL_OF | FL_CF);
    t.cpu.gpr[RBX] = TH_DATA;
    run(mem, sizeof mem, 1);
    cr_expect_eq(0x20, th_mem(&t, TH_DATA)[0]);
    cr_expect_eq(0, status());
}

/* shld ax, bx, 20: past 16 the host shifts dest:src:dest as one 48-bit value. */
Test(shift, intel_shld16_count_above_16_shifts_dest_src_dest)
{
    static const uint8_t code[] = { 0x66, 0x0F, 0xA5, 0xD8 };   /* shld ax, bx, cl */
    t.cpu.gpr[RAX] = 0x1234;
    t.cpu.gpr[RBX] = 0x5678;
    t.cpu.gpr[RCX] = 20;
    run(code, sizeof code, 1);
    cr_expect_eq(0x6781, t.cpu.gpr[RAX]);
    cr_expect_eq(FL_CF | FL_PF, status());
}

Test(shift, shrd32_fills_from_the_source)
{
    static const uint8_t code[] = { 0x0F, 0xAD, 0xD8 };         /* shrd eax, ebx, cl */
    t.cpu.gpr[RAX] = 0x12345678;
    t.cpu.gpr[RBX] = 0x9ABCDEF0;
    t.cpu.gpr[RCX] = 8;
    run(code, sizeof code, 1);
    cr_expect_eq(0xF0123456, t.cpu.gpr[RAX]);
    cr_expect_eq(FL_SF | FL_PF, status());
}

Test(shift, bmi2_shifts_mask_the_count_and_leave_flags)
{
    static const struct { uint8_t code[6]; size_t len; uint64_t rbx, rcx, rax; } cases[] = {
        { { 0xC4, 0xE2, 0x71, 0xF7, 0xC3 }, 5, 1, 33, 2 },                     /* shlx eax, ebx, ecx */
        { { 0xC4, 0xE2, 0xF2, 0xF7, 0xC3 }, 5, 1ull << 63, 63, ~0ull },        /* sarx rax, rbx, rcx */
        { { 0xC4, 0xE3, 0x7B, 0xF0, 0xC3, 0x24 }, 6, 0x12345678, 0, 0x81234567 }, /* rorx eax, ebx, 36 */
    };
    for (unsigned i = 0; i < 3; i++) {
        cpu_set_flags(&t.cpu, FL_ZF | FL_OF);
        t.cpu.gpr[RBX] = cases[i].rbx;
        t.cpu.gpr[RCX] = cases[i].rcx;
        run(cases[i].code, cases[i].len, 1);
        cr_expect_eq(cases[i].rax, t.cpu.gpr[RAX], "case %u", i);
        cr_expect_eq(FL_ZF | FL_OF, status(), "case %u", i);
    }
}
