/* semantics.c - the differential tester's driver: one case runs natively in the
 * sandboxed child (the host CPU is the oracle) and in the interpreter, set up as the
 * host's user mode (CPL 3, IOPL 0, the children's selectors); registers, RIP, flags,
 * the window and the exception (signal and trap number against exc_vector) must agree.
 * Flags and results the SDM leaves undefined are compared only when the interpreter's
 * profile is the host's vendor.  Reproducers use Zydis for the disassembly.
 */
#undef _GNU_SOURCE      /* its REG_RIP (ucontext) and F_LOCK (unistd) collide with cpu/insn.h */
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <Zydis/Zydis.h>
#include "cpu/insn.h"
#include "mmu/bus.h"
#include "tests/semantics/native.h"
#include "tests/semantics/semantics.h"

#ifndef SEM_NATIVE_DIR
#define SEM_NATIVE_DIR "build/tests"
#endif
#ifndef SEM_VECTORS
#define SEM_VECTORS "tests/vectors/semantics.txt"
#endif

#define DATA       ((uint64_t)NATIVE_DATA_ADDR)
#define CODE       ((uint64_t)NATIVE_CODE_ADDR)
#define WIN        NATIVE_DATA_SIZE
#define RUN_BUDGET 4096         /* instructions: a REP string may restart itself per element */
#define WIN_SHARE  16           /* consecutive cases share a window seed */
/* Every architectural flag but RF, which the host sets in the image of a fault. */
#define FLAGS_COMPARED (FL_STATUS | FL_TF | FL_IF | FL_DF | FL_IOPL | FL_NT | FL_VM | FL_AC | \
                        FL_VIF | FL_VIP | FL_ID)

/* Segment attributes as the children's descriptors have them: DPL 3, accessed. */
#define ATTR_DATA  (SA_P | SA_S | SA_DPL | 0x3)
#define ATTR_CODE  (SA_P | SA_S | SA_DPL | SA_CODE | 0x3)

enum sem_end { END_DONE, END_FAULT, END_RUNAWAY, END_STOPPED, END_NATIVE_ERROR };

/* One side's outcome: where it stopped and the state there. */
struct sem_state {
    uint8_t end;                /* enum sem_end */
    int vector;                 /* END_FAULT: the exception */
    uint32_t error;             /* its error code, EXC_NO_ERROR if it has none */
    uint64_t rip;               /* linear: the landing address or the faulting RIP */
    uint64_t gpr[16], rflags;
    uint16_t ndiff;
    bool overflow;
    struct { uint16_t off; uint8_t val; } diff[NATIVE_MAX_DIFF];
    const char *note;
};

struct sem {
    FILE *out;
    unsigned max_reports, reports;
    const char *record_path;
    struct native *child[2];            /* NATIVE_64, NATIVE_32 */
    struct bus *bus;
    struct cpu cpu;
    bool same_vendor;
    struct gen_config gcfg;
    uint16_t sel[SEM_NMODES][2][6];     /* the children's selectors: mode, ldt_data16, sreg */
    struct sem_counts counts[G_NGROUPS + 1];
    bool stats;
    unsigned trace;
    uint64_t ends[G_NGROUPS + 1][34];   /* the host's outcomes: vector 0-31, done, landed */
    uint64_t mode_cases[SEM_NMODES];
    uint8_t *covered;                   /* per row and mode */
    uint8_t *recorded;                  /* per row and mode: recorded in this run */
    bool refill;                        /* a mismatch: the landing zones may be dirty */
    uint64_t seed, index;               /* where the current generated case came from */
    uint64_t window_seed;               /* window holds gen_window(window_seed) */
    bool window_valid;
    uint8_t window[WIN];
    struct sem_case c;
    struct sem_state nat, sim;
};

/* ---- the interpreter ------------------------------------------------------------- */

/* 0xCC over the landing zones: the low 64 KiB and the pages around the code page. */
static void fill_zones(struct sem *s)
{
    uint8_t cc[4096];
    memset(cc, 0xCC, sizeof cc);
    for (uint64_t a = 0; a < SEM_LOW_ZONE_END; a += sizeof cc) bus_load(s->bus, a, cc, sizeof cc);
    for (uint64_t a = SEM_ZONE_START; a < SEM_ZONE_END; a += sizeof cc)
        bus_load(s->bus, a, cc, sizeof cc);
    s->refill = false;
}

static void set_seg(struct cpu *cpu, int seg, uint16_t sel, uint64_t base, uint32_t limit,
                    uint16_t attr)
{
    cpu->seg[seg] = (struct segment){ .sel = sel, .attr = attr, .limit = limit, .base = base };
}

/* The segments of the child the case runs in (native_child.c). */
static void interp_segments(struct sem *s, const struct sem_case *c)
{
    struct cpu *cpu = &s->cpu;
    const uint16_t *sel = s->sel[c->mode][c->nc.ldt_data16 ? 1 : 0];
    bool window = c->nc.ldt_data16;
    for (int g = 0; g < 6; g++)
        set_seg(cpu, g, sel[g], 0, 0xFFFFFFFF, ATTR_DATA | SA_DB | SA_G);
    if (c->mode == SEM_M64) {
        set_seg(cpu, SEG_CS, sel[SEG_CS], 0, 0xFFFFFFFF, ATTR_CODE | SA_L | SA_G);
    } else if (c->mode == SEM_M32) {
        set_seg(cpu, SEG_CS, sel[SEG_CS], 0, 0xFFFFFFFF, ATTR_CODE | SA_DB | SA_G);
    } else {
        set_seg(cpu, SEG_CS, sel[SEG_CS], CODE, 0xFFFF, ATTR_CODE);
        window = true;
    }
    if (!window) return;
    set_seg(cpu, SEG_ES, sel[SEG_ES], DATA, 0xFFFF, ATTR_DATA | SA_DB);
    set_seg(cpu, SEG_SS, sel[SEG_SS], DATA, 0xFFFF, ATTR_DATA | SA_DB);
    set_seg(cpu, SEG_DS, sel[SEG_DS], DATA, 0xFFFF, ATTR_DATA | SA_DB);
}

/* The host's user mode: CPL 3, IF=1, IOPL 0, paging left to the host (identity here). */
static void interp_load(struct sem *s, const struct sem_case *c)
{
    struct cpu *cpu = &s->cpu;
    bool m64 = c->mode == SEM_M64;
    uint8_t code[16];
    cpu->cr0 = CR0_PE | CR0_ET | CR0_NE;
    cpu->cr4 = m64 ? 0x20 : 0;                      /* PAE, as long mode requires */
    cpu->efer = m64 ? EFER_LME | EFER_LMA : 0;
    interp_segments(s, c);
    for (int r = 0; r < 16; r++)
        cpu->gpr[r] = m64 ? c->nc.gpr[r] : r < 8 ? (uint32_t)c->nc.gpr[r] : 0;
    cpu->rip = c->mode == SEM_M16 ? 0 : CODE;
    cpu_set_flags(cpu, (c->nc.rflags & (FL_STATUS | FL_DF)) | FL_1 | FL_IF);
    cpu->halted = cpu->delivering = cpu->stop_requested = false;
    cpu->interrupt_shadow = 0;
    cpu->exc_vector = -1;
    cpu->exc_error = EXC_NO_ERROR;
    cpu->stop_on_exception = true;
    cpu_update_mode(cpu);
    memset(code, 0xCC, sizeof code);
    memcpy(code, c->nc.bytes, c->nc.len);
    bus_load(s->bus, DATA, c->nc.data, WIN);
    bus_load(s->bus, CODE, code, sizeof code);
}

static uint64_t linear_ip(const struct cpu *cpu, uint64_t ip)
{
    uint64_t lin = cpu->seg[SEG_CS].base + (ip & cpu->ip_mask);
    return cpu->dmode == DM_64 ? lin : (uint32_t)lin;
}

/* Bytes of the window that changed, in the native child's format. */
static void window_diff(const uint8_t *before, const uint8_t *after, struct sem_state *st)
{
    st->ndiff = 0;
    st->overflow = false;
    for (unsigned k = 0; k < WIN; k += 8) {
        if (!memcmp(before + k, after + k, 8)) continue;
        for (unsigned off = k; off < k + 8; off++) {
            if (before[off] == after[off]) continue;
            if (st->ndiff == NATIVE_MAX_DIFF) {
                st->overflow = true;
                return;
            }
            st->diff[st->ndiff].off = (uint16_t)off;
            st->diff[st->ndiff++].val = after[off];
        }
    }
}

/* Run: the instruction, then the INT3 where it lands stops the run (#BP after at
 * least one retired instruction); any other stop is the instruction's own. */
static void interp_run(struct sem *s, const struct sem_case *c, struct sem_state *st)
{
    struct cpu *cpu = &s->cpu;
    interp_load(s, c);
    uint64_t start = cpu->instret;
    enum cpu_exit why = cpu_run(cpu, RUN_BUDGET);
    memset(st, 0, offsetof(struct sem_state, diff));
    if (why == EXIT_EXCEPTION && cpu->exc_vector == EXC_BP && cpu->instret > start) {
        st->end = END_DONE;
        st->rip = linear_ip(cpu, cpu->rip - 1);
    } else if (why == EXIT_EXCEPTION) {
        st->end = END_FAULT;
        st->vector = cpu->exc_vector;
        st->error = cpu->exc_error;
        st->rip = linear_ip(cpu, cpu->rip);
    } else {
        st->end = why == EXIT_BUDGET ? END_RUNAWAY : END_STOPPED;
        st->rip = linear_ip(cpu, cpu->rip);
        st->note = why == EXIT_BUDGET ? "no INT3 reached" : cpu->stop_message;
    }
    memcpy(st->gpr, cpu->gpr, sizeof st->gpr);
    st->rflags = cpu_get_flags(cpu);
    window_diff(c->nc.data, bus_ram_ptr(s->bus, DATA, WIN), st);
}

/* ---- the host ------------------------------------------------------------------- */

static bool has_error_code(int vector)
{
    return vector == EXC_DF || (vector >= EXC_TS && vector <= EXC_PF) || vector == EXC_AC;
}

static bool in_landing_zone(uint64_t lin)
{
    return lin < SEM_LOW_ZONE_END || (lin >= SEM_ZONE_START && lin < SEM_ZONE_END);
}

/* The signal Linux delivers for a vector, for the ones a case can raise. */
static int signal_of(int vector)
{
    switch (vector) {
    case EXC_DE: return SIGFPE;
    case EXC_DB: case EXC_BP: return SIGTRAP;
    case EXC_UD: return SIGILL;
    case EXC_SS: case EXC_AC: return SIGBUS;
    default: return SIGSEGV;            /* #OF #BR #GP #PF */
    }
}

static void from_native(const struct native_result *r, struct sem_state *st)
{
    memset(st, 0, offsetof(struct sem_state, diff));
    memcpy(st->gpr, r->gpr, sizeof st->gpr);
    st->rflags = r->rflags;
    st->rip = r->rip;
    st->ndiff = r->ndiff;
    st->overflow = r->diff_overflow;
    for (unsigned k = 0; k < r->ndiff; k++) {
        st->diff[k].off = r->diff[k].off;
        st->diff[k].val = r->diff[k].val;
    }
    /* An instruction fetch #PF (I/D set) at the target: the branch landed there. */
    bool landed = r->signal == SIGSEGV && r->trapno == EXC_PF && (r->err & 0x10) &&
                  r->fault_addr == r->rip && in_landing_zone(r->rip);
    if (r->signal == 0 || landed) {
        st->end = END_DONE;
        return;
    }
    st->end = END_FAULT;
    st->vector = (int)r->trapno;
    st->error = has_error_code(st->vector) ? (uint32_t)r->err : EXC_NO_ERROR;
    if (r->signal != signal_of(st->vector)) {
        st->end = END_NATIVE_ERROR;
        st->note = "the host's signal does not match its trap number";
    }
}

static void native_exec(struct sem *s, const struct sem_case *c, struct sem_state *st)
{
    struct native_result r;
    struct native *n = s->child[c->mode == SEM_M64 ? 0 : 1];
    int rc = native_run(n, &c->nc, &r);
    if (rc == 0) {
        from_native(&r, st);
        return;
    }
    memset(st, 0, offsetof(struct sem_state, diff));
    st->end = END_NATIVE_ERROR;
    st->note = rc == -2 ? "the child cannot run this case" : "the child died or hung";
}

/* The selectors each child runs a case with: MOV r/m16, Sreg in every configuration. */
static bool probe_selectors(struct sem *s)
{
    static const struct { uint8_t mode, d16; } cfgs[] = {
        { SEM_M64, 0 }, { SEM_M32, 0 }, { SEM_M32, 1 }, { SEM_M16, 1 },
    };
    struct sem_case *c = &s->c;
    for (unsigned i = 0; i < sizeof cfgs / sizeof cfgs[0]; i++) {
        for (int g = 0; g < 6; g++) {
            memset(c, 0, sizeof *c);
            c->mode = cfgs[i].mode;
            c->nc.ldt_data16 = cfgs[i].d16;
            c->nc.code16_seg = cfgs[i].mode == SEM_M16;
            c->nc.bytes[0] = 0x8C;
            c->nc.bytes[1] = (uint8_t)(0xC0 | g << 3);      /* mov eax, sreg */
            c->nc.len = 2;
            native_exec(s, c, &s->nat);
            if (s->nat.end != END_DONE) {
                fprintf(s->out, "semantics: cannot read the selectors of the native child\n");
                return false;
            }
            s->sel[cfgs[i].mode][cfgs[i].d16][g] = (uint16_t)s->nat.gpr[RAX];
        }
    }
    memcpy(s->sel[SEM_M64][1], s->sel[SEM_M64][0], sizeof s->sel[0][0]);
    memcpy(s->sel[SEM_M16][0], s->sel[SEM_M16][1], sizeof s->sel[0][0]);
    return true;
}

/* ---- comparison ------------------------------------------------------------------- */

enum { D_END = 1, D_RIP = 2, D_VECTOR = 4, D_ERROR = 8, D_FLAGS = 16, D_MEM = 32, D_GPR = 64 };

struct verdict {
    unsigned what;              /* D_* */
    uint16_t gprs;              /* registers that differ */
    uint64_t flags;             /* flag bits that differ */
};

static uint64_t gpr_view(const struct sem_case *c, uint64_t v)
{
    return c->mode == SEM_M64 ? v : (uint32_t)v;
}

static bool same_memory(const struct sem_state *a, const struct sem_state *b)
{
    if (a->ndiff != b->ndiff || a->overflow != b->overflow) return false;
    for (unsigned k = 0; k < a->ndiff; k++)
        if (a->diff[k].off != b->diff[k].off || a->diff[k].val != b->diff[k].val) return false;
    return true;
}

static struct verdict compare(const struct sem *s, const struct sem_case *c,
                              const struct sem_state *n, const struct sem_state *i)
{
    struct verdict v = { 0, 0, 0 };
    uint64_t fmask = FLAGS_COMPARED & ~(s->same_vendor ? 0 : (uint64_t)c->undef_flags);
    uint16_t gmask = (uint16_t)(c->mode == SEM_M64 ? 0xFFFF : 0x00FF);
    if (!s->same_vendor) gmask &= (uint16_t)~c->undef_gpr;
    if (n->end != i->end) v.what |= D_END;
    if (n->rip != i->rip) v.what |= D_RIP;
    if (n->end == END_FAULT && i->end == END_FAULT) {
        if (n->vector != i->vector) v.what |= D_VECTOR;
        else if (n->vector != EXC_PF && n->error != i->error) v.what |= D_ERROR;
    }
    for (int r = 0; r < 16; r++)
        if ((gmask >> r & 1) && gpr_view(c, n->gpr[r]) != gpr_view(c, i->gpr[r]))
            v.gprs |= (uint16_t)(1u << r);
    if (v.gprs) v.what |= D_GPR;
    v.flags = (n->rflags ^ i->rflags) & fmask;
    if (v.flags) v.what |= D_FLAGS;
    if (!(c->undef_mem && !s->same_vendor) && !same_memory(n, i)) v.what |= D_MEM;
    if (n->end == END_NATIVE_ERROR) v.what |= D_END;
    return v;
}

/* ---- reproducers ------------------------------------------------------------------ */

static const char *const reg_names[16] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

static void disassemble(const struct sem_case *c, char *buf, size_t size)
{
    static const ZydisMachineMode modes[SEM_NMODES] = {
        ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_MACHINE_MODE_LEGACY_16,
    };
    ZydisDisassembledInstruction insn;
    uint64_t at = c->mode == SEM_M16 ? 0 : CODE;
    if (ZYAN_SUCCESS(ZydisDisassembleIntel(modes[c->mode], at, c->nc.bytes, c->nc.len, &insn)))
        snprintf(buf, size, "%s", insn.text);
    else
        snprintf(buf, size, "(Zydis: not an instruction)");
}

static const char *mode_name(const struct sem_case *c)
{
    if (c->mode == SEM_M64) return "64-bit mode";
    if (c->mode == SEM_M16) return "16-bit code (window data segments)";
    return c->nc.ldt_data16 ? "32-bit mode (window data segments)" : "32-bit mode";
}

static void describe_end(const struct sem_state *st, char *buf, size_t size)
{
    switch (st->end) {
    case END_DONE: snprintf(buf, size, "done at %#" PRIx64, st->rip); break;
    case END_FAULT:
        if (st->error != EXC_NO_ERROR)
            snprintf(buf, size, "vector %d (%#x) at %#" PRIx64, st->vector, st->error, st->rip);
        else
            snprintf(buf, size, "vector %d at %#" PRIx64, st->vector, st->rip);
        break;
    case END_RUNAWAY: snprintf(buf, size, "ran away (%s) at %#" PRIx64, st->note, st->rip); break;
    default: snprintf(buf, size, "stopped: %s", st->note ? st->note : "?"); break;
    }
}

static void print_memory(FILE *out, const char *who, const struct sem_state *st)
{
    fprintf(out, "  %-7s", who);
    for (unsigned k = 0; k < st->ndiff && k < 24; k++)
        fprintf(out, " %04x=%02x", st->diff[k].off, st->diff[k].val);
    fprintf(out, "%s%s\n", st->ndiff > 24 || st->overflow ? " ..." : "", st->ndiff ? "" : " (unchanged)");
}

static void print_registers(FILE *out, const struct sem_case *c, const struct sem_state *n,
                            const struct sem_state *i, const struct verdict *v)
{
    int nregs = c->mode == SEM_M64 ? 16 : 8;
    fprintf(out, "  %-7s %-18s %-20s %s\n", "reg", "before", "native", "interp");
    for (int r = 0; r < nregs; r++) {
        uint64_t b = gpr_view(c, c->nc.gpr[r]), x = gpr_view(c, n->gpr[r]), y = gpr_view(c, i->gpr[r]);
        if (b == x && x == y) continue;
        fprintf(out, "  %-7s %016" PRIx64 "   %016" PRIx64 " %c %016" PRIx64 "\n", reg_names[r],
                b, x, (v->gprs >> r & 1) ? '*' : ' ', y);
    }
    fprintf(out, "  %-7s %016" PRIx64 "   %016" PRIx64 " %c %016" PRIx64 "\n", "rflags",
            c->nc.rflags | FL_1 | FL_IF, n->rflags, v->flags ? '*' : ' ', i->rflags);
}

static void describe_diffs(const struct verdict *v, char *buf, size_t size)
{
    static const char *const fnames[22] = { "CF", 0, "PF", 0, "AF", 0, "ZF", "SF", "TF", "IF",
        "DF", "OF", "IOPL", "IOPL", "NT", 0, "RF", "VM", "AC", "VIF", "VIP", "ID" };
    size_t n = 0;
    buf[0] = 0;
#define ADD(...) n += (size_t)snprintf(buf + n, n < size ? size - n : 0, __VA_ARGS__)
    if (v->what & D_END) ADD(" outcome");
    if (v->what & D_RIP) ADD(" rip");
    if (v->what & D_VECTOR) ADD(" vector");
    if (v->what & D_ERROR) ADD(" error-code");
    for (int r = 0; r < 16; r++)
        if (v->gprs >> r & 1) ADD(" %s", reg_names[r]);
    for (int b = 0; b < 22; b++)
        if ((v->flags >> b & 1) && fnames[b]) ADD(" %s", fnames[b]);
    if (v->what & D_MEM) ADD(" memory");
#undef ADD
}

static void row_name(const struct sem *s, const struct sem_case *c, char *buf, size_t size)
{
    const struct op_row *row = optable_row(c->row);
    int group = row ? gen_group(c->row) : -1;
    if (!row) snprintf(buf, size, "[vector]");
    else snprintf(buf, size, "[%s] %s (row %u, opcode %02x; seed %#" PRIx64 " case %" PRIu64 ")",
                  gen_group_name(group), row->mnem, c->row, row->opc, s->seed, s->index);
}

static void report(struct sem *s, const struct sem_case *c, const struct verdict *v)
{
    FILE *out = s->out;
    char text[160], what[256], name[160], line[4096];
    disassemble(c, text, sizeof text);
    describe_diffs(v, what, sizeof what);
    row_name(s, c, name, sizeof name);
    fprintf(out, "MISMATCH %s in %s:%s\n  code   ", name, mode_name(c), what);
    for (unsigned k = 0; k < c->nc.len; k++) fprintf(out, " %02x", c->nc.bytes[k]);
    fprintf(out, "   %s\n", text);
    describe_end(&s->nat, what, sizeof what);
    fprintf(out, "  native  %s\n", what);
    describe_end(&s->sim, what, sizeof what);
    fprintf(out, "  interp  %s\n", what);
    print_registers(out, c, &s->nat, &s->sim, v);
    print_memory(out, "native", &s->nat);
    print_memory(out, "interp", &s->sim);
    if (sem_format_vector(c, line, sizeof line)) fprintf(out, "  vector  %s\n", line);
}

/* Appends the case to the vectors file: one per form and run, never a line twice. */
static void record(struct sem *s, const struct sem_case *c)
{
    char line[4096], text[160], have[4096];
    if (!s->record_path || !sem_format_vector(c, line, sizeof line)) return;
    if (c->row != SEM_NO_ROW) {
        uint8_t *done = &s->recorded[c->row * SEM_NMODES + c->mode];
        if (*done) return;
        *done = 1;
    }
    FILE *f = fopen(s->record_path, "a+");
    if (!f) return;
    rewind(f);
    while (fgets(have, sizeof have, f))
        if (!strncmp(have, line, strlen(line)) && have[strlen(line)] == ' ') {
            fclose(f);
            return;
        }
    disassemble(c, text, sizeof text);
    fprintf(f, "%s # %s\n", line, text);
    fclose(f);
}

/* ---- running cases ------------------------------------------------------------------ */

static void trace_case(struct sem *s, const struct sem_case *c)
{
    char line[4096], text[160], nat[160], sim[160];
    s->trace--;
    sem_format_vector(c, line, sizeof line);
    disassemble(c, text, sizeof text);
    describe_end(&s->nat, nat, sizeof nat);
    describe_end(&s->sim, sim, sizeof sim);
    fprintf(s->out, "%s # %s\n  native %s, interp %s\n", line, text, nat, sim);
}

static void count_end(struct sem *s, int group)
{
    const struct sem_state *n = &s->nat;
    if (n->end == END_FAULT && n->vector >= 0 && n->vector < 32) s->ends[group][n->vector]++;
    else if (n->end == END_DONE && (n->rip & ~0xFFFull) != CODE) s->ends[group][33]++;
    else if (n->end == END_DONE) s->ends[group][32]++;
}

bool sem_run_case(struct sem *s, const struct sem_case *c, int group)
{
    if (s->refill) fill_zones(s);
    native_exec(s, c, &s->nat);
    interp_run(s, c, &s->sim);
    struct verdict v = compare(s, c, &s->nat, &s->sim);
    if (s->trace) trace_case(s, c);
    struct sem_counts *k = &s->counts[group];
    s->mode_cases[c->mode]++;
    count_end(s, group);
    if (c->row != SEM_NO_ROW) s->covered[c->row * SEM_NMODES + c->mode] = 1;
    if (!v.what) {
        k->passed++;
        return true;
    }
    k->failed++;
    s->refill = true;
    if (s->reports < s->max_reports) {
        s->reports++;
        report(s, c, &v);
    }
    record(s, c);
    return false;
}

/* Modes by weight: 64-bit mode most, 16-bit code least. */
static unsigned form_weight(const struct gen_form *f)
{
    static const unsigned weight[SEM_NMODES] = { 4, 3, 1 };
    return weight[f->mode];
}

static const struct gen_form *pick_form(const struct gen_form *forms, const unsigned *cum,
                                        unsigned n, uint64_t x)
{
    uint64_t t = x % cum[n - 1];
    unsigned lo = 0, hi = n - 1;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (cum[mid] > t) hi = mid;
        else lo = mid + 1;
    }
    return &forms[lo];
}

/* Consecutive cases share a window seed: fill it once, copy it for each case. */
static void load_window(struct sem *s, uint64_t winseed)
{
    if (!s->window_valid || s->window_seed != winseed) {
        gen_window(winseed, s->window);
        s->window_seed = winseed;
        s->window_valid = true;
    }
    s->c.winseed = winseed;
    memcpy(s->c.nc.data, s->window, WIN);
}

static void run_one(struct sem *s, const struct gen_form *f, uint64_t seed, uint64_t winseed)
{
    int group = gen_group(f->row);
    load_window(s, winseed);
    if (!gen_case(&s->c, f, seed, &s->gcfg)) {
        s->counts[group].failed++;
        fprintf(s->out, "semantics: the generator gave up on row %u (%s) in %s mode\n", f->row,
                optable_row(f->row)->mnem, f->mode == SEM_M64 ? "64-bit" : "32/16-bit");
        return;
    }
    sem_run_case(s, &s->c, group);
}

void sem_run_random(struct sem *s, int group, uint64_t seed, uint64_t n)
{
    unsigned nforms = gen_forms(group, NULL, 0);
    struct gen_form *forms = calloc(nforms ? nforms : 1, sizeof *forms);
    unsigned *cum = calloc(nforms ? nforms : 1, sizeof *cum);
    if (!forms || !cum || !nforms) {
        free(forms);
        free(cum);
        return;
    }
    gen_forms(group, forms, nforms);
    for (unsigned k = 0, total = 0; k < nforms; k++) cum[k] = total += form_weight(&forms[k]);
    uint64_t stream = gen_mix(seed ^ gen_mix((uint64_t)group + 1));
    for (uint64_t i = 0; i < n; i++) {
        uint64_t x = gen_mix(stream + i);
        uint64_t winseed = gen_mix(stream ^ gen_mix(i / WIN_SHARE + 0x5eed));
        s->seed = seed;
        s->index = i;
        run_one(s, pick_form(forms, cum, nforms, x), gen_mix(x), winseed);
    }
    free(forms);
    free(cum);
}

long sem_run_vectors(struct sem *s, const char *path)
{
    char line[4096];
    long count = 0, lineno = 0;
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        const char *p = line + strspn(line, " \t");
        if (*p == '#' || *p == '\n' || !*p) continue;
        if (!sem_parse_vector(p, &s->c)) {
            fprintf(s->out, "semantics: %s:%ld: not a vector\n", path, lineno);
            s->counts[SEM_VECTOR_GROUP].failed++;
            fclose(f);
            return -1;
        }
        sem_run_case(s, &s->c, SEM_VECTOR_GROUP);
        count++;
    }
    fclose(f);
    return count;
}

/* ---- counts and reports ------------------------------------------------------------- */

struct sem_counts sem_counts(const struct sem *s, int group)
{
    return s->counts[group];
}

struct sem_counts sem_total(const struct sem *s)
{
    struct sem_counts t = { 0, 0 };
    for (int g = 0; g <= G_NGROUPS; g++) {
        t.passed += s->counts[g].passed;
        t.failed += s->counts[g].failed;
    }
    return t;
}

static const char *const mode_names[SEM_NMODES] = { "64-bit", "32-bit", "16-bit" };

unsigned sem_uncovered(const struct sem *s, int group, FILE *out)
{
    unsigned missing = 0;
    for (unsigned i = 0; i < op_table_size; i++) {
        if (group != G_NGROUPS && gen_group(i) != group) continue;
        for (int m = 0; m < SEM_NMODES; m++) {
            if (!gen_form_valid(i, (enum sem_mode)m) || s->covered[i * SEM_NMODES + m]) continue;
            if (out && missing < 30)
                fprintf(out, "  not exercised: %s (row %u) in %s mode\n", op_table[i].mnem, i,
                        mode_names[m]);
            missing++;
        }
    }
    if (out && missing > 30) fprintf(out, "  not exercised: ... and %u more forms\n", missing - 30);
    return missing;
}

void sem_print_exclusions(FILE *out)
{
    const char *reasons[32];
    unsigned nreasons = 0;
    for (unsigned i = 0; i < op_table_size; i++) {
        const char *why = gen_exclusion(i);
        unsigned k = 0;
        while (why && k < nreasons && strcmp(reasons[k], why)) k++;
        if (why && k == nreasons && nreasons < 32) reasons[nreasons++] = why;
    }
    for (unsigned k = 0; k < nreasons; k++) {
        const char *last = "";
        fprintf(out, "excluded:");
        for (unsigned i = 0; i < op_table_size; i++) {
            const char *why = gen_exclusion(i);
            if (!why || strcmp(why, reasons[k]) || !strcmp(last, op_table[i].mnem)) continue;
            fprintf(out, "%s %s", *last ? "," : "", op_table[i].mnem);
            last = op_table[i].mnem;
        }
        fprintf(out, " (%s)\n", reasons[k]);
    }
    fprintf(out, "excluded: int n for n != 3 (a system call or #GP through the IDT on the host:"
                 " system issue)\n");
    for (unsigned i = 0; i < op_table_size; i++)
        if (op_table[i].area == AREA_CORE && !gen_exclusion(i) && !gen_row_known(i))
            fprintf(out, "excluded: %s (row %u: unknown to the generator)\n", op_table[i].mnem, i);
}

static void print_ends(const struct sem *s, int g)
{
    static const char *const names[32] = { "#DE", "#DB", 0, "#BP", "#OF", "#BR", "#UD", 0, 0, 0,
        0, 0, "#SS", "#GP", "#PF", 0, 0, "#AC" };
    fprintf(s->out, "    ends: %" PRIu64 " in the code page, %" PRIu64 " landed outside it",
            s->ends[g][32], s->ends[g][33]);
    for (int v = 0; v < 32; v++)
        if (s->ends[g][v]) fprintf(s->out, ", %s %" PRIu64, names[v] ? names[v] : "?", s->ends[g][v]);
    fprintf(s->out, "\n");
}

void sem_print_summary(const struct sem *s)
{
    for (int m = 0; m < SEM_NMODES; m++)
        if (s->mode_cases[m])
            fprintf(s->out, "  mode %s: %" PRIu64 " cases\n", mode_names[m], s->mode_cases[m]);
    for (int g = 0; g <= G_NGROUPS; g++) {
        const struct sem_counts *k = &s->counts[g];
        if (!k->passed && !k->failed) continue;
        fprintf(s->out, "  group %s: %" PRIu64 " passed, %" PRIu64 " failed\n",
                g == G_NGROUPS ? "vectors" : gen_group_name(g), k->passed, k->failed);
        if (s->stats) print_ends(s, g);
    }
    struct sem_counts t = sem_total(s);
    fprintf(s->out, "semantics: %" PRIu64 " passed, %" PRIu64 " failed\n", t.passed, t.failed);
    fflush(s->out);
}

/* ---- setup ------------------------------------------------------------------------ */

const char *sem_default_vectors(void)
{
    return SEM_VECTORS;
}

const char *sem_default_native_dir(void)
{
    return SEM_NATIVE_DIR;
}

static bool open_children(struct sem *s, const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/native64", dir);
    s->child[0] = native_open(NATIVE_64, path);
    snprintf(path, sizeof path, "%s/native32", dir);
    s->child[1] = native_open(NATIVE_32, path);
    return s->child[0] && s->child[1];
}

struct sem *sem_open(const struct sem_options *opt)
{
    struct sem *s = calloc(1, sizeof *s);
    const struct cpu_model *model = opt->model ? opt->model : cpu_model_host();
    if (!s) return NULL;
    s->out = opt->out ? opt->out : stdout;
    s->max_reports = opt->max_reports ? opt->max_reports : SEM_MAX_REPORTS;
    s->record_path = opt->record_path;
    s->stats = opt->stats;
    s->trace = opt->trace;
    s->same_vendor = model->vendor == cpu_model_host()->vendor;
    s->gcfg.same_vendor = s->same_vendor;
    s->gcfg.host_amd = cpu_model_host()->vendor == VENDOR_AMD;
    s->covered = calloc(op_table_size * SEM_NMODES, 1);
    s->recorded = calloc(op_table_size * SEM_NMODES, 1);
    s->bus = bus_new(SEM_ZONE_END);
    if (!s->covered || !s->recorded || !s->bus || cpu_init(&s->cpu, s->bus, model) != 0 ||
        !open_children(s, opt->native_dir ? opt->native_dir : SEM_NATIVE_DIR) ||
        !probe_selectors(s)) {
        fprintf(s->out, "semantics: cannot set up the tester\n");
        sem_close(s);
        return NULL;
    }
    cpu_set_flat64(&s->cpu);
    s->cpu.cycle_model = false;
    fill_zones(s);
    return s;
}

void sem_close(struct sem *s)
{
    if (!s) return;
    native_close(s->child[0]);
    native_close(s->child[1]);
    if (s->bus) {
        cpu_free(&s->cpu);
        bus_free(s->bus);
    }
    free(s->covered);
    free(s->recorded);
    free(s);
}
