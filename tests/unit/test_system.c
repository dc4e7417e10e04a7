/* test_system.c - protected-mode and long-mode system architecture as the SDM
 * specifies it (Vol. 3 ch. 3, 5, 6, 7): segment loads and their selector
 * error codes, descriptor-table instructions, far transfers and call gates,
 * IDT delivery with stack switches, IRET, the I/O permission bitmap,
 * virtual-8086 mode, task switches and the 64-bit IDT.
 *
 * Machines come from th_protected() (harness.h): GDT 0x08 ring-0 code,
 * 0x10 ring-0 data, 0x1B ring-3 code, 0x23 ring-3 data, 0x28 TSS, 0x38
 * ring-0 32-bit code; free entries from index 8 on.
 */
#include <criterion/criterion.h>
#include <string.h>
#include "harness.h"
#include "cpu/system.h"

static struct th t;
static struct cpu *cpu = &t.cpu;

#define HANDLER 0x3000u         /* handler code, inside TH_CODE's page range */

static void halting_handlers(void);

static void teardown(void) { th_free(&t); }

TestSuite(system, .fini = teardown);

/* A 32-bit protected-mode machine with descriptor tables, exceptions reported. */
static void start32(const uint8_t *code, size_t n)
{
    th_init(&t, DM_32);
    th_protected(&t);
    if (n) th_code(&t, code, n);
}

/* The same with exceptions delivered through the IDT. */
static void start32_deliver(const uint8_t *code, size_t n)
{
    start32(code, n);
    halting_handlers();
    cpu->stop_on_exception = false;
}

static uint64_t peek(uint64_t phys, unsigned n) { return th_peek(&t, phys, n); }

/* Handlers that halt: a delivery then stops the run at HANDLER + offset + 1. */
static void halting_handlers(void)
{
    memset(th_mem(&t, HANDLER), 0xF4, 0x100);
}

static void expect_handler(uint32_t offset)
{
    cr_assert_eq(EXIT_HALT, cpu->exit_reason, "exit %d: %s", cpu->exit_reason, cpu->stop_message);
    cr_expect_eq(HANDLER + offset + 1, cpu->rip, "rip %#llx", (unsigned long long)cpu->rip);
}

static uint8_t access_byte(unsigned index) { return (uint8_t)peek(TH_GDT + 8 * index + 5, 1); }

static void expect_fault(int vector, uint32_t error)
{
    cr_assert_eq(EXIT_EXCEPTION, cpu->exit_reason, "no exception (exit %d)", cpu->exit_reason);
    cr_expect_eq(vector, cpu->exc_vector, "vector %d, expected %d", cpu->exc_vector, vector);
    cr_expect_eq(error, cpu->exc_error, "error %#x, expected %#x", cpu->exc_error, error);
}

/* ---- data and stack segment loads (SDM MOV, protected mode) --------------- */

/* mov ax, sel; mov ds, ax */
static const uint8_t load_ds[] = { 0x66, 0xB8, 0, 0, 0x8E, 0xD8 };
/* mov ax, sel; mov ss, ax */
static const uint8_t load_ss[] = { 0x66, 0xB8, 0, 0, 0x8E, 0xD0 };

static void run_load(const uint8_t *tmpl, uint16_t sel)
{
    uint8_t code[6];
    memcpy(code, tmpl, 6);
    code[2] = (uint8_t)sel;
    code[3] = (uint8_t)(sel >> 8);
    th_code(&t, code, sizeof code);
    th_run(&t, 2);
}

Test(system, mov_ds_loads_the_hidden_cache_and_sets_the_accessed_bit_in_the_gdt)
{
    start32(NULL, 0);
    th_desc(&t, 8, 0x12345000, 0x00FFF, 0x92, 0x4);         /* data, not yet accessed */
    run_load(load_ds, 0x40);
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason);
    cr_expect_eq(0x40, cpu->seg[SEG_DS].sel);
    cr_expect_eq(0x12345000, cpu->seg[SEG_DS].base);
    cr_expect_eq(0xFFF, cpu->seg[SEG_DS].limit);
    cr_expect_eq(0x93, access_byte(8), "accessed bit set in memory");
}

Test(system, a_page_granular_limit_is_scaled_to_bytes)
{
    start32(NULL, 0);
    th_desc(&t, 8, 0, 0x00010, 0x93, 0xC);
    run_load(load_ds, 0x40);
    cr_expect_eq(0x10FFF, cpu->seg[SEG_DS].limit);
}

Test(system, mov_ds_beyond_the_gdt_limit_is_gp_with_the_selector)
{
    start32(NULL, 0);
    run_load(load_ds, 0x103);                               /* index 32: GDT has 32 entries */
    expect_fault(EXC_GP, 0x100);
}

Test(system, mov_ds_with_execute_only_code_is_gp_but_readable_code_loads)
{
    start32(NULL, 0);
    th_desc(&t, 8, 0, 0xFFFFF, 0x98, 0xC);                  /* execute-only */
    th_desc(&t, 9, 0, 0xFFFFF, 0x9A, 0xC);                  /* execute/read */
    run_load(load_ds, 0x40);
    expect_fault(EXC_GP, 0x40);
    run_load(load_ds, 0x48);
    cr_expect_eq(EXIT_BUDGET, cpu->exit_reason);
    cr_expect_eq(0x48, cpu->seg[SEG_DS].sel);
}

Test(system, mov_ds_with_a_not_present_segment_is_np_with_the_selector)
{
    start32(NULL, 0);
    th_desc(&t, 8, 0, 0xFFFFF, 0x13, 0xC);                  /* P = 0 */
    run_load(load_ds, 0x40);
    expect_fault(EXC_NP, 0x40);
}

Test(system, mov_ds_at_cpl3_with_a_dpl0_segment_is_gp)
{
    start32(NULL, 0);
    th_user(&t);
    run_load(load_ds, 0x13);
    expect_fault(EXC_GP, 0x10);
}

Test(system, mov_ds_with_rpl3_above_a_dpl0_segment_is_gp_even_at_cpl0)
{
    start32(NULL, 0);
    run_load(load_ds, 0x13);
    expect_fault(EXC_GP, 0x10);
}

Test(system, a_null_selector_loads_into_ds_and_its_use_is_gp0)
{
    static const uint8_t code[] = { 0x31, 0xC0, 0x8E, 0xD8,   /* xor eax, eax; mov ds, ax */
                                    0x8B, 0x00 };             /* mov eax, [eax] */
    start32(code, sizeof code);
    th_run(&t, 3);
    expect_fault(EXC_GP, 0);
    cr_expect_eq(TH_CODE + 4, cpu->rip);
}

Test(system, mov_ss_rules_null_gp0_rpl_mismatch_gp_not_present_ss)
{
    start32(NULL, 0);
    run_load(load_ss, 0);
    expect_fault(EXC_GP, 0);
    th_free(&t);
    th_init(&t, DM_32);
    th_protected(&t);
    run_load(load_ss, 0x23);                                /* RPL 3 at CPL 0 */
    expect_fault(EXC_GP, 0x20);
    th_free(&t);
    th_init(&t, DM_32);
    th_protected(&t);
    th_desc(&t, 8, 0, 0xFFFFF, 0x13, 0xC);                  /* data, not present */
    run_load(load_ss, 0x40);
    expect_fault(EXC_SS, 0x40);
}

Test(system, mov_ss_with_a_read_only_data_segment_is_gp)
{
    start32(NULL, 0);
    th_desc(&t, 8, 0, 0xFFFFF, 0x91, 0xC);                  /* read-only */
    run_load(load_ss, 0x40);
    expect_fault(EXC_GP, 0x40);
}

Test(system, an_ldt_selector_reads_the_ldt_loaded_by_lldt)
{
    /* mov ax, 0x40; lldt ax; mov ax, 0x0C; mov ds, ax */
    static const uint8_t code[] = { 0x66, 0xB8, 0x40, 0x00, 0x0F, 0x00, 0xD0,
                                    0x66, 0xB8, 0x0C, 0x00, 0x8E, 0xD8 };
    start32(code, sizeof code);
    th_desc(&t, 8, 0x24000, 0x0F, 0x82, 0);                 /* LDT at 0x24000, two entries */
    th_poke(&t, 0x24008, 8, 0x00CF93000000FFFFull | (0x56ull << 56));  /* base 0x56000000 */
    th_run(&t, 4);
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason, "vector %d", cpu->exc_vector);
    cr_expect_eq(0x40, cpu->seg[SEG_LDTR].sel);
    cr_expect_eq(0x24000, cpu->seg[SEG_LDTR].base);
    cr_expect_eq(0x56000000, cpu->seg[SEG_DS].base);
}

Test(system, lldt_of_something_other_than_an_ldt_is_gp)
{
    static const uint8_t code[] = { 0x66, 0xB8, 0x10, 0x00, 0x0F, 0x00, 0xD0 };
    start32(code, sizeof code);
    th_run(&t, 2);
    expect_fault(EXC_GP, 0x10);
}

/* ---- descriptor-table registers ------------------------------------------ */

Test(system, lgdt_then_sgdt_round_trips_limit_and_base)
{
    /* mov eax, TH_DATA; lgdt [eax]; sgdt [eax+8] */
    static const uint8_t code[] = { 0xB8, 0x00, 0x40, 0, 0, 0x0F, 0x01, 0x10,
                                    0x0F, 0x01, 0x40, 0x08 };
    start32(code, sizeof code);
    th_poke(&t, TH_DATA, 2, 0x1234);
    th_poke(&t, TH_DATA + 2, 4, 0xCAFE0000);
    th_run(&t, 3);
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason);
    cr_expect_eq(0x1234, cpu->gdtr.limit);
    cr_expect_eq(0xCAFE0000, cpu->gdtr.base);
    cr_expect_eq(0x1234, peek(TH_DATA + 8, 2));
    cr_expect_eq(0xCAFE0000, peek(TH_DATA + 10, 4));
}

Test(system, lgdt_with_a_16_bit_operand_loads_24_bits_of_base)
{
    static const uint8_t code[] = { 0xB8, 0x00, 0x40, 0, 0, 0x66, 0x0F, 0x01, 0x10 };
    start32(code, sizeof code);
    th_poke(&t, TH_DATA, 2, 0xFF);
    th_poke(&t, TH_DATA + 2, 4, 0xCAFE1234);
    th_run(&t, 2);
    cr_expect_eq(0xFE1234, cpu->gdtr.base);
}

Test(system, lidt_at_cpl3_is_gp0)
{
    static const uint8_t code[] = { 0x0F, 0x01, 0x18 };     /* lidt [eax] */
    start32(code, sizeof code);
    th_user(&t);
    cpu->gpr[RAX] = TH_DATA;
    th_run(&t, 1);
    expect_fault(EXC_GP, 0);
}

Test(system, sidt_at_cpl3_works_without_umip_and_is_gp0_with_it)
{
    static const uint8_t code[] = { 0x0F, 0x01, 0x08 };     /* sidt [eax] */
    start32(code, sizeof code);
    th_user(&t);
    cpu->gpr[RAX] = TH_DATA;
    th_run(&t, 1);
    cr_expect_eq(EXIT_BUDGET, cpu->exit_reason);
    cr_expect_eq(TH_IDT, peek(TH_DATA + 2, 4));
    cpu->rip = TH_CODE;
    cpu->cr4 |= CR4_UMIP;
    th_run(&t, 1);
    expect_fault(EXC_GP, 0);
}

Test(system, ltr_loads_tr_marks_the_tss_busy_and_str_reads_it_back)
{
    /* mov ax, 0x40; ltr ax; str ecx */
    static const uint8_t code[] = { 0x66, 0xB8, 0x40, 0x00, 0x0F, 0x00, 0xD8, 0x0F, 0x00, 0xC9 };
    start32(code, sizeof code);
    th_desc(&t, 8, 0x25000, 0x67, 0x89, 0);                 /* available 32-bit TSS */
    cpu->gpr[RCX] = 0xFFFFFFFF;
    th_run(&t, 3);
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason, "vector %d", cpu->exc_vector);
    cr_expect_eq(0x40, cpu->seg[SEG_TR].sel);
    cr_expect_eq(0x25000, cpu->seg[SEG_TR].base);
    cr_expect_eq(0x8B, access_byte(8), "busy");
    cr_expect_eq(0x40, cpu->gpr[RCX], "STR zero-extends into a 32-bit register");
}

Test(system, ltr_of_a_busy_tss_is_gp_with_the_selector)
{
    static const uint8_t code[] = { 0x66, 0xB8, 0x28, 0x00, 0x0F, 0x00, 0xD8 };
    start32(code, sizeof code);
    th_run(&t, 2);
    expect_fault(EXC_GP, 0x28);
}

Test(system, sldt_and_lldt_are_ud_in_real_mode)
{
    static const uint8_t code[] = { 0x0F, 0x00, 0xC0 };     /* sldt ax */
    th_start(&t, DM_16, code, sizeof code);
    th_run(&t, 1);
    expect_fault(EXC_UD, EXC_NO_ERROR);
}

/* ---- LAR, LSL, VERR, VERW, ARPL -------------------------------------------- */

Test(system, lar_and_lsl_of_a_visible_segment_set_zf_and_the_register)
{
    /* lar eax, bx; lsl ecx, bx */
    static const uint8_t code[] = { 0x0F, 0x02, 0xC3, 0x0F, 0x03, 0xCB };
    start32(code, sizeof code);
    th_desc(&t, 8, 0, 0x00003, 0xF3, 0xC);                  /* DPL 3 data, 4 pages */
    cpu->gpr[RBX] = 0x43;
    th_run(&t, 2);
    cr_expect_eq(0x00C0F300, cpu->gpr[RAX]);
    cr_expect_eq(0x3FFF, cpu->gpr[RCX]);
    cr_expect(th_flags(&t) & FL_ZF);
}

Test(system, lar_of_a_more_privileged_segment_clears_zf_and_leaves_the_register)
{
    static const uint8_t code[] = { 0x0F, 0x02, 0xC3 };
    start32(code, sizeof code);
    th_user(&t);
    cpu->gpr[RBX] = 0x10;
    cpu->gpr[RAX] = 0x1111;
    cpu_set_flags(cpu, FL_ZF);
    th_run(&t, 1);
    cr_expect_eq(0x1111, cpu->gpr[RAX]);
    cr_expect_not(th_flags(&t) & FL_ZF);
}

Test(system, lsl_rejects_a_call_gate_that_lar_accepts)
{
    static const uint8_t code[] = { 0x0F, 0x02, 0xC3, 0x0F, 0x03, 0xCB };
    start32(code, sizeof code);
    th_gdt_gate(&t, 8, 0x08, 0x1000, 0xEC, 0);              /* 32-bit call gate, DPL 3 */
    cpu->gpr[RBX] = 0x40;
    th_run(&t, 1);
    cr_expect(th_flags(&t) & FL_ZF, "LAR accepts a call gate");
    cr_expect_eq(0xEC00, cpu->gpr[RAX] & 0xFF00);
    th_run(&t, 1);
    cr_expect_not(th_flags(&t) & FL_ZF, "LSL does not");
}

Test(system, verr_and_verw_tell_readable_from_writable)
{
    /* verr ax; setz bl; verw ax; setz bh */
    static const uint8_t code[] = { 0x0F, 0x00, 0xE0, 0x0F, 0x94, 0xC3,
                                    0x0F, 0x00, 0xE8, 0x0F, 0x94, 0xC7 };
    start32(code, sizeof code);
    cpu->gpr[RAX] = 0x08;                                   /* ring-0 code, readable */
    th_run(&t, 4);
    cr_expect_eq(1, cpu->gpr[RBX] & 0xFF, "VERR code");
    cr_expect_eq(0, (cpu->gpr[RBX] >> 8) & 0xFF, "VERW code");
    cpu->rip = TH_CODE;
    cpu->gpr[RAX] = 0x10;                                   /* ring-0 data, writable */
    th_run(&t, 4);
    cr_expect_eq(1, cpu->gpr[RBX] & 0xFF);
    cr_expect_eq(1, (cpu->gpr[RBX] >> 8) & 0xFF);
}

Test(system, arpl_raises_the_rpl_and_sets_zf_only_when_it_changes)
{
    static const uint8_t code[] = { 0x63, 0xD8, 0x63, 0xD8 };   /* arpl ax, bx (twice) */
    start32(code, sizeof code);
    cpu->gpr[RAX] = 0x0010;
    cpu->gpr[RBX] = 0x0003;
    th_run(&t, 1);
    cr_expect_eq(0x13, cpu->gpr[RAX] & 0xFFFF);
    cr_expect(th_flags(&t) & FL_ZF);
    th_run(&t, 1);
    cr_expect_eq(0x13, cpu->gpr[RAX] & 0xFFFF);
    cr_expect_not(th_flags(&t) & FL_ZF);
}

/* ---- far JMP, CALL, RET ---------------------------------------------------- */

Test(system, far_jmp_to_ring0_code_loads_cs_and_eip)
{
    static const uint8_t code[] = { 0xEA, 0x00, 0x30, 0, 0, 0x38, 0x00 };   /* jmp 0x38:0x3000 */
    start32(code, sizeof code);
    th_desc(&t, 7, 0, 0xFFFFF, 0x9A, 0xC);                  /* not yet accessed */
    th_run(&t, 1);
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason, "vector %d error %#x", cpu->exc_vector,
                 cpu->exc_error);
    cr_expect_eq(0x38, cpu->seg[SEG_CS].sel);
    cr_expect_eq(0x3000, cpu->rip);
    cr_expect_eq(0x9B, access_byte(7));
}

Test(system, far_jmp_with_rpl_above_cpl_to_nonconforming_code_is_gp)
{
    static const uint8_t code[] = { 0xEA, 0x00, 0x30, 0, 0, 0x3B, 0x00 };   /* jmp 0x3B:0x3000 */
    start32(code, sizeof code);
    th_run(&t, 1);
    expect_fault(EXC_GP, 0x38);
}

Test(system, far_jmp_to_conforming_code_keeps_the_cpl)
{
    static const uint8_t code[] = { 0xEA, 0x00, 0x30, 0, 0, 0x40, 0x00 };   /* jmp 0x40:0x3000 */
    start32(code, sizeof code);
    th_desc(&t, 8, 0, 0xFFFFF, 0x9F, 0xC);                  /* conforming, DPL 0 */
    th_user(&t);
    th_run(&t, 1);
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason, "vector %d error %#x", cpu->exc_vector,
                 cpu->exc_error);
    cr_expect_eq(3, cpu->cpl);
    cr_expect_eq(0x43, cpu->seg[SEG_CS].sel, "RPL becomes the CPL");
}

Test(system, far_jmp_to_a_nonconforming_segment_of_another_privilege_is_gp)
{
    static const uint8_t code[] = { 0xEA, 0x00, 0x30, 0, 0, 0x1B, 0x00 };   /* jmp 0x1B:0x3000 */
    start32(code, sizeof code);
    th_run(&t, 1);
    expect_fault(EXC_GP, 0x18);
}

Test(system, far_jmp_beyond_the_code_limit_is_gp0)
{
    static const uint8_t code[] = { 0xEA, 0x00, 0x30, 0, 0, 0x40, 0x00 };
    start32(code, sizeof code);
    th_desc(&t, 8, 0, 0x00FFF, 0x9B, 0x4);                  /* code, limit 0xFFF */
    th_run(&t, 1);
    expect_fault(EXC_GP, 0);
}

Test(system, far_call_pushes_cs_and_eip_and_retf_returns)
{
    /* call 0x38:0x3000 ... at 0x3000: retf */
    static const uint8_t code[] = { 0x9A, 0x00, 0x30, 0, 0, 0x38, 0x00, 0x90 };
    static const uint8_t handler[] = { 0xCB };
    start32(code, sizeof code);
    th_poke(&t, HANDLER, 1, handler[0]);
    th_run(&t, 1);
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason);
    cr_expect_eq(0x38, cpu->seg[SEG_CS].sel);
    cr_expect_eq(HANDLER, cpu->rip);
    cr_expect_eq(TH_CODE + 7, peek(TH_STACK - 8, 4));
    cr_expect_eq(0x08, peek(TH_STACK - 4, 4));
    th_run(&t, 1);
    cr_expect_eq(0x08, cpu->seg[SEG_CS].sel);
    cr_expect_eq(TH_CODE + 7, cpu->rip);
    cr_expect_eq(TH_STACK, cpu->gpr[RSP]);
}

/* Ring 3 calls a DPL-3 gate to ring-0 code with two parameters: the new
 * stack comes from TSS.SS0:ESP0 and holds SS, ESP, the parameters, CS, EIP. */
Test(system, a_call_gate_to_ring0_switches_stacks_and_copies_parameters)
{
    static const uint8_t code[] = { 0x9A, 0, 0, 0, 0, 0x43, 0x00 };   /* call 0x43:0 */
    start32(code, sizeof code);
    th_gdt_gate(&t, 8, 0x08, HANDLER, 0xEC, 2);
    th_user(&t);
    cpu->gpr[RSP] = TH_STACK - 8;
    th_poke(&t, TH_STACK - 8, 4, 0x11111111);
    th_poke(&t, TH_STACK - 4, 4, 0x22222222);
    th_run(&t, 1);
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason, "vector %d error %#x", cpu->exc_vector,
                 cpu->exc_error);
    cr_expect_eq(0, cpu->cpl);
    cr_expect_eq(0x08, cpu->seg[SEG_CS].sel);
    cr_expect_eq(0x10, cpu->seg[SEG_SS].sel);
    cr_expect_eq(HANDLER, cpu->rip);
    cr_expect_eq(TH_STACK0 - 24, cpu->gpr[RSP]);
    cr_expect_eq(TH_CODE + 7, peek(TH_STACK0 - 24, 4), "EIP");
    cr_expect_eq(0x1B, peek(TH_STACK0 - 20, 4), "CS");
    cr_expect_eq(0x11111111, peek(TH_STACK0 - 16, 4), "first parameter");
    cr_expect_eq(0x22222222, peek(TH_STACK0 - 12, 4), "second parameter");
    cr_expect_eq(TH_STACK - 8, peek(TH_STACK0 - 8, 4), "ESP");
    cr_expect_eq(0x23, peek(TH_STACK0 - 4, 4), "SS");
}

/* RETF 8 back to ring 3: pops EIP, CS, releases the parameters, pops ESP,
 * SS, and makes DS (a DPL-0 segment) null. */
Test(system, retf_to_an_outer_level_restores_the_stack_and_nulls_inner_data_segments)
{
    static const uint8_t code[] = { 0xCA, 0x08, 0x00 };     /* retf 8 */
    start32(code, sizeof code);
    cpu->gpr[RSP] = TH_STACK0 - 24;
    th_poke(&t, TH_STACK0 - 24, 4, 0x2000);
    th_poke(&t, TH_STACK0 - 20, 4, 0x1B);
    th_poke(&t, TH_STACK0 - 8, 4, TH_STACK - 8);
    th_poke(&t, TH_STACK0 - 4, 4, 0x23);
    cpu->seg[SEG_ES].attr |= SA_DPL;                        /* ES as if DPL 3: kept */
    th_run(&t, 1);
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason, "vector %d error %#x", cpu->exc_vector,
                 cpu->exc_error);
    cr_expect_eq(3, cpu->cpl);
    cr_expect_eq(0x2000, cpu->rip);
    cr_expect_eq(0x23, cpu->seg[SEG_SS].sel);
    cr_expect_eq(TH_STACK, cpu->gpr[RSP], "ESP + 8 for the parameters");
    cr_expect_eq(0, cpu->seg[SEG_DS].sel, "DS was DPL 0");
    cr_expect_not(cpu->seg[SEG_DS].attr & SA_P);
    cr_expect_eq(0x10, cpu->seg[SEG_ES].sel);
}

Test(system, a_call_gate_whose_dpl_is_below_the_cpl_is_gp_with_the_gate_selector)
{
    static const uint8_t code[] = { 0x9A, 0, 0, 0, 0, 0x43, 0x00 };
    start32(code, sizeof code);
    th_gdt_gate(&t, 8, 0x08, HANDLER, 0x8C, 0);             /* DPL 0 gate */
    th_user(&t);
    th_run(&t, 1);
    expect_fault(EXC_GP, 0x40);
}

/* ---- interrupt delivery through the IDT --------------------------------- */

Test(system, int_through_an_interrupt_gate_at_cpl0_pushes_eflags_cs_eip_and_clears_if)
{
    static const uint8_t code[] = { 0xCD, 0x40 };
    start32_deliver(code, sizeof code);
    th_gate(&t, 0x40, 0x08, HANDLER, 0x8E, 0);
    cpu_set_flags(cpu, FL_IF | FL_CF | FL_TF);
    th_run(&t, 1);
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason, "%s", cpu->stop_message);
    cr_expect_eq(HANDLER, cpu->rip);
    cr_expect_eq(TH_STACK - 12, cpu->gpr[RSP]);
    cr_expect_eq(TH_CODE + 2, peek(TH_STACK - 12, 4));
    cr_expect_eq(0x08, peek(TH_STACK - 8, 4));
    cr_expect_eq(FL_1 | FL_IF | FL_CF | FL_TF, peek(TH_STACK - 4, 4));
    cr_expect_not(th_flags(&t) & (FL_IF | FL_TF));
}

Test(system, a_trap_gate_keeps_if)
{
    static const uint8_t code[] = { 0xCD, 0x40 };
    start32_deliver(code, sizeof code);
    th_gate(&t, 0x40, 0x08, HANDLER, 0x8F, 0);
    cpu_set_flags(cpu, FL_IF);
    th_run(&t, 1);
    cr_expect(th_flags(&t) & FL_IF);
}

Test(system, int_from_ring3_switches_to_the_tss_stack_and_pushes_ss_esp)
{
    static const uint8_t code[] = { 0xCD, 0x40 };
    start32_deliver(code, sizeof code);
    th_gate(&t, 0x40, 0x08, HANDLER, 0xEE, 0);              /* DPL 3 interrupt gate */
    th_user(&t);
    th_run(&t, 1);
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason, "%s", cpu->stop_message);
    cr_expect_eq(0, cpu->cpl);
    cr_expect_eq(0x10, cpu->seg[SEG_SS].sel);
    cr_expect_eq(TH_STACK0 - 20, cpu->gpr[RSP]);
    cr_expect_eq(TH_CODE + 2, peek(TH_STACK0 - 20, 4));
    cr_expect_eq(0x1B, peek(TH_STACK0 - 16, 4));
    cr_expect_eq(TH_STACK, peek(TH_STACK0 - 8, 4));
    cr_expect_eq(0x23, peek(TH_STACK0 - 4, 4));
}

Test(system, int_n_through_a_gate_more_privileged_than_cpl_is_gp_vector_8_plus_2)
{
    static const uint8_t code[] = { 0xCD, 0x40 };
    start32_deliver(code, sizeof code);
    th_gate(&t, 0x40, 0x08, HANDLER, 0x8E, 0);              /* DPL 0 */
    th_gate(&t, EXC_GP, 0x08, HANDLER + 0x10, 0xEE, 0);
    th_user(&t);
    th_run(&t, 10);
    expect_handler(0x10);
    cr_expect_eq(0x40 * 8 + 2, peek(TH_STACK0 - 24, 4), "no EXT bit: INT n is the program's");
    cr_expect_eq(TH_CODE, peek(TH_STACK0 - 20, 4), "EIP of the INT");
}

Test(system, an_exception_pushes_its_error_code_eip_of_the_fault_and_rf)
{
    static const uint8_t code[] = { 0x66, 0xB8, 0x00, 0x01, 0x8E, 0xD8 };  /* mov ds, 0x100 */
    start32_deliver(code, sizeof code);
    th_gate(&t, EXC_GP, 0x08, HANDLER, 0x8E, 0);
    th_run(&t, 10);
    expect_handler(0);
    cr_expect_eq(0x100, peek(TH_STACK - 16, 4), "error code");
    cr_expect_eq(TH_CODE + 4, peek(TH_STACK - 12, 4), "EIP of the faulting MOV");
    cr_expect(peek(TH_STACK - 4, 4) & FL_RF, "RF set in the image of a fault");
}

Test(system, a_not_present_gate_for_an_exception_is_np_with_idt_and_ext_bits)
{
    static const uint8_t code[] = { 0x0F, 0x0B };           /* ud2 */
    start32_deliver(code, sizeof code);
    th_gate(&t, EXC_UD, 0x08, HANDLER, 0x0E, 0);            /* P = 0 */
    th_gate(&t, EXC_NP, 0x08, HANDLER + 0x10, 0x8E, 0);
    th_run(&t, 10);
    expect_handler(0x10);
    cr_expect_eq(EXC_UD * 8 + 2 + 1, peek(TH_STACK - 16, 4));
    cr_expect_eq(TH_CODE, peek(TH_STACK - 12, 4));
}

Test(system, a_gate_to_a_null_selector_is_gp_ext)
{
    static const uint8_t code[] = { 0x0F, 0x0B };
    start32_deliver(code, sizeof code);
    th_gate(&t, EXC_UD, 0x00, HANDLER, 0x8E, 0);
    th_gate(&t, EXC_GP, 0x08, HANDLER + 0x10, 0x8E, 0);
    th_run(&t, 10);
    expect_handler(0x10);
    cr_expect_eq(1, peek(TH_STACK - 16, 4));
}

/* #NP then #GP delivering it: contributory twice makes #DF with error 0. */
Test(system, contributory_faults_while_delivering_combine_into_double_fault)
{
    static const uint8_t code[] = { 0x66, 0xB8, 0x40, 0x00, 0x8E, 0xD8 };
    start32_deliver(code, sizeof code);
    th_desc(&t, 8, 0, 0xFFFFF, 0x13, 0xC);                  /* not present: #NP(0x40) */
    th_gate(&t, EXC_NP, 0x50, HANDLER, 0x8E, 0);            /* selector outside? no: null desc */
    th_gate(&t, EXC_DF, 0x08, HANDLER + 0x20, 0x8E, 0);
    th_run(&t, 10);
    expect_handler(0x20);
    cr_expect_eq(0, peek(TH_STACK - 16, 4));
}

/* ---- IRET ------------------------------------------------------------------- */

Test(system, iret_to_ring3_pops_ss_esp_and_nulls_dpl0_data_segments)
{
    static const uint8_t code[] = { 0xCF };
    start32(code, sizeof code);
    cpu->gpr[RSP] = TH_STACK0 - 20;
    th_poke(&t, TH_STACK0 - 20, 4, 0x2000);
    th_poke(&t, TH_STACK0 - 16, 4, 0x1B);
    th_poke(&t, TH_STACK0 - 12, 4, FL_IF | FL_IOPL | FL_CF);
    th_poke(&t, TH_STACK0 - 8, 4, 0x7000);
    th_poke(&t, TH_STACK0 - 4, 4, 0x23);
    th_run(&t, 1);
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason, "vector %d error %#x", cpu->exc_vector,
                 cpu->exc_error);
    cr_expect_eq(3, cpu->cpl);
    cr_expect_eq(0x2000, cpu->rip);
    cr_expect_eq(0x7000, cpu->gpr[RSP]);
    cr_expect_eq(FL_1 | FL_IF | FL_IOPL | FL_CF, th_flags(&t), "CPL 0 may set IOPL");
    cr_expect_eq(0, cpu->seg[SEG_DS].sel);
    cr_expect_eq(0, cpu->seg[SEG_GS].sel);
}

Test(system, iret_at_cpl3_keeps_iopl_and_if)
{
    static const uint8_t code[] = { 0xCF };
    start32(code, sizeof code);
    th_user(&t);
    th_poke(&t, TH_STACK, 4, 0x2000);
    th_poke(&t, TH_STACK + 4, 4, 0x1B);
    th_poke(&t, TH_STACK + 8, 4, FL_IF | FL_IOPL | FL_ZF);
    th_run(&t, 1);
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason);
    cr_expect_eq(FL_1 | FL_ZF, th_flags(&t));
}

Test(system, iret_to_a_more_privileged_level_is_gp_with_the_selector)
{
    static const uint8_t code[] = { 0xCF };
    start32(code, sizeof code);
    th_user(&t);
    th_poke(&t, TH_STACK, 4, 0x2000);
    th_poke(&t, TH_STACK + 4, 4, 0x08);
    th_poke(&t, TH_STACK + 8, 4, 0);
    th_run(&t, 1);
    expect_fault(EXC_GP, 0x08);
}

Test(system, an_interrupt_and_its_iret_round_trip_from_ring3)
{
    static const uint8_t code[] = { 0xCD, 0x40, 0x90 };
    static const uint8_t handler[] = { 0xCF };
    start32_deliver(code, sizeof code);
    th_poke(&t, HANDLER, 1, handler[0]);
    th_gate(&t, 0x40, 0x08, HANDLER, 0xEE, 0);
    th_user(&t);
    cpu_set_flags(cpu, FL_IF | FL_SF);
    th_run(&t, 2);
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason, "%s", cpu->stop_message);
    cr_expect_eq(3, cpu->cpl);
    cr_expect_eq(TH_CODE + 2, cpu->rip);
    cr_expect_eq(TH_STACK, cpu->gpr[RSP]);
    cr_expect_eq(0x23, cpu->seg[SEG_SS].sel);
    cr_expect_eq(FL_1 | FL_IF | FL_SF, th_flags(&t));
}

/* ---- I/O permission --------------------------------------------------------- */

Test(system, io_at_cpl3_follows_the_tss_bitmap)
{
    static const uint8_t code[] = { 0xE4, 0x80, 0xE4, 0x81 };   /* in al, 0x80; in al, 0x81 */
    start32(code, sizeof code);
    th_user(&t);
    uint8_t *map = th_mem(&t, TH_TSS + 0x68);
    map[0x80 / 8] &= (uint8_t)~1u;                          /* allow port 0x80 only */
    th_run(&t, 2);
    expect_fault(EXC_GP, 0);
    cr_expect_eq(TH_CODE + 2, cpu->rip);
}

Test(system, a_word_access_needs_both_bits_clear)
{
    static const uint8_t code[] = { 0x66, 0xE5, 0x80 };     /* in ax, 0x80 */
    start32(code, sizeof code);
    th_user(&t);
    th_mem(&t, TH_TSS + 0x68)[0x80 / 8] &= (uint8_t)~1u;
    th_run(&t, 1);
    expect_fault(EXC_GP, 0);
}

Test(system, io_with_cpl_at_most_iopl_ignores_the_bitmap)
{
    static const uint8_t code[] = { 0xE4, 0x81 };
    start32(code, sizeof code);
    th_user(&t);
    cpu_set_flags(cpu, FL_IOPL);
    th_run(&t, 1);
    cr_expect_eq(EXIT_BUDGET, cpu->exit_reason);
}

/* ---- virtual-8086 mode ------------------------------------------------------- */

static void enter_v86(uint32_t iopl)
{
    static const uint8_t code[] = { 0xCF };                 /* iretd */
    start32_deliver(code, sizeof code);
    uint32_t frame[9] = { 0x0100, 0x2000, FL_VM | iopl, 0xFFF0, 0x3000, 0x4000, 0x5000,
                          0x6000, 0x7000 };
    for (unsigned k = 0; k < 9; k++) th_poke(&t, TH_STACK + 4 * k, 4, frame[k]);
    th_run(&t, 1);
}

Test(system, iretd_with_vm_in_the_image_enters_virtual_8086_mode)
{
    enter_v86(0);
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason, "%s", cpu->stop_message);
    cr_expect_eq(MODE_V86, cpu->mode);
    cr_expect_eq(3, cpu->cpl);
    cr_expect_eq(0x20000, cpu->seg[SEG_CS].base);
    cr_expect_eq(0x100, cpu->rip);
    cr_expect_eq(0xFFF0, cpu->gpr[RSP]);
    cr_expect_eq(0x30000, cpu->seg[SEG_SS].base);
    cr_expect_eq(0x40000, cpu->seg[SEG_ES].base);
    cr_expect_eq(0x70000, cpu->seg[SEG_GS].base);
}

Test(system, int_n_in_v86_with_iopl3_goes_to_ring0_with_the_segments_pushed)
{
    enter_v86(FL_IOPL);
    th_poke(&t, 0x20100, 2, 0x40CD);                        /* int 0x40 */
    th_gate(&t, 0x40, 0x08, HANDLER, 0xEE, 0);
    th_run(&t, 1);
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason, "%s", cpu->stop_message);
    cr_expect_eq(MODE_PROT, cpu->mode);
    cr_expect_eq(TH_STACK0 - 36, cpu->gpr[RSP]);
    cr_expect_eq(0x102, peek(TH_STACK0 - 36, 4), "IP");
    cr_expect_eq(0x2000, peek(TH_STACK0 - 32, 4), "CS");
    cr_expect(peek(TH_STACK0 - 28, 4) & FL_VM, "EFLAGS with VM");
    cr_expect_eq(0xFFF0, peek(TH_STACK0 - 24, 4), "SP");
    cr_expect_eq(0x3000, peek(TH_STACK0 - 20, 4), "SS");
    cr_expect_eq(0x4000, peek(TH_STACK0 - 16, 4), "ES");
    cr_expect_eq(0x5000, peek(TH_STACK0 - 12, 4), "DS");
    cr_expect_eq(0x6000, peek(TH_STACK0 - 8, 4), "FS");
    cr_expect_eq(0x7000, peek(TH_STACK0 - 4, 4), "GS");
    cr_expect_eq(0, cpu->seg[SEG_DS].sel, "data segments become null");
    cr_expect_not(th_flags(&t) & FL_VM);
}

Test(system, int_n_in_v86_with_iopl_below_3_is_gp0)
{
    enter_v86(0);
    th_poke(&t, 0x20100, 2, 0x40CD);
    th_gate(&t, 0x40, 0x08, HANDLER, 0xEE, 0);
    th_gate(&t, EXC_GP, 0x08, HANDLER + 0x10, 0x8E, 0);
    th_run(&t, 10);
    expect_handler(0x10);
    cr_expect_eq(0, peek(TH_STACK0 - 40, 4), "error code 0");
    cr_expect_eq(0x100, peek(TH_STACK0 - 36, 4), "IP of the INT");
}

/* ---- task switches -------------------------------------------------------------- */

#define TSS2 0x26000u

/* A second 32-bit TSS (GDT index 9, selector 0x48) whose task starts at 0x2800. */
static void make_task2(void)
{
    memset(th_mem(&t, TSS2), 0, 0x68);
    th_poke(&t, TSS2 + 0x20, 4, 0x2800);                    /* EIP */
    th_poke(&t, TSS2 + 0x24, 4, FL_1 | FL_CF);              /* EFLAGS */
    th_poke(&t, TSS2 + 0x28, 4, 0xAAAA0000);                /* EAX */
    th_poke(&t, TSS2 + 0x38, 4, 0x8800);                    /* ESP */
    th_poke(&t, TSS2 + 0x48, 2, 0x10);                      /* ES */
    th_poke(&t, TSS2 + 0x4C, 2, 0x08);                      /* CS */
    th_poke(&t, TSS2 + 0x50, 2, 0x10);                      /* SS */
    th_poke(&t, TSS2 + 0x54, 2, 0x10);                      /* DS */
    th_desc(&t, 9, TSS2, 0x67, 0x89, 0);
}

Test(system, jmp_to_a_tss_saves_the_old_task_and_loads_the_new_one)
{
    static const uint8_t code[] = { 0xEA, 0, 0, 0, 0, 0x48, 0x00 };   /* jmp 0x48:0 */
    start32(code, sizeof code);
    make_task2();
    cpu->gpr[RBX] = 0x5555;
    th_run(&t, 1);
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason, "vector %d error %#x", cpu->exc_vector,
                 cpu->exc_error);
    cr_expect_eq(0x48, cpu->seg[SEG_TR].sel);
    cr_expect_eq(0x2800, cpu->rip);
    cr_expect_eq(0xAAAA0000, cpu->gpr[RAX]);
    cr_expect_eq(0x8800, cpu->gpr[RSP]);
    cr_expect(th_flags(&t) & FL_CF);
    cr_expect(cpu->cr0 & CR0_TS, "a task switch sets CR0.TS");
    cr_expect_eq(TH_CODE + 7, peek(TH_TSS + 0x20, 4), "old EIP saved");
    cr_expect_eq(0x5555, peek(TH_TSS + 0x34, 4), "old EBX saved");
    cr_expect_eq(0x89, access_byte(5), "old TSS no longer busy");
    cr_expect_eq(0x8B, access_byte(9), "new TSS busy");
    cr_expect_not(th_flags(&t) & FL_NT);
}

Test(system, call_to_a_task_links_back_and_iret_returns_to_the_caller)
{
    static const uint8_t code[] = { 0x9A, 0, 0, 0, 0, 0x48, 0x00, 0x90 };
    start32(code, sizeof code);
    make_task2();
    th_poke(&t, 0x2800, 1, 0xCF);                           /* the task: iretd */
    th_run(&t, 1);
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason, "vector %d error %#x", cpu->exc_vector,
                 cpu->exc_error);
    cr_expect(th_flags(&t) & FL_NT);
    cr_expect_eq(0x28, peek(TSS2, 2), "back link");
    cr_expect_eq(0x8B, access_byte(5), "the caller stays busy");
    th_run(&t, 1);
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason, "vector %d error %#x", cpu->exc_vector,
                 cpu->exc_error);
    cr_expect_eq(0x28, cpu->seg[SEG_TR].sel);
    cr_expect_eq(TH_CODE + 7, cpu->rip);
    cr_expect_eq(0x89, access_byte(9), "the called task is free again");
    cr_expect_not(peek(TSS2 + 0x24, 4) & FL_NT, "NT cleared in the saved image");
}

Test(system, jmp_to_a_busy_tss_is_gp_with_its_selector)
{
    static const uint8_t code[] = { 0xEA, 0, 0, 0, 0, 0x28, 0x00 };
    start32(code, sizeof code);
    th_run(&t, 1);
    expect_fault(EXC_GP, 0x28);
}

Test(system, a_task_gate_in_the_idt_switches_tasks_for_double_fault)
{
    static const uint8_t code[] = { 0x66, 0xB8, 0x40, 0x00, 0x8E, 0xD8 };
    start32_deliver(code, sizeof code);
    make_task2();
    th_desc(&t, 8, 0, 0xFFFFF, 0x13, 0xC);                  /* #NP(0x40) */
    th_gate(&t, EXC_NP, 0x50, HANDLER, 0x8E, 0);            /* handler CS: null desc → #GP */
    th_gate(&t, EXC_DF, 0x48, 0, 0x85, 0);                  /* task gate to TSS 0x48 */
    th_poke(&t, 0x2800, 1, 0xF4);
    th_run(&t, 10);
    cr_assert_eq(EXIT_HALT, cpu->exit_reason, "%s", cpu->stop_message);
    cr_expect_eq(0x48, cpu->seg[SEG_TR].sel);
    cr_expect_eq(0x2801, cpu->rip);
    cr_expect_eq(0x8800 - 4, cpu->gpr[RSP], "the error code pushed on the new task's stack");
    cr_expect_eq(0, peek(0x8800 - 4, 4));
    cr_expect(th_flags(&t) & FL_NT);
}

/* ---- long mode --------------------------------------------------------------- */

static void start64_deliver(const uint8_t *code, size_t n)
{
    th_init(&t, DM_64);
    th_protected(&t);
    th_code(&t, code, n);
    cpu->stop_on_exception = false;
}

Test(system, int_from_ring3_in_64_bit_mode_uses_rsp0_and_pushes_an_8_byte_frame)
{
    static const uint8_t code[] = { 0xCD, 0x40 };
    start64_deliver(code, sizeof code);
    th_gate(&t, 0x40, 0x08, HANDLER, 0xEE, 0);
    th_user(&t);
    cpu->gpr[RSP] = TH_STACK - 8;                           /* misaligned: RSP0 is aligned */
    th_run(&t, 1);
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason, "%s", cpu->stop_message);
    cr_expect_eq(0, cpu->cpl);
    cr_expect_eq(DM_64, cpu->dmode);
    cr_expect_eq(0, cpu->seg[SEG_SS].sel & 0xFFFC, "SS becomes null");
    cr_expect_eq(TH_STACK0 - 40, cpu->gpr[RSP]);
    cr_expect_eq(TH_CODE + 2, peek(TH_STACK0 - 40, 8));
    cr_expect_eq(0x1B, peek(TH_STACK0 - 32, 8));
    cr_expect_eq(TH_STACK - 8, peek(TH_STACK0 - 16, 8));
    cr_expect_eq(0x23, peek(TH_STACK0 - 8, 8));
}

Test(system, an_ist_entry_switches_stacks_even_without_a_privilege_change)
{
    static const uint8_t code[] = { 0xCD, 0x40 };
    start64_deliver(code, sizeof code);
    th_poke(&t, TH_TSS + 0x24 + 8 * 1, 8, 0x38008);         /* IST2, misaligned */
    th_gate(&t, 0x40, 0x08, HANDLER, 0x8E, 2);
    th_run(&t, 1);
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason, "%s", cpu->stop_message);
    cr_expect_eq(0x38000 - 40, cpu->gpr[RSP]);
    cr_expect_eq(TH_STACK, peek(0x38000 - 16, 8), "old RSP");
}

Test(system, iretq_returns_to_ring3_with_the_frame_of_the_interrupt)
{
    static const uint8_t code[] = { 0xCD, 0x40, 0x90 };
    static const uint8_t handler[] = { 0x48, 0xCF };        /* iretq */
    start64_deliver(code, sizeof code);
    th_poke(&t, HANDLER, 2, handler[0] | handler[1] << 8);
    th_gate(&t, 0x40, 0x08, HANDLER, 0xEE, 0);
    th_user(&t);
    th_run(&t, 2);
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason, "%s", cpu->stop_message);
    cr_expect_eq(3, cpu->cpl);
    cr_expect_eq(TH_CODE + 2, cpu->rip);
    cr_expect_eq(TH_STACK, cpu->gpr[RSP]);
    cr_expect_eq(0x23, cpu->seg[SEG_SS].sel);
}

Test(system, a_64_bit_gate_to_32_bit_code_is_gp_with_the_selector)
{
    static const uint8_t code[] = { 0xCD, 0x40 };
    start64_deliver(code, sizeof code);
    halting_handlers();
    th_gate(&t, 0x40, 0x38, HANDLER, 0x8E, 0);
    th_gate(&t, EXC_GP, 0x08, HANDLER + 0x10, 0x8E, 0);
    th_run(&t, 10);
    expect_handler(0x10);
    cr_expect_eq(0x38, peek(TH_STACK - 48, 8), "error code: the selector");
}

/* ---- single-step ------------------------------------------------------------- */

Test(system, tf_traps_after_one_instruction_with_dr6_bs_and_the_next_eip)
{
    static const uint8_t code[] = { 0x90, 0x90 };
    start32_deliver(code, sizeof code);
    th_gate(&t, EXC_DB, 0x08, HANDLER, 0x8E, 0);
    cpu_set_flags(cpu, FL_TF);
    th_run(&t, 10);
    expect_handler(0);
    cr_expect_eq(TH_CODE + 1, peek(TH_STACK - 12, 4), "the trap follows the first NOP");
    cr_expect(peek(TH_STACK - 4, 4) & FL_TF, "the image keeps TF for the IRET");
    cr_expect(cpu->dr[6] & DR6_BS);
    cr_expect_eq(2, cpu->instret, "NOP, then the handler's HLT");
}

Test(system, popf_that_sets_tf_traps_after_the_following_instruction_not_itself)
{
    /* push 0x102; popfd; nop; nop */
    static const uint8_t code[] = { 0x68, 0x02, 0x01, 0, 0, 0x9D, 0x90, 0x90 };
    start32_deliver(code, sizeof code);
    th_gate(&t, EXC_DB, 0x08, HANDLER, 0x8E, 0);
    th_run(&t, 10);
    expect_handler(0);
    cr_expect_eq(TH_CODE + 7, peek(TH_STACK - 12, 4));
}

Test(system, a_faulting_instruction_under_tf_is_delivered_without_a_trap)
{
    static const uint8_t code[] = { 0x0F, 0x0B };           /* ud2 */
    start32_deliver(code, sizeof code);
    th_gate(&t, EXC_DB, 0x08, HANDLER, 0x8E, 0);
    th_gate(&t, EXC_UD, 0x08, HANDLER + 0x10, 0x8E, 0);
    cpu_set_flags(cpu, FL_TF);
    th_run(&t, 10);
    expect_handler(0x10);
    cr_expect_not(cpu->dr[6] & DR6_BS);
}

/* ---- long mode: compatibility and 64-bit code segments ----------------------- */

/* GDT 0x40: a ring-3 32-bit code segment (compatibility mode), like WoW64's 0x23. */
static void start_compat_user(const uint8_t *code, size_t n)
{
    start64_deliver(code, n);
    th_desc(&t, 8, 0, 0xFFFFF, 0xFB, 0xC);
    th_user(&t);
    cpu->seg[SEG_CS] = (struct segment){ 0x43, 0xC0FB, 0xFFFFFFFF, 0 };
    cpu_update_mode(cpu);
}

Test(system, a_far_jump_from_compatibility_mode_to_a_64_bit_segment_switches_decoding)
{
    static const uint8_t code[] = { 0xEA, 0x00, 0x20, 0, 0, 0x1B, 0x00 };   /* jmp 0x1B:0x2000 */
    start_compat_user(code, sizeof code);
    cr_assert_eq(DM_32, cpu->dmode);
    th_run(&t, 1);
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason, "%s", cpu->stop_message);
    cr_expect_eq(DM_64, cpu->dmode);
    cr_expect_eq(0x1B, cpu->seg[SEG_CS].sel);
    cr_expect_eq(0x2000, cpu->rip);
}

Test(system, a_far_return_from_64_bit_code_to_compatibility_mode)
{
    static const uint8_t code[] = { 0x48, 0xCB };           /* retfq */
    start64_deliver(code, sizeof code);
    th_desc(&t, 8, 0, 0xFFFFF, 0xFB, 0xC);
    th_user(&t);
    th_poke(&t, TH_STACK, 8, 0x2000);
    th_poke(&t, TH_STACK + 8, 8, 0x43);
    th_run(&t, 1);
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason, "%s", cpu->stop_message);
    cr_expect_eq(DM_32, cpu->dmode);
    cr_expect_eq(0x43, cpu->seg[SEG_CS].sel);
    cr_expect_eq(TH_STACK + 16, cpu->gpr[RSP]);
}

Test(system, a_far_jump_to_a_non_canonical_64_bit_target_is_gp0)
{
    /* jmp far [rax] with REX.W: m16:64 */
    static const uint8_t code[] = { 0x48, 0xFF, 0x28 };
    start64_deliver(code, sizeof code);
    cpu->stop_on_exception = true;
    cpu->gpr[RAX] = TH_DATA;
    th_poke(&t, TH_DATA, 8, 0x0000800000000000ull);
    th_poke(&t, TH_DATA + 8, 2, 0x08);
    th_run(&t, 1);
    expect_fault(EXC_GP, 0);
}

Test(system, a_64_bit_call_gate_from_ring3_pushes_ss_rsp_cs_rip_on_rsp0)
{
    /* call far [rax]: m16:32 through a call gate (offset ignored) */
    static const uint8_t code[] = { 0xFF, 0x18 };
    start64_deliver(code, sizeof code);
    /* 16-byte call gate in entries 8-9: DPL 3, to 0x08:HANDLER */
    th_gdt_gate(&t, 8, 0x08, HANDLER, 0xEC, 0);
    th_poke(&t, TH_GDT + 8 * 9, 8, 0);
    th_user(&t);
    cpu->gpr[RAX] = TH_DATA;
    th_poke(&t, TH_DATA, 4, 0);
    th_poke(&t, TH_DATA + 4, 2, 0x43);
    th_run(&t, 1);
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason, "%s", cpu->stop_message);
    cr_expect_eq(0, cpu->cpl);
    cr_expect_eq(HANDLER, cpu->rip);
    cr_expect_eq(TH_STACK0 - 32, cpu->gpr[RSP]);
    cr_expect_eq(TH_CODE + 2, peek(TH_STACK0 - 32, 8), "RIP");
    cr_expect_eq(0x1B, peek(TH_STACK0 - 24, 8), "CS");
    cr_expect_eq(TH_STACK, peek(TH_STACK0 - 16, 8), "RSP");
    cr_expect_eq(0x23, peek(TH_STACK0 - 8, 8), "SS");
    cr_expect_eq(0, cpu->seg[SEG_SS].sel & 0xFFFC, "SS null at the new level");
}

Test(system, a_16_byte_call_gate_with_a_nonzero_upper_type_is_gp)
{
    static const uint8_t code[] = { 0xFF, 0x18 };
    start64_deliver(code, sizeof code);
    cpu->stop_on_exception = true;
    th_gdt_gate(&t, 8, 0x08, HANDLER, 0xEC, 0);
    th_poke(&t, TH_GDT + 8 * 9, 8, 0x00000C0000000000ull);  /* type bits in the upper half */
    cpu->gpr[RAX] = TH_DATA;
    th_poke(&t, TH_DATA + 4, 2, 0x40);
    th_run(&t, 1);
    expect_fault(EXC_GP, 0x40);
}

/* ---- debug registers ----------------------------------------------------------- */

#define DR7_L(i)        (1u << (2 * (i)))
#define DR7_RW(i, rw)   ((uint32_t)(rw) << (16 + 4 * (i)))
#define DR7_LEN(i, len) ((uint32_t)(len) << (18 + 4 * (i)))

/* mov dr7, eax (after DR0-DR3 are set directly) */
static void arm(uint32_t dr7)
{
    static const uint8_t code[] = { 0x0F, 0x23, 0xF8 };     /* mov dr7, eax */
    uint8_t saved[3];
    memcpy(saved, th_mem(&t, TH_CODE), 3);
    uint64_t rip = cpu->rip;
    th_code(&t, code, sizeof code);
    cpu->gpr[RAX] = dr7;
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 1));
    memcpy(th_mem(&t, TH_CODE), saved, 3);
    cpu_invalidate_code(cpu, TH_CODE, 3);
    cpu->rip = rip;
}

Test(system, an_instruction_breakpoint_faults_before_the_instruction_with_dr6_b0)
{
    static const uint8_t code[] = { 0x90, 0x90, 0x90 };
    start32_deliver(code, sizeof code);
    th_gate(&t, EXC_DB, 0x08, HANDLER, 0x8E, 0);
    cpu->dr[0] = TH_CODE + 1;
    arm(DR7_L(0));
    uint64_t before = cpu->instret;
    th_run(&t, 10);
    expect_handler(0);
    cr_expect_eq(TH_CODE + 1, peek(TH_STACK - 12, 4), "EIP of the instruction, not after it");
    cr_expect_eq(1, cpu->dr[6] & 0xF);
    cr_expect_eq(2, cpu->instret - before, "one NOP, then the handler's HLT");
}

Test(system, rf_in_the_iret_image_lets_the_instruction_run_once)
{
    static const uint8_t code[] = { 0x90, 0x90, 0x90 };
    static const uint8_t handler[] = { 0x81, 0x4C, 0x24, 0x08, 0x00, 0x00, 0x01, 0x00,  /* or dword [esp+8], RF */
                                       0xCF };                                       /* iretd */
    start32_deliver(code, sizeof code);
    memcpy(th_mem(&t, HANDLER), handler, sizeof handler);
    th_gate(&t, EXC_DB, 0x08, HANDLER, 0x8E, 0);
    cpu->dr[0] = TH_CODE + 1;
    arm(DR7_L(0));
    th_run(&t, 5);             /* nop, (#DB) or, iretd, nop at the breakpoint, nop */
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason, "%s", cpu->stop_message);
    cr_expect_eq(TH_CODE + 3, cpu->rip);
    cr_expect_not(th_flags(&t) & FL_RF, "RF lasts one instruction");
}

Test(system, a_write_breakpoint_traps_after_the_write_and_ignores_reads)
{
    /* mov eax, [0x4004]; mov [0x4004], eax; nop */
    static const uint8_t code[] = { 0xA1, 0x04, 0x40, 0, 0, 0xA3, 0x04, 0x40, 0, 0, 0x90 };
    start32_deliver(code, sizeof code);
    th_gate(&t, EXC_DB, 0x08, HANDLER, 0x8E, 0);
    cpu->dr[1] = TH_DATA + 4;
    arm(DR7_L(1) | DR7_RW(1, 1) | DR7_LEN(1, 3));
    th_run(&t, 10);
    expect_handler(0);
    cr_expect_eq(TH_CODE + 10, peek(TH_STACK - 12, 4), "a trap: EIP after the write");
    cr_expect_eq(2, cpu->dr[6] & 0xF);
}

Test(system, a_read_write_breakpoint_of_two_bytes_covers_its_aligned_range)
{
    static const uint8_t code[] = { 0xA0, 0x05, 0x40, 0, 0, 0x90 };   /* mov al, [0x4005] */
    start32_deliver(code, sizeof code);
    th_gate(&t, EXC_DB, 0x08, HANDLER, 0x8E, 0);
    cpu->dr[3] = TH_DATA + 5;                   /* LEN 2 aligns it down to 0x4004 */
    arm(DR7_L(3) | DR7_RW(3, 3) | DR7_LEN(3, 1));
    th_run(&t, 10);
    expect_handler(0);
    cr_expect_eq(8, cpu->dr[6] & 0xF);
}

/* ---- alignment checking ---------------------------------------------------- */

Test(system, a_misaligned_access_at_cpl3_with_am_and_ac_is_ac0)
{
    static const uint8_t code[] = { 0x8B, 0x00 };           /* mov eax, [eax] */
    start32(code, sizeof code);
    th_user(&t);
    cpu->cr0 |= CR0_AM;
    cpu_set_flags(cpu, FL_AC);
    cpu->gpr[RAX] = TH_DATA + 1;
    th_run(&t, 1);
    expect_fault(EXC_AC, 0);
}

Test(system, alignment_is_not_checked_without_ac_or_at_cpl0)
{
    static const uint8_t code[] = { 0x8B, 0x00 };
    start32(code, sizeof code);
    cpu->cr0 |= CR0_AM;
    cpu_set_flags(cpu, FL_AC);
    cpu->gpr[RAX] = TH_DATA + 1;
    th_run(&t, 1);
    cr_expect_eq(EXIT_BUDGET, cpu->exit_reason, "CPL 0");
    th_user(&t);
    cpu_set_flags(cpu, 0);
    cpu->rip = TH_CODE;
    cpu->gpr[RAX] = TH_DATA + 1;
    th_run(&t, 1);
    cr_expect_eq(EXIT_BUDGET, cpu->exit_reason, "AC clear");
}

Test(system, a_fault_through_a_task_gate_saves_rf_in_the_old_task_state)
{
    static const uint8_t code[] = { 0x0F, 0x0B };           /* ud2 */
    start32_deliver(code, sizeof code);
    make_task2();
    th_poke(&t, 0x2800, 1, 0xF4);
    th_gate(&t, EXC_UD, 0x48, 0, 0x85, 0);
    th_run(&t, 10);
    cr_assert_eq(EXIT_HALT, cpu->exit_reason, "%s", cpu->stop_message);
    cr_expect_eq(TH_CODE, peek(TH_TSS + 0x20, 4), "the old task resumes at the UD2");
    cr_expect(peek(TH_TSS + 0x24, 4) & FL_RF, "RF in the saved EFLAGS (SDM 17.3.1.1)");
}

/* I/O breakpoints are not implemented: enabling one is a counted deferred #UD
 * naming them, whichever of DR7 and CR4.DE comes second. */
Test(system, enabling_an_io_breakpoint_is_a_deferred_ud_naming_it)
{
    static const uint8_t mov_dr7[] = { 0x0F, 0x23, 0xF8 };  /* mov dr7, eax */
    static const uint8_t mov_cr4[] = { 0x0F, 0x22, 0xE0 };  /* mov cr4, eax */
    start32(mov_dr7, sizeof mov_dr7);
    cpu->cr4 = CR4_DE;
    cpu->gpr[RAX] = DR7_L(2) | DR7_RW(2, 2);
    th_run(&t, 1);
    expect_fault(EXC_UD, EXC_NO_ERROR);
    cr_expect_eq(1, cpu->stats.deferred_ud);
    cr_expect_str_eq("I/O breakpoints (DR7 R/W = 10 with CR4.DE)", cpu->deferred_what);
    cr_expect_eq(0x400, cpu->dr[7], "DR7 unchanged");
    cpu->cr4 = 0;
    cpu->rip = TH_CODE;
    th_run(&t, 1);
    cr_expect_eq(EXIT_BUDGET, cpu->exit_reason, "without CR4.DE, R/W = 10 is accepted");
    th_code(&t, mov_cr4, sizeof mov_cr4);
    cpu->gpr[RAX] = CR4_DE;
    th_run(&t, 1);
    expect_fault(EXC_UD, EXC_NO_ERROR);
    cr_expect_eq(0, cpu->cr4 & CR4_DE, "CR4 unchanged");
}
