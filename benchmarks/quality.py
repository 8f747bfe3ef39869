#!/usr/bin/env python3
"""Detection-quality benchmark: ctinsights against a naive 7-day mean + 3 sd detector.

    quality.py [--seeds 10] [--first-seed 1] [--engine build/ctinsights] [--config FILE]
               [--workdir /tmp/ctq] [--days 28] [--start 2026-09-07] [--jobs 2]
               [--no-delivered] [--tail]

For each seed (two at a time by default, one per core):
  1. benchmarks/gen_scenario.py --out WORKDIR/seed-N --seed N --days D --start S
     (skipped when WORKDIR/seed-N already holds a scenario generated with the same
     seed, days, start and generator sources);
  2. ENGINE score --quiet --no-progress [--config FILE] WORKDIR/seed-N/AWSLogs
     > WORKDIR/seed-N/engine.ndjson (one whole process, timed);
  3. benchmarks/naive_baseline.py WORKDIR/seed-N > WORKDIR/seed-N/naive.ndjson
     (skipped when up to date with the scenario and the baseline's sources);
  4. benchmarks/score_quality.py's scoring of both -> WORKDIR/seed-N/score-{engine,naive}.json;
  5. unless --no-delivered, the same scenario as CloudTrail delivers it (benchmarks/gen_delivery.py
     --generator scenario -> WORKDIR/seed-N/delivered, regenerated only when stale) scored by
     ENGINE score -> engine-delivered.ndjson, score-delivered.json; with --tail also
     followed by tail (score --state over the first 10 days, feed_delivery.py the rest in
     delivery order) -> tail-all.ndjson, score-tail.json.

Prints markdown: a table per seed, the catches per incident kind, the median
over seeds for both detectors, the targets with PASS/FAIL, where the numbers
came from, the timings, and the engine's false positives.  Exits 0 whatever the
numbers (it measures); 2 on bad usage.  Python standard library only.
"""

import argparse
import concurrent.futures
import hashlib
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import score_quality  # noqa: E402

KINDS = ("iam-burst", "provisioning-limit", "throttling-storm", "deletion-spree", "rate-rise",
         "access-denied-storm", "missed-daily-job", "periodic-silence")
GAP_KINDS = score_quality.GAP_KINDS
TARGET_RECALL = 0.95
TARGET_FP = 1.0
TARGET_RATIO = 20.0
TARGET_BURST = 2.0
TARGET_GAP = 60.0
HISTORY_DAYS = 10   # as delivered, --tail: the warm start (incidents come after day 10)
TAIL_CONFIG = ("# quality.py --tail: save every second; files found by a scan need no settling (they are\n"
               "# renamed in whole, and time runs far faster than the wall clock)\n"
               "tail:\n  checkpoint_seconds: 1\nsources:\n  dir_settle_ms: 0\n")


def file_hash(*paths):
    h = hashlib.sha256()
    for p in paths:
        with open(p, "rb") as f:
            h.update(f.read())
    return h.hexdigest()[:16]


def run(cmd, stdout_path, stderr_path):
    t0 = time.monotonic()
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        rc = subprocess.call(cmd, stdout=out, stderr=err)
    return rc, time.monotonic() - t0


def tail(path, n=8):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


def gen_fingerprint():
    sys.path.insert(0, HERE)
    import gen_scenario
    return gen_scenario.sources_fingerprint()


def one_seed(seed, a, fingerprint):
    d = os.path.join(a.workdir, "seed-%d" % seed)
    res = {"seed": seed, "dir": d, "times": {}, "errors": []}
    os.makedirs(d, exist_ok=True)
    want = {"seed": seed, "days": a.days, "start": a.start, "fingerprint": fingerprint}
    meta_path = os.path.join(d, "gen_scenario.meta")
    try:
        with open(meta_path) as f:
            meta = json.load(f)
        fresh = all(meta.get(k) == v for k, v in want.items()) and os.path.exists(os.path.join(d, "labels.json"))
    except (OSError, ValueError):
        fresh = False
    if fresh:
        res["times"]["generate"] = None
    else:
        cmd = [sys.executable, os.path.join(HERE, "gen_scenario.py"), "--out", d, "--seed", str(seed),
               "--days", str(a.days), "--start", a.start, "--force"]
        rc, dt = run(cmd, os.devnull, os.path.join(d, "generate.err"))
        res["times"]["generate"] = dt
        if rc != 0:
            res["errors"].append("generate exited %d: %s" % (rc, tail(os.path.join(d, "generate.err"))))
            return res
    with open(os.path.join(d, "labels.json")) as f:
        labels = json.load(f)
    with open(meta_path) as f:
        res["records"] = json.load(f).get("records")

    # engine: always rerun, it is what is measured
    cmd = [a.engine, "score", "--quiet", "--no-progress"] + (["--config", a.config] if a.config else []) + \
        [os.path.join(d, "AWSLogs")]
    eng_out = os.path.join(d, "engine.ndjson")
    rc, dt = run(cmd, eng_out, os.path.join(d, "engine.err"))
    res["times"]["engine"] = dt
    engine_ok = rc == 0
    if not engine_ok:
        res["errors"].append("engine exited %d: %s" % (rc, tail(os.path.join(d, "engine.err"))))

    # naive baseline: rerun when the scenario or its code changed
    naive_out = os.path.join(d, "naive.ndjson")
    stamp_path = os.path.join(d, "naive.stamp")
    stamp = "%s %s" % (file_hash(os.path.join(HERE, "naive_baseline.py"),
                                 os.path.join(ROOT, "tests", "tools", "count_keys.py")),
                       file_hash(meta_path))
    try:
        with open(stamp_path) as f:
            naive_fresh = f.read().strip() == stamp and os.path.exists(naive_out)
    except OSError:
        naive_fresh = False
    naive_ok = True
    if naive_fresh:
        res["times"]["naive"] = None
    else:
        rc, dt = run([sys.executable, os.path.join(HERE, "naive_baseline.py"), d], naive_out,
                     os.path.join(d, "naive.err"))
        res["times"]["naive"] = dt
        naive_ok = rc == 0
        if not naive_ok:
            res["errors"].append("naive baseline exited %d: %s" % (rc, tail(os.path.join(d, "naive.err"))))
        else:
            with open(stamp_path, "w") as f:
                f.write(stamp + "\n")

    t0 = time.monotonic()
    for name, path, good in (("engine", eng_out, engine_ok), ("naive", naive_out, naive_ok)):
        score_into(res, name, path if good else None, labels, d)
    res["times"]["score"] = time.monotonic() - t0
    if a.delivered:
        delivered_step(seed, a, d, labels, res)
    return res


def score_into(res, name, path, labels, d):
    """res[name] = the scoring of the Insights in path (None: the run failed, reported under Errors)."""
    res[name] = None
    if path is None:
        return
    try:
        dets, _bad = score_quality.read_detections(path)
        sc = score_quality.score(labels, dets)
    except (OSError, ValueError) as e:
        res["errors"].append("scoring %s: %s" % (name, e))
        return
    res[name] = sc
    with open(os.path.join(d, "score-%s.json" % name), "w") as f:
        f.write(json.dumps(sc, indent=1) + "\n")


def delivery_fingerprint():
    h = hashlib.sha256()
    for name in ("ctgen.py", "gen_scenario.py", "gen_delivery.py"):
        with open(os.path.join(HERE, name), "rb") as f:
            h.update(f.read())
    return h.hexdigest()[:16]


def delivered_step(seed, a, d, labels, res):
    """The scenario as CloudTrail delivers it (gen_delivery.py): score over its files, and with
    --tail, score --state over the first HISTORY_DAYS days then tail fed the rest in delivery order."""
    dd = os.path.join(d, "delivered")
    stamp_path = os.path.join(d, "delivered.stamp")
    stamp = "%s %d %d %s %d" % (delivery_fingerprint(), seed, a.days, a.start, HISTORY_DAYS)
    try:
        with open(stamp_path) as f:
            fresh = f.read().strip() == stamp and os.path.exists(os.path.join(dd, "manifest.tsv"))
    except OSError:
        fresh = False
    if fresh:
        res["times"]["deliver"] = None
    else:
        cmd = [sys.executable, os.path.join(HERE, "gen_delivery.py"), "--generator", "scenario", "--out", dd,
               "--seed", str(seed), "--days", str(a.days), "--start", a.start, "--history-days", str(HISTORY_DAYS),
               "--force"]
        os.makedirs(dd, exist_ok=True)
        rc, dt = run(cmd, os.devnull, os.path.join(d, "deliver.err"))
        res["times"]["deliver"] = dt
        if rc != 0:
            res["errors"].append("gen_delivery exited %d: %s" % (rc, tail(os.path.join(d, "deliver.err"))))
            return
        with open(stamp_path, "w") as f:
            f.write(stamp + "\n")
    cfg = ["--config", a.config] if a.config else []
    parts = [os.path.join(dd, "history"), os.path.join(dd, "live")]
    out = os.path.join(d, "engine-delivered.ndjson")
    rc, dt = run([a.engine, "score", "--quiet", "--no-progress"] + cfg + parts, out,
                 os.path.join(d, "engine-delivered.err"))
    res["times"]["engine delivered"] = dt
    if rc != 0:
        res["errors"].append("engine (as delivered) exited %d: %s" % (rc, tail(os.path.join(d, "engine-delivered.err"))))
    score_into(res, "delivered", out if rc == 0 else None, labels, d)
    if a.tail:
        tail_step(a, d, dd, labels, res)


def tail_step(a, d, dd, labels, res):
    """Warm start (score --state over the history), then tail fed the live part in delivery order."""
    state, hist, out = (os.path.join(d, n) for n in ("tail.db", "tail-history.ndjson", "tail.ndjson"))
    for p in (state, state + "-wal", state + "-shm", out):
        if os.path.exists(p):
            os.remove(p)
    watched = os.path.join(d, "tail-watched")
    shutil.rmtree(watched, ignore_errors=True)
    shutil.rmtree(state + ".spool", ignore_errors=True)
    if a.config:
        cfg, settle = a.config, "2.5"  # the config's settling is kept: the feeder waits for it
    else:
        cfg, settle = os.path.join(d, "tail.yaml"), "0"
        with open(cfg, "w") as f:
            f.write(TAIL_CONFIG)
    t0 = time.monotonic()
    rc, _dt = run([a.engine, "score", "--quiet", "--no-progress", "--config", cfg, "--state", state,
                   os.path.join(dd, "history")], hist, os.path.join(d, "tail-history.err"))
    if rc == 0:
        rc, _dt = run([sys.executable, os.path.join(HERE, "feed_delivery.py"), "--from", dd, "--to", watched,
                       "--tick", "300", "--pause", "0", "--settle", settle, "--tail", a.engine, "--state", state,
                       "--output", out, "--config", cfg, "--log", os.path.join(d, "tail.log")],
                      os.devnull, os.path.join(d, "tail-feed.err"))
    res["times"]["tail"] = time.monotonic() - t0
    if rc != 0:
        res["errors"].append("tail (as delivered) failed (%d): %s" % (rc, tail(os.path.join(d, "tail-feed.err"))))
        score_into(res, "tail", None, labels, d)
        return
    both = os.path.join(d, "tail-all.ndjson")
    with open(both, "w") as f:
        for p in (hist, out):
            with open(p) as g:
                f.write(g.read())
    score_into(res, "tail", both, labels, d)
    shutil.rmtree(watched, ignore_errors=True)


# ------------------------------------------------------------------ formatting

def pct(v):
    return "–" if v is None else "%.0f%%" % (100 * v) if abs(100 * v - round(100 * v)) < 0.05 else "%.1f%%" % (100 * v)


def num(v, digits=2):
    if v is None:
        return "–"
    if v == float("inf"):
        return "∞"
    return ("%%.%df" % digits) % v


def mins(v):
    return "–" if v is None else ("%.0f min" % v if abs(v - round(v)) < 0.05 else "%.1f min" % v)


def secs(v):
    return "reused" if v is None else "%.1f s" % v


def fps_text(n):
    return "%d false positive%s" % (n, "" if n == 1 else "s")


def median(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def summarise(results, name):
    scs = [r[name] for r in results if r.get(name)]
    if not scs:
        return None
    out = {"seeds": len(scs),
           "recall": median([s["recall"] for s in scs]),
           "fpPerScopeWeek": median([s["fpPerScopeWeek"] for s in scs]),
           "precision": median([s["precision"] for s in scs]),
           "burstDelay": median([s["medianBurstDelayMinutes"] for s in scs]),
           "gapDelay": median([s["medianGapDelayMinutes"] for s in scs]),
           "worstBurstDelay": max([s["maxBurstDelayMinutes"] for s in scs if s["maxBurstDelayMinutes"] is not None],
                                  default=None),
           "worstGapDelay": max([s["maxGapDelayMinutes"] for s in scs if s["maxGapDelayMinutes"] is not None],
                                default=None),
           "falsePositives": sum(s["falsePositives"] for s in scs),
           "scopeWeeks": sum(s["scopeWeeks"] for s in scs),
           "kinds": {}}
    for k in KINDS:
        vals = [s["recallByKind"][k] for s in scs if k in s["recallByKind"]]
        out["kinds"][k] = (sum(vals), len(vals))
    return out


def main(argv):
    ap = argparse.ArgumentParser(description="Detection-quality benchmark (see benchmarks/README.md).")
    ap.add_argument("--seeds", type=int, default=10, help="number of seeds (default 10)")
    ap.add_argument("--first-seed", type=int, default=1, help="first seed (default 1)")
    ap.add_argument("--engine", default=os.path.join("build", "ctinsights"), help="ctinsights binary")
    ap.add_argument("--config", help="engine configuration file (--config)")
    ap.add_argument("--workdir", default="/tmp/ctq", help="scenarios and outputs (default /tmp/ctq)")
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--start", default="2026-09-07")
    ap.add_argument("--jobs", type=int, default=2, help="seeds run at once (default 2)")
    ap.add_argument("--list-fp", type=int, default=40, metavar="N", help="engine false positives to list")
    ap.add_argument("--no-delivered", dest="delivered", action="store_false",
                    help="skip the scenario as CloudTrail delivers it (gen_delivery.py)")
    ap.add_argument("--tail", action="store_true",
                    help="also follow the delivered scenario with tail (warm start over %d days)" % HISTORY_DAYS)
    a = ap.parse_args(argv)
    if a.seeds < 1 or a.jobs < 1:
        ap.error("--seeds and --jobs must be >= 1")
    if a.tail and not a.delivered:
        ap.error("--tail needs the delivered scenario (drop --no-delivered)")
    if not (os.path.isfile(a.engine) and os.access(a.engine, os.X_OK)):
        print("quality: %s is not an executable (build it first: make)" % a.engine, file=sys.stderr)
        return 2
    if a.config and not os.path.isfile(a.config):
        print("quality: %s: no such config file" % a.config, file=sys.stderr)
        return 2
    a.engine = os.path.abspath(a.engine)
    a.config = os.path.abspath(a.config) if a.config else None
    os.makedirs(a.workdir, exist_ok=True)
    seeds = list(range(a.first_seed, a.first_seed + a.seeds))
    fingerprint = gen_fingerprint()
    t_begin = time.monotonic()
    print("quality: %d seeds (%d-%d), %d at a time, in %s" % (len(seeds), seeds[0], seeds[-1], a.jobs, a.workdir),
          file=sys.stderr)
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as ex:
        futs = {ex.submit(one_seed, s, a, fingerprint): s for s in seeds}
        for fut in concurrent.futures.as_completed(futs):
            r = fut.result()
            results.append(r)
            e, n = r.get("engine"), r.get("naive")
            print("quality: seed %d done (%s)%s" % (
                r["seed"], ", ".join("%s %s" % (k, secs(v)) for k, v in r["times"].items()),
                "; engine recall %s, %d FP; naive recall %s, %d FP" % (
                    pct(e["recall"]), e["falsePositives"], pct(n["recall"]), n["falsePositives"])
                if e and n else ""), file=sys.stderr)
            for err in r["errors"]:
                print("quality: seed %d: %s" % (r["seed"], err.rstrip()), file=sys.stderr)
    results.sort(key=lambda r: r["seed"])
    wall = time.monotonic() - t_begin
    report(results, a, seeds, wall)
    return 0


def engine_version(engine):
    try:
        p = subprocess.run([engine, "--version"], capture_output=True, text=True, timeout=10)
        return (p.stdout or p.stderr).strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "unknown"


def git_state():
    try:
        head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return head + (" + uncommitted changes" if dirty else "") if head else "not a git checkout"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def report(results, a, seeds, wall):
    w = sys.stdout.write
    ok = [r for r in results if r.get("engine") and r.get("naive")]
    w("## Detection quality: ctinsights vs naive 7-day mean + 3 sd\n\n")

    extra = [(n, l) for n, l in (("delivered", "ctinsights, as delivered"), ("tail", "tail, as delivered"))
             if any(n in r for r in results)]
    w("### Per seed\n\n")
    w("| seed | detector | recall | caught | FP | FP / scope-week | precision | median burst delay | "
      "median gap delay |\n|---|---|---|---|---|---|---|---|---|\n")
    for r in results:
        for name, label in [("engine", "ctinsights"), ("naive", "naive")] + extra:
            s = r.get(name)
            if not s:
                w("| %d | %s | error | | | | | | |\n" % (r["seed"], label))
                continue
            w("| %d | %s | %s | %d/%d | %d | %s | %s | %s | %s |\n" % (
                r["seed"], label, pct(s["recall"]), s["caught"], s["incidents"], s["falsePositives"],
                num(s["fpPerScopeWeek"]), pct(s["precision"]), mins(s["medianBurstDelayMinutes"]),
                mins(s["medianGapDelayMinutes"])))

    w("\n### Per incident kind (delay from incident start to decision; ✗ = missed)\n\n")
    w("| kind | " + " | ".join("seed %d ctinsights / naive" % r["seed"] for r in ok) + " |\n")
    w("|---|" + "---|" * len(ok) + "\n")
    for k in KINDS:
        cells = []
        for r in ok:
            pair = []
            for name in ("engine", "naive"):
                p = next((p for p in r[name]["perIncident"] if p["kind"] == k), None)
                pair.append("–" if p is None else ("✗" if not p["caught"] else mins(p["delayMinutes"])))
            cells.append(" / ".join(pair))
        w("| %s | %s |\n" % (k, " | ".join(cells)))

    E, N = summarise(results, "engine"), summarise(results, "naive")
    cols = [E, N] + [summarise(results, n) for n, _l in extra]
    w("\n### Median over %d seeds\n\n" % len(ok))
    w("| | ctinsights | naive 7d+3sd |%s\n|---|---|---|%s\n" % ("".join(" %s |" % l for _n, l in extra),
                                                             "---|" * len(extra)))
    if E and N:
        def row(label, f):
            w("| %s | %s |\n" % (label, " | ".join(f(c) if c else "–" for c in cols)))
        row("recall (all kinds)", lambda c: pct(c["recall"]))
        for k in KINDS:
            row("— %s%s (seeds caught)" % (k, " (gap)" if k in GAP_KINDS else ""),
                lambda c, k=k: "%d/%d" % c["kinds"][k])
        row("false positives per scope-week", lambda c: num(c["fpPerScopeWeek"]))
        row("false positives, all seeds", lambda c: "%d" % c["falsePositives"])
        row("precision", lambda c: pct(c["precision"]))
        row("median burst delay (worst)", lambda c: "%s (%s)" % (mins(c["burstDelay"]), mins(c["worstBurstDelay"])))
        row("median gap delay (worst)", lambda c: "%s (%s)" % (mins(c["gapDelay"]), mins(c["worstGapDelay"])))
        ratio = (N["falsePositives"] / E["falsePositives"]) if E["falsePositives"] else float("inf")
        w("| naive FP / ctinsights FP (all seeds pooled) | %s× | |%s\n" % (num(ratio, 1), " |" * len(extra)))

        checks = [
            ("recall ≥ 95%% (median, gap kinds included): %s" % pct(E["recall"]),
             E["recall"] is not None and E["recall"] >= TARGET_RECALL),
            ("≤ 1 FP per scope-week: %s" % num(E["fpPerScopeWeek"]),
             E["fpPerScopeWeek"] is not None and E["fpPerScopeWeek"] <= TARGET_FP),
            ("≥ 20× fewer FPs than naive at equal or better recall: %s×, recall %s vs %s"
             % (num(ratio, 1), pct(E["recall"]), pct(N["recall"])),
             ratio >= TARGET_RATIO and E["recall"] is not None and N["recall"] is not None
             and E["recall"] >= N["recall"]),
            ("bursts within 2 min (median): %s" % mins(E["burstDelay"]),
             E["burstDelay"] is not None and E["burstDelay"] <= TARGET_BURST),
            ("gaps within 60 min (median): %s" % mins(E["gapDelay"]),
             E["gapDelay"] is not None and E["gapDelay"] <= TARGET_GAP),
        ]
        met = sum(1 for _t, good in checks if good)
        w("\n**Targets: %s** (%d of %d met) — %s\n" % (
            "PASS" if met == len(checks) else "FAIL", met, len(checks),
            "; ".join("%s %s" % ("✓" if good else "✗", text) for text, good in checks)))
        for (_n, label), c in zip(extra, cols[2:]):
            if not c:
                continue
            same = (c["recall"], c["falsePositives"]) == (E["recall"], E["falsePositives"])
            w("\n**%s:** %s — recall %s, %s (%s per scope-week), median gap delay %s; "
              "the generator's own layout: recall %s, %s\n" % (
                  label[0].upper() + label[1:], "as the generator's layout" if same else "DIFFERS from the generator's layout",
                  pct(c["recall"]), fps_text(c["falsePositives"]), num(c["fpPerScopeWeek"]), mins(c["gapDelay"]),
                  pct(E["recall"]), fps_text(E["falsePositives"])))
    else:
        w("| (no seed scored for both detectors) | | |\n")

    w("\n### Where the numbers come from\n\n")
    w("- seeds %s; %d days from %s (7 warm-up days); 3 accounts × 2 regions = 6 scopes per seed\n"
      % (", ".join(map(str, seeds)), a.days, a.start))
    w("- scenario: `python3 benchmarks/gen_scenario.py --out %s/seed-N --seed N --days %d --start %s`\n"
      % (a.workdir, a.days, a.start))
    w("- engine: `%s score --quiet --no-progress%s %s/seed-N/AWSLogs > engine.ndjson` (%s; repo %s)\n"
      % (a.engine, " --config %s" % shlex.quote(a.config) if a.config else "", a.workdir,
         engine_version(a.engine), git_state()))
    w("- naive: `python3 benchmarks/naive_baseline.py %s/seed-N > naive.ndjson`\n" % a.workdir)
    if a.delivered:
        w("- as delivered: `python3 benchmarks/gen_delivery.py --generator scenario --out %s/seed-N/delivered --seed N "
          "--days %d --start %s --history-days %d`, then `ENGINE score ... delivered/history delivered/live > "
          "engine-delivered.ndjson`\n" % (a.workdir, a.days, a.start, HISTORY_DAYS))
    if a.tail:
        w("- tail as delivered: `ENGINE score --state tail.db delivered/history`, then `benchmarks/feed_delivery.py "
          "--from delivered --tick 300 --tail ENGINE --state tail.db` (the live %d days in delivery order); "
          "scored: both outputs together\n" % (a.days - HISTORY_DAYS))
    w("- scored by benchmarks/score_quality.py (per-seed details: `%s/seed-N/score-{engine,naive}.json`)\n"
      % a.workdir)
    w("- run: `python3 benchmarks/quality.py %s` on %s, %.0f s wall\n" % (
        " ".join(shlex.quote(x) for x in sys.argv[1:]), time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), wall))

    steps = ["generate", "engine", "naive", "score"] + (["deliver", "engine delivered"] if a.delivered else []) + \
        (["tail"] if a.tail else [])
    w("\n### Timings per seed\n\n| seed | records | %s |\n|---|---|%s\n" % (" | ".join(steps), "---|" * len(steps)))
    for r in results:
        t = r["times"]
        w("| %d | %s | %s |\n" % (r["seed"], r.get("records", "–"),
                                  " | ".join(secs(t.get(k)) if k in t else "–" for k in steps)))

    fps = [(r["seed"], fp) for r in ok for fp in r["engine"]["falsePositiveList"]]
    w("\n### ctinsights false positives (%d)\n\n" % len(fps))
    if fps:
        by = {}
        for _s, fp in fps:
            by[fp["benign"]] = by.get(fp["benign"], 0) + 1
        w("By benign pattern: %s\n\n" % ", ".join("%s %d" % kv for kv in sorted(by.items(), key=lambda kv: -kv[1])))
        w("| seed | time | account | region | type | key | direction | falls on |\n|---|---|---|---|---|---|---|---|\n")
        for seed, fp in fps[:a.list_fp]:
            w("| %d | %s | %s | %s | %s | %s %s%s | %s | %s |\n" % (
                seed, fp["eventTime"], fp["account"], fp["region"],
                "call" if fp["insightType"] == "ApiCallRateInsight" else "error",
                fp["eventSource"].split(".")[0], fp["eventName"], ":" + fp["errorCode"] if fp["errorCode"] else "",
                fp["direction"] or "–", fp["benign"]))
        if len(fps) > a.list_fp:
            w("\n(%d more in `%s/seed-N/score-engine.json`)\n" % (len(fps) - a.list_fp, a.workdir))
    errs = [(r["seed"], e) for r in results for e in r["errors"]]
    if errs:
        w("\n### Errors\n\n")
        for seed, e in errs:
            w("- seed %d: %s\n" % (seed, e.strip().replace("\n", " / ")))
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
