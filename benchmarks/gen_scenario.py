#!/usr/bin/env python3
"""Seeded, labelled CloudTrail scenario for the detection-quality benchmark.

    gen_scenario.py --out DIR --seed N [--days 28] [--start 2026-09-07] [--force]

A small organisation, 3 accounts x 2 regions (us-east-1 and a second region
chosen by the seed) = 6 scopes, over --days days (at least 21), written in the
S3 layout of a trail bucket synced to disk (see ctgen.S3Writer: one gzip
{"Records":[...]} file per scope per 5-minute delivery window, records
shuffled inside a file, ~2% of them delivered one or two windows late, plus
digest files readers must skip):

    DIR/AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz
    DIR/labels.json          ground truth (format below)
    DIR/gen_scenario.meta    options, counts, generator fingerprint (JSON)

Normal activity (keys, rates, times and sizes vary with the seed):
  * humans: Describe*/List*/Get* reads and a few writes, Poisson per minute,
    business hours (local time of the region) x weekday/weekend; reads fail
    1-2% of the time (AccessDenied, throttling, not-found ...); a few human
    IAM changes per week (us-east-1, where IAM is logged);
  * a monitoring role reading all day; a steady write worker at 0.5-1.2
    calls/min (logs CreateLogStream, ecs RunTask or states StartExecution);
  * bursty keys: autoscaling SetDesiredCapacity, ecs UpdateService, ... with a
    few benign bursts of 5-20 calls a day at random times;
  * periodic jobs with a few seconds to a minute of jitter: every 5 minutes,
    every 30 minutes, daily at a fixed time (EBS backup: CreateSnapshot +
    CreateTags, then DeleteSnapshot of expired ones), weekly on Sunday (IAM
    access key rotation in us-east-1, secretsmanager RotateSecret elsewhere);
  * CI deploys on weekdays, and a weekly deploy wave (Tuesdays ~14:00 UTC:
    lambda UpdateFunctionCode20150331v2 + cloudformation UpdateStack, 20-60
    calls over ~10 minutes) in some scopes from the first week on.

Labelled incidents, each kind exactly once, after day 10, in a random scope:
iam-burst, provisioning-limit, throttling-storm, deletion-spree, rate-rise,
missed-daily-job, periodic-silence, access-denied-storm (see benchmarks/README.md).
Benign patterns (weekly deploy waves, one weekday holiday at 10% of human and
CI activity, benign bursts, periodic jobs, business hours) are listed in
labels.json under "benign" for information; they must not page.

labels.json:
  {"seed":N,"days":D,"start":"YYYY-MM-DD","scopes":[["acct","region"],...],"warmup_days":7,
   "incidents":[{"id","kind","account","region","keys":[{"insightType","eventSource","eventName",
                 "errorCode"}],"start":"YYYY-MM-DDTHH:MM:00Z","end":"...","direction":"increase"|"decrease",
                 "principal","detail"}],
   "benign":[{"kind",...}]}
The keys of an incident are every key its records feed (call-rate keys of its
write APIs, error-rate keys of every error code it produced); for the gap kinds,
the call-rate keys of the job's write APIs.  start/end are the UTC minutes of the
first and last incident call; for missed-daily-job start is the minute the run
was due and end that plus the run's usual length; for periodic-silence start is
the first missed run's due minute and end the due minute of the first run after
the silence.

Same seed and options -> byte-identical output.  Python standard library only.
"""

import argparse
import bisect
import calendar
import hashlib
import json
import os
import random
import sys
import time

from ctgen import (check_start, clear_out, CALL_RATE as CALL, DAY, ERROR_RATE as ERROR, KNOWN_ACCOUNTS, LIMIT_MESSAGE,
                   REGION_UTC_OFFSET, UA_ATTACKER, UA_BACKUP, UA_CI, UA_CLI, UA_CONSOLE, UA_GO, UA_KARPENTER,
                   UA_LAMBDA, WINDOWS_PER_DAY, Principal, RecordBuilder, S3Writer, poisson, stable_token)

KINDS = ("iam-burst", "provisioning-limit", "throttling-storm", "deletion-spree", "rate-rise",
         "missed-daily-job", "periodic-silence", "access-denied-storm")
GAP_KINDS = ("missed-daily-job", "periodic-silence")
WARMUP_DAYS = 7
FIRST_INCIDENT_DAY = 10
MIN_DAYS = 21
IAM_REGION = "us-east-1"
SECOND_REGIONS = ("eu-west-1", "us-west-2", "eu-central-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1")
HUMAN_NAMES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
               "mallory", "niaj", "olivia", "peggy", "rupert"]

# (service, eventName, readOnly, weight) of what people do by hand.
HUMAN_MIX = [
    ("ec2", "DescribeInstances", True, 14), ("ec2", "DescribeSecurityGroups", True, 5),
    ("ec2", "DescribeVpcs", True, 3), ("ec2", "DescribeVolumes", True, 3), ("ec2", "DescribeRegions", True, 2),
    ("ec2", "DescribeSnapshots", True, 1.5),
    ("iam", "ListUsers", True, 3), ("iam", "GetUser", True, 2), ("iam", "ListRoles", True, 3),
    ("iam", "GetRole", True, 2), ("iam", "ListAttachedRolePolicies", True, 2), ("iam", "ListPolicies", True, 1),
    ("s3", "ListBuckets", True, 4), ("s3", "GetBucketLocation", True, 3), ("s3", "GetBucketPolicy", True, 1),
    ("s3", "GetBucketAcl", True, 2),
    ("sts", "GetCallerIdentity", True, 6), ("sts", "AssumeRole", True, 2),
    ("monitoring", "DescribeAlarms", True, 4), ("monitoring", "GetMetricData", True, 5),
    ("monitoring", "ListMetrics", True, 2),
    ("lambda", "ListFunctions20150331", True, 2), ("lambda", "GetFunction20150331v2", True, 1),
    ("ssm", "GetParameter", True, 1), ("ssm", "DescribeInstanceInformation", True, 1),
    ("autoscaling", "DescribeAutoScalingGroups", True, 2), ("ecs", "DescribeServices", True, 2),
    ("ecs", "ListClusters", True, 1), ("cloudformation", "DescribeStacks", True, 2),
    ("rds", "DescribeDBInstances", True, 2), ("secretsmanager", "DescribeSecret", True, 1),
    ("dynamodb", "DescribeTable", True, 1.5), ("elasticloadbalancing", "DescribeTargetHealth", True, 1),
    ("ec2", "RunInstances", False, 0.8), ("ec2", "TerminateInstances", False, 0.6),
    ("ec2", "CreateTags", False, 1.2), ("ec2", "StartInstances", False, 0.3), ("ec2", "StopInstances", False, 0.3),
    ("ec2", "AuthorizeSecurityGroupIngress", False, 0.15), ("s3", "PutBucketPolicy", False, 0.1),
    ("s3", "PutBucketTagging", False, 0.1), ("lambda", "UpdateFunctionConfiguration20150331v2", False, 0.1),
]
MONITOR_MIX = [("monitoring", "GetMetricData", True, 50), ("monitoring", "DescribeAlarms", True, 25),
               ("monitoring", "ListMetrics", True, 10), ("ec2", "DescribeInstances", True, 15)]
HUMAN_IAM = [("CreateRole", 3), ("AttachRolePolicy", 3), ("PutRolePolicy", 2), ("CreateUser", 1),
             ("AttachUserPolicy", 1), ("UpdateAssumeRolePolicy", 1), ("DeleteUser", 0.5), ("CreateAccessKey", 0.5)]

# Steady write workers (one per scope): (service, write API).
STEADY_POOL = [("logs", "CreateLogStream"), ("ecs", "RunTask"), ("states", "StartExecution")]
# Bursty keys: (service, write API, companion read).
BURSTY_POOL = [("autoscaling", "SetDesiredCapacity", "DescribeAutoScalingGroups"),
               ("ecs", "UpdateService", "DescribeServices"),
               ("elasticloadbalancing", "RegisterTargets", "DescribeTargetHealth"),
               ("autoscaling", "UpdateAutoScalingGroup", "DescribeAutoScalingGroups")]
# Every-5-minute and half-hourly jobs: (service, write API, read before it, role).
JOB5_POOL = [("ssm", "PutParameter", "GetParameter", "heartbeat-sync"),
             ("monitoring", "PutMetricAlarm", "DescribeAlarms", "alarm-reconciler")]
JOB30_POOL = [("glue", "StartJobRun", "GetJobRuns", "etl-scheduler"),
              ("batch", "SubmitJob", "DescribeJobs", "report-scheduler"),
              ("lambda", "PublishVersion20150331", "GetFunction20150331v2", "canary-publisher")]
# Read APIs a throttling storm can hit: (service, API, errorCode, message).
THROTTLE_POOL = [("ec2", "DescribeInstances", "Client.RequestLimitExceeded", "Request limit exceeded."),
                 ("ec2", "DescribeVolumes", "Client.RequestLimitExceeded", "Request limit exceeded."),
                 ("ssm", "GetParameter", "ThrottlingException", "Rate exceeded"),
                 ("dynamodb", "DescribeTable", "ThrottlingException", "Rate exceeded")]
# APIs an access-denied storm can probe: (service, API, readOnly); iam only in IAM_REGION.
DENIED_POOL = [("s3", "ListBuckets", True), ("s3", "GetBucketPolicy", True), ("s3", "GetBucketAcl", True),
               ("sts", "AssumeRole", True), ("monitoring", "DescribeAlarms", True),
               ("monitoring", "GetMetricData", True), ("s3", "PutBucketPolicy", False),
               ("s3", "PutBucketTagging", False), ("monitoring", "DeleteAlarms", False),
               ("iam", "ListUsers", True), ("iam", "ListRoles", True), ("iam", "GetUser", True),
               ("iam", "CreateUser", False), ("iam", "AttachUserPolicy", False), ("iam", "PutRolePolicy", False)]
DENIED_MSG = "User: %(arn)s is not authorized to perform: %(svc)s:%(api)s because no identity-based policy allows it"
DENIED_SVC = {"monitoring": "cloudwatch"}


def iso_minute(t):
    return time.strftime("%Y-%m-%dT%H:%M:00Z", time.gmtime(t))


def key_obj(k):
    return {"insightType": k[0], "eventSource": k[1], "eventName": k[2], "errorCode": k[3]}


def sources_fingerprint():
    """Hash of the generator's sources: a scenario generated by other code is stale."""
    h = hashlib.sha256()
    here = os.path.dirname(os.path.abspath(__file__))
    for name in ("ctgen.py", "gen_scenario.py"):
        with open(os.path.join(here, name), "rb") as f:
            h.update(f.read())
    return h.hexdigest()[:16]


class Scope:
    """Configuration of one account x region (drawn from the plan RNG)."""


class Scenario(RecordBuilder):
    def __init__(self, args):
        self.args = args
        self.seed = args.seed
        self.days = args.days
        self.start = calendar.timegm(time.strptime(args.start, "%Y-%m-%d"))
        self.rng = random.Random("%d:scenario-events" % args.seed)
        self.irng = random.Random("%d:scenario-incidents" % args.seed)
        prng = self.prng = random.Random("%d:scenario-plan" % args.seed)
        self.accounts = list(KNOWN_ACCOUNTS[:3])
        self.regions = [IAM_REGION, prng.choice(SECOND_REGIONS)]
        self.read_error_rate = prng.uniform(0.01, 0.02)
        self.init_builder()
        self.incidents = []
        self.benign = []
        self.missed = {}      # (scope index, day) -> incident
        self.silences = []    # (scope index, job name, t0, t1)
        self.rises = []       # (scope index, t0, t1, multiplier)
        self._build_people()
        self._build_scopes()
        self._plan_holiday()
        self._plan_incidents()

    # ---------------------------------------------------------------- plan
    def weekday(self, d):
        return time.gmtime(self.start + d * DAY).tm_wday  # 0 = Monday

    def _build_people(self):
        s, prng = self.seed, self.prng
        names = HUMAN_NAMES[:]
        prng.shuffle(names)
        self.people = []
        for ai, acct in enumerate(self.accounts):
            humans = []
            for k in range(3):
                name = names[3 * ai + k]
                ip = "203.0.113.%d" % (10 + 3 * ai + k)
                if k == 0:
                    humans.append(Principal(s, acct, "IAMUser", name, ip, UA_CLI))
                else:
                    role = "AWSReservedSSO_AdministratorAccess_" + stable_token(
                        s, acct, "sso", n=16, alphabet="0123456789abcdef")
                    humans.append(Principal(s, acct, "AssumedRole", role, ip, UA_CONSOLE,
                                            session="%s@example.com" % name, console=True, mfa=True))
            w = [prng.uniform(0.2, 0.6) for _ in humans]
            self.people.append({"humans": humans, "human_cum": [sum(w[:k + 1]) for k in range(3)]})

    def role(self, ai, name, ua, ip_base, session=None):
        acct = self.accounts[ai]
        return Principal(self.seed, acct, "AssumedRole", name, "%s.%d" % (ip_base, 20 + 7 * ai),
                         ua, session=session or "%s-%s" % (name, stable_token(self.seed, acct, name, n=8,
                                                                              alphabet="0123456789abcdef")))

    def _build_scopes(self):
        prng = self.prng
        self.scopes = []
        acct_f = [prng.uniform(0.6, 1.2) for _ in self.accounts]
        waves = [prng.random() < 0.5 for _ in range(len(self.accounts) * len(self.regions))]
        if not any(waves):
            waves[prng.randrange(len(waves))] = True
        for ai, acct in enumerate(self.accounts):
            for ri, region in enumerate(self.regions):
                sc = Scope()
                sc.index, sc.ai, sc.ri, sc.acct, sc.region = len(self.scopes), ai, ri, acct, region
                sc.off = REGION_UTC_OFFSET.get(region, 0)
                sc.iam = region == IAM_REGION
                sc.scale = acct_f[ai] * (1.0 if ri == 0 else prng.uniform(0.3, 0.8))
                sc.peak = prng.uniform(1.8, 2.6)
                sc.monitor_rate = prng.uniform(0.1, 0.3)
                sc.monitor = self.role(ai, "monitoring-reader", UA_GO % "cloudwatch", "192.0.2")
                mix = [a for a in HUMAN_MIX if a[0] != "iam" or sc.iam]
                cum, tot = [], 0.0
                for a in mix:
                    tot += a[3] * prng.uniform(0.5, 1.5)
                    cum.append(tot)
                sc.mix = (mix, cum)
                cum, tot = [], 0.0
                for a in MONITOR_MIX:
                    tot += a[3]
                    cum.append(tot)
                sc.monitor_mix = (MONITOR_MIX, cum)
                sc.iam_per_week = prng.uniform(2, 5) if sc.iam else 0.0
                # steady write worker
                sc.steady = prng.choice(STEADY_POOL)
                sc.steady_rate = prng.uniform(0.5, 1.2)
                sc.worker = self.role(ai, "%s-worker" % sc.steady[0], UA_GO % sc.steady[0], "10.0.1")
                # bursty keys
                sc.bursty = []
                for b in prng.sample(BURSTY_POOL, prng.randint(1, 2)):
                    sc.bursty.append({"svc": b[0], "api": b[1], "read": b[2], "max_per_day": prng.randint(2, 4),
                                      "who": self.role(ai, "%s-scaler" % b[0], UA_LAMBDA, "10.0.2")})
                # periodic jobs
                j5 = prng.choice(JOB5_POOL)
                sc.job5 = {"name": "job5", "svc": j5[0], "api": j5[1], "read": j5[2], "period": 300,
                           "phase": prng.randrange(300), "jitter": prng.uniform(3, 60),
                           "who": self.role(ai, j5[3], UA_LAMBDA, "10.0.3")}
                j30 = prng.choice(JOB30_POOL)
                sc.job30 = {"name": "job30", "svc": j30[0], "api": j30[1], "read": j30[2], "period": 1800,
                            "phase": prng.randrange(1800), "jitter": prng.uniform(3, 60),
                            "who": self.role(ai, j30[3], UA_LAMBDA, "10.0.4")}
                sc.daily = {"at": 3600 * prng.randint(0, 4) + 60 * prng.randrange(60), "jitter": prng.uniform(3, 60),
                            "n": prng.randint(4, 16),
                            "who": Principal(self.seed, acct, "AssumedRole", "nightly-backup",
                                             "198.51.100.%d" % (60 + 3 * ai + ri), UA_BACKUP,
                                             session=lambda t: "backup-%d" % (t // DAY))}
                sc.daily["length"] = 2 + (12 * sc.daily["n"] + 60) // 60  # minutes a run usually takes
                sc.weekly = {"at": 3600 * prng.randint(3, 5) + 60 * prng.randrange(60), "jitter": prng.uniform(3, 60),
                             "n": prng.randint(3, 8),
                             "who": self.role(ai, "key-rotator" if sc.iam else "secret-rotator", UA_LAMBDA, "10.0.5")}
                # CI and the weekly deploy wave
                sc.ci = Principal(self.seed, acct, "AssumedRole", "ci-deployer", "192.0.2.%d" % (100 + ai), UA_CI,
                                  session=lambda t: "gha-%d" % (9000000000 + t // 600))
                sc.ci_rate = prng.uniform(0.005, 0.015)
                sc.wave = waves[sc.index]
                sc.wave_at = 13 * 3600 + 30 * 60 + prng.randrange(3600)  # Tuesday, UTC
                self.scopes.append(sc)
        for sc in self.scopes:
            hm = lambda s: "%02d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60)  # noqa: E731
            jobs = [("every-5-minutes", "every 5 minutes at +%ds" % sc.job5["phase"],
                     [(CALL, sc.job5["svc"], sc.job5["api"])]),
                    ("every-30-minutes", "every 30 minutes at +%ds" % sc.job30["phase"],
                     [(CALL, sc.job30["svc"], sc.job30["api"])]),
                    ("daily", "daily %s UTC" % hm(sc.daily["at"]),
                     [(CALL, "ec2", "CreateSnapshot"), (CALL, "ec2", "CreateTags"), (CALL, "ec2", "DeleteSnapshot")]),
                    ("weekly", "Sundays %s UTC" % hm(sc.weekly["at"]),
                     [(CALL, "iam", a) for a in ("CreateAccessKey", "UpdateAccessKey", "DeleteAccessKey")]
                     if sc.iam else [(CALL, "secretsmanager", "RotateSecret")])]
            for job, sched, keys in jobs:
                self.benign.append({"kind": "periodic-job", "job": job, "account": sc.acct, "region": sc.region,
                                    "schedule": sched, "keys": [self.label_key(k) for k in keys]})
            self.benign.append({"kind": "business-hours", "account": sc.acct, "region": sc.region,
                                "utcOffsetHours": sc.off,
                                "hours": "Mon-Fri 09:00-17:00 local (shoulders 07:00-09:00, 17:00-20:00); "
                                         "weekends at 8%"})
            self.benign.append({"kind": "steady-worker", "account": sc.acct, "region": sc.region,
                                "callsPerMinute": round(sc.steady_rate, 3),
                                "keys": [self.label_key((CALL, sc.steady[0], sc.steady[1]))]})

    def _plan_holiday(self):
        prng = self.prng
        choices = [d for d in range(WARMUP_DAYS, self.days - 1) if self.weekday(d) in (0, 2, 3, 4)]
        self.holiday = prng.choice(choices)
        for sc in self.scopes:
            t0 = self.start + self.holiday * DAY - sc.off * 3600
            self.benign.append({"kind": "holiday", "account": sc.acct, "region": sc.region,
                                "date": time.strftime("%Y-%m-%d", time.gmtime(self.start + self.holiday * DAY)),
                                "start": iso_minute(t0), "end": iso_minute(t0 + DAY - 60), "keys": [],
                                "note": "human and CI activity at 10% (local date); jobs and workers as usual"})

    def label_key(self, k):
        svc = k[1]
        return key_obj((k[0], "%s.amazonaws.com" % svc, k[2], k[3] if len(k) > 3 else None))

    def wave_times(self, sc):
        """(start, end) of every deploy wave of a scope; drawn from a per-scope RNG."""
        if not sc.wave:
            return []
        wr = random.Random("%d:wave:%d" % (self.seed, sc.index))
        out = []
        for d in range(self.days):
            if self.weekday(d) == 1:
                t0 = self.start + d * DAY + sc.wave_at + wr.randint(-600, 600)
                out.append((t0, t0 + wr.randint(8, 12) * 60, wr.randint(20, 60)))
        return out

    def _plan_incidents(self):
        ir = self.irng
        last_day = self.days - 1
        busy = {sc.index: [] for sc in self.scopes}  # scope -> [(t0, t1)] to keep incidents apart
        self.waves = {sc.index: self.wave_times(sc) for sc in self.scopes}
        for sc in self.scopes:
            for t0, t1, _n in self.waves[sc.index]:
                busy[sc.index].append((t0 - 3600, t1 + 3600))
        data_end = self.start + self.days * DAY

        def free(si, t0, t1, pad=3 * 3600):
            return all(t1 + pad <= a or t0 - pad >= b for a, b in busy[si])

        plans = []
        for kind in KINDS:
            for _attempt in range(10000):
                cands = [sc for sc in self.scopes if sc.iam] if kind == "iam-burst" else self.scopes
                sc = ir.choice(cands)
                d = ir.randint(FIRST_INCIDENT_DAY, last_day - (1 if kind in GAP_KINDS + ("rate-rise",) else 0))
                day0 = self.start + d * DAY
                t = day0 + 60 * ir.randrange(1440)
                p = {"kind": kind, "scope": sc, "day": d}
                if kind == "iam-burst":
                    lh = ((t + sc.off * 3600) // 3600) % 24
                    if not (lh >= 23 or lh < 5):
                        continue
                    p.update(t0=t, span=60 * ir.randint(5, 15))
                    p["t1"] = t + p["span"]
                elif kind == "provisioning-limit":
                    p.update(t0=t, minutes=ir.randint(4, 10), rate=ir.randint(20, 60), fail=ir.uniform(0.7, 0.95))
                    p["t1"] = t + 60 * p["minutes"]
                elif kind == "throttling-storm":
                    p.update(t0=t, minutes=ir.randint(5, 20), rate=ir.randint(20, 100), api=ir.choice(THROTTLE_POOL))
                    p["t1"] = t + 60 * p["minutes"]
                elif kind == "deletion-spree":
                    p.update(t0=t, span=60 * ir.randint(5, 15))
                    p["t1"] = t + p["span"]
                elif kind == "access-denied-storm":
                    pool = [a for a in DENIED_POOL if a[0] != "iam" or sc.iam]
                    n = ir.randint(4, 8)
                    while True:
                        apis = ir.sample(pool, n)
                        if any(a[2] for a in apis) and not all(a[2] for a in apis):
                            break
                    p.update(t0=t, minutes=ir.randint(5, 15), rate=ir.randint(10, 40), apis=apis)
                    p["t1"] = t + 60 * p["minutes"]
                elif kind == "rate-rise":
                    p.update(t0=t, t1=t + 60 * ir.randint(120, 360), mult=ir.uniform(3.0, 4.0))
                elif kind == "missed-daily-job":
                    t0 = day0 + sc.daily["at"]
                    p.update(t0=t0, t1=t0 + 60 * sc.daily["length"])
                elif kind == "periodic-silence":
                    job = sc.job5 if ir.random() < 0.5 else sc.job30
                    per, ph = job["period"], job["phase"]
                    first = day0 + ph + per * ((t - day0 - ph + per - 1) // per)
                    dur = 60 * ir.randint(180, 480)
                    resume = first + per * ((dur + per - 1) // per)
                    p.update(job=job, t0=first, t1=resume)
                if p["t1"] + 3600 > data_end or not free(sc.index, p["t0"], p["t1"]):
                    continue
                busy[sc.index].append((p["t0"], p["t1"]))
                plans.append(p)
                break
            else:
                raise SystemExit("gen_scenario: could not place incident %s" % kind)
        self.plans = plans
        for p in plans:
            si = p["scope"].index
            if p["kind"] == "missed-daily-job":
                self.missed[(si, p["day"])] = p
            elif p["kind"] == "periodic-silence":
                self.silences.append((si, p["job"]["name"], p["t0"], p["t1"]))
            elif p["kind"] == "rate-rise":
                self.rises.append((si, p["t0"], p["t1"], p["mult"]))
            p["keys"], p["counts"] = set(), {}

    # ---------------------------------------------------------------- rates
    def biz(self, sc, t):
        """Business level 0..1 at UTC time t in the scope's local time; 0.1x on the holiday."""
        lt = t + sc.off * 3600
        hour = (lt // 3600) % 24
        if 9 <= hour < 17:
            b = 1.0
        elif hour in (8, 17):
            b = 0.5
        elif hour in (7, 18, 19):
            b = 0.15
        else:
            b = 0.0
        if time.gmtime(lt).tm_wday >= 5:
            b *= 0.08
        if (lt - self.start) // DAY == self.holiday:
            b *= 0.1
        return b

    def holiday_factor(self, sc, t):
        return 0.1 if (t + sc.off * 3600 - self.start) // DAY == self.holiday else 1.0

    def pick(self, mix):
        apis, cum = mix
        return apis[bisect.bisect_right(cum, self.rng.random() * cum[-1])]

    # ---------------------------------------------------------------- normal activity
    def day(self, d, sc, out):
        rng, ai, region = self.rng, sc.ai, sc.region
        rec = self.record
        day0 = self.start + d * DAY
        people = self.people[ai]
        humans, hcum = people["humans"], people["human_cum"]
        rises = [(a, b, m) for si, a, b, m in self.rises if si == sc.index and a < day0 + DAY and b > day0]
        for hour in range(24):
            h0 = day0 + hour * 3600
            b = self.biz(sc, h0)
            lam_h = sc.scale * (0.03 + sc.peak * b)
            lam_ci = sc.ci_rate * self.holiday_factor(sc, h0) if b >= 0.5 else 0.0
            lam_iam = sc.iam_per_week / (5 * 8 * 60) * self.holiday_factor(sc, h0) if b >= 0.5 else 0.0
            lam_w = sc.steady_rate * (0.85 + 0.3 * b)
            for minute in range(60):
                m0 = h0 + minute * 60
                for _ in range(poisson(rng, lam_h)):
                    svc, api, ro, _w = self.pick(sc.mix)
                    p = humans[bisect.bisect_right(hcum, rng.random() * hcum[-1])]
                    out.append(rec(m0 + rng.randrange(60), ai, region, p, svc, api, ro))
                for _ in range(poisson(rng, sc.monitor_rate)):
                    svc, api, ro, _w = self.pick(sc.monitor_mix)
                    out.append(rec(m0 + rng.randrange(60), ai, region, sc.monitor, svc, api, ro))
                lw = lam_w
                for a, bb, mult in rises:
                    if a <= m0 < bb:
                        lw *= mult
                for _ in range(poisson(rng, lw)):
                    out.append(rec(m0 + rng.randrange(60), ai, region, sc.worker, sc.steady[0], sc.steady[1], False,
                                   error=()))
                if lam_ci and rng.random() < lam_ci:
                    t = m0 + rng.randrange(30)
                    out.append(rec(t, ai, region, sc.ci, "sts", "GetCallerIdentity", True))
                    for k in range(1 + rng.randrange(3)):
                        out.append(rec(t + 2 + 5 * k, ai, region, sc.ci, "lambda", "GetFunction20150331v2", True))
                        out.append(rec(t + 4 + 5 * k, ai, region, sc.ci, "lambda", "UpdateFunctionCode20150331v2",
                                       False, error=()))
                    if rng.random() < 0.25:
                        out.append(rec(t + 20, ai, region, sc.ci, "cloudformation", "UpdateStack", False, error=()))
                if lam_iam and rng.random() < lam_iam:
                    p = humans[rng.randrange(len(humans))]
                    t = m0 + rng.randrange(60)
                    for k in range(1 + (rng.random() < 0.4)):
                        api = self.pick_iam()
                        out.append(rec(t + 20 * k, ai, region, p, "iam", api, False))
        self.jobs(d, sc, out)
        self.bursts(d, sc, out)

    def pick_iam(self):
        tot = sum(w for _a, w in HUMAN_IAM)
        x = self.rng.random() * tot
        for a, w in HUMAN_IAM:
            x -= w
            if x < 0:
                return a
        return HUMAN_IAM[-1][0]

    def silenced(self, sc, job, t):
        return any(si == sc.index and name == job and a <= t < b for si, name, a, b in self.silences)

    def jobs(self, d, sc, out):
        rng, ai, region, rec = self.rng, sc.ai, sc.region, self.record
        day0 = self.start + d * DAY
        for job in (sc.job5, sc.job30):
            per = job["period"]
            for k in range(DAY // per):
                sched = day0 + job["phase"] + k * per
                if sched >= day0 + DAY or self.silenced(sc, job["name"], sched):
                    continue
                t = sched + int(rng.uniform(0, job["jitter"]))
                out.append(rec(t, ai, region, job["who"], job["svc"], job["read"], True))
                out.append(rec(t + 1 + rng.randrange(3), ai, region, job["who"], job["svc"], job["api"], False,
                               error=()))
        # daily backup: snapshot + tag every volume, then delete the expired snapshots
        dj = sc.daily
        if (sc.index, d) not in self.missed:
            who = dj["who"]
            t = day0 + dj["at"] + int(rng.uniform(0, dj["jitter"]))
            out.append(rec(t, ai, region, who, "ec2", "DescribeVolumes", True))
            for k in range(dj["n"]):
                out.append(rec(t + 3 + 6 * k, ai, region, who, "ec2", "CreateSnapshot", False, error=()))
                out.append(rec(t + 5 + 6 * k, ai, region, who, "ec2", "CreateTags", False, error=()))
            t += 6 * dj["n"] + 10
            out.append(rec(t, ai, region, who, "ec2", "DescribeSnapshots", True))
            for k in range(dj["n"]):
                out.append(rec(t + 2 + 6 * k, ai, region, who, "ec2", "DeleteSnapshot", False, error=()))
        # weekly rotation, Sunday
        if self.weekday(d) == 6:
            wj = sc.weekly
            who = wj["who"]
            t = day0 + wj["at"] + int(rng.uniform(0, wj["jitter"]))
            for k in range(wj["n"]):
                tk = t + 20 * k
                if sc.iam:
                    out.append(rec(tk, ai, region, who, "iam", "ListAccessKeys", True))
                    out.append(rec(tk + 2, ai, region, who, "iam", "CreateAccessKey", False, error=()))
                    out.append(rec(tk + 5, ai, region, who, "iam", "UpdateAccessKey", False, error=()))
                    out.append(rec(tk + 9, ai, region, who, "iam", "DeleteAccessKey", False, error=()))
                else:
                    out.append(rec(tk, ai, region, who, "secretsmanager", "DescribeSecret", True))
                    out.append(rec(tk + 3, ai, region, who, "secretsmanager", "RotateSecret", False, error=()))
        # weekly deploy wave, Tuesday
        for t0, t1, n in self.waves[sc.index]:
            if day0 <= t0 < day0 + DAY:
                for _ in range(n):
                    t = t0 + rng.randrange(t1 - t0)
                    if rng.random() < 0.6:
                        out.append(rec(t, ai, region, sc.ci, "lambda", "UpdateFunctionCode20150331v2", False,
                                       error=()))
                    else:
                        out.append(rec(t, ai, region, sc.ci, "cloudformation", "UpdateStack", False, error=()))
                self.benign.append({"kind": "weekly-deploy", "account": sc.acct, "region": region,
                                    "keys": [self.label_key((CALL, "lambda", "UpdateFunctionCode20150331v2")),
                                             self.label_key((CALL, "cloudformation", "UpdateStack"))],
                                    "start": iso_minute(t0), "end": iso_minute(t1 - 1), "calls": n})

    def bursts(self, d, sc, out):
        rng, ai, region, rec = self.rng, sc.ai, sc.region, self.record
        day0 = self.start + d * DAY
        for b in sc.bursty:
            for _ in range(rng.randint(1, b["max_per_day"])):
                t0 = day0 + rng.randrange(DAY - 600)
                n, span = rng.randint(5, 20), rng.randint(60, 240)
                out.append(rec(t0, ai, region, b["who"], b["svc"], b["read"], True))
                ts = sorted(t0 + 1 + rng.randrange(span) for _ in range(n))
                for t in ts:
                    out.append(rec(t, ai, region, b["who"], b["svc"], b["api"], False, error=()))
                self.benign.append({"kind": "benign-burst", "account": sc.acct, "region": region,
                                    "keys": [self.label_key((CALL, b["svc"], b["api"]))],
                                    "start": iso_minute(ts[0]), "end": iso_minute(ts[-1]), "calls": n})

    # ---------------------------------------------------------------- incidents
    def emit(self, p, t, svc, api, read_only, error, who, fix=None):
        sc = p["scope"]
        r = self.record(t, sc.ai, sc.region, who, svc, api, read_only, error=error, rng=self.irng, fix=fix)
        if not read_only:
            p["keys"].add((CALL, svc, api, None))
        if error:
            p["keys"].add((ERROR, svc, api, error[0]))
        label = api if not error else "%s:%s" % (api, error[0])
        p["counts"][label] = p["counts"].get(label, 0) + 1
        p["first"] = min(p.get("first", t), t)
        p["last"] = max(p.get("last", t), t)
        return r

    def records(self, d):
        """Day d's records of every scope, incidents included."""
        recs = []
        for scope in self.scopes:
            self.day(d, scope, recs)
        self.inject(d, recs)
        return recs

    def inject(self, d, out):
        ir = self.irng
        for p in self.plans:
            if p["day"] != d or p["kind"] in ("rate-rise", "missed-daily-job", "periodic-silence"):
                continue
            sc, kind, t0 = p["scope"], p["kind"], p["t0"]
            acct = sc.acct
            if kind == "iam-burst":
                name = ir.choice(["svc-legacy-sync", "svc-reporting", "build-bot", "temp-contractor"])
                who = Principal(self.seed, acct, "IAMUser", name, "185.220.101.%d" % ir.randint(2, 250), UA_ATTACKER)
                admin = "arn:aws:iam::aws:policy/AdministratorAccess"
                p["principal"] = who.arn
                for api in ("CreateUser", "CreateAccessKey", "AttachUserPolicy"):
                    for _ in range(ir.randint(10, 60)):
                        user = "svc-" + "".join(ir.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(6))

                        def fix(req, resp, api=api, user=user):
                            req = dict(req or {})
                            req["userName"] = user
                            if api == "AttachUserPolicy":
                                req["policyArn"] = admin
                            if api == "CreateUser" and resp:
                                resp["user"]["userName"] = user
                                resp["user"]["arn"] = "arn:aws:iam::%s:user/%s" % (acct, user)
                            if api == "CreateAccessKey" and resp:
                                resp["accessKey"]["userName"] = user
                            return req, resp
                        out.append(self.emit(p, t0 + ir.randrange(p["span"]), "iam", api, False, (), who, fix))
            elif kind == "provisioning-limit":
                who = Principal(self.seed, acct, "AssumedRole", "KarpenterControllerRole", "10.0.9.%d" % ir.randint(2, 250),
                                UA_KARPENTER, session="%d" % (1790000000 + d))
                p["principal"] = who.arn_at(t0)
                for m in range(p["minutes"]):
                    for _ in range(max(1, int(round(p["rate"] * ir.uniform(0.8, 1.2))))):
                        err = ("Client.InstanceLimitExceeded", LIMIT_MESSAGE) if ir.random() < p["fail"] else ()
                        out.append(self.emit(p, t0 + 60 * m + ir.randrange(60), "ec2", "RunInstances", False, err, who))
            elif kind == "throttling-storm":
                svc, api, code, msg = p["api"]
                who = Principal(self.seed, acct, "AssumedRole", "inventory-collector", "10.0.8.%d" % ir.randint(2, 250),
                                UA_GO % svc, session="inventory-%d" % ir.randrange(10 ** 6))
                p["principal"] = who.arn_at(t0)
                for m in range(p["minutes"]):
                    n = max(1, int(round(p["rate"] * ir.uniform(0.8, 1.2))))
                    for _ in range(n):
                        out.append(self.emit(p, t0 + 60 * m + ir.randrange(60), svc, api, True, (code, msg), who))
                    for _ in range(n // 4):  # the retries that get through
                        out.append(self.emit(p, t0 + 60 * m + ir.randrange(60), svc, api, True, (), who))
            elif kind == "deletion-spree":
                if ir.random() < 0.5:
                    who = Principal(self.seed, acct, "IAMUser", ir.choice(["ops-admin", "contractor-ext", "dev-temp"]),
                                    "185.220.101.%d" % ir.randint(2, 250), UA_ATTACKER)
                else:
                    who = Principal(self.seed, acct, "AssumedRole", "OrganizationAccountAccessRole",
                                    "185.220.101.%d" % ir.randint(2, 250), UA_ATTACKER, session="x%d" % ir.randrange(999))
                p["principal"] = who.arn_at(t0)
                not_empty = ir.uniform(0.0, 0.4)
                for svc, api in (("ec2", "TerminateInstances"), ("ec2", "DeleteSnapshot"), ("s3", "DeleteBucket"),
                                 ("rds", "DeleteDBInstance")):
                    for _ in range(ir.randint(10, 50)):
                        err = ()
                        if api == "DeleteBucket" and ir.random() < not_empty:
                            err = ("BucketNotEmpty", "The bucket you tried to delete is not empty")
                        out.append(self.emit(p, t0 + ir.randrange(p["span"]), svc, api, False, err, who))
            elif kind == "access-denied-storm":
                who = Principal(self.seed, acct, "AssumedRole", ir.choice(["lambda-exec-legacy", "ReadOnlyAuditor",
                                                                          "ecs-task-orders"]),
                                "185.220.101.%d" % ir.randint(2, 250), UA_ATTACKER,
                                session="i-0%s" % "".join(ir.choice("0123456789abcdef") for _ in range(16)))
                p["principal"] = who.arn_at(t0)
                for m in range(p["minutes"]):
                    for _ in range(max(1, int(round(p["rate"] * ir.uniform(0.8, 1.2))))):
                        svc, api, ro = ir.choice(p["apis"])
                        msg = DENIED_MSG.replace("%(svc)s", DENIED_SVC.get(svc, svc))
                        out.append(self.emit(p, t0 + 60 * m + ir.randrange(60), svc, api, ro, ("AccessDenied", msg), who))

    def labels(self):
        incidents = []
        for p in sorted(self.plans, key=lambda q: q["t0"]):
            sc, kind = p["scope"], p["kind"]
            inc = {"kind": kind, "account": sc.acct, "region": sc.region}
            detail = {}
            if kind == "rate-rise":
                keys = {(CALL, sc.steady[0], sc.steady[1], None)}
                t0, t1 = p["t0"], p["t1"] - 60
                detail = {"multiplier": round(p["mult"], 2), "baselinePerMinute": round(sc.steady_rate, 3),
                          "minutes": (p["t1"] - p["t0"]) // 60}
                principal = sc.worker.role_arn
            elif kind == "missed-daily-job":
                keys = {(CALL, "ec2", a, None) for a in ("CreateSnapshot", "CreateTags", "DeleteSnapshot")}
                t0, t1 = p["t0"], p["t1"]
                detail = {"dueAt": iso_minute(p["t0"]), "snapshotsPerRun": sc.daily["n"]}
                principal = sc.daily["who"].role_arn
            elif kind == "periodic-silence":
                job = p["job"]
                keys = {(CALL, job["svc"], job["api"], None)}
                t0, t1 = p["t0"], p["t1"]
                detail = {"periodMinutes": job["period"] // 60, "silentMinutes": (p["t1"] - p["t0"]) // 60}
                principal = job["who"].role_arn
            else:
                keys = p["keys"]
                t0, t1 = p["first"], p["last"]
                detail = {"calls": dict(sorted(p["counts"].items()))}
                for f in ("minutes", "rate", "span"):
                    if f in p:
                        detail[f] = p[f] // 60 if f == "span" else p[f]
                if "fail" in p:
                    detail["failFraction"] = round(p["fail"], 3)
                principal = p.get("principal")
            inc.update({"keys": [self.label_key(k) for k in sorted(keys, key=lambda k: (k[0], k[1], k[2], k[3] or ""))],
                        "start": iso_minute(t0), "end": iso_minute(t1),
                        "direction": "decrease" if kind in GAP_KINDS else "increase",
                        "principal": principal, "detail": detail})
            incidents.append(inc)
        for i, inc in enumerate(incidents, 1):
            inc["id"] = "inc%d" % i
        incidents = [dict([("id", inc.pop("id"))] + list(inc.items())) for inc in incidents]
        return {"seed": self.seed, "days": self.days, "start": self.args.start,
                "scopes": [[sc.acct, sc.region] for sc in self.scopes], "warmup_days": WARMUP_DAYS,
                "incidents": incidents, "benign": self.benign}


# --------------------------------------------------------------------------- main

def parse_args(argv):
    ap = argparse.ArgumentParser(description="Generate a labelled CloudTrail scenario (3 accounts x 2 regions).")
    ap.add_argument("--out", required=True, help="output folder")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--start", default="2026-09-07", help="first day, YYYY-MM-DD (UTC)")
    ap.add_argument("--force", action="store_true", help="replace an earlier scenario in --out")
    a = ap.parse_args(argv)
    if a.days < MIN_DAYS:
        ap.error("--days must be at least %d (7 days of warm-up, incidents after day %d)"
                 % (MIN_DAYS, FIRST_INCIDENT_DAY))
    check_start(ap, a.start)
    return a


def main(argv):
    args = parse_args(argv)
    t_begin = time.monotonic()
    out = args.out
    if not clear_out("gen_scenario", out, ("AWSLogs", "labels.json", "gen_scenario.meta"), args.force):
        return 2

    sc = Scenario(args)
    writer = S3Writer(sc, out, max_late=2)
    nrec = 0
    for d in range(args.days):
        recs = sc.records(d)
        nrec += len(recs)
        writer.add(recs)
        writer.flush(before_window=(d + 1) * WINDOWS_PER_DAY)
    writer.flush()
    writer.digests()

    labels = sc.labels()
    with open(os.path.join(out, "labels.json"), "w") as f:
        f.write(json.dumps(labels, indent=1) + "\n")
    meta = {"generator": "benchmarks/gen_scenario.py", "fingerprint": sources_fingerprint(), "seed": args.seed,
            "days": args.days, "start": args.start, "accounts": sc.accounts, "regions": sc.regions,
            "files": writer.files, "records": nrec, "jsonBytes": writer.bytes}
    with open(os.path.join(out, "gen_scenario.meta"), "w") as f:
        f.write(json.dumps(meta, indent=1, sort_keys=True) + "\n")
    print("gen_scenario: %d files, %d records (%.1f MB JSON), %d days from %s, %d accounts x %s, seed %d, %.1fs"
          % (writer.files, nrec, writer.bytes / 1e6, args.days, args.start, len(sc.accounts),
             "+".join(sc.regions), args.seed, time.monotonic() - t_begin), file=sys.stderr)
    for inc in labels["incidents"]:
        print("  %-4s %-19s %s %-14s %s .. %s  %s" % (
            inc["id"], inc["kind"], inc["account"], inc["region"], inc["start"][5:16], inc["end"][5:16],
            ", ".join(k["eventName"] + (":" + k["errorCode"] if k["errorCode"] else "") for k in inc["keys"])),
            file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
