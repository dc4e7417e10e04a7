/* lm_paging.c - 4-level paging (SDM Vol. 3 sec. 4.5): 4 KiB, 2 MiB and
 * 1 GiB pages, the accessed and dirty bits at each level, NX with EFER.NXE,
 * U/S from ring 3, reserved bits (RSVD), and the #PF error code and CR2 in
 * 64-bit mode.
 */
#include "lib/sys64.h"

static struct fault64 f;
extern uint64_t pml4[512], pdpt[512], page_dirs[4 * 512];
static uint64_t pt[512] __attribute__((aligned(4096)));
uint64_t addr_in, val_out;

ASM_FN(k_read, "mov addr_in(%rip), %rcx\n" LABEL(k_read_at) "mov (%rcx), %rax\n mov %rax, val_out(%rip)\n ret");
ASM_FN(k_write, "mov addr_in(%rip), %rcx\n" LABEL(k_write_at) "movq $0x7777, (%rcx)\n ret");
ASM_FN(k_call, "mov addr_in(%rip), %rcx\n call *%rcx\n ret");
ASM_FN(u_read, "mov addr_in(%rip), %rcx\n" LABEL(u_read_at) "mov (%rcx), %rax\n int $0x80");
extern char k_read_at[], k_write_at[], u_read_at[];

#define VA 0x400000ull                 /* through pt: 4 KiB pages over 4-6 MiB */
#define P1 0x310000ull
#define GIB4 0x100000000ull            /* PDPT[4]: a 1 GiB page at 4 GiB -> 0 */
#define A 0x20ull
#define D 0x40ull
#define NX (1ull << 63)

static void flush(void) { write_cr3_64(read_cr(3)); }

static void expect_pf(const char *name, void (*fn)(void), int user, uint64_t va, uint64_t err,
                      const void *at)
{
    addr_in = va;
    if (user) run_user64(fn, &f, 0);
    else run_catch64(fn, &f);
    check_fault64(name, &f, 14, err, at);
}

static uint64_t rd(uint64_t va)
{
    addr_in = va;
    val_out = 0xDEAD;
    run_catch64(k_read, &f);
    return val_out;
}

void guest_main(uint32_t magic, const uint8_t *mbi)
{
    (void)magic, (void)mbi;
    sys64_init();
    for (uint64_t i = 0; i < 512; i++) pt[i] = (VA + (i << 12)) | 0x7;
    page_dirs[VA >> 21] = (uint64_t)pt | 0x7;
    flush();
    *(volatile uint64_t *)P1 = 0x1111;

    pt[0] = P1 | 0x3;                                   /* supervisor, RW, A/D clear */
    pml4[0] &= ~A;
    pdpt[0] &= ~A;
    page_dirs[VA >> 21] &= ~A;
    flush();
    check_eq64("lm4k_read_maps", 0x1111, rd(VA));
    check_eq64("lm4k_pml4e_a", A, pml4[0] & A);
    check_eq64("lm4k_pdpte_a", A, pdpt[0] & A);
    check_eq64("lm4k_pde_a", A, page_dirs[VA >> 21] & A);
    check_eq64("lm4k_pte_a", A, pt[0] & A);
    check_eq64("lm4k_pte_d_clear_after_read", 0, pt[0] & D);
    addr_in = VA;
    run_catch64(k_write, &f);
    check_eq64("lm4k_pte_d_after_write", D, pt[0] & D);
    check_eq64("lm4k_write_lands", 0x7777, *(volatile uint64_t *)P1);

    expect_pf("lm_user_read_supervisor_page", u_read, 1, VA, 0x5, u_read_at);
    check_eq64("lm_user_read_cr2", VA, f.cr2);
    pt[1] = 0;
    flush();
    expect_pf("lm_not_present_read", k_read, 0, VA + 0x1000, 0x0, k_read_at);
    expect_pf("lm_not_present_write", k_write, 0, VA + 0x1000, 0x2, k_write_at);
    pt[1] = (P1 + 0x1000) | 0x3 | 1ull << 51;           /* bit 51: above MAXPHYADDR */
    flush();
    expect_pf("lm_pte_reserved_bit_rsvd", k_read, 0, VA + 0x1000, 0x9, k_read_at);
    pt[1] = (VA + 0x1000) | 0x7;

    *(volatile uint8_t *)(VA + 0x2000) = 0xC3;          /* RET */
    wrmsr64(0xC0000080, rdmsr64(0xC0000080) | 0x800);   /* NXE */
    pt[2] = (VA + 0x2000) | 0x3 | NX;
    flush();
    expect_pf("lm_fetch_nx_page", k_call, 0, VA + 0x2000, 0x11, (void *)(VA + 0x2000));
    check_eq64("lm_read_nx_page_ok", 0xC3, rd(VA + 0x2000) & 0xFF);
    pt[2] = (VA + 0x2000) | 0x3;
    flush();
    addr_in = VA + 0x2000;
    check_eq64("lm_fetch_without_nx_ok", (uint64_t)NO_FAULT, (uint64_t)(int64_t)run_catch64(k_call, &f));
    page_dirs[VA >> 21] |= NX;                          /* NX at the PDE covers the PTE */
    flush();
    expect_pf("lm_fetch_nx_in_pde", k_call, 0, VA + 0x2000, 0x11, (void *)(VA + 0x2000));
    page_dirs[VA >> 21] &= ~NX;
    flush();

    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000001), "c"(0));
    check_eq64("lm_1g_pages_advertised", 1u << 26, d & 1u << 26);
    pdpt[4] = 0x0 | 0x83;                               /* 1 GiB page: 4 GiB -> 0 */
    flush();
    *(volatile uint64_t *)P1 = 0x1111;
    check_eq64("lm_1g_page_maps", 0x1111, rd(GIB4 + P1));
    check_eq64("lm_1g_page_a", A, pdpt[4] & A);
    check_eq64("lm_1g_page_d_clear", 0, pdpt[4] & D);
    addr_in = GIB4 + P1;
    run_catch64(k_write, &f);
    check_eq64("lm_1g_page_d_after_write", D, pdpt[4] & D);
    pdpt[4] = 0x83 | 1ull << 13;                        /* bit 13 of a 1 GiB PDPTE: reserved */
    flush();
    expect_pf("lm_1g_page_reserved_bit_rsvd", k_read, 0, GIB4, 0x9, k_read_at);
    pdpt[4] = 0;
    flush();
    expect_pf("lm_pdpte_not_present", k_read, 0, GIB4, 0x0, k_read_at);
    check_eq64("lm_pdpte_not_present_cr2", GIB4, f.cr2);
}
