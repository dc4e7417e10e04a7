/* test_control.c - control and debug registers (cpu/control.c): MOV CRn and
 * DRn with their #GP/#UD rules, long-mode activation and deactivation, PAE
 * PDPTE loads, CLTS, LMSW, SMSW with UMIP, STAC/CLAC (SDM Vol. 2 MOV CR/DR
 * and the instruction pages; Vol. 3 2.5, 4.4.1, 9.8.5, 17.2).
 */
#include <string.h>
#include <criterion/criterion.h>
#include "tests/unit/harness.h"
#include "tests/unit/pt.h"
#include "cpu/ops.h"
#include "mmu/bus.h"
#include "mmu/paging.h"
#include "cpu/control.h"

static struct th t;
static struct cpu *const cpu = &t.cpu;
static struct pt p;

static void teardown(void) { th_free(&t); }

TestSuite(control, .fini = teardown);

#define BYTES(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

static enum cpu_exit run(const uint8_t *code, size_t n, unsigned count)
{
    th_code(&t, code, n);
    return th_run(&t, count);
}

static void ok(const uint8_t *code, size_t n, unsigned count)
{
    cr_assert_eq(EXIT_BUDGET, run(code, n, count), "vector %d error %#x", cpu->exc_vector,
                 cpu->exc_error);
}

static void faults(int vector, const uint8_t *code, size_t n)
{
    cr_assert_eq(EXIT_EXCEPTION, run(code, n, 1));
    cr_expect_eq(vector, cpu->exc_vector, "vector %d", cpu->exc_vector);
    if (vector == EXC_GP) cr_expect_eq(0, cpu->exc_error);
    cr_expect_eq(TH_CODE, cpu->rip, "the fault reports the instruction");
}

/* mov cr0/cr3/cr4, eax (rax in 64-bit mode) */
#define MOV_CR0_EAX BYTES(0x0F, 0x22, 0xC0)
#define MOV_CR3_EAX BYTES(0x0F, 0x22, 0xD8)
#define MOV_CR4_EAX BYTES(0x0F, 0x22, 0xE0)

static void with_eax(uint64_t v) { cpu->gpr[RAX] = v; }

/* ---- privilege, register numbers, operand form ----------------------------- */

Test(control, mov_to_cr0_at_cpl3_raises_GP0)
{
    th_init(&t, DM_32);
    pt_cpl(&t, 3);
    with_eax(cpu->cr0);
    faults(EXC_GP, MOV_CR0_EAX);
}

Test(control, mov_from_cr3_at_cpl3_raises_GP0)
{
    th_init(&t, DM_32);
    pt_cpl(&t, 3);
    faults(EXC_GP, BYTES(0x0F, 0x20, 0xD8));
}

Test(control, mov_cr_in_v86_mode_raises_GP0)
{
    th_init(&t, DM_32);
    cpu->rflags |= FL_VM;
    cpu_update_mode(cpu);
    cr_assert_eq(MODE_V86, cpu->mode);
    faults(EXC_GP, BYTES(0x0F, 0x20, 0xC0));
}

Test(control, cr1_cr5_cr6_cr7_are_UD_both_ways)
{
    static const uint8_t regs[] = { 1, 5, 6, 7 };
    th_init(&t, DM_32);
    for (unsigned k = 0; k < sizeof regs; k++) {
        uint8_t modrm = (uint8_t)(0xC0 | regs[k] << 3);
        faults(EXC_UD, BYTES(0x0F, 0x22, modrm));
        faults(EXC_UD, BYTES(0x0F, 0x20, modrm));
    }
}

Test(control, ud_comes_before_the_privilege_check)
{
    th_init(&t, DM_32);
    pt_cpl(&t, 3);
    faults(EXC_UD, BYTES(0x0F, 0x20, 0xC8));               /* mov eax, cr1 */
}

Test(control, cr9_in_64bit_mode_is_UD)
{
    th_init(&t, DM_64);
    faults(EXC_UD, BYTES(0x44, 0x0F, 0x22, 0xC8));         /* mov cr9, rax */
}

Test(control, mod_field_is_ignored_the_operand_is_a_register)
{
    th_init(&t, DM_32);
    ok(BYTES(0x0F, 0x20, 0x00), 1);                        /* mod 00: still mov eax, cr0 */
    cr_expect_eq(cpu->cr0, cpu->gpr[RAX]);
}

Test(control, mov_from_cr_outside_64bit_mode_writes_32_bits)
{
    th_init(&t, DM_32);
    cpu->gpr[RAX] = 0xFFFFFFFF00000000ull;
    cpu->cr2 = 0x12345678;
    ok(BYTES(0x0F, 0x20, 0xD0), 1);                        /* mov eax, cr2 */
    cr_expect_eq(0x12345678, cpu->gpr[RAX]);
}

Test(control, cr2_holds_a_64bit_value_in_64bit_mode)
{
    th_init(&t, DM_64);
    with_eax(0xFFFF800012345678ull);
    ok(BYTES(0x0F, 0x22, 0xD0, 0x0F, 0x20, 0xD3), 2);      /* mov cr2, rax; mov rbx, cr2 */
    cr_expect_eq(0xFFFF800012345678ull, cpu->gpr[RBX]);
}

Test(control, cr8_round_trips_in_64bit_mode)
{
    th_init(&t, DM_64);
    with_eax(0xA);
    ok(BYTES(0x44, 0x0F, 0x22, 0xC0, 0x44, 0x0F, 0x20, 0xC3), 2);  /* mov cr8, rax; mov rbx, cr8 */
    cr_expect_eq(0xA, cpu->gpr[RBX]);
    cr_expect_eq(0xA, cpu->cr8);
}

Test(control, cr8_reserved_bits_raise_GP0)
{
    th_init(&t, DM_64);
    with_eax(0x10);
    faults(EXC_GP, BYTES(0x44, 0x0F, 0x22, 0xC0));
    cr_expect_eq(0, cpu->cr8);
}

/* ---- CR0 ----------------------------------------------------------------------- */

Test(control, cr0_pg_without_pe_raises_GP0)
{
    th_init(&t, DM_32);
    with_eax((cpu->cr0 & ~(uint64_t)CR0_PE) | CR0_PG);
    faults(EXC_GP, MOV_CR0_EAX);
}

Test(control, cr0_nw_without_cd_raises_GP0)
{
    th_init(&t, DM_32);
    with_eax((cpu->cr0 & ~(uint64_t)CR0_CD) | CR0_NW);
    faults(EXC_GP, MOV_CR0_EAX);
}

Test(control, cr0_upper_32_bits_raise_GP0_in_64bit_mode)
{
    th_init(&t, DM_64);
    pt_setup(&p, &t, PT_4L);
    with_eax(cpu->cr0 | (1ull << 32));
    faults(EXC_GP, MOV_CR0_EAX);
}

Test(control, cr0_keeps_et_set_and_reserved_bits_clear)
{
    th_init(&t, DM_32);
    with_eax(CR0_PE | CR0_NE | CR0_MP | (1u << 6) | (1u << 20));   /* bits 6, 20 reserved */
    ok(MOV_CR0_EAX, 1);
    cr_expect_eq(CR0_PE | CR0_NE | CR0_MP | CR0_ET, cpu->cr0);
}

Test(control, enabling_pg_in_protected_mode_translates_the_next_fetch)
{
    th_init(&t, DM_32);
    pt_setup(&p, &t, PT_32);
    cpu->cr0 &= ~(uint64_t)CR0_PG;
    cpu_update_mode(cpu);
    with_eax(cpu->cr0 | CR0_PG);
    ok(BYTES(0x0F, 0x22, 0xC0, 0x90), 2);                  /* mov cr0, eax; nop */
    cr_expect(pt_get(&p, TH_CODE, 1) & PG_A, "the nop was fetched through the tables");
}

Test(control, clearing_pg_flushes_global_translations)
{
    th_init(&t, DM_32);
    pt_setup(&p, &t, PT_32);
    cpu->cr4 |= CR4_PGE;
    pt_map(&p, TH_CODE, TH_CODE, PG_P | PG_G);
    with_eax(cpu->cr0 & ~(uint64_t)CR0_PG);
    ok(MOV_CR0_EAX, 1);
    cr_expect_eq(0, tlb_list(cpu, NULL, 0));
    cr_expect_eq(1, cpu->atlb.stats.flushes[TLB_CAUSE_CR0]);
}

/* ---- long mode -------------------------------------------------------------------- */

/* 32-bit protected mode with 4-level tables ready, paging off, EFER.LME set. */
static void before_long_mode(void)
{
    th_init(&t, DM_32);
    pt_setup(&p, &t, PT_4L);
    cpu->cr0 &= ~(uint64_t)CR0_PG;
    cpu->efer |= EFER_LME;
    cpu_update_mode(cpu);
    with_eax(cpu->cr0 | CR0_PG);
}

Test(control, setting_pg_with_lme_activates_ia32e_compatibility_mode)
{
    before_long_mode();
    ok(BYTES(0x0F, 0x22, 0xC0, 0x90), 2);                  /* mov cr0, eax; nop */
    cr_expect(cpu->efer & EFER_LMA);
    cr_expect_eq(MODE_LONG, cpu->mode);
    cr_expect_eq(DM_32, cpu->dmode, "CS is still a 32-bit segment");
    cr_expect(pt_get(&p, TH_CODE, 4) & PG_A, "the nop was fetched through the PML4");
}

Test(control, activating_long_mode_without_pae_raises_GP0)
{
    before_long_mode();
    cpu->cr4 &= ~(uint64_t)CR4_PAE;
    faults(EXC_GP, MOV_CR0_EAX);
    cr_expect_eq(0, cpu->efer & EFER_LMA);
    cr_expect_eq(0, cpu->cr0 & CR0_PG);
}

Test(control, activating_long_mode_with_cs_l_set_raises_GP0)
{
    before_long_mode();
    cpu->seg[SEG_CS].attr |= SA_L;
    faults(EXC_GP, MOV_CR0_EAX);
}

Test(control, activating_long_mode_with_a_16bit_tss_raises_GP0)
{
    before_long_mode();
    cpu->seg[SEG_TR].attr = (uint16_t)((cpu->seg[SEG_TR].attr & ~SA_TYPE) | 3);
    faults(EXC_GP, MOV_CR0_EAX);
}

/* Compatibility mode: IA-32e with a 32-bit code segment. */
static void compat_mode(void)
{
    th_init(&t, DM_64);
    pt_setup(&p, &t, PT_4L);
    cpu->seg[SEG_CS].attr = (uint16_t)((cpu->seg[SEG_CS].attr & ~SA_L) | SA_DB);
    cpu_update_mode(cpu);
    cr_assert_eq(DM_32, cpu->dmode);
}

Test(control, clearing_pg_in_compatibility_mode_leaves_long_mode)
{
    compat_mode();
    with_eax(cpu->cr0 & ~(uint64_t)CR0_PG);
    ok(MOV_CR0_EAX, 1);
    cr_expect_eq(0, cpu->efer & EFER_LMA);
    cr_expect(cpu->efer & EFER_LME, "LME stays");
    cr_expect_eq(MODE_PROT, cpu->mode);
}

Test(control, clearing_pg_in_64bit_mode_raises_GP0)
{
    th_init(&t, DM_64);
    pt_setup(&p, &t, PT_4L);
    with_eax(cpu->cr0 & ~(uint64_t)CR0_PG);
    faults(EXC_GP, MOV_CR0_EAX);
    cr_expect(cpu->efer & EFER_LMA);
}

Test(control, clearing_pg_with_pcide_set_raises_GP0)
{
    compat_mode();
    cpu->cr4 |= CR4_PCIDE;
    with_eax(cpu->cr0 & ~(uint64_t)CR0_PG);
    faults(EXC_GP, MOV_CR0_EAX);
}

/* ---- CR4 --------------------------------------------------------------------------- */

Test(control, cr4_bits_not_advertised_raise_GP0)
{
    static const uint32_t bits[] = { CR4_VME, CR4_PVI, CR4_MCE, CR4_OSFXSR,
                                     1u << 13, 1u << 22, 1u << 31 };
    th_init(&t, DM_32);
    for (unsigned k = 0; k < sizeof bits / sizeof bits[0]; k++) {
        with_eax(bits[k]);
        faults(EXC_GP, MOV_CR4_EAX);
        cr_expect_eq(0, cpu->cr4, "bit %#x", bits[k]);
    }
}

Test(control, cr4_feature_bit_switched_off_by_cpu_raises_GP0)
{
    th_init(&t, DM_32);
    cpu->features &= ~CPU_FEAT(FEAT_SMEP);
    with_eax(CR4_SMEP);
    faults(EXC_GP, MOV_CR4_EAX);
}

Test(control, cr4_fsgsbase_is_writable_with_the_feature_and_reserved_without)
{
    th_init(&t, DM_32);
    with_eax(CR4_FSGSBASE);
    ok(MOV_CR4_EAX, 1);
    cr_expect_eq(CR4_FSGSBASE, cpu->cr4);
    th_free(&t);
    th_init(&t, DM_32);
    cpu->features &= ~CPU_FEAT(FEAT_FSGSBASE);
    with_eax(CR4_FSGSBASE);
    faults(EXC_GP, MOV_CR4_EAX);
}

Test(control, cr4_advertised_bits_are_written)
{
    uint32_t v = CR4_DE | CR4_PSE | CR4_PGE | CR4_TSD | CR4_PCE | CR4_UMIP | CR4_SMEP | CR4_SMAP;
    th_init(&t, DM_32);
    with_eax(v);
    ok(BYTES(0x0F, 0x22, 0xE0, 0x0F, 0x20, 0xE3), 2);      /* mov cr4, eax; mov ebx, cr4 */
    cr_expect_eq(v, cpu->gpr[RBX]);
}

Test(control, cr4_pcide_outside_ia32e_mode_raises_GP0)
{
    th_init(&t, DM_32);
    with_eax(CR4_PCIDE);
    faults(EXC_GP, MOV_CR4_EAX);
}

Test(control, cr4_pcide_with_nonzero_cr3_low_bits_raises_GP0)
{
    th_init(&t, DM_64);
    pt_setup(&p, &t, PT_4L);
    cpu->cr3 |= 1;
    with_eax(cpu->cr4 | CR4_PCIDE);
    faults(EXC_GP, MOV_CR4_EAX);
}

Test(control, cr4_pcide_in_64bit_mode_with_pcid_0_is_allowed)
{
    th_init(&t, DM_64);
    pt_setup(&p, &t, PT_4L);
    with_eax(cpu->cr4 | CR4_PCIDE);
    ok(MOV_CR4_EAX, 1);
    cr_expect(cpu->cr4 & CR4_PCIDE);
}

Test(control, cr4_clearing_pae_in_long_mode_raises_GP0)
{
    th_init(&t, DM_64);
    pt_setup(&p, &t, PT_4L);
    with_eax(cpu->cr4 & ~(uint64_t)CR4_PAE);
    faults(EXC_GP, MOV_CR4_EAX);
}

Test(control, i486_has_no_cr4)
{
    memset(&t, 0, sizeof t);
    t.bus = bus_new(TH_RAM);
    cr_assert_eq(0, cpu_init(cpu, t.bus, cpu_model_find("i486")));
    cpu_set_flat32(cpu);
    cpu->stop_on_exception = true;
    faults(EXC_UD, BYTES(0x0F, 0x20, 0xE0));
    faults(EXC_UD, MOV_CR4_EAX);
}

/* ---- CR3 and the PAE PDPTEs ----------------------------------------------------------- */

Test(control, cr3_bits_above_maxphyaddr_raise_GP0)
{
    th_init(&t, DM_64);
    pt_setup(&p, &t, PT_4L);
    uint64_t old = cpu->cr3;
    with_eax(old | (1ull << CPU_MAXPHYADDR));
    faults(EXC_GP, MOV_CR3_EAX);
    cr_expect_eq(old, cpu->cr3);
}

Test(control, cr3_bit_63_without_pcide_raises_GP0)
{
    th_init(&t, DM_64);
    pt_setup(&p, &t, PT_4L);
    with_eax(cpu->cr3 | CR3_NOFLUSH);
    faults(EXC_GP, MOV_CR3_EAX);
}

Test(control, cr3_in_32bit_mode_stores_all_32_bits)
{
    th_init(&t, DM_32);
    with_eax(0xFFFFFFFF);
    ok(MOV_CR3_EAX, 1);
    cr_expect_eq(0xFFFFFFFF, cpu->cr3);
}

Test(control, pae_cr3_write_with_a_reserved_pdpte_bit_raises_GP0)
{
    th_init(&t, DM_32);
    pt_setup(&p, &t, PT_PAE);
    uint64_t pdpt = pt_alloc(&p);
    th_poke(&t, pdpt + 8, 8, 0x50000 | PG_P | PG_RW);      /* R/W is reserved in a PDPTE */
    uint64_t old = cpu->cr3, old_pdpte = cpu->pdpte[0];
    with_eax(pdpt);
    faults(EXC_GP, MOV_CR3_EAX);
    cr_expect_eq(old, cpu->cr3);
    cr_expect_eq(old_pdpte, cpu->pdpte[0]);
}

Test(control, pae_cr3_write_ignores_reserved_bits_of_a_not_present_pdpte)
{
    th_init(&t, DM_32);
    pt_setup(&p, &t, PT_PAE);
    uint64_t pdpt = pt_alloc(&p);
    th_poke(&t, pdpt, 8, th_peek(&t, p.root, 8));
    th_poke(&t, pdpt + 8, 8, 0x50000 | PG_RW);
    with_eax(pdpt);
    ok(MOV_CR3_EAX, 1);
    cr_expect_eq(pdpt, cpu->cr3);
    cr_expect_eq(th_peek(&t, p.root, 8), cpu->pdpte[0], "the PDPTEs were loaded");
}

Test(control, pae_enabling_pg_with_a_bad_pdpte_raises_GP0)
{
    th_init(&t, DM_32);
    pt_setup(&p, &t, PT_PAE);
    cpu->cr0 &= ~(uint64_t)CR0_PG;
    cpu_update_mode(cpu);
    th_poke(&t, p.root + 24, 8, 0x50000 | PG_P | (1ull << 5));
    with_eax(cpu->cr0 | CR0_PG);
    faults(EXC_GP, MOV_CR0_EAX);
    cr_expect_eq(0, cpu->cr0 & CR0_PG);
}

/* ---- debug registers -------------------------------------------------------------------- */

static uint8_t dr_modrm(unsigned n, unsigned r) { return (uint8_t)(0xC0 | n << 3 | r); }

Test(control, dr0_round_trips)
{
    th_init(&t, DM_32);
    with_eax(0x12345678);
    ok(BYTES(0x0F, 0x23, 0xC0, 0x0F, 0x21, 0xC3), 2);      /* mov dr0, eax; mov ebx, dr0 */
    cr_expect_eq(0x12345678, cpu->gpr[RBX]);
}

Test(control, dr4_and_dr5_alias_dr6_and_dr7_without_cr4_de)
{
    th_init(&t, DM_32);
    with_eax(0x1);
    ok(BYTES(0x0F, 0x23, dr_modrm(5, 0), 0x0F, 0x21, dr_modrm(4, 3)), 2);
    cr_expect_eq(0x401, cpu->dr[7], "mov dr5 wrote DR7");
    cr_expect_eq(cpu->dr[6], cpu->gpr[RBX], "mov dr4 read DR6");
}

Test(control, dr4_and_dr5_with_cr4_de_are_UD)
{
    th_init(&t, DM_32);
    cpu->cr4 |= CR4_DE;
    faults(EXC_UD, BYTES(0x0F, 0x21, dr_modrm(4, 0)));
    faults(EXC_UD, BYTES(0x0F, 0x23, dr_modrm(5, 0)));
}

Test(control, dr4_at_cpl3_with_cr4_de_raises_GP0_as_the_host_does)
{
    th_init(&t, DM_32);
    cpu->cr4 |= CR4_DE;
    pt_cpl(&t, 3);
    faults(EXC_GP, BYTES(0x0F, 0x21, dr_modrm(4, 0)));
}

Test(control, dr6_forces_its_fixed_bits)
{
    th_init(&t, DM_32);
    with_eax(0);
    ok(BYTES(0x0F, 0x23, dr_modrm(6, 0)), 1);
    cr_expect_eq(0xFFFF0FF0, cpu->dr[6]);
    with_eax(0xFFFFFFFF);
    ok(BYTES(0x0F, 0x23, dr_modrm(6, 0)), 1);
    cr_expect_eq(0xFFFFEFFF, cpu->dr[6], "bit 12 reads 0");
}

Test(control, dr7_forces_its_fixed_bits)
{
    th_init(&t, DM_32);
    with_eax(0);
    ok(BYTES(0x0F, 0x23, dr_modrm(7, 0)), 1);
    cr_expect_eq(0x400, cpu->dr[7]);
    with_eax(0xFFFFDFFF);                                   /* all but GD */
    ok(BYTES(0x0F, 0x23, dr_modrm(7, 0)), 1);
    cr_expect_eq(0xFFFF07FF, cpu->dr[7], "bits 11, 12, 14, 15 read 0");
}

Test(control, dr7_upper_bits_raise_GP0_in_64bit_mode)
{
    th_init(&t, DM_64);
    with_eax(1ull << 32);
    faults(EXC_GP, BYTES(0x0F, 0x23, dr_modrm(7, 0)));
    faults(EXC_GP, BYTES(0x0F, 0x23, dr_modrm(6, 0)));
}

Test(control, dr0_holds_64_bits_in_64bit_mode)
{
    th_init(&t, DM_64);
    with_eax(0xFFFF800000001234ull);
    ok(BYTES(0x0F, 0x23, dr_modrm(0, 0)), 1);
    cr_expect_eq(0xFFFF800000001234ull, cpu->dr[0]);
}

Test(control, dr8_in_64bit_mode_is_UD)
{
    th_init(&t, DM_64);
    faults(EXC_UD, BYTES(0x44, 0x0F, 0x23, 0xC0));
}

Test(control, mov_dr_at_cpl3_raises_GP0)
{
    th_init(&t, DM_32);
    pt_cpl(&t, 3);
    faults(EXC_GP, BYTES(0x0F, 0x21, dr_modrm(0, 0)));
}

Test(control, dr7_gd_makes_a_debug_register_access_a_DB_fault)
{
    th_init(&t, DM_32);
    cpu->dr[7] = 0x2400;
    cpu->dr[0] = 0x1111;
    faults(EXC_DB, BYTES(0x0F, 0x21, dr_modrm(0, 0)));
    cr_expect(cpu->dr[6] & (1u << 13), "DR6.BD");
    cr_expect_eq(0x400, cpu->dr[7], "GD cleared");
    cr_expect_neq(0x1111, cpu->gpr[RAX], "the move did not happen");
}

/* ---- CLTS, LMSW, SMSW -------------------------------------------------------------------- */

Test(control, clts_clears_ts)
{
    th_init(&t, DM_32);
    cpu->cr0 |= CR0_TS | CR0_MP;
    ok(BYTES(0x0F, 0x06), 1);
    cr_expect_eq(CR0_MP, cpu->cr0 & (CR0_TS | CR0_MP));
}

Test(control, clts_at_cpl3_raises_GP0)
{
    th_init(&t, DM_32);
    pt_cpl(&t, 3);
    faults(EXC_GP, BYTES(0x0F, 0x06));
}

Test(control, lmsw_loads_mp_em_ts_and_cannot_clear_pe)
{
    th_init(&t, DM_32);
    with_eax(0xFFEE);                                       /* PE clear, MP EM TS set */
    ok(BYTES(0x0F, 0x01, 0xF0), 1);                         /* lmsw ax */
    cr_expect_eq(CR0_PE | CR0_MP | CR0_EM | CR0_TS, cpu->cr0 & 0xF);
    cr_expect(cpu->cr0 & CR0_NE, "bits above 3 unchanged");
    cr_expect_eq(MODE_PROT, cpu->mode);
}

Test(control, lmsw_sets_pe_from_real_mode)
{
    th_init(&t, DM_16);
    with_eax(1);
    ok(BYTES(0x0F, 0x01, 0xF0), 1);
    cr_expect(cpu->cr0 & CR0_PE);
    cr_expect_eq(MODE_PROT, cpu->mode);
}

Test(control, smsw_register_stores_the_operand_size)
{
    th_init(&t, DM_32);
    cpu->cr0 |= CR0_WP | CR0_AM;
    cpu->gpr[RBX] = 0xAAAA5555;
    ok(BYTES(0x0F, 0x01, 0xE0, 0x66, 0x0F, 0x01, 0xE3), 2);     /* smsw eax; smsw bx */
    cr_expect_eq((uint32_t)cpu->cr0, cpu->gpr[RAX]);
    cr_expect_eq(0xAAAA0000 | (cpu->cr0 & 0xFFFF), cpu->gpr[RBX]);
}

Test(control, smsw_memory_stores_16_bits)
{
    th_init(&t, DM_32);
    th_poke(&t, TH_DATA, 4, 0xFFFFFFFF);
    cpu->gpr[RBX] = TH_DATA;
    ok(BYTES(0x0F, 0x01, 0x23), 1);                         /* smsw [ebx] */
    cr_expect_eq(0xFFFF0000 | (cpu->cr0 & 0xFFFF), th_peek(&t, TH_DATA, 4));
}

Test(control, smsw_at_cpl3_with_umip_raises_GP0)
{
    th_init(&t, DM_32);
    cpu->cr4 |= CR4_UMIP;
    pt_cpl(&t, 3);
    faults(EXC_GP, BYTES(0x0F, 0x01, 0xE0));
}

Test(control, smsw_at_cpl3_without_umip_is_allowed)
{
    th_init(&t, DM_32);
    pt_cpl(&t, 3);
    ok(BYTES(0x0F, 0x01, 0xE0), 1);
    cr_expect_eq((uint32_t)cpu->cr0, cpu->gpr[RAX]);
}

/* ---- STAC / CLAC ------------------------------------------------------------------------- */

Test(control, stac_sets_and_clac_clears_ac)
{
    th_init(&t, DM_32);
    ok(BYTES(0x0F, 0x01, 0xCB), 1);
    cr_expect(cpu->rflags & FL_AC);
    ok(BYTES(0x0F, 0x01, 0xCA), 1);
    cr_expect_eq(0, cpu->rflags & FL_AC);
}

Test(control, stac_at_cpl3_is_UD)
{
    th_init(&t, DM_32);
    pt_cpl(&t, 3);
    faults(EXC_UD, BYTES(0x0F, 0x01, 0xCB));
}

Test(control, clac_without_smap_is_UD)
{
    th_init(&t, DM_32);
    cpu->features &= ~CPU_FEAT(FEAT_SMAP);
    faults(EXC_UD, BYTES(0x0F, 0x01, 0xCA));
}

/* ---- more forms ---------------------------------------------------------------------- */

Test(control, cr4_pge_change_under_pae_paging_reloads_the_pdptes)
{
    th_init(&t, DM_32);
    pt_setup(&p, &t, PT_PAE);
    uint64_t table = pt_alloc(&p);
    th_poke(&t, p.root + 8, 8, table | PG_P);
    cr_assert_eq(0, cpu->pdpte[1]);
    with_eax(cpu->cr4 | CR4_PGE);
    ok(MOV_CR4_EAX, 1);
    cr_expect_eq(table | PG_P, cpu->pdpte[1]);
}

Test(control, cr4_change_under_pae_paging_with_a_bad_pdpte_raises_GP0)
{
    th_init(&t, DM_32);
    pt_setup(&p, &t, PT_PAE);
    th_poke(&t, p.root + 8, 8, 0x50000 | PG_P | (1ull << 7));
    with_eax(cpu->cr4 | CR4_PSE);
    faults(EXC_GP, MOV_CR4_EAX);
    cr_expect_eq(0, cpu->cr4 & CR4_PSE);
}

Test(control, smsw_rax_in_64bit_mode_stores_all_of_cr0)
{
    th_init(&t, DM_64);
    pt_setup(&p, &t, PT_4L);
    ok(BYTES(0x48, 0x0F, 0x01, 0xE0), 1);                   /* smsw rax */
    cr_expect_eq(cpu->cr0, cpu->gpr[RAX]);
    cr_expect(cpu->gpr[RAX] & CR0_PG);
}

Test(control, lmsw_reads_a_memory_operand)
{
    th_init(&t, DM_32);
    th_poke(&t, TH_DATA, 2, 0x0009);                        /* PE and TS */
    cpu->gpr[RBX] = TH_DATA;
    ok(BYTES(0x0F, 0x01, 0x33), 1);                         /* lmsw [ebx] */
    cr_expect_eq(CR0_PE | CR0_TS, cpu->cr0 & 0xF);
}

Test(control, invlpg_of_a_noncanonical_address_is_a_nop_in_64bit_mode)
{
    th_init(&t, DM_64);
    pt_setup(&p, &t, PT_4L);
    cpu->gpr[RBX] = 0x0100000000000000ull;                  /* non-canonical in 57 bits too */
    ok(BYTES(0x0F, 0x01, 0x3B), 1);                         /* invlpg [rbx] */
    cr_expect_eq(0, cpu->atlb.stats.flushes[TLB_CAUSE_INVLPG], "nothing invalidated");
}

Test(control, cr_write_is_the_entry_for_a_task_switch_cr3_load)
{
    th_init(&t, DM_32);
    pt_setup(&p, &t, PT_32);
    cr_write(cpu, 3, p.root);                   /* valid: needs no unwind target */
    cr_expect_eq(p.root, cpu->cr3);
    cr_expect_eq(1, cpu->atlb.stats.flushes[TLB_CAUSE_CR3]);
}
