/* sieve.h - the sieve of bench/sieve.S called from 32-bit flat protected
 * mode: the CPU demo that `ringsim` runs by default and the interpreter side
 * of `make bench` set it up the same way.  The call returns to a HLT, so the
 * run ends with EXIT_HALT and the prime count in EAX. */
#ifndef RINGSIM_SIEVE_H
#define RINGSIM_SIEVE_H

#include <stddef.h>
#include <stdint.h>
#include "cpu/cpu.h"

/* Guest RAM the call needs for N (code, stack, the N-byte array). */
uint64_t sieve_ram_bytes(unsigned n);
/* Flat 32-bit mode, the code at its address, a return address pointing at a
 * HLT, ESI = the array, ECX = N, EIP at the code. */
void sieve_prepare(struct cpu *cpu, const void *code, size_t len, unsigned n);

#endif
