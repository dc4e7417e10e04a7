/* session.c - the debugger behind the window (session.h): run slices,
 * steps, targets, breakpoints and the logs, all through the machine's
 * public state, code hooks, host breakpoints and watchpoints, observers and
 * the system-call tracer.
 */
#include "ui/session.h"

#include <stdlib.h>
#include <string.h>
#include "cpu/debug.h"
#include "gdbstub/tcp.h"
#include "mmu/bus.h"
#include "mmu/paging.h"
#include "sim/symbols.h"
#include "ui/model.h"


static const char *const label_names[UI_L_COUNT] = {
    "KiFastCallEntry", "KiSystemService", "KiSystemServiceCall", "KiSystemCallExitSysexit",
    "KiSystemCallExitIret", "KiSystemCallExitKernel", "KiServiceExit2Iret",
    "KiSystemServiceRepeat", "KiSystemServiceReturned",
};

int ui_read32(struct ui_session *s, uint64_t lin, uint32_t *v)
{
    *v = 0;
    return cpu_read_linear(&s->m->cpu, lin, v, 4);
}

uint32_t ui_current_thread(struct ui_session *s)
{
    uint32_t t = 0;
    if (!s->labels[UI_L_FAST_CALL] && !s->labels[UI_L_SYSTEM_SERVICE]) return 0;
    ui_read32(s, NT_CURRENT_THREAD_VA, &t);
    return t;
}

uint32_t ui_trapframe_addr(struct ui_session *s)
{
    if (s->tf.tracking) return s->tf.addr;
    uint32_t thread = ui_current_thread(s), frame = 0, stack = 0;
    if (!thread) return 0;
    if (ui_read32(s, thread + ThTrapFrame, &frame) == 0 && frame) return frame;
    if (ui_read32(s, thread + ThInitialStack, &stack) == 0 && stack)
        return stack - KTRAP_FRAME_OFFSET;
    return 0;
}

void ui_regs_capture(struct cpu *cpu, struct ui_regs *r)
{
    memcpy(r->gpr, cpu->gpr, sizeof r->gpr);
    r->rip = cpu->rip;
    r->rflags = cpu_get_flags(cpu);
    memcpy(r->seg, cpu->seg, sizeof r->seg);
    r->gdtr_base = cpu->gdtr.base;
    r->gdtr_limit = cpu->gdtr.limit;
    r->idtr_base = cpu->idtr.base;
    r->idtr_limit = cpu->idtr.limit;
    r->cr0 = cpu->cr0;
    r->cr2 = cpu->cr2;
    r->cr3 = cpu->cr3;
    r->cr4 = cpu->cr4;
    r->cr8 = cpu->cr8;
    r->efer = cpu->efer;
    memcpy(r->dr, cpu->dr, sizeof r->dr);
    r->sysenter_cs = cpu->msr.sysenter_cs;
    r->sysenter_esp = cpu->msr.sysenter_esp;
    r->sysenter_eip = cpu->msr.sysenter_eip;
    r->star = cpu->msr.star;
    r->lstar = cpu->msr.lstar;
    r->kernel_gs_base = cpu->msr.kernel_gs_base;
    r->tsc = cpu_time_now(cpu) + cpu->tsc_offset;
    r->cpl = cpu->cpl;
    r->mode = cpu->mode;
}

static void snap(struct cpu *cpu, struct ui_snap *sn, uint64_t addr)
{
    sn->addr = addr;
    for (unsigned i = 0; i < UI_SNAP; i++) sn->ok[i] = cpu_read_linear(cpu, addr + i, &sn->b[i], 1) == 0;
}

static uint64_t stack_lin(const struct cpu *cpu)
{
    uint64_t mask = cpu->stack_size == 8 ? ~0ull : cpu->stack_size == 2 ? 0xFFFF : 0xFFFFFFFFull;
    return cpu->seg[SEG_SS].base + (cpu->gpr[RSP] & mask);
}

void ui_session_stopped(struct ui_session *s)
{
    struct cpu *cpu = &s->m->cpu;
    s->prev = s->now;
    ui_regs_capture(cpu, &s->now);
    s->mem_prev = s->mem_now;
    s->stack_prev = s->stack_now;
    snap(cpu, &s->mem_now, s->mem_addr & ~15ull);
    snap(cpu, &s->stack_now, (stack_lin(cpu) - UI_SNAP / 4) & ~3ull);
}

static int snap_changed(const struct ui_snap *sn, uint64_t lin, uint8_t now)
{
    if (lin < sn->addr || lin - sn->addr >= UI_SNAP || !sn->ok[lin - sn->addr]) return -1;
    return sn->b[lin - sn->addr] != now;
}

bool ui_byte_changed(struct ui_session *s, uint64_t lin, uint8_t now)
{
    bool paused = s->run == UI_PAUSED || s->run == UI_ENDED;
    int c = snap_changed(paused ? &s->mem_prev : &s->mem_now, lin, now);
    if (c < 0) c = snap_changed(paused ? &s->stack_prev : &s->stack_now, lin, now);
    return c > 0;
}

unsigned ui_byte_touched(const struct ui_session *s, uint64_t addr, bool phys)
{
    const struct ui_touched *t = &s->touched;
    unsigned kind = 0;
    if (!t->known) return 0;
    for (size_t i = 0; i < t->n && i < UI_TOUCH; i++) {
        const struct host_access *a = &t->a[i];
        if (!phys) {
            if (addr - a->lin < a->size) kind |= a->kind;
            continue;
        }
        /* an access crossing a page: the second page's bytes from its own frame */
        uint64_t first = 0x1000 - (a->lin & 0xFFF);
        for (unsigned k = 0; k < a->size; k++) {
            uint64_t p = k < first ? t->phys[2 * i] + k : t->phys[2 * i + 1] + (k - first);
            if ((k < first ? t->phys[2 * i] : t->phys[2 * i + 1]) != ~0ull && p == addr)
                kind |= a->kind;
        }
    }
    return kind;
}

uint64_t ui_ring_cycles(const struct ui_session *s, unsigned ring)
{
    uint64_t c = s->ring_cycles[ring & 3];
    if (ring == s->ring_cpl) c += cpu_cycles_now(&s->m->cpu) - s->ring_since;
    return c;
}

/* ---- observers and hooks ------------------------------------------------ */

/* The machine runs at full speed: the window's run, or gdb's continue. */
static bool full_speed(const struct ui_session *s)
{
    return s->run == UI_RUNNING || s->run == UI_GDB;
}

static void stop_here(struct ui_session *s, const char *why)
{
    s->stop_now = true;
    snprintf(s->status, sizeof s->status, "%s", why);
    cpu_request_stop(&s->m->cpu);
}

static void on_exception(void *ctx, int vector, uint32_t error, int source)
{
    struct ui_session *s = ctx;
    struct ui_exc_event *e = &s->exc[s->nexc++ % UI_LOG];
    *e = (struct ui_exc_event){ cpu_instret_now(&s->m->cpu), s->m->cpu.insn_start, vector, error,
                                NULL, s->m->cpu.cpl, s->m->cpu.cpl };
    if (s->prev_exception) s->prev_exception(s->prev_observer, vector, error, source);
}

static void on_delivered(void *ctx, int vector, const char *gate, unsigned old_cpl,
                         unsigned new_cpl)
{
    struct ui_session *s = ctx;
    struct ui_exc_event *last = s->nexc ? &s->exc[(s->nexc - 1) % UI_LOG] : NULL;
    if (!last || last->gate || last->vector != vector) {
        last = &s->exc[s->nexc++ % UI_LOG];
        *last = (struct ui_exc_event){ cpu_instret_now(&s->m->cpu), s->m->cpu.insn_start, vector,
                                       EXC_NO_ERROR, NULL, old_cpl, new_cpl };
    }
    last->gate = gate;
    last->old_cpl = old_cpl;
    last->new_cpl = new_cpl;
    if (s->prev_delivered) s->prev_delivered(s->prev_observer, vector, gate, old_cpl, new_cpl);
    if (s->run == UI_TO_MODE) stop_here(s, "stopped after an exception or interrupt");
}

static void on_mode(void *ctx, unsigned mode, unsigned dmode, unsigned cpl)
{
    struct ui_session *s = ctx;
    struct cpu *cpu = &s->m->cpu;
    if (cpl != s->ring_cpl) {
        uint64_t now = cpu_cycles_now(cpu);
        s->ring_cycles[s->ring_cpl & 3] += now - s->ring_since;
        s->ring_since = now;
        s->ring_cpl = cpl;
        s->ring_crossings++;
    }
    s->arch_mode = (uint8_t)mode;
    s->arch_dmode = (uint8_t)dmode;
    s->modes[s->nmodes++ % UI_LOG] = (struct ui_mode_event){
        cpu_instret_now(cpu), cpu->insn_start, (uint8_t)mode, (uint8_t)dmode, (uint8_t)cpl,
        cpu->cr0, cpu->cr4, cpu->efer };
    if (s->prev_mode) s->prev_mode(s->prev_observer, mode, dmode, cpl);
    if (s->run == UI_TO_MODE) stop_here(s, "stopped after a mode switch");
}

static void on_cr3(void *ctx, uint64_t old, uint64_t new_cr3, unsigned pcid, bool noflush)
{
    struct ui_session *s = ctx;
    struct cpu *cpu = &s->m->cpu;
    s->cr3_loads++;
    s->flushes[s->nflushes++ % UI_LOG] = (struct ui_flush_event){
        cpu_instret_now(cpu), cpu->insn_start, cpu->seg[SEG_CS].base, new_cr3, pcid,
        TLB_CAUSE_CR3, true, noflush };
    if (s->prev_cr3) s->prev_cr3(s->prev_observer, old, new_cr3, pcid, noflush);
}

static void on_flush(void *ctx, unsigned cause, uint64_t addr, unsigned pcid)
{
    struct ui_session *s = ctx;
    struct cpu *cpu = &s->m->cpu;
    if (cause < TLB_CAUSE_COUNT) s->flush_count[cause]++;
    /* the flush of a CR3 load is its row already */
    const struct ui_flush_event *last = s->nflushes ? &s->flushes[(s->nflushes - 1) % UI_LOG] : NULL;
    if (!(cause == TLB_CAUSE_CR3 && last && last->cr3_load && !last->noflush &&
          last->insns == cpu_instret_now(cpu) && last->rip == cpu->insn_start))
        s->flushes[s->nflushes++ % UI_LOG] = (struct ui_flush_event){
            cpu_instret_now(cpu), cpu->insn_start, cpu->seg[SEG_CS].base, addr, pcid,
            (uint8_t)cause, false, false };
    if (s->prev_flush) s->prev_flush(s->prev_observer, cause, addr, pcid);
}

/* The instruction that changed the mode ran in the mode before: decoded so. */
static void on_arch(void *ctx, unsigned old_bits, unsigned new_bits)
{
    struct ui_session *s = ctx;
    struct cpu *cpu = &s->m->cpu;
    struct ui_arch_event *e = &s->arch[s->narch++ % UI_LOG];
    *e = (struct ui_arch_event){ cpu_instret_now(cpu), cpu->seg[SEG_CS].base + cpu->insn_start,
                                 (uint8_t)old_bits, (uint8_t)new_bits, cpu->cpl, "" };
    struct ui_insn in;
    if (ui_decode_mode(s, e->lin, s->arch_mode, s->arch_dmode, old_bits & CPU_ARCH_LMA, &in) == 0)
        snprintf(e->text, sizeof e->text, "%s", in.text);
    if (s->prev_arch) s->prev_arch(s->prev_observer, old_bits, new_bits);
    if (s->run == UI_TO_MODE) stop_here(s, "stopped after a mode switch");
}

static void on_serial(void *ctx, uint8_t byte)
{
    struct ui_session *s = ctx;
    s->console[s->con_len++ % UI_CONSOLE] = (char)byte;
}

static void on_syscall(void *ctx, const struct nttrace_event *e)
{
    struct ui_session *s = ctx;
    if (e->kind == NTTRACE_ENTER || e->kind == NTTRACE_RETURNED) return;   /* the log keeps lines */
    s->sys[s->nsys++ % UI_LOG] = *e;
}

/* The phases of each call (struct ui_cost): a call from user mode drops
 * whatever its thread left open (a service that never returned); a kernel
 * Zw call nests.  Thread switches inside a service count in its time. */
static struct ui_cost *open_cost(struct ui_session *s, uint32_t thread)
{
    for (unsigned i = s->ncost_open; i-- > 0;)
        if (s->cost_open[i].thread == thread) return &s->cost_open[i];
    return NULL;
}

static void drop_cost(struct ui_session *s, struct ui_cost *c)
{
    unsigned i = (unsigned)(c - s->cost_open);
    memmove(c, c + 1, (s->ncost_open - i - 1) * sizeof *c);
    s->ncost_open--;
}

static void cost_label(struct ui_session *s, struct cpu *cpu, enum ui_label which, bool from_user)
{
    uint32_t thread = ui_current_thread(s);
    uint64_t now = cpu_cycles_now(cpu);
    struct ui_cost *c = open_cost(s, thread);
    switch (which) {
    case UI_L_FAST_CALL:
    case UI_L_SYSTEM_SERVICE:
        if (from_user)
            while ((c = open_cost(s, thread))) drop_cost(s, c);
        if (s->ncost_open == UI_COST_OPEN) drop_cost(s, &s->cost_open[0]);
        s->cost_open[s->ncost_open++] = (struct ui_cost){
            thread, (unsigned)cpu->gpr[RAX], { now, 0, 0, 0, 0 } };
        break;
    case UI_L_REPEAT: if (c && !c->at[1]) c->at[1] = now; break;
    case UI_L_SERVICE_CALL: if (c && c->at[1] && !c->at[2]) c->at[2] = now; break;
    case UI_L_RETURNED: if (c && c->at[2] && !c->at[3]) c->at[3] = now; break;
    default:                        /* an exit: complete when the service returned */
        if (!c || !c->at[3]) break;
        c->at[4] = now;
        s->costs[s->ncosts++ % UI_LOG] = *c;
        drop_cost(s, c);
        break;
    }
}

/* The entry labels start a trap frame; the exits end it.  Outside the run
 * at full speed the session then steps, so that every write is seen. */
static void on_label(struct cpu *cpu, void *ctx, uint64_t lin)
{
    struct ui_session *s = ctx;
    uint32_t esp = (uint32_t)(cpu->seg[SEG_SS].base + (uint32_t)cpu->gpr[RSP]);
    for (int i = 0; i < UI_L_COUNT; i++) {
        if (lin != s->labels[i]) continue;
        uint32_t cs = 0;
        if (i == UI_L_SYSTEM_SERVICE || i == UI_L_EXIT2_IRET) ui_read32(s, esp + 4, &cs);
        if (i == UI_L_EXIT2_IRET && !(cs & 3)) continue;    /* an interrupt back to the kernel */
        cost_label(s, cpu, (enum ui_label)i, i == UI_L_FAST_CALL || (cs & 3));
    }
    if (lin == s->labels[UI_L_REPEAT] || lin == s->labels[UI_L_RETURNED]) return;
    if (lin == s->labels[UI_L_FAST_CALL] || lin == s->labels[UI_L_SYSTEM_SERVICE]) {
        uint32_t thread = ui_current_thread(s), stack = 0, cs = 0;
        memset(&s->tf, 0, sizeof s->tf);
        s->tf.tracking = true;
        s->tf.exact = !full_speed(s);
        if (lin == s->labels[UI_L_FAST_CALL]) {
            ui_read32(s, thread + ThInitialStack, &stack);
            s->tf.addr = stack - KTRAP_FRAME_OFFSET;
        } else {                    /* the CPU pushed EIP, CS, EFLAGS (and ESP, SS from ring 3) */
            s->tf.addr = esp - TsEip;
            ui_read32(s, esp + 4, &cs);
            s->tf.written = (cs & 3) ? 0x1Full << (TsEip / 4) : 0x7ull << (TsEip / 4);
        }
        cpu_read_linear(cpu, s->tf.addr, s->tf.before, UI_TF_SIZE);
        if (s->run == UI_TO_SYSCALL) stop_here(s, "stopped at a system-call entry");
        else if (!full_speed(s) && s->run != UI_PAUSED) cpu_request_stop(cpu);
    } else if (lin != s->labels[UI_L_SERVICE_CALL]) {
        s->tf.tracking = false;
    }
}

static void hook_labels(struct ui_session *s, bool add)
{
    for (int i = 0; i < UI_L_COUNT; i++) {
        if (!s->labels[i]) continue;
        if (add) cpu_hook_add(&s->m->cpu, s->labels[i], on_label, s);
        else cpu_hook_remove(&s->m->cpu, s->labels[i], on_label, s);
    }
}

static int slice_poll(void *ctx)
{
    struct ui_session *s = ctx;
    return s->stop_now || s->m->cpu.instret >= s->slice_end;
}

static void attach(struct ui_session *s)
{
    struct machine *m = s->m;
    struct cpu *cpu = &m->cpu;
    s->prev_observer = cpu->observer;
    s->prev_exception = cpu->on_exception;
    s->prev_mode = cpu->on_mode;
    s->prev_delivered = cpu->on_delivered;
    s->prev_cr3 = cpu->on_cr3;
    s->prev_flush = cpu->on_tlb_flush;
    s->prev_arch = cpu->on_arch;
    cpu->observer = s;
    cpu->on_exception = on_exception;
    cpu->on_mode = on_mode;
    cpu->on_delivered = on_delivered;
    cpu->on_cr3 = on_cr3;
    cpu->on_tlb_flush = on_flush;
    cpu->on_arch = on_arch;
    /* the logs of a new machine (open and reset) start here */
    s->nflushes = s->narch = 0;
    s->ring_crossings = 0;
    memset(s->ring_cycles, 0, sizeof s->ring_cycles);
    s->ring_since = s->cycles_base = cpu_cycles_now(cpu);
    s->ring_cpl = cpu->cpl;
    s->arch_mode = cpu->mode;
    s->arch_dmode = cpu->dmode;
    memset(&s->touched, 0, sizeof s->touched);
    s->arch[s->narch++] = (struct ui_arch_event){ cpu_instret_now(cpu), 0, cpu->arch_bits,
                                                  cpu->arch_bits, cpu->cpl, "" };
    m->poll = slice_poll;
    m->poll_ctx = s;
    machine_serial_tap(m, on_serial, s);
    for (int i = 0; i < UI_L_COUNT; i++)
        if (!m->symbols || symtab_find(m->symbols, label_names[i], &s->labels[i]) != 0)
            s->labels[i] = 0;
    hook_labels(s, true);
    char err[160];
    s->traced = nttrace_attach(&s->trace, cpu, m->symbols, NULL, err, sizeof err) == 0;
    if (s->traced) {
        s->trace.on_event = on_syscall;
        s->trace.event_ctx = s;
    }
    ui_session_stopped(s);
    ui_session_stopped(s);
}

static int start(struct ui_session *s, char *err, size_t errlen)
{
    s->m = machine_new(&s->opt);
    if (!s->m) return snprintf(err, errlen, "cannot build the machine"), -1;
    if (s->boot(s->m, s->boot_ctx, err, errlen) != 0) {
        machine_free(s->m);
        s->m = NULL;
        return -1;
    }
    attach(s);
    return 0;
}

int ui_session_open(struct ui_session *s, const struct machine_options *opt, ui_boot_fn *boot,
                    void *boot_ctx, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->opt = *opt;
    s->boot = boot;
    s->boot_ctx = boot_ctx;
    s->slice = 2000000;
    s->walk_addr = 0x7FFE0000;
    s->mem_addr = 0xFFDFF000;                 /* the KPCR, once the kernel has one */
    snprintf(s->status, sizeof s->status, "paused");
    return start(s, err, errlen);
}

static void stop_machine(struct ui_session *s)
{
    if (!s->m) return;
    if (s->traced) nttrace_free(&s->trace);
    s->traced = false;
    hook_labels(s, false);
    machine_free(s->m);
    s->m = NULL;
}

void ui_session_close(struct ui_session *s)
{
    stop_machine(s);
}

static bool refused(struct ui_session *s);

int ui_session_reset(struct ui_session *s, char *err, size_t errlen)
{
    if (refused(s)) return snprintf(err, errlen, "%s", s->status), -1;
    size_t nbp = s->m ? s->m->cpu.host.nbp : 0;
    struct host_bp *bp = nbp ? malloc(nbp * sizeof *bp) : NULL;
    if (bp) memcpy(bp, s->m->cpu.host.bp, nbp * sizeof *bp);
    stop_machine(s);
    s->con_len = s->nexc = s->nmodes = s->nsys = s->ncosts = 0;
    s->ncost_open = 0;
    s->cr3_loads = 0;
    memset(s->flush_count, 0, sizeof s->flush_count);
    memset(&s->tf, 0, sizeof s->tf);
    s->run = UI_PAUSED;
    int rc = start(s, err, errlen);
    if (rc == 0 && s->gdb) gdb_server_set_machine(s->gdb, s->m);
    for (size_t i = 0; rc == 0 && bp && i < nbp; i++)
        if (bp[i].owners & HOST_OWNER_UI) debug_host_break(&s->m->cpu, bp[i].lin, HOST_OWNER_UI, true);
    free(bp);
    snprintf(s->status, sizeof s->status, rc ? "reset failed" : "reset");
    return rc;
}

/* ---- running ------------------------------------------------------------- */

static void ended(struct ui_session *s)
{
    s->run = UI_ENDED;
    snprintf(s->status, sizeof s->status, "ended: %s", s->m->message);
}

/* One instruction; with a trap frame being built, the slots it wrote are
 * marked: host watchpoints on the unwritten slots (the first one hit is
 * reported), bytes that changed, and a push's range below the old ESP. */
static enum machine_stop step_one(struct ui_session *s)
{
    struct cpu *cpu = &s->m->cpu;
    debug_host_resume(cpu, cpu->seg[SEG_CS].base + cpu->rip);
    bool track = s->tf.tracking;
    uint32_t base = s->tf.addr;
    uint64_t sp = cpu->gpr[RSP];
    if (track) {
        cpu_read_linear(cpu, base, s->tf.before, UI_TF_SIZE);
        for (unsigned i = 0; i < UI_TF_SIZE / 4; i++)
            if (!(s->tf.written >> i & 1)) debug_host_watch(cpu, base + 4 * i, 4, HOST_WATCH_WRITE, HOST_OWNER_TRACK, true);
    }
    debug_host_record(cpu, s->touched.a, UI_TOUCH);
    enum machine_stop why = machine_step(s->m);
    s->touched.n = debug_host_record_stop(cpu);
    s->touched.known = true;
    for (size_t i = 0; i < s->touched.n && i < UI_TOUCH; i++) {
        const struct host_access *a = &s->touched.a[i];
        uint64_t next = (a->lin | 0xFFF) + 1, *p = &s->touched.phys[2 * i];
        if (cpu->dmode != DM_64) next = (uint32_t)next;
        for (int k = 0; k < 2; k++) {
            uint64_t lin = k ? next : a->lin;
            if (!(cpu->cr0 & CR0_PG)) p[k] = lin & cpu->bus->a20_mask;
            else if (paging_peek(cpu, lin, &p[k]) != 0) p[k] = ~0ull;
        }
    }
    if (track) {
        bool hit = cpu->host.hit == HOST_HIT_WATCH;
        if (hit && cpu->host.hit_addr >= base && cpu->host.hit_addr < base + UI_TF_SIZE)
            s->tf.written |= 1ull << ((cpu->host.hit_addr - base) / 4);
        uint8_t after[UI_TF_SIZE];
        if (cpu_read_linear(cpu, base, after, UI_TF_SIZE) == 0)
            for (unsigned i = 0; i < UI_TF_SIZE; i++)
                if (after[i] != s->tf.before[i]) s->tf.written |= 1ull << (i / 4);
        if (hit && cpu->gpr[RSP] < sp)
            for (uint64_t a = cpu->gpr[RSP]; a < sp; a += 4)
                if (a >= base && a < base + UI_TF_SIZE) s->tf.written |= 1ull << ((a - base) / 4);
        for (unsigned i = 0; i < UI_TF_SIZE / 4; i++)
            debug_host_watch(cpu, base + 4 * i, 4, HOST_WATCH_WRITE, HOST_OWNER_TRACK, false);
        if (hit) {
            cpu->host.hit = HOST_HIT_NONE;
            if (why == STOP_INTERRUPTED) why = STOP_NONE;
        }
    }
    if (why == STOP_INTERRUPTED && !s->stop_now && !cpu->host.hit) why = STOP_NONE;   /* a label */
    return why;
}

/* gdb attached (or awaited) drives the machine: the window's controls wait. */
bool ui_gdb_holds(const struct ui_session *s)
{
    return s->gdb && (s->gdb_wait || s->gdb->attached);
}

static bool refused(struct ui_session *s)
{
    if (!ui_gdb_holds(s)) return false;
    if (s->gdb->attached)
        snprintf(s->status, sizeof s->status, "gdb is attached and drives the machine: continue or "
                 "step in gdb (F5 interrupts its continue), or detach it");
    else
        snprintf(s->status, sizeof s->status, "waiting for gdb on port %d (--wait-gdb)", s->gdb_port);
    return true;
}

void ui_step(struct ui_session *s)
{
    if (s->run == UI_ENDED || refused(s)) return;
    s->stop_now = false;
    enum machine_stop why = step_one(s);
    s->run = UI_PAUSED;
    if (why != STOP_NONE && why != STOP_INTERRUPTED) ended(s);
    else snprintf(s->status, sizeof s->status, "stepped");
    ui_session_stopped(s);
}

static void target_hook(struct cpu *cpu, void *ctx, uint64_t lin)
{
    (void)lin;
    struct ui_session *s = ctx;
    if (s->run == UI_STEP_OVER && cpu->gpr[RSP] >= s->target_sp) stop_here(s, "stepped over");
}

void ui_step_over(struct ui_session *s)
{
    struct ui_insn in;
    struct cpu *cpu = &s->m->cpu;
    if (s->run == UI_ENDED || refused(s)) return;
    if (ui_decode_at(s, cpu->seg[SEG_CS].base + cpu->rip, &in) != 0 || !in.is_call) {
        ui_step(s);
        return;
    }
    s->target_pc = cpu->seg[SEG_CS].base + cpu->rip + in.length;
    s->target_sp = cpu->gpr[RSP];
    cpu_hook_add(cpu, s->target_pc, target_hook, s);
    ui_run(s, UI_STEP_OVER);
}

void ui_step_out(struct ui_session *s)
{
    if (s->run == UI_ENDED || refused(s)) return;
    s->target_sp = s->m->cpu.gpr[RSP];
    s->steps_left = 50000000;
    ui_run(s, UI_STEP_OUT);
}

void ui_run(struct ui_session *s, enum ui_run how)
{
    if (s->run == UI_ENDED || (how != UI_GDB && refused(s))) return;
    s->run = how;
    s->stop_now = false;
    static const char *const names[] = {
        "paused", "running", "running to the next system call",
        "running to the next mode switch or exception", "stepping over", "stepping out",
        "running to an address", "running (gdb continued)",
    };
    snprintf(s->status, sizeof s->status, "%s", names[how]);
}

/* gdb's run stopped: its stop reply (T05 for a hit, T02 otherwise). */
static void gdb_run_stopped(struct ui_session *s, enum machine_stop why)
{
    s->run = UI_PAUSED;
    if (!gdb_server_stopped(s->gdb, why))
        snprintf(s->status, sizeof s->status, "gdb went away: paused, waiting for the next client");
}

/* gdb's run stopped between two slices: gdb sees SIGINT, as after Ctrl-C. */
static void interrupt_gdb_run(struct ui_session *s, const char *why)
{
    s->m->cpu.host.hit = HOST_HIT_NONE;
    snprintf(s->status, sizeof s->status, "%s", why);
    gdb_run_stopped(s, STOP_INTERRUPTED);
    ui_session_stopped(s);
}

void ui_pause(struct ui_session *s)
{
    if (s->run == UI_ENDED || s->run == UI_PAUSED) return;
    if (s->run == UI_GDB) {
        interrupt_gdb_run(s, "paused: gdb's continue interrupted");
        return;
    }
    if (s->run == UI_STEP_OVER) cpu_hook_remove(&s->m->cpu, s->target_pc, target_hook, s);
    s->run = UI_PAUSED;
    snprintf(s->status, sizeof s->status, "paused");
    ui_session_stopped(s);
}

static void reached(struct ui_session *s)
{
    char why[sizeof s->status];
    snprintf(why, sizeof why, "%s", s->status);
    ui_pause(s);
    snprintf(s->status, sizeof s->status, "%s", why);
}

/* A breakpoint at the PC stops a stepping loop (step_one passes it). */
static bool at_break(struct ui_session *s)
{
    struct cpu *cpu = &s->m->cpu;
    uint64_t pc = cpu->seg[SEG_CS].base + cpu->rip;
    unsigned owners = ui_break_at(s, pc);
    if (!owners) return false;
    cpu->host.hit = HOST_HIT_BREAK;
    cpu->host.hit_owners = (uint8_t)owners;
    cpu->host.hit_addr = pc;
    return true;
}

/* Step out: single steps until a return leaves the stack above where it was. */
static bool tick_step_out(struct ui_session *s, uint64_t budget)
{
    struct cpu *cpu = &s->m->cpu;
    for (uint64_t i = 0; i < budget && s->steps_left; i++, s->steps_left--) {
        if (i && at_break(s)) break;
        struct ui_insn in;
        bool ret = ui_decode_at(s, cpu->seg[SEG_CS].base + cpu->rip, &in) == 0 && in.is_ret;
        enum machine_stop why = step_one(s);
        if (why != STOP_NONE && why != STOP_INTERRUPTED) return ended(s), false;
        if (ret && cpu->gpr[RSP] > s->target_sp) {
            snprintf(s->status, sizeof s->status, "stepped out");
            return reached(s), false;
        }
        if (cpu->host.hit == HOST_HIT_BREAK) break;
    }
    if (!s->steps_left || cpu->host.hit == HOST_HIT_BREAK) {
        snprintf(s->status, sizeof s->status, cpu->host.hit ? "breakpoint" : "no return seen");
        return reached(s), false;
    }
    return true;
}

bool ui_session_tick(struct ui_session *s)
{
    struct cpu *cpu = &s->m->cpu;
    if (s->run == UI_PAUSED || s->run == UI_ENDED) return false;
    if (s->run == UI_STEP_OUT) return tick_step_out(s, s->slice / 16 + 1);
    enum machine_stop why;
    if (s->tf.tracking && !full_speed(s)) {
        /* a trap frame is being built: one instruction at a time */
        for (uint64_t i = 0; i < 4096 && s->tf.tracking && !s->stop_now; i++) {
            if (i && at_break(s)) break;
            why = step_one(s);
            if (why != STOP_NONE) break;
        }
        why = s->stop_now ? STOP_INTERRUPTED : (cpu->host.hit ? STOP_INTERRUPTED : STOP_NONE);
        if (s->m->stop != STOP_NONE && s->m->stop != STOP_INTERRUPTED) why = s->m->stop;
    } else {
        s->slice_end = cpu->instret + s->slice;
        debug_host_resume(cpu, cpu->seg[SEG_CS].base + cpu->rip);
        uint64_t before = cpu->instret;
        why = machine_run(s->m);
        if (cpu->instret != before) s->touched.known = false;   /* not recorded at full speed */
    }
    if (why == STOP_NONE || (why == STOP_INTERRUPTED && !s->stop_now && !cpu->host.hit))
        return true;                /* the slice ended, or a label paused the run */
    if (cpu->host.hit == HOST_HIT_BREAK) {
        char sym[96];
        symtab_format(s->m->symbols, cpu->host.hit_addr, sym, sizeof sym);
        snprintf(s->status, sizeof s->status, "breakpoint at %s", sym);
    } else if (cpu->host.hit == HOST_HIT_WATCH) {
        snprintf(s->status, sizeof s->status, "watchpoint at %#llx",
                 (unsigned long long)cpu->host.hit_addr);
    }
    if (s->run == UI_GDB) {
        gdb_run_stopped(s, why);
        if (why != STOP_INTERRUPTED) ended(s);
        else ui_session_stopped(s);
        return false;
    }
    if (why != STOP_INTERRUPTED) return ended(s), false;
    if (s->run == UI_STEP_OVER) cpu_hook_remove(cpu, s->target_pc, target_hook, s);
    reached(s);
    return false;
}

bool ui_toggle_break(struct ui_session *s, uint64_t lin)
{
    bool set = !(ui_break_at(s, lin) & HOST_OWNER_UI);
    debug_host_break(&s->m->cpu, lin, HOST_OWNER_UI, set);
    return set;
}

unsigned ui_break_at(const struct ui_session *s, uint64_t lin)
{
    return debug_host_break_at(&s->m->cpu, lin);
}

static void until_hook(struct cpu *cpu, void *ctx, uint64_t lin)
{
    (void)cpu, (void)lin;
    stop_here(ctx, "reached");
}

int ui_run_until(struct ui_session *s, uint64_t lin, uint64_t max)
{
    struct cpu *cpu = &s->m->cpu;
    uint64_t end = cpu->instret + max;
    if (cpu->seg[SEG_CS].base + cpu->rip == lin) return 0;
    if (cpu_hook_add(cpu, lin, until_hook, s) != 0) return -1;
    ui_run(s, UI_TO_ADDR);
    while (s->run != UI_PAUSED && s->run != UI_ENDED && cpu->instret < end) {
        uint64_t left = end - cpu->instret;
        if (s->slice > left) s->slice = left;
        ui_session_tick(s);
    }
    s->slice = 2000000;
    cpu_hook_remove(cpu, lin, until_hook, s);
    if (s->run != UI_PAUSED && s->run != UI_ENDED) ui_pause(s);
    return cpu->seg[SEG_CS].base + cpu->rip == lin ? 0 : -1;
}

void ui_run_insns(struct ui_session *s, uint64_t n)
{
    struct cpu *cpu = &s->m->cpu;
    uint64_t end = cpu->instret + n;
    ui_run(s, UI_RUNNING);
    while (s->run == UI_RUNNING && cpu->instret < end) {
        uint64_t left = end - cpu->instret;
        if (s->slice > left) s->slice = left;
        ui_session_tick(s);
    }
    s->slice = 2000000;
    if (s->run == UI_RUNNING) ui_pause(s);
}

/* ---- the GDB stub beside the window -------------------------------------- */

void ui_session_attach_gdb(struct ui_session *s, struct gdb_server *g, int port, bool wait)
{
    s->gdb = g;
    s->gdb_port = port;
    s->gdb_wait = wait;
    snprintf(s->status, sizeof s->status, wait ? "waiting for gdb on port %d (--wait-gdb)"
             : "paused; gdb can attach on port %d", port);
}

bool ui_session_gdb(struct ui_session *s, int timeout_ms)
{
    if (!s->gdb) return false;
    struct machine *m = s->m;
    switch (gdb_server_poll(s->gdb, timeout_ms)) {
    case GDB_SRV_NONE:
        return false;
    case GDB_SRV_ATTACHED:
        s->gdb_wait = false;
        if (s->run != UI_PAUSED && s->run != UI_ENDED) ui_pause(s);
        snprintf(s->status, sizeof s->status, "gdb attached: it drives the machine");
        return true;
    case GDB_SRV_ANSWERED:
        return true;
    case GDB_SRV_STEPPED:
        snprintf(s->status, sizeof s->status, "gdb stepped");
        ui_session_stopped(s);
        return true;
    case GDB_SRV_CONTINUE:
        if (s->run == UI_ENDED) {                   /* nothing left to run */
            gdb_run_stopped(s, m->stop);
            s->run = UI_ENDED;
            return true;
        }
        ui_run(s, UI_GDB);
        return true;
    case GDB_SRV_INTERRUPT:
        if (s->run == UI_GDB) interrupt_gdb_run(s, "interrupted by gdb");
        return true;
    case GDB_SRV_DETACHED:
        if (s->run == UI_ENDED) return true;
        s->run = UI_PAUSED;
        ui_run(s, UI_RUNNING);
        snprintf(s->status, sizeof s->status, "gdb detached: running");
        return true;
    case GDB_SRV_KILLED:
        ended(s);
        s->killed = true;           /* as gdb's kill ends QEMU, window and all */
        return true;
    case GDB_SRV_GONE:
        if (s->run == UI_GDB) s->run = UI_PAUSED;
        snprintf(s->status, sizeof s->status, "gdb went away: paused, waiting for the next client");
        ui_session_stopped(s);
        return true;
    case GDB_SRV_ENDED:
        ended(s);
        return true;
    }
    return false;
}
