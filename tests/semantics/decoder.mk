# tests/semantics/decoder.mk - the decoder cross-check against Zydis.
#   make decoder-check [STRINGS=1000000] [SEED=1] [VENDOR=intel|amd]
# prints "decoder: <N> agree, <M> disagree" for 16-, 32- and 64-bit mode.
# DECODER_CHECK_OBJS (+ the ASan twin) and DECODER_CHECK_LIBS are what
# build/tests/check-tests links for tests/check/test_decoder.c.

DECODER_CHECK_SRCS      := tests/semantics/decoder_check.c tests/semantics/decoder_gen.c
DECODER_CHECK_OBJS      := $(DECODER_CHECK_SRCS:%.c=$(BUILD)/%.o)
DECODER_CHECK_ASAN_OBJS := $(DECODER_CHECK_SRCS:%.c=$(BUILD)/asan/%.o)
DECODER_CHECK_LIBS      := -lZydis

STRINGS ?= 1000000
SEED    ?= 1
VENDOR  ?= intel

$(BUILD)/tests/decoder-check: $(BUILD)/tests/semantics/decoder_check_main.o \
                              $(DECODER_CHECK_OBJS) $(LIB)
	$(CC) $(CFLAGS) -o $@ $^ $(DECODER_CHECK_LIBS) $(LDLIBS)

.PHONY: decoder-check
decoder-check: $(BUILD)/tests/decoder-check
	$(BUILD)/tests/decoder-check --strings $(STRINGS) --seed $(SEED) --vendor $(VENDOR)

# check-tests is linked by tests/semantics/semantics.mk (with the semantics
# objects); until that fragment exists, link it here so make test runs the
# quick decoder comparison.
ifeq ($(wildcard tests/semantics/semantics.mk),)
CHECK_SRCS := $(wildcard tests/check/*.c)

$(BUILD)/tests/check-tests: $(CHECK_SRCS:%.c=$(BUILD)/%.o) $(DECODER_CHECK_OBJS) $(LIB)
	$(CC) $(CFLAGS) -o $@ $^ -lcriterion $(DECODER_CHECK_LIBS) $(LDLIBS)

$(BUILD)/asan/tests/check-tests: $(CHECK_SRCS:%.c=$(BUILD)/asan/%.o) \
                                 $(DECODER_CHECK_ASAN_OBJS) $(LIB_ASAN)
	$(CC) $(ASAN_CFLAGS) -o $@ $^ -lcriterion $(DECODER_CHECK_LIBS) $(LDLIBS)

TEST_PROGRAMS += $(BUILD)/tests/check-tests $(BUILD)/asan/tests/check-tests
endif
