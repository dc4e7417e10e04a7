/* model_logs.c - the panels that are logs: the guest's console (COM1), the
 * exceptions and interrupts with their gates and privilege changes, the
 * mode switches with the instruction that made each, the timeline of the
 * architectural modes, and the system calls with their cost in
 * instructions and cycles.
 */
#include <stdio.h>
#include <string.h>
#include "sim/nt_services.h"
#include "sim/symbols.h"
#include "ui/model.h"

/* The last rows lines of the console ring, each cut at cols. */
void ui_model_console(struct ui_session *s, struct ui_text *t, unsigned rows, unsigned cols)
{
    ui_text_reset(t, "Console (COM1)");
    size_t have = s->con_len < UI_CONSOLE ? s->con_len : UI_CONSOLE;
    size_t start = s->con_len - have, lines = 0, k = s->con_len;
    while (k > start && lines <= rows) if (s->console[--k % UI_CONSOLE] == '\n') lines++;
    if (lines > rows) k++;                      /* just past the newline before the first row */
    if (cols >= UI_LINE_MAX) cols = UI_LINE_MAX - 1;
    char buf[UI_LINE_MAX];
    size_t n = 0;
    ui_line(t);
    for (; k < s->con_len; k++) {
        char c = s->console[k % UI_CONSOLE];
        if (c == '\n' || n == cols) {
            buf[n] = 0;
            ui_put(t, UI_NORMAL, "%s", buf);
            ui_line(t);
            n = 0;
            if (c == '\n') continue;
        }
        if (c == '\r') continue;
        buf[n++] = (c >= 32 && c < 127) ? c : '.';
    }
    buf[n] = 0;
    ui_put(t, UI_NORMAL, "%s", buf);
    while (t->n > rows) {                       /* long lines cut into several rows */
        memmove(t->v, t->v + 1, (t->n - 1) * sizeof *t->v);
        t->n--;
    }
}

static size_t first_of(size_t total, unsigned rows)
{
    size_t have = total < UI_LOG ? total : UI_LOG;
    return total - (have < rows ? have : rows);
}

void ui_model_exceptions(struct ui_session *s, struct ui_text *t, unsigned rows)
{
    ui_text_reset(t, "Exceptions and interrupts");
    for (size_t i = first_of(s->nexc, rows); i < s->nexc; i++) {
        const struct ui_exc_event *e = &s->exc[i % UI_LOG];
        char sym[64];
        symtab_format(s->m->symbols, e->rip, sym, sizeof sym);
        ui_line(t);
        ui_put(t, UI_GREY, "%10llu ", (unsigned long long)e->insns);
        ui_put(t, e->vector < 32 ? UI_CHANGED : UI_NORMAL, "%-5s %3d", e->vector < 32 ?
               exception_name(e->vector) : "int", e->vector);
        if (e->error != EXC_NO_ERROR) ui_put(t, UI_NORMAL, " err=%#x", e->error);
        ui_put(t, UI_NORMAL, " at %s cpl %u->%u %s", sym, e->old_cpl, e->new_cpl,
               e->gate ? e->gate : "(not delivered)");
        if (e->gate && e->old_cpl != e->new_cpl) ui_put(t, UI_NORMAL, " stack switch");
    }
}

static const char *mode_name(const struct ui_mode_event *e)
{
    static const char *const modes[] = { "real", "v86", "protected", "long" };
    if (e->mode == MODE_LONG) return e->dmode == DM_64 ? "64-bit" : "compat";
    return modes[e->mode & 3];
}

void ui_model_modes(struct ui_session *s, struct ui_text *t, unsigned rows)
{
    ui_text_reset(t, "Mode switches");
    for (size_t i = first_of(s->nmodes, rows); i < s->nmodes; i++) {
        const struct ui_mode_event *e = &s->modes[i % UI_LOG];
        char sym[64];
        symtab_format(s->m->symbols, e->rip, sym, sizeof sym);
        ui_line(t);
        ui_put(t, UI_GREY, "%10llu ", (unsigned long long)e->insns);
        ui_put(t, UI_CHANGED, "%-9s cpl%u %s", mode_name(e), e->cpl,
               e->dmode == DM_16 ? "16" : e->dmode == DM_32 ? "32" : "64");
        ui_put(t, UI_NORMAL, " %s%s%s%s after %s", e->cr0 & CR0_PE ? "PE " : "",
               e->cr0 & CR0_PG ? "PG " : "", e->efer & EFER_LME ? "LME " : "",
               e->efer & EFER_LMA ? "LMA " : "", sym);
    }
}

/* A stage's name from the CPU_ARCH_* bits. */
static const char *stage_name(unsigned bits)
{
    if (!(bits & CPU_ARCH_PE)) return bits & CPU_ARCH_LME ? "real, LME" : "real";
    if (bits & CPU_ARCH_CSL) return "64-bit (LMA, CS.L)";
    if (bits & CPU_ARCH_LMA) return "compatibility (LMA)";
    if (bits & CPU_ARCH_PG) return bits & CPU_ARCH_LME ? "paged, LME" : "paged (PE, PG)";
    return bits & CPU_ARCH_LME ? "protected, LME" : "protected (PE)";
}

void ui_model_timeline(struct ui_session *s, struct ui_text *t, unsigned rows)
{
    static const char *const bit_names[] = { "PE", "PG", "LME", "LMA", "CS.L" };
    ui_text_reset(t, "Mode-switch timeline");
    ui_line(t);
    ui_put(t, UI_HEAD, "%llu ring crossings", (unsigned long long)s->ring_crossings);
    ui_put(t, UI_GREY, " (CPL changes, not listed)");
    if (rows) rows--;
    for (size_t i = first_of(s->narch, rows); i < s->narch; i++) {
        const struct ui_arch_event *e = &s->arch[i % UI_LOG];
        ui_line(t);
        ui_put(t, UI_GREY, "%10llu ", (unsigned long long)e->insns);
        ui_put(t, UI_CHANGED, "%-20s", stage_name(e->new_bits));
        if (e->old_bits == e->new_bits) {
            ui_put(t, UI_NORMAL, " start");
            continue;
        }
        for (unsigned b = 0; b < 5; b++)
            if ((e->old_bits ^ e->new_bits) >> b & 1)
                ui_put(t, UI_NORMAL, " %c%s", e->new_bits >> b & 1 ? '+' : '-', bit_names[b]);
        char sym[64];
        symtab_format(s->m->symbols, e->lin, sym, sizeof sym);
        ui_put(t, UI_HEAD, " at %s", sym);
        ui_put(t, UI_NORMAL, ": %s", e->text[0] ? e->text : "(not readable)");
    }
}

void ui_model_syscalls(struct ui_session *s, struct ui_text *t, unsigned rows)
{
    static const char *const entries[] = { "sysenter", "int 2Eh", "kernel Zw", "int 2Bh" };
    static const char *const exits[] = { "sysexit", "iretd", "ret", "iretd" };
    ui_text_reset(t, "System calls");
    for (size_t i = first_of(s->nsys, rows); i < s->nsys; i++) {
        const struct nttrace_event *e = &s->sys[i % UI_LOG];
        ui_line(t);
        ui_put(t, UI_GREY, "[%x.%x] ", e->pid, e->tid);
        switch (e->kind) {
        case NTTRACE_CALL:
            ui_put(t, UI_HEAD, "-> %s", e->name);
            ui_put(t, UI_NORMAL, " (%#x) via %s (", e->number, entries[e->path & 3]);
            for (unsigned k = 0; k < e->argc; k++)
                ui_put(t, UI_NORMAL, e->ok[k] ? "%s%#x" : "%s?", k ? ", " : "", e->argv[k]);
            ui_put(t, UI_NORMAL, ")");
            break;
        case NTTRACE_RETURN:
            ui_put(t, UI_NORMAL, "<- %s = ", e->name);
            ui_put(t, e->status ? UI_CHANGED : UI_NORMAL, "%08X", e->status);
            ui_put(t, UI_NORMAL, " via %s, %llu insns, ", exits[e->path & 3],
                   (unsigned long long)e->insns);
            ui_put(t, UI_HEAD, "%llu cycles", (unsigned long long)e->cycles);
            break;
        case NTTRACE_NO_RETURN: ui_put(t, UI_GREY, "<- %s does not return", e->name); break;
        default: ui_put(t, UI_GREY, "<- %s ends the thread", e->name); break;
        }
    }
}

static const char *service_name(unsigned number)
{
    for (unsigned i = 0; i < nt_service_count; i++)
        if (nt_services[i].number == number) return nt_services[i].name;
    return "unknown";
}

void ui_model_costs(struct ui_session *s, struct ui_text *t, unsigned rows, unsigned width)
{
    ui_text_reset(t, "System-call cost (cycles: entry dispatch service exit)");
    size_t first = first_of(s->ncosts, rows);
    uint64_t max = 1;
    for (size_t i = first; i < s->ncosts; i++) {
        const struct ui_cost *c = &s->costs[i % UI_LOG];
        if (c->at[UI_PHASES] - c->at[0] > max) max = c->at[UI_PHASES] - c->at[0];
    }
    unsigned bar = width > 82 ? width - 60 : 22;     /* name 22, numbers 38 */
    for (size_t i = first; i < s->ncosts; i++) {
        const struct ui_cost *c = &s->costs[i % UI_LOG];
        ui_line(t);
        ui_put(t, UI_NORMAL, "%-22.22s", service_name(c->number));
        unsigned used = 0;
        uint64_t total = c->at[UI_PHASES] - c->at[0];
        for (int p = 0; p < UI_PHASES; p++) {
            /* each phase ends at a rounded position on the common scale,
             * at least one character on from the last so that all show */
            unsigned end = (unsigned)((c->at[p + 1] - c->at[0]) * (bar - UI_PHASES) / max) + p + 1;
            if (end <= used) end = used + 1;
            ui_put(t, (enum ui_attr)(UI_BAR_ENTRY + p), "%*s", (int)(end - used), "");
            used = end;
        }
        ui_put(t, UI_NORMAL, "%*s %5llu %5llu %6llu %5llu =%6llu", (int)(bar > used ? bar - used : 0), "",
               (unsigned long long)(c->at[1] - c->at[0]), (unsigned long long)(c->at[2] - c->at[1]),
               (unsigned long long)(c->at[3] - c->at[2]), (unsigned long long)(c->at[4] - c->at[3]),
               (unsigned long long)total);
    }
}
