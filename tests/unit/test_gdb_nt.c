/* test_gdb_nt.c - the GDB stub against the built-in NT-style kernel, without
 * a socket (gdbstub/nt.c and the thread packets of stub.c): build/ntkernel.elf
 * with its ramdisk, the stub fed framed packets.  What the stub reports is
 * checked against the kernel's structures read here independently (the
 * lists from PsActiveProcessHead, the trap frames, the TEBs). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "gdbstub/stub.h"
#include "sim/loader.h"
#include "sim/symbols.h"
#include "tests/unit/nt_boot.h"

static struct machine *m;
static struct gdb_stub stub;
static char out[1 << 18];
static size_t out_len;

static void capture(void *ctx, const void *buf, size_t len)
{
    (void)ctx;
    cr_assert_lt(out_len + len, sizeof out);
    memcpy(out + out_len, buf, len);
    out_len += len;
}

static void setup(void)
{
    char err[256];
    struct machine_options opt;
    machine_default_options(&opt);
    opt.max_insns = 2000000000;
    opt.serial = "null";
    m = machine_new(&opt);
    cr_assert_not_null(m);
    cr_assert_eq(0, nt_boot_with_ramdisk(m, err, sizeof err), "%s", err);
    out_len = 0;
    gdb_stub_init(&stub, m, capture, NULL);
    stub.noack = true;
}

static void teardown(void)
{
    gdb_stub_free(&stub);
    machine_free(m);
}

TestSuite(gdb_nt, .init = setup, .fini = teardown, .timeout = 120);

/* ---- the packet side ------------------------------------------------------- */

static const char *last_reply(void)
{
    static struct gdb_framer fr;
    static char reply[GDB_PACKET_MAX + 1];
    gdb_framer_init(&fr);
    reply[0] = 0;
    for (size_t i = 0; i < out_len; i++)
        if (gdb_framer_feed(&fr, (uint8_t)out[i]) == GDB_EV_PACKET) memcpy(reply, fr.buf, fr.len + 1);
    return reply;
}

static const char *ask(const char *payload)
{
    char framed[2 * GDB_PACKET_MAX + 8];
    size_t n = gdb_frame(framed, sizeof framed, payload, strlen(payload));
    cr_assert_gt(n, 0);
    out_len = 0;
    gdb_stub_input(&stub, framed, n);
    if (stub.resume) gdb_stub_resume(&stub, NULL, NULL);
    return last_reply();
}

/* monitor <line>: the text of its O packets. */
static const char *monitor(const char *line)
{
    static char text[1 << 16];
    char q[600] = "qRcmd,";
    for (size_t i = 0; line[i]; i++) snprintf(q + 6 + 2 * i, 3, "%02x", (unsigned char)line[i]);
    ask(q);
    struct gdb_framer fr;
    size_t len = 0;
    gdb_framer_init(&fr);
    for (size_t i = 0; i < out_len; i++) {
        if (gdb_framer_feed(&fr, (uint8_t)out[i]) != GDB_EV_PACKET) continue;
        if (fr.buf[0] != 'O' || !strcmp(fr.buf, "OK")) continue;
        for (size_t k = 1; k + 1 < fr.len && len + 1 < sizeof text; k += 2)
            text[len++] = (char)strtoul((char[]){ fr.buf[k], fr.buf[k + 1], 0 }, NULL, 16);
    }
    text[len] = 0;
    cr_assert_str_eq("OK", last_reply(), "monitor %s", line);
    return text;
}

static uint32_t sym(const char *name) { return nt_sym(m, name); }
static uint32_t rd32(uint32_t lin) { return nt_rd32(m, lin); }

/* A little-endian 32-bit register from a g reply (slot n of the 32-bit layout). */
static uint32_t g_reg(const char *g, unsigned n)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = v << 8 | (uint32_t)strtoul((char[]){ g[8 * n + 2 * i], g[8 * n + 2 * i + 1], 0 }, NULL, 16);
    return v;
}

static void set_break(uint32_t addr, bool on)
{
    char q[40];
    snprintf(q, sizeof q, "%c0,%x,1", on ? 'Z' : 'z', addr);
    cr_assert_str_eq("OK", ask(q));
}

/* Continue to addr (a breakpoint there for the run). */
static void run_to(uint32_t addr)
{
    set_break(addr, true);
    const char *r = ask("c");
    cr_assert(!strncmp(r, "T05", 3), "stop reply %s", r);
    cr_assert_eq(addr, (uint32_t)m->cpu.rip, "stopped at 0x%llx", (unsigned long long)m->cpu.rip);
    set_break(addr, false);
}

/* The kernel's threads, walked here: ETHREADs and their TIDs. */
static size_t walk_threads(uint32_t *ethreads, uint32_t *tids, uint32_t *procs, size_t cap)
{
    uint32_t head = sym("PsActiveProcessHead"), n = 0;
    for (uint32_t pe = rd32(head); pe != head; pe = rd32(pe)) {
        uint32_t proc = pe - 0x88, th_head = proc + 0x190;
        for (uint32_t te = rd32(th_head); te != th_head && n < cap; te = rd32(te)) {
            ethreads[n] = te - 0x22C;
            tids[n] = rd32(te - 0x22C + 0x1F0);
            procs[n] = proc;
            n++;
        }
    }
    return n;
}

/* ---- tests ------------------------------------------------------------------ */

Test(gdb_nt, before_paging_there_is_one_thread)
{
    cr_assert(stub.nt.active);
    cr_assert_str_eq("m1", ask("qfThreadInfo"));
    cr_assert_str_eq("QC1", ask("qC"));
    cr_assert_str_eq("OK", ask("Hg0"));
    cr_assert_str_eq("E01", ask("Hg42"));
    cr_assert(strstr(monitor("process"), "processes=0\n"), "%s", monitor("process"));
    cr_assert_str_eq("", ask("qOffsets"));
    m->load_biased = true;
    m->load_bias = 0x1000;
    cr_assert_str_eq("Text=1000;Data=1000;Bss=1000", ask("qOffsets"));
}

/* A sysenter call: KiFastCallEntry with EAX = the service number, then the
 * service routine's call with the trap frame the reference describes. */
Test(gdb_nt, trapframe_at_the_service_call_of_a_sysenter)
{
    run_to(sym("KiFastCallEntry"));
    uint32_t number = (uint32_t)m->cpu.gpr[RAX];
    run_to(sym("KiSystemServiceCall"));
    const char *tf = monitor("trapframe");
    char want[80];
    cr_assert(strstr(tf, "SegCs=0x0000001b\n"), "%s", tf);
    cr_assert(strstr(tf, "HardwareSegSs=0x00000023\n"), "%s", tf);
    snprintf(want, sizeof want, "Eip=0x%08x sym=KiFastSystemCallRet\n", sym("KiFastSystemCallRet"));
    cr_assert(strstr(tf, want), "%s", tf);
    cr_assert(strstr(tf, "mode=user"), "%s", tf);
    /* the same frame by address */
    uint32_t frame = rd32(rd32(0xFFDFF124) + 0x134);
    snprintf(want, sizeof want, "trapframe 0x%x", frame);
    cr_assert(strstr(monitor(want), "SegCs=0x0000001b\n"));
    cr_assert(strstr(monitor("trapframe 0x1"), "unreadable"));
    cr_assert(strstr(monitor("trapframe zz"), "usage"));
    /* the ring saw it, with its arguments */
    const char *sc = monitor("syscalls 1");
    snprintf(want, sizeof want, "number=0x%x path=sysenter", number);
    cr_assert(strstr(sc, want), "%s", sc);
    cr_assert(strstr(sc, "status=pending"), "%s", sc);
    run_to(sym("KiSystemServiceReturned"));
    snprintf(want, sizeof want, "status=0x%08x", (uint32_t)m->cpu.gpr[RAX]);
    sc = monitor("syscalls 1");
    cr_assert(strstr(sc, want), "%s", sc);
}

/* Run until the kernel has several threads in user mode, then compare the
 * stub's thread list and saved contexts with the structures. */
Test(gdb_nt, threads_and_their_saved_registers)
{
    uint32_t eth[64], tid[64], proc[64];
    size_t n = 0;
    for (int i = 0; i < 400 && n < 3; i++) {
        run_to(sym("KiSystemServiceCall"));
        n = walk_threads(eth, tid, proc, 64);
    }
    cr_assert_geq(n, 3, "the kernel never had three threads");
    const char *list = ask("qfThreadInfo");
    cr_assert_eq('m', list[0], "%s", list);
    char id[16];
    for (size_t i = 0; i < n; i++) {
        snprintf(id, sizeof id, "%x", tid[i] + 1);
        cr_assert(strstr(list, id), "tid %u missing from %s", tid[i], list);
    }
    cr_assert(!strncmp(list, "m1,", 3), "the idle thread (tid 0) first: %s", list);
    const char *idle = ask("qThreadExtraInfo,1");
    cr_assert(strstr(idle, "53797374656d20706964203020746964203020"), "System pid 0 tid 0: %s", idle);
    uint32_t current = rd32(0xFFDFF124);
    uint32_t cur_tid = rd32(current + 0x1F0);
    char qc[16];
    snprintf(qc, sizeof qc, "QC%x", cur_tid + 1);
    cr_assert_str_eq(qc, ask("qC"));

    char cpu_g[GDB_PACKET_MAX + 1];
    snprintf(cpu_g, sizeof cpu_g, "%s", ask("g"));
    int others = 0;
    for (size_t i = 0; i < n; i++) {
        char q[40];
        snprintf(q, sizeof q, "qThreadExtraInfo,%x", tid[i] + 1);
        const char *hex = ask(q);
        char text[128] = "";
        for (size_t k = 0; hex[2 * k] && k + 1 < sizeof text; k++)
            text[k] = (char)strtoul((char[]){ hex[2 * k], hex[2 * k + 1], 0 }, NULL, 16);
        char want[64];
        snprintf(want, sizeof want, " pid %u tid %u ", rd32(eth[i] + 0x1EC), tid[i]);
        cr_assert(strstr(text, want), "'%s' lacks '%s'", text, want);
        if (eth[i] == current) continue;
        snprintf(q, sizeof q, "Hg%x", tid[i] + 1);
        cr_assert_str_eq("OK", ask(q));
        const char *g = ask("g");
        uint32_t initial = rd32(eth[i] + 0x18), frame = initial - 0x29C;
        uint32_t cs = 0;
        if (cpu_read_linear(&m->cpu, frame + 0x6C, &cs, 4) == 0 && (cs & 0xFFFF) == 0x1B) {
            cr_assert_eq(rd32(frame + 0x68), g_reg(g, 8), "eip of tid %u", tid[i]);
            cr_assert_eq(rd32(frame + 0x74), g_reg(g, 4), "esp of tid %u", tid[i]);
            cr_assert_eq(rd32(frame + 0x44), g_reg(g, 0), "eax of tid %u", tid[i]);
            cr_assert_eq(0x1B, g_reg(g, 10), "cs of tid %u", tid[i]);
        } else {
            uint32_t ks = rd32(eth[i] + 0x28);
            cr_assert_eq(rd32(ks + 16), g_reg(g, 8), "switch-frame eip of tid %u", tid[i]);
            cr_assert_eq(ks + 20, g_reg(g, 4), "switch-frame esp of tid %u", tid[i]);
            cr_assert_eq(rd32(ks + 12), g_reg(g, 5), "switch-frame ebp of tid %u", tid[i]);
        }
        snprintf(q, sizeof q, "p8");
        cr_assert_eq(g_reg(g, 8), g_reg(ask(q), 0));
        cr_assert_str_eq("E01", ask("P0=00000000"), "another thread's registers are read-only");
        others++;
    }
    cr_assert_gt(others, 0);
    cr_assert_str_eq("OK", ask("Hg0"));
    cr_assert_str_eq(cpu_g, ask("g"), "Hg0 is the CPU again");
    snprintf(qc, sizeof qc, "T%x", cur_tid + 1);
    cr_assert_str_eq("OK", ask(qc));
    cr_assert_str_eq("E01", ask("T7fff0000"));
    /* a stop reply names the running thread */
    const char *t = ask("s");
    uint32_t now = rd32(rd32(0xFFDFF124) + 0x1F0);
    snprintf(qc, sizeof qc, "thread:%02x;", now + 1);
    cr_assert(strstr(t, qc), "%s lacks %s", t, qc);
}

Test(gdb_nt, process_and_thread_commands)
{
    uint32_t eth[64], tid[64], proc[64];
    size_t n = 0;
    for (int i = 0; i < 400 && n < 3; i++) {
        run_to(sym("KiSystemServiceCall"));
        n = walk_threads(eth, tid, proc, 64);
    }
    const char *ps = monitor("process");
    char want[96];
    size_t lines = 0;
    for (const char *p = ps; (p = strstr(p, "PROCESS 0x")); p++) lines++;
    uint32_t head = sym("PsActiveProcessHead"), nproc = 0;
    for (uint32_t pe = rd32(head); pe != head; pe = rd32(pe)) {
        uint32_t p = pe - 0x88;
        snprintf(want, sizeof want, "PROCESS 0x%08x Cid=0x%04x Peb=0x%08x", p, rd32(p + 0x84),
                 rd32(p + 0x1B0));
        cr_assert(strstr(ps, want), "'%s' not in\n%s", want, ps);
        snprintf(want, sizeof want, "DirBase=0x%08x", rd32(p + 0x18));
        cr_assert(strstr(ps, want), "'%s' not in\n%s", want, ps);
        nproc++;
    }
    cr_assert_eq(nproc, lines, "%s", ps);
    cr_assert(strstr(ps, "Image=smss.elf"), "%s", ps);
    const char *th = monitor("thread");
    uint32_t current = rd32(0xFFDFF124);
    snprintf(want, sizeof want, "THREAD 0x%08x Cid=0x%04x.0x%04x Teb=0x%08x", current,
             rd32(current + 0x1EC), rd32(current + 0x1F0), rd32(current + 0x20));
    cr_assert(strstr(th, want), "'%s' not in\n%s", want, th);
    cr_assert(strstr(th, "State=Running (current)"), "%s", th);
    snprintf(want, sizeof want, "TrapFrame=0x%08x KernelStack=0x%08x InitialStack=0x%08x",
             rd32(current + 0x134), rd32(current + 0x28), rd32(current + 0x18));
    cr_assert(strstr(th, want), "'%s' not in\n%s", want, th);
    for (size_t i = 0; i < n; i++) {
        if (eth[i] == current) continue;
        char cmd[32];
        snprintf(cmd, sizeof cmd, "thread 0x%x", eth[i]);
        th = monitor(cmd);
        cr_assert_null(strstr(th, "(current)"), "%s", th);
        cr_assert(strstr(th, "State="), "%s", th);
        uint8_t state = 0;
        cpu_read_linear(&m->cpu, eth[i] + 0x2D, &state, 1);
        if (state == 5) cr_assert_null(strstr(th, "WaitReason=none"), "%s", th);
    }
}

/* monitor as: the TEB of another process's thread, read through its page
 * directory, holds that process's id (TEB.ClientId). */
Test(gdb_nt, as_reads_through_another_page_directory)
{
    uint32_t eth[64], tid[64], proc[64];
    size_t n = 0, other = 0;
    uint32_t cur_proc = 0;
    for (int i = 0; i < 2000 && !other; i++) {
        run_to(sym("KiSystemServiceCall"));
        n = walk_threads(eth, tid, proc, 64);
        cur_proc = rd32(rd32(0xFFDFF124) + 0x44);
        for (size_t k = 0; k < n && !other; k++)
            if (proc[k] != cur_proc && rd32(eth[k] + 0x20) && rd32(proc[k] + 0x18) != m->cpu.cr3)
                other = k + 1;
    }
    cr_assert(other, "no second process with a TEB");
    size_t k = other - 1;
    uint32_t teb = rd32(eth[k] + 0x20), dirbase = rd32(proc[k] + 0x18);
    char cmd[64], q[40];
    snprintf(cmd, sizeof cmd, "as 0x%x", dirbase);
    cr_assert(strstr(monitor(cmd), "as cr3=0x"), "%s", monitor(cmd));
    snprintf(q, sizeof q, "m%x,4", teb + 0x20);
    const char *r = ask(q);
    cr_assert_eq(rd32(proc[k] + 0x84), g_reg(r, 0), "TEB.ClientId.UniqueProcess through as: %s", r);
    cr_assert(strstr(monitor("as off"), "as current cr3="));
    r = ask(q);
    cr_assert(r[0] == 'E' || g_reg(r, 0) != rd32(proc[k] + 0x84), "%s", r);
    cr_assert(strstr(monitor("as 12x"), "usage"));
}
