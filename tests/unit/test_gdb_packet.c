/* test_gdb_packet.c - the GDB stub's framing (gdbstub/packet.c; GDB manual
 * E.1): checksums, escapes, run-length decoding, acks, 0x03, the size limit,
 * and hostile input that must end in an event, never a crash. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gdbstub/packet.h"

static struct gdb_framer fr;

/* Feed a string; the last event other than NONE. */
static enum gdb_event feed(const char *s, size_t n)
{
    enum gdb_event last = GDB_EV_NONE, e;
    for (size_t i = 0; i < n; i++)
        if ((e = gdb_framer_feed(&fr, (uint8_t)s[i])) != GDB_EV_NONE) last = e;
    return last;
}
#define FEED(s) feed(s, sizeof(s) - 1)

static void setup(void) { gdb_framer_init(&fr); }
TestSuite(gdb_packet, .init = setup);

Test(gdb_packet, good_checksum_gives_the_payload)
{
    cr_assert_eq(GDB_EV_PACKET, FEED("$g#67"));
    cr_assert_str_eq("g", fr.buf);
    cr_assert_eq(GDB_EV_PACKET, FEED("$qSupported:xmlRegisters=i386#c1"));
    cr_assert_str_eq("qSupported:xmlRegisters=i386", fr.buf);
}

Test(gdb_packet, bad_checksum_asks_again)
{
    cr_assert_eq(GDB_EV_BAD, FEED("$g#68"));
    cr_assert_eq(GDB_EV_BAD, FEED("$g#6z"));
    cr_assert_eq(GDB_EV_PACKET, FEED("$g#67"));     /* and the framer recovers */
}

Test(gdb_packet, escape_decodes_and_counts_raw_bytes)
{
    /* X packet carrying '#': escaped as }\x03; checksum over the raw bytes. */
    char pkt[32];
    const char body[] = "X0,1:}\x03";
    unsigned sum = 0;
    for (size_t i = 0; i < sizeof body - 1; i++) sum += (uint8_t)body[i];
    snprintf(pkt, sizeof pkt, "$%s#%02x", body, sum & 0xFF);
    cr_assert_eq(GDB_EV_PACKET, feed(pkt, strlen(pkt)));
    cr_assert_eq(6, fr.len);
    cr_assert_eq('#', fr.buf[5]);
}

Test(gdb_packet, truncated_escape_is_malformed)
{
    cr_assert_eq(GDB_EV_MALFORMED, FEED("$ab}#40"));
}

Test(gdb_packet, run_length_repeats_the_previous_character)
{
    /* "0* " : '0' then ' ' (32) = 3 more: "0000". */
    cr_assert_eq(GDB_EV_PACKET, FEED("$0* #7a"));
    cr_assert_str_eq("0000", fr.buf);
}

Test(gdb_packet, run_length_without_a_character_is_malformed)
{
    cr_assert_eq(GDB_EV_MALFORMED, FEED("$* #4a"));
}

Test(gdb_packet, acks_and_interrupt_outside_a_packet)
{
    cr_assert_eq(GDB_EV_ACK, FEED("+"));
    cr_assert_eq(GDB_EV_NAK, FEED("-"));
    cr_assert_eq(GDB_EV_INTERRUPT, FEED("\x03"));
    cr_assert_eq(GDB_EV_NONE, FEED("garbage"));
}

Test(gdb_packet, oversized_packet_is_malformed_and_bounded)
{
    size_t n = GDB_PACKET_MAX + 100;
    char *p = malloc(n + 8);
    unsigned sum = 0;
    p[0] = '$';
    for (size_t i = 1; i <= n; i++) {
        p[i] = 'a';
        sum += 'a';
    }
    snprintf(p + n + 1, 7, "#%02x", sum & 0xFF);
    cr_assert_eq(GDB_EV_MALFORMED, feed(p, strlen(p)));
    cr_assert_eq(GDB_PACKET_MAX, fr.len);
    free(p);
    /* A run length cannot push past the limit either. */
    gdb_framer_init(&fr);
    char big[GDB_PACKET_MAX / 90 * 3 + 16];
    size_t k = 0;
    sum = 0;
    big[k++] = '$';
    while (k < sizeof big - 8) {
        big[k++] = 'x'; big[k++] = '*'; big[k++] = '~';    /* 'x' then 97 more */
        sum += 'x' + '*' + '~';
    }
    snprintf(big + k, 7, "#%02x", sum & 0xFF);
    cr_assert_eq(GDB_EV_MALFORMED, feed(big, strlen(big)));
    cr_assert_leq(fr.len, GDB_PACKET_MAX);
}

Test(gdb_packet, frame_escapes_and_round_trips)
{
    const char payload[] = "a$b#c}d*e";
    char out[64];
    size_t n = gdb_frame(out, sizeof out, payload, sizeof payload - 1);
    cr_assert_gt(n, 0);
    cr_assert_eq(NULL, memchr(out + 1, '$', n - 1));
    cr_assert_eq(GDB_EV_PACKET, feed(out, n));
    cr_assert_str_eq(payload, fr.buf);
    cr_assert_eq(0, gdb_frame(out, 6, payload, sizeof payload - 1));   /* too small: nothing */
}

Test(gdb_packet, random_bytes_never_overflow)
{
    srand(12345);
    for (int round = 0; round < 200000; round++) {
        static const char alphabet[] = "$#}*+-\x03" "0123456789abcdefXgm,:";
        uint8_t c = rand() % 4 ? (uint8_t)alphabet[rand() % (sizeof alphabet - 1)] : (uint8_t)rand();
        enum gdb_event e = gdb_framer_feed(&fr, c);
        cr_assert_leq(fr.len, GDB_PACKET_MAX);
        cr_assert_leq(e, GDB_EV_NAK);
    }
}
