/* msr.h - model-specific registers (SDM Vol. 4 ch. 2, Vol. 3 2.8.6 RDMSR/
 * WRMSR; AMD APM Vol. 2 appendix A): one table of every MSR ringsim models,
 * with its number, name, reset value, reserved bits and rules, read by
 * RDMSR/WRMSR and by front ends (a later `monitor msr`) without faulting.
 */
#ifndef RINGSIM_MSR_H
#define RINGSIM_MSR_H

#include <stddef.h>
#include <stdint.h>
#include "cpu.h"

enum {
    MSR_TSC = 0x10, MSR_PLATFORM_ID = 0x17, MSR_APIC_BASE = 0x1B, MSR_BIOS_SIGN_ID = 0x8B,
    MSR_MTRRCAP = 0xFE, MSR_SYSENTER_CS = 0x174, MSR_SYSENTER_ESP = 0x175,
    MSR_SYSENTER_EIP = 0x176, MSR_MISC_ENABLE = 0x1A0, MSR_MTRR_PHYSBASE0 = 0x200,
    MSR_MTRR_FIX64K_00000 = 0x250, MSR_MTRR_FIX16K_80000 = 0x258,
    MSR_MTRR_FIX16K_A0000 = 0x259, MSR_MTRR_FIX4K_C0000 = 0x268, MSR_PAT = 0x277,
    MSR_MTRR_DEF_TYPE = 0x2FF,
    MSR_EFER = 0xC0000080u, MSR_STAR = 0xC0000081u, MSR_LSTAR = 0xC0000082u,
    MSR_CSTAR = 0xC0000083u, MSR_SFMASK = 0xC0000084u, MSR_FS_BASE = 0xC0000100u,
    MSR_GS_BASE = 0xC0000101u, MSR_KERNEL_GS_BASE = 0xC0000102u, MSR_TSC_AUX = 0xC0000103u,
};

#define MTRR_VAR_COUNT 8                /* MTRRcap.VCNT */
#define PAT_RESET 0x0007040600070406ull /* WB WT UC- UC, twice (SDM Vol. 3 table 12-12) */
#define APIC_BASE_RESET 0xFEE00900ull   /* base FEE00000, enabled, BSP */

/* What a front end may list: name, number, whether this CPU has it. */
struct msr_info {
    uint32_t index;
    const char *name;
};
size_t msr_count(void);
const struct msr_info *msr_info_at(size_t i);
bool msr_present(const struct cpu *cpu, uint32_t index);

/* 0 and the value, or -1 where RDMSR would raise #GP (unknown, absent from
 * this CPU model).  Never faults: for RDMSR, traces and debuggers. */
int msr_read(struct cpu *cpu, uint32_t index, uint64_t *value);
/* 0 after the write took effect, or -1 where WRMSR would raise #GP (unknown,
 * read-only, reserved bits, non-canonical address, an illegal EFER change);
 * nothing changes then. */
int msr_write(struct cpu *cpu, uint32_t index, uint64_t value);
/* The reset values (SDM Vol. 3 table 9-1); called by cpu_reset. */
void msr_reset(struct cpu *cpu);

#endif
