/* sieve_mb.c - the Multiboot sieve: N comes from the command line's last
 * word, the primes below N are counted by bench/sieve.S, the count goes to
 * the debug console (0xE9); the guest library's entry (tests/guest/lib/crt0.S)
 * then ends the run through isa-debug-exit (status 33). */
#include <stdint.h>
#include "tests/guest/lib/guest.h"

#define ARRAY 0x200000u              /* 2 MiB: above the kernel, below any RAM size used */

struct mb_info { uint32_t flags, mem_lower, mem_upper, boot_device, cmdline; };

static unsigned last_number(const char *s)
{
    unsigned n = 0;
    for (; *s; s++) n = (*s >= '0' && *s <= '9') ? n * 10 + (unsigned)(*s - '0') : 0;
    return n;
}

void guest_main(uint32_t magic, const uint8_t *info)
{
    const struct mb_info *mbi = (const struct mb_info *)info;
    unsigned n = 0, primes = 0;
    if (magic == 0x2BADB002u && (mbi->flags & (1u << 2)))
        n = last_number((const char *)(uintptr_t)mbi->cmdline);
    if (n >= 3) {
        /* sieve.S's own convention: ESI = array, ECX = N, result in EAX. */
        __asm__ volatile("call sieve" : "=a"(primes) : "S"(ARRAY), "c"(n) : "edx", "memory", "cc");
    }
    putdec(primes);
    putc_('\n');
}
