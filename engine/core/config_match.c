/*
 * config_match — the matching the engine calls per key: does a key fit a
 * match, is it ignored, which override applies.  Read-only on a loaded
 * config, so safe from any thread.
 */
#include "config.h"

#include <fnmatch.h>
#include <stddef.h>


/* A NULL pattern matches anything; a NULL value matches only a NULL
 * pattern. */
static int field_matches(const char *pattern, const char *value)
{
    if (!pattern)
        return 1;
    if (!value)
        return 0;
    return fnmatch(pattern, value, 0) == 0;
}

int config_match(const struct config_ignore *m, const char *account,
                 const char *region, const char *event_source,
                 const char *event_name, const char *error_code,
                 const char *insight_type)
{
    return field_matches(m->account, account) &&
           field_matches(m->region, region) &&
           field_matches(m->event_source, event_source) &&
           field_matches(m->event_name, event_name) &&
           field_matches(m->error_code, error_code) &&
           field_matches(m->insight_type, insight_type);
}

int config_ignored(const struct config *c, const char *account,
                   const char *region, const char *event_source,
                   const char *event_name, const char *error_code,
                   const char *insight_type)
{
    if (!c)
        return 0;
    for (size_t i = 0; i < c->n_ignore; i++) {
        if (config_match(&c->ignore[i], account, region, event_source,
                         event_name, error_code, insight_type))
            return 1;
    }
    return 0;
}

const struct config_override *
config_override_for(const struct config *c, const char *account,
                    const char *region, const char *event_source,
                    const char *event_name, const char *error_code,
                    const char *insight_type)
{
    if (!c)
        return NULL;
    for (size_t i = 0; i < c->n_overrides; i++) {
        const struct config_override *o = &c->overrides[i];

        if (config_match(&o->match, account, region, event_source,
                         event_name, error_code, insight_type))
            return o;
    }
    return NULL;
}
