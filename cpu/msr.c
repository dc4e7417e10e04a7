/* msr.c - RDMSR, WRMSR and the table of model-specific registers (SDM Vol. 2
 * RDMSR/WRMSR, Vol. 4 table 2-2; Vol. 3 2.2.1 EFER, 5.8.8 fast system calls,
 * 11.11 MTRRs, 11.12 PAT, 10.4.4 IA32_APIC_BASE; AMD APM Vol. 2 A.2).
 *
 * Strict where the manuals allow it: an MSR this model does not have, a set
 * reserved bit, a read-only MSR written, a non-canonical address in an MSR
 * that holds one: #GP(0), and nothing changes.  AMD differences: no
 * PLATFORM_ID or MISC_ENABLE, and SYSENTER_ESP/EIP keep only 32 bits.
 */
#include "ops.h"
#include "msr.h"
#include "handlers.h"

#define M_INTEL  0x01u  /* only the Intel profile has it */
#define M_RO     0x02u  /* WRMSR raises #GP */
#define M_CANON  0x04u  /* holds a linear address: canonical or #GP */

struct msr_def {
    struct msr_info info;
    uint64_t need;          /* CPU_FEAT bits, any of which makes it exist; 0: always */
    uint8_t  flags;
    uint16_t field;         /* offset of its storage in struct cpu, 0 for none */
    uint64_t reset;
    uint64_t reserved;      /* bits that must be written as 0 */
    bool (*valid)(const struct cpu *cpu, uint64_t v);       /* further rules */
    uint64_t (*get)(struct cpu *cpu);
    void (*set)(struct cpu *cpu, uint64_t v);
};

/* ---- memory types (SDM Vol. 3 table 12-8, 12-10) ------------------------------ */

static bool mtrr_type_ok(unsigned t) { return t == 0 || t == 1 || t == 4 || t == 5 || t == 6; }
static bool pat_type_ok(unsigned t) { return t <= 7 && t != 2 && t != 3; }

static bool mtrr_types8(const struct cpu *cpu, uint64_t v)
{
    (void)cpu;
    for (int i = 0; i < 8; i++)
        if (!mtrr_type_ok((unsigned)(v >> (8 * i)) & 0xFF)) return false;
    return true;
}
static bool mtrr_type_low(const struct cpu *cpu, uint64_t v)
{
    (void)cpu;
    return mtrr_type_ok(v & 0xFF);
}
static bool pat_ok(const struct cpu *cpu, uint64_t v)
{
    (void)cpu;
    for (int i = 0; i < 8; i++)
        if (!pat_type_ok((unsigned)(v >> (8 * i)) & 0xFF)) return false;
    return true;
}

/* ---- MSRs with behaviour ------------------------------------------------------- */

/* The TSC counts virtual time; a write moves the offset so that it goes on
 * from the written value. */
static uint64_t tsc_get(struct cpu *cpu) { return cpu_tsc(cpu); }
static void tsc_set(struct cpu *cpu, uint64_t v) { cpu->tsc_offset = v - cpu_time_now(cpu); }

/* IA32_APIC_BASE: the BSP flag belongs to the hardware; the board moves,
 * enables or disables the local APIC's window. */
static void apic_base_set(struct cpu *cpu, uint64_t v)
{
    cpu->msr.apic_base = (v & ~(uint64_t)0x100) | (cpu->msr.apic_base & 0x100);
    if (cpu->apic_base_write) cpu->apic_base_write(cpu->apic_ctx, cpu->msr.apic_base);
}

/* EFER: the bits of advertised features only; LMA is the processor's (it
 * follows CR0.PG with LME) and keeps its value; LME cannot change while
 * paging is on (SDM Vol. 3 9.8.5). */
static uint64_t efer_writable(const struct cpu *cpu)
{
    uint64_t w = EFER_LMA;
    if (cpu->features & CPU_FEAT(FEAT_SYSCALL)) w |= EFER_SCE;
    if (cpu->features & CPU_FEAT(FEAT_LM)) w |= EFER_LME;
    if (cpu->features & CPU_FEAT(FEAT_NX)) w |= EFER_NXE;
    return w;
}
static bool efer_ok(const struct cpu *cpu, uint64_t v)
{
    if (v & ~efer_writable(cpu)) return false;
    return !((cpu->cr0 & CR0_PG) && ((v ^ cpu->efer) & EFER_LME));
}
static uint64_t efer_get(struct cpu *cpu) { return cpu->efer; }
static void efer_set(struct cpu *cpu, uint64_t v)
{
    cpu->efer = (v & ~(uint64_t)EFER_LMA) | (cpu->efer & EFER_LMA);
    cpu_update_mode(cpu);       /* NXE is part of the speed TLB's context; LME of on_arch's bits */
}

/* FS.base and GS.base are the hidden parts of the segment registers; the
 * flat-segment shortcut depends on them. */
static uint64_t fs_get(struct cpu *cpu) { return cpu->seg[SEG_FS].base; }
static uint64_t gs_get(struct cpu *cpu) { return cpu->seg[SEG_GS].base; }
static void fs_set(struct cpu *cpu, uint64_t v) { cpu->seg[SEG_FS].base = v; cpu_update_mode(cpu); }
static void gs_set(struct cpu *cpu, uint64_t v) { cpu->seg[SEG_GS].base = v; cpu_update_mode(cpu); }

/* SYSENTER_ESP/EIP: 64 bits (canonical) on an Intel 64 processor, 32 bits
 * on AMD (APM Vol. 2 6.1.1: the upper half is ignored) and without lm. */
static bool sysenter_wide(const struct cpu *cpu)
{
    return !is_amd(cpu) && (cpu->features & CPU_FEAT(FEAT_LM));
}
static uint64_t sep_esp_get(struct cpu *cpu) { return cpu->msr.sysenter_esp; }
static uint64_t sep_eip_get(struct cpu *cpu) { return cpu->msr.sysenter_eip; }
static void sep_esp_set(struct cpu *cpu, uint64_t v)
{
    cpu->msr.sysenter_esp = sysenter_wide(cpu) ? v : (uint32_t)v;
}
static void sep_eip_set(struct cpu *cpu, uint64_t v)
{
    cpu->msr.sysenter_eip = sysenter_wide(cpu) ? v : (uint32_t)v;
}
static bool sep_addr_ok(const struct cpu *cpu, uint64_t v)
{
    return !sysenter_wide(cpu) || canonical_max(cpu, v);
}

/* MISC_ENABLE as a profile value: fast strings (bit 0) may be switched;
 * BTS and PEBS unavailable (bits 11, 12) are read-only; anything else set
 * would enable what is not modelled. */
static bool misc_ok(const struct cpu *cpu, uint64_t v)
{
    return ((v ^ cpu->msr.misc_enable) & ~1ull) == 0;
}

/* ---- the table ----------------------------------------------------------------- */

#define F(x) CPU_FEAT(FEAT_##x)
#define AT(f) ((uint16_t)offsetof(struct cpu, f))
#define MTRR_VAR(n) \
    { { MSR_MTRR_PHYSBASE0 + 2 * (n), "IA32_MTRR_PHYSBASE" #n }, F(MTRR), 0, \
      AT(msr.mtrr_var[2 * (n)]), 0, 0xFFFFFFF000000F00ull, mtrr_type_low, NULL, NULL }, \
    { { MSR_MTRR_PHYSBASE0 + 2 * (n) + 1, "IA32_MTRR_PHYSMASK" #n }, F(MTRR), 0, \
      AT(msr.mtrr_var[2 * (n) + 1]), 0, 0xFFFFFFF0000007FFull, NULL, NULL, NULL }
#define MTRR_FIX(idx, name, slot) \
    { { idx, name }, F(MTRR), 0, AT(msr.mtrr_fixed[slot]), 0, 0, mtrr_types8, NULL, NULL }

static const struct msr_def table[] = {
    { { MSR_TSC, "IA32_TIME_STAMP_COUNTER" }, F(TSC), 0, 0, 0, 0, NULL, tsc_get, tsc_set },
    { { MSR_PLATFORM_ID, "IA32_PLATFORM_ID" }, 0, M_INTEL | M_RO, 0, 0, 0, NULL, NULL, NULL },
    { { MSR_APIC_BASE, "IA32_APIC_BASE" }, F(APIC), 0, AT(msr.apic_base), APIC_BASE_RESET,
      0xFFFFFFF0000006FFull, NULL, NULL, apic_base_set },
    /* Reads 0: no microcode update loaded; a write (of 0, before CPUID) is allowed. */
    { { MSR_BIOS_SIGN_ID, "IA32_BIOS_SIGN_ID" }, 0, 0, 0, 0, 0, NULL, NULL, NULL },
    /* Eight variable ranges, fixed ranges, write-combining; no SMRR. */
    { { MSR_MTRRCAP, "IA32_MTRRCAP" }, F(MTRR), M_RO, 0, 0x508, 0, NULL, NULL, NULL },
    { { MSR_SYSENTER_CS, "IA32_SYSENTER_CS" }, F(SEP), 0, AT(msr.sysenter_cs), 0, 0,
      NULL, NULL, NULL },
    { { MSR_SYSENTER_ESP, "IA32_SYSENTER_ESP" }, F(SEP), 0, 0, 0, 0, sep_addr_ok,
      sep_esp_get, sep_esp_set },
    { { MSR_SYSENTER_EIP, "IA32_SYSENTER_EIP" }, F(SEP), 0, 0, 0, 0, sep_addr_ok,
      sep_eip_get, sep_eip_set },
    { { MSR_MISC_ENABLE, "IA32_MISC_ENABLE" }, 0, M_INTEL, AT(msr.misc_enable), 0x1801, 0,
      misc_ok, NULL, NULL },
    MTRR_VAR(0), MTRR_VAR(1), MTRR_VAR(2), MTRR_VAR(3),
    MTRR_VAR(4), MTRR_VAR(5), MTRR_VAR(6), MTRR_VAR(7),
    MTRR_FIX(MSR_MTRR_FIX64K_00000, "IA32_MTRR_FIX64K_00000", 0),
    MTRR_FIX(MSR_MTRR_FIX16K_80000, "IA32_MTRR_FIX16K_80000", 1),
    MTRR_FIX(MSR_MTRR_FIX16K_A0000, "IA32_MTRR_FIX16K_A0000", 2),
    MTRR_FIX(0x268, "IA32_MTRR_FIX4K_C0000", 3), MTRR_FIX(0x269, "IA32_MTRR_FIX4K_C8000", 4),
    MTRR_FIX(0x26A, "IA32_MTRR_FIX4K_D0000", 5), MTRR_FIX(0x26B, "IA32_MTRR_FIX4K_D8000", 6),
    MTRR_FIX(0x26C, "IA32_MTRR_FIX4K_E0000", 7), MTRR_FIX(0x26D, "IA32_MTRR_FIX4K_E8000", 8),
    MTRR_FIX(0x26E, "IA32_MTRR_FIX4K_F0000", 9), MTRR_FIX(0x26F, "IA32_MTRR_FIX4K_F8000", 10),
    { { MSR_PAT, "IA32_PAT" }, F(PAT), 0, AT(msr.pat), PAT_RESET, 0xF8F8F8F8F8F8F8F8ull,
      pat_ok, NULL, NULL },
    { { MSR_MTRR_DEF_TYPE, "IA32_MTRR_DEF_TYPE" }, F(MTRR), 0, AT(msr.mtrr_def_type), 0,
      ~0xCFFull, mtrr_type_low, NULL, NULL },
    { { MSR_EFER, "IA32_EFER" }, F(LM) | F(NX) | F(SYSCALL), 0, 0, 0, 0, efer_ok,
      efer_get, efer_set },
    { { MSR_STAR, "IA32_STAR" }, F(SYSCALL), 0, AT(msr.star), 0, 0, NULL, NULL, NULL },
    { { MSR_LSTAR, "IA32_LSTAR" }, F(LM), M_CANON, AT(msr.lstar), 0, 0, NULL, NULL, NULL },
    { { MSR_CSTAR, "IA32_CSTAR" }, F(LM), M_CANON, AT(msr.cstar), 0, 0, NULL, NULL, NULL },
    { { MSR_SFMASK, "IA32_FMASK" }, F(LM), 0, AT(msr.sfmask), 0, 0xFFFFFFFF00000000ull,
      NULL, NULL, NULL },
    { { MSR_FS_BASE, "IA32_FS_BASE" }, F(LM), M_CANON, 0, 0, 0, NULL, fs_get, fs_set },
    { { MSR_GS_BASE, "IA32_GS_BASE" }, F(LM), M_CANON, 0, 0, 0, NULL, gs_get, gs_set },
    { { MSR_KERNEL_GS_BASE, "IA32_KERNEL_GS_BASE" }, F(LM), M_CANON, AT(msr.kernel_gs_base),
      0, 0, NULL, NULL, NULL },
    { { MSR_TSC_AUX, "IA32_TSC_AUX" }, F(RDTSCP), 0, AT(tsc_aux), 0, 0xFFFFFFFF00000000ull,
      NULL, NULL, NULL },
};
#undef F

static uint64_t *storage(struct cpu *cpu, const struct msr_def *d)
{
    return (uint64_t *)((char *)cpu + d->field);
}

static const struct msr_def *find(const struct cpu *cpu, uint32_t index)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        const struct msr_def *d = &table[i];
        if (d->info.index != index) continue;
        if (d->need && !(cpu->features & d->need)) return NULL;
        if ((d->flags & M_INTEL) && is_amd(cpu)) return NULL;
        return d;
    }
    return NULL;
}

size_t msr_count(void) { return sizeof table / sizeof table[0]; }
const struct msr_info *msr_info_at(size_t i) { return i < msr_count() ? &table[i].info : NULL; }
bool msr_present(const struct cpu *cpu, uint32_t index) { return find(cpu, index) != NULL; }

int msr_read(struct cpu *cpu, uint32_t index, uint64_t *value)
{
    const struct msr_def *d = find(cpu, index);
    if (!d) return -1;
    *value = d->get ? d->get(cpu) : d->field ? *storage(cpu, d) : d->reset;
    return 0;
}

int msr_write(struct cpu *cpu, uint32_t index, uint64_t value)
{
    const struct msr_def *d = find(cpu, index);
    if (!d || (d->flags & M_RO) || (value & d->reserved)) return -1;
    if ((d->flags & M_CANON) && !canonical_max(cpu, value)) return -1;
    if (d->valid && !d->valid(cpu, value)) return -1;
    if (d->set) d->set(cpu, value);
    else if (d->field) *storage(cpu, d) = value;
    /* else: accepted and dropped (BIOS_SIGN_ID) */
    return 0;
}

void msr_reset(struct cpu *cpu)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].field && !table[i].set) *storage(cpu, &table[i]) = table[i].reset;
    cpu->msr.apic_base = APIC_BASE_RESET;       /* its set() tells the board */
    cpu->msr.sysenter_esp = cpu->msr.sysenter_eip = 0;
}

/* ---- the instructions (SDM Vol. 2 RDMSR, WRMSR) --------------------------------- */

/* CPL 0 only: V86 mode is CPL 3 and faults too. */
void op_rdmsr(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    uint64_t v;
    if (cpu->cpl != 0 || msr_read(cpu, (uint32_t)cpu->gpr[RCX], &v) != 0)
        cpu_raise(cpu, EXC_GP, 0);
    reg_write(cpu, RAX, 4, (uint32_t)v);
    reg_write(cpu, RDX, 4, v >> 32);
}

void op_wrmsr(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    uint64_t v = (uint64_t)(uint32_t)cpu->gpr[RDX] << 32 | (uint32_t)cpu->gpr[RAX];
    if (cpu->cpl != 0 || msr_write(cpu, (uint32_t)cpu->gpr[RCX], v) != 0)
        cpu_raise(cpu, EXC_GP, 0);
}
