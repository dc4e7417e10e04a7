/* lm_syscall.c - SYSCALL/SYSRET in 64-bit mode (SDM Vol. 2 SYSCALL, SYSRET;
 * Vol. 3 sec. 5.8.8): #UD without EFER.SCE, the selectors from STAR, RIP from
 * LSTAR, RCX and R11 holding the return RIP and RFLAGS, SFMASK, RSP left
 * alone; SYSRETQ to 64-bit and SYSRETL to compatibility mode; the #GP cases
 * (CPL 3, a non-canonical RCX); canonical checks on the base-address MSRs;
 * RDFSBASE/WRFSBASE and CR4.FSGSBASE.
 */
#include "lib/sys64.h"

static struct fault64 f;
uint64_t sc_cs, sc_ss, sc_rcx, sc_r11, sc_rflags, sc_rsp, sc_runs, sc_mode32;
uint64_t msr_in, lo_in, hi_in;

ASM_FN(u_syscall, "mov $0x5555, %r11\n" LABEL(u_syscall_at) "syscall\n" LABEL(u_syscall_after)
       "mov %cs, %eax\n mov %ss, %ecx\n mov %rsp, %rbx\n pushfq\n pop %rdx\n int $0x80");
ASM_FN(syscall_entry, "mov %cs, %eax\n mov %rax, sc_cs(%rip)\n mov %ss, %eax\n mov %rax, sc_ss(%rip)\n"
       "mov %rcx, sc_rcx(%rip)\n mov %r11, sc_r11(%rip)\n mov %rsp, sc_rsp(%rip)\n"
       "pushfq\n pop %rax\n mov %rax, sc_rflags(%rip)\n incq sc_runs(%rip)\n"
       "cmpq $0, sc_mode32(%rip)\n jne 1f\n sysretq\n"
       "1: lea compat_code(%rip), %rcx\n sysretl\n"
       ".code32\n compat_code: mov %cs, %eax\n mov %ss, %ecx\n int $0x80\n .code64");
ASM_FN(u_sysret, LABEL(u_sysret_at) "sysretq");
ASM_FN(k_sysret_noncanonical, "movabs $0x0000800000000000, %rcx\n mov $2, %r11\n"
       LABEL(k_sysret_nc_at) "sysretq");
ASM_FN(k_wrmsr, "mov msr_in(%rip), %ecx\n mov lo_in(%rip), %eax\n mov hi_in(%rip), %edx\n"
       LABEL(k_wrmsr_at) "wrmsr\n ret");
ASM_FN(k_rdfsbase, LABEL(k_rdfsbase_at) "rdfsbase %rax\n ret");
ASM_FN(k_syscall_ud, LABEL(k_syscall_ud_at) "syscall\n ret");
extern char u_syscall_at[], u_syscall_after[], u_sysret_at[], k_sysret_nc_at[], k_wrmsr_at[],
    k_rdfsbase_at[], k_syscall_ud_at[];

#define EFER 0xC0000080
#define STAR 0xC0000081
#define LSTAR 0xC0000082
#define SFMASK 0xC0000084

static int wr(uint32_t msr, uint64_t v)
{
    msr_in = msr, lo_in = (uint32_t)v, hi_in = v >> 32;
    return run_catch64(k_wrmsr, &f);
}

static void syscall_sysret(void)
{
    wrmsr64(EFER, rdmsr64(EFER) & ~1ull);
    run_catch64(k_syscall_ud, &f);
    check_fault64("sc_syscall_without_sce_ud", &f, 6, NO_ERROR, k_syscall_ud_at);

    wrmsr64(EFER, rdmsr64(EFER) | 1);
    wrmsr64(STAR, (uint64_t)0x23 << 48 | (uint64_t)KCODE64 << 32);
    wrmsr64(LSTAR, (uint64_t)syscall_entry);
    wrmsr64(SFMASK, 0x200 | 0x400);                     /* IF, DF */
    check_eq64("sc_star_readback", (uint64_t)0x23 << 48 | (uint64_t)KCODE64 << 32, rdmsr64(STAR));
    check_eq64("sc_round_trip", (uint64_t)NO_FAULT, (uint64_t)(int64_t)run_user64(u_syscall, &f, 0x200));
    check_eq64("sc_entry_ran", 1, sc_runs);
    check_eq64("sc_cs_from_star", KCODE64, sc_cs & 0xFFFF);
    check_eq64("sc_ss_from_star_plus_8", KDATA64, sc_ss & 0xFFFF);
    check_eq64("sc_rcx_return_rip", (uint64_t)u_syscall_after, sc_rcx);
    check_eq64("sc_r11_is_user_rflags", 0x202, sc_r11);
    check_eq64("sc_sfmask_clears_if", 0, sc_rflags & 0x200);
    check_eq64("sc_rsp_unchanged", USTACK64_TOP, sc_rsp);
    check_eq64("sc_sysret_cs_star_plus_16", UCODE64, f.rax & 0xFFFF);
    check_eq64("sc_sysret_ss_star_plus_8", UDATA64, f.rcx & 0xFFFF);
    check_eq64("sc_sysret_rflags_from_r11", 0x200, f.rdx & 0x200);
    check_eq64("sc_sysret_rsp_kept", USTACK64_TOP, f.rbx);

    sc_mode32 = 1;
    check_eq64("sc_sysretl_to_compat", (uint64_t)NO_FAULT, (uint64_t)(int64_t)run_user64(u_syscall, &f, 0x200));
    check_eq64("sc_sysretl_cs_star", 0x23, f.rax & 0xFFFF);
    check_eq64("sc_sysretl_ss_star_plus_8", UDATA64, f.rcx & 0xFFFF);
    sc_mode32 = 0;

    run_user64(u_sysret, &f, 0);
    check_fault64("sc_sysret_at_cpl3_gp", &f, 13, 0, u_sysret_at);
    run_catch64(k_sysret_noncanonical, &f);
    check_fault64("sc_sysret_noncanonical_rcx_gp_cpl0", &f, 13, 0, k_sysret_nc_at);
    check_eq64("sc_sysret_noncanonical_stays_cpl0", KCODE64, f.cs);
}

static void base_msrs(void)
{
    /* Address MSRs are checked against the processor's widest linear
     * address (57 bits with la57), whatever the paging mode. */
    wr(LSTAR, 0x0100000000000000ull);
    check_fault64("msr_lstar_noncanonical_gp", &f, 13, 0, k_wrmsr_at);
    wr(0xC0000100, 0x0100000000000000ull);
    check_fault64("msr_fs_base_noncanonical_gp", &f, 13, 0, k_wrmsr_at);
    wr(0xC0000102, 0xFE00000000000000ull);
    check_fault64("msr_kernel_gs_base_noncanonical_gp", &f, 13, 0, k_wrmsr_at);
    check_eq64("msr_fs_base_canonical_high_ok", (uint64_t)NO_FAULT,
               (uint64_t)(int64_t)wr(0xC0000100, 0xFFFFFFFF80000000ull));
    check_eq64("msr_fs_base_readback", 0xFFFFFFFF80000000ull, rdmsr64(0xC0000100));
    wrmsr64(0xC0000100, 0);

    write_cr4_64(read_cr(4) & ~0x10000ull);
    run_catch64(k_rdfsbase, &f);
    check_fault64("fsgsbase_rdfsbase_cr4_clear_ud", &f, 6, NO_ERROR, k_rdfsbase_at);
    write_cr4_64(read_cr(4) | 0x10000);
    wrmsr64(0xC0000100, 0x12345000);
    uint64_t v = 0;
    __asm__ volatile("rdfsbase %0" : "=r"(v));
    check_eq64("fsgsbase_rdfsbase_reads_msr", 0x12345000, v);
    __asm__ volatile("wrfsbase %0" : : "r"((uint64_t)0x6789000));
    check_eq64("fsgsbase_wrfsbase_sets_msr", 0x6789000, rdmsr64(0xC0000100));
    wrmsr64(0xC0000100, 0);
    write_cr4_64(read_cr(4) & ~0x10000ull);
}

void guest_main(uint32_t magic, const uint8_t *mbi)
{
    (void)magic, (void)mbi;
    sys64_init();
    syscall_sysret();
    base_msrs();
}
