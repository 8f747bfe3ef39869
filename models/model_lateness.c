#include "model_lateness.h"

#include <math.h>
#include <string.h>

void lateness_init(struct lateness *l)
{
    memset(l, 0, sizeof(*l));
    l->hour = UINT32_MAX;
}

/* Age the weights to hour h (later than the one they refer to). */
static void age(struct lateness *l, uint32_t h)
{
    float f = (float)pow(0.5, (h - l->hour) / LATENESS_HALF_LIFE);
    l->total = 0;
    for (uint32_t i = 0; i < LATENESS_BINS; i++) {
        l->w[i] *= f;
        l->total += l->w[i];
    }
    l->hour = h;
}

void lateness_add(struct lateness *l, uint32_t late, uint32_t newest)
{
    uint32_t h = newest / 60;
    if (l->hour == UINT32_MAX)
        l->hour = h;
    else if (h > l->hour)
        age(l, h);
    l->w[late < LATENESS_BINS ? late : LATENESS_BINS - 1] += 1.0f;
    l->total += 1.0f;
}

uint32_t lateness_needed(const struct lateness *l, uint32_t least, uint32_t most)
{
    uint32_t need = LATENESS_PRIOR;
    if (l->total >= LATENESS_MIN_WEIGHT) {
        double want = LATENESS_QUANTILE * l->total, cum = 0;
        uint32_t q = 0;
        while (q + 1 < LATENESS_BINS && (cum += l->w[q]) < want)
            q++;
        need = q + 1;
    }
    return need < least ? least : need > most ? most : need;
}
