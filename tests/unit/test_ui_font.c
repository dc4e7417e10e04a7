/* test_ui_font.c - the window with a TrueType font (SDL2_ttf, DejaVu Sans
 * Mono from fonts-dejavu-core) instead of the compiled-in one: the glyphs
 * land in the same cells (the layout and the text models do not change,
 * the pixels do), a font that cannot be used leaves the compiled-in one
 * with a message, and --screenshot --font writes the TrueType pixels. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "ui/font.h"
#include "ui/model.h"
#include "ui/window.h"
#include "tests/unit/ui_boot.h"

static struct ui_session s;
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
}
TestSuite(ui_font, .init = setup, .fini = teardown, .timeout = 120);

static long coverage(const struct ui_font *f, int c)
{
    const uint8_t (*g)[UI_FONT_W] = ui_font_glyph(f, c);
    long sum = 0;
    for (int row = 0; row < UI_FONT_H; row++)
        for (int col = 0; col < UI_FONT_W; col++) sum += g[row][col];
    return sum;
}

Test(ui_font, dejavu_is_rasterised_into_the_cells_of_the_built_in_font)
{
    static struct ui_font f, b;
    char err[512];
    memset(&f, 0xAA, sizeof f);
    cr_assert_eq(0, ui_font_load(&f, "dejavu", err, sizeof err), "%s", err);
    ui_font_builtin(&b);
    cr_expect_eq(0, b.pt);
    /* 11 pt is the largest size at which DejaVu Sans Mono fits 7x13 */
    cr_expect_eq(11, f.pt);
    cr_expect_gt(coverage(&f, 'A'), 255 * 4, "'A' is drawn");
    cr_expect_gt(coverage(&f, '#'), coverage(&f, '.'), "'#' covers more than '.'");
    cr_expect_eq(0, coverage(&f, ' '), "a space covers nothing");
    cr_expect_eq(coverage(&f, '?'), coverage(&f, 0x7F), "outside ASCII: '?'");
    /* the compiled-in font was generated from the same file at 11 pt with
     * four levels: quantised alike, nearly every glyph is the same (a
     * different FreeType may move a few pixels) */
    int same = 0, finer = 0;
    for (int c = UI_FONT_FIRST; c <= UI_FONT_LAST; c++) {
        const uint8_t (*g)[UI_FONT_W] = ui_font_glyph(&f, c), (*o)[UI_FONT_W] = ui_font_glyph(&b, c);
        bool eq = true;
        for (int row = 0; row < UI_FONT_H; row++)
            for (int col = 0; col < UI_FONT_W; col++) {
                int a = g[row][col];
                if ((a * 3 + 127) / 255 * 85 != o[row][col]) eq = false;
                if (a % 85) finer++;
            }
        same += eq;
    }
    cr_expect_geq(same, UI_FONT_GLYPHS * 9 / 10, "%d of %d glyphs as compiled in", same, UI_FONT_GLYPHS);
    cr_expect_gt(finer, 0, "more than four levels of coverage");
}

Test(ui_font, dejavu_keeps_the_layout_and_the_text_models_and_changes_the_pixels)
{
    char err[512];
    ui_test_open(&s);
    ui_run_insns(&s, 2000000);
    cr_assert_eq(0, ui_window_open(&w, &s, 1600, 1000, true, err, sizeof err), "%s", err);
    cr_assert_eq(0, ui_window_open(&w2, &s, 1600, 1000, true, err, sizeof err), "%s", err);
    ui_window_draw(&w2);            /* painted once with the compiled-in font: */
    cr_assert_eq(0, ui_window_set_font(&w2, "dejavu", err, sizeof err), "%s", err);
    size_t compared = 0;
    for (int v = 0; v < UI_VIEW_COUNT; v++) {
        w.view = w2.view = (enum ui_view)v;
        ui_window_draw(&w);
        ui_window_draw(&w2);
        cr_assert_eq(w.npanels, w2.npanels);
        cr_expect_eq(w.disasm_y, w2.disasm_y);
        cr_expect_eq(w.disasm_h, w2.disasm_h);
        for (unsigned p = 0; p < w.npanels; p++) {
            cr_expect_eq(0, memcmp(&w.panel[p], &w2.panel[p], sizeof w.panel[p]), "view %d panel %u", v, p);
            /* every panel repainted in the new font */
            cr_expect_neq(ui_window_hash(&w, (int)p), ui_window_hash(&w2, (int)p), "view %d panel %u", v, p);
        }
        /* the last panel drawn: the same text model line for line */
        cr_assert_eq(w.text.n, w2.text.n, "view %d", v);
        compared += w.text.n;
        cr_expect_str_eq(w.text.title, w2.text.title);
        for (size_t i = 0; i < w.text.n; i++)
            cr_expect_str_eq(w.text.v[i].text, w2.text.v[i].text, "view %d line %zu", v, i);
        /* outside the glyphs (a panel's frame) nothing changes */
        cr_expect_eq(ui_window_pixel(&w, w.panel[0].x, w.panel[0].y + 5),
                     ui_window_pixel(&w2, w2.panel[0].x, w2.panel[0].y + 5));
    }
    cr_expect_gt(compared, 4, "lines of text models compared");
}

/* "SegCs 0000001b" in the highlight, "Dr0" in grey, as test_ui_window.c
 * draws it: the hash recorded there is the compiled-in font's. */
static uint64_t draw_sample(struct ui_window *win)
{
    struct ui_text t = { 0 };
    ui_text_reset(&t, "");
    ui_line(&t);
    ui_put(&t, UI_HEAD, "SegCs ");
    ui_put(&t, UI_CHANGED, "0000001b");
    ui_line(&t);
    ui_put(&t, UI_GREY, "Dr0   00000000");
    ui_window_draw_text(win, 0, 0, 120, &t);
    ui_text_free(&t);
    return ui_window_hash(win, -1);
}

#define BUILTIN_SAMPLE 0x111f1c96182075b1ull

Test(ui_font, a_font_that_cannot_be_used_leaves_the_built_in_one)
{
    char err[512], junk[] = "/tmp/ringsim-font-XXXXXX";
    ui_test_open(&s);
    cr_assert_eq(0, ui_window_open(&w, &s, 120, 2 * UI_FONT_H, true, err, sizeof err), "%s", err);
    cr_assert_eq(BUILTIN_SAMPLE, draw_sample(&w));

    err[0] = 0;
    cr_expect_eq(-1, ui_window_set_font(&w, "/nonexistent/font.ttf", err, sizeof err));
    cr_expect(strstr(err, "/nonexistent/font.ttf") && strstr(err, "No such file"), "%s", err);
    cr_expect_eq(BUILTIN_SAMPLE, draw_sample(&w), "still the compiled-in font");

    int fd = mkstemp(junk);
    cr_assert_geq(fd, 0);
    cr_assert_eq(22, write(fd, "this is not a TrueType", 22));
    close(fd);
    err[0] = 0;
    cr_expect_eq(-1, ui_window_set_font(&w, junk, err, sizeof err));
    unlink(junk);
    cr_expect(strstr(err, junk) && strstr(err, "not a font"), "%s", err);
    cr_expect_eq(BUILTIN_SAMPLE, draw_sample(&w), "still the compiled-in font");

    cr_assert_eq(0, ui_window_set_font(&w, UI_FONT_DEJAVU, err, sizeof err), "%s", err);
    cr_expect_neq(BUILTIN_SAMPLE, draw_sample(&w), "a path works as well as 'dejavu'");
    cr_expect_eq(-1, ui_window_set_font(&w, "/nonexistent/font.ttf", err, sizeof err));
    cr_expect_neq(BUILTIN_SAMPLE, draw_sample(&w), "a failure keeps the font in use");
}

/* ---- --screenshot --font ------------------------------------------------------ */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The PNG's rows as ringsim writes them (one IDAT): malloc'd, *len set. */
static unsigned char *png_rows(const char *path, uLongf *len)
{
    static unsigned char png[1 << 20];
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(png, 1, sizeof png, f) : 0;
    if (f) fclose(f);
    cr_assert_gt(n, 41, "%s", path);
    cr_assert_eq(0, memcmp(png, "\x89PNG\r\n\x1a\n", 8));
    cr_assert_eq(0, memcmp(png + 37, "IDAT", 4));
    *len = be32(png + 20) * (1 + 3 * (uLongf)be32(png + 16));
    unsigned char *raw = malloc(*len);
    cr_assert_eq(Z_OK, uncompress(raw, len, png + 41, be32(png + 33)));
    return raw;
}

static int shot(const char *png, const char *font, const char *log)
{
    const char *b = getenv("BUILD");
    char cmd[768];
    snprintf(cmd, sizeof cmd, "%s/ringsim --screenshot %s --after 1000000 --serial null%s%s 2>%s",
             b && *b ? b : "build", png, font ? " --font " : "", font ? font : "", log);
    return system(cmd);
}

static bool file_has(const char *path, const char *what)
{
    static char text[4096];
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f) fclose(f);
    text[n] = 0;
    return strstr(text, what) != NULL;
}

Test(ui_font, screenshot_with_font_dejavu_and_with_a_missing_font)
{
    char plain[] = "/tmp/ringsim-shotA-XXXXXX", dejavu[] = "/tmp/ringsim-shotB-XXXXXX";
    char missing[] = "/tmp/ringsim-shotC-XXXXXX", log[] = "/tmp/ringsim-shotL-XXXXXX";
    char *paths[] = { plain, dejavu, missing, log };
    for (int i = 0; i < 4; i++) {
        int fd = mkstemp(paths[i]);
        cr_assert_geq(fd, 0);
        close(fd);
    }
    cr_assert_eq(0, shot(plain, NULL, "/dev/null"));
    cr_assert_eq(0, shot(dejavu, "dejavu", log));
    cr_expect(!file_has(log, "--font"), "no complaint about dejavu");
    cr_assert_eq(0, shot(missing, "/nonexistent/font.ttf", log), "a missing font is no failure");
    cr_expect(file_has(log, "--font: /nonexistent/font.ttf: No such file or directory; "
                            "the built-in font instead"), "the message");
    uLongf la, lb, lc;
    unsigned char *a = png_rows(plain, &la), *b = png_rows(dejavu, &lb), *c = png_rows(missing, &lc);
    cr_expect_eq(1000 * (1 + 3 * 1600), la);
    cr_expect_eq(la, lb, "the same size");
    cr_expect(la == lb && memcmp(a, b, la) != 0, "DejaVu through SDL2_ttf draws other pixels");
    cr_expect(la == lc && memcmp(a, c, la) == 0, "the missing font: the compiled-in pixels");
    free(a), free(b), free(c);
    for (int i = 0; i < 4; i++) unlink(paths[i]);
}
