/* sys_desc.c - descriptor-table instructions and direct far transfers (SDM
 * Vol. 2 LTR, LLDT, SGDT, SIDT, STR, JMP, CALL, RET, IRET; Vol. 3 sec. 5.8):
 * the #GP/#NP cases of LTR and LLDT and the busy bit LTR sets; far JMP/CALL
 * to data, not-present and non-conforming code segments; RETF to the outer
 * ring (and #GP for RETF inward); IRET at CPL 3 leaving IOPL and IF alone.
 */
#include "lib/sys.h"

static struct fault f;
uint32_t sel_in;
static struct desc ldt[2] __attribute__((aligned(8)));

enum { S_TSS = 10, S_LDT, S_DATA, S_CODE_NP, S_CODE_DPL3, S_TSS_NP };

ASM_FN(do_ltr, "mov sel_in, %eax\n" LABEL(ltr_at) "ltr %ax\n ret");
ASM_FN(do_lldt, "mov sel_in, %eax\n" LABEL(lldt_at) "lldt %ax\n ret");
ASM_FN(do_jmp_data, LABEL(jmp_data_at) "ljmp $0x60, $0\n ret");
ASM_FN(do_call_np, LABEL(call_np_at) "lcall $0x68, $0\n ret");
ASM_FN(do_jmp_dpl3_code, LABEL(jmp_dpl3_at) "ljmp $0x70, $0\n ret");
ASM_FN(do_far_call_ret, "lcall $0x08, $far_target\n ret");
ASM_FN(far_target, "mov %cs, %eax\n lret");
/* RETF from ring 0 to ring 3: the frame is SS, ESP, CS, EIP. */
ASM_FN(do_retf_out, "push $0x23\n push $user_stack + 4096\n push $0x1B\n push $u_after_retf\n lret");
ASM_FN(u_after_retf, "mov %cs, %eax\n mov %ss, %ecx\n int $0x80");
ASM_FN(u_retf_in, "push $0x08\n push $u_after_retf\n" LABEL(u_retf_in_at) "lret");
/* IRET at CPL 3 with IOPL 3 and IF flipped in the image: both stay. */
ASM_FN(u_iret_same, "pushf\n pop %eax\n xor $0x3200, %eax\n push $0x1B\n pop %ecx\n"
       "push %eax\n push %ecx\n push $1f\n iret\n 1: pushf\n pop %eax\n int $0x80");
ASM_FN(u_sgdt, "sgdt (user_stack)\n int $0x80");
extern char ltr_at[], lldt_at[], jmp_data_at[], call_np_at[], jmp_dpl3_at[], u_retf_in_at[];

struct __attribute__((packed)) dtr {
    uint16_t limit;
    uint32_t base;
};

static void tables(void)
{
    struct dtr g = { 0, 0 }, i = { 0, 0 };
    __asm__ volatile("sgdt %0" : "=m"(g));
    __asm__ volatile("sidt %0" : "=m"(i));
    check_eq("sgdt_base", (uint32_t)gdt, g.base);
    check_eq("sgdt_limit", sizeof gdt - 1, g.limit);
    check_eq("sidt_base", (uint32_t)idt, i.base);
    check_eq("sidt_limit", sizeof idt - 1, i.limit);
    uint32_t tr = 0;
    __asm__ volatile("str %0" : "=r"(tr));
    check_eq("str_main_tss", TSS_SEL, tr & 0xFFFF);

    static struct tss32 spare;
    gdt_set(S_TSS, make_desc((uint32_t)&spare, sizeof spare - 1, D_TSS32, 0));
    sel_in = SEL(S_TSS, 0);
    check_eq("ltr_available_tss_ok", (uint32_t)NO_FAULT, (uint32_t)run_catch(do_ltr, &f));
    check_eq("ltr_sets_busy_bit", 0x200, gdt[S_TSS].hi & 0x200);
    __asm__ volatile("str %0" : "=r"(tr));
    check_eq("str_after_ltr", SEL(S_TSS, 0), tr & 0xFFFF);
    run_catch(do_ltr, &f);
    check_fault("ltr_busy_tss_gp", &f, 13, SEL(S_TSS, 0), ltr_at);
    sel_in = SEL(S_DATA, 0);
    run_catch(do_ltr, &f);
    check_fault("ltr_data_segment_gp", &f, 13, SEL(S_DATA, 0), ltr_at);
    sel_in = 0;
    run_catch(do_ltr, &f);
    check_fault("ltr_null_gp", &f, 13, 0, ltr_at);
    gdt_set(S_TSS_NP, make_desc((uint32_t)&spare, sizeof spare - 1, D_TSS32 ^ D_NP, 0));
    sel_in = SEL(S_TSS_NP, 0);
    run_catch(do_ltr, &f);
    check_fault("ltr_not_present_np", &f, 11, SEL(S_TSS_NP, 0), ltr_at);
    gdt[SLOT(TSS_SEL)].hi &= ~0x200u;                 /* back to the main TSS */
    __asm__ volatile("ltr %w0" : : "r"((uint32_t)TSS_SEL));

    ldt[1] = make_desc(0, 0xFFFFF, D_DATA_RW, F_G | F_DB);
    gdt_set(S_LDT, make_desc((uint32_t)ldt, sizeof ldt - 1, D_LDT, 0));
    sel_in = SEL(S_LDT, 0);
    check_eq("lldt_ldt_ok", (uint32_t)NO_FAULT, (uint32_t)run_catch(do_lldt, &f));
    sel_in = SEL(S_DATA, 0);
    run_catch(do_lldt, &f);
    check_fault("lldt_data_segment_gp", &f, 13, SEL(S_DATA, 0), lldt_at);
    sel_in = SEL(S_TSS, 0);
    run_catch(do_lldt, &f);
    check_fault("lldt_tss_gp", &f, 13, SEL(S_TSS, 0), lldt_at);
    sel_in = 0;
    check_eq("lldt_null_ok", (uint32_t)NO_FAULT, (uint32_t)run_catch(do_lldt, &f));
    check_eq("sgdt_at_cpl3_allowed_without_umip", (uint32_t)NO_FAULT, (uint32_t)run_user(u_sgdt, &f));
}

static void far_transfers(void)
{
    gdt_set(S_DATA, make_desc(0, 0xFFFFF, D_DATA_RW, F_G | F_DB));
    gdt_set(S_CODE_NP, make_desc(0, 0xFFFFF, D_CODE_XR ^ D_NP, F_G | F_DB));
    gdt_set(S_CODE_DPL3, make_desc(0, 0xFFFFF, D_CODE_XR | D_DPL(3), F_G | F_DB));
    run_catch(do_jmp_data, &f);
    check_fault("far_jmp_to_data_segment_gp", &f, 13, SEL(S_DATA, 0), jmp_data_at);
    run_catch(do_call_np, &f);
    check_fault("far_call_not_present_np", &f, 11, SEL(S_CODE_NP, 0), call_np_at);
    run_catch(do_jmp_dpl3_code, &f);
    check_fault("far_jmp_nonconforming_dpl3_from_cpl0_gp", &f, 13, SEL(S_CODE_DPL3, 0), jmp_dpl3_at);
    check_eq("far_call_and_retf_same_ring", (uint32_t)NO_FAULT, (uint32_t)run_catch(do_far_call_ret, &f));

    check_eq("retf_to_ring3_reaches_int80", VEC_USER_DONE, (uint32_t)run_catch(do_retf_out, &f));
    check_eq("retf_to_ring3_cs", UCODE, f.eax & 0xFFFF);
    check_eq("retf_to_ring3_ss", UDATA, f.ecx & 0xFFFF);
    check_eq("retf_to_ring3_esp", USER_STACK_TOP, f.esp);
    run_user(u_retf_in, &f);
    check_fault("retf_to_inner_ring_gp", &f, 13, KCODE, u_retf_in_at);

    run_user_ex(u_iret_same, &f, EFLAGS_IF, UDATA);
    check_eq("iret_cpl3_keeps_iopl", 0, f.eax & 0x3000);
    check_eq("iret_cpl3_iopl0_keeps_if", EFLAGS_IF, f.eax & EFLAGS_IF);
    run_user_ex(u_iret_same, &f, EFLAGS_IOPL(3) | EFLAGS_IF, UDATA);
    check_eq("iret_cpl3_iopl3_changes_if", 0, f.eax & EFLAGS_IF);
    check_eq("iret_cpl3_iopl3_keeps_iopl3", EFLAGS_IOPL(3), f.eax & 0x3000);
}

void guest_main(uint32_t magic, const uint8_t *mbi)
{
    (void)magic, (void)mbi;
    sys_init();
    gdt_set(S_DATA, make_desc(0, 0xFFFFF, D_DATA_RW, F_G | F_DB));
    tables();
    far_transfers();
}
