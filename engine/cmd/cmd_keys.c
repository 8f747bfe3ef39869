/*
 * `ctinsights keys`: the files read once (score_cli), then every key the
 * engine knows as an NDJSON line of its event count, sorted.
 */
#include "cmds.h"

#include "detect.h"
#include "score_cli.h"
#include "xalloc.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keys as NDJSON lines, collected to be sorted by their strings. */
struct key_line {
    char *sort, *line;
};

struct key_lines {
    struct key_line *v;
    size_t n, cap;
};

static void collect_key(void *ctx, const struct stream_key_info *k)
{
    struct key_lines *l = ctx;
    const char *type = detect_insight_type(k->error_rate);
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:I}", "insightType", type,
                          "account", k->account, "region", k->region, "eventSource",
                          k->source, "eventName", k->name, "errorCode",
                          k->error ? json_string(k->error) : json_null(), "count",
                          (json_int_t)k->count);
    l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
    struct key_line *kl = &l->v[l->n++];
    kl->line = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    size_t len = strlen(type) + strlen(k->account) + strlen(k->region) +
                 strlen(k->source) + strlen(k->name) + (k->error ? strlen(k->error) : 0) + 6;
    kl->sort = xmalloc(len);
    snprintf(kl->sort, len, "%s\x01%s\x01%s\x01%s\x01%s\x01%s", type, k->account,
             k->region, k->source, k->name, k->error ? k->error : "");
}

static int key_line_cmp(const void *pa, const void *pb)
{
    return strcmp(((const struct key_line *)pa)->sort, ((const struct key_line *)pb)->sort);
}

int cmd_keys(int argc, char **argv)
{
    struct score_cli r;
    int rc = score_cli_start(argc, argv, &r, 0);
    if (rc != 0)
        goto done;
    struct key_lines l = {0};
    stream_each_key(r.run.stream, collect_key, &l);
    if (l.n)
        qsort(l.v, l.n, sizeof(*l.v), key_line_cmp);
    for (size_t i = 0; i < l.n; i++) {
        fputs(l.v[i].line, stdout);
        fputc('\n', stdout);
        xfree(l.v[i].line);
        xfree(l.v[i].sort);
    }
    xfree(l.v);
    rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FINDINGS;
done:
    score_cli_end(&r);
    return rc;
}
