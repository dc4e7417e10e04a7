/* sys_gate16.c - the 16-bit system structures (SDM Vol. 3 6.12.1, 5.8.5,
 * 7.6): 16-bit interrupt and trap gates (types 6/7) with their word frame
 * and error code, from ring 0 and from ring 3 (SS:SP as words on the TSS
 * stack), IRET with a 16-bit operand (66 CF) back; a 16-bit call gate
 * (type 4) copying its parameters as words, RETF imm16 with a 16-bit
 * operand back; a 16-bit TSS (type 1): JMP to it, its word fields, its
 * state saved on the way out (ES CS SS DS only, the LDT field untouched),
 * and an interrupt from ring 3 in the 16-bit task taking SS0:SP0 from it.
 *
 * A 16-bit IP holds only offsets below 64 KiB, so the code under test is
 * copied to LOW (flat KCODE/UCODE segments) and runs on stacks below 64 KiB.
 */
#include "lib/sys.h"

static struct fault f;

#define LOW      0x7000u         /* the blob */
#define STACK3   0x6000u         /* ring-3 stack */
#define STACK16  0x5000u         /* the 16-bit task's stack */
#define SP0_16   0x4800u         /* its ring-0 stack (SP0 in the 16-bit TSS) */
#define G16_SEL  SEL(10, 0)      /* a 16-bit call gate, DPL 3 (slot 10) */
#define TSS16_SEL SEL(11, 0)     /* the 16-bit TSS */

struct tss16 {
    uint16_t link, sp0, ss0, sp1, ss1, sp2, ss2, ip, flags;
    uint16_t ax, cx, dx, bx, sp, bp, si, di, es, cs, ss, ds, ldt;
    uint16_t beyond;                 /* not part of the TSS (limit 2Bh) */
} __attribute__((packed));
static struct tss16 tss16 __attribute__((aligned(16)));

/* What the code under test saw. */
uint32_t g_pre, g_post, g_esp, g_w[6], g_flags, g_esp_after, g_cs_after, g_tr, g_ax, g_fs, g_ss;

/* The blob: offsets below; LOW + offset is where it runs. */
__asm__(".data\n.globl g16_blob, g16_end\n g16_blob:\n"
        /* CPL 0: INT 47h through a 16-bit gate and back (IRET o16). */
        "g16_int: mov %esp, g_pre\n int $0x47\n"
        "g16_int_ret: mov %esp, g_post\n ret\n"
        /* the handler: records the word frame and IF, returns by IRETW */
        "g16_h: mov %esp, g_esp\n movzwl (%esp), %eax\n mov %eax, g_w\n"
        " movzwl 2(%esp), %eax\n mov %eax, g_w+4\n movzwl 4(%esp), %eax\n mov %eax, g_w+8\n"
        " pushf\n pop g_flags\n iretw\n"
        /* CPL 0: #GP(100h) through a 16-bit gate: the error code is a word */
        "g16_gp: mov $0x100, %eax\n mov %esp, g_pre\n"
        "g16_gp_at: mov %ax, %ds\n ret\n"
        "g16_hgp: mov %esp, g_esp\n movzwl (%esp), %eax\n mov %eax, g_w\n"
        " movzwl 2(%esp), %eax\n mov %eax, g_w+4\n movzwl 4(%esp), %eax\n mov %eax, g_w+8\n"
        " add $2, %esp\n addw $2, (%esp)\n iretw\n"
        /* CPL 3: INT 48h through a 16-bit DPL-3 gate to ring 0 and back */
        "g16_r3: mov $0x6000, %esp\n int $0x48\n"
        "g16_r3_ret: mov %esp, g_esp_after\n mov %cs, %eax\n mov %eax, g_cs_after\n int $0x80\n"
        "g16_h5: mov %esp, g_esp\n"
        " movzwl (%esp), %eax\n mov %eax, g_w\n movzwl 2(%esp), %eax\n mov %eax, g_w+4\n"
        " movzwl 4(%esp), %eax\n mov %eax, g_w+8\n movzwl 6(%esp), %eax\n mov %eax, g_w+12\n"
        " movzwl 8(%esp), %eax\n mov %eax, g_w+16\n iretw\n"
        /* CPL 3: two words through a 16-bit call gate, RETF 4 (o16) back */
        "g16_call: mov $0x6000, %esp\n pushw $0x1111\n pushw $0x2222\n lcall $0x53, $0\n"
        "g16_call_ret: mov %esp, g_esp_after\n mov %cs, %eax\n mov %eax, g_cs_after\n int $0x80\n"
        "g16_hcall: mov %esp, g_esp\n"
        " movzwl (%esp), %eax\n mov %eax, g_w\n movzwl 2(%esp), %eax\n mov %eax, g_w+4\n"
        " movzwl 4(%esp), %eax\n mov %eax, g_w+8\n movzwl 6(%esp), %eax\n mov %eax, g_w+12\n"
        " movzwl 8(%esp), %eax\n mov %eax, g_w+16\n movzwl 10(%esp), %eax\n mov %eax, g_w+20\n"
        " lretw $4\n"
        /* the 16-bit task: records AX, TR and FS, loads FS, then either
         * returns to the main task or drops to ring 3 by IRETW (ECX != 0) */
        "g16_task: mov $0x5000, %esp\n mov %eax, g_ax\n str %eax\n mov %eax, g_tr\n mov %fs, %eax\n mov %eax, g_fs\n"
        " mov $0x10, %eax\n mov %eax, %fs\n test %cx, %cx\n jnz 1f\n ljmp $0x38, $0\n"
        "g16_task_back:\n"
        "1: pushw $0x23\n pushw $0x6000\n pushw $0x0002\n pushw $0x1B\n"
        " pushw $(0x7000 + g16_task_r3 - g16_blob)\n iretw\n"
        "g16_task_r3: int $0x49\n"
        "g16_h49: mov $0x10, %ecx\n mov %ecx, %ds\n mov %esp, g_esp\n mov %ss, %eax\n mov %eax, g_ss\n ljmp $0x38, $0\n"
        "g16_end:\n"
        ".globl g16_int_off, g16_int_ret_off, g16_h_off, g16_gp_off, g16_gp_at_off, g16_hgp_off\n"
        ".globl g16_r3_off, g16_h5_off, g16_call_off, g16_hcall_off, g16_task_off, g16_h49_off\n"
        ".set g16_int_off, g16_int - g16_blob\n .set g16_int_ret_off, g16_int_ret - g16_blob\n"
        ".set g16_h_off, g16_h - g16_blob\n .set g16_gp_off, g16_gp - g16_blob\n"
        ".set g16_gp_at_off, g16_gp_at - g16_blob\n .set g16_hgp_off, g16_hgp - g16_blob\n"
        ".set g16_r3_off, g16_r3 - g16_blob\n .set g16_h5_off, g16_h5 - g16_blob\n"
        ".set g16_call_off, g16_call - g16_blob\n .set g16_hcall_off, g16_hcall - g16_blob\n"
        ".set g16_task_off, g16_task - g16_blob\n .set g16_h49_off, g16_h49 - g16_blob\n"
        ".globl g16_r3_ret_off, g16_call_ret_off, g16_task_back_off\n"
        ".set g16_r3_ret_off, g16_r3_ret - g16_blob\n .set g16_call_ret_off, g16_call_ret - g16_blob\n"
        ".set g16_task_back_off, g16_task_back - g16_blob\n"
        ".text");
extern const uint8_t g16_blob[], g16_end[];
extern const char g16_int_off[], g16_int_ret_off[], g16_h_off[], g16_gp_off[], g16_gp_at_off[],
    g16_hgp_off[], g16_r3_off[], g16_h5_off[], g16_call_off[], g16_hcall_off[], g16_task_off[],
    g16_h49_off[], g16_r3_ret_off[], g16_call_ret_off[], g16_task_back_off[];
#define AT(sym) (LOW + (uint32_t)(sym))

static void call_low(uint32_t at)
{
    __asm__ volatile("call *%0" : : "r"(at) : "eax", "ecx", "edx", "memory");
}

static void gates_ring0(void)
{
    idt_set(0x47, make_gate(KCODE, AT(g16_h_off), G_INT16, 0, 0));
    sti();
    call_low(AT(g16_int_off));
    cli();
    check_eq("g16_int_frame_is_three_words", g_pre - 6, g_esp);
    check_eq("g16_int_pushes_ip_word", AT(g16_int_ret_off), g_w[0]);
    check_eq("g16_int_pushes_cs_word", KCODE, g_w[1]);
    check_eq("g16_int_pushes_flags_word_with_if", EFLAGS_IF | 2, g_w[2] & (EFLAGS_IF | 2));
    check_eq("g16_interrupt_gate_clears_if", 0, g_flags & EFLAGS_IF);

    idt_set(0x47, make_gate(KCODE, AT(g16_h_off), 0x7, 0, 0));
    sti();
    call_low(AT(g16_int_off));
    cli();
    check_eq("g16_trap_gate_keeps_if", EFLAGS_IF, g_flags & EFLAGS_IF);
    check_eq("g16_iretw_restores_esp", g_pre, g_post);

    struct desc s13 = idt[13];
    idt_set(13, make_gate(KCODE, AT(g16_hgp_off), G_INT16, 0, 0));
    call_low(AT(g16_gp_off));
    idt[13] = s13;
    check_eq("g16_gp_frame_is_four_words", g_pre - 8, g_esp);
    check_eq("g16_gp_error_code_word", 0x100, g_w[0]);
    check_eq("g16_gp_ip_of_the_fault", AT(g16_gp_at_off), g_w[1]);
    check_eq("g16_gp_cs_word", KCODE, g_w[2]);
}

static void gates_ring3(void)
{
    idt_set(0x48, make_gate(KCODE, AT(g16_h5_off), G_INT16, 3, 0));
    int v = run_user((void (*)(void))AT(g16_r3_off), &f);
    check_eq("g16_ring3_int_round_trip", (uint32_t)NO_FAULT, (uint32_t)v);
    check_eq("g16_ring3_frame_on_esp0_five_words", KERNEL_STACK_TOP - 10, g_esp);
    check_eq("g16_ring3_ip_word", AT(g16_r3_ret_off), g_w[0]);
    check_eq("g16_ring3_cs_word", UCODE, g_w[1]);
    check_eq("g16_ring3_sp_word", STACK3, g_w[3]);
    check_eq("g16_ring3_ss_word", UDATA, g_w[4]);
    check_eq("g16_iretw_to_ring3_esp", STACK3, g_esp_after);
    check_eq("g16_iretw_to_ring3_cs", UCODE, g_cs_after & 0xFFFF);

    gdt_set(SLOT(G16_SEL), make_gate(KCODE, AT(g16_hcall_off), 0x4, 3, 2));
    v = run_user((void (*)(void))AT(g16_call_off), &f);
    check_eq("g16_call_gate_round_trip", (uint32_t)NO_FAULT, (uint32_t)v);
    check_eq("g16_call_gate_frame_six_words", KERNEL_STACK_TOP - 12, g_esp);
    check_eq("g16_call_gate_ip_word", AT(g16_call_ret_off), g_w[0]);
    check_eq("g16_call_gate_cs_word", UCODE, g_w[1]);
    check_eq("g16_call_gate_param_last_pushed", 0x2222, g_w[2]);
    check_eq("g16_call_gate_param_first_pushed", 0x1111, g_w[3]);
    check_eq("g16_call_gate_sp_word", STACK3 - 4, g_w[4]);
    check_eq("g16_call_gate_ss_word", UDATA, g_w[5]);
    check_eq("g16_retfw_imm_pops_parameters", STACK3, g_esp_after);
    check_eq("g16_retfw_to_ring3_cs", UCODE, g_cs_after & 0xFFFF);
}

static void tss16_fill(uint16_t cx)
{
    tss16 = (struct tss16){ 0 };
    tss16.sp0 = SP0_16;
    tss16.ss0 = KDATA;
    tss16.ip = (uint16_t)AT(g16_task_off);
    tss16.flags = 2;
    tss16.ax = 0xA16A;
    tss16.cx = cx;
    tss16.sp = STACK16;
    tss16.es = tss16.ss = tss16.ds = KDATA;
    tss16.cs = KCODE;
    tss16.beyond = 0xEEEE;
    gdt_set(SLOT(TSS16_SEL), make_desc((uint32_t)&tss16, 0x2B, 0x81, 0));
}

ASM_FN(jmp_tss16, "ljmp $0x58, $0\n ret");

static void task16(void)
{
    tss16_fill(0);
    jmp_tss16();
    __asm__ volatile("clts");
    check_eq("g16_task_tr", TSS16_SEL, g_tr & 0xFFFF);
    check_eq("g16_task_ax_from_word_field", 0xA16A, g_ax & 0xFFFF);
    check_eq("g16_task_fs_null_on_entry", 0, g_fs & 0xFFFF);
    check_eq("g16_task_saved_ip_word", AT(g16_task_back_off), tss16.ip);
    check_eq("g16_task_saved_ds", KDATA, tss16.ds);
    check_eq("g16_task_ldt_field_not_overwritten", 0, tss16.ldt);
    check_eq("g16_task_nothing_written_beyond_2bh", 0xEEEE, tss16.beyond);
    check_eq("g16_task_left_available", 0x81, (gdt[SLOT(TSS16_SEL)].hi >> 8) & 0xFF);

    idt_set(0x49, make_gate(KCODE, AT(g16_h49_off), G_INT, 3, 0));
    tss16_fill(1);
    jmp_tss16();
    __asm__ volatile("clts");
    check_eq("g16_task_ring3_int_uses_sp0", SP0_16 - 20, g_esp);
    check_eq("g16_task_ring3_int_uses_ss0", KDATA, g_ss & 0xFFFF);
}

void guest_main(uint32_t magic, const uint8_t *mbi)
{
    (void)magic, (void)mbi;
    sys_init();
    uint8_t *dst = (uint8_t *)LOW;
    for (const uint8_t *p = g16_blob; p < g16_end; p++) *dst++ = *p;
    idt_default(0x80, 3);
    gates_ring0();
    gates_ring3();
    task16();
}
