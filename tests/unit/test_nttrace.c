/* test_nttrace.c - the system-call tracer's lines and its per-thread state
 * machine (sim/nttrace.c), driven by synthetic events over a fake guest
 * memory: no kernel needed. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim/nttrace.h"

static const struct nt_service table[] = {
    { 0x14, "NtCallbackReturn", 3 }, { 0x20, "NtContinue", 2 },
    { 0x101, "NtTerminateProcess", 2 }, { 0x102, "NtTerminateThread", 2 },
    { 0x112, "NtWriteFile", 9 }, { 0x116, "NtYieldExecution", 0 },
    { 0x19, "NtClose", 1 }, { 0x1000, "NtUserCallbackDemo", 3 },
};

/* Guest memory: 4 KiB at MEM_BASE, the rest unreadable. */
#define MEM_BASE 0x7FFD0000u
static uint8_t mem[4096];

static int fake_read(void *ctx, uint32_t lin, void *buf, size_t len)
{
    (void)ctx;
    if (lin < MEM_BASE || lin - MEM_BASE + len > sizeof mem) return -1;
    memcpy(buf, mem + (lin - MEM_BASE), len);
    return 0;
}

static void put_args(uint32_t at, const uint32_t *v, unsigned n)
{
    memcpy(mem + (at - MEM_BASE), v, 4 * n);
}

static struct nttrace t;
static char *text;
static size_t text_len;
static FILE *out;

static void setup(void)
{
    memset(mem, 0, sizeof mem);
    out = open_memstream(&text, &text_len);
    cr_assert_not_null(out);
    nttrace_init(&t, out, table, sizeof table / sizeof table[0], fake_read, NULL);
}

static void teardown(void)
{
    nttrace_free(&t);
    fclose(out);
    free(text);
}

TestSuite(nttrace, .init = setup, .fini = teardown);

static void expect(const char *want)
{
    fflush(out);
    cr_assert_str_eq(text, want);
}

static const uint32_t write_args[9] = { 0x8, 0, 0, 0, 0x7ffdfd1c, 0x401020, 0xc, 0, 0 };

Test(nttrace, sysenter_call_and_sysexit_return)
{
    nttrace_enter(&t, 4, 8, NT_ENTRY_SYSENTER, 0x112, 1000, 5000);
    put_args(MEM_BASE + 0x800, write_args, 9);          /* the kernel's copy */
    nttrace_call(&t, 4, 8, MEM_BASE + 0x800);
    nttrace_returned(&t, 4, 8, 0);
    nttrace_exit(&t, 4, 8, NT_EXIT_SYSEXIT, 0, 1812, 6630);
    expect("[4.8] -> NtWriteFile (0x112) via sysenter (0x8, 0, 0, 0, 0x7ffdfd1c, 0x401020, 0xc, 0, 0)\n"
           "[4.8] <- NtWriteFile (0x112) = 0x00000000 via sysexit, 812 insns, 1630 cycles\n");
}

Test(nttrace, a_second_entry_label_of_one_call_is_one_call)
{
    nttrace_enter(&t, 4, 8, NT_ENTRY_SYSENTER, 0x116, 10, 10);
    nttrace_enter(&t, 4, 8, NT_ENTRY_SYSENTER, 0x116, 12, 12);  /* KiFastCallEntry2 */
    nttrace_call(&t, 4, 8, MEM_BASE);
    nttrace_returned(&t, 4, 8, 0);
    nttrace_exit(&t, 4, 8, NT_EXIT_IRETD, 0, 20, 40);
    expect("[4.8] -> NtYieldExecution (0x116) via sysenter ()\n"
           "[4.8] <- NtYieldExecution (0x116) = 0x00000000 via iretd, 10 insns, 30 cycles\n");
}

Test(nttrace, int2e_with_a_kernel_zw_call_inside)
{
    const uint32_t close_args[1] = { 0x1c };
    put_args(MEM_BASE + 0x10, close_args, 1);
    nttrace_enter(&t, 1, 2, NT_ENTRY_INT2E, 0x19, 0, 0);
    nttrace_call(&t, 1, 2, MEM_BASE + 0x10);
    nttrace_enter(&t, 1, 2, NT_ENTRY_KERNEL_ZW, 0x116, 5, 7);
    nttrace_call(&t, 1, 2, MEM_BASE + 0x20);
    nttrace_returned(&t, 1, 2, 0x40000000);
    nttrace_exit(&t, 1, 2, NT_EXIT_RET, 0x40000000, 9, 15);
    nttrace_returned(&t, 1, 2, 0xC0000008);
    nttrace_exit(&t, 1, 2, NT_EXIT_IRETD, 0xC0000008, 20, 40);
    expect("[1.2] -> NtClose (0x19) via int 2Eh (0x1c)\n"
           "[1.2] -> NtYieldExecution (0x116) via kernel Zw ()\n"
           "[1.2] <- NtYieldExecution (0x116) = 0x40000000 via ret, 4 insns, 8 cycles\n"
           "[1.2] <- NtClose (0x19) = 0xC0000008 via iretd, 20 insns, 40 cycles\n");
}

Test(nttrace, unreadable_arguments_and_a_refused_number)
{
    nttrace_enter(&t, 1, 2, NT_ENTRY_SYSENTER, 0x19, 0, 0);
    nttrace_call(&t, 1, 2, 0x10);                       /* not readable */
    nttrace_returned(&t, 1, 2, 0xC0000005);
    nttrace_exit(&t, 1, 2, NT_EXIT_SYSEXIT, 0xC0000005, 3, 3);
    /* Refused by the dispatcher: no call, the status is what the exit returns. */
    nttrace_enter(&t, 1, 2, NT_ENTRY_SYSENTER, 0x1FFF, 10, 10);
    nttrace_exit(&t, 1, 2, NT_EXIT_SYSEXIT, 0xC000001C, 30, 50);
    /* Arguments refused (a kernel pointer): never copied, so not shown. */
    nttrace_enter(&t, 1, 2, NT_ENTRY_INT2E, 0x19, 60, 60);
    nttrace_exit(&t, 1, 2, NT_EXIT_IRETD, 0xC0000005, 70, 70);
    expect("[1.2] -> NtClose (0x19) via sysenter (?)\n"
           "[1.2] <- NtClose (0x19) = 0xC0000005 via sysexit, 3 insns, 3 cycles\n"
           "[1.2] -> unknown (0x1fff) via sysenter ()\n"
           "[1.2] <- unknown (0x1fff) = 0xC000001C via sysexit, 20 insns, 40 cycles\n"
           "[1.2] -> NtClose (0x19) via int 2Eh (?)\n"
           "[1.2] <- NtClose (0x19) = 0xC0000005 via iretd, 10 insns, 10 cycles\n");
}

Test(nttrace, threads_keep_their_own_calls)
{
    nttrace_enter(&t, 1, 2, NT_ENTRY_SYSENTER, 0x116, 0, 0);
    nttrace_call(&t, 1, 2, MEM_BASE);
    nttrace_enter(&t, 3, 4, NT_ENTRY_SYSENTER, 0x116, 10, 10);  /* a switch */
    nttrace_call(&t, 3, 4, MEM_BASE);
    nttrace_returned(&t, 3, 4, 0);
    nttrace_exit(&t, 3, 4, NT_EXIT_SYSEXIT, 0, 20, 20);
    nttrace_returned(&t, 1, 2, 0);
    nttrace_exit(&t, 1, 2, NT_EXIT_SYSEXIT, 0, 30, 30);
    nttrace_exit(&t, 5, 6, NT_EXIT_FULL_IRETD, 0, 40, 40);   /* a new thread's first exit */
    expect("[1.2] -> NtYieldExecution (0x116) via sysenter ()\n"
           "[3.4] -> NtYieldExecution (0x116) via sysenter ()\n"
           "[3.4] <- NtYieldExecution (0x116) = 0x00000000 via sysexit, 10 insns, 10 cycles\n"
           "[1.2] <- NtYieldExecution (0x116) = 0x00000000 via sysexit, 30 insns, 30 cycles\n");
}

Test(nttrace, nested_callbacks_indent_and_return_by_int2b)
{
    const uint32_t cb_args[3] = { 2, 0, 0 };
    put_args(MEM_BASE, cb_args, 3);
    nttrace_enter(&t, 1, 2, NT_ENTRY_SYSENTER, 0x1000, 0, 0);
    nttrace_call(&t, 1, 2, MEM_BASE);
    nttrace_callout(&t, 1, 2, 2);
    nttrace_exit(&t, 1, 2, NT_EXIT_SYSEXIT, 0, 100, 100);
    /* In the callback: a call that calls back again. */
    nttrace_enter(&t, 1, 2, NT_ENTRY_SYSENTER, 0x1000, 110, 110);
    nttrace_call(&t, 1, 2, MEM_BASE);
    nttrace_callout(&t, 1, 2, 3);
    nttrace_exit(&t, 1, 2, NT_EXIT_IRETD, 0, 200, 200);
    nttrace_int2b(&t, 1, 2, 0, 0, 0x1234, 250, 250);
    nttrace_callback_done(&t, 1, 2, 0x1234);
    nttrace_returned(&t, 1, 2, 0x1234);
    nttrace_exit(&t, 1, 2, NT_EXIT_SYSEXIT, 0x1234, 300, 300);
    nttrace_int2b(&t, 1, 2, MEM_BASE, 4, 0, 310, 310);
    nttrace_callback_done(&t, 1, 2, 0);
    nttrace_returned(&t, 1, 2, 0);
    nttrace_exit(&t, 1, 2, NT_EXIT_SYSEXIT, 0, 400, 500);
    expect("[1.2] -> NtUserCallbackDemo (0x1000) via sysenter (0x2, 0, 0)\n"
           "[1.2]   => callback 2 to user via sysexit\n"
           "[1.2]   -> NtUserCallbackDemo (0x1000) via sysenter (0x2, 0, 0)\n"
           "[1.2]     => callback 3 to user via iretd\n"
           "[1.2]     -> NtCallbackReturn (0x14) via int 2Bh (0, 0, 0x1234)\n"
           "[1.2]     <- NtCallbackReturn (0x14) does not return\n"
           "[1.2]     <= callback returned 0x00001234 to NtUserCallbackDemo\n"
           "[1.2]   <- NtUserCallbackDemo (0x1000) = 0x00001234 via sysexit, 190 insns, 190 cycles\n"
           "[1.2]   -> NtCallbackReturn (0x14) via int 2Bh (0x7ffd0000, 0x4, 0)\n"
           "[1.2]   <- NtCallbackReturn (0x14) does not return\n"
           "[1.2]   <= callback returned 0x00000000 to NtUserCallbackDemo\n"
           "[1.2] <- NtUserCallbackDemo (0x1000) = 0x00000000 via sysexit, 400 insns, 500 cycles\n");
}

Test(nttrace, ntcallbackreturn_by_sysenter_completes_the_callback)
{
    const uint32_t ret_args[3] = { 0, 0, 7 };
    put_args(MEM_BASE + 0x40, ret_args, 3);
    nttrace_enter(&t, 1, 2, NT_ENTRY_SYSENTER, 0x1000, 0, 0);
    nttrace_call(&t, 1, 2, MEM_BASE);
    nttrace_callout(&t, 1, 2, 0);
    nttrace_exit(&t, 1, 2, NT_EXIT_SYSEXIT, 0, 10, 10);
    nttrace_enter(&t, 1, 2, NT_ENTRY_SYSENTER, 0x14, 20, 20);
    nttrace_call(&t, 1, 2, MEM_BASE + 0x40);
    nttrace_callback_done(&t, 1, 2, 7);
    expect("[1.2] -> NtUserCallbackDemo (0x1000) via sysenter (0, 0, 0)\n"
           "[1.2]   => callback 0 to user via sysexit\n"
           "[1.2]   -> NtCallbackReturn (0x14) via sysenter (0, 0, 0x7)\n"
           "[1.2]   <- NtCallbackReturn (0x14) does not return\n"
           "[1.2]   <= callback returned 0x00000007 to NtUserCallbackDemo\n");
}

Test(nttrace, ntcontinue_leaves_by_the_full_context_exit)
{
    nttrace_enter(&t, 1, 2, NT_ENTRY_SYSENTER, 0x20, 0, 0);
    nttrace_call(&t, 1, 2, MEM_BASE);
    nttrace_exit(&t, 1, 2, NT_EXIT_FULL_IRETD, 0, 10, 10);
    /* A service whose trap frame was rewritten but that returned a status. */
    nttrace_enter(&t, 1, 2, NT_ENTRY_SYSENTER, 0x116, 20, 20);
    nttrace_call(&t, 1, 2, MEM_BASE);
    nttrace_returned(&t, 1, 2, 0);
    nttrace_exit(&t, 1, 2, NT_EXIT_FULL_IRETD, 0, 30, 30);
    expect("[1.2] -> NtContinue (0x20) via sysenter (0, 0)\n"
           "[1.2] <- NtContinue (0x20) does not return\n"
           "[1.2] -> NtYieldExecution (0x116) via sysenter ()\n"
           "[1.2] <- NtYieldExecution (0x116) = 0x00000000 via iretd, 10 insns, 10 cycles\n");
}

Test(nttrace, an_open_call_is_closed_when_the_thread_enters_again)
{
    nttrace_enter(&t, 1, 2, NT_ENTRY_SYSENTER, 0x116, 0, 0);
    nttrace_call(&t, 1, 2, MEM_BASE);
    nttrace_enter(&t, 1, 2, NT_ENTRY_INT2E, 0x116, 10, 10);
    nttrace_call(&t, 1, 2, MEM_BASE);
    expect("[1.2] -> NtYieldExecution (0x116) via sysenter ()\n"
           "[1.2] <- NtYieldExecution (0x116) does not return\n"
           "[1.2] -> NtYieldExecution (0x116) via int 2Eh ()\n");
}

Test(nttrace, terminating_the_caller_ends_the_thread)
{
    const uint32_t self_thread[2] = { 0xFFFFFFFE, 0 }, self_process[2] = { 0xFFFFFFFF, 3 },
                   other[2] = { 0x24, 0 };
    put_args(MEM_BASE, self_thread, 2);
    put_args(MEM_BASE + 8, self_process, 2);
    put_args(MEM_BASE + 16, other, 2);
    nttrace_enter(&t, 1, 2, NT_ENTRY_SYSENTER, 0x101, 0, 0);
    nttrace_call(&t, 1, 2, MEM_BASE + 16);              /* another process: returns */
    nttrace_returned(&t, 1, 2, 0);
    nttrace_exit(&t, 1, 2, NT_EXIT_SYSEXIT, 0, 5, 5);
    nttrace_enter(&t, 1, 2, NT_ENTRY_SYSENTER, 0x102, 10, 10);
    nttrace_call(&t, 1, 2, MEM_BASE);
    nttrace_enter(&t, 1, 3, NT_ENTRY_SYSENTER, 0x101, 20, 20);
    nttrace_call(&t, 1, 3, MEM_BASE + 8);
    /* Were thread 2 ever seen again, nothing more is said about its call. */
    nttrace_enter(&t, 1, 2, NT_ENTRY_SYSENTER, 0x116, 30, 30);
    expect("[1.2] -> NtTerminateProcess (0x101) via sysenter (0x24, 0)\n"
           "[1.2] <- NtTerminateProcess (0x101) = 0x00000000 via sysexit, 5 insns, 5 cycles\n"
           "[1.2] -> NtTerminateThread (0x102) via sysenter (0xfffffffe, 0)\n"
           "[1.2] <- NtTerminateThread (0x102) ends the thread\n"
           "[1.3] -> NtTerminateProcess (0x101) via sysenter (0xffffffff, 0x3)\n"
           "[1.3] <- NtTerminateProcess (0x101) ends the thread\n");
}

/* ---- on a CPU: the hooks at the labels (nttrace_attach) ------------------- */

#include "tests/unit/harness.h"
#include "tests/unit/pt.h"
#include "sim/symbols.h"

/* A stand-in for the kernel's int 2Eh path, labels in straight-line code:
 * 1000 b8 19 00 00 00     mov eax, 0x19 (NtClose)
 * 1005 ba 00 30 00 00     mov edx, 0x3000 (the arguments)
 * 100a 6a 1b              push 0x1b (CS of a user caller)
 * 100c 68 34 12 00 00     push 0x1234 (its EIP)
 * 1011 90                 KiSystemService: nop
 * 1012 ff 35 00 30 00 00  push dword [0x3000] (the copy)
 * 1018 90                 KiSystemServiceCall: nop
 * 1019 b8 08 00 00 c0     mov eax, 0xC0000008
 * 101e 90                 KiSystemServiceReturned: nop
 * 101f f4                 KiSystemCallExitIret: hlt */
Test(nttrace_cpu, hooks_at_the_labels_read_the_thread_and_arguments)
{
    static const uint8_t code[] = {
        0xb8, 0x19, 0x00, 0x00, 0x00, 0xba, 0x00, 0x30, 0x00, 0x00, 0x6a, 0x1b, 0x68, 0x34, 0x12,
        0x00, 0x00, 0x90, 0xff, 0x35, 0x00, 0x30, 0x00, 0x00, 0x90, 0xb8, 0x08, 0x00, 0x00, 0xc0,
        0x90, 0xf4 };
    struct th th;
    struct pt p;
    th_start(&th, DM_32, code, sizeof code);
    pt_setup(&p, &th, PT_32);
    pt_map(&p, 0xFFDFF000u, 0x6000, PG_P | PG_RW);      /* the KPCR */
    th_poke(&th, 0x6124, 4, 0x7000);                    /* CurrentThread */
    th_poke(&th, 0x7000 + 0x1EC, 4, 4);                 /* Cid.UniqueProcess */
    th_poke(&th, 0x7000 + 0x1F0, 4, 8);                 /* Cid.UniqueThread */
    th_poke(&th, 0x3000, 4, 0x1c);
    struct symtab *syms = symtab_new();
    cr_assert_eq(0, symtab_add(syms, 0x1011, 0, "KiSystemService"));
    cr_assert_eq(0, symtab_add(syms, 0x1018, 0, "KiSystemServiceCall"));
    cr_assert_eq(0, symtab_add(syms, 0x101e, 0, "KiSystemServiceReturned"));
    cr_assert_eq(0, symtab_add(syms, 0x101f, 0, "KiSystemCallExitIret"));
    struct nttrace tr;
    char err[256], *lines = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&lines, &len);
    cr_assert_eq(0, nttrace_attach(&tr, &th.cpu, syms, f, err, sizeof err), "%s", err);
    cr_assert_eq(EXIT_HALT, th_run(&th, 100));
    fflush(f);
    const char *want = "[4.8] -> NtClose (0x19) via int 2Eh (0x1c)\n"
                       "[4.8] <- NtClose (0x19) = 0xC0000008 via iretd, 5 insns, ";
    cr_assert(!strncmp(lines, want, strlen(want)), "%s", lines);
    unsigned long long cycles = strtoull(lines + strlen(want), NULL, 10);
    cr_assert_gt(cycles, 0, "%s", lines);
    nttrace_free(&tr);
    cr_assert_eq(0, th.cpu.hooks.n, "the hooks are gone");
    /* A kernel without the labels is refused. */
    struct symtab *none = symtab_new();
    cr_assert_eq(-1, nttrace_attach(&tr, &th.cpu, none, f, err, sizeof err));
    cr_assert(strstr(err, "KiSystemService"), "%s", err);
    nttrace_free(&tr);
    fclose(f);
    free(lines);
    symtab_free(syms);
    symtab_free(none);
    th_free(&th);
}

/* The sysenter path with a callback returned by int 2Bh, labels in one run:
 * 1000 b8 00 10 00 00  mov eax, 0x1000 (NtUserCallbackDemo)
 * 1005 ba 00 30 00 00  mov edx, 0x3000 (the user ESP: arguments at +8)
 * 100a bc 08 30 00 00  mov esp, 0x3008 (the "copy")
 * 100f 31 db           xor ebx, ebx
 * 1011 90              KiFastCallEntry
 * 1012 90              KiSystemServiceCall
 * 1013 90              KiCallUserMode
 * 1014 90              KiSystemCallExitSysexit
 * 1015 85 db           test ebx, ebx
 * 1017 75 15           jnz 102e
 * 1019 43              inc ebx
 * 101a b9 00 32 00 00  mov ecx, 0x3200
 * 101f ba 04 00 00 00  mov edx, 4
 * 1024 b8 77 00 00 00  mov eax, 0x77
 * 1029 90              KiCallbackReturn
 * 102a 90              KiCallbackReturnResume
 * 102b 90              KiSystemServiceReturned
 * 102c eb e6           jmp 1014
 * 102e f4              hlt */
Test(nttrace_cpu, sysenter_and_a_callback_through_the_labels)
{
    static const uint8_t code[] = {
        0xb8, 0x00, 0x10, 0x00, 0x00, 0xba, 0x00, 0x30, 0x00, 0x00, 0xbc, 0x08, 0x30, 0x00, 0x00,
        0x31, 0xdb, 0x90, 0x90, 0x90, 0x90, 0x85, 0xdb, 0x75, 0x15, 0x43, 0xb9, 0x00, 0x32, 0x00,
        0x00, 0xba, 0x04, 0x00, 0x00, 0x00, 0xb8, 0x77, 0x00, 0x00, 0x00, 0x90, 0x90, 0x90, 0xeb,
        0xe6, 0xf4 };
    static const struct { uint32_t addr; const char *name; } labels[] = {
        { 0x1011, "KiFastCallEntry" }, { 0x1012, "KiSystemServiceCall" },
        { 0x1013, "KiCallUserMode" }, { 0x1014, "KiSystemCallExitSysexit" },
        { 0x1029, "KiCallbackReturn" }, { 0x102a, "KiCallbackReturnResume" },
        { 0x102b, "KiSystemServiceReturned" },
    };
    struct th th;
    struct pt p;
    th_start(&th, DM_32, code, sizeof code);
    pt_setup(&p, &th, PT_32);
    pt_map(&p, 0xFFDFF000u, 0x6000, PG_P | PG_RW);
    th_poke(&th, 0x6124, 4, 0x7000);
    th_poke(&th, 0x7000 + 0x1EC, 4, 4);
    th_poke(&th, 0x7000 + 0x1F0, 4, 8);
    th_poke(&th, 0x7000 + 0x134, 4, 0x5000);            /* KTHREAD.TrapFrame */
    th_poke(&th, 0x5000 + 0x74, 4, 0x3100);             /* KTRAP_FRAME.HardwareEsp */
    th_poke(&th, 0x3104, 4, 2);                         /* the ApiNumber */
    th_poke(&th, 0x3008, 4, 2);                         /* the service's arguments */
    struct symtab *syms = symtab_new();
    for (unsigned i = 0; i < sizeof labels / sizeof labels[0]; i++)
        cr_assert_eq(0, symtab_add(syms, labels[i].addr, 0, labels[i].name));
    struct nttrace tr;
    char err[256], *lines = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&lines, &len);
    cr_assert_eq(0, nttrace_attach(&tr, &th.cpu, syms, f, err, sizeof err), "%s", err);
    cr_assert_eq(EXIT_HALT, th_run(&th, 100));
    fflush(f);
    const char *want =
        "[4.8] -> NtUserCallbackDemo (0x1000) via sysenter (0x2, 0, 0)\n"
        "[4.8]   => callback 2 to user via sysexit\n"
        "[4.8]   -> NtCallbackReturn (0x14) via int 2Bh (0x3200, 0x4, 0x77)\n"
        "[4.8]   <- NtCallbackReturn (0x14) does not return\n"
        "[4.8]   <= callback returned 0x00000077 to NtUserCallbackDemo\n"
        "[4.8] <- NtUserCallbackDemo (0x1000) = 0x00000077 via sysexit, 14 insns, ";
    cr_assert(!strncmp(lines, want, strlen(want)), "%s", lines);
    nttrace_free(&tr);
    fclose(f);
    free(lines);
    symtab_free(syms);
    th_free(&th);
}

Test(nttrace, a_terminated_thread_ends_its_open_calls_and_its_id_is_free)
{
    const uint32_t other[2] = { 0x24, 0 };
    put_args(MEM_BASE, other, 2);
    nttrace_enter(&t, 1, 2, NT_ENTRY_SYSENTER, 0x1000, 0, 0);
    nttrace_call(&t, 1, 2, MEM_BASE);
    nttrace_callout(&t, 1, 2, 0);
    nttrace_exit(&t, 1, 2, NT_EXIT_SYSEXIT, 0, 10, 10);
    nttrace_enter(&t, 1, 2, NT_ENTRY_SYSENTER, 0x20, 20, 20);
    nttrace_call(&t, 1, 2, MEM_BASE);
    nttrace_thread_ends(&t, 1, 2);
    nttrace_enter(&t, 1, 2, NT_ENTRY_SYSENTER, 0x116, 30, 30);   /* a new thread, same id */
    nttrace_call(&t, 1, 2, MEM_BASE);
    expect("[1.2] -> NtUserCallbackDemo (0x1000) via sysenter (0x24, 0, 0)\n"
           "[1.2]   => callback 0 to user via sysexit\n"
           "[1.2]   -> NtContinue (0x20) via sysenter (0x24, 0)\n"
           "[1.2]   <- NtContinue (0x20) ends the thread\n"
           "[1.2] <- NtUserCallbackDemo (0x1000) ends the thread\n"
           "[1.2] -> NtYieldExecution (0x116) via sysenter ()\n");
}
