/* lm_pcid.c - process-context identifiers and the TLB (SDM Vol. 3 sec. 4.10):
 * the CR4.PCIDE #GP rules, MOV to CR3 with and without bit 63 (a stale
 * translation kept for the PCID, or dropped), translations of another PCID
 * not used, global pages across PCIDs, INVLPG, and INVPCID types 0-3 with
 * their #GP checks.  A translation is observed as stale by changing its PTE
 * without invalidating: the old frame's value is still read.
 *
 * QEMU 7.2's TCG has no PCID or INVPCID (and hangs on a CR4 write it does
 * not accept), so this image has no oracle: every expectation below is the
 * SDM's, traced step by step in the comments.
 */
#include "lib/sys64.h"

static struct fault64 f;
extern uint64_t page_dirs[4 * 512], pml4[512];
static uint64_t pt[512] __attribute__((aligned(4096)));
uint64_t addr_in, val_out, cr3_in, cr4_in, invpcid_type;
uint64_t invpcid_desc[2] __attribute__((aligned(16)));

ASM_FN(k_read, "mov addr_in(%rip), %rcx\n mov (%rcx), %rax\n mov %rax, val_out(%rip)\n ret");
ASM_FN(k_cr4, "mov cr4_in(%rip), %rax\n" LABEL(k_cr4_at) "mov %rax, %cr4\n ret");
ASM_FN(k_cr3, "mov cr3_in(%rip), %rax\n" LABEL(k_cr3_at) "mov %rax, %cr3\n ret");
ASM_FN(k_invpcid, "mov invpcid_type(%rip), %rax\n lea invpcid_desc(%rip), %rcx\n"
       LABEL(k_invpcid_at) "invpcid (%rcx), %rax\n ret");
extern char k_cr4_at[], k_cr3_at[], k_invpcid_at[];

#define VA 0x400000ull                 /* mapped through pt, 4 KiB pages */
#define VA_G 0x401000ull               /* a global page */
#define P1 0x310000ull
#define P2 0x311000ull
#define PCIDE (1ull << 17)
#define PGE (1ull << 7)
#define NOFLUSH (1ull << 63)

static uint64_t base_cr3;

static uint64_t rd(uint64_t va)
{
    addr_in = va;
    val_out = 0xDEAD;
    run_catch64(k_read, &f);
    return val_out;
}

static void map(uint64_t va, uint64_t pa, uint64_t extra) { pt[va >> 12 & 511] = pa | 0x3 | extra; }

static int set_cr4(uint64_t v) { cr4_in = v; return run_catch64(k_cr4, &f); }
static int set_cr3(uint64_t v) { cr3_in = v; return run_catch64(k_cr3, &f); }
static int invpcid(uint64_t type, uint64_t pcid, uint64_t addr)
{
    invpcid_type = type, invpcid_desc[0] = pcid, invpcid_desc[1] = addr;
    return run_catch64(k_invpcid, &f);
}

static void rules(void)
{
    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    check_eq64("pcid_cpuid_advertised", 1u << 17, c & 1u << 17);
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
    check_eq64("invpcid_cpuid_advertised", 1u << 10, b & 1u << 10);

    write_cr3_64(base_cr3 | 0x5);                  /* CR3[11:0] = 5 while PCIDE = 0 */
    set_cr4(read_cr(4) | PCIDE);
    check_fault64("pcid_pcide_with_cr3_low_bits_gp", &f, 13, 0, k_cr4_at);
    write_cr3_64(base_cr3);
    check_eq64("pcid_pcide_with_cr3_low_zero_ok", (uint64_t)NO_FAULT,
               (uint64_t)(int64_t)set_cr4(read_cr(4) | PCIDE));
    check_eq64("pcid_pcide_set", PCIDE, read_cr(4) & PCIDE);
    check_eq64("pcid_cr3_reads_pcid", 0x7, (set_cr3(base_cr3 | 7), read_cr(3) & 0xFFF));
    check_eq64("pcid_cr3_bit63_not_stored", 0, (set_cr3(base_cr3 | 7 | NOFLUSH), read_cr(3) >> 63));
    invpcid(4, 0, 0);
    check_fault64("invpcid_type4_gp", &f, 13, 0, k_invpcid_at);
    invpcid(0, 0x1000, VA);
    check_fault64("invpcid_pcid_above_fff_gp", &f, 13, 0, k_invpcid_at);
    invpcid(0, 1, 0x0100000000000000ull);                  /* non-canonical in 57 bits too */
    check_fault64("invpcid_type0_noncanonical_gp", &f, 13, 0, k_invpcid_at);
}

/* The comments give the PTE and the TLB after each step ({pcid: frame}). */
static void tlb(void)
{
    *(volatile uint64_t *)P1 = 0x1111;
    *(volatile uint64_t *)P2 = 0x2222;
    map(VA, P1, 0);
    set_cr3(base_cr3 | 1);                         /* flushes PCID 1 */
    check_eq64("pcid1_fill_p1", 0x1111, rd(VA));   /* PTE P1; {1: P1} */
    map(VA, P2, 0);
    set_cr3(base_cr3 | 1 | NOFLUSH);               /* PTE P2; {1: P1} kept */
    check_eq64("pcid_noflush_keeps_stale_translation", 0x1111, rd(VA));
    set_cr3(base_cr3 | 1);                         /* {1: -} then {1: P2} */
    check_eq64("pcid_cr3_without_bit63_flushes", 0x2222, rd(VA));

    set_cr3(base_cr3 | 2);                         /* {1: P2, 2: P2} */
    check_eq64("pcid2_fill_p2", 0x2222, rd(VA));
    map(VA, P1, 0);
    set_cr3(base_cr3 | 1 | NOFLUSH);               /* PTE P1; PCID 1 still uses P2 */
    check_eq64("pcid1_entry_survives_pcid2_use", 0x2222, rd(VA));
    __asm__ volatile("invlpg (%0)" : : "r"(VA) : "memory");   /* {1: P1, 2: P2} */
    check_eq64("pcid_invlpg_current_pcid", 0x1111, rd(VA));
    set_cr3(base_cr3 | 2 | NOFLUSH);               /* PCID 2 still holds P2 */
    check_eq64("pcid2_still_stale_after_pcid1_invlpg", 0x2222, rd(VA));

    invpcid(0, 2, VA);                             /* type 0: {1: P1, 2: P1} */
    check_eq64("invpcid_type0_address", 0x1111, rd(VA));
    map(VA, P2, 0);
    invpcid(1, 2, 0);                              /* type 1, PCID 2: {1: P1, 2: P2} */
    check_eq64("invpcid_type1_context", 0x2222, rd(VA));
    map(VA, P1, 0);
    invpcid(1, 3, 0);                              /* another PCID: {2: P2} stays */
    check_eq64("invpcid_type1_other_pcid_keeps", 0x2222, rd(VA));
    invpcid(3, 0, 0);                              /* type 3: every non-global entry */
    check_eq64("invpcid_type3_all_contexts", 0x1111, rd(VA));

    write_cr4_64(read_cr(4) | PGE);                /* a CR4.PGE change flushes all */
    map(VA_G, P1, 0x100);
    check_eq64("global_fill_p1", 0x1111, rd(VA_G));   /* global: any PCID */
    map(VA_G, P2, 0x100);
    set_cr3(base_cr3 | 3);                         /* flushes PCID 3's non-global only */
    check_eq64("global_survives_cr3_to_other_pcid", 0x1111, rd(VA_G));
    invpcid(3, 0, 0);
    check_eq64("invpcid_type3_keeps_global", 0x1111, rd(VA_G));
    invpcid(2, 0, 0);                              /* type 2: globals too */
    check_eq64("invpcid_type2_flushes_global", 0x2222, rd(VA_G));
    write_cr4_64(read_cr(4) & ~PGE);
}

void guest_main(uint32_t magic, const uint8_t *mbi)
{
    (void)magic, (void)mbi;
    sys64_init();
    for (uint64_t i = 0; i < 512; i++) pt[i] = ((VA & ~0x1FFFFFull) + (i << 12)) | 0x3;
    page_dirs[VA >> 21] = (uint64_t)pt | 0x7;
    base_cr3 = read_cr(3) & ~0xFFFull;
    write_cr3_64(base_cr3);
    rules();
    tlb();
    set_cr3(base_cr3);
    write_cr4_64(read_cr(4) & ~PCIDE);
}
