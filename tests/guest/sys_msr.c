/* sys_msr.c - RDMSR/WRMSR (SDM Vol. 4 and Vol. 2 RDMSR/WRMSR: #GP(0) for an
 * MSR that is not implemented, reserved bits, and CPL > 0), the TSC and
 * CR4.TSD, and the SYSENTER/SYSEXIT round trip from ring 3 (Vol. 2 SYSENTER,
 * SYSEXIT: the flat selectors derived from IA32_SYSENTER_CS).
 */
#include "lib/sys.h"

static struct fault f;
uint32_t msr_in, lo_in, hi_in, lo_out, hi_out;
uint32_t se_cs, se_ss, se_esp, se_eflags, se_runs;

ASM_FN(k_rdmsr, "mov msr_in, %ecx\n" LABEL(k_rdmsr_at) "rdmsr\n mov %eax, lo_out\n mov %edx, hi_out\n ret");
ASM_FN(k_wrmsr, "mov msr_in, %ecx\n mov lo_in, %eax\n mov hi_in, %edx\n" LABEL(k_wrmsr_at) "wrmsr\n ret");
ASM_FN(u_rdmsr, "mov $0x10, %ecx\n" LABEL(u_rdmsr_at) "rdmsr\n int $0x80");
ASM_FN(u_wrmsr, "mov $0x174, %ecx\n xor %eax, %eax\n xor %edx, %edx\n" LABEL(u_wrmsr_at) "wrmsr\n int $0x80");
ASM_FN(u_rdtsc, LABEL(u_rdtsc_at) "rdtsc\n int $0x80");
ASM_FN(u_sysenter, "mov $1f, %edx\n mov %esp, %ecx\n sub $16, %ecx\n" LABEL(u_sysenter_at)
       "sysenter\n 1: mov %esp, %ebx\n mov %cs, %eax\n mov %ss, %esi\n int $0x80");
ASM_FN(sysenter_entry, "mov %cs, se_cs\n mov %ss, se_ss\n mov %esp, se_esp\n pushf\n pop se_eflags\n"
       "incl se_runs\n sysexit");
ASM_FN(u_sysexit, LABEL(u_sysexit_at) "sysexit");
ASM_FN(k_sysexit, LABEL(k_sysexit_at) "sysexit");
extern char k_rdmsr_at[], k_wrmsr_at[], u_rdmsr_at[], u_wrmsr_at[], u_rdtsc_at[], u_sysenter_at[],
    u_sysexit_at[], k_sysexit_at[];

static int rd(uint32_t msr)
{
    msr_in = msr;
    return run_catch(k_rdmsr, &f);
}

static int wr(uint32_t msr, uint64_t v)
{
    msr_in = msr, lo_in = (uint32_t)v, hi_in = (uint32_t)(v >> 32);
    return run_catch(k_wrmsr, &f);
}

static void msrs(void)
{
    rd(0x12345);
    check_fault("msr_rdmsr_unknown_gp", &f, 13, 0, k_rdmsr_at);
    wr(0x12345, 0);
    check_fault("msr_wrmsr_unknown_gp", &f, 13, 0, k_wrmsr_at);
    rd(0xC0000123);
    check_fault("msr_rdmsr_unknown_high_range_gp", &f, 13, 0, k_rdmsr_at);

    check_eq("msr_efer_readable", (uint32_t)NO_FAULT, (uint32_t)rd(0xC0000080));
    uint32_t efer = lo_out;
    wr(0xC0000080, efer | 0x2);
    check_fault("msr_efer_reserved_bit1_gp", &f, 13, 0, k_wrmsr_at);
    wr(0xC0000080, (uint64_t)efer | 1ull << 32);
    check_fault("msr_efer_reserved_bit32_gp", &f, 13, 0, k_wrmsr_at);
    rd(0xC0000080);
    check_eq("msr_efer_unchanged_after_gp", efer, lo_out);

    check_eq("msr_sysenter_cs_write", (uint32_t)NO_FAULT, (uint32_t)wr(0x174, 0x1234));
    rd(0x174);
    check_eq("msr_sysenter_cs_readback", 0x1234, lo_out);
    wr(0x176, 0x89ABCDEF);
    rd(0x176);
    check_eq("msr_sysenter_eip_readback", 0x89ABCDEF, lo_out);

    rd(0x1B);
    uint64_t base = (uint64_t)hi_out << 32 | lo_out;
    wr(0x1B, base | 0x1);
    check_fault("msr_apic_base_reserved_bit0_gp", &f, 13, 0, k_wrmsr_at);

    check_eq("msr_pat_readable", (uint32_t)NO_FAULT, (uint32_t)rd(0x277));
    check_eq("msr_pat_reset_value_lo", 0x00070406, lo_out);
    check_eq("msr_pat_reset_value_hi", 0x00070406, hi_out);
    wr(0x277, 0x0007040600070402ull);          /* type 2 is reserved */
    check_fault("msr_pat_reserved_type_gp", &f, 13, 0, k_wrmsr_at);

    rd(0x10);
    uint32_t t0 = lo_out, h0 = hi_out;
    spin(100);
    rd(0x10);
    check(hi_out > h0 || (hi_out == h0 && lo_out > t0), "msr_tsc_advances");
    wr(0x10, 0x100000000ull);
    rd(0x10);
    check_eq("msr_tsc_write_sets_high_half", 1, hi_out);

    run_user(u_rdmsr, &f);
    check_fault("msr_rdmsr_cpl3_gp", &f, 13, 0, u_rdmsr_at);
    run_user(u_wrmsr, &f);
    check_fault("msr_wrmsr_cpl3_gp", &f, 13, 0, u_wrmsr_at);
    check_eq("msr_rdtsc_cpl3_tsd0_ok", (uint32_t)NO_FAULT, (uint32_t)run_user(u_rdtsc, &f));
    write_cr4(read_cr4() | 0x4);
    run_user(u_rdtsc, &f);
    check_fault("msr_rdtsc_cpl3_tsd1_gp", &f, 13, 0, u_rdtsc_at);
    write_cr4(read_cr4() & ~0x4u);
}

static void sysenter(void)
{
    uint32_t kesp = KERNEL_STACK_TOP - 256;
    wr(0x174, KCODE);
    wr(0x175, kesp);
    wr(0x176, (uint32_t)sysenter_entry);
    check_eq("sysenter_round_trip", (uint32_t)NO_FAULT,
             (uint32_t)run_user_ex(u_sysenter, &f, EFLAGS_IF, UDATA));
    check_eq("sysenter_ran_entry", 1, se_runs);
    check_eq("sysenter_cs_from_msr", KCODE, se_cs & 0xFFFF);
    check_eq("sysenter_ss_is_cs_plus_8", KDATA, se_ss & 0xFFFF);
    check_eq("sysenter_esp_from_msr", kesp, se_esp);
    check_eq("sysenter_clears_if", 0, se_eflags & EFLAGS_IF);
    check_eq("sysexit_cs_is_cs_plus_16_rpl3", UCODE, f.eax & 0xFFFF);
    check_eq("sysexit_ss_is_cs_plus_24_rpl3", UDATA, f.esi & 0xFFFF);
    check_eq("sysexit_esp_from_ecx", USER_STACK_TOP - 16, f.ebx);
    check_eq("sysexit_back_at_cpl3", UCODE, f.cs);

    run_user(u_sysexit, &f);
    check_fault("sysexit_at_cpl3_gp", &f, 13, 0, u_sysexit_at);
    wr(0x174, 0);
    run_user(u_sysenter, &f);
    check_fault("sysenter_null_cs_msr_gp", &f, 13, 0, u_sysenter_at);
    run_catch(k_sysexit, &f);
    check_fault("sysexit_null_cs_msr_gp", &f, 13, 0, k_sysexit_at);
}

void guest_main(uint32_t magic, const uint8_t *mbi)
{
    (void)magic, (void)mbi;
    sys_init();
    msrs();
    sysenter();
}
