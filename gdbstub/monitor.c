/* monitor.c - the stub's monitor commands (gdb "monitor ...", the qRcmd
 * packet).  Output is stable and parseable: one record per line, fields as
 * name=value with hex values prefixed 0x, so scripts can split on spaces.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stub.h"
#include "cpu/msr.h"
#include "mmu/bus.h"
#include "mmu/paging.h"
#include "mmu/tlb.h"
#include "cpu/insn.h"
#include "sim/symbols.h"
#include <Zydis/Zydis.h>

typedef void (*out_fn)(void *ctx, const char *text);

static void say(out_fn out, void *ctx, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(out_fn out, void *ctx, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    out(ctx, line);
}

static const char *mode_name(const struct cpu *cpu)
{
    static const char *const names[] = { "real", "v86", "protected", "long" };
    if (cpu->mode == MODE_LONG || ((cpu->efer & EFER_LMA) && cpu->dmode == DM_64)) return "long";
    if (cpu->efer & EFER_LMA) return "compatibility";
    return names[cpu->mode & 3];
}

static void mon_regs(struct cpu *cpu, out_fn out, void *ctx)
{
    static const char *const names[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                           "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };
    for (unsigned i = 0; i < 16; i++)
        say(out, ctx, "%s=0x%016llx\n", names[i], (unsigned long long)cpu->gpr[i]);
    say(out, ctx, "rip=0x%016llx\nrflags=0x%08llx\n", (unsigned long long)cpu->rip,
        (unsigned long long)cpu_get_flags(cpu));
}

static void mon_cr(struct cpu *cpu, out_fn out, void *ctx)
{
    say(out, ctx, "cr0=0x%llx\ncr2=0x%llx\ncr3=0x%llx\ncr4=0x%llx\ncr8=0x%llx\nefer=0x%llx\n",
        (unsigned long long)cpu->cr0, (unsigned long long)cpu->cr2,
        (unsigned long long)cpu->cr3, (unsigned long long)cpu->cr4,
        (unsigned long long)(cpu->cr8_read ? cpu->cr8_read(cpu->apic_ctx) : cpu->cr8),
        (unsigned long long)cpu->efer);
}

static void mon_sreg(struct cpu *cpu, out_fn out, void *ctx)
{
    static const char *const names[SEG_COUNT] = { "es", "cs", "ss", "ds", "fs", "gs", "ldtr", "tr" };
    for (unsigned i = 0; i < SEG_COUNT; i++) {
        const struct segment *sg = &cpu->seg[i];
        say(out, ctx, "%s sel=0x%04x base=0x%llx limit=0x%x attr=0x%04x\n", names[i], sg->sel,
            (unsigned long long)sg->base, sg->limit, sg->attr);
    }
    say(out, ctx, "gdtr base=0x%llx limit=0x%x\nidtr base=0x%llx limit=0x%x\n",
        (unsigned long long)cpu->gdtr.base, cpu->gdtr.limit,
        (unsigned long long)cpu->idtr.base, cpu->idtr.limit);
}

/* Descriptor tables, read through the current translation. */
static void mon_table(struct cpu *cpu, bool idt, out_fn out, void *ctx)
{
    uint64_t base = idt ? cpu->idtr.base : cpu->gdtr.base;
    unsigned limit = idt ? cpu->idtr.limit : cpu->gdtr.limit;
    unsigned esize = idt && (cpu->efer & EFER_LMA) ? 16 : 8;
    if (cpu->mode == MODE_REAL && idt) esize = 4;
    for (unsigned off = 0; off + esize - 1 <= limit && off < 256 * esize; off += esize) {
        uint8_t b[16];
        if (cpu_read_linear(cpu, base + off, b, esize) != 0) {
            say(out, ctx, "%s[%u] unreadable addr=0x%llx\n", idt ? "idt" : "gdt", off / esize,
                (unsigned long long)(base + off));
            break;
        }
        uint64_t lo = 0, hi = 0;
        for (unsigned i = 0; i < 8 && i < esize; i++) lo |= (uint64_t)b[i] << (8 * i);
        for (unsigned i = 8; i < esize; i++) hi |= (uint64_t)b[i] << (8 * (i - 8));
        if (esize == 4) {
            say(out, ctx, "ivt[%u] seg=0x%04llx off=0x%04llx\n", off / 4,
                (unsigned long long)(lo >> 16), (unsigned long long)(lo & 0xFFFF));
            continue;
        }
        if (!lo && !hi) continue;
        unsigned type = (unsigned)(lo >> 40) & 0xF, s = (unsigned)(lo >> 44) & 1;
        unsigned dpl = (unsigned)(lo >> 45) & 3, p = (unsigned)(lo >> 47) & 1;
        if (idt) {
            uint64_t target = (lo & 0xFFFF) | ((lo >> 32) & 0xFFFF0000ull) | (hi << 32);
            say(out, ctx, "idt[%u] sel=0x%04llx offset=0x%llx type=0x%x dpl=%u p=%u raw=0x%016llx\n",
                off / esize, (unsigned long long)((lo >> 16) & 0xFFFF), (unsigned long long)target,
                type, dpl, p, (unsigned long long)lo);
        } else {
            uint64_t dbase = ((lo >> 16) & 0xFFFFFF) | ((lo >> 32) & 0xFF000000ull);
            unsigned dlim = (unsigned)((lo & 0xFFFF) | ((lo >> 32) & 0xF0000));
            say(out, ctx, "gdt[%u] sel=0x%04x base=0x%llx limit=0x%x type=0x%x s=%u dpl=%u p=%u "
                "l=%u db=%u g=%u raw=0x%016llx\n", off / 8, off, (unsigned long long)dbase, dlim,
                type, s, dpl, p, (unsigned)(lo >> 53) & 1, (unsigned)(lo >> 54) & 1,
                (unsigned)(lo >> 55) & 1, (unsigned long long)lo);
        }
    }
}

static void mon_msr(struct cpu *cpu, const char *arg, out_fn out, void *ctx)
{
    char *end;
    unsigned long idx = strtoul(arg, &end, 0);
    uint64_t v;
    if (!*arg || *end) {
        for (size_t i = 0; i < msr_count(); i++) {
            const struct msr_info *mi = msr_info_at(i);
            if (msr_read(cpu, mi->index, &v) == 0)
                say(out, ctx, "msr 0x%x %s=0x%llx\n", mi->index, mi->name, (unsigned long long)v);
        }
        return;
    }
    if (msr_read(cpu, (uint32_t)idx, &v) != 0) say(out, ctx, "msr 0x%lx error=gp\n", idx);
    else say(out, ctx, "msr 0x%lx value=0x%llx\n", idx, (unsigned long long)v);
}

static void mon_pte(struct cpu *cpu, const char *arg, out_fn out, void *ctx)
{
    char *end;
    unsigned long long va = strtoull(arg, &end, 0);
    struct walk_info w;
    if (!*arg || *end) {
        say(out, ctx, "usage: pte <linear address>\n");
        return;
    }
    if (paging_walk_info(cpu, va, &w) != 0) {
        say(out, ctx, "va=0x%llx paging=off phys=0x%llx\n", va, va & cpu->bus->a20_mask);
        return;
    }
    for (unsigned i = 0; i < w.nlevels; i++)
        say(out, ctx, "level=%u entry_addr=0x%llx value=0x%016llx%s%s\n", w.lv[i].level,
            (unsigned long long)w.lv[i].entry_addr, (unsigned long long)w.lv[i].value,
            w.lv[i].from_register ? " register" : "", w.lv[i].leaf ? " leaf" : "");
    if (w.mapped)
        say(out, ctx, "va=0x%llx mapped=1 phys=0x%llx page_size=0x%llx perm=0x%x global=%u\n", va,
            (unsigned long long)w.phys, (unsigned long long)w.page_size, w.perm, w.global);
    else
        say(out, ctx, "va=0x%llx mapped=0 error=0x%x\n", va, w.error);
}

static void mon_tlb(struct cpu *cpu, out_fn out, void *ctx)
{
    size_t n = tlb_list(cpu, NULL, 0);
    struct atlb_entry *e = calloc(n ? n : 1, sizeof *e);
    if (!e) return;
    n = tlb_list(cpu, e, n);
    say(out, ctx, "entries=%zu current_pcid=0x%x\n", n, tlb_current_pcid(cpu));
    for (size_t i = 0; i < n; i++)
        say(out, ctx, "vpage=0x%llx ppage=0x%llx pcid=0x%x global=%u size_shift=%u perm=0x%x\n",
            (unsigned long long)e[i].vpage, (unsigned long long)e[i].ppage, e[i].pcid, e[i].global,
            e[i].size_shift, e[i].perm);
    free(e);
}

/* The current task's TSS (TR's hidden base), its stack pointers decoded. */
static void mon_tss(struct cpu *cpu, out_fn out, void *ctx)
{
    const struct segment *tr = &cpu->seg[SEG_TR];
    uint8_t b[0x68];
    say(out, ctx, "tss sel=0x%04x base=0x%llx limit=0x%x type=0x%x\n", tr->sel,
        (unsigned long long)tr->base, tr->limit, tr->attr & SA_TYPE);
    if (cpu->mode == MODE_REAL || tr->limit < 0x67 || cpu_read_linear(cpu, tr->base, b, sizeof b) != 0) {
        say(out, ctx, "tss unreadable\n");
        return;
    }
    uint64_t q[13];
    for (unsigned i = 0; i < 13; i++) {
        q[i] = 0;
        for (unsigned k = 0; k < 8 && 4 + 8 * i + k < sizeof b; k++)
            q[i] |= (uint64_t)b[4 + 8 * i + k] << (8 * k);
    }
    uint32_t d[26];
    for (unsigned i = 0; i < 26; i++)
        d[i] = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 | (uint32_t)b[4 * i + 2] << 16 |
               (uint32_t)b[4 * i + 3] << 24;
    if (cpu->efer & EFER_LMA) {     /* 64-bit TSS (SDM Vol. 3 8.7) */
        say(out, ctx, "rsp0=0x%llx rsp1=0x%llx rsp2=0x%llx\n", (unsigned long long)q[0],
            (unsigned long long)q[1], (unsigned long long)q[2]);
        for (unsigned i = 0; i < 7; i++)
            say(out, ctx, "ist%u=0x%llx\n", i + 1, (unsigned long long)q[4 + i]);
        say(out, ctx, "iomap_base=0x%x\n", (unsigned)(d[25] >> 16));
    } else {                        /* 32-bit TSS (SDM Vol. 3 8.2.1) */
        say(out, ctx, "link=0x%04x esp0=0x%x ss0=0x%04x esp1=0x%x ss1=0x%04x esp2=0x%x ss2=0x%04x\n",
            d[0] & 0xFFFF, d[1], d[2] & 0xFFFF, d[3], d[4] & 0xFFFF, d[5], d[6] & 0xFFFF);
        say(out, ctx, "cr3=0x%x eip=0x%x eflags=0x%x esp=0x%x iomap_base=0x%x\n", d[7], d[8], d[9],
            d[14], d[25] >> 16);
    }
}

/* as <cr3> | as off: the address space memory packets use. */
static void mon_as(struct gdb_stub *s, const char *arg, out_fn out, void *ctx)
{
    char *end;
    if (!strcmp(arg, "off")) s->as = false;
    else if (*arg) {
        unsigned long long cr3 = strtoull(arg, &end, 0);
        if (*end) {
            out(ctx, "usage: as <cr3>|off\n");
            return;
        }
        s->as = true;
        s->as_cr3 = cr3;
    }
    if (s->as) say(out, ctx, "as cr3=0x%llx\n", (unsigned long long)s->as_cr3);
    else say(out, ctx, "as current cr3=0x%llx\n", (unsigned long long)s->m->cpu.cr3);
}

/* dis [addr] [n]: n instructions from addr (default: the PC, 8), in the
 * CPU's current code size.  The simulator's own decoder decides each
 * instruction's length and validity (what the CPU would execute); the
 * text comes from Zydis, as the project has no text formatter of its own. */
static void mon_dis(struct gdb_stub *s, const char *arg, out_fn out, void *ctx)
{
    struct cpu *cpu = &s->m->cpu;
    uint64_t addr = gdb_reported_pc(cpu);
    unsigned long count = 8;
    char *end;
    if (*arg) {
        addr = strtoull(arg, &end, 0);
        if (end == arg || (*end && *end != ' ')) {
            out(ctx, "usage: dis [addr] [n]\n");
            return;
        }
        arg = end;
        while (*arg == ' ') arg++;
        if (*arg) {
            count = strtoul(arg, &end, 0);
            if (*end || count == 0 || count > 256) {
                out(ctx, "usage: dis [addr] [n] (n of 1-256)\n");
                return;
            }
        }
    }
    static const ZydisMachineMode zmode[3][2] = {
        { ZYDIS_MACHINE_MODE_LEGACY_16, ZYDIS_MACHINE_MODE_LONG_COMPAT_16 },
        { ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_MACHINE_MODE_LONG_COMPAT_32 },
        { ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_MACHINE_MODE_LONG_64 } };
    unsigned dm = cpu->dmode <= DM_64 ? cpu->dmode : DM_32;
    ZydisMachineMode mode = zmode[dm][(cpu->efer & EFER_LMA) != 0];
    if (cpu->mode == MODE_REAL || cpu->mode == MODE_V86) mode = ZYDIS_MACHINE_MODE_REAL_16;
    struct decode_ctx dctx = { (enum dmode)dm, cpu->model->vendor, cpu->features };
    static const char *const bits[3] = { "16", "32", "64" };
    say(out, ctx, "dis addr=0x%llx count=%lu bits=%s\n", (unsigned long long)addr, count, bits[dm]);
    for (unsigned long i = 0; i < count; i++) {
        uint8_t b[16];
        size_t got = gdb_stub_read(s, addr, b, sizeof b);
        if (got == 0) {
            say(out, ctx, "0x%08llx: unreadable\n", (unsigned long long)addr);
            return;
        }
        struct insn in;
        int st = decode(&in, b, got, &dctx);
        unsigned len = st == DEC_OK ? in.len : 1;   /* not an instruction: one byte, go on */
        ZydisDisassembledInstruction z;
        bool ztext = ZYAN_SUCCESS(ZydisDisassembleIntel(mode, addr, b, got, &z));
        char hex[40] = "";
        for (unsigned k = 0; k < len && k < got; k++)
            snprintf(hex + 2 * k, sizeof hex - 2 * k, "%02x", b[k]);
        const char *text = st != DEC_OK ? (st == DEC_MORE ? "(unreadable bytes follow)" : "(bad)")
                           : ztext ? z.text : insn_mnemonic(&in);
        char sym[96] = "";
        if (s->m->symbols) {
            uint64_t off;
            const char *name = symtab_lookup(s->m->symbols, addr, &off);
            if (name && off == 0) snprintf(sym, sizeof sym, " <%s>", name);
        }
        say(out, ctx, "0x%08llx:%s %-30s %s%s\n", (unsigned long long)addr, sym, hex, text,
            st == DEC_OK && ztext && z.info.length != len ? " (zydis length differs)" : "");
        addr += len;
    }
}

static const char help_text[] =
    "help            this list\n"
    "regs            general registers, rip, rflags\n"
    "cr              cr0 cr2 cr3 cr4 cr8 efer\n"
    "sreg            segment registers (hidden parts too), gdtr, idtr\n"
    "gdt             the GDT's present entries, decoded\n"
    "idt             the IDT's (or real-mode IVT's) entries, decoded\n"
    "tss             the current TSS: stack pointers, IST, I/O map base\n"
    "msr [n]         one MSR, or every readable one\n"
    "pte <va>        the page walk of a linear address, level by level\n"
    "tlb             the architectural TLB's entries with their PCIDs\n"
    "mode            CPU mode, and the register layout of this connection\n"
    "phys on|off     memory packets address physical (on) or linear (off) memory\n"
    "as <cr3>|off    memory packets translate through another page directory (off: the CPU's)\n"
    "dis [addr] [n]  n instructions from addr (default: the PC, 8); text by Zydis\n"
    "sstep [on|off]  on: no interrupts or timers during single steps (default off)\n"
    "cycles          retired instructions, modelled cycles, virtual time\n"
    "reset           the CPU's reset state (F000:FFF0, real mode); devices and RAM are kept\n"
    "NT kernel (when its symbols are known):\n"
    "trapframe [a]   the KTRAP_FRAME at a (default: the current thread's TrapFrame)\n"
    "process         every process: PROCESS, Cid, Peb, DirBase, Image (!process 0 0)\n"
    "thread [a]      the ETHREAD at a (default: the current thread), as !thread\n"
    "syscalls [n]    the last n system calls (default 16) since gdb attached\n";

void gdb_monitor(struct gdb_stub *s, const char *line, out_fn out, void *ctx)
{
    struct cpu *cpu = &s->m->cpu;
    char cmd[32] = "";
    const char *arg = line;
    while (*arg == ' ') arg++;
    size_t n = strcspn(arg, " ");
    if (n >= sizeof cmd) n = sizeof cmd - 1;
    memcpy(cmd, arg, n);
    cmd[n] = 0;
    arg += strcspn(arg, " ");
    while (*arg == ' ') arg++;
    if (!strcmp(cmd, "help") || !cmd[0]) out(ctx, help_text);
    else if (!strcmp(cmd, "regs")) mon_regs(cpu, out, ctx);
    else if (!strcmp(cmd, "cr")) mon_cr(cpu, out, ctx);
    else if (!strcmp(cmd, "sreg")) mon_sreg(cpu, out, ctx);
    else if (!strcmp(cmd, "gdt")) mon_table(cpu, false, out, ctx);
    else if (!strcmp(cmd, "idt")) mon_table(cpu, true, out, ctx);
    else if (!strcmp(cmd, "tss")) mon_tss(cpu, out, ctx);
    else if (!strcmp(cmd, "reset")) {
        cpu_reset(cpu);
        say(out, ctx, "reset cs=0x%04x ip=0x%04llx mode=%s\n", cpu->seg[SEG_CS].sel,
            (unsigned long long)cpu->rip, mode_name(cpu));
    } else if (!strcmp(cmd, "msr")) mon_msr(cpu, arg, out, ctx);
    else if (!strcmp(cmd, "pte")) mon_pte(cpu, arg, out, ctx);
    else if (!strcmp(cmd, "tlb")) mon_tlb(cpu, out, ctx);
    else if (!strcmp(cmd, "mode"))
        say(out, ctx, "mode=%s cpl=%u layout=%s phys=%s\n", mode_name(cpu), cpu->cpl,
            s->layout == GDB_LAYOUT_64 ? "i386:x86-64" : "i8086-32",
            s->phys ? "on" : "off");
    else if (!strcmp(cmd, "phys")) {
        if (!strcmp(arg, "on")) s->phys = true;
        else if (!strcmp(arg, "off")) s->phys = false;
        else if (*arg) {
            out(ctx, "usage: phys on|off\n");
            return;
        }
        say(out, ctx, "phys=%s\n", s->phys ? "on" : "off");
    } else if (!strcmp(cmd, "as")) mon_as(s, arg, out, ctx);
    else if (!strcmp(cmd, "dis")) mon_dis(s, arg, out, ctx);
    else if (!strcmp(cmd, "sstep")) {
        if (!strcmp(arg, "on")) s->sstep_quiet = true;
        else if (!strcmp(arg, "off")) s->sstep_quiet = false;
        else if (*arg) {
            out(ctx, "usage: sstep [on|off]\n");
            return;
        }
        say(out, ctx, "sstep=%s (interrupts and timers %s during single steps)\n",
            s->sstep_quiet ? "on" : "off", s->sstep_quiet ? "held" : "run");
    } else if (!strcmp(cmd, "trapframe")) gdb_nt_mon_trapframe(&s->nt, arg, out, ctx);
    else if (!strcmp(cmd, "process")) gdb_nt_mon_process(&s->nt, out, ctx);
    else if (!strcmp(cmd, "thread")) gdb_nt_mon_thread(&s->nt, arg, out, ctx);
    else if (!strcmp(cmd, "syscalls")) gdb_nt_mon_syscalls(&s->nt, arg, out, ctx);
    else if (!strcmp(cmd, "cycles"))
        say(out, ctx, "instret=%llu cycles=%llu time_ns=%llu\n",
            (unsigned long long)cpu->instret, (unsigned long long)cpu->cycles,
            (unsigned long long)machine_now(s->m));
    else say(out, ctx, "unknown command '%s' (monitor help lists them)\n", cmd);
}
