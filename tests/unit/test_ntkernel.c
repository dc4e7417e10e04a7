/* test_ntkernel.c - the built-in NT-style kernel's phase 0 (ntkernel/),
 * booted headless through the machine API to its debug-exit: the GDT, IDT,
 * TSSs, segment registers, KPCR, KPRCB, paging and KUSER_SHARED_DATA as
 * /work/shared/design/nt-reference.md sections 1-3 and 8 give them, the
 * clock's tick counts, and the console transcript against its golden copy.
 * Guest state is read through the CPU's own view (cpu_read_linear,
 * paging_walk_info) and kernel variables through the image's symbols. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sim/machine.h"
#include "sim/loader.h"
#include "sim/symbols.h"
#include "tests/unit/nt_boot.h"
#include "mmu/paging.h"
#include "mmu/tlb.h"

#define EXIT_SUCCESS_STATUS 33          /* isa-debug-exit: (0x10 << 1) | 1 */
#define EXIT_FAILURE_STATUS 35          /* (0x11 << 1) | 1: a bug check */
#define KPCR_VA     0xFFDFF000u
#define SHARED_KVA  0xFFDF0000u
#define SHARED_UVA  0x7FFE0000u

static struct machine *m;
static char transcript[64];

static void teardown(void)
{
    machine_free(m);
    m = NULL;
    if (transcript[0]) unlink(transcript);
    transcript[0] = 0;
}
TestSuite(ntkernel, .fini = teardown);

/* Boot build/ntkernel.elf on a CPU of the given spec until it stops; the
 * COM1 transcript goes to a temporary file. */
static enum machine_stop boot(const char *cpu_spec)
{
    char err[256];
    m = nt_machine_new(cpu_spec, 200000000, transcript, sizeof transcript);
    struct load_request req = { nt_build_path("ntkernel.elf"), NULL, NULL, NULL };
    cr_assert_eq(0, machine_boot(m, &req, err, sizeof err), "%s", err);
    return machine_run(m);
}

static void boot_ok(void)
{
    cr_assert_eq(STOP_DEBUG_EXIT, boot("intel"), "%s", m->message);
    cr_assert_eq(EXIT_SUCCESS_STATUS, m->exit_status, "%s", m->message);
}

static uint32_t sym(const char *name) { return nt_sym(m, name); }
static uint32_t rd32(uint32_t lin) { return nt_rd32(m, lin); }

static uint64_t rd64(uint32_t lin)
{
    uint64_t v;
    cr_assert_eq(0, cpu_read_linear(&m->cpu, lin, &v, 8), "0x%08x is not readable", lin);
    return v;
}

/* The transcript's last non-empty line. */
static void last_line(char *last, size_t len)
{
    FILE *f = fopen(transcript, "r");
    char line[256];
    last[0] = 0;
    while (f && fgets(line, sizeof line, f))
        if (line[0] != '\n') snprintf(last, len, "%s", line);
    if (f) fclose(f);
}

/* ---- descriptors ---------------------------------------------------------- */

struct desc {
    uint32_t base, limit;               /* limit as encoded (20 bits) */
    uint8_t access, flags;              /* byte 5; the high nibble of byte 6 */
};

static struct desc gdt_entry(uint16_t sel)
{
    uint64_t d = rd64((uint32_t)m->cpu.gdtr.base + (sel & ~7u));
    struct desc r;
    r.limit = (uint32_t)(d & 0xFFFF) | (uint32_t)((d >> 48) & 0xF) << 16;
    r.base = (uint32_t)((d >> 16) & 0xFFFFFF) | (uint32_t)((d >> 56) & 0xFF) << 24;
    r.access = (uint8_t)(d >> 40);
    r.flags = (uint8_t)((d >> 52) & 0xF);
    return r;
}

static void expect_desc(uint16_t sel, uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    struct desc d = gdt_entry(sel);
    cr_expect_eq(base, d.base, "GDT 0x%02x: base 0x%08x, not 0x%08x", sel, d.base, base);
    cr_expect_eq(limit, d.limit, "GDT 0x%02x: limit 0x%05x, not 0x%05x", sel, d.limit, limit);
    cr_expect_eq(access, d.access, "GDT 0x%02x: access 0x%02x, not 0x%02x", sel, d.access, access);
    cr_expect_eq(flags, d.flags, "GDT 0x%02x: flags 0x%x, not 0x%x", sel, d.flags, flags);
}

Test(ntkernel, gdt_holds_nt_selectors_with_reference_bases_limits_and_types)
{
    boot_ok();
    cr_expect_eq(0x3FF, m->cpu.gdtr.limit);
    cr_expect_eq(0, rd64((uint32_t)m->cpu.gdtr.base), "the null descriptor");
    expect_desc(0x08, 0, 0xFFFFF, 0x9B, 0xC);       /* code exec/read DPL 0, accessed by the load */
    expect_desc(0x10, 0, 0xFFFFF, 0x93, 0xC);       /* data R/W DPL 0 (SS) */
    expect_desc(0x18, 0, 0xFFFFF, 0xFA, 0xC);       /* code DPL 3, never loaded yet */
    expect_desc(0x20, 0, 0xFFFFF, 0xF3, 0xC);       /* data DPL 3, DS/ES in kernel mode */
    expect_desc(0x28, sym("KiTss"), 0x20AB, 0x8B, 0x0);     /* busy 32-bit TSS after LTR */
    expect_desc(0x30, KPCR_VA, 0x00001, 0x93, 0xC); /* LimitLow 1, G = 1 */
    expect_desc(0x38, 0, 0x00FFF, 0xF3, 0x4);       /* TEB: byte granular, DPL 3 */
    expect_desc(0x40, 0x400, 0x0FFFF, 0xF2, 0x0);   /* VDM tile */
    cr_expect_eq(0, rd64((uint32_t)m->cpu.gdtr.base + 0x48), "no LDT");
    expect_desc(0x50, sym("KiDoubleFaultTSS"), 0x67, 0x89, 0x0);
    expect_desc(0x58, sym("KiNMITSS"), 0x67, 0x89, 0x0);
}

Test(ntkernel, segment_registers_are_nt_kernel_mode_values)
{
    boot_ok();
    cr_expect_eq(0x08, m->cpu.seg[SEG_CS].sel);
    cr_expect_eq(0x10, m->cpu.seg[SEG_SS].sel);
    cr_expect_eq(0x23, m->cpu.seg[SEG_DS].sel);
    cr_expect_eq(0x23, m->cpu.seg[SEG_ES].sel);
    cr_expect_eq(0x30, m->cpu.seg[SEG_FS].sel);
    cr_expect_eq(KPCR_VA, m->cpu.seg[SEG_FS].base);
    cr_expect_eq(0x1FFF, m->cpu.seg[SEG_FS].limit, "FS limit 0x%x", m->cpu.seg[SEG_FS].limit);
    cr_expect_eq(0, m->cpu.seg[SEG_GS].sel);
    cr_expect_eq(0x28, m->cpu.seg[SEG_TR].sel);
    cr_expect_eq(sym("KiTss"), m->cpu.seg[SEG_TR].base);
    cr_expect_eq(0x20AB, m->cpu.seg[SEG_TR].limit);
}

/* ---- the IDT -------------------------------------------------------------- */

static void gate(unsigned v, uint16_t *sel, uint16_t *access, uint32_t *offset)
{
    uint64_t g = rd64((uint32_t)m->cpu.idtr.base + v * 8);
    *offset = (uint32_t)(g & 0xFFFF) | (uint32_t)(g >> 48) << 16;
    *sel = (uint16_t)(g >> 16);
    *access = (uint16_t)(g >> 32);
}

static void expect_gate(unsigned v, uint16_t sel, uint16_t access, const char *handler)
{
    uint16_t s, a;
    uint32_t off;
    gate(v, &s, &a, &off);
    cr_expect_eq(sel, s, "vector 0x%02x: selector 0x%02x, not 0x%02x", v, s, sel);
    cr_expect_eq(access, a, "vector 0x%02x: access 0x%04x, not 0x%04x", v, a, access);
    if (handler)
        cr_expect_eq(sym(handler), off, "vector 0x%02x: handler 0x%08x, not %s", v, off, handler);
}

Test(ntkernel, idt_has_task_gates_for_nmi_and_double_fault_and_nt_gate_dpls)
{
    boot_ok();
    cr_expect_eq(0x7FF, m->cpu.idtr.limit);
    cr_expect_eq(m->cpu.gdtr.base + 0x400, m->cpu.idtr.base, "the IDT follows the GDT");
    expect_gate(0x02, 0x58, 0x8500, NULL);
    expect_gate(0x08, 0x50, 0x8500, NULL);
    expect_gate(0x00, 0x08, 0x8E00, "KiTrap00");
    expect_gate(0x01, 0x08, 0x8E00, "KiTrap01");
    expect_gate(0x03, 0x08, 0xEE00, "KiTrap03");
    expect_gate(0x04, 0x08, 0xEE00, "KiTrap04");
    expect_gate(0x0D, 0x08, 0x8E00, "KiTrap0D");
    expect_gate(0x0E, 0x08, 0x8E00, "KiTrap0E");
    expect_gate(0x2A, 0x08, 0xEE00, "KiGetTickCount");
    expect_gate(0x2B, 0x08, 0xEE00, "KiCallbackReturn");
    expect_gate(0x2C, 0x08, 0xEE00, "KiSetLowWaitHighThread");
    expect_gate(0x2D, 0x08, 0xEE00, "KiDebugService");
    expect_gate(0x2E, 0x08, 0xEE00, "KiSystemService");
    expect_gate(0x30, 0x08, 0x8E00, "KiClockInterrupt");
    for (unsigned v = 0x20; v < 0x2A; v++) {       /* nt-reference.md 2.2: not present */
        uint16_t s, a;
        uint32_t off;
        gate(v, &s, &a, &off);
        cr_expect_eq(0, a & 0x8000, "vector 0x%02x is present", v);
    }
    for (unsigned v = 0x31; v < 0x100; v++) {
        uint16_t s, a;
        uint32_t off;
        gate(v, &s, &a, &off);
        cr_expect_eq(0x8E00, a, "vector 0x%02x: access 0x%04x", v, a);
    }
}

Test(ntkernel, double_fault_and_nmi_tss_run_on_their_own_stacks_in_the_system_space)
{
    boot_ok();
    uint32_t cr3 = rd32(sym("MmKernelDirectoryTableBase"));
    uint32_t df = sym("KiDoubleFaultTSS"), nmi = sym("KiNMITSS");
    cr_expect_eq(cr3, rd32(df + 0x1C), "#DF TSS CR3");
    cr_expect_eq(cr3, rd32(nmi + 0x1C), "NMI TSS CR3");
    cr_expect_eq(sym("KiDoubleFaultTask"), rd32(df + 0x20));
    cr_expect_eq(sym("KiNmiTask"), rd32(nmi + 0x20));
    cr_expect_eq(0x08, rd32(df + 0x4C) & 0xFFFF, "CS");
    cr_expect_eq(0x10, rd32(df + 0x50) & 0xFFFF, "SS");
    cr_expect_eq(0x30, rd32(df + 0x58) & 0xFFFF, "FS");
    cr_expect_neq(rd32(df + 0x38), rd32(nmi + 0x38), "separate stacks");
    uint32_t tss = sym("KiTss");
    cr_expect_eq(0x10, rd32(tss + 0x08) & 0xFFFF, "KTSS.Ss0");
    cr_expect_eq(sym("P0BootStack"), rd32(tss + 0x04), "KTSS.Esp0: the boot stack's top");
    cr_expect_eq(0x20AC, rd32(tss + 0x64) >> 16, "KTSS.IoMapBase: no I/O map");
}

/* A double fault at run time goes through the task gate: with ESP on an
 * unmapped page, KiTrap00's first push faults (#PF), the #PF cannot push its
 * frame either, and the #DF task bug-checks with 0x7F (8). */
Test(ntkernel, double_fault_switches_to_the_double_fault_task_and_bug_checks)
{
    boot_ok();
    m->cpu.gpr[RSP] = 0x2000;
    m->cpu.rip = sym("KiTrap00");
    m->cpu.halted = false;
    cr_assert_eq(STOP_DEBUG_EXIT, machine_run(m), "%s", m->message);
    cr_expect_eq(EXIT_FAILURE_STATUS, m->exit_status);
    cr_expect_eq(0x50, m->cpu.seg[SEG_TR].sel, "running in the #DF task");
    cr_expect_eq(0x28, rd32(sym("KiDoubleFaultTSS")) & 0xFFFF, "back link to the KTSS");
    char last[256];
    last_line(last, sizeof last);
    cr_expect(strstr(last, "*** STOP: 0x0000007F (0x00000008,") != NULL, "last line: %s", last);
}

/* An NMI goes through the task gate of vector 2 to KiNMITSS and bug-checks
 * with NMI_HARDWARE_FAILURE (0x80). */
Test(ntkernel, nmi_switches_to_the_nmi_task_and_bug_checks)
{
    boot_ok();
    cpu_set_nmi(&m->cpu);
    cr_assert_eq(STOP_DEBUG_EXIT, machine_run(m), "%s", m->message);
    cr_expect_eq(EXIT_FAILURE_STATUS, m->exit_status);
    cr_expect_eq(0x58, m->cpu.seg[SEG_TR].sel, "running in the NMI task");
    cr_expect_eq(0x28, rd32(sym("KiNMITSS")) & 0xFFFF, "back link to the KTSS");
    char last[256];
    last_line(last, sizeof last);
    cr_expect(strstr(last, "*** STOP: 0x00000080 (") != NULL, "last line: %s", last);
}

/* ---- KPCR and KPRCB ------------------------------------------------------- */

Test(ntkernel, kpcr_self_pointers_and_tables_are_at_the_reference_offsets)
{
    boot_ok();
    cr_expect_eq(0xFFFFFFFFu, rd32(KPCR_VA + 0x00), "NtTib.ExceptionList");
    cr_expect_eq(sym("P0BootStack"), rd32(KPCR_VA + 0x04), "InitialStack");
    cr_expect_eq(KPCR_VA, rd32(KPCR_VA + 0x1C), "SelfPcr");
    cr_expect_eq(KPCR_VA + 0x120, rd32(KPCR_VA + 0x20), "Prcb");
    cr_expect_eq(m->cpu.idtr.base, rd32(KPCR_VA + 0x38), "IDT");
    cr_expect_eq(m->cpu.gdtr.base, rd32(KPCR_VA + 0x3C), "GDT");
    cr_expect_eq(sym("KiTss"), rd32(KPCR_VA + 0x40), "TSS");
    cr_expect_eq(0x00010001, rd32(KPCR_VA + 0x44), "MajorVersion/MinorVersion");
    cr_expect_eq(1, rd32(KPCR_VA + 0x48), "SetMember");
    /* fs:[0x1C] as the CPU computes it: FS base + offset. */
    uint32_t self;
    cr_assert_eq(0, cpu_read_linear(&m->cpu, m->cpu.seg[SEG_FS].base + 0x1C, &self, 4));
    cr_expect_eq(KPCR_VA, self);
}

Test(ntkernel, kprcb_holds_vendor_features_dpc_stack_and_empty_ready_lists)
{
    boot_ok();
    uint32_t prcb = KPCR_VA + 0x120;
    cr_expect_eq(0x00010001, rd32(prcb + 0x000), "Minor/MajorVersion");
    char vendor[13] = { 0 };
    cr_assert_eq(0, cpu_read_linear(&m->cpu, prcb + 0x900, vendor, 12));
    cr_expect_str_eq("GenuineIntel", vendor);
    cr_expect_eq(rd32(sym("KeFeatureBits")), rd32(prcb + 0x914), "FeatureBits");
    uint32_t dpc = rd32(prcb + 0x868);
    cr_expect(dpc > 0x80000000u && dpc < 0x81000000u && !(dpc & 0xFFF), "DpcStack 0x%08x", dpc);
    cr_expect_eq(0, rd32(prcb + 0x9E8), "ReadySummary");
    for (unsigned i = 0; i < 32; i++) {
        uint32_t head = prcb + 0x9F0 + 8 * i;
        cr_expect_eq(head, rd32(head), "ready list %u Flink", i);
        cr_expect_eq(head, rd32(head + 4), "ready list %u Blink", i);
    }
    cr_expect_eq(prcb + 0x860, rd32(prcb + 0x860), "DpcListHead");
}

/* ---- fast calls ----------------------------------------------------------- */

Test(ntkernel, sysenter_msrs_stay_unset_while_fast_calls_are_disabled)
{
    boot_ok();
    cr_expect(rd32(sym("KeFeatureBits")) & 0x1000, "KF_FAST_SYSCALL: the CPU reports SEP");
    cr_expect_eq(1, rd32(sym("KiFastSystemCallDisable")) & 0xFF);
    cr_expect_eq(0, m->cpu.msr.sysenter_cs);
    cr_expect_eq(0, m->cpu.msr.sysenter_esp);
    cr_expect_eq(0, m->cpu.msr.sysenter_eip);
}

Test(ntkernel, a_cpu_without_sep_or_pge_gets_neither_fast_calls_nor_global_pages)
{
    cr_assert_eq(STOP_DEBUG_EXIT, boot("intel,-sep,-pge"), "%s", m->message);
    cr_assert_eq(EXIT_SUCCESS_STATUS, m->exit_status);
    cr_expect_eq(0, rd32(sym("KeFeatureBits")) & (0x1000 | 0x10));
    cr_expect_eq(0, m->cpu.cr4 & (1u << 7), "CR4.PGE");
    FILE *f = fopen(transcript, "r");
    char line[256];
    int found = 0;
    while (f && fgets(line, sizeof line, f))
        found |= strstr(line, "no SEP, system calls use int 2Eh") != NULL;
    if (f) fclose(f);
    cr_expect(found, "the transcript reports the missing SEP");
}

/* ---- paging --------------------------------------------------------------- */

Test(ntkernel, kernel_runs_in_the_upper_half_with_global_pages)
{
    boot_ok();
    cr_expect_eq(rd32(sym("MmKernelDirectoryTableBase")), m->cpu.cr3);
    cr_expect(m->cpu.cr0 & (1u << 31), "CR0.PG");
    cr_expect(m->cpu.cr0 & (1u << 16), "CR0.WP");
    cr_expect(m->cpu.cr4 & (1u << 7), "CR4.PGE");
    cr_expect_eq(0, m->cpu.cr4 & (1u << 5), "CR4.PAE: non-PAE paging");
    cr_expect(m->cpu.rip >= 0x80100000u, "EIP 0x%llx", (unsigned long long)m->cpu.rip);
    struct walk_info w;
    cr_assert_eq(0, paging_walk_info(&m->cpu, 0x80100000u, &w));
    cr_expect(w.mapped);
    cr_expect_eq(0x100000, w.phys);
    cr_expect(w.global);
    cr_expect_eq(0, w.perm & ATLB_U, "kernel pages are supervisor");
    cr_assert_eq(0, paging_walk_info(&m->cpu, sym("KiSystemStartup"), &w));
    cr_expect(w.mapped && w.global);
    /* The self-map: PDE 0x300 points at the directory. */
    cr_assert_eq(0, paging_walk_info(&m->cpu, 0xC0300000u, &w));
    cr_expect(w.mapped);
    cr_expect_eq(m->cpu.cr3, w.phys);
    /* No identity mapping is left, and the user space holds only the shared page. */
    const uint32_t unmapped[] = { 0x0, 0x10000, 0x100000, 0x7FFD0000u, 0x7FFF0000u };
    for (unsigned i = 0; i < sizeof unmapped / sizeof *unmapped; i++) {
        cr_assert_eq(0, paging_walk_info(&m->cpu, unmapped[i], &w));
        cr_expect(!w.mapped, "0x%08x is mapped", unmapped[i]);
    }
}

Test(ntkernel, shared_user_data_is_one_page_kernel_rw_and_user_ro)
{
    boot_ok();
    struct walk_info k, u;
    cr_assert_eq(0, paging_walk_info(&m->cpu, SHARED_KVA, &k));
    cr_assert_eq(0, paging_walk_info(&m->cpu, SHARED_UVA, &u));
    cr_assert(k.mapped && u.mapped);
    cr_expect_eq(k.phys, u.phys, "one physical page");
    cr_expect_eq(rd32(sym("MmSharedUserDataPhysical")), k.phys);
    cr_expect_eq(ATLB_W, k.perm & (ATLB_U | ATLB_W), "kernel view: supervisor, writable");
    cr_expect_eq(ATLB_U, u.perm & (ATLB_U | ATLB_W), "user view: user, read-only");
    cr_expect(k.global, "the kernel view is global");
    cr_expect(!u.global, "the user view is not global");
    uint64_t pcr;
    cr_assert_eq(0, paging_peek(&m->cpu, KPCR_VA, &pcr));
    cr_expect_neq(pcr, k.phys, "the PCR has its own page");
    /* Fields through the user view. */
    cr_expect_eq(0x014C014C, rd32(SHARED_UVA + 0x2C), "ImageNumberLow/High");
    cr_expect_eq(5, rd32(SHARED_UVA + 0x26C), "NtMajorVersion");
    cr_expect_eq(1, rd32(SHARED_UVA + 0x270), "NtMinorVersion");
    cr_expect_eq(0xC3, rd32(SHARED_UVA + 0x2F8), "TestRetInstruction");
    cr_expect_eq((uint32_t)((100002ull << 24) / 10000), rd32(SHARED_UVA + 0x4), "TickCountMultiplier");
    cr_expect_eq(rd32(sym("ExpTickCountMultiplier")), rd32(SHARED_UVA + 0x4));
}

/* ---- the clock ------------------------------------------------------------ */

Test(ntkernel, clock_interrupt_advances_ke_tick_count_and_the_shared_copies)
{
    boot_ok();
    uint32_t ticks = rd32(sym("KeTickCount"));
    cr_expect_geq(ticks, 3, "KeTickCount %u", ticks);
    cr_expect_eq(ticks, rd32(SHARED_KVA + 0x320), "TickCount.LowPart");
    cr_expect_eq(rd32(SHARED_KVA + 0x324), rd32(SHARED_KVA + 0x328), "High1Time = High2Time");
    cr_expect_eq(ticks, rd32(SHARED_UVA + 0x000), "TickCountLow through the user view");
    uint64_t itime = rd32(SHARED_KVA + 0x8) | (uint64_t)rd32(SHARED_KVA + 0xC) << 32;
    cr_expect_eq((uint64_t)ticks * 100002, itime, "InterruptTime: one increment per tick");
    cr_expect_eq(ticks, rd32(KPCR_VA + 0x120 + 0x4A4), "Prcb->InterruptCount");
    cr_expect_eq(ticks, rd32(KPCR_VA + 0x120 + 0x4A8), "Prcb->KernelTime");
    /* 8259 base 0x30: the master's vector base as the kernel programmed it
     * shows in the ticks having arrived at KiClockInterrupt (vector 0x30);
     * any other vector would have bug-checked. */
}

/* ---- the transcript ------------------------------------------------------- */

Test(ntkernel, boot_transcript_matches_the_golden_copy)
{
    boot_ok();
    nt_expect_golden(transcript, "tests/golden/ntkernel_boot.txt");
}
