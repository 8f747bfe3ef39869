/*
 * in_dir — `dir:PATH`, a folder that receives new CloudTrail files (an
 * `aws s3 sync` target), each file read once, across restarts too.
 *
 * The folder is walked by the walk `ctinsights score` uses (source_walk:
 * S3 layout, in_dir_names.h): CloudTrail-Digest, -Insight, -Aggregated and
 * -Lake folders and hidden names (temporary files of rsync and the like)
 * are passed over, and only .json/.jsonl/.ndjson names, gzip or not, and
 * .gz are read.  New files are noticed with inotify (every folder watched,
 * new subfolders included) or, when inotify is off (sources.dir_watch),
 * unavailable, or out of watches, by rescanning every
 * sources.dir_rescan_ms; an overflowed inotify queue triggers a rescan.
 *
 * Links, as in score: a folder is walked once (a link back into the tree
 * or to a folder walked already is passed over; a new folder noticed by
 * inotify that is already watched, such as a new link to one, is not
 * walked again), a FIFO, device or socket is never opened, and a file is
 * known by its real path (links resolved), so that it is read once however
 * it is reached, also across rescans and restarts; two hard links to one
 * file found by one scan are read once (the first in name order), and a
 * new hard link is compared with the files still in memory.  What is
 * passed over, and a link that leads nowhere, is reported once.
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
 * by the folder's real path and the file's real path below it, or its
 * absolute real path when a link leads out of the folder): a file is
 * recorded by the first input_checkpoint after it was accepted, and
 * forgotten from memory once that checkpoint has committed.  Memory holds
 * only files waiting to be read or to be checkpointed.
 */
#include "input.h"

#include "inflate.h"
#include "in_dir_names.h"
#include "in_sql.h"
#include "idset.h"
#include "input_int.h"
#include "source.h"
#include "source_walk.h"
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

#define POLL_FILES 64            /* files delivered per poll at most */
#define POLL_BYTES (64u << 20)   /* bytes delivered per poll at most */
#define WATCH_MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_ONLYDIR | \
                    IN_EXCL_UNLINK)

/* A file seen and not yet forgotten: waiting to be complete, or read and
 * waiting for its checkpoint to commit. */
struct cand {
    struct cand *next; /* hash chain */
    char *rel;         /* real path below the root (or absolute, outside it) */
    uint64_t hash;
    uint64_t dev, ino;  /* identity, to know a new hard link to it */
    int64_t size, mtime_ns;
    int64_t changed_at; /* ms: first seen, or size/mtime last changed */
    unsigned closed : 1;   /* closed or moved in since the last change */
    unsigned writing : 1;  /* created under inotify, not closed yet */
    unsigned consumed : 1; /* read (accepted); status says how */
    const char *status;
};

struct watch {
    int wd;
    char *rel; /* folder's real path below the root ("" = the root) */
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
    int sub_scan;          /* walking a folder noticed by inotify */
    char *dir_seen, *dir_real; /* the folder last resolved, and its real path */
    struct idset noted;    /* what was reported: (kind, hash of the path) */
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
    c->dev = (uint64_t)st->st_dev;
    c->ino = (uint64_t)st->st_ino;
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
    int slash = *a && a[strlen(a) - 1] != '/';
    snprintf(p, n, "%s%s%s", a, slash ? "/" : "", b);
    return p;
}

/* The path of the file or folder known as rel.  Caller frees. */
static char *full_path(const struct in_dir *dd, const char *rel)
{
    return rel[0] == '/' || !rel[0] ? xstrdup(rel[0] ? rel : dd->root)
                                    : join(dd->root, rel);
}

/* How the real path real is known: below the root, relative to it ("" for
 * the root itself); elsewhere, real itself.  Caller frees. */
static char *rel_of(const struct in_dir *dd, const char *real)
{
    size_t n = strlen(dd->root);
    if (n == 1) /* the root is "/" */
        return xstrdup(real + 1);
    if (strncmp(real, dd->root, n) == 0 && (real[n] == '/' || real[n] == '\0'))
        return xstrdup(real[n] ? real + n + 1 : "");
    return xstrdup(real);
}

/* path with every link resolved, or NULL (errno).  Caller frees. */
static char *resolve(const char *path)
{
    char *r = realpath(path, NULL);
    char *x = r ? xstrdup(r) : NULL;
    free(r);
    return x;
}

/* The real path of the folder dir, kept for the files that follow it. */
static const char *real_dir(struct in_dir *dd, const char *dir)
{
    if (dd->dir_seen && strcmp(dd->dir_seen, dir) == 0)
        return dd->dir_real;
    xfree(dd->dir_seen);
    xfree(dd->dir_real);
    dd->dir_seen = xstrdup(dir);
    dd->dir_real = resolve(dir);
    return dd->dir_real;
}

static void forget_dirs(struct in_dir *dd)
{
    xfree(dd->dir_seen);
    xfree(dd->dir_real);
    dd->dir_seen = dd->dir_real = NULL;
}

/* How the file at path is known (rel_of its real path); linked: its own
 * name may be a link.  NULL when it cannot be resolved.  Caller frees. */
static char *key_of(struct in_dir *dd, const char *path, int linked)
{
    const char *slash = strrchr(path, '/');
    char *real = NULL;
    if (linked || !slash) {
        real = resolve(path);
    } else {
        char *dir = xstrndup(path, slash == path ? 1 : (size_t)(slash - path));
        const char *rd = real_dir(dd, dir);
        real = rd ? join(rd, slash + 1) : NULL;
        xfree(dir);
    }
    char *key = real ? rel_of(dd, real) : NULL;
    xfree(real);
    return key;
}

/* Report what a walk or an event found at path, once for each path and
 * kind however many scans find it. */
static void note(struct in_dir *dd, int skip, int reason, const char *path,
                 const char *detail)
{
    uint64_t kind = (uint64_t)(skip ? reason : SKIP__COUNT + reason);
    if (!idset_add(&dd->noted, kind, strpool_hash(path, strlen(path), 0)))
        return;
    if (skip)
        diag_skip(dd->env->d, (enum skip_reason)reason, path, NULL, 0, detail);
    else
        diag_pass(dd->env->d, (enum pass_reason)reason, path, detail);
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

/* Watch the folder at path, known as rel.  Returns 1 when it was watched
 * already, as rel. */
static int watch(struct in_dir *dd, const char *path, const char *rel)
{
    if (dd->ino_fd < 0)
        return 0;
    int wd = inotify_add_watch(dd->ino_fd, path, WATCH_MASK);
    if (wd < 0) {
        if (errno == ENOSPC || errno == ENOMEM) {
            char why[160];
            snprintf(why, sizeof why, "cannot watch %s: %s (raise "
                     "fs.inotify.max_user_watches)", path, strerror(errno));
            stop_watching(dd, why);
        }
        return 0;
    }
    size_t at;
    struct watch *w = watch_of(dd, wd, &at);
    if (w) {
        if (strcmp(w->rel, rel) == 0)
            return 1;
        xfree(w->rel);
        w->rel = xstrdup(rel);
        return 0;
    }
    dd->watches = xgrow(dd->watches, &dd->watches_cap, dd->nwatches + 1,
                        sizeof *dd->watches);
    memmove(dd->watches + at + 1, dd->watches + at,
            (dd->nwatches - at) * sizeof *dd->watches);
    dd->watches[at].wd = wd;
    dd->watches[at].rel = xstrdup(rel);
    dd->nwatches++;
    return 0;
}

/* The walk enters the folder at path: watch it.  A folder noticed by
 * inotify inside one watched already is passed over (a link to it is
 * reported). */
static int on_folder(void *ctx, const char *path)
{
    struct in_dir *dd = ctx;
    struct stat lst;
    char *real = resolve(path);
    if (!real)
        return 0; /* the walk says what is wrong */
    char *rel = rel_of(dd, real);
    int known = watch(dd, path, rel) && dd->sub_scan;
    if (known && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode))
        note(dd, 0, PASS_SAME_FOLDER, path, "a folder walked already");
    xfree(rel);
    xfree(real);
    return known;
}

static void on_note(void *ctx, int skip, int reason, const char *path,
                    const char *detail)
{
    note(ctx, skip, reason, path, detail);
}

/* Walk the folder known as rel (sub: one noticed by inotify, in the tree
 * watched already) as score walks it: watch its folders, consider its
 * files. */
static void scan(struct in_dir *dd, const char *rel, int sub)
{
    char *path = full_path(dd, rel);
    struct source_walk w;
    struct diag quiet; /* what is passed over by name is not counted */
    diag_init(&quiet);
    quiet.max_messages = 0;
    source_walk_init(&w, &path, 1);
    w.on_folder = on_folder;
    w.on_note = on_note;
    w.ctx = dd;
    dd->sub_scan = sub;
    for (const char *p; (p = source_walk_next(&w, &quiet)) != NULL;) {
        char *key = key_of(dd, p, source_walk_linked(&w));
        if (key)
            consider(dd, key, source_walk_stat(&w), FOUND);
        xfree(key);
    }
    dd->sub_scan = 0;
    forget_dirs(dd);
    source_walk_free(&w);
    diag_free(&quiet);
    xfree(path);
}

/* Whether a file other than key in memory is the file st (a hard link). */
static int known_as_other(const struct in_dir *dd, const char *key,
                          const struct stat *st)
{
    for (size_t i = 0; i < dd->nslots; i++)
        for (const struct cand *c = dd->slots[i]; c; c = c->next)
            if (c->dev == (uint64_t)st->st_dev && c->ino == (uint64_t)st->st_ino &&
                strcmp(c->rel, key) != 0)
                return 1;
    return 0;
}

/* A regular file noticed by inotify at rel (path full, status st). */
static void new_file(struct in_dir *dd, const char *rel, const char *full,
                     const struct stat *st, enum how how)
{
    struct stat lst;
    int linked = lstat(full, &lst) == 0 && S_ISLNK(lst.st_mode);
    char *key = linked ? key_of(dd, full, 1) : xstrdup(rel);
    if (!key)
        return;
    if (st->st_nlink > 1 && known_as_other(dd, key, st))
        note(dd, 0, PASS_SAME_FILE, full, "the same file as one read already "
             "(a link or hard link to it, or named twice)");
    else
        consider(dd, key, st, how);
    xfree(key);
}

/* An entry rel (path full) that inotify says is new or changed. */
static void entry(struct in_dir *dd, const char *name, const char *rel,
                  const char *full, uint32_t mask)
{
    struct stat st, lst;
    char why[256];
    if (stat(full, &st) != 0) {
        int e = errno;
        if (in_dir_name_wanted(name) && lstat(full, &lst) == 0 && S_ISLNK(lst.st_mode)) {
            snprintf(why, sizeof why, "cannot follow symbolic link: %s", strerror(e));
            note(dd, 1, SKIP_READ_ERROR, full, why);
        }
    } else if (S_ISDIR(st.st_mode)) {
        if ((mask & (IN_CREATE | IN_MOVED_TO)) && !in_dir_folder_passed(name))
            scan(dd, rel, 1);
    } else if (!in_dir_name_wanted(name)) {
        return;
    } else if (!S_ISREG(st.st_mode)) {
        snprintf(why, sizeof why, "%s, not a regular file", source_kind(st.st_mode));
        note(dd, 0, PASS_NOT_FILE, full, why);
    } else {
        new_file(dd, rel, full, &st, (mask & IN_CREATE) ? CREATED : CLOSED);
    }
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
    char *full = full_path(dd, rel);
    entry(dd, ev->name, rel, full, ev->mask);
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

/* Read the regular file path whole into dd->buf.  Returns its size, -1
 * (errno), or -2 when it is not a regular file (not read; st says what it
 * is). */
static ssize_t slurp(struct in_dir *dd, const char *path, size_t max,
                     struct stat *st)
{
    int fd = source_open(path, st);
    if (fd < 0)
        return fd;
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
    char *path = full_path(dd, c->rel);
    enum skip_reason why = SKIP__COUNT;
    char detail[128] = "";
    size_t at = 0;
    const char *data = NULL;
    size_t len = 0;
    enum outcome o = DELIVER;
    struct stat st;
    ssize_t got = slurp(dd, path, cfg->max_unit_bytes, &st);
    c->status = "ok";
    if (got == -2) { /* no longer a file: found again if it becomes one */
        snprintf(detail, sizeof detail, "%s, not a regular file",
                 source_kind(st.st_mode));
        note(dd, 0, PASS_NOT_FILE, path, detail);
        o = GONE;
        goto out;
    }
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
    } else if (inflate_is_gzip(dd->buf, (size_t)got) ||
               (got < 2 && in_dir_name_gzip(c->rel))) {
        enum inflate_rc zr = inflate_gzip(NULL, dd->buf, (size_t)got, cfg->max_unit_bytes,
                                   &dd->out, &len, &dd->out_cap, &at);
        int64_t idle = input__now_ms() - c->changed_at;
        if (zr == INFLATE_TRUNCATED && idle < cfg->dir_incomplete_ms) {
            /* May still be completing: wait as for a file still open. */
            c->closed = 0;
            c->writing = 1;
            o = NOT_YET;
            goto out;
        }
        data = dd->out;
        if (zr != INFLATE_OK) {
            why = zr == INFLATE_TRUNCATED ? SKIP_TRUNCATED
                  : zr == INFLATE_TOO_BIG ? SKIP_OVERSIZED
                                         : SKIP_BAD_GZIP;
            c->status = zr == INFLATE_TRUNCATED ? "truncated"
                        : zr == INFLATE_TOO_BIG ? "oversized"
                                               : "damaged";
            snprintf(detail, sizeof detail, "%s; %s",
                     zr == INFLATE_TOO_BIG
                         ? "file inflates past sources.max_unit_bytes"
                         : inflate_str(zr),
                     zr == INFLATE_TOO_BIG ? "skipped" : "reading what was inflated");
            if (zr == INFLATE_TOO_BIG)
                len = 0;
        }
    } else {
        data = dd->buf;
        len = (size_t)got;
        if (!len)
            note(dd, 0, PASS_EMPTY, path, "an empty file");
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
    forget_dirs(dd);
    idset_free(&dd->noted);
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
    char *path = full_path(dd, c->rel);
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
