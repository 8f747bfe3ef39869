#include "model_sketch.h"

#include <math.h>
#include <string.h>

#define DAY_MINUTES 1440u

void sketch_init(struct sketch *k)
{
    memset(k, 0, sizeof(*k));
}

void sketch_add(struct sketch *k, uint32_t id, uint32_t n, uint32_t minute,
                double decay)
{
    uint32_t day = minute / DAY_MINUTES;
    if (day > k->day) {
        float w = (float)pow(decay, day - k->day);
        for (int i = 0; i < SKETCH_SIZE; i++)
            k->count[i] *= w;
        k->day = day;
    }
    int low = 0;
    for (int i = 0; i < SKETCH_SIZE; i++) {
        if (k->count[i] > 0 && k->id[i] == id) {
            k->count[i] += (float)n;
            return;
        }
        if (k->count[i] < k->count[low])
            low = i;
    }
    k->id[low] = id;
    k->count[low] += (float)n;
}

size_t sketch_entries(const struct sketch *k, uint32_t day, double decay,
                      uint32_t *ids, double *counts)
{
    double w = day > k->day ? pow(decay, day - k->day) : 1.0;
    size_t n = 0;
    for (int i = 0; i < SKETCH_SIZE; i++) {
        if (k->count[i] <= 0)
            continue;
        ids[n] = k->id[i];
        counts[n] = k->count[i] * w;
        n++;
    }
    return n;
}
