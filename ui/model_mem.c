/* model_mem.c - the memory panel (QEMU's `x`: linear addresses through the
 * CPU's own translation, unreadable bytes shown as "??") and the stack at
 * ESP/RSP with the symbols of what look like return addresses; bytes that
 * changed since the last stop are highlighted.
 */
#include <stdio.h>
#include "sim/symbols.h"
#include "ui/model.h"

void ui_model_memory(struct ui_session *s, struct ui_text *t, unsigned rows)
{
    struct cpu *cpu = &s->m->cpu;
    ui_text_reset(t, "Memory");
    uint64_t a = s->mem_addr & ~15ull;
    for (unsigned r = 0; r < rows; r++, a += 16) {
        uint8_t b[16];
        ui_line(t);
        ui_put(t, UI_HEAD, "%08llx ", (unsigned long long)a);
        char ascii[17];
        for (unsigned i = 0; i < 16; i++) {
            bool ok = cpu_read_linear(cpu, a + i, &b[i], 1) == 0;
            if (!ok) {
                ui_put(t, UI_GREY, "?? ");
            } else if (ui_byte_changed(s, a + i, b[i])) {
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
        bool changed = false;
        for (unsigned k = 0; k < w; k++) changed |= ui_byte_changed(s, a + k, (uint8_t)(v >> (8 * k)));
        ui_put(t, changed ? UI_CHANGED : UI_NORMAL, "%0*llx", (int)(2 * w), (unsigned long long)v);
        if (name && off < 0x10000) ui_put(t, UI_GREY, off ? " %s+%#llx" : " %s", name,
                                          (unsigned long long)off);
    }
}
