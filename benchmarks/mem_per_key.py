#!/usr/bin/env python3
"""Memory per key: peak RSS of ctinsights score against the number of keys.

    mem_per_key.py [--keys 100000,300000,1000000] [--events 3] [--workdir /tmp/ctmem]
                   [--engine build/ctinsights]

For each key count K it writes, once, an NDJSON file of management write
calls in time order over two days: K distinct call-rate keys (100
accounts, K/100 API names), each called --events times at random minutes.
It then runs `ctinsights score` on it (all cores, /usr/bin/time -v) and
prints the keys the engine reports, the peak RSS, and a least-squares line
RSS = fixed + bytes_per_key * keys over all the sizes, with the marginal
cost between consecutive sizes.  Records are small, so what grows is the
engine's per-key state, not the read path (the default sizes all give files
large enough to be read in pieces, so the read path's share is the same in
each).  Everything printed is measured
in this run.
"""

import argparse
import datetime
import json
import os
import random
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from perf import timed  # noqa: E402

ACCOUNTS = 100
START = datetime.datetime(2026, 3, 2, tzinfo=datetime.timezone.utc)
MINUTES = 2 * 1440


def record(minute, acct, name, n):
    t = START + datetime.timedelta(minutes=minute, seconds=n % 60)
    return json.dumps({
        "eventVersion": "1.09", "eventTime": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": "ec2.amazonaws.com", "eventName": name, "awsRegion": "us-east-1",
        "userIdentity": {"type": "AssumedRole", "accountId": acct},
        "sourceIPAddress": "10.0.0.1", "userAgent": "bench",
        "eventID": "%032x" % n, "readOnly": False, "eventType": "AwsApiCall",
        "managementEvent": True, "recipientAccountId": acct,
        "eventCategory": "Management"}, separators=(",", ":"))


def generate(workdir, keys, events, seed):
    path = os.path.join(workdir, "keys-%d-x%d.ndjson" % (keys, events))
    if os.path.exists(path):
        return path
    rng = random.Random(seed)
    calls = []
    for k in range(keys):
        acct, name = "%012d" % (100000000000 + k % ACCOUNTS), "Create%07dThing" % (k // ACCOUNTS)
        calls.extend((rng.randrange(MINUTES), acct, name) for _ in range(events))
    calls.sort()
    with open(path + ".tmp", "w") as f:
        for n, (m, acct, name) in enumerate(calls):
            f.write(record(m, acct, name, n) + "\n")
    os.rename(path + ".tmp", path)
    return path


def engine_keys(engine, path):
    p = subprocess.run([engine, "score", "--no-progress", path], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True, check=True)
    m = re.search(r"(\d+) keys", p.stderr)
    return int(m.group(1)) if m else 0


def fit(points):
    n = len(points)
    mx = sum(k for k, _ in points) / n
    my = sum(r for _, r in points) / n
    sxx = sum((k - mx) ** 2 for k, _ in points)
    slope = sum((k - mx) * (r - my) for k, r in points) / sxx if sxx else 0.0
    return my - slope * mx, slope


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--keys", default="100000,300000,1000000")
    ap.add_argument("--events", type=int, default=3)
    ap.add_argument("--workdir", default="/tmp/ctmem")
    ap.add_argument("--engine", default=os.path.join(HERE, "..", "build", "ctinsights"))
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args(argv)
    engine = os.path.abspath(a.engine)
    if not os.access(engine, os.X_OK):
        sys.exit("mem_per_key: %s is not built (make)" % engine)
    os.makedirs(a.workdir, exist_ok=True)
    rows = []
    for k in [int(x) for x in a.keys.split(",")]:
        path = generate(a.workdir, k, a.events, seed=k)
        got = engine_keys(engine, path)
        secs, rss = timed([engine, "score", "--quiet", "--no-progress", path], a.runs)
        rows.append((k, got, os.path.getsize(path), secs, rss))
        print("mem_per_key: %d keys done" % k, file=sys.stderr)
    fixed, slope = fit([(got, rss * 1048576) for _, got, _, _, rss in rows])
    print("| keys generated | keys the engine reports | NDJSON MB | seconds | peak RSS MB | bytes per key since the row above |")
    print("|---|---|---|---|---|---|")
    prev = None
    for k, got, size, secs, rss in rows:
        marg = "–" if prev is None else "%.0f" % ((rss - prev[1]) * 1048576 / (got - prev[0]))
        print("| %d | %d | %.0f | %.2f | %.1f | %s |" % (k, got, size / 1e6, secs, rss, marg))
        prev = (got, rss)
    print("\nLeast squares over these sizes: peak RSS = %.1f MB + %.0f bytes per key."
          % (fixed / 1048576, slope))


if __name__ == "__main__":
    main(sys.argv[1:])
