#include "source.h"

#include "inflate.h"
#include "xalloc.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fcntl.h>

void source_buf_free(struct source_buf *b)
{
    if (b->map_len)
        munmap(b->data, b->map_len);
    else
        xfree(b->data);
    memset(b, 0, sizeof(*b));
}

/* Plain files at least this large are mapped rather than read. */
#define MAP_MIN (1u << 20)

/* Map the plain file fd (size bytes) into b, followed by zero bytes (so
 * that it is NUL-terminated).  Returns 0, or -1 when it is gzip, too small
 * or cannot be mapped (then read it). */
static int map_plain(int fd, size_t size, struct source_buf *b)
{
    unsigned char magic[2];
    if (size < MAP_MIN || pread(fd, magic, 2, 0) != 2 ||
        (magic[0] == 0x1f && magic[1] == 0x8b))
        return -1;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t total = (size + 1 + page - 1) / page * page;
    void *base = mmap(NULL, total, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        return -1;
    /* Read-only: writable private pages would be copied as they are
     * populated.  The tail of the last page reads as zeros. */
    if (mmap(base, size, PROT_READ, MAP_PRIVATE | MAP_FIXED | MAP_POPULATE,
             fd, 0) == MAP_FAILED) {
        munmap(base, total);
        return -1;
    }
    source_buf_free(b);
    b->data = base;
    b->len = size;
    b->map_len = total;
    return 0;
}

/* Read all of fd into raw; size is the file's size when known (a
 * regular file: read that much, once), else 0.  Returns 0 or -1 (errno). */
static int read_all(int fd, size_t size, struct source_buf *raw)
{
    raw->len = 0;
    if (size)
        raw->data = xgrow(raw->data, &raw->cap, size + 1, 1);
    for (;;) {
        if (raw->cap - raw->len < 4096)
            raw->data = xgrow(raw->data, &raw->cap, raw->len + 65536, 1);
        ssize_t got = read(fd, raw->data + raw->len, raw->cap - raw->len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return got < 0 ? -1 : 0;
        raw->len += (size_t)got;
        if (size && raw->len == size)
            return 0;
    }
}

const char *source_kind(mode_t mode)
{
    return S_ISREG(mode)    ? "a regular file"
           : S_ISDIR(mode)  ? "a folder"
           : S_ISFIFO(mode) ? "a FIFO"
           : S_ISCHR(mode)  ? "a character device"
           : S_ISBLK(mode)  ? "a block device"
           : S_ISSOCK(mode) ? "a socket"
                            : "not a regular file";
}

/* Flags every file is opened with: a FIFO or device does not block the
 * opening (and is closed at once, not read). */
#define OPEN_FLAGS (O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)

/* Open name (relative to dirfd) and check it is a regular file: fd, -1
 * (errno), or -2 (closed again; st says what it is). */
static int open_regular(int dirfd, const char *name, int flags,
                        struct stat *st)
{
    int fd = openat(dirfd, name, flags);
    if (fd < 0 && errno == EPERM && (flags & O_NOATIME)) /* another's file */
        fd = openat(dirfd, name, flags & ~O_NOATIME);
    if (fd < 0)
        return -1;
    if (fstat(fd, st) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    if (!S_ISREG(st->st_mode)) {
        close(fd);
        return -2;
    }
    return fd;
}

int source_open(const char *path, struct stat *st)
{
    return open_regular(AT_FDCWD, path, OPEN_FLAGS, st);
}

/* Open path as source_open does, relative to the folder of the last file
 * opened when it is the same (files of a folder come one after the other),
 * so that the kernel does not walk the whole path each time. */
static int open_file(struct source_loader *l, const char *path,
                     struct stat *st)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return source_open(path, st);
    size_t dlen = (size_t)(slash - path);
    if (!l->dir || strlen(l->dir) != (dlen ? dlen : 1) ||
        memcmp(l->dir, path, dlen) != 0) {
        if (l->dir)
            close(l->dir_fd);
        xfree(l->dir);
        l->dir = xstrndup(path, dlen ? dlen : 1);
        l->dir_fd = open(l->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (l->dir_fd < 0) {
            xfree(l->dir);
            l->dir = NULL;
            return source_open(path, st);
        }
    }
    return open_regular(l->dir_fd, slash + 1, OPEN_FLAGS | O_NOATIME, st);
}

/* Open path for source_load: the fd, or -1 when there is nothing to read
 * (the reason counted and reported in d: cannot open, not a regular file,
 * empty). */
static int load_open(struct source_loader *l, const char *path,
                     struct stat *st, struct diag *d)
{
    char why[160];
    int fd = open_file(l, path, st);
    if (fd >= 0 && st->st_size == 0) {
        close(fd);
        diag_pass(d, PASS_EMPTY, path, "an empty file");
        return -1;
    }
    if (fd >= 0)
        return fd;
    if (fd == -2) {
        snprintf(why, sizeof why, "%s, not a regular file", source_kind(st->st_mode));
        diag_pass(d, PASS_NOT_FILE, path, why);
    } else {
        snprintf(why, sizeof why, "cannot open: %s", strerror(errno));
        diag_skip(d, SKIP_READ_ERROR, path, NULL, 0, why);
    }
    return -1;
}

int source_load(struct source_loader *l, const char *path,
                struct source_buf *b, struct diag *d)
{
    int is_stdin = strcmp(path, "-") == 0;
    struct stat st;
    int fd = is_stdin ? STDIN_FILENO : load_open(l, path, &st, d);
    if (b->map_len)
        source_buf_free(b);
    if (fd < 0) {
        b->len = 0;
        b->data = xgrow(b->data, &b->cap, 1, 1);
        b->data[0] = '\0';
        return 1;
    }
    const char *name = is_stdin ? "<stdin>" : path;
    struct source_buf *raw = &l->raw;
    int rc = 0;
    d->files++;
    size_t size = 0;
    if (!is_stdin) {
        size = (size_t)st.st_size;
        if (map_plain(fd, size, b) == 0) {
            close(fd);
            d->bytes_read += b->len;
            d->bytes_json += b->len;
            return 0;
        }
    }
    if (read_all(fd, size, raw) != 0) {
        diag_skip(d, SKIP_READ_ERROR, name, NULL, raw->len, strerror(errno));
        rc = 1;
    }
    if (!is_stdin)
        close(fd);
    d->bytes_read += raw->len;
    if (inflate_is_gzip(raw->data, raw->len)) {
        size_t at;
        enum inflate_rc zr = inflate_gzip(&l->z, raw->data, raw->len, SIZE_MAX,
                                          &b->data, &b->len, &b->cap, &at);
        if (zr != INFLATE_OK) {
            char why[96];
            snprintf(why, sizeof why, "%s; reading what was inflated", inflate_str(zr));
            diag_skip(d, zr == INFLATE_TRUNCATED ? SKIP_TRUNCATED : SKIP_BAD_GZIP,
                      name, NULL, at, why);
            rc = 1;
        }
    } else {
        /* Hand the bytes over and keep b's old buffer for the next file. */
        struct source_buf t = *b;
        *b = *raw;
        *raw = t;
    }
    b->data = xgrow(b->data, &b->cap, b->len + 1, 1);
    b->data[b->len] = '\0';
    d->bytes_json += b->len;
    return rc;
}

void source_loader_free(struct source_loader *l)
{
    if (l->dir)
        close(l->dir_fd);
    xfree(l->dir);
    source_buf_free(&l->raw);
    inflater_free(&l->z);
    memset(l, 0, sizeof(*l));
}

int source_stream_open(const char *path, size_t min_size,
                       struct source_stream *s)
{
    unsigned char magic[2];
    struct stat st;
    if (strcmp(path, "-") == 0)
        return -1;
    int fd = source_open(path, &st);
    if (fd < 0)
        return -1;
    if ((size_t)st.st_size < min_size || pread(fd, magic, 2, 0) != 2 ||
        inflate_is_gzip((const char *)magic, 2)) {
        close(fd);
        return -1;
    }
    s->fd = fd;
    s->size = (size_t)st.st_size;
    return 0;
}

const char *source_stream_map(const struct source_stream *s, size_t off,
                              size_t len, void **base, size_t *maplen)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t start = off / page * page;
    *maplen = off + len - start;
    *base = mmap(NULL, *maplen, PROT_READ, MAP_PRIVATE | MAP_POPULATE, s->fd,
                 (off_t)start);
    if (*base == MAP_FAILED) {
        *base = NULL;
        return NULL;
    }
    return (const char *)*base + (off - start);
}

void source_stream_unmap(void *base, size_t maplen)
{
    if (base)
        munmap(base, maplen);
}

void source_stream_close(struct source_stream *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
}
