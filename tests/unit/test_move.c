/* test_move.c - data movement (cpu/ops_move.c): register-width rules of MOV,
 * MOVZX/MOVSX/MOVSXD and LEA, segment-register moves, far-pointer loads,
 * NOP versus XCHG, BSWAP/XLAT/MOVBE, and the exchanges CMPXCHG, CMPXCHG8B/16B
 * and XADD with the results an Intel host gives where the SDM is silent.
 */
#include <string.h>
#include <criterion/criterion.h>
#include "tests/unit/harness.h"
#include "cpu/ops.h"

static struct th t;
static struct cpu *const cpu = &t.cpu;

static void start(enum dmode mode, const uint8_t *code, size_t n) { th_start(&t, mode, code, n); }

static void teardown(void) { th_free(&t); }

static uint64_t peek(uint64_t phys, unsigned n) { return th_peek(&t, phys, n); }

static void poke(uint64_t phys, unsigned n, uint64_t v) { th_poke(&t, phys, n, v); }

TestSuite(move, .fini = teardown);

/* ---- MOV ---------------------------------------------------------------------- */

Test(move, mov32_to_a_register_in_64bit_mode_zero_extends)
{
    static const uint8_t code[] = { 0x89, 0xC8 };           /* mov eax, ecx */
    start(DM_64, code, sizeof code);
    cpu->gpr[RAX] = ~0ull;
    cpu->gpr[RCX] = 0xAAAAAAAA12345678ull;
    th_run(&t, 1);
    cr_expect_eq(0x12345678, cpu->gpr[RAX]);
}

Test(move, mov8_to_ah_changes_only_bits_8_to_15)
{
    static const uint8_t code[] = { 0x88, 0xCC };           /* mov ah, cl */
    start(DM_32, code, sizeof code);
    cpu->gpr[RAX] = 0x11223344;
    cpu->gpr[RCX] = 0x99;
    th_run(&t, 1);
    cr_expect_eq(0x11229944, cpu->gpr[RAX]);
}

Test(move, mov_imm32_with_rex_w_sign_extends_to_64_bits)
{
    /* mov rax, -2^31 */
    static const uint8_t code[] = { 0x48, 0xC7, 0xC0, 0x00, 0x00, 0x00, 0x80 };
    start(DM_64, code, sizeof code);
    th_run(&t, 1);
    cr_expect_eq(0xFFFFFFFF80000000ull, cpu->gpr[RAX]);
}

Test(move, mov_rax_from_a_64bit_moffs_reads_that_absolute_address)
{
    /* mov rax, [0x4000] */
    static const uint8_t code[] = { 0x48, 0xA1, 0x00, 0x40, 0, 0, 0, 0, 0, 0 };
    start(DM_64, code, sizeof code);
    poke(TH_DATA, 8, 0x0123456789ABCDEFull);
    th_run(&t, 1);
    cr_expect_eq(0x0123456789ABCDEFull, cpu->gpr[RAX]);
    cr_expect_eq(TH_CODE + sizeof code, cpu->rip);
}

/* ---- segment registers and far pointers ------------------------------------------- */

Test(move, mov_from_sreg_zero_extends_into_r32_and_merges_into_r16)
{
    static const uint8_t code[] = { 0x8C, 0xD8, 0x66, 0x8C, 0xD9 };  /* mov eax, ds; mov cx, ds */
    start(DM_32, code, sizeof code);
    cpu->gpr[RAX] = 0xFFFFFFFF;
    cpu->gpr[RCX] = 0xFFFFFFFF;
    th_run(&t, 2);
    cr_expect_eq(cpu->seg[SEG_DS].sel, cpu->gpr[RAX]);
    cr_expect_eq(0xFFFF0000u | cpu->seg[SEG_DS].sel, cpu->gpr[RCX]);
}

Test(move, mov_from_sreg_to_memory_stores_16_bits_even_with_o32)
{
    static const uint8_t code[] = { 0x8C, 0x1D, 0x00, 0x40, 0x00, 0x00 };  /* mov [0x4000], ds */
    start(DM_32, code, sizeof code);
    poke(TH_DATA, 4, 0xFFFFFFFF);
    th_run(&t, 1);
    cr_expect_eq(0xFFFF0000u | cpu->seg[SEG_DS].sel, peek(TH_DATA, 4));
}

Test(move, mov_ss_in_real_mode_loads_ss_and_shields_the_next_instruction)
{
    static const uint8_t code[] = { 0x8E, 0xD0 };           /* mov ss, ax */
    start(DM_16, code, sizeof code);
    cpu->gpr[RAX] = 0x0200;
    th_run(&t, 1);
    cr_expect_eq(0x0200, cpu->seg[SEG_SS].sel);
    cr_expect_eq(0x2000, cpu->seg[SEG_SS].base);
    cr_expect_eq(SHADOW_MOV_SS, cpu->interrupt_shadow);
}

Test(move, mov_to_cs_raises_UD)
{
    static const uint8_t code[] = { 0x8E, 0xC8 };           /* mov cs, ax */
    start(DM_16, code, sizeof code);
    cr_assert_eq(th_run(&t, 1), EXIT_EXCEPTION);
    cr_expect_eq(EXC_UD, cpu->exc_vector);
}

Test(move, lds_in_real_mode_loads_the_offset_then_the_selector_after_it)
{
    static const uint8_t code[] = { 0xC5, 0x36, 0x00, 0x40 };   /* lds si, [0x4000] */
    start(DM_16, code, sizeof code);
    poke(TH_DATA, 2, 0x1234);
    poke(TH_DATA + 2, 2, 0x0500);
    th_run(&t, 1);
    cr_expect_eq(0x1234, cpu->gpr[RSI]);
    cr_expect_eq(0x0500, cpu->seg[SEG_DS].sel);
    cr_expect_eq(0x5000, cpu->seg[SEG_DS].base);
}

/* ---- extensions and LEA -------------------------------------------------------------- */

Test(move, movsx_sign_extends_a_byte_and_movzx_r16_merges)
{
    static const uint8_t code[] = { 0x0F, 0xBE, 0xC1,         /* movsx eax, cl */
                                    0x66, 0x0F, 0xB6, 0xD1 }; /* movzx dx, cl */
    start(DM_32, code, sizeof code);
    cpu->gpr[RCX] = 0x80;
    cpu->gpr[RDX] = 0xAAAAAAAA;
    th_run(&t, 2);
    cr_expect_eq(0xFFFFFF80, cpu->gpr[RAX]);
    cr_expect_eq(0xAAAA0080, cpu->gpr[RDX]);
}

Test(move, movsxd_with_rex_w_sign_extends_and_with_o16_merges_the_low_word)
{
    static const uint8_t code[] = { 0x48, 0x63, 0xC1,         /* movsxd rax, ecx */
                                    0x66, 0x63, 0xD1 };       /* movsxd dx, cx */
    start(DM_64, code, sizeof code);
    cpu->gpr[RCX] = 0x80001234;
    cpu->gpr[RDX] = 0x5555555555555555ull;
    th_run(&t, 2);
    cr_expect_eq(0xFFFFFFFF80001234ull, cpu->gpr[RAX]);
    cr_expect_eq(0x5555555555551234ull, cpu->gpr[RDX]);
}

Test(move, lea_with_a16_wraps_the_address_and_zero_extends_it_to_o32)
{
    static const uint8_t code[] = { 0x67, 0x8D, 0x40, 0xFF };   /* lea eax, [bx+si-1] */
    start(DM_32, code, sizeof code);
    cpu->gpr[RBX] = 0x10000;                                 /* only BX counts */
    cpu->gpr[RSI] = 0;
    th_run(&t, 1);
    cr_expect_eq(0xFFFF, cpu->gpr[RAX]);
}

/* ---- NOP, XCHG, BSWAP, XLAT, MOVBE ---------------------------------------------------- */

Test(move, nop_90_in_64bit_mode_leaves_the_upper_half_of_rax)
{
    static const uint8_t code[] = { 0x90, 0xF3, 0x90 };      /* nop; pause */
    start(DM_64, code, sizeof code);
    cpu->gpr[RAX] = 0xAAAAAAAA00000005ull;
    th_run(&t, 2);
    cr_expect_eq(0xAAAAAAAA00000005ull, cpu->gpr[RAX]);
}

Test(move, xchg_r8d_eax_via_rex_b_90_exchanges_and_zero_extends_both)
{
    static const uint8_t code[] = { 0x41, 0x90 };           /* xchg r8d, eax */
    start(DM_64, code, sizeof code);
    cpu->gpr[RAX] = 0xAAAAAAAA00000005ull;
    cpu->gpr[R8] = 0x8888888800000008ull;
    th_run(&t, 1);
    cr_expect_eq(8, cpu->gpr[RAX]);
    cr_expect_eq(5, cpu->gpr[R8]);
}

Test(move, xchg_with_memory_swaps_register_and_memory)
{
    static const uint8_t code[] = { 0x87, 0x05, 0x00, 0x40, 0x00, 0x00 };  /* xchg [0x4000], eax */
    start(DM_32, code, sizeof code);
    poke(TH_DATA, 4, 0x11111111);
    cpu->gpr[RAX] = 0x22222222;
    th_run(&t, 1);
    cr_expect_eq(0x11111111, cpu->gpr[RAX]);
    cr_expect_eq(0x22222222, peek(TH_DATA, 4));
}

Test(move, bswap32_reverses_bytes_and_bswap16_clears_the_low_word_like_intel)
{
    static const uint8_t code[] = { 0x0F, 0xC8,               /* bswap eax */
                                    0x66, 0x0F, 0xC9 };       /* bswap cx */
    start(DM_64, code, sizeof code);
    cpu->gpr[RAX] = 0xFFFFFFFF11223344ull;
    cpu->gpr[RCX] = 0x1122334455667788ull;
    th_run(&t, 2);
    cr_expect_eq(0x44332211, cpu->gpr[RAX]);
    cr_expect_eq(0x1122334455660000ull, cpu->gpr[RCX]);
}

Test(move, xlat_indexes_with_al_zero_extended)
{
    static const uint8_t code[] = { 0xD7 };                 /* xlat */
    start(DM_32, code, sizeof code);
    cpu->gpr[RBX] = TH_DATA;
    cpu->gpr[RAX] = 0x1280;
    poke(TH_DATA + 0x80, 1, 0x5A);
    th_run(&t, 1);
    cr_expect_eq(0x125A, cpu->gpr[RAX]);
}

Test(move, xlat_honours_a_segment_override)
{
    static const uint8_t code[] = { 0x26, 0xD7 };           /* es xlat */
    start(DM_16, code, sizeof code);
    cpu_load_seg_real(cpu, SEG_ES, 0x0100);
    cpu->gpr[RBX] = 0x10;
    cpu->gpr[RAX] = 0x01;
    poke(0x1000 + 0x11, 1, 0x77);
    poke(0x0011, 1, 0x33);
    th_run(&t, 1);
    cr_expect_eq(0x77, cpu->gpr[RAX]);
}

Test(move, movbe_loads_and_stores_byte_reversed)
{
    static const uint8_t code[] = {
        0x0F, 0x38, 0xF0, 0x05, 0x00, 0x40, 0x00, 0x00,         /* movbe eax, [0x4000] */
        0x66, 0x0F, 0x38, 0xF1, 0x0D, 0x10, 0x40, 0x00, 0x00,   /* movbe [0x4010], cx */
    };
    start(DM_32, code, sizeof code);
    poke(TH_DATA, 4, 0x11223344);
    cpu->gpr[RCX] = 0xAABB;
    th_run(&t, 2);
    cr_expect_eq(0x44332211, cpu->gpr[RAX]);
    cr_expect_eq(0xBBAA, peek(TH_DATA + 0x10, 2));
}

/* ---- CMPXCHG, CMPXCHG8B/16B, XADD ------------------------------------------------------ */

Test(move, cmpxchg_equal_stores_the_source_and_sets_ZF)
{
    /* cmpxchg [0x4000], ecx */
    static const uint8_t code[] = { 0x0F, 0xB1, 0x0D, 0x00, 0x40, 0x00, 0x00 };
    start(DM_32, code, sizeof code);
    poke(TH_DATA, 4, 5);
    cpu->gpr[RAX] = 5;
    cpu->gpr[RCX] = 9;
    th_run(&t, 1);
    cr_expect_eq(9, peek(TH_DATA, 4));
    cr_expect_eq(5, cpu->gpr[RAX]);
    cr_expect(th_flags(&t) & FL_ZF);
}

Test(move, cmpxchg_r32_not_equal_loads_eax_and_leaves_the_register_destination_unextended)
{
    static const uint8_t code[] = { 0x0F, 0xB1, 0xCA };     /* cmpxchg edx, ecx */
    start(DM_64, code, sizeof code);
    cpu->gpr[RAX] = 0xAAAAAAAA00000005ull;
    cpu->gpr[RDX] = 0xDDDDDDDD00000006ull;
    cpu->gpr[RCX] = 9;
    th_run(&t, 1);
    cr_expect_eq(6, cpu->gpr[RAX]);
    cr_expect_eq(0xDDDDDDDD00000006ull, cpu->gpr[RDX]);
    cr_expect_not(th_flags(&t) & FL_ZF);
    cr_expect(th_flags(&t) & FL_CF);                         /* CMP 5, 6 borrows */
}

Test(move, cmpxchg_not_equal_still_needs_write_access_to_memory)
{
    /* cmpxchg [0x4000], ecx */
    static const uint8_t code[] = { 0x0F, 0xB1, 0x0D, 0x00, 0x40, 0x00, 0x00 };
    start(DM_32, code, sizeof code);
    cpu->seg[SEG_DS].attr &= (uint16_t)~SA_WRITE_OR_READ;    /* read-only data segment */
    cpu_update_mode(cpu);
    poke(TH_DATA, 4, 7);
    cpu->gpr[RAX] = 5;
    cr_assert_eq(th_run(&t, 1), EXIT_EXCEPTION);
    cr_expect_eq(EXC_GP, cpu->exc_vector);
    cr_expect_eq(5, cpu->gpr[RAX]);
}

Test(move, cmpxchg8b_not_equal_loads_edx_eax_zero_extended_and_clears_ZF)
{
    /* cmpxchg8b [0x4000] */
    static const uint8_t code[] = { 0x0F, 0xC7, 0x0C, 0x25, 0x00, 0x40, 0x00, 0x00 };
    start(DM_64, code, sizeof code);
    poke(TH_DATA, 8, 0x4444444433333333ull);
    cpu->gpr[RAX] = 0xAAAAAAAA22222222ull;
    cpu->gpr[RDX] = 0xDDDDDDDD11111111ull;
    cpu_set_flags(cpu, FL_ZF);
    th_run(&t, 1);
    cr_expect_eq(0x33333333, cpu->gpr[RAX]);
    cr_expect_eq(0x44444444, cpu->gpr[RDX]);
    cr_expect_eq(0x4444444433333333ull, peek(TH_DATA, 8));
    cr_expect_not(th_flags(&t) & FL_ZF);
}

Test(move, cmpxchg16b_equal_stores_rcx_rbx)
{
    /* cmpxchg16b [0x4000] */
    static const uint8_t code[] = { 0x48, 0x0F, 0xC7, 0x0C, 0x25, 0x00, 0x40, 0x00, 0x00 };
    start(DM_64, code, sizeof code);
    poke(TH_DATA, 8, 1);
    poke(TH_DATA + 8, 8, 2);
    cpu->gpr[RAX] = 1;
    cpu->gpr[RDX] = 2;
    cpu->gpr[RBX] = 0xB0B0B0B0B0B0B0B0ull;
    cpu->gpr[RCX] = 0xC0C0C0C0C0C0C0C0ull;
    th_run(&t, 1);
    cr_expect_eq(0xB0B0B0B0B0B0B0B0ull, peek(TH_DATA, 8));
    cr_expect_eq(0xC0C0C0C0C0C0C0C0ull, peek(TH_DATA + 8, 8));
    cr_expect(th_flags(&t) & FL_ZF);
}

Test(move, cmpxchg16b_on_a_misaligned_operand_raises_GP0)
{
    /* cmpxchg16b [0x4008] */
    static const uint8_t code[] = { 0x48, 0x0F, 0xC7, 0x0C, 0x25, 0x08, 0x40, 0x00, 0x00 };
    start(DM_64, code, sizeof code);
    cr_assert_eq(th_run(&t, 1), EXIT_EXCEPTION);
    cr_expect_eq(EXC_GP, cpu->exc_vector);
    cr_expect_eq(0, cpu->exc_error);
}

Test(move, xadd_with_one_register_as_both_operands_leaves_the_sum)
{
    static const uint8_t code[] = { 0x0F, 0xC1, 0xC0 };     /* xadd eax, eax */
    start(DM_64, code, sizeof code);
    cpu->gpr[RAX] = 0xAAAAAAAA00000005ull;
    th_run(&t, 1);
    cr_expect_eq(10, cpu->gpr[RAX]);
}

Test(move, xadd_to_memory_returns_the_old_value_in_the_source)
{
    /* xadd [0x4000], ecx */
    static const uint8_t code[] = { 0x0F, 0xC1, 0x0D, 0x00, 0x40, 0x00, 0x00 };
    start(DM_32, code, sizeof code);
    poke(TH_DATA, 4, 0xFFFFFFFF);
    cpu->gpr[RCX] = 1;
    th_run(&t, 1);
    cr_expect_eq(0, peek(TH_DATA, 4));
    cr_expect_eq(0xFFFFFFFF, cpu->gpr[RCX]);
    cr_expect(th_flags(&t) & FL_CF);
    cr_expect(th_flags(&t) & FL_ZF);
}
