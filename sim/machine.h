/* machine.h - the board: RAM and ROM, one CPU, the devices of a PC/AT-class
 * machine wired together, virtual time, and the run loop.
 *
 * The machine owns everything and passes one explicit pointer; two machines
 * can live in one process.  Front ends (the command line, the UI, the GDB
 * stub, tests) build one from options, load an image, and call machine_run.
 */
#ifndef RINGSIM_MACHINE_H
#define RINGSIM_MACHINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "cpu/cpu.h"
#include "sim/timers.h"

struct machine_devices;     /* defined in machine.c: the chips */
struct symtab;              /* sim/symbols.h */

/* Why machine_run returned. */
enum machine_stop {
    STOP_NONE,
    STOP_DEBUG_EXIT,        /* the guest wrote port 0xF4: exit_status holds (v << 1) | 1 */
    STOP_HALT,              /* HLT with interrupts disabled and nothing that could wake it */
    STOP_TRIPLE_FAULT,      /* shutdown: the message names the faults */
    STOP_MAX_INSNS,         /* the --max-insns budget ran out */
    STOP_INTERRUPTED,       /* SIGINT or a front end's request */
    STOP_ERROR,             /* something the simulator cannot continue from */
};

struct machine_options {
    uint64_t ram_bytes;         /* default 128 MiB */
    const struct cpu_model *model;
    bool set_features;          /* false: the model's own features */
    uint64_t features;          /* CPU_FEAT bits (--cpu intel,-popcnt) when set_features */
    const char *serial;         /* COM1 backend: "stdio", "file:PATH", "pty", "null" */
    const char *debugcon;       /* port 0xE9 output: "stdio", "file:PATH", "null" */
    uint64_t max_insns;         /* 0: no limit */
    int64_t rtc_epoch;          /* wall-clock seconds at virtual time 0 */
    FILE *trace;                /* NULL: no trace */
    unsigned trace_mask;        /* TRACE_* categories */
};

enum {
    TRACE_EXCEPTIONS = 1u << 0, TRACE_IRQ = 1u << 1, TRACE_IO = 1u << 2, TRACE_POST = 1u << 3,
    TRACE_MODES = 1u << 4,
    TRACE_CR3 = 1u << 5, TRACE_TLB = 1u << 6,  /* MOV to CR3; TLB invalidations by cause */
    TRACE_SYSCALLS = 1u << 7,   /* the built-in kernel's system calls (sim/nttrace.c) */
    TRACE_ALL = 0xFFFFFFFFu,
};

struct machine {
    struct bus *bus;
    struct cpu cpu;
    struct timer_queue timers;
    struct machine_devices *dev;
    struct symtab *symbols;
    struct machine_options opt;
    enum machine_stop stop;
    int exit_status;            /* process exit status the run asks for */
    char message[256];          /* the one-line reason for the stop */
    volatile int interrupt_requested;   /* set from a signal handler */
    /* Asked once per run slice (about every 100,000 instructions) when set:
     * nonzero stops the run with STOP_INTERRUPTED (the GDB stub's Ctrl-C). */
    int (*poll)(void *ctx);
    void *poll_ctx;
    /* What a loader added to the image's link addresses (the GDB stub's
     * qOffsets); every loader today loads at the link address. */
    bool load_biased;
    uint64_t load_bias;
};

void machine_default_options(struct machine_options *opt);
/* NULL and a message on stderr when the host refuses (memory, a backend). */
struct machine *machine_new(const struct machine_options *opt);
void machine_free(struct machine *m);

/* Run until a stop condition; returns it (also in m->stop, with m->message). */
enum machine_stop machine_run(struct machine *m);
/* One instruction (or one interrupt delivery) with the devices' time
 * kept: the debugger's single step.  STOP_NONE when the machine can go on. */
enum machine_stop machine_step(struct machine *m);
/* machine_step with interrupts and timers held (the debugger's quiet
 * step): INTR and NMI are not taken and no timer fires during the
 * instruction; what is pending is delivered by the next run or step.  A
 * halted CPU stays halted (no time passes). */
enum machine_stop machine_step_quiet(struct machine *m);
/* Virtual time in ns: from modelled cycles at the nominal clock (or retired
 * instructions when the cycle model is off). */
uint64_t machine_now(const struct machine *m);
#define MACHINE_CPU_HZ 1000000000ull     /* nominal core clock: 1 cycle = 1 ns */

/* The local APIC as PC firmware leaves it for an operating system (SeaBIOS,
 * and QEMU's -kernel boots through it): software-enabled, LINT0 ExtINT and
 * LINT1 NMI (virtual-wire mode, MP spec 3.6.2.2), so the 8259 reaches the
 * CPU.  Kernel loaders call it; a ROM at the reset vector starts from the
 * power-up state instead (LVTs masked, SDM Vol. 3 10.4.7.1). */
void machine_firmware_apic(struct machine *m);

/* Every byte COM1 transmits also goes to fn (the UI's console), before the
 * --serial backend; NULL removes the tap. */
void machine_serial_tap(struct machine *m, void (*fn)(void *ctx, uint8_t byte), void *ctx);

/* Copy bytes into guest physical memory (loaders); -1 if not RAM. */
int machine_load(struct machine *m, uint64_t phys, const void *data, uint64_t len);

#endif
