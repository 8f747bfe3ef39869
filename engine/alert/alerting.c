#include "alerting.h"

#include "alert.h"
#include "xalloc.h"

#include <math.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

struct alerting {
    const struct config *cfg;
    struct alert_sink *sinks;
    size_t nsinks;
    struct outbox *ob;
    int quiet;
};

double alerting_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_event(void *ctx, const struct outbox_event *ev)
{
    const struct alerting *a = ctx;
    if (ev->outcome == OUTBOX_FAILED)
        fprintf(stderr, "ctinsights: alert: sink '%s': %s %s: failed after "
                "%d attempt%s: %s\n", ev->sink, ev->state, ev->shared_id,
                ev->attempts, ev->attempts == 1 ? "" : "s", ev->detail);
    else if (ev->outcome == OUTBOX_RETRY && !a->quiet)
        fprintf(stderr, "ctinsights: alert: sink '%s': %s %s: %s; retrying "
                "in %.1fs\n", ev->sink, ev->state, ev->shared_id, ev->detail,
                ev->next_at - alerting_now());
}

int alerting_open(const struct config *c, sqlite3 *db, int quiet,
                  struct alerting **out, char *err, size_t errlen)
{
    struct alerting *a = xcalloc(1, sizeof(*a));
    size_t flags = JSON_COMPACT | JSON_REAL_PRECISION(c->precision);
    a->cfg = c;
    a->quiet = quiet;
    a->sinks = xcalloc(c->n_sinks + 1, sizeof(*a->sinks));
    a->nsinks = c->n_sinks;
    *out = NULL;
    for (size_t i = 0; i < c->n_sinks; i++)
        if (alert_sink_open(&a->sinks[i], &c->sinks[i], flags, err, errlen) != 0)
            goto fail;
    if (outbox_open(db, a->sinks, a->nsinks,
                    (uint64_t)alerting_now() ^ (uint64_t)getpid(), on_event, a,
                    &a->ob, err, errlen) != 0)
        goto fail;
    *out = a;
    return 0;
fail:
    alerting_close(a);
    return -1;
}

void alerting_close(struct alerting *a)
{
    if (!a)
        return;
    outbox_close(a->ob);
    for (size_t i = 0; i < a->nsinks; i++)
        alert_sink_close(&a->sinks[i]);
    xfree(a->sinks);
    xfree(a);
}

/* Deliveries per outbox_run call: the loop checks its deadline between. */
#define RUN_BUDGET 16
/* Longest nap between two runs, so the deadline is kept. */
#define MAX_NAP 1.0

static void nap(double seconds)
{
    if (seconds <= 0)
        return;
    struct timespec ts;
    ts.tv_sec = (time_t)seconds;
    ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
    nanosleep(&ts, NULL);
}

int alerting_drain(struct alerting *a, double deadline, char *err, size_t errlen)
{
    for (;;) {
        double now = alerting_now();
        double next = outbox_run(a->ob, now, RUN_BUDGET, err, errlen);
        long long pending = outbox_pending(a->ob);
        if (isnan(next) || pending < 0)
            return -1;
        if (pending == 0 || now >= deadline)
            return 0;
        if (next > deadline)
            next = deadline;
        now = alerting_now();
        nap(next - now < MAX_NAP ? next - now : MAX_NAP);
    }
}

struct outbox *alerting_outbox(struct alerting *a)
{
    return a->ob;
}
