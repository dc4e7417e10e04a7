/* sys_ss0.c - the stack faults of a privilege change that depend on the new
 * stack's limit (SDM Vol. 3 6.12.1, INT n "IF new stack does not have room
 * ... THEN #SS(NewSS + EXT)"): ESP0 so low that the frame crosses SS0's
 * limit, an expand-down SS0 below and above its limit.  The code is
 * sys_combo.c's; QEMU 7.2 does not check the limit of the new stack while it
 * pushes the frame, so these checks stand on the SDM alone.
 */
#define COMBO_LIMITS 1
#include "sys_combo.c"
