/* gen_addr.c - memory operands for the case generator: the ModRM/SIB address forms of
 * 16-, 32- and 64-bit addressing (SDM Vol. 2 tables 2-1 to 2-3), segment overrides, and
 * the address itself: a target in the window (or a faulting one) is chosen first and
 * the base, index and displacement are solved backwards from it.
 */
#include "tests/semantics/gen_int.h"

/* ---- address forms ------------------------------------------------------------------ */

static void choose_address16(struct gen *g)
{
    static const int8_t base16[8] = { RBX, RBX, RBP, RBP, RSI, RDI, RBP, RBX };
    static const int8_t index16[8] = { RSI, RDI, RSI, RDI, -1, -1, -1, -1 };
    g->mod = (uint8_t)below(&g->r, 3);
    g->rm3 = (uint8_t)below(&g->r, 8);
    if (g->mod == 0 && g->rm3 == 6) {
        g->base = g->index = -1;
        g->dsize = 2;
        return;
    }
    g->base = base16[g->rm3];
    g->index = index16[g->rm3];
    g->dsize = g->mod == 1 ? 1 : g->mod == 2 ? 2 : 0;
}

static void choose_sib(struct gen *g)
{
    g->sib = true;
    g->rm3 = 4;
    g->ss = (uint8_t)below(&g->r, 4);
    g->idx3 = (uint8_t)below(&g->r, 8);
    g->base3 = (uint8_t)below(&g->r, 8);
    g->rex_x = g->m64 && chance(&g->r, 40);
    g->rex_b = g->m64 && chance(&g->r, 40);
    g->scale = g->ss;
    g->index = (g->idx3 == 4 && !g->rex_x) ? -1 : g->idx3 | g->rex_x << 3;
    g->base = (g->base3 == 5 && g->mod == 0) ? -1 : g->base3 | g->rex_b << 3;
    g->dsize = g->mod == 1 ? 1 : g->mod == 2 ? 4 : g->base < 0 ? 4 : 0;
}

void choose_address(struct gen *g)
{
    if (g->asize == 2) {
        choose_address16(g);
        return;
    }
    g->mod = (uint8_t)below(&g->r, 3);
    unsigned pick = below(&g->r, 100);
    if (pick < 35) {
        choose_sib(g);
    } else if (pick < 45 && g->mod == 0) {
        g->rm3 = 5;                                 /* disp32: RIP-relative in 64-bit mode */
        g->riprel = g->m64;
        g->rex_b = g->m64 && chance(&g->r, 20);     /* ignored here */
        g->dsize = 4;
    } else {
        g->rm3 = (uint8_t)below(&g->r, 7);
        if (g->rm3 >= 4) g->rm3++;                  /* 4 means a SIB byte follows */
        if (g->rm3 == 5 && g->mod == 0) g->mod = 1;
        g->rex_b = g->m64 && chance(&g->r, 40);
        g->rex_x = g->m64 && chance(&g->r, 10);     /* no SIB: ignored */
        g->base = g->rm3 | g->rex_b << 3;
        g->dsize = g->mod == 1 ? 1 : g->mod == 2 ? 4 : 0;
    }
}

/* ---- the address: choose it, then solve the registers ---------------------------- */

static int default_seg(const struct gen *g)
{
    return g->base == RSP || g->base == RBP ? SEG_SS : SEG_DS;
}

/* A segment override now and then; CS only rarely (writing through it is #GP). */
int pick_override(struct gen *g)
{
    static const int segs[9] = { SEG_ES, SEG_SS, SEG_DS, SEG_FS, SEG_GS,
                                 SEG_ES, SEG_DS, SEG_FS, SEG_CS };
    if (!chance(&g->r, 25)) return SEG_NONE;
    return segs[below(&g->r, 9)];
}

/* A window offset for n bytes: anywhere with room, or across the page boundary in the
 * middle of the window; naturally aligned half the time. */
uint64_t pick_offset(struct gen *g, unsigned n)
{
    if (n > 1 && chance(&g->r, 12)) return 0x1000 - 1 - below(&g->r, n - 1);
    uint64_t off = MARGIN + below(&g->r, WIN - 2 * MARGIN - n);
    unsigned align = n >= 16 ? 16 : n >= 8 ? 8 : n;
    if (chance(&g->r, 50)) off &= ~(uint64_t)(align - 1);
    return off;
}

static uint64_t index_value(struct gen *g)
{
    unsigned pick = below(&g->r, 10);
    if (pick < 4) return below(&g->r, 17);
    if (pick < 6) return 0 - (uint64_t)below(&g->r, 17);
    return rnd(&g->r);
}

static int64_t random_disp(struct gen *g)
{
    if (g->dsize == 0) return 0;
    return sext(any_value(&g->r, g->dsize), g->dsize);
}

/* v * (1 + 2^s) = t, for an address that uses one register as base and index. */
static bool solve_same(struct gen *g, int r, uint64_t *ea, uint64_t t)
{
    unsigned s = g->scale, bits = 8 * g->asize;
    uint64_t v;
    if (s == 0) {
        *ea -= t & 1;
        t -= t & 1;
        v = (t & mask_of(g->asize)) >> 1;
        if (chance(&g->r, 50)) v |= 1ull << (bits - 1);
    } else {
        uint64_t m = 1 + (1ull << s), inv = m;
        for (int k = 0; k < 6; k++) inv *= 2 - m * inv;    /* inverse of an odd number mod 2^64 */
        v = t * inv;
    }
    set_addr_reg(g, r, v);
    return true;
}

/* The index when the base is fixed: its low s bits come out of the target. */
static bool solve_index(struct gen *g, uint64_t *ea, uint64_t rest)
{
    unsigned s = g->scale, bits = 8 * g->asize;
    uint64_t d = rest & mask_of(g->asize), rem = d & ((1ull << s) - 1);
    *ea -= rem;
    d -= rem;
    uint64_t v = d >> s;
    if (s) v |= rnd(&g->r) << (bits - s);
    set_addr_reg(g, g->index, v);
    return true;
}

/* Registers and displacement so that the ModRM address is *ea.  Fixed registers keep
 * their values; then *ea may move by a few bytes, or become whatever they give. */
bool solve_address(struct gen *g, uint64_t *ea)
{
    uint64_t am = mask_of(g->asize);
    int b = g->base, x = g->index;
    g->disp = random_disp(g);
    if (g->riprel) return true;                     /* the displacement follows the length */
    if (b < 0 && x < 0) {
        g->disp = sext(*ea, g->dsize);
        return ((uint64_t)g->disp & am) == (*ea & am);
    }
    bool bfix = b >= 0 && reg_locked(g, b), xfix = x >= 0 && reg_locked(g, x);
    if (b >= 0 && b == x && !bfix) return solve_same(g, b, ea, *ea - (uint64_t)g->disp);
    if (b >= 0 && !bfix) {
        uint64_t xv = 0;
        if (x >= 0 && !xfix) set_addr_reg(g, x, index_value(g));
        if (x >= 0) xv = gpr(g)[x] << g->scale;
        set_addr_reg(g, b, *ea - (uint64_t)g->disp - xv);
        return true;
    }
    uint64_t bv = b >= 0 ? gpr(g)[b] + (b == RSP ? g->rsp_bias : 0) : 0;
    if (x >= 0 && !xfix && x != b) return solve_index(g, ea, *ea - (uint64_t)g->disp - bv);
    uint64_t xv = x >= 0 ? gpr(g)[x] << g->scale : 0;
    int64_t need = sext(*ea - bv - xv, g->asize);
    if (g->dsize && need == sext((uint64_t)need, g->dsize)) {
        g->disp = need;
        return true;
    }
    *ea = (bv + xv + (uint64_t)g->disp) & am;
    return true;
}

uint64_t linear_of(const struct gen *g, int seg, uint64_t ea)
{
    uint64_t lin = seg_model(g, seg).base + ea;
    return g->m64 ? lin : (uint32_t)lin;
}

/* The segment an access goes through: the override if it reaches lin, else the default. */
bool reach_with(struct gen *g, int dflt, uint64_t lin, unsigned n, uint64_t *ea)
{
    int ovr = pick_override(g);
    if (ovr != SEG_NONE && seg_reach(g, ovr, lin, n, ea)) {
        g->segovr = ovr;
        g->seg = ovr;
        return true;
    }
    g->segovr = SEG_NONE;
    g->seg = dflt;
    return seg_reach(g, dflt, lin, n, ea);
}

/* Faulting addresses: non-canonical (64-bit) or past the 64 KiB window segment.  Only
 * addresses whose first byte already faults are used for BOUND (it reads twice) and
 * MOVBE (the host splits it: a straddling access takes #PF on its canonical half). */
static bool pick_fault_ea(struct gen *g, unsigned n, uint64_t *ea)
{
    bool single = g->kind != K_BOUND && !mnem_is(g, "movbe");
    if (g->m64 && g->asize == 8 && chance(&g->r, 3)) {
        *ea = noncanonical(&g->r, single ? n : 1);
        return true;
    }
    if (g->d16 && g->asize == 4 && seg_model(g, g->seg).limit == 0xFFFF && chance(&g->r, 3)) {
        if (single && n > 1 && chance(&g->r, 50)) *ea = 0xFFFF - below(&g->r, n - 1);
        else *ea = 0x10000 + below(&g->r, 0x10000);
        return true;
    }
    return false;
}

/* The memory operand's access size, from the operand the row names. */
unsigned access_size(const struct gen *g)
{
    if (g->kind == K_SREG) return 2;                    /* mov m16, Sreg */
    if (mnem_is(g, "movsxd")) return g->osize == 2 ? 2 : 4;
    for (int k = 0; k < 3; k++) {
        switch (g->row->opd[k]) {
        case O_Eb: return 1;
        case O_Ew: case O_Mw: return 2;
        case O_Ed: return 4;
        case O_Eq: return 8;
        case O_Mq: return g->osize == 8 ? 16 : 8;
        case O_Ma: return 2 * g->osize;
        case O_Ev: case O_Ey: case O_M: return g->osize;
        default: break;
        }
    }
    return g->osize;
}

/* The memory operand at window offset off (or a faulting address); false if the
 * registers the set-up fixed cannot reach it. */
bool place_memory_at(struct gen *g, uint64_t lin, unsigned n, bool may_fault)
{
    uint64_t ea;
    if (!reach_with(g, default_seg(g), lin, n, &ea)) return false;
    bool fault = may_fault && !g->riprel && pick_fault_ea(g, n, &ea);
    uint64_t want = ea;
    if (!solve_address(g, &ea)) return false;
    g->ea = ea;
    g->lin = linear_of(g, g->seg, ea);
    if (fault) return want == ea;
    return in_window(g->lin, n) && (ea + n - 1) <= seg_model(g, g->seg).limit &&
           ea + n - 1 <= mask_of(g->asize);
}

/* LEA and hint NOPs do not access memory: any address at all. */
static void place_free_address(struct gen *g)
{
    g->segovr = chance(&g->r, 15) ? pick_override(g) : SEG_NONE;
    g->disp = random_disp(g);
    if (g->base >= 0 && !reg_locked(g, g->base)) gpr(g)[g->base] = any_value(&g->r, g->asize);
    if (g->index >= 0 && !reg_locked(g, g->index)) gpr(g)[g->index] = index_value(g);
    if (!g->m64) {
        if (g->base >= 0) gpr(g)[g->base] &= 0xFFFFFFFF;
        if (g->index >= 0) gpr(g)[g->index] &= 0xFFFFFFFF;
    }
}

bool place_memory(struct gen *g)
{
    if (g->kind == K_LEA || g->kind == K_NOPMEM) {
        place_free_address(g);
        return true;
    }
    if (g->kind == K_BT && row_has(g, O_Gv)) return place_bit_string(g);
    unsigned n = access_size(g);
    uint64_t off = pick_offset(g, n);
    if (g->kind == K_CMPXCHG8B && chance(&g->r, 85)) off &= ~15ull;  /* 16B: #GP unless aligned */
    return place_memory_at(g, DATA + off, n, true);
}

