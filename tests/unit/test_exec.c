/* test_exec.c - the dispatch loop and the decode cache (cpu/exec.c): code
 * that rewrites itself or is rewritten by a loader, instructions that cross a
 * page, exact retirement counts around faults and budgets, the CS limit and
 * 16-bit IP wrap, the 15-byte limit, #UD and #NM for undecodable and x87
 * instructions, and HLT.
 */
#include <string.h>
#include <criterion/criterion.h>
#include "tests/unit/harness.h"
#include "mmu/bus.h"

static struct th t;
static struct cpu *const cpu = &t.cpu;

static void start(enum dmode mode, const uint8_t *code, size_t n) { th_start(&t, mode, code, n); }

static void teardown(void) { th_free(&t); }

/* Code somewhere other than TH_CODE, through the bus (as a loader would). */
static void load(uint64_t phys, const uint8_t *bytes, size_t n)
{
    cr_assert_eq(0, bus_load(t.bus, phys, bytes, n));
}

TestSuite(exec, .fini = teardown, .timeout = 5);

/* ---- self-modifying code -------------------------------------------------------- */

Test(exec, store_into_current_block_rewrites_next_instruction)
{
    static const uint8_t code[] = {
        0xC6, 0x05, 0x08, 0x10, 0x00, 0x00, 0x02,   /* 1000: mov byte [0x1008], 2 */
        0xB8, 0x01, 0x00, 0x00, 0x00,               /* 1007: mov eax, 1  (becomes mov eax, 2) */
        0xF4,                                       /* 100C: hlt */
    };
    start(DM_32, code, sizeof code);
    cr_assert_eq(EXIT_HALT, th_run(&t, 10));
    cr_expect_eq(2, cpu->gpr[RAX]);
    cr_expect_eq(3, cpu->instret);
    cr_expect_eq(1, cpu->stats.smc_writes);
    cr_expect_eq(1, cpu->stats.blocks_invalidated);     /* the block being run */
}

Test(exec, store_into_another_decoded_page_drops_only_that_pages_blocks)
{
    static const uint8_t main_code[] = {
        0xE8, 0xFB, 0x0F, 0x00, 0x00,               /* 1000: call 0x2000 */
        0xC6, 0x05, 0x01, 0x20, 0x00, 0x00, 0x02,   /* 1005: mov byte [0x2001], 2 */
        0xE8, 0xEF, 0x0F, 0x00, 0x00,               /* 100C: call 0x2000 */
        0xF4,                                       /* 1011: hlt */
    };
    static const uint8_t sub[] = {
        0xB8, 0x01, 0x00, 0x00, 0x00,               /* 2000: mov eax, 1  (becomes mov eax, 2) */
        0xC3,                                       /* 2005: ret */
    };
    start(DM_32, main_code, sizeof main_code);
    load(0x2000, sub, sizeof sub);
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 3));           /* call, mov eax, ret: 0x2000 decoded */
    cr_expect_eq(1, cpu->gpr[RAX]);
    cr_expect_eq(0, cpu->stats.blocks_invalidated);
    cr_assert_eq(EXIT_HALT, th_run(&t, 10));
    cr_expect_eq(2, cpu->gpr[RAX]);
    cr_expect_eq(1, cpu->stats.blocks_invalidated);     /* the one block of page 0x2000 */
    cr_expect_eq(0x1012, cpu->rip);
}

Test(exec, code_written_by_bus_load_after_decoding_is_decoded_again)
{
    static const uint8_t code[] = {
        0xB8, 0x01, 0x00, 0x00, 0x00,               /* mov eax, 1 */
        0xF4,                                       /* hlt */
    };
    static const uint8_t two[] = { 0x02 };          /* mov eax, 1 -> mov eax, 2 */
    start(DM_32, code, sizeof code);
    cr_assert_eq(EXIT_HALT, th_run(&t, 10));
    cr_expect_eq(1, cpu->gpr[RAX]);
    load(TH_CODE + 1, two, sizeof two);
    cpu->halted = false;
    cpu->rip = TH_CODE;
    cr_assert_eq(EXIT_HALT, th_run(&t, 10));
    cr_expect_eq(2, cpu->gpr[RAX]);
    cr_expect_eq(1, cpu->stats.blocks_invalidated);
}

Test(exec, instruction_crossing_a_page_boundary_executes_whole)
{
    static const uint8_t code[] = {
        0xB8, 0x78, 0x56, 0x34, 0x12,               /* 1FFD: mov eax, 0x12345678 (to 0x2001) */
        0xF4,                                       /* 2002: hlt */
    };
    th_init(&t, DM_32);
    load(0x1FFD, code, sizeof code);
    cpu->rip = 0x1FFD;
    cr_assert_eq(EXIT_HALT, th_run(&t, 10));
    cr_expect_eq(0x12345678, cpu->gpr[RAX]);
    cr_expect_eq(0x2003, cpu->rip);
    cr_expect_eq(2, cpu->instret);
}

Test(exec, instruction_crossing_a_page_sees_a_store_to_its_second_half)
{
    static const uint8_t straddler[] = {
        0xB8, 0x78, 0x56, 0x34, 0x12,               /* 1FFD: mov eax, 0x12345678 (to 0x2001) */
        0xF4,                                       /* 2002: hlt */
    };
    static const uint8_t patch[] = {
        0xC6, 0x05, 0x01, 0x20, 0x00, 0x00, 0x9A,   /* 1000: mov byte [0x2001], 0x9A */
        0xE9, 0xF1, 0x0F, 0x00, 0x00,               /* 1007: jmp 0x1FFD */
    };
    start(DM_32, patch, sizeof patch);
    load(0x1FFD, straddler, sizeof straddler);
    cpu->rip = 0x1FFD;
    cr_assert_eq(EXIT_HALT, th_run(&t, 10));
    cr_expect_eq(0x12345678, cpu->gpr[RAX]);
    cpu->halted = false;
    cpu->rip = TH_CODE;
    cr_assert_eq(EXIT_HALT, th_run(&t, 10));
    cr_expect_eq(0x9A345678, cpu->gpr[RAX]);
}

/* ---- retirement and budgets -------------------------------------------------------- */

Test(exec, instret_counts_every_retired_instruction_including_hlt)
{
    static const uint8_t code[] = { 0x40, 0x40, 0x40, 0xF4 };  /* inc eax x3; hlt */
    start(DM_32, code, sizeof code);
    cr_assert_eq(EXIT_HALT, th_run(&t, 100));
    cr_expect_eq(4, cpu->instret);
    cr_expect_eq(3, cpu->gpr[RAX]);
}

Test(exec, fault_mid_block_counts_only_the_instructions_before_it_and_rewinds_rip)
{
    static const uint8_t code[] = {
        0x40,                                       /* 1000: inc eax */
        0x40,                                       /* 1001: inc eax */
        0xF7, 0xF1,                                 /* 1002: div ecx  (ECX = 0: #DE) */
        0x40,                                       /* 1004: inc eax */
        0xF4,                                       /* 1005: hlt */
    };
    start(DM_32, code, sizeof code);
    cpu->gpr[RAX] = 0;
    cpu->gpr[RCX] = 0;
    cpu->gpr[RDX] = 0;
    cr_assert_eq(EXIT_EXCEPTION, th_run(&t, 100));
    cr_expect_eq(EXC_DE, cpu->exc_vector);
    cr_expect_eq(2, cpu->instret);
    cr_expect_eq(TH_CODE + 2, cpu->rip);
    cr_expect_eq(2, cpu->gpr[RAX]);
    /* The same block, resumed at the rewound RIP with a divisor, finishes. */
    cpu->gpr[RCX] = 1;
    cr_assert_eq(EXIT_HALT, th_run(&t, 100));
    cr_expect_eq(5, cpu->instret);
    cr_expect_eq(3, cpu->gpr[RAX]);
}

Test(exec, cpu_run_stops_after_exactly_n_instructions_even_inside_a_block)
{
    static const uint8_t code[] = {
        0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40,   /* inc eax x10 */
        0xF4,                                                          /* hlt */
    };
    start(DM_32, code, sizeof code);
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 3));
    cr_expect_eq(3, cpu->instret);
    cr_expect_eq(3, cpu->gpr[RAX]);
    cr_expect_eq(TH_CODE + 3, cpu->rip);
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 4));
    cr_expect_eq(7, cpu->instret);
    cr_expect_eq(7, cpu->gpr[RAX]);
    cr_expect_eq(TH_CODE + 7, cpu->rip);
}

Test(exec, cpu_run_of_a_tight_loop_runs_exactly_the_budget)
{
    static const uint8_t code[] = { 0xEB, 0xFE };           /* jmp $ */
    start(DM_32, code, sizeof code);
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 1000));
    cr_expect_eq(1000, cpu->instret);
    cr_expect_eq(TH_CODE, cpu->rip);
}

Test(exec, cpu_run_with_a_zero_budget_executes_nothing)
{
    static const uint8_t code[] = { 0x40 };                 /* inc eax */
    start(DM_32, code, sizeof code);
    cpu->gpr[RAX] = 0;
    cr_expect_eq(EXIT_BUDGET, th_run(&t, 0));
    cr_expect_eq(0, cpu->instret);
    cr_expect_eq(0, cpu->gpr[RAX]);
    cr_expect_eq(TH_CODE, cpu->rip);
}

Test(exec, cpu_step_executes_one_instruction)
{
    static const uint8_t code[] = { 0x40, 0x40 };           /* inc eax; inc eax */
    start(DM_32, code, sizeof code);
    cpu->gpr[RAX] = 0;
    cr_expect_eq(EXIT_BUDGET, cpu_step(cpu));
    cr_expect_eq(1, cpu->instret);
    cr_expect_eq(1, cpu->gpr[RAX]);
    cr_expect_eq(TH_CODE + 1, cpu->rip);
}

/* ---- CS limit, IP width, length limit ---------------------------------------------------- */

Test(exec, fetch_past_the_cs_limit_in_real_mode_raises_GP0_at_that_instruction)
{
    static const uint8_t code[] = { 0x90, 0x90, 0x90 };     /* nop x3, the third past the limit */
    start(DM_16, code, sizeof code);
    cpu->seg[SEG_CS].limit = TH_CODE + 1;
    cr_assert_eq(EXIT_EXCEPTION, th_run(&t, 10));
    cr_expect_eq(EXC_GP, cpu->exc_vector);
    cr_expect_eq(0, cpu->exc_error);
    cr_expect_eq(TH_CODE + 2, cpu->rip);
    cr_expect_eq(2, cpu->instret);
}

Test(exec, instruction_straddling_the_cs_limit_raises_GP0)
{
    static const uint8_t code[] = {
        0x90,                                       /* 1000: nop */
        0xB8, 0x34, 0x12,                           /* 1001: mov ax, 0x1234 (limit at 1002) */
    };
    start(DM_16, code, sizeof code);
    cpu->seg[SEG_CS].limit = TH_CODE + 2;
    cpu->gpr[RAX] = 0;
    cr_assert_eq(EXIT_EXCEPTION, th_run(&t, 10));
    cr_expect_eq(EXC_GP, cpu->exc_vector);
    cr_expect_eq(0, cpu->exc_error);
    cr_expect_eq(TH_CODE + 1, cpu->rip);
    cr_expect_eq(0, cpu->gpr[RAX]);
    cr_expect_eq(1, cpu->instret);
}

Test(exec, ip_wraps_from_0xffff_to_0_in_real_mode)
{
    static const uint8_t inc_ax[] = { 0x40 };       /* 0100:FFFF inc ax */
    static const uint8_t hlt[] = { 0xF4 };          /* 0100:0000 hlt */
    th_init(&t, DM_16);
    cpu_load_seg_real(cpu, SEG_CS, 0x0100);
    load(0x1000 + 0xFFFF, inc_ax, sizeof inc_ax);
    load(0x1000, hlt, sizeof hlt);
    cpu->rip = 0xFFFF;
    cpu->gpr[RAX] = 0;
    cr_assert_eq(EXIT_HALT, th_run(&t, 10));
    cr_expect_eq(1, cpu->gpr[RAX]);
    cr_expect_eq(1, cpu->rip);
    cr_expect_eq(2, cpu->instret);
}

Test(exec, instruction_running_past_offset_0xffff_raises_GP0_instead_of_wrapping)
{
    /* At a page end (the uncached path) and inside a page (the block path). */
    static const uint16_t cs_values[] = { 0x0100, 0x0101 };
    static const uint8_t code[] = { 0xB8, 0x34, 0x12 };     /* xxxx:FFFE mov ax, 0x1234 */
    for (size_t i = 0; i < 2; i++) {
        th_init(&t, DM_16);
        cpu_load_seg_real(cpu, SEG_CS, cs_values[i]);
        load(((uint64_t)cs_values[i] << 4) + 0xFFFE, code, sizeof code);
        cpu->rip = 0xFFFE;
        cr_assert_eq(EXIT_EXCEPTION, th_run(&t, 10), "CS %04x", cs_values[i]);
        cr_expect_eq(EXC_GP, cpu->exc_vector, "CS %04x", cs_values[i]);
        cr_expect_eq(0, cpu->exc_error, "CS %04x", cs_values[i]);
        cr_expect_eq(0xFFFE, cpu->rip, "CS %04x", cs_values[i]);
        th_free(&t);
    }
}

Test(exec, instruction_longer_than_15_bytes_raises_GP0)
{
    uint8_t code[16];
    memset(code, 0x2E, 15);
    code[15] = 0x90;                                        /* cs: x15 nop */
    start(DM_32, code, sizeof code);
    cr_assert_eq(EXIT_EXCEPTION, th_run(&t, 10));
    cr_expect_eq(EXC_GP, cpu->exc_vector);
    cr_expect_eq(0, cpu->exc_error);
    cr_expect_eq(TH_CODE, cpu->rip);
    cr_expect_eq(0, cpu->instret);
}

Test(exec, instruction_of_exactly_15_bytes_executes)
{
    uint8_t code[16];
    memset(code, 0x2E, 14);
    code[14] = 0x90;                                        /* cs: x14 nop */
    code[15] = 0xF4;                                        /* hlt */
    start(DM_32, code, sizeof code);
    cr_assert_eq(EXIT_HALT, th_run(&t, 10));
    cr_expect_eq(TH_CODE + 16, cpu->rip);
    cr_expect_eq(2, cpu->instret);
}

Test(exec, too_long_instruction_crossing_a_page_raises_GP0)
{
    uint8_t code[16];
    memset(code, 0x2E, 15);
    code[15] = 0x90;                                        /* 1FF8: cs: x15 nop */
    th_init(&t, DM_32);
    load(0x1FF8, code, sizeof code);
    cpu->rip = 0x1FF8;
    cr_assert_eq(EXIT_EXCEPTION, th_run(&t, 10));
    cr_expect_eq(EXC_GP, cpu->exc_vector);
    cr_expect_eq(0, cpu->exc_error);
    cr_expect_eq(0x1FF8, cpu->rip);
}

/* ---- #UD, #NM, HLT ------------------------------------------------------------------ */

Test(exec, undefined_opcode_raises_UD_with_rip_at_it)
{
    static const uint8_t code[] = {
        0x90,                                       /* 1000: nop */
        0x0F, 0x04,                                 /* 1001: (undefined) */
        0x90,                                       /* 1003: nop */
    };
    start(DM_32, code, sizeof code);
    cr_assert_eq(EXIT_EXCEPTION, th_run(&t, 10));
    cr_expect_eq(EXC_UD, cpu->exc_vector);
    cr_expect_eq(EXC_NO_ERROR, cpu->exc_error);
    cr_expect_eq(TH_CODE + 1, cpu->rip);
    cr_expect_eq(1, cpu->instret);
}

Test(exec, x87_instruction_raises_UD_when_em_and_ts_are_clear)
{
    static const uint8_t code[] = { 0xD9, 0xE8 };           /* fld1 */
    start(DM_32, code, sizeof code);
    cpu->cr0 &= ~(uint64_t)(CR0_EM | CR0_TS);
    cpu_update_mode(cpu);
    cr_assert_eq(EXIT_EXCEPTION, th_run(&t, 1));
    cr_expect_eq(EXC_UD, cpu->exc_vector);
    cr_expect_eq(TH_CODE, cpu->rip);
}

Test(exec, x87_instruction_raises_NM_when_ts_is_set)
{
    static const uint8_t code[] = { 0xD9, 0xE8 };           /* fld1 */
    start(DM_32, code, sizeof code);
    cpu->cr0 |= CR0_TS;
    cpu_update_mode(cpu);
    cr_assert_eq(EXIT_EXCEPTION, th_run(&t, 1));
    cr_expect_eq(EXC_NM, cpu->exc_vector);
    cr_expect_eq(EXC_NO_ERROR, cpu->exc_error);
    cr_expect_eq(TH_CODE, cpu->rip);
}

Test(exec, x87_instruction_raises_NM_when_em_is_set)
{
    /* SDM Vol. 3 2.5, CR0.EM: an x87 instruction raises #NM (table 2-2). */
    static const uint8_t code[] = { 0xD9, 0xE8 };           /* fld1 */
    start(DM_32, code, sizeof code);
    cpu->cr0 |= CR0_EM;
    cpu_update_mode(cpu);
    cr_assert_eq(EXIT_EXCEPTION, th_run(&t, 1));
    cr_expect_eq(EXC_NM, cpu->exc_vector);
    cr_expect_eq(TH_CODE, cpu->rip);
}

Test(exec, fwait_raises_NM_only_when_mp_and_ts_are_both_set)
{
    static const uint8_t code[] = { 0x9B };                 /* fwait */
    start(DM_32, code, sizeof code);
    cpu->cr0 |= CR0_TS;
    cr_assert_eq(EXIT_EXCEPTION, th_run(&t, 1));
    cr_expect_neq(EXC_NM, cpu->exc_vector, "TS without MP");
    cpu->cr0 |= CR0_MP;
    cr_assert_eq(EXIT_EXCEPTION, th_run(&t, 1));
    cr_expect_eq(EXC_NM, cpu->exc_vector, "TS with MP");
    cr_expect_eq(TH_CODE, cpu->rip);
}

Test(exec, sse_instruction_raises_UD_when_em_is_set_even_with_ts)
{
    static const uint8_t code[] = { 0x0F, 0x28, 0xC1 };     /* movaps xmm0, xmm1 */
    start(DM_32, code, sizeof code);
    cpu->cr0 |= CR0_EM | CR0_TS;
    cr_assert_eq(EXIT_EXCEPTION, th_run(&t, 1));
    cr_expect_eq(EXC_UD, cpu->exc_vector);
    cpu->cr0 &= ~(uint64_t)CR0_EM;
    cr_assert_eq(EXIT_EXCEPTION, th_run(&t, 1));
    cr_expect_eq(EXC_NM, cpu->exc_vector);
}

Test(exec, hlt_stops_the_run_with_EXIT_HALT_after_retiring)
{
    static const uint8_t code[] = { 0xF4, 0x40 };           /* hlt; inc ax */
    start(DM_16, code, sizeof code);
    cpu->gpr[RAX] = 0;
    cr_assert_eq(EXIT_HALT, th_run(&t, 10));
    cr_expect(cpu->halted);
    cr_expect_eq(TH_CODE + 1, cpu->rip);
    cr_expect_eq(1, cpu->instret);
    cr_expect_eq(0, cpu->gpr[RAX]);
}

Test(exec, a_halted_cpu_runs_nothing_until_woken)
{
    static const uint8_t code[] = { 0xF4, 0x40 };           /* hlt; inc ax */
    start(DM_16, code, sizeof code);
    cpu->gpr[RAX] = 0;
    cr_assert_eq(EXIT_HALT, th_run(&t, 10));
    cr_expect_eq(EXIT_HALT, th_run(&t, 10));
    cr_expect_eq(1, cpu->instret);
    cr_expect_eq(0, cpu->gpr[RAX]);
    cpu->halted = false;
    cr_expect_eq(EXIT_BUDGET, th_run(&t, 1));
    cr_expect_eq(1, cpu->gpr[RAX]);
}
