/* text.h - the text model every panel draws: lines of characters, each line
 * cut into spans with one attribute (normal, changed since the last stop,
 * grey for not yet written, a heading, the PC or a breakpoint).  Panels
 * fill one of these from the machine's state; the window only paints it, and
 * the tests read it.  No SDL here.
 */
#ifndef RINGSIM_UI_TEXT_H
#define RINGSIM_UI_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ui_attr {
    UI_NORMAL, UI_CHANGED, UI_GREY, UI_HEAD, UI_PC, UI_BREAK,
    UI_BAR_ENTRY, UI_BAR_DISPATCH, UI_BAR_SERVICE, UI_BAR_EXIT,   /* a system call's phases */
    UI_TOUCHED,                     /* read or written by the last instruction */
    UI_ATTR_COUNT,
};

#define UI_LINE_MAX 160
#define UI_SPANS_MAX 48

struct ui_span { uint16_t start, len; uint8_t attr; };
struct ui_line {
    char text[UI_LINE_MAX];
    uint16_t len;
    uint8_t nspan;
    struct ui_span span[UI_SPANS_MAX];
};
struct ui_text {
    char title[64];
    struct ui_line *v;
    size_t n, cap;
};

void ui_text_reset(struct ui_text *t, const char *title);
void ui_text_free(struct ui_text *t);
/* Start a new line. */
void ui_line(struct ui_text *t);
/* Append printf-formatted text to the last line with one attribute (a line
 * is started if there is none); text past UI_LINE_MAX is cut. */
void ui_put(struct ui_text *t, enum ui_attr attr, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The first line containing needle, or NULL: tests and the mouse. */
const struct ui_line *ui_find(const struct ui_text *t, const char *needle);
/* The attribute of the character at column col of line l (UI_NORMAL past the spans). */
enum ui_attr ui_attr_at(const struct ui_line *l, size_t col);
/* The attribute of the first occurrence of needle in l, or -1 if absent. */
int ui_attr_of(const struct ui_line *l, const char *needle);

#endif
