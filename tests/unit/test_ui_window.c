/* test_ui_window.c - the SDL2 window with SDL_VIDEODRIVER=dummy: keys
 * queued as the window system would queue them drive step, run, run to
 * the next system call and quit; a click on a disassembly line sets a
 * breakpoint; the pixels are deterministic (the cell font, our own
 * drawing), and a highlighted slot is drawn in the highlight colours. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "sim/symbols.h"
#include "ui/font.h"
#include "ui/model.h"
#include "ui/window.h"
#include "tests/unit/ui_boot.h"

static struct ui_session s, s2;
static struct ui_window w, w2;

static void setup(void)
{
    setenv("SDL_VIDEODRIVER", "dummy", 1);
}

static void teardown(void)
{
    ui_window_close(&w);
    ui_window_close(&w2);
    ui_session_close(&s);
    ui_session_close(&s2);
}
TestSuite(ui_window, .init = setup, .fini = teardown, .timeout = 120);

static uint64_t sym(const char *name)
{
    uint64_t a;
    cr_assert_eq(0, symtab_find(s.m->symbols, name, &a), "no symbol %s", name);
    return a;
}

static void open_window(bool offscreen)
{
    char err[256];
    ui_test_open(&s);
    cr_assert_eq(0, ui_window_open(&w, &s, 1600, 1000, offscreen, err, sizeof err), "%s", err);
}

Test(ui_window, keys_step_run_to_a_system_call_and_quit)
{
    open_window(false);
    uint64_t n = s.m->cpu.instret;
    cr_assert_eq(0, ui_window_post_key("F11", false));
    cr_assert(ui_window_frame(&w));
    cr_expect_eq(n + 1, s.m->cpu.instret, "F11 is one step");
    cr_assert_eq(0, ui_window_post_key("S", false));
    cr_assert(ui_window_frame(&w));
    for (int i = 0; i < 10000 && s.run != UI_PAUSED; i++) ui_window_frame(&w);
    uint64_t pc = s.m->cpu.rip;
    cr_expect(pc == sym("KiFastCallEntry") || pc == sym("KiSystemService"), "%s", s.status);
    cr_assert_eq(0, ui_window_post_key("F5", false));
    ui_window_frame(&w);
    cr_expect_eq(UI_RUNNING, s.run, "F5 runs");
    cr_assert_eq(0, ui_window_post_key("F5", false));
    ui_window_frame(&w);
    cr_expect_eq(UI_PAUSED, s.run, "F5 again pauses");
    cr_assert_eq(0, ui_window_post_key("Tab", false));
    ui_window_frame(&w);
    cr_expect_eq(UI_VIEW_PAGING, w.view);
    cr_assert_eq(0, ui_window_post_key("Q", false));
    cr_expect(!ui_window_frame(&w), "q quits");
}

Test(ui_window, shift_f11_steps_out_and_f10_steps_over)
{
    open_window(false);
    cr_assert_eq(0, ui_run_until(&s, sym("KiSystemServiceCall"), 400000000));
    uint64_t after = sym("KiSystemServiceCall") + 2;      /* call ebx: ff d3 */
    cr_assert_eq(0, ui_window_post_key("F10", false));
    for (int i = 0; i < 10000 && (ui_window_frame(&w), s.run != UI_PAUSED); i++) {}
    cr_expect_eq(after, s.m->cpu.rip, "%s", s.status);
    cr_assert_eq(0, ui_run_until(&s, sym("KiSystemServiceCall"), 400000000));
    cr_assert_eq(0, ui_window_post_key("F11", false));
    ui_window_frame(&w);
    cr_assert_neq(after, s.m->cpu.rip, "inside the service");
    cr_assert_eq(0, ui_window_post_key("F11", true));
    for (int i = 0; i < 10000 && (ui_window_frame(&w), s.run != UI_PAUSED); i++) {}
    cr_expect_eq(after, s.m->cpu.rip, "%s", s.status);
}

Test(ui_window, clicking_a_disassembly_line_toggles_its_breakpoint)
{
    open_window(false);
    cr_assert_eq(0, ui_run_until(&s, sym("KiSystemServiceCall"), 400000000));
    ui_window_frame(&w);                        /* lays the panels out */
    cr_assert_gt(w.disasm_h, 4);
    int line = 3, x = 40, y = w.disasm_y + line * UI_FONT_H + 2;
    uint64_t target = w.disasm_pc[line];
    cr_assert_eq(0, ui_window_post_click(x, y));
    ui_window_frame(&w);
    cr_expect(ui_break_at(&s, target), "a breakpoint at %#llx", (unsigned long long)target);
    cr_assert_eq(0, ui_window_post_click(x, y));
    ui_window_frame(&w);
    cr_expect(!ui_break_at(&s, target), "the second click removes it");
}

Test(ui_window, the_cell_font_draws_the_same_pixels_everywhere)
{
    char err[256];
    open_window(true);
    struct ui_text t = { 0 };
    ui_text_reset(&t, "");
    ui_line(&t);
    ui_put(&t, UI_HEAD, "SegCs ");
    ui_put(&t, UI_CHANGED, "0000001b");
    ui_line(&t);
    ui_put(&t, UI_GREY, "Dr0   00000000");
    ui_window_close(&w);
    cr_assert_eq(0, ui_window_open(&w, &s, 120, 2 * UI_FONT_H, true, err, sizeof err));
    ui_window_draw_text(&w, 0, 0, 120, &t);
    /* recorded from this drawing: font_data.c and the colour table fix it */
    cr_expect_eq(0x111f1c96182075b1ull, ui_window_hash(&w, -1), "hash %#llx",
                 (unsigned long long)ui_window_hash(&w, -1));
    ui_text_free(&t);
}

Test(ui_window, two_sessions_at_one_point_draw_identical_panels_and_highlights_show)
{
    char err[256];
    open_window(true);
    cr_assert_eq(0, ui_run_until(&s, sym("KiSystemServiceCall"), 400000000));
    ui_window_draw(&w);
    ui_test_open(&s2);
    cr_assert_eq(0, ui_window_open(&w2, &s2, 1600, 1000, true, err, sizeof err));
    uint64_t lin;
    cr_assert_eq(0, symtab_find(s2.m->symbols, "KiSystemServiceCall", &lin));
    cr_assert_eq(0, ui_run_until(&s2, lin, 400000000));
    ui_window_draw(&w2);
    for (unsigned p = 0; p < w.npanels; p++)
        cr_expect_eq(ui_window_hash(&w, (int)p), ui_window_hash(&w2, (int)p), "panel %u", p);
    cr_expect_eq(ui_window_hash(&w, -1), ui_window_hash(&w2, -1));
    /* the trap-frame panel (the 4th of the main view): SegCs's value cell is
     * drawn on the highlight background, Dr0's on the plain one */
    const struct ui_panel_state *tp = &w.panel[3];
    struct ui_text t = { 0 };
    ui_model_trapframe(&s, &t);
    int cs_row = -1, dr0_row = -1;
    for (size_t i = 0; i < t.n; i++) {
        if (strstr(t.v[i].text, " SegCs ")) cs_row = (int)i;
        if (strstr(t.v[i].text, " Dr0 ")) dr0_row = (int)i;
    }
    cr_assert(cs_row >= 0 && dr0_row >= 0);
    int top = tp->y + UI_FONT_H + 4 + 3, x = tp->x + 3 + 5 * UI_FONT_W;
    cr_expect_eq(0xFF4A3A12u, ui_window_pixel(&w, x, top + cs_row * UI_FONT_H), "the highlight background");
    cr_expect_eq(0xFF181A20u, ui_window_pixel(&w, x, top + dr0_row * UI_FONT_H), "the panel background");
    ui_text_free(&t);
    /* stepping changes the registers panel's pixels */
    uint64_t before = ui_window_hash(&w, 0);
    ui_step(&s);
    ui_window_draw(&w);
    cr_expect_neq(before, ui_window_hash(&w, 0));
}

/* A frame paints only the rows that changed: after steps, runs, a scroll
 * and a view switch, drawn frame by frame, the pixels equal those of a
 * second window drawing the same state whole, in every view. */
Test(ui_window, painting_only_what_changed_gives_the_pixels_of_a_whole_repaint)
{
    char err[256];
    open_window(true);
    ui_window_draw(&w);
    cr_assert_eq(0, ui_run_until(&s, sym("KiFastCallEntry"), 400000000));
    ui_window_draw(&w);
    for (int i = 0; i < 40; i++) {
        ui_step(&s);
        ui_window_draw(&w);
    }
    w.panel[4].scroll = 2;
    w.disasm_cursor = 3;
    ui_window_draw(&w);
    ui_run_insns(&s, 200000);
    for (int v = 0; v < UI_VIEW_COUNT; v++) {
        w.view = (enum ui_view)v;
        ui_window_draw(&w);
        ui_step(&s);
        ui_window_draw(&w);
        cr_assert_eq(0, ui_window_open(&w2, &s, 1600, 1000, true, err, sizeof err));
        w2.view = w.view;
        w2.disasm_cursor = w.disasm_cursor;
        ui_window_draw(&w2);        /* lays the panels out; a scroll repaints its panel whole */
        for (unsigned p = 0; p < UI_MAX_PANELS; p++) w2.panel[p].scroll = w.panel[p].scroll;
        ui_window_draw(&w2);
        for (unsigned p = 0; p < w.npanels; p++)
            cr_expect_eq(ui_window_hash(&w, (int)p), ui_window_hash(&w2, (int)p), "view %d panel %u",
                         v, p);
        cr_expect_eq(ui_window_hash(&w, -1), ui_window_hash(&w2, -1), "view %d", v);
        ui_window_close(&w2);
    }
}

/* ---- --screenshot ----------------------------------------------------------- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

Test(ui_window, screenshot_at_a_symbol_writes_a_png_of_the_main_view)
{
    const char *b = getenv("BUILD");
    char path[] = "/tmp/ringsim-shot-XXXXXX", cmd[512];
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    snprintf(cmd, sizeof cmd, "%s/ringsim --screenshot %s --at KiSystemServiceCall --serial null "
             "2>/dev/null", b && *b ? b : "build", path);
    int st = system(cmd);
    FILE *f = fopen(path, "rb");
    static unsigned char png[1 << 20];
    size_t n = f ? fread(png, 1, sizeof png, f) : 0;
    if (f) fclose(f);
    unlink(path);
    cr_assert_eq(0, st, "%s", cmd);
    cr_assert_gt(n, 33);
    cr_assert_eq(0, memcmp(png, "\x89PNG\r\n\x1a\n", 8));
    cr_assert_eq(0, memcmp(png + 12, "IHDR", 4));
    cr_expect_eq(1600, be32(png + 16));
    cr_expect_eq(1000, be32(png + 20));
    cr_expect_eq(8, png[24], "8 bits");
    cr_expect_eq(2, png[25], "RGB");
    size_t idat = 33;
    cr_assert_eq(0, memcmp(png + idat + 4, "IDAT", 4));
    uLongf raw_len = 1000 * (1 + 3 * 1600);
    unsigned char *raw = malloc(raw_len);
    cr_assert_eq(Z_OK, uncompress(raw, &raw_len, png + idat + 8, be32(png + idat)));
    cr_expect_eq(1000 * (1 + 3 * 1600), raw_len);
    cr_expect_eq(0, raw[0], "filter type None");
    free(raw);
    snprintf(cmd, sizeof cmd, "%s/ringsim --screenshot %s 2>/dev/null", b && *b ? b : "build", path);
    cr_expect_eq(2 << 8, system(cmd), "--screenshot without --at or --after is refused");
    snprintf(cmd, sizeof cmd, "%s/ringsim --screenshot %s --at NoSuchSymbol --serial null 2>/dev/null",
             b && *b ? b : "build", path);
    cr_expect_eq(2 << 8, system(cmd), "an unknown symbol is refused");
    unlink(path);
}
