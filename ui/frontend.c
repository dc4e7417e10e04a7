/* frontend.c - the command line's way into the UI (frontend.h). */
#include "ui/frontend.h"

#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gdbstub/tcp.h"
#include "sim/symbols.h"
#include "ui/window.h"

#define SCREEN_W 1600
#define SCREEN_H 1000

/* The ramdisk's directory (tools/mkramdisk.c): "RSRAMDK1", a count, then
 * 64-byte entries of name[56], offset, size. */
int ui_ramdisk_symbols(struct symtab *t, const void *ramdisk, size_t len, const char *name)
{
    const uint8_t *rd = ramdisk;
    if (len < 16 || memcmp(rd, "RSRAMDK1", 8) != 0) return -1;
    uint32_t count;
    memcpy(&count, rd + 8, 4);
    for (uint32_t i = 0; i < count && 16 + 64 * (size_t)(i + 1) <= len; i++) {
        const uint8_t *e = rd + 16 + 64 * (size_t)i;
        uint32_t off, size;
        memcpy(&off, e + 56, 4);
        memcpy(&size, e + 60, 4);
        if (strncmp((const char *)e, name, 56) != 0 || off > len || size > len - off) continue;
        return symtab_add_elf(t, rd + off, size, 0);
    }
    return -1;
}

/* The window's font as asked; a font that cannot be used leaves the
 * built-in one, with a message. */
static void set_font(struct ui_window *w, const struct ui_options *o)
{
    char err[512];
    if (o->font && ui_window_set_font(w, o->font, err, sizeof err) != 0)
        fprintf(stderr, "ringsim: --font: %s; the built-in font instead\n", err);
}

static int screenshot(struct ui_session *s, const struct ui_options *o)
{
    char err[256];
    if (o->at) {
        uint64_t lin;
        if (!s->m->symbols || symtab_find(s->m->symbols, o->at, &lin) != 0) {
            fprintf(stderr, "ringsim: --at: no symbol %s\n", o->at);
            return 2;
        }
        if (ui_run_until(s, lin, ~0ull >> 2) != 0) {
            fprintf(stderr, "ringsim: --at: %s was never reached (%s)\n", o->at, s->status);
            return 1;
        }
        snprintf(s->status, sizeof s->status, "stopped at %s", o->at);
    } else {
        ui_run_insns(s, o->after);
        if (s->run != UI_ENDED) snprintf(s->status, sizeof s->status, "after %llu instructions",
                                         (unsigned long long)o->after);
    }
    struct ui_window w;
    if (ui_window_open(&w, s, SCREEN_W, SCREEN_H, true, err, sizeof err) != 0) {
        fprintf(stderr, "ringsim: %s\n", err);
        return 1;
    }
    w.view = (enum ui_view)o->view;
    set_font(&w, o);
    ui_window_draw(&w);
    int rc = ui_window_png(&w, o->screenshot, err, sizeof err);
    if (rc) fprintf(stderr, "ringsim: %s\n", err);
    else fprintf(stderr, "ringsim: wrote %s (%s view, %dx%d)\n", o->screenshot,
                 o->view == UI_VIEW_PAGING ? "paging" : o->view == UI_VIEW_NT ? "nt" : "main",
                 SCREEN_W, SCREEN_H);
    ui_window_close(&w);
    return rc ? 1 : 0;
}

int ui_frontend(const struct machine_options *mopt, ui_boot_fn *boot, void *ctx,
                const struct ui_options *o)
{
    struct ui_session s;
    char err[256];
    if (ui_session_open(&s, mopt, boot, ctx, err, sizeof err) != 0) {
        fprintf(stderr, "ringsim: %s\n", err);
        return 2;
    }
    if (o->walk) s.walk_addr = strtoull(o->walk, NULL, 0);
    int rc;
    if (o->screenshot) {
        rc = screenshot(&s, o);
    } else {
        struct ui_window w;
        if (ui_window_open(&w, &s, SCREEN_W, SCREEN_H, false, err, sizeof err) != 0) {
            fprintf(stderr, "ringsim: %s: the console instead\n", err);
            ui_session_close(&s);
            return UI_NO_WINDOW;
        }
        fprintf(stderr, "ringsim: the window is open (SDL video driver %s); COM1 is its console "
                "panel\n", SDL_GetCurrentVideoDriver() ? SDL_GetCurrentVideoDriver() : "?");
        struct gdb_server g;
        if (o->gdb) {
            gdb_server_init(&g, s.m, o->gdb_fd);
            ui_session_attach_gdb(&s, &g, o->gdb_port, o->wait_gdb);
        }
        w.view = (enum ui_view)o->view;
        set_font(&w, o);
        ui_window_run(&w);
        ui_window_close(&w);
        if (o->gdb) gdb_server_free(&g);
        rc = o->finish(s.m, ctx);
    }
    ui_session_close(&s);
    return rc;
}
