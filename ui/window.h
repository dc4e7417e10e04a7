/* window.h - the SDL2 front end: a resizable window of panels drawn from
 * the text models (model.h) with the cell font (font.h) into a software
 * surface, keyboard and mouse control, and the machine run in slices
 * between frames.  The same drawing serves --screenshot with no window.
 *
 * Keys: F5 run/pause, F10 step over, F11 step, Shift-F11 step out, F9
 * breakpoint at the disassembly cursor (Up/Down move it), s run to the next
 * system call, m run to the next mode switch or exception, p paced/full
 * speed, Tab next view, r reset, q quit.  g opens an input line in the
 * status bar for the memory panel's address, w for the page-walk panel's
 * (a hex address or a symbol, "+hex" added; Enter sets it, Esc cancels,
 * Backspace deletes), x toggles the memory panel between linear and
 * physical addresses.  Mouse: click a disassembly line to toggle its
 * breakpoint, the wheel scrolls the panel under it.
 */
#ifndef RINGSIM_UI_WINDOW_H
#define RINGSIM_UI_WINDOW_H

#include <stdbool.h>
#include <stdint.h>
#include "ui/font.h"
#include "ui/session.h"
#include "ui/text.h"

struct SDL_Window;
struct SDL_Surface;

enum { UI_INPUT_NONE, UI_INPUT_MEM, UI_INPUT_WALK };
enum ui_view { UI_VIEW_MAIN, UI_VIEW_PAGING, UI_VIEW_NT, UI_VIEW_COUNT };

#define UI_MAX_PANELS 12
#define UI_DISASM_LINES 64
#define UI_PANEL_ROWS 160           /* rows a panel remembers (taller ones repaint whole) */

struct ui_panel_state {
    int x, y, w, h;                 /* pixels */
    int scroll;                     /* first line shown */
    int kind;                       /* which model */
    uint64_t drawn;                 /* a hash of its painted frame (0: not painted) */
    uint64_t row[UI_PANEL_ROWS];    /* a hash of each painted row (0: empty) */
};

struct ui_window {
    struct ui_session *s;
    struct SDL_Window *win;         /* NULL: off screen (screenshots, tests) */
    struct SDL_Surface *surface;    /* what is drawn */
    enum ui_view view;
    struct ui_panel_state panel[UI_MAX_PANELS];
    unsigned npanels;
    struct ui_text text;
    uint64_t disasm_pc[UI_DISASM_LINES];
    int disasm_cursor;              /* line of the disassembly panel, -1: the PC */
    int disasm_y, disasm_h;         /* where its lines are drawn */
    bool paced;                     /* small slices: watch it move */
    int input;                      /* UI_INPUT_*: the status bar reads an address */
    char input_text[64];
    size_t input_len;
    char input_skip;                /* the key that opened the input: its own text event */
    bool quit;
    uint64_t frames;
    int ndirty;                     /* the rectangles painted since the last present */
    int dirty[UI_MAX_PANELS + 1][4];
    struct ui_font font;            /* the compiled-in one unless set */
};

/* A window of w x h pixels (resizable), or an off-screen surface when
 * offscreen: 0, or -1 with err. */
int  ui_window_open(struct ui_window *w, struct ui_session *s, int width, int height,
                    bool offscreen, char *err, size_t errlen);
void ui_window_close(struct ui_window *w);
/* Draw with a TrueType font (a path, or "dejavu") in the same cells: 0,
 * or -1 with err and the font unchanged. */
int  ui_window_set_font(struct ui_window *w, const char *spec, char *err, size_t errlen);
/* Handle pending events, run one slice when running, draw: false once quit. */
bool ui_window_frame(struct ui_window *w);
/* Draw the current view into w->surface (no events, no running). */
void ui_window_draw(struct ui_window *w);
/* Until q or the window closes. */
void ui_window_run(struct ui_window *w);
/* One key, as the event loop sees it (tests call it through SDL events). */
void ui_window_key(struct ui_window *w, int sym, bool shift);
void ui_window_click(struct ui_window *w, int x, int y);
/* Typed text, as the window system's text events bring it (the input line). */
void ui_window_text(struct ui_window *w, const char *text);
/* Queue a key (SDL's key name: "F11", "S", "Tab") or a left click as the
 * window system would, for the next ui_window_frame: 0, or -1. */
int  ui_window_post_key(const char *name, bool shift);
int  ui_window_post_click(int x, int y);
int  ui_window_post_text(const char *text);
/* Draw a text model at (x, y), clipped to width pixels (tests, captions). */
void ui_window_draw_text(struct ui_window *w, int x, int y, int width, const struct ui_text *t);
/* The pixel at (x, y) as 0xAARRGGBB. */
uint32_t ui_window_pixel(const struct ui_window *w, int x, int y);
/* FNV-1a of the pixels inside a panel's rectangle (or the whole surface for
 * panel -1): deterministic with the cell font. */
uint64_t ui_window_hash(const struct ui_window *w, int panel);
/* Is there a display to open a window on (SDL_VIDEODRIVER, DISPLAY or
 * WAYLAND_DISPLAY set)? */
bool ui_display_available(void);
/* Write the surface as PNG: 0, or -1 with err. */
int  ui_window_png(const struct ui_window *w, const char *path, char *err, size_t errlen);
int  ui_view_parse(const char *name);     /* -1 when unknown */

#endif
