/* test_garbage.c - random bytes executed as code in every mode: the
 * interpreter must always come back with a defined exit, never crash or
 * hang, and account every retired instruction.  The sanitizer build runs
 * the same cases, so an out-of-bounds access anywhere on these paths fails.
 */
#include <criterion/criterion.h>
#include <string.h>
#include "harness.h"
#include "mmu/bus.h"

#define PROGRAMS  600
#define CODE_LEN  96
#define BUDGET    300

/* A small deterministic generator, so a failure names a reproducible program. */
static uint64_t next_random(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

static void random_program(uint64_t *state, uint8_t *code)
{
    for (int i = 0; i < CODE_LEN; i++) code[i] = (uint8_t)next_random(state);
}

/* Registers point anywhere: into RAM, past it (open bus), at the code. */
static void random_registers(uint64_t *state, struct cpu *cpu)
{
    for (int r = 0; r < 16; r++) {
        uint64_t v = next_random(state);
        switch (v & 3) {
        case 0: cpu->gpr[r] = v >> 40; break;                /* small */
        case 1: cpu->gpr[r] = TH_CODE + (v >> 58); break;    /* near the code */
        case 2: cpu->gpr[r] = v; break;                      /* anything */
        default: cpu->gpr[r] = (v >> 32) & 0xFFFFF; break;   /* inside RAM */
        }
    }
    cpu->gpr[RSP] = TH_STACK - 8 * (next_random(state) & 0xFF);
}

static void run_garbage(enum dmode mode, uint64_t seed)
{
    uint64_t state = seed;
    uint8_t code[CODE_LEN];
    for (int p = 0; p < PROGRAMS; p++) {
        struct th t;
        th_init(&t, mode);
        random_program(&state, code);
        th_code(&t, code, sizeof code);
        random_registers(&state, &t.cpu);
        cpu_set_flags(&t.cpu, (next_random(&state) & (FL_STATUS | FL_DF)) | FL_IF);

        enum cpu_exit why = th_run(&t, BUDGET);

        cr_assert(why == EXIT_BUDGET || why == EXIT_EXCEPTION || why == EXIT_HALT,
                  "mode %d program %d (seed %#llx): exit %d", mode, p,
                  (unsigned long long)seed, why);
        cr_assert_leq(t.cpu.instret, BUDGET, "mode %d program %d retired more than asked",
                      mode, p);
        if (why == EXIT_BUDGET)
            cr_assert_eq(BUDGET, t.cpu.instret, "mode %d program %d stopped early", mode, p);
        if (why == EXIT_EXCEPTION)
            cr_assert_lt(t.cpu.exc_vector, 256, "mode %d program %d: vector %d", mode, p,
                         t.cpu.exc_vector);
        if (mode != DM_64)
            cr_assert_leq(t.cpu.rip, t.cpu.ip_mask, "mode %d program %d: RIP %#llx", mode, p,
                          (unsigned long long)t.cpu.rip);
        th_free(&t);
    }
}

Test(garbage, random_bytes_in_real_mode_always_stop_cleanly)
{
    run_garbage(DM_16, 0x9E3779B97F4A7C15ull);
}

Test(garbage, random_bytes_in_32bit_mode_always_stop_cleanly)
{
    run_garbage(DM_32, 0xD1B54A32D192ED03ull);
}

Test(garbage, random_bytes_in_64bit_mode_always_stop_cleanly)
{
    run_garbage(DM_64, 0xAEF17502108EF2D9ull);
}

/* Real mode with delivery on: faults go through the IVT (zeroed RAM, so
 * every vector leads to 0000:0000) and the machine keeps running garbage. */
Test(garbage, random_bytes_with_real_mode_delivery_keep_running)
{
    uint64_t state = 0x2545F4914F6CDD1Dull;
    uint8_t code[CODE_LEN];
    for (int p = 0; p < PROGRAMS / 4; p++) {
        struct th t;
        th_init(&t, DM_16);
        t.cpu.stop_on_exception = false;
        random_program(&state, code);
        th_code(&t, code, sizeof code);
        random_registers(&state, &t.cpu);
        enum cpu_exit why = th_run(&t, BUDGET);
        cr_assert(why == EXIT_BUDGET || why == EXIT_HALT || why == EXIT_SHUTDOWN,
                  "program %d: exit %d", p, why);
        if (why == EXIT_SHUTDOWN)
            cr_assert_neq(t.cpu.stop_message[0], 0, "program %d: shutdown without a message", p);
        th_free(&t);
    }
}
