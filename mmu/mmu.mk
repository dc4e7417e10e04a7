# mmu/ - the physical bus (RAM, MMIO and port dispatch); the page walker and
# the PCID-tagged TLB arrive with the system-architecture issue.
LIB_SRCS += $(wildcard mmu/*.c)
