/* png.c - the window's surface as a PNG file (PNG specification, ISO/IEC
 * 15948: IHDR, one zlib IDAT of filter-0 RGB rows, IEND), with zlib. */
#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "ui/window.h"

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

static int chunk(FILE *f, const char *type, const uint8_t *data, uint32_t len)
{
    uint8_t head[8], tail[4];
    be32(head, len);
    memcpy(head + 4, type, 4);
    uLong crc = crc32(0, head + 4, 4);
    if (len) crc = crc32(crc, data, len);
    be32(tail, (uint32_t)crc);
    return fwrite(head, 1, 8, f) == 8 && (!len || fwrite(data, 1, len, f) == len) &&
           fwrite(tail, 1, 4, f) == 4 ? 0 : -1;
}

int ui_window_png(const struct ui_window *w, const char *path, char *err, size_t errlen)
{
    const SDL_Surface *s = w->surface;
    size_t row = 1 + 3 * (size_t)s->w, raw_len = row * (size_t)s->h;
    uint8_t *raw = malloc(raw_len);
    uLongf z_len = compressBound(raw_len);
    uint8_t *z = malloc(z_len);
    if (!raw || !z) {
        free(raw);
        free(z);
        return snprintf(err, errlen, "out of host memory"), -1;
    }
    for (int y = 0; y < s->h; y++) {
        const uint32_t *px = (const uint32_t *)((const uint8_t *)s->pixels + y * s->pitch);
        uint8_t *o = raw + row * (size_t)y;
        *o++ = 0;                                   /* filter type None */
        for (int x = 0; x < s->w; x++) {
            *o++ = (uint8_t)(px[x] >> 16), *o++ = (uint8_t)(px[x] >> 8), *o++ = (uint8_t)px[x];
        }
    }
    int rc = compress2(z, &z_len, raw, raw_len, 9) == Z_OK ? 0 : -1;
    FILE *f = rc ? NULL : fopen(path, "wb");
    if (!f) {
        snprintf(err, errlen, rc ? "zlib refused the image" : "cannot write %s", path);
        rc = -1;
    } else {
        static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' };
        uint8_t ihdr[13];
        be32(ihdr, (uint32_t)s->w);
        be32(ihdr + 4, (uint32_t)s->h);
        ihdr[8] = 8, ihdr[9] = 2, ihdr[10] = 0, ihdr[11] = 0, ihdr[12] = 0;    /* 8-bit RGB */
        rc = fwrite(sig, 1, 8, f) == 8 && chunk(f, "IHDR", ihdr, 13) == 0 &&
             chunk(f, "IDAT", z, (uint32_t)z_len) == 0 && chunk(f, "IEND", NULL, 0) == 0 ? 0 : -1;
        if (fclose(f) != 0) rc = -1;
        if (rc) snprintf(err, errlen, "cannot write %s", path);
    }
    free(raw);
    free(z);
    return rc;
}
