/* features.c - the CPU features --cpu can switch (QEMU's -cpu syntax and
 * names: "intel,-popcnt,+bmi2"), where CPUID reports each one (SDM Vol. 2
 * CPUID tables 3-8 to 3-20), and the names QEMU knows that ringsim does not
 * implement yet, refused with the issue that brings them.
 */
#include <stdio.h>
#include <string.h>
#include "cpu.h"
#include "features.h"

/* One row per feature: QEMU's name, the CPUID word and bit that advertise it. */
const struct feature_info feature_table[FEAT_COUNT] = {
    [FEAT_TSC]     = { "tsc",     0x00000001u, 'd', 4 },   /* RDTSC */
    [FEAT_CX8]     = { "cx8",     0x00000001u, 'd', 8 },   /* CMPXCHG8B */
    [FEAT_CMOV]    = { "cmov",    0x00000001u, 'd', 15 },  /* CMOVcc */
    [FEAT_CX16]    = { "cx16",    0x00000001u, 'c', 13 },  /* CMPXCHG16B */
    [FEAT_MOVBE]   = { "movbe",   0x00000001u, 'c', 22 },
    [FEAT_POPCNT]  = { "popcnt",  0x00000001u, 'c', 23 },
    [FEAT_BMI1]    = { "bmi1",    0x00000007u, 'b', 3 },   /* ANDN BEXTR BLSI BLSMSK BLSR TZCNT */
    [FEAT_BMI2]    = { "bmi2",    0x00000007u, 'b', 8 },   /* BZHI MULX PDEP PEXT RORX SARX SHLX SHRX */
    [FEAT_LAHF_LM] = { "lahf-lm", 0x80000001u, 'c', 0 },   /* LAHF/SAHF in 64-bit mode */
    [FEAT_ABM]     = { "abm",     0x80000001u, 'c', 5 },   /* LZCNT */
    [FEAT_RDTSCP]  = { "rdtscp",  0x80000001u, 'd', 27 },
    [FEAT_LM]      = { "lm",      0x80000001u, 'd', 29 },  /* 64-bit mode */
    /* paging and control registers */
    [FEAT_DE]      = { "de",      0x00000001u, 'd', 2 },   /* CR4.DE: DR4/DR5 #UD */
    [FEAT_PSE]     = { "pse",     0x00000001u, 'd', 3 },   /* 4-MiB pages */
    [FEAT_PAE]     = { "pae",     0x00000001u, 'd', 6 },
    [FEAT_PGE]     = { "pge",     0x00000001u, 'd', 13 },  /* global pages */
    [FEAT_PSE36]   = { "pse36",   0x00000001u, 'd', 17 },  /* 4-MiB pages above 4 GiB */
    [FEAT_PCID]    = { "pcid",    0x00000001u, 'c', 17 },
    [FEAT_INVPCID] = { "invpcid", 0x00000007u, 'b', 10 },
    [FEAT_SMEP]    = { "smep",    0x00000007u, 'b', 7 },
    [FEAT_SMAP]    = { "smap",    0x00000007u, 'b', 20 },  /* and STAC/CLAC */
    [FEAT_UMIP]    = { "umip",    0x00000007u, 'c', 2 },
    [FEAT_PDPE1GB] = { "pdpe1gb", 0x80000001u, 'd', 26 },  /* 1-GiB pages */
    [FEAT_LA57]    = { "la57",    0x00000007u, 'c', 16 },  /* CR4.LA57: 5-level paging */
    [FEAT_MSR]     = { "msr",     0x00000001u, 'd', 5 },   /* RDMSR/WRMSR */
    [FEAT_APIC]    = { "apic",    0x00000001u, 'd', 9 },   /* while IA32_APIC_BASE.EN is set */
    [FEAT_SEP]     = { "sep",     0x00000001u, 'd', 11 },  /* SYSENTER/SYSEXIT */
    [FEAT_MTRR]    = { "mtrr",    0x00000001u, 'd', 12 },  /* MTRRs as storage */
    [FEAT_PAT]     = { "pat",     0x00000001u, 'd', 16 },
    [FEAT_SYSCALL] = { "syscall", 0x80000001u, 'd', 11 },  /* Intel: reported in 64-bit mode only */
    [FEAT_NX]      = { "nx",      0x80000001u, 'd', 20 },  /* EFER.NXE */
    [FEAT_FSGSBASE] = { "fsgsbase", 0x00000007u, 'b', 0 },  /* RD/WR FS/GS BASE with CR4.FSGSBASE */
};

/* QEMU names of features a later issue implements; advertising them now
 * would let a guest use what is not there. */
static const struct { const char *name, *area; } not_yet[] = {
    { "x2apic", "system" }, { "mce", "system" }, { "mca", "system" }, { "vme", "system" },
    { "tsc-deadline", "system" }, { "pku", "system" },
    { "fpu", "x87/SIMD" }, { "mmx", "x87/SIMD" }, { "fxsr", "x87/SIMD" },
    { "sse", "x87/SIMD" }, { "sse2", "x87/SIMD" }, { "pni", "x87/SIMD" },
    { "sse3", "x87/SIMD" }, { "ssse3", "x87/SIMD" }, { "sse4.1", "x87/SIMD" },
    { "sse4.2", "x87/SIMD" }, { "avx", "x87/SIMD" }, { "avx2", "x87/SIMD" },
    { "xsave", "x87/SIMD" }, { "aes", "x87/SIMD" }, { "pclmulqdq", "x87/SIMD" },
    { "fma", "x87/SIMD" }, { "f16c", "x87/SIMD" }, { "clflush", "x87/SIMD" },
    { "rdrand", "x87/SIMD" }, { "rdseed", "x87/SIMD" }, { "adx", "x87/SIMD" },
};

/* QEMU spells a name with '-' or '_' (lahf_lm, sse4_1): compare with '_' as '-'. */
static int name_is(const char *given, const char *name)
{
    for (; *given && *name; given++, name++) {
        char g = *given == '_' ? '-' : *given, n = *name == '_' ? '-' : *name;
        if (g != n && !(g == '-' && n == '.')) return 0;   /* sse4_1 is sse4.1 */
    }
    return *given == *name;
}

static int find_feature(const char *name)
{
    for (int f = 0; f < FEAT_COUNT; f++)
        if (name_is(name, feature_table[f].name)) return f;
    return -1;
}

static const char *not_yet_area(const char *name)
{
    for (size_t k = 0; k < sizeof not_yet / sizeof not_yet[0]; k++)
        if (name_is(name, not_yet[k].name)) return not_yet[k].area;
    return NULL;
}

/* One "+name" or "-name" switch applied to *features. */
static int apply_switch(const char *word, uint64_t *features, char *err, size_t errlen)
{
    const char *name = word + 1, *area;
    int f;
    if (word[0] != '+' && word[0] != '-') {
        snprintf(err, errlen, "--cpu: '%s' should be +feature or -feature", word);
        return -1;
    }
    if ((f = find_feature(name)) < 0) {
        if ((area = not_yet_area(name)))
            snprintf(err, errlen, "--cpu: feature '%s' is not implemented yet: it arrives "
                     "with the %s issue, and ringsim advertises only what it implements",
                     name, area);
        else
            snprintf(err, errlen, "--cpu: unknown feature '%s'", name);
        return -1;
    }
    if (f == FEAT_LM && word[0] == '-') {
        /* Nothing checks lm on the way into 64-bit mode yet (system issue). */
        snprintf(err, errlen, "--cpu: lm cannot be switched off: 64-bit mode entry does "
                 "not check it yet (the system issue brings that)");
        return -1;
    }
    if (word[0] == '+') *features |= CPU_FEAT(f);
    else *features &= ~CPU_FEAT(f);
    return 0;
}

int cpu_features_parse(const char *spec, const struct cpu_model **model, uint64_t *features,
                       char *err, size_t errlen)
{
    char buf[256];
    if (snprintf(buf, sizeof buf, "%s", spec) >= (int)sizeof buf) {
        snprintf(err, errlen, "--cpu: the specification is too long");
        return -1;
    }
    char *save = NULL, *word = strtok_r(buf, ",", &save);
    const struct cpu_model *m = word ? cpu_model_find(word) : NULL;
    if (!m) {
        snprintf(err, errlen, "--cpu wants intel, amd, i486 or host, not '%s'", word ? word : "");
        return -1;
    }
    uint64_t set = m->features;
    while ((word = strtok_r(NULL, ",", &save)))
        if (apply_switch(word, &set, err, errlen) != 0) return -1;
    *model = m;
    *features = set;
    return 0;
}
