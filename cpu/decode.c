/* decode.c - x86 instruction decoder: bytes in, struct insn out.
 *
 * A chain of small scanners (SDM Vol. 2 ch. 2): legacy prefixes and REX,
 * VEX, the opcode and its map, row selection in the opcode table, ModRM/SIB
 * in 16-, 32- and 64-bit addressing, displacement, immediates.  Pure: it
 * reads nothing but the bytes and the context (decode mode, vendor, and the
 * CPU features, which decide whether a row that needs one matches).
 */
#include <string.h>
#include "insn.h"
#include "handlers.h"

#define MAX_INSN_LEN 15

/* A cursor over the available bytes.  Running past the 15-byte limit is
 * #GP(0); running past the available bytes asks the caller for more. */
struct cursor {
    const uint8_t *p;
    size_t avail, pos;
    int error;
};

static int next_byte(struct cursor *c, uint8_t *out)
{
    if (c->pos >= MAX_INSN_LEN) { c->error = DEC_TOOLONG; return 0; }
    if (c->pos >= c->avail) { c->error = DEC_MORE; return 0; }
    *out = c->p[c->pos++];
    return 1;
}

static int next_bytes(struct cursor *c, unsigned n, uint64_t *out)
{
    uint64_t v = 0;
    for (unsigned k = 0; k < n; k++) {
        uint8_t b;
        if (!next_byte(c, &b)) return 0;
        v |= (uint64_t)b << (8 * k);
    }
    *out = v;
    return 1;
}

/* ---- prefixes --------------------------------------------------------- */

struct prefixes {
    uint8_t rex, rep, lock, opsize, addrsize, seg;
    uint8_t seg64_ignored;      /* an ES/CS/SS/DS override that 64-bit mode ignores */
};

static int scan_prefixes(struct cursor *c, enum dmode mode, struct prefixes *px)
{
    memset(px, 0, sizeof *px);
    px->seg = px->seg64_ignored = SEG_NONE;
    for (;;) {
        uint8_t b;
        if (!next_byte(c, &b)) return 0;
        switch (b) {
        case 0x66: px->opsize = 1; break;
        case 0x67: px->addrsize = 1; break;
        case 0x26: case 0x2E: case 0x36: case 0x3E:
            /* Ignored in 64-bit mode (SDM Vol. 1 3.3.7.1): the default segment
             * still decides between #SS and #GP for a non-canonical address,
             * as the host CPU shows. */
            if (mode != DM_64) px->seg = (uint8_t)((b >> 3) & 3);
            else px->seg64_ignored = (uint8_t)((b >> 3) & 3);
            break;
        case 0x64: px->seg = SEG_FS; break;
        case 0x65: px->seg = SEG_GS; break;
        case 0xF0: px->lock = 1; break;
        case 0xF2: case 0xF3: px->rep = b; break;
        default:
            if (mode == DM_64 && (b & 0xF0) == 0x40) {
                px->rex = b;    /* only the last REX counts, and only right before the opcode */
                continue;
            }
            c->pos--;           /* the opcode: give it back */
            return 1;
        }
        px->rex = 0;            /* a legacy prefix after REX cancels it (SDM Vol. 2 2.2.1) */
    }
}

/* ---- VEX (SDM Vol. 2 2.3) ------------------------------------------- */

struct vex { uint8_t map, r, x, b, w, v, l, pp; };

static int is_vex(const struct cursor *c, enum dmode mode, uint8_t b)
{
    if (b != 0xC4 && b != 0xC5) return 0;
    if (mode == DM_64) return 1;
    /* Outside 64-bit mode C4/C5 are LES/LDS unless the next byte would be a
     * register-form ModRM, which LES/LDS cannot have. */
    return c->pos < c->avail && (c->p[c->pos] & 0xC0) == 0xC0;
}

static int scan_vex(struct cursor *c, uint8_t first, enum dmode mode, struct vex *v)
{
    uint8_t b1, b2;
    if (!next_byte(c, &b1)) return 0;
    if (first == 0xC5) {
        v->map = MAP_VEX0F;
        v->r = !(b1 & 0x80); v->x = 0; v->b = 0; v->w = 0;
        b2 = b1;
    } else {
        if (!next_byte(c, &b2)) return 0;
        v->r = !(b1 & 0x80); v->x = !(b1 & 0x40); v->b = !(b1 & 0x20);
        v->w = (b2 >> 7) & 1;
        switch (b1 & 0x1F) {
        case 1: v->map = MAP_VEX0F; break;
        case 2: v->map = MAP_VEX0F38; break;
        case 3: v->map = MAP_VEX0F3A; break;
        default: v->map = MAP_COUNT; break;   /* reserved map: #UD once the length is known */
        }
    }
    v->v = (~b2 >> 3) & 0xF;
    v->l = (b2 >> 2) & 1;
    v->pp = b2 & 3;
    /* Only eight registers outside 64-bit mode; v keeps vvvv's top bit for
     * vex_fields_ok, the register number in insn.vex_v drops it. */
    if (mode != DM_64) v->r = v->x = v->b = 0;
    return 1;
}

/* ---- row selection ---------------------------------------------------- */

static int row_has_operand(const struct op_row *r, uint8_t kind)
{
    return r->opd[0] == kind || r->opd[1] == kind || r->opd[2] == kind;
}

/* The prefix a row's "mandatory prefix" column is matched against. */
static int prefix_matches(const struct op_row *r, int vex_pp, const struct prefixes *px)
{
    if (vex_pp >= 0) {
        static const uint8_t pp_to_pfx[4] = { PFX_NONE, PFX_66, PFX_F3, PFX_F2 };
        return r->pfx == PFX_ANY || r->pfx == pp_to_pfx[vex_pp];
    }
    switch (r->pfx) {
    case PFX_ANY: return 1;
    case PFX_NOREP: return px->rep == 0;
    case PFX_NONE: return px->rep == 0 && !px->opsize;
    case PFX_66: return px->rep == 0 && px->opsize;
    case PFX_F3: return px->rep == 0xF3;
    case PFX_F2: return px->rep == 0xF2;
    default: return 0;
    }
}

/* The CPU features a row needs in this mode.  LAHF/SAHF need lahf_lm only in
 * 64-bit mode: every x86 has them outside it. */
static uint64_t row_needs(const struct op_row *r, enum dmode mode)
{
    uint64_t need = r->flags >> F_NEEDS_SHIFT;
    if (mode != DM_64) need &= ~CPU_FEAT(FEAT_LAHF_LM);
    return need;
}

static int row_matches(const struct op_row *r, const struct decode_ctx *ctx, int vex_pp,
                       const struct prefixes *px, int have_modrm, uint8_t modrm)
{
    enum dmode mode = ctx->mode;
    if (row_needs(r, mode) & ~ctx->features) return 0;
    if ((r->flags & F_I64) && mode == DM_64) return 0;
    if ((r->flags & F_O64) && mode != DM_64) return 0;
    if (!prefix_matches(r, vex_pp, px)) return 0;
    if (!have_modrm) return 1;
    unsigned mod = modrm >> 6, reg = (modrm >> 3) & 7, rm = modrm & 7;
    if (r->reg >= 0 && (unsigned)r->reg != reg) return 0;
    if (r->mod == MOD_MEM && mod == 3) return 0;
    if (r->mod == MOD_REG && mod != 3) return 0;
    if (r->rm >= 0 && (unsigned)r->rm != rm) return 0;
    return 1;
}

/* ---- ModRM, SIB, displacement (SDM Vol. 2 2.1.5, 2.2.1.6) ------------ */

static uint8_t byte_reg_code(unsigned r, int rex_present)
{
    /* Without REX, codes 4-7 name AH CH DH BH; with any REX, SPL BPL SIL DIL. */
    if (rex_present || r < 4 || r >= 8) return (uint8_t)r;
    return (uint8_t)(16 + (r - 4));
}

static int scan_modrm16(struct cursor *c, struct insn *in)
{
    static const uint8_t base16[8] = { RBX, RBX, RBP, RBP, RSI, RDI, RBP, RBX };
    static const uint8_t index16[8] = { RSI, RDI, RSI, RDI, REG_NONE, REG_NONE, REG_NONE, REG_NONE };
    unsigned rm = in->modrm & 7;
    uint64_t d;
    in->asize = 2;
    if (in->mod == 0 && rm == 6) {
        if (!next_bytes(c, 2, &d)) return 0;
        in->disp = (int16_t)d;
        return 1;
    }
    in->base = base16[rm];
    in->index = index16[rm];
    in->scale = 0;
    if (in->base == RBP) in->seg = SEG_SS;
    if (in->mod == 1) {
        if (!next_bytes(c, 1, &d)) return 0;
        in->disp = (int8_t)d;
    } else if (in->mod == 2) {
        if (!next_bytes(c, 2, &d)) return 0;
        in->disp = (int16_t)d;
    }
    return 1;
}

static int scan_modrm32(struct cursor *c, struct insn *in, enum dmode mode)
{
    unsigned rm = in->modrm & 7;
    uint64_t d;
    unsigned rex_x = (in->rex >> 1) & 1, rex_b = in->rex & 1;
    if (rm == 4) {
        uint8_t sib;
        if (!next_byte(c, &sib)) return 0;
        unsigned idx = ((sib >> 3) & 7) | (rex_x << 3);
        unsigned base = sib & 7;
        in->scale = sib >> 6;
        in->index = idx == 4 ? REG_NONE : (uint8_t)idx;   /* SIB index 100 means none */
        if (base == 5 && in->mod == 0) {
            in->base = REG_NONE;
            if (!next_bytes(c, 4, &d)) return 0;
            in->disp = (int32_t)d;
            return 1;
        }
        in->base = (uint8_t)(base | (rex_b << 3));
    } else if (rm == 5 && in->mod == 0) {
        if (!next_bytes(c, 4, &d)) return 0;
        in->disp = (int32_t)d;
        in->base = mode == DM_64 ? REG_RIP : REG_NONE;
        return 1;
    } else {
        in->base = (uint8_t)(rm | (rex_b << 3));
    }
    if (in->base == RSP || in->base == RBP) in->seg = SEG_SS;
    if (in->mod == 1) {
        if (!next_bytes(c, 1, &d)) return 0;
        in->disp = (int8_t)d;
    } else if (in->mod == 2) {
        if (!next_bytes(c, 4, &d)) return 0;
        in->disp = (int32_t)d;
    }
    return 1;
}

/* reg_only: the row's r/m is an R operand (MOV to/from CRn/DRn), which
 * ignores ModRM.mod and always names a register (SDM Vol. 2 A.2.1 "R"). */
static int scan_modrm(struct cursor *c, struct insn *in, enum dmode mode, int reg_only)
{
    in->mod = reg_only ? 3 : in->modrm >> 6;
    in->reg = (uint8_t)(((in->modrm >> 3) & 7) | ((in->rex & 4) << 1));
    in->reg8 = byte_reg_code(in->reg, in->rex != 0);
    if (in->mod == 3) {
        in->rm = (uint8_t)((in->modrm & 7) | ((in->rex & 1) << 3));
        in->rm8 = byte_reg_code(in->rm, in->rex != 0);
        return 1;
    }
    in->rm = in->modrm & 7;
    in->seg = SEG_DS;
    int ok = in->asize == 2 ? scan_modrm16(c, in) : scan_modrm32(c, in, mode);
    if (in->seg_override != SEG_NONE) in->seg = in->seg_override;
    return ok;
}

/* ---- sizes ------------------------------------------------------------- */

static uint8_t operand_size(const struct op_row *r, enum dmode mode, const struct prefixes *px,
                            int vex, uint8_t vex_w, enum cpu_vendor vendor)
{
    if (r->flags & F_BYTE) return 1;
    if (vex) return (mode == DM_64 && vex_w) ? 8 : 4;
    if (mode == DM_64) {
        if ((px->rex & 8) && !(r->flags & F_NOREX_W)) return 8;
        /* Near branches: Intel ignores 66h in 64-bit mode, AMD honours it. */
        if (r->flags & F_F64) return (vendor == VENDOR_AMD && px->opsize) ? 2 : 8;
        if (r->flags & F_D64) return px->opsize ? 2 : 8;
        return px->opsize ? 2 : 4;
    }
    return ((mode == DM_32) ^ px->opsize) ? 4 : 2;
}

static uint8_t address_size(enum dmode mode, const struct prefixes *px)
{
    switch (mode) {
    case DM_64: return px->addrsize ? 4 : 8;
    case DM_32: return px->addrsize ? 2 : 4;
    default: return px->addrsize ? 4 : 2;
    }
}

/* ---- immediates -------------------------------------------------------- */

static int scan_immediate(struct cursor *c, struct insn *in, uint8_t kind, uint64_t *out)
{
    uint64_t v;
    unsigned n;
    switch (kind) {
    case O_Ib: return next_bytes(c, 1, out);
    case O_Ibs: case O_Jb:
        if (!next_bytes(c, 1, &v)) return 0;
        *out = (uint64_t)(int8_t)v;
        return 1;
    case O_Iw: return next_bytes(c, 2, out);
    case O_Iz: case O_Jz:
        n = in->osize == 2 ? 2 : 4;
        if (!next_bytes(c, n, &v)) return 0;
        *out = n == 2 ? (uint64_t)(int16_t)v : (uint64_t)(int32_t)v;
        return 1;
    case O_Iv: return next_bytes(c, in->osize, out);
    default: return 1;
    }
}

static int is_immediate(uint8_t kind)
{
    return kind == O_Ib || kind == O_Ibs || kind == O_Iw || kind == O_Iz || kind == O_Iv ||
           kind == O_Jb || kind == O_Jz;
}

static int scan_operands(struct cursor *c, struct insn *in, const struct op_row *r)
{
    int nimm = 0;
    for (int k = 0; k < 3; k++) {
        uint8_t kind = r->opd[k];
        uint64_t v = 0, sel = 0;
        if (is_immediate(kind)) {
            if (!scan_immediate(c, in, kind, &v)) return 0;
            if (nimm++ == 0) in->imm = v; else in->imm2 = v;
        } else if (kind == O_Ap) {
            if (!next_bytes(c, in->osize == 2 ? 2 : 4, &v)) return 0;
            if (!next_bytes(c, 2, &sel)) return 0;
            in->imm = v;
            in->imm2 = sel;
        } else if (kind == O_Ob || kind == O_Ov) {
            if (!next_bytes(c, in->asize, &v)) return 0;
            in->disp = (int64_t)v;
            in->base = in->index = REG_NONE;
            in->seg = in->seg_override != SEG_NONE ? in->seg_override : SEG_DS;
        } else if (kind == O_Zb || kind == O_Zv) {
            in->mod = 3;
            in->rm = (uint8_t)((in->opc & 7) | ((in->rex & 1) << 3));
            in->rm8 = byte_reg_code(in->rm, in->rex != 0);
        }
    }
    return 1;
}

/* VEX.vvvv names a register only for rows with a By operand; otherwise it is
 * reserved and must be 1111b, all four bits even outside 64-bit mode, where
 * a register number ignores the top one (SDM Vol. 2 2.3.6).  v is the field's
 * complement.  VEX.LZ rows need VEX.L = 0 (the BMI1/BMI2 #UD lists). */
static int vex_fields_ok(const struct op_row *r, const struct vex *vx)
{
    if ((r->flags & F_VEX_L0) && vx->l) return 0;
    return row_has_operand(r, O_By) || vx->v == 0;
}

/* ---- the decoder -------------------------------------------------------- */

static const struct op_row *select_row(unsigned map, uint8_t opc, const struct decode_ctx *ctx,
                                       int vex_pp, const struct prefixes *px, struct cursor *c,
                                       int *have_modrm, uint8_t *modrm, uint16_t *index)
{
    const uint16_t *rows;
    unsigned n = optable_candidates(map, opc, &rows);
    if (n == 0) return NULL;
    /* All rows of one opcode agree on whether a ModRM byte follows. */
    *have_modrm = op_row_has_modrm(&op_table[rows[0]]);
    if (*have_modrm && !next_byte(c, modrm)) return NULL;
    for (unsigned k = 0; k < n; k++) {
        const struct op_row *r = &op_table[rows[k]];
        if (row_matches(r, ctx, vex_pp, px, *have_modrm, *modrm)) {
            *index = rows[k];
            return r;
        }
    }
    return NULL;
}

static int finish(struct insn *in, struct cursor *c, int status)
{
    in->len = (uint8_t)c->pos;
    if (c->error) return c->error;
    return status;
}

int decode(struct insn *in, const uint8_t *bytes, size_t avail, const struct decode_ctx *ctx)
{
    enum dmode mode = ctx->mode;
    struct cursor c = { .p = bytes, .avail = avail };
    struct prefixes px;
    struct vex vx = { 0 };
    int vex = 0, vex_bad_prefix = 0;
    uint8_t opc, modrm = 0;
    unsigned map = MAP_1B;

    memset(in, 0, sizeof *in);
    in->base = in->index = REG_NONE;
    in->seg = SEG_DS;
    if (!scan_prefixes(&c, mode, &px) || !next_byte(&c, &opc)) return finish(in, &c, DEC_UD);

    if (is_vex(&c, mode, opc)) {
        /* VEX with 66/F2/F3/LOCK/REX before it is #UD (SDM Vol. 2 2.3.2). */
        /* The prefix #UD is decided after the whole instruction is scanned:
         * an instruction past 15 bytes is #GP(0) first. */
        vex_bad_prefix = px.opsize || px.rep || px.lock || px.rex;
        if (!scan_vex(&c, opc, mode, &vx) || !next_byte(&c, &opc)) return finish(in, &c, DEC_UD);
        if (vx.map == MAP_COUNT) return finish(in, &c, DEC_UD);
        vex = 1;
        map = vx.map;
        px.rex = (uint8_t)(0x40 | (vx.w << 3) | (vx.r << 2) | (vx.x << 1) | vx.b);
    } else if (opc == 0x0F) {
        map = MAP_0F;
        if (!next_byte(&c, &opc)) return finish(in, &c, DEC_UD);
        if (opc == 0x38 || opc == 0x3A) {
            map = opc == 0x38 ? MAP_0F38 : MAP_0F3A;
            if (!next_byte(&c, &opc)) return finish(in, &c, DEC_UD);
        }
    }

    in->map = (uint8_t)map;
    in->opc = opc;
    in->rex = vex ? 0 : px.rex;
    in->seg_override = px.seg;
    /* The segment of implicit memory operands (string source, XLAT, moffs);
     * scan_modrm refines it for ModRM operands. */
    in->seg = px.seg != SEG_NONE ? px.seg : SEG_DS;
    in->opsize_prefix = px.opsize;
    in->addrsize_prefix = px.addrsize;
    in->lock = px.lock;
    if (vex) {
        in->vex_l = vx.l; in->vex_w = vx.w;
        in->vex_v = mode == DM_64 ? vx.v : vx.v & 7;
        in->rex = (uint8_t)(px.rex & 0x47);     /* R, X, B for the ModRM scanner */
    }

    int have_modrm = 0;
    uint16_t row_index = 0;
    const struct op_row *r = select_row(map, opc, ctx, vex ? vx.pp : -1, &px, &c,
                                        &have_modrm, &modrm, &row_index);
    if (!r) return finish(in, &c, DEC_UD);

    in->row = row_index;
    /* MOVBE with 66h and REX.W keeps the override that 64-bit mode otherwise
     * ignores: it decides #SS against #GP for a non-canonical address, as the
     * host CPU shows (the SDM's rule gives the default segment). */
    if ((r->flags & F_SEG66W) && mode == DM_64 && px.opsize && (px.rex & 8) &&
        px.seg64_ignored != SEG_NONE && px.seg == SEG_NONE)
        in->seg_override = px.seg64_ignored;
    in->fn = r->fn;
    in->sub = (uint8_t)(r->sub + (opc - r->opc));
    in->cls = r->cls;
    /* A mandatory F2/F3 selects the form and is not a repeat prefix. */
    in->rep = (r->pfx == PFX_F3 || r->pfx == PFX_F2) ? 0 : px.rep;
    in->osize = operand_size(r, mode, &px, vex, vx.w, ctx->vendor);
    in->asize = address_size(mode, &px);
    in->has_modrm = (uint8_t)have_modrm;
    in->modrm = modrm;

    int reg_only = row_has_operand(r, O_Rd) || row_has_operand(r, O_Ry);
    if (have_modrm && !scan_modrm(&c, in, mode, reg_only)) return finish(in, &c, DEC_UD);
    if (!scan_operands(&c, in, r)) return finish(in, &c, DEC_UD);

    /* LOCK only on the listed read-modify-write forms with a memory destination. */
    if (px.lock && (!(r->flags & F_LOCK) || in->mod == 3)) return finish(in, &c, DEC_UD);
    if (vex && (vex_bad_prefix || !vex_fields_ok(r, &vx))) return finish(in, &c, DEC_UD);
    /* MOV to or from a segment register exists for ES..GS only; never to CS. */
    if ((r->opd[0] == O_Sw || r->opd[1] == O_Sw) && ((in->reg & 7) > 5 ||
        (r->opd[0] == O_Sw && (in->reg & 7) == SEG_CS)))
        return finish(in, &c, DEC_UD);
    /* Control registers 0, 2, 3, 4 and 8 exist, debug registers 0-7 (SDM Vol. 2 MOV). */
    if ((r->opd[0] == O_Cd || r->opd[1] == O_Cd) && !((1u << in->reg) & 0x11Du))
        return finish(in, &c, DEC_UD);
    if ((r->opd[0] == O_Dd || r->opd[1] == O_Dd) && in->reg > 7) return finish(in, &c, DEC_UD);
    return finish(in, &c, DEC_OK);
}
