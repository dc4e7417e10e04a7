/* obtypes.c - stand-ins for the process and thread types until ps/ defines
 * them: weak, so ps/'s definitions replace these at link time and nothing
 * here needs changing when they arrive. */
#include "obp.h"

__attribute__((weak)) OBJECT_TYPE PsProcessType = { "Process", NULL };
__attribute__((weak)) OBJECT_TYPE PsThreadType = { "Thread", NULL };
