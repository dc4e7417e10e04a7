/* model_disasm.c - the disassembly panel: Zydis decodes and formats in the
 * CPU's current mode (its own decoder has no text formatter), symbols come
 * from the loaded ELF images, the debugger's breakpoints are marked.
 */
#include <Zydis/Zydis.h>
#include <stdio.h>
#include <string.h>
#include "sim/symbols.h"
#include "ui/model.h"

static void zydis_mode(const struct cpu *cpu, ZydisMachineMode *mode, ZydisStackWidth *sw)
{
    bool lma = cpu->efer & EFER_LMA;
    switch (cpu->dmode) {
    case DM_64: *mode = ZYDIS_MACHINE_MODE_LONG_64; *sw = ZYDIS_STACK_WIDTH_64; break;
    case DM_32:
        *mode = lma ? ZYDIS_MACHINE_MODE_LONG_COMPAT_32 : ZYDIS_MACHINE_MODE_LEGACY_32;
        *sw = ZYDIS_STACK_WIDTH_32;
        break;
    default:
        *mode = cpu->mode == MODE_REAL ? ZYDIS_MACHINE_MODE_REAL_16
              : lma ? ZYDIS_MACHINE_MODE_LONG_COMPAT_16 : ZYDIS_MACHINE_MODE_LEGACY_16;
        *sw = ZYDIS_STACK_WIDTH_16;
        break;
    }
}

int ui_decode_at(struct ui_session *s, uint64_t lin, struct ui_insn *out)
{
    struct cpu *cpu = &s->m->cpu;
    uint8_t buf[ZYDIS_MAX_INSTRUCTION_LENGTH];
    size_t n = sizeof buf;
    while (n && cpu_read_linear(cpu, lin, buf, n) != 0) n--;   /* the end of a mapped page */
    if (!n) return -1;
    ZydisMachineMode mode;
    ZydisStackWidth sw;
    zydis_mode(cpu, &mode, &sw);
    ZydisDecoder dec;
    ZydisDecodedInstruction in;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
    if (ZYAN_FAILED(ZydisDecoderInit(&dec, mode, sw)) ||
        ZYAN_FAILED(ZydisDecoderDecodeFull(&dec, buf, n, &in, ops)))
        return -1;
    ZydisFormatter fmt;
    ZydisFormatterInit(&fmt, ZYDIS_FORMATTER_STYLE_INTEL);
    uint64_t ip = lin - cpu->seg[SEG_CS].base;
    if (ZYAN_FAILED(ZydisFormatterFormatInstruction(&fmt, &in, ops, in.operand_count_visible,
                                                    out->text, sizeof out->text, ip, NULL)))
        snprintf(out->text, sizeof out->text, "(?)");
    out->length = in.length;
    out->is_call = in.mnemonic == ZYDIS_MNEMONIC_CALL;
    out->is_ret = in.mnemonic == ZYDIS_MNEMONIC_RET;
    uint64_t target;
    if (in.operand_count_visible && (in.attributes & ZYDIS_ATTRIB_IS_RELATIVE) &&
        ops[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE &&
        ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(&in, &ops[0], ip, &target))) {
        uint64_t off;
        const char *name = s->m->symbols ? symtab_lookup(s->m->symbols, target, &off) : NULL;
        size_t len = strlen(out->text);
        if (name && len < sizeof out->text)
            snprintf(out->text + len, sizeof out->text - len, off ? " <%s+%#llx>" : " <%s>",
                     name, (unsigned long long)off);
    }
    return 0;
}

/* An address a few instructions before pc whose decoding lands on pc:
 * the containing symbol's start when it is near, else the first of a few
 * byte offsets that works. */
static uint64_t back_up(struct ui_session *s, uint64_t pc, unsigned want)
{
    uint64_t off = 0;
    const char *name = s->m->symbols ? symtab_lookup(s->m->symbols, pc - 1, &off) : NULL;
    off++;                                      /* the symbol holding the byte before the PC */
    unsigned span = 4 * want + 8;
    for (uint64_t start = name && off <= 256 ? pc - off : pc - span; start < pc; start++) {
        uint64_t a = start, count = 0;
        struct ui_insn in;
        while (a < pc && ui_decode_at(s, a, &in) == 0) a += in.length, count++;
        if (a == pc) {
            for (; count > want; count--) {     /* keep the last want before the PC */
                ui_decode_at(s, start, &in);
                start += in.length;
            }
            return start;
        }
        if (name && off <= 256) break;          /* the symbol start did not work: plain bytes */
    }
    return pc;
}

void ui_model_disasm(struct ui_session *s, struct ui_text *t, unsigned lines, uint64_t *pcs,
                     unsigned npcs)
{
    struct cpu *cpu = &s->m->cpu;
    uint64_t pc = cpu->seg[SEG_CS].base + cpu->rip;
    uint64_t a = back_up(s, pc, lines / 4);
    ui_text_reset(t, "Disassembly");
    for (unsigned i = 0; i < lines; i++) {
        struct ui_insn in;
        char sym[80] = "";
        uint64_t off;
        const char *name = s->m->symbols ? symtab_lookup(s->m->symbols, a, &off) : NULL;
        if (name) snprintf(sym, sizeof sym, off ? "%s+%#llx" : "%s", name, (unsigned long long)off);
        if (i < npcs) pcs[i] = a;
        unsigned brk = ui_break_at(s, a);
        enum ui_attr attr = a == pc ? UI_PC : brk ? UI_BREAK : UI_NORMAL;
        ui_line(t);
        /* '*' the window's breakpoint, 'g' one only gdb set */
        ui_put(t, attr, "%c%c%08llx %-28.28s ", brk & HOST_OWNER_UI ? '*' : brk ? 'g' : ' ',
               a == pc ? '>' : ' ',
               (unsigned long long)a, sym);
        if (ui_decode_at(s, a, &in) != 0) {
            ui_put(t, UI_GREY, "?? (not readable or not an instruction)");
            a++;
            continue;
        }
        uint8_t bytes[16] = { 0 };
        cpu_read_linear(cpu, a, bytes, in.length);
        char hex[40] = "";
        for (unsigned k = 0; k < in.length && k < 8; k++)
            snprintf(hex + 2 * k, sizeof hex - 2 * k, "%02x", bytes[k]);
        ui_put(t, attr == UI_NORMAL ? UI_GREY : attr, "%-16s ", hex);
        ui_put(t, attr, "%s", in.text);
        a += in.length;
    }
}
