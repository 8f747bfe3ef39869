#include "model_season.h"

#include <math.h>
#include <string.h>

#define DAY_MINUTES 1440u

static int is_weekend(uint32_t day)
{
    /* 1970-01-01 was a Thursday: day % 7 == 2 is Saturday, 3 is Sunday. */
    uint32_t dow = day % 7;
    return dow == 2 || dow == 3;
}

int season_slot(uint32_t minute)
{
    uint32_t day = minute / DAY_MINUTES;
    return (int)((minute % DAY_MINUTES) / 60 + (is_weekend(day) ? SEASON_HOURS : 0));
}

double season_decay(int window_days)
{
    return exp(-2.0 / (window_days > 0 ? window_days : 1));
}

const uint32_t season_scales[SEASON_SCALES] = {1, 5, 15, 60};

void season_init(struct season *s)
{
    memset(s, 0, sizeof(*s));
    s->day = UINT32_MAX;
    for (int k = 0; k < SEASON_SCALES; k++)
        s->block[k] = UINT32_MAX;
}

/* Close the open block of scale k: its square joins its hour of today. */
static void close_block(struct season *s, int k)
{
    if (s->block[k] == UINT32_MAX)
        return;
    uint32_t minute = s->block[k] * season_scales[k];
    int h = (int)((minute % DAY_MINUTES) / 60);
    s->today_sq[k][h] += s->block_sum[k] * s->block_sum[k];
    s->block[k] = UINT32_MAX;
    s->block_sum[k] = 0;
}

void season_advance(struct season *s, uint32_t day, double decay)
{
    if (s->day == UINT32_MAX) {
        s->day = day;
        return;
    }
    if (day <= s->day)
        return;
    for (int k = 0; k < SEASON_SCALES; k++)
        close_block(s, k);
    /* Slots hold weights decay^(s->day - 1 - j); move them to day. */
    float older = (float)pow(decay, day - s->day);
    float last = (float)pow(decay, day - 1 - s->day);
    int base = is_weekend(s->day) ? SEASON_HOURS : 0;
    for (int i = 0; i < SEASON_SLOTS; i++) {
        s->sum[i] *= older;
        for (int k = 0; k < SEASON_SCALES; k++)
            s->sq[k][i] *= older;
    }
    for (int h = 0; h < SEASON_HOURS; h++) {
        s->sum[base + h] += last * s->today[h];
        s->today[h] = 0;
        for (int k = 0; k < SEASON_SCALES; k++) {
            s->sq[k][base + h] += last * s->today_sq[k][h];
            s->today_sq[k][h] = 0;
        }
    }
    s->day = day;
}

void season_add(struct season *s, uint32_t minute, uint32_t x)
{
    int h = (int)((minute % DAY_MINUTES) / 60);
    s->today[h] += (float)x;
    for (int k = 0; k < SEASON_SCALES; k++) {
        uint32_t b = minute / season_scales[k];
        if (b != s->block[k]) {
            close_block(s, k);
            s->block[k] = b;
        }
        s->block_sum[k] += (float)x;
    }
}

void season_exposure_init(struct season_exposure *e, uint32_t coverage_start)
{
    memset(e, 0, sizeof(*e));
    e->day = coverage_start / DAY_MINUTES;
    e->coverage_start = coverage_start;
}

void season_exposure_advance(struct season_exposure *e, uint32_t day,
                             double decay)
{
    for (; e->day < day; e->day++) {
        for (int i = 0; i < SEASON_SLOTS; i++)
            e->minutes[i] *= decay;
        int base = is_weekend(e->day) ? SEASON_HOURS : 0;
        for (int h = 0; h < SEASON_HOURS; h++) {
            uint32_t from = e->day * DAY_MINUTES + (uint32_t)h * 60, to = from + 60;
            if (to > e->coverage_start)
                e->minutes[base + h] += from >= e->coverage_start ? 60 : to - e->coverage_start;
        }
    }
}

void season_expect(const struct season *s, const struct season_exposure *e,
                   uint32_t minute, int seasonal, double prior_minutes,
                   struct season_expect *out)
{
    double n = 0, sum = 0, sq[SEASON_SCALES] = {0};
    for (int i = 0; i < SEASON_SLOTS; i++) {
        n += e->minutes[i];
        sum += s->sum[i];
        for (int k = 0; k < SEASON_SCALES; k++)
            sq[k] += s->sq[k][i];
    }
    memset(out, 0, sizeof(*out));
    out->slot = -1;
    if (n <= 0)
        return;
    /* All hours: mean per minute, second moment per block of each scale. */
    double mean = sum / n, m2[SEASON_SCALES];
    for (int k = 0; k < SEASON_SCALES; k++)
        m2[k] = sq[k] / (n / season_scales[k]);
    out->minutes = n;
    out->events = sum;
    if (seasonal) {
        int slot = season_slot(minute);
        double ns = e->minutes[slot] + prior_minutes;
        out->events = s->sum[slot] + prior_minutes * mean;
        for (int k = 0; k < SEASON_SCALES; k++) {
            double w = season_scales[k];
            m2[k] = (s->sq[k][slot] + prior_minutes / w * m2[k]) / (ns / w);
        }
        mean = (s->sum[slot] + prior_minutes * mean) / ns;
        out->slot = slot;
    }
    out->mean = mean;
    for (int k = 0; k < SEASON_SCALES; k++) {
        double m = mean * season_scales[k];
        out->var[k] = m2[k] > m * m ? m2[k] - m * m : 0;
    }
}
