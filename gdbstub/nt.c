/* nt.c - the GDB stub's NT awareness (see nt.h): processes and threads
 * walked from PsActiveProcessHead, KTRAP_FRAME decoding, saved thread
 * contexts and the recent-system-call ring.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nt.h"
#include "cpu/cpu.h"
#include "mmu/bus.h"
#include "mmu/paging.h"
#include "sim/machine.h"
#include "sim/nt_services.h"
#include "sim/nttrace.h"
#include "sim/symbols.h"

/* ---- memory ---------------------------------------------------------------- */

int gdb_nt_read(struct cpu *cpu, uint32_t lin, void *buf, size_t len)
{
    uint8_t *p = buf;
    if (!(cpu->cr0 & CR0_PG)) return -1;        /* the kernel's addresses need its paging */
    while (len) {
        uint64_t phys;
        if (paging_peek(cpu, lin, &phys) != 0) return -1;
        size_t n = 0x1000 - (lin & 0xFFF);
        if (n > len) n = len;
        for (size_t k = 0; k < n; k++) p[k] = (uint8_t)bus_read(cpu->bus, phys + k, 1);
        p += n;
        lin += (uint32_t)n;
        len -= n;
    }
    return 0;
}

static int rd32(const struct gdb_nt *nt, uint32_t lin, uint32_t *v)
{
    return gdb_nt_read(&nt->m->cpu, lin, v, 4);
}

static uint32_t rd32z(const struct gdb_nt *nt, uint32_t lin)
{
    uint32_t v = 0;
    return rd32(nt, lin, &v) == 0 ? v : 0;
}

static uint8_t rd8z(const struct gdb_nt *nt, uint32_t lin)
{
    uint8_t v = 0;
    return gdb_nt_read(&nt->m->cpu, lin, &v, 1) == 0 ? v : 0;
}

static void say(gdb_nt_out *out, void *ctx, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(gdb_nt_out *out, void *ctx, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    out(ctx, line);
}

static bool inactive(const struct gdb_nt *nt, gdb_nt_out *out, void *ctx)
{
    if (nt->active) return false;
    out(ctx, "nt: the NT kernel's symbols are not known (boot build/ntkernel.elf or the "
             "built-in image)\n");
    return true;
}

/* ---- threads and processes ------------------------------------------------- */

uint32_t gdb_nt_current(const struct gdb_nt *nt)
{
    return nt->active ? rd32z(nt, NT_KPCR_CURRENT_THREAD) : 0;
}

const char *gdb_nt_state_name(unsigned state)
{
    return nt_thread_state_name(state);
}

static void image_name(const struct gdb_nt *nt, uint32_t eprocess, char out[17])
{
    memset(out, 0, 17);
    if (!eprocess || gdb_nt_read(&nt->m->cpu, eprocess + NT_EPROCESS_IMAGE_NAME, out, 16) != 0)
        out[0] = 0;
    for (int i = 0; i < 16 && out[i]; i++)
        if (out[i] < 0x20 || out[i] > 0x7E) out[i] = '?';
    if (!out[0]) snprintf(out, 17, "%s", eprocess ? "System" : "?");
}

int gdb_nt_thread_at(const struct gdb_nt *nt, uint32_t ethread, struct nt_thread *t)
{
    uint32_t cid[2];
    memset(t, 0, sizeof *t);
    if (!ethread || gdb_nt_read(&nt->m->cpu, ethread + NT_ETHREAD_CID, cid, 8) != 0) return -1;
    t->ethread = ethread;
    t->pid = cid[0];
    t->tid = cid[1];
    t->eprocess = rd32z(nt, ethread + NT_ETHREAD_THREADS_PROCESS);
    if (!t->eprocess) t->eprocess = rd32z(nt, ethread + NT_KTHREAD_PROCESS);
    t->state = rd8z(nt, ethread + NT_KTHREAD_STATE);
    image_name(nt, t->eprocess, t->image);
    return 0;
}

/* The list entries after head (a LIST_ENTRY), each minus off, at most cap;
 * stops at the head, an unreadable link or a loop longer than cap. */
static size_t walk_list(const struct gdb_nt *nt, uint32_t head, uint32_t off, uint32_t *v,
                        size_t cap)
{
    size_t n = 0;
    uint32_t e = rd32z(nt, head);
    while (e && e != head && n < cap) {
        v[n++] = e - off;
        e = rd32z(nt, e);
    }
    return n;
}

size_t gdb_nt_threads(const struct gdb_nt *nt, struct nt_thread *v, size_t cap)
{
    if (!nt->active) return 0;
    static uint32_t procs[NT_MAX_THREADS], threads[NT_MAX_THREADS];
    size_t np = walk_list(nt, nt->process_head, NT_EPROCESS_LINKS, procs, NT_MAX_THREADS);
    size_t n = 0;
    uint32_t current = gdb_nt_current(nt), idle = nt->idle_thread;
    bool listed = false;
    for (size_t p = 0; p < np && !listed; p++) {
        size_t nth = walk_list(nt, procs[p] + NT_EPROCESS_THREAD_LIST, NT_ETHREAD_LIST_ENTRY,
                               threads, NT_MAX_THREADS);
        for (size_t k = 0; k < nth; k++) listed |= threads[k] == current;
    }
    if (!idle && !listed) idle = current;   /* running, on no list: the idle thread */
    if (idle && n < cap && gdb_nt_thread_at(nt, idle, &v[n]) == 0) n++;
    for (size_t p = 0; p < np && n < cap; p++) {
        size_t nth = walk_list(nt, procs[p] + NT_EPROCESS_THREAD_LIST, NT_ETHREAD_LIST_ENTRY,
                               threads, NT_MAX_THREADS);
        for (size_t k = 0; k < nth && n < cap; k++)
            if (threads[k] != idle && gdb_nt_thread_at(nt, threads[k], &v[n]) == 0) n++;
    }
    return n;
}

/* ---- contexts ------------------------------------------------------------- */

/* Trap frame fields by offset (KTRAP_FRAME, ntkernel/inc/arc.h). */

static uint32_t field(const uint8_t *f, unsigned off)
{
    return (uint32_t)f[off] | (uint32_t)f[off + 1] << 8 | (uint32_t)f[off + 2] << 16 |
           (uint32_t)f[off + 3] << 24;
}

static void set_sel(struct cpu *regs, int seg, uint32_t sel)
{
    regs->seg[seg].sel = (uint16_t)sel;
}

const char *gdb_nt_context(const struct gdb_nt *nt, uint32_t ethread, struct cpu *regs)
{
    uint32_t initial = rd32z(nt, ethread + NT_KTHREAD_INITIAL_STACK);
    uint8_t f[NT_KTRAP_FRAME_SIZE];
    if (initial && gdb_nt_read(&nt->m->cpu, initial - NT_USER_TRAP_FRAME, f, sizeof f) == 0 &&
        (field(f, TsSegCs) & 0xFFFF) == (KGDT_R3_CODE | RPL_MASK)) {
        static const struct { int reg; unsigned off; } gprs[] = {
            { RAX, TsEax }, { RCX, TsEcx }, { RDX, TsEdx }, { RBX, TsEbx },
            { RSP, TsHardwareEsp }, { RBP, TsEbp }, { RSI, TsEsi }, { RDI, TsEdi } };
        for (unsigned i = 0; i < 8; i++) regs->gpr[gprs[i].reg] = field(f, gprs[i].off);
        regs->rip = field(f, TsEip);
        regs->rflags = field(f, TsEFlags) | FL_1;    /* a copy: no side effects wanted */
        regs->lf.op = LF_NONE;
        set_sel(regs, SEG_CS, field(f, TsSegCs));
        set_sel(regs, SEG_SS, field(f, TsHardwareSegSs));
        set_sel(regs, SEG_DS, field(f, TsSegDs));
        set_sel(regs, SEG_ES, field(f, TsSegEs));
        set_sel(regs, SEG_FS, field(f, TsSegFs));
        set_sel(regs, SEG_GS, field(f, TsSegGs));
        return "trapframe";
    }
    uint32_t ks = rd32z(nt, ethread + NT_KTHREAD_KERNEL_STACK), sw[5];
    if (!ks || gdb_nt_read(&nt->m->cpu, ks, sw, sizeof sw) != 0) return NULL;
    for (unsigned i = 0; i < 16; i++) regs->gpr[i] = 0;
    regs->gpr[RDI] = sw[0];
    regs->gpr[RSI] = sw[1];
    regs->gpr[RBX] = sw[2];
    regs->gpr[RBP] = sw[3];
    regs->rip = sw[4];
    regs->gpr[RSP] = ks + sizeof sw;
    set_sel(regs, SEG_CS, KGDT_R0_CODE);
    set_sel(regs, SEG_SS, KGDT_R0_DATA);
    set_sel(regs, SEG_DS, KGDT_R3_DATA | RPL_MASK);
    set_sel(regs, SEG_ES, KGDT_R3_DATA | RPL_MASK);
    set_sel(regs, SEG_FS, KGDT_R0_PCR);
    set_sel(regs, SEG_GS, 0);
    return "switch";
}

/* ---- monitor --------------------------------------------------------------- */

static int parse_addr(const char *arg, uint32_t *v)
{
    char *end;
    unsigned long long x = strtoull(arg, &end, 0);
    if (!*arg || *end || x > 0xFFFFFFFFull) return -1;
    *v = (uint32_t)x;
    return 0;
}


void gdb_nt_mon_trapframe(struct gdb_nt *nt, const char *arg, gdb_nt_out *out, void *ctx)
{
    uint32_t addr;
    if (*arg) {
        if (parse_addr(arg, &addr) != 0) {
            out(ctx, "usage: trapframe [address]\n");
            return;
        }
    } else {
        if (inactive(nt, out, ctx)) return;
        uint32_t th = gdb_nt_current(nt);
        addr = th ? rd32z(nt, th + NT_KTHREAD_TRAP_FRAME) : 0;
        if (!addr) {
            say(out, ctx, "trapframe thread=0x%08x none\n", th);
            return;
        }
    }
    uint8_t f[NT_KTRAP_FRAME_SIZE];
    if (gdb_nt_read(&nt->m->cpu, addr, f, sizeof f) != 0) {
        say(out, ctx, "trapframe addr=0x%08x unreadable\n", addr);
        return;
    }
    uint32_t cs = field(f, TsSegCs), eflags = field(f, TsEFlags);
    say(out, ctx, "trapframe addr=0x%08x mode=%s%s\n", addr,
        (eflags & FL_VM) ? "v86" : (cs & 1) ? "user" : "kernel",
        (cs & 1) || (eflags & FL_VM) ? "" : " (HardwareEsp, HardwareSegSs and V86* not pushed)");
    for (unsigned i = 0; i < NT_TRAP_FRAME_SLOTS; i++) {
        uint32_t v = field(f, 4 * i);
        char sym[128] = "";
        if (nt->m->symbols && (4 * i == TsEip || 4 * i == TsDbgEip)) {
            uint64_t off;
            const char *name = symtab_lookup(nt->m->symbols, v, &off);
            if (name && off < 0x10000) snprintf(sym, sizeof sym, off ? " sym=%s+0x%llx" : " sym=%s",
                                                name, (unsigned long long)off);
        }
        say(out, ctx, "%s=0x%08x%s\n", nt_trap_frame_fields[i], v, sym);
    }
}

void gdb_nt_mon_process(struct gdb_nt *nt, gdb_nt_out *out, void *ctx)
{
    if (inactive(nt, out, ctx)) return;
    static uint32_t procs[NT_MAX_THREADS], threads[NT_MAX_THREADS];
    size_t np = walk_list(nt, nt->process_head, NT_EPROCESS_LINKS, procs, NT_MAX_THREADS);
    say(out, ctx, "processes=%zu\n", np);
    for (size_t i = 0; i < np; i++) {
        uint32_t p = procs[i];
        char image[17];
        image_name(nt, p, image);
        size_t nth = walk_list(nt, p + NT_EPROCESS_THREAD_LIST, NT_ETHREAD_LIST_ENTRY, threads,
                               NT_MAX_THREADS);
        say(out, ctx, "PROCESS 0x%08x Cid=0x%04x Peb=0x%08x ParentCid=0x%04x DirBase=0x%08x "
            "ObjectTable=0x%08x Threads=%zu Image=%s\n", p, rd32z(nt, p + NT_EPROCESS_PID),
            rd32z(nt, p + NT_EPROCESS_PEB), rd32z(nt, p + NT_EPROCESS_PARENT_PID),
            rd32z(nt, p + NT_KPROCESS_DIRBASE), rd32z(nt, p + NT_EPROCESS_OBJECT_TABLE), nth, image);
    }
}

void gdb_nt_mon_thread(struct gdb_nt *nt, const char *arg, gdb_nt_out *out, void *ctx)
{
    if (inactive(nt, out, ctx)) return;
    uint32_t th = gdb_nt_current(nt);
    if (*arg && parse_addr(arg, &th) != 0) {
        out(ctx, "usage: thread [ETHREAD address]\n");
        return;
    }
    struct nt_thread t;
    if (gdb_nt_thread_at(nt, th, &t) != 0) {
        say(out, ctx, "THREAD 0x%08x unreadable\n", th);
        return;
    }
    uint8_t wait_reason = rd8z(nt, th + NT_KTHREAD_WAIT_REASON);
    say(out, ctx, "THREAD 0x%08x Cid=0x%04x.0x%04x Teb=0x%08x Win32Thread=0x00000000 "
        "State=%s%s\n", th, t.pid, t.tid, rd32z(nt, th + NT_KTHREAD_TEB),
        gdb_nt_state_name(t.state), th == gdb_nt_current(nt) ? " (current)" : "");
    say(out, ctx, "Process=0x%08x Image=%s Priority=%d BasePriority=%d WaitReason=%s "
        "WaitMode=%s PreviousMode=%s\n", t.eprocess, t.image,
        (int8_t)rd8z(nt, th + NT_KTHREAD_PRIORITY), (int8_t)rd8z(nt, th + NT_KTHREAD_BASE_PRIORITY),
        t.state == 5 ? nt_wait_reason_name(wait_reason) : "none",
        rd8z(nt, th + NT_KTHREAD_WAIT_MODE) ? "UserMode" : "KernelMode",
        rd8z(nt, th + NT_KTHREAD_PREVIOUS_MODE) ? "UserMode" : "KernelMode");
    say(out, ctx, "TrapFrame=0x%08x KernelStack=0x%08x InitialStack=0x%08x StackLimit=0x%08x "
        "CallbackStack=0x%08x StartAddress=0x%08x\n", rd32z(nt, th + NT_KTHREAD_TRAP_FRAME),
        rd32z(nt, th + NT_KTHREAD_KERNEL_STACK), rd32z(nt, th + NT_KTHREAD_INITIAL_STACK),
        rd32z(nt, th + NT_KTHREAD_STACK_LIMIT), rd32z(nt, th + NT_KTHREAD_CALLBACK_STACK),
        rd32z(nt, th + NT_ETHREAD_START_ADDRESS));
}

static const struct nt_service *service(unsigned number)
{
    for (unsigned i = 0; i < nt_service_count; i++)
        if (nt_services[i].number == number) return &nt_services[i];
    return NULL;
}

void gdb_nt_mon_syscalls(struct gdb_nt *nt, const char *arg, gdb_nt_out *out, void *ctx)
{
    if (inactive(nt, out, ctx)) return;
    static const char *const paths[] = { "sysenter", "int2Eh", "kernelZw", "int2Bh" };
    char *end;
    unsigned long want = *arg ? strtoul(arg, &end, 0) : 16;
    if (*arg && (*end || want == 0)) {
        out(ctx, "usage: syscalls [count]\n");
        return;
    }
    uint64_t n = nt->nseq < NT_SYSCALL_RING ? nt->nseq : NT_SYSCALL_RING;
    if (want < n) n = want;
    say(out, ctx, "syscalls total=%llu shown=%llu\n", (unsigned long long)nt->nseq,
        (unsigned long long)n);
    for (uint64_t k = nt->nseq - n; k < nt->nseq; k++) {
        const struct nt_syscall *r = &nt->ring[k % NT_SYSCALL_RING];
        const struct nt_service *sv = service(r->number);
        char args[64] = "", status[24];
        size_t len = 0;
        for (unsigned i = 0; i < r->nargs && i < 4; i++)
            len += (size_t)snprintf(args + len, sizeof args - len, "%s0x%x", i ? "," : "", r->args[i]);
        if (r->nargs > 4) snprintf(args + len, sizeof args - len, ",...");
        if (r->done) snprintf(status, sizeof status, "0x%08x", r->status);
        else snprintf(status, sizeof status, "pending");
        say(out, ctx, "#%llu pid=%u tid=%u service=%s number=0x%x path=%s args=%s status=%s\n",
            (unsigned long long)r->seq, r->pid, r->tid, sv ? sv->name : "invalid", r->number,
            paths[r->path & 3], r->called ? (args[0] ? args : "none") : "?", status);
    }
}

/* ---- the system-call ring ---------------------------------------------------- */

/* The newest record of (pid, tid) that has not returned (a kernel Zw call
 * nests inside its caller's service), or NULL. */
static struct nt_syscall *open_record(struct gdb_nt *nt, uint32_t pid, uint32_t tid)
{
    uint64_t n = nt->nseq < NT_SYSCALL_RING ? nt->nseq : NT_SYSCALL_RING;
    for (uint64_t k = 0; k < n; k++) {
        struct nt_syscall *r = &nt->ring[(nt->nseq - 1 - k) % NT_SYSCALL_RING];
        if (r->pid == pid && r->tid == tid && !r->done) return r;
    }
    return NULL;
}

/* An entry opens a record; the call line gives its arguments (when the
 * kernel copied them); the service's status, or its exit, closes it.
 * Calls that never return stay pending. */
static void on_trace_event(void *ctx, const struct nttrace_event *e)
{
    struct gdb_nt *nt = ctx;
    struct nt_syscall *r;
    switch (e->kind) {
    case NTTRACE_ENTER:
        r = &nt->ring[nt->nseq % NT_SYSCALL_RING];
        memset(r, 0, sizeof *r);
        r->seq = ++nt->nseq;
        r->pid = e->pid;
        r->tid = e->tid;
        r->number = e->number;
        r->path = e->path;
        return;
    case NTTRACE_CALL:
        if (!(r = open_record(nt, e->pid, e->tid)) || r->number != e->number || r->called) return;
        r->called = e->argc == 0 || e->ok[0];
        r->nargs = e->argc;
        for (unsigned i = 0; i < e->argc && i < 4; i++) r->args[i] = e->argv[i];
        return;
    case NTTRACE_RETURNED:
    case NTTRACE_RETURN:
        if ((r = open_record(nt, e->pid, e->tid)) && r->number == e->number) {
            r->done = true;
            r->status = e->status;
        }
        return;
    }
}

void gdb_nt_attach(struct gdb_nt *nt, struct machine *m)
{
    memset(nt, 0, sizeof *nt);
    nt->m = m;
    uint64_t head;
    if (!m->symbols || symtab_find(m->symbols, "PsActiveProcessHead", &head) != 0) return;
    nt->active = true;
    nt->process_head = (uint32_t)head;
    if (symtab_find(m->symbols, "KiIdleThread", &head) == 0) nt->idle_thread = (uint32_t)head;
    char err[160];
    nt->traced = nttrace_attach(&nt->trace, &m->cpu, m->symbols, NULL, err, sizeof err) == 0;
    nt->trace.on_event = on_trace_event;
    nt->trace.event_ctx = nt;
}

void gdb_nt_detach(struct gdb_nt *nt)
{
    if (nt->traced) nttrace_free(&nt->trace);
    nt->traced = false;
    nt->active = false;
}
