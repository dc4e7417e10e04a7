/* test_gdb_cpu.c - the debugger's breakpoints and watchpoints inside the CPU
 * (cpu/debug.c, cpu/exec.c): they stop cpu_run with EXIT_STOP and leave the
 * architectural debug state (DR6, #DB) exactly as it would be without them. */
#include <criterion/criterion.h>
#include "harness.h"
#include "cpu/debug.h"

/* 1000 a3 00 40 00 00   mov [0x4000], eax
 * 1005 8b 1d 00 40 00 00 mov ebx, [0x4000]
 * 100b 90               nop */
static const uint8_t code[] = { 0xa3, 0x00, 0x40, 0x00, 0x00, 0x8b, 0x1d, 0x00, 0x40, 0x00, 0x00,
                                0x90 };

Test(gdb_cpu, host_breakpoint_stops_before_the_instruction_without_db)
{
    struct th t;
    th_start(&t, DM_32, code, sizeof code);
    cr_assert_eq(0, debug_host_break(&t.cpu, TH_CODE + 5, HOST_OWNER_GDB, true));
    cr_assert_eq(EXIT_STOP, th_run(&t, 10));
    cr_assert_eq(TH_CODE + 5, t.cpu.rip);
    cr_assert_eq(1, t.cpu.instret);
    cr_assert_eq(HOST_HIT_BREAK, t.cpu.host.hit);
    cr_assert_eq(0xFFFF0FF0, t.cpu.dr[6]);
    /* Resuming from it passes it once. */
    debug_host_resume(&t.cpu, TH_CODE + 5);
    cr_assert_eq(EXIT_BUDGET, th_run(&t, 2));
    cr_assert_eq(TH_CODE + 12, t.cpu.rip);
    cr_assert_eq(0, debug_host_break(&t.cpu, TH_CODE + 5, HOST_OWNER_GDB, false));
    cr_assert_eq(-1, debug_host_break(&t.cpu, TH_CODE + 5, HOST_OWNER_GDB, false));
    th_free(&t);
}

Test(gdb_cpu, host_watch_stops_first_then_the_guest_db_follows)
{
    struct th t;
    th_start(&t, DM_32, code, sizeof code);
    t.cpu.dr[0] = 0x4000;
    t.cpu.dr[7] = 0x1 | (1u << 16) | (3u << 18);    /* L0, write, 4 bytes */
    debug_update(&t.cpu);
    cr_assert_eq(0, debug_host_watch(&t.cpu, 0x4002, 1, HOST_WATCH_WRITE, HOST_OWNER_GDB, true));
    cr_assert_eq(EXIT_STOP, th_run(&t, 10));
    cr_assert_eq(HOST_HIT_WATCH, t.cpu.host.hit);
    cr_assert_eq(0x4002, t.cpu.host.hit_addr);
    cr_assert_eq(TH_CODE + 5, t.cpu.rip);           /* after the store */
    cr_assert_eq(0, t.cpu.dr[6] & 0xF);             /* the guest's #DB has not happened yet */
    t.cpu.host.hit = HOST_HIT_NONE;
    cr_assert_eq(EXIT_EXCEPTION, th_run(&t, 10));   /* now it does */
    cr_assert_eq(EXC_DB, t.cpu.exc_vector);
    cr_assert_eq(1, t.cpu.dr[6] & 0xF);
    th_free(&t);
}

Test(gdb_cpu, host_read_watch_ignores_writes)
{
    struct th t;
    th_start(&t, DM_32, code, sizeof code);
    cr_assert_eq(0, debug_host_watch(&t.cpu, 0x4000, 4, HOST_WATCH_READ, HOST_OWNER_GDB, true));
    cr_assert_eq(EXIT_STOP, th_run(&t, 10));
    cr_assert_eq(TH_CODE + 11, t.cpu.rip);          /* the load, not the store */
    cr_assert_eq(HOST_WATCH_READ, t.cpu.host.hit_kind);
    cr_assert_eq(0, debug_host_watch(&t.cpu, 0x4000, 4, HOST_WATCH_READ, HOST_OWNER_GDB, false));
    cr_assert_eq(0, t.cpu.host.nwatch);
    th_free(&t);
}

/* One table for the window and the GDB stub: each owner sets and clears its
 * own claim, and an entry stops the CPU while anyone keeps it. */
Test(gdb_cpu, one_breakpoint_table_keeps_each_owners_claim)
{
    struct th t;
    th_start(&t, DM_32, code, sizeof code);
    cr_assert_eq(0, debug_host_break(&t.cpu, TH_CODE + 5, HOST_OWNER_UI, true));
    cr_assert_eq(0, debug_host_break(&t.cpu, TH_CODE + 5, HOST_OWNER_GDB, true));
    cr_assert_eq(1, t.cpu.host.nbp);
    cr_assert_eq(HOST_OWNER_UI | HOST_OWNER_GDB, debug_host_break_at(&t.cpu, TH_CODE + 5));
    cr_assert_eq(0, debug_host_break(&t.cpu, TH_CODE + 5, HOST_OWNER_GDB, false));
    cr_assert_eq(-1, debug_host_break(&t.cpu, TH_CODE + 5, HOST_OWNER_GDB, false),
                 "gdb's claim is gone; the window's is not gdb's to remove");
    cr_assert_eq(HOST_OWNER_UI, debug_host_break_at(&t.cpu, TH_CODE + 5));
    cr_assert_eq(EXIT_STOP, th_run(&t, 10), "the window's breakpoint still stops the CPU");
    cr_assert_eq(TH_CODE + 5, t.cpu.rip);

    cr_assert_eq(0, debug_host_watch(&t.cpu, 0x4000, 4, HOST_WATCH_READ, HOST_OWNER_GDB, true));
    cr_assert_eq(0, debug_host_watch(&t.cpu, 0x4000, 4, HOST_WATCH_READ, HOST_OWNER_TRACK, true));
    cr_assert_eq(1, t.cpu.host.nwatch);
    debug_host_drop(&t.cpu, HOST_OWNER_TRACK);
    cr_assert_eq(1, t.cpu.host.nwatch, "gdb's watchpoint outlives the other owner's");
    debug_host_drop(&t.cpu, HOST_OWNER_GDB);
    cr_assert_eq(0, t.cpu.host.nwatch);
    cr_assert_eq(1, t.cpu.host.nbp, "dropping gdb's claims leaves the window's breakpoint");
    debug_host_drop(&t.cpu, HOST_OWNER_UI);
    cr_assert_eq(0, t.cpu.host.nbp);
    cr_assert_eq(0, debug_host_break_at(&t.cpu, TH_CODE + 5));
    th_free(&t);
}
