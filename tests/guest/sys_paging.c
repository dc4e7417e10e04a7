/* sys_paging.c - paging (SDM Vol. 3 ch. 4): 32-bit with 4 KiB and 4 MiB
 * (PSE) pages, PAE with 2 MiB pages and NX; U/S, R/W with CR0.WP, the
 * accessed and dirty bits, #PF error codes (P, W/R, U/S, RSVD, I/D) and CR2,
 * a stale translation kept until INVLPG or MOV CR3, global pages.
 */
#include "lib/sys.h"

static struct fault f;
uint32_t addr_in, val_out;

ASM_FN(k_read, "mov addr_in, %ecx\n" LABEL(k_read_at) "mov (%ecx), %eax\n mov %eax, val_out\n ret");
ASM_FN(k_write, "mov addr_in, %ecx\n" LABEL(k_write_at) "movl $0x7777, (%ecx)\n ret");
ASM_FN(k_call, "mov addr_in, %ecx\n call *%ecx\n ret");
ASM_FN(u_read, "mov addr_in, %ecx\n" LABEL(u_read_at) "mov (%ecx), %eax\n int $0x80");
ASM_FN(u_write, "mov addr_in, %ecx\n" LABEL(u_write_at) "movl $0x7777, (%ecx)\n int $0x80");
extern char k_read_at[], k_write_at[], u_read_at[], u_write_at[];

#define CR4_PSE 0x10u
#define CR4_PAE 0x20u
#define CR4_PGE 0x80u
#define CR0_WP 0x10000u
#define P1 0x310000u                 /* two physical frames with known contents */
#define P2 0x311000u

static uint32_t *pte32(uint32_t va) { return &pt32_low[va >> 12 & 0x3FF]; }

static void expect_pf(const char *name, void (*fn)(void), int user, uint32_t va, uint32_t err,
                      const void *at)
{
    addr_in = va;
    if (user) run_user(fn, &f);
    else run_catch(fn, &f);
    check_fault(name, &f, 14, err, at);
    char cr2_name[80];
    unsigned n = 0;
    for (const char *c = name; *c && n < sizeof cr2_name - 5; c++) cr2_name[n++] = *c;
    for (const char *c = "_cr2"; *c; c++) cr2_name[n++] = *c;
    cr2_name[n] = 0;
    check_eq(cr2_name, va, f.cr2);
}

static uint32_t kread(uint32_t va)
{
    addr_in = va;
    val_out = 0xDEAD;
    run_catch(k_read, &f);
    return val_out;
}

static void paging32(void)
{
    *(volatile uint32_t *)P1 = 0x11111111;
    *(volatile uint32_t *)P2 = 0x22222222;
    paging_on(paging32_build(), CR4_PSE);
    check_eq("pg32_on", 0x80000000u, read_cr0() & 0x80000000u);
    check_eq("pg32_identity_read", 0x11111111, kread(P1));

    *pte32(0x300000) = 0;
    invlpg((void *)0x300000);
    expect_pf("pg32_not_present_read", k_read, 0, 0x300000, 0x0, k_read_at);
    expect_pf("pg32_not_present_write", k_write, 0, 0x300000, 0x2, k_write_at);
    expect_pf("pg32_not_present_user_read", u_read, 1, 0x300000, 0x4, u_read_at);
    expect_pf("pg32_not_present_fetch_no_id_bit", k_call, 0, 0x300000, 0x0, (void *)0x300000);

    *pte32(0x301000) = P1 | PTE_P | PTE_U;                    /* read-only */
    invlpg((void *)0x301000);
    addr_in = 0x301000;
    check_eq("pg32_ro_supervisor_write_wp0_ok", (uint32_t)NO_FAULT, (uint32_t)run_catch(k_write, &f));
    check_eq("pg32_ro_write_wp0_lands", 0x7777, *(volatile uint32_t *)P1);
    write_cr0(read_cr0() | CR0_WP);
    expect_pf("pg32_ro_supervisor_write_wp1", k_write, 0, 0x301000, 0x3, k_write_at);
    expect_pf("pg32_ro_user_write", u_write, 1, 0x301000, 0x7, u_write_at);
    addr_in = 0x301000;
    check_eq("pg32_ro_user_read_ok", (uint32_t)NO_FAULT, (uint32_t)run_user(u_read, &f));
    write_cr0(read_cr0() & ~CR0_WP);

    *pte32(0x302000) = P1 | PTE_P | PTE_W;                    /* supervisor only */
    invlpg((void *)0x302000);
    expect_pf("pg32_supervisor_page_user_read", u_read, 1, 0x302000, 0x5, u_read_at);
    expect_pf("pg32_supervisor_page_user_write", u_write, 1, 0x302000, 0x7, u_write_at);
    addr_in = 0x302000;
    check_eq("pg32_supervisor_page_kernel_ok", (uint32_t)NO_FAULT, (uint32_t)run_catch(k_read, &f));

    pd32[1] = (uint32_t)pt32_low | PTE_P | PTE_W;            /* 4-8 MiB: PDE U=0, PTE U=1 */
    *pte32(0x303000) = P1 | PTE_P | PTE_W | PTE_U;
    write_cr3(read_cr3());
    expect_pf("pg32_pde_user_clear_wins", u_read, 1, 0x403000, 0x5, u_read_at);
    pd32[1] = 1u << 22 | PTE_PS | PTE_U | PTE_W | PTE_P;
    write_cr3(read_cr3());
}

static void accessed_dirty32(void)
{
    *(volatile uint32_t *)P1 = 0x11111111;
    *pte32(0x304000) = P1 | PTE_P | PTE_W;
    pd32[0] &= ~PTE_A;
    write_cr3(read_cr3());
    check_eq("pg32_ad_read_value", 0x11111111, kread(0x304000));
    check_eq("pg32_read_sets_pte_a", PTE_A, *pte32(0x304000) & PTE_A);
    check_eq("pg32_read_leaves_pte_d", 0, *pte32(0x304000) & PTE_D);
    check_eq("pg32_walk_sets_pde_a", PTE_A, pd32[0] & PTE_A);
    addr_in = 0x304000;
    run_catch(k_write, &f);
    check_eq("pg32_write_sets_pte_d", PTE_D, *pte32(0x304000) & PTE_D);
    check_eq("pg32_pde_d_untouched_for_table", 0, pd32[0] & PTE_D);

    *pte32(0x305000) = P2 | PTE_P | PTE_U;                     /* read-only: the write faults */
    invlpg((void *)0x305000);
    write_cr0(read_cr0() | CR0_WP);
    addr_in = 0x305000;
    run_catch(k_write, &f);
    write_cr0(read_cr0() & ~CR0_WP);
    check_eq("pg32_faulting_write_no_d", 0, *pte32(0x305000) & PTE_D);

    pd32[0x100] = 0x00400000u | PTE_PS | PTE_P | PTE_W;       /* 1 GiB -> 4 MiB, 4 MiB page */
    write_cr3(read_cr3());
    *(volatile uint32_t *)0x400100 = 0xABCD0123;
    check_eq("pg32_4m_page_maps", 0xABCD0123, kread(0x40000100));
    check_eq("pg32_4m_read_sets_a", PTE_A, pd32[0x100] & PTE_A);
    check_eq("pg32_4m_read_leaves_d", 0, pd32[0x100] & PTE_D);
    addr_in = 0x40000100;
    run_catch(k_write, &f);
    check_eq("pg32_4m_write_sets_d", PTE_D, pd32[0x100] & PTE_D);
    check_eq("pg32_4m_write_lands", 0x7777, *(volatile uint32_t *)0x400100);

    pd32[0x101] = 0x00400000u | 1u << 21 | PTE_PS | PTE_P | PTE_W;   /* bit 21 reserved */
    write_cr3(read_cr3());
    expect_pf("pg32_4m_reserved_bit_rsvd", k_read, 0, 0x40400000, 0x9, k_read_at);
    pd32[0x101] = 0;
}

static void tlb32(void)
{
    *(volatile uint32_t *)P1 = 0x11111111;
    *(volatile uint32_t *)P2 = 0x22222222;
    *pte32(0x306000) = P1 | PTE_P | PTE_W;
    invlpg((void *)0x306000);
    check_eq("pg32_tlb_fill_p1", 0x11111111, kread(0x306000));
    *pte32(0x306000) = P2 | PTE_P | PTE_W;
    check_eq("pg32_stale_translation_without_invlpg", 0x11111111, kread(0x306000));
    invlpg((void *)0x306000);
    check_eq("pg32_invlpg_sees_new_pte", 0x22222222, kread(0x306000));
    *pte32(0x306000) = P1 | PTE_P | PTE_W;
    write_cr3(read_cr3());
    check_eq("pg32_mov_cr3_sees_new_pte", 0x11111111, kread(0x306000));

    write_cr4(read_cr4() | CR4_PGE);
    *pte32(0x307000) = P1 | PTE_P | PTE_W | PTE_G;
    invlpg((void *)0x307000);
    check_eq("pg32_global_fill_p1", 0x11111111, kread(0x307000));
    *pte32(0x307000) = P2 | PTE_P | PTE_W | PTE_G;
    write_cr3(read_cr3());
    check_eq("pg32_global_survives_mov_cr3", 0x11111111, kread(0x307000));
    write_cr4(read_cr4() & ~CR4_PGE);
    check_eq("pg32_cr4_pge_toggle_flushes_global", 0x22222222, kread(0x307000));
    paging_off();
}

static uint64_t *ptepae(uint32_t va) { return &ptpae_low[va >> 12 & 0x1FF]; }

static void pae(void)
{
    static const uint8_t ret_insn = 0xC3;
    *(volatile uint8_t *)0x1F0000 = ret_insn;
    *(volatile uint32_t *)P1 = 0x11111111;
    write_cr4(read_cr4() & ~CR4_PSE);
    paging_on(paging_pae_build(), CR4_PAE);
    check_eq("pae_on", CR4_PAE, read_cr4() & CR4_PAE);
    check_eq("pae_identity_read_2m", 0x11111111, kread(P1));
    check_eq("pae_identity_read_4k", 0xC3, kread(0x1F0000) & 0xFF);
    addr_in = 0x1F0000;
    check_eq("pae_execute_ok_without_xd", (uint32_t)NO_FAULT, (uint32_t)run_catch(k_call, &f));

    wrmsr(0xC0000080, rdmsr(0xC0000080) | 0x800);           /* EFER.NXE */
    check_eq("pae_efer_nxe_set", 0x800, (uint32_t)rdmsr(0xC0000080) & 0x800);
    *ptepae(0x1F0000) |= 1ull << 63;
    invlpg((void *)0x1F0000);
    expect_pf("pae_fetch_xd_page_id_bit", k_call, 0, 0x1F0000, 0x11, (void *)0x1F0000);
    check_eq("pae_read_xd_page_ok", 0xC3, kread(0x1F0000) & 0xFF);
    *ptepae(0x1E0000) = 0;
    invlpg((void *)0x1E0000);
    expect_pf("pae_not_present_fetch_id_bit", k_call, 0, 0x1E0000, 0x10, (void *)0x1E0000);
    *ptepae(0x1E0000) = 0x1E0000 | PTE_U | PTE_W | PTE_P;
    wrmsr(0xC0000080, rdmsr(0xC0000080) & ~0x800ull);
    invlpg((void *)0x1F0000);
    expect_pf("pae_xd_bit_reserved_without_nxe", k_read, 0, 0x1F0000, 0x9, k_read_at);
    *ptepae(0x1F0000) &= ~(1ull << 63);

    *ptepae(0x1F1000) = P1 | PTE_P | PTE_W | 1ull << 62;       /* bit 62: reserved in PAE */
    invlpg((void *)0x1F1000);
    expect_pf("pae_pte_reserved_bit_rsvd", k_read, 0, 0x1F1000, 0x9, k_read_at);
    *ptepae(0x1F1000) = 0;
    invlpg((void *)0x1F1000);
    expect_pf("pae_not_present_write", k_write, 0, 0x1F1000, 0x2, k_write_at);
    *ptepae(0x1F1000) = P1 | PTE_P | PTE_U;
    invlpg((void *)0x1F1000);
    expect_pf("pae_ro_user_write", u_write, 1, 0x1F1000, 0x7, u_write_at);

    pdpae[1][1] = 0x200000 | PTE_PS | PTE_P | PTE_W;         /* 1 GiB + 2 MiB -> 2 MiB */
    write_cr3(read_cr3());
    *(volatile uint32_t *)0x200040 = 0x5EEDF00D;
    check_eq("pae_2m_page_maps", 0x5EEDF00D, kread(0x40200040));
    check_eq("pae_2m_read_sets_a", PTE_A, (uint32_t)pdpae[1][1] & PTE_A);
    check_eq("pae_2m_read_leaves_d", 0, (uint32_t)pdpae[1][1] & PTE_D);
    addr_in = 0x40200040;
    run_catch(k_write, &f);
    check_eq("pae_2m_write_sets_d", PTE_D, (uint32_t)pdpae[1][1] & PTE_D);
    pdpae[1][1] = (1ull << 30 | 1ull << 21) | PTE_PS | PTE_U | PTE_W | PTE_P;

    paging_off();
    write_cr4(read_cr4() & ~CR4_PAE);
}

void guest_main(uint32_t magic, const uint8_t *mbi)
{
    (void)magic, (void)mbi;
    sys_init();
    paging32();
    accessed_dirty32();
    tlb32();
    pae();
}
