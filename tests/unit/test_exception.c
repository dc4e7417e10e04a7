/* test_exception.c - the fault path (cpu/exception.c) with exceptions
 * delivered, not reported: real-mode delivery through the IVT for INT n,
 * INT3, INTO and faults (SDM Vol. 3 20.1.4), IRET, #DF and the triple-fault
 * shutdown (table 6-5), and the stop in protected and long mode until IDT
 * delivery arrives.
 */
#include <string.h>
#include <criterion/criterion.h>
#include "tests/unit/harness.h"
#include "mmu/bus.h"

static struct th t;
static struct cpu *const cpu = &t.cpu;

/* Every vector used here points at one handler, 0300:0010. */
#define HANDLER_CS  0x0300u
#define HANDLER_IP  0x0010u
#define HANDLER_LIN ((HANDLER_CS << 4) + HANDLER_IP)

static void teardown(void) { th_free(&t); }

static uint64_t peek(uint64_t phys, unsigned n) { return th_peek(&t, phys, n); }

static void poke(uint64_t phys, unsigned n, uint64_t v) { th_poke(&t, phys, n, v); }

/* Real mode, CS:IP = 0000:1000, SS:SP = 0000:9000, exceptions delivered. */
static void start_real(const uint8_t *code, size_t n)
{
    th_init(&t, DM_16);
    th_code(&t, code, n);
    t.cpu.stop_on_exception = false;
}

static void set_vector(unsigned vector, uint16_t cs, uint16_t ip)
{
    poke(vector * 4u, 2, ip);
    poke(vector * 4u + 2, 2, cs);
}

static void set_handler(const uint8_t *code, size_t n)
{
    cr_assert_eq(0, bus_load(t.bus, HANDLER_LIN, code, n));
}

TestSuite(exception, .fini = teardown, .timeout = 5);

/* ---- real-mode delivery through the IVT ------------------------------------------- */

Test(exception, real_mode_delivery_pushes_flags_cs_ip_clears_if_tf_and_jumps_through_the_ivt)
{
    static const uint8_t hlt[] = { 0xF4 };
    static const struct {
        const char *text;
        uint8_t bytes[3], n;
        uint64_t flags;         /* besides IF and TF */
        unsigned vector;
        unsigned saved_ip;      /* offset from TH_CODE: 0 for faults, the length for traps */
    } cases[] = {
        { "int 0x21",             { 0xCD, 0x21 },       2, 0,      0x21,   2 },
        { "int3",                 { 0xCC },             1, 0,      EXC_BP, 1 },
        { "into (OF set)",        { 0xCE },             1, FL_OF,  EXC_OF, 1 },
        { "div cl (CL = 0)",      { 0xF6, 0xF1 },       2, FL_CF,  EXC_DE, 0 },
        { "ud2",                  { 0x0F, 0x0B },       2, 0,      EXC_UD, 0 },
        { "mov ax, [0xffff] (#GP)", { 0xA1, 0xFF, 0xFF }, 3, 0,    EXC_GP, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *s = cases[i].text;
        uint64_t before = FL_1 | FL_IF | FL_TF | cases[i].flags;
        start_real(cases[i].bytes, cases[i].n);
        set_vector(cases[i].vector, HANDLER_CS, HANDLER_IP);
        set_handler(hlt, sizeof hlt);
        cpu->gpr[RAX] = 0;
        cpu->gpr[RCX] = 0;
        cpu_set_flags(cpu, before);
        cr_assert_eq(EXIT_HALT, th_run(&t, 10), "%s", s);
        cr_expect_eq(HANDLER_CS, cpu->seg[SEG_CS].sel, "%s: CS", s);
        cr_expect_eq((uint64_t)HANDLER_CS << 4, cpu->seg[SEG_CS].base, "%s: CS base", s);
        cr_expect_eq(HANDLER_IP + 1, cpu->rip, "%s: halted in the handler", s);
        cr_expect_eq(TH_STACK - 6, cpu->gpr[RSP], "%s: three words, no error code", s);
        cr_expect_eq(TH_CODE + cases[i].saved_ip, peek(TH_STACK - 6, 2), "%s: saved IP", s);
        cr_expect_eq(0, peek(TH_STACK - 4, 2), "%s: saved CS", s);
        cr_expect_eq(before, peek(TH_STACK - 2, 2), "%s: saved FLAGS", s);
        cr_expect_eq(FL_1 | cases[i].flags, th_flags(&t), "%s: IF and TF cleared", s);
        th_free(&t);
    }
}

Test(exception, real_mode_frame_goes_to_ss_sp_and_saves_the_current_cs)
{
    static const uint8_t code[] = { 0xCD, 0x21 };           /* 0080:0800 int 0x21 */
    static const uint8_t hlt[] = { 0xF4 };
    start_real(code, sizeof code);
    cpu_load_seg_real(cpu, SEG_CS, 0x0080);
    cpu->rip = 0x0800;
    cpu_load_seg_real(cpu, SEG_SS, 0x0500);
    cpu->gpr[RSP] = 0x1000;
    set_vector(0x21, HANDLER_CS, HANDLER_IP);
    set_handler(hlt, sizeof hlt);
    cr_assert_eq(EXIT_HALT, th_run(&t, 10));
    cr_expect_eq(0x0FFA, cpu->gpr[RSP]);
    cr_expect_eq(0x0802, peek(0x5000 + 0x0FFA, 2));          /* IP */
    cr_expect_eq(0x0080, peek(0x5000 + 0x0FFC, 2));          /* CS */
}

Test(exception, into_with_OF_clear_delivers_nothing)
{
    static const uint8_t code[] = { 0xCE, 0xF4 };           /* into; hlt */
    start_real(code, sizeof code);
    set_vector(EXC_OF, HANDLER_CS, HANDLER_IP);
    cpu_set_flags(cpu, 0);
    cr_assert_eq(EXIT_HALT, th_run(&t, 10));
    cr_expect_eq(0, cpu->seg[SEG_CS].sel);
    cr_expect_eq(TH_CODE + 2, cpu->rip);
    cr_expect_eq(TH_STACK, cpu->gpr[RSP]);
}

Test(exception, int_n_retires_so_a_budget_of_one_stops_at_the_handler_entry)
{
    static const uint8_t code[] = { 0xCD, 0x21 };           /* int 0x21 */
    static const uint8_t handler[] = { 0x40, 0xF4 };        /* inc ax; hlt */
    start_real(code, sizeof code);
    set_vector(0x21, HANDLER_CS, HANDLER_IP);
    set_handler(handler, sizeof handler);
    cpu->gpr[RAX] = 0;
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 1));
    cr_expect_eq(1, cpu->instret);
    cr_expect_eq(HANDLER_CS, cpu->seg[SEG_CS].sel);
    cr_expect_eq(HANDLER_IP, cpu->rip);
    cr_expect_eq(0, cpu->gpr[RAX]);
}

Test(exception, int3_retires_so_a_budget_of_one_stops_at_the_handler_entry)
{
    static const uint8_t code[] = { 0xCC };                 /* int3 */
    static const uint8_t handler[] = { 0x40, 0xF4 };        /* inc ax; hlt */
    start_real(code, sizeof code);
    set_vector(EXC_BP, HANDLER_CS, HANDLER_IP);
    set_handler(handler, sizeof handler);
    cpu->gpr[RAX] = 0;
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 1));
    cr_expect_eq(1, cpu->instret);
    cr_expect_eq(HANDLER_IP, cpu->rip);
    cr_expect_eq(0, cpu->gpr[RAX]);
}

Test(exception, a_fault_does_not_retire_so_a_budget_of_one_runs_the_handlers_first_instruction)
{
    static const uint8_t code[] = { 0xF6, 0xF1 };           /* div cl (CL = 0) */
    static const uint8_t handler[] = { 0x40, 0xF4 };        /* inc ax; hlt */
    start_real(code, sizeof code);
    set_vector(EXC_DE, HANDLER_CS, HANDLER_IP);
    set_handler(handler, sizeof handler);
    cpu->gpr[RAX] = 0;
    cpu->gpr[RCX] = 0;
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 1));
    cr_expect_eq(1, cpu->instret);
    cr_expect_eq(HANDLER_IP + 1, cpu->rip);
    cr_expect_eq(1, cpu->gpr[RAX]);
}

Test(exception, iret_returns_to_the_saved_cs_ip_and_restores_flags)
{
    static const uint8_t code[] = { 0xCD, 0x21, 0xF4 };     /* int 0x21; hlt */
    static const uint8_t iret[] = { 0xCF };                 /* iret */
    start_real(code, sizeof code);
    set_vector(0x21, HANDLER_CS, HANDLER_IP);
    set_handler(iret, sizeof iret);
    cpu_set_flags(cpu, FL_IF | FL_CF);
    cr_assert_eq(EXIT_HALT, th_run(&t, 10));
    cr_expect_eq(0, cpu->seg[SEG_CS].sel);
    cr_expect_eq(TH_CODE + 3, cpu->rip);
    cr_expect_eq(TH_STACK, cpu->gpr[RSP]);
    cr_expect_eq(FL_1 | FL_IF | FL_CF, th_flags(&t));
}

/* ---- double and triple faults ------------------------------------------------------- */

Test(exception, gp_while_delivering_gp_becomes_DF_delivered_through_vector_8)
{
    static const uint8_t code[] = { 0xA1, 0xFF, 0xFF };     /* mov ax, [0xffff]: #GP(0) */
    static const uint8_t hlt[] = { 0xF4 };
    start_real(code, sizeof code);
    cpu->idtr.limit = EXC_DF * 4 + 3;                       /* vectors 0-8 only */
    set_vector(EXC_GP, 0x0400, 0x0000);                     /* beyond the limit: never read */
    set_vector(EXC_DF, HANDLER_CS, HANDLER_IP);
    set_handler(hlt, sizeof hlt);
    cr_assert_eq(EXIT_HALT, th_run(&t, 10));
    cr_expect_eq(EXC_DF, cpu->exc_vector);
    cr_expect_eq(HANDLER_CS, cpu->seg[SEG_CS].sel);
    cr_expect_eq(HANDLER_IP + 1, cpu->rip);
    cr_expect_eq(TH_STACK - 6, cpu->gpr[RSP], "one frame: the failed #GP delivery pushed nothing");
    cr_expect_not(cpu->delivering);
}

Test(exception, fault_while_delivering_DF_shuts_the_machine_down)
{
    static const uint8_t code[] = { 0xA1, 0xFF, 0xFF };     /* mov ax, [0xffff]: #GP(0) */
    start_real(code, sizeof code);
    cpu->idtr.limit = 0x0F;                                 /* vectors 0-3 only */
    cr_assert_eq(EXIT_SHUTDOWN, th_run(&t, 10));
    cr_expect_eq(EXIT_SHUTDOWN, cpu->exit_reason);
    cr_expect_neq(0, strlen(cpu->stop_message), "the shutdown says why");
    cr_expect_eq(TH_STACK, cpu->gpr[RSP], "no frame was pushed");
    cr_expect_eq(0, cpu->seg[SEG_CS].sel);
    cr_expect_not(cpu->delivering);
}

Test(exception, stop_on_exception_reports_instead_of_delivering)
{
    static const uint8_t code[] = { 0x0F, 0x0B };           /* ud2 */
    start_real(code, sizeof code);
    cpu->stop_on_exception = true;
    set_vector(EXC_UD, HANDLER_CS, HANDLER_IP);
    cr_assert_eq(EXIT_EXCEPTION, th_run(&t, 10));
    cr_expect_eq(EXC_UD, cpu->exc_vector);
    cr_expect_eq(0, cpu->seg[SEG_CS].sel);
    cr_expect_eq(TH_CODE, cpu->rip);
    cr_expect_eq(TH_STACK, cpu->gpr[RSP]);
}

/* ---- protected mode: the fault chain of an unusable IDT -------------------- */

/* #UD finds no gate (#GP(0x32)), that #GP none either (#GP(0x6A) combines
 * into #DF), and #DF none: a triple fault whose message names the chain. */
Test(exception, an_empty_idt_in_protected_mode_gives_a_triple_fault_naming_the_chain)
{
    static const uint8_t code[] = { 0x90, 0x0F, 0x0B };     /* nop; ud2 */
    th_init(&t, DM_32);
    th_code(&t, code, sizeof code);
    cpu->idtr.limit = 0;
    cpu->stop_on_exception = false;
    cr_assert_eq(EXIT_SHUTDOWN, th_run(&t, 10));
    cr_expect_neq(NULL, strstr(cpu->stop_message, "triple fault"), "message: %s", cpu->stop_message);
    cr_expect_neq(NULL, strstr(cpu->stop_message, "#UD -> #GP -> #GP -> #DF"), "message: %s",
                  cpu->stop_message);
    cr_expect_eq(TH_CODE + 1, cpu->rip);
    cr_expect_eq(TH_STACK, cpu->gpr[RSP]);
    cr_expect_not(cpu->delivering);
}
