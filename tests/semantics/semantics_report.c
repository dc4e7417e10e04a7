/* semantics_report.c - what the differential tester prints: a reproducer for each
 * mismatch (bytes, Zydis disassembly, the state before, both states after, the fields
 * that differ, the vector line), the recorded vectors, traces, exclusions, coverage and
 * the per-group summary that ends with "semantics: N passed, M failed".
 */
#include <inttypes.h>
#include <string.h>
#include <Zydis/Zydis.h>
#include "cpu/insn.h"
#include "tests/semantics/semantics_int.h"

/* ---- reproducers ------------------------------------------------------------------ */

static const char *const reg_names[16] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

void sem_disassemble(const struct sem_case *c, char *buf, size_t size)
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

void sem_describe_end(const struct sem_state *st, char *buf, size_t size)
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

void sem_report(struct sem *s, const struct sem_case *c, const struct verdict *v)
{
    FILE *out = s->out;
    char text[160], what[256], name[160], line[4096];
    sem_disassemble(c, text, sizeof text);
    describe_diffs(v, what, sizeof what);
    row_name(s, c, name, sizeof name);
    fprintf(out, "MISMATCH %s in %s:%s\n  code   ", name, mode_name(c), what);
    for (unsigned k = 0; k < c->nc.len; k++) fprintf(out, " %02x", c->nc.bytes[k]);
    fprintf(out, "   %s\n", text);
    sem_describe_end(&s->nat, what, sizeof what);
    fprintf(out, "  native  %s\n", what);
    sem_describe_end(&s->sim, what, sizeof what);
    fprintf(out, "  interp  %s\n", what);
    print_registers(out, c, &s->nat, &s->sim, v);
    print_memory(out, "native", &s->nat);
    print_memory(out, "interp", &s->sim);
    if (sem_format_vector(c, line, sizeof line)) fprintf(out, "  vector  %s\n", line);
}

/* Appends the case to the vectors file: one per form and run, never a line twice. */
void sem_record(struct sem *s, const struct sem_case *c)
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
    sem_disassemble(c, text, sizeof text);
    fprintf(f, "%s # %s\n", line, text);
    fclose(f);
    s->recorded_count++;
}

/* ---- traces, coverage and summaries ------------------------------------------------ */

void sem_trace(struct sem *s, const struct sem_case *c)
{
    char line[4096], text[160], nat[160], sim[160];
    s->trace--;
    sem_format_vector(c, line, sizeof line);
    sem_disassemble(c, text, sizeof text);
    sem_describe_end(&s->nat, nat, sizeof nat);
    sem_describe_end(&s->sim, sim, sizeof sim);
    fprintf(s->out, "%s # %s\n  native %s, interp %s\n", line, text, nat, sim);
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

/* pop and mov are excluded only in their segment-register forms: say so. */
static const char *excluded_name(const struct op_row *row)
{
    if (!strcmp(row->mnem, "pop")) return "pop Sreg";
    if (!strcmp(row->mnem, "mov")) return "mov Sreg";
    return row->mnem;
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
        const char *shown[32];
        unsigned nshown = 0;
        fprintf(out, "excluded:");
        for (unsigned i = 0; i < op_table_size; i++) {
            const char *why = gen_exclusion(i);
            unsigned j = 0;
            if (!why || strcmp(why, reasons[k])) continue;
            const char *name = excluded_name(&op_table[i]);
            while (j < nshown && strcmp(shown[j], name)) j++;
            if (j < nshown || nshown == 32) continue;
            fprintf(out, "%s %s", nshown ? "," : "", name);
            shown[nshown++] = name;
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
        if (!k->passed && !k->failed && !k->skipped) continue;
        fprintf(s->out, "  group %s: %" PRIu64 " passed, %" PRIu64 " failed\n",
                g == G_NGROUPS ? "vectors" : gen_group_name(g), k->passed, k->failed);
        if (s->stats) print_ends(s, g);
    }
    struct sem_counts t = sem_total(s);
    if (s->recorded_count)
        fprintf(s->out, "recorded: %u new vectors in %s\n", s->recorded_count, s->record_path);
    if (t.skipped)
        fprintf(s->out, "skipped: %" PRIu64 " cases whose stack pointer lies in the native child's"
                        " own image (its signal frame cannot be built)\n", t.skipped);
    fprintf(s->out, "semantics: %" PRIu64 " passed, %" PRIu64 " failed\n", t.passed, t.failed);
    fflush(s->out);
}

