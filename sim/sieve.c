/* sieve.c - setting up the sieve call (see sieve.h). */
#include "sieve.h"
#include "mmu/bus.h"

enum { SIEVE_CODE = 0x1000, SIEVE_HLT = 0x0F00, SIEVE_STACK = 0x8000, SIEVE_ARRAY = 0x100000 };

uint64_t sieve_ram_bytes(unsigned n)
{
    return SIEVE_ARRAY + (uint64_t)n + (1u << 20);
}

void sieve_prepare(struct cpu *cpu, const void *code, size_t len, unsigned n)
{
    static const uint8_t hlt = 0xF4;
    const uint32_t ret = SIEVE_HLT;
    cpu_set_flat32(cpu);
    bus_load(cpu->bus, SIEVE_CODE, code, len);
    bus_load(cpu->bus, SIEVE_HLT, &hlt, 1);
    bus_load(cpu->bus, SIEVE_STACK - 4, &ret, 4);   /* the sieve's RET lands on the HLT */
    cpu->gpr[RSP] = SIEVE_STACK - 4;
    cpu->gpr[RSI] = SIEVE_ARRAY;
    cpu->gpr[RCX] = n;
    cpu->rip = SIEVE_CODE;
}
