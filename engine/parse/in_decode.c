#include "in_decode.h"

#include "inflate.h"
#include "scan.h"
#include "xalloc.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void in_body_init(struct in_body *b)
{
    memset(b, 0, sizeof *b);
}

void in_body_free(struct in_body *b)
{
    xfree(b->unit);
    xfree(b->tmp[0]);
    xfree(b->tmp[1]);
    memset(b, 0, sizeof *b);
}

static int fail(struct in_body *b, enum skip_reason why, size_t at,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail(struct in_body *b, enum skip_reason why, size_t at,
                const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->msg, sizeof b->msg, fmt, ap);
    va_end(ap);
    b->why = why;
    b->at = at;
    return -1;
}

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int in_decode_base64(const char *in, size_t len, char **out, size_t *outlen,
                     size_t *cap, size_t *at)
{
    unsigned acc = 0;
    int bits = 0, pad = 0;
    *outlen = 0;
    *out = xgrow(*out, cap, len / 4 * 3 + 4, 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (is_space(c))
            continue;
        if (c == '=') {
            pad++;
            continue;
        }
        int v = b64_value(c);
        if (v < 0 || pad) {
            *at = i;
            return -1;
        }
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            (*out)[(*outlen)++] = (char)((acc >> bits) & 0xff);
        }
    }
    /* Leftover bits must be the zero padding of a final group. */
    if (bits >= 6 || pad > 2 || (acc & ((1u << bits) - 1)) != 0) {
        *at = len;
        return -1;
    }
    (*out)[*outlen] = '\0';
    return 0;
}

/* Whether s[0..len) is all base64 alphabet, padding and whitespace. */
static int looks_base64(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (b64_value(c) >= 0 || c == '=')
            n++;
        else if (!is_space(c))
            return 0;
    }
    return n > 0;
}

static void append(struct in_body *b, const char *s, size_t n)
{
    b->unit = xgrow(b->unit, &b->cap, b->len + n + 1, 1);
    memcpy(b->unit + b->len, s, n);
    b->len += n;
    b->unit[b->len] = '\0';
}

/* Inflate in[0..len) into tmp slot k if it is gzip.  *s, *n then name the
 * result (else they are left alone).  what names the data in messages. */
static int maybe_gunzip(struct in_body *b, int k, const char **s, size_t *n,
                        size_t max_out, const char *what)
{
    if (!inflate_is_gzip(*s, *n))
        return 0;
    size_t len, at;
    enum inflate_rc zr = inflate_gzip(NULL, *s, *n, max_out, &b->tmp[k], &len,
                               &b->tmp_cap[k], &at);
    if (zr == INFLATE_TOO_BIG)
        return fail(b, SKIP_OVERSIZED, at,
                    "%s inflates past sources.max_unit_bytes", what);
    if (zr != INFLATE_OK)
        return fail(b, zr == INFLATE_TRUNCATED ? SKIP_TRUNCATED : SKIP_BAD_GZIP,
                    at, "%s: %s", what, inflate_str(zr));
    *s = b->tmp[k];
    *n = len;
    return 0;
}

/* Whether s[0..n) opens with a JSON value that scans whole. */
static int check_json(struct in_body *b, const char *s, size_t n,
                      int max_depth, const char *what)
{
    size_t p = scan_ws(s, n, 0), end;
    if (p >= n)
        return fail(b, SKIP_INVALID_JSON, p, "%s is empty", what);
    if (s[p] != '{' && s[p] != '[')
        return fail(b, SKIP_INVALID_JSON, p,
                    "%s is not JSON, gzip or base64", what);
    int rc = scan_value(s, n, p, max_depth, &end);
    if (rc == SCAN_OK)
        return 0;
    return fail(b, rc == SCAN_TOO_DEEP ? SKIP_TOO_DEEP
                   : rc == SCAN_BAD    ? SKIP_INVALID_JSON
                                       : SKIP_TRUNCATED,
                end, "%s is not valid JSON", what);
}

/* Append one Firehose record's content as lines of the unit. */
static void append_lines(struct in_body *b, const char *s, size_t n,
                         int max_depth)
{
    size_t p = scan_ws(s, n, 0), end;
    if (p >= n)
        return;
    while (is_space((unsigned char)s[n - 1]))
        n--;
    size_t start = b->len;
    append(b, s + p, n - p);
    /* One value over several lines: put it on one. */
    if (scan_value(s, n, p, max_depth, &end) == SCAN_OK &&
        end == n) {
        for (size_t i = start; i < b->len; i++)
            if (b->unit[i] == '\n' || b->unit[i] == '\r')
                b->unit[i] = ' ';
    }
    append(b, "\n", 1);
}

/* Base64 text s[0..n) holding gzip or JSON, decoded into tmp slot 0 and
 * inflated into slot 1.  OUT: *out, *outlen. */
static int unwrap_base64(struct in_body *b, const char *s, size_t n,
                         size_t max_out, const char *what,
                         const char **out, size_t *outlen)
{
    size_t len, at;
    if (in_decode_base64(s, n, &b->tmp[0], &len, &b->tmp_cap[0], &at) != 0)
        return fail(b, SKIP_BAD_BASE64, at, "%s is not base64", what);
    *out = b->tmp[0];
    *outlen = len;
    return maybe_gunzip(b, 1, out, outlen, max_out, what);
}

static int firehose(struct in_body *b, const char *s, size_t n,
                    size_t max_out, int max_depth)
{
    json_error_t err;
    json_t *root = json_loadb(s, n, 0, &err);
    int rc = -1;
    if (!root)
        return fail(b, SKIP_INVALID_JSON, (size_t)err.position,
                    "firehose delivery is not valid JSON: %s", err.text);
    const char *id = json_string_value(json_object_get(root, "requestId"));
    json_t *records = json_object_get(root, "records");
    if (id)
        snprintf(b->request_id, sizeof b->request_id, "%s", id);
    if (!json_is_array(records)) {
        fail(b, SKIP_NOT_CLOUDTRAIL, 0,
             "firehose delivery without a records array");
        goto out;
    }
    size_t i;
    json_t *r;
    json_array_foreach(records, i, r) {
        json_t *data = json_object_get(r, "data");
        char what[48];
        snprintf(what, sizeof what, "records[%zu].data", i);
        if (!json_is_string(data)) {
            fail(b, SKIP_NOT_CLOUDTRAIL, 0, "%s is not a string", what);
            goto out;
        }
        const char *dec;
        size_t dlen;
        if (unwrap_base64(b, json_string_value(data), json_string_length(data),
                          max_out, what, &dec, &dlen) != 0)
            goto out;
        if (b->len + dlen + 1 > max_out) {
            fail(b, SKIP_OVERSIZED, 0,
                 "firehose records decode past sources.max_unit_bytes");
            goto out;
        }
        append_lines(b, dec, dlen, max_depth);
        b->records++;
    }
    rc = 0;
out:
    json_decref(root);
    return rc;
}

/* The top-level keys of the object at s[p]: Firehose (requestId and
 * records) or a Lambda CloudWatch Logs event (awslogs). */
enum shape { PLAIN, FIREHOSE, AWSLOGS };

static enum shape shape_of(const char *s, size_t n, size_t p, int max_depth)
{
    struct scan_iter it;
    const char *key;
    size_t keylen, vstart;
    int has_id = 0, has_records = 0, has_awslogs = 0;
    scan_iter_begin(&it, s, n, p, max_depth);
    while (scan_iter_next(&it, &key, &keylen, &vstart) == SCAN_OK) {
        if (keylen == 9 && memcmp(key, "requestId", 9) == 0)
            has_id = 1;
        else if (keylen == 7 && memcmp(key, "records", 7) == 0)
            has_records = s[vstart] == '[';
        else if (keylen == 7 && memcmp(key, "awslogs", 7) == 0)
            has_awslogs = s[vstart] == '{';
        else if (keylen == 7 && memcmp(key, "Records", 7) == 0)
            return PLAIN; /* a CloudTrail log file: do not walk it all */
        if (scan_iter_skip(&it, vstart) != SCAN_OK)
            break;
    }
    if (has_id && has_records)
        return FIREHOSE;
    return has_awslogs ? AWSLOGS : PLAIN;
}

static int awslogs(struct in_body *b, const char *s, size_t n,
                   size_t max_out)
{
    json_error_t err;
    json_t *root = json_loadb(s, n, 0, &err);
    if (!root)
        return fail(b, SKIP_INVALID_JSON, (size_t)err.position,
                    "body is not valid JSON: %s", err.text);
    json_t *data = json_object_get(json_object_get(root, "awslogs"), "data");
    int rc;
    const char *dec;
    size_t dlen;
    if (!json_is_string(data))
        rc = fail(b, SKIP_NOT_CLOUDTRAIL, 0, "awslogs.data is not a string");
    else
        rc = unwrap_base64(b, json_string_value(data),
                           json_string_length(data), max_out,
                           "awslogs.data", &dec, &dlen);
    if (rc == 0)
        append(b, dec, dlen);
    json_decref(root);
    return rc;
}

int in_decode_body(struct in_body *b, const char *body, size_t len,
                   int gzip_encoded, size_t max_out, int max_depth)
{
    const char *s = body;
    size_t n = len;
    b->len = 0;
    b->firehose = 0;
    b->records = 0;
    b->request_id[0] = '\0';
    b->msg[0] = '\0';
    if (gzip_encoded && !inflate_is_gzip(s, n))
        return fail(b, SKIP_BAD_GZIP, 0,
                    "content-encoding is gzip but the body is not");
    if (maybe_gunzip(b, 1, &s, &n, max_out, "body") != 0)
        return -1;
    /* The body may now be in slot 1: base64 decodes it whole into slot 0
     * before inflating into slot 1 again. */
    size_t p = scan_ws(s, n, 0);
    if (p < n && s[p] != '{' && s[p] != '[' && looks_base64(s + p, n - p)) {
        const char *dec;
        size_t dlen;
        if (in_decode_base64(s + p, n - p, &b->tmp[0], &dlen, &b->tmp_cap[0],
                             &b->at) != 0)
            return fail(b, SKIP_BAD_BASE64, p + b->at,
                        "body is not JSON, gzip or base64");
        dec = b->tmp[0];
        if (maybe_gunzip(b, 1, &dec, &dlen, max_out, "decoded body") != 0)
            return -1;
        if (check_json(b, dec, dlen, max_depth, "decoded body"))
            return -1;
        b->len = 0;
        append(b, dec, dlen);
        return 0;
    }
    if (check_json(b, s, n, max_depth, "body"))
        return -1;
    enum shape sh = s[p] == '{' ? shape_of(s, n, p, max_depth) : PLAIN;
    if (sh == FIREHOSE) {
        b->firehose = 1;
        return firehose(b, s, n, max_out, max_depth);
    }
    if (sh == AWSLOGS)
        return awslogs(b, s, n, max_out);
    append(b, s, n);
    return 0;
}
