#include "scan.h"

#include <string.h>

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

size_t scan_ws(const char *buf, size_t len, size_t at)
{
    while (at < len && is_ws(buf[at]))
        at++;
    return at;
}

/* buf[at] is the opening quote; return the offset after the closing one. */
static int skip_string(const char *buf, size_t len, size_t at, size_t *end)
{
    size_t i = at + 1;
    for (;;) {
        const char *q = memchr(buf + i, '"', len - i);
        if (!q) {
            *end = len;
            return SCAN_TRUNCATED;
        }
        size_t k = (size_t)(q - buf);
        size_t bs = 0;
        while (k - bs > at + 1 && buf[k - bs - 1] == '\\')
            bs++;
        if (bs % 2 == 0) {
            *end = k + 1;
            return SCAN_OK;
        }
        i = k + 1;
    }
}

static int is_scalar_byte(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z') || c == '-' || c == '+' || c == '.';
}

int scan_value(const char *buf, size_t len, size_t at, int max_depth,
               size_t *end)
{
    int depth = 0;
    size_t i = at;
    if (i >= len) {
        *end = len;
        return SCAN_EOF;
    }
    do {
        char c = buf[i];
        if (c == '"') {
            int rc = skip_string(buf, len, i, &i);
            if (rc) {
                *end = i;
                return rc;
            }
        } else if (c == '{' || c == '[') {
            if (++depth > max_depth) {
                *end = i;
                return SCAN_TOO_DEEP;
            }
            i++;
        } else if (c == '}' || c == ']') {
            if (depth == 0) {
                *end = i;
                return SCAN_BAD;
            }
            depth--;
            i++;
        } else if (is_scalar_byte(c)) {
            while (i < len && is_scalar_byte(buf[i]))
                i++;
        } else if (depth > 0 && (c == ',' || c == ':' || is_ws(c))) {
            i++;
        } else {
            *end = i;
            return SCAN_BAD;
        }
        if (depth > 0 && i >= len) {
            *end = len;
            return SCAN_TRUNCATED;
        }
    } while (depth > 0);
    *end = i;
    return SCAN_OK;
}

void scan_iter_begin(struct scan_iter *it, const char *buf, size_t len,
                     size_t at, int max_depth)
{
    it->buf = buf;
    it->len = len;
    it->pos = at + 1;
    it->depth = max_depth - 1;
    it->close = buf[at] == '{' ? '}' : ']';
    it->count = 0;
}

/* The separator sep at buf[*i]: on it, *i moves to the next value (0);
 * else it->pos marks the place and the error is returned. */
static int separator(struct scan_iter *it, size_t *i, char sep)
{
    const char *buf = it->buf;
    size_t len = it->len;
    if (*i >= len || buf[*i] != sep) {
        it->pos = *i;
        return *i >= len ? SCAN_TRUNCATED : SCAN_BAD;
    }
    *i = scan_ws(buf, len, *i + 1);
    if (*i >= len) {
        it->pos = len;
        return SCAN_TRUNCATED;
    }
    return 0;
}

int scan_iter_next(struct scan_iter *it, const char **key, size_t *keylen,
                   size_t *vstart)
{
    const char *buf = it->buf;
    size_t len = it->len;
    size_t i = scan_ws(buf, len, it->pos);
    if (it->depth < 0)
        return SCAN_TOO_DEEP;
    if (i < len && buf[i] == it->close) {
        it->pos = i + 1;
        return SCAN_EOF;
    }
    int rc;
    if (it->count > 0 && (rc = separator(it, &i, ',')) != 0)
        return rc;
    if (i >= len) {
        it->pos = len;
        return SCAN_TRUNCATED;
    }
    if (it->close == '}') {
        size_t kend;
        if (buf[i] != '"') {
            it->pos = i;
            return SCAN_BAD;
        }
        if ((rc = skip_string(buf, len, i, &kend)) != 0) {
            it->pos = kend;
            return rc;
        }
        *key = buf + i + 1;
        *keylen = kend - i - 2;
        i = scan_ws(buf, len, kend);
        if ((rc = separator(it, &i, ':')) != 0)
            return rc;
    } else {
        *key = NULL;
        *keylen = 0;
    }
    it->count++;
    it->pos = i;
    *vstart = i;
    return SCAN_OK;
}

int scan_iter_skip(struct scan_iter *it, size_t vstart)
{
    size_t end;
    int rc = scan_value(it->buf, it->len, vstart, it->depth, &end);
    it->pos = end;
    return rc == SCAN_EOF ? SCAN_TRUNCATED : rc;
}

void scan_line_col(const char *buf, size_t at, size_t *line, size_t *col)
{
    size_t l = 1, last_nl = 0;
    int seen = 0;
    for (size_t i = 0; i < at; i++) {
        if (buf[i] == '\n') {
            l++;
            last_nl = i;
            seen = 1;
        }
    }
    *line = l;
    *col = seen ? at - last_nl : at + 1;
}
