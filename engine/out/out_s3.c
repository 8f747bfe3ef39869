/* out_s3 — the S3 layout CloudTrail delivers Insights in:
 * DIR/AWSLogs/<acct>/CloudTrail-Insight/<region>/YYYY/MM/DD/
 *   <acct>_CloudTrail-Insight_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz
 * one gzip {"Records":[…]} file per account, region and day, named after
 * its latest record; <unique> is derived from the contents, so a rerun
 * writes the same names. */
#include "out.h"

#include "ids.h"
#include "xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

struct s3_state {
    json_t **recs;
    size_t n, cap;
};

static const char *field(json_t *rec, const char *name)
{
    const char *s = json_string_value(json_object_get(rec, name));
    return s ? s : "unknown";
}

/* "acct\tregion\tYYYY-MM-DD" of rec into out. */
static void group_of(json_t *rec, char *out, size_t len)
{
    snprintf(out, len, "%s\t%s\t%.10s", field(rec, "recipientAccountId"),
             field(rec, "awsRegion"), field(rec, "eventTime"));
}

static int group_cmp(const void *pa, const void *pb)
{
    char x[512], y[512];
    group_of(*(json_t *const *)pa, x, sizeof(x));
    group_of(*(json_t *const *)pb, y, sizeof(y));
    int c = strcmp(x, y);
    if (c)
        return c;
    return strcmp(field(*(json_t *const *)pa, "eventTime"),
                  field(*(json_t *const *)pb, "eventTime"));
}

static int mkdirs(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int rc = mkdir(path, 0777);
        *p = '/';
        if (rc != 0 && errno != EEXIST)
            return -1;
    }
    return mkdir(path, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

static int s3_open(struct out_sink *s)
{
    s->priv = xcalloc(1, sizeof(struct s3_state));
    return 0;
}

static int s3_write(struct out_sink *s, json_t *rec)
{
    struct s3_state *st = s->priv;
    st->recs = xgrow(st->recs, &st->cap, st->n + 1, sizeof(*st->recs));
    st->recs[st->n++] = json_incref(rec);
    s->written++;
    return 0;
}

/* Write recs[0..n) (one group) as one gzip file. */
static int write_group(struct out_sink *s, json_t **recs, size_t n)
{
    json_t *first = recs[0], *last = recs[n - 1];
    const char *acct = field(first, "recipientAccountId");
    const char *region = field(first, "awsRegion");
    const char *t = field(last, "eventTime"); /* YYYY-MM-DDTHH:MM:SSZ */
    json_t *doc = json_pack("{s:[]}", "Records");
    json_t *list = json_object_get(doc, "Records");
    for (size_t i = 0; i < n; i++)
        json_array_append(list, recs[i]);
    char *text = json_dumps(doc, s->dump_flags);
    json_decref(doc);
    char unique[IDS_UUID_LEN], tag[17];
    ids_uuid(text, strlen(text), unique);
    size_t k = 0;
    for (const char *p = unique; *p && k < 16; p++)
        if (*p != '-')
            tag[k++] = *p;
    tag[k] = '\0';
    char dir[4096], path[4600];
    snprintf(dir, sizeof(dir), "%s/AWSLogs/%s/CloudTrail-Insight/%s/%.4s/%.2s/%.2s",
             s->dir, acct, region, t, t + 5, t + 8);
    snprintf(path, sizeof(path), "%s/%s_CloudTrail-Insight_%s_%.4s%.2s%.2sT%.2s%.2sZ_%s.json.gz",
             dir, acct, region, t, t + 5, t + 8, t + 11, t + 14, tag);
    int rc = -1;
    gzFile gz = NULL;
    if (mkdirs(dir) != 0) {
        snprintf(s->err, sizeof(s->err), "%s: cannot create folder: %s", dir,
                 strerror(errno));
        goto done;
    }
    gz = gzopen(path, "wb");
    if (!gz) {
        snprintf(s->err, sizeof(s->err), "%s: cannot create file: %s", path,
                 strerror(errno));
        goto done;
    }
    size_t len = strlen(text);
    int wrote = gzwrite(gz, text, (unsigned)len);
    int closed = gzclose(gz);
    if (wrote != (int)len || closed != Z_OK) {
        snprintf(s->err, sizeof(s->err), "%s: write failed", path);
        goto done;
    }
    rc = 0;
done:
    xfree(text);
    return rc;
}

static int s3_close(struct out_sink *s)
{
    struct s3_state *st = s->priv;
    int rc = 0;
    if (st->n)
        qsort(st->recs, st->n, sizeof(*st->recs), group_cmp);
    size_t i = 0;
    while (i < st->n && rc == 0) {
        size_t j = i + 1;
        char g[512], h[512];
        group_of(st->recs[i], g, sizeof(g));
        while (j < st->n) {
            group_of(st->recs[j], h, sizeof(h));
            if (strcmp(g, h) != 0)
                break;
            j++;
        }
        rc = write_group(s, st->recs + i, j - i);
        i = j;
    }
    for (i = 0; i < st->n; i++)
        json_decref(st->recs[i]);
    xfree(st->recs);
    xfree(st);
    s->priv = NULL;
    return rc;
}

const struct out_ops out_s3 = {
    "s3", "with --out DIR: gzip files in the S3 layout of CloudTrail-Insight",
    s3_open, s3_write, s3_close,
};
