#!/usr/bin/env python3
"""LookupEvents input against plain NDJSON of the same records.

    lookup_perf.py [--records 300000] [--runs 3] [--workdir /tmp/ctlookup]
                   [--engine build/ctinsights]

`aws cloudtrail lookup-events` is the export a user without a trail has: pages
of up to 50 Events, newest first, each record a JSON *string* in
CloudTrailEvent.  This generates N realistic records once (gen_bulk.py, time
order), writes them as the shapes users hand over (tests/tools/reorder.py's
LookupEvents entries):

  ndjson           one record per line, time order (the reference)
  ndjson-reversed  the same, newest first (`tac`)
  pages            a folder of pages as the CLI writes them (indent 4),
                   page 1 the newest
  page-lines       the same pages, one compact page per line of one file
  entry-lines      one Events[] entry per line (`jq -c '.Events[]'`)

and times, whole process, median of --runs, `ctinsights score` on each
(all cores), with peak RSS, the Insights it printed and its counts (all shapes must agree),
and, as a peer on the same pages, jq extracting the records
(`jq -c '.Events[].CloudTrailEvent | fromjson'`).  Prints a markdown table
with each shape's time over the NDJSON time.  Everything printed is
measured in this run.  Needs python3 and jq.
"""

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "tools"))
import reorder  # noqa: E402  (LookupEvents entries and pages, one definition)
sys.path.insert(0, HERE)
import perf  # noqa: E402  (timing with /usr/bin/time, one definition)


def generate(workdir, n):
    d = os.path.join(workdir, "r%d" % n)
    done = os.path.join(d, "done")
    if os.path.exists(done):
        return d
    shutil.rmtree(d, ignore_errors=True)
    subprocess.run([sys.executable, os.path.join(HERE, "gen_bulk.py"), "--out", d,
                    "--records", str(n), "--format", "ndjson"], check=True,
                   stdout=subprocess.DEVNULL)
    src = os.path.join(d, "ndjson", "events.ndjson")
    with open(src, encoding="utf-8") as f:
        lines = [line for line in f if line.strip()]
    with open(os.path.join(d, "reversed.ndjson"), "w", encoding="utf-8") as f:
        f.writelines(reversed(lines))
    newest_first = [json.loads(line) for line in reversed(lines)]
    pages = reorder.lookup_pages(newest_first)
    os.makedirs(os.path.join(d, "pages"))
    for i, page in enumerate(pages, 1):
        with open(os.path.join(d, "pages", "page-%06d.json" % i), "w", encoding="utf-8") as f:
            json.dump(page, f, indent=4)
    with open(os.path.join(d, "page-lines.ndjson"), "w", encoding="utf-8") as f:
        for page in pages:
            f.write(json.dumps(page, separators=(",", ":")) + "\n")
    with open(os.path.join(d, "entry-lines.ndjson"), "w", encoding="utf-8") as f:
        for page in pages:
            for e in page["Events"]:
                f.write(json.dumps(e, separators=(",", ":")) + "\n")
    open(done, "w").close()
    return d


def size(path):
    if os.path.isdir(path):
        return sum(os.path.getsize(p) for p in glob.glob(os.path.join(path, "*")))
    return os.path.getsize(path)


def timed(cmd, runs):
    """Median wall seconds, peak RSS (MB), and what the last run printed that
    must agree across shapes: the Insights and the summary's counts."""
    wall, rss, p = perf.run_timed(cmd, runs, stdout=subprocess.PIPE, prog="lookup_perf")
    out = p.stdout + "".join(line + "\n" for line in p.stderr.splitlines()
                             if " records: " in line or " keys, " in line)
    return wall, rss, out


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=300000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workdir", default="/tmp/ctlookup")
    ap.add_argument("--engine", default=os.path.join(HERE, "..", "build", "ctinsights"))
    a = ap.parse_args(argv)
    if not shutil.which("jq"):
        sys.exit("lookup_perf: needs jq (apt-get install -y jq)")
    d = generate(a.workdir, a.records)
    shapes = [
        ("ndjson", os.path.join(d, "ndjson", "events.ndjson")),
        ("ndjson-reversed", os.path.join(d, "reversed.ndjson")),
        ("pages", os.path.join(d, "pages")),
        ("page-lines", os.path.join(d, "page-lines.ndjson")),
        ("entry-lines", os.path.join(d, "entry-lines.ndjson")),
    ]
    subprocess.run("find %s -type f -exec cat {} + > /dev/null" % d, shell=True, check=True)
    rows, outputs = [], {}
    for name, path in shapes:
        wall, rss, out = timed([a.engine, "score", path], a.runs)
        outputs[name] = out
        rows.append((name, path, wall, rss))
    base = rows[0][2]
    jq = "jq -c '.Events[].CloudTrailEvent | fromjson' %s/*.json > /dev/null" % shapes[2][1]
    jq_wall, jq_rss, _ = timed(jq, a.runs)
    insights = {k: sum(1 for line in v.splitlines() if line.startswith("{"))
                for k, v in outputs.items()}
    same = all(v == outputs["ndjson"] for v in outputs.values())
    print("%d records (gen_bulk.py realistic), median of %d runs, %d cores\n"
          % (a.records, a.runs, os.cpu_count()))
    print("| input | MB | ctinsights score s | records/s | peak RSS MB | × NDJSON | Insights |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, path, wall, rss in rows:
        print("| %s | %.0f | %.2f | %.0f | %.0f | %.2f | %d |"
              % (name, size(path) / 1e6, wall, a.records / wall, rss, wall / base, insights[name]))
    print("| jq on the pages (peer: records out, no scoring) | %.0f | %.2f | %.0f | %.0f | %.2f | |"
          % (size(shapes[2][1]) / 1e6, jq_wall, a.records / jq_wall, jq_rss, jq_wall / base))
    print("\nall shapes give the same Insights and counts: %s" % ("yes" if same else "NO"))
    print("".join("    " + line + "\n" for line in outputs["ndjson"].splitlines()
                  if not line.startswith("{")))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
