#!/usr/bin/env python3
"""Seeded, deterministic generator of a small organisation's CloudTrail logs.

    gen_org.py --out DIR [--seed N] [--days D] [--start 2026-10-01]
               [--accounts 2] [--regions us-east-1,eu-west-1]
               [--burst [--burst-day N]] [--format s3|ndjson] [--force]

--format s3 (default) writes what an S3 bucket synced to disk looks like:
    DIR/AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/
        <acct>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 alnum>.json.gz
one gzip {"Records":[...]} file per account x region x 5-minute delivery
window (empty windows skipped), records shuffled inside a file, ~2% of the
records delivered one window late; plus one digest file per account x region
x day under DIR/AWSLogs/<acct>/CloudTrail-Digest/... that readers must skip.
--format ndjson writes DIR/events.ndjson, one record per line in time order.
Both formats hold the same records for the same seed and options.

DIR/gen_org.meta (JSON, not a CloudTrail file) records the options, the
counts and the injected bursts (ground truth for tests and the demo).

Activity: reads (Describe*/List*/Get* on ec2, iam, s3, sts, cloudwatch,
lambda, ssm) make the bulk; writes (ec2 RunInstances/TerminateInstances/
CreateTags, s3 PutBucketPolicy, lambda UpdateFunctionCode, ssm PutParameter,
rare iam CreateUser/CreateAccessKey/AttachUserPolicy) are a few percent.
Human activity follows business hours x weekdays (Poisson per minute); a
monitoring role reads all day; a role runs ssm PutParameter every 10 minutes;
a backup role snapshots volumes daily at 02:30 UTC; CI deploys Lambda code on
weekdays. Reads fail ~2% of the time (AccessDenied, throttling, ...).

--burst injects, on day D-4 (or --burst-day N) at night: an IAM burst in the first account (one
IAM user: CreateUser, CreateAccessKey, AttachUserPolicy ~30-60 calls each
over ~8 minutes), and an EC2 RunInstances burst in the second account (~40
calls/minute for ~6 minutes, most failing Client.InstanceLimitExceeded).

Records, identities and the writers come from ctgen.py (shared with gen_scenario.py).
Same seed and options -> byte-identical output. Standard library only.
"""

import argparse
import bisect
import calendar
import json
import os
import random
import sys
import time

from ctgen import (check_start, clear_out, DAY, HUMAN_NAMES, KNOWN_ACCOUNTS, LIMIT_MESSAGE, REGION_UTC_OFFSET, UA_ATTACKER,
                   UA_BACKUP, UA_CI, UA_CLI, UA_CONSOLE, UA_GO, UA_KARPENTER, UA_LAMBDA, WINDOWS_PER_DAY,
                   NdjsonWriter, Principal, RecordBuilder, S3Writer, fmt_time, poisson, stable_token)


# --------------------------------------------------------------------------- generator

class Org(RecordBuilder):
    def __init__(self, args):
        self.args = args
        self.seed = args.seed
        self.days = args.days
        self.rng = random.Random("%d:events" % args.seed)
        self.brng = random.Random("%d:burst" % args.seed)
        self.start = calendar.timegm(time.strptime(args.start, "%Y-%m-%d"))
        self.regions = args.regions
        self.iam_region = "us-east-1" if "us-east-1" in self.regions else self.regions[0]
        acct_rng = random.Random("%d:accounts" % args.seed)
        self.accounts = KNOWN_ACCOUNTS[:args.accounts]
        while len(self.accounts) < args.accounts:
            a = "%012d" % acct_rng.randrange(10 ** 11, 10 ** 12)
            if a not in self.accounts:
                self.accounts.append(a)
        self.init_builder()
        self.bursts = []
        self._build_people()
        self._build_apis()

    # ---- people and roles
    def _build_people(self):
        s = self.seed
        self.people = []
        for ai, acct in enumerate(self.accounts):
            humans = []
            for k in range(3):
                name = HUMAN_NAMES[(3 * ai + k) % len(HUMAN_NAMES)]
                ip = "203.0.113.%d" % (10 + 3 * ai + k)
                if k == 0:
                    humans.append(Principal(s, acct, "IAMUser", name, ip, UA_CLI))
                else:
                    role = "AWSReservedSSO_AdministratorAccess_" + stable_token(
                        s, acct, "sso", n=16, alphabet="0123456789abcdef")
                    humans.append(Principal(s, acct, "AssumedRole", role, ip, UA_CONSOLE,
                                            session="%s@example.com" % name, console=True,
                                            mfa=True))
            monitor = Principal(s, acct, "AssumedRole", "monitoring-reader", "192.0.2.%d" % (40 + ai),
                                UA_GO, session="monitoring-%s" % stable_token(
                                    s, acct, "mon", n=8, alphabet="0123456789abcdef"))
            param = Principal(s, acct, "AssumedRole", "param-sync", "198.51.100.%d" % (20 + ai),
                              UA_LAMBDA, session="param-sync")
            backup = Principal(s, acct, "AssumedRole", "nightly-backup", "198.51.100.%d" % (60 + ai),
                               UA_BACKUP, session=lambda t: "backup-%d" % (t // DAY))
            ci = Principal(s, acct, "AssumedRole", "ci-deployer", "192.0.2.%d" % (100 + ai), UA_CI,
                           session=lambda t: "gha-%d" % (9000000000 + t // 600))
            self.people.append({"humans": humans, "human_w": [0.5, 0.3, 0.2], "monitor": monitor,
                                "param": param, "backup": backup, "ci": ci})

    # ---- API catalogue
    def _build_apis(self):
        # (service, eventName, readOnly, weight in the human mix)
        human = [
            ("ec2", "DescribeInstances", True, 14), ("ec2", "DescribeSecurityGroups", True, 5),
            ("ec2", "DescribeVpcs", True, 3), ("ec2", "DescribeVolumes", True, 3),
            ("ec2", "DescribeRegions", True, 2),
            ("iam", "ListUsers", True, 3), ("iam", "GetUser", True, 2), ("iam", "ListRoles", True, 3),
            ("iam", "GetRole", True, 2), ("iam", "ListAttachedRolePolicies", True, 2),
            ("s3", "ListBuckets", True, 4), ("s3", "GetBucketLocation", True, 3),
            ("s3", "GetBucketPolicy", True, 1), ("s3", "GetBucketAcl", True, 2),
            ("sts", "GetCallerIdentity", True, 6), ("sts", "AssumeRole", True, 2),
            ("monitoring", "DescribeAlarms", True, 4), ("monitoring", "GetMetricData", True, 5),
            ("monitoring", "ListMetrics", True, 2),
            ("lambda", "ListFunctions20150331", True, 2), ("lambda", "GetFunction20150331v2", True, 1),
            ("ssm", "GetParameter", True, 1), ("ssm", "DescribeInstanceInformation", True, 1),
            ("ec2", "RunInstances", False, 0.8), ("ec2", "TerminateInstances", False, 0.7),
            ("ec2", "CreateTags", False, 1.5), ("s3", "PutBucketPolicy", False, 0.1),
            ("lambda", "UpdateFunctionCode20150331v2", False, 0.3), ("ssm", "PutParameter", False, 0.3),
            ("iam", "CreateUser", False, 0.02), ("iam", "CreateAccessKey", False, 0.03),
            ("iam", "AttachUserPolicy", False, 0.03),
        ]
        self.human_mix = {}
        for region in self.regions:
            apis = [a for a in human if a[0] != "iam" or region == self.iam_region]
            cum, tot = [], 0.0
            for a in apis:
                tot += a[3]
                cum.append(tot)
            self.human_mix[region] = (apis, cum, tot)
        monitor = [("monitoring", "GetMetricData", True, 50), ("monitoring", "DescribeAlarms", True, 25),
                   ("monitoring", "ListMetrics", True, 10), ("ec2", "DescribeInstances", True, 15)]
        cum, tot = [], 0.0
        for a in monitor:
            tot += a[3]
            cum.append(tot)
        self.monitor_mix = (monitor, cum, tot)

    def pick(self, mix):
        apis, cum, tot = mix
        return apis[bisect.bisect_right(cum, self.rng.random() * tot)]

    # ---- rates
    def human_rate(self, ai, region, t):
        """Expected human calls per minute at time t (UTC seconds)."""
        off = REGION_UTC_OFFSET.get(region, 0)
        lt = t + off * 3600
        hour = (lt // 3600) % 24
        weekday = time.gmtime(lt).tm_wday < 5
        if 9 <= hour < 17:
            biz = 1.0
        elif hour in (8, 17):
            biz = 0.5
        elif hour in (7, 18, 19):
            biz = 0.15
        else:
            biz = 0.0
        if not weekday:
            biz *= 0.08
        acct_f = 1.0 if ai % 2 == 0 else 0.7
        region_f = 1.0 if region == self.regions[0] else 0.6
        return acct_f * region_f * (0.03 + 2.6 * biz)

    # ---- one day of one account x region
    def day(self, d, ai, ri, out):
        rng = self.rng
        region = self.regions[ri]
        acct_people = self.people[ai]
        humans, human_w = acct_people["humans"], acct_people["human_w"]
        hcum = [sum(human_w[:k + 1]) for k in range(len(human_w))]
        mix = self.human_mix[region]
        day0 = self.start + d * DAY
        primary = ri == 0
        for hour in range(24):
            h0 = day0 + hour * 3600
            lam_h = self.human_rate(ai, region, h0)
            lam_m = 0.25 if primary else 0.15
            lam_ci = 0.012 if (primary and lam_h > 1.0) else 0.0
            for minute in range(60):
                m0 = h0 + minute * 60
                for _ in range(poisson(rng, lam_h)):
                    svc, api, ro, _w = self.pick(mix)
                    p = humans[bisect.bisect_right(hcum, rng.random() * hcum[-1])]
                    out.append(self.record(m0 + rng.randrange(60), ai, region, p, svc, api, ro))
                for _ in range(poisson(rng, lam_m)):
                    svc, api, ro, _w = self.pick(self.monitor_mix)
                    out.append(self.record(m0 + rng.randrange(60), ai, region,
                                           acct_people["monitor"], svc, api, ro))
                if lam_ci and rng.random() < lam_ci:
                    t = m0 + rng.randrange(30)
                    ci = acct_people["ci"]
                    out.append(self.record(t, ai, region, ci, "sts", "GetCallerIdentity", True))
                    for k in range(1 + rng.randrange(3)):
                        out.append(self.record(t + 2 + 5 * k, ai, region, ci, "lambda",
                                               "GetFunction20150331v2", True))
                        out.append(self.record(t + 4 + 5 * k, ai, region, ci, "lambda",
                                               "UpdateFunctionCode20150331v2", False, error=()))
                # periodic job: every 10 minutes, phase per account x region
                if minute % 10 == (3 * ai + ri) % 10:
                    t = m0 + 2 + rng.randrange(4)
                    pp = acct_people["param"]
                    out.append(self.record(t, ai, region, pp, "ssm", "GetParameter", True))
                    out.append(self.record(t + 1, ai, region, pp, "ssm", "PutParameter", False, error=()))
            # daily job at 02:30 UTC in the account's primary region
            if hour == 2 and primary:
                bk = acct_people["backup"]
                t = h0 + 30 * 60 + rng.randrange(20)
                out.append(self.record(t, ai, region, bk, "ec2", "DescribeVolumes", True))
                for k in range(8 + 4 * ai):
                    out.append(self.record(t + 3 + 6 * k, ai, region, bk, "ec2", "CreateSnapshot", False,
                                           error=()))
                    out.append(self.record(t + 5 + 6 * k, ai, region, bk, "ec2", "CreateTags", False,
                                           error=()))

    def records(self, d):
        """Day d's records of every account x region, injected bursts included."""
        recs = []
        for ai in range(len(self.accounts)):
            for ri in range(len(self.regions)):
                self.day(d, ai, ri, recs)
        self.inject(d, recs)
        return recs

    # ---- injected bursts
    def burst_day(self):
        if self.args.burst_day is not None:
            return self.args.burst_day
        return max(0, self.args.days - 4)

    def inject(self, d, out):
        if not self.args.burst or d != self.burst_day():
            return
        b = self.brng
        day0 = self.start + d * DAY
        # 1) IAM burst: one IAM user creates users, access keys and admin attachments, ~8 minutes.
        acct = self.accounts[0]
        region = self.iam_region
        p = Principal(self.seed, acct, "IAMUser", "svc-legacy-sync", "203.0.113.66", UA_ATTACKER)
        t0 = day0 + 3 * 3600 + 60 * (5 + b.randrange(40))
        n = b.randint(32, 50)
        span = 8 * 60
        counts = {"CreateUser": 0, "CreateAccessKey": 0, "AttachUserPolicy": 0}
        tlast = t0
        admin = "arn:aws:iam::aws:policy/AdministratorAccess"

        def emit(t, api, user):
            def fix(req, resp):
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
            out.append(self.record(t, 0, region, p, "iam", api, False, error=(), rng=b, fix=fix))
            counts[api] += 1
            return t

        for i in range(n):
            t = t0 + (span - 20) * i // n + b.randrange(5)
            user = "svc-" + "".join(b.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(6))
            emit(t, "CreateUser", user)
            emit(t + 1 + b.randrange(3), "CreateAccessKey", user)
            tl = emit(t + 4 + b.randrange(4), "AttachUserPolicy", user)
            if b.random() < 0.2:
                tl = emit(t + 9 + b.randrange(4), "AttachUserPolicy", user)
            tlast = max(tlast, tl)
        self.bursts.append({
            "kind": "iam-burst", "account": acct, "region": region, "eventSource": "iam.amazonaws.com",
            "eventNames": sorted(counts), "principal": p.arn, "start": fmt_time(t0),
            "end": fmt_time(tlast + 1), "counts": counts, "errors": {}})

        # 2) EC2 RunInstances burst hitting the instance limit, ~6 minutes at ~40/minute,
        #    in the other account (or, with one account, the last region).
        ai = 1 if len(self.accounts) > 1 else 0
        region = self.regions[-1]
        acct = self.accounts[ai]
        role = Principal(self.seed, acct, "AssumedRole", "KarpenterControllerRole", "198.51.100.150",
                         UA_KARPENTER, session="%d" % (1790000000 + d))
        t1 = day0 + 1 * 3600 + 60 * (10 + b.randrange(30))
        total, failed, tlast = 0, 0, t1
        for m in range(6):
            for _ in range(b.randint(34, 46)):
                t = t1 + 60 * m + b.randrange(60)
                err = ()
                if b.random() < 0.85:
                    err = ("Client.InstanceLimitExceeded", LIMIT_MESSAGE)
                    failed += 1
                out.append(self.record(t, ai, region, role, "ec2", "RunInstances", False, error=err, rng=b))
                total += 1
                tlast = max(tlast, t)
        self.bursts.append({
            "kind": "ec2-limit-burst", "account": acct, "region": region, "eventSource": "ec2.amazonaws.com",
            "eventNames": ["RunInstances"], "principal": role.arn_at(t1), "start": fmt_time(t1),
            "end": fmt_time(tlast + 1), "counts": {"RunInstances": total},
            "errors": {"Client.InstanceLimitExceeded": failed}})


# --------------------------------------------------------------------------- main

def parse_args(argv):
    ap = argparse.ArgumentParser(description="Generate a small organisation's CloudTrail logs.")
    ap.add_argument("--out", required=True, help="output folder")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--days", type=int, default=21)
    ap.add_argument("--start", default="2026-10-01", help="first day, YYYY-MM-DD (UTC)")
    ap.add_argument("--accounts", type=int, default=2)
    ap.add_argument("--regions", default="us-east-1,eu-west-1")
    ap.add_argument("--burst", action="store_true", help="inject the IAM and EC2 bursts on day D-4")
    ap.add_argument("--burst-day", type=int, default=None, metavar="N",
                    help="with --burst: on day N (0 = the first) instead")
    ap.add_argument("--format", choices=("s3", "ndjson"), default="s3")
    ap.add_argument("--force", action="store_true", help="replace an earlier generated tree in --out")
    a = ap.parse_args(argv)
    a.regions = [r.strip() for r in a.regions.split(",") if r.strip()]
    if a.days < 1 or a.accounts < 1 or not a.regions:
        ap.error("--days and --accounts must be >= 1 and --regions non-empty")
    if len(set(a.regions)) != len(a.regions):
        ap.error("--regions has duplicates")
    check_start(ap, a.start)
    return a


def main(argv):
    args = parse_args(argv)
    t_begin = time.monotonic()
    out = args.out
    if not clear_out("gen_org", out, ("AWSLogs", "events.ndjson", "gen_org.meta"), args.force):
        return 2

    org = Org(args)
    if args.burst and org.burst_day() < 7:
        print("gen_org: note: the bursts fall on day %d, with less than 7 days of baseline before them"
              % org.burst_day(), file=sys.stderr)
    writer = S3Writer(org, out) if args.format == "s3" else NdjsonWriter(org, out)
    nrec = 0
    for d in range(args.days):
        recs = org.records(d)
        nrec += len(recs)
        writer.add(recs)
        writer.flush(before_window=(d + 1) * WINDOWS_PER_DAY)
    writer.flush()
    writer.digests()
    if args.format == "ndjson":
        writer.close()

    meta = {"generator": "benchmarks/gen_org.py", "seed": args.seed, "days": args.days,
            "start": args.start, "accounts": org.accounts, "regions": org.regions,
            "burst": args.burst, "format": args.format, "files": writer.files, "records": nrec,
            "bursts": org.bursts}
    with open(os.path.join(out, "gen_org.meta"), "w") as f:
        f.write(json.dumps(meta, indent=1, sort_keys=True) + "\n")

    bursts = "; ".join(
        "%s %s/%s %s..%s (%s%s)" % (
            b["kind"], b["account"], b["region"], b["start"], b["end"],
            ", ".join("%s %d" % kv for kv in sorted(b["counts"].items())),
            "".join(", %s %d" % kv for kv in sorted(b["errors"].items())))
        for b in org.bursts) or "none"
    print("gen_org: %d files, %d records (%.1f MB JSON), %d days from %s, %d accounts x %d regions, "
          "seed %d; bursts: %s; %.1fs" % (
              writer.files, nrec, writer.bytes / 1e6, args.days, args.start, len(org.accounts),
              len(org.regions), args.seed, bursts, time.monotonic() - t_begin), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
