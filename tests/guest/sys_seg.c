/* sys_seg.c - segment register loads and uses at CPL 0 (SDM Vol. 3 ch. 5):
 * null selectors, the DPL/RPL/CPL rules and their error codes (the RPL bits
 * dropped), system descriptors, the LDT, accessed bits, limits with G and
 * expand-down, the hidden descriptor cache, and LAR/LSL/VERR/VERW/ARPL.
 */
#include "lib/sys.h"

static struct fault f;
uint32_t sel_in, off_in, val_out, zf_out;
uint32_t cell = 0x5A5A5A5A;

/* Load DS (or ES, SS, FS, GS) with sel_in; read (or write) through ES. */
ASM_FN(load_ds, "mov sel_in, %eax\n" LABEL(load_ds_at) "mov %eax, %ds\n ret");
ASM_FN(load_es, "mov sel_in, %eax\n" LABEL(load_es_at) "mov %eax, %es\n ret");
ASM_FN(load_ss, "mov sel_in, %eax\n" LABEL(load_ss_at) "mov %eax, %ss\n ret");
ASM_FN(load_fs, "mov sel_in, %eax\n" LABEL(load_fs_at) "mov %eax, %fs\n ret");
ASM_FN(es_read, "mov sel_in, %eax\n mov %eax, %es\n mov off_in, %ecx\n"
       LABEL(es_read_at) "mov %es:(%ecx), %eax\n mov %eax, val_out\n ret");
ASM_FN(es_write, "mov sel_in, %eax\n mov %eax, %es\n mov off_in, %ecx\n"
       LABEL(es_write_at) "movl $0x11223344, %es:(%ecx)\n ret");
ASM_FN(es_read_byte, "mov sel_in, %eax\n mov %eax, %es\n mov off_in, %ecx\n"
       LABEL(es_read_byte_at) "movzbl %es:(%ecx), %eax\n mov %eax, val_out\n ret");
ASM_FN(do_lsl, "mov sel_in, %ecx\n xor %eax, %eax\n lsl %ecx, %eax\n mov %eax, val_out\n"
       "setz %al\n movzbl %al, %eax\n mov %eax, zf_out\n ret");
ASM_FN(do_lar, "mov sel_in, %ecx\n xor %eax, %eax\n lar %ecx, %eax\n mov %eax, val_out\n"
       "setz %al\n movzbl %al, %eax\n mov %eax, zf_out\n ret");
ASM_FN(do_verr, "mov sel_in, %ecx\n verr %cx\n setz %al\n movzbl %al, %eax\n mov %eax, zf_out\n ret");
ASM_FN(do_verw, "mov sel_in, %ecx\n verw %cx\n setz %al\n movzbl %al, %eax\n mov %eax, zf_out\n ret");
ASM_FN(do_arpl, "mov sel_in, %eax\n mov off_in, %ecx\n arpl %cx, %ax\n mov %eax, val_out\n"
       "setz %al\n movzbl %al, %eax\n mov %eax, zf_out\n ret");
extern char load_ds_at[], load_es_at[], load_ss_at[], load_fs_at[], es_read_at[], es_write_at[],
    es_read_byte_at[];

enum {
    S_DATA = 10, S_DATA_DPL3, S_DATA_RO, S_CODE_R, S_CODE_CONF, S_DATA_LIM, S_DATA_G,
    S_EXPDOWN, S_NOT_ACCESSED, S_LDT, S_TSS_AVAIL, S_DATA_BASE, S_CODE_X,
};

static void expect_fault(const char *name, void (*fn)(void), uint32_t sel, uint32_t off,
                         int vector, uint32_t error, const void *at)
{
    sel_in = sel, off_in = off;
    run_catch(fn, &f);
    check_fault(name, &f, vector, error, at);
}

static void expect_ok(const char *name, void (*fn)(void), uint32_t sel, uint32_t off)
{
    sel_in = sel, off_in = off;
    check_eq(name, (uint32_t)NO_FAULT, (uint32_t)run_catch(fn, &f));
}

static struct desc ldt[4] __attribute__((aligned(8)));

static void loads(void)
{
    expect_ok("seg_null_into_ds_ok", load_ds, 0, 0);
    expect_ok("seg_null_rpl3_into_es_ok", load_es, 3, 0);
    expect_fault("seg_null_es_use_gp0", es_read, 0, 0x1000, 13, 0, es_read_at);
    expect_fault("seg_null_es_write_gp0", es_write, 0, 0x1000, 13, 0, es_write_at);
    expect_fault("seg_null_ss_gp0", load_ss, 0, 0, 13, 0, load_ss_at);
    expect_fault("seg_ds_rpl3_dpl0_gp_sel_without_rpl", load_ds, SEL(S_DATA, 3), 0, 13,
                 SEL(S_DATA, 0), load_ds_at);
    expect_ok("seg_ds_dpl3_at_cpl0_ok", load_ds, SEL(S_DATA_DPL3, 0), 0);
    expect_fault("seg_ss_rpl_not_cpl_gp", load_ss, SEL(S_DATA, 3), 0, 13, SEL(S_DATA, 0),
                 load_ss_at);
    expect_fault("seg_ss_dpl_not_cpl_gp", load_ss, SEL(S_DATA_DPL3, 0), 0, 13,
                 SEL(S_DATA_DPL3, 0), load_ss_at);
    expect_fault("seg_ss_read_only_gp", load_ss, SEL(S_DATA_RO, 0), 0, 13, SEL(S_DATA_RO, 0),
                 load_ss_at);
    expect_fault("seg_ss_code_gp", load_ss, SEL(S_CODE_R, 0), 0, 13, SEL(S_CODE_R, 0), load_ss_at);
    expect_ok("seg_ds_readable_code_ok", load_ds, SEL(S_CODE_R, 0), 0);
    expect_ok("seg_fs_conforming_code_ok", load_fs, SEL(S_CODE_CONF, 3), 0);
    expect_fault("seg_ds_tss_descriptor_gp", load_ds, SEL(S_TSS_AVAIL, 0), 0, 13,
                 SEL(S_TSS_AVAIL, 0), load_ds_at);
    __asm__ volatile("lldt %w0" : : "r"(0u));     /* LDTR null: TI=1 selectors fault */
    expect_fault("seg_ds_ldt_selector_without_ldt_gp", load_ds, 0x0C, 0, 13, 0x0C, load_ds_at);
    expect_fault("seg_es_gdt_index_beyond_limit_gp", load_es, SEL(GDT_SLOTS + 1, 0), 0, 13,
                 SEL(GDT_SLOTS + 1, 0), load_es_at);
    expect_fault("seg_fs_gate_descriptor_gp", load_fs, SEL(S_CODE_X, 0), 0, 13, SEL(S_CODE_X, 0),
                 load_fs_at);

    /* An LDT with one data segment (base 0x200000) at LDT index 1. */
    ldt[1] = make_desc(0x200000, 0xFFFF, D_DATA_RW, F_DB);
    gdt_set(S_LDT, make_desc((uint32_t)ldt, sizeof ldt - 1, D_LDT, 0));
    __asm__ volatile("lldt %w0" : : "r"((uint32_t)SEL(S_LDT, 0)));
    *(volatile uint32_t *)0x200010 = 0xCAFEF00D;
    expect_ok("seg_ldt_selector_loads", es_read, 0x0C, 0x10);
    check_eq("seg_ldt_segment_base_used", 0xCAFEF00D, val_out);
    expect_fault("seg_ldt_index_beyond_ldt_limit_gp", load_ds, 0x24, 0, 13, 0x24, load_ds_at);
    uint32_t ldtr;
    __asm__ volatile("sldt %0" : "=r"(ldtr));
    check_eq("seg_sldt_reads_back", SEL(S_LDT, 0), ldtr & 0xFFFF);
    __asm__ volatile("lldt %w0" : : "r"(0u));
}

static void accessed_and_cache(void)
{
    check_eq("seg_accessed_clear_before_load", 0, gdt[S_NOT_ACCESSED].hi & 0x100);
    expect_ok("seg_load_not_accessed_ok", load_fs, SEL(S_NOT_ACCESSED, 0), 0);
    check_eq("seg_load_sets_accessed_bit", 0x100, gdt[S_NOT_ACCESSED].hi & 0x100);

    *(volatile uint32_t *)0x200000 = 0x0A0A0A0A;
    *(volatile uint32_t *)0x300000 = 0x0B0B0B0B;
    gdt_set(S_DATA_BASE, make_desc(0x200000, 0xFFFFF, D_DATA_RW, F_G | F_DB));
    uint32_t a, b;
    __asm__ volatile("mov %2, %%fs\n\t"
                     "mov %%fs:0, %0\n\t"
                     : "=&r"(a), "=r"(b) : "r"((uint32_t)SEL(S_DATA_BASE, 0)));
    gdt[S_DATA_BASE] = make_desc(0x300000, 0xFFFFF, D_DATA_RW, F_G | F_DB);
    __asm__ volatile("mov %%fs:0, %0" : "=r"(b));
    check_eq("seg_base_from_descriptor", 0x0A0A0A0A, a);
    check_eq("seg_hidden_cache_keeps_old_base", 0x0A0A0A0A, b);
    __asm__ volatile("mov %1, %%fs\n\tmov %%fs:0, %0" : "=r"(b) : "r"((uint32_t)SEL(S_DATA_BASE, 0)));
    check_eq("seg_reload_reads_new_base", 0x0B0B0B0B, b);
    __asm__ volatile("mov %0, %%fs" : : "r"((uint32_t)KDATA));
}

static void limits(void)
{
    expect_ok("seg_limit_last_byte_ok", es_read_byte, SEL(S_DATA_LIM, 0), 0xFFF);
    expect_fault("seg_limit_byte_beyond_gp", es_read_byte, SEL(S_DATA_LIM, 0), 0x1000, 13, 0,
                 es_read_byte_at);
    expect_fault("seg_limit_dword_straddling_gp", es_read, SEL(S_DATA_LIM, 0), 0xFFE, 13, 0,
                 es_read_at);
    expect_ok("seg_g_limit_covers_page", es_read, SEL(S_DATA_G, 0), 0x1FFC);
    expect_fault("seg_g_limit_beyond_page_gp", es_read, SEL(S_DATA_G, 0), 0x2000, 13, 0,
                 es_read_at);
    expect_ok("seg_expand_down_above_limit_ok", es_read, SEL(S_EXPDOWN, 0), 0x2000);
    expect_fault("seg_expand_down_at_limit_gp", es_read, SEL(S_EXPDOWN, 0), 0xFFF, 13, 0, es_read_at);
    expect_fault("seg_expand_down_below_limit_gp", es_read, SEL(S_EXPDOWN, 0), 0x10, 13, 0,
                 es_read_at);
    expect_fault("seg_write_readable_code_gp", es_write, SEL(S_CODE_R, 0), 0x200000, 13, 0,
                 es_write_at);
    expect_fault("seg_write_read_only_data_gp", es_write, SEL(S_DATA_RO, 0), 0x200000, 13, 0,
                 es_write_at);
}

static void lar_lsl_verr(void)
{
    sel_in = SEL(S_DATA_LIM, 0);
    run_catch(do_lsl, &f);
    check_eq("lsl_byte_limit", 0xFFF, val_out);
    check_eq("lsl_zf_set", 1, zf_out);
    sel_in = KDATA;
    run_catch(do_lsl, &f);
    check_eq("lsl_g_limit_scaled", 0xFFFFFFFF, val_out);
    sel_in = SEL(S_DATA_G, 0);
    run_catch(do_lsl, &f);
    check_eq("lsl_g_limit_one_page", 0x1FFF, val_out);
    sel_in = 0;
    val_out = 0x77;
    run_catch(do_lsl, &f);
    check_eq("lsl_null_zf_clear", 0, zf_out);
    sel_in = SEL(S_DATA_RO, 0);
    run_catch(do_lar, &f);
    /* LAR: bits 19:16 (the limit's top) are undefined; 31:24 and 7:0 zero. */
    check_eq("lar_data_ro_rights", 0x00C09000 | (gdt[S_DATA_RO].hi & 0x100), val_out & 0xFFF0FFFF);
    check_eq("lar_zf_set", 1, zf_out);
    sel_in = SEL(S_TSS_AVAIL, 0);
    run_catch(do_lar, &f);
    check_eq("lar_tss_valid", 1, zf_out);
    check_eq("lar_tss_rights", 0x00008900, val_out & 0x00FFFF00);
    sel_in = SEL(S_CODE_X, 0);             /* holds a call gate: LSL rejects it */
    run_catch(do_lsl, &f);
    check_eq("lsl_call_gate_zf_clear", 0, zf_out);
    run_catch(do_lar, &f);
    check_eq("lar_call_gate_valid", 1, zf_out);
    sel_in = SEL(S_DATA_DPL3, 3);
    run_catch(do_lar, &f);
    check_eq("lar_dpl3_data_rights", 0x00C0F200 | (gdt[S_DATA_DPL3].hi & 0x100),
             val_out & 0xFFF0FFFF);

    sel_in = SEL(S_CODE_R, 0);
    run_catch(do_verr, &f);
    check_eq("verr_readable_code", 1, zf_out);
    sel_in = SEL(S_DATA_RO, 0);
    run_catch(do_verw, &f);
    check_eq("verw_read_only_data_zf_clear", 0, zf_out);
    run_catch(do_verr, &f);
    check_eq("verr_read_only_data", 1, zf_out);
    sel_in = KDATA;
    run_catch(do_verw, &f);
    check_eq("verw_data_rw", 1, zf_out);
    sel_in = KCODE;
    run_catch(do_verw, &f);
    check_eq("verw_code_zf_clear", 0, zf_out);
    sel_in = SEL(S_TSS_AVAIL, 0);
    run_catch(do_verr, &f);
    check_eq("verr_tss_zf_clear", 0, zf_out);
    sel_in = 0;
    run_catch(do_verr, &f);
    check_eq("verr_null_zf_clear", 0, zf_out);

    sel_in = 0x1230, off_in = 0x0003;
    run_catch(do_arpl, &f);
    check_eq("arpl_raises_rpl", 0x1233, val_out & 0xFFFF);
    check_eq("arpl_raises_rpl_zf", 1, zf_out);
    sel_in = 0x1232, off_in = 0x0001;
    run_catch(do_arpl, &f);
    check_eq("arpl_keeps_higher_rpl", 0x1232, val_out & 0xFFFF);
    check_eq("arpl_keeps_zf_clear", 0, zf_out);
}

void guest_main(uint32_t magic, const uint8_t *mbi)
{
    (void)magic, (void)mbi;
    sys_init();
    gdt_set(S_DATA, make_desc(0, 0xFFFFF, D_DATA_RW, F_G | F_DB));
    gdt_set(S_DATA_DPL3, make_desc(0, 0xFFFFF, D_DATA_RW | D_DPL(3), F_G | F_DB));
    gdt_set(S_DATA_RO, make_desc(0, 0xFFFFF, D_DATA_RO, F_G | F_DB));
    gdt_set(S_CODE_R, make_desc(0, 0xFFFFF, D_CODE_XR, F_G | F_DB));
    gdt_set(S_CODE_CONF, make_desc(0, 0xFFFFF, D_CODE_CXR, F_G | F_DB));
    gdt_set(S_DATA_LIM, make_desc(0x200000, 0xFFF, D_DATA_RW, F_DB));
    gdt_set(S_DATA_G, make_desc(0x200000, 0x1, D_DATA_RW, F_G | F_DB));
    gdt_set(S_EXPDOWN, make_desc(0x200000, 0xFFF, D_DATA_RWD, F_DB));
    gdt_set(S_NOT_ACCESSED, make_desc(0, 0xFFFFF, D_DATA_RW, F_G | F_DB));
    gdt_set(S_TSS_AVAIL, make_desc((uint32_t)&tss_main, 0x67, D_TSS32, 0));
    gdt_set(S_CODE_X, make_gate(KCODE, 0, G_CALL, 0, 0));
    loads();
    accessed_and_cache();
    limits();
    lar_lsl_verr();
}
