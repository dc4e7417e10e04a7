/* model_nt.c - the NT kernel's own records, read from guest memory with
 * the layouts of ntkernel/inc/arc.h and pstypes.h (Windows XP SP3 x86): the
 * current thread's KTRAP_FRAME (WinDbg `dt _KTRAP_FRAME`) and the process
 * and thread lists (`!process 0 0`, `!thread`).
 */
#include <stdio.h>
#include <string.h>
#include "sim/symbols.h"
#include "ui/model.h"
#include "sim/ntlayout.h"


void ui_model_trapframe(struct ui_session *s, struct ui_text *t)
{
    struct cpu *cpu = &s->m->cpu;
    ui_text_reset(t, "KTRAP_FRAME");
    uint32_t thread = ui_current_thread(s), frame = ui_trapframe_addr(s), stack = 0, pid = 0, tid = 0;
    ui_line(t);
    if (cpu->efer & EFER_LMA) {         /* said, not drawn with the x86 offsets */
        ui_put(t, UI_CHANGED, "long mode: the x64 KTRAP_FRAME layout and the syscall path are not "
               "implemented (the built-in kernel is x86)");
        return;
    }
    if (!thread || !frame) {
        ui_put(t, UI_GREY, "no NT kernel thread yet");
        return;
    }
    ui_read32(s, thread + ThInitialStack, &stack);
    ui_read32(s, thread + EtCid, &pid);
    ui_read32(s, thread + EtCid + 4, &tid);
    ui_put(t, UI_HEAD, "KTRAP_FRAME @%08x", frame);
    ui_put(t, UI_NORMAL, " thread %08x (%x.%x) InitialStack-%#x", thread, pid, tid, stack - frame);
    ui_line(t);
    bool exact = s->tf.tracking && s->tf.exact;
    ui_put(t, s->tf.tracking ? UI_CHANGED : UI_GREY, "%s",
           exact ? "being built: written slots highlighted, the rest grey"
           : s->tf.tracking ? "being built (entered at full speed: writes not tracked)"
                            : "complete (Thread->TrapFrame)");
    uint32_t esp = (uint32_t)cpu->gpr[RSP];
    for (unsigned i = 0; i < UI_TF_SIZE / 4; i++) {
        uint32_t v = 0;
        bool ok = ui_read32(s, frame + 4 * i, &v) == 0;
        enum ui_attr a = !ok ? UI_GREY : !exact ? UI_NORMAL
                       : (s->tf.written >> i & 1) ? UI_CHANGED : UI_GREY;
        char sym[64] = "";
        uint64_t off;
        const char *name = s->m->symbols && (i == 1 || i == 26) ? symtab_lookup(s->m->symbols, v, &off) : NULL;
        if (name) snprintf(sym, sizeof sym, off ? " %s+%#llx" : " %s", name, (unsigned long long)off);
        ui_line(t);
        ui_put(t, UI_GREY, "+%02x ", 4 * i);
        ui_put(t, a, "%-20s %08x%s", nt_trap_frame_fields[i], v, sym);
        if (frame + 4 * i == esp) ui_put(t, UI_PC, " <- esp");
    }
    uint32_t esp0 = 0;
    if (cpu->seg[SEG_TR].sel) ui_read32(s, cpu->seg[SEG_TR].base + 4, &esp0);
    char e176[64];
    symtab_format(s->m->symbols, cpu->msr.sysenter_eip, e176, sizeof e176);
    ui_line(t);
    ui_put(t, UI_HEAD, "TSS.Esp0 ");
    ui_put(t, UI_NORMAL, "%08x (InitialStack-%#x)", esp0, stack - esp0);
    ui_line(t);
    ui_put(t, UI_HEAD, "MSR 0x175 ");
    ui_put(t, UI_NORMAL, "SYSENTER_ESP %08llx", (unsigned long long)cpu->msr.sysenter_esp);
    ui_line(t);
    ui_put(t, UI_HEAD, "MSR 0x176 ");
    ui_put(t, UI_NORMAL, "SYSENTER_EIP %08llx %s", (unsigned long long)cpu->msr.sysenter_eip, e176);
}


static void threads(struct ui_session *s, struct ui_text *t, uint32_t process, uint32_t current)
{
    uint32_t head = process + PrThreadListHead, e = 0;
    ui_read32(s, head, &e);
    for (unsigned n = 0; e && e != head && n < 32; n++) {
        uint32_t th = e - ThThreadListEntry, pid = 0, tid = 0, teb = 0, wait = 0, kt = 0, ut = 0;
        uint8_t st = 0, pri = 0;
        ui_read32(s, th + EtCid, &pid);
        ui_read32(s, th + EtCid + 4, &tid);
        ui_read32(s, th + ThTeb, &teb);
        cpu_read_linear(&s->m->cpu, th + ThWaitReason, &wait, 1);
        ui_read32(s, th + ThKernelTime, &kt);
        ui_read32(s, th + ThUserTime, &ut);
        cpu_read_linear(&s->m->cpu, th + ThState, &st, 1);
        cpu_read_linear(&s->m->cpu, th + ThPriority, &pri, 1);
        ui_line(t);
        ui_put(t, th == current ? UI_PC : UI_NORMAL,
               "    THREAD %08x Cid %x.%x Teb %08x %-11s Pri %u", th, pid, tid, teb,
               nt_thread_state_name(st), pri);
        if (!strcmp(nt_thread_state_name(st), "Waiting"))
            ui_put(t, UI_NORMAL, " WAIT: (%s)", nt_wait_reason_name(wait));
        ui_put(t, UI_NORMAL, " Ticks k%u u%u", kt, ut);
        if (ui_read32(s, e, &e) != 0) break;
    }
}

void ui_model_processes(struct ui_session *s, struct ui_text *t)
{
    uint64_t head64;
    ui_text_reset(t, "Processes");
    if (!s->m->symbols || symtab_find(s->m->symbols, "PsActiveProcessHead", &head64) != 0) {
        ui_line(t);
        ui_put(t, UI_GREY, "no NT kernel (PsActiveProcessHead)");
        return;
    }
    uint32_t head = (uint32_t)head64, e = 0, current = ui_current_thread(s);
    ui_read32(s, head, &e);
    for (unsigned n = 0; e && e != head && n < 32; n++) {
        uint32_t p = e - EpActiveProcessLinks, pid = 0, parent = 0, dir = 0, peb = 0, obj = 0;
        char name[17] = "";
        ui_read32(s, p + EpUniqueProcessId, &pid);
        ui_read32(s, p + EpInheritedFromUniqueProcessId, &parent);
        ui_read32(s, p + PrDirectoryTableBase, &dir);
        ui_read32(s, p + EpPeb, &peb);
        ui_read32(s, p + EpObjectTable, &obj);
        cpu_read_linear(&s->m->cpu, p + EpImageFileName, name, 16);
        ui_line(t);
        ui_put(t, UI_HEAD, "PROCESS %08x", p);
        ui_put(t, UI_NORMAL, " Cid %04x Peb %08x ParentCid %04x DirBase %08x ObjectTable %08x "
               "Image %s", pid, peb, parent, dir, obj, name);
        if ((dir & ~0xFFFu) == (uint32_t)(s->m->cpu.cr3 & ~0xFFFull)) ui_put(t, UI_CHANGED, " (CR3)");
        threads(s, t, p, current);
        if (ui_read32(s, e, &e) != 0) break;
    }
}
