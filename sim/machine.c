/* machine.c - the board: a PC/AT-class machine built from options.
 *
 * RAM and the bus, one CPU, the chips (8259 pair, 8254, two 16550s, the RTC,
 * port 0x92, the local APIC and the I/O APIC, and QEMU's platform ports so
 * test kernels written for QEMU run unchanged), their IRQ wiring, and the
 * run loop.  Virtual time is the CPU's
 * modelled cycles at a nominal 1 GHz (or its retired instructions with the
 * cycle model off); devices are driven only by the timer queue, so a run is
 * deterministic.  A halted CPU skips ahead to the next timer.
 */
#include <stdlib.h>
#include <string.h>
#include "machine.h"
#include "symbols.h"
#include "mmu/bus.h"
#include "devices/cmos.h"
#include "devices/debugcon.h"
#include "devices/debugexit.h"
#include "devices/fwcfg.h"
#include "devices/ioapic.h"
#include "devices/lapic.h"
#include "devices/pci.h"
#include "devices/pic8259.h"
#include "devices/pit8254.h"
#include "devices/port92.h"
#include "devices/post.h"
#include "devices/uart16550.h"

/* The PC/AT's ISA interrupt lines (IBM AT technical reference). */
enum { IRQ_PIT = 0, IRQ_COM2 = 3, IRQ_COM1 = 4, IRQ_RTC = 8 };

/* A run slice never exceeds this many instructions, so SIGINT, serial input
 * and device timers are looked at often enough. */
#define SLICE_MAX 100000

struct machine_devices {
    struct pic8259 pic;
    struct pit8254 pit;
    struct uart16550 com1, com2;
    struct uart_backend com1_backend, com2_backend;
    void (*com1_tap)(void *ctx, uint8_t byte);     /* machine_serial_tap */
    void *com1_tap_ctx;
    struct cmos rtc;
    struct port92 port92;
    struct debugexit debugexit;
    struct debugcon debugcon;
    struct uart_backend debugcon_out;   /* the same stdio/file/pty/null choices as COM1 */
    struct post post;
    struct fwcfg fwcfg;
    struct pci pci;
    struct lapic lapic;
    struct ioapic ioapic;
    struct irq_line pic_out, lapic_out, irq_pit, irq_com1, irq_com2, irq_rtc;
    int pic_level, lapic_level;     /* the two controllers' INTR outputs */
    uint64_t idle_ns;           /* virtual time spent halted, skipped over */
};

void machine_default_options(struct machine_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->ram_bytes = 128ull << 20;
    opt->serial = "stdio";
    opt->debugcon = "null";
    opt->rtc_epoch = 1767225600;    /* 2026-01-01 00:00:00 UTC: the same every run */
}

uint64_t machine_now(const struct machine *m)
{
    const struct cpu *cpu = &m->cpu;
    return cpu_time_now(cpu) + m->dev->idle_ns;
}

/* Before a device access: timers due by now fire first, so a guest reading
 * a counter or a status register sees the time of its own instruction. */
static void sync_time(void *ctx)
{
    struct machine *m = ctx;
    tq_advance(&m->timers, machine_now(m));
}

/* ---- interrupt wiring ----------------------------------------------------
 *
 *   ISA IRQ n ---> 8259 input n
 *             \--> I/O APIC pin n (IRQ 0 on pin 2: the MP/ACPI interrupt
 *                  source override of PC firmware) --> local APIC
 *   8259 INTR ---> local APIC LINT0 (ExtINT in virtual-wire mode) --> CPU INTR
 *             \--> CPU INTR directly while IA32_APIC_BASE.EN = 0: the CPU is
 *                  then one without an on-chip APIC (SDM Vol. 3 10.4.3)
 *   local APIC NMI (ICR, LINT1) --> CPU NMI pin
 *
 * INTA goes to the 8259 when the APIC is off or ExtINT is asserting, else to
 * the local APIC.  EOIs of level-triggered vectors reach the I/O APIC through
 * the local APIC's broadcast hook (ioapic_init). */

static bool apic_enabled(const struct machine *m)
{
    return (lapic_read_base_msr(&m->dev->lapic) & APIC_BASE_EN) != 0;
}

static void update_intr(struct machine *m)
{
    int level = apic_enabled(m) ? m->dev->lapic_level : m->dev->pic_level;
    cpu_set_intr(&m->cpu, level != 0);
}

static void pic_output(void *ctx, unsigned line, int level)
{
    (void)line;
    struct machine *m = ctx;
    m->dev->pic_level = level;
    lapic_set_lint(&m->dev->lapic, 0, level);
    update_intr(m);
}

static void lapic_output(void *ctx, unsigned line, int level)
{
    (void)line;
    struct machine *m = ctx;
    m->dev->lapic_level = level;
    update_intr(m);
}

static void lapic_nmi(void *ctx, unsigned line, int level)
{
    (void)line;
    struct machine *m = ctx;
    if (level && lapic_nmi_pending(&m->dev->lapic)) cpu_set_nmi(&m->cpu);
}

static void isa_irq(void *ctx, unsigned irq, int level)
{
    struct machine *m = ctx;
    pic_set_irq(&m->dev->pic, irq, level);
    ioapic_set_irq(&m->dev->ioapic, irq == 0 ? 2 : irq, level);
}

static int inta(void *ctx)
{
    struct machine *m = ctx;
    if (!apic_enabled(m) || lapic_extint(&m->dev->lapic)) return pic_acknowledge(&m->dev->pic);
    return lapic_acknowledge(&m->dev->lapic);
}

/* WRMSR to IA32_APIC_BASE, after the CPU's reserved-bit checks. */
static unsigned machine_cr8_read(void *ctx)
{
    struct machine *m = ctx;
    return lapic_cr8_read(&m->dev->lapic);
}

static void machine_cr8_write(void *ctx, unsigned cr8)
{
    struct machine *m = ctx;
    lapic_cr8_write(&m->dev->lapic, cr8);
}

static void apic_base_write(void *ctx, uint64_t value)
{
    struct machine *m = ctx;
    lapic_write_base_msr(&m->dev->lapic, value);
    lapic_relocate(&m->dev->lapic, m->bus);
    update_intr(m);
}

void machine_firmware_apic(struct machine *m)
{
    uint64_t base = lapic_read_base_msr(&m->dev->lapic) & APIC_BASE_ADDR;
    bus_write(m->bus, base + 0xF0, 4, 0x1FF);       /* SVR: software enable, vector FFh */
    bus_write(m->bus, base + 0x350, 4, 0x8700);     /* LVT0: ExtINT, level */
    bus_write(m->bus, base + 0x360, 4, 0x8400);     /* LVT1: NMI, level */
    update_intr(m);
}

static void guest_exit(void *ctx, int status)
{
    struct machine *m = ctx;
    m->stop = STOP_DEBUG_EXIT;
    m->exit_status = status;
    snprintf(m->message, sizeof m->message, "the guest wrote the debug-exit port: status %d",
             status);
    cpu_request_stop(&m->cpu);
}

/* Port 92h's fast reset is an INIT: the local APIC keeps its base and state. */
static void fast_reset(void *ctx)
{
    struct machine *m = ctx;
    cpu_reset(&m->cpu);
    m->cpu.msr.apic_base = lapic_read_base_msr(&m->dev->lapic);
}

static void debugcon_byte(void *ctx, uint8_t byte)
{
    struct machine *m = ctx;
    m->dev->debugcon_out.write(m->dev->debugcon_out.ctx, byte);
}

static void post_code(void *ctx, uint8_t code, uint64_t now_ns)
{
    struct machine *m = ctx;
    if (m->opt.trace && (m->opt.trace_mask & TRACE_POST))
        fprintf(m->opt.trace, "%llu ns: post %#04x\n", (unsigned long long)now_ns, code);
}

/* ---- traces: one line per event, stamped with virtual time, so two runs of
 * the same image and options give byte-identical traces ---------------------- */

static bool tracing(const struct machine *m, unsigned category)
{
    return m->opt.trace && (m->opt.trace_mask & category);
}

/* The second half of an event: where delivery took it. */
static void trace_delivered(void *ctx, int vector, const char *gate, unsigned old_cpl,
                            unsigned new_cpl)
{
    struct machine *m = ctx;
    (void)vector;
    if (!tracing(m, TRACE_EXCEPTIONS) && !tracing(m, TRACE_IRQ)) return;
    fprintf(m->opt.trace, "%llu ns:   through the %s, CPL %u -> %u, to %04x:%llx\n",
            (unsigned long long)machine_now(m), gate ? gate : "?", old_cpl, new_cpl,
            m->cpu.seg[SEG_CS].sel, (unsigned long long)m->cpu.rip);
}

static void trace_exception(void *ctx, int vector, uint32_t error, int source)
{
    static const char *const sources[] = { "exception", "int", "int3", "into", "int1", "irq",
                                           "nmi" };
    struct machine *m = ctx;
    if (!tracing(m, TRACE_EXCEPTIONS) && !(source == 5 && tracing(m, TRACE_IRQ))) return;
    /* Names belong to exceptions only: an IRQ or INT n on vector 8 is not a #DF. */
    if (source == 0)
        fprintf(m->opt.trace, "%llu ns: exception %s (vector %d)",
                (unsigned long long)machine_now(m), exception_name(vector), vector);
    else
        fprintf(m->opt.trace, "%llu ns: %s vector %d", (unsigned long long)machine_now(m),
                sources[source < 7 ? source : 0], vector);
    if (error != EXC_NO_ERROR) fprintf(m->opt.trace, " error %#x", error);
    fprintf(m->opt.trace, " at %04x:%llx\n", m->cpu.seg[SEG_CS].sel,
            (unsigned long long)m->cpu.insn_start);
}

static void trace_mode(void *ctx, unsigned mode, unsigned dmode, unsigned cpl)
{
    static const char *const modes[] = { "real", "virtual-8086", "protected", "long" };
    static const char *const widths[] = { "16-bit", "32-bit", "64-bit" };
    struct machine *m = ctx;
    if (!tracing(m, TRACE_MODES)) return;
    fprintf(m->opt.trace, "%llu ns: mode %s, %s code, CPL %u\n",
            (unsigned long long)machine_now(m), modes[mode & 3], widths[dmode < 3 ? dmode : 0], cpl);
}

static void trace_port(void *ctx, uint16_t port, unsigned size, uint64_t value, int is_write)
{
    struct machine *m = ctx;
    if (!tracing(m, TRACE_IO)) return;
    fprintf(m->opt.trace, "%llu ns: io %s port %#06x size %u value %#llx\n",
            (unsigned long long)machine_now(m), is_write ? "out" : "in", port, size,
            (unsigned long long)value);
}

static void trace_cr3(void *ctx, uint64_t old, uint64_t new_cr3, unsigned pcid, bool noflush)
{
    struct machine *m = ctx;
    if (!tracing(m, TRACE_CR3)) return;
    fprintf(m->opt.trace, "%llu ns: cr3 %#llx -> %#llx pcid %#x%s\n",
            (unsigned long long)machine_now(m), (unsigned long long)old,
            (unsigned long long)new_cr3, pcid, noflush ? " no-flush" : "");
}

static void trace_tlb_flush(void *ctx, unsigned cause, uint64_t addr, unsigned pcid)
{
    struct machine *m = ctx;
    if (!tracing(m, TRACE_TLB)) return;
    fprintf(m->opt.trace, "%llu ns: tlb flush %s addr %#llx pcid %#x\n",
            (unsigned long long)machine_now(m), tlb_cause_name(cause),
            (unsigned long long)addr, pcid);
}

static void install_traces(struct machine *m)
{
    if (!m->opt.trace) return;
    m->cpu.observer = m;
    m->cpu.on_exception = trace_exception;
    m->cpu.on_mode = trace_mode;
    m->cpu.on_delivered = trace_delivered;
    m->cpu.on_cr3 = trace_cr3;
    m->cpu.on_tlb_flush = trace_tlb_flush;
    m->bus->on_port = trace_port;
    m->bus->on_port_ctx = m;
}

static struct irq_line isa_line(struct machine *m, unsigned irq)
{
    return (struct irq_line){ isa_irq, m, irq };
}

static int build_devices(struct machine *m)
{
    struct machine_devices *d = m->dev;
    d->pic_out = (struct irq_line){ pic_output, m, 0 };
    d->lapic_out = (struct irq_line){ lapic_output, m, 0 };
    d->irq_pit = isa_line(m, IRQ_PIT);
    d->irq_com1 = isa_line(m, IRQ_COM1);
    d->irq_com2 = isa_line(m, IRQ_COM2);
    d->irq_rtc = isa_line(m, IRQ_RTC);

    lapic_init(&d->lapic, &m->timers, 0, &d->lapic_out);
    d->lapic.nmi_out = (struct irq_line){ lapic_nmi, m, 0 };
    ioapic_init(&d->ioapic, &d->lapic);
    pic_init(&d->pic, &d->pic_out);
    pit_init(&d->pit, &m->timers, &d->irq_pit);
    if (uart_backend_open(&d->com1_backend, m->opt.serial ? m->opt.serial : "stdio") != 0 ||
        uart_backend_open(&d->com2_backend, "null") != 0 ||
        uart_backend_open(&d->debugcon_out, m->opt.debugcon ? m->opt.debugcon : "null") != 0)
        return -1;
    uart_init(&d->com1, 0x3F8, &m->timers, &d->irq_com1, &d->com1_backend);
    uart_init(&d->com2, 0x2F8, &m->timers, &d->irq_com2, &d->com2_backend);
    cmos_init(&d->rtc, &m->timers, &d->irq_rtc, m->opt.rtc_epoch);
    cmos_set_memory(&d->rtc, m->opt.ram_bytes);
    port92_init(&d->port92, m->bus, fast_reset, m);
    debugexit_init(&d->debugexit, guest_exit, m);
    debugcon_init(&d->debugcon, debugcon_byte, m);
    post_init(&d->post, &m->timers, post_code, m);
    fwcfg_init(&d->fwcfg, 1, m->opt.ram_bytes);
    pci_init(&d->pci);

    int bad = pic_attach(&d->pic, m->bus) | pit_attach(&d->pit, m->bus) |
              uart_attach(&d->com1, m->bus) | uart_attach(&d->com2, m->bus) |
              cmos_attach(&d->rtc, m->bus) | port92_attach(&d->port92) |
              debugexit_attach(&d->debugexit, m->bus) | debugcon_attach(&d->debugcon, m->bus) |
              post_attach(&d->post, m->bus) | fwcfg_attach(&d->fwcfg, m->bus) |
              pci_attach(&d->pci, m->bus) | lapic_attach(&d->lapic, m->bus) |
              ioapic_attach(&d->ioapic, m->bus);
    if (bad) fprintf(stderr, "ringsim: the bus has no room for every device\n");
    return bad ? -1 : 0;
}

/* ---- lifetime ---------------------------------------------------------- */

struct machine *machine_new(const struct machine_options *opt)
{
    struct machine *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->opt = *opt;
    if (m->opt.ram_bytes < (1u << 20)) m->opt.ram_bytes = 1u << 20;
    tq_init(&m->timers);
    m->dev = calloc(1, sizeof *m->dev);
    m->bus = bus_new(m->opt.ram_bytes);
    if (!m->dev || !m->bus || cpu_init(&m->cpu, m->bus, m->opt.model) != 0 ||
        build_devices(m) != 0) {
        machine_free(m);
        return NULL;
    }
    if (m->opt.set_features) m->cpu.features = m->opt.features;
    m->cpu.intr_ack = inta;
    m->cpu.intr_ctx = m;
    m->cpu.apic_base_write = apic_base_write;
    m->cpu.cr8_read = machine_cr8_read;
    m->cpu.cr8_write = machine_cr8_write;
    m->cpu.apic_ctx = m;
    m->bus->before_device = sync_time;
    m->bus->before_device_ctx = m;
    install_traces(m);
    return m;
}

void machine_free(struct machine *m)
{
    if (!m) return;
    if (m->dev) {
        uart_backend_close(&m->dev->com1_backend);
        uart_backend_close(&m->dev->com2_backend);
        uart_backend_close(&m->dev->debugcon_out);
    }
    if (m->cpu.dc) cpu_free(&m->cpu);
    symtab_free(m->symbols);
    bus_free(m->bus);
    free(m->dev);
    free(m);
}

int machine_load(struct machine *m, uint64_t phys, const void *data, uint64_t len)
{
    return bus_load(m->bus, phys, data, len);
}

/* ---- running ----------------------------------------------------------- */

static void stop_with(struct machine *m, enum machine_stop why, int status, const char *msg)
{
    m->stop = why;
    m->exit_status = status;
    snprintf(m->message, sizeof m->message, "%s", msg);
}

/* How many instructions may run before the next device event is due. */
static uint64_t slice_length(struct machine *m, uint64_t now)
{
    uint64_t next = tq_next_deadline(&m->timers), n = SLICE_MAX;
    if (next != UINT64_MAX) n = next > now ? next - now : 1;   /* at least one cycle each */
    if (n > SLICE_MAX) n = SLICE_MAX;
    if (m->opt.max_insns) {
        uint64_t left = m->opt.max_insns > m->cpu.instret ? m->opt.max_insns - m->cpu.instret : 0;
        if (n > left) n = left;
    }
    return n;
}

/* HLT: with IF clear (and no NMI source yet) nothing can wake the CPU; with
 * IF set, virtual time jumps to the next timer, whose interrupt may wake it. */
static bool idle(struct machine *m)
{
    uint64_t next = tq_next_deadline(&m->timers);
    if (!(m->cpu.rflags & FL_IF)) {
        stop_with(m, STOP_HALT, 0, "HLT with interrupts disabled");
        return false;
    }
    if (next == UINT64_MAX) {
        stop_with(m, STOP_HALT, 0, "HLT with no timer armed: nothing can raise an interrupt");
        return false;
    }
    uint64_t now = machine_now(m);
    if (next > now) {
        m->dev->idle_ns += next - now;
        m->cpu.tsc_offset += next - now;    /* the time stamp counter keeps counting */
    }
    return true;
}

static bool after_run(struct machine *m, enum cpu_exit why)
{
    switch (why) {
    case EXIT_BUDGET:
        if (m->opt.max_insns && m->cpu.instret >= m->opt.max_insns) {
            stop_with(m, STOP_MAX_INSNS, 0, "the instruction budget (--max-insns) ran out");
            return false;
        }
        return true;
    case EXIT_HALT:
        return idle(m);
    case EXIT_SHUTDOWN:
        stop_with(m, STOP_TRIPLE_FAULT, 1, m->cpu.stop_message);
        return false;
    case EXIT_STOP:
        if (m->stop == STOP_NONE) stop_with(m, STOP_INTERRUPTED, 1, "stopped on request");
        return false;
    default:
        stop_with(m, STOP_ERROR, 1, "the CPU stopped for an unexpected reason");
        return false;
    }
}

enum machine_stop machine_run(struct machine *m)
{
    m->stop = STOP_NONE;
    m->message[0] = 0;
    for (;;) {
        if (m->interrupt_requested) {
            stop_with(m, STOP_INTERRUPTED, 1, "interrupted (SIGINT)");
            break;
        }
        if (m->poll && m->poll(m->poll_ctx)) {
            stop_with(m, STOP_INTERRUPTED, 1, "interrupted by the debugger");
            break;
        }
        uint64_t now = machine_now(m);
        tq_advance(&m->timers, now);
        uart_poll_input(&m->dev->com1);
        uint64_t n = slice_length(m, machine_now(m));
        if (n == 0) {
            stop_with(m, STOP_MAX_INSNS, 0, "the instruction budget (--max-insns) ran out");
            break;
        }
        if (!after_run(m, cpu_run(&m->cpu, n))) break;
    }
    return m->stop;
}

/* COM1's transmitted bytes to the tap, then on to the chosen backend. */
static void com1_tee(void *ctx, uint8_t byte)
{
    struct machine_devices *d = ctx;
    d->com1_tap(d->com1_tap_ctx, byte);
    if (d->com1_backend.write) d->com1_backend.write(d->com1_backend.ctx, byte);
}

static int com1_tee_read(void *ctx)
{
    struct machine_devices *d = ctx;
    return d->com1_backend.read ? d->com1_backend.read(d->com1_backend.ctx) : -1;
}

void machine_serial_tap(struct machine *m, void (*fn)(void *ctx, uint8_t byte), void *ctx)
{
    struct machine_devices *d = m->dev;
    d->com1_tap = fn;
    d->com1_tap_ctx = ctx;
    if (fn) d->com1.backend = (struct uart_backend){ com1_tee, com1_tee_read, d };
    else d->com1.backend = d->com1_backend;
}

enum machine_stop machine_step(struct machine *m)
{
    m->stop = STOP_NONE;
    m->message[0] = 0;
    tq_advance(&m->timers, machine_now(m));
    uart_poll_input(&m->dev->com1);
    after_run(m, cpu_run(&m->cpu, 1));
    return m->stop;
}

enum machine_stop machine_step_quiet(struct machine *m)
{
    struct cpu *cpu = &m->cpu;
    bool nmi = cpu->nmi_pending;
    m->stop = STOP_NONE;
    m->message[0] = 0;
    cpu->intr = false;
    cpu->nmi_pending = false;
    enum cpu_exit why = cpu_run(cpu, 1);
    if (why != EXIT_HALT) after_run(m, why);
    update_intr(m);                     /* the pin as the controllers drive it now */
    if (nmi || cpu->nmi_pending) cpu_set_nmi(cpu);
    return m->stop;
}
