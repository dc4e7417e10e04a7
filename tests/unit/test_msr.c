/* test_msr.c - RDMSR/WRMSR and the MSR table (cpu/msr.c): privilege, unknown
 * MSRs, reserved bits, canonical addresses, read-only MSRs, the TSC in
 * virtual time, EFER's rules, the segment bases, PAT and MTRR memory types,
 * vendor differences (SDM Vol. 2 RDMSR/WRMSR, Vol. 4 table 2-2). */
#include <criterion/criterion.h>
#include "harness.h"
#include "cpu/msr.h"

static struct th t;
static struct cpu *const cpu = &t.cpu;
static void teardown(void) { th_free(&t); }
TestSuite(msr, .fini = teardown);

static const uint8_t rdmsr[] = { 0x0F, 0x32 };
static const uint8_t wrmsr[] = { 0x0F, 0x30 };

/* Run one RDMSR of index; EXIT_BUDGET and *v, or the exception stop. */
static enum cpu_exit rd(uint32_t index, uint64_t *v)
{
    th_code(&t, rdmsr, sizeof rdmsr);
    cpu->gpr[RCX] = index;
    cpu->gpr[RAX] = cpu->gpr[RDX] = 0xDEADBEEF;
    enum cpu_exit e = th_run(&t, 1);
    *v = (cpu->gpr[RDX] & 0xFFFFFFFF) << 32 | (cpu->gpr[RAX] & 0xFFFFFFFF);
    return e;
}

static enum cpu_exit wr(uint32_t index, uint64_t v)
{
    th_code(&t, wrmsr, sizeof wrmsr);
    cpu->gpr[RCX] = index;
    cpu->gpr[RAX] = (uint32_t)v;
    cpu->gpr[RDX] = v >> 32;
    return th_run(&t, 1);
}

static void expect_gp(enum cpu_exit e, const char *what)
{
    cr_expect_eq(EXIT_EXCEPTION, e, "%s: should fault", what);
    cr_expect_eq(EXC_GP, cpu->exc_vector, "%s: vector %d", what, cpu->exc_vector);
    cr_expect_eq(0, cpu->exc_error, "%s", what);
}

/* The value through msr_read, which never faults. */
static uint64_t value(uint32_t index)
{
    uint64_t v = 0;
    cr_assert_eq(0, msr_read(cpu, index, &v), "MSR %#x should exist", index);
    return v;
}

static void wr_gp(uint32_t index, uint64_t v)
{
    uint64_t before = 0;
    int had = msr_read(cpu, index, &before);
    expect_gp(wr(index, v), "wrmsr");
    uint64_t after = 0;
    if (had == 0) {
        msr_read(cpu, index, &after);
        cr_expect_eq(before, after, "MSR %#x changed by a faulting WRMSR", index);
    }
}

static void wr_ok(uint32_t index, uint64_t v)
{
    cr_assert_eq(EXIT_BUDGET, wr(index, v), "wrmsr %#x <- %#llx faulted with vector %d", index,
                 (unsigned long long)v, cpu->exc_vector);
}

static void set_cpl3(void)
{
    cpu->seg[SEG_CS].sel |= 3;
    cpu->seg[SEG_SS].sel |= 3;
    cpu_update_mode(cpu);
    cr_assert_eq(3, cpu->cpl);
}

/* ---- privilege and unknown MSRs ---------------------------------------------------- */

Test(msr, rdmsr_at_cpl3_raises_gp0)
{
    uint64_t v;
    th_init(&t, DM_32);
    set_cpl3();
    expect_gp(rd(MSR_APIC_BASE, &v), "rdmsr at CPL 3");
    cr_expect_eq(0xDEADBEEF, cpu->gpr[RAX], "EAX untouched");
}

Test(msr, wrmsr_at_cpl3_raises_gp0_and_changes_nothing)
{
    th_init(&t, DM_64);
    set_cpl3();
    wr_gp(MSR_LSTAR, 0x1234);
    cr_expect_eq(0, cpu->msr.lstar);
}

Test(msr, rdmsr_in_virtual_8086_mode_raises_gp0)
{
    uint64_t v;
    th_init(&t, DM_32);
    cpu_set_flags(cpu, cpu_get_flags(cpu) | FL_VM);
    for (int s = 0; s < 6; s++) cpu->seg[s].base = 0;
    cpu_update_mode(cpu);
    cr_assert_eq(MODE_V86, cpu->mode);
    expect_gp(rd(MSR_TSC, &v), "rdmsr in V86");
}

Test(msr, real_mode_is_cpl0_and_reads_apic_base)
{
    uint64_t v;
    th_init(&t, DM_16);
    cr_assert_eq(EXIT_BUDGET, rd(MSR_APIC_BASE, &v));
    cr_expect_eq(0xFEE00900ull, v, "base FEE00000, enabled, BSP");
}

Test(msr, unknown_msrs_raise_gp0_on_read_and_write)
{
    static const uint32_t unknown[] = { 0x3A, 0x179, 0x12345, 0xC0000104u, 0xC0010000u,
                                        0x210, 0x40000000u };
    th_init(&t, DM_32);
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        uint64_t v;
        expect_gp(rd(unknown[i], &v), "rdmsr of an unknown MSR");
        expect_gp(wr(unknown[i], 0), "wrmsr of an unknown MSR");
        cr_expect_eq(-1, msr_read(cpu, unknown[i], &v));
    }
}

Test(msr, rdmsr_and_wrmsr_are_ud_on_a_cpu_without_msrs)
{
    th_init(&t, DM_32);
    cpu->features &= ~CPU_FEAT(FEAT_MSR);
    uint64_t v;
    th_code(&t, rdmsr, sizeof rdmsr);
    cpu->gpr[RCX] = MSR_TSC;
    cr_assert_eq(EXIT_EXCEPTION, th_run(&t, 1));
    cr_expect_eq(EXC_UD, cpu->exc_vector);
    (void)v;
}

Test(msr, ecx_upper_half_is_ignored_in_64bit_mode)
{
    uint64_t v;
    th_init(&t, DM_64);
    th_code(&t, rdmsr, sizeof rdmsr);
    cpu->gpr[RCX] = 0xFFFFFFFF00000000ull | MSR_APIC_BASE;
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 1));
    v = (cpu->gpr[RDX] << 32) | cpu->gpr[RAX];
    cr_expect_eq(0xFEE00900ull, v);
    cr_expect_eq(0, cpu->gpr[RAX] >> 32, "results zero-extend");
}

/* ---- TSC, TSC_AUX -------------------------------------------------------------------- */

Test(msr, tsc_write_continues_from_the_written_value_in_virtual_time)
{
    static const uint8_t code[] = { 0x0F, 0x30, 0x0F, 0x31 };   /* wrmsr; rdtsc */
    th_init(&t, DM_32);
    cpu->cycle_model = false;           /* one tick per instruction */
    th_code(&t, code, sizeof code);
    cpu->gpr[RCX] = MSR_TSC;
    cpu->gpr[RDX] = 0x12;
    cpu->gpr[RAX] = 0x34567000;
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 2));
    cr_expect_eq(0x12, cpu->gpr[RDX]);
    cr_expect_eq(0x34567001, cpu->gpr[RAX], "one retired instruction after the write");
    cr_expect_eq(0x1234567002ull, value(MSR_TSC), "and RDMSR agrees, one instruction on");
}

Test(msr, tsc_aux_is_what_rdtscp_returns_and_its_upper_half_is_reserved)
{
    static const uint8_t rdtscp[] = { 0x0F, 0x01, 0xF9 };
    th_init(&t, DM_32);
    wr_ok(MSR_TSC_AUX, 0xCAFE);
    wr_gp(MSR_TSC_AUX, 0x100000000ull);
    th_code(&t, rdtscp, sizeof rdtscp);
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 1));
    cr_expect_eq(0xCAFE, cpu->gpr[RCX]);
}

/* ---- IA32_APIC_BASE ------------------------------------------------------------------ */

static uint64_t hook_value;
static int hook_calls;
static void apic_hook(void *ctx, uint64_t v)
{
    (void)ctx;
    hook_value = v;
    hook_calls++;
}

Test(msr, apic_base_reserved_bits_and_x2apic_enable_raise_gp)
{
    th_init(&t, DM_32);
    wr_gp(MSR_APIC_BASE, 0xFEE00900ull | 1u << 10);            /* x2APIC: not supported */
    wr_gp(MSR_APIC_BASE, 0xFEE00900ull | 1u << 9);
    wr_gp(MSR_APIC_BASE, 0xFEE00900ull | 0x80);
    wr_gp(MSR_APIC_BASE, 0xFEE00900ull | 1ull << 36);          /* above MAXPHYADDR 36 */
}

Test(msr, apic_base_write_keeps_bsp_and_tells_the_board)
{
    th_init(&t, DM_32);
    hook_calls = 0;
    cpu->apic_base_write = apic_hook;
    wr_ok(MSR_APIC_BASE, 0xFED00000ull);        /* moved, disabled, BSP written as 0 */
    cr_expect_eq(1, hook_calls);
    cr_expect_eq(0xFED00100ull, hook_value);
    cr_expect_eq(0xFED00100ull, value(MSR_APIC_BASE), "BSP is read-only");
}

/* ---- EFER ------------------------------------------------------------------------------ */

Test(msr, efer_reserved_bits_raise_gp)
{
    th_init(&t, DM_32);
    wr_gp(MSR_EFER, 1u << 1);
    wr_gp(MSR_EFER, 1u << 12);                  /* SVME: not advertised */
    wr_gp(MSR_EFER, 1u << 14);                  /* FFXSR */
    wr_gp(MSR_EFER, 1ull << 32);
}

Test(msr, efer_sce_and_nxe_are_writable_and_read_back)
{
    th_init(&t, DM_32);
    wr_ok(MSR_EFER, EFER_SCE | EFER_NXE);
    cr_expect_eq(EFER_SCE | EFER_NXE, value(MSR_EFER));
}

Test(msr, efer_nxe_is_reserved_without_nx)
{
    th_init(&t, DM_32);
    cpu->features &= ~CPU_FEAT(FEAT_NX);
    wr_gp(MSR_EFER, EFER_NXE);
}

Test(msr, efer_lma_keeps_its_value_on_writes)
{
    th_init(&t, DM_64);
    wr_ok(MSR_EFER, EFER_LME | EFER_SCE);       /* LMA written as 0 */
    cr_expect_eq(EFER_LME | EFER_LMA | EFER_SCE, cpu->efer);
    cr_expect_eq(MODE_LONG, cpu->mode);
    th_free(&t);
    th_init(&t, DM_32);
    wr_ok(MSR_EFER, EFER_LMA);                  /* LMA written as 1 outside long mode */
    cr_expect_eq(0, cpu->efer);
}

Test(msr, efer_lme_cannot_change_while_paging_is_on)
{
    th_init(&t, DM_32);
    cpu->cr0 |= CR0_PG;
    cr_expect_eq(-1, msr_write(cpu, MSR_EFER, EFER_LME));
    cr_expect_eq(0, msr_write(cpu, MSR_EFER, EFER_SCE), "other bits may change");
    cr_expect_eq(EFER_SCE, cpu->efer);
    cpu->cr0 &= ~CR0_PG;
    cr_expect_eq(0, msr_write(cpu, MSR_EFER, EFER_LME | EFER_SCE));
}

/* ---- segment bases and addresses --------------------------------------------------------- */

Test(msr, fs_base_write_moves_fs_for_memory_accesses)
{
    static const uint8_t code[] = {
        0x0F, 0x30,                                 /* wrmsr */
        0x64, 0x48, 0x8B, 0x04, 0x25, 0x08, 0, 0, 0, /* mov rax, fs:[8] */
    };
    th_init(&t, DM_64);
    th_poke(&t, TH_DATA + 8, 8, 0x1122334455667788ull);
    th_code(&t, code, sizeof code);
    cpu->gpr[RCX] = MSR_FS_BASE;
    cpu->gpr[RAX] = TH_DATA;
    cpu->gpr[RDX] = 0;
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 2));
    cr_expect_eq(0x1122334455667788ull, cpu->gpr[RAX]);
    cr_expect_eq(TH_DATA, cpu->seg[SEG_FS].base);
}

Test(msr, address_msrs_raise_gp_on_non_canonical_values)
{
    static const uint32_t addr[] = { MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_LSTAR,
                                     MSR_CSTAR, MSR_SYSENTER_ESP, MSR_SYSENTER_EIP };
    th_init(&t, DM_64);
    for (size_t i = 0; i < sizeof addr / sizeof addr[0]; i++) {
        wr_gp(addr[i], 0x0100000000000000ull);     /* non-canonical in 57 bits too */
        wr_gp(addr[i], 0xFEFFFFFFFFFFFFFFull);
        wr_ok(addr[i], 0xFFFF800000000000ull);
        cr_expect_eq(0xFFFF800000000000ull, value(addr[i]), "MSR %#x", addr[i]);
    }
    cr_expect_eq(0xFFFF800000000000ull, cpu->seg[SEG_GS].base);
}

Test(msr, amd_sysenter_esp_and_eip_keep_32_bits)
{
    th_init_vendor(&t, DM_64, VENDOR_AMD);
    wr_ok(MSR_SYSENTER_EIP, 0x0000800012345678ull);
    cr_expect_eq(0x12345678, value(MSR_SYSENTER_EIP));
}

Test(msr, sfmask_upper_half_is_reserved_star_is_not)
{
    th_init(&t, DM_64);
    wr_gp(MSR_SFMASK, 1ull << 32);
    wr_ok(MSR_SFMASK, 0x47700);
    wr_ok(MSR_STAR, 0xFFFFFFFFFFFFFFFFull);
    cr_expect_eq(0x47700, value(MSR_SFMASK));
    cr_expect_eq(~0ull, value(MSR_STAR));
}

/* ---- PAT and MTRRs ------------------------------------------------------------------------ */

Test(msr, pat_resets_to_wb_wt_ucminus_uc_and_rejects_reserved_types)
{
    th_init(&t, DM_32);
    cr_expect_eq(0x0007040600070406ull, value(MSR_PAT));
    wr_gp(MSR_PAT, 0x0007040600070402ull);      /* type 2 */
    wr_gp(MSR_PAT, 0x0007040600070403ull);      /* type 3 */
    wr_gp(MSR_PAT, 0x0007040600070408ull);      /* reserved bit 3 */
    wr_ok(MSR_PAT, 0x0001050607040100ull);
    cr_expect_eq(0x0001050607040100ull, value(MSR_PAT));
}

Test(msr, mtrrcap_is_read_only_with_eight_ranges_fixed_and_wc)
{
    th_init(&t, DM_32);
    cr_expect_eq(0x508, value(MSR_MTRRCAP));
    wr_gp(MSR_MTRRCAP, 0x508);
}

Test(msr, variable_mtrrs_check_types_and_reserved_bits)
{
    th_init(&t, DM_32);
    wr_gp(MSR_MTRR_PHYSBASE0, 0x80000002ull);               /* type 2 */
    wr_gp(MSR_MTRR_PHYSBASE0, 0x80000106ull);               /* bit 8 */
    wr_gp(MSR_MTRR_PHYSBASE0 + 1, 0xF80000801ull);           /* mask bit 0 */
    wr_gp(MSR_MTRR_PHYSBASE0 + 14, 1ull << 36);             /* beyond MAXPHYADDR */
    wr_ok(MSR_MTRR_PHYSBASE0 + 14, 0x80000006ull);
    wr_ok(MSR_MTRR_PHYSBASE0 + 15, 0xF80000800ull);
    cr_expect_eq(0x80000006ull, value(MSR_MTRR_PHYSBASE0 + 14));
    cr_expect_eq(0xF80000800ull, value(MSR_MTRR_PHYSBASE0 + 15));
}

Test(msr, fixed_mtrrs_check_every_byte_and_def_type_its_bits)
{
    th_init(&t, DM_32);
    wr_gp(MSR_MTRR_FIX4K_C0000 + 7, 0x0606060606060607ull);
    wr_ok(MSR_MTRR_FIX4K_C0000 + 7, 0x0506040106060600ull);
    cr_expect_eq(0x0506040106060600ull, value(0x26F));
    wr_gp(MSR_MTRR_DEF_TYPE, 0xC06 | 1u << 9);
    wr_gp(MSR_MTRR_DEF_TYPE, 0xC03);
    wr_ok(MSR_MTRR_DEF_TYPE, 0xC06);
    cr_expect_eq(0xC06, value(MSR_MTRR_DEF_TYPE));
}

/* ---- vendor MSRs --------------------------------------------------------------------------- */

Test(msr, misc_enable_is_intel_only_and_only_fast_strings_may_change)
{
    th_init(&t, DM_32);
    cr_expect_eq(0x1801, value(MSR_MISC_ENABLE));
    wr_ok(MSR_MISC_ENABLE, 0x1800);
    cr_expect_eq(0x1800, value(MSR_MISC_ENABLE));
    wr_gp(MSR_MISC_ENABLE, 0x1800 | 1u << 22);
    th_free(&t);
    th_init_vendor(&t, DM_32, VENDOR_AMD);
    uint64_t v;
    expect_gp(rd(MSR_MISC_ENABLE, &v), "no MISC_ENABLE on AMD");
    expect_gp(rd(MSR_PLATFORM_ID, &v), "no PLATFORM_ID on AMD");
}

Test(msr, platform_id_is_read_only)
{
    th_init(&t, DM_32);
    value(MSR_PLATFORM_ID);
    wr_gp(MSR_PLATFORM_ID, 0);
}

Test(msr, the_table_names_every_msr_once)
{
    th_init(&t, DM_64);
    cr_assert_gt(msr_count(), 40);
    for (size_t i = 0; i < msr_count(); i++) {
        const struct msr_info *a = msr_info_at(i);
        cr_expect(a->name && a->name[0] == 'I');
        cr_expect(msr_present(cpu, a->index), "%s on the Intel profile", a->name);
        for (size_t j = i + 1; j < msr_count(); j++)
            cr_expect_neq(a->index, msr_info_at(j)->index, "%s twice", a->name);
    }
    cr_expect_null(msr_info_at(msr_count()));
}
