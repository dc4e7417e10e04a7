/* test_trace_paging.c - the cr3 and tlb trace categories (sim/machine.c):
 * one line per CR3 write (old and new value, PCID, no-flush bit) and per
 * TLB invalidation (cause, address, PCID). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "sim/machine.h"
#include "mmu/bus.h"

#define CODE 0x10000u
#define PD   0x30000u

static const uint8_t program[] = {
    0xB8, 0x00, 0x00, 0x03, 0x00,               /* mov eax, 0x30000 */
    0x0F, 0x22, 0xD8,                           /* mov cr3, eax */
    0x0F, 0x01, 0x3D, 0x00, 0x10, 0x00, 0x00,   /* invlpg [0x1000] */
    0xB0, 0x10, 0xE6, 0xF4,                     /* mov al, 0x10; out 0xf4, al */
};

static char *run_traced(unsigned mask)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert_not_null(f);
    struct machine_options opt;
    machine_default_options(&opt);
    opt.ram_bytes = 4u << 20;
    opt.serial = "null";
    opt.trace = f;
    opt.trace_mask = mask;
    struct machine *m = machine_new(&opt);
    cr_assert_not_null(m);
    cpu_set_flat32(&m->cpu);
    uint32_t pde = 0x83;                        /* one 4-MiB page at 0: P, R/W, PS */
    machine_load(m, PD, &pde, 4);
    machine_load(m, CODE, program, sizeof program);
    m->cpu.cr3 = PD;
    m->cpu.cr4 |= CR4_PSE;
    m->cpu.cr0 |= CR0_PG;
    cpu_update_mode(&m->cpu);
    m->cpu.rip = CODE;
    cr_assert_eq(STOP_DEBUG_EXIT, machine_run(m), "%s", m->message);
    machine_free(m);
    fclose(f);
    return text;
}

Test(trace_paging, cr3_and_tlb_categories_print_one_line_per_event)
{
    char *text = run_traced(TRACE_CR3 | TRACE_TLB);
    cr_expect(strstr(text, "cr3 0x30000 -> 0x30000 pcid 0\n") != NULL, "%s", text);
    cr_expect(strstr(text, "tlb flush cr3 addr 0 pcid 0\n") != NULL, "%s", text);
    cr_expect(strstr(text, "tlb flush invlpg addr 0x1000 pcid 0\n") != NULL, "%s", text);
    free(text);
}

Test(trace_paging, without_the_categories_nothing_is_printed)
{
    char *text = run_traced(TRACE_IO);
    cr_expect(strstr(text, "cr3") == NULL, "%s", text);
    cr_expect(strstr(text, "tlb") == NULL, "%s", text);
    free(text);
}

Test(trace_paging, two_runs_print_the_same_bytes)
{
    char *a = run_traced(TRACE_CR3 | TRACE_TLB), *b = run_traced(TRACE_CR3 | TRACE_TLB);
    cr_expect_str_eq(a, b);
    free(a);
    free(b);
}
