/* guest.h - the guest-side test library: port I/O, output on the debug
 * console (port 0xE9) and COM1, PASS/FAIL reporting, and the end of a run
 * through QEMU's isa-debug-exit port 0xF4.  Freestanding: no libc.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

/* A delay the compiler keeps: n iterations of a port read from an unused port. */
void spin(unsigned n);

/* Output goes to the debug console, and to COM1 too once com1_quiet is 0
 * (off by default: waiting for THRE at 9600 baud costs virtual seconds). */
extern int com1_quiet;
void putc_(char c);
void puts_(const char *s);
void puthex(uint32_t v);
void putdec(uint32_t v);

/* One check, one line: "PASS name" or "FAIL name: detail". */
void check(int ok, const char *name);
void check_eq(const char *name, uint32_t expected, uint32_t got);
/* For checks that print their own FAIL line: count it. */
void check_count_failure(void);

/* "DONE pass=N fail=M", then port 0xF4: status 0x10 (all passed) or 0x11. */
__attribute__((noreturn)) void guest_exit(void);

/* The Multiboot entry (crt0.S calls it with EAX and EBX). */
void guest_main(uint32_t magic, const uint8_t *mbi);

static inline uint32_t rd32(const uint8_t *p) { return *(const volatile uint32_t *)p; }

#endif
