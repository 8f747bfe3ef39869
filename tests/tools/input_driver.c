/*
 * input_driver — a stand-in for the tail daemon's loop, for the end-to-end
 * tests of the inputs (tests/e2e/inputs_*.sh).  Not the daemon.
 *
 *   input_driver [options] SPEC...
 *     --config FILE       settings (sources.*)
 *     --db FILE           state database (default: in memory)
 *     --state DIR         state folder (http spool)
 *     --refuse-while PATH the callback refuses units while PATH exists
 *     --checkpoint-ms MS  checkpoint period (default 200)
 *     --idle-exit-ms MS   exit after MS without a unit (default: never)
 *     --run-ms MS         exit after MS in any case
 *
 * It polls the inputs as the daemon will (poll(2) on their fds, at least
 * every INPUT_POLL_MS), frames every unit and prints
 *   unit NAME BYTES RECORDS
 *   rec NAME EVENTID            (one per record with an eventID)
 * to stdout, and keeps the event IDs as its "engine state": every
 * checkpoint writes those accepted since the last one to the table
 * driver_records of the database, in the same transaction as the inputs'
 * positions, as the daemon will write its engine state.  A test that kills
 * it with SIGKILL and starts it again then finds each record in that table
 * exactly once.  SIGTERM or SIGINT: a last checkpoint, then exit 0.
 * GET /metrics of an http input serves "ctinsights_driver_units N".
 */
#include "config.h"
#include "diag.h"
#include "frame.h"
#include "input.h"
#include "xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_INPUTS 8

static volatile sig_atomic_t stop;

struct driver {
    struct config cfg;
    struct diag d;
    sqlite3 *db;
    const char *refuse_while;
    char **pending; /* event IDs accepted since the last checkpoint */
    size_t npending, cap;
    unsigned long units;
    const char *unit; /* during framing */
    unsigned records;
};

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_record(void *ctx, const json_t *rec, size_t offset)
{
    struct driver *dr = ctx;
    const char *id = json_string_value(json_object_get(rec, "eventID"));
    (void)offset;
    dr->records++;
    if (!id)
        return;
    printf("rec %s %s\n", dr->unit, id);
    dr->pending = xgrow(dr->pending, &dr->cap, dr->npending + 1,
                        sizeof *dr->pending);
    dr->pending[dr->npending++] = xstrdup(id);
}

static int on_unit(void *ctx, const char *unit, const char *buf, size_t len)
{
    struct driver *dr = ctx;
    if (dr->refuse_while && access(dr->refuse_while, F_OK) == 0)
        return -1;
    dr->unit = unit;
    dr->records = 0;
    frame_buffer(unit, buf, len, &dr->cfg, &dr->d, on_record, dr);
    printf("unit %s %zu %u\n", unit, len, dr->records);
    fflush(stdout);
    dr->units++;
    return 0;
}

static void on_metrics(void *ctx, FILE *out)
{
    const struct driver *dr = ctx;
    fprintf(out, "# TYPE ctinsights_driver_units counter\n"
                 "ctinsights_driver_units %lu\n", dr->units);
}

static int exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return 0;
    fprintf(stderr, "input_driver: %s: %s\n", sql, msg);
    sqlite3_free(msg);
    return -1;
}

static int checkpoint(struct driver *dr, struct input **in, int n)
{
    char err[512];
    sqlite3_stmt *st;
    if (exec(dr->db, "BEGIN IMMEDIATE"))
        return -1;
    sqlite3_prepare_v2(dr->db, "INSERT INTO driver_records VALUES (?1)", -1,
                       &st, NULL);
    for (size_t i = 0; i < dr->npending; i++) {
        sqlite3_bind_text(st, 1, dr->pending[i], -1, SQLITE_STATIC);
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    for (int i = 0; i < n; i++) {
        if (input_checkpoint(in[i], err, sizeof err) != 0) {
            fprintf(stderr, "input_driver: %s\n", err);
            exec(dr->db, "ROLLBACK");
            return -1;
        }
    }
    if (exec(dr->db, "COMMIT"))
        return -1;
    for (int i = 0; i < n; i++)
        input_committed(in[i]);
    for (size_t i = 0; i < dr->npending; i++)
        xfree(dr->pending[i]);
    dr->npending = 0;
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, 0, 'c'},
        {"db", required_argument, 0, 'b'},
        {"state", required_argument, 0, 's'},
        {"refuse-while", required_argument, 0, 'r'},
        {"checkpoint-ms", required_argument, 0, 'k'},
        {"idle-exit-ms", required_argument, 0, 'i'},
        {"run-ms", required_argument, 0, 't'},
        {0, 0, 0, 0}};
    struct driver dr = {0};
    const char *config = NULL, *db = ":memory:", *state = NULL;
    long long ckpt_ms = 200, idle_ms = -1, run_ms = -1;
    char err[512];
    int opt;
    xalloc_install_json();
    config_defaults(&dr.cfg);
    diag_init(&dr.d);
    dr.d.max_messages = 100;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'c': config = optarg; break;
        case 'b': db = optarg; break;
        case 's': state = optarg; break;
        case 'r': dr.refuse_while = optarg; break;
        case 'k': ckpt_ms = atoll(optarg); break;
        case 'i': idle_ms = atoll(optarg); break;
        case 't': run_ms = atoll(optarg); break;
        default: return 2;
        }
    }
    if (optind >= argc || argc - optind > MAX_INPUTS) {
        fprintf(stderr, "usage: input_driver [options] SPEC...\n");
        return 2;
    }
    if (config && config_load(&dr.cfg, config, err, sizeof err) != 0) {
        fprintf(stderr, "input_driver: %s\n", err);
        return 2;
    }
    if (sqlite3_open(db, &dr.db) != SQLITE_OK ||
        exec(dr.db, "PRAGMA journal_mode=WAL") ||
        exec(dr.db, "CREATE TABLE IF NOT EXISTS driver_records (event_id TEXT)"))
        return 2;
    struct input_env env = {.cfg = &dr.cfg, .d = &dr.d, .db = dr.db,
                            .state_dir = state, .metrics = on_metrics,
                            .metrics_ctx = &dr};
    struct input *in[MAX_INPUTS];
    int n = 0;
    for (int i = optind; i < argc; i++) {
        if (input_open(argv[i], &env, &in[n], err, sizeof err) != 0) {
            fprintf(stderr, "input_driver: %s\n", err);
            return 2;
        }
        n++;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGPIPE, SIG_IGN);
    long long start = now_ms(), last_unit = start, last_ckpt = start;
    int ended = 0;
    while (!stop && ended < n) {
        struct pollfd p[MAX_INPUTS];
        int np = 0;
        for (int i = 0; i < n; i++) {
            int fd = input_fd(in[i]);
            if (fd >= 0)
                p[np++] = (struct pollfd){.fd = fd, .events = POLLIN};
        }
        int more = 0;
        unsigned long before = dr.units;
        ended = 0;
        for (int i = 0; i < n; i++) {
            int st = input_poll(in[i], on_unit, &dr);
            more |= st == INPUT_MORE;
            ended += st == INPUT_ENDED;
        }
        long long t = now_ms();
        if (dr.units != before)
            last_unit = t;
        if (t - last_ckpt >= ckpt_ms) {
            checkpoint(&dr, in, n);
            last_ckpt = t;
        }
        if ((idle_ms >= 0 && t - last_unit >= idle_ms) ||
            (run_ms >= 0 && t - start >= run_ms))
            break;
        if (!more && ended < n && poll(p, (nfds_t)np, INPUT_POLL_MS) < 0 &&
            errno != EINTR)
            break;
    }
    checkpoint(&dr, in, n);
    for (int i = 0; i < n; i++)
        input_close(in[i]);
    xfree(dr.pending);
    sqlite3_close(dr.db);
    fprintf(stderr, "input_driver: %lu units, %llu records, %llu skipped\n",
            dr.units, (unsigned long long)dr.d.records,
            (unsigned long long)diag_skipped(&dr.d));
    config_free(&dr.cfg);
    return 0;
}
