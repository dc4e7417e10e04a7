/* optable.c - builds the opcode table from opcodes.def and indexes it by
 * (map, opcode) for the decoder; also names decoded instructions.
 */
#include <pthread.h>
#include <stdio.h>
#include "insn.h"
#include "handlers.h"

#define O__ O_NONE
#define RANGE(map_, first_, last_, reg_, rm_, mod_, pfx_, mnem_, o1, o2, o3, fn_, flags_, area_, \
              cls_, sub_) \
    { .map = MAP_##map_, .opc = first_, .last = last_, .reg = reg_, .rm = rm_, \
      .mod = MOD_##mod_, .pfx = PFX_##pfx_, .mnem = mnem_, .opd = { O_##o1, O_##o2, O_##o3 }, \
      .fn = fn_, .flags = flags_, .area = AREA_##area_, .cls = CC_##cls_, .sub = sub_ },
#define ROW(map_, opc_, ...) RANGE(map_, opc_, opc_, __VA_ARGS__)

const struct op_row op_table[] = {
#include "opcodes.def"
};
#undef ROW
#undef RANGE

const unsigned op_table_size = sizeof op_table / sizeof op_table[0];

/* Row indexes per (map, opcode), in table order: the decoder takes the first
 * row whose reg/rm/mod/prefix constraints match, so more specific rows are
 * listed first in opcodes.def. */
#define MAX_ROWS_PER_OPCODE 24
static struct {
    uint8_t count;
    uint16_t rows[MAX_ROWS_PER_OPCODE];
} op_index[MAP_COUNT][256];

static pthread_once_t index_once = PTHREAD_ONCE_INIT;

static void build_index(void)
{
    for (unsigned i = 0; i < op_table_size; i++) {
        const struct op_row *r = &op_table[i];
        for (unsigned opc = r->opc; opc <= r->last; opc++) {
            __typeof__(op_index[0][0]) *slot = &op_index[r->map][opc];
            if (slot->count == MAX_ROWS_PER_OPCODE) {
                fprintf(stderr, "optable: more than %d rows for map %u opcode %02x\n",
                        MAX_ROWS_PER_OPCODE, r->map, opc);
                continue;
            }
            slot->rows[slot->count++] = (uint16_t)i;
        }
    }
}

void optable_init(void)
{
    pthread_once(&index_once, build_index);
}

const struct op_row *optable_row(unsigned index)
{
    return index < op_table_size ? &op_table[index] : NULL;
}

unsigned optable_candidates(unsigned map, unsigned opc, const uint16_t **rows)
{
    optable_init();
    *rows = op_index[map][opc].rows;
    return op_index[map][opc].count;
}

/* Whether a ModRM byte follows the opcode: an operand that lives in it, or
 * F_MODRM for the forms that have one without an operand (hint NOPs). */
bool op_row_has_modrm(const struct op_row *r)
{
    if (r->flags & F_MODRM) return true;
    for (int k = 0; k < 3; k++) {
        switch (r->opd[k]) {
        case O_Eb: case O_Ew: case O_Ed: case O_Ev: case O_Ey: case O_Eq:
        case O_Gb: case O_Gw: case O_Gd: case O_Gv: case O_Gy: case O_Gq:
        case O_M: case O_Mp: case O_Mq: case O_Mdq: case O_Ma: case O_Mw:
        case O_Rd: case O_Ry: case O_Sw: case O_Cd: case O_Dd:
        case O_W: case O_V: case O_N: case O_P: case O_ST:
            return true;
        default:
            break;
        }
    }
    return false;
}

const char *insn_mnemonic(const struct insn *in)
{
    return op_table[in->row].mnem;
}
