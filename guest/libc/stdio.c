/* stdio.c - printf and friends: format with fmt_vsnprintf, write to the
 * standard output handle with kernel32!WriteFile.  Output is unbuffered:
 * one WriteFile (one NtWriteFile) per call. */
#include <stdio.h>
#include <string.h>
#include <windows.h>
#include "format.h"

static int write_out(const char *text, size_t len)
{
    DWORD written = 0;
    if (!WriteFile(GetStdHandle(STD_OUTPUT_HANDLE), text, len, &written, NULL))
        return EOF;
    return (int)written;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    return fmt_vsnprintf(buf, size, fmt, ap);
}

int vsprintf(char *buf, const char *fmt, va_list ap)
{
    return fmt_vsnprintf(buf, (size_t)-1 / 2, fmt, ap);
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

int sprintf(char *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsprintf(buf, fmt, ap);
    va_end(ap);
    return n;
}

/* Lines longer than the buffer are cut (and the result says so). */
int vprintf(const char *fmt, va_list ap)
{
    char text[1024];
    int n = fmt_vsnprintf(text, sizeof text, fmt, ap);
    size_t len = n < (int)sizeof text ? (size_t)n : sizeof text - 1;
    return write_out(text, len) < 0 ? EOF : n;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

int puts(const char *s)
{
    size_t len = strlen(s);
    char text[1024];
    if (len < sizeof text) {            /* one write, so the line stays whole */
        memcpy(text, s, len);
        text[len] = '\n';
        return write_out(text, len + 1) < 0 ? EOF : 1;
    }
    if (write_out(s, len) < 0 || write_out("\n", 1) < 0)
        return EOF;
    return 1;
}

int putchar(int c)
{
    char ch = (char)c;
    return write_out(&ch, 1) < 0 ? EOF : (unsigned char)c;
}
