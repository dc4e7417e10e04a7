/* test_paging.c - the page walker (mmu/paging.c): each paging mode with 4-KiB
 * and large pages, the access-rights rules with their #PF error codes and
 * CR2, reserved bits, accessed and dirty flags, walk_info and side-effect
 * free debugger reads (SDM Vol. 3 4.3-4.8).
 */
#include <setjmp.h>
#include <string.h>
#include <criterion/criterion.h>
#include "tests/unit/harness.h"
#include "tests/unit/pt.h"
#include "cpu/ops.h"
#include "mmu/paging.h"

static struct th t;
static struct cpu *const cpu = &t.cpu;
static struct pt p;

static void teardown(void) { th_free(&t); }

TestSuite(paging, .fini = teardown);

#define DATA_LIN  0x400000ull
#define DATA_PHYS 0x30000ull

static const uint8_t load[] = { 0x8B, 0x03 };           /* mov eax, [ebx] */
static const uint8_t store[] = { 0x89, 0x03 };          /* mov [ebx], eax */

static void setup(enum pt_mode mode)
{
    th_init(&t, mode == PT_4L ? DM_64 : DM_32);
    pt_setup(&p, &t, mode);
}

/* Run one instruction at TH_CODE with ebx = lin; the exit reason. */
static enum cpu_exit access(const uint8_t *code, uint64_t lin)
{
    th_code(&t, code, 2);
    cpu->gpr[RBX] = lin;
    return th_run(&t, 1);
}

static void expect_pf(uint64_t cr2, uint32_t error)
{
    cr_expect_eq(EXC_PF, cpu->exc_vector, "vector %d", cpu->exc_vector);
    cr_expect_eq(error, cpu->exc_error, "error %#x", cpu->exc_error);
    cr_expect_eq(cr2, cpu->cr2, "cr2 %#llx", (unsigned long long)cpu->cr2);
}

/* ---- translation in each mode ------------------------------------------- */

static void reads_through_a_4k_page(enum pt_mode mode)
{
    setup(mode);
    pt_map(&p, DATA_LIN, DATA_PHYS, PG_P | PG_RW);
    th_poke(&t, DATA_PHYS + 0x123, 4, 0xCAFEF00D);
    cr_assert_eq(EXIT_BUDGET, access(load, DATA_LIN + 0x123));
    cr_expect_eq(0xCAFEF00D, cpu->gpr[RAX]);
}

Test(paging, bit32_4k_page_translates) { reads_through_a_4k_page(PT_32); }
Test(paging, pae_4k_page_translates) { reads_through_a_4k_page(PT_PAE); }
Test(paging, level4_4k_page_translates) { reads_through_a_4k_page(PT_4L); }

Test(paging, bit32_4m_page_with_pse_translates)
{
    setup(PT_32);
    cpu->cr4 |= CR4_PSE;
    pt_map_large(&p, 0xC00000, 0, PG_P | PG_RW, 2);
    th_poke(&t, 0x4567, 4, 0x11223344);
    cr_assert_eq(EXIT_BUDGET, access(load, 0xC04567));
    cr_expect_eq(0x11223344, cpu->gpr[RAX]);
}

Test(paging, bit32_ps_bit_is_ignored_without_cr4_pse)
{
    setup(PT_32);
    uint64_t table = pt_alloc(&p);
    th_poke(&t, table + 4 * 4, 4, DATA_PHYS | PG_P);    /* PTE for 0xC04000 */
    pt_set(&p, 0xC00000, 2, table | PG_P | PG_RW | PG_PS);
    th_poke(&t, DATA_PHYS + 8, 4, 0x55);
    cr_assert_eq(EXIT_BUDGET, access(load, 0xC04008));
    cr_expect_eq(0x55, cpu->gpr[RAX], "the PDE pointed at a page table");
}

Test(paging, bit32_pse36_puts_pde_bits_16_13_above_4g)
{
    setup(PT_32);
    cpu->cr4 |= CR4_PSE;
    pt_map_large(&p, 0xC00000, 1ull << 13, PG_P, 2);   /* physical bit 32 */
    struct walk_info w;
    cr_assert_eq(0, paging_walk_info(cpu, 0xC04567, &w));
    cr_expect(w.mapped);
    cr_expect_eq(0x100004567ull, w.phys);
    cr_expect_eq(4u << 20, w.page_size);
}

Test(paging, bit32_4m_page_bit_above_maxphyaddr_is_reserved)
{
    setup(PT_32);
    cpu->cr4 |= CR4_PSE;
    pt_map_large(&p, 0xC00000, 1ull << 17, PG_P, 2);   /* physical bit 36 */
    cr_assert_eq(EXIT_EXCEPTION, access(load, 0xC00000));
    expect_pf(0xC00000, PF_P | PF_RSVD);
}

Test(paging, bit32_without_pse36_pde_bit_13_is_reserved)
{
    setup(PT_32);
    cpu->features &= ~CPU_FEAT(FEAT_PSE36);
    cpu->cr4 |= CR4_PSE;
    pt_map_large(&p, 0xC00000, 1ull << 13, PG_P, 2);
    cr_assert_eq(EXIT_EXCEPTION, access(load, 0xC00010));
    expect_pf(0xC00010, PF_P | PF_RSVD);
}

Test(paging, pae_2m_page_translates)
{
    setup(PT_PAE);
    pt_map_large(&p, 0xC00000, 0, PG_P | PG_RW, 2);
    th_poke(&t, 0x4567, 4, 0x99887766);
    cr_assert_eq(EXIT_BUDGET, access(load, 0xC04567));
    cr_expect_eq(0x99887766, cpu->gpr[RAX]);
}

Test(paging, pae_uses_the_pdpte_registers_not_memory)
{
    setup(PT_PAE);
    pt_map(&p, DATA_LIN, DATA_PHYS, PG_P);
    th_poke(&t, p.root, 8, 0);      /* PDPTE 0 in memory gone; the register keeps it */
    cr_assert_eq(EXIT_BUDGET, access(load, DATA_LIN));
}

Test(paging, pae_not_present_pdpte_register_faults_with_P_clear)
{
    setup(PT_PAE);
    cr_assert_eq(EXIT_EXCEPTION, access(load, 0x40000000));    /* PDPTE 1 */
    expect_pf(0x40000000, 0);
}

Test(paging, level4_2m_page_translates)
{
    setup(PT_4L);
    pt_map_large(&p, 0xC00000, 0, PG_P | PG_RW, 2);
    th_poke(&t, 0x4567, 4, 0x01020304);
    cr_assert_eq(EXIT_BUDGET, access(load, 0xC04567));
    cr_expect_eq(0x01020304, cpu->gpr[RAX]);
}

Test(paging, level4_1g_page_translates_with_pdpe1gb)
{
    setup(PT_4L);
    pt_map_large(&p, 0x40000000, 0, PG_P | PG_RW, 3);
    th_poke(&t, 0x4567, 4, 0xA5A5A5A5);
    cr_assert_eq(EXIT_BUDGET, access(load, 0x40004567));
    cr_expect_eq(0xA5A5A5A5, cpu->gpr[RAX]);
}

Test(paging, level4_1g_page_without_pdpe1gb_is_a_reserved_bit_fault)
{
    setup(PT_4L);
    cpu->features &= ~CPU_FEAT(FEAT_PDPE1GB);
    pt_map_large(&p, 0x40000000, 0, PG_P | PG_RW, 3);
    cr_assert_eq(EXIT_EXCEPTION, access(load, 0x40000000));
    expect_pf(0x40000000, PF_P | PF_RSVD);
}

Test(paging, level4_high_canonical_address_translates)
{
    setup(PT_4L);
    uint64_t lin = 0xFFFF800000001000ull;
    pt_map(&p, lin, DATA_PHYS, PG_P);
    th_poke(&t, DATA_PHYS, 4, 0x77);
    cr_assert_eq(EXIT_BUDGET, access(load, lin));
    cr_expect_eq(0x77, cpu->gpr[RAX]);
}

Test(paging, code_runs_from_a_page_mapped_elsewhere)
{
    static const uint8_t code[] = { 0xB8, 0x05, 0x00, 0x00, 0x00, 0x90 };  /* mov eax, 5; nop */
    setup(PT_32);
    pt_map(&p, 0x500000, TH_CODE, PG_P);
    th_code(&t, code, sizeof code);
    cpu->rip = 0x500000;
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 2));
    cr_expect_eq(5, cpu->gpr[RAX]);
    cr_expect_eq(0x500006, cpu->rip);
}

/* ---- not present and access rights ---------------------------------------- */

Test(paging, not_present_read_faults_with_error_0_and_cr2)
{
    setup(PT_32);
    cr_assert_eq(EXIT_EXCEPTION, access(load, DATA_LIN + 0x10));
    expect_pf(DATA_LIN + 0x10, 0);
    cr_expect_eq(TH_CODE, cpu->rip, "the fault reports the load");
}

Test(paging, not_present_write_faults_with_W)
{
    setup(PT_PAE);
    cr_assert_eq(EXIT_EXCEPTION, access(store, DATA_LIN));
    expect_pf(DATA_LIN, PF_W);
}

Test(paging, not_present_cpl3_write_faults_with_W_and_U)
{
    setup(PT_4L);
    pt_cpl(&t, 3);
    cr_assert_eq(EXIT_EXCEPTION, access(store, DATA_LIN));
    expect_pf(DATA_LIN, PF_W | PF_U);
}

Test(paging, cpl3_read_of_a_supervisor_page_faults_P_U)
{
    setup(PT_32);
    pt_map(&p, DATA_LIN, DATA_PHYS, PG_P | PG_RW);
    pt_cpl(&t, 3);
    cr_assert_eq(EXIT_EXCEPTION, access(load, DATA_LIN));
    expect_pf(DATA_LIN, PF_P | PF_U);
}

Test(paging, supervisor_bit_in_the_directory_entry_is_enough_to_deny_cpl3)
{
    setup(PT_PAE);
    pt_map(&p, DATA_LIN, DATA_PHYS, PG_P | PG_RW | PG_US);
    pt_set(&p, DATA_LIN, 2, pt_get(&p, DATA_LIN, 2) & ~PG_US);
    pt_cpl(&t, 3);
    cr_assert_eq(EXIT_EXCEPTION, access(load, DATA_LIN));
    expect_pf(DATA_LIN, PF_P | PF_U);
}

Test(paging, cpl3_read_of_a_user_page_is_allowed)
{
    setup(PT_4L);
    pt_map(&p, DATA_LIN, DATA_PHYS, PG_P | PG_US);
    pt_cpl(&t, 3);
    cr_expect_eq(EXIT_BUDGET, access(load, DATA_LIN));
}

Test(paging, cpl3_write_to_a_read_only_user_page_faults_P_W_U)
{
    setup(PT_32);
    pt_map(&p, DATA_LIN, DATA_PHYS, PG_P | PG_US);
    pt_cpl(&t, 3);
    cr_assert_eq(EXIT_EXCEPTION, access(store, DATA_LIN));
    expect_pf(DATA_LIN, PF_P | PF_W | PF_U);
}

Test(paging, read_only_directory_entry_denies_cpl3_writes)
{
    setup(PT_4L);
    pt_map(&p, DATA_LIN, DATA_PHYS, PG_P | PG_RW | PG_US);
    pt_set(&p, DATA_LIN, 3, pt_get(&p, DATA_LIN, 3) & ~PG_RW);
    pt_cpl(&t, 3);
    cr_assert_eq(EXIT_EXCEPTION, access(store, DATA_LIN));
    expect_pf(DATA_LIN, PF_P | PF_W | PF_U);
}

Test(paging, cpl0_write_to_a_read_only_page_is_allowed_with_wp_clear)
{
    setup(PT_32);
    pt_map(&p, DATA_LIN, DATA_PHYS, PG_P);
    cpu->gpr[RAX] = 0x1234;
    cr_assert_eq(EXIT_BUDGET, access(store, DATA_LIN));
    cr_expect_eq(0x1234, th_peek(&t, DATA_PHYS, 4));
}

Test(paging, cpl0_write_to_a_read_only_page_faults_with_wp_set)
{
    setup(PT_32);
    cpu->cr0 |= CR0_WP;
    cpu_update_mode(cpu);
    pt_map(&p, DATA_LIN, DATA_PHYS, PG_P | PG_US);
    cr_assert_eq(EXIT_EXCEPTION, access(store, DATA_LIN));
    expect_pf(DATA_LIN, PF_P | PF_W);
    cr_expect_eq(0, th_peek(&t, DATA_PHYS, 4), "nothing written");
}

/* ---- NX, SMEP, SMAP, I/D ------------------------------------------------------ */

static void fetch_at(uint64_t lin)
{
    static const uint8_t nop[] = { 0x90 };
    th_code(&t, nop, 1);
    cpu->rip = lin;
    th_run(&t, 1);
}

Test(paging, fetch_from_an_nx_page_faults_P_ID)
{
    setup(PT_PAE);
    cpu->efer |= EFER_NXE;
    cpu_update_mode(cpu);
    pt_map(&p, 0x500000, TH_CODE, PG_P | PG_XD);
    fetch_at(0x500000);
    expect_pf(0x500000, PF_P | PF_ID);
    cr_expect_eq(0x500000, cpu->rip);
}

Test(paging, nx_page_is_readable)
{
    setup(PT_4L);
    cpu->efer |= EFER_NXE;
    cpu_update_mode(cpu);
    pt_map(&p, DATA_LIN, DATA_PHYS, PG_P | PG_XD);
    cr_expect_eq(EXIT_BUDGET, access(load, DATA_LIN));
}

Test(paging, xd_bit_without_efer_nxe_is_reserved)
{
    setup(PT_PAE);
    pt_map(&p, DATA_LIN, DATA_PHYS, PG_P | PG_XD);
    cr_assert_eq(EXIT_EXCEPTION, access(load, DATA_LIN));
    expect_pf(DATA_LIN, PF_P | PF_RSVD);
}

Test(paging, not_present_fetch_has_no_ID_without_nx_or_smep)
{
    setup(PT_32);
    fetch_at(0x500000);
    expect_pf(0x500000, 0);
}

Test(paging, not_present_fetch_has_ID_with_pae_and_nxe)
{
    setup(PT_PAE);
    cpu->efer |= EFER_NXE;
    cpu_update_mode(cpu);
    fetch_at(0x500000);
    expect_pf(0x500000, PF_ID);
}

Test(paging, smep_denies_a_supervisor_fetch_from_a_user_page)
{
    setup(PT_32);
    cpu->cr4 |= CR4_SMEP;
    cpu_update_mode(cpu);
    fetch_at(TH_CODE);                  /* the identity map is user pages */
    expect_pf(TH_CODE, PF_P | PF_ID);
}

Test(paging, smep_allows_a_supervisor_fetch_from_a_supervisor_page)
{
    setup(PT_32);
    cpu->cr4 |= CR4_SMEP;
    cpu_update_mode(cpu);
    pt_map(&p, TH_CODE, TH_CODE, PG_P);
    fetch_at(TH_CODE);
    cr_expect_eq(EXIT_BUDGET, cpu->exit_reason);
}

Test(paging, smap_denies_a_supervisor_read_of_a_user_page_with_ac_clear)
{
    setup(PT_4L);
    cpu->cr4 |= CR4_SMAP;
    cpu_update_mode(cpu);
    pt_map(&p, DATA_LIN, DATA_PHYS, PG_P | PG_US);
    cr_assert_eq(EXIT_EXCEPTION, access(load, DATA_LIN));
    expect_pf(DATA_LIN, PF_P);
}

Test(paging, smap_allows_an_explicit_supervisor_read_with_ac_set)
{
    setup(PT_4L);
    cpu->cr4 |= CR4_SMAP;
    cpu_update_mode(cpu);
    cpu->rflags |= FL_AC;
    pt_map(&p, DATA_LIN, DATA_PHYS, PG_P | PG_US);
    cr_expect_eq(EXIT_BUDGET, access(load, DATA_LIN));
}

Test(paging, smap_allows_a_supervisor_write_with_ac_set_but_wp_still_applies)
{
    setup(PT_32);
    cpu->cr4 |= CR4_SMAP;
    cpu->cr0 |= CR0_WP;
    cpu_update_mode(cpu);
    cpu->rflags |= FL_AC;
    pt_map(&p, DATA_LIN, DATA_PHYS, PG_P | PG_US);
    cr_assert_eq(EXIT_EXCEPTION, access(store, DATA_LIN));
    expect_pf(DATA_LIN, PF_P | PF_W);
}

/* Implicit supervisor accesses (descriptor tables ...) are made from the
 * system code, not an instruction: catch the unwind here. */
static bool sys_read_faults(uint64_t lin)
{
    jmp_buf jb;
    cpu->unwind = &jb;
    if (setjmp(jb) == 0) {
        sys_read(cpu, lin, 4);
        cpu->unwind = NULL;
        return false;
    }
    cpu->unwind = NULL;
    return true;
}

Test(paging, implicit_access_at_cpl3_may_read_a_supervisor_page)
{
    setup(PT_32);
    pt_map(&p, DATA_LIN, DATA_PHYS, PG_P);
    pt_cpl(&t, 3);
    cr_expect(!sys_read_faults(DATA_LIN));
}

Test(paging, implicit_access_to_a_user_page_under_smap_faults_even_with_ac_set)
{
    setup(PT_32);
    cpu->cr4 |= CR4_SMAP;
    pt_map(&p, DATA_LIN, DATA_PHYS, PG_P | PG_US);
    pt_cpl(&t, 3);
    cpu->rflags |= FL_AC;
    cr_assert(sys_read_faults(DATA_LIN));
    expect_pf(DATA_LIN, PF_P);          /* a supervisor access: U/S clear */
}

Test(paging, implicit_not_present_fault_at_cpl3_has_U_clear)
{
    setup(PT_4L);
    pt_cpl(&t, 3);
    cr_assert(sys_read_faults(DATA_LIN));
    expect_pf(DATA_LIN, 0);
}

/* ---- reserved bits -------------------------------------------------------------- */

Test(paging, pae_pte_bit_above_maxphyaddr_is_reserved)
{
    setup(PT_PAE);
    pt_map(&p, DATA_LIN, DATA_PHYS | (1ull << CPU_MAXPHYADDR), PG_P);
    cr_assert_eq(EXIT_EXCEPTION, access(store, DATA_LIN));
    expect_pf(DATA_LIN, PF_P | PF_W | PF_RSVD);
}

Test(paging, level4_pml4e_ps_bit_is_reserved)
{
    setup(PT_4L);
    uint64_t lin = 0x8000000000ull;     /* PML4 slot 1 */
    pt_map(&p, lin, DATA_PHYS, PG_P);
    pt_set(&p, lin, 4, pt_get(&p, lin, 4) | PG_PS);
    cr_assert_eq(EXIT_EXCEPTION, access(load, lin));
    expect_pf(lin, PF_P | PF_RSVD);
}

Test(paging, level4_2m_page_with_base_bit_13_set_is_reserved)
{
    setup(PT_4L);
    pt_map_large(&p, 0xC00000, 1ull << 13, PG_P, 2);
    cr_assert_eq(EXIT_EXCEPTION, access(load, 0xC00000));
    expect_pf(0xC00000, PF_P | PF_RSVD);
}

Test(paging, level4_ignored_bits_52_to_62_are_not_reserved)
{
    setup(PT_4L);
    pt_map(&p, DATA_LIN, DATA_PHYS | (1ull << 55), PG_P);
    cr_expect_eq(EXIT_BUDGET, access(load, DATA_LIN));
}

Test(paging, reserved_bit_in_a_not_present_entry_is_just_not_present)
{
    setup(PT_PAE);
    pt_map(&p, DATA_LIN, DATA_PHYS | (1ull << 40), 0);
    cr_assert_eq(EXIT_EXCEPTION, access(load, DATA_LIN));
    expect_pf(DATA_LIN, 0);
}

/* ---- accessed and dirty flags ----------------------------------------------------- */

Test(paging, read_sets_accessed_at_every_level_and_not_dirty)
{
    setup(PT_4L);
    pt_map(&p, DATA_LIN, DATA_PHYS, PG_P | PG_RW);
    cr_assert_eq(EXIT_BUDGET, access(load, DATA_LIN));
    for (int level = 1; level <= 4; level++)
        cr_expect(pt_get(&p, DATA_LIN, level) & PG_A, "A at level %d", level);
    cr_expect_eq(0, pt_get(&p, DATA_LIN, 1) & PG_D);
    cr_expect_eq(0, pt_get(&p, DATA_LIN, 2) & PG_D, "D only in the final entry");
}

Test(paging, write_sets_dirty_in_the_final_entry_only)
{
    setup(PT_PAE);
    pt_map(&p, DATA_LIN, DATA_PHYS, PG_P | PG_RW);
    cr_assert_eq(EXIT_BUDGET, access(store, DATA_LIN));
    cr_expect_eq(PG_A | PG_D, pt_get(&p, DATA_LIN, 1) & (PG_A | PG_D));
    cr_expect_eq(PG_A, pt_get(&p, DATA_LIN, 2) & (PG_A | PG_D));
}

Test(paging, write_to_a_4m_page_sets_dirty_in_the_pde)
{
    setup(PT_32);
    cpu->cr4 |= CR4_PSE;
    pt_map_large(&p, 0xC00000, 0, PG_P | PG_RW, 2);
    cr_assert_eq(EXIT_BUDGET, access(store, 0xC08000));
    cr_expect_eq(PG_A | PG_D, pt_get(&p, 0xC00000, 2) & (PG_A | PG_D));
}

Test(paging, not_present_fault_leaves_the_upper_entries_unaccessed)
{
    setup(PT_4L);
    pt_map(&p, DATA_LIN, DATA_PHYS, 0);             /* PD and PT exist, PTE not present */
    cr_assert_eq(EXIT_EXCEPTION, access(load, DATA_LIN));
    cr_expect_eq(0, pt_get(&p, DATA_LIN, 2) & PG_A);
}

Test(paging, rights_fault_sets_no_accessed_or_dirty_flag)
{
    setup(PT_32);
    pt_map(&p, DATA_LIN, DATA_PHYS, PG_P);
    pt_cpl(&t, 3);
    cr_assert_eq(EXIT_EXCEPTION, access(store, DATA_LIN));
    cr_expect_eq(0, pt_get(&p, DATA_LIN, 1) & (PG_A | PG_D));
    cr_expect_eq(0, pt_get(&p, DATA_LIN, 2) & PG_A);
}

Test(paging, reserved_bit_fault_sets_no_accessed_flag)
{
    setup(PT_PAE);
    pt_map(&p, DATA_LIN, DATA_PHYS | (1ull << 40), PG_P);
    cr_assert_eq(EXIT_EXCEPTION, access(load, DATA_LIN));
    cr_expect_eq(0, pt_get(&p, DATA_LIN, 2) & PG_A);
    cr_expect_eq(0, pt_get(&p, DATA_LIN, 1) & PG_A);
}

/* ---- page-crossing accesses -------------------------------------------------------- */

Test(paging, access_crossing_into_a_missing_page_reports_the_second_page_in_cr2)
{
    setup(PT_32);
    pt_map(&p, DATA_LIN, DATA_PHYS, PG_P | PG_RW);
    cpu->gpr[RAX] = 0xFFFFFFFF;
    cr_assert_eq(EXIT_EXCEPTION, access(store, DATA_LIN + 0xFFE));
    expect_pf(DATA_LIN + 0x1000, PF_W);
    cr_expect_eq(0, th_peek(&t, DATA_PHYS + 0xFFE, 2), "no byte written");
}

/* ---- walk_info and debugger reads ----------------------------------------------------- */

Test(paging, walk_info_describes_each_level)
{
    setup(PT_4L);
    pt_map(&p, DATA_LIN, DATA_PHYS, PG_P | PG_RW | PG_US);
    struct walk_info w;
    cr_assert_eq(0, paging_walk_info(cpu, DATA_LIN + 0x42, &w));
    cr_assert_eq(4, w.nlevels);
    for (unsigned i = 0; i < 4; i++) {
        cr_expect_eq(4 - i, w.lv[i].level);
        cr_expect_eq(pt_entry(&p, DATA_LIN, 4 - (int)i), w.lv[i].entry_addr);
        cr_expect_eq(pt_get(&p, DATA_LIN, 4 - (int)i), w.lv[i].value);
    }
    cr_expect(w.lv[3].leaf);
    cr_expect(w.mapped);
    cr_expect_eq(DATA_PHYS + 0x42, w.phys);
    cr_expect_eq(ATLB_U | ATLB_W, w.perm);
}

Test(paging, walk_info_of_pae_marks_the_pdpte_register)
{
    setup(PT_PAE);
    struct walk_info w;
    cr_assert_eq(0, paging_walk_info(cpu, DATA_LIN, &w));
    cr_expect(w.lv[0].from_register);
    cr_expect_eq(3, w.lv[0].level);
    cr_expect(!w.mapped, "the PDE for DATA_LIN is not present");
    cr_expect_eq(0, w.error);
}

Test(paging, walk_info_fails_with_paging_off)
{
    struct walk_info w;
    th_init(&t, DM_32);
    cr_expect_eq(-1, paging_walk_info(cpu, 0, &w));
}

Test(paging, debugger_read_translates_without_setting_accessed)
{
    setup(PT_32);
    pt_map(&p, DATA_LIN, DATA_PHYS, PG_P);
    th_poke(&t, DATA_PHYS + 4, 4, 0xDEADBEEF);
    uint32_t v = 0;
    cr_assert_eq(0, cpu_read_linear(cpu, DATA_LIN + 4, &v, 4));
    cr_expect_eq(0xDEADBEEF, v);
    cr_expect_eq(0, pt_get(&p, DATA_LIN, 1) & PG_A);
    cr_expect_eq(0, cpu->atlb.stats.fills, "no TLB fill");
}

Test(paging, debugger_read_of_an_unmapped_page_fails_without_a_fault)
{
    setup(PT_32);
    uint32_t v;
    cpu->cr2 = 0;
    cr_expect_eq(-1, cpu_read_linear(cpu, DATA_LIN, &v, 4));
    cr_expect_eq(0, cpu->cr2);
}

Test(paging, setting_accessed_in_a_page_table_that_shares_a_page_with_code_drops_that_code)
{
    /* mov eax, [ebx]; nop: the PTE for 0x600000 lives at 0x1800, in the code page */
    static const uint8_t code[] = { 0x8B, 0x03, 0x90 };
    setup(PT_32);
    pt_set(&p, 0x600000, 2, TH_CODE | PG_P | PG_RW);
    th_poke(&t, TH_CODE + 0x800, 4, DATA_PHYS | PG_P);
    th_code(&t, code, sizeof code);
    cpu->gpr[RBX] = 0x600000;
    uint64_t smc = cpu->stats.smc_writes;
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 2));
    cr_expect_eq(smc + 1, cpu->stats.smc_writes, "the A-bit write counted as a code write");
    cr_expect_geq(cpu->stats.blocks_invalidated, 1);
    cr_expect(th_peek(&t, TH_CODE + 0x800, 4) & PG_A);
}
