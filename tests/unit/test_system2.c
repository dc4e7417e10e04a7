/* test_system2.c - the corners of the protected-mode system architecture
 * (SDM Vol. 3 ch. 5-7, 17, 20): 16-bit interrupt, trap and call gates and
 * 16-bit TSSs; exception combinations (#DF and the triple fault); faults of
 * a task switch taken in the new task; stack faults during a privilege
 * change; hardware interrupts out of virtual-8086 mode; RF in the image.
 *
 * Machines come from th_protected() (harness.h): GDT 0x08 ring-0 code,
 * 0x10 ring-0 data, 0x1B ring-3 code, 0x23 ring-3 data, 0x28 TSS; free
 * entries from index 8 on.  TSS2 (selector 0x48) is a second task whose
 * handler halts: a fault sent to it through a task gate stops the run with
 * the error code on its stack, whatever the state of the faulting ring.
 */
#include <criterion/criterion.h>
#include <string.h>
#include "harness.h"
#include "pt.h"
#include "cpu/system.h"

static struct th t;
static struct cpu *cpu = &t.cpu;

#define HANDLER 0x3000u         /* halting handler code */
#define TSS2    0x26000u        /* a second 32-bit TSS, GDT index 9 (0x48) */
#define TSS16   0x27000u        /* a 16-bit TSS, GDT index 10 (0x50) */
#define TASK2_EIP 0x2800u
#define TASK2_ESP 0x8800u

static void teardown(void) { th_free(&t); }

TestSuite(system2, .fini = teardown);

static uint64_t peek(uint64_t phys, unsigned n) { return th_peek(&t, phys, n); }
static uint8_t access_byte(unsigned index) { return (uint8_t)peek(TH_GDT + 8 * index + 5, 1); }

/* Protected mode, exceptions delivered, handlers that halt at HANDLER. */
static void start(const uint8_t *code, size_t n)
{
    if (t.bus) th_free(&t);
    th_init(&t, DM_32);
    th_protected(&t);
    th_code(&t, code, n);
    memset(th_mem(&t, HANDLER), 0xF4, 0x100);
    th_poke(&t, TASK2_EIP, 1, 0xF4);
    cpu->stop_on_exception = false;
}

static void expect_halt_at(uint32_t eip)
{
    cr_assert_eq(EXIT_HALT, cpu->exit_reason, "exit %d (vector %d): %s", cpu->exit_reason,
                 cpu->exc_vector, cpu->stop_message);
    cr_expect_eq(eip + 1, cpu->rip, "rip %#llx, expected %#x", (unsigned long long)cpu->rip,
                 eip + 1);
}

/* TSS2: a flat ring-0 task at TASK2_EIP (a HLT) on its own stack. */
static void make_task2(void)
{
    memset(th_mem(&t, TSS2), 0, 0x68);
    th_poke(&t, TSS2 + 0x1C, 4, cpu->cr3);                  /* this address space */
    th_poke(&t, TSS2 + 0x20, 4, TASK2_EIP);
    th_poke(&t, TSS2 + 0x24, 4, FL_1);
    th_poke(&t, TSS2 + 0x38, 4, TASK2_ESP);
    th_poke(&t, TSS2 + 0x48, 2, 0x10);                      /* ES */
    th_poke(&t, TSS2 + 0x4C, 2, 0x08);                      /* CS */
    th_poke(&t, TSS2 + 0x50, 2, 0x10);                      /* SS */
    th_poke(&t, TSS2 + 0x54, 2, 0x10);                      /* DS */
    th_desc(&t, 9, TSS2, 0x67, 0x89, 0);
}

/* Vector vec goes to TSS2 through a task gate; the run must end in TSS2's
 * HLT with error on its stack. */
static void task_gate_to_task2(unsigned vec)
{
    make_task2();
    th_gate(&t, vec, 0x48, 0, 0x85, 0);
}

static void expect_in_task2_with_error(uint32_t error)
{
    expect_halt_at(TASK2_EIP);
    cr_expect_eq(0x48, cpu->seg[SEG_TR].sel, "TR is the handler task's");
    cr_expect_eq(TASK2_ESP - 4, cpu->gpr[RSP], "one error code on the task's stack");
    cr_expect_eq(error, peek(TASK2_ESP - 4, 4), "error %#llx, expected %#x",
                 (unsigned long long)peek(TASK2_ESP - 4, 4), error);
}

/* ---- 16-bit interrupt and trap gates (SDM Vol. 3 6.12.1, figure 6-4) ------ */

Test(system2, a_16_bit_interrupt_gate_pushes_flags_cs_ip_as_words_and_clears_if)
{
    static const uint8_t code[] = { 0xCD, 0x40 };
    start(code, sizeof code);
    th_gate(&t, 0x40, 0x08, HANDLER, 0x86, 0);
    cpu_set_flags(cpu, FL_IF | FL_CF);
    th_run(&t, 10);
    expect_halt_at(HANDLER);
    cr_expect_eq(TH_STACK - 6, cpu->gpr[RSP], "three words");
    cr_expect_eq(TH_CODE + 2, peek(TH_STACK - 6, 2), "IP");
    cr_expect_eq(0x08, peek(TH_STACK - 4, 2), "CS");
    cr_expect_eq(FL_1 | FL_IF | FL_CF, peek(TH_STACK - 2, 2), "FLAGS");
    cr_expect_not(th_flags(&t) & FL_IF);
}

Test(system2, a_16_bit_trap_gate_keeps_if)
{
    static const uint8_t code[] = { 0xCD, 0x40 };
    start(code, sizeof code);
    th_gate(&t, 0x40, 0x08, HANDLER, 0x87, 0);
    cpu_set_flags(cpu, FL_IF);
    th_run(&t, 1);
    cr_expect_eq(HANDLER, cpu->rip);
    cr_expect(th_flags(&t) & FL_IF);
    cr_expect_eq(TH_STACK - 6, cpu->gpr[RSP]);
}

Test(system2, a_16_bit_gate_pushes_the_error_code_as_a_word)
{
    static const uint8_t code[] = { 0x66, 0xB8, 0x00, 0x01, 0x8E, 0xD8 };  /* mov ds, 0x100 */
    start(code, sizeof code);
    th_gate(&t, EXC_GP, 0x08, HANDLER, 0x86, 0);
    th_run(&t, 10);
    expect_halt_at(HANDLER);
    cr_expect_eq(TH_STACK - 8, cpu->gpr[RSP], "four words");
    cr_expect_eq(0x100, peek(TH_STACK - 8, 2), "error code");
    cr_expect_eq(TH_CODE + 4, peek(TH_STACK - 6, 2), "IP of the MOV");
}

Test(system2, a_16_bit_gate_from_ring3_pushes_ss_sp_as_words_on_the_tss_stack)
{
    static const uint8_t code[] = { 0xCD, 0x40 };
    start(code, sizeof code);
    th_gate(&t, 0x40, 0x08, HANDLER, 0xE6, 0);              /* DPL 3, 16-bit */
    th_user(&t);
    cpu->gpr[RSP] = 0x8FF0;
    th_run(&t, 1);
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason, "%s", cpu->stop_message);
    cr_expect_eq(0, cpu->cpl);
    cr_expect_eq(HANDLER, cpu->rip);
    cr_expect_eq(TH_STACK0 - 10, cpu->gpr[RSP], "five words");
    cr_expect_eq(TH_CODE + 2, peek(TH_STACK0 - 10, 2), "IP");
    cr_expect_eq(0x1B, peek(TH_STACK0 - 8, 2), "CS");
    cr_expect_eq(0x8FF0, peek(TH_STACK0 - 4, 2), "SP");
    cr_expect_eq(0x23, peek(TH_STACK0 - 2, 2), "SS");
}

Test(system2, iret_with_a_16_bit_operand_returns_to_ring3_from_a_16_bit_frame)
{
    static const uint8_t code[] = { 0xCD, 0x40, 0x90 };
    start(code, sizeof code);
    th_gate(&t, 0x40, 0x08, HANDLER, 0xE6, 0);
    th_poke(&t, HANDLER, 2, 0xCF66);                        /* iret (o16) */
    th_user(&t);
    cpu->gpr[RSP] = 0x8FF0;
    cpu_set_flags(cpu, FL_CF);
    th_run(&t, 2);
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason, "%s", cpu->stop_message);
    cr_expect_eq(3, cpu->cpl);
    cr_expect_eq(0x1B, cpu->seg[SEG_CS].sel);
    cr_expect_eq(0x23, cpu->seg[SEG_SS].sel);
    cr_expect_eq(TH_CODE + 2, cpu->rip);
    cr_expect_eq(0x8FF0, cpu->gpr[RSP] & 0xFFFF);
    cr_expect(th_flags(&t) & FL_CF, "FLAGS restored");
}

/* ---- 16-bit call gates (SDM CALL, call gate; 5.8.5) -------------------- */

Test(system2, a_16_bit_call_gate_from_ring3_copies_parameters_as_words)
{
    static const uint8_t code[] = {
        0x66, 0x6A, 0x11,                       /* push word 0x11 */
        0x66, 0x6A, 0x22,                       /* push word 0x22 */
        0x9A, 0, 0, 0, 0, 0x5B, 0x00,           /* call 0x5B:0 (gate, RPL 3) */
    };
    start(code, sizeof code);
    th_gdt_gate(&t, 11, 0x08, HANDLER, 0xE4, 2);             /* 16-bit call gate, 2 words */
    th_user(&t);
    th_run(&t, 3);
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason, "%s", cpu->stop_message);
    cr_expect_eq(0, cpu->cpl);
    cr_expect_eq(HANDLER, cpu->rip);
    cr_expect_eq(0x10, cpu->seg[SEG_SS].sel);
    cr_expect_eq(TH_STACK0 - 12, cpu->gpr[RSP], "SS, SP, 2 parameters, CS, IP: six words");
    cr_expect_eq(TH_CODE + 13, peek(TH_STACK0 - 12, 2), "IP");
    cr_expect_eq(0x1B, peek(TH_STACK0 - 10, 2), "CS");
    cr_expect_eq(0x22, peek(TH_STACK0 - 8, 2), "the last parameter pushed");
    cr_expect_eq(0x11, peek(TH_STACK0 - 6, 2), "the first parameter pushed");
    cr_expect_eq((TH_STACK - 4) & 0xFFFF, peek(TH_STACK0 - 4, 2), "SP");
    cr_expect_eq(0x23, peek(TH_STACK0 - 2, 2), "SS");
}

/* ---- 16-bit TSSs (SDM Vol. 3 7.6, figure 7-10) --------------------------- */

/* A 16-bit TSS at TSS16 (GDT index 10, 0x50): IP 0x2900, SP 0x8700, AX 0x1234. */
static void make_tss16(uint16_t ldt)
{
    memset(th_mem(&t, TSS16), 0xEE, 0x40);                  /* beyond 0x2B: never touched */
    memset(th_mem(&t, TSS16), 0, 0x2C);
    th_poke(&t, TSS16 + 0x02, 2, 0x7000);                   /* SP0 */
    th_poke(&t, TSS16 + 0x04, 2, 0x10);                     /* SS0 */
    th_poke(&t, TSS16 + 0x0E, 2, 0x2900);                   /* IP */
    th_poke(&t, TSS16 + 0x10, 2, FL_1 | FL_CF);             /* FLAGS */
    th_poke(&t, TSS16 + 0x12, 2, 0x1234);                   /* AX */
    th_poke(&t, TSS16 + 0x1A, 2, 0x8700);                   /* SP */
    th_poke(&t, TSS16 + 0x22, 2, 0x10);                     /* ES */
    th_poke(&t, TSS16 + 0x24, 2, 0x08);                     /* CS */
    th_poke(&t, TSS16 + 0x26, 2, 0x10);                     /* SS */
    th_poke(&t, TSS16 + 0x28, 2, 0x10);                     /* DS */
    th_poke(&t, TSS16 + 0x2A, 2, ldt);                      /* LDT */
    th_desc(&t, 10, TSS16, 0x2B, 0x81, 0);
    th_poke(&t, 0x2900, 1, 0xF4);
}

Test(system2, jmp_to_a_16_bit_tss_loads_its_word_fields)
{
    static const uint8_t code[] = { 0xEA, 0, 0, 0, 0, 0x50, 0x00 };   /* jmp 0x50:0 */
    start(code, sizeof code);
    make_tss16(0);
    th_run(&t, 1);
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason, "vector %d error %#x", cpu->exc_vector,
                 cpu->exc_error);
    cr_expect_eq(0x50, cpu->seg[SEG_TR].sel);
    cr_expect_eq(0x2900, cpu->rip);
    cr_expect_eq(0x8700, cpu->gpr[RSP] & 0xFFFF);
    cr_expect_eq(0x1234, cpu->gpr[RAX] & 0xFFFF);
    cr_expect(th_flags(&t) & FL_CF);
    cr_expect_eq(0, cpu->seg[SEG_LDTR].sel, "the LDT field at 2Ah");
    cr_expect_eq(0x83, access_byte(10), "busy 16-bit TSS");
    cr_expect_eq(0x89, access_byte(5), "the old TSS is free");
}

Test(system2, a_16_bit_tss_keeps_its_ldt_field_when_the_task_is_saved)
{
    static const uint8_t code[] = { 0xEA, 0, 0, 0, 0, 0x28, 0x00 };   /* jmp 0x28:0 */
    start(code, sizeof code);
    make_tss16(0);
    /* Run as the 16-bit task: TR = 0x50 busy, the 32-bit TSS free. */
    th_desc(&t, 10, TSS16, 0x2B, 0x83, 0);
    th_desc(&t, 5, TH_TSS, 0x67, 0x89, 0);
    cpu->seg[SEG_TR] = (struct segment){ 0x50, 0x83, 0x2B, TSS16 };
    th_poke(&t, TH_TSS + 0x20, 4, 0x2A00);                  /* the 32-bit task's EIP */
    th_poke(&t, TH_TSS + 0x24, 4, FL_1);
    th_poke(&t, TH_TSS + 0x4C, 2, 0x08);
    th_poke(&t, TH_TSS + 0x50, 2, 0x10);
    cpu->gpr[RBX] = 0xBEEF;
    th_run(&t, 1);
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason, "vector %d error %#x", cpu->exc_vector,
                 cpu->exc_error);
    cr_expect_eq(0x28, cpu->seg[SEG_TR].sel);
    cr_expect_eq(TH_CODE + 7, peek(TSS16 + 0x0E, 2), "IP saved as a word");
    cr_expect_eq(0xBEEF, peek(TSS16 + 0x18, 2), "BX saved");
    cr_expect_eq(0x10, peek(TSS16 + 0x28, 2), "DS saved");
    cr_expect_eq(0, peek(TSS16 + 0x2A, 2), "the LDT selector is not state: FS is not saved there");
    cr_expect_eq(0xEEEE, peek(TSS16 + 0x2C, 2), "nothing written beyond the 16-bit TSS");
    cr_expect_eq(0, cpu->seg[SEG_FS].sel);
}

Test(system2, an_interrupt_from_ring3_in_a_16_bit_task_takes_ss0_sp0_from_its_tss)
{
    static const uint8_t code[] = { 0xCD, 0x40 };
    start(code, sizeof code);
    make_tss16(0);
    th_desc(&t, 10, TSS16, 0x2B, 0x83, 0);
    cpu->seg[SEG_TR] = (struct segment){ 0x50, 0x83, 0x2B, TSS16 };
    th_gate(&t, 0x40, 0x08, HANDLER, 0xEE, 0);
    th_user(&t);
    th_run(&t, 1);
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason, "%s", cpu->stop_message);
    cr_expect_eq(0x10, cpu->seg[SEG_SS].sel, "SS0 at 04h");
    cr_expect_eq(0x7000 - 20, cpu->gpr[RSP], "SP0 at 02h");
    cr_expect_eq(0x23, peek(0x7000 - 4, 4));
}

/* ---- exception combinations (SDM Vol. 3 6.15, interrupt 8, table 6-5) ---- */

/* Paging with the harness's memory mapped, except the page below 0x50000. */
static void paging(void)
{
    struct pt p;
    pt_setup(&p, &t, PT_32);
    for (uint32_t a = 0x20000; a < 0x60000; a += 0x1000)
        if (a != 0x4F000) pt_map(&p, a, a, PG_P | PG_RW | PG_US);
}

/* Ring 3 with ESP0 on the unmapped page: any delivery to ring 0 page-faults. */
static void bad_esp0(void)
{
    th_poke(&t, TH_TSS + 4, 4, 0x50000);
    th_user(&t);
}

Test(system2, a_page_fault_while_delivering_a_page_fault_is_a_double_fault_with_error_0)
{
    static const uint8_t code[] = { 0xA1, 0x00, 0xF0, 0x04, 0x00 };   /* mov eax, [0x4F000] */
    start(code, sizeof code);
    paging();
    th_gate(&t, EXC_PF, 0x08, HANDLER, 0x8E, 0);
    task_gate_to_task2(EXC_DF);
    bad_esp0();
    th_run(&t, 10);
    expect_in_task2_with_error(0);
    cr_expect_eq(TH_CODE, peek(TH_TSS + 0x20, 4), "the faulting task stopped at the MOV");
    cr_expect_eq(0x1B, peek(TH_TSS + 0x4C, 2));
    cr_expect(cpu->cr2 >= 0x4FFEC && cpu->cr2 <= 0x4FFFF, "CR2 %#llx: the frame, not the MOV",
              (unsigned long long)cpu->cr2);
}

Test(system2, a_page_fault_while_delivering_a_general_protection_fault_is_a_double_fault)
{
    static const uint8_t code[] = { 0x66, 0xB8, 0x00, 0x01, 0x8E, 0xD8 };  /* mov ds, 0x100 */
    start(code, sizeof code);
    paging();
    th_gate(&t, EXC_GP, 0x08, HANDLER, 0x8E, 0);
    th_gate(&t, EXC_PF, 0x08, HANDLER + 0x10, 0x8E, 0);
    task_gate_to_task2(EXC_DF);
    bad_esp0();
    th_run(&t, 10);
    expect_in_task2_with_error(0);
    cr_expect_eq(TH_CODE + 4, peek(TH_TSS + 0x20, 4));
}

/* Benign (#BP) then #PF: table 6-5 says handle serially, so #PF arrives
 * (here through a task gate) and there is no #DF. */
Test(system2, a_page_fault_while_delivering_a_benign_exception_is_handled_serially)
{
    static const uint8_t code[] = { 0xCC };                 /* int3 */
    start(code, sizeof code);
    paging();
    th_gate(&t, EXC_BP, 0x08, HANDLER, 0xEE, 0);
    th_gate(&t, EXC_DF, 0x08, HANDLER + 0x20, 0x8E, 0);
    task_gate_to_task2(EXC_PF);
    bad_esp0();
    th_run(&t, 10);
    expect_in_task2_with_error(0x2);                         /* not present, write, supervisor */
    cr_expect(cpu->cr2 >= 0x4FFEC && cpu->cr2 <= 0x4FFFF);
}

/* #UD (benign) through a not-present gate, then #NP (contributory): handled
 * serially, #NP with the IDT bit and EXT, no #DF. */
Test(system2, a_contributory_fault_while_delivering_a_benign_one_is_handled_serially)
{
    static const uint8_t code[] = { 0x0F, 0x0B };           /* ud2 */
    start(code, sizeof code);
    th_gate(&t, EXC_UD, 0x08, HANDLER, 0x0E, 0);            /* not present */
    th_gate(&t, EXC_NP, 0x08, HANDLER + 0x10, 0x8E, 0);
    th_gate(&t, EXC_DF, 0x08, HANDLER + 0x20, 0x8E, 0);
    th_run(&t, 10);
    expect_halt_at(HANDLER + 0x10);
    cr_expect_eq(EXC_UD * 8 + 2 + 1, peek(TH_STACK - 16, 4));
}

Test(system2, a_double_fault_through_a_task_gate_to_a_bad_tss_is_a_triple_fault)
{
    static const uint8_t code[] = { 0x66, 0xB8, 0x00, 0x01, 0x8E, 0xD8 };  /* mov ds, 0x100 */
    start(code, sizeof code);
    th_gate(&t, EXC_GP, 0x08, HANDLER, 0x0E, 0);            /* not present: #NP, then #DF */
    th_gate(&t, EXC_NP, 0x08, HANDLER, 0x8E, 0);
    th_gate(&t, EXC_DF, 0x48, 0, 0x85, 0);
    th_desc(&t, 9, TSS2, 0x20, 0x89, 0);                    /* limit below 67h: #TS */
    th_run(&t, 10);
    cr_assert_eq(EXIT_SHUTDOWN, cpu->exit_reason, "exit %d: %s", cpu->exit_reason,
                 cpu->stop_message);
    cr_expect(strstr(cpu->stop_message, "triple fault"), "%s", cpu->stop_message);
    cr_expect(strstr(cpu->stop_message, "#GP -> #NP -> #DF -> #TS"), "the chain: %s",
              cpu->stop_message);
}

/* ---- task-switch faults in the new task (SDM Vol. 3 7.3, table 7-1) ----- */

static const uint8_t jmp_task2[] = { 0xEA, 0, 0, 0, 0, 0x48, 0x00 };

static void expect_new_task_fault(int vector, uint32_t error)
{
    cr_assert_eq(EXIT_EXCEPTION, cpu->exit_reason, "exit %d", cpu->exit_reason);
    cr_expect_eq(vector, cpu->exc_vector, "vector %d", cpu->exc_vector);
    cr_expect_eq(error, cpu->exc_error, "error %#x", cpu->exc_error);
    cr_expect_eq(TASK2_EIP, cpu->rip, "the fault belongs to the new task");
    cr_expect_eq(0x48, cpu->seg[SEG_TR].sel);
    cr_expect_eq(0x8B, access_byte(9), "the new task is busy");
    cr_expect_eq(0x89, access_byte(5), "the old one is not");
    cr_expect_eq(TH_CODE + 7, peek(TH_TSS + 0x20, 4), "the old task was saved");
}

Test(system2, a_bad_ldt_selector_in_the_new_tss_is_ts_in_the_new_task)
{
    th_init(&t, DM_32);
    th_protected(&t);
    th_code(&t, jmp_task2, sizeof jmp_task2);
    make_task2();
    th_desc(&t, 12, 0, 0xFFFFF, 0x93, 0xC);                 /* data, not an LDT */
    th_poke(&t, TSS2 + 0x60, 2, 0x60);
    th_run(&t, 1);
    expect_new_task_fault(EXC_TS, 0x60);
}

Test(system2, a_code_segment_in_the_new_tss_ss_is_ts_with_the_ss_selector)
{
    th_init(&t, DM_32);
    th_protected(&t);
    th_code(&t, jmp_task2, sizeof jmp_task2);
    make_task2();
    th_poke(&t, TSS2 + 0x50, 2, 0x08);
    th_run(&t, 1);
    expect_new_task_fault(EXC_TS, 0x08);
}

Test(system2, a_not_present_cs_in_the_new_tss_is_np_with_the_cs_selector)
{
    th_init(&t, DM_32);
    th_protected(&t);
    th_code(&t, jmp_task2, sizeof jmp_task2);
    make_task2();
    th_desc(&t, 12, 0, 0xFFFFF, 0x1B, 0xC);                 /* code, P = 0 */
    th_poke(&t, TSS2 + 0x4C, 2, 0x60);
    th_run(&t, 1);
    expect_new_task_fault(EXC_NP, 0x60);
}

Test(system2, a_tss_limit_below_67h_is_ts_before_anything_changes)
{
    th_init(&t, DM_32);
    th_protected(&t);
    th_code(&t, jmp_task2, sizeof jmp_task2);
    make_task2();
    th_desc(&t, 9, TSS2, 0x66, 0x89, 0);
    th_run(&t, 1);
    cr_assert_eq(EXIT_EXCEPTION, cpu->exit_reason);
    cr_expect_eq(EXC_TS, cpu->exc_vector);
    cr_expect_eq(0x48, cpu->exc_error);
    cr_expect_eq(TH_CODE, cpu->rip, "the fault belongs to the old task");
    cr_expect_eq(0x28, cpu->seg[SEG_TR].sel);
    cr_expect_eq(0x89, access_byte(9));
    cr_expect_eq(0x8B, access_byte(5));
}

/* ---- stack faults during a privilege change (SDM INT n, 6.12.1) --------- */

/* Ring 3 runs code; SS0 = 0x60 from GDT index 12 with the given access
 * byte and limit, ESP0 = esp0; #SS and #TS go to TSS2 by task gates. */
static void ring3_with_ss0(const uint8_t *code, size_t n, uint8_t access, uint32_t limit,
                           uint8_t flags, uint32_t esp0)
{
    start(code, n);
    th_desc(&t, 12, 0, limit, access, flags);
    th_poke(&t, TH_TSS + 8, 2, 0x60);
    th_poke(&t, TH_TSS + 4, 4, esp0);
    th_gate(&t, 0x40, 0x08, HANDLER, 0xEE, 0);
    th_gate(&t, EXC_UD, 0x08, HANDLER, 0x8E, 0);
    task_gate_to_task2(EXC_SS);
    th_gate(&t, EXC_TS, 0x48, 0, 0x85, 0);
    th_user(&t);
}

static const uint8_t int40[] = { 0xCD, 0x40 };
static const uint8_t ud2[] = { 0x0F, 0x0B };

Test(system2, esp0_too_low_for_the_frame_is_ss_with_the_ss0_selector)
{
    ring3_with_ss0(int40, sizeof int40, 0x92, 0xFFFF, 0x4, 0x10);   /* 20 bytes do not fit */
    th_run(&t, 10);
    expect_in_task2_with_error(0x60);
    cr_expect_eq(TH_CODE, peek(TH_TSS + 0x20, 4), "EIP of the INT");
}

Test(system2, the_ss_fault_of_an_exception_delivery_has_ext_set)
{
    ring3_with_ss0(ud2, sizeof ud2, 0x92, 0xFFFF, 0x4, 0x10);
    th_run(&t, 10);
    expect_in_task2_with_error(0x61);
}

Test(system2, an_expand_down_ss0_faults_below_its_limit_and_works_above)
{
    ring3_with_ss0(int40, sizeof int40, 0x96, 0x8FFF, 0x4, 0x9008);
    th_run(&t, 10);
    expect_in_task2_with_error(0x60);

    ring3_with_ss0(int40, sizeof int40, 0x96, 0x8FFF, 0x4, 0xA000);
    th_run(&t, 1);
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason, "%s", cpu->stop_message);
    cr_expect_eq(0xA000 - 20, cpu->gpr[RSP]);
    cr_expect_eq(0x60, cpu->seg[SEG_SS].sel);
}

Test(system2, a_not_present_ss0_is_ss_with_its_selector)
{
    ring3_with_ss0(int40, sizeof int40, 0x12, 0xFFFFF, 0xC, 0x7000);
    th_run(&t, 10);
    expect_in_task2_with_error(0x60);
}

Test(system2, an_ss0_of_dpl3_is_ts_with_its_selector_and_ext)
{
    ring3_with_ss0(ud2, sizeof ud2, 0xF2, 0xFFFFF, 0xC, 0x7000);
    th_run(&t, 10);
    expect_in_task2_with_error(0x61);
}

/* ---- hardware interrupts out of virtual-8086 mode (SDM 20.3.1) ---------- */

static int inta(void *ctx)
{
    (void)ctx;
    cpu_set_intr(&t.cpu, false);
    return 0x41;
}

/* Enter virtual-8086 mode at 2000:0100 (NOPs) by IRETD with IOPL iopl and IF. */
static void v86_with_irq(uint32_t iopl)
{
    static const uint8_t code[] = { 0xCF };                 /* iretd */
    start(code, sizeof code);
    uint32_t frame[9] = { 0x0100, 0x2000, FL_VM | FL_IF | iopl, 0xFFF0, 0x3000, 0x4000,
                          0x5000, 0x6000, 0x7000 };
    for (unsigned k = 0; k < 9; k++) th_poke(&t, TH_STACK + 4 * k, 4, frame[k]);
    memset(th_mem(&t, 0x20100), 0x90, 16);
    th_gate(&t, 0x41, 0x08, HANDLER, 0x8E, 0);              /* DPL 0: not checked for INTR */
    cpu->intr_ack = inta;
    th_run(&t, 2);                                          /* iretd, one nop */
    cr_assert_eq(MODE_V86, cpu->mode, "%s", cpu->stop_message);
    cpu_set_intr(cpu, true);
}

Test(system2, a_hardware_interrupt_in_v86_mode_pushes_the_segments_whatever_the_iopl)
{
    v86_with_irq(0);
    th_run(&t, 10);
    expect_halt_at(HANDLER);
    cr_expect_eq(MODE_PROT, cpu->mode);
    cr_expect_eq(TH_STACK0 - 36, cpu->gpr[RSP]);
    cr_expect_eq(0x101, peek(TH_STACK0 - 36, 4), "IP of the next instruction");
    cr_expect_eq(0x2000, peek(TH_STACK0 - 32, 4));
    cr_expect_eq(FL_VM | FL_IF, peek(TH_STACK0 - 28, 4) & (FL_VM | FL_IF | FL_IOPL | FL_RF));
    cr_expect_eq(0x3000, peek(TH_STACK0 - 20, 4), "SS");
    cr_expect_eq(0x4000, peek(TH_STACK0 - 16, 4), "ES");
    cr_expect_eq(0x7000, peek(TH_STACK0 - 4, 4), "GS");
    cr_expect_eq(0, cpu->seg[SEG_ES].sel, "ES null in the handler");
}

Test(system2, iretd_from_the_handler_returns_to_v86_with_the_segments_and_iopl)
{
    v86_with_irq(FL_IOPL & 0x1000);                         /* IOPL 1 */
    th_poke(&t, HANDLER, 1, 0xCF);                          /* iretd */
    th_run(&t, 1);                                          /* delivery, iretd */
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason, "%s", cpu->stop_message);
    cr_expect_eq(MODE_V86, cpu->mode);
    cr_expect_eq(0x101, cpu->rip, "back before the second NOP");
    cr_expect_eq(0x20000, cpu->seg[SEG_CS].base);
    cr_expect_eq(0x50000, cpu->seg[SEG_DS].base);
    cr_expect_eq(0xFFF0, cpu->gpr[RSP]);
    cr_expect_eq(0x1000, th_flags(&t) & FL_IOPL, "IOPL from the image at CPL 0");
    cr_expect(th_flags(&t) & FL_IF);
}

/* ---- RF in the pushed image (SDM Vol. 3 17.3.1.1) ------------------------ */

Test(system2, a_fault_pushes_rf_set_and_int_n_pushes_it_clear)
{
    static const uint8_t code[] = { 0xCD, 0x40 };
    start(code, sizeof code);
    th_gate(&t, 0x40, 0x08, HANDLER, 0x8E, 0);
    th_run(&t, 1);
    cr_expect_not(peek(TH_STACK - 4, 4) & FL_RF, "INT n is a trap: RF clear");

    static const uint8_t pf[] = { 0xA1, 0x00, 0xF0, 0x04, 0x00 };
    start(pf, sizeof pf);
    paging();
    th_gate(&t, EXC_PF, 0x08, HANDLER, 0x8E, 0);
    th_run(&t, 10);
    expect_halt_at(HANDLER);
    cr_expect(peek(TH_STACK - 4, 4) & FL_RF, "#PF is a fault: RF set");
    cr_expect_eq(TH_CODE, peek(TH_STACK - 12, 4));
}

/* ---- two more corners --------------------------------------------------------- */

/* A 16-bit SS (B = 0): the same-level frame wraps SP within 64 KiB and leaves
 * ESP's upper half alone (SDM Vol. 3 6.12.1: the stack width is SS.B's). */
Test(system2, a_16_bit_gate_on_a_16_bit_stack_moves_only_sp)
{
    static const uint8_t code[] = { 0xCD, 0x40 };
    start(code, sizeof code);
    th_desc(&t, 11, 0x50000, 0x0FFFF, 0x93, 0x0);           /* 64 KiB data, B = 0 */
    cpu->seg[SEG_SS] = (struct segment){ 0x58, 0x0093, 0xFFFF, 0x50000 };
    cpu_update_mode(cpu);
    cpu->gpr[RSP] = 0xABCD0004;
    th_gate(&t, 0x40, 0x08, HANDLER, 0x86, 0);
    th_run(&t, 10);
    expect_halt_at(HANDLER);
    cr_expect_eq(0xABCDFFFE, cpu->gpr[RSP], "SP wrapped below zero, upper half kept");
    cr_expect_eq(TH_CODE + 2, peek(0x50000 + 0xFFFE, 2), "IP at SS:FFFE");
    cr_expect_eq(0x08, peek(0x50000 + 0x0000, 2), "CS at SS:0000");
    cr_expect_eq(FL_1, peek(0x50000 + 0x0002, 2) & 0xFFFF, "FLAGS at SS:0002");
}

static int inta_task(void *ctx)
{
    (void)ctx;
    cpu_set_intr(&t.cpu, false);
    return 0x42;
}

/* A hardware interrupt through a task gate switches tasks with no error code
 * and sets NT; the interrupted task's EIP is the next instruction. */
Test(system2, a_hardware_interrupt_through_a_task_gate_switches_tasks)
{
    static const uint8_t code[] = { 0x90, 0x90, 0x90 };
    start(code, sizeof code);
    task_gate_to_task2(0x42);
    cpu->intr_ack = inta_task;
    cpu_set_flags(cpu, FL_IF);
    th_run(&t, 1);
    cpu_set_intr(cpu, true);
    th_run(&t, 10);
    expect_halt_at(TASK2_EIP);
    cr_expect_eq(0x48, cpu->seg[SEG_TR].sel);
    cr_expect_eq(TASK2_ESP, cpu->gpr[RSP], "no error code for an interrupt");
    cr_expect_eq(TH_CODE + 1, peek(TH_TSS + 0x20, 4), "the old task resumes after the NOP");
    cr_expect(th_flags(&t) & FL_NT, "nested task");
    cr_expect_eq(0x28, peek(TSS2, 2), "back link");
}
