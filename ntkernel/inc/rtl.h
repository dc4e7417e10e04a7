/* rtl.h - run-time library: memory helpers and DbgPrint's formatting. */
#ifndef NTK_RTL_H
#define NTK_RTL_H

#include "ntdef.h"

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void RtlZeroMemory(PVOID Destination, size_t Length);
void RtlFillMemory(PVOID Destination, size_t Length, UCHAR Fill);
/* %s %c %d %u %x %X, with 0-padding and width (%08x); to the console. */
void DbgPrint(const char *Format, ...) __attribute__((format(printf, 1, 2)));

#endif
