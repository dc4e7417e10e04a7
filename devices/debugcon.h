/* debugcon.h - the Bochs/QEMU debug console at port 0xE9 (QEMU
 * hw/char/debugcon.c behaviour): each byte written goes to an output callback
 * that the machine wires to stdio or a file; a read returns 0xE9 so a guest
 * can tell the port is there.
 */
#ifndef RINGSIM_DEBUGCON_H
#define RINGSIM_DEBUGCON_H

#include <stdint.h>

struct bus;

#define DEBUGCON_PORT     0xE9
#define DEBUGCON_READBACK 0xE9

typedef void (*debugcon_out_fn)(void *ctx, uint8_t byte);

struct debugcon {
    debugcon_out_fn out;      /* may be NULL: output dropped */
    void *ctx;
    uint64_t bytes;           /* bytes written so far */
};

void debugcon_init(struct debugcon *d, debugcon_out_fn out, void *ctx);
int debugcon_attach(struct debugcon *d, struct bus *bus);

#endif
