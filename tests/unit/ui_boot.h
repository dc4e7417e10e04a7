/* ui_boot.h - a UI session on build/ntkernel.elf with its ramdisk and
 * ntdll's symbols, for the UI tests. */
#ifndef RINGSIM_TESTS_UI_BOOT_H
#define RINGSIM_TESTS_UI_BOOT_H

#include "ui/session.h"

void ui_test_open(struct ui_session *s);

#endif
