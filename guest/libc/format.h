/* format.h - the printf formatter shared by the C runtime and ntdll. */
#ifndef RS_FORMAT_H
#define RS_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif
