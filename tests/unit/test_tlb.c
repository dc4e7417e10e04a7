/* test_tlb.c - the architectural TLB (mmu/tlb.c) and the speed TLB in front
 * of it: stale translations, INVLPG, MOV to CR3 with and without PCIDs and
 * the no-flush bit, global pages, INVPCID types 0-3 and their faults, CR4
 * flushes, page-fault invalidation, FIFO replacement, counters, listing and
 * observers; and that the speed path is never more permissive than the TLB
 * (SDM Vol. 3 4.10).
 */
#include <string.h>
#include <criterion/criterion.h>
#include "tests/unit/harness.h"
#include "tests/unit/pt.h"
#include "cpu/ops.h"
#include "mmu/paging.h"
#include "mmu/tlb.h"

static struct th t;
static struct cpu *const cpu = &t.cpu;
static struct pt p;

static void teardown(void) { th_free(&t); }

TestSuite(tlb, .fini = teardown);

#define DATA_LIN 0x400000ull
#define PHYS_A   0x30000ull
#define PHYS_B   0x31000ull
#define DESC     0x4000ull      /* INVPCID descriptor */

/* 0: mov eax, [rbx]   2: invlpg [rbx]   5: mov eax, [rbx]
 * 7: mov cr3, rdx    10: mov eax, [rbx] 12: invpcid rcx, [rsi]  17: mov eax, [rbx] */
static const uint8_t code[] = {
    0x8B, 0x03, 0x0F, 0x01, 0x3B, 0x8B, 0x03, 0x0F, 0x22, 0xDA, 0x8B, 0x03,
    0x66, 0x0F, 0x38, 0x82, 0x0E, 0x8B, 0x03,
};
enum { AT_LOAD = 0, AT_INVLPG = 2, AT_CR3 = 7, AT_INVPCID = 12 };

static void setup(enum pt_mode mode)
{
    th_init(&t, mode == PT_4L ? DM_64 : DM_32);
    pt_setup(&p, &t, mode);
    th_code(&t, code, sizeof code);
    th_poke(&t, PHYS_A, 4, 0xAAAA);
    th_poke(&t, PHYS_B, 4, 0xBBBB);
    cpu->gpr[RBX] = DATA_LIN;
}

/* Run n instructions from code offset at; fail the test if one faults. */
static void run_at(unsigned at, unsigned n)
{
    cpu->rip = TH_CODE + at;
    cr_assert_eq(EXIT_BUDGET, th_run(&t, n), "vector %d error %#x at %#llx", cpu->exc_vector,
                 cpu->exc_error, (unsigned long long)cpu->rip);
}

static uint32_t load_data(void)
{
    run_at(AT_LOAD, 1);
    return (uint32_t)cpu->gpr[RAX];
}

/* Map DATA_LIN to A, use it, then point the PTE at B behind the TLB's back. */
static void cache_then_remap(uint64_t flags)
{
    pt_map(&p, DATA_LIN, PHYS_A, flags);
    cr_assert_eq(0xAAAA, load_data());
    pt_map(&p, DATA_LIN, PHYS_B, flags);
}

static void set_cr4(uint64_t bits)
{
    cpu->cr4 |= bits;
    cpu_update_mode(cpu);
}

/* ---- stale translations and INVLPG --------------------------------------- */

Test(tlb, changed_pte_without_invlpg_still_gives_the_old_mapping)
{
    setup(PT_32);
    cache_then_remap(PG_P | PG_RW);
    cr_expect_eq(0xAAAA, load_data());
}

Test(tlb, invlpg_makes_the_new_mapping_visible)
{
    setup(PT_32);
    cache_then_remap(PG_P | PG_RW);
    run_at(AT_INVLPG, 2);
    cr_expect_eq(0xBBBB, (uint32_t)cpu->gpr[RAX]);
    cr_expect_eq(1, cpu->atlb.stats.flushes[TLB_CAUSE_INVLPG]);
}

Test(tlb, invlpg_drops_a_global_page)
{
    setup(PT_PAE);
    set_cr4(CR4_PGE);
    cache_then_remap(PG_P | PG_G);
    run_at(AT_INVLPG, 2);
    cr_expect_eq(0xBBBB, (uint32_t)cpu->gpr[RAX]);
}

Test(tlb, invlpg_anywhere_in_a_large_page_drops_all_its_pieces)
{
    setup(PT_PAE);
    pt_map_large(&p, 0xC00000, 0, PG_P | PG_RW, 2);
    th_poke(&t, 0x5000, 4, 0x5555);
    cpu->gpr[RBX] = 0xC05000;
    cr_assert_eq(0x5555, load_data());
    pt_set(&p, 0xC00000, 2, 0);                 /* the 2-MiB page is gone */
    cpu->gpr[RBX] = 0xC00000;                   /* INVLPG another 4 KiB of it */
    cpu->rip = TH_CODE + AT_INVLPG;
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 1));
    cpu->gpr[RBX] = 0xC05000;
    cpu->rip = TH_CODE + AT_LOAD;
    cr_assert_eq(EXIT_EXCEPTION, th_run(&t, 1));
    cr_expect_eq(EXC_PF, cpu->exc_vector);
}

Test(tlb, invlpg_at_cpl3_raises_GP0)
{
    setup(PT_32);
    pt_cpl(&t, 3);
    cpu->rip = TH_CODE + AT_INVLPG;
    cr_assert_eq(EXIT_EXCEPTION, th_run(&t, 1));
    cr_expect_eq(EXC_GP, cpu->exc_vector);
    cr_expect_eq(0, cpu->exc_error);
}

/* ---- MOV to CR3, global pages, PCIDs --------------------------------------- */

Test(tlb, mov_cr3_drops_non_global_translations)
{
    setup(PT_32);
    cache_then_remap(PG_P);
    cpu->gpr[RDX] = cpu->cr3;
    run_at(AT_CR3, 2);
    cr_expect_eq(0xBBBB, (uint32_t)cpu->gpr[RAX]);
}

Test(tlb, global_page_survives_mov_cr3)
{
    setup(PT_32);
    set_cr4(CR4_PGE);
    cache_then_remap(PG_P | PG_G);
    cpu->gpr[RDX] = cpu->cr3;
    run_at(AT_CR3, 2);
    cr_expect_eq(0xAAAA, (uint32_t)cpu->gpr[RAX]);
}

Test(tlb, g_bit_without_cr4_pge_is_not_global)
{
    setup(PT_32);
    cache_then_remap(PG_P | PG_G);
    cpu->gpr[RDX] = cpu->cr3;
    run_at(AT_CR3, 2);
    cr_expect_eq(0xBBBB, (uint32_t)cpu->gpr[RAX]);
}

/* 4-level paging with CR4.PCIDE and PCID 1 current. */
static void setup_pcid(void)
{
    setup(PT_4L);
    cpu->cr3 = p.root | 1;
    set_cr4(CR4_PCIDE);
}

static void mov_cr3(uint64_t v)
{
    cpu->gpr[RDX] = v;
    run_at(AT_CR3, 1);
}

Test(tlb, pcid_translation_is_kept_across_mov_cr3_with_bit_63)
{
    setup_pcid();
    cache_then_remap(PG_P);
    mov_cr3(p.root | 2 | CR3_NOFLUSH);
    cr_expect_eq(0xBBBB, load_data(), "PCID 2 walks the tables");
    mov_cr3(p.root | 1 | CR3_NOFLUSH);
    cr_expect_eq(0xAAAA, load_data(), "PCID 1 kept its translation");
    cr_expect_eq(p.root | 1, cpu->cr3, "bit 63 is not written");
}

Test(tlb, pcid_translation_is_dropped_by_mov_cr3_without_bit_63)
{
    setup_pcid();
    cache_then_remap(PG_P);
    mov_cr3(p.root | 2 | CR3_NOFLUSH);
    mov_cr3(p.root | 1);
    cr_expect_eq(0xBBBB, load_data());
}

Test(tlb, mov_cr3_flushes_only_the_new_pcid)
{
    setup_pcid();
    cache_then_remap(PG_P);
    mov_cr3(p.root | 2);                /* flushes PCID 2, not 1 */
    mov_cr3(p.root | 1 | CR3_NOFLUSH);
    cr_expect_eq(0xAAAA, load_data());
}

Test(tlb, global_entry_is_used_under_another_pcid)
{
    setup_pcid();
    set_cr4(CR4_PGE);
    cache_then_remap(PG_P | PG_G);
    mov_cr3(p.root | 2);
    cr_expect_eq(0xAAAA, load_data());
}

/* ---- INVPCID ------------------------------------------------------------------- */

static void invpcid(uint64_t type, uint64_t pcid, uint64_t lin)
{
    th_poke(&t, DESC, 8, pcid);
    th_poke(&t, DESC + 8, 8, lin);
    cpu->gpr[RCX] = type;
    cpu->gpr[RSI] = DESC;
    cpu->rip = TH_CODE + AT_INVPCID;
    th_run(&t, 1);
}

static uint32_t invpcid_then_load(uint64_t type, uint64_t pcid, uint64_t lin)
{
    invpcid(type, pcid, lin);
    cr_assert_eq(EXIT_BUDGET, cpu->exit_reason, "vector %d", cpu->exc_vector);
    return load_data();
}

Test(tlb, invpcid_type0_drops_the_address_for_that_pcid)
{
    setup_pcid();
    cache_then_remap(PG_P);
    cr_expect_eq(0xBBBB, invpcid_then_load(0, 1, DATA_LIN));
    cr_expect_eq(1, cpu->atlb.stats.flushes[TLB_CAUSE_INVPCID_ADDR]);
}

Test(tlb, invpcid_type0_leaves_other_pcids)
{
    setup_pcid();
    cache_then_remap(PG_P);
    cr_expect_eq(0xAAAA, invpcid_then_load(0, 2, DATA_LIN));
}

Test(tlb, invpcid_type0_leaves_global_translations)
{
    setup_pcid();
    set_cr4(CR4_PGE);
    cache_then_remap(PG_P | PG_G);
    cr_expect_eq(0xAAAA, invpcid_then_load(0, 1, DATA_LIN));
}

Test(tlb, invpcid_type1_drops_the_pcid_but_not_globals)
{
    setup_pcid();
    set_cr4(CR4_PGE);
    cache_then_remap(PG_P);
    pt_map(&p, DATA_LIN + 0x1000, PHYS_A, PG_P | PG_G);
    cpu->gpr[RBX] = DATA_LIN + 0x1000;
    cr_assert_eq(0xAAAA, load_data());
    pt_map(&p, DATA_LIN + 0x1000, PHYS_B, PG_P | PG_G);
    cr_expect_eq(0xAAAA, invpcid_then_load(1, 1, 0), "global kept");
    cpu->gpr[RBX] = DATA_LIN;
    cr_expect_eq(0xBBBB, load_data(), "non-global dropped");
}

Test(tlb, invpcid_type2_drops_globals_too)
{
    setup_pcid();
    set_cr4(CR4_PGE);
    cache_then_remap(PG_P | PG_G);
    cr_expect_eq(0xBBBB, invpcid_then_load(2, 0, 0));
}

Test(tlb, invpcid_type3_drops_every_pcid_but_keeps_globals)
{
    setup_pcid();
    set_cr4(CR4_PGE);
    cache_then_remap(PG_P | PG_G);
    pt_map(&p, DATA_LIN + 0x1000, PHYS_A, PG_P);
    cpu->gpr[RBX] = DATA_LIN + 0x1000;
    mov_cr3(p.root | 2);
    cr_assert_eq(0xAAAA, load_data());          /* a PCID 2 entry */
    pt_map(&p, DATA_LIN + 0x1000, PHYS_B, PG_P);
    mov_cr3(p.root | 1 | CR3_NOFLUSH);
    invpcid(3, 0, 0);
    mov_cr3(p.root | 2 | CR3_NOFLUSH);
    cr_expect_eq(0xBBBB, load_data(), "PCID 2's entry dropped");
    cpu->gpr[RBX] = DATA_LIN;
    cr_expect_eq(0xAAAA, load_data(), "the global one kept");
}

static void expect_invpcid_gp(uint64_t type, uint64_t desc_lo, uint64_t lin)
{
    invpcid(type, desc_lo, lin);
    cr_assert_eq(EXIT_EXCEPTION, cpu->exit_reason);
    cr_expect_eq(EXC_GP, cpu->exc_vector);
    cr_expect_eq(0, cpu->exc_error);
}

Test(tlb, invpcid_type_above_3_raises_GP0) { setup_pcid(); expect_invpcid_gp(4, 0, 0); }
Test(tlb, invpcid_descriptor_bits_63_12_set_raise_GP0)
{
    setup_pcid();
    expect_invpcid_gp(1, 0x1000, 0);
}
Test(tlb, invpcid_type0_noncanonical_address_raises_GP0)
{
    setup_pcid();
    expect_invpcid_gp(0, 1, 0x0100000000000000ull);         /* non-canonical in 57 bits too */
}

Test(tlb, invpcid_nonzero_pcid_without_pcide_raises_GP0)
{
    setup(PT_4L);
    expect_invpcid_gp(1, 1, 0);
}

Test(tlb, invpcid_pcid_0_without_pcide_is_allowed)
{
    setup(PT_4L);
    invpcid(1, 0, 0);
    cr_expect_eq(EXIT_BUDGET, cpu->exit_reason);
}

Test(tlb, invpcid_at_cpl3_raises_GP0)
{
    setup_pcid();
    pt_cpl(&t, 3);
    expect_invpcid_gp(2, 0, 0);
}

Test(tlb, invpcid_without_the_feature_is_UD)
{
    setup_pcid();
    cpu->features &= ~CPU_FEAT(FEAT_INVPCID);
    invpcid(2, 0, 0);
    cr_expect_eq(EXC_UD, cpu->exc_vector);
}

/* ---- CR4 writes ---------------------------------------------------------------- */

/* mov cr4, rdx, placed after the shared code */
static void mov_cr4(uint64_t v)
{
    static const uint8_t mov[] = { 0x0F, 0x22, 0xE2 };
    memcpy(th_mem(&t, TH_CODE + 0x40), mov, 3);
    cpu_invalidate_code(cpu, TH_CODE + 0x40, 3);
    cpu->gpr[RDX] = v;
    cpu->rip = TH_CODE + 0x40;
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 1), "mov cr4: vector %d", cpu->exc_vector);
}

Test(tlb, cr4_pge_change_drops_global_translations)
{
    setup(PT_32);
    set_cr4(CR4_PGE);
    cache_then_remap(PG_P | PG_G);
    mov_cr4(cpu->cr4 & ~(uint64_t)CR4_PGE);
    cr_expect_eq(0xBBBB, load_data());
    cr_expect_eq(1, cpu->atlb.stats.flushes[TLB_CAUSE_CR4]);
}

Test(tlb, cr4_smep_set_drops_the_current_pcid)
{
    setup(PT_32);
    cache_then_remap(PG_P);
    pt_map(&p, TH_CODE, TH_CODE, PG_P | PG_RW);     /* supervisor code for SMEP */
    mov_cr4(cpu->cr4 | CR4_SMEP);
    cr_expect_eq(0xBBBB, load_data());
}

Test(tlb, cr4_smap_change_keeps_translations)
{
    setup(PT_32);
    cache_then_remap(PG_P);
    mov_cr4(cpu->cr4 | CR4_SMAP);
    cr_expect_eq(0xAAAA, load_data());
}

/* ---- page faults, replacement, counters, listing, observers ------------------------ */

Test(tlb, fault_on_a_stale_read_only_entry_drops_it_so_the_retry_succeeds)
{
    setup(PT_32);
    cpu->cr0 |= CR0_WP;
    cpu_update_mode(cpu);
    pt_map(&p, DATA_LIN, PHYS_A, PG_P);
    cr_assert_eq(0xAAAA, load_data());
    pt_map(&p, DATA_LIN, PHYS_A, PG_P | PG_RW);     /* made writable, no INVLPG */
    static const uint8_t st[] = { 0x89, 0x03 };     /* mov [ebx], eax */
    memcpy(th_mem(&t, TH_CODE + 0x40), st, 2);
    cpu_invalidate_code(cpu, TH_CODE + 0x40, 2);
    cpu->rip = TH_CODE + 0x40;
    cr_assert_eq(EXIT_EXCEPTION, th_run(&t, 1), "the stale entry is read-only");
    cr_expect_eq(PF_P | PF_W, cpu->exc_error);
    cr_expect_eq(1, cpu->atlb.stats.flushes[TLB_CAUSE_PF]);
    cr_expect_eq(EXIT_BUDGET, th_run(&t, 1), "the retry walks the new entry");
}

Test(tlb, fifo_replacement_evicts_the_oldest_way_of_a_set)
{
    setup(PT_32);
    /* Five pages in set 0 (a stride of 64 pages): the first one leaves. */
    for (unsigned k = 0; k < 5; k++) {
        pt_map(&p, DATA_LIN + k * 0x40000, PHYS_A, PG_P);
        cpu->gpr[RBX] = DATA_LIN + k * 0x40000;
        cr_assert_eq(0xAAAA, load_data());
    }
    for (unsigned k = 0; k < 5; k++) pt_map(&p, DATA_LIN + k * 0x40000, PHYS_B, PG_P);
    cpu->gpr[RBX] = DATA_LIN + 4 * 0x40000;
    cr_expect_eq(0xAAAA, load_data(), "the newest stays");
    cpu->gpr[RBX] = DATA_LIN;
    cr_expect_eq(0xBBBB, load_data(), "the oldest was evicted: walked again");
    cr_expect_geq(cpu->atlb.stats.evictions, 1);
}

Test(tlb, counters_and_listing_describe_the_entries)
{
    setup_pcid();
    set_cr4(CR4_PGE);
    pt_map(&p, DATA_LIN, PHYS_A, PG_P | PG_G);
    uint64_t misses = cpu->atlb.stats.misses;
    load_data();
    cr_expect_eq(misses + 2, cpu->atlb.stats.misses, "the code page and the data page");
    uint64_t fills = cpu->atlb.stats.fills;
    load_data();
    cr_expect_eq(fills, cpu->atlb.stats.fills, "served by the TLBs");
    struct atlb_entry list[ATLB_SETS * ATLB_WAYS];
    size_t n = tlb_list(cpu, list, ATLB_SETS * ATLB_WAYS);
    cr_assert_geq(n, 2, "code and data pages");
    bool found = false;
    for (size_t i = 0; i < n; i++) {
        if (list[i].vpage != DATA_LIN) continue;
        found = true;
        cr_expect_eq(PHYS_A, list[i].ppage);
        cr_expect_eq(1, list[i].pcid);
        cr_expect(list[i].global);
        cr_expect_eq(12, list[i].size_shift);
    }
    cr_expect(found);
}

/* tlb_stats counts lookups from the speed TLB's slow path and the walks
 * they cause: a miss walks, a write through a clean entry walks again to set
 * D (SDM 4.8), and what the speed TLB serves is not looked up at all. */
Test(tlb, stats_count_lookups_hits_and_walks)
{
    static const uint8_t rw[] = { 0x8B, 0x03, 0x89, 0x03, 0x8B, 0x03 };  /* load, store, load */
    setup(PT_32);
    th_code(&t, rw, sizeof rw);
    pt_map(&p, DATA_LIN, PHYS_A, PG_P | PG_RW);         /* D clear */
    const struct atlb_stats *st = tlb_stats(cpu);
    cr_assert_eq(&cpu->atlb.stats, st);
    struct atlb_stats before = *st;
    run_at(0, 1);
    cr_expect_eq(before.misses + 2, st->misses, "the code page and the data page");
    cr_expect_eq(before.walks + 2, st->walks);
    cr_expect_eq(before.hits, st->hits);
    before = *st;
    run_at(2, 1);
    cr_expect_eq(before.hits + 1, st->hits, "the store finds the clean entry");
    cr_expect_eq(before.misses, st->misses);
    cr_expect_eq(before.walks + 1, st->walks, "and walks again to set D");
    cr_expect(pt_get(&p, DATA_LIN, 1) & PG_D);
    before = *st;
    run_at(4, 1);
    cr_expect_eq(before.hits, st->hits, "served by the speed TLB: not counted");
    cr_expect_eq(before.misses, st->misses);
    cr_expect_eq(before.walks, st->walks);
}

static struct { unsigned cr3_calls, flushes; uint64_t old, new_cr3; unsigned pcid; bool noflush;
                unsigned cause; } seen;

static void saw_cr3(void *ctx, uint64_t old, uint64_t new_cr3, unsigned pcid, bool noflush)
{
    (void)ctx;
    seen.cr3_calls++;
    seen.old = old;
    seen.new_cr3 = new_cr3;
    seen.pcid = pcid;
    seen.noflush = noflush;
}

static void saw_flush(void *ctx, unsigned cause, uint64_t addr, unsigned pcid)
{
    (void)ctx;
    (void)addr;
    (void)pcid;
    seen.flushes++;
    seen.cause = cause;
}

Test(tlb, observers_see_cr3_writes_and_flushes_with_their_cause)
{
    setup_pcid();
    memset(&seen, 0, sizeof seen);
    cpu->on_cr3 = saw_cr3;
    cpu->on_tlb_flush = saw_flush;
    mov_cr3(p.root | 5 | CR3_NOFLUSH);
    cr_expect_eq(1, seen.cr3_calls);
    cr_expect_eq(p.root | 1, seen.old);
    cr_expect_eq(p.root | 5, seen.new_cr3);
    cr_expect_eq(5, seen.pcid);
    cr_expect(seen.noflush);
    cr_expect_eq(0, seen.flushes, "no flush with bit 63");
    mov_cr3(p.root | 5);
    cr_expect_eq(1, seen.flushes);
    cr_expect_eq(TLB_CAUSE_CR3, seen.cause);
    cr_expect_str_eq("cr3", tlb_cause_name(seen.cause));
}

/* ---- the speed path is never more permissive -------------------------------------------- */

static void store_at_40(void)
{
    static const uint8_t st[] = { 0x89, 0x03 };     /* mov [ebx], eax */
    memcpy(th_mem(&t, TH_CODE + 0x40), st, 2);
    cpu_invalidate_code(cpu, TH_CODE + 0x40, 2);
    cpu->rip = TH_CODE + 0x40;
    th_run(&t, 1);
}

Test(tlb, cpl3_write_after_a_read_hit_on_a_read_only_page_faults)
{
    setup(PT_32);
    pt_map(&p, DATA_LIN, PHYS_A, PG_P | PG_US);
    pt_cpl(&t, 3);
    load_data();
    load_data();                                    /* a speed-TLB hit */
    store_at_40();
    cr_expect_eq(EXC_PF, cpu->exc_vector);
    cr_expect_eq(PF_P | PF_W | PF_U, cpu->exc_error);
}

Test(tlb, cpl0_write_after_a_read_hit_faults_with_wp)
{
    setup(PT_32);
    cpu->cr0 |= CR0_WP;
    cpu_update_mode(cpu);
    pt_map(&p, DATA_LIN, PHYS_A, PG_P);
    load_data();
    store_at_40();
    cr_expect_eq(EXC_PF, cpu->exc_vector);
    cr_expect_eq(PF_P | PF_W, cpu->exc_error);
}

Test(tlb, setting_cr0_wp_after_a_write_hit_makes_the_next_write_fault)
{
    /* mov [ebx], eax; mov cr0, ecx; mov [ebx], eax */
    static const uint8_t seq[] = { 0x89, 0x03, 0x0F, 0x22, 0xC1, 0x89, 0x03 };
    setup(PT_32);
    pt_map(&p, DATA_LIN, PHYS_A, PG_P);
    th_code(&t, seq, sizeof seq);
    cpu->gpr[RCX] = cpu->cr0 | CR0_WP;
    cr_assert_eq(EXIT_EXCEPTION, th_run(&t, 3));
    cr_expect_eq(EXC_PF, cpu->exc_vector);
    cr_expect_eq(TH_CODE + 5, cpu->rip);
}

Test(tlb, cpl3_read_after_a_cpl0_hit_on_a_supervisor_page_faults)
{
    setup(PT_PAE);
    pt_map(&p, DATA_LIN, PHYS_A, PG_P | PG_RW);
    load_data();
    pt_cpl(&t, 3);
    cpu->rip = TH_CODE + AT_LOAD;
    cr_assert_eq(EXIT_EXCEPTION, th_run(&t, 1));
    cr_expect_eq(PF_P | PF_U, cpu->exc_error);
}

Test(tlb, cpl3_jump_into_code_run_at_cpl0_from_a_supervisor_page_faults)
{
    setup(PT_32);
    pt_map(&p, 0x500000, TH_CODE, PG_P);            /* supervisor alias of the code */
    pt_map(&p, DATA_LIN, PHYS_A, PG_P | PG_US);
    cpu->rip = 0x500000 + AT_LOAD;
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 1));       /* decoded and jump-cached */
    pt_cpl(&t, 3);
    cpu->rip = 0x500000 + AT_LOAD;
    cr_assert_eq(EXIT_EXCEPTION, th_run(&t, 1));
    cr_expect_eq(EXC_PF, cpu->exc_vector);
    cr_expect_eq(PF_P | PF_U, cpu->exc_error);
    cr_expect_eq(0x500000, cpu->cr2);
}

Test(tlb, write_to_a_clean_page_after_a_read_hit_sets_dirty)
{
    setup(PT_4L);
    pt_map(&p, DATA_LIN, PHYS_A, PG_P | PG_RW);
    load_data();
    load_data();
    cr_assert_eq(0, pt_get(&p, DATA_LIN, 1) & PG_D);
    store_at_40();
    cr_expect_eq(EXIT_BUDGET, cpu->exit_reason);
    cr_expect(pt_get(&p, DATA_LIN, 1) & PG_D, "the write walked and set D");
}

Test(tlb, fetch_from_an_nx_page_after_a_read_hit_faults)
{
    setup(PT_4L);
    cpu->efer |= EFER_NXE;
    cpu_update_mode(cpu);
    pt_map(&p, DATA_LIN, TH_CODE, PG_P | PG_XD);
    load_data();
    cpu->rip = DATA_LIN;
    cr_assert_eq(EXIT_EXCEPTION, th_run(&t, 1));
    cr_expect_eq(PF_P | PF_ID, cpu->exc_error);
}

Test(tlb, clac_after_a_stac_read_of_a_user_page_makes_the_next_read_fault)
{
    /* stac; mov eax, [ebx]; clac; mov eax, [ebx] */
    static const uint8_t seq[] = { 0x0F, 0x01, 0xCB, 0x8B, 0x03, 0x0F, 0x01, 0xCA, 0x8B, 0x03 };
    setup(PT_32);
    pt_map(&p, TH_CODE, TH_CODE, PG_P);
    pt_map(&p, DATA_LIN, PHYS_A, PG_P | PG_US);
    set_cr4(CR4_SMAP);
    th_code(&t, seq, sizeof seq);
    cr_assert_eq(EXIT_EXCEPTION, th_run(&t, 4));
    cr_expect_eq(EXC_PF, cpu->exc_vector);
    cr_expect_eq(PF_P, cpu->exc_error);
    cr_expect_eq(TH_CODE + 8, cpu->rip);
    cr_expect_eq(0xAAAA, (uint32_t)cpu->gpr[RAX], "the STAC read worked");
}
