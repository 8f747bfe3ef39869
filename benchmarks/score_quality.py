#!/usr/bin/env python3
"""Score Insights against a scenario's labels (recall, delay, false positives, precision).

    score_quality.py SCENARIO_DIR INSIGHTS.ndjson [--json] [--list-fp N]

SCENARIO_DIR holds labels.json (written by gen_scenario.py).  INSIGHTS holds
Insight records, one per line (a line may also be a {"Records":[...]} document
or an array).  Matching rules:

  * a detection is a record whose insightDetails.state is "Start";
  * it matches an incident when its (insightType, recipientAccountId, awsRegion,
    eventSource, eventName, errorCode) is one of the incident's keys, its
    eventTime lies within [incident.start - 5 min, incident.end + 60 min], and
    its additionalEventData.direction, when it has one, is the incident's
    ("increase", or "decrease" for the gap kinds): a spike on a key is not the
    detection of that key's job going missing;
  * an incident is caught when at least one detection matches it; its delay is
    the least (decision time - incident.start) over its matching detections,
    in minutes, where the decision time is additionalEventData.decidedAt if
    present, else eventTime + 1 minute;
  * a false positive is a detection after the warm-up days (eventTime >=
    start + warmup_days) that matches no incident; FP per scope-week =
    FPs / (scopes x (days - warmup_days) / 7);
  * precision = detections after the warm-up that match an incident / all
    detections after the warm-up.

Each false positive is also attributed, for information, to the first benign
pattern of labels.json it falls on (same scope, a listed key or any key when
the pattern lists none, time within [start - 5 min, end + 60 min]; periodic
jobs and steady workers by key alone), else "other".

Prints per-kind recall and delays, FP/scope-week and precision, then the first
--list-fp (default 20) false positives; --json prints the numbers as one JSON
object instead.  Python standard library only.
"""

import argparse
import calendar
import json
import re
import statistics
import sys
import time

GAP_KINDS = ("missed-daily-job", "periodic-silence")
BEFORE = 5 * 60     # seconds a detection may precede an incident's start
AFTER = 60 * 60     # seconds a detection may follow an incident's end
_TIME_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


def parse_time(s):
    """Epoch seconds of an ISO time ("…THH:MMZ", "…THH:MM:SSZ", offsets allowed), else None."""
    if not isinstance(s, str):
        return None
    m = _TIME_RE.match(s.strip())
    if not m:
        return None
    y, mo, d, h, mi = (int(m.group(i)) for i in range(1, 6))
    sec = int(m.group(6) or 0)
    t = calendar.timegm((y, mo, d, h, mi, sec, 0, 0, 0))
    tz = m.group(7)
    if tz and tz != "Z":
        tz = tz.replace(":", "")
        off = int(tz[1:3]) * 3600 + int(tz[3:5]) * 60
        t = t - off if tz[0] == "+" else t + off
    return t


def time_fmt(t):
    return time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime(t))


def key_tuple(k):
    return (k.get("insightType"), k.get("eventSource"), k.get("eventName"), k.get("errorCode") or None)


def records(v):
    """The records of one line of output: a {"Records":[...]} document, an array or one record."""
    if isinstance(v, dict) and isinstance(v.get("Records"), list):
        return v["Records"]
    if isinstance(v, list):
        return v
    return [v]


def read_detections(path):
    """Start records as dicts: t, decided, key (type, acct, region, source, name, code), raw details."""
    out = []
    bad = 0

    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                v = json.loads(line)
            except ValueError:
                bad += 1
                continue
            for r in records(v):
                if not isinstance(r, dict):
                    continue
                d = r.get("insightDetails")
                if not isinstance(d, dict) or d.get("state") != "Start":
                    continue
                t = parse_time(r.get("eventTime"))
                if t is None:
                    bad += 1
                    continue
                extra = r.get("additionalEventData") if isinstance(r.get("additionalEventData"), dict) else {}
                decided = parse_time(extra.get("decidedAt"))
                if decided is None:
                    decided = t + 60
                out.append({"t": t, "decided": decided,
                            "key": (d.get("insightType"), r.get("recipientAccountId"), r.get("awsRegion"),
                                    d.get("eventSource"), d.get("eventName"), d.get("errorCode") or None),
                            "direction": extra.get("direction"), "category": extra.get("category")})
    return out, bad


def score(labels, detections):
    start = parse_time(labels["start"] if "T" in labels["start"] else labels["start"] + "T00:00Z")
    days, warm = labels["days"], labels.get("warmup_days", 7)
    scopes = labels["scopes"]
    cutoff = start + warm * 86400
    scope_weeks = len(scopes) * (days - warm) / 7.0

    incidents = []
    for inc in labels["incidents"]:
        keys = {(k["insightType"], inc["account"], inc["region"], k["eventSource"], k["eventName"],
                 k.get("errorCode") or None) for k in inc["keys"]}
        incidents.append({"inc": inc, "keys": keys, "t0": parse_time(inc["start"]), "t1": parse_time(inc["end"]),
                          "matches": []})

    matched = set()
    for i, det in enumerate(detections):
        for x in incidents:
            if det["key"] in x["keys"] and x["t0"] - BEFORE <= det["t"] <= x["t1"] + AFTER and \
                    det["direction"] in (None, x["inc"]["direction"]):
                x["matches"].append(det)
                matched.add(i)

    after = [i for i, det in enumerate(detections) if det["t"] >= cutoff]
    fps = [detections[i] for i in after if i not in matched]
    for det in fps:
        det["benign"] = attribute(labels, det)

    per_incident = []
    for x in incidents:
        inc = x["inc"]
        delay = None
        if x["matches"]:
            delay = min(det["decided"] - x["t0"] for det in x["matches"]) / 60.0
        per_incident.append({
            "id": inc["id"], "kind": inc["kind"], "account": inc["account"], "region": inc["region"],
            "start": inc["start"], "end": inc["end"], "caught": bool(x["matches"]), "delayMinutes": delay,
            "detections": len(x["matches"]),
            "keysDetected": sorted({"%s %s%s" % (d["key"][0].replace("Api", "").replace("Insight", ""),
                                                 d["key"][4], ":" + d["key"][5] if d["key"][5] else "")
                                    for d in x["matches"]})})

    def med(vals):
        vals = [v for v in vals if v is not None]
        return statistics.median(vals) if vals else None

    burst = [p["delayMinutes"] for p in per_incident if p["kind"] not in GAP_KINDS and p["caught"]]
    gap = [p["delayMinutes"] for p in per_incident if p["kind"] in GAP_KINDS and p["caught"]]
    caught = sum(p["caught"] for p in per_incident)
    n_after = len(after)
    n_matched_after = n_after - len(fps)
    by_benign = {}
    for det in fps:
        by_benign[det["benign"]] = by_benign.get(det["benign"], 0) + 1
    return {
        "seed": labels.get("seed"), "days": days, "warmupDays": warm, "scopes": len(scopes),
        "scopeWeeks": round(scope_weeks, 4),
        "incidents": len(per_incident), "caught": caught,
        "recall": caught / len(per_incident) if per_incident else None,
        "recallByKind": {p["kind"]: (1.0 if p["caught"] else 0.0) for p in per_incident},
        "perIncident": per_incident,
        "medianBurstDelayMinutes": med(burst), "maxBurstDelayMinutes": max(burst) if burst else None,
        "medianGapDelayMinutes": med(gap), "maxGapDelayMinutes": max(gap) if gap else None,
        "detections": len(detections), "detectionsAfterWarmup": n_after,
        "matchedDetections": n_matched_after, "falsePositives": len(fps),
        "fpPerScopeWeek": len(fps) / scope_weeks if scope_weeks else None,
        "precision": n_matched_after / n_after if n_after else None,
        "falsePositivesByBenign": dict(sorted(by_benign.items())),
        "falsePositiveList": [{"eventTime": time_fmt(d["t"]), "insightType": d["key"][0], "account": d["key"][1],
                               "region": d["key"][2], "eventSource": d["key"][3], "eventName": d["key"][4],
                               "errorCode": d["key"][5], "direction": d["direction"], "category": d["category"],
                               "benign": d["benign"]} for d in fps],
    }


def attribute(labels, det):
    """Kind of the first benign pattern a detection falls on, else "other"."""
    typ, acct, region, src, name, code = det["key"]
    for b in labels.get("benign", []):
        keys = b.get("keys")
        if b.get("account") != acct or b.get("region") != region or keys is None:
            continue  # other scope, or informational only (business hours)
        if keys and not any(key_tuple(k) == (typ, src, name, code) for k in keys):
            continue
        if "start" in b:
            if not parse_time(b["start"]) - BEFORE <= det["t"] <= parse_time(b["end"]) + AFTER:
                continue
        elif not keys:
            continue
        return b["kind"] + (":" + b["job"] if "job" in b else "")
    return "other"


def fmt_delay(v):
    return "-" if v is None else ("%.0f" % v if abs(v - round(v)) < 0.05 else "%.1f" % v)


def report(res, out, list_fp):
    w = out.write
    w("seed %s: %d/%d incidents caught (recall %.0f%%), %d false positives = %.2f per scope-week "
      "(%d scopes x %d days after %d warm-up), precision %s\n"
      % (res["seed"], res["caught"], res["incidents"], 100 * (res["recall"] or 0), res["falsePositives"],
         res["fpPerScopeWeek"] or 0, res["scopes"], res["days"] - res["warmupDays"], res["warmupDays"],
         "-" if res["precision"] is None else "%.1f%%" % (100 * res["precision"])))
    w("  median delay: bursts %s min, gaps %s min (decision time - incident start)\n"
      % (fmt_delay(res["medianBurstDelayMinutes"]), fmt_delay(res["medianGapDelayMinutes"])))
    w("  %-5s %-20s %-13s %-15s %-17s %-7s %-9s %s\n" % ("id", "kind", "account", "region", "start", "caught",
                                                         "delay", "keys detected"))
    for p in res["perIncident"]:
        w("  %-5s %-20s %-13s %-15s %-17s %-7s %-9s %s\n" % (
            p["id"], p["kind"], p["account"], p["region"], p["start"][:16] + "Z", "yes" if p["caught"] else "NO",
            fmt_delay(p["delayMinutes"]), ", ".join(p["keysDetected"])))
    if res["falsePositives"]:
        w("  false positives by benign pattern: %s\n"
          % ", ".join("%s %d" % kv for kv in res["falsePositivesByBenign"].items()))
        for fp in res["falsePositiveList"][:list_fp]:
            w("    FP %s %s %s %s %s %s%s  [%s]\n" % (
                fp["eventTime"], fp["account"], fp["region"], fp["insightType"], fp["eventSource"], fp["eventName"],
                ":" + fp["errorCode"] if fp["errorCode"] else "", fp["benign"]))
        if len(res["falsePositiveList"]) > list_fp:
            w("    ... %d more\n" % (len(res["falsePositiveList"]) - list_fp))


def main(argv):
    ap = argparse.ArgumentParser(description="Score Insights against a scenario's labels.")
    ap.add_argument("scenario", help="scenario folder (holds labels.json)")
    ap.add_argument("insights", help="Insight records, NDJSON")
    ap.add_argument("--json", action="store_true", help="print the numbers as JSON")
    ap.add_argument("--list-fp", type=int, default=20, metavar="N", help="false positives to list (default 20)")
    a = ap.parse_args(argv)
    try:
        with open(a.scenario.rstrip("/") + "/labels.json", encoding="utf-8") as f:
            labels = json.load(f)
        detections, bad = read_detections(a.insights)
    except (OSError, ValueError) as e:
        print("score_quality: %s" % e, file=sys.stderr)
        return 2
    if bad:
        print("score_quality: %s: %d lines or records could not be read" % (a.insights, bad), file=sys.stderr)
    res = score(labels, detections)
    if a.json:
        sys.stdout.write(json.dumps(res, indent=1) + "\n")
    else:
        report(res, sys.stdout, a.list_fp)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
