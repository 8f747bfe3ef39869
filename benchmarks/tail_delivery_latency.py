#!/usr/bin/env python3
"""How long after a burst's first minute `ctinsights tail` writes its Start, when the files
arrive as CloudTrail delivers them to S3.

    tail_delivery_latency.py [--engine build/ctinsights] [--bursts 20] [--history-days 8]
                             [--seed 42] [--calls 40] [--workdir DIR] [--config FILE]

  1. gen_org.py's organisation, 1 account x 2 regions, history-days + 1 days;
     on the last day, every 60 minutes (from 00:37, alternating regions) a
     burst: --calls calls of an ec2 API new to the account (a key of its
     own, so no earlier burst is its baseline) within one minute M;
  2. laid out as delivered (gen_delivery.py's model: a file per
     account/region about every 5 minutes, lags mean ~4.4 min, up to 15;
     no duplicates);
  3. score --state over the history (a warm start), then
     tail --state --output OUT dir:WATCHED http://127.0.0.1:PORT;
  4. the live day's files are put into WATCHED one by one in delivery
     order (time compressed); after each, the feeder waits until the
     daemon has read it (ctinsights_records_total on /metrics) and has
     written every Start it decided (ctinsights_insights_total), so each
     Start is attributed to the file whose reading brought it out.

A sample is, per burst, the delivery time of that file minus the start of
minute M, in event-time minutes: how long after the burst's first minute
the Start comes out, given the drawn lags and the engine's watermark
(a minute is decided once events newer by the account/region's learned
lateness have come in: tail.min_lateness_minutes to
tail.max_lateness_minutes); and the wall time from putting that file in
place to the Start line in OUT.  Prints the samples' median, p90 and max as markdown.
Python 3 standard library only.
"""
import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import types
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import feed_delivery  # noqa: E402
import gen_delivery  # noqa: E402
import gen_org  # noqa: E402
from ctgen import DAY  # noqa: E402

TOKEN = "tail-delivery-latency-token-0123456789"
TAIL_CONFIG = "tail:\n  checkpoint_seconds: 1\nsources:\n  dir_settle_ms: 0\n"


def generate(work, a):
    """The tree (history and live parts) and the bursts [(name, region, minute start)]."""
    org = gen_org.Org(gen_org.parse_args(["--out", work, "--seed", str(a.seed), "--days", str(a.history_days + 1),
                                          "--accounts", "1", "--regions", "us-east-1,eu-west-1"]))
    da = types.SimpleNamespace(history_days=a.history_days, max_lag=900, dup_records=0.0, dup_files=0.0,
                               ndjson=False)
    w = gen_delivery.DeliveryWriter(org, work, da)
    bursts = []
    for d in range(org.days):
        recs = org.records(d)
        if d == a.history_days:
            day0 = org.start + d * DAY
            for i in range(a.bursts):
                m = day0 + 37 * 60 + i * 3600
                region = org.regions[i % len(org.regions)]
                name = "LatencyProbe%02d" % i
                p = org.people[0]["humans"][0]
                for k in range(a.calls):
                    recs.append(org.record(m + (k * 59) // a.calls, 0, region, p, "ec2", name, False, error=()))
                bursts.append((name, region, m))
        w.add(recs)
        w.flush(before=org.start + (d + 1) * DAY)
    w.flush()
    w.close()
    return bursts, w.lag_stats()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def metrics(port):
    req = urllib.request.Request("http://127.0.0.1:%d/metrics" % port, headers={"Authorization": "Bearer " + TOKEN})
    with urllib.request.urlopen(req, timeout=5) as r:
        out = {}
        for line in r.read().decode().splitlines():
            if line and not line.startswith("#"):
                k, _sp, v = line.rpartition(" ")
                out[k] = float(v)
        return out


def starts(path):
    try:
        with open(path) as f:
            return [json.loads(l) for l in f if '"state":"Start"' in l]
    except FileNotFoundError:
        return []


def wait_for(cond, timeout, what):
    t_end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > t_end:
            sys.exit("tail_delivery_latency: timed out waiting for %s" % what)
        time.sleep(0.001)


def pct(vals, p):
    vals = sorted(vals)
    return vals[min(len(vals) - 1, int(round(p * (len(vals) - 1))))]


def main(argv):
    ap = argparse.ArgumentParser(description="Start delay of tail on files delivered as CloudTrail delivers them.")
    ap.add_argument("--engine", default="build/ctinsights")
    ap.add_argument("--bursts", type=int, default=20)
    ap.add_argument("--calls", type=int, default=40, help="calls per burst, all in one minute (40)")
    ap.add_argument("--history-days", type=int, default=8)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--config", help="engine configuration (default: checkpoint every second, no settling)")
    ap.add_argument("--workdir")
    a = ap.parse_args(argv)
    if not 1 <= a.bursts <= 23 or a.calls < 5:
        ap.error("--bursts must be 1..23 (one an hour on the live day) and --calls >= 5")
    engine = os.path.abspath(a.engine)
    work = a.workdir or tempfile.mkdtemp(prefix="ctdlat-")
    for n in ("history", "live", "watched", "manifest.tsv", "out.ndjson", "state.db", "state.db-wal",
              "state.db-shm", "state.db.spool", "tail.log"):
        p = os.path.join(work, n)
        if os.path.isdir(p):
            shutil.rmtree(p)
        elif os.path.exists(p):
            os.remove(p)
    os.makedirs(work, exist_ok=True)
    cfg = a.config
    if not cfg:
        cfg = os.path.join(work, "tail.yaml")
        with open(cfg, "w") as f:
            f.write(TAIL_CONFIG)
    bursts, lag = generate(work, a)
    state, out, watched = (os.path.join(work, n) for n in ("state.db", "out.ndjson", "watched"))
    subprocess.run([engine, "score", "--quiet", "--config", cfg, "--state", state, os.path.join(work, "history")],
                   check=True, stdout=subprocess.DEVNULL)
    os.makedirs(watched)
    port = free_port()
    env = dict(os.environ, CTINSIGHTS_HTTP_TOKEN=TOKEN)
    daemon = feed_delivery.Daemon(engine, state, out, ["dir:" + watched, "http://127.0.0.1:%d" % port], cfg,
                                  os.path.join(work, "tail.log"), env)
    daemon.start()
    want = {name: (region, m) for name, region, m in bursts}
    samples = {}   # name -> (minutes, ms)
    try:
        def up():
            try:
                return metrics(port)
            except OSError:
                return None
        wait_for(lambda: up() is not None, 10, "the daemon's /metrics")
        m0 = metrics(port)
        records, ins0, seen = m0["ctinsights_records_total"], m0["ctinsights_insights_total"], 0
        for f in feed_delivery.read_manifest(work, "live"):
            t_put = time.monotonic()
            feed_delivery.place(work, watched, f)
            if not feed_delivery.is_read_by_engine(f[2]):
                continue
            records += f[3]
            wait_for(lambda: metrics(port)["ctinsights_records_total"] >= records, 20, "the daemon to read " + f[2])
            n = metrics(port)["ctinsights_insights_total"] - ins0
            wait_for(lambda: len(starts(out)) >= n, 20, "the Starts decided to be written")
            got = starts(out)
            for r in got[seen:]:
                name = r["insightDetails"]["eventName"]
                if name in want and name not in samples:
                    samples[name] = ((f[0] - want[name][1]) / 60, (time.monotonic() - t_put) * 1000)
            seen = len(got)
    finally:
        daemon.stop()
        late, watermark = 0, ""
        with open(os.path.join(work, "tail.log")) as f:  # the daemon's summary
            for line in f:
                m = re.match(r"ctinsights:\s+late\s+(\d+)", line)
                if m:
                    late = int(m.group(1))
                if line.startswith("ctinsights: watermark: "):
                    watermark = line[len("ctinsights: watermark: "):].strip()
        if not a.workdir:
            shutil.rmtree(work, ignore_errors=True)
    missing = sorted(set(want) - set(samples))
    mins = [s[0] for s in samples.values()]
    ms = [s[1] for s in samples.values()]
    print("Delivery lags (file time - eventTime): mean %.1f, median %.1f, p90 %.1f, p99 %.1f, max %.1f minutes; "
          "%d bursts of %d calls in one minute, %d Starts%s.\n" % (
              lag["meanMinutes"], lag["medianMinutes"], lag["p90Minutes"], lag["p99Minutes"], lag["maxMinutes"],
              len(bursts), a.calls, len(samples), (", none for " + ", ".join(missing)) if missing else ""))
    if not samples:
        return 1
    print("| Start after the burst's first minute | median | p90 | max |")
    print("|---|---|---|---|")
    print("| event time (delivery time of the file that brought it out) | %.1f min | %.1f min | %.1f min |" % (
        statistics.median(mins), pct(mins, 0.9), max(mins)))
    print("| wall clock (that file put in place → Start in the output) | %.1f ms | %.1f ms | %.1f ms |" % (
        statistics.median(ms), pct(ms, 0.9), max(ms)))
    print("\nThe daemon's summary: %d late events (counted into the baselines, not judged); watermark: %s"
          % (late, watermark or "-"))
    return 0 if not missing else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
