/* cpuid.c - CPU models (vendor profiles), their cycle tables, CPUID, RDTSC
 * and RDTSCP (SDM Vol. 2 CPUID; AMD APM Vol. 3 appendix E).
 *
 * CPUID advertises exactly what the interpreter implements and the CPU has
 * switched on (cpu->features, cpu/features.c): no x87, MMX or SSE until
 * those arrive.
 */
#include <string.h>
#include "ops.h"
#include "cycles.h"
#include "handlers.h"
#include "features.h"

/* Costs per class (cycles.md): a modern out-of-order core's latencies for
 * dependent work, and an i486 that simply adds its manual's clocks. */
const struct cycle_table cycles_modern = {
    .name = "modern",
    .cost = {
        [CC_ALU] = 1, [CC_MOV] = 1, [CC_LOAD] = 4, [CC_STORE] = 1, [CC_SHIFT] = 1,
        [CC_MUL] = 3, [CC_DIV] = 20, [CC_BRANCH] = 1, [CC_CALL] = 2, [CC_STRING] = 2,
        [CC_BIT] = 1, [CC_BCD] = 3, [CC_STACK] = 1, [CC_XCHG] = 2, [CC_ATOMIC] = 18,
        [CC_SERIAL] = 40, [CC_SYSTEM] = 20, [CC_NOP] = 1, [CC_X87] = 3, [CC_SIMD] = 1,
    },
};
const struct cycle_table cycles_i486 = {
    .name = "i486",
    .cost = {
        [CC_ALU] = 1, [CC_MOV] = 1, [CC_LOAD] = 1, [CC_STORE] = 1, [CC_SHIFT] = 3,
        [CC_MUL] = 13, [CC_DIV] = 40, [CC_BRANCH] = 3, [CC_CALL] = 5, [CC_STRING] = 7,
        [CC_BIT] = 6, [CC_BCD] = 3, [CC_STACK] = 1, [CC_XCHG] = 5, [CC_ATOMIC] = 10,
        [CC_SERIAL] = 30, [CC_SYSTEM] = 20, [CC_NOP] = 1, [CC_X87] = 10, [CC_SIMD] = 1,
    },
};
static const uint32_t cycles_off[CC_COUNT];

const uint32_t *cycles_for(const struct cpu *cpu)
{
    return cpu->cycle_model ? cpu->model->cycles->cost : cycles_off;
}

const struct cpu_model cpu_model_intel = {
    .name = "intel", .vendor = VENDOR_INTEL, .family = 6, .model = 0x55, .stepping = 4,
    .cycles = &cycles_modern, .verified = true,     /* on an Intel Xeon host, 2026-11 */
    .features = CPU_FEATURES_ALL,
};
const struct cpu_model cpu_model_amd = {
    /* Undefined flags from published measurements of a Zen 2 part, not yet
     * checked against an AMD host here (make semantics on one does it). */
    .name = "amd", .vendor = VENDOR_AMD, .family = 0x17, .model = 0x31, .stepping = 0,
    .cycles = &cycles_modern, .verified = false,
    .features = CPU_FEATURES_ALL,
};
static const struct cpu_model cpu_model_i486 = {
    .name = "i486", .vendor = VENDOR_INTEL, .family = 4, .model = 8, .stepping = 0,
    .cycles = &cycles_i486, .verified = true,       /* the Intel profile's behaviour */
    .features = 0,      /* TSC, CMPXCHG8B and CMOV came with the Pentium and P6 */
};

const struct cpu_model *cpu_model_find(const char *name)
{
    if (!name || !strcmp(name, "host")) return cpu_model_host();
    if (!strcmp(name, "intel")) return &cpu_model_intel;
    if (!strcmp(name, "amd")) return &cpu_model_amd;
    if (!strcmp(name, "i486")) return &cpu_model_i486;
    return NULL;
}

/* The profile whose undefined-flag behaviour the host CPU shows. */
const struct cpu_model *cpu_model_host(void)
{
#if defined(__x86_64__) || defined(__i386__)
    uint32_t a = 0, b, c, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
    if (b == 0x68747541 && d == 0x69746E65 && c == 0x444D4163) return &cpu_model_amd;
#endif
    return &cpu_model_intel;
}

/* ---- CPUID ----------------------------------------------------------------- */

struct regs4 { uint32_t a, b, c, d; };

/* The bits of one CPUID feature word ('b', 'c' or 'd' of a leaf) that the
 * CPU's enabled features set. */
static uint32_t feature_word(const struct cpu *cpu, uint32_t leaf, char reg)
{
    uint32_t w = 0;
    for (unsigned f = 0; f < FEAT_COUNT; f++) {
        const struct feature_info *fi = &feature_table[f];
        if (fi->leaf == leaf && fi->reg == reg && (cpu->features & CPU_FEAT(f)))
            w |= 1u << fi->bit;
    }
    return w;
}

static void vendor_string(const struct cpu_model *m, struct regs4 *r)
{
    const char *v = m->vendor == VENDOR_AMD ? "AuthenticAMD" : "GenuineIntel";
    memcpy(&r->b, v, 4);
    memcpy(&r->d, v + 4, 4);
    memcpy(&r->c, v + 8, 4);
}

static uint32_t signature(const struct cpu_model *m)
{
    uint32_t fam = m->family, mod = m->model, ext_fam = 0, ext_mod = 0;
    if (fam > 15) { ext_fam = fam - 15; fam = 15; }
    if (mod > 15) { ext_mod = mod >> 4; mod &= 15; }
    return m->stepping | (mod << 4) | (fam << 8) | (ext_mod << 16) | (ext_fam << 20);
}

static void brand_string(const struct cpu_model *m, unsigned part, struct regs4 *r)
{
    char brand[48] = { 0 };
    const char *text = m->vendor == VENDOR_AMD ? "ringsim x86-64 (AMD profile)"
                                               : "ringsim x86-64 (Intel profile)";
    memcpy(brand, text, strlen(text));
    memcpy(r, brand + 16 * part, 16);
}

#define MAX_BASIC 7u
#define MAX_EXT   0x80000008u

static void cpuid_leaf(const struct cpu *cpu, uint32_t leaf, uint32_t sub, struct regs4 *r)
{
    const struct cpu_model *m = cpu->model;
    memset(r, 0, sizeof *r);
    if (leaf >= 0x80000000u && leaf > MAX_EXT) {
        /* Intel answers out-of-range leaves with the highest basic leaf. */
        if (m->vendor == VENDOR_INTEL) cpuid_leaf(cpu, MAX_BASIC, sub, r);
        return;
    }
    if (leaf < 0x80000000u && leaf > MAX_BASIC) {
        if (m->vendor == VENDOR_INTEL) cpuid_leaf(cpu, MAX_BASIC, sub, r);
        return;
    }
    switch (leaf) {
    case 0: r->a = MAX_BASIC; vendor_string(m, r); break;
    case 1:
        r->a = signature(m);
        /* CLFLUSH line 8*8 bytes, one logical processor, initial APIC ID 0 (bits 31:24). */
        r->b = (8u << 8) | (1u << 16);
        r->c = feature_word(cpu, leaf, 'c');
        r->d = feature_word(cpu, leaf, 'd');
        /* A globally disabled local APIC clears its flag (SDM Vol. 3 10.4.3). */
        if (!(cpu->msr.apic_base & (1u << 11))) r->d &= ~(1u << 9);
        break;
    case 7:
        if (sub == 0) {
            r->b = feature_word(cpu, leaf, 'b');
            r->c = feature_word(cpu, leaf, 'c');
        }
        break;
    case 0x80000000u:
        r->a = MAX_EXT;
        if (m->vendor == VENDOR_AMD) vendor_string(m, r);
        break;
    case 0x80000001u:
        r->a = m->vendor == VENDOR_AMD ? signature(m) : 0;
        r->c = feature_word(cpu, leaf, 'c');
        r->d = feature_word(cpu, leaf, 'd');
        /* Intel reports SYSCALL/SYSRET only to CPUID run in 64-bit mode, the
         * only mode where it has them (SDM Vol. 2 CPUID 80000001h EDX[11]). */
        if (m->vendor == VENDOR_INTEL && cpu->dmode != DM_64) r->d &= ~(1u << 11);
        break;
    case 0x80000002u: case 0x80000003u: case 0x80000004u:
        brand_string(m, leaf - 0x80000002u, r);
        break;
    case 0x80000008u:
        /* Physical and linear address bits: the widest linear address the
         * processor supports, 57 with 5-level paging whatever CR4.LA57 says
         * at the moment (as Ice Lake and later report). */
        r->a = CPU_MAXPHYADDR | ((cpu->features & CPU_FEAT(FEAT_LA57) ? 57u : 48u) << 8);
        break;
    default:
        break;
    }
}

void op_cpuid(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    struct regs4 r;
    cpuid_leaf(cpu, (uint32_t)cpu->gpr[RAX], (uint32_t)cpu->gpr[RCX], &r);
    reg_write(cpu, RAX, 4, r.a);
    reg_write(cpu, RBX, 4, r.b);
    reg_write(cpu, RCX, 4, r.c);
    reg_write(cpu, RDX, 4, r.d);
}

/* ---- time stamp counter ---------------------------------------------------- */

static void check_tsd(struct cpu *cpu)
{
    if ((cpu->cr4 & CR4_TSD) && cpu->cpl != 0 && (cpu->cr0 & CR0_PE)) cpu_raise(cpu, EXC_GP, 0);
}

void op_rdtsc(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    check_tsd(cpu);
    uint64_t t = cpu_tsc(cpu);
    reg_write(cpu, RAX, 4, (uint32_t)t);
    reg_write(cpu, RDX, 4, t >> 32);
}

void op_rdtscp(struct cpu *cpu, const struct insn *in)
{
    op_rdtsc(cpu, in);
    reg_write(cpu, RCX, 4, (uint32_t)cpu->tsc_aux);
}
