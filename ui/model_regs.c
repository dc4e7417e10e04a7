/* model_regs.c - the registers panel: what `r` shows in WinDbg and `info
 * registers` in QEMU, plus the hidden descriptor caches and the control
 * registers decoded bit by bit (SDM Vol. 3 2.5, Vol. 1 3.4.3).
 */
#include <string.h>
#include "ui/model.h"

/* The state compared against: the stop before this one while paused, the
 * last stop while running. */
static const struct ui_regs *baseline(const struct ui_session *s)
{
    return s->run == UI_PAUSED || s->run == UI_ENDED ? &s->prev : &s->now;
}

static void field(struct ui_text *t, const char *name, uint64_t v, uint64_t old, int digits)
{
    ui_put(t, UI_HEAD, "%s", name);
    ui_put(t, v != old ? UI_CHANGED : UI_NORMAL, "=%0*llx ", digits, (unsigned long long)v);
}

/* Set bits by name: upper case when set, lower-case and grey when clear. */
static void bits(struct ui_text *t, uint64_t v, uint64_t old, const char *const *names,
                 const uint8_t *pos, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        bool on = v >> pos[i] & 1, was = old >> pos[i] & 1;
        if (on) ui_put(t, on != was ? UI_CHANGED : UI_NORMAL, "%s ", names[i]);
        else ui_put(t, on != was ? UI_CHANGED : UI_GREY, "%s ", names[i]);
    }
}

static void gprs(struct ui_text *t, const struct ui_regs *r, const struct ui_regs *o, bool wide)
{
    static const char *const n32[] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" };
    static const char *const n64[] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                       "r8 ", "r9 ", "r10", "r11", "r12", "r13", "r14", "r15" };
    static const uint8_t order[] = { RAX, RBX, RCX, RDX, RSI, RDI, RBP, RSP,
                                     R8, R9, R10, R11, R12, R13, R14, R15 };
    unsigned n = wide ? 16 : 8, per = wide ? 3 : 4;
    for (unsigned i = 0; i < n; i++) {
        if (i % per == 0) ui_line(t);
        unsigned g = order[i];
        uint64_t v = wide ? r->gpr[g] : (uint32_t)r->gpr[g];
        uint64_t w = wide ? o->gpr[g] : (uint32_t)o->gpr[g];
        field(t, wide ? n64[g] : n32[g], v, w, wide ? 16 : 8);
    }
    ui_line(t);
    field(t, wide ? "rip" : "eip", r->rip, o->rip, wide ? 16 : 8);
    field(t, "efl", r->rflags, o->rflags, 8);
    ui_put(t, UI_NORMAL, "iopl=%u cpl=%u", (unsigned)(r->rflags >> 12 & 3), r->cpl);
    static const char *const fl[] = { "CF", "PF", "AF", "ZF", "SF", "TF", "IF", "DF", "OF", "NT",
                                      "RF", "VM", "AC", "ID" };
    static const uint8_t fp[] = { 0, 2, 4, 6, 7, 8, 9, 10, 11, 14, 16, 17, 18, 21 };
    ui_line(t);
    ui_put(t, UI_HEAD, "flags ");
    bits(t, r->rflags, o->rflags, fl, fp, sizeof fp);
}

static const char *seg_kind(uint16_t attr)
{
    if (!(attr & SA_S)) return "sys ";
    if (attr & SA_CODE) return (attr & SA_L) ? "code64" : (attr & SA_DB) ? "code32" : "code16";
    return (attr & SA_DB) ? "data32" : "data16";
}

static void segments(struct ui_text *t, const struct ui_regs *r, const struct ui_regs *o)
{
    static const char *const names[SEG_COUNT] = { "es", "cs", "ss", "ds", "fs", "gs", "ldtr", "tr" };
    ui_line(t);
    ui_put(t, UI_HEAD, "seg  sel   base              limit    attr dpl kind   (hidden cache)");
    for (int i = 0; i < SEG_COUNT; i++) {
        const struct segment *g = &r->seg[i], *h = &o->seg[i];
        bool changed = memcmp(g, h, sizeof *g) != 0;
        ui_line(t);
        ui_put(t, UI_HEAD, "%-4s ", names[i]);
        ui_put(t, g->sel != h->sel ? UI_CHANGED : UI_NORMAL, "%04x  ", g->sel);
        ui_put(t, changed ? UI_CHANGED : UI_NORMAL, "%016llx  %08x %04x  %u  %s%s",
               (unsigned long long)g->base, g->limit, g->attr, (g->attr & SA_DPL) >> 5,
               seg_kind(g->attr), (g->attr & SA_P) ? "" : " not-present");
    }
    ui_line(t);
    ui_put(t, UI_HEAD, "gdtr ");
    ui_put(t, r->gdtr_base != o->gdtr_base ? UI_CHANGED : UI_NORMAL, "%llx/%x  ",
           (unsigned long long)r->gdtr_base, r->gdtr_limit);
    ui_put(t, UI_HEAD, "idtr ");
    ui_put(t, r->idtr_base != o->idtr_base ? UI_CHANGED : UI_NORMAL, "%llx/%x",
           (unsigned long long)r->idtr_base, r->idtr_limit);
}

static void control(struct ui_text *t, const struct ui_regs *r, const struct ui_regs *o)
{
    static const char *const c0[] = { "PE", "MP", "EM", "TS", "ET", "NE", "WP", "AM", "NW", "CD", "PG" };
    static const uint8_t p0[] = { 0, 1, 2, 3, 4, 5, 16, 18, 29, 30, 31 };
    static const char *const c4[] = { "VME", "PVI", "TSD", "DE", "PSE", "PAE", "MCE", "PGE", "PCE",
                                      "OSFXSR", "UMIP", "LA57", "FSGSBASE", "PCIDE", "SMEP", "SMAP" };
    static const uint8_t p4[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 16, 17, 20, 21 };
    static const char *const ef[] = { "SCE", "LME", "LMA", "NXE" };
    static const uint8_t pe[] = { 0, 8, 10, 11 };
    ui_line(t);
    field(t, "cr0", r->cr0, o->cr0, 8);
    bits(t, r->cr0, o->cr0, c0, p0, sizeof p0);
    ui_line(t);
    field(t, "cr2", r->cr2, o->cr2, 8);
    field(t, "cr3", r->cr3, o->cr3, 8);
    if (r->cr4 & CR4_PCIDE) ui_put(t, UI_NORMAL, "pcid=%03llx ", (unsigned long long)(r->cr3 & 0xFFF));
    field(t, "cr8", r->cr8, o->cr8, 1);
    ui_line(t);
    field(t, "cr4", r->cr4, o->cr4, 8);
    bits(t, r->cr4, o->cr4, c4, p4, sizeof p4);
    ui_line(t);
    field(t, "efer", r->efer, o->efer, 4);
    bits(t, r->efer, o->efer, ef, pe, sizeof pe);
    ui_line(t);
    for (int i = 0; i < 8; i++) {
        if (i == 4 || i == 5) continue;
        char n[4] = { 'd', 'r', (char)('0' + i), 0 };
        field(t, n, r->dr[i], o->dr[i], 8);
        if (i == 3) ui_line(t);
    }
}

static void msrs(struct ui_text *t, const struct ui_regs *r, const struct ui_regs *o, struct cpu *cpu)
{
    ui_line(t);
    field(t, "sysenter_cs(174)", r->sysenter_cs, o->sysenter_cs, 4);
    field(t, "esp(175)", r->sysenter_esp, o->sysenter_esp, 8);
    field(t, "eip(176)", r->sysenter_eip, o->sysenter_eip, 8);
    ui_line(t);
    field(t, "star", r->star, o->star, 16);
    field(t, "lstar", r->lstar, o->lstar, 16);
    ui_line(t);
    field(t, "fs.base", r->seg[SEG_FS].base, o->seg[SEG_FS].base, 8);
    field(t, "gs.base", r->seg[SEG_GS].base, o->seg[SEG_GS].base, 8);
    field(t, "kgs", r->kernel_gs_base, o->kernel_gs_base, 8);
    ui_line(t);
    field(t, "tsc", r->tsc, o->tsc, 1);
    ui_put(t, UI_NORMAL, " instret=%llu cycles=%llu", (unsigned long long)cpu_instret_now(cpu),
           (unsigned long long)cpu_cycles_now(cpu));
}

/* Modelled cycles since the session attached, by ring, and the last
 * system call's (the tracer's span from entry to exit). */
static void cycles(struct ui_text *t, struct ui_session *s)
{
    struct cpu *cpu = &s->m->cpu;
    ui_line(t);
    ui_put(t, UI_HEAD, "cycles ");
    ui_put(t, UI_NORMAL, "total=%llu ring0=%llu ring3=%llu",
           (unsigned long long)(cpu_cycles_now(cpu) - s->cycles_base),
           (unsigned long long)ui_ring_cycles(s, 0), (unsigned long long)ui_ring_cycles(s, 3));
    uint64_t mid = ui_ring_cycles(s, 1) + ui_ring_cycles(s, 2);
    if (mid) ui_put(t, UI_NORMAL, " ring1+2=%llu", (unsigned long long)mid);
    const struct nttrace_event *last = NULL;
    size_t have = s->nsys < UI_LOG ? s->nsys : UI_LOG;
    for (size_t i = s->nsys; i > s->nsys - have && !last; i--)
        if (s->sys[(i - 1) % UI_LOG].kind == NTTRACE_RETURN) last = &s->sys[(i - 1) % UI_LOG];
    ui_line(t);
    ui_put(t, UI_HEAD, "last system call ");
    if (last) ui_put(t, UI_NORMAL, "%s=%llu cycles", last->name, (unsigned long long)last->cycles);
    else ui_put(t, UI_GREY, "none yet");
}

void ui_model_registers(struct ui_session *s, struct ui_text *t)
{
    struct ui_regs r;
    struct cpu *cpu = &s->m->cpu;
    ui_regs_capture(cpu, &r);
    const struct ui_regs *o = baseline(s);
    ui_text_reset(t, "Registers");
    gprs(t, &r, o, cpu->mode == MODE_LONG && cpu->dmode == DM_64);
    segments(t, &r, o);
    control(t, &r, o);
    msrs(t, &r, o, cpu);
    cycles(t, s);
}
