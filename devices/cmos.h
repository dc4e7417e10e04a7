/* cmos.h - the MC146818 real-time clock and its 128 bytes of CMOS RAM at
 * ports 0x70 (index, bit 7 = NMI mask) and 0x71 (data), following the
 * Motorola MC146818A datasheet: time and calendar in BCD or binary, 12 or 24
 * hours, registers A-D, periodic/alarm/update-ended interrupts on IRQ 8, plus
 * the PC/AT memory-size bytes as QEMU's pc machine fills them.
 */
#ifndef RINGSIM_CMOS_H
#define RINGSIM_CMOS_H

#include <stdbool.h>
#include <stdint.h>
#include "devices/device.h"
#include "sim/timers.h"

struct bus;

#define CMOS_PORT_INDEX 0x70
#define CMOS_PORT_DATA  0x71
#define CMOS_SIZE       128

/* Register indices. */
#define CMOS_SECONDS       0x00
#define CMOS_SECONDS_ALARM 0x01
#define CMOS_MINUTES       0x02
#define CMOS_MINUTES_ALARM 0x03
#define CMOS_HOURS         0x04
#define CMOS_HOURS_ALARM   0x05
#define CMOS_DAY_OF_WEEK   0x06      /* 1 = Sunday */
#define CMOS_DAY_OF_MONTH  0x07
#define CMOS_MONTH         0x08
#define CMOS_YEAR          0x09
#define CMOS_REG_A         0x0A
#define CMOS_REG_B         0x0B
#define CMOS_REG_C         0x0C
#define CMOS_REG_D         0x0D
#define CMOS_CENTURY       0x32      /* IBM PC/AT convention */

#define CMOS_A_UIP        0x80       /* an update is due within 244 us */
#define CMOS_A_DV_MASK    0x70
#define CMOS_A_DV_32KHZ   0x20       /* divider 010: 32.768 kHz, clock runs */
#define CMOS_A_RS_MASK    0x0F
#define CMOS_B_SET        0x80       /* inhibit updates so the time can be set */
#define CMOS_B_PIE        0x40
#define CMOS_B_AIE        0x20
#define CMOS_B_UIE        0x10
#define CMOS_B_SQWE       0x08
#define CMOS_B_DM_BINARY  0x04
#define CMOS_B_24H        0x02
#define CMOS_B_DSE        0x01
#define CMOS_C_IRQF       0x80
#define CMOS_C_PF         0x40
#define CMOS_C_AF         0x20
#define CMOS_C_UF         0x10
#define CMOS_D_VRT        0x80
#define CMOS_HOURS_PM     0x80       /* 12-hour mode */
#define CMOS_ALARM_ANY    0xC0       /* an alarm byte 11xxxxxx matches anything */

#define CMOS_UIP_NS        244000ull
#define CMOS_DEFAULT_EPOCH 1767225600ll   /* 2026-01-01 00:00:00 UTC */

struct cmos {
    struct timer_queue *q;
    struct irq_line irq;      /* IRQ 8 */
    uint8_t ram[CMOS_SIZE];   /* time registers 0-9 and 0x32 are computed, not stored */
    uint8_t index;
    bool nmi_masked;
    bool running;             /* divider on and SET clear: the clock advances */
    int64_t wall_base;        /* running: wall seconds = wall_base + virtual seconds */
    int64_t frozen;           /* stopped: the wall seconds the registers hold */
    bool irq_level;
    uint64_t pf_checked_ns;   /* periodic edges up to here are already in PF */
    struct timer update_timer;     /* each virtual second while running */
    struct timer periodic_timer;   /* while PIE is set and RS != 0 */
};

/* Wall-clock time = epoch_seconds + virtual ns / 1e9 (Unix seconds, UTC).
 * irq8 may be NULL; it is copied. */
void cmos_init(struct cmos *c, struct timer_queue *q, const struct irq_line *irq8,
               int64_t epoch_seconds);
int cmos_attach(struct cmos *c, struct bus *bus);
/* Fill the base/extended memory-size bytes for ram_bytes of RAM. */
void cmos_set_memory(struct cmos *c, uint64_t ram_bytes);
bool cmos_nmi_masked(const struct cmos *c);
/* The clock's current wall time in Unix seconds. */
int64_t cmos_wall_seconds(const struct cmos *c);

#endif
