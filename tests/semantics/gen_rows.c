/* gen_rows.c - the generator's knowledge of opcode-table rows, as data: the group
 * each mnemonic belongs to, how its case is set up, which CORE rows cannot be
 * compared against a user-mode host (and why), and the flags the SDM leaves
 * undefined (SDM Vol. 2, "Flags Affected" of each instruction).
 */
#include <cpuid.h>
#include <string.h>
#include "tests/semantics/gen.h"
#include "tests/semantics/gen_rows.h"

#define CF FL_CF
#define PF FL_PF
#define AF FL_AF
#define ZF FL_ZF
#define SF FL_SF
#define OF FL_OF
#define ALL6 (CF | PF | AF | ZF | SF | OF)

struct mnem_info {
    const char *mnem;
    uint8_t group, kind, undef_rule;
    uint32_t undef_flags;
};

/* By mnemonic; push, pop, jmp, call and mov are refined by their operands below. */
static const struct mnem_info mnems[] = {
    { "add", G_ALU, K_PLAIN, U_NONE, 0 },       { "or", G_ALU, K_PLAIN, U_ALWAYS, AF },
    { "adc", G_ALU, K_PLAIN, U_NONE, 0 },       { "sbb", G_ALU, K_PLAIN, U_NONE, 0 },
    { "and", G_ALU, K_PLAIN, U_ALWAYS, AF },    { "sub", G_ALU, K_PLAIN, U_NONE, 0 },
    { "xor", G_ALU, K_PLAIN, U_ALWAYS, AF },    { "cmp", G_ALU, K_PLAIN, U_NONE, 0 },
    { "test", G_ALU, K_PLAIN, U_ALWAYS, AF },   { "inc", G_ALU, K_PLAIN, U_NONE, 0 },
    { "dec", G_ALU, K_PLAIN, U_NONE, 0 },       { "not", G_ALU, K_PLAIN, U_NONE, 0 },
    { "neg", G_ALU, K_PLAIN, U_NONE, 0 },       { "cbw", G_ALU, K_PLAIN, U_NONE, 0 },
    { "cwd", G_ALU, K_PLAIN, U_NONE, 0 },       { "lahf", G_ALU, K_PLAIN, U_NONE, 0 },
    { "sahf", G_ALU, K_PLAIN, U_NONE, 0 },      { "clc", G_ALU, K_PLAIN, U_NONE, 0 },
    { "stc", G_ALU, K_PLAIN, U_NONE, 0 },       { "cmc", G_ALU, K_PLAIN, U_NONE, 0 },
    { "cld", G_ALU, K_PLAIN, U_NONE, 0 },       { "std", G_ALU, K_PLAIN, U_NONE, 0 },
    { "salc", G_ALU, K_PLAIN, U_NONE, 0 },      { "setcc", G_ALU, K_PLAIN, U_NONE, 0 },
    { "lea", G_ALU, K_LEA, U_NONE, 0 },

    { "rol", G_SHIFT, K_SHIFT, U_ROTATE, OF },  { "ror", G_SHIFT, K_SHIFT, U_ROTATE, OF },
    { "rcl", G_SHIFT, K_SHIFT, U_ROTATE, OF },  { "rcr", G_SHIFT, K_SHIFT, U_ROTATE, OF },
    { "shl", G_SHIFT, K_SHIFT, U_SHIFT, 0 },    { "shr", G_SHIFT, K_SHIFT, U_SHIFT, 0 },
    { "sal", G_SHIFT, K_SHIFT, U_SHIFT, 0 },    { "sar", G_SHIFT, K_SHIFT, U_SHIFT, 0 },
    { "shld", G_SHIFT, K_SHIFT, U_SHXD, 0 },    { "shrd", G_SHIFT, K_SHIFT, U_SHXD, 0 },

    { "mul", G_MULDIV, K_PLAIN, U_ALWAYS, SF | ZF | AF | PF },
    { "imul", G_MULDIV, K_PLAIN, U_ALWAYS, SF | ZF | AF | PF },
    { "div", G_MULDIV, K_DIV, U_ALWAYS, ALL6 }, { "idiv", G_MULDIV, K_DIV, U_ALWAYS, ALL6 },

    { "bt", G_BIT, K_BT, U_ALWAYS, OF | SF | AF | PF },
    { "bts", G_BIT, K_BT, U_ALWAYS, OF | SF | AF | PF },
    { "btr", G_BIT, K_BT, U_ALWAYS, OF | SF | AF | PF },
    { "btc", G_BIT, K_BT, U_ALWAYS, OF | SF | AF | PF },
    { "bsf", G_BIT, K_BITSCAN, U_BITSCAN, CF | OF | SF | AF | PF },
    { "bsr", G_BIT, K_BITSCAN, U_BITSCAN, CF | OF | SF | AF | PF },
    { "tzcnt", G_BIT, K_BITSCAN, U_ALWAYS, OF | SF | AF | PF },
    { "lzcnt", G_BIT, K_BITSCAN, U_ALWAYS, OF | SF | AF | PF },
    { "popcnt", G_BIT, K_BITSCAN, U_NONE, 0 },
    { "bswap", G_BIT, K_PLAIN, U_BSWAP16, 0 },

    { "daa", G_BCD, K_PLAIN, U_ALWAYS, OF },    { "das", G_BCD, K_PLAIN, U_ALWAYS, OF },
    { "aaa", G_BCD, K_PLAIN, U_ALWAYS, OF | SF | ZF | PF },
    { "aas", G_BCD, K_PLAIN, U_ALWAYS, OF | SF | ZF | PF },
    { "aam", G_BCD, K_PLAIN, U_ALWAYS, OF | AF | CF },
    { "aad", G_BCD, K_PLAIN, U_ALWAYS, OF | AF | CF },

    { "mov", G_MOVE, K_PLAIN, U_NONE, 0 },      { "movzx", G_MOVE, K_PLAIN, U_NONE, 0 },
    { "movsx", G_MOVE, K_PLAIN, U_NONE, 0 },    { "movsxd", G_MOVE, K_PLAIN, U_NONE, 0 },
    { "cmovcc", G_MOVE, K_PLAIN, U_NONE, 0 },   { "xchg", G_MOVE, K_PLAIN, U_NONE, 0 },
    { "xlat", G_MOVE, K_XLAT, U_NONE, 0 },      { "movbe", G_MOVE, K_PLAIN, U_NONE, 0 },

    { "cmpxchg", G_ATOMIC, K_CMPXCHG, U_NONE, 0 },
    { "cmpxchg8b", G_ATOMIC, K_CMPXCHG8B, U_NONE, 0 },
    { "xadd", G_ATOMIC, K_PLAIN, U_NONE, 0 },

    { "push", G_STACK, K_PUSH, U_NONE, 0 },     { "pop", G_STACK, K_POP, U_NONE, 0 },
    { "pusha", G_STACK, K_PUSH, U_NONE, 0 },    { "popa", G_STACK, K_POP, U_NONE, 0 },
    { "pushf", G_STACK, K_PUSH, U_NONE, 0 },    { "popf", G_STACK, K_POPF, U_NONE, 0 },
    { "enter", G_STACK, K_ENTER, U_NONE, 0 },   { "leave", G_STACK, K_LEAVE, U_NONE, 0 },

    { "jcc", G_CTRL, K_JREL, U_NONE, 0 },       { "jmp", G_CTRL, K_JREL, U_NONE, 0 },
    { "call", G_CTRL, K_CALLREL, U_NONE, 0 },   { "ret", G_CTRL, K_RET, U_NONE, 0 },
    { "loop", G_CTRL, K_LOOP, U_NONE, 0 },      { "loope", G_CTRL, K_LOOP, U_NONE, 0 },
    { "loopne", G_CTRL, K_LOOP, U_NONE, 0 },    { "jcxz", G_CTRL, K_LOOP, U_NONE, 0 },

    { "movsb", G_STRING, K_STRING, U_NONE, 0 }, { "movs", G_STRING, K_STRING, U_NONE, 0 },
    { "cmpsb", G_STRING, K_STRING, U_NONE, 0 }, { "cmps", G_STRING, K_STRING, U_NONE, 0 },
    { "stosb", G_STRING, K_STRING, U_NONE, 0 }, { "stos", G_STRING, K_STRING, U_NONE, 0 },
    { "lodsb", G_STRING, K_STRING, U_NONE, 0 }, { "lods", G_STRING, K_STRING, U_NONE, 0 },
    { "scasb", G_STRING, K_STRING, U_NONE, 0 }, { "scas", G_STRING, K_STRING, U_NONE, 0 },

    { "andn", G_BMI, K_PLAIN, U_ALWAYS, AF | PF },
    { "blsr", G_BMI, K_PLAIN, U_ALWAYS, AF | PF },
    { "blsmsk", G_BMI, K_PLAIN, U_ALWAYS, AF | PF },
    { "blsi", G_BMI, K_PLAIN, U_ALWAYS, AF | PF },
    { "bzhi", G_BMI, K_VEXCOUNT, U_ALWAYS, AF | PF },
    { "bextr", G_BMI, K_VEXCOUNT, U_ALWAYS, AF | SF | PF },
    { "pext", G_BMI, K_PLAIN, U_NONE, 0 },      { "pdep", G_BMI, K_PLAIN, U_NONE, 0 },
    { "mulx", G_BMI, K_PLAIN, U_NONE, 0 },      { "rorx", G_BMI, K_PLAIN, U_NONE, 0 },
    { "shlx", G_BMI, K_VEXCOUNT, U_NONE, 0 },   { "sarx", G_BMI, K_VEXCOUNT, U_NONE, 0 },
    { "shrx", G_BMI, K_VEXCOUNT, U_NONE, 0 },

    { "nop", G_MISC, K_NOPMEM, U_NONE, 0 },     { "prefetch", G_MISC, K_NOPMEM, U_NONE, 0 },
    { "endbr64", G_MISC, K_PLAIN, U_NONE, 0 },  { "endbr32", G_MISC, K_PLAIN, U_NONE, 0 },
    { "hlt", G_MISC, K_PLAIN, U_NONE, 0 },      { "cli", G_MISC, K_PLAIN, U_NONE, 0 },
    { "sti", G_MISC, K_PLAIN, U_NONE, 0 },      { "ud2", G_MISC, K_PLAIN, U_NONE, 0 },
    { "ud0", G_MISC, K_PLAIN, U_NONE, 0 },      { "ud1", G_MISC, K_PLAIN, U_NONE, 0 },
    { "int3", G_MISC, K_INT, U_NONE, 0 },       { "int1", G_MISC, K_INT, U_NONE, 0 },
    { "into", G_MISC, K_INT, U_NONE, 0 },       { "int", G_MISC, K_INT, U_NONE, 0 },
    { "bound", G_MISC, K_BOUND, U_NONE, 0 },
    { "arpl", G_MISC, K_PLAIN, U_NONE, 0 },
    /* privileged at the host's CPL 3: #GP(0), or #UD for STAC/CLAC */
    { "clts", G_MISC, K_PLAIN, U_NONE, 0 },     { "lmsw", G_MISC, K_PLAIN, U_NONE, 0 },
    { "invlpg", G_MISC, K_PLAIN, U_NONE, 0 },   { "invd", G_MISC, K_PLAIN, U_NONE, 0 },
    { "wbinvd", G_MISC, K_PLAIN, U_NONE, 0 },   { "invpcid", G_MISC, K_PLAIN, U_NONE, 0 },
    { "stac", G_MISC, K_PLAIN, U_NONE, 0 },     { "clac", G_MISC, K_PLAIN, U_NONE, 0 },
};

static const char *const group_names[G_NGROUPS] = {
    "alu", "shift", "muldiv", "bit", "bcd", "move", "atomic", "stack", "ctrl", "string",
    "bmi", "misc",
};

const char *gen_group_name(int group)
{
    return group >= 0 && group < G_NGROUPS ? group_names[group] : NULL;
}

int gen_group_find(const char *name)
{
    for (int g = 0; g < G_NGROUPS; g++)
        if (!strcmp(name, group_names[g])) return g;
    return -1;
}

static bool has_opd(const struct op_row *row, uint8_t kind)
{
    return row->opd[0] == kind || row->opd[1] == kind || row->opd[2] == kind;
}

static bool has_sreg_opd(const struct op_row *row)
{
    for (int k = 0; k < 3; k++)
        if (row->opd[k] >= O_ES && row->opd[k] <= O_GS) return true;
    return false;
}

static const struct mnem_info *find_mnem(const char *mnem)
{
    for (unsigned i = 0; i < sizeof mnems / sizeof mnems[0]; i++)
        if (!strcmp(mnems[i].mnem, mnem)) return &mnems[i];
    return NULL;
}

/* The operand pattern refines mnemonics that name several kinds of instruction. */
static uint8_t refine_kind(const struct op_row *row, uint8_t kind)
{
    if (has_opd(row, O_Ob) || has_opd(row, O_Ov)) return K_MOFFS;
    if (row->opd[0] == O_Ev && !strcmp(row->mnem, "jmp")) return K_JIND;
    if (row->opd[0] == O_Ev && !strcmp(row->mnem, "call")) return K_CALLIND;
    if (row->opd[1] == O_Sw) return K_SREG;
    return kind;
}

bool row_info(const struct op_row *row, struct row_info *out)
{
    const struct mnem_info *m = find_mnem(row->mnem);
    if (!m) return false;
    out->group = m->group;
    out->kind = refine_kind(row, m->kind);
    out->undef_rule = m->undef_rule;
    out->undef_flags = m->undef_flags;
    return true;
}

/* ---- what is not compared, and why ----------------------------------------- */

#define HOST_TABLES "reads the host's GDT/LDT, which the simulated machine does not share: " \
                    "unit and guest tests"
#define PRIVILEGED "privileged: only #GP(0) at the tester's CPL 3 on both machines: unit and " \
                   "guest tests"
static const struct { const char *mnem; const char *why; } excluded[] = {
    { "in", "the host's TSS I/O bitmap is not the simulated machine's: unit and guest tests" },
    { "out", "the host's TSS I/O bitmap is not the simulated machine's: unit and guest tests" },
    { "insb", "the host's TSS I/O bitmap is not the simulated machine's: unit and guest tests" },
    { "ins", "the host's TSS I/O bitmap is not the simulated machine's: unit and guest tests" },
    { "outsb", "the host's TSS I/O bitmap is not the simulated machine's: unit and guest tests" },
    { "outs", "the host's TSS I/O bitmap is not the simulated machine's: unit and guest tests" },
    { "les", HOST_TABLES },
    { "lds", HOST_TABLES },
    { "lss", HOST_TABLES },
    { "lfs", HOST_TABLES },
    { "lgs", HOST_TABLES },
    { "callf", HOST_TABLES },
    { "jmpf", HOST_TABLES },
    { "retf", HOST_TABLES },
    { "iret", HOST_TABLES },
    { "sldt", HOST_TABLES },
    { "str", HOST_TABLES },
    { "lar", HOST_TABLES },
    { "lsl", HOST_TABLES },
    { "verr", HOST_TABLES },
    { "verw", HOST_TABLES },
    { "sgdt", "the host's kernel emulates it under CR4.UMIP with made-up values: unit tests" },
    { "sidt", "the host's kernel emulates it under CR4.UMIP with made-up values: unit tests" },
    { "lgdt", PRIVILEGED },
    { "lidt", PRIVILEGED },
    { "lldt", PRIVILEGED },
    { "ltr", PRIVILEGED },
    { "cpuid", "values differ by design: unit tests" },
    { "rdtsc", "values differ by design: unit tests" },
    { "rdtscp", "values differ by design: unit tests" },
    { "rdpmc", "the host kernel decides CR4.PCE per process: unit and guest tests" },
    { "smsw", "values differ by design (the host's CR0, or its UMIP emulation): unit tests" },
    { "rdmsr", "CPL 0 only: unit tests (test_msr.c)" },
    { "wrmsr", "CPL 0 only: unit tests (test_msr.c)" },
    { "swapgs", "CPL 0 only: unit tests (test_fastcall.c)" },
    { "sysenter", "system call into the host kernel: unit tests (test_fastcall.c)" },
    { "sysexit", "CPL 0 only: unit tests (test_fastcall.c)" },
    { "syscall", "system call into the host kernel: unit tests (test_fastcall.c)" },
    { "sysret", "CPL 0 only: unit tests (test_fastcall.c)" },
    { "rdfsbase", "segment bases differ by design: unit tests (test_fastcall.c)" },
    { "rdgsbase", "segment bases differ by design: unit tests (test_fastcall.c)" },
    { "wrfsbase", "segment bases differ by design: unit tests (test_fastcall.c)" },
    { "wrgsbase", "segment bases differ by design: unit tests (test_fastcall.c)" },
};

/* Host features the generated forms need (CPUID leaf, subleaf, register, bit). */
static const struct {
    const char *mnem[8];
    unsigned leaf, reg, bit;
    const char *why;
} features[] = {
    { { "andn", "blsr", "blsmsk", "blsi", "bextr", "tzcnt" }, 7, 1, 3, "the host CPU lacks BMI1" },
    { { "bzhi", "pext", "pdep", "mulx", "rorx", "shlx", "sarx", "shrx" }, 7, 1, 8,
      "the host CPU lacks BMI2" },
    { { "movbe" }, 1, 2, 22, "the host CPU lacks MOVBE" },
    { { "popcnt" }, 1, 2, 23, "the host CPU lacks POPCNT" },
    { { "lzcnt" }, 0x80000001u, 2, 5, "the host CPU lacks LZCNT" },
    { { "invpcid" }, 7, 1, 10, "the host CPU lacks INVPCID" },
};

static bool host_has(unsigned leaf, unsigned reg, unsigned bit)
{
    unsigned r[4] = { 0, 0, 0, 0 };
    if (!__get_cpuid_count(leaf, 0, &r[0], &r[1], &r[2], &r[3])) return false;
    return (r[reg] >> bit) & 1;
}

static const char *missing_feature(const char *mnem)
{
    for (unsigned i = 0; i < sizeof features / sizeof features[0]; i++)
        for (unsigned k = 0; k < 8 && features[i].mnem[k]; k++)
            if (!strcmp(features[i].mnem[k], mnem))
                return host_has(features[i].leaf, features[i].reg, features[i].bit)
                       ? NULL : features[i].why;
    return NULL;
}

const char *gen_exclusion(unsigned index)
{
    const struct op_row *row = optable_row(index);
    if (!row || row->area != AREA_CORE) return NULL;
    for (unsigned i = 0; i < sizeof excluded / sizeof excluded[0]; i++)
        if (!strcmp(excluded[i].mnem, row->mnem)) return excluded[i].why;
    if (!strcmp(row->mnem, "pop") && has_sreg_opd(row)) return HOST_TABLES;
    if (!strcmp(row->mnem, "mov") && row->opd[0] == O_Sw) return HOST_TABLES;
    return missing_feature(row->mnem);
}

bool gen_row_known(unsigned index)
{
    struct row_info info;
    const struct op_row *row = optable_row(index);
    return row && row_info(row, &info);
}

int gen_group(unsigned index)
{
    struct row_info info;
    const struct op_row *row = optable_row(index);
    if (!row || row->area != AREA_CORE || gen_exclusion(index) || !row_info(row, &info))
        return -1;
    return info.group;
}

bool gen_form_valid(unsigned index, enum sem_mode mode)
{
    const struct op_row *row = optable_row(index);
    if (gen_group(index) < 0) return false;
    if ((row->flags & F_I64) && mode == SEM_M64) return false;
    if ((row->flags & F_O64) && mode != SEM_M64) return false;
    return true;
}

unsigned gen_forms(int group, struct gen_form *out, unsigned max)
{
    unsigned n = 0;
    for (unsigned i = 0; i < op_table_size; i++) {
        if (group != G_NGROUPS && gen_group(i) != group) continue;
        for (int m = 0; m < SEM_NMODES; m++) {
            if (!gen_form_valid(i, (enum sem_mode)m)) continue;
            if (n < max) out[n] = (struct gen_form){ .row = (uint16_t)i, .mode = (uint8_t)m };
            n++;
        }
    }
    return n;
}
