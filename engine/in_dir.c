/*
 * in_dir — `dir:PATH`, a folder that receives new CloudTrail files (an
 * `aws s3 sync` target), each file read once, across restarts too.
 *
 * The folder is walked recursively as `ctinsights score` walks it (S3
 * layout; in_dir_names.h): CloudTrail-Digest, -Insight, -Aggregated and
 * -Lake folders and hidden names (temporary files of rsync and the like)
 * are passed over, and only .json/.jsonl/.ndjson names, gzip or not, and
 * .gz are read.  New files are noticed with inotify (every folder watched,
 * new subfolders included) or, when inotify is off (sources.dir_watch),
 * unavailable, or out of watches, by rescanning every
 * sources.dir_rescan_ms; an overflowed inotify queue triggers a rescan.
 *
 * When a file is complete (the rule):
 *   1. a file closed after writing or renamed into the folder
 *      (IN_CLOSE_WRITE, IN_MOVED_TO) is complete at once;
 *   2. a file found by a scan (at start, when polling, after an overflow)
 *      is complete once its size and mtime have not changed for
 *      sources.dir_settle_ms; one last modified longer ago than that is
 *      complete at once;
 *   3. a file seen created under inotify but not yet closed is complete
 *      once unchanged for sources.dir_incomplete_ms (a writer that never
 *      closes);
 *   4. a gzip file that ends inside its gzip stream may still be
 *      completing: it is read only once unchanged for
 *      sources.dir_incomplete_ms, and then what inflates is delivered and
 *      the truncation reported.
 * A file changed after it was read is not read again.  A damaged file
 * (bad gzip, unreadable, larger than sources.max_unit_bytes once
 * inflated) is reported once, delivered as far as it inflates, and
 * recorded like the others, so it never blocks the folder.
 *
 * The files read are recorded in the state database (in_dir_files, keyed
 * by the folder's real path and the file's path below it): a file is
 * recorded by the first input_checkpoint after it was accepted, and
 * forgotten from memory once that checkpoint has committed.  Memory holds
 * only files waiting to be read or to be checkpointed.
 */
#include "input.h"

#include "gunzip.h"
#include "in_dir_names.h"
#include "in_sql.h"
#include "input_int.h"
#include "strpool.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DEPTH 32             /* folder nesting followed at most */
#define POLL_FILES 64            /* files delivered per poll at most */
#define POLL_BYTES (64u << 20)   /* bytes delivered per poll at most */
#define WATCH_MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_ONLYDIR | \
                    IN_EXCL_UNLINK)

/* A file seen and not yet forgotten: waiting to be complete, or read and
 * waiting for its checkpoint to commit. */
struct cand {
    struct cand *next; /* hash chain */
    char *rel;         /* path below the root */
    uint64_t hash;
    int64_t size, mtime_ns;
    int64_t changed_at; /* ms: first seen, or size/mtime last changed */
    unsigned closed : 1;   /* closed or moved in since the last change */
    unsigned writing : 1;  /* created under inotify, not closed yet */
    unsigned consumed : 1; /* read (accepted); status says how */
    const char *status;
};

struct watch {
    int wd;
    char *rel; /* folder below the root ("" = the root) */
};

struct in_dir {
    struct input base;
    const struct input_env *env;
    char *spec, *root;
    int ino_fd;            /* inotify, or -1 when polling */
    struct watch *watches; /* sorted by wd */
    size_t nwatches, watches_cap;
    struct cand **slots;   /* hash table of every cand */
    size_t nslots, ncands;
    struct cand **waiting; /* not consumed, in name order when !unsorted */
    size_t nwaiting, waiting_cap;
    int unsorted;
    struct cand **done;    /* consumed, in order, not yet committed */
    size_t ndone, done_cap, ndone_saved;
    int rescan;            /* a full rescan is due */
    int64_t next_rescan;   /* when polling */
    char *buf, *out;       /* file bytes, inflated bytes */
    size_t buf_cap, out_cap;
    sqlite3_stmt *seen, *put;
};

static int accepts(const char *spec)
{
    return input__prefix(spec, "dir:", NULL);
}

static int64_t mtime_ns(const struct stat *st)
{
    return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

/* ---- the set of candidates ---------------------------------------------- */

static struct cand *find(struct in_dir *dd, const char *rel, uint64_t h)
{
    if (!dd->nslots)
        return NULL;
    for (struct cand *c = dd->slots[h & (dd->nslots - 1)]; c; c = c->next)
        if (c->hash == h && strcmp(c->rel, rel) == 0)
            return c;
    return NULL;
}

static void rehash(struct in_dir *dd)
{
    size_t n = dd->nslots ? dd->nslots * 2 : 64;
    struct cand **s = xcalloc(n, sizeof *s);
    for (size_t i = 0; i < dd->nslots; i++) {
        struct cand *c = dd->slots[i], *next;
        for (; c; c = next) {
            next = c->next;
            c->next = s[c->hash & (n - 1)];
            s[c->hash & (n - 1)] = c;
        }
    }
    xfree(dd->slots);
    dd->slots = s;
    dd->nslots = n;
}

static struct cand *add(struct in_dir *dd, const char *rel, uint64_t h)
{
    if (dd->ncands + 1 > dd->nslots / 2)
        rehash(dd);
    struct cand *c = xcalloc(1, sizeof *c);
    c->rel = xstrdup(rel);
    c->hash = h;
    c->next = dd->slots[h & (dd->nslots - 1)];
    dd->slots[h & (dd->nslots - 1)] = c;
    dd->ncands++;
    dd->waiting = xgrow(dd->waiting, &dd->waiting_cap, dd->nwaiting + 1,
                        sizeof *dd->waiting);
    dd->waiting[dd->nwaiting++] = c;
    dd->unsorted = 1;
    return c;
}

static void drop(struct in_dir *dd, struct cand *c)
{
    struct cand **p = &dd->slots[c->hash & (dd->nslots - 1)];
    while (*p != c)
        p = &(*p)->next;
    *p = c->next;
    dd->ncands--;
    xfree(c->rel);
    xfree(c);
}

/* ---- what is in the folder ---------------------------------------------- */

/* Whether rel was read before (recorded in the state database). */
static int recorded(struct in_dir *dd, const char *rel)
{
    sqlite3_bind_text(dd->seen, 1, dd->root, -1, SQLITE_STATIC);
    sqlite3_bind_text(dd->seen, 2, rel, -1, SQLITE_STATIC);
    int rc = sqlite3_step(dd->seen);
    sqlite3_clear_bindings(dd->seen);
    sqlite3_reset(dd->seen);
    return rc == SQLITE_ROW;
}

enum how { FOUND, CREATED, CLOSED };

/* A file at rel with status st, noticed in the way given. */
static void consider(struct in_dir *dd, const char *rel, const struct stat *st,
                     enum how how)
{
    uint64_t h = strpool_hash(rel, strlen(rel), 0);
    int64_t now = input__now_ms();
    struct cand *c = find(dd, rel, h);
    if (c && c->consumed)
        return;
    if (!c) {
        if (recorded(dd, rel))
            return;
        c = add(dd, rel, h);
        c->size = (int64_t)st->st_size;
        c->mtime_ns = mtime_ns(st);
        c->changed_at = now;
        int64_t age = input__wall_ms() - c->mtime_ns / 1000000;
        if (how == FOUND && age >= dd->env->cfg->dir_settle_ms)
            c->changed_at = now - dd->env->cfg->dir_settle_ms;
    } else if (c->size != (int64_t)st->st_size || c->mtime_ns != mtime_ns(st)) {
        c->size = (int64_t)st->st_size;
        c->mtime_ns = mtime_ns(st);
        c->changed_at = now;
        c->closed = 0;
    }
    if (how == CREATED)
        c->writing = 1;
    if (how == CLOSED) {
        c->closed = 1;
        c->writing = 0;
    }
}

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = xmalloc(n);
    snprintf(p, n, "%s%s%s", a, *a ? "/" : "", b);
    return p;
}

static void stop_watching(struct in_dir *dd, const char *why)
{
    if (dd->ino_fd < 0)
        return;
    input__note(dd->env, dd->spec, "%s; polling the folder every %d ms instead",
                why, dd->env->cfg->dir_rescan_ms);
    close(dd->ino_fd);
    dd->ino_fd = -1;
    for (size_t i = 0; i < dd->nwatches; i++)
        xfree(dd->watches[i].rel);
    dd->nwatches = 0;
    dd->next_rescan = input__now_ms() + dd->env->cfg->dir_rescan_ms;
}

static struct watch *watch_of(struct in_dir *dd, int wd, size_t *at)
{
    size_t lo = 0, hi = dd->nwatches;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (dd->watches[mid].wd < wd)
            lo = mid + 1;
        else
            hi = mid;
    }
    *at = lo;
    return lo < dd->nwatches && dd->watches[lo].wd == wd ? &dd->watches[lo]
                                                         : NULL;
}

/* Watch the folder at rel (full path path). */
static void watch(struct in_dir *dd, const char *path, const char *rel)
{
    if (dd->ino_fd < 0)
        return;
    int wd = inotify_add_watch(dd->ino_fd, path, WATCH_MASK);
    if (wd < 0) {
        if (errno == ENOSPC || errno == ENOMEM) {
            char why[160];
            snprintf(why, sizeof why, "cannot watch %s: %s (raise "
                     "fs.inotify.max_user_watches)", path, strerror(errno));
            stop_watching(dd, why);
        }
        return;
    }
    size_t at;
    struct watch *w = watch_of(dd, wd, &at);
    if (w) {
        xfree(w->rel);
        w->rel = xstrdup(rel);
        return;
    }
    dd->watches = xgrow(dd->watches, &dd->watches_cap, dd->nwatches + 1,
                        sizeof *dd->watches);
    memmove(dd->watches + at + 1, dd->watches + at,
            (dd->nwatches - at) * sizeof *dd->watches);
    dd->watches[at].wd = wd;
    dd->watches[at].rel = xstrdup(rel);
    dd->nwatches++;
}

/* Walk the folder at rel: watch it and its subfolders, consider its
 * files. */
static void scan(struct in_dir *dd, const char *rel, int depth)
{
    char *path = join(dd->root, rel);
    watch(dd, path, rel);
    DIR *d = depth < MAX_DEPTH ? opendir(path) : NULL;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char *sub = join(rel, e->d_name);
        char *full = join(dd->root, sub);
        struct stat st;
        if (stat(full, &st) == 0) {
            if (S_ISDIR(st.st_mode) && !in_dir_folder_passed(e->d_name))
                scan(dd, sub, depth + 1);
            else if (S_ISREG(st.st_mode) && in_dir_name_wanted(e->d_name))
                consider(dd, sub, &st, FOUND);
        }
        xfree(full);
        xfree(sub);
    }
    if (d)
        closedir(d);
    xfree(path);
}

/* One inotify event. */
static void event(struct in_dir *dd, const struct inotify_event *ev)
{
    if (ev->mask & IN_Q_OVERFLOW) {
        input__note(dd->env, dd->spec,
                    "inotify queue overflowed; rescanning the folder");
        dd->rescan = 1;
        return;
    }
    size_t at;
    struct watch *w = watch_of(dd, ev->wd, &at);
    if (!w)
        return;
    if (ev->mask & IN_IGNORED) {
        xfree(w->rel);
        memmove(dd->watches + at, dd->watches + at + 1,
                (dd->nwatches - at - 1) * sizeof *dd->watches);
        dd->nwatches--;
        return;
    }
    if (!ev->len || ev->name[0] == '.')
        return;
    char *rel = join(w->rel, ev->name);
    char *full = join(dd->root, rel);
    struct stat st;
    if (stat(full, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            if ((ev->mask & (IN_CREATE | IN_MOVED_TO)) &&
                !in_dir_folder_passed(ev->name))
                scan(dd, rel, 1);
        } else if (S_ISREG(st.st_mode) && in_dir_name_wanted(ev->name)) {
            consider(dd, rel, &st, (ev->mask & IN_CREATE) ? CREATED : CLOSED);
        }
    }
    xfree(full);
    xfree(rel);
}

static void read_events(struct in_dir *dd)
{
    char buf[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
    while (dd->ino_fd >= 0) {
        ssize_t n = read(dd->ino_fd, buf, sizeof buf);
        if (n <= 0)
            return;
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            event(dd, ev);
            p += sizeof *ev + ev->len;
        }
    }
}

/* ---- reading a file ----------------------------------------------------- */

static int by_name(const void *a, const void *b)
{
    return strcmp((*(struct cand *const *)a)->rel,
                  (*(struct cand *const *)b)->rel);
}

/* Read c whole into dd->buf.  Returns the file's size, or -1 (errno). */
static ssize_t slurp(struct in_dir *dd, const char *path, size_t max)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t len = 0;
    for (;;) {
        dd->buf = xgrow(dd->buf, &dd->buf_cap, len + 65536, 1);
        size_t room = dd->buf_cap - len;
        if (len + room > max + 1)
            room = max + 1 - len;
        ssize_t got = room ? read(fd, dd->buf + len, room) : 0;
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int e = errno;
            close(fd);
            errno = e;
            return -1;
        }
        if (got == 0)
            break;
        len += (size_t)got;
    }
    close(fd);
    return (ssize_t)len;
}

enum outcome { DELIVER, NOT_YET, GONE };

/* Decide on and deliver the complete file c.  OUT: *refused when the
 * callback did not take it. */
static enum outcome read_file(struct in_dir *dd, struct cand *c,
                              input_unit_fn cb, void *ctx, int *refused)
{
    const struct config *cfg = dd->env->cfg;
    struct diag *d = dd->env->d;
    char *path = join(dd->root, c->rel);
    enum skip_reason why = SKIP__COUNT;
    char detail[128] = "";
    size_t at = 0;
    const char *data = NULL;
    size_t len = 0;
    enum outcome o = DELIVER;
    ssize_t got = slurp(dd, path, cfg->max_unit_bytes);
    c->status = "ok";
    if (got < 0 && errno == ENOENT) {
        o = GONE;
        goto out;
    }
    if (got < 0) {
        why = SKIP_READ_ERROR;
        snprintf(detail, sizeof detail, "%s", strerror(errno));
        c->status = "unreadable";
    } else if ((size_t)got > cfg->max_unit_bytes) {
        why = SKIP_OVERSIZED;
        snprintf(detail, sizeof detail, "file larger than sources.max_unit_bytes");
        c->status = "oversized";
    } else if (gunzip_is_gzip(dd->buf, (size_t)got) ||
               (got < 2 && in_dir_name_gzip(c->rel))) {
        enum gunzip_rc zr = gunzip(dd->buf, (size_t)got, cfg->max_unit_bytes,
                                   &dd->out, &len, &dd->out_cap, &at);
        int64_t idle = input__now_ms() - c->changed_at;
        if (zr == GUNZIP_TRUNCATED && idle < cfg->dir_incomplete_ms) {
            /* May still be completing: wait as for a file still open. */
            c->closed = 0;
            c->writing = 1;
            o = NOT_YET;
            goto out;
        }
        data = dd->out;
        if (zr != GUNZIP_OK) {
            why = zr == GUNZIP_TRUNCATED ? SKIP_TRUNCATED
                  : zr == GUNZIP_TOO_BIG ? SKIP_OVERSIZED
                                         : SKIP_BAD_GZIP;
            c->status = zr == GUNZIP_TRUNCATED ? "truncated"
                        : zr == GUNZIP_TOO_BIG ? "oversized"
                                               : "damaged";
            snprintf(detail, sizeof detail, "%s; %s",
                     zr == GUNZIP_TOO_BIG
                         ? "file inflates past sources.max_unit_bytes"
                         : gunzip_str(zr),
                     zr == GUNZIP_TOO_BIG ? "skipped" : "reading what was inflated");
            if (zr == GUNZIP_TOO_BIG)
                len = 0;
        }
    } else {
        data = dd->buf;
        len = (size_t)got;
    }
    if (len && cb(ctx, path, data, len) != 0) {
        *refused = 1;
        goto out;
    }
    d->files++;
    d->bytes_read += got > 0 ? (uint64_t)got : 0;
    if (why != SKIP__COUNT)
        diag_skip(d, why, path, NULL, at, detail);
out:
    xfree(path);
    return o;
}

/* ---- the input ---------------------------------------------------------- */

static int open_dir(const char *spec, const struct input_env *env,
                    struct input **out, char *err, size_t errlen)
{
    const char *path;
    input__prefix(spec, "dir:", &path);
    struct stat st;
    char *root = *path ? realpath(path, NULL) : NULL;
    if (!root || stat(root, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: %s; give an existing folder", spec,
                 !*path ? "no path" : root ? "not a folder" : strerror(errno));
        free(root);
        return -1;
    }
    if (!env->db) {
        snprintf(err, errlen, "%s: needs a state database to remember the "
                 "files read", spec);
        free(root);
        return -1;
    }
    struct in_dir *dd = xcalloc(1, sizeof *dd);
    dd->env = env;
    dd->spec = xstrdup(spec);
    dd->root = xstrdup(root);
    free(root);
    dd->ino_fd = -1;
    dd->rescan = 1;
    if (input__exec(env->db, spec, IN_DIR_SQL_CREATE, err, errlen) ||
        input__sql(env->db, spec, IN_DIR_SQL_SEEN, &dd->seen, err, errlen) ||
        input__sql(env->db, spec, IN_DIR_SQL_PUT, &dd->put, err, errlen)) {
        dd->base.ops = NULL;
        sqlite3_finalize(dd->seen);
        sqlite3_finalize(dd->put);
        xfree(dd->spec);
        xfree(dd->root);
        xfree(dd);
        return -1;
    }
    if (env->cfg->dir_watch) {
        dd->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (dd->ino_fd < 0)
            input__note(env, spec, "inotify unavailable (%s); polling the "
                        "folder every %d ms", strerror(errno),
                        env->cfg->dir_rescan_ms);
    }
    *out = &dd->base;
    return 0;
}

static void close_dir(struct input *in)
{
    struct in_dir *dd = (struct in_dir *)in;
    if (dd->ino_fd >= 0)
        close(dd->ino_fd);
    for (size_t i = 0; i < dd->nwatches; i++)
        xfree(dd->watches[i].rel);
    for (size_t i = 0; i < dd->nslots; i++) {
        struct cand *c = dd->slots[i], *next;
        for (; c; c = next) {
            next = c->next;
            xfree(c->rel);
            xfree(c);
        }
    }
    sqlite3_finalize(dd->seen);
    sqlite3_finalize(dd->put);
    xfree(dd->watches);
    xfree(dd->slots);
    xfree(dd->waiting);
    xfree(dd->done);
    xfree(dd->buf);
    xfree(dd->out);
    xfree(dd->spec);
    xfree(dd->root);
    xfree(dd);
}

static int fd_dir(struct input *in)
{
    return ((struct in_dir *)in)->ino_fd;
}

/* Whether c is complete by the rule above (after a fresh look at it).
 * Sets *gone when the file is no longer there. */
static int complete(struct in_dir *dd, struct cand *c, int *gone)
{
    char *path = join(dd->root, c->rel);
    struct stat st;
    *gone = stat(path, &st) != 0;
    xfree(path);
    if (*gone)
        return 0;
    consider(dd, c->rel, &st, FOUND);
    int64_t idle = input__now_ms() - c->changed_at;
    const struct config *cfg = dd->env->cfg;
    return c->closed ||
           idle >= (c->writing ? cfg->dir_incomplete_ms : cfg->dir_settle_ms);
}

static int poll_dir(struct input *in, input_unit_fn cb, void *ctx)
{
    struct in_dir *dd = (struct in_dir *)in;
    int64_t now = input__now_ms();
    read_events(dd);
    if (dd->ino_fd < 0 && now >= dd->next_rescan) {
        dd->rescan = 1;
        dd->next_rescan = now + dd->env->cfg->dir_rescan_ms;
    }
    if (dd->rescan) {
        dd->rescan = 0;
        scan(dd, "", 0);
    }
    if (dd->unsorted) {
        qsort(dd->waiting, dd->nwaiting, sizeof *dd->waiting, by_name);
        dd->unsorted = 0;
    }
    size_t files = 0, bytes = 0, keep = 0, i;
    int refused = 0, more = 0;
    for (i = 0; i < dd->nwaiting; i++) {
        struct cand *c = dd->waiting[i];
        int gone = 0;
        if (refused || files >= POLL_FILES || bytes >= POLL_BYTES) {
            more = !refused;
            dd->waiting[keep++] = c;
            continue;
        }
        if (!complete(dd, c, &gone)) {
            if (gone)
                drop(dd, c);
            else
                dd->waiting[keep++] = c;
            continue;
        }
        enum outcome o = read_file(dd, c, cb, ctx, &refused);
        if (o == GONE) {
            drop(dd, c);
        } else if (o == NOT_YET || refused) {
            dd->waiting[keep++] = c;
        } else {
            c->consumed = 1;
            files++;
            bytes += (size_t)c->size;
            dd->done = xgrow(dd->done, &dd->done_cap, dd->ndone + 1,
                             sizeof *dd->done);
            dd->done[dd->ndone++] = c;
        }
    }
    dd->nwaiting = keep;
    return more ? INPUT_MORE : INPUT_IDLE;
}

static int checkpoint_dir(struct input *in, char *err, size_t errlen)
{
    struct in_dir *dd = (struct in_dir *)in;
    for (size_t i = 0; i < dd->ndone; i++) {
        const struct cand *c = dd->done[i];
        sqlite3_bind_text(dd->put, 1, dd->root, -1, SQLITE_STATIC);
        sqlite3_bind_text(dd->put, 2, c->rel, -1, SQLITE_STATIC);
        sqlite3_bind_int64(dd->put, 3, c->size);
        sqlite3_bind_int64(dd->put, 4, c->mtime_ns);
        sqlite3_bind_text(dd->put, 5, c->status, -1, SQLITE_STATIC);
        if (input__step_done(dd->env->db, dd->put, dd->spec, err, errlen))
            return -1;
    }
    dd->ndone_saved = dd->ndone;
    return 0;
}

static void committed_dir(struct input *in)
{
    struct in_dir *dd = (struct in_dir *)in;
    if (!dd->ndone_saved)
        return;
    for (size_t i = 0; i < dd->ndone_saved; i++)
        drop(dd, dd->done[i]);
    memmove(dd->done, dd->done + dd->ndone_saved,
            (dd->ndone - dd->ndone_saved) * sizeof *dd->done);
    dd->ndone -= dd->ndone_saved;
    dd->ndone_saved = 0;
}

const struct input_ops in_dir_ops = {
    .name = "dir",
    .accepts = accepts,
    .open = open_dir,
    .close = close_dir,
    .fd = fd_dir,
    .poll = poll_dir,
    .checkpoint = checkpoint_dir,
    .committed = committed_dir,
};
