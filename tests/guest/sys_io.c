/* sys_io.c - IOPL and the TSS I/O permission bitmap at CPL 3 (SDM Vol. 1
 * sec. 19.5, Vol. 3 sec. 2.3): CLI/STI/IN/OUT/INS/OUTS #GP(0) with IOPL 0
 * unless the bitmap allows every byte of the access, IOPL 3 allowing them,
 * POPF leaving IF and IOPL alone at CPL 3, PUSHF showing IOPL.
 */
#include "lib/sys.h"

static struct fault f;
uint8_t buf[4];

ASM_FN(u_cli, LABEL(u_cli_at) "cli\n int $0x80");
ASM_FN(u_sti, LABEL(u_sti_at) "sti\n int $0x80");
ASM_FN(u_in80, LABEL(u_in80_at) "inb $0x80, %al\n int $0x80");
ASM_FN(u_out80, "mov $0x5A, %al\n" LABEL(u_out80_at) "outb %al, $0x80\n int $0x80");
ASM_FN(u_in81, LABEL(u_in81_at) "inb $0x81, %al\n int $0x80");
ASM_FN(u_inw80, LABEL(u_inw80_at) "inw $0x80, %ax\n int $0x80");
ASM_FN(u_inl_dx, "mov $0x3F8, %dx\n" LABEL(u_inl_dx_at) "inl %dx, %eax\n int $0x80");
ASM_FN(u_insb, "mov $0x80, %dx\n mov $buf, %edi\n" LABEL(u_insb_at) "insb\n int $0x80");
ASM_FN(u_outsb, "mov $0x80, %dx\n mov $buf, %esi\n" LABEL(u_outsb_at) "outsb\n int $0x80");
ASM_FN(u_in_hi_port, "mov $0xFFFF, %dx\n" LABEL(u_in_hi_at) "inb %dx, %al\n int $0x80");
/* POPF trying to set IOPL 3 and flip IF and NT, then PUSHF: the result in EAX. */
ASM_FN(u_popf_iopl_if, "pushf\n xorl $0x7200, (%esp)\n popf\n pushf\n pop %eax\n int $0x80");
ASM_FN(u_pushf, "pushf\n pop %eax\n int $0x80");
extern char u_cli_at[], u_sti_at[], u_in80_at[], u_out80_at[], u_in81_at[], u_inw80_at[],
    u_inl_dx_at[], u_insb_at[], u_outsb_at[], u_in_hi_at[];

static void iopl0(void)
{
    run_user(u_cli, &f);
    check_fault("io_cli_cpl3_iopl0_gp", &f, 13, 0, u_cli_at);
    run_user(u_sti, &f);
    check_fault("io_sti_cpl3_iopl0_gp", &f, 13, 0, u_sti_at);
    run_user(u_in80, &f);
    check_fault("io_in_denied_by_bitmap_gp", &f, 13, 0, u_in80_at);
    run_user(u_out80, &f);
    check_fault("io_out_denied_by_bitmap_gp", &f, 13, 0, u_out80_at);

    iomap_allow(0x80, 1);
    check_eq("io_in_allowed_by_bitmap", (uint32_t)NO_FAULT, (uint32_t)run_user(u_in80, &f));
    check_eq("io_out_allowed_by_bitmap", (uint32_t)NO_FAULT, (uint32_t)run_user(u_out80, &f));
    run_user(u_in81, &f);
    check_fault("io_neighbour_port_still_denied", &f, 13, 0, u_in81_at);
    run_user(u_inw80, &f);
    check_fault("io_word_needs_both_bits", &f, 13, 0, u_inw80_at);
    iomap_allow(0x81, 1);
    check_eq("io_word_allowed_with_both_bits", (uint32_t)NO_FAULT, (uint32_t)run_user(u_inw80, &f));
    check_eq("io_insb_allowed_by_bitmap", (uint32_t)NO_FAULT, (uint32_t)run_user(u_insb, &f));
    check_eq("io_outsb_allowed_by_bitmap", (uint32_t)NO_FAULT, (uint32_t)run_user(u_outsb, &f));
    iomap_allow(0x80, 0);
    run_user(u_insb, &f);
    check_fault("io_insb_denied_by_bitmap", &f, 13, 0, u_insb_at);
    run_user(u_outsb, &f);
    check_fault("io_outsb_denied_by_bitmap", &f, 13, 0, u_outsb_at);

    iomap_allow(0x3F8, 1); iomap_allow(0x3F9, 1); iomap_allow(0x3FA, 1);
    run_user(u_inl_dx, &f);
    check_fault("io_dword_needs_four_bits", &f, 13, 0, u_inl_dx_at);
    iomap_allow(0x3FB, 1);
    check_eq("io_dword_allowed_with_four_bits", (uint32_t)NO_FAULT, (uint32_t)run_user(u_inl_dx, &f));
    for (uint16_t p = 0x3F8; p < 0x3FC; p++) iomap_allow(p, 0);

    run_user(u_in_hi_port, &f);
    check_fault("io_port_ffff_denied", &f, 13, 0, u_in_hi_at);
    uint16_t saved = tss.iomap;
    tss.iomap = 0xFFF0;                          /* bitmap beyond the TSS limit */
    iomap_allow(0x80, 1);
    run_user(u_in80, &f);
    check_fault("io_bitmap_beyond_tss_limit_gp", &f, 13, 0, u_in80_at);
    tss.iomap = saved;
    iomap_allow(0x80, 0);
    iomap_allow(0x81, 0);

    run_user_ex(u_popf_iopl_if, &f, EFLAGS_IF, UDATA);
    check_eq("io_popf_cpl3_keeps_iopl0", 0, f.eax & 0x3000);
    check_eq("io_popf_cpl3_iopl0_keeps_if", EFLAGS_IF, f.eax & EFLAGS_IF);
    check_eq("io_popf_cpl3_changes_nt", EFLAGS_NT, f.eax & EFLAGS_NT);
    check_eq("io_popf_no_fault", (uint32_t)NO_FAULT, (uint32_t)f.vector);
}

static void iopl3(void)
{
    check_eq("io_cli_iopl3_ok", (uint32_t)NO_FAULT, (uint32_t)run_user_ex(u_cli, &f, EFLAGS_IOPL(3), UDATA));
    check_eq("io_cli_iopl3_clears_if", 0, f.eflags & EFLAGS_IF);
    run_user_ex(u_sti, &f, EFLAGS_IOPL(3), UDATA);
    check_eq("io_sti_iopl3_sets_if", EFLAGS_IF, f.eflags & EFLAGS_IF);
    check_eq("io_in_iopl3_ignores_bitmap", (uint32_t)NO_FAULT,
             (uint32_t)run_user_ex(u_in81, &f, EFLAGS_IOPL(3), UDATA));
    run_user_ex(u_pushf, &f, EFLAGS_IOPL(3), UDATA);
    check_eq("io_pushf_shows_iopl3", EFLAGS_IOPL(3), f.eax & 0x3000);
    run_user_ex(u_popf_iopl_if, &f, EFLAGS_IOPL(3) | EFLAGS_IF, UDATA);
    check_eq("io_popf_cpl3_iopl3_keeps_iopl", EFLAGS_IOPL(3), f.eax & 0x3000);
    check_eq("io_popf_cpl3_iopl3_changes_if", 0, f.eax & EFLAGS_IF);
    run_user_ex(u_cli, &f, EFLAGS_IOPL(2), UDATA);
    check_fault("io_cli_iopl2_cpl3_gp", &f, 13, 0, u_cli_at);
}

void guest_main(uint32_t magic, const uint8_t *mbi)
{
    (void)magic, (void)mbi;
    sys_init();
    iopl0();
    iopl3();
}
