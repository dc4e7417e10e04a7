/* model_mem.c - the memory panel (QEMU's `x`: linear addresses through the
 * CPU's own translation, unreadable bytes shown as "??"; `xp`: physical
 * addresses, RAM and ROM only, a device's registers are never read) and the
 * stack at ESP/RSP with the symbols of what look like return addresses.
 * Bytes the last instruction stepped read or wrote are UI_TOUCHED; bytes
 * that changed since the last stop otherwise UI_CHANGED.
 */
#include <stdio.h>
#include "mmu/bus.h"
#include "sim/symbols.h"
#include "ui/model.h"

/* One byte of physical memory without side effects: 0, or -1. */
static int phys_byte(struct cpu *cpu, uint64_t phys, uint8_t *b)
{
    const uint8_t *p = bus_ram_ptr(cpu->bus, phys, 1);
    if (!p) p = bus_rom_ptr(cpu->bus, phys, 1);
    if (!p) return -1;
    *b = *p;
    return 0;
}

/* "last instruction: 1 read 2 writes at ..." or why it is not known. */
static void touched_title(struct ui_session *s, char *buf, size_t len)
{
    const struct ui_touched *t = &s->touched;
    if (!t->known) {
        snprintf(buf, len, "last insn: not known (ran at full speed)");
        return;
    }
    unsigned r = 0, w = 0;
    for (size_t i = 0; i < t->n && i < UI_TOUCH; i++) {
        r += (t->a[i].kind & HOST_WATCH_READ) != 0;
        w += (t->a[i].kind & HOST_WATCH_WRITE) != 0;
    }
    snprintf(buf, len, "last insn: %u read %u written%s", r, w,
             t->n > UI_TOUCH ? " (more not kept)" : "");
}

void ui_model_memory(struct ui_session *s, struct ui_text *t, unsigned rows)
{
    struct cpu *cpu = &s->m->cpu;
    char title[sizeof t->title], touched[sizeof t->title - 18];
    touched_title(s, touched, sizeof touched);
    snprintf(title, sizeof title, "Memory %s  %s", s->mem_phys ? "physical" : "linear", touched);
    ui_text_reset(t, title);
    uint64_t a = s->mem_addr & ~15ull;
    for (unsigned r = 0; r < rows; r++, a += 16) {
        uint8_t b[16];
        ui_line(t);
        ui_put(t, UI_HEAD, "%08llx ", (unsigned long long)a);
        char ascii[17];
        for (unsigned i = 0; i < 16; i++) {
            bool ok = (s->mem_phys ? phys_byte(cpu, a + i, &b[i])
                                   : cpu_read_linear(cpu, a + i, &b[i], 1)) == 0;
            if (!ok) {
                ui_put(t, UI_GREY, "?? ");
            } else if (ui_byte_touched(s, a + i, s->mem_phys)) {
                ui_put(t, UI_TOUCHED, "%02x", b[i]);
                ui_put(t, UI_NORMAL, " ");
            } else if (!s->mem_phys && ui_byte_changed(s, a + i, b[i])) {
                ui_put(t, UI_CHANGED, "%02x", b[i]);
                ui_put(t, UI_NORMAL, " ");
            } else {
                ui_put(t, b[i] ? UI_NORMAL : UI_GREY, "%02x ", b[i]);
            }
            ascii[i] = ok && b[i] >= 32 && b[i] < 127 ? (char)b[i] : '.';
        }
        ascii[16] = 0;
        ui_put(t, UI_NORMAL, "%s", ascii);
    }
}

void ui_model_stack(struct ui_session *s, struct ui_text *t, unsigned rows)
{
    struct cpu *cpu = &s->m->cpu;
    unsigned w = cpu->stack_size ? cpu->stack_size : 4;
    uint64_t sp = cpu->seg[SEG_SS].base + (cpu->gpr[RSP] & (w == 8 ? ~0ull : w == 4 ? 0xFFFFFFFFull : 0xFFFF));
    ui_text_reset(t, "Stack");
    for (unsigned r = 0; r < rows; r++) {
        uint64_t v = 0, a = sp + (uint64_t)r * w;
        ui_line(t);
        ui_put(t, r ? UI_GREY : UI_PC, "%08llx ", (unsigned long long)a);
        if (cpu_read_linear(cpu, a, &v, w) != 0) {
            ui_put(t, UI_GREY, "??");
            continue;
        }
        uint64_t off;
        const char *name = s->m->symbols ? symtab_lookup(s->m->symbols, v, &off) : NULL;
        bool changed = false, touched = false;
        for (unsigned k = 0; k < w; k++) {
            changed |= ui_byte_changed(s, a + k, (uint8_t)(v >> (8 * k)));
            touched |= ui_byte_touched(s, a + k, false) != 0;
        }
        ui_put(t, touched ? UI_TOUCHED : changed ? UI_CHANGED : UI_NORMAL, "%0*llx", (int)(2 * w),
               (unsigned long long)v);
        if (name && off < 0x10000) ui_put(t, UI_GREY, off ? " %s+%#llx" : " %s", name,
                                          (unsigned long long)off);
    }
}
