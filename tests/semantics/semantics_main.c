/* semantics_main.c - the command line of the instruction-semantics differential tester
 * (make semantics CASES=N SEED=S).  Replays tests/vectors/semantics.txt, runs N
 * generated cases against the host CPU and ends with "semantics: N passed, M failed".
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tests/semantics/semantics.h"

static void usage(void)
{
    fprintf(stderr,
            "usage: semantics [--cases N] [--seed S] [--group NAME] [--vendor host|intel|amd]\n"
            "                 [--vectors FILE | --no-vectors] [--record] [--native-dir DIR]\n"
            "                 [--max-reports N] [--stats] [--trace N] [--strict]\n"
            "  --vendor   the interpreter's CPU model; undefined flags are compared only when\n"
            "             it is the host's vendor and the profile is verified (or --strict)\n"
            "  --record   append each mismatching case to the vectors file\n"
            "  --stats    show how the host ended each group's cases (done, landed, vectors)\n"
            "  --trace N  print the first N cases with both outcomes\n");
    exit(2);
}

struct args {
    uint64_t cases, seed;
    int group;
    const char *vectors;
    bool record;
    struct sem_options opt;
};

static uint64_t number(const char *s)
{
    char *end;
    uint64_t v = strtoull(s, &end, 0);
    if (*end) usage();
    return v;
}

static void parse_args(int argc, char **argv, struct args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = strcmp(arg, "--no-vectors") && strcmp(arg, "--record") &&
                     strcmp(arg, "--stats") && strcmp(arg, "--strict");
        if (takes && !val) usage();
        if (!strcmp(arg, "--cases")) a->cases = number(val);
        else if (!strcmp(arg, "--seed")) a->seed = number(val);
        else if (!strcmp(arg, "--group") && (a->group = gen_group_find(val)) < 0) usage();
        else if (!strcmp(arg, "--group")) ;
        else if (!strcmp(arg, "--vendor") && !(a->opt.model = cpu_model_find(val))) usage();
        else if (!strcmp(arg, "--vendor")) ;
        else if (!strcmp(arg, "--vectors")) a->vectors = val;
        else if (!strcmp(arg, "--no-vectors")) a->vectors = NULL;
        else if (!strcmp(arg, "--record")) a->record = true;
        else if (!strcmp(arg, "--stats")) a->opt.stats = true;
        else if (!strcmp(arg, "--strict")) a->opt.strict = true;
        else if (!strcmp(arg, "--native-dir")) a->opt.native_dir = val;
        else if (!strcmp(arg, "--max-reports")) a->opt.max_reports = (unsigned)number(val);
        else if (!strcmp(arg, "--trace")) a->opt.trace = (unsigned)number(val);
        else usage();
        i += takes;
    }
}

int main(int argc, char **argv)
{
    struct args a = { .cases = 2000000, .seed = 1, .group = G_NGROUPS,
                      .vectors = sem_default_vectors() };
    parse_args(argc, argv, &a);
    if (a.record) a.opt.record_path = a.vectors ? a.vectors : sem_default_vectors();
    const struct cpu_model *model = a.opt.model ? a.opt.model : cpu_model_host();
    printf("semantics: seed %#" PRIx64 ", %" PRIu64 " cases, profile %s, host %s\n", a.seed,
           a.cases, model->name, cpu_model_host()->name);
    sem_print_exclusions(stdout);
    struct sem *s = sem_open(&a.opt);
    if (!s) return 2;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long nvec = a.vectors ? sem_run_vectors(s, a.vectors) : 0;
    if (nvec > 0) printf("vectors: %ld replayed from %s\n", nvec, a.vectors);
    sem_run_random(s, a.group, a.seed, a.cases);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double dt = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    unsigned missing = a.cases ? sem_uncovered(s, a.group, stdout) : 0;
    printf("coverage: %s (%.1f s, %.0f cases/s)\n",
           !a.cases ? "no generated cases" : missing ? "some forms were not exercised (listed above)"
                                                   : "every implemented form exercised",
           dt, dt > 0 ? (double)(a.cases + (uint64_t)(nvec > 0 ? nvec : 0)) / dt : 0.0);
    sem_print_summary(s);
    struct sem_counts t = sem_total(s);
    sem_close(s);
    return t.failed ? 1 : 0;
}
