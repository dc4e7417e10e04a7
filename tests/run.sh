#!/bin/sh
# run.sh - run every test program, keep each one's output in build/test-logs,
# and close with one line: "N passed, N failed", summed from Criterion's own
# "Synthesis" counts (a crash counts as a failure; a program that dies before
# its synthesis counts as one failure).
set -u
# No windows pop up on a desktop: the UI tests choose SDL's dummy driver themselves.
unset DISPLAY WAYLAND_DISPLAY SDL_VIDEODRIVER
BUILD=${BUILD:-build}
LOGS="$BUILD/test-logs"
mkdir -p "$LOGS"
passed=0
failed=0
status=0

run() {
    name=$1; shift
    log="$LOGS/$name.log"
    echo "== $name: $*"
    "$@" >"$log" 2>&1
    rc=$?
    synth=$(grep -a 'Synthesis:' "$log" | tail -1)
    if [ -z "$synth" ]; then
        # The runner itself failed before any summary (Criterion could not start
        # its workers, e.g. "Could not spawn test instance"): try once more, openly.
        echo "   $name: the runner stopped without a summary (exit $rc); running it again"
        tail -3 "$log" | sed 's/^/   | /'
        "$@" >"$log" 2>&1
        rc=$?
        synth=$(grep -a 'Synthesis:' "$log" | tail -1)
    fi
    if [ -z "$synth" ]; then
        echo "   $name: no Criterion summary (exit $rc); last lines:"
        tail -20 "$log" | sed 's/^/   | /'
        failed=$((failed + 1)); status=1
        return
    fi
    p=$(echo "$synth" | sed -n 's/.*Passing: \([0-9]*\).*/\1/p')
    f=$(echo "$synth" | sed -n 's/.*Failing: \([0-9]*\).*/\1/p')
    c=$(echo "$synth" | sed -n 's/.*Crashing: \([0-9]*\).*/\1/p')
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0} + ${c:-0}))
    # Criterion prints failures in place; show them with the summary.
    grep -a -E '\[(FAIL|----)\]|CRASH|ERROR|runtime error|AddressSanitizer' "$log" | head -40 | sed 's/^/   | /'
    grep -a -E '^(semantics|decoder|guest|  group|  mode)' "$log" | sed 's/^/   /'
    echo "   $synth"
    if [ "$rc" -ne 0 ] || [ "${f:-0}" -ne 0 ] || [ "${c:-0}" -ne 0 ]; then status=1; fi
}

for prog in $BUILD/tests/unit-tests $BUILD/asan/tests/unit-tests \
            $BUILD/tests/check-tests $BUILD/asan/tests/check-tests; do
    [ -x "$prog" ] || continue
    name=$(echo "$prog" | sed "s|^$BUILD/||; s|/|-|g")
    run "$name" "$prog" --jobs=2
done
echo "$passed passed, $failed failed"
exit $status
