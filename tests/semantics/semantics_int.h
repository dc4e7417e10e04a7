/* semantics_int.h - the differential tester's state, shared by semantics.c (running and
 * comparing cases) and semantics_report.c (reproducers, vectors, summaries).  Private to
 * the tester; semantics.h is its interface.
 */
#ifndef RINGSIM_TESTS_SEMANTICS_SEMANTICS_INT_H
#define RINGSIM_TESTS_SEMANTICS_SEMANTICS_INT_H

#include "cpu/cpu.h"
#include "mmu/bus.h"
#include "tests/semantics/native.h"
#include "tests/semantics/semantics.h"

#define DATA ((uint64_t)NATIVE_DATA_ADDR)
#define CODE ((uint64_t)NATIVE_CODE_ADDR)
#define WIN  NATIVE_DATA_SIZE

enum sem_end { END_DONE, END_FAULT, END_RUNAWAY, END_STOPPED, END_NATIVE_ERROR };

/* One side's outcome: where it stopped and the state there. */
struct sem_state {
    uint8_t end;                /* enum sem_end */
    int vector;                 /* END_FAULT: the exception */
    uint32_t error;             /* its error code, EXC_NO_ERROR if it has none */
    uint64_t rip;               /* linear: the landing address or the faulting RIP */
    uint64_t gpr[16], rflags;
    uint16_t ndiff;
    bool overflow;
    struct { uint16_t off; uint8_t val; } diff[NATIVE_MAX_DIFF];
    const char *note;
};

struct sem {
    FILE *out;
    unsigned max_reports, reports;
    const char *record_path;
    struct native *child[2];            /* NATIVE_64, NATIVE_32 */
    struct bus *bus;
    struct cpu cpu;
    bool same_vendor;
    struct gen_config gcfg;
    uint16_t sel[SEM_NMODES][2][6];     /* the children's selectors: mode, ldt_data16, sreg */
    struct sem_counts counts[G_NGROUPS + 1];
    bool stats;
    unsigned trace;
    uint64_t ends[G_NGROUPS + 1][34];   /* the host's outcomes: vector 0-31, done, landed */
    uint64_t mode_cases[SEM_NMODES];
    uint8_t *covered;                   /* per row and mode */
    uint8_t *recorded;                  /* per row and mode: recorded in this run */
    unsigned recorded_count;            /* vectors appended to record_path */
    bool refill;                        /* a mismatch: the landing zones may be dirty */
    uint64_t seed, index;               /* where the current generated case came from */
    uint64_t window_seed;               /* window holds gen_window(window_seed) */
    bool window_valid;
    uint8_t window[WIN];
    struct sem_case c;
    struct sem_state nat, sim;
};

enum { D_END = 1, D_RIP = 2, D_VECTOR = 4, D_ERROR = 8, D_FLAGS = 16, D_MEM = 32, D_GPR = 64 };

struct verdict {
    unsigned what;              /* D_* */
    uint16_t gprs;              /* registers that differ */
    uint64_t flags;             /* flag bits that differ */
};

/* A register as the case's mode sees it: the 32-bit child has no upper halves. */
static inline uint64_t gpr_view(const struct sem_case *c, uint64_t v)
{
    return c->mode == SEM_M64 ? v : (uint32_t)v;
}

/* reproducers, vectors and summaries (semantics_report.c) */
void sem_report(struct sem *s, const struct sem_case *c, const struct verdict *v);
void sem_record(struct sem *s, const struct sem_case *c);
void sem_trace(struct sem *s, const struct sem_case *c);
void sem_disassemble(const struct sem_case *c, char *buf, size_t size);
void sem_describe_end(const struct sem_state *st, char *buf, size_t size);

#endif
