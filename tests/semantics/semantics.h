/* semantics.h - the instruction-semantics differential tester: runs generated cases
 * (gen.h) and regression vectors natively in the sandboxed children (native.h) and in
 * the interpreter, compares registers, RIP, flags, the window and exceptions, prints
 * a reproducer for each mismatch and can record it as a vector (ARCHITECTURE.md,
 * "Tests, by layer", item 2).  Used by semantics_main.c and tests/check/.
 */
#ifndef RINGSIM_TESTS_SEMANTICS_SEMANTICS_H
#define RINGSIM_TESTS_SEMANTICS_SEMANTICS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "cpu/cpu.h"
#include "tests/semantics/gen.h"

#define SEM_VECTOR_GROUP G_NGROUPS          /* counts of replayed regression vectors */
#define SEM_MAX_REPORTS  20

struct sem_options {
    const char *native_dir;         /* holds native64 and native32; NULL: the build's */
    const struct cpu_model *model;  /* the interpreter's profile; NULL: the host's */
    const char *record_path;        /* append mismatching cases here; NULL: do not */
    FILE *out;                      /* reports and summary; NULL: stdout */
    unsigned max_reports;           /* reproducers printed; 0: SEM_MAX_REPORTS */
    bool stats;                     /* the summary shows how the host ended each group's cases */
    unsigned trace;                 /* print the first trace cases and both outcomes */
    bool strict;                    /* compare undefined results even for an unverified profile */
};

/* skipped: the native child died because the case's stack pointer lies in its own image
 * (see gen_config); neither passed nor failed, and reported. */
struct sem_counts { uint64_t passed, failed, skipped; };

struct sem;

struct sem *sem_open(const struct sem_options *opt);    /* NULL (and a message) on failure */
void sem_close(struct sem *s);

/* Run n generated cases of a group (G_NGROUPS: every group) from seed. */
void sem_run_random(struct sem *s, int group, uint64_t seed, uint64_t n);
/* Replay the vectors in path (a missing file has none); -1 if a line does not parse. */
long sem_run_vectors(struct sem *s, const char *path);
/* Run one case; true if the host and the interpreter agree. */
bool sem_run_case(struct sem *s, const struct sem_case *c, int group);

struct sem_counts sem_counts(const struct sem *s, int group);   /* SEM_VECTOR_GROUP too */
struct sem_counts sem_total(const struct sem *s);
/* Forms of a group (G_NGROUPS: all) no case has exercised yet; lists them on out. */
unsigned sem_uncovered(const struct sem *s, int group, FILE *out);

void sem_print_exclusions(FILE *out);
void sem_print_summary(const struct sem *s);    /* ends with "semantics: N passed, M failed" */

/* Regression vectors: one case per line (format in semantics_vec.c). */
bool sem_format_vector(const struct sem_case *c, char *buf, size_t size);
bool sem_parse_vector(const char *line, struct sem_case *c);

/* The vectors file and native children of this checkout (set by the Makefile). */
const char *sem_default_vectors(void);
const char *sem_default_native_dir(void);

#endif
