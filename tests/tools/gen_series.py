#!/usr/bin/env python3
"""Small seeded CloudTrail series for golden end-to-end cases.

Writes one gzip NDJSON file of compact but complete management records for a
single account and region: background activity on a few write APIs (a job
every 10 minutes, occasional human calls in business hours, a read API with
a low error rate) and, per scenario, injected activity:

  iam-burst   one principal: CreateUser, CreateAccessKey, AttachUserPolicy
              bursts at night on day 9
  limit-hit   RunInstances burst on day 9, most calls failing with
              Client.InstanceLimitExceeded (call rate and error rate)
  early-burst the iam burst on day 3, before 7 days of history (no Insight)
  steady      background only (no Insight expected)
  job-gap     the every-10-minutes job is silent on day 9 from 10:00 to
              13:00 (a maintenance gap)

Usage: gen_series.py SCENARIO OUT.ndjson.gz [--seed N] [--days D]
"""
import argparse
import gzip
import json
import random
import uuid
from datetime import datetime, timedelta, timezone

ACCOUNT = "111122223333"
REGION = "us-east-1"
START = datetime(2026, 3, 2, tzinfo=timezone.utc)  # a Monday


def record(rng, t, source, name, arn, agent, read_only, error=None):
    r = {
        "eventVersion": "1.09",
        "userIdentity": {"type": "AssumedRole" if "assumed-role" in arn else "IAMUser",
                         "arn": arn, "accountId": ACCOUNT},
        "eventTime": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": source,
        "eventName": name,
        "awsRegion": REGION,
        "sourceIPAddress": "198.51.100.%d" % rng.randint(1, 254),
        "userAgent": agent,
        "requestID": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "eventID": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "readOnly": read_only,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management",
    }
    if error:
        r["errorCode"] = error
        r["errorMessage"] = "request failed"
    return r


JOB = "arn:aws:sts::%s:assumed-role/maintenance/job" % ACCOUNT
ALICE = "arn:aws:iam::%s:user/alice" % ACCOUNT
BOB = "arn:aws:iam::%s:user/bob" % ACCOUNT
INTRUDER = "arn:aws:sts::%s:assumed-role/ci-deployer/session-77" % ACCOUNT
SDK = "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22"
CONSOLE = "console.amazonaws.com"
CLI = "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64"


def background(rng, days):
    out = []
    for d in range(days):
        day = START + timedelta(days=d)
        weekend = day.weekday() >= 5
        for m in range(0, 1440, 10):  # maintenance job
            t = day + timedelta(minutes=m, seconds=rng.randint(0, 20))
            out.append(record(rng, t, "ssm.amazonaws.com", "PutParameter", JOB, SDK, False))
        for h in range(24):
            busy = (9 <= h < 18) and not weekend
            for _ in range(rng.randint(2, 6) if busy else rng.randint(0, 1)):
                t = day + timedelta(hours=h, seconds=rng.randint(0, 3599))
                who = rng.choice([ALICE, BOB])
                src, name = rng.choice([("ec2.amazonaws.com", "RunInstances"),
                                        ("ec2.amazonaws.com", "CreateTags"),
                                        ("iam.amazonaws.com", "CreateUser"),
                                        ("s3.amazonaws.com", "PutBucketPolicy")])
                out.append(record(rng, t, src, name, who, rng.choice([CONSOLE, CLI]), False))
            for _ in range(rng.randint(5, 15) if busy else rng.randint(0, 3)):
                t = day + timedelta(hours=h, seconds=rng.randint(0, 3599))
                err = "AccessDenied" if rng.random() < 0.03 else None
                out.append(record(rng, t, "ec2.amazonaws.com", "DescribeInstances",
                                  rng.choice([ALICE, BOB, JOB]), CLI, True, err))
    return out


def iam_burst(rng, day):
    out = []
    t0 = START + timedelta(days=day, hours=2, minutes=13)
    for i in range(7):
        for name, n in (("CreateUser", 6), ("CreateAccessKey", 6), ("AttachUserPolicy", 9)):
            for _ in range(n):
                t = t0 + timedelta(minutes=i, seconds=rng.randint(0, 59))
                out.append(record(rng, t, "iam.amazonaws.com", name, INTRUDER, CLI, False))
    return out


def limit_hit(rng, day):
    out = []
    t0 = START + timedelta(days=day, hours=14, minutes=30)
    for i in range(5):
        for k in range(30):
            t = t0 + timedelta(minutes=i, seconds=rng.randint(0, 59))
            err = "Client.InstanceLimitExceeded" if k >= 4 else None
            out.append(record(rng, t, "ec2.amazonaws.com", "RunInstances", INTRUDER, SDK, False, err))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario", choices=["iam-burst", "limit-hit", "early-burst", "steady",
                                         "job-gap"])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--days", type=int, default=10)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    recs = background(rng, a.days)
    if a.scenario == "iam-burst":
        recs += iam_burst(rng, 9)
    elif a.scenario == "early-burst":
        recs += iam_burst(rng, 3)
    elif a.scenario == "limit-hit":
        recs += limit_hit(rng, 9)
    elif a.scenario == "job-gap":
        lo = (START + timedelta(days=9, hours=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
        hi = (START + timedelta(days=9, hours=13)).strftime("%Y-%m-%dT%H:%M:%SZ")
        recs = [r for r in recs if not (r["eventName"] == "PutParameter"
                                        and lo <= r["eventTime"] < hi)]
    recs.sort(key=lambda r: (r["eventTime"], r["eventID"]))
    with open(a.out, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
        for r in recs:
            f.write((json.dumps(r, separators=(",", ":")) + "\n").encode())


if __name__ == "__main__":
    main()
