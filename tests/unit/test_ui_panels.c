/* test_ui_panels.c - the front end's panels beyond the first set: the bytes
 * the last instruction touched (memory and stack, linear and physical), the
 * cycles per ring, the LDT, the TLB flush log and the mode-switch timeline;
 * on the built-in kernel, and on guests that really load an LDT (sys_desc)
 * and switch to long mode and use PCIDs (lm_pcid, lm_sys).  Plus the
 * window's address input line driven by key and text events. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cpu/debug.h"
#include "mmu/paging.h"
#include "sim/loader.h"
#include "sim/symbols.h"
#include "ui/model.h"
#include "ui/window.h"
#include "tests/unit/nt_boot.h"
#include "tests/unit/ui_boot.h"

static struct ui_session s;
static struct ui_text t;
static struct ui_window w;

static void setup(void)
{
    setenv("SDL_VIDEODRIVER", "dummy", 1);
}

static void teardown(void)
{
    ui_window_close(&w);
    ui_text_free(&t);
    ui_session_close(&s);
}
TestSuite(ui_panels, .init = setup, .fini = teardown, .timeout = 120);

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

/* A guest image of build/guest booted the way the front end boots --kernel. */
static int boot_guest(struct machine *m, void *ctx, char *err, size_t errlen)
{
    struct load_request req = { nt_build_path(ctx), NULL, NULL, NULL };
    return machine_boot(m, &req, err, errlen);
}

static void open_guest(const char *image)
{
    struct machine_options opt;
    char err[256];
    machine_default_options(&opt);
    opt.serial = "null";
    cr_assert_eq(0, ui_session_open(&s, &opt, boot_guest, (void *)image, err, sizeof err), "%s", err);
}

/* The columns of the 16 bytes of a memory row: "%08llx " then "xx " each. */
static size_t byte_col(unsigned i)
{
    return 9 + 3 * i;
}

/* How many bytes of the memory panel's rows carry attr. */
static unsigned count_attr(enum ui_attr attr)
{
    unsigned n = 0;
    for (size_t r = 0; r < t.n; r++)
        for (unsigned i = 0; i < 16; i++) n += ui_attr_at(&t.v[r], byte_col(i)) == attr;
    return n;
}

Test(ui_panels, a_push_touches_four_bytes_at_the_new_esp_in_linear_and_physical_memory)
{
    ui_test_open(&s);
    to("KiFastCallEntry");
    for (int i = 0; i < 8; i++) ui_step(&s);    /* seven moves, then push HardwareSegSs */
    const struct cpu *cpu = &s.m->cpu;
    uint64_t esp = cpu->seg[SEG_SS].base + (uint32_t)cpu->gpr[RSP];
    cr_assert(s.touched.known);
    cr_assert_eq(1, s.touched.n, "a push of an immediate is one access");
    cr_expect_eq(esp, s.touched.a[0].lin);
    cr_expect_eq(4, s.touched.a[0].size);
    cr_expect_eq(HOST_WATCH_WRITE, s.touched.a[0].kind);

    s.mem_addr = esp & ~15ull;
    ui_model_memory(&s, &t, 2);
    cr_expect(strstr(t.title, "linear") && strstr(t.title, "0 read 1 written"), "%s", t.title);
    unsigned at = (unsigned)(esp & 15);
    for (unsigned i = 0; i < 16; i++) {
        bool in = i >= at && i < at + 4;
        cr_expect_eq(in, ui_attr_at(&t.v[0], byte_col(i)) == UI_TOUCHED, "byte %u: %s", i, t.v[0].text);
    }
    cr_expect(strstr(t.v[0].text, "23 00 00 00"), "the pushed 0x23: %s", t.v[0].text);
    char linear_row[UI_LINE_MAX];
    snprintf(linear_row, sizeof linear_row, "%s", t.v[0].text + 9);

    /* the same bytes through the physical view */
    uint64_t phys;
    cr_assert_eq(0, paging_peek(&s.m->cpu, esp, &phys));
    cr_expect_neq(phys, esp, "the kernel stack is not identity-mapped");
    s.mem_phys = true;
    s.mem_addr = phys & ~15ull;
    ui_model_memory(&s, &t, 2);
    cr_expect(strstr(t.title, "physical"), "%s", t.title);
    cr_expect_str_eq(linear_row, t.v[0].text + 9, "one frame, two views");
    cr_expect_eq(4, count_attr(UI_TOUCHED));
    cr_expect_eq(UI_TOUCHED, ui_attr_at(&t.v[0], byte_col((unsigned)(phys & 15))));

    /* the stack panel: the word at ESP touched, the one above not */
    ui_model_stack(&s, &t, 2);
    cr_expect_eq(UI_TOUCHED, ui_attr_at(&t.v[0], 9), "%s", t.v[0].text);
    cr_expect_neq(UI_TOUCHED, ui_attr_at(&t.v[1], 9), "%s", t.v[1].text);

    /* at full speed nothing is recorded: the panel says so */
    ui_run_insns(&s, 5000);
    cr_expect(!s.touched.known);
    s.mem_phys = false;
    s.mem_addr = esp & ~15ull;
    ui_model_memory(&s, &t, 4);
    cr_expect(strstr(t.title, "not known"), "%s", t.title);
    cr_expect_eq(0, count_attr(UI_TOUCHED));
}

Test(ui_panels, a_read_is_recorded_with_its_value_and_recording_ends_with_the_step)
{
    ui_test_open(&s);
    to("KiFastCallEntry");
    const struct host_access *r = NULL;
    for (int i = 0; i < 400 && !r; i++) {
        ui_step(&s);
        for (size_t k = 0; k < s.touched.n && k < UI_TOUCH; k++)
            if (s.touched.a[k].kind == HOST_WATCH_READ && s.touched.a[k].size == 4) r = &s.touched.a[k];
    }
    cr_assert_not_null(r, "a 4-byte read within the system-call path");
    cr_expect_null(s.m->cpu.rec.buf, "recording stops after the step");
    s.mem_addr = r->lin;
    ui_model_memory(&s, &t, 1);
    cr_expect(strstr(t.title, " read "), "%s", t.title);
    cr_expect_eq(UI_TOUCHED, ui_attr_at(&t.v[0], byte_col((unsigned)(r->lin & 15))), "%s", t.v[0].text);
    cr_expect_eq(HOST_WATCH_READ, ui_byte_touched(&s, r->lin + 3, false));
    cr_expect_eq(0, ui_byte_touched(&s, r->lin + 4, false));
    /* the CPU's record by itself: two steps, nothing recorded after the stop */
    struct host_access buf[4];
    cr_assert_eq(0, debug_host_record(&s.m->cpu, buf, 4));
    cr_expect_eq(-1, debug_host_record(&s.m->cpu, NULL, 4));
    size_t n = debug_host_record_stop(&s.m->cpu);
    cr_expect_eq(0, n, "no instruction ran");
    cr_expect_eq(0, debug_host_record_stop(&s.m->cpu));
}

/* "cycles total=T ring0=A ring3=B" of the registers panel. */
static void ring_cycles(unsigned long long *total, unsigned long long *r0, unsigned long long *r3)
{
    ui_model_registers(&s, &t);
    const struct ui_line *l = ui_find(&t, "cycles total=");
    cr_assert_not_null(l);
    cr_assert_eq(3, sscanf(l->text, "cycles total=%llu ring0=%llu ring3=%llu", total, r0, r3), "%s",
                 l->text);
}

Test(ui_panels, cycles_split_by_ring_add_up_and_the_last_system_call_is_shown)
{
    ui_test_open(&s);
    unsigned long long total, r0, r3;
    ring_cycles(&total, &r0, &r3);
    cr_expect_eq(0, total);
    cr_expect(ui_find(&t, "last system call none yet"));
    to("KiFastCallEntry");
    ring_cycles(&total, &r0, &r3);
    cr_expect_gt(r0, 0, "the kernel booted");
    cr_expect_gt(r3, 0, "user mode ran before its first system call");
    cr_expect_eq(total, r0 + r3, "rings 1 and 2 never run");
    unsigned long long r3_before = r3;
    to("KiSystemCallExitSysexit");
    ring_cycles(&total, &r0, &r3);
    cr_expect_eq(r3_before, r3, "the system call ran in ring 0 only");
    cr_expect_eq(total, r0 + r3);
    cr_expect_geq(s.ring_crossings, 2, "into the kernel and out at least once");
    const struct nttrace_event *ret = NULL;
    for (size_t i = 0; i < s.nsys; i++)
        if (s.sys[i % UI_LOG].kind == NTTRACE_RETURN) ret = &s.sys[i % UI_LOG];
    cr_assert_not_null(ret);
    char want[96];
    snprintf(want, sizeof want, "last system call %s=%llu cycles", ret->name,
             (unsigned long long)ret->cycles);
    cr_expect(ui_find(&t, want), "%s", want);
    ui_step(&s);                                  /* the sysexit: ring 3 grows from here */
    for (int i = 0; i < 4; i++) ui_step(&s);
    cr_assert_eq(3, s.m->cpu.cpl);
    ring_cycles(&total, &r0, &r3);
    cr_expect_gt(r3, r3_before);
    cr_expect_eq(total, r0 + r3);
}

Test(ui_panels, the_kernel_has_no_ldt_and_a_guest_that_loads_one_shows_it)
{
    ui_test_open(&s);
    to("KiFastCallEntry");
    ui_model_ldt(&s, &t);
    cr_assert_eq(1, t.n);
    cr_expect(strstr(t.v[0].text, "no LDT"), "%s", t.v[0].text);
    ui_session_close(&s);

    open_guest("guest/sys_desc.elf");
    to("lldt_at");
    ui_model_ldt(&s, &t);
    cr_expect(strstr(t.v[0].text, "no LDT"), "not yet loaded: %s", t.v[0].text);
    ui_step(&s);
    const struct segment *l = &s.m->cpu.seg[SEG_LDTR];
    cr_assert_eq(0x58, l->sel, "the guest's LDT selector (GDT entry 11)");
    ui_model_ldt(&s, &t);
    char head[64];
    snprintf(head, sizeof head, "ldtr=0058 base=%08llx limit=f", (unsigned long long)l->base);
    cr_expect(strstr(t.v[0].text, head), "%s", t.v[0].text);
    cr_assert_eq(3, t.n, "two entries: %zu lines", t.n);
    cr_expect(!strncmp(t.v[1].text, "0004 null", 9), "%s", t.v[1].text);
    cr_expect(!strncmp(t.v[2].text, "000c base=00000000 limit=ffffffff dpl=0 data32", 46), "%s",
              t.v[2].text);
}

/* The rows of the flush log that contain needle. */
static unsigned rows_with(const char *needle)
{
    unsigned n = 0;
    for (size_t i = 0; i < t.n; i++) n += strstr(t.v[i].text, needle) != NULL;
    return n;
}

Test(ui_panels, flush_log_of_a_pcid_guest_has_noflush_loads_and_invpcid_types)
{
    open_guest("guest/lm_pcid.elf");
    ui_run_insns(&s, 50000000);
    cr_assert_eq(UI_ENDED, s.run, "the guest ends: %s", s.status);
    cr_assert_lt(s.nflushes, UI_LOG, "all kept");
    ui_model_flushes(&s, &t, UI_LOG);
    cr_assert_eq(s.nflushes, t.n);
    cr_expect_eq(s.cr3_loads, rows_with(" mov cr3 "), "one row per CR3 load");
    cr_expect_gt(rows_with("bit63 noflush"), 0, "CR3 loads with bit 63 under PCIDE");
    cr_expect_gt(rows_with(" flush"), rows_with("bit63 noflush"), "and loads that flush");
    const struct atlb_stats *st = tlb_stats(&s.m->cpu);
    static const char *const causes[] = { "invpcid-address ", "invpcid-context ", "invpcid-all ",
                                          "invpcid-nonglobal ", "invlpg " };
    static const unsigned which[] = { TLB_CAUSE_INVPCID_ADDR, TLB_CAUSE_INVPCID_PCID,
                                      TLB_CAUSE_INVPCID_ALL, TLB_CAUSE_INVPCID_NONGLOBAL,
                                      TLB_CAUSE_INVLPG };
    for (int i = 0; i < 5; i++)
        cr_expect_eq(st->flushes[which[i]], rows_with(causes[i]), "%s", causes[i]);
    cr_expect_gt(rows_with("invpcid-"), 0);
    /* each row names the instruction: the CR3 loads come from k_cr3_at or the library */
    const struct ui_line *l = ui_find(&t, "bit63 noflush");
    cr_assert_not_null(l);
    cr_expect(strstr(l->text, "pcid=00"), "%s", l->text);
    uint64_t insns;
    cr_expect_eq(1, sscanf(l->text, "%llu", (unsigned long long *)&insns));
    cr_expect_gt(insns, 0);
}

Test(ui_panels, timeline_of_a_long_mode_entry_names_each_stage_and_its_instruction)
{
    open_guest("guest/lm_sys.elf");
    to("guest_main");
    ui_model_timeline(&s, &t, 16);
    cr_assert_eq(5, t.n, "ring crossings, start, LME, PG+LMA, CS.L: %zu lines", t.n);
    cr_expect(strstr(t.v[0].text, "0 ring crossings"), "%s", t.v[0].text);
    cr_expect(strstr(t.v[1].text, "protected (PE)") && strstr(t.v[1].text, " start"), "%s",
              t.v[1].text);
    cr_expect(strstr(t.v[2].text, "protected, LME") && strstr(t.v[2].text, " +LME at _start+") &&
              strstr(t.v[2].text, ": wrmsr"), "%s", t.v[2].text);
    cr_expect(strstr(t.v[3].text, "compatibility (LMA)") && strstr(t.v[3].text, " +PG +LMA at ") &&
              strstr(t.v[3].text, ": mov cr0, eax"), "%s", t.v[3].text);
    cr_expect(strstr(t.v[4].text, "64-bit (LMA, CS.L)") && strstr(t.v[4].text, " +CS.L at ") &&
              strstr(t.v[4].text, ": jmp far 0x0010:"), "decoded as 32-bit code: %s", t.v[4].text);
    /* the instret of each row is the instruction's: ascending, and the last one is recent */
    unsigned long long prev = 0, v;
    for (size_t i = 1; i < t.n; i++) {
        cr_assert_eq(1, sscanf(t.v[i].text, "%llu", &v));
        cr_expect_geq(v, prev, "%s", t.v[i].text);
        prev = v;
    }
    cr_expect_lt(prev, s.m->cpu.instret);
    /* in long mode the trap-frame panel says the x64 frame is missing */
    ui_model_trapframe(&s, &t);
    cr_expect(ui_find(&t, "x64 KTRAP_FRAME layout and the syscall path are not implemented"));
}

Test(ui_panels, timeline_keeps_ring_crossings_apart_from_the_kernels_paging_switch)
{
    ui_test_open(&s);
    to("KiFastCallEntry");
    to("KiSystemCallExitSysexit");
    ui_step(&s);
    cr_assert_eq(3, s.m->cpu.cpl);
    ui_model_timeline(&s, &t, 16);
    cr_expect_geq(s.ring_crossings, 2);
    char head[48];
    snprintf(head, sizeof head, "%llu ring crossings", (unsigned long long)s.ring_crossings);
    cr_expect(strstr(t.v[0].text, head), "%s", t.v[0].text);
    cr_assert_eq(3, t.n, "start and the kernel's paging switch only: %zu lines", t.n);
    cr_expect(strstr(t.v[2].text, "paged (PE, PG)") && strstr(t.v[2].text, " +PG at ") &&
              strstr(t.v[2].text, ": mov cr0, "), "%s", t.v[2].text);
}

static void open_window(void)
{
    char err[256];
    ui_test_open(&s);
    cr_assert_eq(0, ui_window_open(&w, &s, 1600, 1000, false, err, sizeof err), "%s", err);
}

/* A key with the text event a keyboard sends with it, then one frame. */
static void type_key(const char *key, const char *text)
{
    cr_assert_eq(0, ui_window_post_key(key, false));
    if (text) cr_assert_eq(0, ui_window_post_text(text));
    cr_assert(ui_window_frame(&w));
}

Test(ui_panels, the_address_line_sets_memory_and_walk_addresses_and_esc_cancels)
{
    open_window();
    uint64_t mem = s.mem_addr, walk = s.walk_addr;
    type_key("G", "g");
    cr_expect_eq(UI_INPUT_MEM, w.input);
    cr_expect_str_eq("", w.input_text, "the opening key is not typed");
    cr_assert_eq(0, ui_window_post_text("KiFastCallEntry"));
    type_key("Q", "q");                           /* typed, not quit */
    cr_expect_str_eq("KiFastCallEntryq", w.input_text);
    type_key("Backspace", NULL);
    type_key("Return", NULL);
    cr_expect_eq(UI_INPUT_NONE, w.input);
    cr_expect_eq(sym("KiFastCallEntry"), s.mem_addr, "%s", s.status);
    cr_expect_eq(walk, s.walk_addr);

    type_key("W", "w");
    cr_expect_eq(UI_INPUT_WALK, w.input);
    type_key("Return", NULL);                     /* nothing typed: refused */
    cr_expect(strstr(s.status, "not an address"), "%s", s.status);
    cr_expect_eq(walk, s.walk_addr);
    type_key("W", "w");
    cr_assert_eq(0, ui_window_post_text("0xFFDF0000"));
    type_key("Return", NULL);
    cr_expect_eq(0xFFDF0000, s.walk_addr, "%s", s.status);
    ui_model_pagewalk(&s, &t);
    cr_expect(strstr(t.v[0].text, "linear ffdf0000"), "%s", t.v[0].text);

    type_key("G", "g");
    cr_assert_eq(0, ui_window_post_text("KiFastCallEntry+10"));
    type_key("Return", NULL);
    cr_expect_eq(sym("KiFastCallEntry") + 0x10, s.mem_addr);
    type_key("G", "g");
    cr_assert_eq(0, ui_window_post_text("NoSuchSymbol"));
    type_key("Return", NULL);
    cr_expect(strstr(s.status, "not an address or symbol: NoSuchSymbol"), "%s", s.status);
    cr_expect_eq(sym("KiFastCallEntry") + 0x10, s.mem_addr);
    type_key("G", "g");
    cr_assert_eq(0, ui_window_post_text("1234"));
    type_key("Escape", NULL);
    cr_expect_eq(UI_INPUT_NONE, w.input);
    cr_expect(!w.quit, "Esc in the input line only cancels it");
    cr_expect_eq(sym("KiFastCallEntry") + 0x10, s.mem_addr);
    cr_expect_neq(mem, s.mem_addr);

    cr_expect(!s.mem_phys);
    type_key("X", "x");
    cr_expect(s.mem_phys, "x: physical");
    type_key("X", "x");
    cr_expect(!s.mem_phys, "x again: linear");
    w.view = UI_VIEW_PAGING;
    ui_window_draw(&w);
    cr_expect_eq(8, w.npanels, "walk, TLB, flushes, GDT, LDT, IDT, TSS, memory");
}
