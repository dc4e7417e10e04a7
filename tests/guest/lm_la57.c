/* lm_la57.c - 5-level paging (SDM Vol. 3 sec. 2.5, 4.5): CR4.LA57 cannot
 * change in IA-32e mode, so the test leaves it through compatibility mode
 * (CR0.PG off clears EFER.LMA), sets LA57 and a PML5 table in CR3, and
 * turns paging on again.  Then: translations through the PML5 (bits 56:48),
 * its accessed bit, #PF error codes and CR2 at the PML5 level, reserved
 * bits, U/S there, 57-bit canonical addresses for data, stack and branch
 * targets, FS.base above 2^47 and INVLPG of such a page.
 */
#include "lib/sys64.h"

static struct fault64 f;
extern uint64_t pml4[512], pdpt[512];
static uint64_t pml5[512] __attribute__((aligned(4096)));
static uint64_t pml4_hi[512] __attribute__((aligned(4096)));
uint64_t addr_in, val_out, cr4_in, new_cr3;
static volatile uint64_t marker = 0x5757575757575757ull;

ASM_FN(k_read, "mov addr_in(%rip), %rcx\n" LABEL(k_read_at) "mov (%rcx), %rax\n mov %rax, val_out(%rip)\n ret");
ASM_FN(k_write, "mov addr_in(%rip), %rcx\n" LABEL(k_write_at) "movq $0x7777, (%rcx)\n ret");
ASM_FN(k_stack, "mov addr_in(%rip), %rax\n" LABEL(k_stack_at) "mov (%rsp, %rax), %rbx\n ret");
ASM_FN(k_jump, "mov addr_in(%rip), %rax\n" LABEL(k_jump_at) "jmp *%rax");
ASM_FN(k_call, "mov addr_in(%rip), %rcx\n call *%rcx\n ret");
ASM_FN(k_ret, "ret");
ASM_FN(k_fs_read, "mov addr_in(%rip), %rcx\n mov %fs:(%rcx), %rax\n mov %rax, val_out(%rip)\n ret");
ASM_FN(k_cr4, "mov cr4_in(%rip), %rax\n" LABEL(k_cr4_at) "mov %rax, %cr4\n ret");
ASM_FN(u_read, "mov addr_in(%rip), %rcx\n" LABEL(u_read_at) "mov (%rcx), %rax\n int $0x80");
/* Out of IA-32e mode and back with CR4.LA57 set and CR3 = new_cr3: a far
 * jump to compatibility code, CR0.PG off (EFER.LMA clears), CR4 and CR3,
 * CR0.PG on (EFER.LME activates IA-32e mode again, now 5-level), and a far
 * jump to 64-bit code.  Interrupts stay off throughout. */
ASM_FN(k_enter_la57,
       "pushfq\n cli\n lea 1f(%rip), %rax\n mov %eax, la57_target(%rip)\n"
       "ljmp *la57_far(%rip)\n"
       ".code32\n"
       "1: mov %cr0, %eax\n and $0x7FFFFFFF, %eax\n mov %eax, %cr0\n"
       " mov %cr4, %eax\n or $0x1000, %eax\n mov %eax, %cr4\n"
       " mov new_cr3, %eax\n mov %eax, %cr3\n"
       " mov %cr0, %eax\n or $0x80000000, %eax\n mov %eax, %cr0\n"
       " ljmp $0x10, $2f\n"
       ".code64\n"
       "2: popfq\n ret\n"
       ".data\n la57_far:\n la57_target: .long 0\n .word 0x08\n .text");
extern char k_read_at[], k_write_at[], k_stack_at[], k_jump_at[], k_cr4_at[], u_read_at[];

#define A 0x20ull
#define HI(i) ((uint64_t)(i) << 48)         /* PML5 index i, bits 47:0 zero */
#define WIDE 0x0000800000000000ull          /* canonical in 57 bits, not in 48 */
#define NC57 0x0100000000000000ull          /* non-canonical in 57 bits */

static void flush(void) { write_cr3_64(read_cr(3)); }

static uint64_t rd(uint64_t va)
{
    addr_in = va;
    val_out = 0xDEAD;
    run_catch64(k_read, &f);
    return val_out;
}

static void expect_fault(const char *name, void (*fn)(void), uint64_t va, int vec, uint64_t err,
                         const void *at)
{
    addr_in = va;
    run_catch64(fn, &f);
    check_fault64(name, &f, vec, err, at);
}

static void cpuid_checks(void)
{
    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
    check_eq64("la57_cpuid_7_ecx16", 1u << 16, c & 1u << 16);
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000008u), "c"(0));
    check_eq64("la57_cpuid_linear_bits_57", 57, (a >> 8) & 0xFF);
}

static void enter(void)
{
    cr4_in = read_cr(4) | 0x1000;
    run_catch64(k_cr4, &f);
    check_fault64("la57_cr4_set_in_ia32e_mode_gp", &f, 13, 0, k_cr4_at);
    check_eq64("la57_cr4_unchanged_after_gp", 0, read_cr(4) & 0x1000);

    pml5[0] = (uint64_t)pml4 | 0x7;
    pml4_hi[0] = (uint64_t)pdpt | 0x7;     /* HI(n) + x maps x for x < 4 GiB */
    new_cr3 = (uint64_t)pml5;
    k_enter_la57();
    check_eq64("la57_cr4_la57_set", 0x1000, read_cr(4) & 0x1000);
    check_eq64("la57_efer_lma_again", 0x400, rdmsr64(0xC0000080) & 0x400);
    check_eq64("la57_cr3_is_the_pml5", (uint64_t)pml5, read_cr(3) & ~0xFFFull);
}

static void translations(void)
{
    uint64_t m = (uint64_t)&marker;
    check_eq64("la57_identity_maps", marker, rd(m));
    pml5[0xAB] = (uint64_t)pml4_hi | 0x7;
    flush();
    check_eq64("la57_high_address_maps", marker, rd(HI(0xAB) + m));
    check_eq64("la57_pml5e_accessed", A, pml5[0xAB] & A);
    check_eq64("la57_pml4e_below_accessed", A, pml4_hi[0] & A);
    pml4[256] = (uint64_t)pdpt | 0x7;      /* 2^47 + x maps x */
    flush();
    check_eq64("la57_bit47_address_maps", marker, rd(WIDE + m));
    addr_in = WIDE + (uint64_t)k_ret;
    check_eq64("la57_call_to_bit47_code", (uint64_t)NO_FAULT,
               (uint64_t)(int64_t)run_catch64(k_call, &f));
    wrmsr64(0xC0000100, HI(0xAB));          /* FS.base */
    addr_in = m;
    val_out = 0;
    run_catch64(k_fs_read, &f);
    check_eq64("la57_fs_base_above_2_47", marker, val_out);
    wrmsr64(0xC0000100, 0);
}

static void faults(void)
{
    expect_fault("la57_pml5e_not_present_read", k_read, HI(0xAC) + 0x10, 14, 0, k_read_at);
    check_eq64("la57_pml5e_not_present_cr2", HI(0xAC) + 0x10, f.cr2);
    expect_fault("la57_pml5e_not_present_write", k_write, HI(0xAC), 14, 2, k_write_at);
    pml5[0xAD] = (uint64_t)pml4_hi | 0x7 | 0x80;    /* PS: reserved in a PML5E */
    flush();
    expect_fault("la57_pml5e_ps_reserved_rsvd", k_read, HI(0xAD), 14, 0x9, k_read_at);
    pml5[0xAE] = (uint64_t)pml4_hi | 0x3;           /* supervisor at the PML5 */
    flush();
    addr_in = HI(0xAE) + (uint64_t)&marker;
    run_user64(u_read, &f, 0);
    check_fault64("la57_user_read_supervisor_pml5e", &f, 14, 0x5, u_read_at);

    expect_fault("la57_noncanonical57_read_gp", k_read, NC57, 13, 0, k_read_at);
    expect_fault("la57_noncanonical57_high_write_gp", k_write, 0xFEFFFFFFFFFFF000ull, 13, 0,
                 k_write_at);
    expect_fault("la57_noncanonical57_stack_ref_ss0", k_stack, NC57, 12, 0, k_stack_at);
    addr_in = NC57;
    run_catch64(k_jump, &f);
    check_eq64("la57_noncanonical57_jump_gp", 13, (uint64_t)f.vector);
    check_eq64("la57_noncanonical57_jump_gp_at_jmp", (uint64_t)k_jump_at, f.rip);
}

static void invalidation(void)
{
    uint64_t va = HI(0xAB) + (uint64_t)&marker;
    check_eq64("la57_invlpg_before", marker, rd(va));
    pml5[0xAB] = 0;                         /* the TLB still holds the page */
    __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
    expect_fault("la57_invlpg_drops_the_high_page", k_read, va, 14, 0, k_read_at);

    cr4_in = read_cr(4) & ~0x1000ull;
    run_catch64(k_cr4, &f);
    check_fault64("la57_cr4_clear_in_ia32e_mode_gp", &f, 13, 0, k_cr4_at);
}

void guest_main(uint32_t magic, const uint8_t *mbi)
{
    (void)magic, (void)mbi;
    sys64_init();
    cpuid_checks();
    enter();
    translations();
    faults();
    invalidation();
}
