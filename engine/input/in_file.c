/*
 * in_file — `file:PATH`, a file appended by a shipper, followed like
 * `tail -F`.
 *
 * Units are whole lines (in_lines): a half-written last line waits for its
 * newline.  Each poll looks at the path and at the open file:
 *
 *   - rotation: the path names another file, or none (renamed, deleted):
 *     the open file is read on until it has not grown for
 *     sources.file_rotate_wait_ms (its last line is then delivered even
 *     without a newline), then the file now at the path is followed from
 *     its start;
 *   - truncation (copytruncate): the file is shorter than what was read,
 *     or its first bytes are no longer those fingerprinted: it is read
 *     again from the start.
 *
 * The position is (device, inode, offset) plus a fingerprint: a hash of
 * the file's first FP_MAX bytes (fewer while it is shorter).  At open the
 * saved position is matched against the file at the path (same inode and
 * fingerprint: go on from the offset; same inode, other fingerprint:
 * rewritten, start again); when the path holds another file, the folder
 * is searched for the saved inode (the rotated file, e.g. PATH.1): it is
 * finished from the offset first.  A file rotated twice while the daemon
 * was stopped loses the middle one.  A file never seen before is read from
 * its start.  Gzip files are not followed.
 */
#include "input.h"

#include "in_lines.h"
#include "in_sql.h"
#include "input_int.h"
#include "strpool.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FP_MAX 4096            /* bytes fingerprinted */
#define UNIT_BYTES (4u << 20)  /* preferred unit size */
#define POLL_BYTES (32u << 20) /* bytes delivered per poll at most */

struct in_file {
    struct input base;
    const struct input_env *env;
    char *spec, *path;
    char *name;        /* where the file being read is now (messages) */
    int fd;            /* the file being read, or -1 */
    uint64_t dev, ino; /* its identity (0, 0: none) */
    uint64_t off;      /* bytes of it accepted (or dropped) */
    uint64_t fp_hash;  /* strpool_hash of its first fp_len bytes */
    uint32_t fp_len;
    uint64_t size;     /* its size at the last look */
    int64_t grew_at;   /* when it last changed size (ms) */
    int draining;      /* the path no longer names it: finish it */
    int missing_noted; /* "waiting for PATH" printed */
    struct in_lines lines;
    char *buf;
    size_t cap;
    sqlite3_stmt *get, *put;
};

static int accepts(const char *spec)
{
    return input__prefix(spec, "file:", NULL);
}

static void set_name(struct in_file *f, const char *name)
{
    if (f->name != name) {
        xfree(f->name);
        f->name = xstrdup(name);
    }
}

/* The name the open file has now (after a rename), for messages. */
static void rename_open(struct in_file *f)
{
    char link[64], now[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", f->fd);
    ssize_t n = readlink(link, now, sizeof now - 1);
    if (n <= 0)
        return;
    now[n] = '\0';
    if (n > 10 && strcmp(now + n - 10, " (deleted)") == 0)
        return;
    set_name(f, now);
}

static void forget_file(struct in_file *f)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    f->dev = f->ino = f->off = f->fp_hash = f->size = 0;
    f->fp_len = 0;
    f->draining = 0;
    set_name(f, f->path);
    in_lines_init(&f->lines, f->lines.max_unit, f->lines.max_line);
}

/* Hash of the first n bytes of fd into *h.  Returns 0, or -1 when fewer
 * could be read. */
static int fingerprint(struct in_file *f, int fd, uint32_t n, uint64_t *h)
{
    f->buf = xgrow(f->buf, &f->cap, FP_MAX, 1);
    ssize_t got = pread(fd, f->buf, n, 0);
    if (got != (ssize_t)n)
        return -1;
    *h = strpool_hash(f->buf, n, 0);
    return 0;
}

/* Whether fd still starts with the fingerprinted bytes. */
static int same_start(struct in_file *f, int fd)
{
    uint64_t h;
    return f->fp_len == 0 ||
           (fingerprint(f, fd, f->fp_len, &h) == 0 && h == f->fp_hash);
}

/* Extend the fingerprint while the file is shorter than FP_MAX. */
static void grow_fingerprint(struct in_file *f)
{
    uint32_t want = f->size < FP_MAX ? (uint32_t)f->size : FP_MAX;
    uint64_t h;
    if (want > f->fp_len && fingerprint(f, f->fd, want, &h) == 0) {
        f->fp_len = want;
        f->fp_hash = h;
    }
}

/* Start reading fd (open on the file of identity st) at offset off. */
static void adopt(struct in_file *f, int fd, const struct stat *st,
                  uint64_t off)
{
    f->fd = fd;
    f->dev = (uint64_t)st->st_dev;
    f->ino = (uint64_t)st->st_ino;
    f->off = off;
    f->size = (uint64_t)st->st_size;
    f->grew_at = input__now_ms();
    in_lines_init(&f->lines, f->lines.max_unit, f->lines.max_line);
}

/* Open the file at the path from its start.  Returns 0, or -1 when there
 * is none (yet). */
static int open_path(struct in_file *f)
{
    int fd = open(f->path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0)
            close(fd);
        if (!f->missing_noted)
            input__note(f->env, f->spec, "%s; waiting for the file to appear",
                        strerror(errno));
        f->missing_noted = 1;
        return -1;
    }
    f->missing_noted = 0;
    f->fp_len = 0;
    f->fp_hash = 0;
    adopt(f, fd, &st, 0);
    grow_fingerprint(f);
    return 0;
}

/* The saved file, looked for in the path's folder (it was rotated while
 * the daemon was stopped).  Returns an fd on it, or -1. */
static int find_rotated(struct in_file *f, struct stat *st)
{
    char *copy = xstrdup(f->path);
    const char *dir = dirname(copy);
    DIR *d = opendir(dir);
    int found = -1;
    struct dirent *e;
    while (d && found < 0 && (e = readdir(d)) != NULL) {
        char p[PATH_MAX];
        if (snprintf(p, sizeof p, "%s/%s", dir, e->d_name) >= (int)sizeof p)
            continue;
        if (stat(p, st) != 0 || !S_ISREG(st->st_mode) ||
            (uint64_t)st->st_dev != f->dev || (uint64_t)st->st_ino != f->ino)
            continue;
        int fd = open(p, O_RDONLY | O_CLOEXEC);
        if (fd >= 0 && same_start(f, fd) && (uint64_t)st->st_size >= f->off) {
            found = fd;
            set_name(f, p);
            input__note(f->env, f->spec,
                        "rotated while stopped; finishing %s from byte %llu "
                        "first", p, (unsigned long long)f->off);
        } else if (fd >= 0) {
            close(fd);
        }
    }
    if (d)
        closedir(d);
    xfree(copy);
    return found;
}

/* Take up the position saved for this spec, if any. */
static int restore(struct in_file *f, char *err, size_t errlen)
{
    sqlite3_bind_text(f->get, 1, f->spec, -1, SQLITE_STATIC);
    int rc = sqlite3_step(f->get);
    if (rc == SQLITE_ROW) {
        f->dev = (uint64_t)sqlite3_column_int64(f->get, 0);
        f->ino = (uint64_t)sqlite3_column_int64(f->get, 1);
        f->off = (uint64_t)sqlite3_column_int64(f->get, 2);
        f->fp_len = (uint32_t)sqlite3_column_int64(f->get, 3);
        f->fp_hash = (uint64_t)sqlite3_column_int64(f->get, 4);
    }
    sqlite3_clear_bindings(f->get);
    sqlite3_reset(f->get);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        snprintf(err, errlen, "%s: cannot read the saved position: %s",
                 f->spec, sqlite3_errmsg(f->env->db));
        return -1;
    }
    if (rc == SQLITE_DONE || (f->dev == 0 && f->ino == 0))
        return 0; /* nothing saved, or the last file was finished */
    struct stat st;
    int fd = open(f->path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0 && fstat(fd, &st) == 0 && (uint64_t)st.st_dev == f->dev &&
        (uint64_t)st.st_ino == f->ino) {
        if ((uint64_t)st.st_size >= f->off && same_start(f, fd)) {
            adopt(f, fd, &st, f->off);
            return 0;
        }
        input__note(f->env, f->spec,
                    "truncated or rewritten while stopped; reading it from "
                    "the start");
    } else {
        int old = find_rotated(f, &st);
        if (old >= 0) {
            if (fd >= 0)
                close(fd);
            adopt(f, old, &st, f->off);
            f->draining = 1;
            return 0;
        }
        input__note(f->env, f->spec,
                    "the file read up to byte %llu is gone; reading the "
                    "file now at the path from the start",
                    (unsigned long long)f->off);
    }
    if (fd >= 0)
        close(fd);
    forget_file(f);
    return 0;
}

static int open_file(const char *spec, const struct input_env *env,
                     struct input **out, char *err, size_t errlen)
{
    const char *path;
    input__prefix(spec, "file:", &path);
    if (!*path) {
        snprintf(err, errlen, "%s: no path; use file:PATH", spec);
        return -1;
    }
    struct in_file *f = xcalloc(1, sizeof *f);
    f->env = env;
    f->spec = xstrdup(spec);
    f->path = xstrdup(path);
    f->name = xstrdup(path);
    f->fd = -1;
    size_t max_line = env->cfg->max_unit_bytes;
    in_lines_init(&f->lines, UNIT_BYTES < max_line ? UNIT_BYTES : max_line,
                  max_line);
    if (env->db &&
        (input__exec(env->db, spec, IN_FILE_SQL_CREATE, err, errlen) ||
         input__sql(env->db, spec, IN_FILE_SQL_GET, &f->get, err, errlen) ||
         input__sql(env->db, spec, IN_FILE_SQL_PUT, &f->put, err, errlen) ||
         restore(f, err, errlen)))
        goto fail;
    *out = &f->base;
    return 0;
fail:
    f->base.ops = NULL;
    sqlite3_finalize(f->get);
    sqlite3_finalize(f->put);
    xfree(f->spec);
    xfree(f->path);
    xfree(f->name);
    xfree(f);
    return -1;
}

static void close_file(struct input *in)
{
    struct in_file *f = (struct in_file *)in;
    if (f->fd >= 0)
        close(f->fd);
    sqlite3_finalize(f->get);
    sqlite3_finalize(f->put);
    xfree(f->buf);
    xfree(f->spec);
    xfree(f->path);
    xfree(f->name);
    xfree(f);
}

static int fd_file(struct input *in)
{
    (void)in;
    return -1;
}

/* Look at the path and the open file: rotation, truncation, growth. */
static void look(struct in_file *f)
{
    struct stat st, pst;
    if (fstat(f->fd, &st) != 0)
        return;
    int64_t now = input__now_ms();
    uint64_t size = (uint64_t)st.st_size;
    if (size != f->size) {
        f->grew_at = now;
        if (size < f->off || size < f->fp_len || !same_start(f, f->fd)) {
            input__note(f->env, f->spec,
                        "truncated (%llu bytes, %llu were read); reading it "
                        "from the start", (unsigned long long)size,
                        (unsigned long long)f->off);
            f->off = 0;
            f->fp_len = 0;
            in_lines_init(&f->lines, f->lines.max_unit, f->lines.max_line);
        }
        f->size = size;
        grow_fingerprint(f);
    }
    if (!f->draining &&
        (stat(f->path, &pst) != 0 || (uint64_t)pst.st_dev != f->dev ||
         (uint64_t)pst.st_ino != f->ino)) {
        f->draining = 1;
        f->grew_at = now;
        rename_open(f);
        input__note(f->env, f->spec,
                    "rotated; finishing %s before following the new file",
                    f->name);
    }
}

/* Deliver from the open file.  Returns 1 when the budget ran out with
 * more to read, -1 when the callback refused, 0 otherwise. */
static int deliver(struct in_file *f, int final, input_unit_fn cb, void *ctx)
{
    size_t budget = POLL_BYTES;
    while (f->off < f->size) {
        if (budget == 0)
            return 1;
        uint64_t avail = f->size - f->off;
        size_t want = avail < f->lines.max_unit ? (size_t)avail : f->lines.max_unit;
        for (;;) {
            f->buf = xgrow(f->buf, &f->cap, want, 1);
            ssize_t got = pread(f->fd, f->buf, want, (off_t)f->off);
            if (got <= 0)
                return 0; /* shrank under us: the next look tells */
            size_t n;
            int last = final && (uint64_t)got == avail;
            enum in_cut cut = in_lines_next(&f->lines, f->buf, (size_t)got, last, &n);
            if (cut == IN_CUT_WAIT && (uint64_t)got < avail &&
                want <= f->lines.max_line) {
                /* A line longer than a unit: read it whole. */
                want = avail < (uint64_t)f->lines.max_line + 1
                           ? (size_t)avail
                           : f->lines.max_line + 1;
                continue;
            }
            if (cut == IN_CUT_WAIT)
                return 0;
            if (cut == IN_CUT_OVERSIZED)
                diag_skip(f->env->d, SKIP_OVERSIZED, f->name, NULL,
                          (size_t)f->off,
                          "line longer than sources.max_unit_bytes");
            if (cut == IN_CUT_UNIT) {
                char unit[PATH_MAX + 32];
                if (f->off)
                    snprintf(unit, sizeof unit, "%s@%llu", f->name,
                             (unsigned long long)f->off);
                else
                    snprintf(unit, sizeof unit, "%s", f->name);
                if (cb(ctx, unit, f->buf, n) != 0)
                    return -1;
                f->env->d->bytes_read += n;
            }
            f->off += n;
            budget = n < budget ? budget - n : 0;
            break;
        }
    }
    return 0;
}

static int poll_file(struct input *in, input_unit_fn cb, void *ctx)
{
    struct in_file *f = (struct in_file *)in;
    for (int round = 0; round < 2; round++) {
        if (f->fd < 0 && open_path(f) != 0)
            return INPUT_IDLE;
        look(f);
        int64_t idle = input__now_ms() - f->grew_at;
        int final = f->draining && idle >= f->env->cfg->file_rotate_wait_ms;
        int rc = deliver(f, final, cb, ctx);
        if (rc)
            return rc > 0 ? INPUT_MORE : INPUT_IDLE;
        if (!final || f->off < f->size)
            return INPUT_IDLE;
        input__note(f->env, f->spec,
                    "finished %s at byte %llu; following the new file",
                    f->name, (unsigned long long)f->off);
        forget_file(f);
    }
    return INPUT_IDLE;
}

static int checkpoint_file(struct input *in, char *err, size_t errlen)
{
    struct in_file *f = (struct in_file *)in;
    if (!f->put)
        return 0;
    sqlite3_bind_text(f->put, 1, f->spec, -1, SQLITE_STATIC);
    sqlite3_bind_int64(f->put, 2, (sqlite3_int64)f->dev);
    sqlite3_bind_int64(f->put, 3, (sqlite3_int64)f->ino);
    sqlite3_bind_int64(f->put, 4, (sqlite3_int64)f->off);
    sqlite3_bind_int64(f->put, 5, f->fp_len);
    sqlite3_bind_int64(f->put, 6, (sqlite3_int64)f->fp_hash);
    return input__step_done(f->env->db, f->put, f->spec, err, errlen);
}

static void committed_file(struct input *in)
{
    (void)in;
}

const struct input_ops in_file_ops = {
    .name = "file",
    .accepts = accepts,
    .open = open_file,
    .close = close_file,
    .fd = fd_file,
    .poll = poll_file,
    .checkpoint = checkpoint_file,
    .committed = committed_file,
};
