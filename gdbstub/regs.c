/* regs.c - register layouts and target.xml for the GDB stub (GDB manual
 * G.5.1 "i386 Features").  gdb 13 requires org.gnu.gdb.i386.core with its
 * x87 registers; the x87 is not modelled yet, so those slots read as the
 * FNINIT state and ignore writes.  SSE is not modelled either, so
 * org.gnu.gdb.i386.sse is left out rather than filled with invented values.
 * fs_base/gs_base go in org.gnu.gdb.i386.segments in the 64-bit layout and
 * in the ringsim feature in the 32-bit one (gdb 13 aborts on a 32-bit
 * description with the segments feature under its default osabi).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "regs.h"
#include "cpu/control.h"
#include "cpu/debug.h"

enum reg_kind {
    K_GPR, K_PC, K_FLAGS, K_SEG, K_ST, K_FPU, K_SEGBASE, K_CR, K_EFER, K_DR,
    K_DTBASE, K_DTLIMIT, K_SYSSEG, K_MSR, K_TSC,
};
enum { F_CORE, F_SEGMENTS, F_SYSTEM };

struct reg_def {
    const char *name;
    uint8_t kind, arg;
    uint8_t bits32, bits64;
    uint8_t feature64;          /* the 32-bit layout puts F_SEGMENTS in F_SYSTEM */
    const char *type32, *type64;
    const char *group;
};

/* Offsets of the MSRs kept in cpu->msr, for K_MSR. */
enum { M_SYSENTER_CS, M_SYSENTER_ESP, M_SYSENTER_EIP, M_STAR, M_LSTAR, M_KGSBASE };

static const char *const gpr32[8] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" };
/* amd64 core order: rax rbx rcx rdx rsi rdi rbp rsp r8-r15. */
static const uint8_t gpr64_order[16] = { RAX, RBX, RCX, RDX, RSI, RDI, RBP, RSP,
                                         8, 9, 10, 11, 12, 13, 14, 15 };
static const char *const gpr64[16] = { "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
                                       "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };

/* Everything after the GPRs, the same list in both layouts. */
static const struct reg_def tail[] = {
    { "pc", K_PC, 0, 32, 64, F_CORE, "code_ptr", "code_ptr", NULL },
    { "eflags", K_FLAGS, 0, 32, 32, F_CORE, "i386_eflags", "i386_eflags", NULL },
    { "cs", K_SEG, SEG_CS, 32, 32, F_CORE, "int32", "int32", NULL },
    { "ss", K_SEG, SEG_SS, 32, 32, F_CORE, "int32", "int32", NULL },
    { "ds", K_SEG, SEG_DS, 32, 32, F_CORE, "int32", "int32", NULL },
    { "es", K_SEG, SEG_ES, 32, 32, F_CORE, "int32", "int32", NULL },
    { "fs", K_SEG, SEG_FS, 32, 32, F_CORE, "int32", "int32", NULL },
    { "gs", K_SEG, SEG_GS, 32, 32, F_CORE, "int32", "int32", NULL },
    { "st0", K_ST, 0, 80, 80, F_CORE, "i387_ext", "i387_ext", NULL },
    { "st1", K_ST, 1, 80, 80, F_CORE, "i387_ext", "i387_ext", NULL },
    { "st2", K_ST, 2, 80, 80, F_CORE, "i387_ext", "i387_ext", NULL },
    { "st3", K_ST, 3, 80, 80, F_CORE, "i387_ext", "i387_ext", NULL },
    { "st4", K_ST, 4, 80, 80, F_CORE, "i387_ext", "i387_ext", NULL },
    { "st5", K_ST, 5, 80, 80, F_CORE, "i387_ext", "i387_ext", NULL },
    { "st6", K_ST, 6, 80, 80, F_CORE, "i387_ext", "i387_ext", NULL },
    { "st7", K_ST, 7, 80, 80, F_CORE, "i387_ext", "i387_ext", NULL },
    { "fctrl", K_FPU, 0, 32, 32, F_CORE, "int", "int", "float" },
    { "fstat", K_FPU, 1, 32, 32, F_CORE, "int", "int", "float" },
    { "ftag", K_FPU, 2, 32, 32, F_CORE, "int", "int", "float" },
    { "fiseg", K_FPU, 3, 32, 32, F_CORE, "int", "int", "float" },
    { "fioff", K_FPU, 4, 32, 32, F_CORE, "int", "int", "float" },
    { "foseg", K_FPU, 5, 32, 32, F_CORE, "int", "int", "float" },
    { "fooff", K_FPU, 6, 32, 32, F_CORE, "int", "int", "float" },
    { "fop", K_FPU, 7, 32, 32, F_CORE, "int", "int", "float" },
    { "fs_base", K_SEGBASE, SEG_FS, 32, 64, F_SEGMENTS, "uint", "uint", NULL },
    { "gs_base", K_SEGBASE, SEG_GS, 32, 64, F_SEGMENTS, "uint", "uint", NULL },
    { "cr0", K_CR, 0, 32, 64, F_SYSTEM, "ringsim_cr0", "ringsim_cr0", "system" },
    { "cr2", K_CR, 2, 32, 64, F_SYSTEM, "data_ptr", "data_ptr", "system" },
    { "cr3", K_CR, 3, 32, 64, F_SYSTEM, "uint", "uint", "system" },
    { "cr4", K_CR, 4, 32, 64, F_SYSTEM, "ringsim_cr4", "ringsim_cr4", "system" },
    { "cr8", K_CR, 8, 32, 64, F_SYSTEM, "uint", "uint", "system" },
    { "efer", K_EFER, 0, 64, 64, F_SYSTEM, "ringsim_efer", "ringsim_efer", "system" },
    { "dr0", K_DR, 0, 32, 64, F_SYSTEM, "uint", "uint", "system" },
    { "dr1", K_DR, 1, 32, 64, F_SYSTEM, "uint", "uint", "system" },
    { "dr2", K_DR, 2, 32, 64, F_SYSTEM, "uint", "uint", "system" },
    { "dr3", K_DR, 3, 32, 64, F_SYSTEM, "uint", "uint", "system" },
    { "dr6", K_DR, 6, 32, 64, F_SYSTEM, "uint", "uint", "system" },
    { "dr7", K_DR, 7, 32, 64, F_SYSTEM, "uint", "uint", "system" },
    { "gdtr_base", K_DTBASE, 0, 32, 64, F_SYSTEM, "uint", "uint", "system" },
    { "gdtr_limit", K_DTLIMIT, 0, 16, 16, F_SYSTEM, "uint", "uint", "system" },
    { "idtr_base", K_DTBASE, 1, 32, 64, F_SYSTEM, "uint", "uint", "system" },
    { "idtr_limit", K_DTLIMIT, 1, 16, 16, F_SYSTEM, "uint", "uint", "system" },
    { "ldtr", K_SYSSEG, SEG_LDTR, 16, 16, F_SYSTEM, "uint", "uint", "system" },
    { "tr", K_SYSSEG, SEG_TR, 16, 16, F_SYSTEM, "uint", "uint", "system" },
    { "sysenter_cs", K_MSR, M_SYSENTER_CS, 64, 64, F_SYSTEM, "uint", "uint", "system" },
    { "sysenter_esp", K_MSR, M_SYSENTER_ESP, 64, 64, F_SYSTEM, "uint", "uint", "system" },
    { "sysenter_eip", K_MSR, M_SYSENTER_EIP, 64, 64, F_SYSTEM, "uint", "uint", "system" },
    { "star", K_MSR, M_STAR, 64, 64, F_SYSTEM, "uint", "uint", "system" },
    { "lstar", K_MSR, M_LSTAR, 64, 64, F_SYSTEM, "uint", "uint", "system" },
    { "kernel_gs_base", K_MSR, M_KGSBASE, 64, 64, F_SYSTEM, "uint", "uint", "system" },
    { "tsc", K_TSC, 0, 64, 64, F_SYSTEM, "uint", "uint", "system" },
};
#define NTAIL (sizeof tail / sizeof tail[0])

static unsigned ngpr(enum gdb_layout l) { return l == GDB_LAYOUT_64 ? 16 : 8; }

enum gdb_layout gdb_layout_for(const struct cpu *cpu)
{
    return (cpu->efer & EFER_LMA) ? GDB_LAYOUT_64 : GDB_LAYOUT_32;
}

unsigned gdb_reg_count(enum gdb_layout l) { return ngpr(l) + (unsigned)NTAIL; }

/* The definition of register n; GPRs get a synthesized one. */
static struct reg_def def_of(enum gdb_layout l, unsigned n)
{
    if (n < ngpr(l)) {
        struct reg_def d = { NULL, K_GPR, 0, 32, 64, F_CORE, "int32", "int64", NULL };
        d.name = l == GDB_LAYOUT_64 ? gpr64[n] : gpr32[n];
        d.arg = l == GDB_LAYOUT_64 ? gpr64_order[n] : (uint8_t)n;
        if (d.arg == RSP) d.type32 = d.type64 = "data_ptr";
        if (d.arg == RBP) d.type32 = d.type64 = "data_ptr";
        return d;
    }
    return tail[n - ngpr(l)];
}

const char *gdb_reg_name(enum gdb_layout l, unsigned n)
{
    if (n >= gdb_reg_count(l)) return NULL;
    struct reg_def d = def_of(l, n);
    if (d.kind == K_PC) return l == GDB_LAYOUT_64 ? "rip" : "eip";
    return d.name;
}

unsigned gdb_reg_bytes(enum gdb_layout l, unsigned n)
{
    if (n >= gdb_reg_count(l)) return 0;
    struct reg_def d = def_of(l, n);
    return (l == GDB_LAYOUT_64 ? d.bits64 : d.bits32) / 8u;
}

unsigned gdb_reg_pc(enum gdb_layout l) { return ngpr(l); }
unsigned gdb_reg_flags(enum gdb_layout l) { return ngpr(l) + 1; }
unsigned gdb_reg_sp(enum gdb_layout l) { return l == GDB_LAYOUT_64 ? 7 : RSP; }
unsigned gdb_reg_fp(enum gdb_layout l) { return l == GDB_LAYOUT_64 ? 6 : RBP; }

static bool real_addressing(const struct cpu *cpu)
{
    return cpu->mode == MODE_REAL || cpu->mode == MODE_V86;
}

uint64_t gdb_linear_pc(const struct cpu *cpu)
{
    uint64_t lin = cpu->seg[SEG_CS].base + cpu->rip;
    return cpu->dmode == DM_64 ? lin : (uint32_t)lin;
}

uint64_t gdb_reported_pc(const struct cpu *cpu)
{
    return real_addressing(cpu) ? gdb_linear_pc(cpu) : cpu->rip;
}

static uint64_t *msr_slot(struct cpu *cpu, unsigned which)
{
    switch (which) {
    case M_SYSENTER_CS: return &cpu->msr.sysenter_cs;
    case M_SYSENTER_ESP: return &cpu->msr.sysenter_esp;
    case M_SYSENTER_EIP: return &cpu->msr.sysenter_eip;
    case M_STAR: return &cpu->msr.star;
    case M_LSTAR: return &cpu->msr.lstar;
    default: return &cpu->msr.kernel_gs_base;
    }
}

static uint64_t value_of(struct cpu *cpu, const struct reg_def *d)
{
    static const uint32_t fpu_init[8] = { 0x37F, 0, 0xFFFF, 0, 0, 0, 0, 0 };
    switch (d->kind) {
    case K_GPR: return cpu->gpr[d->arg];
    case K_PC: return gdb_reported_pc(cpu);
    case K_FLAGS: return cpu_get_flags(cpu);
    case K_SEG: case K_SYSSEG: return cpu->seg[d->arg].sel;
    case K_ST: return 0;
    case K_FPU: return fpu_init[d->arg];
    case K_SEGBASE: return cpu->seg[d->arg].base;
    case K_CR: return cr_read(cpu, d->arg);
    case K_EFER: return cpu->efer;
    case K_DR: return cpu->dr[d->arg];
    case K_DTBASE: return d->arg ? cpu->idtr.base : cpu->gdtr.base;
    case K_DTLIMIT: return d->arg ? cpu->idtr.limit : cpu->gdtr.limit;
    case K_MSR: return *msr_slot(cpu, d->arg);
    case K_TSC: return cpu_time_now(cpu) + cpu->tsc_offset;
    }
    return 0;
}

void gdb_reg_get(struct cpu *cpu, enum gdb_layout l, unsigned n, uint8_t *out)
{
    unsigned bytes = gdb_reg_bytes(l, n);
    struct reg_def d = def_of(l, n);
    uint64_t v = value_of(cpu, &d);
    memset(out, 0, bytes);
    for (unsigned i = 0; i < bytes && i < 8; i++) out[i] = (uint8_t)(v >> (8 * i));
}

/* Writable: general registers, the PC, EFLAGS, real-mode selectors, the
 * FS/GS bases, CR2 and the debug registers.  The rest change through the
 * guest's own instructions (their side effects are architectural). */
int gdb_reg_set(struct cpu *cpu, enum gdb_layout l, unsigned n, const uint8_t *in)
{
    unsigned bytes = gdb_reg_bytes(l, n);
    if (!bytes) return -1;
    struct reg_def d = def_of(l, n);
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes && i < 8; i++) v |= (uint64_t)in[i] << (8 * i);
    uint64_t mask = bytes >= 8 ? ~0ull : (1ull << (8 * bytes)) - 1;
    if (d.kind != K_ST && ((value_of(cpu, &d) ^ v) & mask) == 0) return 0;
    switch (d.kind) {
    case K_GPR:
        cpu->gpr[d.arg] = bytes < 8 ? (cpu->gpr[d.arg] & ~mask) | v : v;
        return 0;
    case K_PC:
        if (real_addressing(cpu)) v -= cpu->seg[SEG_CS].base;
        cpu->rip = v & cpu->ip_mask;
        return 0;
    case K_FLAGS:
        cpu_set_flags(cpu, (cpu_get_flags(cpu) & ~mask) | v);
        return 0;
    case K_SEG:
        if (!real_addressing(cpu)) return -1;
        cpu_load_seg_real(cpu, d.arg, (uint16_t)v);
        cpu_update_mode(cpu);
        return 0;
    case K_ST: case K_FPU:
        return 0;       /* no x87 state to change: writes are dropped, as documented */
    case K_SEGBASE:
        cpu->seg[d.arg].base = v;
        cpu_update_mode(cpu);
        return 0;
    case K_CR:
        if (d.arg != 2) return -1;
        cpu->cr2 = v;
        return 0;
    case K_DR:
        cpu->dr[d.arg] = v;
        if (d.arg != 6) debug_update(cpu);
        return 0;
    default:
        return -1;
    }
}

/* ---- target.xml ----------------------------------------------------------- */

struct xml { char *p; size_t left; };

static void emit(struct xml *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(struct xml *x, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(x->p, x->left, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= x->left) n = (int)(x->left ? x->left - 1 : 0);
    x->p += n;
    x->left -= (size_t)n;
}

struct flag_bit { const char *name; unsigned bit; };

static void emit_flags(struct xml *x, const char *id, unsigned size, const struct flag_bit *f,
                       size_t n)
{
    emit(x, "<flags id=\"%s\" size=\"%u\">", id, size);
    for (size_t i = 0; i < n; i++)
        emit(x, "<field name=\"%s\" start=\"%u\" end=\"%u\"/>", f[i].name, f[i].bit, f[i].bit);
    emit(x, "</flags>\n");
}

static void emit_regs(struct xml *x, enum gdb_layout l, int feature)
{
    for (unsigned n = 0; n < gdb_reg_count(l); n++) {
        struct reg_def d = def_of(l, n);
        int f = d.feature64 == F_SEGMENTS && l == GDB_LAYOUT_32 ? F_SYSTEM : d.feature64;
        if (f != feature) continue;
        const char *type = l == GDB_LAYOUT_64 ? d.type64 : d.type32;
        char utype[16];
        if (!strcmp(type, "uint")) {    /* unsigned of the slot's width */
            snprintf(utype, sizeof utype, "uint%u", gdb_reg_bytes(l, n) * 8);
            type = utype;
        }
        emit(x, "<reg name=\"%s\" bitsize=\"%u\" type=\"%s\" regnum=\"%u\"%s%s%s/>\n",
             gdb_reg_name(l, n), gdb_reg_bytes(l, n) * 8, type, n,
             d.group ? " group=\"" : "", d.group ? d.group : "", d.group ? "\"" : "");
    }
}

static void build_xml(enum gdb_layout l, char *buf, size_t cap)
{
    static const struct flag_bit eflags[] = {
        { "CF", 0 }, { "", 1 }, { "PF", 2 }, { "AF", 4 }, { "ZF", 6 }, { "SF", 7 },
        { "TF", 8 }, { "IF", 9 }, { "DF", 10 }, { "OF", 11 }, { "NT", 14 }, { "RF", 16 },
        { "VM", 17 }, { "AC", 18 }, { "VIF", 19 }, { "VIP", 20 }, { "ID", 21 },
    };
    static const struct flag_bit cr0[] = {
        { "PE", 0 }, { "MP", 1 }, { "EM", 2 }, { "TS", 3 }, { "ET", 4 }, { "NE", 5 },
        { "WP", 16 }, { "AM", 18 }, { "NW", 29 }, { "CD", 30 }, { "PG", 31 },
    };
    static const struct flag_bit cr4[] = {
        { "VME", 0 }, { "PVI", 1 }, { "TSD", 2 }, { "DE", 3 }, { "PSE", 4 }, { "PAE", 5 },
        { "MCE", 6 }, { "PGE", 7 }, { "PCE", 8 }, { "OSFXSR", 9 }, { "OSXMMEXCPT", 10 },
        { "UMIP", 11 }, { "LA57", 12 }, { "FSGSBASE", 16 }, { "PCIDE", 17 }, { "SMEP", 20 },
        { "SMAP", 21 },
    };
    static const struct flag_bit efer[] = {
        { "SCE", 0 }, { "LME", 8 }, { "LMA", 10 }, { "NXE", 11 },
    };
    struct xml x = { buf, cap };
    unsigned crsize = l == GDB_LAYOUT_64 ? 8 : 4;
    emit(&x, "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target>\n");
    emit(&x, "<architecture>%s</architecture>\n<osabi>none</osabi>\n",
         l == GDB_LAYOUT_64 ? "i386:x86-64" : "i8086");
    emit(&x, "<feature name=\"org.gnu.gdb.i386.core\">\n");
    emit_flags(&x, "i386_eflags", 4, eflags, sizeof eflags / sizeof eflags[0]);
    emit_regs(&x, l, F_CORE);
    emit(&x, "</feature>\n");
    if (l == GDB_LAYOUT_64) {
        emit(&x, "<feature name=\"org.gnu.gdb.i386.segments\">\n");
        emit_regs(&x, l, F_SEGMENTS);
        emit(&x, "</feature>\n");
    }
    emit(&x, "<feature name=\"org.ringsim.system\">\n");
    emit_flags(&x, "ringsim_cr0", crsize, cr0, sizeof cr0 / sizeof cr0[0]);
    emit_flags(&x, "ringsim_cr4", crsize, cr4, sizeof cr4 / sizeof cr4[0]);
    emit_flags(&x, "ringsim_efer", 8, efer, sizeof efer / sizeof efer[0]);
    emit_regs(&x, l, F_SYSTEM);
    emit(&x, "</feature>\n</target>\n");
}

const char *gdb_target_xml(enum gdb_layout l)
{
    static char xml[2][12288];
    if (!xml[l][0]) build_xml(l, xml[l], sizeof xml[l]);
    return xml[l];
}
