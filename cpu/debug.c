/* debug.c - the debug registers' breakpoints and alignment checking (SDM
 * Vol. 3 17.2-17.3 and 6.15 interrupt 17).
 *
 * DR7 enables up to four breakpoints on the linear addresses in DR0-DR3:
 * instruction breakpoints are faults checked before an instruction starts
 * (unless EFLAGS.RF is set); data breakpoints (write, or read/write, of 1,
 * 2, 4 or 8 bytes) are traps reported after the instruction that touched
 * them.  While any data breakpoint is enabled, or alignment checking is on
 * (CR0.AM, EFLAGS.AC and CPL 3), the speed TLB caches no data accesses, so
 * every one passes through the checks here.
 */
#include "ops.h"
#include "exec.h"
#include "debug.h"

/* LEN field to a byte count: 00 1, 01 2, 10 8, 11 4. */
static unsigned bp_len(unsigned len)
{
    static const unsigned bytes[4] = { 1, 2, 8, 4 };
    return bytes[len & 3];
}

void debug_update(struct cpu *cpu)
{
    uint64_t dr7 = cpu->dr[7];
    cpu->dbg.exec = cpu->dbg.data = 0;
    for (unsigned i = 0; i < 4; i++) {
        if (!((dr7 >> (2 * i)) & 3)) continue;              /* neither L nor G */
        unsigned rw = (unsigned)(dr7 >> (16 + 4 * i)) & 3;
        if (rw == 0) cpu->dbg.exec |= (uint8_t)(1u << i);
        else if (rw == 1 || rw == 3) cpu->dbg.data |= (uint8_t)(1u << i);
        /* rw == 2: I/O breakpoints (CR4.DE) are not modelled */
    }
    if (cpu->dbg.exec) cpu->debug_step = true;
    cpu_update_mode(cpu);       /* the speed TLB's data caching follows dbg.data */
}

unsigned debug_exec_hits(const struct cpu *cpu, uint64_t lin)
{
    unsigned hits = 0;
    for (unsigned i = 0; i < 4; i++)
        if ((cpu->dbg.exec >> i & 1) && cpu->dr[i] == lin) hits |= 1u << i;
    return hits;
}

/* A data access of size bytes at lin: alignment first (a fault, before the
 * access), breakpoints are remembered for the trap after the instruction. */
void mem_data_checks(struct cpu *cpu, uint64_t lin, unsigned size, int access)
{
    if (cpu->align_check && !(access & ACC_SYS) && (lin & (size - 1)))
        cpu_raise(cpu, EXC_AC, 0);
    if (!cpu->dbg.data) return;
    bool write = ACC_KIND(access) == ACC_WRITE || ACC_KIND(access) == ACC_RMW;
    uint64_t dr7 = cpu->dr[7];
    for (unsigned i = 0; i < 4; i++) {
        if (!(cpu->dbg.data >> i & 1)) continue;
        unsigned rw = (unsigned)(dr7 >> (16 + 4 * i)) & 3;
        if (rw == 1 && !write) continue;
        unsigned len = bp_len((unsigned)(dr7 >> (18 + 4 * i)));
        uint64_t start = cpu->dr[i] & ~(uint64_t)(len - 1);    /* LEN aligns the address */
        if (lin <= start + len - 1 && start <= lin + size - 1) {
            cpu->dbg.pending |= 1u << i;
            cpu->events = 1;
        }
    }
}

/* Report data-breakpoint hits of the instruction that just completed. */
_Noreturn void debug_trap(struct cpu *cpu, uint64_t extra_dr6)
{
    unsigned hits = cpu->dbg.pending;
    cpu->dbg.pending = 0;
    cpu->dr[6] = (cpu->dr[6] & ~0xFull) | hits | extra_dr6;
    cpu->insn_start = cpu->rip;
    cpu_raise(cpu, EXC_DB, EXC_NO_ERROR);
}
