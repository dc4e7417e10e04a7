/* main.c - the command-line front end.
 *
 * For now ringsim runs its built-in CPU demo (bench/sieve.S, embedded at
 * build time) in 32-bit protected mode and reports what it retired.  The
 * built-in NT kernel, the loaders and the full command line of
 * ARCHITECTURE.md arrive with the machine and kernel issues.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cpu/cpu.h"
#include "mmu/bus.h"

extern const unsigned char _binary_sieve_bin_start[], _binary_sieve_bin_end[];

#define DEMO_CODE  0x1000u
#define DEMO_HLT   0x0F00u
#define DEMO_STACK 0x8000u
#define DEMO_ARRAY 0x100000u

static void usage(FILE *f)
{
    fprintf(f, "usage: ringsim [--model intel|amd|i486|host] [--sieve N] [--no-cycles]\n"
               "  Runs the built-in CPU demo: the primes below N (default 1000000) by the\n"
               "  sieve of Eratosthenes, in 32-bit protected mode, and reports what it\n"
               "  retired.  The built-in NT kernel is not part of this version yet.\n");
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int run_demo(const struct cpu_model *model, unsigned n, int cycles)
{
    static const unsigned char hlt = 0xF4;
    const uint32_t ret = DEMO_HLT;
    struct bus *bus = bus_new(DEMO_ARRAY + n + (1u << 20));
    struct cpu *cpu = calloc(1, sizeof *cpu);
    if (!bus || !cpu || cpu_init(cpu, bus, model) != 0) return 1;
    cpu->cycle_model = cycles;
    cpu_set_flat32(cpu);
    bus_load(bus, DEMO_CODE, _binary_sieve_bin_start,
             (uint64_t)(_binary_sieve_bin_end - _binary_sieve_bin_start));
    bus_load(bus, DEMO_HLT, &hlt, 1);
    bus_load(bus, DEMO_STACK - 4, &ret, 4);
    cpu->gpr[RSP] = DEMO_STACK - 4;
    cpu->gpr[RSI] = DEMO_ARRAY;
    cpu->gpr[RCX] = n;
    cpu->rip = DEMO_CODE;

    double t0 = now();
    enum cpu_exit why = cpu_run(cpu, ~0ull >> 1);
    double t = now() - t0;
    int ok = why == EXIT_HALT;
    if (ok) {
        printf("ringsim: CPU demo (%s profile): %u primes below %u\n", model->name,
               (unsigned)cpu->gpr[RAX], n);
        printf("ringsim: %llu instructions retired, %llu modelled cycles, %.0f MIPS\n",
               (unsigned long long)cpu->instret, (unsigned long long)cpu->cycles,
               cpu->instret / t / 1e6);
    } else {
        fprintf(stderr, "ringsim: the demo stopped unexpectedly (exit %d) at %#llx: %s\n", why,
                (unsigned long long)cpu->rip, cpu->stop_message);
    }
    cpu_free(cpu);
    free(cpu);
    bus_free(bus);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    const struct cpu_model *model = cpu_model_host();
    unsigned n = 1000000;
    int cycles = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--model") && i + 1 < argc) {
            model = cpu_model_find(argv[++i]);
            if (!model) { fprintf(stderr, "ringsim: unknown model %s\n", argv[i]); return 2; }
        } else if (!strcmp(argv[i], "--sieve") && i + 1 < argc) {
            char *end;
            unsigned long v = strtoul(argv[++i], &end, 0);
            if (*end || v < 3 || v > (1ul << 30)) {
                fprintf(stderr, "ringsim: --sieve wants a number from 3 to 2^30\n");
                return 2;
            }
            n = (unsigned)v;
        } else if (!strcmp(argv[i], "--no-cycles")) {
            cycles = 0;
        } else {
            fprintf(stderr, "ringsim: unknown option %s\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    return run_demo(model, n, cycles);
}
