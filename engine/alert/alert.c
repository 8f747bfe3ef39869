/* alert — the sink registry and what every sink type shares. */
#include "alert.h"

#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest secret read from a file or the environment. */
#define SECRET_MAX 4096

const struct alert_sink_ops *const alert_sink_registry[] = {
    &alert_sink_alertmanager, &alert_sink_pagerduty, &alert_sink_slack,
    &alert_sink_webhook,      &alert_sink_exec,      &alert_sink_eventbridge,
    NULL,
};

const char *const alert_group_by_names[] = {"none", "account", "principal",
                                           NULL};

const struct alert_sink_ops *alert_sink_find(const char *name)
{
    for (size_t i = 0; alert_sink_registry[i]; i++) {
        if (strcmp(alert_sink_registry[i]->config.name, name) == 0)
            return alert_sink_registry[i];
    }
    return NULL;
}

/* config.h: the config maps, as registered. */
const struct config_sink_type *config_sink_type(size_t i)
{
    for (size_t k = 0; alert_sink_registry[k]; k++) {
        if (k == i)
            return &alert_sink_registry[k]->config;
    }
    return NULL;
}

const char *alert_result_name(enum alert_result r)
{
    switch (r) {
    case ALERT_OK:
        return "ok";
    case ALERT_RETRY:
        return "retry";
    case ALERT_PERMANENT:
        return "permanent";
    }
    return "?";
}

json_t *alert_subject(const struct alert *a, struct alert_insight *ai,
                      struct alert_outcome *o)
{
    json_t *rec = json_array_size(a->members) ? json_array_get(a->members, 0)
                                              : a->record;

    memset(o, 0, sizeof *o);
    if (alert_insight_read(rec, ai) == 0)
        return rec;
    o->result = ALERT_PERMANENT;
    snprintf(o->detail, sizeof o->detail, "not an Insight record; is the "
             "state file from another program?");
    return NULL;
}

int alert_sink_open(struct alert_sink *s, const struct config_sink *cfg,
                    size_t dump_flags, char *err, size_t errlen)
{
    char why[400] = "";

    memset(s, 0, sizeof *s);
    s->cfg = cfg;
    s->dump_flags = dump_flags;
    s->ops = alert_sink_find(cfg->type);
    if (!s->ops) {
        snprintf(err, errlen, "sink '%s': unknown type '%s'", cfg->name,
                 cfg->type);
        return -1;
    }
    if (s->ops->open(s, why, sizeof why) != 0) {
        snprintf(err, errlen, "sink '%s' (%s): %s", cfg->name, cfg->type,
                 why);
        return -1;
    }
    return 0;
}

void alert_sink_close(struct alert_sink *s)
{
    if (!s || !s->ops)
        return;
    s->ops->close(s);
    s->priv = NULL;
    s->ops = NULL;
}

/* The text of file path, at most SECRET_MAX bytes, or NULL (errno set). */
static char *read_small_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;

    if (!f)
        return NULL;
    buf = xmalloc(SECRET_MAX + 1);
    n = fread(buf, 1, SECRET_MAX + 1, f);
    if (ferror(f) || n > SECRET_MAX) {
        int e = ferror(f) ? errno : EFBIG;
        fclose(f);
        alert_secret_free(buf);
        errno = e;
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    return buf;
}

int alert_secret_read(const char *env, const char *file, const char *what,
                      char **out, char *err, size_t errlen)
{
    char *v = NULL;
    size_t n;

    *out = NULL;
    if (env) {
        const char *e = getenv(env);

        if (!e || !*e) {
            snprintf(err, errlen, "the %s is not set; export %s (the "
                     "config names the variable, never the value)", what,
                     env);
            return -1;
        }
        if (strlen(e) > SECRET_MAX) {
            snprintf(err, errlen, "the %s in %s is longer than %d bytes",
                     what, env, SECRET_MAX);
            return -1;
        }
        v = xstrdup(e);
    } else {
        v = read_small_file(file);
        if (!v) {
            snprintf(err, errlen, "cannot read the %s from %s: %s", what,
                     file, errno == EFBIG ? "file too large" : strerror(errno));
            return -1;
        }
    }
    n = strlen(v);
    while (n > 0 && (v[n - 1] == '\n' || v[n - 1] == '\r'))
        v[--n] = '\0';
    if (n == 0) {
        snprintf(err, errlen, "the %s in %s is empty", what, env ? env : file);
        alert_secret_free(v);
        return -1;
    }
    *out = v;
    return 0;
}

void alert_secret_free(char *secret)
{
    if (!secret)
        return;
    explicit_bzero(secret, strlen(secret));
    xfree(secret);
}
