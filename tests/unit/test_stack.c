/* test_stack.c - PUSH/POP, PUSHA/POPA, PUSHF/POPF, ENTER and LEAVE
 * (cpu/ops_stack.c): stack-pointer wrap at the stack size, the rSP-based
 * operand rules of PUSH/POP, segment-register push width, POPF privilege
 * rules, ENTER's nesting and 16-bit-stack behaviour as probed on an Intel host.
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

/* Protected mode with a 16-bit stack segment (SS.B = 0). */
static void use_16bit_stack(void)
{
    cpu->seg[SEG_SS].attr &= (uint16_t)~SA_DB;
    cpu_update_mode(cpu);
}

TestSuite(stack, .fini = teardown);

/* ---- PUSH and POP ------------------------------------------------------ */

Test(stack, push16_in_real_mode_wraps_sp_at_zero_and_keeps_esp_upper_half)
{
    static const uint8_t code[] = { 0x50 };                 /* push ax */
    start(DM_16, code, sizeof code);
    cpu->gpr[RSP] = 0x00120000;
    cpu->gpr[RAX] = 0x1234;
    cr_assert_eq(th_run(&t, 1), EXIT_BUDGET);
    cr_expect_eq(0x0012FFFE, cpu->gpr[RSP]);
    cr_expect_eq(0x1234, peek(0xFFFE, 2));
}

Test(stack, pop16_in_real_mode_wraps_sp_past_ffff)
{
    static const uint8_t code[] = { 0x5B };                 /* pop bx */
    start(DM_16, code, sizeof code);
    cpu->gpr[RSP] = 0xFFFE;
    poke(0xFFFE, 2, 0xBEEF);
    th_run(&t, 1);
    cr_expect_eq(0x0000, cpu->gpr[RSP]);
    cr_expect_eq(0xBEEF, cpu->gpr[RBX]);
}

Test(stack, push_rsp_in_64bit_mode_pushes_the_value_before_the_decrement)
{
    static const uint8_t code[] = { 0x54 };                 /* push rsp */
    start(DM_64, code, sizeof code);
    th_run(&t, 1);
    cr_expect_eq(TH_STACK - 8, cpu->gpr[RSP]);
    cr_expect_eq(TH_STACK, peek(TH_STACK - 8, 8));
}

Test(stack, pop_rsp_in_64bit_mode_loads_the_popped_value)
{
    static const uint8_t code[] = { 0x5C };                 /* pop rsp */
    start(DM_64, code, sizeof code);
    poke(TH_STACK, 8, 0x5000);
    th_run(&t, 1);
    cr_expect_eq(0x5000, cpu->gpr[RSP]);
}

Test(stack, pop_to_rsp_based_memory_addresses_through_the_incremented_rsp)
{
    static const uint8_t code[] = { 0x8F, 0x04, 0x24 };     /* pop qword [rsp] */
    start(DM_64, code, sizeof code);
    poke(TH_STACK, 8, 0xAAAA);
    poke(TH_STACK + 8, 8, 0xBBBB);
    th_run(&t, 1);
    cr_expect_eq(TH_STACK + 8, cpu->gpr[RSP]);
    cr_expect_eq(0xAAAA, peek(TH_STACK + 8, 8));
}

Test(stack, push_of_rsp_based_memory_reads_through_the_old_rsp)
{
    static const uint8_t code[] = { 0xFF, 0x74, 0x24, 0x08 };   /* push qword [rsp+8] */
    start(DM_64, code, sizeof code);
    poke(TH_STACK + 8, 8, 0xCAFE);
    poke(TH_STACK, 8, 0x1111);
    th_run(&t, 1);
    cr_expect_eq(TH_STACK - 8, cpu->gpr[RSP]);
    cr_expect_eq(0xCAFE, peek(TH_STACK - 8, 8));
}

Test(stack, push_imm8_with_o16_in_64bit_mode_pushes_a_word)
{
    static const uint8_t code[] = { 0x66, 0x6A, 0xFF };     /* push word -1 */
    start(DM_64, code, sizeof code);
    poke(TH_STACK - 8, 8, 0);
    th_run(&t, 1);
    cr_expect_eq(TH_STACK - 2, cpu->gpr[RSP]);
    cr_expect_eq(0xFFFF000000000000ull, peek(TH_STACK - 8, 8));
}

/* ---- segment registers -------------------------------------------------- */

Test(stack, push_fs_with_o32_in_32bit_mode_writes_only_the_selector_word)
{
    static const uint8_t code[] = { 0x0F, 0xA0 };           /* push fs */
    start(DM_32, code, sizeof code);
    poke(TH_STACK - 4, 4, 0xFFFFFFFF);
    th_run(&t, 1);
    cr_expect_eq(TH_STACK - 4, cpu->gpr[RSP]);
    cr_expect_eq(0xFFFF0000u | cpu->seg[SEG_FS].sel, peek(TH_STACK - 4, 4));
}

Test(stack, push_fs_in_64bit_mode_writes_the_zero_extended_quadword)
{
    static const uint8_t code[] = { 0x0F, 0xA0 };           /* push fs */
    start(DM_64, code, sizeof code);
    poke(TH_STACK - 8, 8, ~0ull);
    th_run(&t, 1);
    cr_expect_eq(TH_STACK - 8, cpu->gpr[RSP]);
    cr_expect_eq(cpu->seg[SEG_FS].sel, peek(TH_STACK - 8, 8));
}

Test(stack, pop_ss_in_real_mode_loads_ss_and_shields_the_next_instruction)
{
    static const uint8_t code[] = { 0x17 };                 /* pop ss */
    start(DM_16, code, sizeof code);
    poke(TH_STACK, 2, 0x0100);
    th_run(&t, 1);
    cr_expect_eq(0x0100, cpu->seg[SEG_SS].sel);
    cr_expect_eq(0x1000, cpu->seg[SEG_SS].base);
    cr_expect_eq(TH_STACK + 2, cpu->gpr[RSP]);
    cr_expect_eq(SHADOW_MOV_SS, cpu->interrupt_shadow);
}

/* ---- PUSHA and POPA ------------------------------------------------------ */

Test(stack, pusha_stores_the_original_sp_and_popa_skips_it)
{
    static const uint8_t code[] = { 0x60, 0x61 };           /* pusha; popa */
    start(DM_16, code, sizeof code);
    for (int r = RAX; r <= RDI; r++)
        if (r != RSP) cpu->gpr[r] = 0x1100 + r;
    th_run(&t, 1);
    cr_expect_eq(TH_STACK - 16, cpu->gpr[RSP]);
    cr_expect_eq(0x1100, peek(TH_STACK - 2, 2));            /* AX first */
    cr_expect_eq(TH_STACK, peek(TH_STACK - 10, 2));         /* SP as it was */
    cr_expect_eq(0x1107, peek(TH_STACK - 16, 2));           /* DI last */
    poke(TH_STACK - 10, 2, 0x1234);
    for (int r = RAX; r <= RDI; r++)
        if (r != RSP) cpu->gpr[r] = 0;
    th_run(&t, 1);
    cr_expect_eq(TH_STACK, cpu->gpr[RSP]);
    cr_expect_eq(0x1103, cpu->gpr[RBX]);
    cr_expect_eq(0x1107, cpu->gpr[RDI]);
}

/* ---- PUSHF and POPF ------------------------------------------------------- */

Test(stack, pushf_stores_the_image_with_rf_clear)
{
    static const uint8_t code[] = { 0x9C };                 /* pushfd */
    start(DM_32, code, sizeof code);
    cpu_set_flags(cpu, FL_RF | FL_CF | FL_DF);
    th_run(&t, 1);
    cr_expect_eq(FL_1 | FL_CF | FL_DF, peek(TH_STACK - 4, 4));
}

Test(stack, popf_at_cpl0_sets_iopl_and_if_clears_rf_and_keeps_vip_vif_and_reserved_bits)
{
    static const uint8_t code[] = { 0x9D };                 /* popfd */
    start(DM_32, code, sizeof code);
    cpu_set_flags(cpu, FL_RF | FL_VIF);
    poke(TH_STACK, 4, FL_IOPL | FL_IF | FL_CF | FL_AC | FL_ID | FL_VIP | FL_VM |
                      (1u << 3) | (1u << 5) | (1u << 15));
    th_run(&t, 1);
    cr_expect_eq(FL_1 | FL_IOPL | FL_IF | FL_CF | FL_AC | FL_ID | FL_VIF, th_flags(&t));
    cr_expect_eq(TH_STACK + 4, cpu->gpr[RSP]);
}

Test(stack, popf_at_cpl3_keeps_iopl_and_if_but_changes_the_rest)
{
    static const uint8_t code[] = { 0x9D };                 /* popfd */
    start(DM_32, code, sizeof code);
    th_set_cpl(&t, 3);
    poke(TH_STACK, 4, FL_IOPL | FL_IF | FL_CF | FL_NT | FL_AC);
    th_run(&t, 1);
    cr_expect_eq(FL_1 | FL_CF | FL_NT | FL_AC, th_flags(&t));
}

Test(stack, popf_at_cpl3_with_iopl3_changes_if_but_not_iopl)
{
    static const uint8_t code[] = { 0x9D };                 /* popfd */
    start(DM_32, code, sizeof code);
    th_set_cpl(&t, 3);
    cpu_set_flags(cpu, FL_IOPL);
    poke(TH_STACK, 4, FL_IF);
    th_run(&t, 1);
    cr_expect_eq(FL_1 | FL_IOPL | FL_IF, th_flags(&t));
}

/* (RF, also in the upper word, is cleared when any instruction completes.) */
Test(stack, popf16_changes_only_the_low_word)
{
    static const uint8_t code[] = { 0x66, 0x9D };           /* popf */
    start(DM_32, code, sizeof code);
    cpu_set_flags(cpu, FL_AC | FL_ID | FL_ZF);
    poke(TH_STACK, 2, FL_CF);
    th_run(&t, 1);
    cr_expect_eq(FL_1 | FL_AC | FL_ID | FL_CF, th_flags(&t));
    cr_expect_eq(TH_STACK + 2, cpu->gpr[RSP]);
}

/* ---- ENTER and LEAVE ------------------------------------------------------- */

Test(stack, enter_with_level_3_copies_two_outer_frame_pointers_then_pushes_the_new_one)
{
    static const uint8_t code[] = { 0xC8, 0x10, 0x00, 0x03 };   /* enter 16, 3 */
    start(DM_32, code, sizeof code);
    cpu->gpr[RBP] = 0x9100;
    poke(0x90FC, 4, 0x1111);
    poke(0x90F8, 4, 0x2222);
    th_run(&t, 1);
    cr_expect_eq(0x9100, peek(0x8FFC, 4));                  /* old EBP */
    cr_expect_eq(0x1111, peek(0x8FF8, 4));
    cr_expect_eq(0x2222, peek(0x8FF4, 4));
    cr_expect_eq(0x8FFC, peek(0x8FF0, 4));                  /* this frame */
    cr_expect_eq(0x8FFC, cpu->gpr[RBP]);
    cr_expect_eq(0x8FF0 - 16, cpu->gpr[RSP]);
}

Test(stack, enter_takes_the_nesting_level_modulo_32)
{
    static const uint8_t code[] = { 0xC8, 0x00, 0x00, 0x21 };   /* enter 0, 33 */
    start(DM_32, code, sizeof code);
    cpu->gpr[RBP] = 0x9100;
    th_run(&t, 1);
    cr_expect_eq(TH_STACK - 8, cpu->gpr[RSP]);              /* as level 1: EBP, frame */
    cr_expect_eq(TH_STACK - 4, peek(TH_STACK - 8, 4));
}

Test(stack, enter_o32_on_a_16bit_stack_uses_all_of_esp_as_the_frame_pointer)
{
    static const uint8_t code[] = { 0xC8, 0x08, 0x00, 0x02 };   /* enter 8, 2 */
    start(DM_32, code, sizeof code);
    use_16bit_stack();
    cpu->gpr[RSP] = 0xABCD0100;
    cpu->gpr[RBP] = 0x12340200;
    poke(0x01FC, 4, 0x33331111);
    th_run(&t, 1);
    cr_expect_eq(0x12340200, peek(0x00FC, 4));
    cr_expect_eq(0x33331111, peek(0x00F8, 4));              /* read through BP-4 */
    cr_expect_eq(0xABCD00FC, peek(0x00F4, 4));
    cr_expect_eq(0xABCD00FC, cpu->gpr[RBP]);
    cr_expect_eq(0xABCD00EC, cpu->gpr[RSP]);
}

Test(stack, enter_whose_frame_leaves_the_stack_segment_faults_with_esp_unchanged)
{
    static const uint8_t code[] = { 0xC8, 0x00, 0x02, 0x00 };   /* enter 0x200, 0 */
    start(DM_32, code, sizeof code);
    cpu->seg[SEG_SS].attr |= SA_EXPDOWN_OR_CONFORMING;      /* valid: above the limit */
    cpu->seg[SEG_SS].limit = 0x8F00;
    cpu_update_mode(cpu);
    cpu->gpr[RBP] = 0x5555;
    cr_assert_eq(th_run(&t, 1), EXIT_EXCEPTION);
    cr_expect_eq(EXC_SS, cpu->exc_vector);
    cr_expect_eq(TH_STACK, cpu->gpr[RSP]);
    cr_expect_eq(0x5555, cpu->gpr[RBP]);
    cr_expect_eq(TH_CODE, cpu->rip);
}

Test(stack, leave_on_a_16bit_stack_keeps_the_upper_half_of_esp)
{
    static const uint8_t code[] = { 0xC9 };                 /* leave */
    start(DM_32, code, sizeof code);
    use_16bit_stack();
    cpu->gpr[RSP] = 0xABCD0100;
    cpu->gpr[RBP] = 0x56780300;
    poke(0x0300, 4, 0x11223344);
    th_run(&t, 1);
    cr_expect_eq(0xABCD0304, cpu->gpr[RSP]);
    cr_expect_eq(0x11223344, cpu->gpr[RBP]);
}
