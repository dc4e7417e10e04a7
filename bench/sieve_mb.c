/* sieve_mb.c - the Multiboot sieve: N comes from the command line's last
 * word, the primes below N are counted by bench/sieve.S, the count goes to
 * the debug console (0xE9), and the run ends through isa-debug-exit. */
#include <stdint.h>

#define ARRAY 0x200000u              /* 2 MiB: above the kernel, below any RAM size used */

struct mb_info { uint32_t flags, mem_lower, mem_upper, boot_device, cmdline; };

static void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static unsigned last_number(const char *s)
{
    unsigned n = 0;
    for (; *s; s++) n = (*s >= '0' && *s <= '9') ? n * 10 + (unsigned)(*s - '0') : 0;
    return n;
}

static void print_number(unsigned v)
{
    char buf[12];
    int i = 0;
    do buf[i++] = (char)('0' + v % 10); while ((v /= 10) && i < 11);
    while (i) outb(0xE9, (uint8_t)buf[--i]);
    outb(0xE9, '\n');
}

void kmain(uint32_t magic, const struct mb_info *mbi);
void kmain(uint32_t magic, const struct mb_info *mbi)
{
    unsigned n = 0, primes = 0;
    if (magic == 0x2BADB002u && (mbi->flags & (1u << 2)))
        n = last_number((const char *)(uintptr_t)mbi->cmdline);
    if (n >= 3) {
        /* sieve.S's own convention: ESI = array, ECX = N, result in EAX. */
        __asm__ volatile("call sieve" : "=a"(primes) : "S"(ARRAY), "c"(n) : "edx", "memory", "cc");
    }
    print_number(primes);
    outb(0xF4, 0);                      /* exit status 1 */
}
