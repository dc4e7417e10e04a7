/* sys_priv.c - privilege transitions (SDM Vol. 3 sec. 5.8, 6.12): INT from
 * ring 3 through a DPL-3 gate with the stack switch from TSS.ESP0 and the
 * pushed SS:ESP; a gate DPL below CPL; exceptions from ring 3; IRET to ring 3
 * nulling data segments more privileged than the new CPL; call gates with a
 * parameter copy and RETF n back out; conforming code keeping CPL; interrupt
 * versus trap gates; privileged instructions at CPL 3.
 */
#include "lib/sys.h"

static struct fault f;
uint32_t g_esp, g_cs, g_p0, g_p1, g_oesp, g_oss, g_reteip, g_retcs, conf_cs, g_ss, g_ds;
static uint8_t alt_stack[1024] __attribute__((aligned(16)));

enum { S_CALLGATE = 10, S_CALLGATE_DPL0, S_CONF, S_KCODE_DPL0_TARGET, S_CALLGATE16 };
#define CALLGATE SEL(S_CALLGATE, 3)
#define CALLGATE_DPL0 SEL(S_CALLGATE_DPL0, 3)
#define CONF SEL(S_CONF, 3)

ASM_FN(u_int80, "mov %ds, %eax\n mov %esp, %ebx\n int $0x80");
ASM_FN(u_int41, LABEL(u_int41_at) "int $0x41\n int $0x80");
ASM_FN(u_int3, "int3\n int $0x80");
ASM_FN(u_ud2, LABEL(u_ud2_at) "ud2");
ASM_FN(u_hlt, LABEL(u_hlt_at) "hlt");
ASM_FN(u_mov_cr0, LABEL(u_cr0_at) "mov %cr0, %eax");
ASM_FN(u_lgdt, LABEL(u_lgdt_at) "lgdt (%esp)");
ASM_FN(u_invlpg, LABEL(u_invlpg_at) "invlpg (%esp)");
ASM_FN(u_clts, LABEL(u_clts_at) "clts");
ASM_FN(u_wbinvd, LABEL(u_wbinvd_at) "wbinvd");
ASM_FN(u_lmsw, "xor %eax, %eax\n" LABEL(u_lmsw_at) "lmsw %ax");
ASM_FN(u_rdpmc, "xor %ecx, %ecx\n" LABEL(u_rdpmc_at) "rdpmc");
ASM_FN(u_smsw, "smsw %eax\n int $0x80");
ASM_FN(u_load_kdata, "mov $0x10, %eax\n" LABEL(u_kdata_at) "mov %eax, %ds");
ASM_FN(u_read_segs, "mov %ds, %eax\n mov %es, %ecx\n mov %fs, %edx\n mov %gs, %ebx\n int $0x80");
ASM_FN(u_callgate, "push $0x1111\n push $0x2222\n" LABEL(u_callgate_at) "lcall $0x53, $0\n"
       "mov %esp, %ebx\n mov %ds, %eax\n int $0x80");
ASM_FN(u_callgate_dpl0, LABEL(u_callgate_dpl0_at) "lcall $0x5B, $0\n int $0x80");
ASM_FN(u_far_kcode, LABEL(u_far_kcode_at) "lcall $0x08, $gate_target\n int $0x80");
ASM_FN(u_conf, "lcall $0x63, $conf_target\n mov conf_cs, %eax\n mov %cs, %ecx\n int $0x80");
/* Ring 0 through the call gate: note the inner stack, return with RETF 8
 * after loading DS with a DPL-0 selector (nulled on the way out). */
ASM_FN(gate_target, "mov %esp, g_esp\n mov %cs, g_cs\n mov %ss, g_ss\n"
       "mov 0(%esp), %eax\n mov %eax, g_reteip\n mov 4(%esp), %eax\n mov %eax, g_retcs\n"
       "mov 8(%esp), %eax\n mov %eax, g_p0\n mov 12(%esp), %eax\n mov %eax, g_p1\n"
       "mov 16(%esp), %eax\n mov %eax, g_oesp\n mov 20(%esp), %eax\n mov %eax, g_oss\n"
       "mov $0x10, %eax\n mov %eax, %ds\n lret $8");
ASM_FN(conf_target, "mov %cs, %eax\n mov %eax, conf_cs\n lret");
extern char u_invlpg_at[], u_clts_at[], u_wbinvd_at[], u_lmsw_at[], u_rdpmc_at[];
extern char u_int41_at[], u_ud2_at[], u_hlt_at[], u_cr0_at[], u_lgdt_at[], u_kdata_at[],
    u_callgate_at[], u_callgate_dpl0_at[], u_far_kcode_at[];

static volatile uint32_t gate_if;
static void record_if(struct frame *fr) { (void)fr; gate_if = read_eflags() & EFLAGS_IF; }
ASM_FN(k_int44, "int $0x44\n ret");
ASM_FN(k_int45, "int $0x45\n ret");

static void ring3_entry_and_exit(void)
{
    check_eq("priv_user_int80_returns", (uint32_t)NO_FAULT, (uint32_t)run_user(u_int80, &f));
    check_eq("priv_int_from_ring3_pushed_cs", UCODE, f.cs);
    check_eq("priv_int_from_ring3_pushed_ss", UDATA, f.ss);
    check_eq("priv_int_from_ring3_pushed_esp", USER_STACK_TOP, f.esp);
    check_eq("priv_int_stack_from_tss_esp0", KERNEL_STACK_TOP - 20, f.handler_esp);
    check_eq("priv_ring3_ds_kept_udata", UDATA, f.eax & 0xFFFF);
    check_eq("priv_ring3_esp_at_int", USER_STACK_TOP, f.ebx);
    check_eq("priv_pushed_eflags_bit1", 2, f.eflags & 0x2);

    tss.esp0 = (uint32_t)(alt_stack + sizeof alt_stack);
    run_user(u_int80, &f);
    check_eq("priv_new_tss_esp0_used", (uint32_t)(alt_stack + sizeof alt_stack) - 20, f.handler_esp);
    tss.esp0 = KERNEL_STACK_TOP;

    run_user(u_int41, &f);
    check_fault("priv_gate_dpl0_from_ring3_gp", &f, 13, 0x41 * 8 + 2, u_int41_at);
    check_eq("priv_gate_gp_pushed_cs_ring3", UCODE, f.cs);
    run_user(u_int3, &f);
    check_eq("priv_int3_dpl0_gate_gp_vector", 13, (uint32_t)f.vector);
    check_eq("priv_int3_dpl0_gate_gp_error", 3 * 8 + 2, f.error);
    idt_default(3, 3);
    run_user(u_int3, &f);
    check_fault("priv_int3_dpl3_gate_delivers", &f, 3, NO_ERROR, (char *)u_int3 + 1);
    check_eq("priv_int3_dpl3_gate_from_ring3", UCODE, f.cs);
    idt_default(3, 0);

    run_user(u_ud2, &f);
    check_fault("priv_ud_from_ring3", &f, 6, NO_ERROR, u_ud2_at);
    check_eq("priv_ud_ring3_frame_ss", UDATA, f.ss);
    check_eq("priv_ud_ring3_frame_top", KERNEL_STACK_TOP - 20, f.handler_esp);
    run_user(u_hlt, &f);
    check_fault("priv_hlt_at_cpl3_gp0", &f, 13, 0, u_hlt_at);
    check_eq("priv_gp_error_frame_top", KERNEL_STACK_TOP - 20, f.handler_esp);
    run_user(u_mov_cr0, &f);
    check_fault("priv_mov_cr0_at_cpl3_gp0", &f, 13, 0, u_cr0_at);
    run_user(u_lgdt, &f);
    check_fault("priv_lgdt_at_cpl3_gp0", &f, 13, 0, u_lgdt_at);
    run_user(u_invlpg, &f);
    check_fault("priv_invlpg_at_cpl3_gp0", &f, 13, 0, u_invlpg_at);
    run_user(u_clts, &f);
    check_fault("priv_clts_at_cpl3_gp0", &f, 13, 0, u_clts_at);
    run_user(u_wbinvd, &f);
    check_fault("priv_wbinvd_at_cpl3_gp0", &f, 13, 0, u_wbinvd_at);
    run_user(u_lmsw, &f);
    check_fault("priv_lmsw_at_cpl3_gp0", &f, 13, 0, u_lmsw_at);
    run_user(u_rdpmc, &f);
    check_fault("priv_rdpmc_cpl3_pce0_gp0", &f, 13, 0, u_rdpmc_at);
    check_eq("priv_smsw_at_cpl3_allowed", (uint32_t)NO_FAULT, (uint32_t)run_user(u_smsw, &f));
    check_eq("priv_smsw_reads_cr0_low", read_cr0() & 0xFFFF, f.eax & 0xFFFF);
    run_user(u_load_kdata, &f);
    check_fault("priv_load_dpl0_data_at_cpl3_gp", &f, 13, KDATA, u_kdata_at);
}

static void iret_nulls_segments(void)
{
    run_user_ex(u_read_segs, &f, 2, KDATA);
    check_eq("priv_iret_nulls_ds_dpl0", 0, f.eax & 0xFFFF);
    check_eq("priv_iret_nulls_es_dpl0", 0, f.ecx & 0xFFFF);
    check_eq("priv_iret_nulls_fs_dpl0", 0, f.edx & 0xFFFF);
    check_eq("priv_iret_nulls_gs_dpl0", 0, f.ebx & 0xFFFF);
    run_user_ex(u_read_segs, &f, 2, UDATA);
    check_eq("priv_iret_keeps_ds_dpl3", UDATA, f.eax & 0xFFFF);
    gdt_set(S_CONF, make_desc(0, 0xFFFFF, D_CODE_CXR, F_G | F_DB));
    run_user_ex(u_read_segs, &f, 2, SEL(S_CONF, 0));
    check_eq("priv_iret_keeps_conforming_code_in_ds", SEL(S_CONF, 0), f.eax & 0xFFFF);
}

static void call_gates(void)
{
    gdt_set(S_CALLGATE, make_gate(KCODE, (uint32_t)gate_target, G_CALL, 3, 2));
    gdt_set(S_CALLGATE_DPL0, make_gate(KCODE, (uint32_t)gate_target, G_CALL, 0, 2));
    check_eq("priv_callgate_round_trip", (uint32_t)NO_FAULT, (uint32_t)run_user(u_callgate, &f));
    check_eq("priv_callgate_cpl0_cs", KCODE, g_cs & 0xFFFF);
    check_eq("priv_callgate_ss_from_tss", KDATA, g_ss & 0xFFFF);
    check_eq("priv_callgate_inner_esp", KERNEL_STACK_TOP - 24, g_esp);
    check_eq("priv_callgate_param0_copied", 0x2222, g_p0);
    check_eq("priv_callgate_param1_copied", 0x1111, g_p1);
    check_eq("priv_callgate_pushed_outer_esp", USER_STACK_TOP - 8, g_oesp);
    check_eq("priv_callgate_pushed_outer_ss", UDATA, g_oss & 0xFFFF);
    check_eq("priv_callgate_pushed_cs", UCODE, g_retcs & 0xFFFF);
    check_eq("priv_callgate_pushed_eip", (uint32_t)u_callgate_at + 7, g_reteip);
    check_eq("priv_retf8_pops_params", USER_STACK_TOP, f.ebx);
    check_eq("priv_retf_nulls_dpl0_ds", 0, f.eax & 0xFFFF);
    check_eq("priv_back_in_ring3", UCODE, f.cs);

    run_user(u_callgate_dpl0, &f);
    check_fault("priv_callgate_dpl0_from_ring3_gp", &f, 13, SEL(S_CALLGATE_DPL0, 0),
                u_callgate_dpl0_at);
    run_user(u_far_kcode, &f);
    check_fault("priv_far_call_ring0_code_from_ring3_gp", &f, 13, KCODE, u_far_kcode_at);
    struct desc saved = gdt[S_CALLGATE];
    gdt[S_CALLGATE].hi &= ~0x8000u;
    run_user(u_callgate, &f);
    check_fault("priv_callgate_not_present_np", &f, 11, SEL(S_CALLGATE, 0), u_callgate_at);
    gdt[S_CALLGATE] = saved;

    gdt_set(S_CONF, make_desc(0, 0xFFFFF, D_CODE_CXR, F_G | F_DB));
    check_eq("priv_conforming_call_ok", (uint32_t)NO_FAULT, (uint32_t)run_user(u_conf, &f));
    check_eq("priv_conforming_keeps_cpl3", 3, f.eax & 3);
    check_eq("priv_conforming_cs_index", SEL(S_CONF, 3), f.eax & 0xFFFF);
    check_eq("priv_back_from_conforming_cs", UCODE, f.ecx & 0xFFFF);
}

static void gate_types(void)
{
    set_handler(0x44, record_if);
    set_handler(0x45, record_if);
    idt_default(0x45, 0);                     /* a trap gate: change the type only */
    idt[0x45].hi = (idt[0x45].hi & ~0xF00u) | (uint32_t)G_TRAP << 8;
    sti();
    k_int44();
    check_eq("priv_interrupt_gate_clears_if", 0, gate_if);
    k_int45();
    check_eq("priv_trap_gate_keeps_if", EFLAGS_IF, gate_if);
    cli();
}

void guest_main(uint32_t magic, const uint8_t *mbi)
{
    (void)magic, (void)mbi;
    sys_init();
    ring3_entry_and_exit();
    iret_nulls_segments();
    call_gates();
    gate_types();
}
