/* test_string.c - string instructions and port I/O (cpu/ops_string.c): REP
 * counts and pointers at every address size with their wrap, DF, REPE/REPNE
 * termination, the bounded chunk that restarts the instruction, a fault
 * midway, the zero-count register writes an Intel host makes under 67h in
 * 64-bit mode, segment overrides, and IN/OUT/INS/OUTS against a fake device.
 */
#include <string.h>
#include <criterion/criterion.h>
#include "tests/unit/harness.h"
#include "cpu/ops.h"
#include "mmu/bus.h"

static struct th t;
static struct cpu *const cpu = &t.cpu;

static void start(enum dmode mode, const uint8_t *code, size_t n) { th_start(&t, mode, code, n); }

static void teardown(void) { th_free(&t); }

static uint64_t peek(uint64_t phys, unsigned n) { return th_peek(&t, phys, n); }

static void poke(uint64_t phys, unsigned n, uint64_t v) { th_poke(&t, phys, n, v); }

TestSuite(string, .fini = teardown);

/* ---- MOVS and STOS --------------------------------------------------------------- */

Test(string, rep_movsb_copies_ecx_bytes_and_advances_both_pointers)
{
    static const uint8_t code[] = { 0xF3, 0xA4 };           /* rep movsb */
    start(DM_32, code, sizeof code);
    memcpy(th_mem(&t, TH_DATA), "abcdef", 6);
    cpu->gpr[RSI] = TH_DATA;
    cpu->gpr[RDI] = TH_DATA + 0x100;
    cpu->gpr[RCX] = 6;
    th_run(&t, 1);
    cr_expect_arr_eq(th_mem(&t, TH_DATA + 0x100), "abcdef", 6);
    cr_expect_eq(0, cpu->gpr[RCX]);
    cr_expect_eq(TH_DATA + 6, cpu->gpr[RSI]);
    cr_expect_eq(TH_DATA + 0x106, cpu->gpr[RDI]);
    cr_expect_eq(TH_CODE + 2, cpu->rip);
}

Test(string, rep_movsd_with_DF_set_copies_downwards)
{
    static const uint8_t code[] = { 0xF3, 0xA5 };           /* rep movsd */
    start(DM_32, code, sizeof code);
    poke(TH_DATA, 4, 0x11111111);
    poke(TH_DATA + 4, 4, 0x22222222);
    cpu_set_flags(cpu, FL_DF);
    cpu->gpr[RSI] = TH_DATA + 4;
    cpu->gpr[RDI] = TH_DATA + 0x104;
    cpu->gpr[RCX] = 2;
    th_run(&t, 1);
    cr_expect_eq(0x22222222, peek(TH_DATA + 0x104, 4));
    cr_expect_eq(0x11111111, peek(TH_DATA + 0x100, 4));
    cr_expect_eq(TH_DATA - 4, cpu->gpr[RSI]);
    cr_expect_eq(TH_DATA + 0xFC, cpu->gpr[RDI]);
}

Test(string, overlapping_rep_movsb_replicates_like_a_byte_loop)
{
    static const uint8_t code[] = { 0xF3, 0xA4 };           /* rep movsb */
    start(DM_32, code, sizeof code);
    memcpy(th_mem(&t, TH_DATA), "x.......", 8);
    cpu->gpr[RSI] = TH_DATA;
    cpu->gpr[RDI] = TH_DATA + 1;
    cpu->gpr[RCX] = 7;
    th_run(&t, 1);
    cr_expect_arr_eq(th_mem(&t, TH_DATA), "xxxxxxxx", 8);
}

Test(string, rep_stosw_in_real_mode_wraps_di_within_64k_and_keeps_edi_upper_half)
{
    static const uint8_t code[] = { 0xF3, 0xAB };           /* rep stosw */
    start(DM_16, code, sizeof code);
    cpu_load_seg_real(cpu, SEG_ES, 0x0100);
    cpu->gpr[RDI] = 0x0007FFFE;
    cpu->gpr[RCX] = 0x00090002;
    cpu->gpr[RAX] = 0xBEEF;
    th_run(&t, 1);
    cr_expect_eq(0xBEEF, peek(0x1000 + 0xFFFE, 2));
    cr_expect_eq(0xBEEF, peek(0x1000 + 0x0000, 2));
    cr_expect_eq(0x00070002, cpu->gpr[RDI]);
    cr_expect_eq(0x00090000, cpu->gpr[RCX]);
}

Test(string, rep_stosb_longer_than_one_chunk_restarts_itself_until_done)
{
    static const uint8_t code[] = { 0xF3, 0xAA };           /* rep stosb */
    start(DM_32, code, sizeof code);
    cpu->gpr[RDI] = TH_DATA;
    cpu->gpr[RCX] = 3000;
    cpu->gpr[RAX] = 0x5A;
    th_run(&t, 1);
    cr_expect_gt(cpu->gpr[RCX], 0);                          /* not all in one go */
    cr_expect_eq(TH_CODE, cpu->rip);                         /* restarts */
    cr_expect_eq(TH_DATA + (3000 - cpu->gpr[RCX]), cpu->gpr[RDI]);
    th_run(&t, 2);                                           /* 1024 + 952 more */
    cr_expect_eq(0, cpu->gpr[RCX]);
    cr_expect_eq(TH_CODE + 2, cpu->rip);
    cr_expect_eq(0x5A, peek(TH_DATA + 2999, 1));
    cr_expect_eq(0, peek(TH_DATA + 3000, 1));
}

Test(string, rep_stosb_faulting_midway_leaves_the_registers_of_the_completed_iterations)
{
    static const uint8_t code[] = { 0xF3, 0xAA };           /* rep stosb */
    start(DM_32, code, sizeof code);
    cpu->seg[SEG_ES].limit = TH_DATA + 3;                    /* four bytes writable */
    cpu_update_mode(cpu);
    cpu->gpr[RDI] = TH_DATA;
    cpu->gpr[RCX] = 10;
    cpu->gpr[RAX] = 0x41;
    cr_assert_eq(th_run(&t, 1), EXIT_EXCEPTION);
    cr_expect_eq(EXC_GP, cpu->exc_vector);
    cr_expect_eq(6, cpu->gpr[RCX]);
    cr_expect_eq(TH_DATA + 4, cpu->gpr[RDI]);
    cr_expect_eq(TH_CODE, cpu->rip);
    cr_expect_eq(0x41414141, peek(TH_DATA, 4));
}

Test(string, rep_with_ecx_zero_does_nothing)
{
    static const uint8_t code[] = { 0xF3, 0xA4 };           /* rep movsb */
    start(DM_32, code, sizeof code);
    cpu->gpr[RSI] = TH_DATA;
    cpu->gpr[RDI] = TH_DATA + 0x100;
    poke(TH_DATA, 1, 0x77);
    th_run(&t, 1);
    cr_expect_eq(0, peek(TH_DATA + 0x100, 1));
    cr_expect_eq(TH_DATA, cpu->gpr[RSI]);
    cr_expect_eq(TH_CODE + 2, cpu->rip);
}

Test(string, rep_movsb_a32_with_ecx_zero_in_64bit_mode_still_zero_extends_rcx_rsi_rdi)
{
    static const uint8_t code[] = { 0x67, 0xF3, 0xA4 };     /* rep movsb (a32) */
    start(DM_64, code, sizeof code);
    cpu->gpr[RSI] = 0xFFFFFFFF00004000ull;
    cpu->gpr[RDI] = 0xFFFFFFFF00004100ull;
    cpu->gpr[RCX] = 0xCCCCCCCC00000000ull;
    th_run(&t, 1);
    cr_expect_eq(0x4000, cpu->gpr[RSI]);
    cr_expect_eq(0x4100, cpu->gpr[RDI]);
    cr_expect_eq(0, cpu->gpr[RCX]);
}

Test(string, rep_lodsb_a32_with_ecx_zero_in_64bit_mode_zero_extends_only_rcx)
{
    static const uint8_t code[] = { 0x67, 0xF3, 0xAC };     /* rep lodsb (a32) */
    start(DM_64, code, sizeof code);
    cpu->gpr[RSI] = 0xFFFFFFFF00004000ull;
    cpu->gpr[RCX] = 0xCCCCCCCC00000000ull;
    th_run(&t, 1);
    cr_expect_eq(0xFFFFFFFF00004000ull, cpu->gpr[RSI]);
    cr_expect_eq(0, cpu->gpr[RCX]);
}

Test(string, movsb_takes_a_segment_override_for_the_source_only)
{
    static const uint8_t code[] = { 0x64, 0xA4 };           /* movsb es:[di], fs:[si] */
    start(DM_16, code, sizeof code);
    cpu_load_seg_real(cpu, SEG_FS, 0x0200);
    cpu_load_seg_real(cpu, SEG_ES, 0x0300);
    cpu->gpr[RSI] = 0x10;
    cpu->gpr[RDI] = 0x20;
    poke(0x2000 + 0x10, 1, 0xF5);
    poke(0x0010, 1, 0xD5);
    th_run(&t, 1);
    cr_expect_eq(0xF5, peek(0x3000 + 0x20, 1));
}

/* ---- CMPS and SCAS -------------------------------------------------------------------- */

Test(string, repe_cmpsb_stops_after_the_first_difference)
{
    static const uint8_t code[] = { 0xF3, 0xA6 };           /* repe cmpsb */
    start(DM_32, code, sizeof code);
    memcpy(th_mem(&t, TH_DATA), "abcXef", 6);
    memcpy(th_mem(&t, TH_DATA + 0x100), "abcdef", 6);
    cpu->gpr[RSI] = TH_DATA;
    cpu->gpr[RDI] = TH_DATA + 0x100;
    cpu->gpr[RCX] = 6;
    th_run(&t, 1);
    cr_expect_eq(2, cpu->gpr[RCX]);
    cr_expect_eq(TH_DATA + 4, cpu->gpr[RSI]);
    cr_expect_not(th_flags(&t) & FL_ZF);
    cr_expect(th_flags(&t) & FL_CF);                         /* 'X' (0x58) < 'd' (0x64) */
}

Test(string, repne_scasb_stops_at_the_matching_byte)
{
    static const uint8_t code[] = { 0xF2, 0xAE };           /* repne scasb */
    start(DM_32, code, sizeof code);
    memcpy(th_mem(&t, TH_DATA), "hello\0world", 11);
    cpu->gpr[RDI] = TH_DATA;
    cpu->gpr[RCX] = 100;
    cpu->gpr[RAX] = 0;
    th_run(&t, 1);
    cr_expect_eq(TH_DATA + 6, cpu->gpr[RDI]);
    cr_expect_eq(94, cpu->gpr[RCX]);
    cr_expect(th_flags(&t) & FL_ZF);
}

Test(string, scasw_sets_CF_when_ax_is_below_the_memory_word)
{
    static const uint8_t code[] = { 0x66, 0xAF };           /* scasw */
    start(DM_32, code, sizeof code);
    poke(TH_DATA, 2, 0x8000);
    cpu->gpr[RDI] = TH_DATA;
    cpu->gpr[RAX] = 0x7FFF;
    th_run(&t, 1);
    cr_expect(th_flags(&t) & FL_CF);
    cr_expect(th_flags(&t) & FL_OF);
    cr_expect_eq(TH_DATA + 2, cpu->gpr[RDI]);
}

/* ---- port I/O ---------------------------------------------------------------------------- */

struct fake_port {
    uint64_t next_in;       /* value returned by the next read, then incremented */
    uint64_t out[8];
    unsigned nout;
};

static uint64_t fake_in(void *ctx, uint16_t port, unsigned size)
{
    struct fake_port *p = ctx;
    (void)port;
    (void)size;
    return p->next_in++;
}

static void fake_out(void *ctx, uint16_t port, unsigned size, uint64_t v)
{
    struct fake_port *p = ctx;
    (void)port;
    (void)size;
    if (p->nout < 8) p->out[p->nout++] = v;
}

static struct fake_port port;

static void attach_port(uint16_t n)
{
    memset(&port, 0, sizeof port);
    bus_map_ports(t.bus, n, n + 3, fake_in, fake_out, &port);
}

Test(string, in_eax_from_dx_in_64bit_mode_zero_extends_rax)
{
    static const uint8_t code[] = { 0xED };                 /* in eax, dx */
    start(DM_64, code, sizeof code);
    attach_port(0x300);
    port.next_in = 0x89ABCDEF;
    cpu->gpr[RDX] = 0x300;
    cpu->gpr[RAX] = ~0ull;
    th_run(&t, 1);
    cr_expect_eq(0x89ABCDEF, cpu->gpr[RAX]);
}

Test(string, out_imm8_writes_al_to_the_port)
{
    static const uint8_t code[] = { 0xE6, 0x80 };           /* out 0x80, al */
    start(DM_16, code, sizeof code);
    attach_port(0x80);
    cpu->gpr[RAX] = 0x1234;
    th_run(&t, 1);
    cr_expect_eq(1, port.nout);
    cr_expect_eq(0x34, port.out[0]);
}

Test(string, rep_insw_stores_successive_port_reads)
{
    static const uint8_t code[] = { 0xF3, 0x6D };           /* rep insw */
    start(DM_16, code, sizeof code);
    attach_port(0x1F0);
    port.next_in = 0x100;
    cpu->gpr[RDX] = 0x1F0;
    cpu->gpr[RDI] = TH_DATA;
    cpu->gpr[RCX] = 3;
    th_run(&t, 1);
    cr_expect_eq(0x100, peek(TH_DATA, 2));
    cr_expect_eq(0x102, peek(TH_DATA + 4, 2));
    cr_expect_eq(TH_DATA + 6, cpu->gpr[RDI]);
}

Test(string, insb_into_an_unwritable_destination_faults_before_reading_the_port)
{
    static const uint8_t code[] = { 0x6C };                 /* insb */
    start(DM_32, code, sizeof code);
    attach_port(0x60);
    cpu->seg[SEG_ES].limit = TH_DATA - 1;
    cpu_update_mode(cpu);
    cpu->gpr[RDX] = 0x60;
    cpu->gpr[RDI] = TH_DATA;
    cr_assert_eq(th_run(&t, 1), EXIT_EXCEPTION);
    cr_expect_eq(0, port.next_in);                           /* the device was not read */
}

Test(string, rep_outsb_sends_the_bytes_in_order)
{
    static const uint8_t code[] = { 0xF3, 0x6E };           /* rep outsb */
    start(DM_16, code, sizeof code);
    attach_port(0x3F8);
    memcpy(th_mem(&t, TH_DATA), "ok!", 3);
    cpu->gpr[RDX] = 0x3F8;
    cpu->gpr[RSI] = TH_DATA;
    cpu->gpr[RCX] = 3;
    th_run(&t, 1);
    cr_assert_eq(3, port.nout);
    cr_expect_eq('o', port.out[0]);
    cr_expect_eq('!', port.out[2]);
}
