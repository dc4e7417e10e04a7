/* rtl.c - the run-time library: the memory helpers the compiler may call
 * (memset, memcpy) and DbgPrint, a small printf that writes to the HAL's
 * console (COM1 and the debug port). */
#include <stdarg.h>
#include "../inc/rtl.h"
#include "../inc/hal.h"

void *memset(void *d, int c, size_t n)
{
    UCHAR *p = d;
    while (n--) *p++ = (UCHAR)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    UCHAR *p = d;
    const UCHAR *q = s;
    while (n--) *p++ = *q++;
    return d;
}

void RtlZeroMemory(PVOID Destination, size_t Length) { memset(Destination, 0, Length); }
void RtlFillMemory(PVOID Destination, size_t Length, UCHAR Fill) { memset(Destination, Fill, Length); }

/* One number in base 10 or 16 into the buffer's tail; returns its start. */
static char *RtlpFormatNumber(char *end, ULONG Value, ULONG Base, int Upper)
{
    const char *digits = Upper ? "0123456789ABCDEF" : "0123456789abcdef";
    *--end = 0;
    do {
        *--end = digits[Value % Base];
        Value /= Base;
    } while (Value);
    return end;
}

static void RtlpPad(char **out, char *limit, int count, char fill)
{
    while (count-- > 0 && *out < limit) *(*out)++ = fill;
}

static void RtlpCopy(char **out, char *limit, const char *s)
{
    while (*s && *out < limit) *(*out)++ = *s++;
}

static void RtlpVFormat(char *buf, size_t size, const char *f, va_list ap)
{
    char *out = buf, *limit = buf + size - 1, num[16];
    for (; *f; f++) {
        if (*f != '%') {
            if (out < limit) *out++ = *f;
            continue;
        }
        char fill = ' ';
        int width = 0;
        if (*++f == '0') fill = '0';
        while (*f >= '0' && *f <= '9') width = width * 10 + (*f++ - '0');
        const char *s = num;
        switch (*f) {
        case 's': s = va_arg(ap, const char *); break;
        case 'c': num[0] = (char)va_arg(ap, int); num[1] = 0; break;
        case 'u': s = RtlpFormatNumber(num + sizeof num, va_arg(ap, ULONG), 10, 0); break;
        case 'x': s = RtlpFormatNumber(num + sizeof num, va_arg(ap, ULONG), 16, 0); break;
        case 'X': s = RtlpFormatNumber(num + sizeof num, va_arg(ap, ULONG), 16, 1); break;
        case 'd': {
            LONG v = va_arg(ap, LONG);
            s = RtlpFormatNumber(num + sizeof num, v < 0 ? -(ULONG)v : (ULONG)v, 10, 0);
            if (v < 0) *(char *)--s = '-';
            break;
        }
        default: num[0] = '%'; num[1] = *f; num[2] = 0; if (!*f) f--; break;
        }
        int len = 0;
        while (s[len]) len++;
        RtlpPad(&out, limit, width - len, fill);
        RtlpCopy(&out, limit, s);
    }
    *out = 0;
}

void DbgPrint(const char *Format, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, Format);
    RtlpVFormat(buf, sizeof buf, Format, ap);
    va_end(ap);
    HalDisplayString(buf);
}
