/* sieve_native32.c - runs bench/sieve.S's bytes (the same flat binary that
 * ringsim runs) natively in a 32-bit process and reports the best time.
 *   usage: sieve-native32 SIEVE.BIN N REPS   ->  "<primes> <best seconds>"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void *load_code(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); return NULL; }
    void *code = mmap(NULL, 65536, PROT_READ | PROT_WRITE | PROT_EXEC,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    size_t n = code == MAP_FAILED ? 0 : fread(code, 1, 65536, f);
    fclose(f);
    return n ? code : NULL;
}

static unsigned run(void *code, unsigned char *flags, unsigned n)
{
    unsigned primes;
    /* The sieve's own convention: ESI = array, ECX = N, result in EAX. */
    __asm__ volatile("call *%[fn]"
                     : "=a"(primes)
                     : [fn] "r"(code), "S"(flags), "c"(n)
                     : "edx", "memory", "cc");
    return primes;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s SIEVE.BIN N REPS\n", argv[0]);
        return 2;
    }
    unsigned n = (unsigned)strtoul(argv[2], NULL, 0);
    int reps = atoi(argv[3]);
    void *code = load_code(argv[1]);
    unsigned char *flags = malloc(n);
    if (!code || !flags) return 1;
    double best = 1e9;
    unsigned primes = 0;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        primes = run(code, flags, n);
        double t = now() - t0;
        if (t < best) best = t;
    }
    printf("%u %.9f\n", primes, best);
    return 0;
}
