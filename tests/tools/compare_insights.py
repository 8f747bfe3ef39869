#!/usr/bin/env python3
"""Compare the Insight records tail wrote with those score wrote, up to what tail has decided.

    compare_insights.py --cutoff ISO_TIME --want SCORE.ndjson --got FILE... [--label TEXT]

A `dir:` source never ends, so tail never decides the last minutes the way
score does at the end of its data.  Compared are, on both sides:
  * Start records decided before the cutoff (additionalEventData.decidedAt,
    else eventTime + 1 minute);
  * End records whose eventTime is more than 60 minutes before the cutoff
    (an End is decided end_after_minutes after the Insight's last elevated
    minute, which the record does not carry: 60 minutes is the margin).
The callers put the cutoff 60 minutes before the newest event delivered,
well past any lateness and a gap's grace (at most 30 minutes).
The records must be the same, byte for byte, after sorting (the GOT files
together: the warm start's own output and tail's).  Prints what differs:
the counts (records, Starts, maintenance-gap Starts) on each side, then the
records only one side has, and for a record both have with other contents,
the fields that differ.  A line starting "FAIL:" for each check that
fails: the records, and the number of maintenance-gap Starts.  Exit 0 when
the records are equal, 1 when not.
"""

import argparse
import json
import sys
from datetime import datetime, timedelta, timezone

END_MARGIN = timedelta(minutes=60)


def t_of(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def compared(line, cutoff):
    r = json.loads(line)
    state = r["insightDetails"]["state"]
    if state == "Start":
        dec = (r.get("additionalEventData") or {}).get("decidedAt")
        return (t_of(dec) if dec else t_of(r["eventTime"]) + timedelta(minutes=1)) < cutoff
    return t_of(r["eventTime"]) < cutoff - END_MARGIN


def load(paths, cutoff):
    lines = []
    for p in paths:
        with open(p) as f:
            lines += [l.rstrip("\n") for l in f if l.strip()]
    return sorted(l for l in lines if compared(l, cutoff))


def ident(line):
    r = json.loads(line)
    d = r["insightDetails"]
    return (r["eventTime"], d["state"], r["recipientAccountId"], r["awsRegion"], d["eventSource"], d["eventName"],
            d["insightType"], (r.get("additionalEventData") or {}).get("category"))


def counts(lines):
    starts = [json.loads(l) for l in lines if '"state":"Start"' in l]
    gaps = sum(1 for r in starts if (r.get("additionalEventData") or {}).get("category") == "maintenance-gap")
    return len(lines), len(starts), gaps


def flat(o, p=""):
    if isinstance(o, dict):
        for k, v in o.items():
            yield from flat(v, p + "." + k)
    elif isinstance(o, list):
        for i, v in enumerate(o):
            yield from flat(v, "%s[%d]" % (p, i))
    else:
        yield p, o


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--cutoff", required=True, help="ISO time: compare what is decided before it")
    ap.add_argument("--want", required=True)
    ap.add_argument("--got", required=True, nargs="+")
    ap.add_argument("--label", default="tail", help="what GOT is")
    ap.add_argument("--want-label", default="score", help="what WANT is")
    ap.add_argument("--show", type=int, default=12, help="differing records to list")
    a = ap.parse_args(argv)
    cutoff = t_of(a.cutoff)
    want, got = load([a.want], cutoff), load(a.got, cutoff)
    cw, cg = counts(want), counts(got)
    print("%s: %d records, %d Starts, %d maintenance-gap Starts; %s: %d records, %d Starts, %d maintenance-gap "
          "Starts (decided before %s)" % ((a.label,) + cg + (a.want_label,) + cw + (a.cutoff,)))
    if cg[2] != cw[2]:
        print("FAIL: %s: %d maintenance-gap Starts, %s: %d" % (a.label, cg[2], a.want_label, cw[2]))
    if want == got:
        return 0
    by_w, by_g = {}, {}
    for l in want:
        by_w.setdefault(ident(l), []).append(l)
    for l in got:
        by_g.setdefault(ident(l), []).append(l)
    only_w = sorted(k for k in by_w if k not in by_g)
    only_g = sorted(k for k in by_g if k not in by_w)
    both = sorted(k for k in by_w if k in by_g and by_w[k] != by_g[k])
    print("FAIL: %s's Insights differ from %s's: %d records only in %s, %d only in %s, %d in both with other "
          "contents" % (a.label, a.want_label, len(only_w), a.want_label, len(only_g), a.label, len(both)))
    for name, keys in (("only in " + a.want_label, only_w), ("only in " + a.label, only_g)):
        for k in keys[:a.show]:
            print("  %s: %s %-5s %s %s %s %s %s %s" % ((name,) + k))
        if len(keys) > a.show:
            print("  %s: ... %d more" % (name, len(keys) - a.show))
    for k in both[:a.show]:
        fw, fg = dict(flat(json.loads(by_w[k][0]))), dict(flat(json.loads(by_g[k][0])))
        diff = ["%s %s %s %s %s" % (f, a.want_label, fw.get(f), a.label, fg.get(f)) for f in sorted(set(fw) | set(fg))
                if fw.get(f) != fg.get(f)]
        print("  differs: %s %-5s %s %s %s %s %s %s: %s%s" % (k + ("; ".join(diff[:4]), " ..." if len(diff) > 4 else "")))
    if len(both) > a.show:
        print("  differs: ... %d more" % (len(both) - a.show))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
