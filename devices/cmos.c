/* cmos.c - MC146818 RTC and CMOS RAM (see cmos.h).  The clock is kept as Unix
 * seconds and turned into register values when read, so BCD/binary and 12/24
 * hour changes show at once; updates, the periodic interrupt and the alarm
 * happen at exact virtual times through the timer queue.
 */
#include "cmos.h"
#include "mmu/bus.h"

#define NS_PER_S   1000000000ull
#define RTC_HZ     32768ull          /* the divider's time base */

struct rtc_time { int sec, min, hour, wday, mday, mon, year; };

/* ---- calendar arithmetic (proleptic Gregorian, days since 1970-01-01) ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, struct rtc_time *t)
{
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    t->mday = (int)(doy - (153 * mp + 2) / 5 + 1);
    t->mon = (int)(mp < 10 ? mp + 3 : mp - 9);
    t->year = (int)(yoe + era * 400 + (t->mon <= 2));
}

static void time_from_seconds(int64_t s, struct rtc_time *t)
{
    int64_t days = floor_div(s, 86400);
    int64_t rem = s - days * 86400;
    civil_from_days(days, t);
    t->hour = (int)(rem / 3600);
    t->min = (int)(rem / 60 % 60);
    t->sec = (int)(rem % 60);
    t->wday = (int)(days + 4 - floor_div(days + 4, 7) * 7);   /* 0 = Sunday; 1970-01-01 was a Thursday */
}

static int64_t seconds_from_time(const struct rtc_time *t)
{
    int mon = t->mon < 1 ? 1 : t->mon > 12 ? 12 : t->mon;
    return days_from_civil(t->year, mon, t->mday) * 86400 +
           (int64_t)t->hour * 3600 + t->min * 60 + t->sec;
}

/* ---- the clock ------------------------------------------------------------ */

int64_t cmos_wall_seconds(const struct cmos *c)
{
    if (!c->running) return c->frozen;
    return c->wall_base + (int64_t)(tq_now(c->q) / NS_PER_S);
}

static void set_wall_seconds(struct cmos *c, int64_t s)
{
    if (c->running) c->wall_base = s - (int64_t)(tq_now(c->q) / NS_PER_S);
    else c->frozen = s;
}

static bool binary_mode(const struct cmos *c) { return c->ram[CMOS_REG_B] & CMOS_B_DM_BINARY; }
static bool hours_24(const struct cmos *c) { return c->ram[CMOS_REG_B] & CMOS_B_24H; }

static uint8_t to_reg(const struct cmos *c, int v)
{
    return binary_mode(c) ? (uint8_t)v : (uint8_t)((v / 10) << 4 | v % 10);
}

static int from_reg(const struct cmos *c, uint8_t b)
{
    return binary_mode(c) ? b : (b >> 4) * 10 + (b & 15);
}

static uint8_t hours_to_reg(const struct cmos *c, int h)
{
    if (hours_24(c)) return to_reg(c, h);
    int h12 = h % 12 == 0 ? 12 : h % 12;
    return to_reg(c, h12) | (h >= 12 ? CMOS_HOURS_PM : 0);
}

static int hours_from_reg(const struct cmos *c, uint8_t b)
{
    if (hours_24(c)) return from_reg(c, b);
    return from_reg(c, b & 0x7F) % 12 + (b & CMOS_HOURS_PM ? 12 : 0);
}

static bool is_time_reg(uint8_t index)
{
    return (index <= CMOS_YEAR && index != CMOS_SECONDS_ALARM && index != CMOS_MINUTES_ALARM &&
            index != CMOS_HOURS_ALARM) || index == CMOS_CENTURY;
}

static uint8_t time_reg_read(const struct cmos *c, uint8_t index)
{
    struct rtc_time t;
    time_from_seconds(cmos_wall_seconds(c), &t);
    switch (index) {
    case CMOS_SECONDS:      return to_reg(c, t.sec);
    case CMOS_MINUTES:      return to_reg(c, t.min);
    case CMOS_HOURS:        return hours_to_reg(c, t.hour);
    case CMOS_DAY_OF_WEEK:  return to_reg(c, t.wday + 1);
    case CMOS_DAY_OF_MONTH: return to_reg(c, t.mday);
    case CMOS_MONTH:        return to_reg(c, t.mon);
    case CMOS_YEAR:         return to_reg(c, t.year % 100);
    default:                return to_reg(c, t.year / 100 % 100);   /* century */
    }
}

/* A write changes one field of the calendar; the day of week follows the date. */
static void time_reg_write(struct cmos *c, uint8_t index, uint8_t v)
{
    struct rtc_time t;
    time_from_seconds(cmos_wall_seconds(c), &t);
    switch (index) {
    case CMOS_SECONDS:      t.sec = from_reg(c, v); break;
    case CMOS_MINUTES:      t.min = from_reg(c, v); break;
    case CMOS_HOURS:        t.hour = hours_from_reg(c, v); break;
    case CMOS_DAY_OF_MONTH: t.mday = from_reg(c, v); break;
    case CMOS_MONTH:        t.mon = from_reg(c, v); break;
    case CMOS_YEAR:         t.year = t.year / 100 * 100 + from_reg(c, v); break;
    case CMOS_CENTURY:      t.year = from_reg(c, v) * 100 + t.year % 100; break;
    default:                return;
    }
    set_wall_seconds(c, seconds_from_time(&t));
}

/* ---- interrupts ----------------------------------------------------------- */

/* IRQF = PF.PIE + AF.AIE + UF.UIE (the enable bits line up with the flags);
 * the line stays high until register C is read. */
static void update_irq(struct cmos *c)
{
    uint8_t pending = c->ram[CMOS_REG_C] & c->ram[CMOS_REG_B] &
                      (CMOS_C_PF | CMOS_C_AF | CMOS_C_UF);
    if (!pending) return;
    c->ram[CMOS_REG_C] |= CMOS_C_IRQF;
    if (c->irq_level) return;
    c->irq_level = true;
    irq_set(&c->irq, 1);
}

/* Periodic interrupt period in 32.768 kHz ticks for rate select rs, 0 = off. */
static uint64_t periodic_ticks(const struct cmos *c)
{
    unsigned rs = c->ram[CMOS_REG_A] & CMOS_A_RS_MASK;
    if (rs == 0) return 0;
    return rs <= 2 ? 1ull << (rs + 6) : 1ull << (rs - 1);
}

static uint64_t ns_of_tick(uint64_t tick)
{
    return tick / RTC_HZ * NS_PER_S + (tick % RTC_HZ * NS_PER_S + RTC_HZ - 1) / RTC_HZ;
}

static uint64_t tick_of_ns(uint64_t ns)
{
    return ns / NS_PER_S * RTC_HZ + ns % NS_PER_S * RTC_HZ / NS_PER_S;
}

/* Set PF if a periodic edge fell since the last check, whether or not PIE is on. */
static void catch_up_pf(struct cmos *c)
{
    uint64_t p = periodic_ticks(c), now = tq_now(c->q);
    if (p && tick_of_ns(now) / p > tick_of_ns(c->pf_checked_ns) / p)
        c->ram[CMOS_REG_C] |= CMOS_C_PF;
    c->pf_checked_ns = now;
}

static void arm_periodic(struct cmos *c)
{
    uint64_t p = periodic_ticks(c);
    if (!p || !(c->ram[CMOS_REG_B] & CMOS_B_PIE)) {
        timer_disarm(c->q, &c->periodic_timer);
        return;
    }
    uint64_t next = (tick_of_ns(tq_now(c->q)) / p + 1) * p;
    timer_arm(c->q, &c->periodic_timer, ns_of_tick(next));
}

static void periodic_fired(void *ctx, uint64_t now)
{
    struct cmos *c = ctx;
    c->ram[CMOS_REG_C] |= CMOS_C_PF;
    c->pf_checked_ns = now;
    arm_periodic(c);
    update_irq(c);            /* last: the handler may read register C */
}

static bool alarm_matches(const struct cmos *c)
{
    static const uint8_t pairs[3][2] = { { CMOS_SECONDS_ALARM, CMOS_SECONDS },
        { CMOS_MINUTES_ALARM, CMOS_MINUTES }, { CMOS_HOURS_ALARM, CMOS_HOURS } };
    for (int i = 0; i < 3; i++) {
        uint8_t a = c->ram[pairs[i][0]];
        if ((a & CMOS_ALARM_ANY) != CMOS_ALARM_ANY && a != time_reg_read(c, pairs[i][1]))
            return false;
    }
    return true;
}

/* The update cycle ends on each virtual second boundary. */
static void update_fired(void *ctx, uint64_t now)
{
    struct cmos *c = ctx;
    c->ram[CMOS_REG_C] |= CMOS_C_UF;
    if (alarm_matches(c)) c->ram[CMOS_REG_C] |= CMOS_C_AF;
    timer_arm(c->q, &c->update_timer, (now / NS_PER_S + 1) * NS_PER_S);
    update_irq(c);
}

/* The clock runs while the divider is on 32.768 kHz and SET is clear. */
static void sync_running(struct cmos *c)
{
    bool want = (c->ram[CMOS_REG_A] & CMOS_A_DV_MASK) == CMOS_A_DV_32KHZ &&
                !(c->ram[CMOS_REG_B] & CMOS_B_SET);
    if (want == c->running) return;
    int64_t s = cmos_wall_seconds(c);
    c->running = want;
    set_wall_seconds(c, s);
    if (want)
        timer_arm(c->q, &c->update_timer, (tq_now(c->q) / NS_PER_S + 1) * NS_PER_S);
    else
        timer_disarm(c->q, &c->update_timer);
}

/* ---- registers ------------------------------------------------------------ */

static bool uip(const struct cmos *c)
{
    return c->running && tq_now(c->q) % NS_PER_S >= NS_PER_S - CMOS_UIP_NS;
}

static uint8_t read_reg_c(struct cmos *c)
{
    catch_up_pf(c);
    uint8_t v = c->ram[CMOS_REG_C];
    c->ram[CMOS_REG_C] = 0;
    if (c->irq_level) {
        c->irq_level = false;
        irq_set(&c->irq, 0);
    }
    return v;
}

static uint8_t cmos_read(struct cmos *c, uint8_t index)
{
    if (is_time_reg(index)) return time_reg_read(c, index);
    switch (index) {
    case CMOS_REG_A: return c->ram[CMOS_REG_A] | (uip(c) ? CMOS_A_UIP : 0);
    case CMOS_REG_C: return read_reg_c(c);
    case CMOS_REG_D: return CMOS_D_VRT;
    default:         return c->ram[index];
    }
}

static void write_control(struct cmos *c, uint8_t index, uint8_t v)
{
    catch_up_pf(c);
    if (index == CMOS_REG_A) {
        c->ram[CMOS_REG_A] = v & ~CMOS_A_UIP;
    } else {
        if (v & CMOS_B_SET) v &= ~CMOS_B_UIE;    /* SET going high clears UIE */
        c->ram[CMOS_REG_B] = v;
    }
    sync_running(c);
    arm_periodic(c);
    update_irq(c);
}

static void cmos_write(struct cmos *c, uint8_t index, uint8_t v)
{
    if (is_time_reg(index)) time_reg_write(c, index, v);
    else if (index == CMOS_REG_A || index == CMOS_REG_B) write_control(c, index, v);
    else if (index != CMOS_REG_C && index != CMOS_REG_D) c->ram[index] = v;
}

static uint64_t cmos_in(void *ctx, uint16_t port, unsigned size)
{
    struct cmos *c = ctx;
    (void)size;
    if (port == CMOS_PORT_INDEX) return 0xFF;   /* the index register is write-only */
    return cmos_read(c, c->index);
}

static void cmos_out(void *ctx, uint16_t port, unsigned size, uint64_t value)
{
    struct cmos *c = ctx;
    (void)size;
    if (port == CMOS_PORT_INDEX) {
        c->index = value & 0x7F;
        c->nmi_masked = value & 0x80;
    } else {
        cmos_write(c, c->index, (uint8_t)value);
    }
}

/* ---- set-up --------------------------------------------------------------- */

void cmos_init(struct cmos *c, struct timer_queue *q, const struct irq_line *irq8,
               int64_t epoch_seconds)
{
    *c = (struct cmos){ .q = q };
    if (irq8) c->irq = *irq8;
    c->ram[CMOS_REG_A] = CMOS_A_DV_32KHZ | 0x06;   /* 1024 Hz selected, PIE off */
    c->ram[CMOS_REG_B] = CMOS_B_24H;               /* BCD, 24-hour */
    c->ram[CMOS_REG_D] = CMOS_D_VRT;
    c->frozen = epoch_seconds;
    c->pf_checked_ns = tq_now(q);
    timer_init(&c->update_timer, update_fired, c);
    timer_init(&c->periodic_timer, periodic_fired, c);
    sync_running(c);
    c->wall_base = epoch_seconds;             /* wall = epoch + virtual seconds */
}

int cmos_attach(struct cmos *c, struct bus *bus)
{
    return bus_map_ports(bus, CMOS_PORT_INDEX, CMOS_PORT_DATA, cmos_in, cmos_out, c);
}

bool cmos_nmi_masked(const struct cmos *c)
{
    return c->nmi_masked;
}

static void put16(struct cmos *c, uint8_t index, uint64_t v)
{
    if (v > 0xFFFF) v = 0xFFFF;
    c->ram[index] = (uint8_t)v;
    c->ram[index + 1] = (uint8_t)(v >> 8);
}

/* 0x15: base KB; 0x17 and 0x30: KB above 1 MiB; 0x34: 64 KiB blocks above
 * 16 MiB below 4 GiB; 0x5B-0x5D: 64 KiB blocks above 4 GiB (QEMU's pc). */
void cmos_set_memory(struct cmos *c, uint64_t ram_bytes)
{
    const uint64_t mib = 1ull << 20, gib4 = 1ull << 32;
    uint64_t low = ram_bytes < gib4 ? ram_bytes : gib4;
    uint64_t high = (ram_bytes - low) >> 16;
    put16(c, 0x15, 640);
    put16(c, 0x17, low > mib ? (low - mib) >> 10 : 0);
    put16(c, 0x30, low > mib ? (low - mib) >> 10 : 0);
    put16(c, 0x34, low > 16 * mib ? (low - 16 * mib) >> 16 : 0);
    c->ram[0x5B] = (uint8_t)high;
    c->ram[0x5C] = (uint8_t)(high >> 8);
    c->ram[0x5D] = (uint8_t)(high >> 16);
}
