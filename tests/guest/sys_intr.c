/* sys_intr.c - interrupt delivery details (SDM Vol. 3 sec. 6.7-6.8, 10.6):
 * NMI through the local APIC's ICR, delivered with IF clear, and blocked
 * from its delivery until the next IRET; the STI and MOV SS interrupt
 * shadows; HLT woken by an interrupt with the saved EIP after the HLT; a
 * single-step trap held over the instruction after MOV SS.
 */
#include "lib/sys.h"

#define LAPIC 0xFEE00000u
#define V_IPI 0x50

static struct fault f;
static volatile unsigned nmis, nmis_seen_inside, ipis;
static volatile uint32_t ipi_eip, nmi_if;
uint32_t saved_ss;

static uint32_t lapic_rd(uint32_t reg) { return *(volatile uint32_t *)(LAPIC + reg); }
static void lapic_wr(uint32_t reg, uint32_t v) { *(volatile uint32_t *)(LAPIC + reg) = v; }
static void send_nmi(void)
{
    lapic_wr(0x310, (lapic_rd(0x20) >> 24) << 24);   /* destination: this APIC's ID */
    lapic_wr(0x300, 0x00004400);                     /* NMI, physical, assert */
}
static void self_ipi(void) { lapic_wr(0x300, 0x00044000u | V_IPI); }

static void nmi(struct frame *fr)
{
    nmis++;
    nmi_if = fr->eflags & EFLAGS_IF;
    if (nmis == 1) {
        send_nmi();                                  /* blocked until our IRET */
        spin(500);
        nmis_seen_inside = nmis;
    }
}

static void ipi(struct frame *fr)
{
    ipis++;
    ipi_eip = fr->eip;
    lapic_wr(0xB0, 0);
}

ASM_FN(sti_shadow, "sti\n" LABEL(sti_next) "nop\n" LABEL(sti_after) "nop\n cli\n ret");
ASM_FN(hlt_wait, "sti\n" LABEL(hlt_at) "hlt\n" LABEL(hlt_after) "cli\n ret");
/* Single-stepped: traps after the NOP, none after MOV SS, one after the NOP
 * that follows it (the shadow delays the trap), then the handler stops. */
ASM_FN(mov_ss_tf, "mov %ss, saved_ss\n pushf\n orl $0x100, (%esp)\n popf\n nop\n"
       LABEL(mov_ss_at) "mov saved_ss, %ss\n" LABEL(mov_ss_next) "nop\n" LABEL(mov_ss_after)
       "nop\n ret");
ASM_FN(tf_plain, "pushf\n orl $0x100, (%esp)\n popf\n" LABEL(tf_plain_first) "nop\n ret");
extern char sti_next[], sti_after[], hlt_at[], hlt_after[], mov_ss_at[], mov_ss_next[],
    mov_ss_after[], tf_plain_first[];

static volatile uint32_t step_eip[4];
static volatile unsigned steps;
static void single_step(struct frame *fr)
{
    if (steps < 4) step_eip[steps] = fr->eip;
    steps++;
    if (fr->eip == (uint32_t)mov_ss_after || steps >= 4) fr->eflags &= ~EFLAGS_TF;
}

void guest_main(uint32_t magic, const uint8_t *mbi)
{
    (void)magic, (void)mbi;
    sys_init();
    lapic_wr(0xF0, 0x1FF);
    set_handler(2, nmi);
    set_handler(V_IPI, ipi);

    cli();
    send_nmi();
    for (unsigned i = 0; i < 100000 && nmis < 2; i++) __asm__ volatile("pause");
    check_eq("nmi_delivered_with_if_clear", 2, nmis);
    check_eq("nmi_second_blocked_inside_handler", 1, nmis_seen_inside);
    check_eq("nmi_frame_if_clear", 0, nmi_if);

    self_ipi();                                      /* pending in IRR while IF = 0 */
    sti_shadow();
    check_eq("sti_shadow_ipi_delivered", 1, ipis);
    check_eq("sti_shadow_one_insn_later", (uint32_t)sti_after, ipi_eip);

    self_ipi();
    hlt_wait();                                      /* STI shadow covers HLT: no race */
    check_eq("hlt_woken_by_interrupt", 2, ipis);
    check_eq("hlt_saved_eip_after_hlt", (uint32_t)hlt_after, ipi_eip);

    run_catch(tf_plain, &f);
    check_fault("tf_trap_after_first_insn", &f, 1, NO_ERROR, tf_plain_first + 1);
    set_handler(1, single_step);
    mov_ss_tf();
    set_handler(1, 0);
    check_eq("mov_ss_shadow_two_steps", 2, steps);
    check_eq("mov_ss_shadow_first_step_before_mov_ss", (uint32_t)mov_ss_at, step_eip[0]);
    check_eq("mov_ss_shadow_no_step_after_mov_ss", (uint32_t)mov_ss_after, step_eip[1]);
    (void)mov_ss_next;
}
