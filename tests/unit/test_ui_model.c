/* test_ui_model.c - the desktop front end's text models (ui/model.h) on the
 * built-in kernel, stopped at defined points of the first sysenter system
 * call: the first instruction of KiFastCallEntry, a few steps into it, the
 * call of the service (KiSystemServiceCall) and the sysexit.  Every panel is
 * asserted through the strings and attributes it would draw. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim/loader.h"
#include "sim/symbols.h"
#include "ui/model.h"
#include "tests/unit/ui_boot.h"

static struct ui_session s;
static struct ui_text t;

static void teardown(void)
{
    ui_text_free(&t);
    ui_session_close(&s);
}
TestSuite(ui_model, .fini = teardown, .timeout = 120);

static uint64_t sym(const char *name)
{
    uint64_t a;
    cr_assert_eq(0, symtab_find(s.m->symbols, name, &a), "no symbol %s", name);
    return a;
}

static void to(const char *label)
{
    cr_assert_eq(0, ui_run_until(&s, sym(label), 400000000), "%s not reached: %s", label, s.status);
}

/* The trap-frame row of a field: "+68 Eip ...". */
static const struct ui_line *tf_row(const char *field)
{
    char key[40];
    for (size_t i = 0; i < t.n; i++) {
        snprintf(key, sizeof key, " %s ", field);
        const char *p = strstr(t.v[i].text, key);
        if (p && t.v[i].text[0] == '+' && p == t.v[i].text + 3) return &t.v[i];
    }
    cr_assert_fail("no trap-frame row %s", field);
    return NULL;
}

/* The first line that starts with prefix. */
static const struct ui_line *line_starting(const char *prefix)
{
    for (size_t i = 0; i < t.n; i++)
        if (!strncmp(t.v[i].text, prefix, strlen(prefix))) return &t.v[i];
    return NULL;
}

/* The disassembly line of the PC: '>' in its second column. */
static const struct ui_line *pc_line(void)
{
    for (size_t i = 0; i < t.n; i++)
        if (t.v[i].text[1] == '>') return &t.v[i];
    cr_assert_fail("no PC line");
    return NULL;
}

static int tf_attr(const char *field)
{
    const struct ui_line *l = tf_row(field);
    return (int)ui_attr_at(l, 4);
}

Test(ui_model, at_kifastcallentry_the_frame_is_all_unwritten_and_the_pc_is_marked)
{
    ui_test_open(&s);
    to("KiFastCallEntry");
    ui_model_trapframe(&s, &t);
    cr_assert(s.tf.tracking);
    cr_expect(ui_find(&t, "being built"));
    cr_expect_eq(UI_GREY, tf_attr("HardwareSegSs"));
    cr_expect_eq(UI_GREY, tf_attr("SegCs"));
    cr_expect_eq(UI_GREY, tf_attr("Eip"));
    ui_model_disasm(&s, &t, 12, NULL, 0);
    const struct ui_line *pc = pc_line();
    cr_expect(strstr(pc->text, "KiFastCallEntry"), "%s", pc->text);
    cr_expect(strstr(pc->text, "mov ecx, 0x23"), "%s", pc->text);
    cr_expect_eq(UI_PC, ui_attr_of(pc, "KiFastCallEntry"));
    ui_model_registers(&s, &t);
    const struct ui_line *cs = ui_find(&t, "cs   0008");
    cr_assert_not_null(cs, "CS is the kernel's after sysenter");
    cr_expect(strstr(cs->text, "code32"), "%s", cs->text);
    cr_expect(ui_find(&t, "eip(176)=") && strstr(ui_find(&t, "eip(176)=")->text, "esp(175)="));
}

Test(ui_model, stepping_the_entry_highlights_the_slots_as_they_are_pushed)
{
    ui_test_open(&s);
    to("KiFastCallEntry");
    for (int i = 0; i < 8; i++) ui_step(&s);    /* seven moves, then push HardwareSegSs */
    ui_model_trapframe(&s, &t);
    cr_expect_eq(UI_CHANGED, tf_attr("HardwareSegSs"));
    cr_expect_eq(UI_GREY, tf_attr("HardwareEsp"));
    cr_expect(strstr(tf_row("HardwareSegSs")->text, "00000023"), "%s", tf_row("HardwareSegSs")->text);
    ui_step(&s);                                 /* push edx */
    ui_model_trapframe(&s, &t);
    cr_expect_eq(UI_CHANGED, tf_attr("HardwareEsp"));
    cr_expect_eq(UI_GREY, tf_attr("SegCs"));
    /* the stack panel: the pushed word at ESP changed, the one above did not */
    ui_model_stack(&s, &t, 3);
    cr_expect_eq(UI_CHANGED, ui_attr_at(&t.v[0], 9), "%s", t.v[0].text);
    cr_expect_eq(UI_NORMAL, ui_attr_at(&t.v[1], 9), "%s", t.v[1].text);
    /* the registers panel: ESP moved since the last stop */
    ui_model_registers(&s, &t);
    const struct ui_line *l = ui_find(&t, "esp=");
    cr_assert_not_null(l);
    size_t col = (size_t)(strstr(l->text, "esp=") - l->text) + 4;
    cr_expect_eq(UI_CHANGED, ui_attr_at(l, col), "%s", l->text);
    col = (size_t)(strstr(l->text, "esi=") - l->text) + 4;
    cr_expect_eq(UI_NORMAL, ui_attr_at(l, col), "ESI did not change: %s", l->text);
}

Test(ui_model, at_the_service_call_the_frame_holds_the_user_return)
{
    ui_test_open(&s);
    to("KiFastCallEntry");
    to("KiSystemServiceCall");
    ui_model_trapframe(&s, &t);
    const struct ui_line *cs = tf_row("SegCs"), *eip = tf_row("Eip");
    cr_expect(strstr(cs->text, "0000001b"), "%s", cs->text);
    cr_expect(strstr(eip->text, "KiFastSystemCallRet"), "%s", eip->text);
    cr_expect_eq(UI_CHANGED, tf_attr("SegCs"));
    cr_expect_eq(UI_CHANGED, tf_attr("Eip"));
    cr_expect_eq(UI_CHANGED, tf_attr("DbgArgMark"));
    cr_expect(strstr(tf_row("DbgArgMark")->text, "badb0d00"));
    cr_expect_eq(UI_CHANGED, tf_attr("Edx"), "the link to the previous frame");
    cr_expect_eq(UI_GREY, tf_attr("Dr0"), "the sysenter path never writes Dr0");
    cr_expect_eq(UI_GREY, tf_attr("V86Gs"));
    cr_expect(ui_find(&t, "SYSENTER_EIP") && strstr(ui_find(&t, "SYSENTER_EIP")->text, "KiFastCallEntry"));
    cr_expect(ui_find(&t, "TSS.Esp0") && strstr(ui_find(&t, "TSS.Esp0")->text, "InitialStack-0x220"));
    cr_expect(strstr(t.v[0].text, "InitialStack-0x29c"), "%s", t.v[0].text);
}

static void walk_frame(uint64_t lin, char *frame, char *line, size_t len)
{
    s.walk_addr = lin;
    ui_model_pagewalk(&s, &t);
    const struct ui_line *f = ui_find(&t, "-> frame ");
    cr_assert_not_null(f, "%#llx is not mapped", (unsigned long long)lin);
    cr_assert_eq(1, sscanf(strstr(f->text, "-> frame ") + 9, "%15s", frame));
    const struct ui_line *pte = ui_find(&t, "PTE");
    cr_assert_not_null(pte);
    snprintf(line, len, "%s", pte->text);
}

Test(ui_model, page_walk_of_the_shared_page_is_a_user_read_only_alias)
{
    ui_test_open(&s);
    to("KiFastCallEntry");
    to("KiSystemServiceCall");
    char fu[16], fk[16], lu[UI_LINE_MAX], lk[UI_LINE_MAX];
    walk_frame(0x7FFE0000, fu, lu, sizeof lu);
    cr_expect(strstr(lu, "user read-only"), "%s", lu);
    cr_expect(strstr(lu, "PTE  [992]"), "bits 21:12 of 0x7FFE0000: %s", lu);
    walk_frame(0xFFDF0000, fk, lk, sizeof lk);
    cr_expect(strstr(lk, "supervisor read-write"), "%s", lk);
    cr_expect_str_eq(fu, fk, "the two PTEs map one frame");
    cr_expect(ui_find(&t, "PDE"));
    cr_expect(strstr(t.v[0].text, "cr3="), "%s", t.v[0].text);
    s.walk_addr = 0x00001000;                   /* nothing maps the first pages */
    ui_model_pagewalk(&s, &t);
    cr_expect(ui_find(&t, "not mapped: an access faults with #PF"));
}

Test(ui_model, tlb_lists_the_page_being_executed)
{
    ui_test_open(&s);
    to("KiFastCallEntry");
    to("KiSystemServiceCall");
    ui_model_tlb(&s, &t, 256);
    char key[32];
    snprintf(key, sizeof key, "%08llx -> ", (unsigned long long)(sym("KiSystemServiceCall") & ~0xFFFull));
    const struct ui_line *l = ui_find(&t, key);
    cr_assert_not_null(l, "no TLB entry for the code page %s", key);
    cr_expect(strstr(l->text, " G "), "kernel code is global: %s", l->text);
    cr_expect(strstr(l->text, "sup "), "%s", l->text);
    cr_expect(strstr(t.v[0].text, "valid of 256"), "%s", t.v[0].text);
    cr_expect(strstr(t.v[1].text, "cr3 loads"), "%s", t.v[1].text);
}

Test(ui_model, after_sysexit_user_mode_shows_in_registers_modes_and_the_syscall_log)
{
    ui_test_open(&s);
    to("KiFastCallEntry");
    to("KiSystemCallExitSysexit");
    ui_model_trapframe(&s, &t);
    cr_expect(ui_find(&t, "complete"), "the exit label ends the frame's building");
    for (int i = 0; i < 8 && s.m->cpu.cpl != 3; i++) ui_step(&s);
    cr_assert_eq(3, s.m->cpu.cpl);
    ui_model_registers(&s, &t);
    const struct ui_line *cs = ui_find(&t, "cs   001b");
    cr_assert_not_null(cs);
    cr_expect_eq(UI_CHANGED, ui_attr_of(cs, "001b"), "CS changed with the sysexit");
    ui_model_disasm(&s, &t, 8, NULL, 0);
    cr_expect(strstr(pc_line()->text, "KiFastSystemCallRet"), "%s", pc_line()->text);
    ui_model_modes(&s, &t, 4);
    cr_assert_gt(t.n, 0);
    cr_expect(strstr(t.v[t.n - 1].text, "cpl3"), "%s", t.v[t.n - 1].text);
    ui_model_syscalls(&s, &t, 8);
    const struct ui_line *ret = ui_find(&t, "<- ");
    cr_assert_not_null(ret, "the log has the return");
    cr_expect(strstr(ret->text, " cycles"), "%s", ret->text);
    cr_expect(ui_find(&t, "-> ") && strstr(ui_find(&t, "-> ")->text, "via sysenter"));
}

Test(ui_model, descriptor_tables_processes_stack_and_console)
{
    ui_test_open(&s);
    to("KiFastCallEntry");
    to("KiSystemServiceCall");
    ui_model_gdt(&s, &t);
    const struct ui_line *g = line_starting("0008 ");
    cr_assert_not_null(g);
    cr_expect(strstr(g->text, "code32") && strstr(g->text, "<cs"), "%s", g->text);
    const struct ui_line *ucode = line_starting("0018 ");
    cr_assert_not_null(ucode);
    cr_expect(strstr(ucode->text, "dpl=3 code32"), "%s", ucode->text);
    ui_model_idt(&s, &t, 256);
    const struct ui_line *i2e = line_starting("2e ");
    cr_assert_not_null(i2e);
    cr_expect(strstr(i2e->text, "dpl=3") && strstr(i2e->text, "KiSystemService"), "%s", i2e->text);
    ui_model_tss(&s, &t);
    cr_expect(ui_find(&t, "esp0=") && ui_find(&t, "ss0=0010"));
    ui_model_processes(&s, &t);
    cr_expect(ui_find(&t, "PROCESS "));
    const struct ui_line *cur = NULL;
    for (size_t k = 0; k < t.n; k++)
        if (strstr(t.v[k].text, "THREAD") && ui_attr_at(&t.v[k], 4) == UI_PC) cur = &t.v[k];
    cr_assert_not_null(cur, "the current thread is marked");
    cr_expect(strstr(cur->text, "Running"), "%s", cur->text);
    /* later, with smss waiting for a demo program: the wait reason by name */
    unsigned waiting = 0;
    for (int step = 0; step < 20 && !waiting && s.run != UI_ENDED; step++) {
        ui_run_insns(&s, 5000000);
        ui_model_processes(&s, &t);
        for (size_t k = 0; k < t.n; k++)
            if (strstr(t.v[k].text, " Waiting ")) {
                waiting++;
                cr_expect(strstr(t.v[k].text, "WAIT: (") && !strstr(t.v[k].text, "WAIT: (?)"),
                          "%s", t.v[k].text);
            }
    }
    cr_expect_gt(waiting, 0, "no thread waited in the first 100M instructions");
    ui_model_stack(&s, &t, 4);
    cr_expect_eq(4, t.n);
    ui_model_console(&s, &t, 40, 100);
    cr_expect(ui_find(&t, "ntkernel: an NT-style kernel"), "the console shows the boot banner");
    s.mem_addr = 0xFFDFF000;                    /* the KPCR: SelfPcr at +0x1C */
    ui_model_memory(&s, &t, 2);
    cr_expect(strstr(t.v[1].text, "00 f0 df ff"), "%s", t.v[1].text);
}

Test(ui_model, run_to_syscall_and_step_over_and_out)
{
    ui_test_open(&s);
    ui_run(&s, UI_TO_SYSCALL);
    while (ui_session_tick(&s)) {}
    cr_assert_eq(UI_PAUSED, s.run, "%s", s.status);
    uint64_t pc = s.m->cpu.seg[SEG_CS].base + s.m->cpu.rip;
    cr_expect(pc == sym("KiFastCallEntry") || pc == sym("KiSystemService"), "stopped at %#llx: %s",
              (unsigned long long)pc, s.status);
    /* step over the service call: the PC comes back right after it */
    to("KiSystemServiceCall");
    struct ui_insn in;
    cr_assert_eq(0, ui_decode_at(&s, pc = s.m->cpu.rip, &in));
    cr_assert(in.is_call, "%s", in.text);
    uint64_t depth = s.m->cpu.instret;
    ui_step_over(&s);
    while (ui_session_tick(&s)) {}
    cr_expect_eq(pc + in.length, s.m->cpu.rip, "%s", s.status);
    cr_expect_gt(s.m->cpu.instret - depth, 1, "the service ran");
    /* step into a call, then out of it */
    to("KiSystemServiceCall");
    uint64_t sp = s.m->cpu.gpr[RSP];
    ui_step(&s);
    cr_expect_eq(sp - 4, s.m->cpu.gpr[RSP]);
    ui_step_out(&s);
    while (ui_session_tick(&s)) {}
    cr_expect_eq(sym("KiSystemServiceCall") + in.length, s.m->cpu.rip, "%s", s.status);
    cr_expect_geq(s.m->cpu.gpr[RSP], sp, "the stdcall service popped its arguments");
    /* a breakpoint stops a run */
    cr_assert(ui_toggle_break(&s, sym("KiSystemCallExitSysexit")));
    ui_run(&s, UI_RUNNING);
    while (ui_session_tick(&s)) {}
    cr_expect_eq(sym("KiSystemCallExitSysexit"), s.m->cpu.rip, "%s", s.status);
    cr_expect(strstr(s.status, "breakpoint at KiSystemCallExitSysexit"), "%s", s.status);
    ui_model_disasm(&s, &t, 8, NULL, 0);
    cr_expect_eq('*', pc_line()->text[0], "the breakpoint mark");
    cr_assert(!ui_toggle_break(&s, sym("KiSystemCallExitSysexit")));
    ui_run(&s, UI_TO_MODE);
    while (ui_session_tick(&s)) {}
    cr_expect(strstr(s.status, "mode switch") || strstr(s.status, "exception"), "%s", s.status);
}

Test(ui_model, cost_bar_splits_a_call_into_four_phases_adding_up_to_the_tracers_cycles)
{
    ui_test_open(&s);
    to("KiFastCallEntry");
    to("KiSystemCallExitSysexit");
    cr_assert_gt(s.ncosts, 0, "a complete call");
    const struct ui_cost *c = &s.costs[(s.ncosts - 1) % UI_LOG];
    for (int p = 0; p < UI_PHASES; p++)
        cr_expect_gt(c->at[p + 1], c->at[p], "phase %d takes time", p);
    const struct nttrace_event *ret = NULL;
    for (size_t i = 0; i < s.nsys; i++)
        if (s.sys[i % UI_LOG].kind == NTTRACE_RETURN) ret = &s.sys[i % UI_LOG];
    cr_assert_not_null(ret);
    cr_expect_eq(ret->number, c->number);
    cr_expect_eq(ret->cycles, c->at[UI_PHASES] - c->at[0], "the tracer counts the same span");
    ui_model_costs(&s, &t, 4, 100);
    const struct ui_line *l = ui_find(&t, ret->name);
    cr_assert_not_null(l, "the bar of %s", ret->name);
    bool seen[UI_PHASES] = { false };
    for (size_t col = 0; col < l->len; col++) {
        int a = (int)ui_attr_at(l, col) - UI_BAR_ENTRY;
        if (a >= 0 && a < UI_PHASES) seen[a] = true;
    }
    for (int p = 0; p < UI_PHASES; p++) cr_expect(seen[p], "phase %d shows in %s", p, l->text);
    char total[32];
    snprintf(total, sizeof total, "=%6llu", (unsigned long long)ret->cycles);
    cr_expect(strstr(l->text, total), "%s ends with %s", l->text, total);
}
