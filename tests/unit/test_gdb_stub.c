/* test_gdb_stub.c - the GDB stub's command layer without a socket
 * (gdbstub/stub.c, regs.c, monitor.c): packets framed here, fed to the
 * stub, replies decoded with the stub's own framer.  The machine is a real
 * one (sim/machine.c) running a few instructions in flat 32-bit mode. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gdbstub/stub.h"
#include "cpu/debug.h"

static struct machine *m;
static struct gdb_stub stub;
static char out[1 << 17];
static size_t out_len;

static void capture(void *ctx, const void *buf, size_t len)
{
    (void)ctx;
    cr_assert_lt(out_len + len, sizeof out);
    memcpy(out + out_len, buf, len);
    out_len += len;
}

/* Program at 0x1000 (flat 32-bit):
 *   1000 b8 01 00 00 00      mov eax, 1
 *   1005 a3 00 20 00 00      mov [0x2000], eax
 *   100a 8b 1d 04 20 00 00   mov ebx, [0x2004]
 *   1010 40                  inc eax
 *   1011 eb fd               jmp 1010
 * and at 0x1100: mov al, 0x10; out 0xF4, al (debug exit, status 0x21). */
static const uint8_t prog[] = { 0xb8, 1, 0, 0, 0, 0xa3, 0, 0x20, 0, 0, 0x8b, 0x1d, 4, 0x20, 0, 0,
                                0x40, 0xeb, 0xfd };
static const uint8_t exit_prog[] = { 0xb0, 0x10, 0xe6, 0xf4, 0xf4 };

static void setup(void)
{
    struct machine_options opt;
    machine_default_options(&opt);
    opt.ram_bytes = 4u << 20;
    opt.serial = "null";
    m = machine_new(&opt);
    cr_assert_not_null(m);
    cpu_set_flat32(&m->cpu);
    m->cpu.rip = 0x1000;
    m->cpu.gpr[RSP] = 0x8000;
    machine_load(m, 0x1000, prog, sizeof prog);
    machine_load(m, 0x1100, exit_prog, sizeof exit_prog);
    out_len = 0;
    gdb_stub_init(&stub, m, capture, NULL);
    stub.noack = true;
}

static void teardown(void)
{
    gdb_stub_free(&stub);
    machine_free(m);
}

TestSuite(gdb_stub, .init = setup, .fini = teardown);

/* The last packet in the output, decoded. */
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

static void send_raw(const void *payload, size_t len)
{
    char framed[2 * GDB_PACKET_MAX + 8];
    size_t n = gdb_frame(framed, sizeof framed, payload, len);
    cr_assert_gt(n, 0);
    out_len = 0;
    gdb_stub_input(&stub, framed, n);
}

static const char *ask(const char *payload)
{
    send_raw(payload, strlen(payload));
    if (stub.resume) gdb_stub_resume(&stub, NULL, NULL);
    return last_reply();
}

static uint64_t reg(unsigned n)
{
    char q[16];
    snprintf(q, sizeof q, "p%x", n);
    const char *r = ask(q);
    uint64_t v = 0;
    for (size_t i = strlen(r); i >= 2; i -= 2) v = v << 8 | strtoul((char[]){ r[i - 2], r[i - 1], 0 }, NULL, 16);
    return v;
}

Test(gdb_stub, qSupported_advertises_what_gdb_needs)
{
    const char *r = ask("qSupported:multiprocess+;swbreak+;xmlRegisters=i386");
    cr_assert(strstr(r, "PacketSize=4000"), "%s", r);
    cr_assert(strstr(r, "QStartNoAckMode+"));
    cr_assert(strstr(r, "qXfer:features:read+"));
    cr_assert(strstr(r, "vContSupported+"));
    cr_assert_null(strstr(r, "multiprocess"));
    cr_assert_str_eq("", ask("vMustReplyEmpty"));
    cr_assert_str_eq("vCont;c;C;s;S;r", ask("vCont?"));
    cr_assert_str_eq("1", ask("qAttached"));
    cr_assert_str_eq("m1", ask("qfThreadInfo"));
    cr_assert_str_eq("l", ask("qsThreadInfo"));
    cr_assert_str_eq("QC1", ask("qC"));
    cr_assert_str_eq("", ask("qTStatus"));
    cr_assert_str_eq("OK", ask("Hg0"));
}

Test(gdb_stub, ack_mode_acks_and_nak_resends)
{
    stub.noack = false;
    send_raw("qC", 2);
    cr_assert_eq('+', out[0]);
    out_len = 0;
    gdb_stub_input(&stub, "-", 1);
    cr_assert_str_eq("QC1", last_reply());
    out_len = 0;
    gdb_stub_input(&stub, "$qC#00", 6);     /* bad checksum: '-' and nothing else */
    cr_assert_eq(1, out_len);
    cr_assert_eq('-', out[0]);
    send_raw("QStartNoAckMode", 15);
    cr_assert_str_eq("OK", last_reply());
    cr_assert(stub.noack);
    send_raw("qC", 2);
    cr_assert_eq('$', out[0]);
}

Test(gdb_stub, target_xml_reads_in_chunks)
{
    char xml[16384] = "";
    size_t off = 0;
    for (int guard = 0; guard < 100; guard++) {
        char q[80];
        snprintf(q, sizeof q, "qXfer:features:read:target.xml:%zx,100", off);
        const char *r = ask(q);
        cr_assert(r[0] == 'm' || r[0] == 'l', "%s", r);
        strcat(xml, r + 1);
        off += strlen(r + 1);
        if (r[0] == 'l') break;
    }
    cr_assert(strstr(xml, "<architecture>i8086</architecture>"));
    cr_assert(strstr(xml, "<osabi>none</osabi>"));
    cr_assert(strstr(xml, "org.gnu.gdb.i386.core"));
    cr_assert_null(strstr(xml, "org.gnu.gdb.i386.sse"));       /* no SSE state to report */
    cr_assert_null(strstr(xml, "org.gnu.gdb.i386.segments"));  /* 32-bit: in the system feature */
    cr_assert(strstr(xml, "name=\"efer\""));
    cr_assert(strstr(xml, "name=\"kernel_gs_base\""));
    cr_assert_str_eq("E00", ask("qXfer:features:read:other.xml:0,100"));
    cr_assert_str_eq("E01", ask("qXfer:features:read:target.xml:zz"));
}

Test(gdb_stub, layout_64_in_long_mode)
{
    const char *x = gdb_target_xml(GDB_LAYOUT_64);
    cr_assert(strstr(x, "<architecture>i386:x86-64</architecture>"));
    cr_assert(strstr(x, "org.gnu.gdb.i386.segments"));
    cr_assert_str_eq("rip", gdb_reg_name(GDB_LAYOUT_64, 16));
    cr_assert_eq(8, gdb_reg_bytes(GDB_LAYOUT_64, 16));
    cr_assert_str_eq("eip", gdb_reg_name(GDB_LAYOUT_32, 8));
    cr_assert_eq(4, gdb_reg_bytes(GDB_LAYOUT_32, 8));
}

Test(gdb_stub, g_has_every_register_and_P_writes)
{
    size_t bytes = 0;
    for (unsigned n = 0; n < gdb_reg_count(stub.layout); n++) bytes += gdb_reg_bytes(stub.layout, n);
    const char *r = ask("g");
    cr_assert_eq(2 * bytes, strlen(r));
    cr_assert_eq(0x1000, reg(gdb_reg_pc(stub.layout)));
    cr_assert_str_eq("OK", ask("P0=78563412"));
    cr_assert_eq(0x12345678, m->cpu.gpr[RAX]);
    cr_assert_str_eq("E01", ask("P0=7856"));               /* wrong size */
    cr_assert_str_eq("E01", ask("pzz"));
    cr_assert_str_eq("E01", ask("p999"));
    /* G with the same values back: OK; control registers are read-only. */
    char g[GDB_PACKET_MAX];
    snprintf(g, sizeof g, "G%s", ask("g"));
    cr_assert_str_eq("OK", ask(g));
    cr_assert_str_eq("E01", ask("G00"));
}

Test(gdb_stub, memory_read_write_and_empty_X)
{
    cr_assert_str_eq("b801000000", ask("m1000,5"));
    cr_assert_str_eq("OK", ask("M3000,4:deadbeef"));
    cr_assert_str_eq("deadbeef", ask("m3000,4"));
    cr_assert_str_eq("OK", ask("X3000,0:"));
    const uint8_t x[] = { 'X', '3', '0', '0', '0', ',', '2', ':', '#', '}' };
    send_raw(x, sizeof x);
    cr_assert_str_eq("OK", last_reply());
    cr_assert_str_eq("237d", ask("m3000,2"));
    cr_assert_str_eq("E01", ask("M3000,4:dead"));
    cr_assert_str_eq("E01", ask("m"));
    cr_assert_str_eq("E01", ask("m1000"));
}

Test(gdb_stub, breakpoint_stops_before_the_instruction)
{
    cr_assert_str_eq("OK", ask("Z0,100a,1"));
    const char *r = ask("c");
    cr_assert(strncmp(r, "T05thread:01;", 13) == 0, "%s", r);
    cr_assert(strstr(r, "08:0a100000;"), "%s", r);
    cr_assert(strstr(r, "swbreak:;"), "%s", r);
    cr_assert_eq(0x100a, m->cpu.rip);
    cr_assert_eq(1, m->cpu.gpr[RAX]);
    cr_assert_eq(0, m->cpu.host.hit);
    /* Continuing from the breakpoint passes it; a Z1 at the loop stops there. */
    cr_assert_str_eq("OK", ask("Z1,1010,1"));
    r = ask("vCont;c");
    cr_assert(strstr(r, "hwbreak:;"), "%s", r);
    cr_assert_eq(0x1010, m->cpu.rip);
    r = ask("c");           /* around the loop once */
    cr_assert_eq(0x1010, m->cpu.rip);
    cr_assert_eq(2, (uint32_t)m->cpu.gpr[RAX]);
    cr_assert_str_eq("OK", ask("z1,1010,1"));
    cr_assert_str_eq("E01", ask("z1,1010,1"));
}

Test(gdb_stub, many_breakpoints_and_one_before_its_code_exists)
{
    for (unsigned a = 0x10000; a < 0x10000 + 1000; a++) {
        char q[32];
        snprintf(q, sizeof q, "Z0,%x,1", a);
        cr_assert_str_eq("OK", ask(q));
    }
    cr_assert_eq(1000, m->cpu.host.nbp);
    /* Code written afterwards, then jumped to: jmp 0x10010 at 0x1011 */
    cr_assert_str_eq("OK", ask("M1011,5:e9faef0000"));
    const char *r = ask("c");
    cr_assert(strstr(r, "swbreak"), "%s", r);
    cr_assert_eq(0x10010, m->cpu.rip);
}

Test(gdb_stub, single_step_and_range_step)
{
    const char *r = ask("s");
    cr_assert(strncmp(r, "T05", 3) == 0, "%s", r);
    cr_assert_eq(0x1005, m->cpu.rip);
    r = ask("vCont;s:1");
    cr_assert_eq(0x100a, m->cpu.rip);
    r = ask("vCont;r100a,1011");
    cr_assert_eq(0x1011, m->cpu.rip);
    cr_assert_str_eq("E01", ask("vCont;x"));
}

Test(gdb_stub, watchpoints_report_after_the_access)
{
    cr_assert_str_eq("OK", ask("Z2,2000,4"));
    const char *r = ask("c");
    cr_assert(strstr(r, "watch:2000;"), "%s", r);
    cr_assert_eq(0x100a, m->cpu.rip);           /* after the store */
    cr_assert_str_eq("OK", ask("z2,2000,4"));
    cr_assert_str_eq("OK", ask("Z3,2006,1"));   /* a read of 2004..2007 overlaps */
    r = ask("c");
    cr_assert(strstr(r, "rwatch:2006;"), "%s", r);
    cr_assert_eq(0x1010, m->cpu.rip);
    cr_assert_str_eq("OK", ask("z3,2006,1"));
    cr_assert_eq(0, m->cpu.host.nwatch);
    cr_assert_str_eq("E01", ask("Z2,2000,0"));
}

static int polls;
static int interrupt_after_two(void *ctx)
{
    (void)ctx;
    return ++polls > 2;
}

Test(gdb_stub, interrupt_stops_with_T02)
{
    send_raw("c", 1);
    cr_assert_eq(GDB_RESUME_CONT, stub.resume);
    polls = 0;
    gdb_stub_resume(&stub, interrupt_after_two, NULL);
    const char *r = last_reply();
    cr_assert(strncmp(r, "T02", 3) == 0, "%s", r);
    cr_assert_gt(m->cpu.instret, 100000);
    cr_assert(gdb_stub_is_interrupt(&stub, "\x03", 1));
    cr_assert(!gdb_stub_is_interrupt(&stub, "+", 1));
}

Test(gdb_stub, guest_exit_sends_W)
{
    m->cpu.rip = 0x1100;
    const char *r = ask("c");
    cr_assert_str_eq("W21", r);
    cr_assert(stub.exited);
}

Test(gdb_stub, kill_and_detach)
{
    cr_assert_str_eq("OK", ask("vKill;1"));
    cr_assert_eq(GDB_END_KILL, stub.end);
    stub.end = GDB_END_NONE;
    cr_assert_str_eq("OK", ask("D"));
    cr_assert_eq(GDB_END_DETACH, stub.end);
}

static char mon[8192];
static void mon_out(void *ctx, const char *text)
{
    (void)ctx;
    strncat(mon, text, sizeof mon - strlen(mon) - 1);
}

static const char *monitor(const char *cmd)
{
    mon[0] = 0;
    gdb_monitor(&stub, cmd, mon_out, NULL);
    return mon;
}

Test(gdb_stub, monitor_commands)
{
    cr_assert(strstr(monitor("help"), "pte <va>"));
    cr_assert(strstr(monitor("regs"), "rip=0x0000000000001000\n"));
    cr_assert(strstr(monitor("cr"), "cr0=0x"));
    cr_assert(strstr(monitor("sreg"), "cs sel=0x"));
    cr_assert(strstr(monitor("mode"), "mode=protected cpl=0 layout=i8086-32 phys=off"));
    cr_assert(strstr(monitor("msr 0x10"), "msr 0x10 value=0x"));
    cr_assert(strstr(monitor("msr 0x12345"), "error=gp"));
    cr_assert(strstr(monitor("pte 0x1000"), "paging=off phys=0x1000"));
    cr_assert(strstr(monitor("tlb"), "entries=0"));
    cr_assert(strstr(monitor("cycles"), "instret=0 "));
    cr_assert_str_eq("phys=on\n", monitor("phys on"));
    cr_assert(stub.phys);
    cr_assert(strstr(monitor("bogus"), "unknown command 'bogus'"));
    cr_assert(strstr(monitor("tss"), "tss sel=0x"));
    cr_assert(strstr(monitor("reset"), "reset cs=0xf000 ip=0xfff0 mode=real"));
    cr_assert_eq(0xFFFFFFF0, reg(gdb_reg_pc(stub.layout)));    /* linear in real mode */
    /* Through qRcmd: O packets, then OK. */
    char q[64] = "qRcmd,";
    for (const char *c = "mode"; *c; c++) sprintf(q + strlen(q), "%02x", *c);
    cr_assert_str_eq("OK", ask(q));
    cr_assert(strstr(out, "$O6d6f64653d"), "%.*s", (int)out_len, out);
    cr_assert_str_eq("E01", ask("qRcmd,6"));
}

Test(gdb_stub, hostile_packets_get_error_replies)
{
    static const char *const bad[] = {
        "Z", "Z0", "Z0,", "Z0,zz,1", "Z9,1000,1", "z0,1,1", "M", "M1000,ffffff:00", "X1000,5:ab",
        "P", "P1", "p", "G", "vCont", "vCont;r", "qXfer:features:read:", "Hzz", "m,",
        "mffffffffffffffffff,1", "qRcmd,zz",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *r = ask(bad[i]);
        cr_assert(r[0] == 'E' || r[0] == 0 || !strcmp(r, "OK"), "%s -> %s", bad[i], r);
    }
    /* Random packets with valid checksums: every one answered or resuming. */
    srand(777);
    for (int round = 0; round < 20000; round++) {
        static const char first[] = "gGpPmMXZzHTqQv?";
        char p[64];
        size_t n = 1 + (size_t)rand() % 40;
        p[0] = first[rand() % (sizeof first - 1)];
        for (size_t i = 1; i < n; i++) p[i] = (char)(rand() % 3 ? "0123456789abcdef,:;="[rand() % 20] : rand());
        send_raw(p, n);
        cr_assert_gt(out_len, 0, "no reply to %.*s", (int)n, p);
        stub.resume = GDB_RESUME_NONE;
        stub.end = GDB_END_NONE;
    }
}

/* Real mode: the PC slot is the linear address CS.base + IP, breakpoints
 * match linear addresses, and writing the PC moves IP within CS. */
Test(gdb_stub, real_mode_pc_is_linear)
{
    struct cpu *cpu = &m->cpu;
    cpu_set_real(cpu);
    cpu_load_seg_real(cpu, SEG_CS, 0x0F0);      /* base 0xF00 */
    cpu->rip = 0x100;                           /* linear 0x1000: b8 01 00 = mov ax, 1 */
    cpu_update_mode(cpu);
    unsigned pc = gdb_reg_pc(stub.layout);
    cr_assert_eq(0x1000, reg(pc));
    cr_assert_str_eq("b80100", ask("m1000,3"));
    cr_assert_str_eq("OK", ask("Z0,1003,1"));
    const char *r = ask("c");
    cr_assert(strstr(r, "swbreak"), "%s", r);
    cr_assert_eq(0x103, cpu->rip);
    cr_assert_eq(0x1003, reg(pc));
    cr_assert_str_eq("OK", ask("P8=00100000"));     /* back to linear 0x1000 */
    cr_assert_eq(0x100, cpu->rip);
    cr_assert_str_eq("OK", ask("P1=00100000"));     /* ECX */
    cr_assert_eq(0x1000, cpu->gpr[RCX]);
    cr_assert_str_eq("E02", ask("P22=01000000"));   /* CR0 (remote 34 in this layout) is read-only */
}

Test(gdb_stub, register_numbers_match_the_description)
{
    cr_assert_str_eq("cr0", gdb_reg_name(GDB_LAYOUT_32, 34));
    cr_assert(strstr(gdb_target_xml(GDB_LAYOUT_32), "name=\"cr0\" bitsize=\"32\" type=\"ringsim_cr0\" regnum=\"34\""));
    cr_assert(strstr(gdb_target_xml(GDB_LAYOUT_64), "name=\"fs_base\" bitsize=\"64\" type=\"uint64\" regnum=\"40\""));
}

/* monitor dis: lengths from the simulator's decoder, text from Zydis, in
 * the CPU's code size. */
Test(gdb_stub, monitor_dis_decodes_in_the_current_mode)
{
    const char *d = monitor("dis 0x1000 4");
    cr_assert(strstr(d, "dis addr=0x1000 count=4 bits=32\n"), "%s", d);
    cr_assert(strstr(d, "0x00001000: b801000000"), "%s", d);
    cr_assert(strstr(d, "mov eax, 0x01"), "%s", d);
    cr_assert(strstr(d, "0x00001005: a300200000"), "%s", d);
    cr_assert(strstr(d, "0x0000100a: 8b1d04200000"), "%s", d);
    cr_assert(strstr(d, "mov ebx, [0x00002004]"), "%s", d);
    cr_assert(strstr(d, "0x00001010: 40 "), "%s", d);
    cr_assert(strstr(d, "inc eax"), "%s", d);
    size_t lines = 0;
    for (const char *p = monitor("dis"); (p = strchr(p, '\n')); p++) lines++;
    cr_assert_eq(9, lines, "the header and 8 instructions from the PC");
    static const uint8_t bad[] = { 0xff, 0xff, 0x90 };     /* FF /7: no such instruction */
    machine_load(m, 0x3000, bad, sizeof bad);
    d = monitor("dis 0x3000 2");
    cr_assert(strstr(d, "0x00003000: ff "), "%s", d);
    cr_assert(strstr(d, "(bad)"), "%s", d);
    cr_assert(strstr(d, "0x00003001: "), "one byte, then on: %s", d);
    cr_assert(strstr(monitor("dis 0x1000 0"), "usage"));
    cr_assert(strstr(monitor("dis x"), "usage"));
    cr_assert(strstr(monitor("dis 0x1000 2x"), "usage"));
    monitor("phys on");
    cr_assert(strstr(monitor("dis 0xffffffffffff 1"), "unreadable"));
    monitor("phys off");
    cpu_set_real(&m->cpu);                  /* the same bytes as 16-bit code */
    cpu_update_mode(&m->cpu);
    d = monitor("dis 0x1000 1");
    cr_assert(strstr(d, "bits=16"), "%s", d);
    cr_assert(strstr(d, "0x00001000: b80100 "), "%s", d);
    cr_assert(strstr(d, "mov ax, 0x01"), "%s", d);
}

/* monitor sstep on: an NMI waiting at a step is neither taken nor lost. */
Test(gdb_stub, sstep_holds_interrupts_during_single_steps)
{
    cr_assert(strstr(monitor("sstep"), "sstep=off"));
    cr_assert(strstr(monitor("sstep on"), "sstep=on"));
    cr_assert(stub.sstep_quiet);
    cpu_set_nmi(&m->cpu);
    const char *r = ask("s");
    cr_assert(!strncmp(r, "T05", 3), "%s", r);
    cr_assert_eq(0x1005, m->cpu.rip, "the instruction ran");
    cr_assert(m->cpu.nmi_pending, "the NMI still waits");
    r = ask("vCont;r1005,1010");
    cr_assert(!strncmp(r, "T05", 3), "%s", r);
    cr_assert(m->cpu.nmi_pending, "range steps are quiet too");
    cr_assert(strstr(monitor("sstep off"), "sstep=off"));
    ask("s");
    cr_assert_not(m->cpu.nmi_pending, "a plain step takes the NMI");
    cr_assert(strstr(monitor("sstep maybe"), "usage"));
}

Test(gdb_stub, monitor_as_switches_the_address_space)
{
    cr_assert(strstr(monitor("as"), "as current cr3=0x"));
    cr_assert(strstr(monitor("as 0x5000"), "as cr3=0x5000"));
    cr_assert(stub.as);
    cr_assert_str_eq("b801", ask("m1000,2"), "paging off: as changes nothing");
    cr_assert(strstr(monitor("as off"), "as current"));
    cr_assert_not(stub.as);
    cr_assert(strstr(monitor("as 0x5000q"), "usage"));
    cr_assert(strstr(monitor("trapframe"), "symbols are not known"), "no NT kernel here");
    cr_assert(strstr(monitor("process"), "symbols are not known"));
    cr_assert(strstr(monitor("syscalls"), "symbols are not known"));
    cr_assert_str_eq("", ask("qOffsets"));
}

/* The framing and command layers fed garbage: random byte streams (with
 * '$', '#', '}', '*', 0x03 and bad checksums) and mutated well-formed
 * packets of every kind, monitor commands included, in ack and no-ack
 * mode; resumes run (a continue is interrupted at once).  Nothing may
 * crash or hang, and every packet that completes gets an answer. */
static int interrupt_now(void *ctx)
{
    (void)ctx;
    return 1;
}

Test(gdb_stub, fuzz_framing_and_commands, .timeout = 120)
{
    static const char *const seeds[] = {
        "g", "G00", "p8", "P8=00100000", "m1000,10", "M2000,2:abcd", "X2000,1:a", "Z0,1010,1",
        "z0,1010,1", "Z2,2000,4", "z2,2000,4", "Z4,2000,8", "s", "c", "vCont;s", "vCont;c",
        "vCont;r1000,1020", "vCont?", "Hg1", "Hc-1", "T1", "qC", "qfThreadInfo", "qsThreadInfo",
        "qThreadExtraInfo,1", "qOffsets", "qAttached", "qSupported:xmlRegisters=i386",
        "qXfer:features:read:target.xml:0,200", "?", "QStartNoAckMode", "vMustReplyEmpty",
        "qRcmd,646973203078313030302033", "qRcmd,7472617066726616d65", "qRcmd,61732030", "qRcmd,",
        "qRcmd,7074652030783130", "qRcmd,73737465702030", "qRcmd,6d7372",
    };
    static const char alphabet[] = "$#}*+-\x03" "0123456789abcdef,:;=gGpPmMXZzsScCvqQHT?";
    srand(4242);
    for (int round = 0; round < 10000; round++) {
        char p[96];
        size_t n;
        if (round % 3 == 0) {              /* raw bytes, framed or not */
            n = 1 + (size_t)rand() % 64;
            for (size_t i = 0; i < n; i++)
                p[i] = rand() % 4 ? alphabet[rand() % (int)(sizeof alphabet - 1)] : (char)rand();
            out_len = 0;
            gdb_stub_input(&stub, p, n);
        } else {                            /* a seed with mutations, framed */
            const char *s = seeds[rand() % (int)(sizeof seeds / sizeof seeds[0])];
            n = strlen(s);
            memcpy(p, s, n);
            for (int k = rand() % 4; k > 0; k--) {
                size_t at = (size_t)rand() % (n + 1);
                if (rand() % 2 && n < sizeof p - 1) {
                    memmove(p + at + 1, p + at, n - at);
                    p[at] = alphabet[rand() % (int)(sizeof alphabet - 1)];
                    n++;
                } else if (at < n) {
                    p[at] = (char)rand();
                }
            }
            send_raw(p, n);
            cr_assert(out_len > 0 || stub.resume || stub.end, "no answer to '%.*s'", (int)n, p);
        }
        if (stub.resume) gdb_stub_resume(&stub, interrupt_now, NULL);
        if (stub.end || stub.exited || round % 500 == 0) {     /* a new connection */
            gdb_stub_free(&stub);
            cpu_set_flat32(&m->cpu);
            m->cpu.rip = 0x1000;
            m->cpu.gpr[RSP] = 0x8000;
            machine_load(m, 0x1000, prog, sizeof prog);
            gdb_stub_init(&stub, m, capture, NULL);
            stub.noack = rand() % 2;
        }
        /* an unfinished packet must not swallow the next round's answer check */
        gdb_framer_init(&stub.fr);
    }
    /* still a working stub */
    stub.noack = true;
    cr_assert_str_eq("OK", ask("Hg0"));
}
