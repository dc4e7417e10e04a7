/* gen_kinds.c - what each kind of row needs beyond its encoded operands: the stack
 * and frame pointers, string pointers and counts, branch targets in the landing
 * zones, dividends that fit, bit strings that reach past their operand, and values
 * that make compares succeed half the time (SDM Vol. 2 pseudo-code of each).
 */
#include "tests/semantics/gen_int.h"

/* ---- the stack ------------------------------------------------------------------ */

static uint64_t window_pointer(struct gen *g, uint64_t off)
{
    return seg_model(g, SEG_SS).base == DATA ? off : DATA + off;
}

/* Non-canonical stack pointers that stay non-canonical after a push or pop. */
static uint64_t noncanonical_stack(struct gen *g)
{
    switch (below(&g->r, 3)) {
    case 0: return 0x0000800000000000ull + 0x400 + below(&g->r, 0x1000);
    case 1: return 0xFFFF7FFFFFFF0000ull + below(&g->r, 0x8000);
    default: return 0x8000000000000000ull | (rnd(&g->r) & 0x00007FFFFFFFFFFFull);
    }
}

/* rSP in the window with room both ways: near the page boundary now and then. */
static void place_stack(struct gen *g)
{
    uint64_t off = chance(&g->r, 15) ? 0x1000 - 8 + below(&g->r, 17) : 0x400 + below(&g->r, 0x1800);
    if (chance(&g->r, 60)) off &= ~7ull;
    uint64_t sp = window_pointer(g, off);
    if (g->m64 && chance(&g->r, 3)) sp = noncanonical_stack(g);
    set_fixed_reg(g, RSP, sp);
}

/* ENTER writes at its final stack pointer (SDM: #PF "if a write using the final value
 * of the stack pointer would cause a page fault"): the frame must fit in the window. */
static void fit_enter_frame(struct gen *g)
{
    unsigned level = g->imm[1] & 31;
    uint64_t sp = gpr(g)[RSP], base = seg_model(g, SEG_SS).base;
    uint64_t off = (g->m64 ? sp : (uint32_t)sp) - (base == DATA ? 0 : DATA);
    uint64_t used = (uint64_t)(level + 1) * g->osize + 8;
    if (off >= WIN || off < used) return;               /* a non-canonical rSP: #SS first */
    uint64_t room = off - used;
    uint64_t alloc = chance(&g->r, 50) ? below(&g->r, room < 64 ? (unsigned)room + 1 : 65)
                                       : below(&g->r, (unsigned)room + 1);
    g->imm[0] = chance(&g->r, 10) ? room : alloc;
}

/* rBP for LEAVE and for ENTER's nesting levels (up to 31 frame pointers below it). */
static void place_frame(struct gen *g)
{
    uint64_t off = 0x300 + below(&g->r, 0x1800);
    if (chance(&g->r, 60)) off &= ~7ull;
    set_fixed_reg(g, RBP, window_pointer(g, off));
}

static uint64_t stack_lin(struct gen *g, int reg)
{
    uint64_t sp = g->m64 ? gpr(g)[reg] : (uint32_t)gpr(g)[reg];
    return linear_of(g, SEG_SS, sp);
}

/* ---- strings ----------------------------------------------------------------------- */

/* A string pointer whose elements all land in the window; the first element is at
 * the low end of the span with DF=0, at the high end with DF=1. */
static bool string_pointer(struct gen *g, int reg, int seg, unsigned span, uint64_t *first)
{
    unsigned n = g->osize;
    bool df = g->c->nc.rflags & FL_DF;
    uint64_t lo = DATA + MARGIN + below(&g->r, WIN - 2 * MARGIN - span), ea;
    if (g->m64 && g->asize == 8 && chance(&g->r, 2)) {
        set_fixed_reg(g, reg, noncanonical(&g->r, 1));
        *first = 0;
        return true;
    }
    if (!seg_reach(g, seg, lo, span, &ea)) return false;
    *first = df ? lo + span - n : lo;
    uint64_t am = mask_of(g->asize);
    set_fixed_reg(g, reg, ((ea + (*first - lo)) & am) | (rnd(&g->r) & ~am));
    return true;
}

/* REPE/REPNE CMPS and SCAS: equal elements up to a random point, then one that stops it. */
static void rig_compare(struct gen *g, uint64_t src, uint64_t dst, unsigned count, bool scas)
{
    unsigned n = g->osize;
    int64_t step = (g->c->nc.rflags & FL_DF) ? -(int64_t)n : (int64_t)n;
    unsigned stop = below(&g->r, count + 1);
    bool repe = g->rep == 0xF3;
    uint64_t acc = opnd_get(g, RAX, n);
    for (unsigned i = 0; i < count; i++) {
        uint64_t d = dst + (uint64_t)(step * i);
        uint64_t want = scas ? acc : mem_get(g, src + (uint64_t)(step * i), n);
        bool equal = repe ? i < stop : i == stop;
        if (equal) mem_put(g, d, n, want);
        else if (mem_get(g, d, n) == want) mem_put(g, d, n, want ^ 1);
    }
}

static bool setup_string(struct gen *g)
{
    bool src = row_has(g, O_Xb) || row_has(g, O_Xv), dst = row_has(g, O_Yb) || row_has(g, O_Yv);
    unsigned count = !g->rep ? 1 : chance(&g->r, 20) ? below(&g->r, 2) : below(&g->r, 21);
    unsigned span = (count ? count : 1) * g->osize;
    uint64_t s = 0, d = 0, ea, am = mask_of(g->asize);
    if (g->rep) set_fixed_reg(g, RCX, (count & am) | (rnd(&g->r) & ~am));
    if (src) {
        int seg = chance(&g->r, 25) ? (int)below(&g->r, 6) : SEG_DS;
        if (seg == SEG_CS && g->mode == SEM_M16) seg = SEG_DS;
        if (!seg_reach(g, seg, DATA + MARGIN, span, &ea)) seg = SEG_DS;
        g->segovr = seg == SEG_DS ? SEG_NONE : seg;
        if (!string_pointer(g, RSI, seg, span, &s)) return false;
    }
    if (dst && !string_pointer(g, RDI, SEG_ES, span, &d)) return false;
    if (g->rep && src && dst && s && d) rig_compare(g, s, d, count, false);
    if (g->rep && !src && dst && d && (mnem_is(g, "scas") || mnem_is(g, "scasb")))
        rig_compare(g, 0, d, count, true);
    return true;
}

/* ---- table lookups and moffs ------------------------------------------------------- */

static bool setup_xlat(struct gen *g)
{
    uint64_t lin = DATA + pick_offset(g, 1), ea;
    if (!reach_with(g, SEG_DS, lin, 1, &ea)) return false;
    set_addr_reg(g, RBX, ea - (gpr(g)[RAX] & 0xFF));
    g->lin = lin;
    return true;
}

static bool setup_moffs(struct gen *g)
{
    unsigned n = g->osize;
    uint64_t lin = DATA + pick_offset(g, n), ea;
    if (!reach_with(g, SEG_DS, lin, n, &ea)) return false;
    if (g->m64 && g->asize == 8 && chance(&g->r, 3)) ea = noncanonical(&g->r, n);
    g->imm[g->moffs] = ea & mask_of(g->asize);
    g->lin = lin;
    return true;
}

/* LOOP and JrCXZ count with rCX, rECX or CX: the address size decides. */
static void setup_count(struct gen *g)
{
    uint64_t am = mask_of(g->asize);
    uint64_t v = chance(&g->r, 60) ? below(&g->r, 4) : edge_value(&g->r, g->asize);
    set_fixed_reg(g, RCX, (v & am) | (rnd(&g->r) & ~am));
}

bool kind_setup(struct gen *g)
{
    switch (g->kind) {
    case K_PUSH: case K_POPF: case K_CALLREL: case K_CALLIND: case K_RET:
        place_stack(g);
        break;
    case K_POP:
        place_stack(g);
        g->rsp_bias = g->osize;         /* pop m: the address uses rSP after the pop */
        break;
    case K_ENTER:
        place_stack(g);
        if ((g->imm[1] & 31) > 1) place_frame(g);
        fit_enter_frame(g);
        break;
    case K_LEAVE: place_frame(g); break;
    case K_STRING: return setup_string(g);
    case K_LOOP: setup_count(g); break;
    case K_XLAT: return setup_xlat(g);
    case K_MOFFS: return setup_moffs(g);
    default: break;
    }
    return true;
}

/* ---- bit strings -------------------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* A quotient (in operands) between lo and hi: small, medium or anything. */
static int64_t pick_quotient(struct gen *g, int64_t lo, int64_t hi)
{
    int64_t q;
    unsigned pick = below(&g->r, 10);
    if (pick < 4) q = (int64_t)below(&g->r, 9) - 4;
    else if (pick < 7) q = (int64_t)below(&g->r, 0x801) - 0x400;
    else q = (int64_t)(rnd(&g->r) >> (1 + below(&g->r, 63))) * (chance(&g->r, 50) ? -1 : 1);
    if (q < lo) q = lo + (int64_t)below(&g->r, 4);
    if (q > hi) q = hi - (int64_t)below(&g->r, 4);
    return q < lo ? lo : q;
}

/* BT/BTS/BTR/BTC m, r: the access is at EA + osize * floor(offset / (8 * osize)).  The
 * accessed operand goes in the window and the address is moved back by the offset;
 * both stay inside the address space and the segment, so nothing wraps. */
bool place_bit_string(struct gen *g)
{
    unsigned n = g->osize, bits = 8 * n;
    uint64_t a = DATA + MARGIN + below(&g->r, WIN - 2 * MARGIN - n), ea_a;
    if (!reach_with(g, g->base == RSP || g->base == RBP ? SEG_SS : SEG_DS, a, n, &ea_a))
        return false;
    uint64_t top = seg_model(g, g->seg).limit;
    if (top > mask_of(g->asize)) top = mask_of(g->asize);
    if (top > 0x00007FFFFFFFFFFFull) top = 0x00007FFFFFFFFFFFull;
    int64_t qmax_reg = (int64_t)((1ull << (bits - 1)) / bits) - 1;
    int64_t lo = floor_div((int64_t)ea_a - (int64_t)(top - n), n) + 1, hi = (int64_t)ea_a / n;
    if (lo < -qmax_reg) lo = -qmax_reg;
    if (hi > qmax_reg) hi = qmax_reg;
    if (lo > hi) return false;
    int64_t q = pick_quotient(g, lo, hi);
    uint64_t off = (uint64_t)(q * (int64_t)bits) + below(&g->r, bits);
    uint64_t ea = ea_a - (uint64_t)(q * (int64_t)n), want = ea;
    gpr(g)[g->reg] = (gpr(g)[g->reg] & ~mask_of(n)) | (off & mask_of(n));
    g->fixed |= (uint16_t)(1u << g->reg);
    if (!solve_address(g, &ea) || ea != want) return false;
    g->ea = ea;
    g->lin = a;
    return true;
}

/* ---- branches ----------------------------------------------------------------------- */

/* A linear landing address: the code page after the instruction, or the unmapped
 * pages around it (natively a fetch #PF there, 0xCC in the interpreter). */
static uint64_t pick_landing(struct gen *g)
{
    unsigned z = below(&g->r, 100);
    if (z < 70) return CODE + g->len + below(&g->r, 0x1000 - g->len);
    if (z < 85) return CODE - 1 - below(&g->r, 0x1000);
    return CODE + 0x1000 + below(&g->r, 0x1000);
}

/* A new IP for the 16-bit code segment (base = the code page, limit 64 KiB - 1):
 * anywhere but the instruction itself, or past the limit (#GP) with a 32-bit IP. */
static uint64_t ip_in_code16(struct gen *g)
{
    if (g->osize == 4 && chance(&g->r, 15))
        return chance(&g->r, 50) ? 0x10000 + below(&g->r, 0x10000) : rnd(&g->r) | 0x10000;
    return g->len + below(&g->r, 0x10000 - g->len);
}

/* The value an indirect branch or RET loads, osize wide. */
static uint64_t branch_value(struct gen *g)
{
    if (g->mode == SEM_M16) return ip_in_code16(g);
    if (g->osize == 2) return rnd(&g->r) & 0xFFFF;       /* 16-bit IP: the low zone */
    if (g->m64 && g->cfg->same_vendor && chance(&g->r, 3)) return noncanonical(&g->r, 1);
    return pick_landing(g);
}

static void rig_rel(struct gen *g)
{
    unsigned rs = g->isize[g->rel];
    uint64_t v;
    if (g->mode == SEM_M16 && g->osize == 2) {
        v = any_value(&g->r, rs);
        if (((g->len + (uint64_t)sext(v, rs)) & 0xFFFF) < g->len) v += g->len;
    } else if (g->mode == SEM_M16) {
        v = rs == 1 ? (uint64_t)(int64_t)(int8_t)below(&g->r, 256) : ip_in_code16(g) - g->len;
        if ((uint32_t)(g->len + v) < g->len) v = g->len;
    } else if (g->osize == 2) {
        v = rnd(&g->r);                                  /* a 16-bit IP: the low zone */
    } else if (rs == 1) {
        uint64_t t;
        do t = CODE + g->len - 128 + below(&g->r, 256); while (t >= CODE && t < CODE + g->len);
        v = t - (CODE + g->len);
    } else {
        v = pick_landing(g) - (CODE + g->len);
    }
    g->imm[g->rel] = v & mask_of(rs);
}

/* ---- values that decide the outcome --------------------------------------------------- */

static void write_dividend(struct gen *g, unsigned n, unsigned __int128 v)
{
    if (n == 1) {
        opnd_set(g, RAX, 2, (uint64_t)v);
        return;
    }
    opnd_set(g, RAX, n, (uint64_t)v);
    opnd_set(g, RDX, n, (uint64_t)(v >> (8 * n)));
}

static unsigned __int128 unsigned_dividend(struct gen *g, unsigned n, uint64_t d, bool overflow)
{
    uint64_t m = mask_of(n);
    if (overflow) {
        uint64_t hi = d + rnd(&g->r) % (m - d + 1);     /* d != 0: no wrap */
        return ((unsigned __int128)hi << (8 * n)) | (rnd(&g->r) & m);
    }
    uint64_t q = any_value(&g->r, n) & m;
    return (unsigned __int128)q * d + rnd(&g->r) % d;
}

static unsigned __int128 signed_dividend(struct gen *g, unsigned n, uint64_t d, bool overflow)
{
    int64_t dv = sext(d, n);
    __int128 q = overflow ? (__int128)1 << (8 * n - 1) : (__int128)sext(any_value(&g->r, n), n);
    uint64_t mag = dv < 0 ? 0 - (uint64_t)dv : (uint64_t)dv;
    __int128 r = overflow ? 0 : (__int128)(rnd(&g->r) % mag);
    __int128 prod = q * dv;
    if (prod < 0 || (prod == 0 && chance(&g->r, 50))) r = -r;
    return (unsigned __int128)(prod + r);
}

/* DIV/IDIV: a zero divisor, a quotient that overflows, or (mostly) one that fits. */
static void rig_div(struct gen *g)
{
    unsigned n = g->osize;
    bool sgn = mnem_is(g, "idiv");
    int home = g->mem ? -1 : opnd_home(g, g->rm, n);
    if (home == RAX || (n > 1 && home == RDX)) return;
    if (reg_locked(g, RAX) || (n > 1 && reg_locked(g, RDX))) return;
    unsigned pick = below(&g->r, 100);
    uint64_t d = pick < 8 ? 0 : edge_value(&g->r, n) & mask_of(n);
    if (pick >= 8 && d == 0) d = 1;
    E_set(g, n, d);
    if (pick < 8) return;
    bool overflow = pick < 16;
    write_dividend(g, n, sgn ? signed_dividend(g, n, d, overflow)
                             : unsigned_dividend(g, n, d, overflow));
}

static void rig_bound(struct gen *g)
{
    unsigned n = g->osize;
    int64_t v = sext(opnd_get(g, g->reg, n), n);
    int64_t lo = sext(edge_value(&g->r, n), n), hi = sext(edge_value(&g->r, n), n);
    if (chance(&g->r, 50)) {
        if (lo > v) lo = v;
        if (hi < v) hi = v;
    }
    mem_put(g, g->lin, n, (uint64_t)lo);
    mem_put(g, g->lin + n, n, (uint64_t)hi);
}

/* BZHI's index, BEXTR's start and length, SHLX/SARX/SHRX counts: mostly in range. */
static void rig_vexcount(struct gen *g)
{
    uint64_t v = rnd(&g->r);
    if (!chance(&g->r, 70)) return;
    if (mnem_is(g, "bextr")) v = (v & ~0xFFFFull) | below(&g->r, 71) | below(&g->r, 71) << 8;
    else v = (v & ~0xFFull) | below(&g->r, 80);
    opnd_set(g, g->vreg, g->osize, v);
}

static void rig_stack_values(struct gen *g)
{
    unsigned n = g->osize, slots = mnem_is(g, "popa") ? 8 : 1;
    uint64_t top = stack_lin(g, RSP);
    if (g->kind == K_POPF) {
        mem_put(g, top, n, rnd(&g->r) & ~(uint64_t)FL_TF);  /* TF would trap after the next */
        return;
    }
    if (g->kind == K_LEAVE) top = stack_lin(g, RBP);
    if (!chance(&g->r, 40)) return;
    for (unsigned i = 0; i < slots; i++) mem_put(g, top + i * n, n, edge_value(&g->r, n));
}

static void rig_values(struct gen *g)
{
    unsigned n = g->osize;
    switch (g->kind) {
    case K_DIV: rig_div(g); break;
    case K_CMPXCHG:
        if (chance(&g->r, 50)) opnd_set(g, RAX, n, E_get(g, n));
        break;
    case K_CMPXCHG8B:
        if (chance(&g->r, 50)) {
            unsigned h = n == 8 ? 8 : 4;
            mem_put(g, g->lin, h, gpr(g)[RAX]);
            mem_put(g, g->lin + h, h, gpr(g)[RDX]);
        }
        break;
    case K_BOUND: rig_bound(g); break;
    case K_BITSCAN:
        if (chance(&g->r, 20)) E_set(g, n, 0);
        break;
    case K_VEXCOUNT: rig_vexcount(g); break;
    case K_SHIFT:
        if (row_has(g, O_CL)) opnd_set(g, RCX, 1, edge_count(&g->r));
        break;
    case K_POP: case K_POPF: case K_LEAVE: rig_stack_values(g); break;
    case K_MOFFS:
        if (chance(&g->r, 40)) mem_put(g, g->lin, n, edge_value(&g->r, n));
        break;
    case K_PLAIN:
        if (g->mem && chance(&g->r, 40)) {
            unsigned size = access_size(g) > 8 ? 8 : access_size(g);
            E_set(g, size, edge_value(&g->r, size));
        }
        break;
    default: break;
    }
}

bool kind_rig(struct gen *g)
{
    if (g->riprel) {
        int64_t d = sext(g->ea - (CODE + g->len), 4);
        if (((CODE + g->len + (uint64_t)d) & mask_of(g->asize)) != g->ea) return false;
        g->disp = d;
    }
    switch (g->kind) {
    case K_JREL: case K_CALLREL: case K_LOOP: rig_rel(g); break;
    case K_JIND: case K_CALLIND: {
        uint64_t v = branch_value(g) & mask_of(g->osize);
        E_set(g, g->osize, v);
        if (E_get(g, g->osize) != v) return false;      /* jmp rsp with rSP the stack */
        break;
    }
    case K_RET: mem_put(g, stack_lin(g, RSP), g->osize, branch_value(g)); break;
    default: rig_values(g); break;
    }
    return true;
}
