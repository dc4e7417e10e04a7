/* port92.h - System Control Port A at 0x92 (the PS/2 "fast A20 and reset"
 * port): bit 1 opens the A20 gate, a 0->1 write of bit 0 resets the CPU. */
#ifndef RINGSIM_PORT92_H
#define RINGSIM_PORT92_H

#include <stdint.h>

struct bus;

struct port92 {
    struct bus *bus;
    uint8_t value;                  /* bits as last written (bit 0 reads back 0 after a reset) */
    void (*reset)(void *ctx);       /* the machine's CPU reset */
    void *reset_ctx;
};

void port92_init(struct port92 *p, struct bus *bus, void (*reset)(void *ctx), void *ctx);
int port92_attach(struct port92 *p);

#endif
