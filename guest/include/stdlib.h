/* stdlib.h - the guest C runtime's few general utilities. */
#ifndef RS_STDLIB_H
#define RS_STDLIB_H

#include <stddef.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1

void exit(int status) __attribute__((noreturn));
int  atoi(const char *s);
unsigned long strtoul(const char *s, char **end, int base);

#endif
