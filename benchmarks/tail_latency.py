#!/usr/bin/env python3
"""How soon `ctinsights tail` writes an Insight's Start once it is decided.

A key's minute is decided when the watermark (the newest event time seen
in its account/region, minus the lateness tail has learned for it, at most
tail.max_lateness_minutes) passes it.  This
script measures the wall-clock delay from the moment the event that moves
the watermark past a burst's minute is in the followed file to the moment
the burst's Start record is in the output file: the engine's processing
delay, with the input's wake-up (inotify, else its poll timer) and the
checkpoint that precedes every write included.

  1. eight days of a quiet key (one CreateUser every two hours) are scored
     with `score --state` (a warm start);
  2. `tail --state --output OUT file:IN` follows IN;
  3. N times: a burst (40 calls of an IAM API new to the account, in one
     minute M) is appended to IN, then, after a pause, one read call at
     M + tail.max_lateness_minutes + 1 (past any lateness); the time
     from that write to the Start line appearing in OUT is one sample.

Usage: tail_latency.py [--engine build/ctinsights] [--bursts 20] [--workdir DIR]
Prints the samples' median, 95th percentile and maximum in milliseconds, as
markdown.  Python 3 standard library only.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone

ACCOUNT = "111122223333"
START = datetime(2026, 3, 2, tzinfo=timezone.utc)
MAX_LATENESS = 60  # tail.max_lateness_minutes (the default)


def record(t, name, read_only):
    return json.dumps({
        "eventVersion": "1.09", "eventTime": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": "iam.amazonaws.com" if not read_only else "ec2.amazonaws.com",
        "eventName": name, "awsRegion": "us-east-1", "recipientAccountId": ACCOUNT,
        "userIdentity": {"type": "IAMUser", "arn": f"arn:aws:iam::{ACCOUNT}:user/ops",
                         "accountId": ACCOUNT},
        "userAgent": "aws-cli/2.15.0", "readOnly": read_only, "eventType": "AwsApiCall",
        "managementEvent": True, "eventCategory": "Management"}) + "\n"


def count_starts(path):
    try:
        with open(path) as f:
            return sum(1 for line in f if '"state":"Start"' in line)
    except FileNotFoundError:
        return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--engine", default="build/ctinsights")
    ap.add_argument("--bursts", type=int, default=20)
    ap.add_argument("--workdir")
    a = ap.parse_args()
    engine = os.path.abspath(a.engine)
    work = a.workdir or tempfile.mkdtemp(prefix="ctlat-")
    os.makedirs(work, exist_ok=True)
    hist, follow, out, state = (os.path.join(work, n) for n in
                                ("hist.ndjson", "in.ndjson", "out.ndjson", "state.db"))
    for p in (out, state):
        if os.path.exists(p):
            os.remove(p)
    shutil.rmtree(state + ".spool", ignore_errors=True)
    end = START + timedelta(days=8)
    with open(hist, "w") as f:
        t = START + timedelta(minutes=37)
        while t < end:
            f.write(record(t, "CreateUser", False))
            f.write(record(t + timedelta(minutes=1), "DescribeInstances", True))
            t += timedelta(hours=2)
        f.write(record(end, "DescribeInstances", True))
    subprocess.run([engine, "score", "--quiet", "--state", state, hist], check=True,
                   stdout=subprocess.DEVNULL)
    open(follow, "w").close()
    daemon = subprocess.Popen([engine, "tail", "--quiet", "--state", state, "--output", out,
                               "file:" + follow], stderr=subprocess.DEVNULL)
    samples = []
    try:
        time.sleep(1.0)
        for i in range(a.bursts):
            m = end + timedelta(hours=3 + 3 * i)
            with open(follow, "a") as f:
                for k in range(40):  # a key of its own: an earlier burst is no baseline
                    f.write(record(m + timedelta(seconds=k), f"CreateUser{i}", False))
            time.sleep(0.5)  # read, but not yet decided
            before = count_starts(out)
            with open(follow, "a") as f:
                f.write(record(m + timedelta(minutes=MAX_LATENESS + 1), "DescribeInstances", True))
            t0 = time.monotonic()
            while count_starts(out) == before:
                if time.monotonic() - t0 > 10:
                    sys.exit(f"tail_latency: no Start within 10 s for burst {i}")
                time.sleep(0.001)
            samples.append((time.monotonic() - t0) * 1000)
    finally:
        daemon.terminate()
        daemon.wait()
        if not a.workdir:
            shutil.rmtree(work, ignore_errors=True)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]
    print("| bursts | median | p95 | max |")
    print("|---|---|---|---|")
    print(f"| {len(samples)} | {statistics.median(samples):.1f} ms | {p95:.1f} ms | "
          f"{samples[-1]:.1f} ms |")


if __name__ == "__main__":
    main()
