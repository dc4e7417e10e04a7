/* test_decode.c - the decoder (cpu/decode.c), bytes in and fields out: legacy
 * prefixes and their order, REX, the 0F/0F38/0F3A maps, ModRM/SIB in 16-,
 * 32- and 64-bit addressing, immediates, default and forced operand sizes,
 * mode-restricted rows, mandatory prefixes, VEX (BMI1/BMI2), the 15-byte
 * limit, LOCK and MOV Sreg validity (SDM Vol. 2 ch. 2 and appendix A).
 * decode() is called directly: no CPU, no memory.
 */
#include <string.h>
#include <criterion/criterion.h>
#include "cpu/insn.h"

static struct insn in;

static int dec(enum dmode mode, const uint8_t *bytes, size_t n)
{
    return decode(&in, bytes, n, &(struct decode_ctx){ mode, VENDOR_INTEL, CPU_FEATURES_ALL });
}

static int dec_vendor(enum dmode mode, enum cpu_vendor vendor, const uint8_t *bytes, size_t n)
{
    return decode(&in, bytes, n, &(struct decode_ctx){ mode, vendor, CPU_FEATURES_ALL });
}

/* Table rows spell their bytes once: BYTES(0x66, 0x90) fills .bytes and .n. */
#define BYTES(...) .bytes = { __VA_ARGS__ }, .n = sizeof((const uint8_t[]){ __VA_ARGS__ })

static const char *mode_name(enum dmode mode)
{
    return mode == DM_16 ? "16-bit" : mode == DM_32 ? "32-bit" : "64-bit";
}

/* ---- legacy prefixes ------------------------------------------------------------ */

Test(decode, each_legacy_prefix_alone_sets_only_its_own_field)
{
    /* Prefix + 01 00, "add [eax], eax" in 32-bit code (with 67h: add [bx+si], eax). */
    static const struct {
        uint8_t prefix;
        uint8_t seg_override, seg, rep, lock, opsize_prefix, addrsize_prefix, osize, asize;
    } cases[] = {
        { 0x26, SEG_ES,   SEG_ES, 0,    0, 0, 0, 4, 4 },     /* es */
        { 0x2E, SEG_CS,   SEG_CS, 0,    0, 0, 0, 4, 4 },     /* cs */
        { 0x36, SEG_SS,   SEG_SS, 0,    0, 0, 0, 4, 4 },     /* ss */
        { 0x3E, SEG_DS,   SEG_DS, 0,    0, 0, 0, 4, 4 },     /* ds */
        { 0x64, SEG_FS,   SEG_FS, 0,    0, 0, 0, 4, 4 },     /* fs */
        { 0x65, SEG_GS,   SEG_GS, 0,    0, 0, 0, 4, 4 },     /* gs */
        { 0x66, SEG_NONE, SEG_DS, 0,    0, 1, 0, 2, 4 },     /* o16 */
        { 0x67, SEG_NONE, SEG_DS, 0,    0, 0, 1, 4, 2 },     /* a16 */
        { 0xF0, SEG_NONE, SEG_DS, 0,    1, 0, 0, 4, 4 },     /* lock */
        { 0xF2, SEG_NONE, SEG_DS, 0xF2, 0, 0, 0, 4, 4 },     /* repne */
        { 0xF3, SEG_NONE, SEG_DS, 0xF3, 0, 0, 0, 4, 4 },     /* rep */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const uint8_t code[] = { cases[i].prefix, 0x01, 0x00 };
        uint8_t p = cases[i].prefix;
        cr_assert_eq(DEC_OK, dec(DM_32, code, sizeof code), "prefix %02x", p);
        cr_expect_eq(3, in.len, "prefix %02x", p);
        cr_expect_eq(0x01, in.opc, "prefix %02x", p);
        cr_expect_eq(cases[i].seg_override, in.seg_override, "prefix %02x", p);
        cr_expect_eq(cases[i].seg, in.seg, "prefix %02x", p);
        cr_expect_eq(cases[i].rep, in.rep, "prefix %02x", p);
        cr_expect_eq(cases[i].lock, in.lock, "prefix %02x", p);
        cr_expect_eq(cases[i].opsize_prefix, in.opsize_prefix, "prefix %02x", p);
        cr_expect_eq(cases[i].addrsize_prefix, in.addrsize_prefix, "prefix %02x", p);
        cr_expect_eq(cases[i].osize, in.osize, "prefix %02x", p);
        cr_expect_eq(cases[i].asize, in.asize, "prefix %02x", p);
    }
}

Test(decode, legacy_prefixes_in_any_order_give_the_same_instruction)
{
    /* rep movs word es:[di], cs:[si] (o16 a16 rep cs: movsw in 32-bit code) */
    static const uint8_t orders[][5] = {
        { 0xF3, 0x66, 0x2E, 0x67, 0xA5 },
        { 0x67, 0x2E, 0x66, 0xF3, 0xA5 },
        { 0x2E, 0xF3, 0x67, 0x66, 0xA5 },
        { 0x66, 0x67, 0xF3, 0x2E, 0xA5 },
    };
    for (size_t i = 0; i < sizeof orders / sizeof orders[0]; i++) {
        cr_assert_eq(DEC_OK, dec(DM_32, orders[i], 5), "order %zu", i);
        cr_expect_eq(5, in.len, "order %zu", i);
        cr_expect_eq(0xF3, in.rep, "order %zu", i);
        cr_expect_eq(2, in.osize, "order %zu", i);
        cr_expect_eq(2, in.asize, "order %zu", i);
        cr_expect_eq(SEG_CS, in.seg_override, "order %zu", i);
        cr_expect_eq(SEG_CS, in.seg, "order %zu", i);
        cr_expect_str_eq("movs", (char *)insn_mnemonic(&in), "order %zu", i);
    }
}

Test(decode, the_last_of_several_segment_overrides_wins)
{
    static const uint8_t ds_last[] = { 0x26, 0x64, 0x3E, 0x8B, 0x00 };  /* mov eax, ds:[eax] */
    static const uint8_t es_last[] = { 0x64, 0x26, 0x8B, 0x00 };        /* mov eax, es:[eax] */
    cr_assert_eq(DEC_OK, dec(DM_32, ds_last, sizeof ds_last));
    cr_expect_eq(SEG_DS, in.seg_override);
    cr_expect_eq(SEG_DS, in.seg);
    cr_expect_eq(5, in.len);
    cr_assert_eq(DEC_OK, dec(DM_32, es_last, sizeof es_last));
    cr_expect_eq(SEG_ES, in.seg_override);
    cr_expect_eq(SEG_ES, in.seg);
}

Test(decode, the_last_of_F2_and_F3_is_the_repeat_prefix)
{
    static const uint8_t f2_last[] = { 0xF3, 0xF2, 0xA6 };  /* repne cmpsb */
    static const uint8_t f3_last[] = { 0xF2, 0xF3, 0xA6 };  /* repe cmpsb */
    cr_assert_eq(DEC_OK, dec(DM_32, f2_last, sizeof f2_last));
    cr_expect_eq(0xF2, in.rep);
    cr_assert_eq(DEC_OK, dec(DM_32, f3_last, sizeof f3_last));
    cr_expect_eq(0xF3, in.rep);
}

Test(decode, a_repeated_66_or_67_still_selects_the_other_size_once)
{
    static const uint8_t o16_twice[] = { 0x66, 0x66, 0xB8, 0x34, 0x12 };   /* mov ax, 0x1234 */
    static const uint8_t a16_twice[] = { 0x67, 0x67, 0x8B, 0x00 };         /* mov eax, [bx+si] */
    cr_assert_eq(DEC_OK, dec(DM_32, o16_twice, sizeof o16_twice));
    cr_expect_eq(2, in.osize);
    cr_expect_eq(5, in.len);
    cr_expect_eq(0x1234, in.imm);
    cr_assert_eq(DEC_OK, dec(DM_32, a16_twice, sizeof a16_twice));
    cr_expect_eq(2, in.asize);
    cr_expect_eq(RBX, in.base);
    cr_expect_eq(RSI, in.index);
}

Test(decode, prefixes_66_and_67_select_the_other_size_per_mode)
{
    static const struct {
        const char *text;
        enum dmode mode;
        uint8_t bytes[4], n;
        uint8_t osize, asize;
    } cases[] = {
        { "mov ax, [bx+si]",  DM_16, BYTES(0x8B, 0x00),             2, 2 },
        { "mov eax, [bx+si]", DM_16, BYTES(0x66, 0x8B, 0x00),       4, 2 },
        { "mov ax, [eax]",    DM_16, BYTES(0x67, 0x8B, 0x00),       2, 4 },
        { "mov eax, [eax]",   DM_32, BYTES(0x8B, 0x00),             4, 4 },
        { "mov ax, [eax]",    DM_32, BYTES(0x66, 0x8B, 0x00),       2, 4 },
        { "mov eax, [bx+si]", DM_32, BYTES(0x67, 0x8B, 0x00),       4, 2 },
        { "mov eax, [rax]",   DM_64, BYTES(0x8B, 0x00),             4, 8 },
        { "mov ax, [rax]",    DM_64, BYTES(0x66, 0x8B, 0x00),       2, 8 },
        { "mov eax, [eax]",   DM_64, BYTES(0x67, 0x8B, 0x00),       4, 4 },
        { "mov rax, [rax]",   DM_64, BYTES(0x48, 0x8B, 0x00),       8, 8 },
        { "mov rax, [rax] (REX.W beats 66)", DM_64, BYTES(0x66, 0x48, 0x8B, 0x00), 8, 8 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *s = cases[i].text;
        cr_assert_eq(DEC_OK, dec(cases[i].mode, cases[i].bytes, cases[i].n), "%s", s);
        cr_expect_eq(cases[i].n, in.len, "%s (%s)", s, mode_name(cases[i].mode));
        cr_expect_eq(cases[i].osize, in.osize, "%s (%s)", s, mode_name(cases[i].mode));
        cr_expect_eq(cases[i].asize, in.asize, "%s (%s)", s, mode_name(cases[i].mode));
    }
}

Test(decode, es_cs_ss_ds_overrides_are_ignored_in_64bit_mode_but_fs_gs_are_not)
{
    static const struct {
        const char *text;
        uint8_t bytes[5], n;
        uint8_t seg_override, seg;
    } cases[] = {
        { "es: mov eax, [rax]",   BYTES(0x26, 0x8B, 0x00),       SEG_NONE, SEG_DS },
        { "cs: mov eax, [rbp+0]", BYTES(0x2E, 0x8B, 0x45, 0x00), SEG_NONE, SEG_SS },
        { "ds: mov eax, [rsp]",   BYTES(0x3E, 0x8B, 0x04, 0x24), SEG_NONE, SEG_SS },
        { "mov eax, fs:[rax]",    BYTES(0x64, 0x8B, 0x00),       SEG_FS,   SEG_FS },
        { "mov eax, gs:[rbp+0]",  BYTES(0x65, 0x8B, 0x45, 0x00), SEG_GS,   SEG_GS },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *s = cases[i].text;
        cr_assert_eq(DEC_OK, dec(DM_64, cases[i].bytes, cases[i].n), "%s", s);
        cr_expect_eq(cases[i].n, in.len, "%s", s);
        cr_expect_eq(cases[i].seg_override, in.seg_override, "%s", s);
        cr_expect_eq(cases[i].seg, in.seg, "%s", s);
    }
}

/* ---- REX ------------------------------------------------------------------------- */

Test(decode, rex_w_r_x_b_extend_size_reg_index_and_rm)
{
    static const struct {
        const char *text;
        uint8_t bytes[8], n;
        uint8_t rex, osize, reg, rm, base, index;
    } cases[] = {
        { "add rax, rbx",           BYTES(0x48, 0x01, 0xD8),       0x48, 8, RBX, RAX, REG_NONE, REG_NONE },
        { "add rax, r8",            BYTES(0x4C, 0x01, 0xC0),       0x4C, 8, R8,  RAX, REG_NONE, REG_NONE },
        { "add r8d, eax",           BYTES(0x41, 0x01, 0xC0),       0x41, 4, RAX, R8,  REG_NONE, REG_NONE },
        { "mov eax, [rax+r9]",      BYTES(0x42, 0x8B, 0x04, 0x08), 0x42, 4, RAX, 4,   RAX, R9 },
        { "mov rax, [rax+r12]",     BYTES(0x4A, 0x8B, 0x04, 0x20), 0x4A, 8, RAX, 4,   RAX, R12 },
        { "mov r15, [r13+0]",       BYTES(0x4D, 0x8B, 0x7D, 0x00), 0x4D, 8, R15, 5,   R13, REG_NONE },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *s = cases[i].text;
        cr_assert_eq(DEC_OK, dec(DM_64, cases[i].bytes, cases[i].n), "%s", s);
        cr_expect_eq(cases[i].n, in.len, "%s", s);
        cr_expect_eq(cases[i].rex, in.rex, "%s", s);
        cr_expect_eq(cases[i].osize, in.osize, "%s", s);
        cr_expect_eq(cases[i].reg, in.reg, "%s", s);
        if (in.mod == 3) cr_expect_eq(cases[i].rm, in.rm, "%s", s);
        cr_expect_eq(cases[i].base, in.base, "%s", s);
        cr_expect_eq(cases[i].index, in.index, "%s", s);
    }
}

Test(decode, byte_registers_4_to_7_are_ah_to_bh_without_rex_and_spl_to_dil_with_any_rex)
{
    /* reg8/rm8 codes: 0-15 registers, 16-19 AH CH DH BH. */
    static const struct {
        const char *text;
        uint8_t bytes[4], n;
        uint8_t reg8, rm8;
    } cases[] = {
        { "mov al, ah",    BYTES(0x88, 0xE0),       16, 0 },
        { "mov al, spl",   BYTES(0x40, 0x88, 0xE0), 4,  0 },
        { "mov cl, ch",    BYTES(0x88, 0xE9),       17, 1 },
        { "mov cl, bpl",   BYTES(0x40, 0x88, 0xE9), 5,  1 },
        { "mov dl, dh",    BYTES(0x88, 0xF2),       18, 2 },
        { "mov dl, sil",   BYTES(0x40, 0x88, 0xF2), 6,  2 },
        { "mov bh, bh",    BYTES(0x88, 0xFF),       19, 19 },
        { "mov dil, dil",  BYTES(0x40, 0x88, 0xFF), 7,  7 },
        { "mov ah, al",    BYTES(0x88, 0xC4),       0,  16 },
        { "mov spl, al",   BYTES(0x40, 0x88, 0xC4), 0,  4 },
        { "mov al, r8b",   BYTES(0x44, 0x88, 0xC0), 8,  0 },
        { "mov r12b, al",  BYTES(0x41, 0x88, 0xC4), 0,  12 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *s = cases[i].text;
        cr_assert_eq(DEC_OK, dec(DM_64, cases[i].bytes, cases[i].n), "%s", s);
        cr_expect_eq(cases[i].reg8, in.reg8, "%s", s);
        cr_expect_eq(cases[i].rm8, in.rm8, "%s", s);
    }
}

Test(decode, byte_register_in_the_opcode_follows_the_same_rex_rule)
{
    static const struct {
        const char *text;
        uint8_t bytes[3], n;
        uint8_t rm8;
    } cases[] = {
        { "mov ah, 0x12",   BYTES(0xB4, 0x12),       16 },
        { "mov spl, 0x12",  BYTES(0x40, 0xB4, 0x12), 4 },
        { "mov r12b, 0x12", BYTES(0x41, 0xB4, 0x12), 12 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *s = cases[i].text;
        cr_assert_eq(DEC_OK, dec(DM_64, cases[i].bytes, cases[i].n), "%s", s);
        cr_expect_eq(cases[i].rm8, in.rm8, "%s", s);
        cr_expect_eq(0x12, in.imm, "%s", s);
    }
}

Test(decode, rex_followed_by_a_legacy_prefix_is_ignored)
{
    static const uint8_t w_then_66[] = { 0x48, 0x66, 0x01, 0xD8 };  /* add ax, bx (REX.W lost) */
    static const uint8_t b_then_cs[] = { 0x41, 0x2E, 0x01, 0xC0 };  /* add eax, eax (REX.B lost) */
    cr_assert_eq(DEC_OK, dec(DM_64, w_then_66, sizeof w_then_66));
    cr_expect_eq(0, in.rex);
    cr_expect_eq(2, in.osize);
    cr_expect_eq(4, in.len);
    cr_assert_eq(DEC_OK, dec(DM_64, b_then_cs, sizeof b_then_cs));
    cr_expect_eq(0, in.rex);
    cr_expect_eq(RAX, in.rm);
    cr_expect_eq(4, in.osize);
}

Test(decode, of_two_rex_prefixes_only_the_last_counts)
{
    static const uint8_t b_then_w[] = { 0x41, 0x48, 0x01, 0xD8 };   /* add rax, rbx */
    static const uint8_t w_then_b[] = { 0x48, 0x41, 0x01, 0xD8 };   /* add r8d, ebx */
    cr_assert_eq(DEC_OK, dec(DM_64, b_then_w, sizeof b_then_w));
    cr_expect_eq(0x48, in.rex);
    cr_expect_eq(8, in.osize);
    cr_expect_eq(RAX, in.rm);
    cr_expect_eq(4, in.len);
    cr_assert_eq(DEC_OK, dec(DM_64, w_then_b, sizeof w_then_b));
    cr_expect_eq(0x41, in.rex);
    cr_expect_eq(4, in.osize);
    cr_expect_eq(R8, in.rm);
}

Test(decode, bytes_40_to_4f_are_inc_and_dec_outside_64bit_mode)
{
    static const struct {
        const char *text;
        enum dmode mode;
        uint8_t opc;
        const char *mnem;
        uint8_t rm;
    } cases[] = {
        { "inc eax", DM_32, 0x40, "inc", RAX },
        { "inc cx",  DM_16, 0x41, "inc", RCX },
        { "dec eax", DM_32, 0x48, "dec", RAX },
        { "dec edi", DM_32, 0x4F, "dec", RDI },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        /* Followed by 01 D8, which would be "add rax, rbx" after a REX.W. */
        const uint8_t code[] = { cases[i].opc, 0x01, 0xD8 };
        const char *s = cases[i].text;
        cr_assert_eq(DEC_OK, dec(cases[i].mode, code, sizeof code), "%s", s);
        cr_expect_eq(1, in.len, "%s", s);
        cr_expect_eq(0, in.rex, "%s", s);
        cr_expect_eq(cases[i].rm, in.rm, "%s", s);
        cr_expect_str_eq((char *)cases[i].mnem, (char *)insn_mnemonic(&in), "%s", s);
    }
}

/* ---- opcode maps ------------------------------------------------------------------ */

Test(decode, escape_bytes_select_the_0f_0f38_and_0f3a_maps)
{
    static const struct {
        const char *text;
        uint8_t bytes[6], n;
        uint8_t map, opc;
        const char *mnem;
    } cases[] = {
        { "cpuid",                BYTES(0x0F, 0xA2),                   MAP_0F,   0xA2, "cpuid" },
        { "movbe eax, [eax]",     BYTES(0x0F, 0x38, 0xF0, 0x00),       MAP_0F38, 0xF0, "movbe" },
        { "movbe [eax], ecx",     BYTES(0x0F, 0x38, 0xF1, 0x08),       MAP_0F38, 0xF1, "movbe" },
        { "crc32 eax, cl",        BYTES(0xF2, 0x0F, 0x38, 0xF0, 0xC1), MAP_0F38, 0xF0, "crc32" },
        { "palignr mm0, mm1, 8",  BYTES(0x0F, 0x3A, 0x0F, 0xC1, 0x08), MAP_0F3A, 0x0F, "sse" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *s = cases[i].text;
        cr_assert_eq(DEC_OK, dec(DM_32, cases[i].bytes, cases[i].n), "%s", s);
        cr_expect_eq(cases[i].n, in.len, "%s", s);
        cr_expect_eq(cases[i].map, in.map, "%s", s);
        cr_expect_eq(cases[i].opc, in.opc, "%s", s);
        cr_expect_str_eq((char *)cases[i].mnem, (char *)insn_mnemonic(&in), "%s", s);
    }
}

Test(decode, the_0f3a_map_reads_its_immediate_byte)
{
    static const uint8_t code[] = { 0x0F, 0x3A, 0x0F, 0xC1, 0x08 };   /* palignr mm0, mm1, 8 */
    cr_assert_eq(DEC_OK, dec(DM_32, code, sizeof code));
    cr_expect_eq(8, in.imm);
}

Test(decode, range_rows_take_the_condition_or_register_from_the_opcode)
{
    static const uint8_t jz[] = { 0x74, 0x00 };             /* jz $+2 */
    static const uint8_t cmovg[] = { 0x0F, 0x4F, 0xC1 };    /* cmovg eax, ecx */
    static const uint8_t mov_bl[] = { 0xB3, 0x05 };         /* mov bl, 5 */
    cr_assert_eq(DEC_OK, dec(DM_32, jz, sizeof jz));
    cr_expect_eq(0x4, in.sub);
    cr_assert_eq(DEC_OK, dec(DM_32, cmovg, sizeof cmovg));
    cr_expect_eq(0xF, in.sub);
    cr_assert_eq(DEC_OK, dec(DM_32, mov_bl, sizeof mov_bl));
    cr_expect_eq(RBX, in.rm);
    cr_expect_eq(5, in.imm);
}

/* ---- ModRM, SIB, displacement --------------------------------------------------- */

struct mem_case {
    const char *text;
    enum dmode mode;
    uint8_t bytes[12], n;
    uint8_t base, index, scale, seg, asize;
    int64_t disp;
};

static void check_mem_cases(const struct mem_case *cases, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const struct mem_case *c = &cases[i];
        const char *s = c->text;
        cr_assert_eq(DEC_OK, dec(c->mode, c->bytes, c->n), "%s (%s)", s, mode_name(c->mode));
        cr_expect_eq(c->n, in.len, "%s: len", s);
        cr_expect_neq(3, in.mod, "%s: memory form", s);
        cr_expect_eq(c->base, in.base, "%s: base", s);
        cr_expect_eq(c->index, in.index, "%s: index", s);
        if (c->index != REG_NONE || c->scale) cr_expect_eq(c->scale, in.scale, "%s: scale", s);
        cr_expect_eq(c->seg, in.seg, "%s: segment", s);
        cr_expect_eq(c->asize, in.asize, "%s: address size", s);
        cr_expect_eq(c->disp, in.disp, "%s: disp", s);
    }
}

Test(decode, modrm16_all_eight_rm_forms_with_bp_based_ones_in_ss)
{
    static const struct mem_case cases[] = {
        { "mov ax, [bx+si]",      DM_16, BYTES(0x8B, 0x00),             RBX, RSI, 0, SEG_DS, 2, 0 },
        { "mov ax, [bx+di]",      DM_16, BYTES(0x8B, 0x01),             RBX, RDI, 0, SEG_DS, 2, 0 },
        { "mov ax, [bp+si]",      DM_16, BYTES(0x8B, 0x02),             RBP, RSI, 0, SEG_SS, 2, 0 },
        { "mov ax, [bp+di]",      DM_16, BYTES(0x8B, 0x03),             RBP, RDI, 0, SEG_SS, 2, 0 },
        { "mov ax, [si]",         DM_16, BYTES(0x8B, 0x04),             RSI, REG_NONE, 0, SEG_DS, 2, 0 },
        { "mov ax, [di]",         DM_16, BYTES(0x8B, 0x05),             RDI, REG_NONE, 0, SEG_DS, 2, 0 },
        { "mov ax, [0x1234]",     DM_16, BYTES(0x8B, 0x06, 0x34, 0x12), REG_NONE, REG_NONE, 0, SEG_DS, 2, 0x1234 },
        { "mov ax, [bx]",         DM_16, BYTES(0x8B, 0x07),             RBX, REG_NONE, 0, SEG_DS, 2, 0 },
        { "mov ax, [bx+si+0x10]", DM_16, BYTES(0x8B, 0x40, 0x10),       RBX, RSI, 0, SEG_DS, 2, 0x10 },
        { "mov ax, [bp-2]",       DM_16, BYTES(0x8B, 0x46, 0xFE),       RBP, REG_NONE, 0, SEG_SS, 2, -2 },
        { "mov ax, [bp+0x1234]",  DM_16, BYTES(0x8B, 0x86, 0x34, 0x12), RBP, REG_NONE, 0, SEG_SS, 2, 0x1234 },
        { "mov ax, [bx+di+0x1234]", DM_16, BYTES(0x8B, 0x81, 0x34, 0x12), RBX, RDI, 0, SEG_DS, 2, 0x1234 },
        { "mov ax, ds:[bp+0]",    DM_16, BYTES(0x3E, 0x8B, 0x46, 0x00), RBP, REG_NONE, 0, SEG_DS, 2, 0 },
        { "mov ax, es:[bp+si]",   DM_16, BYTES(0x26, 0x8B, 0x02),       RBP, RSI, 0, SEG_ES, 2, 0 },
        { "mov eax, [bx+si] (a16 in 32-bit code)", DM_32, BYTES(0x67, 0x8B, 0x00), RBX, RSI, 0, SEG_DS, 2, 0 },
    };
    check_mem_cases(cases, sizeof cases / sizeof cases[0]);
}

Test(decode, modrm32_sib_forms_and_esp_ebp_bases_in_ss)
{
    static const struct mem_case cases[] = {
        { "mov eax, [eax]",          DM_32, BYTES(0x8B, 0x00),                   RAX, REG_NONE, 0, SEG_DS, 4, 0 },
        { "mov eax, [esp]",          DM_32, BYTES(0x8B, 0x04, 0x24),             RSP, REG_NONE, 0, SEG_SS, 4, 0 },
        { "mov eax, [esp+4]",        DM_32, BYTES(0x8B, 0x44, 0x24, 0x04),       RSP, REG_NONE, 0, SEG_SS, 4, 4 },
        { "mov eax, [esp+0x100]",    DM_32, BYTES(0x8B, 0x84, 0x24, 0x00, 0x01, 0x00, 0x00),
                                                                                 RSP, REG_NONE, 0, SEG_SS, 4, 0x100 },
        { "mov eax, [ebp+8]",        DM_32, BYTES(0x8B, 0x45, 0x08),             RBP, REG_NONE, 0, SEG_SS, 4, 8 },
        { "mov eax, [0x12345678]",   DM_32, BYTES(0x8B, 0x05, 0x78, 0x56, 0x34, 0x12),
                                                                                 REG_NONE, REG_NONE, 0, SEG_DS, 4, 0x12345678 },
        { "mov eax, [ecx*4+0x12345678]", DM_32, BYTES(0x8B, 0x04, 0x8D, 0x78, 0x56, 0x34, 0x12),
                                                                                 REG_NONE, RCX, 2, SEG_DS, 4, 0x12345678 },
        { "mov eax, [eax+ecx*4]",    DM_32, BYTES(0x8B, 0x04, 0x88),             RAX, RCX, 2, SEG_DS, 4, 0 },
        { "mov eax, [eax+ebp] (index ebp stays ds)", DM_32, BYTES(0x8B, 0x04, 0x28),
                                                                                 RAX, RBP, 0, SEG_DS, 4, 0 },
        { "mov eax, [ebp+eax*4+0x10]", DM_32, BYTES(0x8B, 0x44, 0x85, 0x10),     RBP, RAX, 2, SEG_SS, 4, 0x10 },
        { "mov eax, [eax] (sib index 100, scale 8: no index)", DM_32, BYTES(0x8B, 0x04, 0xE0),
                                                                                 RAX, REG_NONE, 0, SEG_DS, 4, 0 },
        { "mov eax, [eax-0x10]",     DM_32, BYTES(0x8B, 0x80, 0xF0, 0xFF, 0xFF, 0xFF),
                                                                                 RAX, REG_NONE, 0, SEG_DS, 4, -0x10 },
        { "mov eax, fs:[ebp+8]",     DM_32, BYTES(0x64, 0x8B, 0x45, 0x08),       RBP, REG_NONE, 0, SEG_FS, 4, 8 },
        { "mov ax, [esp] (a32 in 16-bit code)", DM_16, BYTES(0x67, 0x8B, 0x04, 0x24),
                                                                                 RSP, REG_NONE, 0, SEG_SS, 4, 0 },
    };
    check_mem_cases(cases, sizeof cases / sizeof cases[0]);
}

Test(decode, modrm64_rip_relative_r12_r13_bases_and_a32)
{
    static const struct mem_case cases[] = {
        { "mov eax, [rip+0x10]",     DM_64, BYTES(0x8B, 0x05, 0x10, 0x00, 0x00, 0x00),
                                                                                 REG_RIP, REG_NONE, 0, SEG_DS, 8, 0x10 },
        { "mov eax, [rip-0x10]",     DM_64, BYTES(0x8B, 0x05, 0xF0, 0xFF, 0xFF, 0xFF),
                                                                                 REG_RIP, REG_NONE, 0, SEG_DS, 8, -0x10 },
        { "mov eax, [0x12345678] (sib, no base, no index)", DM_64, BYTES(0x8B, 0x04, 0x25, 0x78, 0x56, 0x34, 0x12),
                                                                                 REG_NONE, REG_NONE, 0, SEG_DS, 8, 0x12345678 },
        { "mov rax, [rax-0x80000000]", DM_64, BYTES(0x48, 0x8B, 0x80, 0x00, 0x00, 0x00, 0x80),
                                                                                 RAX, REG_NONE, 0, SEG_DS, 8, -0x80000000ll },
        { "mov eax, [r12]",          DM_64, BYTES(0x41, 0x8B, 0x04, 0x24),       R12, REG_NONE, 0, SEG_DS, 8, 0 },
        { "mov eax, [r12+8]",        DM_64, BYTES(0x41, 0x8B, 0x44, 0x24, 0x08), R12, REG_NONE, 0, SEG_DS, 8, 8 },
        { "mov eax, [r13+0]",        DM_64, BYTES(0x41, 0x8B, 0x45, 0x00),       R13, REG_NONE, 0, SEG_DS, 8, 0 },
        { "mov eax, [rip+0x10] (REX.B does not make it r13)", DM_64, BYTES(0x41, 0x8B, 0x05, 0x10, 0x00, 0x00, 0x00),
                                                                                 REG_RIP, REG_NONE, 0, SEG_DS, 8, 0x10 },
        { "mov eax, [0x12345678] (sib base 101 with REX.B, mod 0)", DM_64,
          BYTES(0x41, 0x8B, 0x04, 0x25, 0x78, 0x56, 0x34, 0x12),                REG_NONE, REG_NONE, 0, SEG_DS, 8, 0x12345678 },
        { "mov eax, [rsp]",          DM_64, BYTES(0x8B, 0x04, 0x24),             RSP, REG_NONE, 0, SEG_SS, 8, 0 },
        { "mov eax, [rbp+8]",        DM_64, BYTES(0x8B, 0x45, 0x08),             RBP, REG_NONE, 0, SEG_SS, 8, 8 },
        { "mov eax, [eax]",          DM_64, BYTES(0x67, 0x8B, 0x00),             RAX, REG_NONE, 0, SEG_DS, 4, 0 },
        { "mov eax, [eip+0x10]",     DM_64, BYTES(0x67, 0x8B, 0x05, 0x10, 0x00, 0x00, 0x00),
                                                                                 REG_RIP, REG_NONE, 0, SEG_DS, 4, 0x10 },
    };
    check_mem_cases(cases, sizeof cases / sizeof cases[0]);
}

Test(decode, register_form_modrm_reads_no_displacement)
{
    static const uint8_t code[] = { 0x8B, 0xC1, 0x90 };     /* mov eax, ecx; nop */
    cr_assert_eq(DEC_OK, dec(DM_32, code, sizeof code));
    cr_expect_eq(2, in.len);
    cr_expect_eq(3, in.mod);
    cr_expect_eq(RAX, in.reg);
    cr_expect_eq(RCX, in.rm);
    cr_expect_eq(1, in.has_modrm);
    cr_expect_eq(0xC1, in.modrm);
}

/* ---- immediates ------------------------------------------------------------------ */

Test(decode, immediates_of_every_kind_are_read_and_extended)
{
    static const struct {
        const char *text;
        enum dmode mode;
        uint8_t bytes[12], n;
        uint64_t imm;
    } cases[] = {
        /* Ib: zero-extended byte */
        { "mov al, 0xff",         DM_32, BYTES(0xB0, 0xFF),                         0xFF },
        { "shl eax, 4",           DM_32, BYTES(0xC1, 0xE0, 0x04),                   4 },
        { "test al, 0x81",        DM_32, BYTES(0xF6, 0xC0, 0x81),                   0x81 },
        /* Ibs: sign-extended byte */
        { "add eax, -1",          DM_32, BYTES(0x83, 0xC0, 0xFF),                   ~0ull },
        { "push -0x80",           DM_32, BYTES(0x6A, 0x80),                         (uint64_t)-0x80ll },
        { "imul eax, eax, -1",    DM_32, BYTES(0x6B, 0xC0, 0xFF),                   ~0ull },
        /* Iw: zero-extended word */
        { "ret 0xffff",           DM_32, BYTES(0xC2, 0xFF, 0xFF),                   0xFFFF },
        /* Iz: 16 or 32 bits by operand size, 32 sign-extended to 64 */
        { "add eax, 0x12345678",  DM_32, BYTES(0x05, 0x78, 0x56, 0x34, 0x12),       0x12345678 },
        { "add ax, 0x1234",       DM_32, BYTES(0x66, 0x05, 0x34, 0x12),             0x1234 },
        { "add ax, 0x1234",       DM_16, BYTES(0x05, 0x34, 0x12),                   0x1234 },
        { "add eax, 0x12345678",  DM_16, BYTES(0x66, 0x05, 0x78, 0x56, 0x34, 0x12), 0x12345678 },
        { "test eax, 0x12345678", DM_32, BYTES(0xF7, 0xC0, 0x78, 0x56, 0x34, 0x12), 0x12345678 },
        { "imul eax, eax, 0x12345678", DM_32, BYTES(0x69, 0xC0, 0x78, 0x56, 0x34, 0x12), 0x12345678 },
        { "add rax, -0x80000000", DM_64, BYTES(0x48, 0x05, 0x00, 0x00, 0x00, 0x80), 0xFFFFFFFF80000000ull },
        { "mov rax, -1",          DM_64, BYTES(0x48, 0xC7, 0xC0, 0xFF, 0xFF, 0xFF, 0xFF), ~0ull },
        { "push 0x12345678",      DM_64, BYTES(0x68, 0x78, 0x56, 0x34, 0x12),       0x12345678 },
        /* Iv: the full operand size, 8 bytes with REX.W */
        { "mov rax, 0x1122334455667788", DM_64,
          BYTES(0x48, 0xB8, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),        0x1122334455667788ull },
        { "mov eax, 0x12345678",  DM_64, BYTES(0xB8, 0x78, 0x56, 0x34, 0x12),       0x12345678 },
        { "mov r8d, 0x12345678",  DM_64, BYTES(0x41, 0xB8, 0x78, 0x56, 0x34, 0x12), 0x12345678 },
        { "mov ax, 0x1234",       DM_64, BYTES(0x66, 0xB8, 0x34, 0x12),             0x1234 },
        /* Jb, Jz: sign-extended relative offsets */
        { "jmp $ (rel8)",         DM_32, BYTES(0xEB, 0xFE),                         (uint64_t)-2ll },
        { "jmp $ (rel32)",        DM_32, BYTES(0xE9, 0xFB, 0xFF, 0xFF, 0xFF),       (uint64_t)-5ll },
        { "jmp $ (rel16)",        DM_16, BYTES(0xE9, 0xFD, 0xFF),                   (uint64_t)-3ll },
        { "jz $+0x106",           DM_32, BYTES(0x0F, 0x84, 0x00, 0x01, 0x00, 0x00), 0x100 },
        { "jz $+0x105 (rel16)",   DM_32, BYTES(0x66, 0x0F, 0x84, 0x00, 0x01),       0x100 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *s = cases[i].text;
        cr_assert_eq(DEC_OK, dec(cases[i].mode, cases[i].bytes, cases[i].n), "%s", s);
        cr_expect_eq(cases[i].n, in.len, "%s (%s): len", s, mode_name(cases[i].mode));
        cr_expect_eq(cases[i].imm, in.imm, "%s (%s): imm", s, mode_name(cases[i].mode));
    }
}

Test(decode, group_rows_without_an_immediate_read_none)
{
    static const uint8_t code[] = { 0xF7, 0xD0, 0x90, 0x90, 0x90, 0x90 };   /* not eax */
    cr_assert_eq(DEC_OK, dec(DM_32, code, sizeof code));
    cr_expect_eq(2, in.len);
    cr_expect_str_eq("not", (char *)insn_mnemonic(&in));
}

Test(decode, displacement_comes_before_the_immediate)
{
    /* mov dword [eax+0x12345678], 0x11223344 */
    static const uint8_t code[] = { 0xC7, 0x80, 0x78, 0x56, 0x34, 0x12, 0x44, 0x33, 0x22, 0x11 };
    cr_assert_eq(DEC_OK, dec(DM_32, code, sizeof code));
    cr_expect_eq(10, in.len);
    cr_expect_eq(0x12345678, in.disp);
    cr_expect_eq(0x11223344, in.imm);
}

Test(decode, far_pointer_immediate_is_offset_then_selector_sized_by_the_operand_size)
{
    static const struct {
        const char *text;
        enum dmode mode;
        uint8_t bytes[8], n;
        uint64_t offset, selector;
    } cases[] = {
        { "jmp 0x0200:0x12345678",   DM_32, BYTES(0xEA, 0x78, 0x56, 0x34, 0x12, 0x00, 0x02), 0x12345678, 0x0200 },
        { "jmp 0xf000:0x1234",       DM_16, BYTES(0xEA, 0x34, 0x12, 0x00, 0xF0),             0x1234, 0xF000 },
        { "jmp 0x0200:0x1234 (o16)", DM_32, BYTES(0x66, 0xEA, 0x34, 0x12, 0x00, 0x02),       0x1234, 0x0200 },
        { "call 0x0200:0x12345678 (o32)", DM_16,
          BYTES(0x66, 0x9A, 0x78, 0x56, 0x34, 0x12, 0x00, 0x02),                             0x12345678, 0x0200 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *s = cases[i].text;
        cr_assert_eq(DEC_OK, dec(cases[i].mode, cases[i].bytes, cases[i].n), "%s", s);
        cr_expect_eq(cases[i].n, in.len, "%s", s);
        cr_expect_eq(cases[i].offset, in.imm, "%s", s);
        cr_expect_eq(cases[i].selector, in.imm2, "%s", s);
    }
}

Test(decode, enter_has_a_word_then_a_byte_immediate)
{
    static const uint8_t code[] = { 0xC8, 0x10, 0x00, 0x03 };   /* enter 0x10, 3 */
    cr_assert_eq(DEC_OK, dec(DM_32, code, sizeof code));
    cr_expect_eq(4, in.len);
    cr_expect_eq(0x10, in.imm);
    cr_expect_eq(3, in.imm2);
}

Test(decode, moffs_is_a_displacement_as_wide_as_the_address_size)
{
    static const struct {
        const char *text;
        enum dmode mode;
        uint8_t bytes[10], n;
        int64_t disp;
        uint8_t seg;
    } cases[] = {
        { "mov ax, [0x1234]",          DM_16, BYTES(0xA1, 0x34, 0x12),                   0x1234, SEG_DS },
        { "mov ax, [0x12345678] (a32)", DM_16, BYTES(0x67, 0xA1, 0x78, 0x56, 0x34, 0x12), 0x12345678, SEG_DS },
        { "mov eax, [0x12345678]",     DM_32, BYTES(0xA1, 0x78, 0x56, 0x34, 0x12),       0x12345678, SEG_DS },
        { "mov eax, [0x1234] (a16)",   DM_32, BYTES(0x67, 0xA1, 0x34, 0x12),             0x1234, SEG_DS },
        { "mov al, fs:[0x10]",         DM_32, BYTES(0x64, 0xA0, 0x10, 0x00, 0x00, 0x00), 0x10, SEG_FS },
        { "mov eax, [0x1122334455667788]", DM_64,
          BYTES(0xA1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),                   0x1122334455667788ll, SEG_DS },
        { "mov eax, [0x12345678] (a32)", DM_64, BYTES(0x67, 0xA1, 0x78, 0x56, 0x34, 0x12), 0x12345678, SEG_DS },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *s = cases[i].text;
        cr_assert_eq(DEC_OK, dec(cases[i].mode, cases[i].bytes, cases[i].n), "%s", s);
        cr_expect_eq(cases[i].n, in.len, "%s (%s)", s, mode_name(cases[i].mode));
        cr_expect_eq(cases[i].disp, in.disp, "%s (%s)", s, mode_name(cases[i].mode));
        cr_expect_eq(REG_NONE, in.base, "%s", s);
        cr_expect_eq(REG_NONE, in.index, "%s", s);
        cr_expect_eq(cases[i].seg, in.seg, "%s", s);
    }
}

/* ---- default and forced 64-bit operand sizes ---------------------------------------- */

Test(decode, stack_rows_default_to_64bit_operands_in_64bit_mode)
{
    static const struct {
        const char *text;
        enum dmode mode;
        uint8_t bytes[6], n;
        uint8_t osize;
    } cases[] = {
        { "push rax",        DM_64, BYTES(0x50),                         8 },
        { "push ax",         DM_64, BYTES(0x66, 0x50),                   2 },
        { "pop rax",         DM_64, BYTES(0x58),                         8 },
        { "pop r8",          DM_64, BYTES(0x41, 0x58),                   8 },
        { "push qword [rax]", DM_64, BYTES(0xFF, 0x30),                  8 },
        { "pop qword [rax]", DM_64, BYTES(0x8F, 0x00),                   8 },
        { "push 1",          DM_64, BYTES(0x6A, 0x01),                   8 },
        { "push word 0x1234", DM_64, BYTES(0x66, 0x68, 0x34, 0x12),      2 },
        { "pushfq",          DM_64, BYTES(0x9C),                         8 },
        { "push fs",         DM_64, BYTES(0x0F, 0xA0),                   8 },
        { "push eax",        DM_32, BYTES(0x50),                         4 },
        { "push ax",         DM_16, BYTES(0x50),                         2 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *s = cases[i].text;
        cr_assert_eq(DEC_OK, dec(cases[i].mode, cases[i].bytes, cases[i].n), "%s", s);
        cr_expect_eq(cases[i].n, in.len, "%s", s);
        cr_expect_eq(cases[i].osize, in.osize, "%s (%s)", s, mode_name(cases[i].mode));
    }
}

Test(decode, near_branch_with_66_in_64bit_mode_is_64bit_on_intel_and_16bit_on_amd)
{
    static const struct {
        const char *text;
        uint8_t bytes[8], n;
        uint8_t intel_len, amd_len;
    } cases[] = {
        { "o16 call rel",  BYTES(0x66, 0xE8, 0x00, 0x00, 0x00, 0x00),       6, 4 },
        { "o16 jmp rel32", BYTES(0x66, 0xE9, 0x00, 0x00, 0x00, 0x00),       6, 4 },
        { "o16 jz rel",    BYTES(0x66, 0x0F, 0x84, 0x00, 0x00, 0x00, 0x00), 7, 5 },
        { "o16 jmp rel8",  BYTES(0x66, 0xEB, 0x00),                         3, 3 },
        { "o16 ret",       BYTES(0x66, 0xC3),                               2, 2 },
        { "o16 jmp rax",   BYTES(0x66, 0xFF, 0xE0),                         3, 3 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *s = cases[i].text;
        cr_assert_eq(DEC_OK, dec_vendor(DM_64, VENDOR_INTEL, cases[i].bytes, cases[i].n), "%s", s);
        cr_expect_eq(8, in.osize, "%s on Intel", s);
        cr_expect_eq(cases[i].intel_len, in.len, "%s on Intel", s);
        cr_assert_eq(DEC_OK, dec_vendor(DM_64, VENDOR_AMD, cases[i].bytes, cases[i].n), "%s", s);
        cr_expect_eq(2, in.osize, "%s on AMD", s);
        cr_expect_eq(cases[i].amd_len, in.len, "%s on AMD", s);
    }
}

Test(decode, near_branch_without_66_in_64bit_mode_is_64bit_on_both_vendors)
{
    static const uint8_t code[] = { 0xE8, 0x00, 0x00, 0x00, 0x00 };     /* call $+5 */
    cr_assert_eq(DEC_OK, dec_vendor(DM_64, VENDOR_INTEL, code, sizeof code));
    cr_expect_eq(8, in.osize);
    cr_assert_eq(DEC_OK, dec_vendor(DM_64, VENDOR_AMD, code, sizeof code));
    cr_expect_eq(8, in.osize);
}

/* ---- rows valid in one mode only ------------------------------------------------------ */

Test(decode, rows_invalid_in_64bit_mode_are_UD_there_and_valid_in_32bit_mode)
{
    static const struct {
        const char *text;
        uint8_t bytes[7], n;
    } cases[] = {
        { "push es",  BYTES(0x06) },
        { "pop es",   BYTES(0x07) },
        { "push cs",  BYTES(0x0E) },
        { "push ss",  BYTES(0x16) },
        { "pop ss",   BYTES(0x17) },
        { "push ds",  BYTES(0x1E) },
        { "pop ds",   BYTES(0x1F) },
        { "daa",      BYTES(0x27) },
        { "das",      BYTES(0x2F) },
        { "aaa",      BYTES(0x37) },
        { "aas",      BYTES(0x3F) },
        { "pusha",    BYTES(0x60) },
        { "popa",     BYTES(0x61) },
        { "bound eax, [eax]", BYTES(0x62, 0x00) },
        { "add al, 1 (82 alias)", BYTES(0x82, 0xC0, 0x01) },
        { "call 0:0", BYTES(0x9A, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00) },
        { "into",     BYTES(0xCE) },
        { "aam",      BYTES(0xD4, 0x0A) },
        { "aad",      BYTES(0xD5, 0x0A) },
        { "salc",     BYTES(0xD6) },
        { "jmp 0:0",  BYTES(0xEA, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00) },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *s = cases[i].text;
        cr_expect_eq(DEC_UD, dec(DM_64, cases[i].bytes, cases[i].n), "%s in 64-bit mode", s);
        cr_expect_eq(DEC_OK, dec(DM_32, cases[i].bytes, cases[i].n), "%s in 32-bit mode", s);
        cr_expect_eq(cases[i].n, in.len, "%s in 32-bit mode", s);
    }
}

Test(decode, opcode_63_is_arpl_outside_64bit_mode_and_movsxd_in_it)
{
    static const uint8_t arpl[] = { 0x63, 0xC8 };           /* arpl ax, cx */
    static const uint8_t movsxd[] = { 0x48, 0x63, 0xC8 };   /* movsxd rcx, eax */
    cr_assert_eq(DEC_OK, dec(DM_32, arpl, sizeof arpl));
    cr_expect_str_eq("arpl", (char *)insn_mnemonic(&in));
    cr_assert_eq(DEC_OK, dec(DM_64, movsxd, sizeof movsxd));
    cr_expect_str_eq("movsxd", (char *)insn_mnemonic(&in));
    cr_expect_eq(8, in.osize);
    cr_expect_eq(RCX, in.reg);
    cr_expect_eq(RAX, in.rm);
}

Test(decode, swapgs_exists_only_in_64bit_mode)
{
    static const uint8_t code[] = { 0x0F, 0x01, 0xF8 };     /* swapgs */
    cr_assert_eq(DEC_OK, dec(DM_64, code, sizeof code));
    cr_expect_str_eq("swapgs", (char *)insn_mnemonic(&in));
    cr_expect_eq(DEC_UD, dec(DM_32, code, sizeof code));
}

/* ---- mandatory prefixes ------------------------------------------------------------- */

Test(decode, mandatory_prefix_selects_the_form_and_is_not_a_repeat)
{
    static const struct {
        const char *text;
        enum dmode mode;
        uint8_t bytes[6], n;
        const char *mnem;
        uint8_t osize;
        uint8_t rep;        /* a mandatory F3 is not a repeat prefix */
    } cases[] = {
        { "popcnt eax, ecx",   DM_32, BYTES(0xF3, 0x0F, 0xB8, 0xC1),       "popcnt", 4, 0 },
        { "popcnt ax, cx",     DM_32, BYTES(0x66, 0xF3, 0x0F, 0xB8, 0xC1), "popcnt", 2, 0 },
        { "popcnt rax, rcx",   DM_64, BYTES(0xF3, 0x48, 0x0F, 0xB8, 0xC1), "popcnt", 8, 0 },
        { "tzcnt eax, ecx",    DM_32, BYTES(0xF3, 0x0F, 0xBC, 0xC1),       "tzcnt", 4, 0 },
        { "bsf eax, ecx",      DM_32, BYTES(0x0F, 0xBC, 0xC1),             "bsf", 4, 0 },
        { "repne bsf eax, ecx (F2 is not F3)", DM_32, BYTES(0xF2, 0x0F, 0xBC, 0xC1), "bsf", 4, 0xF2 },
        { "lzcnt eax, ecx",    DM_32, BYTES(0xF3, 0x0F, 0xBD, 0xC1),       "lzcnt", 4, 0 },
        { "bsr eax, ecx",      DM_32, BYTES(0x0F, 0xBD, 0xC1),             "bsr", 4, 0 },
        { "endbr64",           DM_64, BYTES(0xF3, 0x0F, 0x1E, 0xFA),       "endbr64", 4, 0 },
        { "endbr32",           DM_32, BYTES(0xF3, 0x0F, 0x1E, 0xFB),       "endbr32", 4, 0 },
        { "nop edx (hint nop)", DM_64, BYTES(0x0F, 0x1E, 0xFA),            "nop", 4, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *s = cases[i].text;
        cr_assert_eq(DEC_OK, dec(cases[i].mode, cases[i].bytes, cases[i].n), "%s", s);
        cr_expect_eq(cases[i].n, in.len, "%s", s);
        cr_expect_str_eq((char *)cases[i].mnem, (char *)insn_mnemonic(&in), "%s", s);
        cr_expect_eq(cases[i].osize, in.osize, "%s", s);
        cr_expect_eq(cases[i].rep, in.rep, "%s", s);
    }
}

Test(decode, opcode_0f_b8_without_F3_is_UD)
{
    static const uint8_t code[] = { 0x0F, 0xB8, 0xC1 };     /* jmpe (IA-64 only) */
    cr_expect_eq(DEC_UD, dec(DM_32, code, sizeof code));
}

Test(decode, movbe_with_a_repeat_prefix_is_UD)
{
    static const uint8_t code[] = { 0xF3, 0x0F, 0x38, 0xF0, 0x00 };     /* rep movbe eax, [eax] */
    cr_expect_eq(DEC_UD, dec(DM_32, code, sizeof code));
}

/* ---- VEX: BMI1 and BMI2 --------------------------------------------------------------- */

Test(decode, vex_c4_andn_takes_vvvv_as_the_first_source)
{
    static const uint8_t code[] = { 0xC4, 0xE2, 0x70, 0xF2, 0xC2 };    /* andn eax, ecx, edx */
    cr_assert_eq(DEC_OK, dec(DM_64, code, sizeof code));
    cr_expect_str_eq("andn", (char *)insn_mnemonic(&in));
    cr_expect_eq(5, in.len);
    cr_expect_eq(MAP_VEX0F38, in.map);
    cr_expect_eq(0xF2, in.opc);
    cr_expect_eq(RAX, in.reg);
    cr_expect_eq(RCX, in.vex_v);
    cr_expect_eq(RDX, in.rm);
    cr_expect_eq(4, in.osize);
    cr_expect_eq(0, in.vex_l);
}

Test(decode, vex_w_selects_64bit_operands_only_in_64bit_mode)
{
    static const uint8_t code[] = { 0xC4, 0xE2, 0xF0, 0xF2, 0xC2 };    /* andn rax, rcx, rdx */
    cr_assert_eq(DEC_OK, dec(DM_64, code, sizeof code));
    cr_expect_eq(1, in.vex_w);
    cr_expect_eq(8, in.osize);
    cr_assert_eq(DEC_OK, dec(DM_32, code, sizeof code));   /* andn eax, ecx, edx */
    cr_expect_eq(4, in.osize);
}

Test(decode, vex_inverted_r_b_and_vvvv_reach_the_upper_registers_in_64bit_mode)
{
    static const uint8_t r8_dest[] = { 0xC4, 0x62, 0x70, 0xF2, 0xC2 };  /* andn r8d, ecx, edx */
    static const uint8_t r8_rm[] = { 0xC4, 0xC2, 0x70, 0xF2, 0xC0 };    /* andn eax, ecx, r8d */
    static const uint8_t r9_v[] = { 0xC4, 0xE2, 0x30, 0xF2, 0xC2 };     /* andn eax, r9d, edx */
    cr_assert_eq(DEC_OK, dec(DM_64, r8_dest, sizeof r8_dest));
    cr_expect_eq(R8, in.reg);
    cr_assert_eq(DEC_OK, dec(DM_64, r8_rm, sizeof r8_rm));
    cr_expect_eq(R8, in.rm);
    cr_assert_eq(DEC_OK, dec(DM_64, r9_v, sizeof r9_v));
    cr_expect_eq(R9, in.vex_v);
}

Test(decode, vex_vvvv_names_only_eight_registers_outside_64bit_mode)
{
    static const uint8_t code[] = { 0xC4, 0xE2, 0x30, 0xF2, 0xC2 };    /* andn eax, ecx, edx */
    cr_assert_eq(DEC_OK, dec(DM_32, code, sizeof code));
    cr_expect_eq(RCX, in.vex_v);
}

Test(decode, vex_l1_on_a_bmi_row_is_UD)
{
    static const uint8_t code[] = { 0xC4, 0xE2, 0x74, 0xF2, 0xC2 };    /* andn with VEX.L = 1 */
    cr_expect_eq(DEC_UD, dec(DM_64, code, sizeof code));
}

Test(decode, vex_pp_selects_the_row_like_a_mandatory_prefix)
{
    static const struct {
        uint8_t pp_byte;    /* W0, vvvv = ecx, L0, pp */
        uint8_t opc;
        const char *mnem;   /* NULL: no such row, #UD */
    } cases[] = {
        { 0x70, 0xF5, "bzhi" },  { 0x71, 0xF5, NULL },    { 0x72, 0xF5, "pext" },  { 0x73, 0xF5, "pdep" },
        { 0x70, 0xF7, "bextr" }, { 0x71, 0xF7, "shlx" },  { 0x72, 0xF7, "sarx" },  { 0x73, 0xF7, "shrx" },
        { 0x70, 0xF6, NULL },    { 0x73, 0xF6, "mulx" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const uint8_t code[] = { 0xC4, 0xE2, cases[i].pp_byte, cases[i].opc, 0xC2 };
        int st = dec(DM_64, code, sizeof code);
        if (!cases[i].mnem) {
            cr_expect_eq(DEC_UD, st, "VEX.0F38 %02x with pp=%d", cases[i].opc, cases[i].pp_byte & 3);
            continue;
        }
        cr_assert_eq(DEC_OK, st, "%s", cases[i].mnem);
        cr_expect_str_eq((char *)cases[i].mnem, (char *)insn_mnemonic(&in));
        cr_expect_eq(0, in.rep, "%s: pp is not a repeat prefix", cases[i].mnem);
    }
}

Test(decode, vex_group_f3_is_selected_by_modrm_reg)
{
    static const struct { uint8_t modrm; const char *mnem; } cases[] = {
        { 0xC9, "blsr" }, { 0xD1, "blsmsk" }, { 0xD9, "blsi" }, { 0xC1, NULL }, { 0xE1, NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        /* VEX.LZ.0F38.W0 F3 /r: blsr/blsmsk/blsi ecx, ecx */
        const uint8_t code[] = { 0xC4, 0xE2, 0x70, 0xF3, cases[i].modrm };
        int st = dec(DM_64, code, sizeof code);
        if (!cases[i].mnem) {
            cr_expect_eq(DEC_UD, st, "VEX F3 /%d", (cases[i].modrm >> 3) & 7);
            continue;
        }
        cr_assert_eq(DEC_OK, st, "%s", cases[i].mnem);
        cr_expect_str_eq((char *)cases[i].mnem, (char *)insn_mnemonic(&in));
    }
}

Test(decode, vex_vvvv_must_be_1111_on_a_row_without_a_vvvv_operand)
{
    static const uint8_t ok[] = { 0xC4, 0xE3, 0x7B, 0xF0, 0xC1, 0x05 };    /* rorx eax, ecx, 5 */
    static const uint8_t bad[] = { 0xC4, 0xE3, 0x73, 0xF0, 0xC1, 0x05 };   /* rorx with vvvv = ecx */
    cr_assert_eq(DEC_OK, dec(DM_64, ok, sizeof ok));
    cr_expect_str_eq("rorx", (char *)insn_mnemonic(&in));
    cr_expect_eq(6, in.len);
    cr_expect_eq(5, in.imm);
    cr_expect_eq(MAP_VEX0F3A, in.map);
    cr_expect_eq(DEC_UD, dec(DM_64, bad, sizeof bad));
}

Test(decode, vex_after_66_f2_f3_lock_or_rex_is_UD_but_after_a_segment_prefix_is_fine)
{
    static const uint8_t before[] = { 0x66, 0xF2, 0xF3, 0xF0, 0x40, 0x64 };
    for (size_t i = 0; i < sizeof before; i++) {
        /* prefix; andn eax, ecx, [rdx] */
        const uint8_t code[] = { before[i], 0xC4, 0xE2, 0x70, 0xF2, 0x02 };
        int expected = before[i] == 0x64 ? DEC_OK : DEC_UD;
        cr_expect_eq(expected, dec(DM_64, code, sizeof code), "prefix %02x before VEX", before[i]);
    }
    cr_expect_eq(SEG_FS, in.seg);
}

Test(decode, vex_with_a_reserved_map_is_UD)
{
    static const uint8_t map0[] = { 0xC4, 0xE0, 0x70, 0xF2, 0xC2 };
    static const uint8_t map4[] = { 0xC4, 0xE4, 0x70, 0xF2, 0xC2 };
    cr_expect_eq(DEC_UD, dec(DM_64, map0, sizeof map0));
    cr_expect_eq(DEC_UD, dec(DM_64, map4, sizeof map4));
}

Test(decode, vex_c5_has_no_general_purpose_rows_and_is_UD_with_its_length)
{
    static const uint8_t code[] = { 0xC5, 0xF8, 0x77 };     /* vzeroupper (AVX not modelled) */
    cr_expect_eq(DEC_UD, dec(DM_64, code, sizeof code));
    cr_expect_eq(3, in.len);
}

Test(decode, c4_c5_with_a_memory_modrm_are_les_lds_outside_64bit_mode)
{
    static const struct {
        const char *text;
        enum dmode mode;
        uint8_t bytes[5], n;
        const char *mnem;
    } cases[] = {
        { "les ax, [0x4000]",  DM_16, BYTES(0xC4, 0x06, 0x00, 0x40), "les" },
        { "lds eax, [eax]",    DM_32, BYTES(0xC5, 0x00),             "lds" },
        { "les eax, [esp+4]",  DM_32, BYTES(0xC4, 0x44, 0x24, 0x04), "les" },
        { "lds eax, [eax+0x7F]", DM_32, BYTES(0xC5, 0x40, 0x7F),     "lds" },
        { "andn eax, ecx, edx (register ModRM: VEX)", DM_32, BYTES(0xC4, 0xE2, 0x70, 0xF2, 0xC2), "andn" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *s = cases[i].text;
        cr_assert_eq(DEC_OK, dec(cases[i].mode, cases[i].bytes, cases[i].n), "%s", s);
        cr_expect_eq(cases[i].n, in.len, "%s", s);
        cr_expect_str_eq((char *)cases[i].mnem, (char *)insn_mnemonic(&in), "%s", s);
    }
}

Test(decode, c4_with_a_memory_modrm_is_vex_in_64bit_mode)
{
    /* C4 06 ...: "les ax, [...]" outside 64-bit mode; in it, VEX with map 6 (reserved). */
    static const uint8_t code[] = { 0xC4, 0x06, 0x00, 0x40 };
    cr_expect_eq(DEC_UD, dec(DM_64, code, sizeof code));
}

/* ---- the 15-byte limit and truncated input ---------------------------------------------- */

Test(decode, exactly_15_bytes_decode_and_16_are_too_long)
{
    /* cs: (x4) add dword [eax+ecx*8+0x12345678], 0x11223344: 15 bytes */
    static const uint8_t fifteen[] = { 0x2E, 0x2E, 0x2E, 0x2E, 0x81, 0x84, 0xC8,
                                       0x78, 0x56, 0x34, 0x12, 0x44, 0x33, 0x22, 0x11 };
    /* the same with a fifth cs: 16 bytes */
    static const uint8_t sixteen[] = { 0x2E, 0x2E, 0x2E, 0x2E, 0x2E, 0x81, 0x84, 0xC8,
                                       0x78, 0x56, 0x34, 0x12, 0x44, 0x33, 0x22, 0x11 };
    cr_assert_eq(DEC_OK, dec(DM_32, fifteen, sizeof fifteen));
    cr_expect_eq(15, in.len);
    cr_expect_eq(0x11223344, in.imm);
    cr_expect_eq(DEC_TOOLONG, dec(DM_32, sixteen, sizeof sixteen));
}

Test(decode, fourteen_prefixes_and_an_opcode_decode_and_fifteen_are_too_long)
{
    uint8_t code[16];
    memset(code, 0x2E, sizeof code);
    code[14] = 0x90;                                        /* cs: x14 nop */
    cr_assert_eq(DEC_OK, dec(DM_32, code, 15));
    cr_expect_eq(15, in.len);
    code[14] = 0x2E;
    code[15] = 0x90;                                        /* cs: x15 nop */
    cr_expect_eq(DEC_TOOLONG, dec(DM_32, code, 16));
}

Test(decode, running_past_15_bytes_is_too_long_even_when_the_input_ends_first)
{
    uint8_t code[15];
    memset(code, 0x66, sizeof code);                        /* fifteen o16 prefixes */
    cr_expect_eq(DEC_TOOLONG, dec(DM_32, code, sizeof code));
    memset(code, 0x2E, 12);
    code[12] = 0xB8;                                        /* cs: x12 mov eax, imm32 (17 bytes) */
    code[13] = 0x78;
    code[14] = 0x56;
    cr_expect_eq(DEC_TOOLONG, dec(DM_32, code, sizeof code));
}

Test(decode, truncated_input_asks_for_more_bytes)
{
    static const struct {
        const char *text;
        enum dmode mode;
        uint8_t bytes[6], n;
    } cases[] = {
        { "nothing",                  DM_32, .n = 0 },
        { "o16 prefix only",          DM_32, BYTES(0x66) },
        { "0F escape only",           DM_32, BYTES(0x0F) },
        { "0F 38 escape only",        DM_32, BYTES(0x0F, 0x38) },
        { "mov eax, [...] without ModRM", DM_32, BYTES(0x8B) },
        { "mov eax, [esp] without SIB", DM_32, BYTES(0x8B, 0x04) },
        { "mov eax, [eax+disp32] cut",  DM_32, BYTES(0x8B, 0x80, 0x00, 0x00) },
        { "mov eax, imm32 cut",       DM_32, BYTES(0xB8, 0x78, 0x56) },
        { "mov rax, imm64 cut",       DM_64, BYTES(0x48, 0xB8, 0x01, 0x02, 0x03, 0x04) },
        { "VEX C4 cut",               DM_64, BYTES(0xC4, 0xE2) },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_expect_eq(DEC_MORE, dec(cases[i].mode, cases[i].bytes, cases[i].n), "%s", cases[i].text);
}

/* ---- LOCK ------------------------------------------------------------------------- */

Test(decode, lock_is_accepted_only_on_lockable_rows_with_a_memory_destination)
{
    static const struct {
        const char *text;
        uint8_t bytes[6], n;
        int expected;
    } cases[] = {
        { "lock add [eax], eax",      BYTES(0xF0, 0x01, 0x00),             DEC_OK },
        { "lock add byte [eax], 1",   BYTES(0xF0, 0x80, 0x00, 0x01),       DEC_OK },
        { "lock xchg [eax], eax",     BYTES(0xF0, 0x87, 0x00),             DEC_OK },
        { "lock inc byte [eax]",      BYTES(0xF0, 0xFE, 0x00),             DEC_OK },
        { "lock neg dword [eax]",     BYTES(0xF0, 0xF7, 0x18),             DEC_OK },
        { "lock bts dword [eax], 1",  BYTES(0xF0, 0x0F, 0xBA, 0x28, 0x01), DEC_OK },
        { "lock cmpxchg8b [eax]",     BYTES(0xF0, 0x0F, 0xC7, 0x08),       DEC_OK },
        { "lock xadd [eax], eax",     BYTES(0xF0, 0x0F, 0xC1, 0x00),       DEC_OK },
        { "lock add eax, eax (register destination)", BYTES(0xF0, 0x01, 0xC0), DEC_UD },
        { "lock inc eax (register destination)",      BYTES(0xF0, 0xFF, 0xC0), DEC_UD },
        { "lock mov eax, [eax]",      BYTES(0xF0, 0x8B, 0x00),             DEC_UD },
        { "lock cmp [eax], eax",      BYTES(0xF0, 0x39, 0x00),             DEC_UD },
        { "lock cmp byte [eax], 1",   BYTES(0xF0, 0x80, 0x38, 0x01),       DEC_UD },
        { "lock test byte [eax], 1",  BYTES(0xF0, 0xF6, 0x00, 0x01),       DEC_UD },
        { "lock mul dword [eax]",     BYTES(0xF0, 0xF7, 0x20),             DEC_UD },
        { "lock bt dword [eax], 1",   BYTES(0xF0, 0x0F, 0xBA, 0x20, 0x01), DEC_UD },
        { "lock nop",                 BYTES(0xF0, 0x90),                   DEC_UD },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_expect_eq(cases[i].expected, dec(DM_32, cases[i].bytes, cases[i].n), "%s", cases[i].text);
}

/* ---- MOV Sreg ------------------------------------------------------------------------ */

Test(decode, mov_sreg_exists_for_es_to_gs_and_never_loads_cs)
{
    static const struct {
        const char *text;
        uint8_t bytes[2];
        int expected;
    } cases[] = {
        { "mov es, ax",      { 0x8E, 0xC0 }, DEC_OK },
        { "mov cs, ax",      { 0x8E, 0xC8 }, DEC_UD },
        { "mov ss, ax",      { 0x8E, 0xD0 }, DEC_OK },
        { "mov ds, ax",      { 0x8E, 0xD8 }, DEC_OK },
        { "mov fs, ax",      { 0x8E, 0xE0 }, DEC_OK },
        { "mov gs, ax",      { 0x8E, 0xE8 }, DEC_OK },
        { "mov sreg6, ax",   { 0x8E, 0xF0 }, DEC_UD },
        { "mov sreg7, ax",   { 0x8E, 0xF8 }, DEC_UD },
        { "mov ds, [eax]",   { 0x8E, 0x18 }, DEC_OK },
        { "mov cs, [eax]",   { 0x8E, 0x08 }, DEC_UD },
        { "mov ax, es",      { 0x8C, 0xC0 }, DEC_OK },
        { "mov ax, cs",      { 0x8C, 0xC8 }, DEC_OK },
        { "mov ax, gs",      { 0x8C, 0xE8 }, DEC_OK },
        { "mov ax, sreg6",   { 0x8C, 0xF0 }, DEC_UD },
        { "mov ax, sreg7",   { 0x8C, 0xF8 }, DEC_UD },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_expect_eq(cases[i].expected, dec(DM_32, cases[i].bytes, 2), "%s", cases[i].text);
}

/* ---- undefined opcodes ------------------------------------------------------------------ */

Test(decode, an_opcode_without_a_row_is_UD)
{
    static const uint8_t code[] = { 0x0F, 0x04 };           /* undefined */
    cr_expect_eq(DEC_UD, dec(DM_32, code, sizeof code));
    cr_expect_eq(DEC_UD, dec(DM_64, code, sizeof code));
}
