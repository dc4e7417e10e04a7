/* stub.h - the GDB stub's command layer (GDB manual E "Remote Protocol"):
 * packets in, replies out through a send callback, the machine driven
 * through its public API.  No sockets here (gdbstub/tcp.c is the
 * transport), so tests feed it bytes directly.
 */
#ifndef RINGSIM_GDB_STUB_H
#define RINGSIM_GDB_STUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gdbstub/nt.h"
#include "gdbstub/packet.h"
#include "gdbstub/regs.h"
#include "sim/machine.h"

enum gdb_resume { GDB_RESUME_NONE, GDB_RESUME_CONT, GDB_RESUME_STEP, GDB_RESUME_RANGE };
enum gdb_end { GDB_END_NONE, GDB_END_DETACH, GDB_END_KILL };

struct gdb_break { uint64_t addr; uint8_t type; };     /* type 0 (Z0) or 1 (Z1) */

struct gdb_stub {
    struct machine *m;
    void (*send)(void *ctx, const void *buf, size_t len);
    void *send_ctx;
    struct gdb_framer fr;
    bool noack;
    bool phys;                  /* monitor phys on: memory packets address physical memory */
    bool as;                    /* monitor as <cr3>: memory packets translate through as_cr3 */
    uint64_t as_cr3;
    bool sstep_quiet;           /* monitor sstep on: no interrupts or timers during steps */
    uint64_t sel_thread;        /* Hg: the thread g/p show (0: the running one) */
    struct gdb_nt nt;           /* the NT kernel's processes and threads, when known */
    enum gdb_layout layout;     /* chosen at connect time, kept for the connection */
    enum gdb_resume resume;     /* what the last packet asked for (the transport runs it) */
    enum gdb_resume running;    /* begun, its stop reply not yet sent */
    uint64_t range_start, range_end;
    enum gdb_end end;           /* close the connection after the reply */
    bool exited;                /* the machine stopped for good (W sent) */
    struct gdb_break *bps;      /* Z0/Z1 as gdb set them (the CPU's table is their union) */
    size_t nbps, bps_cap;
    char last[2 * GDB_PACKET_MAX + 8];  /* the last framed packet, for '-' */
    size_t last_len;
    char reply[GDB_PACKET_MAX + 1];
    size_t reply_len;
};

void gdb_stub_init(struct gdb_stub *s, struct machine *m,
                   void (*send)(void *ctx, const void *buf, size_t len), void *ctx);
/* Drop the debugger's breakpoints and watchpoints and free the stub's tables. */
void gdb_stub_free(struct gdb_stub *s);

/* Bytes from gdb: every complete packet is answered.  A resume request is
 * left in s->resume for gdb_stub_resume (bytes after it wait there too). */
void gdb_stub_input(struct gdb_stub *s, const void *buf, size_t len);

/* Carry out s->resume: run or step the machine, then send the stop reply
 * (T05 with the reason, T02 after an interrupt, W when the machine
 * stopped for good).  poll is asked once per run slice; nonzero
 * interrupts the run (Ctrl-C). */
void gdb_stub_resume(struct gdb_stub *s, int (*poll)(void *ctx), void *poll_ctx);

/* The same in two halves, for a front end that runs the machine itself
 * (the window, in slices between frames): begin takes s->resume (and
 * passes a breakpoint at the PC once); after the machine has run or
 * stepped, stopped sends the stop reply for why (STOP_INTERRUPTED with no
 * breakpoint or watchpoint hit: T02, as after Ctrl-C). */
enum gdb_resume gdb_stub_begin(struct gdb_stub *s);
void gdb_stub_stopped(struct gdb_stub *s, enum machine_stop why);

/* A raw 0x03 while running: what poll callbacks look for in the bytes. */
bool gdb_stub_is_interrupt(struct gdb_stub *s, const void *buf, size_t len);

/* Guest memory as the memory packets see it (phys, as): the bytes read
 * from addr, up to len (stops at the first unreadable one). */
size_t gdb_stub_read(struct gdb_stub *s, uint64_t addr, uint8_t *buf, size_t len);

/* gdb thread ids: an NT thread is its TID + 1 (the idle thread, TID 0, is
 * 1); without the NT kernel (or before it has threads) the one thread is
 * 1, the CPU.  The id of the thread running now. */
uint64_t gdb_stub_current_thread(struct gdb_stub *s);

/* The monitor (qRcmd): run one command line, output through out. */
void gdb_monitor(struct gdb_stub *s, const char *line,
                 void (*out)(void *ctx, const char *text), void *ctx);

#endif
