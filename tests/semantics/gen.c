/* gen.c - the case generator: prefixes, operand sizes, ModRM/SIB addressing (SDM Vol. 2
 * ch. 2), register and memory values biased to the edges, and per-kind setups so that
 * every case is valid natively.  Memory operands are in gen_addr.c, the kinds' own
 * set-ups in gen_kinds.c, the row data in gen_rows.c.
 */
#include <stddef.h>
#include <string.h>
#include "tests/semantics/gen_int.h"

/* ---- random numbers and values ------------------------------------------------ */

uint64_t gen_mix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

uint64_t rnd(struct rng *r)
{
    r->s += 0x9E3779B97F4A7C15ull;
    return gen_mix(r->s);
}

unsigned below(struct rng *r, unsigned n)
{
    return (unsigned)(((rnd(r) >> 32) * n) >> 32);
}

bool chance(struct rng *r, unsigned percent)
{
    return below(r, 100) < percent;
}

uint64_t mask_of(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

int64_t sext(uint64_t v, unsigned size)
{
    unsigned shift = 64 - 8 * size;
    return (int64_t)(v << shift) >> shift;
}

/* Zero, one, all ones, the sign boundaries, small numbers, single bits, low masks;
 * the bits above the operand are random. */
uint64_t edge_value(struct rng *r, unsigned size)
{
    uint64_t m = mask_of(size), sign = 1ull << (8 * size - 1), v;
    switch (below(r, 11)) {
    case 0: v = 0; break;
    case 1: v = 1; break;
    case 2: v = m; break;
    case 3: v = sign; break;
    case 4: v = sign - 1; break;
    case 5: v = sign + 1; break;
    case 6: v = m - 1; break;
    case 7: v = below(r, 65); break;
    case 8: v = 0 - (uint64_t)below(r, 65); break;
    case 9: v = 1ull << below(r, 8 * size); break;
    default: v = (1ull << below(r, 8 * size)) - 1; break;
    }
    return (v & m) | (rnd(r) & ~m);
}

uint64_t any_value(struct rng *r, unsigned size)
{
    return chance(r, 50) ? edge_value(r, size) : rnd(r);
}

/* Shift and rotate counts: 0, 1, the operand widths and their neighbours. */
uint8_t edge_count(struct rng *r)
{
    static const uint8_t counts[] = {
        0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 255,
    };
    return chance(r, 80) ? counts[below(r, sizeof counts)] : (uint8_t)rnd(r);
}

/* Addresses outside the canonical range, and accesses that run across its top. */
uint64_t noncanonical(struct rng *r, unsigned size)
{
    switch (below(r, size > 1 ? 4 : 3)) {
    case 0: return 0x0000800000000000ull + below(r, 0x1000);
    case 1: return 0xFFFF7FFFFFFFF000ull + below(r, 0x1000);
    case 2: return 0x8000000000000000ull | (rnd(r) & 0x00007FFFFFFFFFFFull);
    default: return 0x0000800000000000ull - 1 - below(r, size - 1);
    }
}

/* ---- the data window ----------------------------------------------------------- */

void gen_window(uint64_t winseed, uint8_t *data)
{
    static const uint64_t words[8] = {
        0, ~0ull, 0x8000000000000000ull, 0x7FFFFFFFFFFFFFFFull,
        0x0000000080000000ull, 0x00000000FFFFFFFFull, 0x8080808080808080ull,
        0x7F7F7F7F7F7F7F7Full,
    };
    struct rng r = { winseed };
    for (unsigned off = 0; off < NATIVE_DATA_SIZE; off += 8) {
        uint64_t v = rnd(&r);
        if ((v & 0xF) < 3) v = words[(v >> 4) & 7];
        memcpy(data + off, &v, 8);
    }
}

bool in_window(uint64_t lin, unsigned n)
{
    return lin >= DATA && lin + n <= DATA + WIN && lin + n > lin;
}

void mem_put(struct gen *g, uint64_t lin, unsigned n, uint64_t v)
{
    if (in_window(lin, n)) memcpy(g->c->nc.data + (lin - DATA), &v, n);
}

uint64_t mem_get(struct gen *g, uint64_t lin, unsigned n)
{
    uint64_t v = 0;
    if (in_window(lin, n)) memcpy(&v, g->c->nc.data + (lin - DATA), n);
    return v;
}

/* ---- segments and registers --------------------------------------------------- */

/* The segments as the children set them up (native_child.c): flat everywhere, except
 * that with ldt_data16 ES, SS and DS cover the window, and that M16 runs in a 16-bit
 * code segment over the code page. */
struct segm seg_model(const struct gen *g, int seg)
{
    if (g->m64) return (struct segm){ 0, ~0ull, true };
    if (g->d16 && (seg == SEG_ES || seg == SEG_SS || seg == SEG_DS))
        return (struct segm){ DATA, 0xFFFF, true };
    if (seg == SEG_CS && g->mode == SEM_M16) return (struct segm){ CODE, 0xFFFF, false };
    return (struct segm){ 0, 0xFFFFFFFF, seg != SEG_CS };
}

/* The offset that reaches linear address lin through seg, for an access of n bytes
 * with the case's address size; false if the segment cannot reach it. */
bool seg_reach(const struct gen *g, int seg, uint64_t lin, unsigned n, uint64_t *ea)
{
    struct segm s = seg_model(g, seg);
    uint64_t off = lin - s.base;
    if (lin < s.base || off + n - 1 > s.limit) return false;
    if (off + n - 1 > mask_of(g->asize)) return false;
    *ea = off;
    return true;
}

uint64_t *gpr(struct gen *g)
{
    return g->c->nc.gpr;
}

static uint64_t reg_width_mask(const struct gen *g)
{
    return g->m64 ? ~0ull : 0xFFFFFFFFull;
}

bool reg_locked(const struct gen *g, int r)
{
    return ((g->addr | g->fixed) >> r) & 1;
}

/* A register that takes part in an address: its low asize bytes are what the address
 * needs, the bits above are random (they must not matter). */
void set_addr_reg(struct gen *g, int r, uint64_t low)
{
    uint64_t am = mask_of(g->asize);
    gpr(g)[r] = ((low & am) | (rnd(&g->r) & ~am)) & reg_width_mask(g);
    g->addr |= (uint16_t)(1u << r);
}

/* A register the kind's set-up owns (stack pointer, string pointers, counts). */
void set_fixed_reg(struct gen *g, int r, uint64_t v)
{
    gpr(g)[r] = v & reg_width_mask(g);
    g->fixed |= (uint16_t)(1u << r);
}

bool rex_emitted(const struct gen *g)
{
    return g->m64 && !g->vex && (g->rexw || g->rex_r || g->rex_x || g->rex_b || g->bare_rex);
}

/* Byte registers: without REX, 4-7 are AH CH DH BH (bits 8-15 of registers 0-3). */
static int byte_home(const struct gen *g, int r, bool *high)
{
    *high = !rex_emitted(g) && r >= 4 && r < 8;
    return *high ? r - 4 : r;
}

int opnd_home(const struct gen *g, int r, unsigned size)
{
    bool high;
    return size == 1 ? byte_home(g, r, &high) : r;
}

uint64_t opnd_get(struct gen *g, int r, unsigned size)
{
    bool high = false;
    int home = size == 1 ? byte_home(g, r, &high) : r;
    return high ? (gpr(g)[home] >> 8) & 0xFF : gpr(g)[home] & mask_of(size);
}

/* Set an operand register unless it is part of the address or owned by the set-up. */
void opnd_set(struct gen *g, int r, unsigned size, uint64_t v)
{
    bool high = false;
    int home = size == 1 ? byte_home(g, r, &high) : r;
    uint64_t old = gpr(g)[home];
    if (reg_locked(g, home)) return;
    if (high) old = (old & ~0xFF00ull) | ((v & 0xFF) << 8);
    else old = (old & ~mask_of(size)) | (v & mask_of(size));
    gpr(g)[home] = old & reg_width_mask(g);
}

/* The E operand: the ModRM register or the memory target. */
uint64_t E_get(struct gen *g, unsigned size)
{
    return g->mem ? mem_get(g, g->lin, size) : opnd_get(g, g->rm, size);
}

void E_set(struct gen *g, unsigned size, uint64_t v)
{
    if (g->mem) mem_put(g, g->lin, size, v);
    else opnd_set(g, g->rm, size, v);
}

bool row_has(const struct gen *g, uint8_t kind)
{
    const struct op_row *row = g->row;
    return row->opd[0] == kind || row->opd[1] == kind || row->opd[2] == kind;
}

bool mnem_is(const struct gen *g, const char *m)
{
    return !strcmp(g->row->mnem, m);
}

/* ---- operand sizes and prefixes ------------------------------------------------ */

static void choose_osize64(struct gen *g)
{
    uint64_t fl = g->row->flags;
    unsigned v = below(&g->r, 10);
    g->p66 = v < 3 || v == 9;
    g->rexw = v >= 6;
    if (fl & F_F64) {
        /* Near branches: Intel ignores 66h, AMD honours it (SDM Vol. 2 2.2.1.3). */
        if (!g->cfg->same_vendor) g->p66 = false;
        g->osize = g->p66 && !g->rexw && g->cfg->host_amd ? 2 : 8;
    } else if (g->rexw && !(fl & F_NOREX_W)) {
        g->osize = 8;
    } else if (g->p66) {
        g->osize = 2;
    } else {
        g->osize = (fl & F_D64) ? 8 : 4;
    }
}

static bool uses_addressing(const struct gen *g)
{
    return g->kind == K_STRING || g->kind == K_XLAT || g->kind == K_MOFFS ||
           g->kind == K_LOOP || op_row_has_modrm(g->row);
}

static void choose_sizes(struct gen *g)
{
    const struct op_row *row = g->row;
    g->vex = row->map >= MAP_VEX0F;
    if (g->vex) {
        g->vex_w = chance(&g->r, 50);
        g->osize = g->m64 && g->vex_w ? 8 : 4;
    } else if (row->flags & F_BYTE) {
        g->osize = 1;
        g->p66 = chance(&g->r, 5);
    } else if (g->m64) {
        choose_osize64(g);
    } else {
        unsigned dflt = g->mode == SEM_M16 ? 2 : 4;
        g->p66 = chance(&g->r, 35);
        g->osize = g->p66 ? 6 - dflt : dflt;
    }
    if (row->rm >= 0) g->p66 = false;           /* exact encodings (endbr) */
    g->p67 = chance(&g->r, uses_addressing(g) ? 20 : 4);
    if (g->m64) g->asize = g->p67 ? 4 : 8;
    else if (g->mode == SEM_M32) g->asize = g->p67 ? 2 : 4;
    else g->asize = g->p67 ? 4 : 2;
    g->d16 = g->mode == SEM_M16 || (g->mode == SEM_M32 && (g->asize == 2 || chance(&g->r, 15)));
    if (g->kind == K_STRING && chance(&g->r, 65)) g->rep = chance(&g->r, 50) ? 0xF3 : 0xF2;
    if (row->pfx == PFX_F3 && !g->vex) g->mand = 0xF3;  /* VEX rows: in VEX.pp */
    if (row->pfx == PFX_F2 && !g->vex) g->mand = 0xF2;
    g->bare_rex = g->m64 && chance(&g->r, 25);
}

/* ---- ModRM, SIB and the immediates ---------------------------------------------- */

static bool mem_only(const struct op_row *row)
{
    for (int k = 0; k < 3; k++)
        if (row->opd[k] >= O_M && row->opd[k] <= O_Mw) return true;
    return row->mod == MOD_MEM;
}

static void set_reg_field(struct gen *g, unsigned reg3)
{
    g->reg3 = (uint8_t)reg3;
    g->reg = (int)(reg3 | g->rex_r << 3);
}

/* BT with a register bit offset: the offset register must not be part of the address. */
static void keep_reg_out_of_address(struct gen *g)
{
    for (int tries = 0; tries < 32 && (g->reg == g->base || g->reg == g->index); tries++) {
        g->rex_r = g->m64 && chance(&g->r, 40);
        set_reg_field(g, below(&g->r, 8));
    }
}

static void plan_modrm(struct gen *g)
{
    const struct op_row *row = g->row;
    g->modrm = op_row_has_modrm(row);
    if (!g->modrm) return;
    if (mem_only(row)) g->mem = true;
    else if (row->mod == MOD_REG || row->rm >= 0) g->mem = false;
    else g->mem = chance(&g->r, 55);
    unsigned reg3 = row->reg >= 0 ? (unsigned)row->reg : below(&g->r, 8);
    if (g->kind == K_SREG) reg3 = chance(&g->r, 97) ? below(&g->r, 6) : 6 + below(&g->r, 2);
    g->rex_r = g->m64 && g->kind != K_SREG && chance(&g->r, 40);
    set_reg_field(g, reg3);
    if (!g->mem) {
        g->mod = 3;
        g->rm3 = (uint8_t)(row->rm >= 0 ? row->rm : (int)below(&g->r, 8));
        g->rex_b = g->m64 && row->rm < 0 && chance(&g->r, 40);
        g->rm = g->rm3 | g->rex_b << 3;
        return;
    }
    choose_address(g);
    if (g->kind == K_BT && row_has(g, O_Gv)) keep_reg_out_of_address(g);
}

static void plan_registers_in_opcode(struct gen *g)
{
    if (row_has(g, O_Zb) || row_has(g, O_Zv)) {
        g->rex_b = g->m64 && chance(&g->r, 40);
        g->zreg = (g->opc & 7) | g->rex_b << 3;
    }
    if (g->vex) {
        bool wrong = !row_has(g, O_By) && chance(&g->r, 2);    /* vvvv must be 1111: #UD */
        g->vreg = row_has(g, O_By) || wrong ? (int)below(&g->r, g->m64 ? 16 : 8) : 0;
        if (wrong && g->vreg == 0) g->vreg = 1;
        g->vex_l = chance(&g->r, 2);                            /* VEX.L1: #UD */
    }
}

static unsigned imm_size(const struct gen *g, uint8_t kind)
{
    switch (kind) {
    case O_Ib: case O_Ibs: case O_Jb: return 1;
    case O_Iw: return 2;
    case O_Iz: case O_Jz: return g->osize == 2 ? 2 : 4;
    case O_Iv: return g->osize;
    case O_Ob: case O_Ov: return g->asize;
    default: return 0;
    }
}

static uint64_t imm_value(struct gen *g, uint8_t kind, unsigned slot, unsigned n)
{
    if (kind == O_Ib && (g->kind == K_SHIFT || mnem_is(g, "bt") || mnem_is(g, "bts") ||
                         mnem_is(g, "btr") || mnem_is(g, "btc")))
        return edge_count(&g->r);
    if (mnem_is(g, "aam") || mnem_is(g, "aad"))
        return chance(&g->r, 10) ? 0 : chance(&g->r, 50) ? 10 : rnd(&g->r) & 0xFF;
    if (mnem_is(g, "int")) return 3;                /* int n, n != 3: excluded */
    if (g->kind == K_ENTER && slot == 1) {
        static const uint8_t levels[] = { 0, 1, 2, 3, 31, 32, 33, 63 };
        return chance(&g->r, 70) ? levels[below(&g->r, 8)] : rnd(&g->r) & 0xFF;
    }
    if (g->kind == K_RET) return chance(&g->r, 50) ? below(&g->r, 64) : edge_value(&g->r, 2) & 0xFFFF;
    return edge_value(&g->r, n) & mask_of(n);
}

static void plan_immediates(struct gen *g)
{
    g->rel = g->moffs = -1;
    for (int k = 0; k < 3; k++) {
        uint8_t kind = g->row->opd[k];
        unsigned n = imm_size(g, kind);
        if (!n) continue;
        unsigned slot = g->nimm++;
        g->isize[slot] = n;
        g->imm[slot] = imm_value(g, kind, slot, n);
        if (kind == O_Jb || kind == O_Jz) g->rel = (int)slot;
        if (kind == O_Ob || kind == O_Ov) g->moffs = (int)slot;
    }
}

/* ---- the machine state ---------------------------------------------------------- */

static void fill_registers(struct gen *g)
{
    static const unsigned sizes[4] = { 1, 2, 4, 8 };
    struct native_case *nc = &g->c->nc;
    for (int r = 0; r < 16; r++) {
        unsigned size = chance(&g->r, 50) ? g->osize : sizes[below(&g->r, 4)];
        nc->gpr[r] = any_value(&g->r, size);
        if (!g->m64) nc->gpr[r] = r < 8 ? (uint32_t)nc->gpr[r] : 0;
    }
    if (chance(&g->r, 50)) {                        /* rSP in the window, like a stack */
        uint64_t off = 0x400 + below(&g->r, 0x1800);
        nc->gpr[RSP] = seg_model(g, SEG_SS).base == DATA ? off : DATA + off;
    }
    nc->rflags = (rnd(&g->r) & (FL_STATUS | FL_DF)) | FL_1;
}

/* ---- encoding ------------------------------------------------------------------- */

static void finalize_prefixes(struct gen *g)
{
    static const uint8_t seg_prefix[6] = { 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65 };
    uint8_t *p = g->pfx;
    unsigned n = 0;
    if (g->p66) p[n++] = 0x66;
    if (g->p67) p[n++] = 0x67;
    if (g->lock) p[n++] = 0xF0;
    if (g->segovr != SEG_NONE) p[n++] = seg_prefix[g->segovr];
    if (g->rep) p[n++] = g->rep;
    for (unsigned i = n; i > 1; i--) {
        unsigned j = below(&g->r, i);
        uint8_t t = p[i - 1];
        p[i - 1] = p[j];
        p[j] = t;
    }
    if (n && p[0] != 0xF0 && p[0] != 0xF2 && p[0] != 0xF3 && chance(&g->r, 3))
        p[n++] = p[0];                                  /* a repeated prefix */
    if (g->mand) p[n++] = g->mand;                      /* closest to the opcode */
    g->npfx = n;
    g->stray_at = -1;
    if (g->m64 && !g->vex && n && chance(&g->r, 2)) {   /* REX before a prefix: ignored */
        g->stray_at = (int)below(&g->r, n);
        g->stray_rex = (uint8_t)(0x40 | below(&g->r, 16));
    }
}

static unsigned put_le(uint8_t *out, uint64_t v, unsigned n)
{
    for (unsigned k = 0; k < n; k++) out[k] = (uint8_t)(v >> (8 * k));
    return n;
}

static unsigned emit_vex(const struct gen *g, uint8_t *out)
{
    static const uint8_t pp[] = { [PFX_NONE] = 0, [PFX_66] = 1, [PFX_F3] = 2, [PFX_F2] = 3 };
    unsigned map = g->row->map == MAP_VEX0F ? 1 : g->row->map == MAP_VEX0F38 ? 2 : 3;
    out[0] = 0xC4;
    out[1] = (uint8_t)((!g->rex_r << 7) | (!g->rex_x << 6) | (!g->rex_b << 5) | map);
    out[2] = (uint8_t)((g->vex_w << 7) | ((~g->vreg & 15) << 3) | (g->vex_l << 2) |
                       pp[g->row->pfx]);
    return 3;
}

static unsigned emit_opcode(const struct gen *g, uint8_t *out)
{
    unsigned n = 0;
    if (rex_emitted(g))
        out[n++] = (uint8_t)(0x40 | g->rexw << 3 | g->rex_r << 2 | g->rex_x << 1 | g->rex_b);
    if (g->vex) {
        n += emit_vex(g, out + n);
    } else if (g->row->map != MAP_1B) {
        out[n++] = 0x0F;
        if (g->row->map == MAP_0F38) out[n++] = 0x38;
        if (g->row->map == MAP_0F3A) out[n++] = 0x3A;
    }
    out[n++] = g->opc;
    return n;
}

/* Writes the instruction; records where the displacement and immediates start. */
unsigned emit(struct gen *g, uint8_t *out)
{
    unsigned n = 0;
    for (unsigned i = 0; i < g->npfx; i++) {
        if ((int)i == g->stray_at) out[n++] = g->stray_rex;
        out[n++] = g->pfx[i];
    }
    n += emit_opcode(g, out + n);
    if (g->modrm) {
        out[n++] = (uint8_t)(g->mod << 6 | g->reg3 << 3 | g->rm3);
        if (g->sib) out[n++] = (uint8_t)(g->ss << 6 | g->idx3 << 3 | g->base3);
        if (g->mod != 3) n += put_le(out + n, (uint64_t)g->disp, g->dsize);
    }
    for (unsigned k = 0; k < g->nimm; k++) n += put_le(out + n, g->imm[k], g->isize[k]);
    return n;
}

/* ---- the undefined parts (SDM Vol. 2, "Flags Affected") ------------------------------ */

static unsigned count_operand(struct gen *g)
{
    if (row_has(g, O_CL)) return gpr(g)[RCX] & 0xFF;
    if (row_has(g, O_ONE)) return 1;
    return g->nimm ? (unsigned)(g->imm[g->nimm - 1] & 0xFF) : 0;
}

static void undefined_destination(struct gen *g, int r, unsigned size)
{
    if (r < 0) return;
    g->c->undef_gpr |= (uint16_t)(1u << opnd_home(g, r, size));
}

static void compute_undef(struct gen *g)
{
    struct sem_case *c = g->c;
    unsigned bits = 8 * g->osize, cnt = count_operand(g) & (g->osize == 8 ? 63 : 31);
    bool shl_shr = mnem_is(g, "shl") || mnem_is(g, "sal") || mnem_is(g, "shr");
    switch (g->info.undef_rule) {
    case U_ALWAYS: c->undef_flags = g->info.undef_flags; break;
    case U_SHIFT:
        if (cnt) c->undef_flags = FL_AF | (cnt != 1 ? FL_OF : 0) | (cnt >= bits && shl_shr ? FL_CF : 0);
        break;
    case U_ROTATE:
        if (cnt > 1) c->undef_flags = FL_OF;
        break;
    case U_SHXD:
        if (cnt > bits) {
            c->undef_flags = FL_STATUS;
            if (g->mem) c->undef_mem = 1;
            else undefined_destination(g, g->rm, g->osize);
        } else if (cnt) {
            c->undef_flags = FL_AF | (cnt != 1 ? FL_OF : 0);
        }
        break;
    case U_BITSCAN:
        c->undef_flags = g->info.undef_flags;
        if ((E_get(g, g->osize) & mask_of(g->osize)) == 0) undefined_destination(g, g->reg, g->osize);
        break;
    case U_BSWAP16:
        if (g->osize == 2) undefined_destination(g, g->zreg, 2);
        break;
    default: break;
    }
}

/* ---- one case -------------------------------------------------------------------- */

static void gen_start(struct gen *g, struct sem_case *c, const struct gen_form *f,
                      const struct gen_config *cfg)
{
    uint64_t s = g->r.s;
    memset(g, 0, sizeof *g);
    g->r.s = s;
    g->c = c;
    g->cfg = cfg;
    g->row = optable_row(f->row);
    row_info(g->row, &g->info);
    g->kind = g->info.kind;
    g->mode = f->mode;
    g->m64 = f->mode == SEM_M64;
    g->opc = (uint8_t)(g->row->opc + below(&g->r, g->row->last - g->row->opc + 1u));
    g->segovr = SEG_NONE;
    g->base = g->index = g->zreg = g->rm = -1;
    g->seg = SEG_DS;
}

/* Now and then redundant segment prefixes in front push the instruction past 15 bytes:
 * #GP(0).  The first 15 bytes decode as before, so the CPU still needs more of them. */
static void make_overlong(struct gen *g, uint8_t *bytes)
{
    static const uint8_t pads[4] = { 0x26, 0x2E, 0x36, 0x3E };
    uint8_t out[48];
    unsigned k = 16 - g->len + below(&g->r, 3);
    memset(out, pads[below(&g->r, 4)], k);
    memcpy(out + k, bytes, g->len);
    memcpy(bytes, out, 15);
    g->len = 15;
}

static bool choose_lock(struct gen *g)
{
    if ((g->row->flags & F_LOCK) && g->mem) return chance(&g->r, 35);
    return chance(&g->r, 1);                            /* anywhere else: #UD */
}

/* rSP must stay out of the native child's own image (gen_config). */
static bool stack_pointer_safe(struct gen *g)
{
    int child = g->m64 ? 0 : 1;
    uint64_t sp = g->m64 ? gpr(g)[RSP] : (uint32_t)gpr(g)[RSP];
    if (sp + 0x1000 < g->cfg->image_lo[child] || sp >= g->cfg->image_hi[child] + 0x1000) return true;
    if (reg_locked(g, RSP)) return false;
    gpr(g)[RSP] ^= 0x40000000;
    return true;
}

/* One attempt; false if the choices cannot make a valid case (then try again). */
static bool attempt(struct gen *g, struct sem_case *c, const struct gen_form *f,
                    const struct gen_config *cfg)
{
    uint8_t bytes[48];
    gen_start(g, c, f, cfg);
    choose_sizes(g);
    plan_modrm(g);
    plan_registers_in_opcode(g);
    plan_immediates(g);
    fill_registers(g);
    if (!kind_setup(g)) return false;
    if (g->mem && !place_memory(g)) return false;
    g->lock = choose_lock(g);
    finalize_prefixes(g);
    g->len = (uint8_t)emit(g, bytes);
    if (g->len > 15) return false;
    if (!kind_rig(g)) return false;
    if (emit(g, bytes) != g->len || !stack_pointer_safe(g)) return false;
    if (chance(&g->r, 1) && chance(&g->r, 30)) make_overlong(g, bytes);
    memcpy(c->nc.bytes, bytes, g->len);
    c->nc.len = g->len;
    compute_undef(g);
    return true;
}

bool gen_case(struct sem_case *c, const struct gen_form *f, uint64_t seed,
              const struct gen_config *cfg)
{
    struct gen g;
    g.r.s = seed;
    for (int tries = 0; tries < 64; tries++) {
        if (tries) gen_window(c->winseed, c->nc.data);  /* undo the last attempt's stores */
        memset(&c->nc, 0, offsetof(struct native_case, data));
        c->nc.code16_seg = c->nc.ldt_data16 = 0;
        c->mode = f->mode;
        c->row = f->row;
        c->undef_flags = c->undef_gpr = c->undef_mem = 0;
        if (attempt(&g, c, f, cfg)) {
            c->nc.ldt_data16 = g.d16;
            c->nc.code16_seg = f->mode == SEM_M16;
            return true;
        }
    }
    return false;
}
