/* bench.c - benchmarks, reported as ratios against a peer measured in the
 * same run (never as bare seconds: these machines are shared and noisy).
 *
 * sieve: bench/sieve.S in ringsim (32-bit flat protected mode) and the same
 * bytes natively (build/bench/sieve-native32); the dynamic instruction count
 * is known exactly (expected_count mirrors the loop) and ringsim's retired
 * count must equal it, or the benchmark fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cpu/cpu.h"
#include "mmu/bus.h"

#define CODE_ADDR  0x1000u
#define HLT_ADDR   0x0F00u
#define STACK_TOP  0x8000u
#define ARRAY_ADDR 0x100000u
#define RAM_SIZE   (16u << 20)

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The dynamic instruction count of sieve.S for N, loop by loop. */
static uint64_t expected_count(unsigned n, unsigned *primes_out)
{
    unsigned char *flags = malloc(n);
    uint64_t count = 5 + 4ull * n + 2 + 5;      /* prologue, fill loop, setup, epilogue */
    unsigned primes = 0;
    memset(flags, 1, n);
    for (uint64_t i = 2; i < n; i++) {
        count += 2 + 3;                         /* cmpb, je; add, cmp, jb */
        if (!flags[i]) continue;
        primes++;
        count += 4;                             /* add, mov, imul, jo */
        if (i * i > 0x7FFFFFFF) continue;       /* imul overflowed: jo taken */
        count += 2;                             /* cmp, jae */
        for (uint64_t j = i * i; j < n; j += i) {
            flags[j] = 0;
            count += 4;
        }
    }
    free(flags);
    *primes_out = primes;
    return count;
}

static long load_file(const char *path, void **out)
{
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); return -1; }
    static unsigned char buf[65536];
    long n = (long)fread(buf, 1, sizeof buf, f);
    fclose(f);
    *out = buf;
    return n;
}

struct sieve_run { double seconds; uint64_t instret; unsigned primes; };

static int run_ringsim(struct bus *bus, struct cpu *cpu, const void *code, long len, unsigned n,
                       struct sieve_run *r)
{
    static const uint8_t hlt = 0xF4;
    cpu_set_flat32(cpu);
    bus_load(bus, CODE_ADDR, code, (uint64_t)len);
    bus_load(bus, HLT_ADDR, &hlt, 1);
    uint32_t ret = HLT_ADDR;
    bus_load(bus, STACK_TOP - 4, &ret, 4);       /* sieve's RET lands on the HLT */
    cpu->gpr[RSP] = STACK_TOP - 4;
    cpu->gpr[RSI] = ARRAY_ADDR;
    cpu->gpr[RCX] = n;
    cpu->rip = CODE_ADDR;
    uint64_t start = cpu->instret;
    double t0 = now();
    enum cpu_exit why = cpu_run(cpu, ~0ull >> 1);
    r->seconds = now() - t0;
    r->instret = cpu->instret - start - 1;      /* less the HLT */
    r->primes = (unsigned)cpu->gpr[RAX];
    if (why != EXIT_HALT) {
        fprintf(stderr, "sieve: ringsim stopped with exit %d: %s\n", why, cpu->stop_message);
        return -1;
    }
    return 0;
}

static int run_native(const char *helper, const char *bin, unsigned n, int reps, double *best,
                      unsigned *primes)
{
    char cmd[1200];
    if (snprintf(cmd, sizeof cmd, "%s %s %u %d", helper, bin, n, reps) >= (int)sizeof cmd)
        return -1;
    FILE *p = popen(cmd, "r");
    if (!p) return -1;
    int ok = fscanf(p, "%u %lf", primes, best) == 2;
    return (pclose(p) == 0 && ok) ? 0 : -1;
}

static int bench_sieve(const char *dir)
{
    const unsigned n = 2000000;
    const int rounds = 5;
    char bin[512], helper[512];
    snprintf(bin, sizeof bin, "%s/sieve.bin", dir);
    snprintf(helper, sizeof helper, "%s/sieve-native32", dir);
    void *code;
    long len = load_file(bin, &code);
    if (len <= 0) return 1;

    unsigned want_primes;
    uint64_t want = expected_count(n, &want_primes);
    struct bus *bus = bus_new(RAM_SIZE);
    struct cpu *cpu = calloc(1, sizeof *cpu);
    if (!bus || !cpu || cpu_init(cpu, bus, NULL) != 0) return 1;

    double best_sim = 1e9, best_native = 1e9;
    for (int r = 0; r < rounds; r++) {      /* interleaved, so both see the same noise */
        struct sieve_run s;
        double t;
        unsigned primes;
        if (run_ringsim(bus, cpu, code, len, n, &s) != 0) return 1;
        if (s.instret != want || s.primes != want_primes) {
            fprintf(stderr, "sieve: ringsim retired %llu instructions and found %u primes; "
                    "expected %llu and %u\n", (unsigned long long)s.instret, s.primes,
                    (unsigned long long)want, want_primes);
            return 1;
        }
        if (s.seconds < best_sim) best_sim = s.seconds;
        if (run_native(helper, bin, n, 10, &t, &primes) != 0 || primes != want_primes) {
            fprintf(stderr, "sieve: the native run failed\n");
            return 1;
        }
        if (t < best_native) best_native = t;
    }
    double sim_mips = want / best_sim / 1e6, native_mips = want / best_native / 1e6;
    printf("sieve: %llu instructions per run, %u primes below %u, best of %d\n",
           (unsigned long long)want, want_primes, n, rounds);
    printf("sieve: ringsim %.0f MIPS, native %.0f MIPS, ratio 1/%.0f\n", sim_mips, native_mips,
           native_mips / sim_mips);
    cpu_free(cpu);
    free(cpu);
    bus_free(bus);
    return 0;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "build/bench";
    return bench_sieve(dir);
}
