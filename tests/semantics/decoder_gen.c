/* decoder_gen.c - instruction-shaped random byte strings for the decoder
 * cross-check: runs of legacy prefixes and REX (repeated, over-long), the
 * 0F / 0F 38 / 0F 3A escapes, VEX C4/C5 biased to the BMI rows, and ModRM/SIB
 * shapes that reach the special addressing cases (SDM Vol. 2 2.1-2.3).
 */
#include "tests/semantics/decoder_check.h"

/* splitmix64: small, fast, and every seed gives a full-period stream. */
uint64_t dc_rand(struct dc_rng *rng)
{
    uint64_t z = (rng->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void dc_rng_seed(struct dc_rng *rng, uint64_t seed, unsigned stream)
{
    rng->state = seed ^ ((uint64_t)stream << 56);
    (void)dc_rand(rng);
}

static unsigned below(struct dc_rng *rng, unsigned n)
{
    return (unsigned)(dc_rand(rng) % n);
}

/* Pick an index from a weight list. */
static unsigned pick(struct dc_rng *rng, const uint8_t *weights, unsigned n)
{
    unsigned total = 0, k;
    for (k = 0; k < n; k++) total += weights[k];
    unsigned x = below(rng, total);
    for (k = 0; x >= weights[k]; k++) x -= weights[k];
    return k;
}

/* ---- prefixes ---------------------------------------------------------- */

static const uint8_t legacy_prefixes[] = {
    0x66, 0x67, 0xF2, 0xF3, 0xF0, 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65,
};

/* How many prefixes: mostly none or a few, sometimes a run past 15 bytes. */
static const uint8_t prefix_count_weight[] = { 10, 6, 3, 2, 1, 1 };
static const uint8_t prefix_count_base[]   = {  0, 1, 2, 3, 4, 8 };
static const uint8_t prefix_count_span[]   = {  1, 1, 1, 1, 4, 10 };

static uint8_t random_prefix(struct dc_rng *rng, enum dmode mode)
{
    if (mode == DM_64 && below(rng, 3) == 0) return (uint8_t)(0x40 + below(rng, 16));
    return legacy_prefixes[below(rng, sizeof legacy_prefixes)];
}

static unsigned put_prefixes(struct dc_rng *rng, enum dmode mode, uint8_t *p)
{
    unsigned k = pick(rng, prefix_count_weight, sizeof prefix_count_weight);
    unsigned n = prefix_count_base[k] + below(rng, prefix_count_span[k]);
    for (unsigned i = 0; i < n; i++)
        p[i] = (i > 0 && below(rng, 4) == 0) ? p[i - 1] : random_prefix(rng, mode);
    /* REX counts only right before the opcode: put one there often. */
    if (mode == DM_64 && below(rng, 3) == 0) p[n++] = (uint8_t)(0x40 + below(rng, 16));
    return n;
}

/* ---- escapes and opcodes ------------------------------------------------ */

enum shape { SH_RANDOM, SH_1B, SH_0F, SH_0F38, SH_0F3A, SH_VEX2, SH_VEX3, SH_COUNT };
static const uint8_t shape_weight[SH_COUNT] = { 4, 24, 24, 6, 4, 4, 10 };

/* VEX outside 64-bit mode needs the byte after C4/C5 to look like a register
 * ModRM (top bits 11), else it is LES/LDS: mostly make it so. */
static uint8_t vex_byte1(struct dc_rng *rng, enum dmode mode, uint8_t low)
{
    uint8_t b = (uint8_t)((dc_rand(rng) & 0xE0) | low);
    if (mode != DM_64 && below(rng, 8) != 0) b |= 0xC0;
    return b;
}

/* W vvvv L pp: L=0 mostly, since the BMI forms need it. */
static uint8_t vex_wvlp(struct dc_rng *rng)
{
    uint8_t b = (uint8_t)dc_rand(rng);
    return below(rng, 4) == 0 ? b : (uint8_t)(b & ~4u);
}

static uint8_t bmi_opcode(struct dc_rng *rng, unsigned map_bits)
{
    if (map_bits == 2 && below(rng, 4) != 0) return (uint8_t)(0xF0 + below(rng, 8));
    if (map_bits == 3 && below(rng, 2) != 0) return 0xF0;
    return (uint8_t)dc_rand(rng);
}

static const uint8_t vex_map_weight[] = { 1, 2, 12, 4 };    /* random, 0F, 0F38, 0F3A */

static unsigned put_vex3(struct dc_rng *rng, enum dmode mode, uint8_t *p)
{
    unsigned m = pick(rng, vex_map_weight, sizeof vex_map_weight);
    unsigned map_bits = m == 0 ? below(rng, 32) : m;
    p[0] = 0xC4;
    p[1] = vex_byte1(rng, mode, (uint8_t)map_bits);
    p[2] = vex_wvlp(rng);
    p[3] = bmi_opcode(rng, map_bits);
    return 4;
}

static unsigned put_vex2(struct dc_rng *rng, enum dmode mode, uint8_t *p)
{
    p[0] = 0xC5;
    p[1] = (uint8_t)(vex_byte1(rng, mode, 0) | (vex_wvlp(rng) & 0x7F));
    p[2] = (uint8_t)dc_rand(rng);
    return 3;
}

static unsigned put_opcode(struct dc_rng *rng, enum dmode mode, uint8_t *p)
{
    switch (pick(rng, shape_weight, SH_COUNT)) {
    case SH_1B: p[0] = (uint8_t)dc_rand(rng); return 1;
    case SH_0F: p[0] = 0x0F; p[1] = (uint8_t)dc_rand(rng); return 2;
    case SH_0F38: p[0] = 0x0F; p[1] = 0x38; p[2] = bmi_opcode(rng, 2); return 3;
    case SH_0F3A: p[0] = 0x0F; p[1] = 0x3A; p[2] = (uint8_t)dc_rand(rng); return 3;
    case SH_VEX2: return put_vex2(rng, mode, p);
    case SH_VEX3: return put_vex3(rng, mode, p);
    default: return 0;      /* leave the random bytes as they are */
    }
}

/* ---- ModRM / SIB -------------------------------------------------------- */

/* Often aim at rm=100 (SIB follows) or rm=101 (disp32 / RIP-relative / BP),
 * and at SIB base=101 (disp32 without base when mod=00). */
static void put_modrm(struct dc_rng *rng, uint8_t *p)
{
    if (below(rng, 3) != 0) return;
    p[0] = (uint8_t)((dc_rand(rng) & 0xF8) | (4 + below(rng, 2)));
    if (below(rng, 2) == 0) p[1] = (uint8_t)((dc_rand(rng) & 0xF8) | 5);
}

void dc_generate(struct dc_rng *rng, enum dmode mode, uint8_t buf[DC_BUF_LEN])
{
    for (unsigned k = 0; k < DC_BUF_LEN; k += 8) {
        uint64_t r = dc_rand(rng);
        for (unsigned j = 0; j < 8; j++) buf[k + j] = (uint8_t)(r >> (8 * j));
    }
    /* At most 18 prefix bytes, 4 of escape and opcode, 2 of ModRM/SIB. */
    unsigned n = put_prefixes(rng, mode, buf);
    n += put_opcode(rng, mode, buf + n);
    put_modrm(rng, buf + n);
}
