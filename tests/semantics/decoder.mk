# tests/semantics/decoder.mk - the decoder cross-check against Zydis.
#   make decoder-check [STRINGS=1000000] [SEED=1] [VENDOR=intel|amd]
# prints "decoder: <N> agree, <M> disagree" for 16-, 32- and 64-bit mode.
# DECODER_CHECK_OBJS (+ the ASan twin) and DECODER_CHECK_LIBS are what
# build/tests/check-tests links for tests/check/test_decoder.c (the link is in
# semantics.mk, included after this fragment).

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
