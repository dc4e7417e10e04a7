/* text.c - the panels' text model (text.h). */
#include "ui/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ui_text_reset(struct ui_text *t, const char *title)
{
    snprintf(t->title, sizeof t->title, "%s", title);
    t->n = 0;
}

void ui_text_free(struct ui_text *t)
{
    free(t->v);
    memset(t, 0, sizeof *t);
}

void ui_line(struct ui_text *t)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 32;
        struct ui_line *v = realloc(t->v, cap * sizeof *v);
        if (!v) abort();
        t->v = v;
        t->cap = cap;
    }
    struct ui_line *l = &t->v[t->n++];
    l->len = 0;
    l->nspan = 0;
    l->text[0] = 0;
}

void ui_put(struct ui_text *t, enum ui_attr attr, const char *fmt, ...)
{
    if (!t->n) ui_line(t);
    struct ui_line *l = &t->v[t->n - 1];
    size_t room = sizeof l->text - l->len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(l->text + l->len, room, fmt, ap);
    va_end(ap);
    if (n <= 0) return;
    size_t added = (size_t)n < room ? (size_t)n : room - 1;
    struct ui_span *last = l->nspan ? &l->span[l->nspan - 1] : NULL;
    if (last && last->attr == attr) last->len = (uint16_t)(last->len + added);
    else if (l->nspan < UI_SPANS_MAX)
        l->span[l->nspan++] = (struct ui_span){ l->len, (uint16_t)added, (uint8_t)attr };
    else last->len = (uint16_t)(last->len + added);     /* out of spans: the last one grows */
    l->len = (uint16_t)(l->len + added);
}

const struct ui_line *ui_find(const struct ui_text *t, const char *needle)
{
    for (size_t i = 0; i < t->n; i++)
        if (strstr(t->v[i].text, needle)) return &t->v[i];
    return NULL;
}

enum ui_attr ui_attr_at(const struct ui_line *l, size_t col)
{
    for (unsigned i = 0; i < l->nspan; i++)
        if (col >= l->span[i].start && col < (size_t)l->span[i].start + l->span[i].len)
            return (enum ui_attr)l->span[i].attr;
    return UI_NORMAL;
}

int ui_attr_of(const struct ui_line *l, const char *needle)
{
    const char *p = strstr(l->text, needle);
    return p ? (int)ui_attr_at(l, (size_t)(p - l->text)) : -1;
}
