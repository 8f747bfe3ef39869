/*
 * `ctinsights score`: the files scored once (score_cli), the records
 * written to stdout or the S3 layout (out), and with --alert handed to the
 * config's sinks (alert_batch); then the summary on stderr.
 */
#include "cmds.h"

#include "alert_batch.h"
#include "out.h"
#include "score_cli.h"
#include "xalloc.h"

#include <stdio.h>
#include <string.h>

static int write_records(const struct score_opts *o, const struct config *c,
                         const struct score_record *v, size_t n)
{
    struct out_sink sink;
    memset(&sink, 0, sizeof(sink));
    sink.ops = o->out_dir ? &out_s3 : out_find(o->format);
    sink.dir = o->out_dir;
    sink.f = stdout;
    sink.dump_flags = JSON_COMPACT | JSON_REAL_PRECISION(c->precision);
    int rc = sink.ops->open(&sink);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = sink.ops->write(&sink, v[i].rec);
    if (sink.ops->close(&sink) != 0)
        rc = -1;
    if (rc != 0)
        fprintf(stderr, "ctinsights: %s\n", sink.err[0] ? sink.err : "output failed");
    return rc;
}

/* Hand the written records to the sinks (alert_batch_deliver's codes). */
static int deliver_alerts(const struct score_cli *r)
{
    size_t n = r->run.nrecs;
    json_t **v = xcalloc(n + 1, sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = r->run.recs[i].rec;
    int rc = alert_batch_deliver(&r->c, r->state ? state_db(r->state) : NULL, v, n,
                                 r->o.quiet);
    xfree(v);
    return rc;
}

int cmd_score(int argc, char **argv)
{
    struct score_cli r;
    int rc = score_cli_start(argc, argv, &r, 1);
    if (rc != 0)
        goto done;
    if (r.o.alert && r.c.n_sinks == 0) {
        fprintf(stderr, "ctinsights: --alert needs sinks: in the config; see "
                        "config/ctinsights.yaml\n");
        rc = EXIT_USAGE;
        goto done;
    }
    int out_rc = write_records(&r.o, &r.c, r.run.recs, r.run.nrecs);
    int alert_rc = r.o.alert ? deliver_alerts(&r) : 0;
    if (!r.o.quiet) {
        struct stream_stats st;
        stream_get_stats(r.run.stream, &st);
        struct diag_findings f = {st.keys, st.insights, st.open, st.suppressed,
                                  r.run.sorted, ""};
        diag_summary(&r.run.diag, &f, score_cli_elapsed(&r));
    }
    if (out_rc != 0 || r.state_failed || alert_rc == 1 ||
        (r.o.strict && diag_skipped(&r.run.diag) > 0))
        rc = EXIT_FINDINGS;
    if (alert_rc == 2)
        rc = EXIT_USAGE;
done:
    score_cli_end(&r);
    return rc;
}
