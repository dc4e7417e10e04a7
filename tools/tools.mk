# tools/ - developer tools linked with the library, and build-time tools.
#   build/tools/mkramdisk  OUT FILE...: the built-in kernel's boot ramdisk
#   make opcode-coverage   every opcode of the 1-byte and 0F maps: implemented,
#                          #UD by design or deferred; ends with "missing: N"
#                          for the integer instruction set.

$(BUILD)/opcode-coverage: $(BUILD)/tools/opcode_coverage.o $(LIB)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

.PHONY: opcode-coverage
opcode-coverage: $(BUILD)/opcode-coverage
	@$(BUILD)/opcode-coverage

$(BUILD)/tools/mkramdisk: $(BUILD)/tools/mkramdisk.o
	$(CC) $(CFLAGS) -o $@ $^

# tests/unit/test_builtin.c runs it.
$(BUILD)/tests/unit-tests $(BUILD)/asan/tests/unit-tests: | $(BUILD)/tools/mkramdisk
