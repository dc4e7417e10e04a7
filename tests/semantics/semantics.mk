# tests/semantics/semantics.mk - the instruction-semantics differential tester.
#   make semantics [CASES=2000000] [SEED=1]   vectors, then CASES generated cases;
#                                             mismatches are appended to the vectors
# build/tests/semantics-tester is the program (build/tests/semantics/ holds objects of
# the decoder check), build/asan/tests/semantics-tester its ASan + UBSan twin.
# build/tests/check-tests links every tests/check/*.c with the semantics objects and
# the decoder-check objects (decoder.mk); more objects can be added to CHECK_EXTRA_OBJS.

SEM_SRCS      := gen.c gen_addr.c gen_rows.c gen_kinds.c semantics.c semantics_report.c \
                 semantics_vec.c
SEM_OBJDIR    := $(BUILD)/tests/obj/sem
SEM_ASAN_DIR  := $(BUILD)/asan/tests/obj/sem
SEM_OBJS      := $(SEM_SRCS:%.c=$(SEM_OBJDIR)/%.o) $(NATIVE_LIB_OBJ)
SEM_ASAN_OBJS := $(SEM_SRCS:%.c=$(SEM_ASAN_DIR)/%.o) $(SEM_ASAN_DIR)/native.o
SEM_CHILDREN  := $(NATIVE_OUT)/native64 $(NATIVE_OUT)/native32
SEM_LIBS      := -lZydis
SEM_DEFS      := -DSEM_NATIVE_DIR='"$(abspath $(NATIVE_OUT))"' \
                 -DSEM_VECTORS='"$(abspath tests/vectors/semantics.txt)"'

CASES ?= 2000000
SEED  ?= 1

$(SEM_OBJDIR)/%.o: tests/semantics/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SEM_DEFS) -c $< -o $@

$(SEM_ASAN_DIR)/%.o: tests/semantics/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ASAN_CFLAGS) $(SEM_DEFS) -c $< -o $@

# native.c defines _GNU_SOURCE itself, like native.mk builds it.
$(SEM_ASAN_DIR)/native.o: tests/semantics/native.c $(NATIVE_HDRS)
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O1 -g $(WARN) $(ASAN) -c $< -o $@

$(BUILD)/tests/semantics-tester: $(SEM_OBJDIR)/semantics_main.o $(SEM_OBJS) $(LIB) | $(SEM_CHILDREN)
	$(CC) $(CFLAGS) -o $@ $(SEM_OBJDIR)/semantics_main.o $(SEM_OBJS) $(LIB) $(SEM_LIBS) $(LDLIBS)

$(BUILD)/asan/tests/semantics-tester: $(SEM_ASAN_DIR)/semantics_main.o $(SEM_ASAN_OBJS) \
                                      $(LIB_ASAN) | $(SEM_CHILDREN)
	@mkdir -p $(@D)
	$(CC) $(ASAN_CFLAGS) -o $@ $(SEM_ASAN_DIR)/semantics_main.o $(SEM_ASAN_OBJS) $(LIB_ASAN) \
		$(SEM_LIBS) $(LDLIBS)

.PHONY: semantics
semantics: $(BUILD)/tests/semantics-tester
	$(BUILD)/tests/semantics-tester --cases $(CASES) --seed $(SEED) --record \
		$(if $(STRICT),--strict)

# ---- build/tests/check-tests: the Criterion programs of tests/check/ -------------------
CHECK_SRCS            := $(wildcard tests/check/*.c) tests/runner_main.c
CHECK_EXTRA_OBJS      += $(SEM_OBJS) $(DECODER_CHECK_OBJS)
CHECK_EXTRA_ASAN_OBJS += $(SEM_ASAN_OBJS) $(DECODER_CHECK_ASAN_OBJS)
CHECK_LIBS            := -lcriterion $(SEM_LIBS) $(DECODER_CHECK_LIBS)

$(BUILD)/tests/check-tests: $(CHECK_SRCS:%.c=$(BUILD)/%.o) $(CHECK_EXTRA_OBJS) $(LIB) \
                            | $(SEM_CHILDREN)
	$(CC) $(CFLAGS) -o $@ $(filter %.o %.a,$^) $(CHECK_LIBS) $(LDLIBS)

$(BUILD)/asan/tests/check-tests: $(CHECK_SRCS:%.c=$(BUILD)/asan/%.o) $(CHECK_EXTRA_ASAN_OBJS) \
                                 $(LIB_ASAN) | $(SEM_CHILDREN)
	$(CC) $(ASAN_CFLAGS) -o $@ $(filter %.o %.a,$^) $(CHECK_LIBS) $(LDLIBS)

TEST_PROGRAMS += $(BUILD)/tests/check-tests $(BUILD)/asan/tests/check-tests
