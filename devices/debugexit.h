/* debugexit.h - QEMU's isa-debug-exit device, as configured by
 * "-device isa-debug-exit,iobase=0xf4,iosize=0x04" (QEMU hw/misc/debugexit.c
 * behaviour: a write of v asks to exit with status (v << 1) | 1).  The device
 * never exits the process: it records the request and tells the machine.
 */
#ifndef RINGSIM_DEBUGEXIT_H
#define RINGSIM_DEBUGEXIT_H

#include <stdbool.h>
#include <stdint.h>

struct bus;

#define DEBUGEXIT_PORT   0xF4
#define DEBUGEXIT_IOSIZE 4

typedef void (*debugexit_stop_fn)(void *ctx, int status);

struct debugexit {
    bool exited;              /* the guest has asked to exit */
    int status;               /* (v << 1) | 1 of the last such write */
    debugexit_stop_fn stop;   /* the machine stops cleanly; may be NULL */
    void *ctx;
};

void debugexit_init(struct debugexit *d, debugexit_stop_fn stop, void *ctx);
int debugexit_attach(struct debugexit *d, struct bus *bus);

#endif
