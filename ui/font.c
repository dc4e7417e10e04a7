/* font.c - the cell fonts (font.h): the compiled-in one decoded from its
 * rows, or a TrueType font rasterised once with SDL2_ttf into the same
 * cells, centred, at the largest size where every printable character's
 * advance fits UI_FONT_W and the line height fits UI_FONT_H. */
#include "ui/font.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PT 48
#define MIN_PT 4

void ui_font_builtin(struct ui_font *f)
{
    for (int c = 0; c < UI_FONT_GLYPHS; c++)
        for (int row = 0; row < UI_FONT_H; row++)
            for (int col = 0; col < UI_FONT_W; col++) {
                char b = ui_font_rows[c][row][col];
                f->alpha[c][row][col] = b == '#' ? 255 : b == '+' ? 170 : b == '.' ? 85 : 0;
            }
    f->pt = 0;
}

const uint8_t (*ui_font_glyph(const struct ui_font *f, int c))[UI_FONT_W]
{
    if (c < UI_FONT_FIRST || c > UI_FONT_LAST) c = '?';
    return f->alpha[c - UI_FONT_FIRST];
}

/* The widest advance of the printable characters at the font's current
 * size, or -1 when the font cannot measure one. */
static int widest(TTF_Font *font)
{
    int w = 0;
    for (Uint32 c = UI_FONT_FIRST; c <= UI_FONT_LAST; c++) {
        int adv;
        if (TTF_GlyphMetrics32(font, c, NULL, NULL, NULL, NULL, &adv) != 0) return -1;
        if (adv > w) w = adv;
    }
    return w;
}

/* Largest size that fits the cell: the size, or 0. */
static int fit(TTF_Font *font, int *adv, int *height)
{
    for (int pt = MAX_PT; pt >= MIN_PT; pt--) {
        if (TTF_SetFontSize(font, pt) != 0) return 0;
        int w = widest(font), h = TTF_FontHeight(font);
        if (w > 0 && w <= UI_FONT_W && h > 0 && h <= UI_FONT_H) {
            *adv = w, *height = h;
            return pt;
        }
    }
    return 0;
}

/* Glyph c rendered into cell (ox, oy) of out. */
static int render(TTF_Font *font, Uint32 c, int ox, int oy, uint8_t cell[UI_FONT_H][UI_FONT_W])
{
    SDL_Color white = { 255, 255, 255, 255 };
    memset(cell, 0, UI_FONT_H * UI_FONT_W);
    SDL_Surface *g = TTF_RenderGlyph32_Blended(font, c, white);
    SDL_Surface *a = g ? SDL_ConvertSurfaceFormat(g, SDL_PIXELFORMAT_ARGB8888, 0) : NULL;
    SDL_FreeSurface(g);
    if (!a) return c == ' ' ? 0 : -1;   /* an empty glyph may render as nothing */
    for (int y = 0; y < a->h && oy + y < UI_FONT_H; y++) {
        const Uint32 *px = (const Uint32 *)((const Uint8 *)a->pixels + y * a->pitch);
        for (int x = 0; x < a->w && ox + x < UI_FONT_W; x++) cell[oy + y][ox + x] = px[x] >> 24;
    }
    SDL_FreeSurface(a);
    return 0;
}

int ui_font_load(struct ui_font *f, const char *spec, char *err, size_t errlen)
{
    const char *path = strcmp(spec, "dejavu") ? spec : UI_FONT_DEJAVU;
    FILE *probe = fopen(path, "rb");
    if (!probe) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    fclose(probe);
    if (TTF_Init() != 0) {
        snprintf(err, errlen, "SDL2_ttf: %s", TTF_GetError());
        return -1;
    }
    int rc = -1, adv = 0, h = 0, pt = 0;
    struct ui_font *t = malloc(sizeof *t);
    TTF_Font *font = TTF_OpenFont(path, 11);
    if (!font) {
        snprintf(err, errlen, "%s: not a font SDL2_ttf can open (%s)", path, TTF_GetError());
    } else if (!t || !(pt = fit(font, &adv, &h))) {
        snprintf(err, errlen, "%s: no size from %d to %d pt fits a %dx%d cell", path, MIN_PT,
                 MAX_PT, UI_FONT_W, UI_FONT_H);
    } else {
        rc = 0;
        for (int c = UI_FONT_FIRST; c <= UI_FONT_LAST && rc == 0; c++)
            if (render(font, (Uint32)c, (UI_FONT_W - adv) / 2, (UI_FONT_H - h) / 2,
                       t->alpha[c - UI_FONT_FIRST]) != 0) {
                snprintf(err, errlen, "%s: cannot render '%c' (%s)", path, c, TTF_GetError());
                rc = -1;
            }
        t->pt = pt;
        if (rc == 0) *f = *t;
    }
    if (font) TTF_CloseFont(font);
    free(t);
    TTF_Quit();
    return rc;
}
