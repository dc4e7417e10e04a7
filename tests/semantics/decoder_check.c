/* decoder_check.c - ringsim's decoder against Zydis 4 on one byte string at a
 * time: both verdicts are reduced to a state, a table says agree / disagree /
 * not counted, and implemented forms are matched by (map, opcode, Zydis
 * mnemonic) through the row-name table below.  The SDM Vol. 2 is the authority
 * where the two differ; Zydis is configured as the modelled CPU (zydis_config).
 */
#include <stdlib.h>
#include <string.h>
#include <Zydis/Zydis.h>
#include "tests/semantics/decoder_check.h"
#include "cpu/handlers.h"

/* ---- ringsim row names as Zydis spells them ------------------------------ */

/* A ringsim row mnemonic and the Zydis mnemonics of the same forms (space
 * separated); a row not listed here is spelt the same in both. */
static const struct { const char *row, *zydis; } row_aliases[] = {
    { "pusha",  "pusha pushad" },
    { "popa",   "popa popad" },
    { "pushf",  "pushf pushfd pushfq" },
    { "popf",   "popf popfd popfq" },
    { "ins",    "insw insd" },
    { "outs",   "outsw outsd" },
    { "movs",   "movsw movsd movsq" },
    { "cmps",   "cmpsw cmpsd cmpsq" },
    { "stos",   "stosw stosd stosq" },
    { "lods",   "lodsw lodsd lodsq" },
    { "scas",   "scasw scasd scasq" },
    { "cbw",    "cbw cwde cdqe" },
    { "cwd",    "cwd cdq cqo" },
    { "jcxz",   "jcxz jecxz jrcxz" },
    { "iret",   "iret iretd iretq" },
    { "callf",  "call" },
    { "jmpf",   "jmp" },
    { "retf",   "ret" },
    /* SAL and SHL are one instruction (SDM Vol. 2 "SAL/SAR/SHL/SHR"); Zydis
     * names the /6 encoding SHL. */
    { "sal",    "shl" },
    /* 90 is NOP and F3 90 is PAUSE: the xchg row runs both. */
    { "xchg",   "xchg nop pause" },
    /* 0F 0D and 0F 18 are hint NOPs on the modelled CPU. */
    { "nop",    "nop prefetch prefetchw prefetchwt1" },
    { "prefetch", "prefetchnta prefetcht0 prefetcht1 prefetcht2 nop" },
    { "cmpxchg8b", "cmpxchg8b cmpxchg16b" },
    { "jcc",    "jo jno jb jnb jz jnz jbe jnbe js jns jp jnp jl jnl jle jnle" },
    { "setcc",  "seto setno setb setnb setz setnz setbe setnbe sets setns setp setnp "
                "setl setnl setle setnle" },
    { "cmovcc", "cmovo cmovno cmovb cmovnb cmovz cmovnz cmovbe cmovnbe cmovs cmovns "
                "cmovp cmovnp cmovl cmovnl cmovle cmovnle" },
};

#define MAX_NAMES 16
struct row_names { uint8_t n; uint16_t m[MAX_NAMES]; };

static ZydisMnemonic mnemonic_by_name(const char *name, size_t len)
{
    for (int m = 0; m <= ZYDIS_MNEMONIC_MAX_VALUE; m++) {
        const char *s = ZydisMnemonicGetString((ZydisMnemonic)m);
        if (s && strlen(s) == len && strncmp(s, name, len) == 0) return (ZydisMnemonic)m;
    }
    fprintf(stderr, "decoder_check: Zydis has no mnemonic '%.*s' (row_aliases)\n",
            (int)len, name);
    abort();
}

static const char *row_zydis_names(const char *mnem)
{
    for (size_t k = 0; k < sizeof row_aliases / sizeof row_aliases[0]; k++)
        if (strcmp(row_aliases[k].row, mnem) == 0) return row_aliases[k].zydis;
    return mnem;
}

/* Resolve the names of every implemented row once per checker. */
static void resolve_row(struct row_names *out, const char *names)
{
    for (const char *p = names; *p; ) {
        size_t len = strcspn(p, " ");
        if (len > 0) {
            if (out->n == MAX_NAMES) abort();
            out->m[out->n++] = (uint16_t)mnemonic_by_name(p, len);
        }
        p += len + (p[len] == ' ');
    }
}

static int row_has_name(const struct row_names *rn, ZydisMnemonic m)
{
    for (unsigned k = 0; k < rn->n; k++)
        if (rn->m[k] == m) return 1;
    return 0;
}

/* ---- the checker -------------------------------------------------------- */

struct dc_checker {
    enum dmode mode;
    enum cpu_vendor vendor;
    ZydisDecoder zydis;
    ZydisFormatter fmt;
    struct row_names *names;    /* per op_table row; empty for rows not AREA_CORE */
};

static const struct {
    ZydisMachineMode machine;
    ZydisStackWidth stack;
    unsigned bits;
} zydis_modes[] = {
    [DM_16] = { ZYDIS_MACHINE_MODE_LEGACY_16, ZYDIS_STACK_WIDTH_16, 16 },
    [DM_32] = { ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32, 32 },
    [DM_64] = { ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64, 64 },
};

/* The Zydis decoder modes set to match the modelled CPU, with their value
 * for an Intel and an AMD profile: the checker's documented exceptions to
 * Zydis' defaults. */
static const struct {
    ZydisDecoderMode mode;
    ZyanBool intel, amd;
} zydis_config[] = {
    /* AMD honours 66h on near branches in 64-bit mode (rel16, 16-bit
     * operands), Intel ignores it (SDM Vol. 2 JMP/CALL/Jcc pages; the AMD
     * APM's 64-bit operand-size rules): decode.c's F_F64. */
    { ZYDIS_DECODER_MODE_AMD_BRANCHES, ZYAN_FALSE, ZYAN_TRUE },
    /* The modelled CPU has no MPX (cpuid.c, leaf 7 EBX): 0F 1A/1B are the
     * hint NOPs of SDM Vol. 2 table A-3, not BNDCL/BNDMOV/..., whose register
     * checks would #UD forms the modelled CPU runs as NOPs. */
    { ZYDIS_DECODER_MODE_MPX, ZYAN_FALSE, ZYAN_FALSE },
};

static void zydis_init(struct dc_checker *ck)
{
    int ok = ZYAN_SUCCESS(ZydisDecoderInit(&ck->zydis, zydis_modes[ck->mode].machine,
                                           zydis_modes[ck->mode].stack)) &&
             ZYAN_SUCCESS(ZydisFormatterInit(&ck->fmt, ZYDIS_FORMATTER_STYLE_INTEL));
    for (size_t k = 0; k < sizeof zydis_config / sizeof zydis_config[0]; k++) {
        ZyanBool on = ck->vendor == VENDOR_AMD ? zydis_config[k].amd : zydis_config[k].intel;
        ok = ok && ZYAN_SUCCESS(ZydisDecoderEnableMode(&ck->zydis, zydis_config[k].mode, on));
    }
    if (!ok) {
        fprintf(stderr, "decoder_check: Zydis initialisation failed\n");
        abort();
    }
}

struct dc_checker *dc_checker_new(enum dmode mode, enum cpu_vendor vendor)
{
    struct dc_checker *ck = calloc(1, sizeof *ck);
    if (!ck) abort();
    ck->mode = mode;
    ck->vendor = vendor;
    zydis_init(ck);
    optable_init();
    ck->names = calloc(op_table_size, sizeof *ck->names);
    if (!ck->names) abort();
    for (unsigned i = 0; i < op_table_size; i++)
        if (op_table[i].area == AREA_CORE)
            resolve_row(&ck->names[i], row_zydis_names(op_table[i].mnem));
    return ck;
}

void dc_checker_free(struct dc_checker *ck)
{
    if (!ck) return;
    free(ck->names);
    free(ck);
}

/* ---- the two verdicts ---------------------------------------------------- */

static enum dc_rs_state ringsim_state(int rc, const struct insn *in)
{
    switch (rc) {
    case DEC_OK: return op_table[in->row].area == AREA_CORE ? RS_CORE : RS_OTHER;
    case DEC_TOOLONG: return RS_TOOLONG;
    case DEC_UD: return RS_INVALID;
    default: return RS_MORE;
    }
}

/* ringsim's map for a Zydis decode, or MAP_COUNT (3DNow!, XOP, EVEX ...). */
static unsigned zydis_map(const ZydisDecodedInstruction *zi)
{
    static const uint8_t legacy[] = { MAP_1B, MAP_0F, MAP_0F38, MAP_0F3A };
    static const uint8_t vex[] = { MAP_COUNT, MAP_VEX0F, MAP_VEX0F38, MAP_VEX0F3A };
    if (zi->opcode_map > ZYDIS_OPCODE_MAP_0F3A) return MAP_COUNT;
    if (zi->encoding == ZYDIS_INSTRUCTION_ENCODING_LEGACY) return legacy[zi->opcode_map];
    if (zi->encoding == ZYDIS_INSTRUCTION_ENCODING_VEX) return vex[zi->opcode_map];
    return MAP_COUNT;
}

/* Does ringsim implement what Zydis decoded: an AREA_CORE row at the same
 * (map, opcode) whose names include Zydis' mnemonic. */
static int zydis_form_implemented(const struct dc_checker *ck, const ZydisDecodedInstruction *zi)
{
    unsigned map = zydis_map(zi);
    const uint16_t *rows;
    if (map == MAP_COUNT) return 0;
    unsigned n = optable_candidates(map, zi->opcode, &rows);
    for (unsigned k = 0; k < n; k++)
        if (row_has_name(&ck->names[rows[k]], zi->mnemonic)) return 1;
    return 0;
}

static enum dc_zy_state zydis_state(const struct dc_checker *ck, ZyanStatus status,
                                    const ZydisDecodedInstruction *zi)
{
    if (status == ZYDIS_STATUS_INSTRUCTION_TOO_LONG) return ZY_TOOLONG;
    if (!ZYAN_SUCCESS(status)) return ZY_INVALID;
    return zydis_form_implemented(ck, zi) ? ZY_IMPL : ZY_OTHER;
}

/* ---- the rule ----------------------------------------------------------- */

enum action { A_AGREE, A_DISAGREE, A_SKIP, A_LENGTH, A_FORM };

/* Rows: ringsim's state; columns: Zydis'.  A_LENGTH compares lengths; A_FORM
 * also wants Zydis' mnemonic among the names of the row ringsim chose.  A
 * string counts when ringsim decodes an implemented row or Zydis decodes an
 * implemented form; otherwise it is not counted (A_SKIP). */
static const uint8_t rule[RS_STATES][ZY_STATES] = {
    /*                ZY_IMPL      ZY_OTHER    ZY_INVALID   ZY_TOOLONG */
    [RS_CORE]    = { A_FORM,      A_LENGTH,   A_DISAGREE,  A_DISAGREE },
    [RS_OTHER]   = { A_DISAGREE,  A_SKIP,     A_SKIP,      A_SKIP },
    [RS_INVALID] = { A_DISAGREE,  A_SKIP,     A_AGREE,     A_AGREE },
    [RS_TOOLONG] = { A_DISAGREE,  A_SKIP,     A_AGREE,     A_AGREE },
    [RS_MORE]    = { A_DISAGREE,  A_DISAGREE, A_DISAGREE,  A_DISAGREE },
};

enum dc_outcome dc_classify(const struct dc_verdict *v)
{
    switch (rule[v->rs][v->zy]) {
    case A_AGREE: return DC_AGREE;
    case A_SKIP: return DC_SKIP;
    case A_LENGTH: return v->rs_len == v->zy_len ? DC_AGREE : DC_DISAGREE;
    case A_FORM: return v->rs_len == v->zy_len && v->same_form ? DC_AGREE : DC_DISAGREE;
    default: return DC_DISAGREE;
    }
}

enum dc_outcome dc_check_bytes(struct dc_checker *ck, const uint8_t buf[DC_BUF_LEN],
                               struct dc_verdict *out)
{
    struct insn in;
    ZydisDecodedInstruction zi;
    struct dc_verdict v = { 0 };
    const struct decode_ctx ctx = { ck->mode, ck->vendor, CPU_FEATURES_ALL };
    int rc = decode(&in, buf, DC_BUF_LEN, &ctx);
    ZyanStatus st = ZydisDecoderDecodeInstruction(&ck->zydis, NULL, buf, DC_BUF_LEN, &zi);

    v.rs = (uint8_t)ringsim_state(rc, &in);
    v.zy = (uint8_t)zydis_state(ck, st, &zi);
    v.rs_len = in.len;
    v.rs_row = in.row;
    v.zy_len = ZYAN_SUCCESS(st) ? zi.length : 0;
    v.zy_mnemonic = ZYAN_SUCCESS(st) ? (uint16_t)zi.mnemonic : 0;
    if (rc == DEC_OK && ZYAN_SUCCESS(st))
        v.same_form = (uint8_t)row_has_name(&ck->names[in.row], zi.mnemonic);
    if (out) *out = v;
    return dc_classify(&v);
}

/* ---- reporting ------------------------------------------------------------ */

static const char *const rs_state_name[RS_STATES] = {
    [RS_CORE] = "ok", [RS_OTHER] = "ok (not implemented)", [RS_INVALID] = "#UD",
    [RS_TOOLONG] = "too long", [RS_MORE] = "DEC_MORE",
};

static const struct { ZyanStatus status; const char *name; } zydis_errors[] = {
    { ZYDIS_STATUS_DECODING_ERROR, "invalid: decoding error" },
    { ZYDIS_STATUS_INSTRUCTION_TOO_LONG, "too long" },
    { ZYDIS_STATUS_BAD_REGISTER, "invalid: bad register" },
    { ZYDIS_STATUS_ILLEGAL_LOCK, "invalid: illegal LOCK" },
    { ZYDIS_STATUS_ILLEGAL_LEGACY_PFX, "invalid: illegal legacy prefix" },
    { ZYDIS_STATUS_ILLEGAL_REX, "invalid: illegal REX" },
    { ZYDIS_STATUS_INVALID_MAP, "invalid: invalid map" },
};

static void zydis_error_text(ZyanStatus st, char *text, size_t size)
{
    for (size_t k = 0; k < sizeof zydis_errors / sizeof zydis_errors[0]; k++)
        if (zydis_errors[k].status == st) {
            snprintf(text, size, "%s", zydis_errors[k].name);
            return;
        }
    snprintf(text, size, "invalid (status 0x%x)", (unsigned)st);
}

static void zydis_text(const struct dc_checker *ck, const uint8_t *buf, char *text, size_t size)
{
    ZydisDecodedInstruction zi;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
    ZyanStatus st = ZydisDecoderDecodeFull(&ck->zydis, buf, DC_BUF_LEN, &zi, ops);
    if (!ZYAN_SUCCESS(st)) {
        zydis_error_text(st, text, size);
    } else if (!ZYAN_SUCCESS(ZydisFormatterFormatInstruction(&ck->fmt, &zi, ops,
                   zi.operand_count_visible, text, size, 0, NULL))) {
        snprintf(text, size, "%s", ZydisMnemonicGetString(zi.mnemonic));
    }
}

static void report(FILE *out, const struct dc_checker *ck, const uint8_t *buf,
                   const struct dc_verdict *v)
{
    char text[256];
    unsigned shown = v->rs_len > v->zy_len ? v->rs_len : v->zy_len;
    if (shown == 0) shown = 16;
    fprintf(out, "  mode %u disagree:", zydis_modes[ck->mode].bits);
    for (unsigned k = 0; k < shown; k++) fprintf(out, " %02x", buf[k]);
    zydis_text(ck, buf, text, sizeof text);
    fprintf(out, " | zydis: len %u \"%s\" | ringsim: %s len %u", v->zy_len, text,
            rs_state_name[v->rs], v->rs_len);
    if (v->rs <= RS_OTHER) fprintf(out, " \"%s\" (row %u)", op_table[v->rs_row].mnem, v->rs_row);
    fprintf(out, "\n");
}

/* The Zydis mnemonics of the strings that were not counted, most frequent
 * first (consumes the counts). */
static void list_skipped(FILE *out, uint64_t *count)
{
    for (unsigned shown = 0; shown < 40; shown++) {
        int best = -1;
        for (int m = 0; m <= ZYDIS_MNEMONIC_MAX_VALUE; m++)
            if (count[m] && (best < 0 || count[m] > count[best])) best = m;
        if (best < 0) return;
        fprintf(out, "  skipped %-16s %llu\n",
                best ? ZydisMnemonicGetString((ZydisMnemonic)best) : "(zydis invalid)",
                (unsigned long long)count[best]);
        count[best] = 0;
    }
}

static void tally_add(struct dc_tally *t, enum dc_outcome o, const struct dc_verdict *v)
{
    t->strings++;
    switch (o) {
    case DC_AGREE:
        if (v->rs <= RS_OTHER) t->agree_valid++; else t->agree_invalid++;
        break;
    case DC_DISAGREE: t->disagree++; break;
    case DC_SKIP:
        t->not_implemented++;
        /* A deferred row of the wrong length is a bug for its later issue. */
        if (v->rs == RS_OTHER && v->zy == ZY_OTHER && v->rs_len != v->zy_len)
            t->deferred_length_differs++;
        break;
    }
}

uint64_t dc_run_mode(const struct dc_run *run, struct dc_tally *t)
{
    struct dc_checker *ck = dc_checker_new(run->mode, run->vendor);
    uint64_t *skipped = calloc(ZYDIS_MNEMONIC_MAX_VALUE + 1, sizeof *skipped);
    struct dc_rng rng;
    uint8_t buf[DC_BUF_LEN];
    if (!skipped) abort();
    memset(t, 0, sizeof *t);
    dc_rng_seed(&rng, run->seed, zydis_modes[run->mode].bits);
    for (uint64_t i = 0; i < run->strings; i++) {
        struct dc_verdict v;
        dc_generate(&rng, run->mode, buf);
        enum dc_outcome o = dc_check_bytes(ck, buf, &v);
        if (o == DC_DISAGREE && t->disagree < run->max_report) report(run->out, ck, buf, &v);
        if (o == DC_SKIP) skipped[v.zy_mnemonic]++;
        tally_add(t, o, &v);
    }
    if (run->list_skipped) list_skipped(run->out, skipped);
    fprintf(run->out, "  mode %u (%s): %llu strings: %llu agree (%llu decoded, %llu rejected), "
            "%llu disagree, %llu not implemented (not counted; %llu of a deferred row "
            "with another length)\n",
            zydis_modes[run->mode].bits, run->vendor == VENDOR_AMD ? "amd" : "intel",
            (unsigned long long)t->strings,
            (unsigned long long)(t->agree_valid + t->agree_invalid),
            (unsigned long long)t->agree_valid, (unsigned long long)t->agree_invalid,
            (unsigned long long)t->disagree, (unsigned long long)t->not_implemented,
            (unsigned long long)t->deferred_length_differs);
    fprintf(run->out, "decoder: %llu agree, %llu disagree\n",
            (unsigned long long)(t->agree_valid + t->agree_invalid),
            (unsigned long long)t->disagree);
    free(skipped);
    dc_checker_free(ck);
    return t->disagree;
}
