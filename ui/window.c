/* window.c - the SDL2 window (window.h): panels laid out by view, each one
 * a text model drawn with the cell font into an ARGB surface (our own
 * pixels: identical on every machine and driver), then copied to the
 * window's surface.  No GL and no SDL renderer are needed.
 */
#include "ui/window.h"

#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "sim/symbols.h"
#include "ui/font.h"
#include "gdbstub/tcp.h"
#include "ui/model.h"

enum kind {
    K_REGS, K_DISASM, K_STACK, K_MEM, K_TRAPFRAME, K_TSS, K_PAGEWALK, K_TLB, K_SYSCALLS,
    K_EXC, K_MODES, K_CONSOLE, K_PROCS, K_GDT, K_IDT, K_COSTS, K_LDT, K_FLUSHES, K_TIMELINE,
};

/* Panels of a view as thousandths of the area under the status line. */
struct place { int kind, x0, y0, x1, y1; };
static const struct place view_main[] = {
    { K_REGS, 0, 0, 390, 420 }, { K_DISASM, 0, 420, 390, 780 }, { K_STACK, 0, 780, 390, 1000 },
    { K_TRAPFRAME, 390, 0, 640, 720 }, { K_PAGEWALK, 640, 0, 1000, 170 },
    { K_TLB, 640, 170, 1000, 470 }, { K_COSTS, 640, 470, 1000, 595 }, { K_TIMELINE, 640, 595, 1000, 720 },
    { K_SYSCALLS, 390, 720, 1000, 865 }, { K_CONSOLE, 390, 865, 1000, 1000 },
};
static const struct place view_paging[] = {
    { K_PAGEWALK, 0, 0, 500, 200 }, { K_TLB, 0, 200, 500, 720 }, { K_FLUSHES, 0, 720, 500, 1000 },
    { K_GDT, 500, 0, 1000, 270 }, { K_LDT, 500, 270, 1000, 370 }, { K_IDT, 500, 370, 1000, 620 },
    { K_TSS, 500, 620, 1000, 710 }, { K_MEM, 500, 710, 1000, 1000 },
};
static const struct place view_nt[] = {
    { K_PROCS, 0, 0, 600, 550 }, { K_CONSOLE, 600, 0, 1000, 550 }, { K_SYSCALLS, 0, 550, 600, 1000 },
    { K_EXC, 600, 550, 1000, 700 }, { K_MODES, 600, 700, 1000, 850 }, { K_COSTS, 600, 850, 1000, 1000 },
};
static const struct { const char *name; const struct place *p; unsigned n; } views[UI_VIEW_COUNT] = {
    { "main", view_main, sizeof view_main / sizeof view_main[0] },
    { "paging", view_paging, sizeof view_paging / sizeof view_paging[0] },
    { "nt", view_nt, sizeof view_nt / sizeof view_nt[0] },
};

int ui_view_parse(const char *name)
{
    for (int i = 0; i < UI_VIEW_COUNT; i++)
        if (!strcmp(name, views[i].name)) return i;
    return -1;
}

/* ---- pixels --------------------------------------------------------------- */

struct rgb { uint8_t r, g, b; };
static const struct rgb bg = { 24, 26, 32 }, title_bg = { 44, 48, 60 }, frame_c = { 70, 76, 92 };
static const struct { struct rgb fg, bg; } attr_color[UI_ATTR_COUNT] = {
    [UI_NORMAL] = { { 212, 212, 212 }, { 24, 26, 32 } },
    [UI_CHANGED] = { { 255, 214, 90 }, { 74, 58, 18 } },
    [UI_GREY] = { { 108, 110, 122 }, { 24, 26, 32 } },
    [UI_HEAD] = { { 110, 190, 255 }, { 24, 26, 32 } },
    [UI_PC] = { { 16, 16, 16 }, { 120, 200, 120 } },
    [UI_BREAK] = { { 255, 255, 255 }, { 170, 40, 40 } },
    [UI_BAR_ENTRY] = { { 255, 255, 255 }, { 60, 110, 200 } },
    [UI_BAR_DISPATCH] = { { 255, 255, 255 }, { 150, 90, 190 } },
    [UI_BAR_SERVICE] = { { 255, 255, 255 }, { 70, 160, 90 } },
    [UI_BAR_EXIT] = { { 255, 255, 255 }, { 210, 130, 50 } },
    [UI_TOUCHED] = { { 255, 255, 255 }, { 30, 120, 140 } },
};

static uint32_t pack(struct rgb c)
{
    return 0xFF000000u | (uint32_t)c.r << 16 | (uint32_t)c.g << 8 | c.b;
}

static void fill(SDL_Surface *s, int x, int y, int w, int h, struct rgb c)
{
    SDL_Rect r = { x, y, w, h };
    SDL_FillRect(s, &r, pack(c));
}

/* One character cell, background included, clipped at clip_x: the font's
 * coverage blends the background into the foreground. */
static void glyph(SDL_Surface *s, const struct ui_font *f, int x, int y, char ch, struct rgb fg,
                  struct rgb b, int clip_x)
{
    const uint8_t (*cov)[UI_FONT_W] = ui_font_glyph(f, (unsigned char)ch);
    uint32_t back = pack(b), fore = pack(fg);
    int w = UI_FONT_W;
    if (x + w > clip_x) w = clip_x - x;
    if (x + w > s->w) w = s->w - x;
    for (int row = 0; row < UI_FONT_H && y + row < s->h; row++) {
        uint32_t *px = (uint32_t *)((uint8_t *)s->pixels + (y + row) * s->pitch) + x;
        for (int col = 0; col < w; col++) {
            int a = cov[row][col];
            px[col] = a == 0 ? back : a == 255 ? fore
                    : pack((struct rgb){ (uint8_t)(b.r + (fg.r - b.r) * a / 255),
                                         (uint8_t)(b.g + (fg.g - b.g) * a / 255),
                                         (uint8_t)(b.b + (fg.b - b.b) * a / 255) });
        }
    }
}

static void text_at(struct ui_window *w, int x, int y, const char *str, struct rgb fg,
                    struct rgb b, int clip_x)
{
    for (; *str && x < clip_x; str++, x += UI_FONT_W)
        glyph(w->surface, &w->font, x, y, *str, fg, b, clip_x);
}

static void draw_line(struct ui_window *w, int x, int y, const struct ui_line *l, int clip_x)
{
    for (unsigned i = 0; i < l->len && x + (int)i * UI_FONT_W < clip_x; i++) {
        enum ui_attr a = ui_attr_at(l, i);
        glyph(w->surface, &w->font, x + (int)i * UI_FONT_W, y, l->text[i], attr_color[a].fg,
              attr_color[a].bg, clip_x);
    }
}

/* ---- panels ---------------------------------------------------------------- */

#define TITLE_H (UI_FONT_H + 4)
#define PAD 3

static void fill_model(struct ui_window *w, struct ui_panel_state *p, int rows, int cols)
{
    struct ui_session *s = w->s;
    struct ui_text *t = &w->text;
    unsigned r = rows > 0 ? (unsigned)rows : 1;
    switch (p->kind) {
    case K_REGS: ui_model_registers(s, t); break;
    case K_DISASM:
        ui_model_disasm(s, t, r < UI_DISASM_LINES ? r : UI_DISASM_LINES, w->disasm_pc, UI_DISASM_LINES);
        break;
    case K_STACK: ui_model_stack(s, t, r); break;
    case K_MEM: ui_model_memory(s, t, r); break;
    case K_TRAPFRAME: ui_model_trapframe(s, t); break;
    case K_TSS: ui_model_tss(s, t); break;
    case K_PAGEWALK: ui_model_pagewalk(s, t); break;
    case K_TLB: ui_model_tlb(s, t, 256); break;
    case K_SYSCALLS: ui_model_syscalls(s, t, r); break;
    case K_EXC: ui_model_exceptions(s, t, r); break;
    case K_MODES: ui_model_modes(s, t, r); break;
    case K_CONSOLE: ui_model_console(s, t, r, (unsigned)cols); break;
    case K_PROCS: ui_model_processes(s, t); break;
    case K_GDT: ui_model_gdt(s, t); break;
    case K_COSTS: ui_model_costs(s, t, r, (unsigned)cols); break;
    case K_LDT: ui_model_ldt(s, t); break;
    case K_FLUSHES: ui_model_flushes(s, t, r); break;
    case K_TIMELINE: ui_model_timeline(s, t, r); break;
    default: ui_model_idt(s, t, 256); break;
    }
}

static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
    const uint8_t *b = data;
    for (size_t i = 0; i < len; i++) h = (h ^ b[i]) * 0x100000001B3ull;
    return h;
}

/* A panel's frame: its place, its model and title, the disassembly cursor. */
static uint64_t frame_hash(const struct ui_window *w, const struct ui_panel_state *p)
{
    int geo[7] = { p->x, p->y, p->w, p->h, p->scroll, p->kind,
                   p->kind == K_DISASM ? w->disasm_cursor : 0 };
    uint64_t h = fnv(0xCBF29CE484222325ull, geo, sizeof geo);
    return fnv(h, w->text.title, strlen(w->text.title)) | 1;   /* never 0, "nothing drawn" */
}

/* One line as painted: its characters and spans (and the cursor's band). */
static uint64_t line_hash(const struct ui_line *l, bool band)
{
    uint64_t h = fnv(0xCBF29CE484222325ull, &l->len, sizeof l->len);
    h = fnv(h, l->text, l->len);
    for (unsigned k = 0; k < l->nspan; k++) {
        const struct ui_span *sp = &l->span[k];
        uint8_t e[5] = { (uint8_t)sp->start, (uint8_t)(sp->start >> 8), (uint8_t)sp->len,
                         (uint8_t)(sp->len >> 8), sp->attr };
        h = fnv(h, e, sizeof e);
    }
    return (h | 1) ^ band;          /* an empty row is 0 */
}

/* The next draw paints every panel whole. */
static void repaint_all(struct ui_window *w)
{
    for (unsigned i = 0; i < UI_MAX_PANELS; i++) w->panel[i].drawn = 0;
}

/* A rectangle to present; when there are too many, the whole surface. */
static void mark_dirty(struct ui_window *w, int x, int y, int width, int height)
{
    if (w->ndirty == UI_MAX_PANELS + 1) {
        x = y = 0;
        width = w->surface->w;
        height = w->surface->h;
        w->ndirty--;
    }
    int *r = w->dirty[w->ndirty++];
    r[0] = x, r[1] = y, r[2] = width, r[3] = height;
}

/* Paint what changed since the panel was last painted: everything when its
 * frame changed, else only the rows whose text or attributes did (a run at
 * full speed changes a few rows a frame; the rest of the pixels stay). */
static void draw_panel(struct ui_window *w, struct ui_panel_state *p)
{
    SDL_Surface *s = w->surface;
    int rows = (p->h - TITLE_H - 2 * PAD) / UI_FONT_H, cols = (p->w - 2 * PAD) / UI_FONT_W;
    fill_model(w, p, rows, cols);
    if (p->scroll > (int)w->text.n - 1) p->scroll = w->text.n ? (int)w->text.n - 1 : 0;
    int y0 = p->y + TITLE_H + PAD, clip = p->x + p->w - PAD;
    if (p->kind == K_DISASM) {
        w->disasm_y = y0;
        w->disasm_h = rows;
    }
    uint64_t fh = frame_hash(w, p);
    bool all = fh != p->drawn || rows > UI_PANEL_ROWS;
    if (all) {
        p->drawn = fh;
        fill(s, p->x, p->y, p->w, 1, frame_c);
        fill(s, p->x, p->y + p->h - 1, p->w, 1, frame_c);
        fill(s, p->x, p->y, 1, p->h, frame_c);
        fill(s, p->x + p->w - 1, p->y, 1, p->h, frame_c);
        fill(s, p->x + 1, p->y + TITLE_H, p->w - 2, p->h - TITLE_H - 1, bg);
        fill(s, p->x + 1, p->y + 1, p->w - 2, TITLE_H - 1, title_bg);
        char title[96];
        snprintf(title, sizeof title, "%s%s", w->text.title, p->scroll ? "  (scrolled)" : "");
        text_at(w, p->x + PAD, p->y + 2, title, attr_color[UI_HEAD].fg, title_bg, clip);
    }
    int first = -1, last = -1;
    for (int r = 0; r < rows; r++) {
        int i = p->scroll + r, y = y0 + r * UI_FONT_H;
        const struct ui_line *l = i < (int)w->text.n ? &w->text.v[i] : NULL;
        bool band = l && p->kind == K_DISASM && i == w->disasm_cursor;
        uint64_t lh = l ? line_hash(l, band) : 0;
        if (!all && r < UI_PANEL_ROWS && p->row[r] == lh) continue;
        if (r < UI_PANEL_ROWS) p->row[r] = lh;
        if (!all) fill(s, p->x + 1, y, p->w - 2, UI_FONT_H, bg);
        if (band) fill(s, p->x + 1, y, p->w - 2, UI_FONT_H, title_bg);
        if (l) draw_line(w, p->x + PAD, y, l, clip);
        if (first < 0) first = r;
        last = r;
    }
    if (all) mark_dirty(w, p->x, p->y, p->w, p->h);
    else if (first >= 0)
        mark_dirty(w, p->x, y0 + first * UI_FONT_H, p->w, (last - first + 1) * UI_FONT_H);
}

static void layout(struct ui_window *w)
{
    int top = UI_FONT_H + 6, W = w->surface->w, H = w->surface->h - top;
    const struct place *pl = views[w->view].p;
    w->npanels = views[w->view].n;
    for (unsigned i = 0; i < w->npanels; i++) {
        struct ui_panel_state *p = &w->panel[i];
        int scroll = p->kind == pl[i].kind ? p->scroll : 0;
        int x0 = W * pl[i].x0 / 1000, y0 = top + H * pl[i].y0 / 1000;
        int x1 = W * pl[i].x1 / 1000, y1 = top + H * pl[i].y1 / 1000;  /* tiles exactly */
        p->x = x0, p->y = y0, p->w = x1 - x0, p->h = y1 - y0;
        p->scroll = scroll;
        p->kind = pl[i].kind;
    }
}

void ui_window_draw(struct ui_window *w)
{
    SDL_Surface *s = w->surface;
    struct ui_session *ss = w->s;
    layout(w);
    char status[720], gdb[48] = "";
    if (ss->gdb)
        snprintf(gdb, sizeof gdb, " | gdb %s :%d", ss->gdb->attached ? "attached" : "listening",
                 ss->gdb_port);
    snprintf(status, sizeof status, " ringsim | %s view | %s%s%s | %llu insns, %llu cycles | "
             "F5 run/pause F10 over F11 step S-F11 out F9 break s syscall m mode p paced Tab view "
             "g memory at w walk at x linear/physical r reset q quit", views[w->view].name,
             ss->status, w->paced ? " (paced)" : "", gdb,
             (unsigned long long)cpu_instret_now(&ss->m->cpu),
             (unsigned long long)cpu_cycles_now(&ss->m->cpu));
    if (w->input)
        snprintf(status, sizeof status, " %s address (hex or symbol, Enter sets, Esc cancels): %s_",
                 w->input == UI_INPUT_MEM ? (ss->mem_phys ? "physical memory" : "memory")
                                          : "page-walk", w->input_text);
    fill(s, 0, 0, s->w, UI_FONT_H + 6, title_bg);
    text_at(w, 2, 3, status, attr_color[UI_NORMAL].fg, title_bg, s->w);
    mark_dirty(w, 0, 0, s->w, UI_FONT_H + 6);
    for (unsigned i = 0; i < w->npanels; i++) draw_panel(w, &w->panel[i]);
}

/* ---- window and events ------------------------------------------------------- */

/* The drawing surface: ARGB8888, or the window's own 32-bit XRGB format
 * (the same pixel values: presenting is then a copy, not a conversion). */
static int make_surface(struct ui_window *w, int width, int height)
{
    if (w->surface) SDL_FreeSurface(w->surface);
    uint32_t format = SDL_PIXELFORMAT_ARGB8888;
    SDL_Surface *ws = w->win ? SDL_GetWindowSurface(w->win) : NULL;
    if (ws && ws->format->format == SDL_PIXELFORMAT_RGB888) format = SDL_PIXELFORMAT_RGB888;
    w->surface = SDL_CreateRGBSurfaceWithFormat(0, width, height, 32, format);
    repaint_all(w);
    return w->surface ? 0 : -1;
}

bool ui_display_available(void)
{
    const char *v = getenv("SDL_VIDEODRIVER");
    return (v && *v) || getenv("DISPLAY") || getenv("WAYLAND_DISPLAY");
}

int ui_window_open(struct ui_window *w, struct ui_session *s, int width, int height,
                   bool offscreen, char *err, size_t errlen)
{
    memset(w, 0, sizeof *w);
    w->s = s;
    w->disasm_cursor = -1;
    ui_font_builtin(&w->font);
    if (!offscreen) {
        if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
            snprintf(err, errlen, "no window: %s", SDL_GetError());
            return -1;
        }
        w->win = SDL_CreateWindow("ringsim", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED,
                                  width, height, SDL_WINDOW_RESIZABLE);
        if (!w->win) {
            snprintf(err, errlen, "no window: %s", SDL_GetError());
            SDL_QuitSubSystem(SDL_INIT_VIDEO);
            return -1;
        }
    }
    if (make_surface(w, width, height) != 0) {
        snprintf(err, errlen, "no surface: %s", SDL_GetError());
        ui_window_close(w);
        return -1;
    }
    return 0;
}

void ui_window_close(struct ui_window *w)
{
    ui_text_free(&w->text);
    if (w->surface) SDL_FreeSurface(w->surface);
    if (w->win) {
        SDL_DestroyWindow(w->win);
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
    }
    memset(w, 0, sizeof *w);
}

static bool running(const struct ui_session *s)
{
    return s->run != UI_PAUSED && s->run != UI_ENDED;
}

/* ---- the address input line ------------------------------------------------- */

/* A hex number (0x optional) or a symbol, with an optional +hex offset: 0, or -1. */
static int parse_address(struct ui_session *s, const char *text, uint64_t *out)
{
    char name[sizeof ((struct ui_window *)0)->input_text], *plus, *end;
    uint64_t off = 0;
    snprintf(name, sizeof name, "%s", text);
    if ((plus = strchr(name, '+'))) {
        *plus++ = 0;
        off = strtoull(plus, &end, 16);
        if (!*plus || *end) return -1;
    }
    if (!*name) return -1;
    uint64_t v = strtoull(name, &end, 16);
    if (*end && (!s->m->symbols || symtab_find(s->m->symbols, name, &v) != 0)) return -1;
    *out = v + off;
    return 0;
}

static void input_open(struct ui_window *w, int kind, char key)
{
    w->input = kind;
    w->input_len = 0;
    w->input_text[0] = 0;
    w->input_skip = key;            /* the text event of the key that opened it */
}

void ui_window_text(struct ui_window *w, const char *text)
{
    if (!w->input) return;
    char skip = w->input_skip;
    w->input_skip = 0;
    if (skip && text[0] == skip && !text[1] && !w->input_len) return;
    for (; *text && w->input_len + 1 < sizeof w->input_text; text++)
        if (*text > ' ' && *text < 127) w->input_text[w->input_len++] = *text;
    w->input_text[w->input_len] = 0;
}

static void input_key(struct ui_window *w, int sym)
{
    struct ui_session *s = w->s;
    uint64_t a;
    w->input_skip = 0;
    switch (sym) {
    case SDLK_ESCAPE: w->input = UI_INPUT_NONE; break;
    case SDLK_BACKSPACE: if (w->input_len) w->input_text[--w->input_len] = 0; break;
    case SDLK_RETURN: case SDLK_KP_ENTER:
        if (parse_address(s, w->input_text, &a) != 0) {
            snprintf(s->status, sizeof s->status, "not an address or symbol: %.200s", w->input_text);
        } else if (w->input == UI_INPUT_MEM) {
            s->mem_addr = a;
            snprintf(s->status, sizeof s->status, "memory at %#llx", (unsigned long long)a);
        } else {
            s->walk_addr = a;
            snprintf(s->status, sizeof s->status, "page walk of %#llx", (unsigned long long)a);
        }
        w->input = UI_INPUT_NONE;
        break;
    default: break;                 /* characters come as text */
    }
}

void ui_window_key(struct ui_window *w, int sym, bool shift)
{
    struct ui_session *s = w->s;
    char err[256];
    if (w->input) {
        input_key(w, sym);
        return;
    }
    switch (sym) {
    case SDLK_g: input_open(w, UI_INPUT_MEM, 'g'); break;
    case SDLK_w: input_open(w, UI_INPUT_WALK, 'w'); break;
    case SDLK_x:
        s->mem_phys = !s->mem_phys;
        snprintf(s->status, sizeof s->status, "memory panel: %s addresses",
                 s->mem_phys ? "physical" : "linear");
        break;
    case SDLK_F5: if (running(s)) ui_pause(s); else ui_run(s, UI_RUNNING); break;
    case SDLK_F10: if (!running(s)) ui_step_over(s); break;
    case SDLK_F11:
        if (running(s)) break;
        if (shift) ui_step_out(s);
        else ui_step(s);
        break;
    case SDLK_F9: {
        uint64_t pc = s->m->cpu.seg[SEG_CS].base + s->m->cpu.rip;
        if (w->disasm_cursor >= 0 && w->disasm_cursor < UI_DISASM_LINES) pc = w->disasm_pc[w->disasm_cursor];
        ui_toggle_break(s, pc);
        break;
    }
    case SDLK_UP: if (w->disasm_cursor > 0) w->disasm_cursor--; break;
    case SDLK_DOWN: if (w->disasm_cursor < w->disasm_h - 1) w->disasm_cursor++; break;
    case SDLK_s: if (!running(s)) ui_run(s, UI_TO_SYSCALL); break;
    case SDLK_m: if (!running(s)) ui_run(s, UI_TO_MODE); break;
    case SDLK_p: w->paced = !w->paced; break;
    case SDLK_TAB: w->view = (enum ui_view)((w->view + 1) % UI_VIEW_COUNT); break;
    case SDLK_r:
        if (ui_session_reset(s, err, sizeof err) != 0) snprintf(s->status, sizeof s->status, "%s", err);
        break;
    case SDLK_q: case SDLK_ESCAPE: w->quit = true; break;
    default: break;
    }
}

int ui_window_set_font(struct ui_window *w, const char *spec, char *err, size_t errlen)
{
    if (ui_font_load(&w->font, spec, err, errlen) != 0) return -1;
    repaint_all(w);
    return 0;
}

static struct ui_panel_state *panel_at(struct ui_window *w, int x, int y)
{
    for (unsigned i = 0; i < w->npanels; i++) {
        struct ui_panel_state *p = &w->panel[i];
        if (x >= p->x && x < p->x + p->w && y >= p->y && y < p->y + p->h) return p;
    }
    return NULL;
}

void ui_window_click(struct ui_window *w, int x, int y)
{
    struct ui_panel_state *p = panel_at(w, x, y);
    if (!p || p->kind != K_DISASM || y < w->disasm_y) return;
    int line = (y - w->disasm_y) / UI_FONT_H + p->scroll;
    if (line < 0 || line >= w->disasm_h || line >= UI_DISASM_LINES) return;
    w->disasm_cursor = line;
    ui_toggle_break(w->s, w->disasm_pc[line]);
}

static void event(struct ui_window *w, const SDL_Event *e)
{
    int x, y;
    switch (e->type) {
    case SDL_QUIT: w->quit = true; break;
    case SDL_KEYDOWN: ui_window_key(w, e->key.keysym.sym, e->key.keysym.mod & KMOD_SHIFT); break;
    case SDL_TEXTINPUT: ui_window_text(w, e->text.text); break;
    case SDL_MOUSEBUTTONDOWN:
        if (e->button.button == SDL_BUTTON_LEFT) ui_window_click(w, e->button.x, e->button.y);
        break;
    case SDL_MOUSEWHEEL: {
        SDL_GetMouseState(&x, &y);
        struct ui_panel_state *p = panel_at(w, x, y);
        if (p) p->scroll = p->scroll - 3 * e->wheel.y < 0 ? 0 : p->scroll - 3 * e->wheel.y;
        break;
    }
    case SDL_WINDOWEVENT:
        if (e->window.event == SDL_WINDOWEVENT_SIZE_CHANGED)
            make_surface(w, e->window.data1, e->window.data2);
        else if (e->window.event == SDL_WINDOWEVENT_EXPOSED)
            mark_dirty(w, 0, 0, w->surface->w, w->surface->h);
        break;
    default: break;
    }
}

#define FRAME_SECONDS 0.05          /* full speed: 20 frames a second, ~10% of it drawing */

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

bool ui_window_frame(struct ui_window *w)
{
    SDL_Event e;
    if (w->win || SDL_WasInit(SDL_INIT_EVENTS))
        while (SDL_PollEvent(&e)) event(w, &e);
    if (w->quit || w->s->killed) return false;
    /* gdb beside the window: everything it sent, up to a frame's worth */
    double tg = seconds();
    while (ui_session_gdb(w->s, 0) && seconds() - tg < FRAME_SECONDS) {}
    if (running(w->s)) {
        /* paced: a small slice per frame; full speed: slices for a frame's time */
        double t0 = seconds();
        w->s->slice = w->paced ? 20000 : 500000;
        do ui_session_tick(w->s);
        while (!w->paced && running(w->s) && seconds() - t0 < FRAME_SECONDS);
    }
    ui_window_draw(w);
    if (w->win) {                   /* present what was painted */
        SDL_Surface *ws = SDL_GetWindowSurface(w->win);
        SDL_Rect r[UI_MAX_PANELS + 1];
        for (int i = 0; ws && i < w->ndirty; i++) {
            r[i] = (SDL_Rect){ w->dirty[i][0], w->dirty[i][1], w->dirty[i][2], w->dirty[i][3] };
            SDL_Rect d = r[i];
            SDL_BlitSurface(w->surface, &r[i], ws, &d);
        }
        if (ws && w->ndirty) SDL_UpdateWindowSurfaceRects(w->win, r, w->ndirty);
    }
    w->ndirty = 0;
    w->frames++;
    return true;
}

void ui_window_run(struct ui_window *w)
{
    /* Idle: wait for a key or a mouse event, or for gdb's next packet. */
    while (ui_window_frame(w))
        if (!running(w->s) && !(w->s->gdb && ui_session_gdb(w->s, 20)))
            SDL_WaitEventTimeout(NULL, w->s->gdb ? 5 : 50);
}

int ui_window_post_key(const char *name, bool shift)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_KEYDOWN;
    e.key.state = SDL_PRESSED;
    e.key.keysym.sym = SDL_GetKeyFromName(name);
    e.key.keysym.mod = shift ? KMOD_LSHIFT : KMOD_NONE;
    if (e.key.keysym.sym == SDLK_UNKNOWN) return -1;
    return SDL_PushEvent(&e) == 1 ? 0 : -1;
}

int ui_window_post_text(const char *text)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_TEXTINPUT;
    snprintf(e.text.text, sizeof e.text.text, "%s", text);
    return SDL_PushEvent(&e) == 1 ? 0 : -1;
}

int ui_window_post_click(int x, int y)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_MOUSEBUTTONDOWN;
    e.button.button = SDL_BUTTON_LEFT;
    e.button.state = SDL_PRESSED;
    e.button.x = x;
    e.button.y = y;
    return SDL_PushEvent(&e) == 1 ? 0 : -1;
}

void ui_window_draw_text(struct ui_window *w, int x, int y, int width, const struct ui_text *t)
{
    repaint_all(w);                 /* painted over */
    for (size_t i = 0; i < t->n; i++, y += UI_FONT_H) draw_line(w, x, y, &t->v[i], x + width);
}

uint32_t ui_window_pixel(const struct ui_window *w, int x, int y)
{
    const SDL_Surface *s = w->surface;
    if (x < 0 || y < 0 || x >= s->w || y >= s->h) return 0;
    return ((const uint32_t *)((const uint8_t *)s->pixels + y * s->pitch))[x];
}

uint64_t ui_window_hash(const struct ui_window *w, int panel)
{
    const SDL_Surface *s = w->surface;
    int x0 = 0, y0 = 0, x1 = s->w, y1 = s->h;
    if (panel >= 0 && (unsigned)panel < w->npanels) {
        const struct ui_panel_state *p = &w->panel[panel];
        x0 = p->x, y0 = p->y, x1 = p->x + p->w, y1 = p->y + p->h;
    }
    uint64_t h = 0xcbf29ce484222325ull;
    for (int y = y0; y < y1; y++) {
        const uint32_t *px = (const uint32_t *)((const uint8_t *)s->pixels + y * s->pitch);
        for (int x = x0; x < x1; x++) {
            h ^= px[x] & 0xFFFFFF;
            h *= 0x100000001b3ull;
        }
    }
    return h;
}
