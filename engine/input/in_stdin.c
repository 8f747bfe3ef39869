/*
 * in_stdin — `-`, standard input: whole lines until end of file.
 *
 * Bytes are read without blocking (the daemon polls fd 0) into a buffer,
 * and whole lines are handed over (in_lines); at end of file the last line
 * is delivered even without a newline, then the input has ended.  A pipe
 * cannot be read twice, so nothing is checkpointed: after a restart the
 * daemon reads whatever the new standard input holds.  What was read but
 * refused by the callback stays in the buffer and is offered again.
 */
#include "input.h"

#include "in_lines.h"
#include "input_int.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define UNIT_BYTES (4u << 20)  /* preferred unit size */
#define READ_BYTES (1u << 20)  /* read() size */
#define POLL_BYTES (32u << 20) /* bytes read per poll at most */

struct in_stdin {
    struct input base;
    const struct input_env *env;
    int fd;
    int eof;
    char *buf;          /* bytes read and not delivered: buf[0..len) */
    size_t len, cap;
    uint64_t base_off;  /* stream offset of buf[0] */
    struct in_lines lines;
};

static int accepts(const char *spec)
{
    return strcmp(spec, "-") == 0;
}

static int open_stdin(const char *spec, const struct input_env *env,
                      struct input **out, char *err, size_t errlen)
{
    int fl = fcntl(STDIN_FILENO, F_GETFL);
    if (fl < 0 || fcntl(STDIN_FILENO, F_SETFL, fl | O_NONBLOCK) < 0) {
        snprintf(err, errlen, "%s: standard input: %s", spec, strerror(errno));
        return -1;
    }
    struct in_stdin *s = xcalloc(1, sizeof *s);
    s->env = env;
    s->fd = STDIN_FILENO;
    size_t max_line = env->cfg->max_unit_bytes;
    in_lines_init(&s->lines, UNIT_BYTES < max_line ? UNIT_BYTES : max_line,
                  max_line);
    *out = &s->base;
    return 0;
}

static void close_stdin(struct input *in)
{
    struct in_stdin *s = (struct in_stdin *)in;
    xfree(s->buf);
    xfree(s);
}

static int fd_stdin(struct input *in)
{
    struct in_stdin *s = (struct in_stdin *)in;
    return s->eof ? -1 : s->fd;
}

/* Read what is there (up to POLL_BYTES) into the buffer.  Returns 1 when
 * it stopped with more perhaps waiting. */
static int fill(struct in_stdin *s)
{
    size_t got_total = 0;
    while (!s->eof && got_total < POLL_BYTES && s->len < s->lines.max_line + 1) {
        s->buf = xgrow(s->buf, &s->cap, s->len + READ_BYTES, 1);
        ssize_t got = read(s->fd, s->buf + s->len, s->cap - s->len);
        if (got > 0) {
            s->len += (size_t)got;
            got_total += (size_t)got;
            s->env->d->bytes_read += (uint64_t)got;
        } else if (got == 0) {
            s->eof = 1;
        } else if (errno == EINTR) {
            continue;
        } else {
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                diag_skip(s->env->d, SKIP_READ_ERROR, "<stdin>", NULL,
                          (size_t)(s->base_off + s->len), strerror(errno));
                s->eof = 1;
            }
            return 0;
        }
    }
    return !s->eof;
}

static int poll_stdin(struct input *in, input_unit_fn cb, void *ctx)
{
    struct in_stdin *s = (struct in_stdin *)in;
    int more = fill(s);
    size_t at = 0, n;
    int refused = 0;
    for (;;) {
        enum in_cut cut = in_lines_next(&s->lines, s->buf + at, s->len - at,
                                        s->eof, &n);
        if (cut == IN_CUT_WAIT)
            break;
        if (cut == IN_CUT_OVERSIZED)
            diag_skip(s->env->d, SKIP_OVERSIZED, "<stdin>", NULL,
                      (size_t)(s->base_off + at),
                      "line longer than sources.max_unit_bytes");
        if (cut == IN_CUT_UNIT) {
            char unit[48];
            uint64_t off = s->base_off + at;
            if (off)
                snprintf(unit, sizeof unit, "<stdin>@%llu",
                         (unsigned long long)off);
            else
                snprintf(unit, sizeof unit, "<stdin>");
            if (cb(ctx, unit, s->buf + at, n) != 0) {
                refused = 1;
                break;
            }
        }
        at += n;
    }
    if (at)
        memmove(s->buf, s->buf + at, s->len - at);
    s->len -= at;
    s->base_off += at;
    if (refused)
        return INPUT_IDLE;
    if (s->eof && s->len == 0)
        return INPUT_ENDED;
    return more ? INPUT_MORE : INPUT_IDLE;
}

static int checkpoint_stdin(struct input *in, char *err, size_t errlen)
{
    (void)in;
    (void)err;
    (void)errlen;
    return 0;
}

static void committed_stdin(struct input *in)
{
    (void)in;
}

const struct input_ops in_stdin_ops = {
    .name = "stdin",
    .accepts = accepts,
    .open = open_stdin,
    .close = close_stdin,
    .fd = fd_stdin,
    .poll = poll_stdin,
    .checkpoint = checkpoint_stdin,
    .committed = committed_stdin,
};
