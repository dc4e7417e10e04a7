# tests/ - Criterion unit tests (tests/unit), the instruction-semantics
# differential tester and the decoder cross-check (tests/semantics), each
# also built with ASan + UBSan.  tests/run.sh runs them all and prints the
# closing "N passed, N failed" line from Criterion's own counts.

UNIT_SRCS := $(wildcard tests/unit/*.c) tests/runner_main.c

# test_features.c runs the front end: build/ringsim comes first (order-only).
$(BUILD)/tests/unit-tests: $(UNIT_SRCS:%.c=$(BUILD)/%.o) $(LIB) | $(BUILD)/ringsim
	$(CC) $(CFLAGS) -o $@ $^ -lcriterion $(LDLIBS)

$(BUILD)/asan/tests/unit-tests: $(UNIT_SRCS:%.c=$(BUILD)/asan/%.o) $(LIB_ASAN) | $(BUILD)/ringsim
	$(CC) $(ASAN_CFLAGS) -o $@ $^ -lcriterion $(LDLIBS)

TEST_PROGRAMS := $(BUILD)/tests/unit-tests $(BUILD)/asan/tests/unit-tests

include tests/semantics/native.mk
# decoder.mk first: semantics.mk links its DECODER_CHECK_OBJS into check-tests.
-include tests/semantics/decoder.mk
-include tests/semantics/semantics.mk
include tests/guest/guest.mk

.PHONY: test-build
test-build: $(TEST_PROGRAMS)

test: deps
	@$(MAKE) --no-print-directory test-build
	@sh tests/run.sh

# The quick suite: unit tests only, no sanitizer build.
test-quick: $(BUILD)/tests/unit-tests
	env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER $(BUILD)/tests/unit-tests --jobs=2
