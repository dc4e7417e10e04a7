/* opcode_coverage.c - build/opcode-coverage (make opcode-coverage): every
 * opcode of the one-byte and 0F maps (SDM Vol. 2 A.3) with each of its rows
 * as implemented, #UD by design or deferred to a later issue, prefixes and
 * escapes named; the 0F 38 / 0F 3A / VEX rows; then the integer set,
 * decoded form by form, ending with "missing: N".
 */
#include <stdio.h>
#include <string.h>
#include "cpu/insn.h"
#include "cpu/handlers.h"

/* ---- statuses ------------------------------------------------------------ */

enum status { ST_CORE, ST_UD, ST_SYSTEM, ST_X87, ST_SIMD, ST_STUB, ST_COUNT };

static const char *const status_name[ST_COUNT] = {
    [ST_CORE] = "implemented", [ST_UD] = "#UD by design",
    [ST_SYSTEM] = "deferred (system issue)", [ST_X87] = "deferred (x87 issue)",
    [ST_SIMD] = "deferred (SIMD issue)",
    [ST_STUB] = "NOT implemented: AREA_CORE row with a #UD handler",
};

/* UD0/UD1/UD2 are implemented by raising #UD: their rows may use op_ud. */
static int ud_by_definition(const struct op_row *r)
{
    return strcmp(r->mnem, "ud0") == 0 || strcmp(r->mnem, "ud1") == 0 ||
           strcmp(r->mnem, "ud2") == 0;
}

static enum status row_status(const struct op_row *r)
{
    static const uint8_t by_area[] = {
        [AREA_CORE] = ST_CORE, [AREA_UD] = ST_UD, [AREA_SYSTEM] = ST_SYSTEM,
        [AREA_X87] = ST_X87, [AREA_SIMD] = ST_SIMD,
    };
    if (r->area == AREA_CORE && (r->fn == op_deferred || r->fn == op_ud) && !ud_by_definition(r))
        return ST_STUB;
    return (enum status)by_area[r->area];
}

/* ---- row text ------------------------------------------------------------ */

static const char *const opd_name[] = {
    [O_NONE] = "", [O_Eb] = "Eb", [O_Ew] = "Ew", [O_Ed] = "Ed", [O_Ev] = "Ev", [O_Ey] = "Ey",
    [O_Eq] = "Eq", [O_Gb] = "Gb", [O_Gw] = "Gw", [O_Gd] = "Gd", [O_Gv] = "Gv", [O_Gy] = "Gy",
    [O_Gq] = "Gq", [O_M] = "M", [O_Mp] = "Mp", [O_Mq] = "Mq", [O_Mdq] = "Mdq", [O_Ma] = "Ma",
    [O_Mw] = "Mw", [O_Rd] = "Rd", [O_Ry] = "Ry", [O_Sw] = "Sw", [O_Cd] = "Cd", [O_Dd] = "Dd",
    [O_By] = "By", [O_Ib] = "Ib", [O_Ibs] = "Ib", [O_Iw] = "Iw", [O_Iz] = "Iz", [O_Iv] = "Iv",
    [O_Jb] = "Jb", [O_Jz] = "Jz", [O_Ap] = "Ap", [O_Ob] = "Ob", [O_Ov] = "Ov", [O_Zb] = "Zb",
    [O_Zv] = "Zv", [O_AL] = "AL", [O_rAX] = "rAX", [O_CL] = "CL", [O_DX] = "DX", [O_ONE] = "1",
    [O_ES] = "ES", [O_CS] = "CS", [O_SS] = "SS", [O_DS] = "DS", [O_FS] = "FS", [O_GS] = "GS",
    [O_Xb] = "Xb", [O_Xv] = "Xv", [O_Yb] = "Yb", [O_Yv] = "Yv", [O_W] = "W", [O_V] = "V",
    [O_N] = "N", [O_P] = "P", [O_ST] = "ST",
};
_Static_assert(sizeof opd_name / sizeof opd_name[0] == O_ST + 1, "opd_name misses an operand");

static const char *const pfx_name[] = {
    [PFX_ANY] = "", [PFX_NONE] = "np ", [PFX_66] = "66 ", [PFX_F3] = "F3 ", [PFX_F2] = "F2 ",
    [PFX_NOREP] = "no-F2/F3 ",
};

/* "/4 mem", "/7 rm=2 reg", "" ... : what of ModRM selects this row. */
static void modrm_text(const struct op_row *r, char *out, size_t size)
{
    static const char *const mod_name[] = { [MOD_ANY] = "", [MOD_MEM] = " mem", [MOD_REG] = " reg" };
    char reg[8] = "", rm[8] = "";
    if (r->reg >= 0) snprintf(reg, sizeof reg, "/%d", r->reg);
    if (r->rm >= 0) snprintf(rm, sizeof rm, " rm=%d", r->rm);
    snprintf(out, size, "%s%s%s", reg, rm, mod_name[r->mod]);
}

static void operands_text(const struct op_row *r, char *out, size_t size)
{
    size_t n = 0;
    out[0] = 0;
    for (int k = 0; k < 3 && r->opd[k] != O_NONE && n < size; k++)
        n += (size_t)snprintf(out + n, size - n, "%s%s", k ? "," : "", opd_name[r->opd[k]]);
}

static const char *mode_note(const struct op_row *r)
{
    if (r->flags & F_I64) return " (not in 64-bit mode)";
    if (r->flags & F_O64) return " (64-bit mode only)";
    return "";
}

static void print_row(const char *where, const struct op_row *r)
{
    char modrm[32], ops[48], name[96];
    modrm_text(r, modrm, sizeof modrm);
    operands_text(r, ops, sizeof ops);
    snprintf(name, sizeof name, "%s%s %s", pfx_name[r->pfx], r->mnem, ops);
    printf("%-11s %-14s %-30s %s%s\n", where, modrm, name, status_name[row_status(r)],
           mode_note(r));
}

/* ---- prefixes and escapes ---------------------------------------------- */

static const struct { uint8_t map, opc, last; const char *what; } not_opcodes[] = {
    { MAP_1B, 0x0F, 0x0F, "escape: two-byte map 0F xx" },
    { MAP_1B, 0x26, 0x26, "prefix: ES segment override (ignored in 64-bit mode)" },
    { MAP_1B, 0x2E, 0x2E, "prefix: CS segment override (ignored in 64-bit mode)" },
    { MAP_1B, 0x36, 0x36, "prefix: SS segment override (ignored in 64-bit mode)" },
    { MAP_1B, 0x3E, 0x3E, "prefix: DS segment override (ignored in 64-bit mode)" },
    { MAP_1B, 0x40, 0x4F, "prefix: REX in 64-bit mode" },
    { MAP_1B, 0x64, 0x64, "prefix: FS segment override" },
    { MAP_1B, 0x65, 0x65, "prefix: GS segment override" },
    { MAP_1B, 0x66, 0x66, "prefix: operand size (66h; a mandatory prefix for some 0F forms)" },
    { MAP_1B, 0x67, 0x67, "prefix: address size (67h)" },
    { MAP_1B, 0xC4, 0xC4, "escape: 3-byte VEX in 64-bit mode, or before a register ModRM" },
    { MAP_1B, 0xC5, 0xC5, "escape: 2-byte VEX in 64-bit mode, or before a register ModRM" },
    { MAP_1B, 0xF0, 0xF0, "prefix: LOCK" },
    { MAP_1B, 0xF2, 0xF2, "prefix: REPNE (or a mandatory F2)" },
    { MAP_1B, 0xF3, 0xF3, "prefix: REP/REPE (or a mandatory F3)" },
    { MAP_0F, 0x38, 0x38, "escape: three-byte map 0F 38 xx" },
    { MAP_0F, 0x3A, 0x3A, "escape: three-byte map 0F 3A xx" },
};

static int print_not_opcode(unsigned map, unsigned opc, const char *where)
{
    int found = 0;
    for (size_t k = 0; k < sizeof not_opcodes / sizeof not_opcodes[0]; k++) {
        if (not_opcodes[k].map != map || opc < not_opcodes[k].opc || opc > not_opcodes[k].last)
            continue;
        printf("%-11s %-14s %s\n", where, "", not_opcodes[k].what);
        found = 1;
    }
    return found;
}

/* ---- the maps ------------------------------------------------------------ */

static void print_no_row(const char *where, const char *modrm, const char *what)
{
    printf("%-11s %-14s %-30s %s\n", where, modrm, what, status_name[ST_UD]);
}

/* A group opcode (every row selects a ModRM.reg): the members without a row. */
static unsigned print_group_gaps(const char *where, const uint16_t *rows, unsigned n)
{
    unsigned have = 0, gaps = 0;
    for (unsigned k = 0; k < n; k++) {
        if (op_table[rows[k]].reg < 0) return 0;
        have |= 1u << op_table[rows[k]].reg;
    }
    for (unsigned reg = 0; reg < 8; reg++) {
        char modrm[8];
        if (have & (1u << reg)) continue;
        snprintf(modrm, sizeof modrm, "/%u", reg);
        print_no_row(where, modrm, "(no row: undefined member)");
        gaps++;
    }
    return gaps;
}

/* Every row of one opcode; returns the undefined opcodes or group members. */
static unsigned print_opcode(unsigned map, unsigned opc, const char *prefix)
{
    const uint16_t *rows;
    char where[16];
    snprintf(where, sizeof where, "%s%02X", prefix, opc);
    unsigned n = optable_candidates(map, opc, &rows);
    int special = print_not_opcode(map, opc, where);
    for (unsigned k = 0; k < n; k++) print_row(where, &op_table[rows[k]]);
    if (n == 0 && !special) {
        print_no_row(where, "", "(no row: undefined opcode)");
        return 1;
    }
    return n ? print_group_gaps(where, rows, n) : 0;
}

static unsigned print_map(unsigned map, const char *title, const char *prefix)
{
    unsigned undefined = 0;
    printf("\n==== %s ====\n", title);
    for (unsigned opc = 0; opc < 256; opc++) undefined += print_opcode(map, opc, prefix);
    return undefined;
}

static const char *const map_name[MAP_COUNT] = {
    [MAP_1B] = "", [MAP_0F] = "0F ", [MAP_0F38] = "0F 38 ", [MAP_0F3A] = "0F 3A ",
    [MAP_VEX0F] = "VEX.0F ", [MAP_VEX0F38] = "VEX.0F38 ", [MAP_VEX0F3A] = "VEX.0F3A ",
};

/* The rows beyond the one- and two-byte maps, a RANGE row as one line. */
static void print_extended_maps(void)
{
    printf("\n==== 0F 38, 0F 3A and VEX rows ====\n");
    for (unsigned i = 0; i < op_table_size; i++) {
        const struct op_row *r = &op_table[i];
        char where[24];
        if (r->map < MAP_0F38) continue;
        if (r->last > r->opc)
            snprintf(where, sizeof where, "%s%02X-%02X", map_name[r->map], r->opc, r->last);
        else
            snprintf(where, sizeof where, "%s%02X", map_name[r->map], r->opc);
        print_row(where, r);
    }
}

/* ---- the integer set ------------------------------------------------------ */

/* Each instruction of the integer set with encodings of its forms:
 * hex opcode (+ ModRM) bytes, zero-padded for displacements and immediates,
 * decoded in 64-bit mode unless "32:" says otherwise.  An instruction is
 * missing when a form does not decode to an implemented row. */
static const struct { const char *name, *forms; } integer_set[] = {
    { "mov", "88c0 89c0 8ac0 8bc0 8cc0 8ed8 a0 a1 a2 a3 b0 b8 c6c0 c7c0" },
    { "movzx", "0fb6c0 0fb7c0" }, { "movsx", "0fbec0 0fbfc0" }, { "movsxd", "4863c0" },
    { "xchg", "86c0 87c0 91" }, { "bswap", "0fc8" }, { "cmovcc", "0f40c0 0f4fc0" },
    { "xlat", "d7" }, { "lea", "8d00" },
    { "push", "50 6a 68 ff30 0fa0 0fa8 32:06 32:0e 32:16 32:1e" },
    { "pop", "58 8fc0 0fa1 0fa9 32:07 32:17 32:1f" },
    { "pusha", "32:60" }, { "popa", "32:61" }, { "pushf", "9c" }, { "popf", "9d" },
    { "lahf", "9f" }, { "sahf", "9e" }, { "enter", "c8" }, { "leave", "c9" },
    { "cbw", "98" }, { "cwd", "99" },
    { "add", "00c0 01c0 02c0 03c0 04 05 80c0 81c0 83c0 32:82c0" },
    { "adc", "10c0 11c0 12c0 13c0 14 15 80d0 81d0 83d0" },
    { "sub", "28c0 29c0 2ac0 2bc0 2c 2d 80e8 81e8 83e8" },
    { "sbb", "18c0 19c0 1ac0 1bc0 1c 1d 80d8 81d8 83d8" },
    { "cmp", "38c0 39c0 3ac0 3bc0 3c 3d 80f8 81f8 83f8" },
    { "and", "20c0 21c0 22c0 23c0 24 25 80e0 81e0 83e0" },
    { "or", "08c0 09c0 0ac0 0bc0 0c 0d 80c8 81c8 83c8" },
    { "xor", "30c0 31c0 32c0 33c0 34 35 80f0 81f0 83f0" },
    { "test", "84c0 85c0 a8 a9 f6c0 f7c0" },
    { "neg", "f6d8 f7d8" }, { "not", "f6d0 f7d0" },
    { "inc", "fec0 ffc0 32:40" }, { "dec", "fec8 ffc8 32:48" },
    { "mul", "f6e0 f7e0" }, { "imul", "f6e8 f7e8 0fafc0 69c0 6bc0" },
    { "div", "f6f0 f7f0" }, { "idiv", "f6f8 f7f8" },
    { "daa", "32:27" }, { "das", "32:2f" }, { "aaa", "32:37" }, { "aas", "32:3f" },
    { "aam", "32:d40a" }, { "aad", "32:d50a" },
    { "shl", "c0e0 c1e0 d0e0 d1e0 d2e0 d3e0" }, { "shr", "c0e8 c1e8 d0e8 d1e8 d2e8 d3e8" },
    { "sar", "c0f8 c1f8 d0f8 d1f8 d2f8 d3f8" }, { "rol", "c0c0 c1c0 d0c0 d1c0 d2c0 d3c0" },
    { "ror", "c0c8 c1c8 d0c8 d1c8 d2c8 d3c8" }, { "rcl", "c0d0 c1d0 d0d0 d1d0 d2d0 d3d0" },
    { "rcr", "c0d8 c1d8 d0d8 d1d8 d2d8 d3d8" },
    { "shld", "0fa4c0 0fa5c0" }, { "shrd", "0facc0 0fadc0" },
    { "bt", "0fa3c0 0fbae0" }, { "bts", "0fabc0 0fbae8" }, { "btr", "0fb3c0 0fbaf0" },
    { "btc", "0fbbc0 0fbaf8" }, { "bsf", "0fbcc0" }, { "bsr", "0fbdc0" },
    { "setcc", "0f90c0 0f9fc0" },
    { "popcnt", "f30fb8c0" }, { "lzcnt", "f30fbdc0" }, { "tzcnt", "f30fbcc0" },
    /* VEX: C4 RXB.mmmmm W.vvvv.L.pp opcode ModRM (vvvv = 1111b, L = 0) */
    { "andn", "c4e278f2c0" }, { "bextr", "c4e278f7c0" }, { "blsi", "c4e278f3d8" },
    { "blsmsk", "c4e278f3d0" }, { "blsr", "c4e278f3c8" }, { "bzhi", "c4e278f5c0" },
    { "mulx", "c4e27bf6c0" }, { "pdep", "c4e27bf5c0" }, { "pext", "c4e27af5c0" },
    { "rorx", "c4e37bf0c0" }, { "sarx", "c4e27af7c0" }, { "shlx", "c4e279f7c0" },
    { "shrx", "c4e27bf7c0" },
    { "jcc", "70 7f 0f80 0f8f" }, { "jmp", "eb e9 ffe0" }, { "call", "e8 ffd0" },
    { "ret", "c3 c2" }, { "loop", "e2" }, { "loope", "e1" }, { "loopne", "e0" },
    { "jcxz", "e3" },
    { "movs", "a4 a5" }, { "cmps", "a6 a7" }, { "scas", "ae af" }, { "lods", "ac ad" },
    { "stos", "aa ab" }, { "ins", "6c 6d" }, { "outs", "6e 6f" },
    { "xadd", "0fc0c0 0fc1c0" }, { "cmpxchg", "0fb0c0 0fb1c0" }, { "cmpxchg8b", "0fc708" },
    { "clc", "f8" }, { "stc", "f9" }, { "cmc", "f5" }, { "cld", "fc" }, { "std", "fd" },
    { "cli", "fa" }, { "sti", "fb" },
    { "nop", "90 0f1f00 0f0d00 0f1900 0f1a00 0f1b00 0f1c00 0f1d00 0f1e00" },
    { "endbr64", "f30f1efa" }, { "endbr32", "f30f1efb" },
    { "ud0", "0fffc0" }, { "ud1", "0fb9c0" }, { "ud2", "0f0b" },
    { "cpuid", "0fa2" }, { "rdtsc", "0f31" }, { "rdtscp", "0f01f9" },
    { "movbe", "0f38f000 0f38f100" }, { "bound", "32:6200" }, { "into", "32:ce" },
    { "pause", "f390" }, { "int3", "cc" }, { "int1", "f1" }, { "hlt", "f4" },
    /* The rest of the integer rows of the one- and two-byte maps (the
     * issue's list ends in "..."): far transfers, port I/O, INT n/IRET,
     * far-pointer loads, SAL (/6), SALC, CMPXCHG16B, PREFETCHh. */
    { "in", "e4 e5 ec ed" }, { "out", "e6 e7 ee ef" }, { "int", "cd" }, { "iret", "cf" },
    { "call far", "32:9a ff18" }, { "jmp far", "32:ea ff28" }, { "ret far", "ca cb" },
    { "lds", "32:c500" }, { "les", "32:c400" }, { "lfs", "0fb400" }, { "lgs", "0fb500" },
    { "lss", "0fb200" }, { "sal", "c0f0 c1f0 d0f0 d1f0 d2f0 d3f0" }, { "salc", "32:d6" },
    { "cmpxchg16b", "480fc708" }, { "prefetch", "0f1800" },
};

/* Decode one form ("32:0fa2" or "0fa2"); on failure say why in *why. */
static int form_implemented(const char *form, size_t len, const char **why, const char **mnem)
{
    uint8_t buf[16] = { 0 };
    enum dmode mode = DM_64;
    struct insn in;
    size_t n = 0;
    *mnem = "";
    if (len > 3 && form[2] == ':') {
        mode = form[0] == '3' ? DM_32 : DM_16;
        form += 3; len -= 3;
    }
    for (size_t k = 0; k + 1 < len && n < sizeof buf; k += 2) {
        unsigned v;
        if (sscanf(form + k, "%2x", &v) != 1) { *why = "bad form in integer_set"; return 0; }
        buf[n++] = (uint8_t)v;
    }
    const struct decode_ctx ctx = { mode, VENDOR_INTEL, CPU_FEATURES_ALL };
    if (decode(&in, buf, sizeof buf, &ctx) != DEC_OK) { *why = "does not decode"; return 0; }
    const struct op_row *r = &op_table[in.row];
    *mnem = r->mnem;
    if (row_status(r) == ST_CORE) return 1;
    *why = status_name[row_status(r)];
    return 0;
}

/* Check every form of one instruction; print the failing ones. */
static int instruction_implemented(const char *name, const char *forms)
{
    int ok = 1;
    for (const char *p = forms; *p; ) {
        size_t len = strcspn(p, " ");
        const char *why, *mnem;
        if (len && !form_implemented(p, len, &why, &mnem)) {
            printf("  %s: form %.*s -> %s: %s\n", name, (int)len, p, mnem, why);
            ok = 0;
        }
        p += len + (p[len] == ' ');
    }
    return ok;
}

static unsigned count_missing(void)
{
    unsigned missing = 0, total = sizeof integer_set / sizeof integer_set[0];
    printf("\n==== the integer set: %u instructions, every form decoded ====\n", total);
    for (unsigned k = 0; k < total; k++)
        if (!instruction_implemented(integer_set[k].name, integer_set[k].forms)) {
            printf("not implemented: %s\n", integer_set[k].name);
            missing++;
        }
    return missing;
}

/* ---- main -------------------------------------------------------------------- */

static void print_counts(unsigned undefined)
{
    unsigned all[ST_COUNT] = { 0 };
    for (unsigned i = 0; i < op_table_size; i++) all[row_status(&op_table[i])]++;
    printf("\nrows by status (all maps, %u rows):\n", op_table_size);
    for (unsigned s = 0; s < ST_COUNT; s++) printf("  %-50s %u\n", status_name[s], all[s]);
    printf("  %-50s %u\n", "#UD by design: no row (1B and 0F opcodes, /reg)", undefined);
}

int main(void)
{
    optable_init();
    printf("opcode coverage: map opcode, ModRM selector, [mandatory prefix] mnemonic "
           "operands (SDM Vol. 2 A.2), status\n");
    unsigned undefined = print_map(MAP_1B, "one-byte map", "");
    undefined += print_map(MAP_0F, "two-byte map (0F xx)", "0F ");
    print_extended_maps();
    unsigned missing = count_missing();
    print_counts(undefined);
    printf("missing: %u\n", missing);
    return missing ? 1 : 0;
}
