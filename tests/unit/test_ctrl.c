/* test_ctrl.c - control transfer (cpu/ops_ctrl.c): near branches and their
 * operand-size truncation, CALL/RET fault ordering as probed on an Intel
 * host, LOOP/JrCXZ counters by address size, far transfers in real mode,
 * INT/INT3/INTO, BOUND, HLT and the CLI/STI privilege rules.
 */
#include <string.h>
#include <criterion/criterion.h>
#include "tests/unit/harness.h"
#include "cpu/ops.h"
#include "cpu/system.h"

static struct th t;
static struct cpu *const cpu = &t.cpu;

static void start(enum dmode mode, const uint8_t *code, size_t n) { th_start(&t, mode, code, n); }

static void teardown(void) { th_free(&t); }

static uint64_t peek(uint64_t phys, unsigned n) { return th_peek(&t, phys, n); }

static void poke(uint64_t phys, unsigned n, uint64_t v) { th_poke(&t, phys, n, v); }

static void set_cpl3(void)
{
    th_set_cpl(&t, 3);
}

TestSuite(ctrl, .fini = teardown);

/* ---- near branches ---------------------------------------------------------- */

Test(ctrl, jz_is_taken_when_ZF_is_set_and_falls_through_when_clear)
{
    static const uint8_t code[] = { 0x74, 0x10 };           /* jz +0x10 */
    start(DM_32, code, sizeof code);
    cpu_set_flags(cpu, FL_ZF);
    th_run(&t, 1);
    cr_expect_eq(TH_CODE + 0x12, cpu->rip);
    cpu->rip = TH_CODE;
    cpu_set_flags(cpu, 0);
    th_run(&t, 1);
    cr_expect_eq(TH_CODE + 2, cpu->rip);
}

Test(ctrl, jmp_rel16_in_32bit_mode_truncates_eip_to_16_bits)
{
    static const uint8_t code[] = { 0x66, 0xE9, 0x00, 0xF0 };   /* jmp word +0xF000 */
    start(DM_32, code, sizeof code);
    th_run(&t, 1);
    cr_expect_eq((TH_CODE + 4 + 0xF000) & 0xFFFF, cpu->rip);
}

Test(ctrl, jmp_past_the_cs_limit_raises_GP_at_the_jump)
{
    static const uint8_t code[] = { 0xE9, 0x00, 0x00, 0x01, 0x00 };  /* jmp +0x10000 */
    start(DM_32, code, sizeof code);
    cpu->seg[SEG_CS].limit = 0xFFFF;
    cr_assert_eq(th_run(&t, 1), EXIT_EXCEPTION);
    cr_expect_eq(EXC_GP, cpu->exc_vector);
    cr_expect_eq(0, cpu->exc_error);
    cr_expect_eq(TH_CODE, cpu->rip);
}

Test(ctrl, call_rel32_pushes_the_return_address_and_jumps)
{
    static const uint8_t code[] = { 0xE8, 0x10, 0x00, 0x00, 0x00 };  /* call +0x10 */
    start(DM_32, code, sizeof code);
    th_run(&t, 1);
    cr_expect_eq(TH_CODE + 0x15, cpu->rip);
    cr_expect_eq(TH_STACK - 4, cpu->gpr[RSP]);
    cr_expect_eq(TH_CODE + 5, peek(TH_STACK - 4, 4));
}

Test(ctrl, call_to_a_noncanonical_target_raises_GP_with_rsp_unchanged_and_the_slot_written)
{
    static const uint8_t code[] = { 0xFF, 0xD0 };           /* call rax */
    start(DM_64, code, sizeof code);
    cpu->gpr[RAX] = 0x8000000000000000ull;
    cr_assert_eq(th_run(&t, 1), EXIT_EXCEPTION);
    cr_expect_eq(EXC_GP, cpu->exc_vector);
    cr_expect_eq(TH_CODE, cpu->rip);
    cr_expect_eq(TH_STACK, cpu->gpr[RSP]);
    cr_expect_eq(TH_CODE + 2, peek(TH_STACK - 8, 8));       /* as the host leaves it */
}

Test(ctrl, call_through_rsp_reads_the_target_before_pushing)
{
    static const uint8_t code[] = { 0xFF, 0x14, 0x24 };     /* call [rsp] */
    start(DM_64, code, sizeof code);
    poke(TH_STACK, 8, 0x2000);
    th_run(&t, 1);
    cr_expect_eq(0x2000, cpu->rip);
    cr_expect_eq(TH_STACK - 8, cpu->gpr[RSP]);
    cr_expect_eq(TH_CODE + 3, peek(TH_STACK - 8, 8));
}

Test(ctrl, ret_to_a_noncanonical_target_raises_GP_with_rsp_unchanged)
{
    static const uint8_t code[] = { 0xC3 };                 /* ret */
    start(DM_64, code, sizeof code);
    poke(TH_STACK, 8, 0x8000000000000000ull);
    cr_assert_eq(th_run(&t, 1), EXIT_EXCEPTION);
    cr_expect_eq(EXC_GP, cpu->exc_vector);
    cr_expect_eq(TH_STACK, cpu->gpr[RSP]);
    cr_expect_eq(TH_CODE, cpu->rip);
}

Test(ctrl, ret_imm16_releases_the_bytes_after_popping)
{
    static const uint8_t code[] = { 0xC2, 0x08, 0x00 };     /* ret 8 */
    start(DM_32, code, sizeof code);
    poke(TH_STACK, 4, 0x2000);
    th_run(&t, 1);
    cr_expect_eq(0x2000, cpu->rip);
    cr_expect_eq(TH_STACK + 4 + 8, cpu->gpr[RSP]);
}

/* ---- LOOP and JrCXZ ----------------------------------------------------------- */

Test(ctrl, loop_in_real_mode_wraps_cx_from_zero_and_keeps_ecx_upper_half)
{
    static const uint8_t code[] = { 0xE2, 0xFE };           /* loop $ */
    start(DM_16, code, sizeof code);
    cpu->gpr[RCX] = 0x00050000;
    th_run(&t, 1);
    cr_expect_eq(0x0005FFFF, cpu->gpr[RCX]);
    cr_expect_eq(TH_CODE, cpu->rip);                        /* taken */
}

Test(ctrl, loop_with_a32_in_64bit_mode_counts_ecx_and_zero_extends_rcx)
{
    static const uint8_t code[] = { 0x67, 0xE2, 0x10 };     /* loop +0x10 (ecx) */
    start(DM_64, code, sizeof code);
    cpu->gpr[RCX] = 0xFFFFFFFF00000001ull;
    th_run(&t, 1);
    cr_expect_eq(0, cpu->gpr[RCX]);
    cr_expect_eq(TH_CODE + 3, cpu->rip);                    /* ECX reached 0 */
}

Test(ctrl, loope_falls_through_when_ZF_is_clear_but_still_counts)
{
    static const uint8_t code[] = { 0xE1, 0xFE };           /* loope $ */
    start(DM_32, code, sizeof code);
    cpu->gpr[RCX] = 5;
    cpu_set_flags(cpu, 0);
    th_run(&t, 1);
    cr_expect_eq(4, cpu->gpr[RCX]);
    cr_expect_eq(TH_CODE + 2, cpu->rip);
}

Test(ctrl, loopne_is_taken_while_ZF_is_clear)
{
    static const uint8_t code[] = { 0xE0, 0xFE };           /* loopne $ */
    start(DM_32, code, sizeof code);
    cpu->gpr[RCX] = 5;
    cpu_set_flags(cpu, 0);
    th_run(&t, 1);
    cr_expect_eq(4, cpu->gpr[RCX]);
    cr_expect_eq(TH_CODE, cpu->rip);
}

Test(ctrl, jecxz_under_a32_in_64bit_mode_ignores_the_upper_half_of_rcx)
{
    static const uint8_t code[] = { 0x67, 0xE3, 0x10 };     /* jecxz +0x10 */
    start(DM_64, code, sizeof code);
    cpu->gpr[RCX] = 0x100000000ull;
    th_run(&t, 1);
    cr_expect_eq(TH_CODE + 0x13, cpu->rip);
}

Test(ctrl, jrcxz_falls_through_when_only_the_upper_half_of_rcx_is_set)
{
    static const uint8_t code[] = { 0xE3, 0x10 };           /* jrcxz +0x10 */
    start(DM_64, code, sizeof code);
    cpu->gpr[RCX] = 0x100000000ull;
    th_run(&t, 1);
    cr_expect_eq(TH_CODE + 2, cpu->rip);
}

/* ---- far transfers (real mode) ------------------------------------------------- */

Test(ctrl, jmp_far_immediate_in_real_mode_loads_cs_and_ip)
{
    static const uint8_t code[] = { 0xEA, 0x34, 0x12, 0x00, 0x02 };  /* jmp 0200:1234 */
    start(DM_16, code, sizeof code);
    th_run(&t, 1);
    cr_expect_eq(0x0200, cpu->seg[SEG_CS].sel);
    cr_expect_eq(0x1234, cpu->rip);
}

Test(ctrl, call_far_indirect_in_real_mode_reads_offset_then_selector)
{
    static const uint8_t code[] = { 0xFF, 0x1E, 0x00, 0x40 };   /* call far [0x4000] */
    start(DM_16, code, sizeof code);
    poke(TH_DATA, 2, 0x0010);
    poke(TH_DATA + 2, 2, 0x0300);
    th_run(&t, 1);
    cr_expect_eq(0x0300, cpu->seg[SEG_CS].sel);
    cr_expect_eq(0x0010, cpu->rip);
    cr_expect_eq(TH_CODE + 4, peek(TH_STACK - 4, 2));       /* return IP */
    cr_expect_eq(0x0000, peek(TH_STACK - 2, 2));            /* return CS */
}

Test(ctrl, retf_imm16_in_real_mode_pops_ip_cs_and_releases_the_bytes)
{
    static const uint8_t code[] = { 0xCA, 0x04, 0x00 };     /* retf 4 */
    start(DM_16, code, sizeof code);
    poke(TH_STACK, 2, 0x0020);
    poke(TH_STACK + 2, 2, 0x0400);
    th_run(&t, 1);
    cr_expect_eq(0x0400, cpu->seg[SEG_CS].sel);
    cr_expect_eq(0x0020, cpu->rip);
    cr_expect_eq(TH_STACK + 8, cpu->gpr[RSP]);
}

/* ---- interrupts and BOUND -------------------------------------------------------- */

Test(ctrl, int3_raises_vector_3_as_a_trap_after_the_instruction)
{
    static const uint8_t code[] = { 0xCC };                 /* int3 */
    start(DM_16, code, sizeof code);
    cr_assert_eq(th_run(&t, 1), EXIT_EXCEPTION);
    cr_expect_eq(EXC_BP, cpu->exc_vector);
    cr_expect_eq(INT_BREAKPOINT, cpu->exc_source);
    cr_expect_eq(TH_CODE + 1, cpu->rip);
}

Test(ctrl, int_imm8_raises_its_vector_as_a_software_interrupt)
{
    static const uint8_t code[] = { 0xCD, 0x21 };           /* int 0x21 */
    start(DM_16, code, sizeof code);
    cr_assert_eq(th_run(&t, 1), EXIT_EXCEPTION);
    cr_expect_eq(0x21, cpu->exc_vector);
    cr_expect_eq(INT_SOFTWARE, cpu->exc_source);
}

Test(ctrl, into_raises_vector_4_only_when_OF_is_set)
{
    static const uint8_t code[] = { 0xCE, 0xCE };           /* into; into */
    start(DM_32, code, sizeof code);
    cpu_set_flags(cpu, 0);
    cr_expect_eq(EXIT_BUDGET, th_run(&t, 1));
    cpu_set_flags(cpu, FL_OF);
    cr_assert_eq(th_run(&t, 1), EXIT_EXCEPTION);
    cr_expect_eq(EXC_OF, cpu->exc_vector);
    cr_expect_eq(INT_OVERFLOW, cpu->exc_source);
}

Test(ctrl, bound_above_the_upper_bound_raises_BR_as_a_fault)
{
    static const uint8_t code[] = { 0x62, 0x05, 0x00, 0x40, 0x00, 0x00 };  /* bound eax, [0x4000] */
    start(DM_32, code, sizeof code);
    poke(TH_DATA, 4, 10);
    poke(TH_DATA + 4, 4, 20);
    cpu->gpr[RAX] = 21;
    cr_assert_eq(th_run(&t, 1), EXIT_EXCEPTION);
    cr_expect_eq(EXC_BR, cpu->exc_vector);
    cr_expect_eq(TH_CODE, cpu->rip);
}

Test(ctrl, bound_compares_signed_so_minus_one_is_inside_minus_five_to_five)
{
    /* bound ax, [0x4000] */
    static const uint8_t code[] = { 0x66, 0x62, 0x05, 0x00, 0x40, 0x00, 0x00 };
    start(DM_32, code, sizeof code);
    poke(TH_DATA, 2, (uint16_t)-5);
    poke(TH_DATA + 2, 2, 5);
    cpu->gpr[RAX] = 0xFFFF;
    cr_expect_eq(EXIT_BUDGET, th_run(&t, 1));
    cr_expect_eq(TH_CODE + 7, cpu->rip);
}

/* ---- HLT, CLI, STI ------------------------------------------------------------------ */

Test(ctrl, hlt_at_cpl0_halts_the_processor)
{
    static const uint8_t code[] = { 0xF4 };                 /* hlt */
    start(DM_32, code, sizeof code);
    cr_expect_eq(EXIT_HALT, th_run(&t, 10));
    cr_expect(cpu->halted);
    cr_expect_eq(TH_CODE + 1, cpu->rip);
}

Test(ctrl, hlt_at_cpl3_raises_GP0)
{
    static const uint8_t code[] = { 0xF4 };                 /* hlt */
    start(DM_32, code, sizeof code);
    set_cpl3();
    cr_assert_eq(th_run(&t, 1), EXIT_EXCEPTION);
    cr_expect_eq(EXC_GP, cpu->exc_vector);
    cr_expect_eq(0, cpu->exc_error);
    cr_expect_not(cpu->halted);
}

Test(ctrl, cli_at_cpl3_with_iopl0_raises_GP0_and_leaves_IF)
{
    static const uint8_t code[] = { 0xFA };                 /* cli */
    start(DM_32, code, sizeof code);
    set_cpl3();
    cpu_set_flags(cpu, FL_IF);
    cr_assert_eq(th_run(&t, 1), EXIT_EXCEPTION);
    cr_expect_eq(EXC_GP, cpu->exc_vector);
    cr_expect_eq(FL_1 | FL_IF, th_flags(&t));
}

Test(ctrl, cli_at_cpl3_with_iopl3_clears_IF)
{
    static const uint8_t code[] = { 0xFA };                 /* cli */
    start(DM_32, code, sizeof code);
    set_cpl3();
    cpu_set_flags(cpu, FL_IF | FL_IOPL);
    cr_expect_eq(EXIT_BUDGET, th_run(&t, 1));
    cr_expect_eq(FL_1 | FL_IOPL, th_flags(&t));
}

Test(ctrl, sti_shields_the_next_instruction_only_when_IF_was_clear)
{
    static const uint8_t code[] = { 0xFB, 0xFB };           /* sti; sti */
    start(DM_16, code, sizeof code);
    cpu_set_flags(cpu, 0);
    th_run(&t, 1);
    cr_expect(th_flags(&t) & FL_IF);
    cr_expect_eq(SHADOW_STI, cpu->interrupt_shadow);
    cpu->interrupt_shadow = 0;
    th_run(&t, 1);
    cr_expect_eq(0, cpu->interrupt_shadow);
}
