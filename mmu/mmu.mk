# mmu/ - the physical bus (RAM, MMIO and port dispatch), the page walker
# (paging.c) and the architectural, PCID-tagged TLB (tlb.c).
LIB_SRCS += $(wildcard mmu/*.c)
