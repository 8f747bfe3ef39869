#include "source.h"

#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <zlib.h>

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

static int is_gzip(const char *p, size_t n)
{
    return n >= 2 && (unsigned char)p[0] == 0x1f && (unsigned char)p[1] == 0x8b;
}

/* Inflate every gzip member of in into out with zlib, streaming.  Returns
 * 0, or the skip reason with *at set to the compressed offset where it went
 * wrong; out then holds what was inflated before. */
static int inflate_zlib(const char *in, size_t inlen, struct source_buf *out,
                        size_t *at)
{
    const size_t max_chunk = 1u << 30;
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    out->len = 0;
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
        *at = 0;
        return SKIP_BAD_GZIP;
    }
    size_t fed = 0; /* bytes of in handed to zlib so far */
    int rc = 0;
    for (;;) {
        if (zs.avail_in == 0 && fed < inlen) {
            size_t n = inlen - fed < max_chunk ? inlen - fed : max_chunk;
            zs.next_in = (Bytef *)in + fed;
            zs.avail_in = (uInt)n;
            fed += n;
        }
        out->data = xgrow(out->data, &out->cap, out->len + 262144, 1);
        size_t room = out->cap - out->len - 1;
        if (room > max_chunk)
            room = max_chunk;
        zs.next_out = (Bytef *)out->data + out->len;
        zs.avail_out = (uInt)room;
        int zr = inflate(&zs, Z_NO_FLUSH);
        out->len += room - zs.avail_out;
        size_t consumed = fed - zs.avail_in;
        if (zr == Z_STREAM_END) {
            if (consumed == inlen)
                break;
            if (is_gzip(in + consumed, inlen - consumed)) {
                inflateReset(&zs);
                continue;
            }
            *at = consumed;
            rc = SKIP_BAD_GZIP;
            break;
        }
        if (zr == Z_OK || (zr == Z_BUF_ERROR && zs.avail_out == 0))
            continue;
        if (zr == Z_BUF_ERROR && consumed == inlen) {
            *at = inlen;
            rc = SKIP_TRUNCATED;
            break;
        }
        *at = consumed;
        rc = SKIP_BAD_GZIP;
        break;
    }
    inflateEnd(&zs);
    return rc;
}

/* The size a gzip stream of n bytes says it inflates to (its last
 * member's ISIZE, modulo 2^32), at least a small default. */
static size_t size_hint(const unsigned char *in, size_t n)
{
    size_t hint = n >= 18 ? (size_t)in[n - 4] | (size_t)in[n - 3] << 8 |
                                (size_t)in[n - 2] << 16 | (size_t)in[n - 1] << 24
                          : 0;
    return hint > n * 4 ? hint : n * 4;
}

/* Inflate every member of in into out with libdeflate.  Returns 0, or -1
 * when a member is damaged, cut off or followed by other bytes (out is
 * then undefined and the caller inflates again with zlib). */
static int inflate_fast(struct source_loader *l, const char *in, size_t inlen,
                        struct source_buf *out)
{
    if (!l->dec)
        l->dec = libdeflate_alloc_decompressor();
    if (!l->dec)
        return -1;
    size_t pos = 0;
    out->len = 0;
    out->data = xgrow(out->data, &out->cap,
                      size_hint((const unsigned char *)in, inlen) + 1, 1);
    while (pos < inlen) {
        if (!is_gzip(in + pos, inlen - pos))
            return -1;
        size_t used, made;
        enum libdeflate_result r = libdeflate_gzip_decompress_ex(
            l->dec, in + pos, inlen - pos, out->data + out->len,
            out->cap - out->len - 1, &used, &made);
        if (r == LIBDEFLATE_INSUFFICIENT_SPACE) {
            out->data = xgrow(out->data, &out->cap, out->cap * 2, 1);
            continue;
        }
        if (r != LIBDEFLATE_SUCCESS)
            return -1;
        out->len += made;
        pos += used;
    }
    return 0;
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
    if (is_gzip(raw->data, raw->len)) {
        if (inflate_fast(l, raw->data, raw->len, b) != 0) {
            size_t at = 0;
            int zr = inflate_zlib(raw->data, raw->len, b, &at);
            if (zr) {
                diag_skip(d, (enum skip_reason)zr, name, NULL, at,
                          zr == SKIP_TRUNCATED
                              ? "gzip data ends early; reading what was inflated"
                              : "gzip data is damaged; reading what was inflated");
                rc = 1;
            }
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
    libdeflate_free_decompressor(l->dec);
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
        is_gzip((const char *)magic, 2)) {
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
