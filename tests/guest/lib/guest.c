/* guest.c - the guest library's body: output on 0xE9 and COM1, the PASS/FAIL
 * counters, and the debug-exit port (QEMU's isa-debug-exit: a write of v ends
 * the machine with process status (v << 1) | 1).
 */
#include "guest.h"

int com1_quiet = 1;
static unsigned passes, failures;

void spin(unsigned n)
{
    while (n--) (void)inb(0x80);
}

static void com1_putc(char c)
{
    for (unsigned i = 0; i < 100000 && !(inb(0x3FD) & 0x20); i++) {
    }
    outb(0x3F8, (uint8_t)c);
}

void putc_(char c)
{
    outb(0xE9, (uint8_t)c);
    if (!com1_quiet) com1_putc(c);
}

void puts_(const char *s)
{
    while (*s) putc_(*s++);
}

void puthex(uint32_t v)
{
    puts_("0x");
    for (int i = 28; i >= 0; i -= 4) putc_("0123456789abcdef"[(v >> i) & 15]);
}

void putdec(uint32_t v)
{
    char buf[12];
    int n = 0;
    do buf[n++] = (char)('0' + v % 10); while (v /= 10);
    while (n) putc_(buf[--n]);
}

void check(int ok, const char *name)
{
    puts_(ok ? "PASS " : "FAIL ");
    puts_(name);
    puts_("\n");
    if (ok) passes++;
    else failures++;
}

void check_count_failure(void)
{
    failures++;
}

void check_eq(const char *name, uint32_t expected, uint32_t got)
{
    if (expected == got) {
        check(1, name);
        return;
    }
    check_count_failure();
    puts_("FAIL ");
    puts_(name);
    puts_(": expected ");
    puthex(expected);
    puts_(", got ");
    puthex(got);
    puts_("\n");
}

void guest_exit(void)
{
    puts_("DONE pass=");
    putdec(passes);
    puts_(" fail=");
    putdec(failures);
    puts_("\n");
    outb(0xF4, failures ? 0x11 : 0x10);
    for (;;) __asm__ volatile("cli; hlt");
}
