#include "stream_state.h"

#include "blob.h"
#include "category.h"
#include "insight_build.h"
#include "stream_int.h"
#include "xalloc.h"

#include <stdio.h>
#include <string.h>

static const char SCHEMA[] =
    "CREATE TABLE IF NOT EXISTS stream_strings ("
    " id INTEGER PRIMARY KEY, s BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS stream_scopes ("
    " id INTEGER PRIMARY KEY, data BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS stream_keys ("
    " id INTEGER PRIMARY KEY, type TEXT NOT NULL, account TEXT NOT NULL,"
    " region TEXT NOT NULL, source TEXT NOT NULL, name TEXT NOT NULL,"
    " error TEXT, data BLOB NOT NULL);"
    "CREATE INDEX IF NOT EXISTS stream_keys_by_api ON stream_keys"
    " (source, name, account, region)";

/* What the blobs' layout depends on: a file written by a build where any
 * of these differ is refused. */
static void layout(char *buf, size_t n)
{
    snprintf(buf, n, "key=%zu model=%zu sketch=%zu scope=%zu exposure=%zu open=%zu tally=%zu "
             "lateness=%zu tev=%zu ids=1",
             sizeof(struct key), sizeof(struct key_model), sizeof(struct sketch),
             sizeof(struct scope), sizeof(struct season_exposure),
             sizeof(struct open_rec), sizeof(struct tally_entry),
             sizeof(struct lateness), sizeof(struct tev));
}

struct stream_store {
    struct state *st;
    sqlite3_stmt *put_string, *put_scope, *put_key;
};

static int create_tables(struct state *st)
{
    char *msg = NULL;
    if (sqlite3_exec(state_db(st), SCHEMA, NULL, NULL, &msg) != SQLITE_OK) {
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* s's statements on st, prepared the first time. */
static struct stream_store *store_for(struct stream *s, struct state *st)
{
    if (s->store && s->store->st == st)
        return s->store;
    if (create_tables(st) != 0)
        return NULL;
    struct stream_store *ss = xcalloc(1, sizeof(*ss));
    ss->st = st;
    ss->put_string = state_prepare(st, "INSERT OR REPLACE INTO stream_strings (id, s) VALUES (?1, ?2)");
    ss->put_scope = state_prepare(st, "INSERT OR REPLACE INTO stream_scopes (id, data) VALUES (?1, ?2)");
    ss->put_key = state_prepare(st,
        "INSERT OR REPLACE INTO stream_keys (id, type, account, region, source, name, error, data)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!ss->put_string || !ss->put_scope || !ss->put_key) {
        xfree(ss);
        return NULL;
    }
    xfree(s->store);
    s->store = ss;
    return ss;
}

void stream__store_free(struct stream_store *ss)
{
    xfree(ss); /* its statements are the state's */
}

/* ---- saving ------------------------------------------------------------- */

static void put_open(struct blob_writer *w, const struct open_rec *o)
{
    blob_put_u32(w, o != NULL);
    if (!o)
        return;
    blob_put(w, &o->ins, sizeof(o->ins));
    blob_put_u32(w, (uint32_t)o->suppressed);
    blob_put_bytes(w, o->category, strlen(o->category));
    blob_put(w, &o->base_avg, sizeof(o->base_avg));
    blob_put_u32(w, o->base_minutes);
    blob_put(w, o->base_attr, sizeof(o->base_attr));
    blob_put_u32(w, o->cand_end);
    blob_put(w, &o->main.total, sizeof(o->main.total));
    blob_put_bytes(w, o->main.v, o->main.n * sizeof(*o->main.v));
    blob_put_bytes(w, o->pending, o->npending * sizeof(*o->pending));
}

static void put_key_blob(struct blob_writer *w, const struct key *k)
{
    struct key copy = *k;
    copy.open_inc = copy.open_gap = NULL;
    copy.dirty = 0;
    blob_put(w, &copy, sizeof(copy));
    put_open(w, k->open_inc);
    put_open(w, k->open_gap);
}

/* Whether bucket bk is one a scope keeps: a minute from lo to hi with
 * events or counted records. */
static int saved_bucket(const struct bucket *bk, uint32_t lo, uint32_t hi)
{
    return bk->minute != NONE && (bk->n || idset_count(&bk->ids)) && bk->minute >= lo &&
           bk->minute <= hi;
}

static void put_id(void *w, uint64_t group, uint64_t id)
{
    (void)group;
    blob_put(w, &id, sizeof(id));
}

static void put_scope_blob(struct blob_writer *w, const struct scope *sc)
{
    blob_put_u32(w, sc->account);
    blob_put_u32(w, sc->region);
    blob_put_u32(w, sc->min_seen);
    blob_put_u32(w, sc->max_seen);
    blob_put_u32(w, sc->closed);
    blob_put_u32(w, sc->ds.coverage_start);
    blob_put_u32(w, sc->ds.active_keys);
    blob_put(w, &sc->exposure, sizeof(sc->exposure));
    blob_put_u32(w, sc->day);
    blob_put_bytes(w, sc->timers, sc->ntimers * sizeof(*sc->timers));
    blob_put(w, &sc->late, sizeof(sc->late));
    /* The events of the recent closed minutes and of the open ones, and
     * the eventIDs counted in them. */
    uint32_t lo = sc->closed == NONE ? sc->min_seen
                  : sc->closed >= DETECT_RECENT - 1 ? sc->closed - (DETECT_RECENT - 1) : 0;
    uint32_t n = 0;
    for (uint32_t b = 0; b < sc->nring; b++) {
        const struct bucket *bk = &sc->ring[b];
        n += saved_bucket(bk, lo, sc->max_seen);
    }
    blob_put_u32(w, n);
    for (uint32_t b = 0; b < sc->nring; b++) {
        const struct bucket *bk = &sc->ring[b];
        if (!saved_bucket(bk, lo, sc->max_seen))
            continue;
        blob_put_u32(w, bk->minute);
        blob_put_bytes(w, bk->ev, bk->n * sizeof(*bk->ev));
        blob_put_u32(w, (uint32_t)idset_count(&bk->ids));
        idset_each(&bk->ids, put_id, w);
    }
}

static int put_row(struct stream_store *ss, sqlite3_stmt *stmt, int64_t id,
                   const struct blob_writer *w, int col)
{
    sqlite3_bind_int64(stmt, 1, id);
    sqlite3_bind_blob(stmt, col, w->data, (int)w->len, SQLITE_STATIC);
    return state_exec_stmt(ss->st, stmt);
}

int stream_save(struct stream *s, struct state *st)
{
    struct stream_store *ss = store_for(s, st);
    if (!ss)
        return -1;
    char lay[256];
    layout(lay, sizeof(lay));
    int rc = state_put(st, "stream.layout", lay, strlen(lay));
    size_t nstr = strpool_count(s->pool);
    for (size_t id = s->strings_saved + 1; rc == 0 && id <= nstr; id++) {
        const char *p = strpool_str(s->pool, (uint32_t)id);
        sqlite3_bind_int64(ss->put_string, 1, (int64_t)id);
        sqlite3_bind_blob(ss->put_string, 2, p, (int)strlen(p), SQLITE_STATIC);
        rc = state_exec_stmt(st, ss->put_string);
    }
    struct blob_writer w;
    blob_writer_init(&w);
    for (size_t i = 0; rc == 0 && i < s->nscopes; i++) {
        if (!s->scopes[i]->dirty)
            continue;
        w.len = 0;
        put_scope_blob(&w, s->scopes[i]);
        rc = put_row(ss, ss->put_scope, (int64_t)i, &w, 2);
    }
    for (size_t i = 0; rc == 0 && i < s->nkeys; i++) {
        const struct key *k = key_at(s, (uint32_t)i);
        if (!k->dirty)
            continue;
        w.len = 0;
        put_key_blob(&w, k);
        sqlite3_stmt *p = ss->put_key;
        sqlite3_bind_int64(p, 1, (int64_t)i);
        sqlite3_bind_text(p, 2, detect_insight_type(k->error_rate),
                          -1, SQLITE_STATIC);
        sqlite3_bind_text(p, 3, str(s, k->account), -1, SQLITE_STATIC);
        sqlite3_bind_text(p, 4, str(s, k->region), -1, SQLITE_STATIC);
        sqlite3_bind_text(p, 5, str(s, k->source), -1, SQLITE_STATIC);
        sqlite3_bind_text(p, 6, str(s, k->name), -1, SQLITE_STATIC);
        if (k->error_rate)
            sqlite3_bind_text(p, 7, str(s, k->error), -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(p, 7);
        rc = put_row(ss, p, (int64_t)i, &w, 8);
    }
    if (rc == 0)
        rc = state_put(st, "stream.stats", &s->stats, sizeof(s->stats));
    blob_writer_free(&w);
    return rc;
}

void stream_saved(struct stream *s)
{
    s->strings_saved = strpool_count(s->pool);
    for (size_t i = 0; i < s->nscopes; i++)
        s->scopes[i]->dirty = 0;
    for (size_t i = 0; i < s->nkeys; i++)
        key_at(s, (uint32_t)i)->dirty = 0;
}

/* ---- loading ------------------------------------------------------------ */

struct loader {
    struct stream *s;
    struct state *st;
    char *err;
    size_t errlen;
};

static int fail(struct loader *l, const char *what)
{
    snprintf(l->err, l->errlen, "%s: %s", state_path(l->st), what);
    return -1;
}

static struct open_rec *get_open(struct blob_reader *r)
{
    if (!blob_get_u32(r))
        return NULL;
    struct open_rec *o = xcalloc(1, sizeof(*o));
    tally_init(&o->main);
    blob_get(r, &o->ins, sizeof(o->ins));
    o->suppressed = (int)blob_get_u32(r);
    size_t n;
    const char *cat = blob_get_bytes(r, &n);
    char name[64] = "";
    if (cat && n < sizeof(name))
        memcpy(name, cat, n);
    name[n < sizeof(name) ? n : 0] = '\0';
    o->category = category_named(name);
    if (!o->category)
        r->bad = 1;
    blob_get(r, &o->base_avg, sizeof(o->base_avg));
    o->base_minutes = blob_get_u32(r);
    blob_get(r, o->base_attr, sizeof(o->base_attr));
    for (int f = 0; f < TALLY__FIELDS; f++)
        if (o->base_attr[f].n > ATTR_TOP)
            r->bad = 1;
    o->cand_end = blob_get_u32(r);
    uint64_t total;
    blob_get(r, &total, sizeof(total));
    const struct tally_entry *te = blob_get_bytes(r, &n);
    for (size_t i = 0; te && i < n / sizeof(*te); i++) {
        struct tally_entry e;
        memcpy(&e, (const char *)te + i * sizeof(e), sizeof(e));
        tally_add(&o->main, e.field, e.id, e.count);
    }
    o->main.total = total;
    const void *pend = blob_get_bytes(r, &n);
    o->npending = n / sizeof(*o->pending);
    if (o->npending) {
        o->pending = xmalloc(n);
        o->pending_cap = o->npending;
        memcpy(o->pending, pend, o->npending * sizeof(*o->pending));
    }
    return o;
}

static int load_strings(struct loader *l)
{
    sqlite3_stmt *q = state_prepare(l->st, "SELECT id, s FROM stream_strings ORDER BY id");
    if (!q)
        return fail(l, state_error(l->st));
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(q, 0);
        const char *p = sqlite3_column_blob(q, 1);
        size_t n = (size_t)sqlite3_column_bytes(q, 1);
        if (strpool_intern(l->s->pool, p ? p : "", n) != (uint32_t)id) {
            sqlite3_reset(q);
            return fail(l, "damaged engine state: strings out of sequence");
        }
    }
    sqlite3_reset(q);
    if (rc != SQLITE_DONE)
        return fail(l, state_error(l->st));
    l->s->strings_saved = strpool_count(l->s->pool);
    return 0;
}

/* An open minute's events, to be delivered again once every scope is
 * loaded. */
struct held {
    uint32_t scope, minute;
    struct mev e;
};

struct held_list {
    struct held *v;
    size_t n, cap;
};

static int load_scope(struct loader *l, int64_t id, struct blob_reader *r,
                      struct held_list *held)
{
    struct stream *s = l->s;
    uint32_t account = blob_get_u32(r), region = blob_get_u32(r);
    if (r->bad || !account || account > strpool_count(s->pool) || !region ||
        region > strpool_count(s->pool) ||
        stream__scope_of(s, account, region) != (uint32_t)id)
        return fail(l, "damaged engine state: scopes out of sequence");
    struct scope *sc = s->scopes[id];
    sc->min_seen = blob_get_u32(r);
    uint32_t max_seen = blob_get_u32(r);
    sc->closed = blob_get_u32(r);
    sc->ds.coverage_start = blob_get_u32(r);
    sc->ds.active_keys = blob_get_u32(r);
    blob_get(r, &sc->exposure, sizeof(sc->exposure));
    sc->ds.exposure = &sc->exposure;
    sc->day = blob_get_u32(r);
    size_t n;
    const void *timers = blob_get_bytes(r, &n);
    sc->ntimers = n / sizeof(*sc->timers);
    sc->timers = xgrow(sc->timers, &sc->timers_cap, sc->ntimers + 1, sizeof(*sc->timers));
    if (sc->ntimers)
        memcpy(sc->timers, timers, sc->ntimers * sizeof(*sc->timers));
    blob_get(r, &sc->late, sizeof(sc->late));
    sc->lateness = s->learn ? lateness_needed(&sc->late, s->least_lateness, s->reorder)
                            : s->reorder;
    /* The watermark starts at the last closed minute; the open minutes'
     * events are delivered again (with today's reorder window). */
    sc->max_seen = sc->closed == NONE ? NONE : sc->closed;
    uint32_t nb = blob_get_u32(r);
    for (uint32_t b = 0; b < nb && !r->bad; b++) {
        uint32_t minute = blob_get_u32(r);
        const struct mev *ev = blob_get_bytes(r, &n);
        size_t count = n / sizeof(*ev);
        /* The bucket takes its eventIDs now, and its events now (a closed
         * minute) or when they are delivered again. */
        struct bucket *bk = stream__bucket(sc, minute);
        for (uint32_t i = blob_get_u32(r); i > 0 && !r->bad; i--) {
            uint64_t eid;
            blob_get(r, &eid, sizeof(eid));
            idset_add(&bk->ids, 0, eid);
        }
        if (sc->closed != NONE && minute <= sc->closed) {
            bk->ev = xgrow(bk->ev, &bk->cap, count, sizeof(*bk->ev));
            if (count)
                memcpy(bk->ev, ev, count * sizeof(*ev));
            bk->n = count;
            sc->recent[minute % DETECT_RECENT] = (struct bucket){.minute = minute,
                                                                 .ev = bk->ev, .n = count};
        } else {
            held->v = xgrow(held->v, &held->cap, held->n + count, sizeof(*held->v));
            for (size_t i = 0; i < count; i++) {
                struct mev e;
                memcpy(&e, (const char *)ev + i * sizeof(e), sizeof(e));
                held->v[held->n++] = (struct held){(uint32_t)id, minute, e};
            }
        }
    }
    if (!blob_done(r))
        return fail(l, "damaged engine state: a scope does not read back");
    /* The newest minute seen is seen again after the open minutes. */
    held->v = xgrow(held->v, &held->cap, held->n + 1, sizeof(*held->v));
    held->v[held->n++] = (struct held){(uint32_t)id, max_seen, {NONE, 0, 0, 0}};
    return 0;
}

/* Scope order, then minutes; a scope's newest-minute marker (no key) goes
 * after its events of that minute. */
static int held_cmp(const void *pa, const void *pb)
{
    const struct held *x = pa, *y = pb;
    if (x->scope != y->scope)
        return x->scope < y->scope ? -1 : 1;
    if (x->minute != y->minute)
        return x->minute < y->minute ? -1 : 1;
    return (x->e.key == NONE) - (y->e.key == NONE);
}

static int load_rows(struct loader *l, const char *sql,
                     int (*row)(struct loader *, int64_t, struct blob_reader *, void *),
                     void *ctx)
{
    sqlite3_stmt *q = state_prepare(l->st, sql);
    if (!q)
        return fail(l, state_error(l->st));
    int rc, out = 0;
    while (out == 0 && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        struct blob_reader r;
        blob_reader_init(&r, sqlite3_column_blob(q, 1), (size_t)sqlite3_column_bytes(q, 1));
        out = row(l, sqlite3_column_int64(q, 0), &r, ctx);
    }
    if (out == 0 && rc != SQLITE_DONE)
        out = fail(l, state_error(l->st));
    sqlite3_reset(q);
    return out;
}

static int scope_row(struct loader *l, int64_t id, struct blob_reader *r, void *ctx)
{
    return load_scope(l, id, r, ctx);
}

static int key_row(struct loader *l, int64_t id, struct blob_reader *r, void *ctx)
{
    struct stream *s = l->s;
    (void)ctx;
    struct key saved;
    blob_get(r, &saved, sizeof(saved));
    uint32_t f[6] = {saved.account, saved.region, saved.source, saved.name, saved.error,
                     saved.error_rate};
    size_t nstr = strpool_count(s->pool);
    for (int i = 0; i < 5; i++)
        if (f[i] > nstr || (i < 4 && !f[i]))
            r->bad = 1;
    if (r->bad || saved.scope >= s->nscopes ||
        stream__key_of(s, saved.scope, f) != (uint32_t)id)
        return fail(l, "damaged engine state: keys out of sequence");
    struct key *k = key_at(s, (uint32_t)id);
    k->timer = saved.timer;
    k->last_event = saved.last_event;
    k->count = saved.count;
    /* What it learned, with the settings of today's config. */
    struct detect_settings set = k->m.set;
    k->m = saved.m;
    k->m.set = set;
    memcpy(k->sk, saved.sk, sizeof(k->sk));
    k->open_inc = get_open(r);
    k->open_gap = get_open(r);
    k->dirty = 0;
    if (!blob_done(r))
        return fail(l, "damaged engine state: a key does not read back");
    return 0;
}

int stream_load(struct stream *s, struct state *st, char *err, size_t errlen)
{
    struct loader l = {s, st, err, errlen};
    if (!store_for(s, st))
        return fail(&l, state_error(st));
    void *v = NULL;
    size_t n = 0;
    int rc = state_get(st, "stream.layout", &v, &n);
    if (rc < 0)
        return fail(&l, state_error(st));
    if (rc == 1)
        return 1; /* a new state: nothing learned yet */
    char lay[256];
    layout(lay, sizeof(lay));
    int same = n == strlen(lay) && memcmp(v, lay, n) == 0;
    xfree(v);
    if (!same)
        return fail(&l, "engine state written by another build of ctinsights; "
                        "use a new state file or the build that wrote it");
    struct held_list held = {0};
    if (load_strings(&l) ||
        load_rows(&l, "SELECT id, data FROM stream_scopes ORDER BY id", scope_row, &held) ||
        load_rows(&l, "SELECT id, data FROM stream_keys ORDER BY id", key_row, NULL)) {
        xfree(held.v);
        return -1;
    }
    if (state_get(st, "stream.stats", &v, &n) == 0) {
        if (n == sizeof(s->stats))
            memcpy(&s->stats, v, n);
        xfree(v);
    }
    s->stats.keys = s->nkeys;
    /* What is in memory is what the file holds; delivering the open
     * minutes again (in time order, each scope's newest minute last) may
     * close some under today's reorder window: that is new. */
    stream_saved(s);
    qsort(held.v, held.n, sizeof(*held.v), held_cmp);
    s->replaying = 1;
    for (size_t i = 0; i < held.n; i++)
        if (held.v[i].minute != NONE)
            stream__deliver(s, held.v[i].scope, held.v[i].minute, &held.v[i].e);
    stream__advance_touched(s);
    s->replaying = 0;
    xfree(held.v);
    return 0;
}

/* The scope blob's fields up to its exposure. */
static void read_scope_head(struct blob_reader *r, struct stream_key_view *out)
{
    blob_get_u32(r); /* account */
    blob_get_u32(r); /* region */
    blob_get_u32(r); /* min_seen */
    blob_get_u32(r); /* max_seen */
    blob_get_u32(r); /* closed */
    out->scope.coverage_start = blob_get_u32(r);
    out->scope.active_keys = blob_get_u32(r);
    blob_get(r, &out->exposure, sizeof(out->exposure));
    out->scope.exposure = &out->exposure;
}

int stream_state_key(struct state *st, const char *type, const char *account,
                     const char *region, const char *source, const char *name,
                     const char *error, struct stream_key_view *out, char *err,
                     size_t errlen)
{
    struct loader l = {NULL, st, err, errlen};
    memset(out, 0, sizeof(*out));
    if (create_tables(st) != 0)
        return fail(&l, state_error(st));
    /* The key, then its account/region (the scope id is in the key). */
    sqlite3_stmt *q = state_prepare(st, "SELECT data FROM stream_keys WHERE type = ?1 AND account = ?2"
                          " AND region = ?3 AND source = ?4 AND name = ?5"
                          " AND error IS ?6");
    if (!q)
        return fail(&l, state_error(st));
    sqlite3_bind_text(q, 1, type, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, account, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, region, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, name, -1, SQLITE_STATIC);
    if (error)
        sqlite3_bind_text(q, 6, error, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(q);
        return rc == SQLITE_DONE ? 1 : fail(&l, state_error(st));
    }
    struct blob_reader r;
    blob_reader_init(&r, sqlite3_column_blob(q, 0), (size_t)sqlite3_column_bytes(q, 0));
    struct key k;
    blob_get(&r, &k, sizeof(k));
    out->model = k.m;
    out->count = k.count;
    out->last_event = k.last_event;
    struct open_rec *inc = get_open(&r), *gap = get_open(&r);
    out->open_increase = inc && !inc->suppressed;
    out->open_gap = gap && !gap->suppressed;
    insight_build_free(inc);
    insight_build_free(gap);
    int bad = !blob_done(&r);
    sqlite3_reset(q);
    if (bad)
        return fail(&l, "damaged engine state: the key does not read back");
    q = state_prepare(st, "SELECT data FROM stream_scopes WHERE id = ?1");
    if (!q)
        return fail(&l, state_error(st));
    sqlite3_bind_int64(q, 1, k.scope);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        blob_reader_init(&r, sqlite3_column_blob(q, 0), (size_t)sqlite3_column_bytes(q, 0));
        read_scope_head(&r, out);
        bad = r.bad;
    }
    sqlite3_reset(q);
    if (rc != SQLITE_ROW || bad)
        return fail(&l, "damaged engine state: the key's account/region is missing");
    return 0;
}
