/* sys_task.c - hardware task switches (SDM Vol. 3 ch. 7): JMP and CALL to a
 * TSS, IRET with NT back along the back-link, the busy bits, state saved in
 * the old TSS, CR0.TS after a switch, a task gate in the IDT (INT n and #DF),
 * and the #GP/#TS cases: a busy TSS, a TSS limit below 67h, a back-link that
 * is not a TSS.
 */
#include "lib/sys.h"

static struct fault f;
static struct tss32 t2, t3;
static uint8_t stack2[2048] __attribute__((aligned(16))), stack3[2048] __attribute__((aligned(16)));
uint32_t task2_use_iret, t2_tr, t2_eflags, t2_cr0, t2_link, t2_main_busy, t2_self_busy, t2_saved_eax,
    t2_runs, df_saved_esp, df_err, df_link, df_eflags, df_runs;

static int busy(uint16_t sel) { return (gdt[SLOT(sel)].hi >> 9) & 1; }

void task2_body(void);
void task2_body(void)
{
    uint32_t tr;
    __asm__ volatile("str %0" : "=r"(tr));
    t2_tr = tr & 0xFFFF;
    t2_eflags = read_eflags();
    t2_cr0 = read_cr0();
    t2_link = t2.link;
    t2_main_busy = (uint32_t)busy(TSS_SEL);
    t2_self_busy = (uint32_t)busy(TSS2_SEL);
    t2_saved_eax = tss.eax;
    t2_runs++;
}

/* Task 2: record, then back by JMP or IRET; the next switch in resumes here. */
ASM_FN(task2_entry, "1: call task2_body\n cmpl $0, task2_use_iret\n jne 2f\n"
       "ljmp $0x38, $0\n jmp 1b\n 2: iret\n jmp 1b");
/* The #DF task: the error code is on its stack; send the faulting task on to
 * df_recover and return along the back-link. */
ASM_FN(df_task, "1: pop %eax\n mov %eax, df_err\n movzwl t3, %eax\n mov %eax, df_link\n"
       "pushf\n pop df_eflags\n incl df_runs\n movl $df_recover, tss_main+32\n iret\n jmp 1b");
ASM_FN(do_df, "push %ebx\n push %esi\n push %edi\n push %ebp\n mov %esp, df_saved_esp\n"
       "mov $0x100, %eax\n mov %eax, %ds\n"
       LABEL(df_recover) "mov df_saved_esp, %esp\n mov $0x10, %eax\n mov %eax, %ds\n"
       "pop %ebp\n pop %edi\n pop %esi\n pop %ebx\n ret");
ASM_FN(jmp_task2, "mov $0x12345678, %eax\n ljmp $0x40, $0\n ret");
ASM_FN(call_task2, "mov $0x9ABCDEF0, %eax\n lcall $0x40, $0\n ret");
ASM_FN(int_task2, "int $0x46\n ret");
ASM_FN(jmp_self, LABEL(jmp_self_at) "ljmp $0x38, $0\n ret");
ASM_FN(jmp_short_tss, LABEL(jmp_short_at) "ljmp $0x50, $0\n ret");
ASM_FN(iret_bad_link, "pushf\n orl $0x4000, (%esp)\n popf\n" LABEL(iret_bad_at) "iret");
extern char jmp_self_at[], jmp_short_at[], iret_bad_at[], df_recover[];

static void jmp_and_call(void)
{
    task2_use_iret = 0;
    jmp_task2();
    check_eq("task_jmp_runs_task2", 1, t2_runs);
    check_eq("task_jmp_tr_is_new_tss", TSS2_SEL, t2_tr);
    check_eq("task_jmp_new_busy", 1, t2_self_busy);
    check_eq("task_jmp_old_not_busy", 0, t2_main_busy);
    check_eq("task_jmp_no_nt", 0, t2_eflags & EFLAGS_NT);
    check_eq("task_jmp_no_back_link", 0, t2_link);
    check_eq("task_jmp_saves_eax_in_old_tss", 0x12345678, t2_saved_eax);
    check_eq("task_switch_sets_cr0_ts", 8, t2_cr0 & 8);
    uint32_t tr;
    __asm__ volatile("str %0" : "=r"(tr));
    check_eq("task_jmp_back_tr", TSS_SEL, tr & 0xFFFF);
    check_eq("task_jmp_back_main_busy", 1, (uint32_t)busy(TSS_SEL));
    check_eq("task_jmp_back_task2_not_busy", 0, (uint32_t)busy(TSS2_SEL));
    check_eq("task_jmp_back_sets_ts_here", 8, read_cr0() & 8);
    __asm__ volatile("clts");

    task2_use_iret = 1;
    call_task2();
    check_eq("task_call_runs_task2", 2, t2_runs);
    check_eq("task_call_sets_nt", EFLAGS_NT, t2_eflags & EFLAGS_NT);
    check_eq("task_call_back_link", TSS_SEL, t2_link);
    check_eq("task_call_old_stays_busy", 1, t2_main_busy);
    check_eq("task_call_saves_eax", 0x9ABCDEF0, t2_saved_eax);
    check_eq("task_iret_back_clears_nt_here", 0, read_eflags() & EFLAGS_NT);
    check_eq("task_iret_back_task2_not_busy", 0, (uint32_t)busy(TSS2_SEL));
    check_eq("task_iret_back_main_busy", 1, (uint32_t)busy(TSS_SEL));

    idt_set(0x46, make_gate(TSS2_SEL, 0, G_TASK, 0, 0));
    int_task2();
    check_eq("task_gate_int_runs_task2", 3, t2_runs);
    check_eq("task_gate_int_sets_nt", EFLAGS_NT, t2_eflags & EFLAGS_NT);
    check_eq("task_gate_int_back_link", TSS_SEL, t2_link);
    __asm__ volatile("clts");
}

static void faults(void)
{
    run_catch(jmp_self, &f);
    check_fault("task_jmp_to_busy_tss_gp", &f, 13, TSS_SEL, jmp_self_at);
    gdt_set(10, make_desc((uint32_t)&t2, 0x66, D_TSS32, 0));
    run_catch(jmp_short_tss, &f);
    check_fault("task_tss_limit_below_67h_ts", &f, 10, 0x50, jmp_short_at);
    check_eq("task_failed_switch_keeps_tr_busy", 1, (uint32_t)busy(TSS_SEL));
    tss.link = KDATA;
    run_catch(iret_bad_link, &f);
    tss.link = 0;
    check_fault("task_iret_nt_link_not_tss_ts", &f, 10, KDATA, iret_bad_at);
}

static void double_fault_task(void)
{
    struct desc s13 = idt[13], s11 = idt[11];
    idt_set(8, make_gate(TSS3_SEL, 0, G_TASK, 0, 0));
    idt[13].hi &= ~0x8000u;                  /* #GP, then #NP delivering it: #DF */
    idt[11].hi &= ~0x8000u;
    do_df();
    idt[13] = s13, idt[11] = s11;
    idt_default(8, 0);
    __asm__ volatile("clts");
    check_eq("task_df_task_gate_runs", 1, df_runs);
    check_eq("task_df_error_code_on_task_stack", 0, df_err);
    check_eq("task_df_back_link", TSS_SEL, df_link);
    check_eq("task_df_nt_in_df_task", EFLAGS_NT, df_eflags & EFLAGS_NT);
    check_eq("task_df_returns_main_busy", 1, (uint32_t)busy(TSS_SEL));
    check_eq("task_df_task_not_busy_after", 0, (uint32_t)busy(TSS3_SEL));
}

void guest_main(uint32_t magic, const uint8_t *mbi)
{
    (void)magic, (void)mbi;
    sys_init();
    tss_make_task(&t2, task2_entry, (uint32_t)(stack2 + sizeof stack2));
    tss_make_task(&t3, df_task, (uint32_t)(stack3 + sizeof stack3));
    gdt_set(SLOT(TSS2_SEL), make_desc((uint32_t)&t2, sizeof t2 - 1, D_TSS32, 0));
    gdt_set(SLOT(TSS3_SEL), make_desc((uint32_t)&t3, sizeof t3 - 1, D_TSS32, 0));
    jmp_and_call();
    faults();
    double_fault_task();
}
