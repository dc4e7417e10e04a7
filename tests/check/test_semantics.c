/* test_semantics.c - the quick instruction-semantics differential run (layer 2 of
 * ARCHITECTURE.md's tests): every implemented opcode form, in 64-bit, 32-bit and 16-bit
 * code, against the host CPU; 204,000 generated cases from a fixed seed plus the
 * regression vectors, one test per row family.  make semantics runs the long version.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "cpu/insn.h"
#include "tests/semantics/semantics.h"

#define QUICK_SEED 0x5eed

static struct sem *open_tester(const struct cpu_model *model, FILE *out)
{
    struct sem_options opt = { .model = model, .out = out };
    struct sem *s = sem_open(&opt);
    cr_assert_not_null(s, "the native children (make build/tests/native64 native32) must run");
    return s;
}

/* n generated cases of one group: all agree with the host, and every form ran. */
static void check_group(const char *name, uint64_t n)
{
    int group = gen_group_find(name);
    cr_assert_geq(group, 0, "unknown group %s", name);
    struct sem *s = open_tester(NULL, stdout);
    sem_run_random(s, group, QUICK_SEED, n);
    unsigned missing = sem_uncovered(s, group, stdout);
    sem_print_summary(s);
    struct sem_counts k = sem_counts(s, group);
    sem_close(s);
    cr_expect_eq(missing, 0, "%s: %u forms were never generated", name, missing);
    cr_expect_eq(k.passed + k.failed + k.skipped, n, "%s: every case ran", name);
    cr_assert_eq(k.failed, 0, "%s: %llu of %llu cases differ from the host CPU (reproducers above)",
                 name, (unsigned long long)k.failed, (unsigned long long)n);
}

Test(semantics, alu_forms_agree_with_the_host_cpu) { check_group("alu", 40000); }
Test(semantics, shift_forms_agree_with_the_host_cpu) { check_group("shift", 24000); }
Test(semantics, muldiv_forms_agree_with_the_host_cpu) { check_group("muldiv", 12000); }
Test(semantics, bit_forms_agree_with_the_host_cpu) { check_group("bit", 16000); }
Test(semantics, bcd_forms_agree_with_the_host_cpu) { check_group("bcd", 6000); }
Test(semantics, move_forms_agree_with_the_host_cpu) { check_group("move", 24000); }
Test(semantics, atomic_forms_agree_with_the_host_cpu) { check_group("atomic", 8000); }
Test(semantics, stack_forms_agree_with_the_host_cpu) { check_group("stack", 20000); }
Test(semantics, ctrl_forms_agree_with_the_host_cpu) { check_group("ctrl", 16000); }
Test(semantics, string_forms_agree_with_the_host_cpu) { check_group("string", 16000); }
Test(semantics, bmi_forms_agree_with_the_host_cpu) { check_group("bmi", 12000); }
Test(semantics, misc_forms_agree_with_the_host_cpu) { check_group("misc", 10000); }

Test(semantics, regression_vectors_agree_with_the_host_cpu)
{
    struct sem *s = open_tester(NULL, stdout);
    long n = sem_run_vectors(s, sem_default_vectors());
    struct sem_counts k = sem_counts(s, SEM_VECTOR_GROUP);
    sem_print_summary(s);
    sem_close(s);
    cr_assert_geq(n, 0, "every line of %s parses", sem_default_vectors());
    cr_assert_eq(k.failed, 0, "%llu regression vectors differ from the host CPU",
                 (unsigned long long)k.failed);
}

/* The other vendor's profile must agree wherever the SDM defines the result. */
Test(semantics, other_vendor_profile_agrees_on_defined_results)
{
    const struct cpu_model *other =
        cpu_model_host()->vendor == VENDOR_AMD ? &cpu_model_intel : &cpu_model_amd;
    struct sem *s = open_tester(other, stdout);
    sem_run_random(s, G_NGROUPS, QUICK_SEED + 1, 12000);
    sem_print_summary(s);
    struct sem_counts t = sem_total(s);
    sem_close(s);
    cr_assert_eq(t.failed, 0, "profile %s: %llu cases differ in SDM-defined state", other->name,
                 (unsigned long long)t.failed);
}

Test(semantics, every_implemented_row_is_generated_or_excluded_with_a_reason)
{
    for (unsigned i = 0; i < op_table_size; i++) {
        if (op_table[i].area != AREA_CORE) continue;
        cr_expect(gen_exclusion(i) || gen_group(i) >= 0,
                  "row %u (%s) is neither generated nor excluded", i, op_table[i].mnem);
    }
}

/* RDTSC's value differs by design (virtual time against the host's TSC), so running it
 * must produce a reported mismatch: the comparison can fail. */
Test(semantics, a_difference_from_the_host_is_reported_with_a_reproducer)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    struct sem *s = open_tester(NULL, out);
    struct sem_case c;
    cr_assert(sem_parse_vector("m64 code=0f31 fl=0x0002 win=0x1", &c));
    bool agree = sem_run_case(s, &c, G_MISC);
    sem_close(s);
    fclose(out);
    cr_expect_not(agree, "the host's TSC is not the interpreter's");
    cr_expect(strstr(text, "MISMATCH") && strstr(text, "rdtsc"), "reproducer:\n%s", text);
    cr_expect(strstr(text, " rdx"), "the differing registers are named:\n%s", text);
    cr_expect(strstr(text, "vector  m64 code=0f31"), "and the vector line:\n%s", text);
    free(text);
}

/* One generated case of every form of the mnemonics whose undefined flags do not depend
 * on the operands: the case carries exactly the SDM's undefined set. */
Test(semantics, undefined_flags_follow_the_sdm_table)
{
    static const struct { const char *mnem; uint32_t flags; } sdm[] = {
        { "mul", FL_SF | FL_ZF | FL_AF | FL_PF }, { "imul", FL_SF | FL_ZF | FL_AF | FL_PF },
        { "div", FL_STATUS }, { "idiv", FL_STATUS }, { "and", FL_AF }, { "test", FL_AF },
        { "bt", FL_OF | FL_SF | FL_AF | FL_PF }, { "bsf", FL_CF | FL_OF | FL_SF | FL_AF | FL_PF },
        { "aaa", FL_OF | FL_SF | FL_ZF | FL_PF }, { "daa", FL_OF }, { "aam", FL_OF | FL_AF | FL_CF },
        { "add", 0 }, { "adc", 0 }, { "neg", 0 }, { "popcnt", 0 },
    };
    static struct sem_case c;
    struct gen_form forms[4096];
    struct gen_config cfg = { .same_vendor = true };
    unsigned n = gen_forms(G_NGROUPS, forms, 4096), checked = 0;
    for (unsigned k = 0; k < sizeof sdm / sizeof sdm[0]; k++)
        for (unsigned i = 0; i < n; i++) {
            if (strcmp(op_table[forms[i].row].mnem, sdm[k].mnem)) continue;
            gen_window(c.winseed = i, c.nc.data);
            cr_assert(gen_case(&c, &forms[i], i, &cfg));
            cr_expect_eq(c.undef_flags, sdm[k].flags, "%s (row %u): %#x", sdm[k].mnem,
                         forms[i].row, c.undef_flags);
            checked++;
        }
    cr_expect_gt(checked, 30);
}

/* Shifts and rotates by an immediate: a zero count leaves every flag defined (unchanged);
 * a count of one defines OF, leaving AF undefined after shifts and nothing after rotates. */
Test(semantics, shift_counts_zero_and_one_leave_no_flag_undefined_but_af)
{
    static const enum dmode dm[SEM_NMODES] = { DM_64, DM_32, DM_16 };
    static struct sem_case c;
    struct gen_form forms[4096];
    struct gen_config cfg = { .same_vendor = true };
    struct insn in;
    unsigned n = gen_forms(gen_group_find("shift"), forms, 4096), zero = 0, one = 0;
    for (unsigned i = 0; i < 40 * n; i++) {
        const struct op_row *row = &op_table[forms[i % n].row];
        if (row->opc != 0xC0 && row->opc != 0xC1) continue;
        gen_window(c.winseed = i, c.nc.data);
        cr_assert(gen_case(&c, &forms[i % n], i, &cfg));
        const struct decode_ctx ctx = { dm[c.mode], VENDOR_INTEL, CPU_FEATURES_ALL };
        if (decode(&in, c.nc.bytes, c.nc.len, &ctx) != DEC_OK) continue;
        unsigned count = in.imm & (in.osize == 8 ? 63 : 31);
        uint32_t want = count == 0 ? 0 : row->sub >= 4 ? FL_AF : 0;
        if (count > 1) continue;
        cr_expect_eq(c.undef_flags, want, "%s by %u: %#x", row->mnem, count, c.undef_flags);
        if (count) one++;
        else zero++;
    }
    cr_expect(zero > 10 && one > 10, "counts 0 and 1 were generated (%u, %u)", zero, one);
}

Test(semantics, vectors_survive_the_text_format)
{
    static struct sem_case c, back;
    struct gen_form forms[4096];
    struct gen_config cfg = { .same_vendor = true };
    char line[4096];
    unsigned n = gen_forms(G_NGROUPS, forms, 4096);
    cr_assert_gt(n, 0);
    for (unsigned i = 0; i < n; i += 7) {
        c.winseed = i;
        gen_window(c.winseed, c.nc.data);
        cr_assert(gen_case(&c, &forms[i], i * 977u, &cfg), "row %u", forms[i].row);
        cr_assert(sem_format_vector(&c, line, sizeof line));
        cr_assert(sem_parse_vector(line, &back), "%s", line);
        cr_expect(back.mode == c.mode && back.nc.len == c.nc.len &&
                  !memcmp(back.nc.bytes, c.nc.bytes, c.nc.len) &&
                  back.nc.rflags == c.nc.rflags && back.nc.ldt_data16 == c.nc.ldt_data16 &&
                  back.nc.code16_seg == c.nc.code16_seg, "%s", line);
        for (int r = 0; r < (c.mode == SEM_M64 ? 16 : 8); r++)
            cr_expect_eq(back.nc.gpr[r], c.nc.gpr[r], "register %d: %s", r, line);
        cr_expect(!memcmp(back.nc.data, c.nc.data, sizeof c.nc.data), "window: %s", line);
    }
}

Test(semantics, a_case_depends_only_on_its_seed)
{
    static struct sem_case a, b;
    struct gen_form forms[4096];
    struct gen_config cfg = { .same_vendor = true };
    unsigned n = gen_forms(G_NGROUPS, forms, 4096);
    for (unsigned i = 0; i < n; i += 13) {
        a.winseed = b.winseed = 42;
        gen_window(42, a.nc.data);
        gen_window(42, b.nc.data);
        gen_case(&a, &forms[i], 0xabcdef + i, &cfg);
        gen_case(&b, &forms[i], 0xabcdef + i, &cfg);
        cr_expect(!memcmp(&a, &b, sizeof a), "row %u", forms[i].row);
    }
}
