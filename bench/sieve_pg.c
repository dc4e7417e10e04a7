/* sieve_pg.c - the Multiboot sieve with paging on: 32-bit page tables with
 * 4-KiB pages only (CR4.PSE stays 0) identity-map the first 32 MiB, CR0.PG
 * is set, and bench/sieve.S counts the primes below N (the command line's
 * last word) over an array at 2 MiB.  For N in the millions the array spans
 * thousands of pages, far more than a 256-entry TLB holds, so the strike-out
 * passes miss in it again and again.  The count goes to the debug console
 * (0xE9); the guest library's entry (tests/guest/lib/crt0.S) then ends the
 * run through isa-debug-exit (status 33).
 *
 * The mapped range does not depend on N, so the set-up costs the same for
 * every N and cancels in the bench's difference of two runs.
 */
#include <stdint.h>
#include "tests/guest/lib/guest.h"

#define ARRAY     0x200000u             /* 2 MiB: above the kernel and its tables */
#define MAPPED    (32u << 20)           /* identity-mapped with 4-KiB pages */
#define TABLES    (MAPPED >> 22)        /* one page table maps 4 MiB */
#define MAX_N     (MAPPED - ARRAY)

#define PTE_P     0x001u
#define PTE_W     0x002u
#define CR0_PG    0x80000000u

struct mb_info { uint32_t flags, mem_lower, mem_upper, boot_device, cmdline; };

static uint32_t page_dir[1024] __attribute__((aligned(4096)));
static uint32_t page_tables[TABLES][1024] __attribute__((aligned(4096)));

static unsigned last_number(const char *s)
{
    unsigned n = 0;
    for (; *s; s++) n = (*s >= '0' && *s <= '9') ? n * 10 + (unsigned)(*s - '0') : 0;
    return n;
}

static void paging_enable(void)
{
    for (unsigned t = 0; t < 1024; t++)
        page_dir[t] = t < TABLES ? (uint32_t)(uintptr_t)page_tables[t] | PTE_P | PTE_W : 0;
    for (unsigned t = 0; t < TABLES; t++)
        for (unsigned i = 0; i < 1024; i++)
            page_tables[t][i] = ((t << 22) | (i << 12)) | PTE_P | PTE_W;
    uint32_t cr0, cr4;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    cr4 &= ~0x30u;                      /* PSE and PAE off: 32-bit paging, 4-KiB pages */
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
    __asm__ volatile("mov %0, %%cr3" : : "r"((uint32_t)(uintptr_t)page_dir) : "memory");
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("mov %0, %%cr0" : : "r"(cr0 | CR0_PG) : "memory");
}

void guest_main(uint32_t magic, const uint8_t *info)
{
    const struct mb_info *mbi = (const struct mb_info *)info;
    unsigned n = 0, primes = 0;
    if (magic == 0x2BADB002u && (mbi->flags & (1u << 2)))
        n = last_number((const char *)(uintptr_t)mbi->cmdline);
    paging_enable();
    if (n >= 3 && n <= MAX_N) {
        /* sieve.S's own convention: ESI = array, ECX = N, result in EAX. */
        __asm__ volatile("call sieve" : "=a"(primes) : "S"(ARRAY), "c"(n) : "edx", "memory", "cc");
    }
    putdec(primes);
    putc_('\n');
}
