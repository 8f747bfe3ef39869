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

/* Close the open block of scale k: its square joins its slot. */
static void close_block(struct season *s, int k)
{
    if (s->block[k] == UINT32_MAX)
        return;
    int slot = season_slot(s->block[k] * season_scales[k]);
    s->sq[k][slot] += s->block_sum[k] * s->block_sum[k];
    s->block[k] = UINT32_MAX;
    s->block_sum[k] = 0;
}

void season_fold_late(struct season *s, uint32_t minute, uint32_t x, double decay)
{
    uint32_t day = minute / DAY_MINUTES;
    if (s->day == UINT32_MAX || day > s->day) {
        season_fold(s, minute, x, decay);
        return;
    }
    s->sum[season_slot(minute)] += (float)(x * pow(decay, s->day - day));
}

void season_fold(struct season *s, uint32_t minute, uint32_t x, double decay)
{
    uint32_t day = minute / DAY_MINUTES;
    if (s->day == UINT32_MAX)
        s->day = day;
    if (day > s->day) {
        /* Blocks never span days: the open ones are complete. */
        for (int k = 0; k < SEASON_SCALES; k++)
            close_block(s, k);
        float w = (float)pow(decay, day - s->day);
        for (int i = 0; i < SEASON_SLOTS; i++) {
            s->sum[i] *= w;
            for (int k = 0; k < SEASON_SCALES; k++)
                s->sq[k][i] *= w;
        }
        s->day = day;
    }
    s->sum[season_slot(minute)] += (float)x;
    for (int k = 0; k < SEASON_SCALES; k++) {
        uint32_t b = minute / season_scales[k];
        if (b != s->block[k]) {
            close_block(s, k);
            s->block[k] = b;
        }
        s->block_sum[k] += (float)x;
    }
}

void season_exposure_init(struct season_exposure *e, uint32_t coverage_start,
                          double decay)
{
    memset(e, 0, sizeof(*e));
    e->day = coverage_start / DAY_MINUTES;
    e->upto = coverage_start;
    e->coverage_start = coverage_start;
    e->decay = decay;
}

void season_exposure_advance(struct season_exposure *e, uint32_t upto)
{
    uint32_t cur = e->upto;
    while (cur < upto) {
        uint32_t day = cur / DAY_MINUTES;
        if (day > e->day) {
            double w = pow(e->decay, day - e->day);
            for (int i = 0; i < SEASON_SLOTS; i++)
                e->minutes[i] *= w;
            e->day = day;
        }
        uint32_t hour_end = (cur / 60 + 1) * 60;
        uint32_t to = hour_end < upto ? hour_end : upto;
        e->minutes[season_slot(cur)] += to - cur;
        cur = to;
    }
    if (upto > e->upto)
        e->upto = upto;
}

/* Weight that brings s's sums to e's day. */
static double age_weight(const struct season *s, const struct season_exposure *e)
{
    if (s->day == UINT32_MAX || e->day <= s->day)
        return 1.0;
    return pow(e->decay, e->day - s->day);
}

void season_totals(const struct season *s, const struct season_exposure *e,
                   double *events, double *minutes)
{
    double sum = 0, n = 0;
    for (int i = 0; i < SEASON_SLOTS; i++) {
        sum += s->sum[i];
        n += e->minutes[i];
    }
    *events = sum * age_weight(s, e);
    *minutes = n;
}

void season_expect(const struct season *s, const struct season_exposure *e,
                   uint32_t minute, int seasonal, double prior_minutes,
                   struct season_expect *out)
{
    double w = age_weight(s, e);
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
    sum *= w;
    /* All hours: mean per minute, second moment per block of each scale. */
    double mean = sum / n, m2[SEASON_SCALES];
    for (int k = 0; k < SEASON_SCALES; k++)
        m2[k] = sq[k] * w / (n / season_scales[k]);
    out->minutes = n;
    out->events = sum;
    if (seasonal) {
        int slot = season_slot(minute);
        double ns = e->minutes[slot] + prior_minutes;
        double slot_sum = s->sum[slot] * w;
        out->events = slot_sum + prior_minutes * mean;
        for (int k = 0; k < SEASON_SCALES; k++) {
            double scale = season_scales[k];
            m2[k] = (s->sq[k][slot] * w + prior_minutes / scale * m2[k]) / (ns / scale);
        }
        mean = (slot_sum + prior_minutes * mean) / ns;
        out->slot = slot;
    }
    out->mean = mean;
    for (int k = 0; k < SEASON_SCALES; k++) {
        double m = mean * season_scales[k];
        out->var[k] = m2[k] > m * m ? m2[k] - m * m : 0;
    }
}
