/* test_la57.c - 5-level paging (CR4.LA57): the PML5 level of the walk with
 * 4-KiB, 2-MiB and 1-GiB pages, its #PF error codes, reserved bits and A/D
 * flags; 57-bit canonical addresses for data, stack and branch targets,
 * and the processor-wide width for MSRs and INVLPG; the CR4.LA57 rules
 * (SDM Vol. 3 2.5, 4.5, 4.7, 4.8; Vol. 2 MOV CR4, CPUID 80000008H).
 */
#include <string.h>
#include <criterion/criterion.h>
#include "tests/unit/harness.h"
#include "tests/unit/pt.h"
#include "cpu/ops.h"
#include "cpu/msr.h"
#include "mmu/paging.h"

static struct th t;
static struct cpu *const cpu = &t.cpu;
static struct pt p;

static void teardown(void) { th_free(&t); }

TestSuite(la57, .fini = teardown);

/* Canonical in 57 bits (bit 56 clear, bit 48 set), not in 48. */
#define HIGH_LIN  0x00AB000000400000ull
#define WIDE_LIN  0x0000800000400000ull     /* canonical in 57 bits, not in 48 */
#define NC57      0x0100000000000000ull     /* non-canonical in 57 bits */
#define DATA_PHYS 0x30000ull

static const uint8_t load[] = { 0x8B, 0x03 };           /* mov eax, [rbx] */
static const uint8_t store[] = { 0x89, 0x03 };          /* mov [rbx], eax */

static void setup(enum pt_mode mode)
{
    th_init(&t, DM_64);
    pt_setup(&p, &t, mode);
}

static enum cpu_exit run(const uint8_t *code, size_t n, uint64_t rbx)
{
    th_code(&t, code, n);
    cpu->gpr[RBX] = rbx;
    return th_run(&t, 1);
}

static void expect_fault(enum cpu_exit e, int vector, uint32_t error)
{
    cr_assert_eq(EXIT_EXCEPTION, e, "should fault");
    cr_expect_eq(vector, cpu->exc_vector, "vector %d", cpu->exc_vector);
    cr_expect_eq(error, cpu->exc_error, "error %#x", cpu->exc_error);
    cr_expect_eq(TH_CODE, cpu->rip, "the fault reports the instruction");
}

static void expect_pf(enum cpu_exit e, uint64_t cr2, uint32_t error)
{
    expect_fault(e, EXC_PF, error);
    cr_expect_eq(cr2, cpu->cr2, "cr2 %#llx", (unsigned long long)cpu->cr2);
}

/* ---- the walk ------------------------------------------------------------- */

Test(la57, walk_uses_five_levels_from_cr3_with_bits_56_48_indexing_the_pml5)
{
    setup(PT_5L);
    pt_map(&p, HIGH_LIN, DATA_PHYS, PG_P | PG_RW | PG_US);
    struct walk_info w;
    cr_assert_eq(0, paging_walk_info(cpu, HIGH_LIN + 0x42, &w));
    cr_assert_eq(5, w.nlevels);
    cr_expect_eq(p.root + 0xAB * 8, w.lv[0].entry_addr, "PML5 index 0xAB");
    for (unsigned i = 0; i < 5; i++) {
        cr_expect_eq(5 - i, w.lv[i].level);
        cr_expect_eq(pt_entry(&p, HIGH_LIN, 5 - (int)i), w.lv[i].entry_addr);
    }
    cr_expect(w.lv[4].leaf);
    cr_expect_eq(DATA_PHYS + 0x42, w.phys);
}

Test(la57, a_4k_page_translates)
{
    setup(PT_5L);
    pt_map(&p, HIGH_LIN, DATA_PHYS, PG_P | PG_RW);
    th_poke(&t, DATA_PHYS + 0x123, 4, 0xCAFEF00D);
    cr_assert_eq(EXIT_BUDGET, run(load, sizeof load, HIGH_LIN + 0x123));
    cr_expect_eq(0xCAFEF00D, cpu->gpr[RAX]);
}

Test(la57, a_2m_page_translates)
{
    setup(PT_5L);
    pt_map_large(&p, HIGH_LIN, 0, PG_P | PG_RW, 2);       /* HIGH_LIN is 2-MiB aligned */
    th_poke(&t, 0x5008, 4, 0x2222);
    cr_assert_eq(EXIT_BUDGET, run(load, sizeof load, HIGH_LIN + 0x5008));
    cr_expect_eq(0x2222, cpu->gpr[RAX]);
}

Test(la57, a_1g_page_translates)
{
    setup(PT_5L);
    uint64_t lin = (HIGH_LIN & ~0x3FFFFFFFull) + 0x5010;
    pt_map_large(&p, lin, 0, PG_P | PG_RW, 3);
    th_poke(&t, 0x5010, 4, 0x1111);
    cr_assert_eq(EXIT_BUDGET, run(load, sizeof load, lin));
    cr_expect_eq(0x1111, cpu->gpr[RAX]);
    struct walk_info w;
    cr_assert_eq(0, paging_walk_info(cpu, lin, &w));
    cr_expect_eq(3, w.nlevels, "PML5E, PML4E, PDPTE");
    cr_expect_eq(1ull << 30, w.page_size);
}

Test(la57, tlb_keys_keep_the_bits_above_47)
{
    setup(PT_5L);
    uint64_t other = HIGH_LIN ^ (1ull << 52);       /* same bits 47:0 */
    pt_map(&p, HIGH_LIN, DATA_PHYS, PG_P);
    pt_map(&p, other, DATA_PHYS + 0x1000, PG_P);
    th_poke(&t, DATA_PHYS, 4, 0xAAAA);
    th_poke(&t, DATA_PHYS + 0x1000, 4, 0xBBBB);
    cr_assert_eq(EXIT_BUDGET, run(load, sizeof load, HIGH_LIN));
    cr_expect_eq(0xAAAA, cpu->gpr[RAX]);
    cr_assert_eq(EXIT_BUDGET, run(load, sizeof load, other));
    cr_expect_eq(0xBBBB, cpu->gpr[RAX], "a distinct TLB entry");
    const struct atlb_entry *e = tlb_lookup(cpu, other);
    cr_assert(e != NULL);
    cr_expect_eq(other, e->vpage);
}

Test(la57, not_present_pml5e_faults_with_W_and_cr2)
{
    setup(PT_5L);
    expect_pf(run(store, sizeof store, HIGH_LIN + 4), HIGH_LIN + 4, PF_W);
    struct walk_info w;
    cr_assert_eq(0, paging_walk_info(cpu, HIGH_LIN, &w));
    cr_expect_eq(1, w.nlevels, "the walk stops at the PML5E");
    cr_expect(!w.mapped);
}

Test(la57, ps_in_a_pml5e_is_a_reserved_bit_fault)
{
    setup(PT_5L);
    pt_map(&p, HIGH_LIN, DATA_PHYS, PG_P);
    pt_set(&p, HIGH_LIN, 5, pt_get(&p, HIGH_LIN, 5) | PG_PS);
    expect_pf(run(load, sizeof load, HIGH_LIN), HIGH_LIN, PF_P | PF_RSVD);
}

Test(la57, pml5e_address_bit_above_maxphyaddr_is_a_reserved_bit_fault)
{
    setup(PT_5L);
    pt_map(&p, HIGH_LIN, DATA_PHYS, PG_P);
    pt_set(&p, HIGH_LIN, 5, pt_get(&p, HIGH_LIN, 5) | 1ull << CPU_MAXPHYADDR);
    expect_pf(run(load, sizeof load, HIGH_LIN), HIGH_LIN, PF_P | PF_RSVD);
    cr_expect_eq(0, pt_get(&p, HIGH_LIN, 5) & PG_A, "a faulting walk sets no A flag");
}

Test(la57, supervisor_pml5e_denies_cpl3_with_P_U)
{
    setup(PT_5L);
    pt_map(&p, HIGH_LIN, DATA_PHYS, PG_P | PG_US);
    pt_set(&p, HIGH_LIN, 5, pt_get(&p, HIGH_LIN, 5) & ~PG_US);
    pt_cpl(&t, 3);
    expect_pf(run(load, sizeof load, HIGH_LIN), HIGH_LIN, PF_P | PF_U);
}

Test(la57, read_only_pml5e_denies_cpl0_writes_with_wp)
{
    setup(PT_5L);
    cpu->cr0 |= CR0_WP;
    cpu_update_mode(cpu);
    pt_map(&p, HIGH_LIN, DATA_PHYS, PG_P | PG_RW);
    pt_set(&p, HIGH_LIN, 5, pt_get(&p, HIGH_LIN, 5) & ~PG_RW);
    expect_pf(run(store, sizeof store, HIGH_LIN), HIGH_LIN, PF_P | PF_W);
}

Test(la57, write_sets_accessed_in_all_five_entries_and_dirty_in_the_pte)
{
    setup(PT_5L);
    pt_map(&p, HIGH_LIN, DATA_PHYS, PG_P | PG_RW);
    cr_assert_eq(EXIT_BUDGET, run(store, sizeof store, HIGH_LIN));
    for (int level = 5; level >= 1; level--)
        cr_expect_eq(PG_A, pt_get(&p, HIGH_LIN, level) & PG_A, "level %d", level);
    cr_expect_eq(PG_D, pt_get(&p, HIGH_LIN, 1) & PG_D);
    cr_expect_eq(0, pt_get(&p, HIGH_LIN, 5) & PG_D, "D only in the final entry");
}

Test(la57, not_present_pte_leaves_the_pml5e_unaccessed)
{
    setup(PT_5L);
    pt_set(&p, HIGH_LIN, 1, 0);
    expect_pf(run(load, sizeof load, HIGH_LIN), HIGH_LIN, 0);
    cr_expect_eq(0, pt_get(&p, HIGH_LIN, 5) & PG_A);
}

Test(la57, cr4_la57_outside_ia32e_mode_uses_four_levels)
{
    /* LA57 without IA-32e mode has no effect: PAE paging with PDPTEs. */
    th_init(&t, DM_32);
    pt_setup(&p, &t, PT_PAE);
    cpu->cr4 |= CR4_LA57;
    cpu_update_mode(cpu);
    struct walk_info w;
    cr_assert_eq(0, paging_walk_info(cpu, 0x1000, &w));
    cr_expect(w.lv[0].from_register);
    cr_expect_eq(16, cpu->la_shift);
}

/* ---- canonical addresses ---------------------------------------------------- */

Test(la57, data_access_canonical_in_57_bits_only_translates)
{
    setup(PT_5L);
    pt_map(&p, WIDE_LIN, DATA_PHYS, PG_P);
    th_poke(&t, DATA_PHYS, 4, 0x5757);
    cr_assert_eq(EXIT_BUDGET, run(load, sizeof load, WIDE_LIN));
    cr_expect_eq(0x5757, cpu->gpr[RAX]);
}

Test(la57, same_access_with_four_level_paging_is_GP0)
{
    setup(PT_4L);
    expect_fault(run(load, sizeof load, WIDE_LIN), EXC_GP, 0);
}

Test(la57, data_access_non_canonical_in_57_bits_is_GP0)
{
    setup(PT_5L);
    expect_fault(run(load, sizeof load, NC57), EXC_GP, 0);
    expect_fault(run(store, sizeof store, 0xFEFFFFFFFFFFF000ull), EXC_GP, 0);
}

Test(la57, access_whose_last_byte_is_non_canonical_is_GP0)
{
    setup(PT_5L);
    expect_fault(run(load, sizeof load, 0x00FFFFFFFFFFFFFEull), EXC_GP, 0);
}

Test(la57, stack_reference_non_canonical_in_57_bits_is_SS0)
{
    static const uint8_t code[] = { 0x8B, 0x04, 0x1C };    /* mov eax, [rsp+rbx] */
    setup(PT_5L);
    expect_fault(run(code, sizeof code, NC57), EXC_SS, 0);
}

Test(la57, jump_to_a_target_canonical_in_57_bits_faults_on_the_fetch)
{
    static const uint8_t code[] = { 0x48, 0x89, 0xD8, 0xFF, 0xE0 };  /* mov rax, rbx; jmp rax */
    setup(PT_5L);
    th_code(&t, code, sizeof code);
    cpu->gpr[RBX] = WIDE_LIN;
    cr_assert_eq(EXIT_EXCEPTION, th_run(&t, 3));
    cr_expect_eq(EXC_PF, cpu->exc_vector, "the jump itself is allowed");
    cr_expect_eq(WIDE_LIN, cpu->cr2);
    cr_expect_eq(WIDE_LIN, cpu->rip);
}

Test(la57, jump_to_a_target_non_canonical_in_57_bits_is_GP0_at_the_jump)
{
    static const uint8_t code[] = { 0xFF, 0xE0 };          /* jmp rax */
    setup(PT_5L);
    th_code(&t, code, sizeof code);
    cpu->gpr[RAX] = NC57;
    expect_fault(th_run(&t, 1), EXC_GP, 0);
}

/* MSRs holding linear addresses are checked against the widest width the
 * processor supports, whatever the paging mode in use. */
static enum cpu_exit wrmsr_fs_base(uint64_t v)
{
    static const uint8_t code[] = { 0x0F, 0x30 };          /* wrmsr */
    th_code(&t, code, sizeof code);
    cpu->gpr[RCX] = MSR_FS_BASE;
    cpu->gpr[RAX] = (uint32_t)v;
    cpu->gpr[RDX] = v >> 32;
    return th_run(&t, 1);
}

Test(la57, fs_base_takes_a_57_bit_address_under_four_level_paging)
{
    setup(PT_4L);
    cr_assert_eq(EXIT_BUDGET, wrmsr_fs_base(WIDE_LIN));
    cr_expect_eq(WIDE_LIN, cpu->seg[SEG_FS].base);
    expect_fault(wrmsr_fs_base(NC57), EXC_GP, 0);
}

Test(la57, fs_base_checks_48_bits_when_la57_is_not_advertised)
{
    setup(PT_4L);
    cpu->features &= ~CPU_FEAT(FEAT_LA57);
    expect_fault(wrmsr_fs_base(WIDE_LIN), EXC_GP, 0);
}

Test(la57, invlpg_of_a_57_bit_address_invalidates_under_four_level_paging)
{
    static const uint8_t code[] = { 0x0F, 0x01, 0x3B };    /* invlpg [rbx] */
    setup(PT_4L);
    cr_assert_eq(EXIT_BUDGET, run(code, sizeof code, WIDE_LIN));
    cr_expect_eq(1, cpu->atlb.stats.flushes[TLB_CAUSE_INVLPG]);
}

/* ---- CR4.LA57 ------------------------------------------------------------------ */

static const uint8_t mov_cr4_rax[] = { 0x0F, 0x22, 0xE0 };
static const uint8_t mov_cr0_rax[] = { 0x0F, 0x22, 0xC0 };

static enum cpu_exit mov_cr(const uint8_t *code, uint64_t v)
{
    th_code(&t, code, 3);
    cpu->gpr[RAX] = v;
    return th_run(&t, 1);
}

Test(la57, setting_la57_in_ia32e_mode_is_GP0)
{
    setup(PT_4L);
    uint64_t cr4 = cpu->cr4;
    expect_fault(mov_cr(mov_cr4_rax, cr4 | CR4_LA57), EXC_GP, 0);
    cr_expect_eq(cr4, cpu->cr4);
}

Test(la57, clearing_la57_in_ia32e_mode_is_GP0)
{
    setup(PT_5L);
    expect_fault(mov_cr(mov_cr4_rax, cpu->cr4 & ~(uint64_t)CR4_LA57), EXC_GP, 0);
    cr_expect(cpu->cr4 & CR4_LA57);
}

Test(la57, rewriting_cr4_with_la57_unchanged_in_ia32e_mode_is_allowed)
{
    setup(PT_5L);
    cr_assert_eq(EXIT_BUDGET, mov_cr(mov_cr4_rax, cpu->cr4 | CR4_PGE));
    cr_expect(cpu->cr4 & CR4_LA57);
}

Test(la57, la57_not_advertised_is_GP0)
{
    th_init(&t, DM_32);
    cpu->features &= ~CPU_FEAT(FEAT_LA57);
    expect_fault(mov_cr(mov_cr4_rax, CR4_PAE | CR4_LA57), EXC_GP, 0);
    cr_expect_eq(0, cpu->cr4);
}

Test(la57, la57_set_before_long_mode_takes_effect_when_paging_activates_it)
{
    th_init(&t, DM_32);
    /* Build 5-level tables, then leave paging and IA-32e mode off. */
    pt_setup(&p, &t, PT_5L);
    cpu->cr4 = 0;
    cpu->cr0 &= ~(uint64_t)CR0_PG;
    cpu_update_mode(cpu);
    cr_assert_eq(EXIT_BUDGET, mov_cr(mov_cr4_rax, CR4_PAE | CR4_LA57));
    cr_expect_eq(16, cpu->la_shift, "not active outside IA-32e mode");
    cpu->efer |= EFER_LME;
    cr_assert_eq(EXIT_BUDGET, mov_cr(mov_cr0_rax, cpu->cr0 | CR0_PG));
    cr_expect(cpu->efer & EFER_LMA);
    cr_expect_eq(7, cpu->la_shift, "57-bit linear addresses");
    pt_map(&p, HIGH_LIN, DATA_PHYS, PG_P);
    struct walk_info w;
    cr_assert_eq(0, paging_walk_info(cpu, HIGH_LIN, &w));
    cr_expect_eq(5, w.nlevels);
    cr_expect(w.mapped);
}

/* ---- CPUID ------------------------------------------------------------------------ */

static uint32_t linear_bits(void)
{
    static const uint8_t code[] = { 0x0F, 0xA2 };          /* cpuid */
    th_code(&t, code, sizeof code);
    cpu->gpr[RAX] = 0x80000008u;
    cpu->gpr[RCX] = 0;
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 1));
    return (uint32_t)(cpu->gpr[RAX] >> 8) & 0xFF;
}

Test(la57, cpuid_reports_57_linear_address_bits_whatever_cr4_says)
{
    setup(PT_4L);
    cr_expect_eq(57, linear_bits());
}

Test(la57, cpuid_reports_48_linear_address_bits_without_la57)
{
    setup(PT_4L);
    cpu->features &= ~CPU_FEAT(FEAT_LA57);
    cr_expect_eq(48, linear_bits());
}

Test(la57, cpuid_leaf7_ecx_bit16_follows_the_feature)
{
    static const uint8_t code[] = { 0x0F, 0xA2 };
    setup(PT_4L);
    th_code(&t, code, sizeof code);
    cpu->gpr[RAX] = 7;
    cpu->gpr[RCX] = 0;
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 1));
    cr_expect_eq(1, (cpu->gpr[RCX] >> 16) & 1);
}
