/* test_intr.c - external interrupts at the CPU (cpu/exec.c): the INTR pin,
 * the INTA cycle, IF, the STI interrupt shadow and waking from HLT, in real
 * mode where delivery goes through the IVT. */
#include <criterion/criterion.h>
#include "harness.h"

static struct th t;
static int acks;
static int ack_vector;

static int fake_inta(void *ctx)
{
    (void)ctx;
    acks++;
    cpu_set_intr(&t.cpu, false);        /* the controller drops INTR once acknowledged */
    return ack_vector;
}

/* Real mode; the handler for vector 0x20 at 0000:0500 is "inc bx; iret". */
static void start(const uint8_t *code, size_t n)
{
    th_start(&t, DM_16, code, n);
    t.cpu.stop_on_exception = false;
    t.cpu.intr_ack = fake_inta;
    acks = 0;
    ack_vector = 0x20;
    th_poke(&t, 0x20 * 4, 2, 0x0500);
    th_poke(&t, 0x20 * 4 + 2, 2, 0x0000);
    th_poke(&t, 0x500, 2, 0xCF43);      /* inc bx; iret */
}
static void teardown(void) { th_free(&t); }
TestSuite(intr, .fini = teardown);

Test(intr, a_pending_interrupt_with_if_set_runs_the_ivt_handler_and_returns)
{
    static const uint8_t code[] = { 0x90, 0x90, 0x90, 0x90 };   /* nop x4 */
    start(code, sizeof code);
    cpu_set_flags(&t.cpu, FL_IF);
    cpu_set_intr(&t.cpu, true);
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 4));   /* inc bx, iret, then two nops */
    cr_expect_eq(1, acks);
    cr_expect_eq(1, t.cpu.gpr[RBX] & 0xFFFF);
    cr_expect_eq(TH_CODE + 2, t.cpu.rip);
    cr_expect(t.cpu.rflags & FL_IF, "IRET restored IF");
}

Test(intr, a_pending_interrupt_with_if_clear_waits)
{
    static const uint8_t code[] = { 0x90, 0x90, 0x90, 0x90 };
    start(code, sizeof code);
    cpu_set_flags(&t.cpu, 0);
    cpu_set_intr(&t.cpu, true);
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 4));
    cr_expect_eq(0, acks);
    cr_expect_eq(TH_CODE + 4, t.cpu.rip);
}

/* STI; NOP; ...: the interrupt comes after the NOP that STI shields. */
Test(intr, sti_delays_a_pending_interrupt_by_one_instruction)
{
    static const uint8_t code[] = { 0xFB, 0x41, 0x41, 0x41 };   /* sti; inc cx x3 */
    start(code, sizeof code);
    cpu_set_flags(&t.cpu, 0);
    cpu_set_intr(&t.cpu, true);
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 3));   /* sti, inc cx, then the handler's inc bx */
    cr_expect_eq(1, acks);
    cr_expect_eq(1, t.cpu.gpr[RCX] & 0xFFFF, "the shielded instruction ran first");
    cr_expect_eq(1, t.cpu.gpr[RBX] & 0xFFFF);
    cr_expect_eq(0x0501, t.cpu.rip, "inside the handler, after inc bx");
}

Test(intr, hlt_with_if_set_resumes_on_an_interrupt)
{
    static const uint8_t code[] = { 0xF4, 0x41 };              /* hlt; inc cx */
    start(code, sizeof code);
    cpu_set_flags(&t.cpu, FL_IF);
    cr_assert_eq(EXIT_HALT, th_run(&t, 10));
    cr_expect(t.cpu.halted);
    cpu_set_intr(&t.cpu, true);
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 3));   /* inc bx, iret, inc cx */
    cr_expect_eq(1, acks);
    cr_expect_not(t.cpu.halted);
    cr_expect_eq(1, t.cpu.gpr[RCX] & 0xFFFF, "execution continues after the HLT");
}

Test(intr, hlt_with_if_clear_stays_halted_with_intr_high)
{
    static const uint8_t code[] = { 0xF4, 0x41 };
    start(code, sizeof code);
    cpu_set_flags(&t.cpu, 0);
    cpu_set_intr(&t.cpu, true);
    cr_assert_eq(EXIT_HALT, th_run(&t, 10));
    cr_expect_eq(0, acks);
    cr_expect_eq(EXIT_HALT, th_run(&t, 10), "still halted");
}

Test(intr, a_withdrawn_request_is_not_delivered)
{
    static const uint8_t code[] = { 0x90, 0x90 };
    start(code, sizeof code);
    ack_vector = -1;
    cpu_set_flags(&t.cpu, FL_IF);
    cpu_set_intr(&t.cpu, true);
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 2));
    cr_expect_eq(TH_CODE + 2, t.cpu.rip);
    cr_expect_eq(0, t.cpu.gpr[RBX] & 0xFFFF);
}
