#include "input.h"

#include "input_int.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>

extern const struct input_ops in_file_ops, in_dir_ops, in_stdin_ops,
    in_http_ops;

/* The registry: the first kind that accepts a spec opens it. */
static const struct input_ops *const registry[] = {
    &in_stdin_ops, &in_file_ops, &in_dir_ops, &in_http_ops, NULL};

const struct input_ops *input_kind(const char *spec)
{
    for (int i = 0; registry[i]; i++)
        if (registry[i]->accepts(spec))
            return registry[i];
    return NULL;
}

int input_open(const char *spec, const struct input_env *env,
               struct input **out, char *err, size_t errlen)
{
    const struct input_ops *ops = input_kind(spec);
    *out = NULL;
    if (!ops) {
        snprintf(err, errlen,
                 "%s: unknown source; use file:PATH, dir:PATH, - or "
                 "http://ADDR:PORT", spec);
        return -1;
    }
    if (ops->open(spec, env, out, err, errlen) != 0)
        return -1;
    (*out)->ops = ops;
    return 0;
}

void input_close(struct input *in)
{
    if (in)
        in->ops->close(in);
}

const char *input_name(const struct input *in)
{
    return in->ops->name;
}

int input_fd(struct input *in)
{
    return in->ops->fd(in);
}

int input_poll(struct input *in, input_unit_fn cb, void *ctx)
{
    return in->ops->poll(in, cb, ctx);
}

int input_checkpoint(struct input *in, char *err, size_t errlen)
{
    return in->ops->checkpoint(in, err, errlen);
}

void input_committed(struct input *in)
{
    in->ops->committed(in);
}

void input__note(const struct input_env *env, const char *spec,
                 const char *fmt, ...)
{
    FILE *o = env->d->out ? env->d->out : stderr;
    va_list ap;
    va_start(ap, fmt);
    fprintf(o, "ctinsights: %s: ", spec);
    vfprintf(o, fmt, ap);
    fputc('\n', o);
    va_end(ap);
}

int64_t input__now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t input__wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int input__prefix(const char *spec, const char *prefix, const char **rest)
{
    size_t n = strlen(prefix);
    if (strncmp(spec, prefix, n) != 0)
        return 0;
    if (rest)
        *rest = spec + n;
    return 1;
}

int input__sql(sqlite3 *db, const char *spec, const char *sql,
               sqlite3_stmt **st, char *err, size_t errlen)
{
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) == SQLITE_OK)
        return 0;
    snprintf(err, errlen, "%s: state database: %s; check the state file",
             spec, sqlite3_errmsg(db));
    *st = NULL;
    return -1;
}

int input__exec(sqlite3 *db, const char *spec, const char *sql, char *err,
                size_t errlen)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return 0;
    snprintf(err, errlen, "%s: state database: %s; check the state file",
             spec, msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    return -1;
}

int input__step_done(sqlite3 *db, sqlite3_stmt *st, const char *spec,
                     char *err, size_t errlen)
{
    int rc = sqlite3_step(st);
    sqlite3_clear_bindings(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return 0;
    snprintf(err, errlen, "%s: cannot save position: %s", spec,
             sqlite3_errmsg(db));
    return -1;
}
