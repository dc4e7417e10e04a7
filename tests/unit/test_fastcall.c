/* test_fastcall.c - SYSENTER/SYSEXIT, SYSCALL/SYSRET, SWAPGS, RD/WR FS/GS
 * BASE (cpu/fastcall.c) with the exact segment caches they load, and the NMI
 * pin with its blocking (cpu/exec.c), delivered through the real-mode IVT. */
#include <string.h>
#include <criterion/criterion.h>
#include "harness.h"
#include "cpu/msr.h"

static struct th t;
static struct cpu *const cpu = &t.cpu;
static void teardown(void) { th_free(&t); }
TestSuite(fastcall, .fini = teardown);

#define CODE32_ATTR(dpl) (SA_P | SA_S | 0xB | (dpl) << 5 | SA_DB | SA_G)
#define CODE64_ATTR(dpl) (SA_P | SA_S | 0xB | (dpl) << 5 | SA_L | SA_G)
#define STACK_ATTR(dpl)  (SA_P | SA_S | 0x3 | (dpl) << 5 | SA_DB | SA_G)

static void expect_seg(int s, uint16_t sel, uint16_t attr)
{
    cr_expect_eq(sel, cpu->seg[s].sel, "selector %#x, want %#x", cpu->seg[s].sel, sel);
    cr_expect_eq(attr, cpu->seg[s].attr, "attributes %#x, want %#x", cpu->seg[s].attr, attr);
    cr_expect_eq(0, cpu->seg[s].base);
    cr_expect_eq(0xFFFFFFFFu, cpu->seg[s].limit);
}

static void expect_fault(enum cpu_exit e, int vector)
{
    cr_expect_eq(EXIT_EXCEPTION, e);
    cr_expect_eq(vector, cpu->exc_vector, "vector %d, want %d", cpu->exc_vector, vector);
    if (vector == EXC_GP) cr_expect_eq(0, cpu->exc_error);
    cr_expect_eq(TH_CODE, cpu->rip, "a fault leaves RIP at the instruction");
}

static void set_cpl3(void)
{
    cpu->seg[SEG_CS].sel |= 3;
    cpu->seg[SEG_SS].sel |= 3;
    cpu_update_mode(cpu);
}

static void start(enum dmode mode, enum cpu_vendor v, const uint8_t *code, size_t n)
{
    th_init_vendor(&t, mode, v);
    th_code(&t, code, n);
}

/* ---- SYSENTER / SYSEXIT ---------------------------------------------------------------- */

static const uint8_t sysenter[] = { 0x0F, 0x34 };
static const uint8_t sysexit[] = { 0x0F, 0x35 };
static const uint8_t sysexit64[] = { 0x48, 0x0F, 0x35 };

Test(fastcall, sysenter_from_cpl3_loads_flat_cpl0_segments_and_clears_if_vm_rf)
{
    start(DM_32, VENDOR_INTEL, sysenter, sizeof sysenter);
    set_cpl3();
    cpu->msr.sysenter_cs = 0x10;
    cpu->msr.sysenter_esp = 0x8000;
    cpu->msr.sysenter_eip = 0x2000;
    cpu_set_flags(cpu, FL_1 | FL_IF | FL_RF | FL_CF);
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 1));
    expect_seg(SEG_CS, 0x10, CODE32_ATTR(0));
    expect_seg(SEG_SS, 0x18, STACK_ATTR(0));
    cr_expect_eq(0, cpu->cpl);
    cr_expect_eq(0x2000, cpu->rip);
    cr_expect_eq(0x8000, cpu->gpr[RSP]);
    cr_expect_eq(FL_1 | FL_CF, th_flags(&t));
    cr_expect_eq(DM_32, cpu->dmode);
}

Test(fastcall, sysenter_rpl_bits_of_sysenter_cs_are_cleared)
{
    start(DM_32, VENDOR_INTEL, sysenter, sizeof sysenter);
    cpu->msr.sysenter_cs = 0x23;
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 1));
    expect_seg(SEG_CS, 0x20, CODE32_ATTR(0));
    expect_seg(SEG_SS, 0x28, STACK_ATTR(0));
}

Test(fastcall, sysenter_with_a_null_sysenter_cs_raises_gp0)
{
    start(DM_32, VENDOR_INTEL, sysenter, sizeof sysenter);
    cpu->msr.sysenter_cs = 0;
    expect_fault(th_run(&t, 1), EXC_GP);
    cpu->msr.sysenter_cs = 3;                   /* bits 15:2 still zero */
    cpu->rip = TH_CODE;
    expect_fault(th_run(&t, 1), EXC_GP);
}

Test(fastcall, sysenter_in_real_mode_raises_gp0)
{
    start(DM_16, VENDOR_INTEL, sysenter, sizeof sysenter);
    cpu->msr.sysenter_cs = 0x10;
    cr_assert_eq(EXIT_EXCEPTION, th_run(&t, 1));
    cr_expect_eq(EXC_GP, cpu->exc_vector);
}

Test(fastcall, sysenter_in_64bit_mode_enters_64bit_code_with_full_rsp_rip)
{
    start(DM_64, VENDOR_INTEL, sysenter, sizeof sysenter);
    cpu->msr.sysenter_cs = 0x10;
    cpu->msr.sysenter_esp = 0xFFFF800000009000ull;
    cpu->msr.sysenter_eip = 0xFFFF800000002000ull;
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 1));
    expect_seg(SEG_CS, 0x10, CODE64_ATTR(0));
    expect_seg(SEG_SS, 0x18, STACK_ATTR(0));
    cr_expect_eq(0xFFFF800000002000ull, cpu->rip);
    cr_expect_eq(0xFFFF800000009000ull, cpu->gpr[RSP]);
    cr_expect_eq(DM_64, cpu->dmode);
}

Test(fastcall, amd_sysenter_and_sysexit_are_ud_in_long_mode)
{
    start(DM_64, VENDOR_AMD, sysenter, sizeof sysenter);
    cpu->msr.sysenter_cs = 0x10;
    expect_fault(th_run(&t, 1), EXC_UD);
    th_code(&t, sysexit, sizeof sysexit);
    expect_fault(th_run(&t, 1), EXC_UD);
}

Test(fastcall, sysexit_returns_to_flat_cpl3_32bit_code_with_flags_untouched)
{
    start(DM_32, VENDOR_INTEL, sysexit, sizeof sysexit);
    cpu->msr.sysenter_cs = 0x10;
    cpu->gpr[RCX] = 0x7000;
    cpu->gpr[RDX] = 0x3000;
    cpu_set_flags(cpu, FL_1 | FL_IF | FL_ZF);
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 1));
    expect_seg(SEG_CS, 0x23, CODE32_ATTR(3));
    expect_seg(SEG_SS, 0x2B, STACK_ATTR(3));
    cr_expect_eq(3, cpu->cpl);
    cr_expect_eq(0x3000, cpu->rip);
    cr_expect_eq(0x7000, cpu->gpr[RSP]);
    cr_expect_eq(FL_1 | FL_IF | FL_ZF, th_flags(&t));
}

Test(fastcall, sysexit_at_cpl3_raises_gp0)
{
    start(DM_32, VENDOR_INTEL, sysexit, sizeof sysexit);
    cpu->msr.sysenter_cs = 0x10;
    set_cpl3();
    expect_fault(th_run(&t, 1), EXC_GP);
}

Test(fastcall, sysexit_with_rex_w_returns_to_64bit_code_at_cs_plus_32)
{
    start(DM_64, VENDOR_INTEL, sysexit64, sizeof sysexit64);
    cpu->msr.sysenter_cs = 0x10;
    cpu->gpr[RCX] = 0x00007FFF00001000ull;
    cpu->gpr[RDX] = 0x00007FFF00002000ull;
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 1));
    expect_seg(SEG_CS, 0x33, CODE64_ATTR(3));
    expect_seg(SEG_SS, 0x3B, STACK_ATTR(3));
    cr_expect_eq(0x00007FFF00002000ull, cpu->rip);
    cr_expect_eq(0x00007FFF00001000ull, cpu->gpr[RSP]);
}

Test(fastcall, sysexit_without_rex_w_in_64bit_mode_returns_to_compatibility_mode)
{
    start(DM_64, VENDOR_INTEL, sysexit, sizeof sysexit);
    cpu->msr.sysenter_cs = 0x10;
    cpu->gpr[RDX] = 0xFFFFFFFF00003000ull;
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 1));
    expect_seg(SEG_CS, 0x23, CODE32_ATTR(3));
    cr_expect_eq(0x3000, cpu->rip, "EIP = EDX");
    cr_expect_eq(MODE_LONG, cpu->mode);
    cr_expect_eq(DM_32, cpu->dmode);
}

Test(fastcall, sysexit64_to_a_non_canonical_address_raises_gp0)
{
    start(DM_64, VENDOR_INTEL, sysexit64, sizeof sysexit64);
    cpu->msr.sysenter_cs = 0x10;
    cpu->gpr[RDX] = 0x0000800000000000ull;
    expect_fault(th_run(&t, 1), EXC_GP);
    cr_expect_eq(0, cpu->cpl);
}

/* ---- SYSCALL / SYSRET ---------------------------------------------------------------------- */

static const uint8_t syscall_[] = { 0x0F, 0x05 };
static const uint8_t sysret[] = { 0x0F, 0x07 };
static const uint8_t sysret64[] = { 0x48, 0x0F, 0x07 };
#define STAR 0x0023001000000000ull      /* SYSRET base 0x23 (user CS 0x33 / 0x23), SYSCALL CS 0x10 */

static void syscall_msrs(void)
{
    cpu->efer |= EFER_SCE;
    cpu->msr.star = STAR | 0x5000;      /* legacy-mode EIP 0x5000 */
    cpu->msr.lstar = 0xFFFF800000002000ull;
    cpu->msr.cstar = 0x6000;
    cpu->msr.sfmask = FL_IF | FL_TF | FL_DF;
}

Test(fastcall, syscall_in_64bit_mode_saves_rip_and_rflags_and_masks_with_sfmask)
{
    start(DM_64, VENDOR_INTEL, syscall_, sizeof syscall_);
    set_cpl3();
    syscall_msrs();
    cpu_set_flags(cpu, FL_1 | FL_IF | FL_DF | FL_CF);
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 1));
    cr_expect_eq(TH_CODE + 2, cpu->gpr[RCX]);
    cr_expect_eq(FL_1 | FL_IF | FL_DF | FL_CF, cpu->gpr[R11]);
    cr_expect_eq(FL_1 | FL_CF, th_flags(&t));
    cr_expect_eq(0xFFFF800000002000ull, cpu->rip);
    expect_seg(SEG_CS, 0x10, CODE64_ATTR(0));
    expect_seg(SEG_SS, 0x18, STACK_ATTR(0));
    cr_expect_eq(0, cpu->cpl);
}

Test(fastcall, syscall_and_sysret_are_ud_with_efer_sce_clear)
{
    start(DM_64, VENDOR_INTEL, syscall_, sizeof syscall_);
    syscall_msrs();
    cpu->efer &= ~(uint64_t)EFER_SCE;
    expect_fault(th_run(&t, 1), EXC_UD);
    th_code(&t, sysret64, sizeof sysret64);
    expect_fault(th_run(&t, 1), EXC_UD);
}

Test(fastcall, intel_syscall_is_ud_outside_64bit_mode)
{
    start(DM_32, VENDOR_INTEL, syscall_, sizeof syscall_);
    syscall_msrs();
    expect_fault(th_run(&t, 1), EXC_UD);
}

Test(fastcall, amd_syscall_from_legacy_mode_enters_32bit_code_at_star_eip)
{
    start(DM_32, VENDOR_AMD, syscall_, sizeof syscall_);
    set_cpl3();
    syscall_msrs();
    cpu_set_flags(cpu, FL_1 | FL_IF | FL_DF);
    cpu->gpr[R11] = 0x55;
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 1));
    cr_expect_eq(TH_CODE + 2, cpu->gpr[RCX]);
    cr_expect_eq(0x5000, cpu->rip);
    cr_expect_eq(FL_1 | FL_DF, th_flags(&t), "IF cleared, SFMASK not used");
    cr_expect_eq(0x55, cpu->gpr[R11], "R11 untouched");
    expect_seg(SEG_CS, 0x10, CODE32_ATTR(0));
    expect_seg(SEG_SS, 0x18, STACK_ATTR(0));
}

Test(fastcall, amd_syscall_from_compatibility_mode_goes_to_cstar_in_64bit_code)
{
    start(DM_64, VENDOR_AMD, syscall_, sizeof syscall_);
    cpu->seg[SEG_CS].attr = (uint16_t)((cpu->seg[SEG_CS].attr & ~SA_L) | SA_DB);
    cpu_update_mode(cpu);
    cr_assert_eq(DM_32, cpu->dmode);
    syscall_msrs();
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 1));
    cr_expect_eq(0x6000, cpu->rip);
    cr_expect_eq(DM_64, cpu->dmode);
    expect_seg(SEG_CS, 0x10, CODE64_ATTR(0));
}

Test(fastcall, sysret64_returns_to_cpl3_64bit_code_with_rflags_from_r11)
{
    start(DM_64, VENDOR_INTEL, sysret64, sizeof sysret64);
    syscall_msrs();
    cpu->gpr[RCX] = 0x00007FFF00001234ull;
    cpu->gpr[R11] = 0xFFFFFFFFFFFFFFFFull;
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 1));
    cr_expect_eq(0x00007FFF00001234ull, cpu->rip);
    cr_expect_eq(0x3C7FD7ull | FL_1, th_flags(&t), "RF and VM cleared, bit 1 set");
    expect_seg(SEG_CS, 0x33, CODE64_ATTR(3));
    expect_seg(SEG_SS, 0x2B, STACK_ATTR(3));
    cr_expect_eq(3, cpu->cpl);
}

Test(fastcall, sysret_without_rex_w_returns_to_compatibility_mode_at_star_base)
{
    start(DM_64, VENDOR_INTEL, sysret, sizeof sysret);
    syscall_msrs();
    cpu->gpr[RCX] = 0xFFFFFFFF00004000ull;
    cpu->gpr[R11] = FL_1 | FL_IF;
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 1));
    cr_expect_eq(0x4000, cpu->rip);
    expect_seg(SEG_CS, 0x23, CODE32_ATTR(3));
    cr_expect_eq(DM_32, cpu->dmode);
    cr_expect_eq(FL_1 | FL_IF, th_flags(&t));
}

Test(fastcall, intel_sysret_to_a_non_canonical_rcx_raises_gp0_at_cpl0)
{
    start(DM_64, VENDOR_INTEL, sysret64, sizeof sysret64);
    syscall_msrs();
    cpu->gpr[RCX] = 0x0000800000000000ull;
    expect_fault(th_run(&t, 1), EXC_GP);
    cr_expect_eq(0, cpu->cpl, "the fault is taken in the kernel");
    cr_expect_eq(0x08, cpu->seg[SEG_CS].sel);
}

Test(fastcall, amd_sysret_to_a_non_canonical_rcx_faults_on_the_fetch_at_cpl3)
{
    start(DM_64, VENDOR_AMD, sysret64, sizeof sysret64);
    syscall_msrs();
    cpu->gpr[RCX] = 0x0000800000000000ull;
    cpu->seg[SEG_SS].attr = 0x1234 & ~SA_L;     /* AMD leaves SS's cache alone */
    uint16_t ss_attr = cpu->seg[SEG_SS].attr;
    cr_assert_eq(EXIT_EXCEPTION, th_run(&t, 2));
    cr_expect_eq(EXC_GP, cpu->exc_vector);
    cr_expect_eq(3, cpu->cpl);
    cr_expect_eq(0x0000800000000000ull, cpu->rip);
    cr_expect_eq(0x2B, cpu->seg[SEG_SS].sel);
    cr_expect_eq(ss_attr, cpu->seg[SEG_SS].attr);
}

Test(fastcall, sysret_at_cpl3_raises_gp0)
{
    start(DM_64, VENDOR_INTEL, sysret64, sizeof sysret64);
    syscall_msrs();
    set_cpl3();
    expect_fault(th_run(&t, 1), EXC_GP);
}

Test(fastcall, syscall_then_sysret_round_trip_restores_user_rip_and_flags)
{
    static const uint8_t code[] = { 0x0F, 0x05, 0x90 };         /* syscall; nop */
    static const uint8_t kernel[] = { 0x48, 0x0F, 0x07 };       /* sysretq */
    start(DM_64, VENDOR_INTEL, code, sizeof code);
    set_cpl3();
    syscall_msrs();
    cpu->msr.lstar = 0x3000;
    memcpy(th_mem(&t, 0x3000), kernel, sizeof kernel);
    cpu_set_flags(cpu, FL_1 | FL_IF | FL_SF);
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 3));
    cr_expect_eq(TH_CODE + 3, cpu->rip);
    cr_expect_eq(FL_1 | FL_IF | FL_SF, th_flags(&t));
    cr_expect_eq(3, cpu->cpl);
    cr_expect_eq(0x33, cpu->seg[SEG_CS].sel);
}

/* ---- SWAPGS and RD/WR FS/GS BASE ----------------------------------------------------------- */

static const uint8_t swapgs[] = { 0x0F, 0x01, 0xF8 };

Test(fastcall, swapgs_exchanges_gs_base_and_kernel_gs_base)
{
    start(DM_64, VENDOR_INTEL, swapgs, sizeof swapgs);
    cpu->seg[SEG_GS].base = 0x1111;
    cpu->msr.kernel_gs_base = 0xFFFF800000004000ull;
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 1));
    cr_expect_eq(0xFFFF800000004000ull, cpu->seg[SEG_GS].base);
    cr_expect_eq(0x1111, cpu->msr.kernel_gs_base);
}

Test(fastcall, swapgs_at_cpl3_raises_gp0_and_outside_64bit_mode_ud)
{
    start(DM_64, VENDOR_INTEL, swapgs, sizeof swapgs);
    set_cpl3();
    expect_fault(th_run(&t, 1), EXC_GP);
    th_free(&t);
    start(DM_32, VENDOR_INTEL, swapgs, sizeof swapgs);
    expect_fault(th_run(&t, 1), EXC_UD);
}

Test(fastcall, fsgsbase_instructions_are_ud_while_cr4_fsgsbase_is_clear)
{
    static const uint8_t rdfs[] = { 0xF3, 0x48, 0x0F, 0xAE, 0xC0 };     /* rdfsbase rax */
    start(DM_64, VENDOR_INTEL, rdfs, sizeof rdfs);
    expect_fault(th_run(&t, 1), EXC_UD);
    cpu->cr4 |= CR4_FSGSBASE;
    cpu->seg[SEG_FS].base = 0xFFFF812345678000ull;
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 1));
    cr_expect_eq(0xFFFF812345678000ull, cpu->gpr[RAX]);
}

Test(fastcall, wrgsbase_sets_the_base_and_rejects_non_canonical_values)
{
    static const uint8_t code[] = {
        0xF3, 0x48, 0x0F, 0xAE, 0xD9,                   /* wrgsbase rcx */
        0x65, 0x8B, 0x04, 0x25, 0x10, 0, 0, 0,          /* mov eax, gs:[0x10] */
    };
    start(DM_64, VENDOR_INTEL, code, sizeof code);
    cpu->cr4 |= CR4_FSGSBASE;
    th_poke(&t, TH_DATA + 0x10, 4, 0xA5A5A5A5);
    cpu->gpr[RCX] = 0x0100000000000000ull;             /* non-canonical in 57 bits too */
    expect_fault(th_run(&t, 1), EXC_GP);
    cpu->gpr[RCX] = TH_DATA;
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 2));
    cr_expect_eq(0xA5A5A5A5, cpu->gpr[RAX]);
}

Test(fastcall, rdgsbase_with_a_32bit_operand_zero_extends_the_low_half)
{
    static const uint8_t code[] = { 0xF3, 0x0F, 0xAE, 0xCA };  /* rdgsbase edx */
    start(DM_64, VENDOR_INTEL, code, sizeof code);
    cpu->cr4 |= CR4_FSGSBASE;
    cpu->seg[SEG_GS].base = 0xFFFF800012345678ull;
    cpu->gpr[RDX] = ~0ull;
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 1));
    cr_expect_eq(0x12345678, cpu->gpr[RDX]);
}

/* ---- NMI ------------------------------------------------------------------------------------ */

/* Real mode: NMI handler at 0000:0600 "inc si; iret"; code of nops. */
static void nmi_start(const uint8_t *code, size_t n)
{
    th_start(&t, DM_16, code, n);
    cpu->stop_on_exception = false;
    th_poke(&t, 2 * 4, 2, 0x0600);
    th_poke(&t, 2 * 4 + 2, 2, 0);
    th_poke(&t, 0x600, 2, 0xCF46);      /* inc si; iret */
}

Test(fastcall, nmi_is_taken_with_if_clear_through_vector_2)
{
    static const uint8_t code[] = { 0x90, 0x90, 0x90 };
    nmi_start(code, sizeof code);
    cpu_set_flags(cpu, FL_1);           /* IF = 0 */
    cpu_set_nmi(cpu);
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 3));       /* inc si, iret, nop */
    cr_expect_eq(1, cpu->gpr[RSI]);
    cr_expect_eq(TH_CODE + 1, cpu->rip);
    cr_expect_not(cpu->nmi_blocked, "IRET ends the blocking");
}

Test(fastcall, a_second_nmi_waits_until_the_handlers_iret)
{
    static const uint8_t code[] = { 0x90, 0x90, 0x90, 0x90 };
    nmi_start(code, sizeof code);
    th_poke(&t, 0x600, 4, 0xCF909046);  /* inc si; nop; nop; iret */
    cpu_set_nmi(cpu);
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 1));       /* in the handler: inc si */
    cr_expect(cpu->nmi_blocked);
    cpu_set_nmi(cpu);
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 2));       /* nop, nop: still blocked */
    cr_expect_eq(1, cpu->gpr[RSI]);
    cr_expect(cpu->nmi_pending);
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 2));       /* iret, then the second NMI's inc si */
    cr_expect_eq(2, cpu->gpr[RSI]);
}

Test(fastcall, nmi_wakes_hlt_with_interrupts_disabled)
{
    static const uint8_t code[] = { 0xF4, 0x90 };   /* hlt; nop */
    nmi_start(code, sizeof code);
    cpu_set_flags(cpu, FL_1);
    cr_assert_eq(EXIT_HALT, th_run(&t, 5));
    cpu_set_nmi(cpu);
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 3));       /* inc si, iret, nop */
    cr_expect_eq(1, cpu->gpr[RSI]);
    cr_expect_eq(TH_CODE + 2, cpu->rip);
}
