# gdbstub/ - the GDB remote stub: framing (packet.c), registers and
# target.xml (regs.c), packets (stub.c), monitor commands (monitor.c), TCP
# transport (tcp.c).  All in the library; tests drive the first four
# without a socket.
LIB_SRCS += $(wildcard gdbstub/*.c)
