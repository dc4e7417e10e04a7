/* nttrace.c - the system-call tracer (see nttrace.h for the line format and
 * the rules for services that do not return).
 *
 * Each thread (by its Cid) has a stack of open frames: services entered and
 * not yet left, and callbacks into user mode.  Kernel Zw calls nest inside a
 * service; user-mode calls nest only inside a callback.  The depth of a line
 * is the number of callbacks under its frame.
 */
#include <stdlib.h>
#include <string.h>
#include "cpu/cpu.h"
#include "sim/nttrace.h"
#include "sim/ntlayout.h"
#include "sim/symbols.h"

enum { FRAME_SERVICE, FRAME_CALLBACK };

struct nt_frame {
    uint8_t kind;
    uint8_t path;               /* enum nt_entry */
    bool called;                /* its "->" line is out */
    bool has_status;
    bool ends_thread;           /* "ends the thread" is out: no other end line */
    unsigned number;            /* service number, or the callback's ApiNumber */
    uint32_t status;
    uint64_t insns, cycles;
    uint64_t away_insns, away_cycles;   /* the thread's switched-out time at the entry */
};

#define NT_CURRENT_PROCESS 0xFFFFFFFFu
#define NT_CURRENT_THREAD  0xFFFFFFFEu

static const char *const entry_names[] = { "sysenter", "int 2Eh", "kernel Zw", "int 2Bh" };
static const char *const exit_names[] = { "sysexit", "iretd", "ret", "iretd" };

void nttrace_init(struct nttrace *t, FILE *out, const struct nt_service *services,
                  unsigned nservices, nttrace_read_fn *read, void *read_ctx)
{
    memset(t, 0, sizeof *t);
    /* No text wanted (a front end that takes the events): the lines go nowhere. */
    t->own_out = !out;
    t->out = out ? out : fopen("/dev/null", "w");
    t->services = services;
    t->nservices = nservices;
    t->read = read;
    t->read_ctx = read_ctx;
}

static const struct nt_service *service(const struct nttrace *t, unsigned number)
{
    for (unsigned i = 0; i < t->nservices; i++)
        if (t->services[i].number == number) return &t->services[i];
    return NULL;
}

static const char *service_name(const struct nttrace *t, unsigned number)
{
    const struct nt_service *s = service(t, number);
    return s ? s->name : "unknown";
}

static struct nttrace_thread *thread(struct nttrace *t, uint32_t pid, uint32_t tid)
{
    for (size_t i = 0; i < t->nthreads; i++)
        if (t->threads[i].tid == tid && t->threads[i].pid == pid) return &t->threads[i];
    if (t->nthreads == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 16;
        struct nttrace_thread *v = realloc(t->threads, cap * sizeof *v);
        if (!v) abort();
        t->threads = v;
        t->cap = cap;
    }
    struct nttrace_thread *th = &t->threads[t->nthreads++];
    memset(th, 0, sizeof *th);
    th->pid = pid;
    th->tid = tid;
    return th;
}

static struct nt_frame *top(struct nttrace_thread *th)
{
    return th->n ? &th->f[th->n - 1] : NULL;
}

static struct nt_frame *push(struct nttrace_thread *th)
{
    if (th->n == th->cap) {
        size_t cap = th->cap ? 2 * th->cap : 8;
        struct nt_frame *v = realloc(th->f, cap * sizeof *v);
        if (!v) abort();
        th->f = v;
        th->cap = cap;
    }
    struct nt_frame *f = &th->f[th->n++];
    memset(f, 0, sizeof *f);
    return f;
}

/* Callbacks under frame index i (or under everything for i == n). */
static unsigned depth(const struct nttrace_thread *th, size_t i)
{
    unsigned d = 0;
    for (size_t k = 0; k < i && k < th->n; k++) d += th->f[k].kind == FRAME_CALLBACK;
    return d;
}

/* "[PID.TID] " and two spaces per depth. */
static void line_start(struct nttrace *t, const struct nttrace_thread *th, unsigned d)
{
    fprintf(t->out, "[%u.%u] %*s", th->pid, th->tid, (int)(2 * d), "");
}

/* The event of a line about frame f, to the front end's callback. */
static void emit(struct nttrace *t, const struct nttrace_thread *th, const struct nt_frame *f,
                 enum nttrace_event_kind kind, const struct nttrace_event *more)
{
    if (!t->on_event) return;
    struct nttrace_event e = more ? *more : (struct nttrace_event){ 0 };
    e.kind = (uint8_t)kind;
    e.pid = th->pid;
    e.tid = th->tid;
    e.number = f->number;
    e.name = service_name(t, f->number);
    if (kind == NTTRACE_CALL || kind == NTTRACE_ENTER) e.path = f->path;
    t->on_event(t->event_ctx, &e);
}

static void print_call(struct nttrace *t, struct nttrace_thread *th, struct nt_frame *f,
                       const uint32_t *argv, const bool *ok, unsigned argc)
{
    line_start(t, th, depth(th, (size_t)(f - th->f)));
    fprintf(t->out, "-> %s (%#x) via %s (", service_name(t, f->number), f->number,
            entry_names[f->path]);
    for (unsigned i = 0; i < argc; i++) {
        if (i) fputs(", ", t->out);
        if (ok[i]) fprintf(t->out, "%#x", argv[i]);
        else fputc('?', t->out);
    }
    fputs(")\n", t->out);
    f->called = true;
    struct nttrace_event e = { .argc = argc < NTTRACE_EVENT_ARGS ? argc : NTTRACE_EVENT_ARGS };
    for (unsigned i = 0; i < e.argc; i++) {
        e.argv[i] = argv[i];
        e.ok[i] = ok[i];
    }
    emit(t, th, f, NTTRACE_CALL, &e);
}

/* Read the declared arguments the kernel copied to addr and print the call
 * line; a call refused before the copy (copied false) shows them as '?'. */
static void call_line(struct nttrace *t, struct nttrace_thread *th, struct nt_frame *f,
                      uint32_t addr, bool copied)
{
    const struct nt_service *s = service(t, f->number);
    unsigned argc = s ? s->args : 0;
    uint32_t argv[32] = { 0 };
    bool ok[32] = { false };
    if (argc > 32) argc = 32;
    for (unsigned i = 0; i < argc && copied; i++)
        ok[i] = t->read(t->read_ctx, addr + 4 * i, &argv[i], 4) == 0;
    print_call(t, th, f, argv, ok, argc);
    if (!s || !argc || !ok[0]) return;
    bool self = (!strcmp(s->name, "NtTerminateThread") &&
                 (argv[0] == 0 || argv[0] == NT_CURRENT_THREAD)) ||
                (!strcmp(s->name, "NtTerminateProcess") && argv[0] == NT_CURRENT_PROCESS);
    if (self) {
        line_start(t, th, depth(th, (size_t)(f - th->f)));
        fprintf(t->out, "<- %s (%#x) ends the thread\n", s->name, f->number);
        f->ends_thread = true;
        emit(t, th, f, NTTRACE_ENDS_THREAD, NULL);
    }
}

/* Pop the top frame, a service that will not come back. */
static void not_returning(struct nttrace *t, struct nttrace_thread *th)
{
    struct nt_frame *f = top(th);
    if (!f->called) call_line(t, th, f, 0, false);
    if (!f->ends_thread) {
        line_start(t, th, depth(th, th->n - 1));
        fprintf(t->out, "<- %s (%#x) does not return\n", service_name(t, f->number), f->number);
        emit(t, th, f, NTTRACE_NO_RETURN, NULL);
    }
    th->n--;
}

/* Services open above the innermost callback (or at all) when the thread
 * enters from user mode again: they did not return. */
static void close_open_services(struct nttrace *t, struct nttrace_thread *th)
{
    while (th->n && top(th)->kind == FRAME_SERVICE) not_returning(t, th);
}

void nttrace_enter(struct nttrace *t, uint32_t pid, uint32_t tid, enum nt_entry path,
                   unsigned number, uint64_t insns, uint64_t cycles)
{
    struct nttrace_thread *th = thread(t, pid, tid);
    struct nt_frame *f = top(th);
    if (f && f->kind == FRAME_SERVICE && !f->called) return;   /* a second label of one entry */
    if (path != NT_ENTRY_KERNEL_ZW) close_open_services(t, th);
    f = push(th);
    f->kind = FRAME_SERVICE;
    f->path = (uint8_t)path;
    f->number = number;
    f->insns = insns;
    f->cycles = cycles;
    f->away_insns = th->away_insns;
    f->away_cycles = th->away_cycles;
    emit(t, th, f, NTTRACE_ENTER, NULL);
}

void nttrace_call(struct nttrace *t, uint32_t pid, uint32_t tid, uint32_t esp)
{
    struct nttrace_thread *th = thread(t, pid, tid);
    struct nt_frame *f = top(th);
    if (f && f->kind == FRAME_SERVICE && !f->called) call_line(t, th, f, esp, true);
}

void nttrace_returned(struct nttrace *t, uint32_t pid, uint32_t tid, uint32_t status)
{
    struct nttrace_thread *th = thread(t, pid, tid);
    struct nt_frame *f = top(th);
    if (!f || f->kind != FRAME_SERVICE) return;
    f->status = status;
    f->has_status = true;
    emit(t, th, f, NTTRACE_RETURNED, &(struct nttrace_event){ .status = status });
}

void nttrace_exit(struct nttrace *t, uint32_t pid, uint32_t tid, enum nt_exit path,
                  uint32_t eax, uint64_t insns, uint64_t cycles)
{
    struct nttrace_thread *th = thread(t, pid, tid);
    if (th->callout && path != NT_EXIT_RET) {
        th->callout = false;
        struct nt_frame *c = push(th);
        c->kind = FRAME_CALLBACK;
        c->number = th->api;
        line_start(t, th, depth(th, th->n));
        fprintf(t->out, "=> callback %u to user via %s\n", th->api, exit_names[path]);
        return;
    }
    struct nt_frame *f = top(th);
    if (!f || f->kind != FRAME_SERVICE) return;     /* a new thread's first entry, an exception */
    if (path == NT_EXIT_FULL_IRETD && !f->has_status) {
        not_returning(t, th);
        return;
    }
    if (!f->called) call_line(t, th, f, 0, false);  /* refused: bad number or arguments */
    line_start(t, th, depth(th, th->n - 1));
    uint64_t away_i = th->away_insns - f->away_insns, away_c = th->away_cycles - f->away_cycles;
    fprintf(t->out, "<- %s (%#x) = 0x%08X via %s, %llu insns, %llu cycles",
            service_name(t, f->number), f->number, f->has_status ? f->status : eax,
            exit_names[path], (unsigned long long)(insns - f->insns - away_i),
            (unsigned long long)(cycles - f->cycles - away_c));
    if (away_i) fprintf(t->out, " (other threads ran %llu insns meanwhile)", (unsigned long long)away_i);
    fputc('\n', t->out);
    const struct nttrace_event e = {
        .path = (uint8_t)path, .status = f->has_status ? f->status : eax,
        .insns = insns - f->insns - away_i, .cycles = cycles - f->cycles - away_c,
    };
    emit(t, th, f, NTTRACE_RETURN, &e);
    th->n--;
}

void nttrace_callout(struct nttrace *t, uint32_t pid, uint32_t tid, uint32_t api)
{
    struct nttrace_thread *th = thread(t, pid, tid);
    th->callout = true;
    th->api = api;
}

void nttrace_int2b(struct nttrace *t, uint32_t pid, uint32_t tid, uint32_t buffer,
                   uint32_t length, uint32_t status, uint64_t insns, uint64_t cycles)
{
    struct nttrace_thread *th = thread(t, pid, tid);
    close_open_services(t, th);
    unsigned number = 0;
    for (unsigned i = 0; i < t->nservices; i++)
        if (!strcmp(t->services[i].name, "NtCallbackReturn")) number = t->services[i].number;
    struct nt_frame *f = push(th);
    f->kind = FRAME_SERVICE;
    f->path = NT_ENTRY_INT2B;
    f->number = number;
    f->insns = insns;
    f->cycles = cycles;
    f->away_insns = th->away_insns;
    f->away_cycles = th->away_cycles;
    const uint32_t argv[3] = { buffer, length, status };
    const bool ok[3] = { true, true, true };
    print_call(t, th, f, argv, ok, 3);
}

void nttrace_callback_done(struct nttrace *t, uint32_t pid, uint32_t tid, uint32_t status)
{
    struct nttrace_thread *th = thread(t, pid, tid);
    size_t c = th->n;
    while (c && th->f[c - 1].kind != FRAME_CALLBACK) c--;
    if (!c) return;                                 /* no callback open: not ours */
    close_open_services(t, th);                     /* NtCallbackReturn */
    unsigned d = depth(th, th->n);
    th->n--;                                        /* the callback */
    struct nt_frame *caller = top(th);
    line_start(t, th, d);
    fprintf(t->out, "<= callback returned 0x%08X to %s\n", status,
            caller && caller->kind == FRAME_SERVICE ? service_name(t, caller->number)
                                                    : "the kernel");
}

void nttrace_switch(struct nttrace *t, uint32_t old_pid, uint32_t old_tid, uint32_t new_pid,
                    uint32_t new_tid, uint64_t insns, uint64_t cycles)
{
    struct nttrace_thread *old = thread(t, old_pid, old_tid);
    old->out = true;
    old->out_insns = insns;
    old->out_cycles = cycles;
    struct nttrace_thread *th = thread(t, new_pid, new_tid);
    if (th->out) {
        th->out = false;
        th->away_insns += insns - th->out_insns;
        th->away_cycles += cycles - th->out_cycles;
    }
}

void nttrace_thread_ends(struct nttrace *t, uint32_t pid, uint32_t tid)
{
    struct nttrace_thread *th = thread(t, pid, tid);
    for (size_t i = th->n; i-- > 0;) {
        struct nt_frame *f = &th->f[i];
        if (f->kind != FRAME_SERVICE || f->ends_thread) continue;
        line_start(t, th, depth(th, i));
        fprintf(t->out, "<- %s (%#x) ends the thread\n", service_name(t, f->number), f->number);
        emit(t, th, f, NTTRACE_ENDS_THREAD, NULL);
    }
    free(th->f);
    *th = t->threads[--t->nthreads];            /* its id may come back as a new thread */
}

/* ---- the hooks ------------------------------------------------------------ */

/* The labels of nt-reference's paths, as the kernel exports them. */
enum label {
    L_FAST_CALL, L_FAST_CALL2, L_SYSTEM_SERVICE, L_CALLBACK_RETURN, L_SERVICE_CALL,
    L_SERVICE_RETURNED, L_EXIT_SYSEXIT, L_EXIT_IRET, L_EXIT_KERNEL, L_EXIT2_IRET,
    L_CALL_USER, L_CALLBACK_RESUME, L_TERMINATE_THREAD, L_SWAP_CONTEXT, L_COUNT,
};
static const char *const label_names[L_COUNT] = {
    "KiFastCallEntry", "KiFastCallEntry2", "KiSystemService", "KiCallbackReturn",
    "KiSystemServiceCall", "KiSystemServiceReturned", "KiSystemCallExitSysexit",
    "KiSystemCallExitIret", "KiSystemCallExitKernel", "KiServiceExit2Iret", "KiCallUserMode",
    "KiCallbackReturnResume",
    "PspTerminateThread",       /* (PETHREAD, NTSTATUS), cdecl: any thread's end */
    "KiSwapContext",            /* (Old, New), cdecl: a thread switch */
};

struct nttrace_label {
    struct nttrace *t;
    enum label which;
    uint64_t lin;
};


static int read_cpu(void *ctx, uint32_t lin, void *buf, size_t len)
{
    return cpu_read_linear(ctx, lin, buf, len);
}

static uint32_t rd32(struct nttrace *t, uint32_t lin)
{
    uint32_t v = 0;
    if (t->read(t->read_ctx, lin, &v, 4) != 0) return 0;
    return v;
}

static void on_label(struct cpu *cpu, void *ctx, uint64_t lin)
{
    (void)lin;
    struct nttrace_label *l = ctx;
    struct nttrace *t = l->t;
    uint32_t thread_ptr = rd32(t, NT_CURRENT_THREAD_VA);
    uint32_t pid = rd32(t, thread_ptr + EtCid), tid = rd32(t, thread_ptr + EtCid + 4);
    uint32_t eax = (uint32_t)cpu->gpr[RAX], edx = (uint32_t)cpu->gpr[RDX];
    uint32_t esp = (uint32_t)(cpu->seg[SEG_SS].base + (uint32_t)cpu->gpr[RSP]);
    uint64_t insns = cpu_instret_now(cpu), cycles = cpu_cycles_now(cpu);
    switch (l->which) {
    case L_FAST_CALL:
    case L_FAST_CALL2:
        nttrace_enter(t, pid, tid, NT_ENTRY_SYSENTER, eax, insns, cycles);
        break;
    case L_SYSTEM_SERVICE:
        nttrace_enter(t, pid, tid, (rd32(t, esp + 4) & 3) ? NT_ENTRY_INT2E : NT_ENTRY_KERNEL_ZW,
                      eax, insns, cycles);
        break;
    case L_CALLBACK_RETURN:
        nttrace_int2b(t, pid, tid, (uint32_t)cpu->gpr[RCX], edx, eax, insns, cycles);
        break;
    case L_SERVICE_CALL: nttrace_call(t, pid, tid, esp); break;
    case L_SERVICE_RETURNED: nttrace_returned(t, pid, tid, eax); break;
    case L_EXIT_SYSEXIT: nttrace_exit(t, pid, tid, NT_EXIT_SYSEXIT, eax, insns, cycles); break;
    case L_EXIT_IRET: nttrace_exit(t, pid, tid, NT_EXIT_IRETD, eax, insns, cycles); break;
    case L_EXIT_KERNEL: nttrace_exit(t, pid, tid, NT_EXIT_RET, eax, insns, cycles); break;
    case L_EXIT2_IRET:      /* also the exit of interrupts and exceptions: to user mode only */
        if (rd32(t, esp + 4) & 3) nttrace_exit(t, pid, tid, NT_EXIT_FULL_IRETD, eax, insns, cycles);
        break;
    case L_CALL_USER: {
        uint32_t frame = rd32(t, thread_ptr + ThTrapFrame);
        nttrace_callout(t, pid, tid, rd32(t, rd32(t, frame + TsHardwareEsp) + 4));
        break;
    }
    case L_CALLBACK_RESUME: nttrace_callback_done(t, pid, tid, eax); break;
    case L_TERMINATE_THREAD: {
        uint32_t victim = rd32(t, esp + 4);
        nttrace_thread_ends(t, rd32(t, victim + EtCid), rd32(t, victim + EtCid + 4));
        break;
    }
    case L_SWAP_CONTEXT: {
        uint32_t o = rd32(t, esp + 4), n = rd32(t, esp + 8);
        nttrace_switch(t, rd32(t, o + EtCid), rd32(t, o + EtCid + 4), rd32(t, n + EtCid),
                       rd32(t, n + EtCid + 4), insns, cycles);
        break;
    }
    case L_COUNT: break;
    }
}

int nttrace_attach(struct nttrace *t, struct cpu *cpu, const struct symtab *symbols,
                   FILE *out, char *err, size_t errlen)
{
    nttrace_init(t, out, nt_services, nt_service_count, read_cpu, cpu);
    uint64_t addr[L_COUNT];
    bool have[L_COUNT];
    for (int i = 0; i < L_COUNT; i++)
        have[i] = symbols && symtab_find(symbols, label_names[i], &addr[i]) == 0;
    if (!have[L_FAST_CALL] && !have[L_SYSTEM_SERVICE]) {
        snprintf(err, errlen, "--trace=syscalls: the kernel has neither KiFastCallEntry nor "
                 "KiSystemService among its symbols");
        return -1;
    }
    t->labels = calloc(L_COUNT, sizeof *t->labels);
    if (!t->labels) {
        snprintf(err, errlen, "out of host memory");
        return -1;
    }
    t->cpu = cpu;
    for (int i = 0; i < L_COUNT; i++) {
        if (!have[i]) continue;
        struct nttrace_label *l = &t->labels[t->nlabels];
        *l = (struct nttrace_label){ t, (enum label)i, (uint32_t)addr[i] };
        if (cpu_hook_add(cpu, l->lin, on_label, l) != 0) {
            snprintf(err, errlen, "out of host memory");
            return -1;
        }
        t->nlabels++;
    }
    return 0;
}

void nttrace_free(struct nttrace *t)
{
    for (size_t i = 0; i < t->nlabels; i++)
        cpu_hook_remove(t->cpu, t->labels[i].lin, on_label, &t->labels[i]);
    free(t->labels);
    for (size_t i = 0; i < t->nthreads; i++) free(t->threads[i].f);
    free(t->threads);
    if (t->own_out && t->out) fclose(t->out);
    memset(t, 0, sizeof *t);
}
