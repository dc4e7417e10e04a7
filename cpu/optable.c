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

const char *insn_mnemonic(const struct insn *in)
{
    return op_table[in->row].mnem;
}
