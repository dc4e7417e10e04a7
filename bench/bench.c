/* bench.c - benchmarks, reported as ratios against a peer measured in the
 * same run (never as bare seconds: these machines are shared and noisy).
 *
 * sieve: bench/sieve.S in ringsim (32-bit flat protected mode) and the same
 * bytes natively (build/bench/sieve-native32); the dynamic instruction count
 * is known exactly (expected_count mirrors the loop) and ringsim's retired
 * count must equal it, or the benchmark fails.
 *
 * syscall: null system calls (bench/nullcall.c) in the built-in NT kernel
 * through sysenter and through int 2Eh, in ringsim and in qemu-system-i386
 * booting the same kernel, ramdisk and program; two call counts, so the
 * boot and the process's life cancel out of the difference.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include "cpu/cpu.h"
#include "mmu/bus.h"
#include "mmu/tlb.h"
#include "sim/loader.h"
#include "sim/machine.h"
#include "cpu/debug.h"
#include "sim/sieve.h"
#include "sim/builtin.h"
#include "ui/window.h"

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

static int run_ringsim(struct cpu *cpu, const void *code, long len, unsigned n,
                       struct sieve_run *r)
{
    sieve_prepare(cpu, code, (size_t)len, n);
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
    struct bus *bus = bus_new(sieve_ram_bytes(n));
    struct cpu *cpu = calloc(1, sizeof *cpu);
    if (!bus || !cpu || cpu_init(cpu, bus, NULL) != 0) return 1;

    double best_sim = 1e9, best_native = 1e9;
    for (int r = 0; r < rounds; r++) {      /* interleaved, so both see the same noise */
        struct sieve_run s;
        double t;
        unsigned primes;
        if (run_ringsim(cpu, code, len, n, &s) != 0) return 1;
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

/* ---- sieve-mb and sieve-pg: Multiboot kernels, ringsim against QEMU ----
 *
 * sieve-mb runs the loop with paging off; sieve-pg (bench/sieve_pg.c) runs it
 * with 4-KiB paging on over an array of many pages.  Both machines run the
 * same image, so the instruction count (expected_count) is the same for both,
 * and both are timed from outside as whole processes. */

struct mb_image { const char *label, *elf; };

/* Run one command, its debug console into out_path; the wall time and the
 * first line it printed.  Exit status 33 is the guest's clean debug-exit. */
static int time_command(const char *cmd, const char *out_path, double *secs, char *line, size_t len)
{
    double t0 = now();
    int rc = system(cmd);
    *secs = now() - t0;
    FILE *f = fopen(out_path, "r");
    line[0] = 0;
    if (f) {
        if (!fgets(line, (int)len, f)) line[0] = 0;
        fclose(f);
    }
    return (rc != -1 && WIFEXITED(rc)) ? WEXITSTATUS(rc) : -1;
}

/* Each peer's command line, with literal formats the compiler can check. */
typedef void (*command_fn)(char *buf, size_t len, const char *dir, const char *elf, unsigned n,
                           const char *out);

static void ringsim_command(char *buf, size_t len, const char *dir, const char *elf, unsigned n,
                            const char *out)
{
    snprintf(buf, len, "%s/../ringsim --kernel %s/%s --append %u --serial null "
             "--debugcon file:%s 2>/dev/null", dir, dir, elf, n, out);
}

static void qemu_command(char *buf, size_t len, const char *dir, const char *elf, unsigned n,
                         const char *out)
{
    snprintf(buf, len, "timeout 120 qemu-system-i386 -accel tcg -m 128 -display none -no-reboot "
             "-serial null -device isa-debug-exit,iobase=0xf4,iosize=0x04 "
             "-kernel %s/%s -append %u -debugcon file:%s", dir, elf, n, out);
}

struct mb_peer { const char *name; command_fn command; double best[2]; char answer[2][32]; };

static int run_peer(struct mb_peer *p, const struct mb_image *img, const char *dir,
                    const unsigned n[2], int round)
{
    for (int k = 0; k < 2; k++) {
        char cmd[1400], out[600], line[64];
        double t;
        snprintf(out, sizeof out, "%s/%s.%s.out", dir, img->label, p->name);
        p->command(cmd, sizeof cmd, dir, img->elf, n[k], out);
        if (time_command(cmd, out, &t, line, sizeof line) != 33) {
            fprintf(stderr, "%s: %s failed: %s\n", img->label, p->name, cmd);
            return -1;
        }
        if (round == 0 || t < p->best[k]) p->best[k] = t;
        snprintf(p->answer[k], sizeof p->answer[k], "%.*s", (int)sizeof p->answer[k] - 1, line);
    }
    return 0;
}

static int bench_multiboot(const char *dir, const struct mb_image *img, const unsigned n[2])
{
    /* Two sizes: the difference of the times cancels each machine's start-up. */
    unsigned primes[2];
    uint64_t count[2] = { expected_count(n[0], &primes[0]), expected_count(n[1], &primes[1]) };
    struct mb_peer peers[2] = {
        { "ringsim", ringsim_command, { 0, 0 }, { "", "" } },
        { "qemu", qemu_command, { 0, 0 }, { "", "" } },
    };
    for (int round = 0; round < 3; round++)
        for (int p = 0; p < 2; p++)
            if (run_peer(&peers[p], img, dir, n, round) != 0) return 1;
    for (int k = 0; k < 2; k++) {
        if ((unsigned)atoi(peers[0].answer[k]) != primes[k] ||
            (unsigned)atoi(peers[1].answer[k]) != primes[k]) {
            fprintf(stderr, "%s: wrong answers for N=%u: ringsim %s, qemu %s, expected %u\n",
                    img->label, n[k], peers[0].answer[k], peers[1].answer[k], primes[k]);
            return 1;
        }
    }
    double mips[2];
    for (int p = 0; p < 2; p++)
        mips[p] = (double)(count[1] - count[0]) / (peers[p].best[1] - peers[p].best[0]) / 1e6;
    printf("%s: %llu more instructions for N=%u than for N=%u, best of 3\n", img->label,
           (unsigned long long)(count[1] - count[0]), n[1], n[0]);
    printf("%s: ringsim %.0f MIPS, qemu-tcg %.0f MIPS, ratio %.2f\n", img->label, mips[0],
           mips[1], mips[0] / mips[1]);
    fflush(stdout);
    return 0;
}

/* The architectural TLB's counters for one untimed run of the paging image
 * in this process (tlb_stats).  The speed TLB in front of it is not counted:
 * its hits are the fast path.  So "lookups" are the accesses the speed TLB
 * did not serve, and the hit rate is the architectural TLB's among those. */
static int report_tlb(const char *dir, const struct mb_image *img, unsigned n)
{
    char elf[600], out[600], spec[640], append[16], err[256];
    snprintf(elf, sizeof elf, "%s/%s", dir, img->elf);
    snprintf(out, sizeof out, "%s/%s.stats.out", dir, img->label);
    snprintf(spec, sizeof spec, "file:%s", out);
    snprintf(append, sizeof append, "%u", n);
    struct machine_options opt;
    machine_default_options(&opt);
    opt.serial = "null";
    opt.debugcon = spec;
    struct machine *m = machine_new(&opt);
    if (!m) return 1;
    struct load_request req = { .kernel = elf, .append = append };
    if (machine_boot(m, &req, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", img->label, err);
        machine_free(m);
        return 1;
    }
    enum machine_stop stop = machine_run(m);
    struct atlb_stats st = *tlb_stats(&m->cpu);
    uint64_t instret = m->cpu.instret;
    static struct atlb_entry left[ATLB_SETS * ATLB_WAYS];
    size_t nleft = tlb_list(&m->cpu, left, ATLB_SETS * ATLB_WAYS);
    for (size_t i = 0; i < nleft; i++) {
        if (left[i].size_shift != 12) {
            fprintf(stderr, "%s: the TLB holds a page of 2^%u bytes; the image maps 4-KiB pages "
                    "only\n", img->label, left[i].size_shift);
            machine_free(m);
            return 1;
        }
    }
    int status = m->exit_status;
    machine_free(m);            /* closes the debug console's file */

    unsigned want_primes;
    expected_count(n, &want_primes);
    char line[64] = "";
    FILE *f = fopen(out, "r");
    if (f) {
        if (!fgets(line, (int)sizeof line, f)) line[0] = 0;
        fclose(f);
    }
    if (stop != STOP_DEBUG_EXIT || status != 33 || (unsigned)atoi(line) != want_primes) {
        fprintf(stderr, "%s: the counted run stopped with %d (status %d) and printed '%s'; "
                "expected %u primes\n", img->label, stop, status, line, want_primes);
        return 1;
    }
    /* The array alone covers n / 4096 pages, each met cold at least once. */
    uint64_t lookups = st.hits + st.misses;
    if (nleft == 0 || st.walks < n / 4096 || st.misses > st.walks || lookups == 0) {
        fprintf(stderr, "%s: implausible TLB counters: %llu hits, %llu misses, %llu walks\n",
                img->label, (unsigned long long)st.hits, (unsigned long long)st.misses,
                (unsigned long long)st.walks);
        return 1;
    }
    printf("%s: TLB (one run, N=%u, %llu instructions): %llu lookups in the architectural TLB "
           "(speed-TLB misses; its hits are not counted), %.1f%% hits, %llu page walks, "
           "%llu evictions\n", img->label, n, (unsigned long long)instret,
           (unsigned long long)lookups, 100.0 * (double)st.hits / (double)lookups,
           (unsigned long long)st.walks, (unsigned long long)st.evictions);
    return 0;
}

/* ---- breakpoint-set: the sieve with one debugger breakpoint far away ----
 * A breakpoint is a code hook at block granularity: with one set where the
 * code never goes, the sieve should run at (nearly) full speed. */
static int bench_breakpoint_set(const char *dir)
{
    const unsigned n = 2000000;
    const int rounds = 5;
    char bin[512];
    snprintf(bin, sizeof bin, "%s/sieve.bin", dir);
    void *code;
    long len = load_file(bin, &code);
    if (len <= 0) return 1;
    struct bus *bus = bus_new(sieve_ram_bytes(n));
    struct cpu *cpu = calloc(1, sizeof *cpu);
    if (!bus || !cpu || cpu_init(cpu, bus, NULL) != 0) return 1;
    double best[2] = { 1e9, 1e9 };
    uint64_t count[2] = { 0, 0 };
    for (int r = 0; r < 2 * rounds; r++) {      /* interleaved: without, with */
        int with = r & 1;
        if (with && debug_host_break(cpu, 0xFFFF0, HOST_OWNER_GDB, true) != 0) return 1;
        struct sieve_run s;
        if (run_ringsim(cpu, code, len, n, &s) != 0) return 1;
        if (with) debug_host_break(cpu, 0xFFFF0, HOST_OWNER_GDB, false);
        count[with] = s.instret;
        if (s.seconds < best[with]) best[with] = s.seconds;
    }
    if (count[0] != count[1]) {
        fprintf(stderr, "breakpoint-set: %llu instructions with the breakpoint, %llu without\n",
                (unsigned long long)count[1], (unsigned long long)count[0]);
        return 1;
    }
    printf("breakpoint-set: sieve with one far breakpoint set runs at %.2f of the speed "
           "without (%.0f against %.0f MIPS)\n", best[0] / best[1], count[1] / best[1] / 1e6,
           count[0] / best[0] / 1e6);
    cpu_free(cpu);
    free(cpu);
    bus_free(bus);
    return 0;
}

/* ---- gdb-stepi: single steps through the GDB stub, driven by real gdb ---- */

static int bench_gdb_stepi(const char *dir)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "%s/../ringsim --kernel %s/sieve_mb.elf --append 2000000 --serial null "
             "--gdb 0 --wait-gdb 2>%s/gdb-stepi.err & "
             "for i in $(seq 50); do port=$(sed -n 's/.*port \\([0-9]*\\).*/\\1/p' %s/gdb-stepi.err); "
             "[ -n \"$port\" ] && break; sleep 0.1; done; "
             "RINGSIM_GDB_PORT=$port timeout 120 gdb -nx -batch -x bench/gdb_stepi.py 2>&1 "
             "| grep '^gdb-stepi'; wait", dir, dir, dir, dir);
    int rc = system(cmd);
    return rc == 0 ? 0 : 1;
}

/* ---- syscall: null system calls in the built-in kernel --------------------- */

struct nullcall_run {
    double secs;
    uint64_t instret, cycles;
};

/* A whole file in malloc'd memory; its size, or -1. */
static long read_whole(const char *path, void **out)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    *out = malloc(n > 0 ? (size_t)n : 1);
    if (!*out || fread(*out, 1, (size_t)n, f) != (size_t)n) n = -1;
    fclose(f);
    return n;
}

static int nullcall_ringsim(const char *dir, const char *path, unsigned long n, struct nullcall_run *r)
{
    char file[512], arg[32], err[256];
    void *kernel = NULL, *ramdisk = NULL, *prog = NULL;
    snprintf(file, sizeof file, "%s/../ntkernel.elf", dir);
    long ks = read_whole(file, &kernel);
    snprintf(file, sizeof file, "%s/../ramdisk.img", dir);
    long rs = read_whole(file, &ramdisk);
    snprintf(file, sizeof file, "%s/nullcall.elf", dir);
    long ps = read_whole(file, &prog);
    if (ks < 0 || rs < 0 || ps < 0) return fprintf(stderr, "syscall: the kernel, ramdisk or program is missing\n"), 1;
    struct machine_options opt;
    machine_default_options(&opt);
    opt.serial = "null";
    struct machine *m = machine_new(&opt);
    snprintf(arg, sizeof arg, "%lu", n);
    char *args[2] = { (char *)path, arg };
    const struct builtin_image img = { kernel, (size_t)ks, ramdisk, (size_t)rs };
    if (!m || builtin_boot(m, &img, file, prog, (size_t)ps, args, 2, err, sizeof err) != 0)
        return fprintf(stderr, "syscall: %s\n", err), 1;
    double t0 = now();
    enum machine_stop why = machine_run(m);
    r->secs = now() - t0;
    r->instret = m->cpu.instret;
    r->cycles = m->cpu.cycles;
    int ok = why == STOP_DEBUG_EXIT && m->exit_status == ((BUILTIN_EXIT_SUCCESS << 1) | 1);
    if (!ok) fprintf(stderr, "syscall: ringsim: %s\n", m->message);
    machine_free(m);
    free(kernel), free(ramdisk), free(prog);
    return ok ? 0 : 1;
}

static int nullcall_qemu(const char *dir, const char *path, unsigned long n, double *secs)
{
    /* QEMU names a module by its path: run from the directory so that the
     * program is "nullcall.elf" there too. */
    char cmd[2048], line[256];
    snprintf(cmd, sizeof cmd,
             "cd %s && timeout 300 qemu-system-i386 -kernel ../ntkernel.elf "
             "-initrd '../ramdisk.img,nullcall.elf %s %lu' -append run=nullcall.elf "
             "-serial null -monitor none -display none -no-reboot "
             "-device isa-debug-exit,iobase=0xf4,iosize=0x4", dir, path, n);
    if (time_command(cmd, "/dev/null", secs, line, sizeof line) != 33)
        return fprintf(stderr, "syscall: qemu did not end with the kernel's success\n"), 1;
    return 0;
}

static int bench_syscall(const char *dir)
{
    static const char *const paths[2] = { "sysenter", "int2e" };
    const unsigned long n[2] = { 20000, 220000 };
    for (int p = 0; p < 2; p++) {
        struct nullcall_run r[2], best[2] = { { 1e9, 0, 0 }, { 1e9, 0, 0 } };
        double q[2] = { 1e9, 1e9 }, qs;
        for (int rep = 0; rep < 3; rep++)
            for (int k = 0; k < 2; k++) {
                if (nullcall_ringsim(dir, paths[p], n[k], &r[k])) return 1;
                if (r[k].secs < best[k].secs) best[k] = r[k];
                if (nullcall_qemu(dir, paths[p], n[k], &qs)) return 1;
                if (qs < q[k]) q[k] = qs;
            }
        double calls = (double)(n[1] - n[0]);
        double rate = calls / (best[1].secs - best[0].secs), qrate = calls / (q[1] - q[0]);
        printf("syscall: %s: %.0f null system calls per host second (qemu-tcg %.0f, ratio %.2f); "
               "%.0f guest instructions and %.0f modelled cycles per round trip\n", paths[p], rate,
               qrate, rate / qrate, (best[1].instret - best[0].instret) / calls,
               (best[1].cycles - best[0].cycles) / calls);
    }
    return 0;
}

/* ---- ui: the window while the machine runs at full speed ------------------- */

struct ui_bench_boot { void *kernel, *ramdisk; long ks, rs; };

static int ui_bench_boot(struct machine *m, void *ctx, char *err, size_t errlen)
{
    const struct ui_bench_boot *b = ctx;
    const struct builtin_image img = { b->kernel, (size_t)b->ks, b->ramdisk, (size_t)b->rs };
    return builtin_boot(m, &img, NULL, NULL, 0, NULL, 0, err, errlen);
}

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The built-in kernel's own session to its end: headless (machine_run),
 * then in a window on SDL's dummy driver, drawing every frame.  The
 * slowdown compares the process's CPU time (the machine is shared). */
static int bench_ui(const char *dir)
{
    char file[512], err[256];
    struct ui_bench_boot b;
    snprintf(file, sizeof file, "%s/../ntkernel.elf", dir);
    b.ks = read_whole(file, &b.kernel);
    snprintf(file, sizeof file, "%s/../ramdisk.img", dir);
    b.rs = read_whole(file, &b.ramdisk);
    if (b.ks < 0 || b.rs < 0) return fprintf(stderr, "ui: the kernel or ramdisk is missing\n"), 1;
    struct machine_options opt;
    machine_default_options(&opt);
    opt.serial = "null";
    double best_headless = 1e9, best_window = 1e9, fps = 0, wall;
    for (int rep = 0; rep < 3; rep++) {
        struct machine *m = machine_new(&opt);
        if (!m || ui_bench_boot(m, &b, err, sizeof err) != 0) return fprintf(stderr, "ui: %s\n", err), 1;
        double t0 = cpu_seconds();
        machine_run(m);
        double t = cpu_seconds() - t0;
        if (t < best_headless) best_headless = t;
        machine_free(m);
        setenv("SDL_VIDEODRIVER", "dummy", 1);
        struct ui_session s;
        struct ui_window w;
        if (ui_session_open(&s, &opt, ui_bench_boot, &b, err, sizeof err) != 0 ||
            ui_window_open(&w, &s, 1600, 1000, false, err, sizeof err) != 0)
            return fprintf(stderr, "ui: %s\n", err), 1;
        ui_run(&s, UI_RUNNING);
        t0 = cpu_seconds();
        wall = now();
        while (s.run == UI_RUNNING && ui_window_frame(&w)) {}
        t = cpu_seconds() - t0;
        wall = now() - wall;
        int ok = s.run == UI_ENDED && s.m->stop == STOP_DEBUG_EXIT;
        if (t < best_window) best_window = t, fps = w.frames / wall;
        ui_window_close(&w);
        ui_session_close(&s);
        if (!ok) return fprintf(stderr, "ui: the windowed run did not end with the kernel's exit\n"), 1;
    }
    free(b.kernel), free(b.ramdisk);
    printf("ui: %.0f frames per second while running at full speed\n", fps);
    printf("ui: the built-in session takes %.2f s of CPU headless, %.2f s with the window open "
           "(dummy driver): %+.1f%%\n", best_headless, best_window,
           100.0 * (best_window / best_headless - 1));
    return 0;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "build/bench";
    const char *only = argc > 2 ? argv[2] : NULL;   /* sieve, sieve-mb, sieve-pg, gdb-stepi,
                                                       breakpoint-set, syscall, ui */
    static const struct mb_image mb = { "sieve-mb", "sieve_mb.elf" };
    static const struct mb_image pg = { "sieve-pg", "sieve_pg.elf" };
    const unsigned n[2] = { 1000000, 16000000 };
    int rc = 0;
    if (!rc && (!only || !strcmp(only, "sieve"))) rc = bench_sieve(dir);
    if (!rc && (!only || !strcmp(only, mb.label))) rc = bench_multiboot(dir, &mb, n);
    if (!rc && (!only || !strcmp(only, pg.label))) rc = bench_multiboot(dir, &pg, n);
    if (!rc && (!only || !strcmp(only, pg.label))) rc = report_tlb(dir, &pg, n[1]);
    if (!rc && (!only || !strcmp(only, "gdb-stepi"))) rc = bench_gdb_stepi(dir);
    if (!rc && (!only || !strcmp(only, "breakpoint-set"))) rc = bench_breakpoint_set(dir);
    if (!rc && (!only || !strcmp(only, "syscall"))) rc = bench_syscall(dir);
    if (!rc && (!only || !strcmp(only, "ui"))) rc = bench_ui(dir);
    return rc;
}
