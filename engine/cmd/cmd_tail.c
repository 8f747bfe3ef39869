/*
 * `ctinsights tail`: the daemon.  Inputs (engine/input) hand it units of
 * CloudTrail JSON; the engine (engine/stream) decides Insights in event
 * time; records go to the output (engine/out/tail_output) and the state file
 * keeps everything needed to go on after a restart.
 *
 * This file is the command line and the loop; what the daemon holds, and
 * how a checkpoint saves it, is tail_daemon.c, so the loop reads as the
 * list of its phases and nothing else:
 *
 *   tail_read        every input polled, again while one has more; each
 *                    unit is framed into a batch and handed to the engine
 *                    at once (tail_daemon_unit), and an Insight decided
 *                    stops the reading so it goes out first
 *   tail_checkpoint  at once when an Insight was decided, else every
 *                    tail.checkpoint_seconds while input comes
 *   tail_alerts      the config's sinks: what is due in the outbox, at
 *                    most ALERT_BUDGET sends
 *   tail_signals     SIGHUP reloads the config, reopens the output and the
 *                    sinks; SIGTERM/SIGINT, or every input ended, stop
 *   tail_wait        poll(2) on the inputs' descriptors, at most
 *                    INPUT_POLL_MS or until the next alert is due
 *
 * and after it tail_finish: the end of the data when the inputs ended, the
 * last checkpoint, the alerts still due, the summary.
 */
#include "cmds.h"

#include "tail_daemon.h"
#include "timefmt.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Alerts sent per loop pass at most, so input is never held up long. */
#define ALERT_BUDGET 8

static volatile sig_atomic_t stop_requested, reload_requested;

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void on_hup(int sig)
{
    (void)sig;
    reload_requested = 1;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_hup;
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* ---- the phases ---------------------------------------------------------------- */

static int all_ended(const struct tail_daemon *dm)
{
    for (size_t i = 0; i < dm->nin; i++)
        if (!dm->ended[i])
            return 0;
    return 1;
}

/* Read every input until none has more, or an Insight was decided. */
static void tail_read(struct tail_daemon *dm)
{
    int more = 1;
    for (int round = 0; more && round < 64; round++) {
        more = 0;
        for (size_t i = 0; i < dm->nin; i++) {
            if (dm->ended[i])
                continue;
            int st = input_poll(dm->in[i], tail_daemon_unit, dm);
            if (st == INPUT_ENDED)
                dm->ended[i] = 1;
            more |= st == INPUT_MORE;
        }
        if (dm->npend)
            break; /* an Insight: out with it first */
    }
}

/* Checkpoint when an Insight waits, or input came and the last one is
 * tail.checkpoint_seconds old. */
static void tail_checkpoint(struct tail_daemon *dm)
{
    double since = tail_daemon_now() - dm->last_checkpoint;
    if (dm->npend || (dm->dirty && since >= dm->cfg.tail_checkpoint_seconds))
        tail_daemon_checkpoint(dm);
}

/* Send what is due in the outbox; returns how long the loop may wait (ms). */
static int tail_alerts(struct tail_daemon *dm)
{
    int wait_ms = INPUT_POLL_MS;
    if (!dm->alerts)
        return wait_ms;
    char err[1024];
    double t = alerting_now();
    double next = outbox_run(alerting_outbox(dm->alerts), t, ALERT_BUDGET, err, sizeof(err));
    if (next != next)
        fprintf(stderr, "ctinsights: alerts: %s\n", err);
    else if (next - t < wait_ms / 1000.0)
        wait_ms = next > t ? (int)((next - t) * 1000) + 1 : 0;
    return wait_ms;
}

/* Reload on SIGHUP; returns 1 when the loop is to stop (SIGTERM/SIGINT, or
 * every input ended). */
static int tail_signals(struct tail_daemon *dm)
{
    if (reload_requested) {
        reload_requested = 0;
        tail_daemon_reload(dm);
    }
    return stop_requested || all_ended(dm);
}

/* Wait until an input has something, or timeout_ms. */
static void tail_wait(struct tail_daemon *dm, int timeout_ms)
{
    struct pollfd fds[TAIL_MAX_INPUTS];
    nfds_t n = 0;
    for (size_t i = 0; i < dm->nin; i++) {
        int fd = dm->ended[i] ? -1 : input_fd(dm->in[i]);
        if (fd >= 0)
            fds[n++] = (struct pollfd){fd, POLLIN, 0};
    }
    if (poll(fds, n, timeout_ms) < 0 && errno != EINTR)
        usleep((useconds_t)timeout_ms * 1000);
}

/* The phases in order, until one says stop. */
static void tail_loop(struct tail_daemon *dm)
{
    for (;;) {
        tail_read(dm);
        tail_checkpoint(dm);
        int wait_ms = tail_alerts(dm);
        if (tail_signals(dm))
            break;
        tail_wait(dm, wait_ms);
    }
}

/* ---- the end ------------------------------------------------------------------- */

/* The summary's watermark line: how far minutes are decided, and how far
 * the watermarks lag. */
static void describe_watermark(const struct stream_stats *st, char *out, size_t n)
{
    if (!st->scopes) {
        out[0] = '\0';
        return;
    }
    char oldest[TIMEFMT_LEN] = "nothing yet", newest[TIMEFMT_LEN] = "nothing yet";
    if (st->decided_oldest != UINT32_MAX)
        timefmt_minute(st->decided_oldest + 1, oldest);
    if (st->decided_newest != UINT32_MAX)
        timefmt_minute(st->decided_newest + 1, newest);
    snprintf(out, n, "%zu account/region%s decided before %s (the oldest) to %s; "
                     "lagging their newest events by %u to %u min",
             st->scopes, st->scopes == 1 ? "" : "s", oldest, newest, st->lateness_least,
             st->lateness_most);
}

/* The inputs ended: the data has ended.  A stop: what is read is saved,
 * and the next start goes on from it.  Alerts still due get
 * alerting.drain_seconds; what is left waits in the state for the next
 * start.  Returns the exit status. */
static int tail_finish(struct tail_daemon *dm, double t0)
{
    int rc = EXIT_OK;
    if (all_ended(dm) && !stop_requested)
        stream_finish(dm->stream);
    if ((dm->dirty || dm->npend || !dm->state) && tail_daemon_checkpoint(dm) != 0)
        rc = EXIT_FINDINGS;
    char err[1024];
    if (dm->alerts && alerting_drain(dm->alerts, alerting_now() + dm->cfg.drain_seconds,
                                     err, sizeof(err)) != 0)
        fprintf(stderr, "ctinsights: alerts: %s\n", err);
    if (!dm->quiet) {
        struct stream_stats st;
        stream_get_stats(dm->stream, &st);
        struct diag_findings f = {st.keys, st.insights, st.open, st.suppressed, 0, ""};
        describe_watermark(&st, f.watermark, sizeof(f.watermark));
        diag_summary(&dm->d, &f, tail_daemon_now() - t0);
    }
    return rc;
}

/* ---- the command line ---------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: ctinsights tail [options] SOURCE...\n"
            "Follow live CloudTrail sources and write Insight records as they are decided.\n"
            "SOURCE: file:PATH (a file a shipper appends to), dir:PATH (a folder that\n"
            "        receives new .json/.json.gz files), - (standard input),\n"
            "        http://ADDR:PORT (EventBridge, CloudWatch Logs, Firehose deliveries;\n"
            "        token from CTINSIGHTS_HTTP_TOKEN or CTINSIGHTS_HTTP_TOKEN_FILE)\n"
            "  --config FILE   settings (YAML); SIGHUP reloads it\n"
            "  --state FILE    keep models, positions and Insights here (SQLite) and go\n"
            "                  on from it after a restart; required by dir: and http:\n"
            "                  (whose spool is the folder FILE.spool)\n"
            "  --output FILE   append records to FILE (exactly once across restarts)\n"
            "                  instead of standard output\n"
            "  --quiet         no summary on exit\n");
}

int cmd_tail(int argc, char **argv)
{
    static const struct option longs[] = {
        {"config", required_argument, NULL, 'c'}, {"state", required_argument, NULL, 'S'},
        {"output", required_argument, NULL, 'o'}, {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    const char *config_path = NULL, *state_path = NULL, *out_path = NULL;
    int quiet = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (c) {
        case 'c': config_path = optarg; break;
        case 'S': state_path = optarg; break;
        case 'o': out_path = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return EXIT_OK;
        default: usage(stderr); return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "ctinsights: no SOURCE given; see 'ctinsights tail --help'\n");
        return EXIT_USAGE;
    }
    static struct tail_daemon dm;
    tail_daemon_init(&dm, config_path, quiet);
    if (tail_daemon_load_config(&dm, &dm.cfg) != 0)
        return EXIT_USAGE;
    if (tail_daemon_open(&dm, state_path, out_path, argv + optind, argc - optind) != 0) {
        tail_daemon_close(&dm);
        return EXIT_USAGE;
    }
    install_signals();
    double t0 = tail_daemon_now();
    dm.last_checkpoint = t0;
    tail_loop(&dm);
    int rc = tail_finish(&dm, t0);
    tail_daemon_close(&dm);
    return rc;
}
