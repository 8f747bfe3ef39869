#include "source.h"

#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static const char *const passed_folders[] = {
    "CloudTrail-Digest", "CloudTrail-Insight", "CloudTrail-Aggregated",
    "CloudTrail-Lake", NULL};

static const char *const json_suffixes[] = {
    ".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz",
    ".gz", NULL};

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

static int is_json_name(const char *name)
{
    for (int i = 0; json_suffixes[i]; i++)
        if (has_suffix(name, json_suffixes[i]))
            return 1;
    return 0;
}

static int is_passed_folder(const char *name)
{
    for (int i = 0; passed_folders[i]; i++)
        if (strcmp(name, passed_folders[i]) == 0)
            return 1;
    return 0;
}

static void list_add(struct pathlist *l, char *path)
{
    l->paths = xgrow(l->paths, &l->cap, l->n + 1, sizeof(*l->paths));
    l->paths[l->n++] = path;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int walk(const char *dir, struct pathlist *l, struct diag *d,
                char *err, size_t errlen)
{
    struct dirent **ents;
    int n = scandir(dir, &ents, NULL, by_name);
    if (n < 0) {
        snprintf(err, errlen, "%s: cannot read folder: %s", dir,
                 strerror(errno));
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        const char *name = ents[i]->d_name;
        if (rc || name[0] == '.') {
            free(ents[i]);
            continue;
        }
        size_t len = strlen(dir) + strlen(name) + 2;
        char *path = xmalloc(len);
        snprintf(path, len, "%s/%s", dir, name);
        struct stat st;
        if (stat(path, &st) != 0) {
            d->files_passed++;
            xfree(path);
        } else if (S_ISDIR(st.st_mode)) {
            if (is_passed_folder(name))
                d->files_passed++;
            else
                rc = walk(path, l, d, err, errlen);
            xfree(path);
        } else if (S_ISREG(st.st_mode) && is_json_name(name)) {
            list_add(l, path);
        } else {
            d->files_passed++;
            xfree(path);
        }
        free(ents[i]);
    }
    free(ents);
    return rc;
}

int source_list(const char *path, struct pathlist *list, struct diag *d,
                char *err, size_t errlen)
{
    if (strcmp(path, "-") == 0) {
        list_add(list, xstrdup(path));
        return 0;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode))
        return walk(path, list, d, err, errlen);
    if (access(path, R_OK) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    list_add(list, xstrdup(path));
    return 0;
}

void pathlist_free(struct pathlist *list)
{
    for (size_t i = 0; i < list->n; i++)
        xfree(list->paths[i]);
    xfree(list->paths);
    memset(list, 0, sizeof(*list));
}

void source_buf_free(struct source_buf *b)
{
    xfree(b->data);
    memset(b, 0, sizeof(*b));
}

/* Read all of fd into raw. Returns 0 or -1 (errno). */
static int read_all(FILE *f, struct source_buf *raw)
{
    raw->len = 0;
    for (;;) {
        raw->data = xgrow(raw->data, &raw->cap, raw->len + 65536, 1);
        size_t got = fread(raw->data + raw->len, 1, raw->cap - raw->len, f);
        raw->len += got;
        if (got == 0)
            return ferror(f) ? -1 : 0;
    }
}

/* Inflate every gzip member of in into out.  Returns 0, or the skip reason
 * with *at set to the compressed offset where it went wrong; out then holds
 * what was inflated before. */
static int inflate_all(const char *in, size_t inlen, struct source_buf *out,
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
            if (inlen - consumed >= 2 && (unsigned char)in[consumed] == 0x1f &&
                (unsigned char)in[consumed + 1] == 0x8b) {
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

int source_load(const char *path, struct source_buf *b, struct diag *d)
{
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f)
        return -1;
    const char *name = is_stdin ? "<stdin>" : path;
    struct source_buf raw = {0};
    int rc = 0;
    d->files++;
    if (read_all(f, &raw) != 0) {
        diag_skip(d, SKIP_READ_ERROR, name, NULL, raw.len, strerror(errno));
        rc = 1;
    }
    if (!is_stdin)
        fclose(f);
    d->bytes_read += raw.len;
    if (raw.len >= 2 && (unsigned char)raw.data[0] == 0x1f &&
        (unsigned char)raw.data[1] == 0x8b) {
        size_t at = 0;
        int zr = inflate_all(raw.data, raw.len, b, &at);
        if (zr) {
            diag_skip(d, (enum skip_reason)zr, name, NULL, at,
                      zr == SKIP_TRUNCATED
                          ? "gzip data ends early; reading what was inflated"
                          : "gzip data is damaged; reading what was inflated");
            rc = 1;
        }
        source_buf_free(&raw);
    } else {
        source_buf_free(b);
        *b = raw;
    }
    b->data = xgrow(b->data, &b->cap, b->len + 1, 1);
    b->data[b->len] = '\0';
    d->bytes_json += b->len;
    return rc;
}
