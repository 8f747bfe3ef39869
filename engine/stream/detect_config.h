/*
 * detect_config — the configuration as the detector (models/detect) takes
 * it: the run-wide parameters, and a key's settings with the first
 * matching override applied.  The one place engine settings meet the
 * statistics.
 */
#ifndef CTI_DETECT_CONFIG_H
#define CTI_DETECT_CONFIG_H

#include "config.h"
#include "detect.h"

/* detector.*, baseline.window_days and gaps.* of c. */
void detect_params_of(const struct config *c, struct detect_params *out);

/* The settings of a key: the config's, with the first matching override
 * applied.  error is NULL for call-rate keys. */
void detect_settings_for(const struct config *c, const char *account,
                         const char *region, const char *source,
                         const char *name, const char *error, int error_rate,
                         struct detect_settings *out);

#endif
