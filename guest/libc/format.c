/* format.c - the printf formatter shared by the C runtime (printf,
 * snprintf ...) and ntdll (DbgPrint).  C99 vsnprintf semantics: at most
 * size - 1 characters and a terminator are stored, the return value is the
 * length the whole result would have.  Conversions: %d %i %u %x %X %o %c
 * %s %p %%; flags '-' and '0'; a width or '*'; a precision for %s; the
 * length modifiers 'l' and 'h' (int and long are both 32 bits in the
 * guest).  Plain C with no library calls, so the host tests build it too. */
#include <stdarg.h>
#include <stddef.h>
#include "format.h"

struct out {
    char  *buf;
    size_t size;
    size_t len;                         /* characters produced so far */
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void pad(struct out *o, char c, int n)
{
    while (n-- > 0)
        put(o, c);
}

/* One field: sign or prefix, then digits or text, padded to width. */
static void field(struct out *o, const char *prefix, const char *body, int bodylen,
                  int width, int left, int zero)
{
    int plen = 0;
    while (prefix[plen])
        plen++;
    int fill = width - plen - bodylen;
    if (!left && !zero)
        pad(o, ' ', fill);
    for (int i = 0; i < plen; i++)
        put(o, prefix[i]);
    if (!left && zero)
        pad(o, '0', fill);
    for (int i = 0; i < bodylen; i++)
        put(o, body[i]);
    if (left)
        pad(o, ' ', fill);
}

/* Digits of v in base, most significant first, into buf (room for 22). */
static int digits(char *buf, unsigned long v, unsigned base, int upper)
{
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[22];
    int n = 0;
    do {
        tmp[n++] = set[v % base];
        v /= base;
    } while (v);
    for (int i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    return n;
}

/* An unsigned argument: 'l' reads an unsigned long, else an unsigned int
 * (the same size in the guest; not on a 64-bit host running the tests). */
#define UARG(ap, islong) ((islong) ? va_arg(ap, unsigned long) : (unsigned long)va_arg(ap, unsigned))

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = { buf, size, 0 };
    char num[22];

    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        int left = 0, zero = 0, width = 0, prec = -1;
        for (fmt++; *fmt == '-' || *fmt == '0'; fmt++) {
            if (*fmt == '-') left = 1;
            else zero = 1;
        }
        if (*fmt == '*') {
            width = va_arg(ap, int);
            if (width < 0) { left = 1; width = -width; }
            fmt++;
        } else {
            while (*fmt >= '0' && *fmt <= '9')
                width = width * 10 + (*fmt++ - '0');
        }
        if (*fmt == '.') {
            prec = 0;
            for (fmt++; *fmt >= '0' && *fmt <= '9'; fmt++)
                prec = prec * 10 + (*fmt - '0');
        }
        int islong = 0;
        for (; *fmt == 'l' || *fmt == 'h'; fmt++)
            islong |= *fmt == 'l';
        if (left)
            zero = 0;

        switch (*fmt) {
        case 'd': case 'i': {
            long v = islong ? va_arg(ap, long) : va_arg(ap, int);
            unsigned long mag = v < 0 ? 0ul - (unsigned long)v : (unsigned long)v;
            field(&o, v < 0 ? "-" : "", num, digits(num, mag, 10, 0), width, left, zero);
            break;
        }
        case 'u':
            field(&o, "", num, digits(num, UARG(ap, islong), 10, 0), width, left, zero);
            break;
        case 'x': case 'X':
            field(&o, "", num, digits(num, UARG(ap, islong), 16, *fmt == 'X'), width, left, zero);
            break;
        case 'o':
            field(&o, "", num, digits(num, UARG(ap, islong), 8, 0), width, left, zero);
            break;
        case 'p':               /* 0x and eight hex digits, as the guest's pointers are */
            {
                unsigned long p = (unsigned long)(size_t)va_arg(ap, void *);
                char hex[8];
                for (int i = 7; i >= 0; i--, p >>= 4)
                    hex[i] = "0123456789abcdef"[p & 15];
                field(&o, "0x", hex, 8, width, left, 0);
            }
            break;
        case 'c':
            num[0] = (char)va_arg(ap, int);
            field(&o, "", num, 1, width, left, 0);
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            int n = 0;
            while (s[n] && (prec < 0 || n < prec))
                n++;
            field(&o, "", s, n, width, left, 0);
            break;
        }
        case '%':
            put(&o, '%');
            break;
        case '\0':              /* a lone '%' at the end */
            fmt--;
            break;
        default:                /* unknown: print it as written */
            put(&o, '%');
            put(&o, *fmt);
            break;
        }
    }
    if (size)
        o.buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}
