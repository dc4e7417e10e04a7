/* hidden64.h - included first in every 64-bit guest file (guest.mk): hidden
 * symbols let -fpie reach everything RIP-relative, without a GOT or PLT, so
 * the code assembles into the ELF32 container. */
#pragma GCC visibility push(hidden)
