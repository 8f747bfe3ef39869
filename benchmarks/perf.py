#!/usr/bin/env python3
"""Throughput benchmark: ctinsights against DuckDB and the inflate bound.

    perf.py [--records 1000000,5000000,20000000] [--variants realistic,keys100k,keys1m]
            [--runs 3] [--workdir /tmp/ctperf] [--engine build/ctinsights]

For each size and variant it generates the data once with gen_bulk.py (an
organization trail in the S3 layout, many small .json.gz files, and the same
records as one NDJSON file; reused when already there), reads every file
once to warm the page cache, then times, whole process, median of --runs:

  - ctinsights score (all cores, and --threads 1) on the S3 tree and on
    the NDJSON file, with peak RSS (/usr/bin/time -v);
  - DuckDB (@duckdb/node-api, installed here through npm) computing the
    same per-key per-minute counts of management write and errored events;
  - igzip -dc, zcat and cat of the same bytes (the tree's gzip members
    concatenated into one file), and cat of the NDJSON.

and prints a markdown table: seconds, events/s, MB/s of JSON, peak RSS,
ctinsights' speed over DuckDB's, and the share of the inflate bound reached
(JSON bytes / (igzip -dc time / cores)).  Variants: realistic (40
accounts, 10% writes, the catalogue's API names), keys100k (100 accounts,
40% writes named from 1,000 write APIs, 2 days: 298,800 call-rate keys
at 1M records), keys1m (200 accounts, 70% writes named from 5,000 write
APIs, 2 days: 2.6 million call-rate keys at 5M records); the distinct keys
generated are printed with each table.  Everything it prints is measured in this run.  Needs: python3,
node/npm, isal, libdeflate-tools (installed with apt-get when root).
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
VARIANTS = {
    "realistic": ["--accounts", "40", "--write-share", "0.1"],
    "keys100k": ["--accounts", "100", "--write-share", "0.4", "--names", "1000", "--days", "2"],
    "keys1m": ["--accounts", "200", "--write-share", "0.7", "--names", "5000", "--days", "2"],
}

DUCKDB_JS = r"""
const { DuckDBInstance } = require('@duckdb/node-api');
const [kind, path, threads] = process.argv.slice(2);
const cols = `"eventTime" VARCHAR, "eventSource" VARCHAR, "eventName" VARCHAR, "awsRegion" VARCHAR,
  "recipientAccountId" VARCHAR, "errorCode" VARCHAR, "readOnly" BOOLEAN, "managementEvent" BOOLEAN`;
const src = kind === 's3'
  ? `(SELECT unnest(Records) AS e FROM read_json('${path}/**/*.json.gz',
       columns={Records: 'STRUCT(${cols})[]'}, maximum_object_size=1073741824))`
  : `(SELECT struct_pack(*columns(*)) AS e FROM read_json('${path}', format='newline_delimited',
       columns={${cols.replace(/"(\w+)" (\w+)/g, "$1: '$2'")}}))`;
const sql = `SELECT e.recipientAccountId, e.awsRegion, e.eventSource, e.eventName, e.errorCode,
  date_trunc('minute', CAST(e.eventTime AS TIMESTAMP)) AS minute,
  count(*) FILTER (WHERE e.readOnly = false AND e.managementEvent) AS writes,
  count(*) FILTER (WHERE e.errorCode IS NOT NULL AND e.managementEvent) AS errors
  FROM ${src} GROUP BY ALL HAVING writes > 0 OR errors > 0`;
(async () => {
  const db = await DuckDBInstance.create(':memory:', { threads: threads });
  const c = await db.connect();
  const r = await c.runAndReadAll(sql);
  console.log(r.getRows().length);
})().catch(e => { console.error(e.message); process.exit(1); });
"""


def need_tools(workdir):
    missing = [p for p, tool in (("isal", "igzip"), ("libdeflate-tools", "libdeflate-gunzip"),
                                 ("npm", "npm"), ("time", "/usr/bin/time")) if not shutil.which(tool)]
    if missing:
        if os.geteuid() != 0:
            sys.exit("perf: missing Debian packages; run: sudo apt-get install -y " + " ".join(missing))
        subprocess.run(["apt-get", "install", "-y", "-qq"] + missing, check=True,
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    duck = os.path.join(workdir, "duckdb")
    if not os.path.isdir(os.path.join(duck, "node_modules", "@duckdb", "node-api")):
        os.makedirs(duck, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--prefix", duck, "@duckdb/node-api"], check=True)
    js = os.path.join(duck, "counts.js")
    with open(js, "w") as f:
        f.write(DUCKDB_JS)
    return js


def generate(workdir, n, variant):
    d = os.path.join(workdir, "bulk-%s-%d" % (variant, n))
    if os.path.exists(os.path.join(d, "gen_bulk.json")):
        return d
    days = [] if "--days" in VARIANTS[variant] else ["--days", str(max(1, round(n / 400000)))]
    subprocess.run([sys.executable, os.path.join(HERE, "gen_bulk.py"), "--out", d, "--records", str(n)]
                   + days + VARIANTS[variant], check=True)
    gz = sorted(os.path.join(r, f) for r, _, fs in os.walk(os.path.join(d, "s3")) for f in fs)
    with open(os.path.join(d, "all.gz"), "wb") as out:  # the tree's bytes as one stream
        for p in gz:
            with open(p, "rb") as f:
                shutil.copyfileobj(f, out)
    return d


def warm(paths):
    subprocess.run("find %s -type f -exec cat {} + > /dev/null" % " ".join(paths), shell=True, check=True)


def run_timed(cmd, runs, stdout=subprocess.DEVNULL, prog="perf"):
    """Median wall seconds of cmd (a list, or a shell string), the peak RSS (MB) of its last run and
    that run (its stdout kept when stdout is subprocess.PIPE; stderr holds /usr/bin/time's report)."""
    walls, rss = [], 0.0
    for _ in range(runs):
        shell = isinstance(cmd, str)
        full = ["/usr/bin/time", "-v"] + (["sh", "-c", cmd] if shell else cmd)
        t0 = time.perf_counter()
        p = subprocess.run(full, stdout=stdout, stderr=subprocess.PIPE, text=True)
        walls.append(time.perf_counter() - t0)
        if p.returncode != 0:
            sys.exit("%s: failed (%d): %s\n%s" % (prog, p.returncode, cmd, p.stderr[-2000:]))
        for line in p.stderr.splitlines():
            if "Maximum resident set size" in line:
                rss = int(line.split()[-1]) / 1024.0
    return statistics.median(walls), rss, p


def timed(cmd, runs):
    """Median wall seconds of cmd and the peak RSS (MB) of its last run."""
    return run_timed(cmd, runs)[:2]


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", default="1000000")
    ap.add_argument("--variants", default="realistic")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workdir", default="/tmp/ctperf")
    ap.add_argument("--engine", default=os.path.join(HERE, "..", "build", "ctinsights"))
    ap.add_argument("--engine-only", action="store_true",
                    help="time only ctinsights (for the larger sizes of a scaling table)")
    ap.add_argument("--profile", action="store_true",
                    help="also profile ctinsights (perf record) and print where the time goes")
    a = ap.parse_args(argv)
    engine = os.path.abspath(a.engine)
    if not os.access(engine, os.X_OK):
        sys.exit("perf: %s is not built (make)" % engine)
    os.makedirs(a.workdir, exist_ok=True)
    a.load = "%.2f %.2f %.2f" % os.getloadavg()
    js = need_tools(a.workdir)
    cores = os.cpu_count() or 1
    rows = []
    for variant in a.variants.split(","):
        for n in (int(x) for x in a.records.split(",")):
            d = generate(a.workdir, n, variant)
            meta = json.load(open(os.path.join(d, "gen_bulk.json")))
            s3, nd, allgz = os.path.join(d, "s3"), os.path.join(d, "ndjson", "events.ndjson"), os.path.join(d, "all.gz")
            jb = meta["json_bytes"]
            m = {}
            score = [engine, "score", "--quiet", "--no-progress"]
            # Each input is read once just before its commands (the page
            # cache may not hold all of them at once).
            jobs = [
                (s3, [("ct_s3", score + [s3]), ("ct_s3_1", score + ["--threads", "1", s3]),
                      ("duck_s3", ["node", js, "s3", s3, str(cores)])]),
                (allgz, [("igzip", "igzip -dc '%s' > /dev/null" % allgz),
                         ("zcat", "zcat '%s' > /dev/null" % allgz),
                         ("cat_gz", "cat '%s' > /dev/null" % allgz)]),
                (nd, [("ct_nd", score + [nd]), ("ct_nd_1", score + ["--threads", "1", nd]),
                      ("duck_nd", ["node", js, "nd", nd, str(cores)]),
                      ("cat_nd", "cat '%s' > /dev/null" % nd)]),
            ]
            if a.engine_only:
                jobs = [(s3, jobs[0][1][:1]), (nd, jobs[2][1][:1])]
            for path, cmds in jobs:
                warm([path])
                for key, cmd in cmds:
                    m[key] = timed(cmd, a.runs)
            if a.profile:
                m["profile"] = [(what, profile(a.workdir, score + [path]))
                                for what, path in (("S3 tree", s3), ("NDJSON", nd))]
            rows.append((variant, n, meta, m))
            print("perf: %s %d done" % (variant, n), file=sys.stderr)
    report(rows, a, cores, engine)
    return 0


# Where a sample's time goes, by the source file (engine, models) or the
# library it is in; the first match wins.
PHASES = [
    ("read (kernel: open, read, map, page faults)", ("[kernel",)),
    ("inflate (libdeflate, zlib)", ("libdeflate", "libz")),
    ("scan (fastrec, frame, scan)", ("fastrec.c", "emmintrin.h", "frame.c", "scan.c")),
    ("classify and batch (record, evbatch, readfile, reader, diag)",
     ("record.c", "timefmt.c", "evbatch.c", "readfile.c", "reader.c", "diag.c", "source.c")),
    ("aggregate (stream: keys, event-time order, attributions)",
     ("stream.c", "strpool.c", "tally.c", "report.c")),
    ("models (detect, models, GSL)", ("detect.c", "model_", "libgsl", "category.c", "suppress.c",
                                      "score_run.c", "alert_batch.c")),
    ("output (insight_json, out_*, jansson)", ("insight_json.c", "out", "libjansson", "ids.c")),
    ("C library (memcpy, malloc, qsort …)", ("libc",)),
]


def profile(workdir, cmd):
    """Share of CPU samples per phase of one run of cmd, under perf record."""
    data = os.path.join(workdir, "perf.data")
    subprocess.run(["perf", "record", "-q", "-F", "4000", "-o", data, "--"] + cmd,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    rep = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children", "--sort", "dso,srcfile"],
                         capture_output=True, text=True).stdout
    shares = {}
    for line in rep.splitlines():
        parts = line.split()
        if len(parts) < 2 or not parts[0].endswith("%") or line.lstrip().startswith("#"):
            continue
        pct, rest = float(parts[0][:-1]), " ".join(parts[1:])
        phase = next((name for name, keys in PHASES if any(k in rest for k in keys)), "other")
        shares[phase] = shares.get(phase, 0.0) + pct
    return shares


def report(rows, a, cores, engine):
    git = subprocess.run(["git", "-C", HERE, "describe", "--always", "--dirty"], capture_output=True,
                         text=True).stdout.strip()
    print("Measured %s on %s (%d cores, %s), engine %s (%s); median of %d runs, each input read "
          "once just before its commands; load average before the run %s.\n"
          % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), platform.node(), cores,
             platform.processor() or platform.machine(), os.path.relpath(engine), git, a.runs,
             a.load))
    names = [("ct_s3", "ctinsights score, S3 tree"), ("ct_s3_1", "ctinsights score --threads 1, S3 tree"),
             ("duck_s3", "DuckDB, S3 tree"), ("igzip", "igzip -dc, tree bytes"),
             ("zcat", "zcat, tree bytes"), ("cat_gz", "cat, tree bytes"),
             ("ct_nd", "ctinsights score, NDJSON"), ("ct_nd_1", "ctinsights score --threads 1, NDJSON"),
             ("duck_nd", "DuckDB, NDJSON"), ("cat_nd", "cat, NDJSON")]
    for variant, n, meta, m in rows:
        jb = meta["json_bytes"]
        nd_bytes = os.path.getsize(os.path.join(a.workdir, "bulk-%s-%d" % (variant, n), "ndjson", "events.ndjson"))
        print("#### %s, %d records (%.0f MB JSON, %d S3 files, %.0f MB gzip, %d call-rate + %d error-rate keys)\n"
              % (variant, n, jb / 1e6, meta["s3_files"],
                 os.path.getsize(os.path.join(a.workdir, "bulk-%s-%d" % (variant, n), "all.gz")) / 1e6,
                 meta["call_rate_keys"], meta["error_rate_keys"]))
        print("| what | seconds | events/s | MB/s (JSON) | peak RSS MB |")
        print("|---|---|---|---|---|")
        for key, label in names:
            if key not in m:
                continue
            s, rss = m[key]
            size = nd_bytes if key.endswith("nd") or key.endswith("nd_1") else jb
            print("| %s | %.3f | %.0f | %.0f | %s |" % (label, s, n / s, size / 1e6 / s,
                                                       "%.0f" % rss if key.startswith(("ct", "duck")) else "–"))
        if "duck_s3" not in m:
            print()
            continue
        bound = m["igzip"][0] / cores
        print("\n- S3 tree: ctinsights %.2f× DuckDB's throughput, %.0f%% of the inflate bound "
              "(JSON bytes / (igzip -dc time / %d cores) = %.0f MB/s)"
              % (m["duck_s3"][0] / m["ct_s3"][0], 100 * bound / m["ct_s3"][0], cores, jb / 1e6 / bound))
        print("- NDJSON: ctinsights %.2f× DuckDB's throughput\n" % (m["duck_nd"][0] / m["ct_nd"][0]))
        for what, shares in m.get("profile", []):
            print("Where ctinsights score spends its CPU time, %s (perf record, share of samples):\n" % what)
            print("| phase | share |")
            print("|---|---|")
            for name, _ in PHASES + [("other", ())]:
                if shares.get(name):
                    print("| %s | %.1f%% |" % (name, shares[name]))
            print()
    scaling(rows)


def scaling(rows):
    """Time and peak RSS by size, per variant: does time grow linearly and
    RSS not with the records?"""
    by = {}
    for variant, n, meta, m in rows:
        by.setdefault(variant, []).append((n, meta, m))
    for variant, sizes in by.items():
        if len(sizes) < 2:
            continue
        print("#### Scaling, %s\n" % variant)
        print("| records | keys | S3 tree s | µs/record | RSS MB | NDJSON s | µs/record | RSS MB |")
        print("|---|---|---|---|---|---|---|---|")
        for n, meta, m in sorted(sizes, key=lambda x: x[0]):
            (ts, trss), (ns, nrss) = m["ct_s3"], m["ct_nd"]
            print("| %d | %d | %.2f | %.2f | %.0f | %.2f | %.2f | %.0f |"
                  % (n, meta["call_rate_keys"] + meta["error_rate_keys"], ts, ts / n * 1e6, trss,
                     ns, ns / n * 1e6, nrss))
        print()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
