/*
 * `ctinsights baseline`: what a state file learned of one key, read back:
 * its rate per hour slot as the detector expects it, its spread, and its
 * schedule when it runs like a job (JSON).
 */
#include "cmds.h"

#include "config.h"
#include "detect_config.h"
#include "model_season.h"
#include "state_arg.h"
#include "stream_state.h"
#include "timefmt.h"

#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>

static const char *const day_kind[2] = {"weekday", "weekend"};

/* The key's expectation in each hour slot, as the detector sees it. */
static json_t *slots_json(const struct config *c, const struct stream_key_view *v)
{
    struct detect_run run;
    struct detect_params dp;
    detect_params_of(c, &dp);
    detect_run_init(&run, &dp, (struct detect_events){0});
    json_t *list = json_array();
    /* A Monday (day 4 since 1970 was a Monday) and a Saturday. */
    for (int slot = 0; slot < SEASON_SLOTS; slot++) {
        uint32_t day = slot < SEASON_HOURS ? 4 : 9;
        uint32_t minute = day * 1440u + (uint32_t)(slot % SEASON_HOURS) * 60u;
        struct season_expect e;
        detect_expect(&run, &v->scope, &v->model, minute, &e);
        char name[64];
        snprintf(name, sizeof(name), "%s %02d:00-%02d:59 UTC", day_kind[slot / SEASON_HOURS],
                 slot % SEASON_HOURS, slot % SEASON_HOURS);
        json_t *o = json_pack("{s:s,s:f,s:f,s:f,s:f}", "slot", name, "expectedPerMinute",
                              e.mean, "sdPerMinute", sqrt(e.var[0]), "sdPer15Minutes",
                              sqrt(e.var[2]), "sdPerHour", sqrt(e.var[3]));
        json_array_append_new(list, o);
    }
    return list;
}

static void baseline_usage(FILE *f)
{
    fprintf(f, "usage: ctinsights baseline --state FILE [--config FILE] [--error-code CODE]\n"
               "           ACCOUNT REGION EVENT_SOURCE EVENT_NAME\n"
               "What the engine has learned of one key (an error-rate key with\n"
               "--error-code): its rate per hour slot, its spread, and its schedule\n"
               "when it runs like a job.\n");
}

int cmd_baseline(int argc, char **argv)
{
    static const struct option longs[] = {
        {"state", required_argument, NULL, 'S'},
        {"config", required_argument, NULL, 'c'},
        {"error-code", required_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *path = NULL, *cfg_path = NULL, *error = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (c) {
        case 'S': path = optarg; break;
        case 'c': cfg_path = optarg; break;
        case 'e': error = optarg; break;
        case 'h': baseline_usage(stdout); return EXIT_OK;
        default: baseline_usage(stderr); return EXIT_USAGE;
        }
    }
    if (argc - optind != 4) {
        baseline_usage(stderr);
        return EXIT_USAGE;
    }
    struct config cfg;
    config_defaults(&cfg);
    char err[1024];
    if (cfg_path && config_load(&cfg, cfg_path, err, sizeof(err)) != 0) {
        fprintf(stderr, "ctinsights: %s\n", err);
        config_free(&cfg);
        return EXIT_USAGE;
    }
    struct state *st;
    if (state_arg_open(path, &st) != 0) {
        config_free(&cfg);
        return EXIT_USAGE;
    }
    const char *type = detect_insight_type(error != NULL);
    char **k = argv + optind;
    struct stream_key_view v;
    int rc = stream_state_key(st, type, k[0], k[1], k[2], k[3], error, &v, err, sizeof(err));
    if (rc != 0) {
        if (rc > 0)
            fprintf(stderr, "ctinsights: %s holds no %s key %s %s %s %s%s%s; "
                            "see `ctinsights keys` for the keys of some logs\n",
                    path, type, k[0], k[1], k[2], k[3], error ? " " : "", error ? error : "");
        else
            fprintf(stderr, "ctinsights: %s\n", err);
        state_close(st);
        config_free(&cfg);
        return rc > 0 ? EXIT_FINDINGS : EXIT_USAGE;
    }
    double events, minutes;
    detect_baseline_totals(&v.model, &v.exposure, &events, &minutes);
    char when[TIMEFMT_LEN];
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:I,s:f,s:I}", "insightType", type,
                          "account", k[0], "region", k[1], "eventSource", k[2],
                          "eventName", k[3], "errorCode",
                          error ? json_string(error) : json_null(), "events",
                          (json_int_t)v.count, "baselineAverage",
                          minutes > 0 ? events / minutes : 0.0, "minutesObserved",
                          (json_int_t)(minutes + 0.5));
    if (v.last_event != UINT32_MAX) {
        timefmt_minute(v.last_event, when);
        json_object_set_new(o, "lastActive", json_string(when));
    }
    struct gap_params gp = {cfg.gap_min_runs, (uint32_t)cfg.gap_min_period,
                            (uint32_t)cfg.gap_max_period};
    struct gap_verdict g;
    gap_judge(&v.model.gap, &gp, &g);
    if (g.periodic && v.model.set.gaps) {
        json_t *job = json_object();
        json_object_set_new(job, "periodMinutes", json_integer(g.period));
        json_object_set_new(job, "jitterMinutes", json_integer(g.tolerance));
        timefmt_minute(g.last_run, when);
        json_object_set_new(job, "lastRun", json_string(when));
        timefmt_minute(g.due, when);
        json_object_set_new(job, "nextRunDue", json_string(when));
        timefmt_minute(g.deadline, when);
        json_object_set_new(job, "gapAfter", json_string(when));
        json_object_set_new(o, "schedule", job);
    } else {
        json_object_set_new(o, "schedule", json_null());
    }
    json_object_set_new(o, "openInsights",
                        json_integer(v.open_increase + v.open_gap));
    json_object_set_new(o, "slots", slots_json(&cfg, &v));
    rc = json_dumpf(o, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(6)) == 0 &&
                 fputc('\n', stdout) != EOF && fflush(stdout) == 0
             ? EXIT_OK
             : EXIT_FINDINGS;
    json_decref(o);
    state_close(st);
    config_free(&cfg);
    return rc;
}
