/* lm_cr.c - control-register and EFER rules in IA-32e mode (SDM Vol. 2 MOV
 * to/from control registers, WRMSR; Vol. 3 sec. 2.5, 9.8.5, 10.8.6): #GP(0)
 * for reserved bits in CR0/CR3/CR4/CR8, for PG set with PE clear, NW set
 * with CD clear, clearing CR0.PG or CR4.PAE in 64-bit mode, changing
 * EFER.LME with paging on; #UD for CR1; CR8 mirroring the APIC's TPR.
 *
 * QEMU 7.2's TCG turns a rejected CR0/CR4 write into an SVM exit outside
 * SVM (it hangs or resets), so this image has no oracle: the expectations
 * are the SDM's.  The writes that would wreck the machine if accepted come
 * last.
 */
#include "lib/sys64.h"

static struct fault64 f;
uint64_t val_in;

ASM_FN(k_cr0, "mov val_in(%rip), %rax\n" LABEL(k_cr0_at) "mov %rax, %cr0\n ret");
ASM_FN(k_cr3, "mov val_in(%rip), %rax\n" LABEL(k_cr3_at) "mov %rax, %cr3\n ret");
ASM_FN(k_cr4, "mov val_in(%rip), %rax\n" LABEL(k_cr4_at) "mov %rax, %cr4\n ret");
ASM_FN(k_cr8, "mov val_in(%rip), %rax\n" LABEL(k_cr8_at) "mov %rax, %cr8\n ret");
ASM_FN(k_cr1, LABEL(k_cr1_at) ".byte 0x0F, 0x22, 0xC8\n ret");        /* mov %rax, %cr1 */
ASM_FN(k_efer, "mov $0xC0000080, %ecx\n mov val_in(%rip), %rax\n mov %rax, %rdx\n shr $32, %rdx\n"
       LABEL(k_efer_at) "wrmsr\n ret");
extern char k_cr0_at[], k_cr3_at[], k_cr4_at[], k_cr8_at[], k_cr1_at[], k_efer_at[];

static void gp(const char *name, void (*fn)(void), uint64_t v, const char *at)
{
    val_in = v;
    run_catch64(fn, &f);
    check_fault64(name, &f, 13, 0, at);
}

void guest_main(uint32_t magic, const uint8_t *mbi)
{
    (void)magic, (void)mbi;
    sys64_init();
    uint64_t cr0 = read_cr(0), cr3 = read_cr(3), cr4 = read_cr(4);
    uint64_t efer = rdmsr64(0xC0000080);

    gp("cr4_reserved_bit31_gp", k_cr4, cr4 | 1ull << 31, k_cr4_at);
    gp("cr4_reserved_bit32_gp", k_cr4, cr4 | 1ull << 32, k_cr4_at);
    check_eq64("cr4_unchanged_after_gp", cr4, read_cr(4));
    gp("cr0_reserved_bit32_gp", k_cr0, cr0 | 1ull << 32, k_cr0_at);
    gp("cr0_nw_without_cd_gp", k_cr0, (cr0 & ~(1ull << 30)) | 1ull << 29, k_cr0_at);
    gp("cr3_above_maxphyaddr_gp", k_cr3, cr3 | 1ull << 52, k_cr3_at);
    check_eq64("cr3_unchanged_after_gp", cr3, read_cr(3));

    val_in = 5;
    check_eq64("cr8_write_ok", (uint64_t)NO_FAULT, (uint64_t)(int64_t)run_catch64(k_cr8, &f));
    uint64_t cr8;
    __asm__ volatile("mov %%cr8, %0" : "=r"(cr8));
    check_eq64("cr8_reads_back", 5, cr8);
    check_eq64("cr8_is_apic_tpr_bits_7_4", 0x50, *(volatile uint32_t *)0xFEE00080ull & 0xF0);
    *(volatile uint32_t *)0xFEE00080ull = 0x30;
    __asm__ volatile("mov %%cr8, %0" : "=r"(cr8));
    check_eq64("cr8_follows_apic_tpr", 3, cr8);
    gp("cr8_reserved_bit4_gp", k_cr8, 0x10, k_cr8_at);
    val_in = 0;
    run_catch64(k_cr8, &f);

    run_catch64(k_cr1, &f);
    check_fault64("cr1_ud", &f, 6, NO_ERROR, k_cr1_at);

    gp("efer_clear_lme_with_paging_gp", k_efer, efer & ~0x100ull, k_efer_at);
    check_eq64("efer_lma_still_set", 0x400, rdmsr64(0xC0000080) & 0x400);
    gp("cr4_clear_pae_in_long_mode_gp", k_cr4, cr4 & ~0x20ull, k_cr4_at);
    gp("cr0_clear_pg_in_64bit_mode_gp", k_cr0, cr0 & ~0x80000000ull, k_cr0_at);
    gp("cr0_pg_without_pe_gp", k_cr0, cr0 & ~1ull, k_cr0_at);
    check_eq64("cr0_unchanged_after_gp", cr0, read_cr(0));
}
