# tools/ - developer tools linked with the library.
#   make opcode-coverage   every opcode of the 1-byte and 0F maps: implemented,
#                          #UD by design or deferred; ends with "missing: N"
#                          for the integer instruction set.

$(BUILD)/opcode-coverage: $(BUILD)/tools/opcode_coverage.o $(LIB)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

.PHONY: opcode-coverage
opcode-coverage: $(BUILD)/opcode-coverage
	@$(BUILD)/opcode-coverage
