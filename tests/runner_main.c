/* runner_main.c - the test runners' main (unit-tests and check-tests):
 * Criterion's own main, except that the runner process ends with _exit.  Criterion 2.4's runner keeps some of its
 * bookkeeping to the end (LeakSanitizer sees 48 bytes now and then in the
 * ASan build, allocated inside libcriterion with no frame of ours); the
 * tests themselves run in worker processes, whose leaks are still reported. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    struct criterion_test_set *tests = criterion_initialize();
    int result = 0;
    if (criterion_handle_args(argc, argv, true)) result = !criterion_run_all_tests(tests);
    criterion_finalize(tests);
    fflush(NULL);
    _exit(result);
}
