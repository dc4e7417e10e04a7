/* packet.c - GDB remote protocol framing (GDB manual E.1): a byte-at-a-
 * time state machine, so partial reads and garbage between packets are
 * harmless, and nothing a peer sends can grow a buffer past
 * GDB_PACKET_MAX.
 */
#include <string.h>
#include "packet.h"

void gdb_framer_init(struct gdb_framer *f)
{
    memset(f, 0, sizeof *f);
}

int gdb_hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int gdb_parse_hex(const char **p, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;
    int n = 0;
    while (gdb_hexval((unsigned char)*s) >= 0) {
        if (++n > 16) return -1;
        v = v << 4 | (uint64_t)gdb_hexval((unsigned char)*s++);
    }
    if (n == 0) return -1;
    *p = s;
    *out = v;
    return 0;
}

static void put(struct gdb_framer *f, char c)
{
    if (f->len < GDB_PACKET_MAX) f->buf[f->len++] = c;
    else f->malformed = true;
}

static void start(struct gdb_framer *f)
{
    f->state = FR_DATA;
    f->sum = 0;
    f->len = 0;
    f->malformed = false;
}

/* The two checksum digits are in: judge the packet. */
static enum gdb_event finish(struct gdb_framer *f)
{
    f->state = FR_IDLE;
    f->buf[f->len] = 0;
    if (f->csum != f->sum) return GDB_EV_BAD;
    return f->malformed ? GDB_EV_MALFORMED : GDB_EV_PACKET;
}

enum gdb_event gdb_framer_feed(struct gdb_framer *f, uint8_t c)
{
    int h;
    switch (f->state) {
    case FR_IDLE:
        if (c == '$') start(f);
        else if (c == 0x03) return GDB_EV_INTERRUPT;
        else if (c == '+') return GDB_EV_ACK;
        else if (c == '-') return GDB_EV_NAK;
        return GDB_EV_NONE;         /* anything else between packets is noise */
    case FR_DATA:
        if (c == '$') {             /* a new start: the peer gave up on the old one */
            start(f);
            return GDB_EV_NONE;
        }
        if (c == '#') {
            f->state = FR_CSUM1;
            return GDB_EV_NONE;
        }
        f->sum += c;
        if (c == '}') f->state = FR_ESCAPE;
        else if (c == '*') {
            if (f->len == 0) f->malformed = true;
            f->state = FR_RUNLEN;
        } else put(f, (char)c);
        return GDB_EV_NONE;
    case FR_ESCAPE:
        if (c == '#') {             /* truncated escape */
            f->malformed = true;
            f->state = FR_CSUM1;
            return GDB_EV_NONE;
        }
        f->sum += c;
        put(f, (char)(c ^ 0x20));
        f->state = FR_DATA;
        return GDB_EV_NONE;
    case FR_RUNLEN:
        if (c == '#') {
            f->malformed = true;
            f->state = FR_CSUM1;
            return GDB_EV_NONE;
        }
        f->sum += c;
        /* '*' then n+29: the previous character n more times (n >= 3). */
        if (c < 29 + 3 || c > 126) f->malformed = true;
        else if (f->len > 0)
            for (int k = 0; k < c - 29; k++) put(f, f->buf[f->len - 1]);
        f->state = FR_DATA;
        return GDB_EV_NONE;
    case FR_CSUM1:
        h = gdb_hexval(c);
        if (h < 0) {
            f->state = FR_IDLE;
            return GDB_EV_BAD;
        }
        f->csum = (uint8_t)(h << 4);
        f->state = FR_CSUM2;
        return GDB_EV_NONE;
    case FR_CSUM2:
        h = gdb_hexval(c);
        if (h < 0) {
            f->state = FR_IDLE;
            return GDB_EV_BAD;
        }
        f->csum |= (uint8_t)h;
        return finish(f);
    }
    return GDB_EV_NONE;
}

size_t gdb_frame(char *out, size_t cap, const void *payload, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const uint8_t *p = payload;
    size_t n = 0;
    uint8_t sum = 0;
    if (cap < 4) return 0;
    out[n++] = '$';
    for (size_t i = 0; i < len; i++) {
        uint8_t c = p[i];
        bool esc = c == '$' || c == '#' || c == '}' || c == '*';
        if (n + 2 + 3 > cap) return 0;
        if (esc) {
            out[n++] = '}';
            sum += '}';
            c ^= 0x20;
        }
        out[n++] = (char)c;
        sum += c;
    }
    out[n++] = '#';
    out[n++] = hex[sum >> 4];
    out[n++] = hex[sum & 15];
    return n;
}
