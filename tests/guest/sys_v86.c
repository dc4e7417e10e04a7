/* sys_v86.c - virtual-8086 mode (SDM Vol. 3 ch. 20): entry by IRET with
 * EFLAGS.VM, real-mode addressing, the exit through a DPL-3 interrupt gate
 * with ES/DS/FS/GS pushed and the data segments nulled, the IOPL-sensitive
 * instructions (CLI, STI, PUSHF, POPF, INT n: #GP(0) below IOPL 3 without
 * VME), IN/OUT ruled by the I/O bitmap alone, exceptions out of V86 mode.
 * The 16-bit code is copied to 2000:0000.
 */
#include "lib/sys.h"

static struct fault f;

#define V86_CS 0x2000
#define V86_DS 0x2100
#define V86_MAGIC 0x5AA5C33Cu

/* The V86 routines; each ends with INT 80h (or faults on purpose). */
__asm__(".data\n.globl v86_blob, v86_end\n v86_blob:\n .code16\n"
        "v86_read: mov (0), %eax\n mov %cs, %bx\n mov %ss, %cx\n mov %ds, %dx\n int $0x80\n"
        "v86_seg: mov $0x2101, %ax\n mov %ax, %es\n mov %es:(0), %eax\n int $0x80\n"
        "v86_cli: cli\n int $0x80\n"
        "v86_sti: sti\n int $0x80\n"
        "v86_pushf: pushf\n int $0x80\n"
        "v86_popf: push $0\n popf\n int $0x80\n"
        "v86_int: int $0x80\n"
        "v86_in80: inb $0x80, %al\n int $0x80\n"
        "v86_ud: ud2\n"
        "v86_lgdt: lgdt (0)\n"
        ".code32\n v86_end:\n"
        ".globl v86_read_off, v86_seg_off, v86_cli_off, v86_sti_off, v86_pushf_off, v86_popf_off\n"
        ".globl v86_int_off, v86_in80_off, v86_ud_off, v86_lgdt_off\n"
        ".set v86_read_off, v86_read - v86_blob\n .set v86_seg_off, v86_seg - v86_blob\n"
        ".set v86_cli_off, v86_cli - v86_blob\n .set v86_sti_off, v86_sti - v86_blob\n"
        ".set v86_pushf_off, v86_pushf - v86_blob\n .set v86_popf_off, v86_popf - v86_blob\n"
        ".set v86_int_off, v86_int - v86_blob\n .set v86_in80_off, v86_in80 - v86_blob\n"
        ".set v86_ud_off, v86_ud - v86_blob\n .set v86_lgdt_off, v86_lgdt - v86_blob\n .text");
extern const uint8_t v86_blob[], v86_end[];
/* Absolute symbols: their addresses are the offsets. */
extern const char v86_read_off[], v86_seg_off[], v86_cli_off[], v86_sti_off[], v86_pushf_off[],
    v86_popf_off[], v86_int_off[], v86_in80_off[], v86_ud_off[], v86_lgdt_off[];
#define OFF(sym) ((uint16_t)(uint32_t)(sym))

static void check_v86_fault(const char *name, int vector, uint16_t ip)
{
    check_fault(name, &f, vector, vector == 6 ? NO_ERROR : 0, (void *)(uint32_t)ip);
}

void guest_main(uint32_t magic, const uint8_t *mbi)
{
    (void)magic, (void)mbi;
    sys_init();
    uint8_t *dst = (uint8_t *)(V86_CS << 4);
    for (const uint8_t *p = v86_blob; p < v86_end; p++) *dst++ = *p;
    *(volatile uint32_t *)(V86_DS << 4) = V86_MAGIC;
    *(volatile uint32_t *)((V86_DS << 4) + 0x10) = 0x600DF00D;

    check_eq("v86_enter_and_int80", (uint32_t)NO_FAULT,
             (uint32_t)run_v86(V86_CS, OFF(v86_read_off), EFLAGS_IOPL(3), V86_DS, &f));
    check_eq("v86_real_mode_addressing", V86_MAGIC, f.eax);
    check_eq("v86_cs_is_segment", V86_CS, f.ebx & 0xFFFF);
    check_eq("v86_ss_is_segment", V86_SS, f.ecx & 0xFFFF);
    check_eq("v86_ds_is_segment", V86_DS, f.edx & 0xFFFF);
    check_eq("v86_frame_eflags_vm", EFLAGS_VM, f.eflags & EFLAGS_VM);
    check_eq("v86_frame_cs", V86_CS, f.cs);
    check_eq("v86_frame_eip_after_int", OFF(v86_read_off) + 12, f.eip);
    check_eq("v86_frame_ss", V86_SS, f.ss);
    check_eq("v86_frame_esp", V86_SP, f.esp);
    check_eq("v86_frame_pushes_ds", V86_DS, f.v86_ds);
    check_eq("v86_frame_pushes_es", V86_DS, f.v86_es);
    check_eq("v86_frame_pushes_gs", V86_DS, f.v86_gs);
    check_eq("v86_handler_ds_null", 0, f.ds);
    check_eq("v86_handler_gs_null", 0, f.gs);
    check_eq("v86_stack_switch_to_esp0", KERNEL_STACK_TOP - 36, f.handler_esp);

    run_v86(V86_CS, OFF(v86_seg_off), EFLAGS_IOPL(3), V86_DS, &f);
    check_eq("v86_segment_load_real_mode_style", 0x600DF00D, f.eax);
    check_eq("v86_loaded_es_pushed", 0x2101, f.v86_es);

    run_v86(V86_CS, OFF(v86_cli_off), EFLAGS_IOPL(3), V86_DS, &f);
    check_eq("v86_cli_iopl3_ok", (uint32_t)NO_FAULT, (uint32_t)f.vector);
    check_eq("v86_cli_iopl3_clears_if", 0, f.eflags & EFLAGS_IF);
    run_v86(V86_CS, OFF(v86_sti_off), EFLAGS_IOPL(3), V86_DS, &f);
    check_eq("v86_sti_iopl3_sets_if", EFLAGS_IF, f.eflags & EFLAGS_IF);

    run_v86(V86_CS, OFF(v86_cli_off), EFLAGS_IOPL(0), V86_DS, &f);
    check_v86_fault("v86_cli_iopl0_gp", 13, OFF(v86_cli_off));
    check_eq("v86_gp_frame_vm", EFLAGS_VM, f.eflags & EFLAGS_VM);
    check_eq("v86_gp_frame_cs", V86_CS, f.cs);
    run_v86(V86_CS, OFF(v86_sti_off), EFLAGS_IOPL(0), V86_DS, &f);
    check_v86_fault("v86_sti_iopl0_gp", 13, OFF(v86_sti_off));
    run_v86(V86_CS, OFF(v86_pushf_off), EFLAGS_IOPL(0), V86_DS, &f);
    check_v86_fault("v86_pushf_iopl0_gp", 13, OFF(v86_pushf_off));
    run_v86(V86_CS, OFF(v86_popf_off), EFLAGS_IOPL(0), V86_DS, &f);
    check_v86_fault("v86_popf_iopl0_gp", 13, OFF(v86_popf_off) + 2);
    run_v86(V86_CS, OFF(v86_int_off), EFLAGS_IOPL(0), V86_DS, &f);
    check_v86_fault("v86_int_n_iopl0_gp", 13, OFF(v86_int_off));
    run_v86(V86_CS, OFF(v86_pushf_off), EFLAGS_IOPL(3), V86_DS, &f);
    check_eq("v86_pushf_iopl3_ok", (uint32_t)NO_FAULT, (uint32_t)f.vector);

    run_v86(V86_CS, OFF(v86_in80_off), EFLAGS_IOPL(3), V86_DS, &f);
    check_v86_fault("v86_in_denied_by_bitmap_even_iopl3", 13, OFF(v86_in80_off));
    iomap_allow(0x80, 1);
    run_v86(V86_CS, OFF(v86_in80_off), EFLAGS_IOPL(0), V86_DS, &f);
    /* IN passes the bitmap; the INT 80h after it is what faults at IOPL 0 */
    check_v86_fault("v86_in_allowed_by_bitmap_iopl0", 13, OFF(v86_in80_off) + 2);
    iomap_allow(0x80, 0);

    run_v86(V86_CS, OFF(v86_ud_off), EFLAGS_IOPL(3), V86_DS, &f);
    check_v86_fault("v86_ud2_ud", 6, OFF(v86_ud_off));
    check_eq("v86_ud_frame_ss", V86_SS, f.ss);
    run_v86(V86_CS, OFF(v86_lgdt_off), EFLAGS_IOPL(3), V86_DS, &f);
    check_v86_fault("v86_lgdt_gp", 13, OFF(v86_lgdt_off));
}
