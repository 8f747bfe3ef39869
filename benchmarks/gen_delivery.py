#!/usr/bin/env python3
"""CloudTrail logs laid out as CloudTrail really delivers them to S3, in delivery order.

    gen_delivery.py --out DIR [--generator org|scenario] [--history-days H]
                    [--dup-records 0.001] [--dup-files 0.002] [--ndjson] [--force]
                    [generator options: --seed N --days D --start YYYY-MM-DD
                     and, for org, --accounts A --regions R1,R2 --burst]

The records come from gen_org.py (default) or gen_scenario.py, the same
records those generators write for the same options; only the delivery
differs.  The model of delivery (benchmarks/README.md, "Delivery order"):

  * per account/region, CloudTrail publishes a log file about every 5
    minutes: cut-offs 300 s +- 30 s apart from a random phase, each file
    written to S3 5-45 s after its cut-off (its delivery time), empty
    windows not written;
  * an event reaches the trail (ingest delay) after an exponential 45 s
    mean for 80% of events, log-uniform 1-12 minutes for the other 20%
    (services that log late, retries), and is in the first file cut after
    that; its lag (delivery time - eventTime) is at most --max-lag (900 s,
    the "typically within 15 minutes" AWS documents): an event that would
    be later goes in the last file delivered within it.  The lags come out
    at a mean of ~4.4 minutes ("an average of about 5 minutes"), median ~4,
    p90 ~7, p99 ~13, max 15; gen_delivery.meta holds this run's figures;
  * at least once: --dup-records of the records (0.1%) are delivered again,
    the same record (same eventID), in one of the next two files of their
    account/region still within --max-lag; --dup-files of the files (0.2%)
    are delivered a second time, whole, under another name, 10-120 s later
    (only where that keeps every record within --max-lag);
  * files are named as CloudTrail names them,
      AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_YYYYMMDDTHHMMZ_<16 alnum>.json.gz
    the folder date and stamp those of the delivery time, records shuffled
    inside a file; one CloudTrail-Digest file per account/region/day,
    delivered 5-15 minutes after the day (readers must skip it).

Output, in DIR:
  AWSLogs/...                 every file (without --history-days), or
  history/AWSLogs/...         files delivered before start + H days (a warm start: score --state)
  live/AWSLogs/...            files delivered from then on (to be fed in delivery order: feed_delivery.py)
  manifest.tsv                one line per file in delivery order:
                              deliveredAt (ISO, seconds) TAB part (all|history|live) TAB path (below DIR)
                              TAB records TAB duplicate copies (records already delivered in an earlier file)
  gen_delivery.meta           options, counts per part, the lags' distribution, the generator's meta
  labels.json                 (--generator scenario) the scenario's labels, as gen_scenario.py writes them
  events.ndjson               (--ndjson) every record once (no duplicates), in time order: the reference

Deterministic: the same options give byte-identical output; the layout's
random streams do not depend on the duplicate options, so the same records
sit in the same files with or without duplicates.  Standard library only.
"""

import argparse
import bisect
import json
import math
import os
import random
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from ctgen import DAY, clear_out, UNIQ_ALPHABET, fmt_time, write_digest_file, write_trail_file  # noqa: E402

INTERVAL = 300          # a file about every 5 minutes per account/region
INTERVAL_JITTER = 30    # +- seconds
PUBLISH = (5, 45)       # seconds from cut-off to the object in S3
FAST_SHARE = 0.8        # events reaching the trail promptly
FAST_MEAN = 45.0        # seconds, exponential
SLOW = (60.0, 720.0)    # seconds, log-uniform: the late tail
DIGEST_DELAY = (300, 900)


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def counted(line):
    """Whether a record feeds a key (a management write, or a management
    event with an errorCode): the copies the engine counts as duplicates."""
    r = json.loads(line)
    management = r.get("managementEvent") is True or r.get("eventCategory") == "Management"
    return management and (r.get("readOnly") is False or bool(r.get("errorCode")))


class Schedule:
    """One account/region's delivery files: cut-off and delivery times, increasing."""

    def __init__(self, rng, t0, t1):
        self.cut, self.deliv = [], []
        c = t0 + rng.uniform(0, INTERVAL)
        while c < t1:
            self.cut.append(c)
            self.deliv.append(c + rng.uniform(*PUBLISH))
            c += INTERVAL + rng.uniform(-INTERVAL_JITTER, INTERVAL_JITTER)

    def file_for(self, t, arrival, max_lag):
        """Index of the file holding an event of time t that reached the trail at arrival."""
        k = bisect.bisect_left(self.cut, arrival)
        if self.deliv[k] - t > max_lag:
            k = bisect.bisect_right(self.deliv, t + max_lag) - 1
        return k


class DeliveryWriter:
    """Lays (t, seq, ai, region, json) records out as delivered (see the module's text)."""

    def __init__(self, gen, out, a):
        self.gen, self.out, self.a = gen, out, a
        self.rng = random.Random("%d:delivery" % gen.seed)
        self.drng = random.Random("%d:duplicates" % gen.seed)
        self.split = gen.start + a.history_days * DAY if a.history_days else None
        t1 = gen.start + gen.days * DAY + 2 * a.max_lag + 2 * INTERVAL
        self.ri_of = {r: i for i, r in enumerate(gen.regions)}
        self.sched = {}
        for ai in range(len(gen.accounts)):
            for ri in range(len(gen.regions)):
                self.sched[(ai, ri)] = Schedule(random.Random("%d:schedule:%d:%d" % (gen.seed, ai, ri)),
                                                gen.start - INTERVAL, t1)
        self.pending = {}    # (ai, ri, k) -> [(t, json, is_copy)]
        self.manifest = []   # (deliveredAt, part, path, records, copies)
        self.lags = []
        self.dirs = set()
        self.counts = {}     # part -> {"files", "records", "duplicateCopies", "redeliveredFiles", "newestEvent"}
        self.bytes = 0
        self.records = 0
        self.nd = open(os.path.join(out, "events.ndjson"), "w", encoding="utf-8", newline="\n") if a.ndjson else None

    def part_of(self, t):
        if self.split is None:
            return "all"
        return "history" if t < self.split else "live"

    def root_of(self, part):
        return self.out if part == "all" else os.path.join(self.out, part)

    def lag(self):
        if self.rng.random() < FAST_SHARE:
            return self.rng.expovariate(1.0 / FAST_MEAN)
        return math.exp(self.rng.uniform(math.log(SLOW[0]), math.log(SLOW[1])))

    def add(self, records):
        a = self.a
        if self.nd:
            for r in sorted(records, key=lambda r: (r[0], r[1])):
                self.nd.write(r[4])
                self.nd.write("\n")
        for t, _seq, ai, region, line in records:
            ri = self.ri_of[region]
            s = self.sched[(ai, ri)]
            k = s.file_for(t, t + self.lag(), a.max_lag)
            self.pending.setdefault((ai, ri, k), []).append((t, line, False))
            self.lags.append(s.deliv[k] - t)
            self.records += 1
            if a.dup_records and self.drng.random() < a.dup_records:
                later = [j for j in (k + 1, k + 2) if j < len(s.deliv) and s.deliv[j] - t <= a.max_lag]
                if later:
                    j = later[self.drng.randrange(len(later))]
                    self.pending.setdefault((ai, ri, j), []).append((t, line, True))

    def flush(self, before=None):
        """Write the files cut before `before` (all when None): they can get no more records."""
        keys = sorted(key for key in self.pending
                      if before is None or self.sched[key[:2]].cut[key[2]] < before)
        for key in keys:
            self.write(key, self.pending.pop(key))

    def write(self, key, recs):
        ai, ri, k = key
        s = self.sched[(ai, ri)]
        frng = random.Random("%d:file:%d:%d:%d" % (self.gen.seed, ai, ri, k))
        lines = [line for _t, line, _c in recs]
        frng.shuffle(lines)
        copies = [line for _t, line, c in recs if c]
        delivered = s.deliv[k]
        self.emit(ai, ri, delivered, "".join(frng.choice(UNIQ_ALPHABET) for _ in range(16)), lines, copies,
                  max(t for t, _l, _c in recs))
        # The whole file again, under another name, a little later.
        if self.a.dup_files and self.drng.random() < self.a.dup_files:
            slack = min(t for t, _l, _c in recs) + self.a.max_lag - delivered
            if slack >= 10:
                again = delivered + self.drng.uniform(10, min(120, slack))
                self.emit(ai, ri, again, "".join(self.drng.choice(UNIQ_ALPHABET) for _ in range(16)), lines,
                          lines, max(t for t, _l, _c in recs), redelivery=True)

    def emit(self, ai, ri, delivered, uniq, lines, copies, newest, redelivery=False):
        part = self.part_of(delivered)
        path, size = write_trail_file(self.root_of(part), self.gen.accounts[ai], self.gen.regions[ri],
                                      delivered, uniq, lines, self.dirs)
        self.bytes += size
        c = self.count(part)
        c["files"] += 1
        c["records"] += len(lines)
        c["duplicateCopies"] += len(copies)
        c["countedDuplicateCopies"] += sum(1 for line in copies if counted(line))
        c["redeliveredFiles"] += 1 if redelivery else 0
        c["newestEvent"] = max(newest, c["newestEvent"] or newest)
        c["lastDelivery"] = max(delivered, c["lastDelivery"] or delivered)
        self.manifest.append((delivered, part, os.path.relpath(path, self.out), len(lines), len(copies)))

    def count(self, part):
        return self.counts.setdefault(part, {"files": 0, "records": 0, "duplicateCopies": 0,
                                             "countedDuplicateCopies": 0, "redeliveredFiles": 0,
                                             "digestFiles": 0, "newestEvent": None, "lastDelivery": None})

    def digests(self):
        g = self.gen
        for ai, acct in enumerate(g.accounts):
            for region in g.regions:
                for dd in range(g.days):
                    delivered = g.start + (dd + 1) * DAY + self.rng.uniform(*DIGEST_DELAY)
                    part = self.part_of(delivered)
                    path = write_digest_file(g, self.root_of(part), acct, region, dd)
                    self.count(part)["digestFiles"] += 1
                    self.manifest.append((delivered, part, os.path.relpath(path, self.out), 0, 0))

    def close(self):
        if self.nd:
            self.nd.close()
        self.manifest.sort(key=lambda m: (m[0], m[2]))
        with open(os.path.join(self.out, "manifest.tsv"), "w") as f:
            f.write("# deliveredAt\tpart\tpath\trecords\tduplicateCopies\n")
            for delivered, part, path, n, copies in self.manifest:
                f.write("%s\t%s\t%s\t%d\t%d\n" % (iso(delivered), part, path, n, copies))
        for c in self.counts.values():
            for k in ("newestEvent", "lastDelivery"):
                c[k] = iso(c[k]) if c[k] is not None else None

    def lag_stats(self):
        lags = sorted(self.lags)
        if not lags:
            return {}

        def q(p):
            return round(lags[min(len(lags) - 1, int(p * (len(lags) - 1)))] / 60, 2)
        return {"meanMinutes": round(statistics.mean(lags) / 60, 2), "medianMinutes": q(0.5), "p90Minutes": q(0.9),
                "p99Minutes": q(0.99), "maxMinutes": round(lags[-1] / 60, 2),
                "over5Minutes": round(sum(1 for x in lags if x > 300) / len(lags), 4),
                "over10Minutes": round(sum(1 for x in lags if x > 600) / len(lags), 4)}


def make_generator(name, rest, out):
    """The records' generator, its options parsed by its own parser (rest: its options)."""
    if name == "org":
        import gen_org
        ga = gen_org.parse_args(rest + ["--out", out])
        return gen_org.Org(ga), ga
    import gen_scenario
    ga = gen_scenario.parse_args(rest + ["--out", out])
    return gen_scenario.Scenario(ga), ga


def parse_args(argv):
    ap = argparse.ArgumentParser(
        description="Lay generated CloudTrail logs out as CloudTrail delivers them (see the module's text). "
                    "Other options go to the generator (gen_org.py or gen_scenario.py).")
    ap.add_argument("--out", required=True, help="output folder")
    ap.add_argument("--generator", choices=("org", "scenario"), default="org")
    ap.add_argument("--history-days", type=int, default=0, metavar="H",
                    help="files delivered in the first H days go to DIR/history, the rest to DIR/live")
    ap.add_argument("--max-lag", type=int, default=900, help="seconds, the latest a record is delivered (900)")
    ap.add_argument("--dup-records", type=float, default=0.001, help="share of records delivered twice (0.001)")
    ap.add_argument("--dup-files", type=float, default=0.002, help="share of files delivered twice (0.002)")
    ap.add_argument("--ndjson", action="store_true", help="also DIR/events.ndjson, every record once")
    ap.add_argument("--force", action="store_true", help="replace an earlier tree in --out")
    a, rest = ap.parse_known_args(argv)
    if a.max_lag < 2 * INTERVAL:
        ap.error("--max-lag must be at least %d s (two delivery intervals)" % (2 * INTERVAL))
    if not (0 <= a.dup_records < 1 and 0 <= a.dup_files < 1):
        ap.error("--dup-records and --dup-files are shares, 0 <= x < 1")
    if a.history_days < 0:
        ap.error("--history-days must be >= 0")
    return a, rest


def main(argv):
    a, rest = parse_args(argv)
    t_begin = time.monotonic()
    out = a.out
    names = ("AWSLogs", "history", "live", "manifest.tsv", "gen_delivery.meta", "labels.json", "events.ndjson")
    if not clear_out("gen_delivery", out, names, a.force):
        return 2
    gen, ga = make_generator(a.generator, rest, out)
    if a.history_days >= gen.days:
        print("gen_delivery: --history-days %d leaves nothing to deliver live in %d days" % (a.history_days, gen.days),
              file=sys.stderr)
        return 2
    w = DeliveryWriter(gen, out, a)
    for d in range(gen.days):
        w.add(gen.records(d))
        w.flush(before=gen.start + (d + 1) * DAY)
    w.flush()
    w.digests()
    w.close()

    meta = {"generator": "benchmarks/gen_delivery.py", "records": a.generator, "seed": gen.seed, "days": gen.days,
            "start": ga.start, "accounts": gen.accounts, "regions": gen.regions,
            "historyDays": a.history_days, "split": iso(w.split) if w.split else None,
            "maxLagSeconds": a.max_lag, "dupRecords": a.dup_records, "dupFiles": a.dup_files,
            "uniqueRecords": w.records, "jsonBytes": w.bytes, "parts": w.counts, "lag": w.lag_stats(),
            "model": {"intervalSeconds": INTERVAL, "intervalJitterSeconds": INTERVAL_JITTER,
                      "publishSeconds": list(PUBLISH), "fastShare": FAST_SHARE, "fastMeanSeconds": FAST_MEAN,
                      "slowLogUniformSeconds": list(SLOW)}}
    if a.generator == "org":
        meta["bursts"] = gen.bursts
    else:
        with open(os.path.join(out, "labels.json"), "w") as f:
            f.write(json.dumps(gen.labels(), indent=1) + "\n")
    with open(os.path.join(out, "gen_delivery.meta"), "w") as f:
        f.write(json.dumps(meta, indent=1, sort_keys=True) + "\n")
    lag = meta["lag"]
    print("gen_delivery: %d records (%.1f MB JSON) from %s, %s; lag mean %.1f, median %.1f, p90 %.1f, p99 %.1f, "
          "max %.1f min; %.1fs" % (
              w.records, w.bytes / 1e6, a.generator,
              "; ".join("%s: %d files (%d redelivered, %d digests), %d records (%d duplicate copies)" % (
                  p, c["files"], c["redeliveredFiles"], c["digestFiles"], c["records"], c["duplicateCopies"])
                  for p, c in sorted(w.counts.items())),
              lag["meanMinutes"], lag["medianMinutes"], lag["p90Minutes"], lag["p99Minutes"], lag["maxMinutes"],
              time.monotonic() - t_begin), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
