# sim/ - the machine and the command-line front end (main.c is not in the library).
SIM_SRCS := $(filter-out sim/main.c,$(wildcard sim/*.c))
LIB_SRCS += $(SIM_SRCS)

$(BUILD)/ringsim: $(BUILD)/sim/main.o $(LIB)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
