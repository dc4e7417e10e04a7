/* sys_exc.c - exceptions at CPL 0 with their vector, error code and pushed
 * frame (Intel SDM Vol. 3 ch. 6): fault vs trap EIP, the selector error code
 * with its EXT and IDT bits, contributory pairs making a #DF.
 */
#include "lib/sys.h"

static struct fault f;
uint32_t esp_before;
uint32_t bound_pair[2] = { 0, 3 };

ASM_FN(do_de, "xor %edx, %edx\n mov $1, %eax\n xor %ecx, %ecx\n" LABEL(de_at) "div %ecx\n ret");
ASM_FN(do_int1, ".byte 0xF1\n" LABEL(int1_after) "ret");
ASM_FN(do_int3, "int3\n" LABEL(int3_after) "ret");
ASM_FN(do_int_n3, "int $3\n" LABEL(int_n3_after) "ret");
ASM_FN(do_into, "mov $0x7FFFFFFF, %eax\n add $1, %eax\n into\n" LABEL(into_after) "ret");
ASM_FN(do_into_clear, "xor %eax, %eax\n into\n ret");
ASM_FN(do_bound, "mov $5, %eax\n" LABEL(bound_at) "bound %eax, bound_pair\n ret");
ASM_FN(do_bound_ok, "mov $3, %eax\n bound %eax, bound_pair\n ret");
ASM_FN(do_ud2, LABEL(ud2_at) "ud2\n ret");
ASM_FN(do_lock_nop, LABEL(lock_nop_at) ".byte 0xF0, 0x90\n ret");
ASM_FN(do_fninit, LABEL(fninit_at) "fninit\n ret");
ASM_FN(do_fwait, LABEL(fwait_at) "fwait\n ret");
ASM_FN(do_tf, "pushf\n orl $0x100, (%esp)\n popf\n" LABEL(tf_first) "nop\n" LABEL(tf_after) "nop\n ret");
ASM_FN(do_int_41, "mov %esp, esp_before\n int $0x41\n" LABEL(int41_after) "ret");
ASM_FN(do_int_90, LABEL(int90_at) "int $0x90\n ret");
ASM_FN(do_int_42, LABEL(int42_at) "int $0x42\n ret");
ASM_FN(do_load_ds_beyond, "mov $0x100, %eax\n" LABEL(ds_beyond_at) "mov %eax, %ds\n ret");
ASM_FN(do_load_ds_np, "mov $0x50, %eax\n" LABEL(ds_np_at) "mov %eax, %ds\n ret");
ASM_FN(do_load_ss_np, "mov $0x50, %eax\n" LABEL(ss_np_at) "mov %eax, %ss\n ret");
ASM_FN(do_load_ss_null, "xor %eax, %eax\n" LABEL(ss_null_at) "mov %eax, %ss\n ret");
ASM_FN(do_load_ds_xonly, "mov $0x58, %eax\n" LABEL(ds_xonly_at) "mov %eax, %ds\n ret");
ASM_FN(do_write_ro, "mov $0x60, %eax\n mov %eax, %es\n" LABEL(write_ro_at) "movl $1, %es:0x1000\n ret");
ASM_FN(do_read_limit, "mov $0x68, %eax\n mov %eax, %es\n mov %es:0xFFC, %eax\n"
       LABEL(read_limit_at) "mov %es:0xFFD, %eax\n ret");

extern char de_at[], int1_after[], int3_after[], int_n3_after[], into_after[], bound_at[],
    ud2_at[], lock_nop_at[], fninit_at[], fwait_at[], tf_first[], tf_after[],
    int41_after[], int90_at[], int42_at[], ds_beyond_at[], ds_np_at[], ss_np_at[],
    ss_null_at[], ds_xonly_at[], write_ro_at[], read_limit_at[];

static void arith_and_debug(void)
{
    run_catch(do_de, &f);
    check_fault("de_div_zero_fault_at_div", &f, 0, NO_ERROR, de_at);
    check_eq("de_frame_cs", KCODE, f.cs);
    check_eq("de_frame_eflags_bit1", 2, f.eflags & 2);

    __asm__ volatile("mov %0, %%dr6" : : "r"(0u));
    run_catch(do_int1, &f);
    check_fault("db_int1_trap_after_insn", &f, 1, NO_ERROR, int1_after);

    __asm__ volatile("mov %0, %%dr6" : : "r"(0u));
    run_catch(do_tf, &f);
    check_fault("db_tf_trap_after_next_insn", &f, 1, NO_ERROR, tf_after);
    uint32_t dr6;
    __asm__ volatile("mov %%dr6, %0" : "=r"(dr6));
    check_eq("db_tf_dr6_bs", 0x4000, dr6 & 0x4000);
    check_eq("db_tf_frame_eflags_tf", EFLAGS_TF, f.eflags & EFLAGS_TF);
    check_eq("db_tf_handler_tf_clear", 0, read_eflags() & EFLAGS_TF);

    run_catch(do_int3, &f);
    check_fault("bp_int3_trap_after", &f, 3, NO_ERROR, int3_after);
    run_catch(do_int_n3, &f);
    check_fault("bp_int_n3_trap_after", &f, 3, NO_ERROR, int_n3_after);

    run_catch(do_into, &f);
    check_fault("of_into_with_of_traps_after", &f, 4, NO_ERROR, into_after);
    check_eq("of_frame_eflags_of", 0x800, f.eflags & 0x800);
    check_eq("of_into_without_of_nothing", (uint32_t)NO_FAULT, (uint32_t)run_catch(do_into_clear, &f));

    run_catch(do_bound, &f);
    check_fault("br_bound_out_of_range_fault", &f, 5, NO_ERROR, bound_at);
    check_eq("br_bound_in_range_nothing", (uint32_t)NO_FAULT, (uint32_t)run_catch(do_bound_ok, &f));

    run_catch(do_ud2, &f);
    check_fault("ud_ud2_fault_at", &f, 6, NO_ERROR, ud2_at);
    run_catch(do_lock_nop, &f);
    check_fault("ud_lock_nop_fault_at", &f, 6, NO_ERROR, lock_nop_at);
}

/* #AC: CR0.AM, EFLAGS.AC and CPL 3 together; a misaligned dword read. */
ASM_FN(u_misaligned, "mov $user_stack + 1, %ecx\n" LABEL(ac_at) "mov (%ecx), %eax\n int $0x80");
extern char ac_at[];
static void alignment(void)
{
    write_cr0(read_cr0() | 0x40000);                   /* AM */
    run_user_ex(u_misaligned, &f, 0x40000, UDATA);      /* AC */
    check_fault("ac_misaligned_cpl3_am_ac", &f, 17, 0, ac_at);
    check_eq("ac_misaligned_without_ac_ok", (uint32_t)NO_FAULT,
             (uint32_t)run_user_ex(u_misaligned, &f, 0, UDATA));
    write_cr0(read_cr0() & ~0x40000u);
    check_eq("ac_misaligned_without_am_ok", (uint32_t)NO_FAULT,
             (uint32_t)run_user_ex(u_misaligned, &f, 0x40000, UDATA));
}

static void fpu(void)
{
    write_cr0((read_cr0() & ~0x4u) | 0x8u | 0x2u);    /* TS, MP, no EM */
    run_catch(do_fninit, &f);
    check_fault("nm_fninit_with_ts", &f, 7, NO_ERROR, fninit_at);
    run_catch(do_fwait, &f);
    check_fault("nm_fwait_with_ts_and_mp", &f, 7, NO_ERROR, fwait_at);
    /* The #NM rules only: whether the x87 instruction then runs is the FPU's
     * business (a machine without an x87 may refuse it with #UD). */
    write_cr0(read_cr0() & ~0x2u);                     /* TS without MP */
    check(run_catch(do_fwait, &f) != 7, "nm_fwait_ts_without_mp_no_nm");
    __asm__ volatile("clts");
    check(run_catch(do_fninit, &f) != 7, "nm_fninit_after_clts_no_nm");
}

static void software_interrupts(void)
{
    run_catch(do_int_41, &f);
    check_fault("int_n_vector_and_return_eip", &f, 0x41, NO_ERROR, int41_after);
    check_eq("int_n_same_ring_no_stack_switch", esp_before, f.handler_esp + 12);
    check_eq("int_n_frame_cs", KCODE, f.cs);

    lidt_limit(0x90 * 8 - 1);
    run_catch(do_int_90, &f);
    lidt_limit(sizeof idt - 1);
    check_fault("gp_int_beyond_idt_limit_idt_bit", &f, 13, 0x90 * 8 + 2, int90_at);

    struct desc saved = idt[0x42];
    idt[0x42].hi &= ~0x8000u;                          /* gate not present */
    run_catch(do_int_42, &f);
    check_fault("np_int_n_gate_not_present", &f, 11, 0x42 * 8 + 2, int42_at);
    idt[0x42] = saved;

    saved = idt[6];
    idt[6].hi &= ~0x8000u;                             /* #UD's gate not present */
    run_catch(do_ud2, &f);
    check_fault("np_exception_gate_not_present_ext_bit", &f, 11, 6 * 8 + 2 + 1, ud2_at);
    idt[6] = saved;

    saved = idt[13];
    struct desc saved11 = idt[11];
    idt[13].hi &= ~0x8000u;                            /* #GP, then #NP delivering it */
    idt[11].hi &= ~0x8000u;
    run_catch(do_load_ds_beyond, &f);
    check_eq("df_gp_then_np_is_double_fault", 8, (uint32_t)f.vector);
    check_eq("df_error_code_zero", 0, f.error);
    idt[13] = saved;
    idt[11] = saved11;
}

static void segment_faults(void)
{
    gdt_set(10, make_desc(0, 0xFFFFF, D_DATA_RW ^ D_NP, F_G | F_DB));    /* 0x50 */
    gdt_set(11, make_desc(0, 0xFFFFF, D_CODE_X, F_G | F_DB));            /* 0x58 */
    gdt_set(12, make_desc(0, 0xFFFFF, D_DATA_RO, F_G | F_DB));           /* 0x60 */
    gdt_set(13, make_desc(0x200000, 0xFFF, D_DATA_RW, F_DB));            /* 0x68 */

    run_catch(do_load_ds_beyond, &f);
    check_fault("gp_ds_selector_beyond_gdt_limit", &f, 13, 0x100, ds_beyond_at);
    run_catch(do_load_ds_np, &f);
    check_fault("np_ds_not_present", &f, 11, 0x50, ds_np_at);
    run_catch(do_load_ss_np, &f);
    check_fault("ss_ss_not_present", &f, 12, 0x50, ss_np_at);
    run_catch(do_load_ss_null, &f);
    check_fault("gp_ss_null", &f, 13, 0, ss_null_at);
    run_catch(do_load_ds_xonly, &f);
    check_fault("gp_ds_execute_only_code", &f, 13, 0x58, ds_xonly_at);
    run_catch(do_write_ro, &f);
    check_fault("gp_write_read_only_data", &f, 13, 0, write_ro_at);
    run_catch(do_read_limit, &f);
    check_fault("gp_dword_crossing_limit", &f, 13, 0, read_limit_at);
}

void guest_main(uint32_t magic, const uint8_t *mbi)
{
    (void)magic, (void)mbi;
    sys_init();
    arith_and_debug();
    fpu();
    alignment();
    software_interrupts();
    segment_faults();
}
