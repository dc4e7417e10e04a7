/* sys_dbg.c - the debug registers (SDM Vol. 3 ch. 17): an execute breakpoint
 * (a fault at the instruction), data write and read/write breakpoints (traps
 * after the access) of 1, 2 and 4 bytes, DR6's B0-B3, BD and BS bits, DR7.GD
 * and MOV DR at CPL 3.
 */
#include "lib/sys.h"

static struct fault f;
uint32_t watched[4] __attribute__((aligned(16)));

ASM_FN(exec_target, LABEL(exec_bp_at) "nop\n ret");
ASM_FN(write_watched, "mov $1, %eax\n" LABEL(write_watched_at) "mov %eax, watched+4\n"
       LABEL(write_watched_after) "ret");
ASM_FN(read_watched, LABEL(read_watched_at) "mov watched+4, %eax\n" LABEL(read_watched_after) "ret");
ASM_FN(write_byte_7, "movb $1, watched+7\n" LABEL(write_byte_7_after) "ret");
ASM_FN(write_byte_8, "movb $1, watched+8\n ret");
ASM_FN(read_dr0, LABEL(read_dr0_at) "mov %dr0, %eax\n ret");
ASM_FN(u_read_dr7, LABEL(u_read_dr7_at) "mov %dr7, %eax\n int $0x80");
extern char exec_bp_at[], write_watched_at[], write_watched_after[], read_watched_at[],
    read_watched_after[], write_byte_7_after[], read_dr0_at[], u_read_dr7_at[];

static uint32_t dr6(void) { uint32_t v; __asm__ volatile("mov %%dr6, %0" : "=r"(v)); return v; }
static void set_dr6(uint32_t v) { __asm__ volatile("mov %0, %%dr6" : : "r"(v)); }
static void set_dr7(uint32_t v) { __asm__ volatile("mov %0, %%dr7" : : "r"(v)); }
static uint32_t dr7(void) { uint32_t v; __asm__ volatile("mov %%dr7, %0" : "=r"(v)); return v; }
/* A #DB handler that resumes with RF set: the breakpoint does not fire again. */
static volatile unsigned db_hits;
static volatile uint32_t db_eip, db_rf_in_frame;
static void db_resume_rf(struct frame *fr)
{
    db_hits++;
    db_eip = fr->eip;
    db_rf_in_frame = fr->eflags & EFLAGS_RF;
    fr->eflags |= EFLAGS_RF;
    if (db_hits > 3) __asm__ volatile("mov %0, %%dr7" : : "r"(0u));
}

#define DR(n, v) __asm__ volatile("mov %0, %%dr" #n : : "r"((uint32_t)(v)))
/* DR7 fields of breakpoint n: local enable, R/W and LEN. */
#define L(n) (1u << (2 * (n)))
#define RW(n, v) ((uint32_t)(v) << (16 + 4 * (n)))
#define LEN(n, v) ((uint32_t)(v) << (18 + 4 * (n)))

void guest_main(uint32_t magic, const uint8_t *mbi)
{
    (void)magic, (void)mbi;
    sys_init();

    DR(0, exec_bp_at);
    set_dr6(0);
    set_dr7(L(0) | RW(0, 0) | LEN(0, 0));
    run_catch(exec_target, &f);
    set_dr7(0);
    check_fault("dbg_exec_bp_fault_at_insn", &f, 1, NO_ERROR, exec_bp_at);
    check_eq("dbg_exec_bp_dr6_b0", 1, dr6() & 0xF);
    check_eq("dbg_exec_bp_disabled_runs", (uint32_t)NO_FAULT, (uint32_t)run_catch(exec_target, &f));

    DR(0, exec_bp_at);
    set_dr7(L(0));
    set_handler(1, db_resume_rf);
    exec_target();
    set_handler(1, 0);
    set_dr7(0);
    check_eq("dbg_rf_resumes_past_exec_bp_once", 1, db_hits);
    check_eq("dbg_rf_exec_bp_eip", (uint32_t)exec_bp_at, db_eip);
    check_eq("dbg_exec_bp_frame_rf_clear", 0, db_rf_in_frame);

    DR(1, &watched[1]);
    set_dr6(0);
    set_dr7(L(1) | RW(1, 1) | LEN(1, 3));
    run_catch(write_watched, &f);
    check_fault("dbg_write_bp_trap_after_insn", &f, 1, NO_ERROR, write_watched_after);
    check_eq("dbg_write_bp_dr6_b1", 2, dr6() & 0xF);
    check_eq("dbg_write_bp_write_done", 1, watched[1]);
    check_eq("dbg_write_bp_ignores_read", (uint32_t)NO_FAULT, (uint32_t)run_catch(read_watched, &f));
    set_dr6(0);
    run_catch(write_byte_7, &f);
    check_fault("dbg_write_bp_4byte_covers_byte3", &f, 1, NO_ERROR, write_byte_7_after);
    check_eq("dbg_write_bp_next_dword_free", (uint32_t)NO_FAULT, (uint32_t)run_catch(write_byte_8, &f));

    set_dr7(L(1) | RW(1, 3) | LEN(1, 3));
    set_dr6(0);
    run_catch(read_watched, &f);
    check_fault("dbg_rw_bp_read_traps", &f, 1, NO_ERROR, read_watched_after);
    check_eq("dbg_rw_bp_dr6_b1", 2, dr6() & 0xF);

    DR(3, (uint8_t *)watched + 6);
    set_dr7(L(3) | RW(3, 1) | LEN(3, 1));              /* 2 bytes: 6 and 7 */
    set_dr6(0);
    run_catch(write_byte_7, &f);
    check_fault("dbg_2byte_bp_covers_second_byte", &f, 1, NO_ERROR, write_byte_7_after);
    check_eq("dbg_2byte_bp_dr6_b3", 8, dr6() & 0xF);
    set_dr7(0);

    set_dr6(0);
    set_dr7(0x2000);                                    /* GD */
    run_catch(read_dr0, &f);
    check_fault("dbg_gd_mov_dr_faults", &f, 1, NO_ERROR, read_dr0_at);
    check_eq("dbg_gd_dr6_bd", 0x2000, dr6() & 0x2000);
    check_eq("dbg_gd_cleared_on_entry", 0, dr7() & 0x2000);

    run_user(u_read_dr7, &f);
    check_fault("dbg_mov_dr_cpl3_gp", &f, 13, 0, u_read_dr7_at);
    set_dr7(0);
}
