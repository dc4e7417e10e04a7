/* lm_sys.c - long mode (SDM Vol. 3 ch. 2.5, 5.3.1, 6.14, 9.8): the state the
 * entry leaves (EFER.LME/LMA, CR4.PAE, CS.L), canonical addresses (#GP, and
 * #SS for stack references), the 64-bit IDT frame (RSP and SS always pushed,
 * RSP aligned to 16), IST stacks, ring 3 by IRETQ and back through a DPL-3
 * gate with RSP0, and far transfers between 64-bit and compatibility code.
 */
#include "lib/sys64.h"

static struct fault64 f;
uint64_t rsp_before, scratch;
uint32_t compat_cs_seen;

ASM_FN(nc_read, "movabs $0x0000800000000000, %rax\n" LABEL(nc_read_at) "mov (%rax), %rbx\n ret");
ASM_FN(nc_write_high, "movabs $0xFFFF7FFFFFFFF000, %rax\n" LABEL(nc_write_at) "movq $1, (%rax)\n ret");
ASM_FN(canonical_high_ok, "movabs $0xFFFFFFFFFFFFFFF0, %rax\n lea (%rax), %rbx\n ret");
ASM_FN(nc_stack, "movabs $0x0000800000000000, %rax\n" LABEL(nc_stack_at) "mov (%rsp, %rax), %rbx\n ret");
ASM_FN(nc_jump, "movabs $0x0000800000000000, %rax\n" LABEL(nc_jump_at) "jmp *%rax");
ASM_FN(int41_frame, "mov %rsp, rsp_before(%rip)\n int $0x41\n" LABEL(int41_after) "ret");
ASM_FN(int41_frame_misaligned, "sub $8, %rsp\n mov %rsp, rsp_before(%rip)\n int $0x41\n add $8, %rsp\n ret");
ASM_FN(int42_ist, "int $0x42\n ret");
ASM_FN(u_done, "mov %rsp, %rbx\n mov %cs, %eax\n mov %ss, %ecx\n int $0x80");
ASM_FN(u_ud2, LABEL(u_ud2_at) "ud2");
/* 64-bit ring 3 -> compatibility code (CS 0x23) -> back to CS 0x33, as WoW64 does. */
ASM_FN(u_to_compat, "lea 1f(%rip), %rax\n mov %eax, compat_target(%rip)\n"
       "ljmp *compat_far(%rip)\n"
       /* IRETQ to ring 3 made DS null (its DPL was 0): harmless in 64-bit
        * mode, #GP(0) on use in compatibility mode (SDM Vol. 3 5.4.1), so
        * load the ring-3 data segment first, as a WoW64 thunk does. */
       ".code32\n 1: mov $0x2B, %ecx\n mov %ecx, %ds\n mov %cs, %eax\n"
       " mov %eax, compat_cs_seen\n ljmp $0x33, $2f\n .code64\n"
       "2: mov %cs, %ebx\n mov compat_cs_seen(%rip), %eax\n int $0x80\n"
       ".data\n compat_far: \n compat_target: .long 0\n .word 0x23\n .text");
ASM_FN(swapgs_test, "swapgs\n ret");
extern char nc_read_at[], nc_write_at[], nc_stack_at[], nc_jump_at[], int41_after[], u_ud2_at[];

static void state(void)
{
    uint64_t efer = rdmsr64(0xC0000080);
    check_eq64("lm_efer_lme", 0x100, efer & 0x100);
    check_eq64("lm_efer_lma", 0x400, efer & 0x400);
    check_eq64("lm_cr4_pae", 0x20, read_cr(4) & 0x20);
    check_eq64("lm_cr0_pg_pe", 0x80000001, read_cr(0) & 0x80000001);
    uint64_t ar;
    __asm__ volatile("lar %1, %0" : "=r"(ar) : "r"((uint64_t)KCODE64));
    check_eq64("lm_cs_l_bit", 0x00200000, ar & 0x00600000);
    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    check_eq64("lm_cs_selector", KCODE64, cs);
}

static void canonical(void)
{
    run_catch64(nc_read, &f);
    check_fault64("lm_noncanonical_read_gp0", &f, 13, 0, nc_read_at);
    run_catch64(nc_write_high, &f);
    check_fault64("lm_noncanonical_high_write_gp0", &f, 13, 0, nc_write_at);
    check_eq64("lm_canonical_high_lea_ok", (uint64_t)NO_FAULT, (uint64_t)(int64_t)run_catch64(canonical_high_ok, &f));
    run_catch64(nc_stack, &f);
    check_fault64("lm_noncanonical_stack_ref_ss0", &f, 12, 0, nc_stack_at);
    run_catch64(nc_jump, &f);
    check_eq64("lm_noncanonical_jump_gp_vector", 13, (uint64_t)f.vector);
    check_eq64("lm_noncanonical_jump_gp_at_jmp", (uint64_t)nc_jump_at, f.rip);
}

static void idt_frames(void)
{
    run_catch64(int41_frame, &f);
    check_fault64("lm_int_n_vector_and_rip", &f, 0x41, NO_ERROR, int41_after);
    check_eq64("lm_int_same_cpl_pushes_ss", KDATA64, f.ss);
    check_eq64("lm_int_same_cpl_pushes_rsp", rsp_before, f.rsp);
    check_eq64("lm_int_frame_base_aligned_16", 0, (f.frame_at + 40) & 0xF);
    run_catch64(int41_frame_misaligned, &f);
    check_eq64("lm_int_misaligned_rsp_aligned_16", 0, (f.frame_at + 40) & 0xF);
    check_eq64("lm_int_misaligned_pushes_old_rsp", rsp_before, f.rsp);

    idt64_gate(0x42, 0xE, 0, 1);
    run_catch64(int42_ist, &f);
    check_eq64("lm_ist1_stack_used", IST1_TOP - 40, f.frame_at);

    check_eq64("lm_ring3_iretq_and_int80", (uint64_t)NO_FAULT, (uint64_t)(int64_t)run_user64(u_done, &f, 0));
    check_eq64("lm_ring3_cs", UCODE64, f.rax & 0xFFFF);
    check_eq64("lm_ring3_ss", UDATA64, f.rcx & 0xFFFF);
    check_eq64("lm_ring3_pushed_cs", UCODE64, f.cs);
    check_eq64("lm_ring3_pushed_rsp", USTACK64_TOP, f.rsp);
    check_eq64("lm_ring3_rsp0_used", KSTACK64_TOP - 40, f.frame_at);
    run_user64(u_ud2, &f, 0);
    check_fault64("lm_ring3_ud", &f, 6, NO_ERROR, u_ud2_at);
    check_eq64("lm_ring3_ud_pushed_ss", UDATA64, f.ss);

    check_eq64("lm_compat_round_trip", (uint64_t)NO_FAULT, (uint64_t)(int64_t)run_user64(u_to_compat, &f, 0));
    check_eq64("lm_compat_cs_0x23", UCODE32, f.rax & 0xFFFF);
    check_eq64("lm_back_to_64bit_cs_0x33", UCODE64, f.rbx & 0xFFFF);
}

static void gs_base(void)
{
    wrmsr64(0xC0000101, 0x1111000);                /* GS_BASE */
    wrmsr64(0xC0000102, 0x2222000);                /* KERNEL_GS_BASE */
    run_catch64(swapgs_test, &f);
    check_eq64("lm_swapgs_gs_base", 0x2222000, rdmsr64(0xC0000101));
    check_eq64("lm_swapgs_kernel_gs_base", 0x1111000, rdmsr64(0xC0000102));
}

void guest_main(uint32_t magic, const uint8_t *mbi)
{
    (void)magic, (void)mbi;
    sys64_init();
    state();
    canonical();
    idt_frames();
    gs_base();
}
