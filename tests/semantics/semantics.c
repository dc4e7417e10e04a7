/* semantics.c - the differential tester's driver: one case runs natively in the
 * sandboxed child (the host CPU is the oracle) and in the interpreter, set up as the
 * host's user mode (CPL 3, IOPL 0, the children's selectors); registers, RIP, flags,
 * the window and the exception must agree.  Undefined flags and results are compared
 * only when the interpreter's profile is the host's vendor.
 */
#undef _GNU_SOURCE      /* its REG_RIP (ucontext) and F_LOCK (unistd) collide with cpu/insn.h */
#include <elf.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include "cpu/insn.h"
#include "mmu/bus.h"
#include "tests/semantics/native.h"
#include "tests/semantics/semantics_int.h"

#ifndef SEM_NATIVE_DIR
#define SEM_NATIVE_DIR "build/tests"
#endif
#ifndef SEM_VECTORS
#define SEM_VECTORS "tests/vectors/semantics.txt"
#endif

#define RUN_BUDGET 4096         /* instructions: a REP string may restart itself per element */
#define WIN_SHARE  16           /* consecutive cases share a window seed */
/* Every architectural flag but RF, which the host sets in the image of a fault. */
#define FLAGS_COMPARED (FL_STATUS | FL_TF | FL_IF | FL_DF | FL_IOPL | FL_NT | FL_VM | FL_AC | \
                        FL_VIF | FL_VIP | FL_ID)

/* Segment attributes as the children's descriptors have them: DPL 3, accessed. */
#define ATTR_DATA  (SA_P | SA_S | SA_DPL | 0x3)
#define ATTR_CODE  (SA_P | SA_S | SA_DPL | SA_CODE | 0x3)

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

/* Run: the instruction, then the INT3 where it lands stops the run.  As in the native
 * child, a #BP from an INT3 byte inside the instruction (CC, CD 03) is its own. */
static void interp_run(struct sem *s, const struct sem_case *c, struct sem_state *st)
{
    struct cpu *cpu = &s->cpu;
    interp_load(s, c);
    enum cpu_exit why = cpu_run(cpu, RUN_BUDGET);
    uint64_t int3_at = linear_ip(cpu, cpu->rip - 1);
    bool own = int3_at >= CODE && int3_at < CODE + c->nc.len;
    memset(st, 0, offsetof(struct sem_state, diff));
    if (why == EXIT_EXCEPTION && cpu->exc_vector == EXC_BP && !own) {
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
    /* A child that died or timed out is restarted by native_run; run the case
     * once more so a loaded machine cannot turn a slow case into a failure.
     * A case that kills or hangs the child twice is reported. */
    if (rc == -1) rc = native_run(n, &c->nc, &r);
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

/* The addresses a static child binary occupies: the span of its PT_LOAD segments. */
static bool child_image(const char *path, uint64_t *lo, uint64_t *hi)
{
    unsigned char buf[4096];
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f) fclose(f);
    if (n < sizeof(Elf64_Ehdr) || memcmp(buf, ELFMAG, SELFMAG)) return false;
    bool is64 = buf[EI_CLASS] == ELFCLASS64;
    uint64_t phoff, phnum, phentsize;
    if (is64) {
        const Elf64_Ehdr *e = (const void *)buf;
        phoff = e->e_phoff, phnum = e->e_phnum, phentsize = e->e_phentsize;
    } else {
        const Elf32_Ehdr *e = (const void *)buf;
        phoff = e->e_phoff, phnum = e->e_phnum, phentsize = e->e_phentsize;
    }
    *lo = ~0ull;
    *hi = 0;
    for (uint64_t i = 0; i < phnum && phoff + (i + 1) * phentsize <= n; i++) {
        const unsigned char *ph = buf + phoff + i * phentsize;
        uint64_t type = is64 ? ((const Elf64_Phdr *)ph)->p_type : ((const Elf32_Phdr *)ph)->p_type;
        uint64_t va = is64 ? ((const Elf64_Phdr *)ph)->p_vaddr : ((const Elf32_Phdr *)ph)->p_vaddr;
        uint64_t sz = is64 ? ((const Elf64_Phdr *)ph)->p_memsz : ((const Elf32_Phdr *)ph)->p_memsz;
        if (type != PT_LOAD) continue;
        if (va < *lo) *lo = va;
        if (va + sz > *hi) *hi = va + sz;
    }
    return *lo < *hi;
}

static bool open_children(struct sem *s, const char *dir)
{
    static const char *const names[2] = { "native64", "native32" };
    char path[1024];
    for (int k = 0; k < 2; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        s->child[k] = native_open(k ? NATIVE_32 : NATIVE_64, path);
        if (!s->child[k] || !child_image(path, &s->gcfg.image_lo[k], &s->gcfg.image_hi[k])) {
            fprintf(s->out, "semantics: cannot use the native child %s\n", path);
            return false;
        }
    }
    return true;
}

/* A child that died with rSP in its own image: the kernel had nowhere to put the signal
 * frame (gen_config).  The interpreter's final rSP covers instructions that load rSP. */
static bool died_on_its_own_stack(const struct sem *s, const struct sem_case *c)
{
    int k = c->mode == SEM_M64 ? 0 : 1;
    uint64_t sps[2] = { c->nc.gpr[RSP], s->sim.gpr[RSP] };
    if (s->nat.end != END_NATIVE_ERROR) return false;
    for (int i = 0; i < 2; i++) {
        uint64_t sp = k ? (uint32_t)sps[i] : sps[i];
        if (sp + 0x1000 >= s->gcfg.image_lo[k] && sp < s->gcfg.image_hi[k] + 0x1000) return true;
    }
    return false;
}

/* ---- comparison ------------------------------------------------------------------- */

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

/* ---- running cases ------------------------------------------------------------------ */

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
    if (s->trace) sem_trace(s, c);
    struct sem_counts *k = &s->counts[group];
    if (died_on_its_own_stack(s, c)) {
        k->skipped++;
        return true;
    }
    s->mode_cases[c->mode]++;
    count_end(s, group);
    if (c->row != SEM_NO_ROW) s->covered[c->row * SEM_NMODES + c->mode] = 1;
    if (!v.what) {
        k->passed++;
        return true;
    }
    k->failed++;
    s->refill = true;
    if (s->reports < s->max_reports) {          /* what is recorded is also shown */
        s->reports++;
        sem_report(s, c, &v);
        sem_record(s, c);
    }
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
    struct sem_counts t = { 0, 0, 0 };
    for (int g = 0; g <= G_NGROUPS; g++) {
        t.passed += s->counts[g].passed;
        t.failed += s->counts[g].failed;
        t.skipped += s->counts[g].skipped;
    }
    return t;
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
    /* Undefined flags and results are compared only against the host's own
     * vendor, and only for a profile verified on such a host (or --strict):
     * an unverified guess must not fail a run on a machine of that vendor. */
    s->same_vendor = model->vendor == cpu_model_host()->vendor && (model->verified || opt->strict);
    if (model->vendor == cpu_model_host()->vendor && !s->same_vendor)
        fprintf(s->out, "semantics: the %s profile's undefined results are not verified on a "
                "host of its vendor yet: comparing what the SDM defines (--strict compares "
                "everything)\n", model->name);
    s->gcfg.same_vendor = s->same_vendor;
    s->gcfg.host_amd = cpu_model_host()->vendor == VENDOR_AMD;
    s->covered = calloc(op_table_size * SEM_NMODES, 1);
    s->recorded = calloc(op_table_size * SEM_NMODES, 1);
    s->bus = bus_new(SEM_ZONE_END);
    if (!s->covered || !s->recorded || !s->bus || cpu_init(&s->cpu, s->bus, model) != 0 ||
        !open_children(s, opt->native_dir ? opt->native_dir : SEM_NATIVE_DIR) ||
        !probe_selectors(s)) {
        fprintf(s->out, "semantics: cannot set up the tester (build/tests/native64, native32?)\n");
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
