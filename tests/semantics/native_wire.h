/* native_wire.h - private pipe protocol between native.c (parent) and native_child.c.
 * Fixed-size little-endian records with explicit padding, so the 64-bit parent and the
 * 32-bit child (where uint64_t is only 4-aligned inside structs) agree on the layout.
 * Not part of the tester's interface: include native.h instead. */
#ifndef RINGSIM_TESTS_SEMANTICS_NATIVE_WIRE_H
#define RINGSIM_TESTS_SEMANTICS_NATIVE_WIRE_H

#include <stdint.h>
#include "native.h"

#define NATIVE_WIRE_HELLO_MAGIC 0x6c6c6568u   /* child -> parent once, after setup */
#define NATIVE_WIRE_REQ_MAGIC   0x71657277u   /* parent -> child, one per case */
#define NATIVE_WIRE_RSP_MAGIC   0x70737277u   /* child -> parent, one per case */

/* The data window travels in chunks; only chunks that differ from what this child
 * already holds are sent, so repeated/similar windows cost little pipe bandwidth. */
#define NATIVE_WIRE_CHUNK   256u
#define NATIVE_WIRE_NCHUNK  (NATIVE_DATA_SIZE / NATIVE_WIRE_CHUNK)   /* 32: fits chunk_mask */

/* hello.caps bits */
#define NATIVE_CAP_SECCOMP   1u   /* strict seccomp is active */
#define NATIVE_CAP_LDT       2u   /* 32-bit child: LDT data16/code16 segments exist */
#define NATIVE_CAP_FSGSBASE  4u   /* 64-bit child: rd/wrfsbase usable, bases are reported */

/* 32-bit child: selectors of the LDT segments (entry 0 and 1, TI=1, RPL=3) */
#define NATIVE_LDT_DATA_SEL  0x07u
#define NATIVE_LDT_CODE_SEL  0x0fu

struct native_wire_hello {
    uint32_t magic;
    uint32_t bits;              /* 64 or 32: guards against swapped child paths */
    uint32_t caps;
    uint32_t reserved;
};

struct native_wire_req {
    uint64_t gpr[16];
    uint64_t rflags;
    uint32_t magic, seq;
    uint32_t chunk_mask;        /* bit i: chunk i of the window follows, in order */
    uint8_t  len, code16_seg, ldt_data16, reserved;
    uint8_t  bytes[16];
};

struct native_wire_rsp {
    uint64_t fault_addr, trapno, err;
    uint64_t gpr[16];
    uint64_t rip, rflags, fs_base, gs_base;
    uint32_t magic, seq;
    int32_t  signal, si_code;
    uint16_t ndiff, overflow;   /* ndiff native_wire_diff records follow */
    uint32_t reserved;
};

struct native_wire_diff {
    uint16_t off;
    uint8_t  val, reserved;
};

#define NATIVE_WIRE_RSP_MAX \
    (sizeof(struct native_wire_rsp) + NATIVE_MAX_DIFF * sizeof(struct native_wire_diff))

_Static_assert(sizeof(struct native_wire_hello) == 16, "hello layout");
_Static_assert(sizeof(struct native_wire_req) == 168, "req layout");
_Static_assert(sizeof(struct native_wire_rsp) == 208, "rsp layout");
_Static_assert(sizeof(struct native_wire_diff) == 4, "diff layout");
_Static_assert(NATIVE_WIRE_NCHUNK <= 32, "chunk_mask is 32 bits");
_Static_assert(NATIVE_WIRE_RSP_MAX <= 4096, "response must be one atomic pipe write");

#endif
