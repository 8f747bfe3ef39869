#include "in_spool.h"

#include "in_sql.h"
#include "input_int.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "CTSPOOL1 "
#define MAGIC_LEN 9
#define HEADER_MAX 256 /* a header line is shorter than this */

struct pos {
    uint64_t gen, off;
};

struct in_spool {
    const struct input_env *env;
    char *dir, *spec;
    /* generations left to replay, ascending (the first from pos.off) */
    uint64_t *replay;
    size_t nreplay, ireplay;
    /* the generation being appended */
    uint64_t gen;
    int fd;       /* -1 until the first append */
    uint64_t size, undo_size;
    struct pos pos, saved;
    int saved_valid;
    char *buf;
    size_t cap;
    sqlite3_stmt *get, *put;
};

static char *gen_path(const struct in_spool *s, uint64_t gen)
{
    size_t n = strlen(s->dir) + 40;
    char *p = xmalloc(n);
    snprintf(p, n, "%s/spool-%020" PRIu64 ".log", s->dir, gen);
    return p;
}

static int parse_gen(const char *name, uint64_t *gen)
{
    char tail[8];
    unsigned long long g;
    if (sscanf(name, "spool-%20llu.%4s", &g, tail) != 2 ||
        strcmp(tail, "log") != 0)
        return -1;
    *gen = g;
    return 0;
}

static int by_gen(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void remove_gen(struct in_spool *s, uint64_t gen)
{
    char *p = gen_path(s, gen);
    unlink(p);
    xfree(p);
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* Delete the generations before gen (consumed by a committed checkpoint).
 * OUT (may be NULL): the others, ascending, and the highest seen. */
static int sweep(struct in_spool *s, uint64_t gen, uint64_t **keep,
                 size_t *nkeep, uint64_t *top)
{
    DIR *d = opendir(s->dir);
    size_t cap = 0;
    struct dirent *e;
    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL) {
        uint64_t g;
        if (parse_gen(e->d_name, &g) != 0)
            continue;
        if (top && g > *top)
            *top = g;
        if (g < gen) {
            remove_gen(s, g);
        } else if (keep) {
            *keep = xgrow(*keep, &cap, *nkeep + 1, sizeof **keep);
            (*keep)[(*nkeep)++] = g;
        }
    }
    closedir(d);
    if (keep && *nkeep)
        qsort(*keep, *nkeep, sizeof **keep, by_gen);
    return 0;
}

/* Queue what follows the saved position for replay. */
static int list(struct in_spool *s, struct pos saved, char *err,
                size_t errlen)
{
    uint64_t top = saved.gen;
    if (sweep(s, saved.gen, &s->replay, &s->nreplay, &top) != 0) {
        snprintf(err, errlen, "%s: cannot read spool folder %s: %s", s->spec,
                 s->dir, strerror(errno));
        return -1;
    }
    uint64_t start = s->nreplay && s->replay[0] == saved.gen ? saved.off : 0;
    s->gen = top + 1;
    s->pos = s->nreplay ? (struct pos){s->replay[0], start}
                        : (struct pos){s->gen, 0};
    return 0;
}

int in_spool_open(const char *dir, const char *spec,
                  const struct input_env *env, struct in_spool **out,
                  char *err, size_t errlen)
{
    struct in_spool *s = xcalloc(1, sizeof *s);
    struct pos saved = {0, 0};
    s->env = env;
    s->dir = xstrdup(dir);
    s->spec = xstrdup(spec);
    s->fd = -1;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "%s: cannot create spool folder %s: %s", spec,
                 dir, strerror(errno));
        goto fail;
    }
    if (input__exec(env->db, spec, IN_HTTP_SQL_CREATE, err, errlen) ||
        input__sql(env->db, spec, IN_HTTP_SQL_GET, &s->get, err, errlen) ||
        input__sql(env->db, spec, IN_HTTP_SQL_PUT, &s->put, err, errlen))
        goto fail;
    sqlite3_bind_text(s->get, 1, spec, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s->get);
    if (rc == SQLITE_ROW) {
        saved.gen = (uint64_t)sqlite3_column_int64(s->get, 0);
        saved.off = (uint64_t)sqlite3_column_int64(s->get, 1);
    }
    sqlite3_clear_bindings(s->get);
    sqlite3_reset(s->get);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        snprintf(err, errlen, "%s: cannot read the spool position: %s", spec,
                 sqlite3_errmsg(env->db));
        goto fail;
    }
    if (list(s, saved, err, errlen) != 0)
        goto fail;
    *out = s;
    return 0;
fail:
    in_spool_close(s);
    return -1;
}

void in_spool_close(struct in_spool *s)
{
    if (!s)
        return;
    if (s->fd >= 0)
        close(s->fd);
    sqlite3_finalize(s->get);
    sqlite3_finalize(s->put);
    xfree(s->replay);
    xfree(s->buf);
    xfree(s->dir);
    xfree(s->spec);
    xfree(s);
}

int in_spool_replaying(const struct in_spool *s)
{
    return s->ireplay < s->nreplay;
}

/* Read a whole generation into s->buf.  Returns its length, or -1. */
static ssize_t load(struct in_spool *s, uint64_t gen)
{
    char *p = gen_path(s, gen);
    FILE *f = fopen(p, "rb");
    xfree(p);
    if (!f)
        return -1;
    size_t len = 0, got;
    do {
        s->buf = xgrow(s->buf, &s->cap, len + 65536, 1);
        got = fread(s->buf + len, 1, s->cap - len, f);
        len += got;
    } while (got > 0);
    fclose(f);
    return (ssize_t)len;
}

/* Parse the unit header at buf[at].  OUT: the body's offset and length,
 * the name.  Returns 0, 1 when the file ends inside the unit, -1 when
 * the header is damaged. */
static int header(const char *buf, size_t len, size_t at, size_t *body,
                  size_t *blen, char *name, size_t namelen)
{
    size_t room = len - at < HEADER_MAX ? len - at : HEADER_MAX;
    const char *nl = memchr(buf + at, '\n', room);
    if (!nl)
        return room < HEADER_MAX ? 1 : -1;
    char line[HEADER_MAX + 1];
    memcpy(line, buf + at, (size_t)(nl - (buf + at)));
    line[nl - (buf + at)] = '\0';
    unsigned long long n;
    int used = 0;
    if (strncmp(line, MAGIC, MAGIC_LEN) != 0 ||
        sscanf(line + MAGIC_LEN, "%llu %n", &n, &used) != 1 || used == 0)
        return -1;
    snprintf(name, namelen, "%s", line + MAGIC_LEN + used);
    *body = (size_t)(nl - buf) + 1;
    *blen = (size_t)n;
    if (*body + *blen + 1 > len)
        return 1;
    return buf[*body + *blen] == '\n' ? 0 : -1;
}

int in_spool_replay(struct in_spool *s, input_unit_fn cb, void *ctx)
{
    while (s->ireplay < s->nreplay) {
        uint64_t gen = s->replay[s->ireplay];
        ssize_t len = load(s, gen);
        size_t at = s->pos.off;
        while (len > 0 && at < (size_t)len) {
            size_t body, blen;
            char name[HEADER_MAX];
            int rc = header(s->buf, (size_t)len, at, &body, &blen, name,
                            sizeof name);
            if (rc > 0) {
                input__note(s->env, s->spec,
                            "spool generation %" PRIu64 ": unit cut off at "
                            "byte %zu dropped (it was never acknowledged)",
                            gen, at);
                break;
            }
            if (rc < 0) {
                const char *next = memmem(s->buf + at + 1, (size_t)len - at - 1,
                                          "\n" MAGIC, MAGIC_LEN + 1);
                size_t to = next ? (size_t)(next - s->buf) + 1 : (size_t)len;
                input__note(s->env, s->spec,
                            "spool generation %" PRIu64 ": damaged at byte "
                            "%zu; skipping %zu bytes", gen, at, to - at);
                at = to;
                s->pos.off = at;
                continue;
            }
            if (cb(ctx, name, s->buf + body, blen) != 0)
                return 0;
            at = body + blen + 1;
            s->pos.off = at;
        }
        s->ireplay++;
        s->pos = s->ireplay < s->nreplay
                     ? (struct pos){s->replay[s->ireplay], 0}
                     : (struct pos){s->gen, 0};
    }
    return 1;
}

/* Write all of buf at offset off of fd. */
static int write_at(int fd, const char *buf, size_t len, uint64_t off)
{
    while (len) {
        ssize_t n = pwrite(fd, buf, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        buf += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return 0;
}

int in_spool_append(struct in_spool *s, const char *name, const char *buf,
                    size_t len, char *err, size_t errlen)
{
    char head[HEADER_MAX];
    int hl = snprintf(head, sizeof head, MAGIC "%zu %s\n", len, name);
    if (hl < 0 || hl >= (int)sizeof head) {
        snprintf(err, errlen, "unit name too long for the spool");
        return -1;
    }
    if (s->fd < 0) {
        char *p = gen_path(s, s->gen);
        s->fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        xfree(p);
        if (s->fd < 0 || fsync_dir(s->dir) != 0) {
            snprintf(err, errlen, "cannot create a spool file in %s: %s",
                     s->dir, strerror(errno));
            return -1;
        }
        s->size = 0;
    }
    uint64_t at = s->size;
    if (write_at(s->fd, head, (size_t)hl, at) != 0 ||
        write_at(s->fd, buf, len, at + (uint64_t)hl) != 0 ||
        write_at(s->fd, "\n", 1, at + (uint64_t)hl + len) != 0 ||
        fdatasync(s->fd) != 0) {
        snprintf(err, errlen, "cannot write the spool in %s: %s", s->dir,
                 strerror(errno));
        if (ftruncate(s->fd, (off_t)at) != 0)
            input__note(s->env, s->spec, "cannot take back a spool write: %s",
                        strerror(errno));
        return -1;
    }
    s->undo_size = at;
    s->size = at + (uint64_t)hl + len + 1;
    s->pos = (struct pos){s->gen, s->size};
    return 0;
}

void in_spool_undo(struct in_spool *s)
{
    if (ftruncate(s->fd, (off_t)s->undo_size) != 0 || fdatasync(s->fd) != 0)
        input__note(s->env, s->spec, "cannot take back a spool write: %s",
                    strerror(errno));
    s->size = s->undo_size;
    s->pos = (struct pos){s->gen, s->size};
}

int in_spool_checkpoint(struct in_spool *s, char *err, size_t errlen)
{
    sqlite3_bind_text(s->put, 1, s->spec, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s->put, 2, (sqlite3_int64)s->pos.gen);
    sqlite3_bind_int64(s->put, 3, (sqlite3_int64)s->pos.off);
    if (input__step_done(s->env->db, s->put, s->spec, err, errlen))
        return -1;
    s->saved = s->pos;
    s->saved_valid = 1;
    return 0;
}

void in_spool_committed(struct in_spool *s)
{
    if (!s->saved_valid)
        return;
    s->saved_valid = 0;
    sweep(s, s->saved.gen, NULL, NULL, NULL);
    /* The current generation wholly consumed: start a new one, so that
     * this one can go at the next commit. */
    if (s->saved.gen == s->gen && s->saved.off == s->size && s->fd >= 0 &&
        s->size > 0) {
        close(s->fd);
        s->fd = -1;
        s->gen++;
        s->size = 0;
        s->pos = (struct pos){s->gen, 0};
    }
}
