/* sys_combo.c - exceptions that meet other exceptions (SDM Vol. 3 6.15,
 * interrupt 8 and table 6-5), and the faults of stack and task switches:
 *   - #PF while delivering #PF, and while delivering #GP: #DF, error 0;
 *   - #PF while delivering #BP (benign): handled serially, no #DF;
 *   - a privilege change whose new stack cannot take the frame (ESP0 too
 *     low, an expand-down SS0 below its limit): #SS(SS0 + EXT); a
 *     not-present SS0 (#SS) and an SS0 of the wrong DPL (#TS);
 *   - a task switch whose new task has a bad LDT, a bad SS or a
 *     not-present CS: #TS/#NP raised in the new task (SDM 7.3, table 7-1);
 *   - RF in the EFLAGS image of a fault (SDM 17.3.1.1).
 * The cases that need the new stack's limit checked on each push are built
 * from this file as sys_ss0.c (COMBO_LIMITS): QEMU does not check it.
 * The faults that leave no usable ring-0 stack reach a handler task
 * through a task gate; it records the error code on its stack, the
 * back-link (the task that faulted) and CR2, and sends the faulting task on.
 */
#include "lib/sys.h"

static struct fault f;
static struct tss32 t2 __attribute__((used)), t3 __attribute__((used));  /* h_task reads them */
static uint8_t stack2[2048] __attribute__((aligned(16))), stack3[2048] __attribute__((aligned(16)));

#define HOLE   0x4F000u         /* a not-present page */
#define SS0_SEL SEL(12, 0)      /* the tests' SS0 */
#define LDT_BAD SEL(13, 0)      /* a data segment where an LDT should be */
#define CS_NP   SEL(14, 0)      /* a not-present code segment */

uint32_t h_err, h_link, h_cr2, h_runs, h_mode, h_t2_eip, h_tr;
static struct tss32 t4 __attribute__((used));
static uint8_t stack4[2048] __attribute__((aligned(16)));
#define TSS4_SEL SEL(15, 0)     /* a second handler task (the same code) */

/* The handler task.  Mode 0: the faulting task was the main one at ring 3;
 * give it back its ring-0 stack, send it to user_done and IRET along the
 * back-link.  Mode 1: a new task (TSS2) faulted while being entered; jump
 * back to the main task (which the JMP left available). */
ASM_FN(h_task, "1: pop %eax\n mov %eax, h_err\n str %ecx\n movzwl t3, %eax\n cmp $0x78, %cx\n"
       " jne 3f\n movzwl t4, %eax\n 3: mov %eax, h_link\n"
       " mov %cr2, %eax\n mov %eax, h_cr2\n mov %ecx, h_tr\n mov t2+32, %eax\n mov %eax, h_t2_eip\n incl h_runs\n"
       " cmpl $0, h_mode\n jne 2f\n"
       " movl $kernel_stack+8192, tss_main+4\n movw $0x10, tss_main+8\n"
       " movl $user_done, tss_main+32\n iret\n jmp 1b\n"
       "2: ljmp $0x38, $0\n jmp 1b");
ASM_FN(user_done, "int $0x80");
ASM_FN(u_read_hole, LABEL(u_read_hole_at) "mov 0x4F000, %eax\n int $0x80");
ASM_FN(u_load_bad_ds, "mov $0x100, %eax\n mov %eax, %ds\n int $0x80");
ASM_FN(u_int3, "int3\n int $0x80");
ASM_FN(u_int4a, "int $0x4A\n int $0x80");
ASM_FN(u_ud2, "ud2\n int $0x80");
ASM_FN(t2_entry, "ljmp $0x38, $0\n jmp t2_entry");
ASM_FN(jmp_t2, "ljmp $0x40, $0\n ret");
ASM_FN(k_load_bad_ds, "mov $0x100, %eax\n mov %eax, %ds\n ret");
ASM_FN(k_int3, "int3\n ret");
extern char u_read_hole_at[];

/* Vector vec goes to the handler task TSS3; #SS and #TS, when ss_ts, to TSS3
 * and TSS4, so the TR the handler sees tells which one came. */
static void handler_tasks(unsigned vec, uint32_t mode, int ss_ts)
{
    tss_make_task(&t3, h_task, (uint32_t)(stack3 + sizeof stack3));
    gdt_set(SLOT(TSS3_SEL), make_desc((uint32_t)&t3, sizeof t3 - 1, D_TSS32, 0));
    tss_make_task(&t4, h_task, (uint32_t)(stack4 + sizeof stack4));
    gdt_set(SLOT(TSS4_SEL), make_desc((uint32_t)&t4, sizeof t4 - 1, D_TSS32, 0));
    idt_set(vec, make_gate(TSS3_SEL, 0, G_TASK, 0, 0));
    if (ss_ts) {
        idt_set(12, make_gate(TSS3_SEL, 0, G_TASK, 0, 0));
        idt_set(10, make_gate(TSS4_SEL, 0, G_TASK, 0, 0));
    }
    h_mode = mode;
    h_runs = 0, h_err = 0xDEAD, h_link = 0, h_cr2 = 0, h_tr = 0;
}
static void handler_task(unsigned vec, uint32_t mode) { handler_tasks(vec, mode, 0); }

static void restore(void)
{
    for (unsigned v = 0; v < 32; v++) idt_default(v, 0);
    idt_default(3, 3);
    tss.esp0 = KERNEL_STACK_TOP;
    tss.ss0 = KDATA;
    __asm__ volatile("clts");
}

/* The handler task ran once with error on its stack, the main task linked;
 * tr: the handler task that must have run (0: either). */
static void check_handled_in(const char *name, uint32_t error, uint32_t tr)
{
    if (h_runs == 1 && h_err == error && h_link == TSS_SEL && (!tr || (h_tr & 0xFFFF) == tr)) {
        check(1, name);
        return;
    }
    puts_("FAIL ");
    puts_(name);
    puts_(": handler task runs ");
    puthex(h_runs);
    puts_(" error ");
    puthex(h_err);
    puts_(" (expected ");
    puthex(error);
    puts_(") link ");
    puthex(h_link);
    puts_(" in task ");
    puthex(h_tr);
    puts_("\n");
    check_count_failure();
}
static void check_handled(const char *name, uint32_t error) { check_handled_in(name, error, 0); }

/* ---- #DF and serial handling -------------------------------------------- */

static void double_faults(void)
{
    uint32_t cr3 = paging32_build();
    pt32_low[HOLE >> 12] = 0;
    paging_on(cr3, 0x10);       /* CR4.PSE: pd32 has 4 MiB pages */
    tss.cr3 = cr3;              /* the main task is re-entered by task switches */

    handler_task(8, 0);
    tss.esp0 = HOLE + 0x1000;   /* every delivery to ring 0 page-faults */
    check_eq("combo_pf_pf_returns", (uint32_t)NO_FAULT, (uint32_t)run_user(u_read_hole, &f));
    check_handled("combo_pf_while_delivering_pf_is_df_0", 0);
    check(h_cr2 >= HOLE + 0x1000 - 20 && h_cr2 < HOLE + 0x1000, "combo_pf_pf_cr2_in_frame");
    restore();

    handler_task(8, 0);
    tss.esp0 = HOLE + 0x1000;
    check_eq("combo_gp_pf_returns", (uint32_t)NO_FAULT, (uint32_t)run_user(u_load_bad_ds, &f));
    check_handled("combo_pf_while_delivering_gp_is_df_0", 0);
    restore();

    /* #BP is benign: the #PF of its delivery is handled on its own. */
    handler_task(14, 0);
    tss.esp0 = HOLE + 0x1000;
    check_eq("combo_bp_pf_returns", (uint32_t)NO_FAULT, (uint32_t)run_user(u_int3, &f));
    check_handled("combo_pf_while_delivering_bp_is_pf_serially", 0x2);
    check(h_cr2 >= HOLE + 0x1000 - 20 && h_cr2 < HOLE + 0x1000, "combo_bp_pf_cr2_in_frame");
    restore();

    paging_off();
}

/* ---- stack faults during a privilege change ------------------------------ */

static void ss0_case(const char *name, void (*code)(void), unsigned vec, struct desc d,
                     uint32_t esp0, uint32_t error)
{
    gdt_set(SLOT(SS0_SEL), d);
    handler_tasks(vec, 0, 1);
    tss.ss0 = SS0_SEL;
    tss.esp0 = esp0;
    int v = run_user(code, &f);
    restore();
    if (v != NO_FAULT) {
        puts_("FAIL ");
        puts_(name);
        puts_(": the handler task did not send the task back\n");
        check_count_failure();
        return;
    }
    check_handled_in(name, error, vec == 12 ? TSS3_SEL : TSS4_SEL);     /* #SS or #TS */
}

static void stack_faults(void)
{
    idt_set(0x4A, make_gate(KCODE, 0, G_INT, 3, 0));        /* never reached */
#ifndef COMBO_LIMITS
    ss0_case("combo_ss0_not_present_ss", u_int4a, 12,
             make_desc(0, 0xFFFFF, D_DATA_RW ^ D_NP, F_G | F_DB), KERNEL_STACK_TOP, SS0_SEL);
    ss0_case("combo_ss0_dpl3_ts_ext", u_ud2, 10,
             make_desc(0, 0xFFFFF, D_DATA_RW | D_DPL(3), F_G | F_DB), KERNEL_STACK_TOP,
             SS0_SEL | 1);
#else
    struct desc up = make_desc(0, 0xFFFF, D_DATA_RW, F_DB);
    ss0_case("combo_esp0_too_low_int_n_ss", u_int4a, 12, up, 0x10, SS0_SEL);
    ss0_case("combo_esp0_too_low_exception_ss_ext", u_ud2, 12, up, 0x10, SS0_SEL | 1);
    struct desc down = make_desc(0, 0x6FFF, D_DATA_RWD, F_DB);
    ss0_case("combo_expand_down_ss0_below_limit_ss", u_int4a, 12, down, 0x7008, SS0_SEL);
    down = make_desc(0, 0x6FFF, D_DATA_RWD, F_DB);
    gdt_set(SLOT(SS0_SEL), down);
    tss.ss0 = SS0_SEL;
    tss.esp0 = 0x7800;
    int v = run_user(u_int3, &f);
    restore();
    check_eq("combo_expand_down_ss0_above_limit_works", 3, (uint32_t)v);
    check_eq("combo_expand_down_ss0_frame_above_limit", 0x7800 - 20, f.handler_esp);
#endif
    idt_default(0x4A, 0);
}

/* ---- faults in the new task ---------------------------------------------- */

/* name: the fault, its error code and the back-link; eip_name: the EIP saved
 * in the new task's TSS is its first instruction (the fault is the new task's). */
static void switch_case(const char *name, const char *eip_name, unsigned vec, uint32_t error)
{
    handler_task(vec, 1);
    jmp_t2();
    gdt[SLOT(TSS2_SEL)].hi &= ~0x200u;      /* the faulting task stays busy: free it */
    restore();
    check_eq(eip_name, (uint32_t)t2_entry, h_t2_eip);
    if (h_runs == 1 && h_err == error && h_link == TSS2_SEL) {
        check(1, name);
        return;
    }
    puts_("FAIL ");
    puts_(name);
    puts_(": runs ");
    puthex(h_runs);
    puts_(" error ");
    puthex(h_err);
    puts_(" link ");
    puthex(h_link);
    puts_(" new task EIP ");
    puthex(h_t2_eip);
    puts_("\n");
    check_count_failure();
}

static void task_faults(void)
{
    gdt_set(SLOT(TSS2_SEL), make_desc((uint32_t)&t2, sizeof t2 - 1, D_TSS32, 0));
    gdt_set(SLOT(LDT_BAD), make_desc(0, 0xFFFFF, D_DATA_RW, F_G | F_DB));
    gdt_set(SLOT(CS_NP), make_desc(0, 0xFFFFF, D_CODE_XR ^ D_NP, F_G | F_DB));

    tss_make_task(&t2, t2_entry, (uint32_t)(stack2 + sizeof stack2));
    t2.ldt = LDT_BAD;
    switch_case("combo_task_bad_ldt_ts_in_new_task", "combo_task_bad_ldt_new_task_eip", 10, LDT_BAD);

    tss_make_task(&t2, t2_entry, (uint32_t)(stack2 + sizeof stack2));
    t2.ss = KCODE;
    switch_case("combo_task_code_ss_ts_in_new_task", "combo_task_code_ss_new_task_eip", 10, KCODE);

    tss_make_task(&t2, t2_entry, (uint32_t)(stack2 + sizeof stack2));
    t2.cs = CS_NP;
    switch_case("combo_task_cs_not_present_np_in_new_task", "combo_task_cs_np_new_task_eip", 11, CS_NP);

    tss_make_task(&t2, t2_entry, (uint32_t)(stack2 + sizeof stack2));
    h_runs = 0;
    jmp_t2();
    __asm__ volatile("clts");
    check_eq("combo_task_good_switch_no_fault", 0, h_runs);
}

/* ---- RF ------------------------------------------------------------------- */

static void rf(void)
{
    run_catch(k_load_bad_ds, &f);
    check_eq("combo_gp_fault", 13, (uint32_t)f.vector);
    check_eq("combo_fault_pushes_rf", EFLAGS_RF, f.eflags & EFLAGS_RF);
    run_catch(k_int3, &f);
    check_eq("combo_int3_trap_pushes_no_rf", 0, f.eflags & EFLAGS_RF);
}

void guest_main(uint32_t magic, const uint8_t *mbi)
{
    (void)magic, (void)mbi;
    sys_init();
    idt_default(3, 3);
#ifdef COMBO_LIMITS
    (void)double_faults, (void)task_faults, (void)rf;
    stack_faults();
#else
    double_faults();
    task_faults();
    rf();
    stack_faults();
#endif
}
