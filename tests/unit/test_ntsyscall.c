/* test_ntsyscall.c - the built-in kernel with its ramdisk (smss and the
 * demo programs), booted headless through the machine API: the session's
 * console transcript against its golden copy, the fast-call MSRs and
 * KUSER_SHARED_DATA's SystemCall fields, and the KTRAP_FRAME as the service
 * routine is called on the sysenter and int 2Eh paths (every field
 * nt-reference.md 5.1 says the path fills), caught with code hooks on the
 * kernel's labels.  A CPU without SEP runs the same session through int 2Eh
 * and IRETD alone. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sim/machine.h"
#include "sim/loader.h"
#include "sim/symbols.h"
#include "tests/unit/nt_boot.h"
#include "sim/ntlayout.h"

#define EXIT_SUCCESS_STATUS 33          /* isa-debug-exit: (0x10 << 1) | 1 */

static struct machine *m;
static char transcript[64];

static void teardown(void)
{
    machine_free(m);
    m = NULL;
    if (transcript[0]) unlink(transcript);
    transcript[0] = 0;
}
TestSuite(ntsyscall, .fini = teardown);

/* The kernel and the ramdisk on a CPU of the given spec, ready to run; the
 * symbols of the kernel and of ntdll are in m->symbols. */
static void prepare(const char *cpu_spec)
{
    char err[256];
    m = nt_machine_new(cpu_spec, 2000000000, transcript, sizeof transcript);
    cr_assert_eq(0, nt_boot_with_ramdisk(m, err, sizeof err), "%s", err);
}

static void dump_transcript(void)
{
    FILE *f = fopen(transcript, "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) fprintf(stderr, "  | %s", line);
    if (f) fclose(f);
}

static void run_to_the_end(void)
{
    enum machine_stop why = machine_run(m);
    if (why != STOP_DEBUG_EXIT || m->exit_status != EXIT_SUCCESS_STATUS) dump_transcript();
    cr_assert_eq(STOP_DEBUG_EXIT, why, "%s", m->message);
    cr_assert_eq(EXIT_SUCCESS_STATUS, m->exit_status, "%s", m->message);
}

static uint32_t sym(const char *name) { return nt_sym(m, name); }
static uint32_t rd32(uint32_t lin) { return nt_rd32(m, lin); }

static int transcript_has(const char *text)
{
    FILE *f = fopen(transcript, "r");
    char line[512];
    int found = 0;
    while (f && !found && fgets(line, sizeof line, f)) found = strstr(line, text) != NULL;
    if (f) fclose(f);
    return found;
}

/* ---- the session -------------------------------------------------------------- */

Test(ntsyscall, session_transcript_matches_the_golden_copy, .timeout = 120)
{
    prepare("intel");
    run_to_the_end();
    nt_expect_golden(transcript, "tests/golden/ntkernel_session.txt");
}

Test(ntsyscall, fast_call_msrs_and_the_shared_page_point_at_the_entry_and_ntdll, .timeout = 120)
{
    prepare("intel");
    run_to_the_end();
    cr_expect_eq(0x08, m->cpu.msr.sysenter_cs);
    cr_expect_eq(sym("KiFastCallEntry"), (uint32_t)m->cpu.msr.sysenter_eip);
    uint32_t dpc_stack = rd32(0xFFDFF120 + 0x868);
    cr_expect_eq(dpc_stack, (uint32_t)m->cpu.msr.sysenter_esp, "SYSENTER_ESP = Prcb->DpcStack");
    cr_expect_eq(0, rd32(sym("KiFastSystemCallDisable")) & 0xFF);
    cr_expect_eq(sym("KiFastSystemCall"), rd32(0xFFDF0300), "SharedUserData->SystemCall");
    cr_expect_eq(sym("KiFastSystemCallRet"), rd32(0xFFDF0304), "SharedUserData->SystemCallReturn");
    cr_expect_eq(0xC3, rd32(0xFFDF02F8) & 0xFF, "TestRetInstruction");
}

/* ---- the trap frame at the service call ----------------------------------------- */

struct snapshot {
    uint32_t entry;             /* the label the call came in by */
    uint32_t eax, edx, esp;     /* at that label */
    uint32_t user_esp;          /* for int 2Eh: the CPU-pushed ESP */
    int taken;                  /* the frame has been read */
    uint32_t frame[0x8C / 4];
    uint32_t ebp, thread, initial_stack, thread_trap_frame, prev_trap_frame_before;
    uint8_t previous_mode;
    uint32_t pcr_exception_list_before;
    uint32_t service;           /* the full number of the call snapshotted */
    uint32_t want_service, want_entry;
};
static struct snapshot snap;

static void at_entry(struct cpu *cpu, void *ctx, uint64_t lin)
{
    (void)ctx;
    if (snap.taken) return;
    snap.entry = (uint32_t)lin;
    snap.eax = (uint32_t)cpu->gpr[RAX];
    snap.edx = (uint32_t)cpu->gpr[RDX];
    snap.esp = (uint32_t)cpu->gpr[RSP];
    uint32_t thread = 0;
    cpu_read_linear(cpu, 0xFFDFF124, &thread, 4);
    cpu_read_linear(cpu, thread + 0x134, &snap.prev_trap_frame_before, 4);
    cpu_read_linear(cpu, 0xFFDFF000, &snap.pcr_exception_list_before, 4);
    if (snap.entry == snap.want_entry) cpu_read_linear(cpu, snap.esp + 12, &snap.user_esp, 4);
}

static void at_call(struct cpu *cpu, void *ctx, uint64_t lin)
{
    (void)ctx, (void)lin;
    if (snap.taken || snap.entry != snap.want_entry || snap.eax != snap.want_service) return;
    snap.taken = 1;
    snap.service = snap.eax;
    snap.ebp = (uint32_t)cpu->gpr[RBP];
    cr_assert_eq(0, cpu_read_linear(cpu, snap.ebp, snap.frame, sizeof snap.frame));
    cpu_read_linear(cpu, 0xFFDFF124, &snap.thread, 4);
    cpu_read_linear(cpu, snap.thread + 0x18, &snap.initial_stack, 4);
    cpu_read_linear(cpu, snap.thread + 0x134, &snap.thread_trap_frame, 4);
    cpu_read_linear(cpu, snap.thread + 0x140, &snap.previous_mode, 1);
}

#define F(off) snap.frame[(off) / 4]

static void catch_call(uint32_t service, const char *entry)
{
    memset(&snap, 0, sizeof snap);
    snap.want_service = service;
    snap.want_entry = sym(entry);
    cr_assert_eq(0, cpu_hook_add(&m->cpu, sym("KiFastCallEntry"), at_entry, NULL));
    cr_assert_eq(0, cpu_hook_add(&m->cpu, sym("KiSystemService"), at_entry, NULL));
    cr_assert_eq(0, cpu_hook_add(&m->cpu, sym("KiSystemServiceCall"), at_call, NULL));
    run_to_the_end();
    cr_assert(snap.taken, "no %s call of service 0x%x was seen", entry, service);
}

Test(ntsyscall, sysenter_trap_frame_of_ntwritefile_at_the_service_call, .timeout = 120)
{
    prepare("intel");
    catch_call(0x112, "KiFastCallEntry");
    cr_expect_eq(snap.initial_stack - 0x29C, snap.ebp, "the frame at InitialStack - 0x29C");
    cr_expect_eq(snap.ebp, snap.thread_trap_frame, "Thread->TrapFrame = the frame");
    cr_expect_eq(1, snap.previous_mode, "PreviousMode = UserMode");
    cr_expect_eq(0x23, F(0x78), "HardwareSegSs = 0x23");
    cr_expect_eq(snap.edx, F(0x74), "HardwareEsp = the user ESP from EDX");
    cr_expect(F(0x70) & 0x200, "EFlags: IF set in the saved copy");
    cr_expect_eq(0, F(0x70) & 0x100, "EFlags: TF clear");
    cr_expect_eq(0x1B, F(0x6C), "SegCs = 0x1B");
    cr_expect_eq(sym("KiFastSystemCallRet"), F(0x68), "Eip = SharedUserData->SystemCallReturn");
    cr_expect_eq(0, F(0x64), "ErrCode = 0");
    cr_expect_eq(0x3B, F(0x50), "SegFs = 0x3B");
    cr_expect_eq(snap.pcr_exception_list_before, F(0x4C), "ExceptionList = the PCR's");
    cr_expect_eq(1, F(0x48), "PreviousPreviousMode = 1");
    cr_expect_eq(snap.prev_trap_frame_before, F(0x3C), "Edx = the previous trap frame");
    cr_expect_eq(0, F(0x2C), "Dr7 = 0");
    cr_expect_eq(0xBADB0D00, F(0x08), "DbgArgMark");
    cr_expect_eq(snap.edx + 8, F(0x0C), "DbgArgPointer = the arguments (user ESP + 8)");
    cr_expect_eq(F(0x68), F(0x04), "DbgEip = Eip");
    cr_expect_eq(F(0x60), F(0x00), "DbgEbp = Ebp");
}

Test(ntsyscall, int2e_trap_frame_of_ntwritefile_holds_the_cpu_pushed_frame, .timeout = 120)
{
    prepare("intel");
    catch_call(0x112, "KiSystemService");
    cr_expect_eq(snap.initial_stack - 0x29C, snap.ebp, "the frame at InitialStack - 0x29C");
    cr_expect_eq(snap.ebp, snap.thread_trap_frame);
    cr_expect_eq(1, snap.previous_mode);
    cr_expect_eq(0x23, F(0x78), "HardwareSegSs: pushed by the CPU");
    cr_expect_eq(snap.user_esp, F(0x74), "HardwareEsp: pushed by the CPU");
    cr_expect_eq(0x1B, F(0x6C), "SegCs: pushed by the CPU");
    cr_expect_eq(sym("KiIntSystemCall") + 6, F(0x68), "Eip: after the int 2Eh in KiIntSystemCall");
    cr_expect(F(0x70) & 0x200, "EFlags: the user's, IF set");
    cr_expect_eq(0, F(0x64));
    cr_expect_eq(0x3B, F(0x50), "SegFs: the caller's FS");
    cr_expect_eq(1, F(0x48), "PreviousPreviousMode: the old PreviousMode");
    cr_expect_eq(snap.prev_trap_frame_before, F(0x3C), "Edx = the previous trap frame");
    cr_expect_eq(snap.user_esp + 8, snap.edx, "KiIntSystemCall passes ESP + 8");
    cr_expect_eq(snap.edx, F(0x0C), "DbgArgPointer = EDX");
    cr_expect_eq(0xBADB0D00, F(0x08));
}

/* ---- exits --------------------------------------------------------------------- */

static unsigned count_sysexit, count_iret, count_fast, count_user_exits;
static void count_hook(struct cpu *cpu, void *ctx, uint64_t lin)
{
    (void)cpu, (void)lin;
    ++*(unsigned *)ctx;
}

/* KiServiceExit with EBP = the frame: count the exits to user mode. */
static void count_user_exit(struct cpu *cpu, void *ctx, uint64_t lin)
{
    (void)ctx, (void)lin;
    uint32_t cs = 0;
    cpu_read_linear(cpu, (uint32_t)cpu->gpr[RBP] + 0x6C, &cs, 4);
    if (cs & 3) count_user_exits++;
}

Test(ntsyscall, fast_calls_return_by_sysexit, .timeout = 120)
{
    prepare("intel");
    count_sysexit = count_iret = count_fast = count_user_exits = 0;
    cpu_hook_add(&m->cpu, sym("KiSystemCallExitSysexit"), count_hook, &count_sysexit);
    cpu_hook_add(&m->cpu, sym("KiSystemCallExitIret"), count_hook, &count_iret);
    cpu_hook_add(&m->cpu, sym("KiFastCallEntry"), count_hook, &count_fast);
    cpu_hook_add(&m->cpu, sym("KiServiceExit"), count_user_exit, NULL);
    run_to_the_end();
    cr_expect_gt(count_fast, 100);
    cr_expect_eq(count_user_exits, count_sysexit, "every service exit to user mode is a SYSEXIT (%u of %u)",
                 count_sysexit, count_user_exits);
    cr_expect_geq(count_sysexit, count_fast - 40, "nearly every call leaves by SYSEXIT (%u of %u)",
                  count_sysexit, count_fast);
    cr_expect_eq(0, count_iret, "no TF, fast calls on: the IRETD service exit is not used");
}

Test(ntsyscall, a_cpu_without_sep_runs_the_session_through_int2e_and_iretd, .timeout = 120)
{
    prepare("intel,-sep");
    count_sysexit = count_iret = count_fast = 0;
    cpu_hook_add(&m->cpu, sym("KiSystemCallExitSysexit"), count_hook, &count_sysexit);
    cpu_hook_add(&m->cpu, sym("KiSystemCallExitIret"), count_hook, &count_iret);
    cpu_hook_add(&m->cpu, sym("KiFastCallEntry"), count_hook, &count_fast);
    run_to_the_end();
    cr_expect_eq(0, count_fast);
    cr_expect_eq(0, count_sysexit);
    cr_expect_gt(count_iret, 100);
    cr_expect_eq(0, m->cpu.msr.sysenter_eip, "the MSRs stay unset");
    cr_expect_eq(sym("KiIntSystemCall"), rd32(0xFFDF0300), "SharedUserData->SystemCall = KiIntSystemCall");
    cr_expect(transcript_has("no SEP, system calls use int 2Eh"));
    cr_expect(transcript_has("[smss] all demo programs have run"));
    cr_expect(transcript_has("callback: returned 0x00000000, result 106 (expected 106)"));
}

/* ---- single-stepping into SYSENTER ------------------------------------------ */

/* TF set on the sysenter of one NtWriteFile (as a debugger's stepi does):
 * SYSENTER keeps TF, so #DB arrives on KiFastCallEntry's first instruction;
 * KiTrap01 sees that EIP and enters through KiFastCallEntry2, whose frame
 * keeps TF, so the return goes by IRETD and traps after one user
 * instruction (nt-reference.md 5.3).  The test's debugger clears TF there. */
static struct {
    int armed, entry2, frame_tf, iret, cleared;
    uint32_t sysenter;
} step;

static void step_arm(struct cpu *cpu, void *ctx, uint64_t lin)
{
    (void)ctx, (void)lin;
    if (step.armed || (uint32_t)cpu->gpr[RAX] != 0x112) return;
    step.armed = 1;
    cpu_set_flags(cpu, cpu_get_flags(cpu) | FL_TF);
}

static void step_entry2(struct cpu *cpu, void *ctx, uint64_t lin)
{
    (void)cpu, (void)ctx, (void)lin;
    step.entry2++;
}

static void step_call(struct cpu *cpu, void *ctx, uint64_t lin)
{
    (void)ctx, (void)lin;
    if (step.entry2 != 1 || step.frame_tf) return;
    uint32_t eflags = 0;
    cpu_read_linear(cpu, (uint32_t)cpu->gpr[RBP] + 0x70, &eflags, 4);
    step.frame_tf = (eflags & FL_TF) ? 1 : -1;
}

static void step_iret(struct cpu *cpu, void *ctx, uint64_t lin)
{
    (void)lin, (void)ctx;
    uint32_t cs = 0;
    cpu_read_linear(cpu, (uint32_t)cpu->gpr[RSP] + 4, &cs, 4);
    if (cs & 3) step.iret++;
}

static void step_clear(struct cpu *cpu, void *ctx, uint64_t lin)
{
    (void)ctx, (void)lin;
    if (cpu_get_flags(cpu) & FL_TF) {
        step.cleared++;
        cpu_set_flags(cpu, cpu_get_flags(cpu) & ~(uint64_t)FL_TF);
    }
}

Test(ntsyscall, single_step_into_sysenter_goes_through_kifastcallentry2_and_iretd, .timeout = 120)
{
    prepare("intel");
    memset(&step, 0, sizeof step);
    cr_assert_eq(0, cpu_hook_add(&m->cpu, sym("KiFastSystemCall") + 2, step_arm, NULL));
    cr_assert_eq(0, cpu_hook_add(&m->cpu, sym("KiFastCallEntry2"), step_entry2, NULL));
    cr_assert_eq(0, cpu_hook_add(&m->cpu, sym("KiSystemServiceCall"), step_call, NULL));
    cr_assert_eq(0, cpu_hook_add(&m->cpu, sym("KiSystemCallExitIret"), step_iret, NULL));
    cr_assert_eq(0, cpu_hook_add(&m->cpu, sym("KiFastSystemCallRet"), step_clear, NULL));
    run_to_the_end();
    cr_expect_eq(1, step.armed);
    cr_expect_eq(1, step.entry2, "one entry through KiFastCallEntry2");
    cr_expect_eq(1, step.frame_tf, "the frame's saved EFLAGS has TF");
    cr_expect_eq(1, step.iret, "that call, and only it, returned by IRETD");
    cr_expect_eq(1, step.cleared, "TF was live again on the return to user mode");
    cr_expect(transcript_has("[smss] all demo programs have run"));
}

/* ---- the dispatcher's lists -------------------------------------------------- */

/* Whenever a thread gets the processor or calls a service, it is on both
 * thread lists of its process: KPROCESS.ThreadListHead through
 * KTHREAD.ThreadListEntry and EPROCESS.ThreadListHead through
 * ETHREAD.ThreadListEntry. */
static unsigned switches, unlisted;
static char unlisted_what[128];

static int on_list(struct cpu *cpu, uint32_t head, uint32_t entry)
{
    uint32_t e = 0;
    cpu_read_linear(cpu, head, &e, 4);
    for (unsigned n = 0; e && e != head && n < 256; n++) {
        if (e == entry) return 1;
        if (cpu_read_linear(cpu, e, &e, 4) != 0) return 0;
    }
    return 0;
}

static void check_listed(struct cpu *cpu, uint32_t next)
{
    uint32_t process = 0, tid = 0;
    cpu_read_linear(cpu, next + ThProcess, &process, 4);
    cpu_read_linear(cpu, next + EtCid + 4, &tid, 4);
    if (next == nt_sym(m, "KiIdleThread")) return;
    switches++;
    if (!on_list(cpu, process + PrThreadListHead, next + ThThreadListEntry) ||
        !on_list(cpu, process + EpThreadListHead, next + EtThreadListEntry)) {
        if (!unlisted++)
            snprintf(unlisted_what, sizeof unlisted_what, "thread %u (%08x) at check %u", tid, next, switches);
    }
}

/* KiSwapContext(Old, New): the thread about to run. */
static void check_switch(struct cpu *cpu, void *ctx, uint64_t lin)
{
    (void)ctx, (void)lin;
    uint32_t next = 0;
    cpu_read_linear(cpu, (uint32_t)cpu->gpr[RSP] + 8, &next, 4);
    check_listed(cpu, next);
}

/* KiSystemServiceCall: the thread running a service. */
static void check_caller(struct cpu *cpu, void *ctx, uint64_t lin)
{
    (void)ctx, (void)lin;
    uint32_t current = 0;
    cpu_read_linear(cpu, NT_CURRENT_THREAD_VA, &current, 4);
    check_listed(cpu, current);
}

Test(ntsyscall, every_thread_that_runs_is_on_its_process_thread_lists, .timeout = 120)
{
    prepare("intel");
    switches = unlisted = 0;
    cr_assert_eq(0, cpu_hook_add(&m->cpu, sym("KiSwapContext"), check_switch, NULL));
    cr_assert_eq(0, cpu_hook_add(&m->cpu, sym("KiSystemServiceCall"), check_caller, NULL));
    run_to_the_end();
    cr_expect_gt(switches, 200, "only %u checks", switches);
    cr_expect_eq(0, unlisted, "%u times a thread missing from its lists ran, first %s", unlisted, unlisted_what);
}
