# cpu/ - decoder, opcode table, handlers, flags, exceptions, dispatch.
CPU_SRCS := $(wildcard cpu/*.c)
LIB_SRCS += $(CPU_SRCS)
