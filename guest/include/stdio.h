/* stdio.h - the guest C runtime's output: printf and friends write to the
 * standard output handle through kernel32!WriteFile.  Conversions:
 * %d %i %u %x %X %o %c %s %p %%, flags '-' and '0', a width (or *), a
 * precision for %s, and the 'l' length modifier (long is 32 bits). */
#ifndef RS_STDIO_H
#define RS_STDIO_H

#include <stdarg.h>
#include <stddef.h>

#define EOF (-1)

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int sprintf(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vprintf(const char *fmt, va_list ap);
int vsprintf(char *buf, const char *fmt, va_list ap);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int puts(const char *s);
int putchar(int c);

#endif
