/* packet.h - the GDB remote protocol's framing (GDB manual, "Remote
 * Protocol", E.1 Overview): $payload#cs packets with a modulo-256
 * checksum, '}' escapes, '*' run-length encoding, '+'/'-' acknowledgements
 * (switched off by QStartNoAckMode) and a raw 0x03 byte that asks for an
 * interrupt.  No sockets here: bytes in, events and bytes out.
 */
#ifndef RINGSIM_GDB_PACKET_H
#define RINGSIM_GDB_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest payload accepted or sent, decoded (advertised as PacketSize). */
#define GDB_PACKET_MAX 16384

enum gdb_event {
    GDB_EV_NONE,        /* byte consumed, nothing complete yet */
    GDB_EV_PACKET,      /* a packet with a good checksum: payload in buf, len */
    GDB_EV_BAD,         /* a packet with a bad checksum: ask again ('-') */
    GDB_EV_MALFORMED,   /* checksum right but unusable: too long, a truncated escape,
                           a run length with nothing before it: answer with an error */
    GDB_EV_INTERRUPT,   /* a 0x03 outside a packet */
    GDB_EV_ACK,         /* '+' */
    GDB_EV_NAK,         /* '-': the peer wants the last packet again */
};

struct gdb_framer {
    enum { FR_IDLE, FR_DATA, FR_ESCAPE, FR_RUNLEN, FR_CSUM1, FR_CSUM2 } state;
    uint8_t sum;            /* running checksum of the raw bytes */
    uint8_t csum;           /* the received checksum */
    bool    malformed;
    size_t  len;
    char    buf[GDB_PACKET_MAX + 1];    /* NUL-terminated for the command parser */
};

void gdb_framer_init(struct gdb_framer *f);
enum gdb_event gdb_framer_feed(struct gdb_framer *f, uint8_t byte);

/* Frame payload[0..len) as $...#cs into out (escaping $ # } *).  Returns
 * the framed length, or 0 when it does not fit in cap. */
size_t gdb_frame(char *out, size_t cap, const void *payload, size_t len);

/* Hex helpers shared by the command layer. */
int gdb_hexval(int c);          /* 0-15, or -1 */
/* Parse hex digits at *p (at least one, at most 16): 0, or -1. */
int gdb_parse_hex(const char **p, uint64_t *out);

#endif
