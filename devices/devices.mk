# devices/ - one chip per file; each is tested on its own (tests/unit/test_dev_*.c).
LIB_SRCS += $(wildcard devices/*.c)
