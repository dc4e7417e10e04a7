/* test_hook.c - code hooks (cpu/hook.c, cpu/exec.c): a host function called
 * once before each execution of the instruction at a linear address, at
 * block granularity, so that the rest of the code keeps running in blocks. */
#include <criterion/criterion.h>
#include "harness.h"
#include "cpu/debug.h"

struct counter {
    unsigned calls;
    uint64_t last_lin;
    uint64_t ebx_seen[8];       /* EBX at each call: proves the call is before the insn */
    bool stop;                  /* ask the run to stop */
};

static void count_hook(struct cpu *cpu, void *ctx, uint64_t lin)
{
    struct counter *c = ctx;
    if (c->calls < 8) c->ebx_seen[c->calls] = cpu->gpr[RBX];
    c->calls++;
    c->last_lin = lin;
    if (c->stop) cpu_request_stop(cpu);
}

/* 1000 b9 05 00 00 00  mov ecx, 5
 * 1005 40              inc eax        (the loop's jump target)
 * 1006 43              inc ebx        (the middle of a straight-line block)
 * 1007 49              dec ecx
 * 1008 75 fb           jnz 1005
 * 100a f4              hlt */
static const uint8_t loop[] = { 0xb9, 0x05, 0x00, 0x00, 0x00, 0x40, 0x43, 0x49, 0x75, 0xfb, 0xf4 };

static void run_loop(struct th *t)
{
    t->cpu.rip = TH_CODE;
    t->cpu.gpr[RAX] = t->cpu.gpr[RBX] = 0;
    t->cpu.halted = false;
    cr_assert_eq(EXIT_HALT, th_run(t, 1000));
    cr_assert_eq(5, t->cpu.gpr[RBX]);
}

Test(hook, fires_once_per_execution_in_the_middle_of_a_block)
{
    struct th t;
    struct counter c = { 0 };
    th_start(&t, DM_32, loop, sizeof loop);
    cr_assert_eq(0, cpu_hook_add(&t.cpu, TH_CODE + 6, count_hook, &c));
    run_loop(&t);
    cr_assert_eq(5, c.calls);
    cr_assert_eq(TH_CODE + 6, c.last_lin);
    for (unsigned k = 0; k < 5; k++) cr_assert_eq(k, c.ebx_seen[k]);    /* before inc ebx */
    th_free(&t);
}

Test(hook, fires_on_a_jump_target_and_at_the_entry)
{
    struct th t;
    struct counter target = { 0 }, entry = { 0 }, end = { 0 };
    th_start(&t, DM_32, loop, sizeof loop);
    cr_assert_eq(0, cpu_hook_add(&t.cpu, TH_CODE + 5, count_hook, &target));
    cr_assert_eq(0, cpu_hook_add(&t.cpu, TH_CODE, count_hook, &entry));
    cr_assert_eq(0, cpu_hook_add(&t.cpu, TH_CODE + 10, count_hook, &end));
    run_loop(&t);
    cr_assert_eq(5, target.calls);
    cr_assert_eq(1, entry.calls);
    cr_assert_eq(1, end.calls);
    th_free(&t);
}

Test(hook, added_to_decoded_code_and_removed)
{
    struct th t;
    struct counter c = { 0 };
    th_start(&t, DM_32, loop, sizeof loop);
    run_loop(&t);                           /* decoded and in the jump cache, unhooked */
    cr_assert_eq(0, cpu_hook_add(&t.cpu, TH_CODE + 6, count_hook, &c));
    cr_assert_eq(0, cpu_hook_add(&t.cpu, TH_CODE + 6, count_hook, &c));   /* once only */
    run_loop(&t);
    cr_assert_eq(5, c.calls);
    cr_assert_eq(0, cpu_hook_remove(&t.cpu, TH_CODE + 6, count_hook, &c));
    cr_assert_eq(-1, cpu_hook_remove(&t.cpu, TH_CODE + 6, count_hook, &c));
    run_loop(&t);
    cr_assert_eq(5, c.calls);               /* no more calls */
    cr_assert_eq(0, t.cpu.hooks.n);
    th_free(&t);
}

Test(hook, two_hooks_at_one_address_run_in_order_added)
{
    struct th t;
    struct counter a = { 0 }, b = { 0 };
    th_start(&t, DM_32, loop, sizeof loop);
    cr_assert_eq(0, cpu_hook_add(&t.cpu, TH_CODE + 7, count_hook, &a));
    cr_assert_eq(0, cpu_hook_add(&t.cpu, TH_CODE + 7, count_hook, &b));
    run_loop(&t);
    cr_assert_eq(5, a.calls);
    cr_assert_eq(5, b.calls);
    cr_assert_eq(0, cpu_hook_remove(&t.cpu, TH_CODE + 7, count_hook, &a));
    run_loop(&t);
    cr_assert_eq(5, a.calls);
    cr_assert_eq(10, b.calls);
    th_free(&t);
}

Test(hook, a_stop_comes_before_the_instruction_and_resuming_runs_it_once)
{
    struct th t;
    struct counter c = { .stop = true };
    th_start(&t, DM_32, loop, sizeof loop);
    cr_assert_eq(0, cpu_hook_add(&t.cpu, TH_CODE + 6, count_hook, &c));
    cr_assert_eq(EXIT_STOP, th_run(&t, 1000));
    cr_assert_eq(TH_CODE + 6, t.cpu.rip);
    cr_assert_eq(2, t.cpu.instret);          /* mov ecx, inc eax */
    cr_assert_eq(0, t.cpu.gpr[RBX]);
    cr_assert_eq(1, c.calls);
    cr_assert_eq(EXIT_STOP, th_run(&t, 1000));  /* the hook is not called again here ... */
    cr_assert_eq(1, t.cpu.gpr[RBX]);
    cr_assert_eq(2, c.calls);                   /* ... but at its next execution */
    c.stop = false;
    cr_assert_eq(EXIT_HALT, th_run(&t, 1000));
    cr_assert_eq(5, c.calls);
    cr_assert_eq(5, t.cpu.gpr[RBX]);
    th_free(&t);
}

/* 1000 b9 02 00 00 00        mov ecx, 2
 * 1005 43                    inc ebx            (hooked; rewritten to inc edx)
 * 1006 c6 05 05 10 00 00 42  mov byte [0x1005], 0x42
 * 100d 49                    dec ecx
 * 100e 75 f5                 jnz 1005
 * 1010 f4                    hlt */
Test(hook, coexists_with_self_modifying_code)
{
    static const uint8_t smc[] = { 0xb9, 0x02, 0x00, 0x00, 0x00, 0x43, 0xc6, 0x05, 0x05, 0x10,
                                   0x00, 0x00, 0x42, 0x49, 0x75, 0xf5, 0xf4 };
    struct th t;
    struct counter c = { 0 };
    th_start(&t, DM_32, smc, sizeof smc);
    t.cpu.gpr[RDX] = 0;                     /* reset leaves the CPU signature there */
    cr_assert_eq(0, cpu_hook_add(&t.cpu, TH_CODE + 5, count_hook, &c));
    cr_assert_eq(EXIT_HALT, th_run(&t, 100));
    cr_assert_eq(2, c.calls);
    cr_assert_eq(1, t.cpu.gpr[RBX]);         /* the old instruction once ... */
    cr_assert_eq(1, t.cpu.gpr[RDX]);         /* ... and the new one once */
    cr_assert_eq(10, t.cpu.instret);        /* 1 + 4 + 4 + hlt */
    th_free(&t);
}

/* 1000 b9 e8 03 00 00  mov ecx, 1000
 * 1005 40 43 42 46 47  inc eax; inc ebx; inc edx; inc esi; inc edi
 * 100a 49              dec ecx
 * 100b 75 f8           jnz 1005
 * 100d f4              hlt */
Test(hook, a_far_breakpoint_does_not_single_step)
{
    static const uint8_t code[] = { 0xb9, 0xe8, 0x03, 0x00, 0x00, 0x40, 0x43, 0x42, 0x46, 0x47,
                                    0x49, 0x75, 0xf8, 0xf4 };
    struct th t;
    th_start(&t, DM_32, code, sizeof code);
    cr_assert_eq(0, debug_host_break(&t.cpu, 0x8000, HOST_OWNER_GDB, true));
    cr_assert_eq(EXIT_HALT, th_run(&t, 100000));
    cr_assert_eq(7002, t.cpu.instret);
    /* One block per iteration (seven instructions), not one per instruction. */
    cr_assert_lt(t.cpu.stats.blocks_run, 1010, "%llu blocks for 7002 instructions",
                 (unsigned long long)t.cpu.stats.blocks_run);
    cr_assert_eq(HOST_HIT_NONE, t.cpu.host.hit);
    /* A breakpoint inside the loop still stops before its instruction. */
    t.cpu.rip = TH_CODE;
    t.cpu.halted = false;
    cr_assert_eq(0, debug_host_break(&t.cpu, TH_CODE + 7, HOST_OWNER_GDB, true));
    cr_assert_eq(EXIT_STOP, th_run(&t, 100000));
    cr_assert_eq(TH_CODE + 7, t.cpu.rip);
    cr_assert_eq(HOST_HIT_BREAK, t.cpu.host.hit);
    th_free(&t);
}

/* With EFLAGS.TF the loop runs one instruction at a time: hooks still run. */
Test(hook, when_single_stepping)
{
    /* 1000 fb sti; 1001 90 nop (hooked); 1002 90 nop; 1003 f4 hlt */
    static const uint8_t code[] = { 0xfb, 0x90, 0x90, 0xf4 };
    struct th t;
    struct counter c = { 0 };
    th_start(&t, DM_32, code, sizeof code);
    cr_assert_eq(0, cpu_hook_add(&t.cpu, TH_CODE + 1, count_hook, &c));
    cpu_set_flags(&t.cpu, cpu_get_flags(&t.cpu) | FL_TF);   /* one instruction at a time */
    cr_assert_eq(EXIT_EXCEPTION, th_run(&t, 10));         /* #DB after sti */
    cr_assert_eq(EXC_DB, t.cpu.exc_vector);
    cr_assert_eq(0, c.calls);
    cr_assert_eq(EXIT_EXCEPTION, th_run(&t, 10));         /* #DB after the nop */
    cr_assert_eq(1, c.calls);
    cr_assert_eq(TH_CODE + 2, t.cpu.rip);
    th_free(&t);
}

/* The same physical code at two linear addresses: a block decoded at one is
 * not used at the other where the hooks differ. */
#include "tests/unit/pt.h"

Test(hook, a_linear_alias_of_decoded_code_sees_its_own_hooks)
{
    struct th t;
    struct pt p;
    struct counter c = { 0 };
    th_start(&t, DM_32, loop, sizeof loop);
    pt_setup(&p, &t, PT_32);
    pt_map(&p, 0x400000, TH_CODE, PG_P | PG_RW);
    cr_assert_eq(0, cpu_hook_add(&t.cpu, 0x400006, count_hook, &c));
    run_loop(&t);                               /* at 0x1000: decoded there, no hook */
    cr_assert_eq(0, c.calls);
    t.cpu.rip = 0x400000;
    t.cpu.gpr[RBX] = 0;
    t.cpu.halted = false;
    cr_assert_eq(EXIT_HALT, th_run(&t, 1000));
    cr_assert_eq(5, t.cpu.gpr[RBX]);
    cr_assert_eq(5, c.calls);
    cr_assert_eq(0x400006, c.last_lin);
    run_loop(&t);                               /* and back: still none at 0x1006 */
    cr_assert_eq(5, c.calls);
    th_free(&t);
}
