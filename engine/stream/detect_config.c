#include "detect_config.h"

void detect_params_of(const struct config *c, struct detect_params *out)
{
    *out = (struct detect_params){
        .decay = season_decay(c->window_days),
        .alpha_start = c->alpha_start,
        .alpha_end = c->alpha_end,
        .min_ratio = c->min_ratio,
        .end_after = (uint32_t)c->end_after_minutes,
        .gap = {c->gap_min_runs, (uint32_t)c->gap_min_period, (uint32_t)c->gap_max_period},
        .seasonality = c->seasonality,
    };
}

void detect_settings_for(const struct config *c, const char *account,
                         const char *region, const char *source,
                         const char *name, const char *error, int error_rate,
                         struct detect_settings *out)
{
    const struct config_override *o = config_override_for(
        c, account, region, source, name, error,
        detect_insight_type(error_rate));
    out->sensitivity = o && o->sensitivity >= 0 ? o->sensitivity : c->sensitivity;
    out->min_count = (uint32_t)(o && o->min_count >= 0 ? o->min_count : c->min_count);
    int days = o && o->min_history_days >= 0 ? o->min_history_days : c->min_history_days;
    out->min_history = (uint32_t)days * MINUTES_PER_DAY;
    int gaps = o && o->gaps >= 0 ? o->gaps : c->gaps;
    out->gaps = gaps && !error_rate;
}
