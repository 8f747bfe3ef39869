#include "reader.h"

#include "readfile.h"
#include "xalloc.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int default_threads; /* 0 = one per core */

void reader_default_threads(int n)
{
    default_threads = n > 0 ? n : 0;
}

int reader_threads(void)
{
    if (default_threads > 0)
        return default_threads;
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    return 1;
}

/* ---- progress */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct progress {
    int on;
    double t0, last;
};

static void progress_step(struct progress *p, const struct diag *d,
                          size_t done)
{
    if (!p->on || now() - p->last <= 0.25)
        return;
    p->last = now();
    double dt = p->last - p->t0;
    fprintf(stderr, "\rctinsights: %zu files, %llu records, %.0f MB/s   ",
            done, (unsigned long long)d->records,
            dt > 0 ? d->bytes_json / 1e6 / dt : 0.0);
}

static void progress_end(const struct progress *p)
{
    if (p->on && p->last > p->t0)
        fputs("\r\033[K", stderr);
}

/* ---- one thread */

/* Files one after the other on this thread (a large NDJSON file is still
 * scanned on up to threads threads). */
static int stopped(const int *stop)
{
    return stop && *stop;
}

static void run_serial(struct source_walk *w, const struct config *c,
                       struct diag *d, struct progress *pr, int threads,
                       const int *stop, reader_batch_fn cb, void *ctx)
{
    struct readfile rf;
    struct evbatch batch;
    readfile_init(&rf);
    rf.flush = cb; /* a large file's pieces go on while the next are scanned */
    rf.flush_ctx = ctx;
    rf.stop = stop;
    evbatch_init(&batch);
    const char *path;
    for (size_t done = 0; !stopped(stop) && (path = source_walk_next(w, d)) != NULL;) {
        readfile_read(&rf, path, c, threads, &batch, d);
        cb(ctx, readfile_name(path), &batch);
        progress_step(pr, d, ++done);
    }
    readfile_free(&rf);
    evbatch_free(&batch);
}

/* ---- worker threads.  Files are claimed from the walk in groups of
 * consecutive files (one synchronisation per group, not per file), groups
 * growing to GROUP_MAX as the walk goes on (the first files of a few large
 * ones are spread over the threads); group g is read into slot g % window,
 * at most window groups ahead of the consumer. */

#define GROUP_MAX 16

struct slot {
    struct evbatch batch[GROUP_MAX];
    struct diag diag[GROUP_MAX]; /* deferred */
    struct diag walked;          /* what the walk passed over, deferred */
    char *path[GROUP_MAX];       /* the files of the group, owned */
    size_t path_cap[GROUP_MAX];
    size_t count;
    int done;
};

struct pool {
    pthread_mutex_t mu;
    pthread_cond_t ready; /* a slot was filled or the walk ended (the consumer waits) */
    pthread_cond_t space; /* a slot was handed over (workers wait) */
    struct source_walk *walk;
    const struct config *cfg;
    unsigned max_messages;
    int threads;
    struct slot *slots;
    size_t window;
    size_t claimed;  /* groups claimed */
    size_t consumed; /* groups handed to the consumer */
    int ended;       /* the walk has no more files */
};

/* Fill s with the next group of files from the walk (p->mu held).
 * Returns the number of files, 0 at the end of the walk. */
static size_t claim(struct pool *p, struct slot *s)
{
    size_t group = 1 + p->claimed / p->window;
    group = group > GROUP_MAX ? GROUP_MAX : group;
    diag_defer(&s->walked, p->max_messages);
    const char *path;
    for (s->count = 0; s->count < group &&
                       (path = source_walk_next(p->walk, &s->walked)) != NULL;
         s->count++) {
        size_t k = s->count, len = strlen(path) + 1;
        s->path[k] = xgrow(s->path[k], &s->path_cap[k], len, 1);
        memcpy(s->path[k], path, len);
    }
    return s->count;
}

static void *worker(void *arg)
{
    struct pool *p = arg;
    struct readfile rf;
    readfile_init(&rf);
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (!p->ended && p->claimed - p->consumed >= p->window)
            pthread_cond_wait(&p->space, &p->mu);
        struct slot *s = &p->slots[p->claimed % p->window];
        if (p->ended || claim(p, s) == 0) { /* s keeps what the walk said last */
            p->ended = 1;
            pthread_cond_broadcast(&p->ready);
            pthread_cond_broadcast(&p->space);
            pthread_mutex_unlock(&p->mu);
            break;
        }
        p->claimed++;
        pthread_mutex_unlock(&p->mu);
        for (size_t k = 0; k < s->count; k++) {
            diag_defer(&s->diag[k], p->max_messages);
            readfile_read(&rf, s->path[k], p->cfg, p->threads, &s->batch[k],
                          &s->diag[k]);
        }
        pthread_mutex_lock(&p->mu);
        s->done = 1;
        pthread_cond_signal(&p->ready);
        pthread_mutex_unlock(&p->mu);
    }
    readfile_free(&rf);
    return NULL;
}

static void run_pool(struct source_walk *w, const struct config *c,
                     struct diag *d, struct progress *pr, int threads,
                     const int *stop, reader_batch_fn cb, void *ctx)
{
    struct pool p = {.walk = w, .cfg = c, .max_messages = d->max_messages,
                     .threads = threads};
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.ready, NULL);
    pthread_cond_init(&p.space, NULL);
    p.window = 4 * (size_t)threads;
    p.slots = xcalloc(p.window, sizeof(*p.slots));
    for (size_t i = 0; i < p.window; i++)
        for (size_t k = 0; k < GROUP_MAX; k++)
            evbatch_init(&p.slots[i].batch[k]);
    pthread_t *tid = xcalloc((size_t)threads, sizeof(*tid));
    int started = 0;
    while (started < threads &&
           pthread_create(&tid[started], NULL, worker, &p) == 0)
        started++;
    if (started == 0) /* no threads to be had: read here */
        run_serial(w, c, d, pr, 1, stop, cb, ctx);
    for (size_t done = 0; started;) {
        struct slot *s = &p.slots[p.consumed % p.window];
        pthread_mutex_lock(&p.mu);
        while (!s->done && !(p.ended && p.consumed == p.claimed))
            pthread_cond_wait(&p.ready, &p.mu);
        pthread_mutex_unlock(&p.mu);
        diag_merge(d, &s->walked, 0, 0);
        if (!s->done) /* the end: s held what the walk said last */
            break;
        /* A group's files one by one: once cb has set stop, the rest of
         * the group is read but neither reported nor handed over. */
        for (size_t k = 0; k < s->count && !stopped(stop); k++) {
            diag_merge(d, &s->diag[k], 0, 0);
            cb(ctx, readfile_name(s->path[k]), &s->batch[k]);
            done++;
        }
        progress_step(pr, d, done);
        pthread_mutex_lock(&p.mu);
        s->done = 0;
        p.consumed++;
        if (stopped(stop)) /* the workers finish what they read and end */
            p.ended = 1;
        pthread_cond_broadcast(&p.space);
        pthread_mutex_unlock(&p.mu);
        if (stopped(stop))
            break;
    }
    for (int i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    for (size_t i = 0; i < p.window; i++) {
        struct slot *s = &p.slots[i];
        for (size_t k = 0; k < GROUP_MAX; k++) {
            evbatch_free(&s->batch[k]);
            diag_free(&s->diag[k]);
            xfree(s->path[k]);
        }
        diag_free(&s->walked);
    }
    xfree(p.slots);
    xfree(tid);
    pthread_cond_destroy(&p.space);
    pthread_cond_destroy(&p.ready);
    pthread_mutex_destroy(&p.mu);
}

void reader_run(struct source_walk *w, const struct config *c,
                const struct reader_opts *o, struct diag *d,
                reader_batch_fn cb, void *ctx)
{
    struct progress pr = {o->progress, now(), 0};
    pr.last = pr.t0;
    int threads = reader_threads();
    if (threads <= 1 || source_walk_single(w))
        run_serial(w, c, d, &pr, threads, o->stop, cb, ctx);
    else
        run_pool(w, c, d, &pr, threads, o->stop, cb, ctx);
    progress_end(&pr);
}
