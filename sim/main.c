/* main.c - the command-line front end: options into a machine, an image
 * into its memory, one run, one line saying why it stopped.
 *
 *   ringsim [options]                 the built-in NT-style kernel and ramdisk
 *   ringsim [options] run PROG [ARGS] the same, running PROG.elf
 *   ringsim --kernel/--bios FILE      a kernel or ROM of one's own
 *   ringsim --sieve N                 the built-in CPU demo
 *
 * Exit status: with the built-in kernel 0 when it reports success, 1 for
 * failure or any other stop; with --kernel or --bios the guest's debug-exit
 * status when it wrote port 0xF4, else 0 for a clean stop, 1 for a triple
 * fault or an internal stop; 2 for a bad image or option everywhere.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cpu/cpu.h"
#include "mmu/bus.h"
#include "sim/builtin.h"
#include "sim/loader.h"
#include "sim/machine.h"
#include "sim/nttrace.h"
#include "sim/sieve.h"
#include "gdbstub/tcp.h"
#include "sim/symbols.h"
#include "ui/frontend.h"
#include "ui/window.h"

extern const unsigned char _binary_sieve_bin_start[], _binary_sieve_bin_end[];
extern const unsigned char _binary_ntkernel_elf_start[], _binary_ntkernel_elf_end[];
extern const unsigned char _binary_ramdisk_img_start[], _binary_ramdisk_img_end[];

static struct machine *running;

static void usage(FILE *f)
{
    fprintf(f,
        "usage: ringsim [options]                  boot the built-in NT-style kernel\n"
        "       ringsim [options] run PROG [ARGS]  the same, running PROG (an ELF32 i386\n"
        "                                          executable) with ARGS\n"
        "  --kernel FILE        boot a Multiboot v1 kernel or a plain ELF executable\n"
        "  --append TEXT        the kernel's command line (after its file name)\n"
        "  --initrd F[,F...]    Multiboot modules\n"
        "  --bios FILE          a flat ROM image at the reset vector (real mode, F000:FFF0)\n"
        "  --mem SIZE           RAM, e.g. 128M or 1G (default 128M)\n"
        "  --serial SPEC        COM1: stdio, file:PATH, pty or null (default stdio)\n"
        "  --debugcon SPEC      port 0xE9: stdio, file:PATH or null (default null)\n"
        "  --cpu MODEL[,+F,-F]  the CPU profile: intel, amd, i486 or host (default host),\n"
        "                       with features switched on (+) or off (-), QEMU names:\n"
        "                       tsc cx8 cmov cx16 movbe popcnt bmi1 bmi2 lahf-lm abm\n"
        "                       rdtscp de pse pae pge pse36 pcid invpcid smep smap umip\n"
        "                       pdpe1gb (e.g. --cpu intel,-popcnt,-abm); lm stays on\n"
        "  --max-insns N        stop after N instructions\n"
        "  --trace LIST         comma-separated: exceptions, irq, io, post, modes,\n"
        "                       cr3, tlb, syscalls (the kernel's system calls), all\n"
        "  --trace-file FILE    write the trace there instead of stderr\n"
        "  --headless           no window (one opens when a display is present:\n"
        "                       SDL_VIDEODRIVER, DISPLAY or WAYLAND_DISPLAY set)\n"
        "  --screenshot FILE    headless: run the machine, draw the window's view\n"
        "                       and write it as PNG, --at SYMBOL (its first execution)\n"
        "                       or --after N instructions; --view main|paging|nt,\n"
        "                       --walk ADDR for the page-walk panel\n"
        "  --font FILE.ttf      the window's text in a TrueType font (SDL2_ttf) fitted to\n"
        "                       the same cells; dejavu: Debian's DejaVu Sans Mono\n"
        "                       (default: the compiled-in font)\n"
        "  --no-cycles          switch the cycle model off (virtual time from instructions)\n"
        "  --gdb [HOST:]PORT    serve the GDB remote protocol (127.0.0.1 unless HOST\n"
        "                       is given; port 0 picks a free one and prints it);\n"
        "                       beside the window when one is open\n"
        "  --wait-gdb           hold the machine at its first instruction (the reset\n"
        "                       vector, the kernel entry, or the CPU demo's first\n"
        "                       instruction) until gdb attaches\n"
        "  --sieve N            the built-in CPU demo: primes below N\n"
        "  --help               this text\n"
        "Exit status: with the built-in kernel 0 when it reports success, else 1; with\n"
        "--kernel or --bios the guest's debug-exit status if it used port 0xF4, else 0\n"
        "for a clean stop, 1 for a triple fault or an internal stop; 2 for a bad image\n"
        "or option.\n");
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The built-in CPU demo: bench/sieve.S in 32-bit protected mode. */
static int run_demo(const struct cpu_model *model, const struct machine_options *mopt,
                    unsigned n, int cycles)
{
    struct bus *bus = bus_new(sieve_ram_bytes(n));
    struct cpu *cpu = calloc(1, sizeof *cpu);
    if (!bus || !cpu || cpu_init(cpu, bus, model) != 0) return 1;
    cpu->cycle_model = cycles;
    if (mopt->set_features) cpu->features = mopt->features;
    sieve_prepare(cpu, _binary_sieve_bin_start,
                  (size_t)(_binary_sieve_bin_end - _binary_sieve_bin_start), n);
    double t0 = now_seconds();
    enum cpu_exit why = cpu_run(cpu, ~0ull >> 1);
    double t = now_seconds() - t0;
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

/* ---- options ------------------------------------------------------------ */

struct cli {
    struct machine_options mopt;
    struct load_request load;
    const char *trace_file;
    unsigned sieve;
    bool sieve_set;             /* --sieve given: the CPU demo instead of the kernel */
    bool headless;
    const char *program;        /* ringsim run PROG [ARGS...] */
    char **prog_args;
    int nprog_args;
    int cycles;
    const char *gdb;            /* --gdb [HOST:]PORT */
    bool wait_gdb;
    struct ui_options ui;
};

static int bad_option(const char *fmt, const char *arg)
{
    fprintf(stderr, "ringsim: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (ringsim --help lists the options)\n");
    return -1;
}

static int parse_size(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    uint64_t unit = 1;
    if (*end == 'K' || *end == 'k') unit = 1ull << 10;
    else if (*end == 'M' || *end == 'm') unit = 1ull << 20;
    else if (*end == 'G' || *end == 'g') unit = 1ull << 30;
    else if (*end) return -1;
    if (unit != 1 && end[1]) return -1;
    if (end == s || v == 0 || v > (64ull << 30) / unit) return -1;
    *out = v * unit;
    return 0;
}

static int parse_trace(const char *list, unsigned *mask)
{
    static const struct { const char *name; unsigned bit; } categories[] = {
        { "exceptions", TRACE_EXCEPTIONS }, { "irq", TRACE_IRQ }, { "io", TRACE_IO },
        { "post", TRACE_POST }, { "modes", TRACE_MODES },
        { "cr3", TRACE_CR3 }, { "tlb", TRACE_TLB }, { "syscalls", TRACE_SYSCALLS },
        { "all", TRACE_ALL },
    };
    char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        unsigned i = 0;
        while (i < sizeof categories / sizeof categories[0] && strcmp(tok, categories[i].name)) i++;
        if (i == sizeof categories / sizeof categories[0])
            return bad_option("--trace wants exceptions, irq, io, post, modes, cr3, tlb, "
                              "syscalls or all, not '%s'", tok);
        *mask |= categories[i].bit;
    }
    return 0;
}

static int parse_option(struct cli *c, int opt, const char *arg)
{
    uint64_t v;
    char *end, err[256];
    switch (opt) {
    case 'k': c->load.kernel = arg; return 0;
    case 'a': c->load.append = arg; return 0;
    case 'i': c->load.initrd = arg; return 0;
    case 'b': c->load.bios = arg; return 0;
    case 'm':
        if (parse_size(arg, &v) != 0) return bad_option("--mem wants a size such as 128M, not '%s'", arg);
        c->mopt.ram_bytes = v;
        return 0;
    case 's': c->mopt.serial = arg; return 0;
    case 'd': c->mopt.debugcon = arg; return 0;
    case 'c':
        if (cpu_features_parse(arg, &c->mopt.model, &c->mopt.features, err, sizeof err) != 0)
            return bad_option("%s", err);
        c->mopt.set_features = true;
        return 0;
    case 'n':
        c->mopt.max_insns = strtoull(arg, &end, 0);
        if (*end || end == arg) return bad_option("--max-insns wants a number, not '%s'", arg);
        return 0;
    case 't': return parse_trace(arg, &c->mopt.trace_mask);
    case 'T': c->trace_file = arg; return 0;
    case 'H': c->headless = true; return 0;
    case 'g': c->gdb = arg; return 0;
    case 'W': c->wait_gdb = true; return 0;
    case 'P': c->ui.screenshot = arg; return 0;
    case 'A': c->ui.at = arg; return 0;
    case 'N':
        c->ui.after = strtoull(arg, &end, 0);
        if (*end || end == arg) return bad_option("--after wants a number, not '%s'", arg);
        return 0;
    case 'V':
        if ((c->ui.view = ui_view_parse(arg)) < 0)
            return bad_option("--view wants main, paging or nt, not '%s'", arg);
        return 0;
    case 'w': c->ui.walk = arg; return 0;
    case 'F': c->ui.font = arg; return 0;
    case 'C': c->cycles = 0; return 0;
    case 'S':
        v = strtoull(arg, &end, 0);
        if (*end || v < 3 || v > (1u << 30)) return bad_option("--sieve wants 3 to 2^30, not '%s'", arg);
        c->sieve = (unsigned)v;
        c->sieve_set = true;
        return 0;
    default:
        return -1;
    }
}

static int parse_args(int argc, char **argv, struct cli *c)
{
    static const struct option longopts[] = {
        { "kernel", required_argument, 0, 'k' }, { "append", required_argument, 0, 'a' },
        { "initrd", required_argument, 0, 'i' }, { "bios", required_argument, 0, 'b' },
        { "mem", required_argument, 0, 'm' }, { "serial", required_argument, 0, 's' },
        { "debugcon", required_argument, 0, 'd' }, { "cpu", required_argument, 0, 'c' },
        { "max-insns", required_argument, 0, 'n' }, { "trace", required_argument, 0, 't' },
        { "trace-file", required_argument, 0, 'T' }, { "headless", no_argument, 0, 'H' },
        { "no-cycles", no_argument, 0, 'C' }, { "sieve", required_argument, 0, 'S' },
        { "model", required_argument, 0, 'c' }, { "help", no_argument, 0, 'h' },
        { "gdb", required_argument, 0, 'g' }, { "wait-gdb", no_argument, 0, 'W' },
        { "screenshot", required_argument, 0, 'P' }, { "at", required_argument, 0, 'A' },
        { "after", required_argument, 0, 'N' }, { "view", required_argument, 0, 'V' },
        { "walk", required_argument, 0, 'w' }, { "font", required_argument, 0, 'F' },
        { 0, 0, 0, 0 },
    };
    int opt;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        if (opt == 'h') {
            usage(stdout);
            exit(0);
        }
        if (opt == '?') return bad_option("unknown or incomplete option '%s'", argv[optind - 1]);
        if (parse_option(c, opt, optarg) != 0) return -1;
    }
    if (optind < argc && !strcmp(argv[optind], "run")) {
        if (optind + 1 >= argc) return bad_option("%s wants a program: run PROG.elf [ARGS...]", "run");
        c->program = argv[optind + 1];
        c->prog_args = argv + optind + 2;
        c->nprog_args = argc - optind - 2;
        if (c->load.kernel || c->load.bios || c->sieve_set)
            return bad_option("%s runs a program on the built-in kernel: not with --kernel, "
                              "--bios or --sieve", "run");
    } else if (optind < argc) {
        return bad_option("unexpected argument '%s'", argv[optind]);
    }
    if (c->wait_gdb && !c->gdb) return bad_option("%s needs --gdb [HOST:]PORT", "--wait-gdb");
    if (c->ui.screenshot && !c->ui.at && !c->ui.after)
        return bad_option("%s needs --at SYMBOL or --after N", "--screenshot");
    if (c->ui.screenshot && (c->gdb || c->sieve_set))
        return bad_option("%s draws one picture headless: not with --gdb or --sieve", "--screenshot");
    return 0;
}

/* ---- running an image ---------------------------------------------------- */

static void on_sigint(int sig)
{
    (void)sig;
    if (running) {
        running->interrupt_requested = 1;
        running->cpu.events = 1;
    }
}

static bool demo_machine(const struct cli *c)
{
    return !c->load.kernel && !c->load.bios && c->sieve_set;
}

/* The machine the command line asks for, booted: the built-in kernel (with
 * ntdll's symbols for the window), the CPU demo, or an image of one's own.
 * The window boots through it again on a reset. */
struct boot {
    const struct cli *c;
    const void *prog;
    size_t prog_size;
    bool window;
};

static int boot_machine(struct machine *m, void *ctx, char *err, size_t errlen)
{
    const struct boot *b = ctx;
    const struct cli *c = b->c;
    m->cpu.cycle_model = c->cycles;
    if (demo_machine(c)) {
        /* The CPU demo as a machine, for the debugger: the sieve at 0x1000. */
        sieve_prepare(&m->cpu, _binary_sieve_bin_start,
                      (size_t)(_binary_sieve_bin_end - _binary_sieve_bin_start), c->sieve);
        return 0;
    }
    if (c->load.kernel || c->load.bios) return machine_boot(m, &c->load, err, errlen);
    const struct builtin_image img = {
        _binary_ntkernel_elf_start, (size_t)(_binary_ntkernel_elf_end - _binary_ntkernel_elf_start),
        _binary_ramdisk_img_start, (size_t)(_binary_ramdisk_img_end - _binary_ramdisk_img_start),
    };
    if (builtin_boot(m, &img, c->program, b->prog, b->prog_size, c->prog_args, c->nprog_args,
                     err, errlen) != 0)
        return -1;
    if (b->window) ui_ramdisk_symbols(m->symbols, img.ramdisk, img.ramdisk_size, "ntdll.elf");
    return 0;
}

/* The exit status for the machine as it stopped (the usage text's rules),
 * with the line saying why. */
static int finish_machine(struct machine *m, void *ctx)
{
    const struct boot *b = ctx;
    const struct cli *c = b->c;
    bool builtin = !c->load.kernel && !c->load.bios && !c->sieve_set;
    int status = m->exit_status;
    const char *message = m->message;
    char said[128];
    if (m->stop == STOP_NONE) {
        message = "the window was closed with the machine still running";
        status = 1;
    } else if (builtin) {
        int known = m->stop == STOP_DEBUG_EXIT;
        unsigned value = (unsigned)m->exit_status >> 1;
        status = known ? builtin_exit_status(value, &known) : 1;
        if (m->stop == STOP_DEBUG_EXIT) {
            snprintf(said, sizeof said, known ? "the built-in kernel reported %s (%#x)"
                     : "the built-in kernel wrote %s %#x to isa-debug-exit (0x10 is success, "
                       "0x11 failure)", known ? (status ? "failure" : "success") : "the value",
                     value);
            message = said;
        }
    }
    fprintf(stderr, "ringsim: %s (%llu instructions, %llu ns of virtual time)\n", message,
            (unsigned long long)m->cpu.instret, (unsigned long long)machine_now(m));
    return status;
}

static int run_image(struct cli *c)
{
    FILE *trace = NULL;
    if (c->mopt.trace_mask) {
        trace = c->trace_file ? fopen(c->trace_file, "w") : stderr;
        if (!trace) return bad_option("cannot open the trace file '%s'", c->trace_file), 2;
        c->mopt.trace = trace;
    }
    char err[256];
    bool builtin = !c->load.kernel && !c->load.bios && !c->sieve_set;
    struct boot b = { c, NULL, 0, false };
    void *prog = NULL;
    if (c->program && builtin_read_program(c->program, &prog, &b.prog_size, err, sizeof err)) {
        fprintf(stderr, "ringsim: run: %s\n", err);
        return 2;
    }
    b.prog = prog;
    int gdb_fd = -1, port = 0;
    if (c->gdb) {
        gdb_fd = gdb_tcp_listen(c->gdb, &port, err, sizeof err);
        if (gdb_fd < 0) {
            fprintf(stderr, "ringsim: %s\n", err);
            return free(prog), 2;
        }
        fprintf(stderr, "ringsim: gdb stub listening on port %d%s\n", port,
                c->wait_gdb ? ", waiting for gdb" : "");
    }
    /* The window: for the built-in kernel and images of one's own (the CPU
     * demo is a benchmark), when a display is present or for a screenshot. */
    if (!demo_machine(c) && (c->ui.screenshot || (!c->headless && ui_display_available()))) {
        b.window = true;
        c->ui.gdb = gdb_fd >= 0;
        c->ui.gdb_fd = gdb_fd;
        c->ui.gdb_port = port;
        c->ui.wait_gdb = c->wait_gdb;
        c->ui.finish = finish_machine;
        int st = ui_frontend(&c->mopt, boot_machine, &b, &c->ui);
        if (st != UI_NO_WINDOW) {
            if (gdb_fd >= 0) close(gdb_fd);
            if (trace && trace != stderr) fclose(trace);
            return free(prog), st;
        }
        b.window = false;
    }
    struct machine *m = machine_new(&c->mopt);
    if (!m) return free(prog), 2;
    int rc = boot_machine(m, &b, err, sizeof err);
    if (!rc && builtin && !c->headless)
        fprintf(stderr, "ringsim: no display (SDL_VIDEODRIVER, DISPLAY): the console (COM1) is "
                "%s\n", !strcmp(c->mopt.serial, "stdio") ? "this terminal" : c->mopt.serial);
    free(prog);
    struct nttrace syscalls = { 0 };
    if (rc == 0 && (c->mopt.trace_mask & TRACE_SYSCALLS) && !(c->load.bios || demo_machine(c))) {
        rc = nttrace_attach(&syscalls, &m->cpu, m->symbols, trace, err, sizeof err);
        if (rc != 0 && c->mopt.trace_mask == TRACE_ALL) rc = 0;     /* not this kernel's */
    }
    if (rc != 0) {
        fprintf(stderr, "ringsim: %s\n", err);
        nttrace_free(&syscalls);
        machine_free(m);
        if (gdb_fd >= 0) close(gdb_fd);
        return 2;
    }
    running = m;
    signal(SIGINT, on_sigint);
    if (gdb_fd >= 0) {
        gdb_tcp_serve(m, gdb_fd, c->wait_gdb);
        close(gdb_fd);
    } else {
        machine_run(m);
    }
    running = NULL;
    fflush(stdout);
    nttrace_free(&syscalls);
    int status = finish_machine(m, &b);
    machine_free(m);
    if (trace && trace != stderr) fclose(trace);
    return status;
}

int main(int argc, char **argv)
{
    struct cli c = { .sieve = 1000000, .cycles = 1 };
    machine_default_options(&c.mopt);
    if (parse_args(argc, argv, &c) != 0) return 2;
    bool demo = !c.load.kernel && !c.load.bios && c.sieve_set;
    if (demo && c.gdb) {                                /* the demo under the debugger */
        if (c.mopt.ram_bytes < sieve_ram_bytes(c.sieve)) c.mopt.ram_bytes = sieve_ram_bytes(c.sieve);
        return run_image(&c);
    }
    if (demo)
        return run_demo(c.mopt.model ? c.mopt.model : cpu_model_host(), &c.mopt, c.sieve,
                        c.cycles);
    return run_image(&c);
}
