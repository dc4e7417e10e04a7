# tests/ntsvc: one guest program per system service of the built-in kernel
# (tests/ntsvc/<Service>.c) and the system-call fuzzer (fuzz.c), built with
# guest/ntcc as a user builds a program; tests/unit/test_ntservices.c runs
# each on the kernel with its ramdisk.  Included from guest/guest.mk (it
# needs NTG_RUNTIME).

NTSVC_DIR   := $(BUILD)/ntsvc
NTSVC_PROGS := $(patsubst tests/ntsvc/%.c,$(NTSVC_DIR)/%.elf,$(wildcard tests/ntsvc/*.c))

$(NTSVC_DIR)/%.elf: tests/ntsvc/%.c tests/ntsvc/ntsvc.h $(NTG_RUNTIME)
	@mkdir -p $(@D)
	BUILD=$(BUILD) guest/ntcc -Wall -Wextra -Werror -MMD -MP -MF $(@:.elf=.d) $< -o $@

.PHONY: ntsvc
ntsvc: $(NTSVC_PROGS)

TEST_PROGRAMS += $(NTSVC_PROGS)
$(BUILD)/tests/unit-tests $(BUILD)/asan/tests/unit-tests: | $(NTSVC_PROGS)
-include $(wildcard $(NTSVC_DIR)/*.d)
