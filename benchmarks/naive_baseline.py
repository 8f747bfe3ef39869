#!/usr/bin/env python3
"""The detector a user would write in SQL: per-key 7-day mean + 3 standard deviations.

    naive_baseline.py SCENARIO_DIR > naive.ndjson

Reads SCENARIO_DIR/AWSLogs (or SCENARIO_DIR itself when it has no AWSLogs
folder) with the parsing and key classification of tests/tools/count_keys.py
(imported, not re-written): call-rate keys (account, region, eventSource,
eventName) count management write events, error-rate keys add the errorCode and
count management events with one.

For every key, per-minute counts with missing minutes as zeros.  Minute t
alarms when

    count(t) > mean + 3 * sd   over the trailing 7 days [t - 10080, t - 1]
                               of that key (zero-filled, population sd)

and the key's account/region has at least 7 days of history (t is 10080
minutes or more after the scope's first counted minute).  Alarming minutes
separated by fewer than 5 normal minutes form one episode; each episode is
printed as one minimal Insight Start record:

    {"eventTime","recipientAccountId","awsRegion",
     "insightDetails":{"state":"Start","eventSource","eventName","insightType","errorCode"?},
     "additionalEventData":{"model":"naive-7d-3sd","direction":"increase",...}}

Zero minutes never alarm (0 > mean + 3 sd is impossible), so the rolling sums
(sum and sum of squares of the trailing 10080 minutes, updated in O(1) per
minute) only need to visit the key's non-zero minutes: a two-pointer window
over them gives exactly the zero-filled statistics.  Output is ordered by
time, then key.  Python standard library only.
"""

import json
import math
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "tools"))
import count_keys  # noqa: E402  (the independent parser/classifier of the test suite)

WINDOW = 7 * 1440      # trailing minutes of the baseline
MIN_HISTORY = 7 * 1440  # minutes of scope history before a key may alarm
SIGMAS = 3.0
MERGE_GAP = 5          # fewer than this many normal minutes between alarms: same episode
MODEL = "naive-7d-3sd"
EPOCH = count_keys.datetime.datetime(1970, 1, 1)


class MinuteCounter(count_keys.Counter):
    """count_keys.Counter, but counting per key per UTC minute."""

    def __init__(self):
        super().__init__()
        self.series = {}      # key -> {minute: count}
        self.scope_first = {}  # (account, region) -> first counted minute
        self._minute = None

    def record(self, rec):
        self._minute = None
        if isinstance(rec, dict):
            t = count_keys.parse_time(rec.get("eventTime"))
            if t is not None:
                self._minute = int((t - EPOCH).total_seconds()) // 60
        super().record(rec)

    def add(self, key):
        m = self._minute
        s = self.series.get(key)
        if s is None:
            s = self.series[key] = {}
        s[m] = s.get(m, 0) + 1
        scope = (key[1], key[2])
        f = self.scope_first.get(scope)
        if f is None or m < f:
            self.scope_first[scope] = m


def episodes(series, first):
    """Alarm episodes of one key: [(start minute, last alarming minute, peak count, mean, sd)]."""
    mins = sorted(series)
    counts = [series[m] for m in mins]
    out = []
    s = q = 0     # sum and sum of squares of the key's minutes in [t - WINDOW, t - 1]
    lo = 0        # first index inside the window
    cur = None
    for i, m in enumerate(mins):
        # the window before minute m: drop what fell out, the previous minute was added below
        while mins[lo] < m - WINDOW:
            s -= counts[lo]
            q -= counts[lo] * counts[lo]
            lo += 1
        c = counts[i]
        if m - first >= MIN_HISTORY:
            mean = s / WINDOW
            var = max(0.0, q / WINDOW - mean * mean)
            sd = math.sqrt(var)
            if c > mean + SIGMAS * sd + 1e-9:
                if cur is not None and m - cur[1] <= MERGE_GAP:
                    cur[1] = m
                    cur[2] = max(cur[2], c)
                else:
                    cur = [m, m, c, mean, sd]
                    out.append(cur)
        s += c
        q += c * c
    return out


def main(argv):
    if len(argv) != 1 or argv[0] in ("-h", "--help"):
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2 if len(argv) != 1 else 0
    t_begin = time.monotonic()
    root = argv[0]
    logs = os.path.join(root, "AWSLogs")
    path = logs if os.path.isdir(logs) else root
    if not os.path.exists(path):
        print("naive_baseline: %s: no such file or directory" % path, file=sys.stderr)
        return 2
    c = MinuteCounter()
    c.path(path)
    t_read = time.monotonic()
    found = []
    for key, series in c.series.items():
        first = c.scope_first[(key[1], key[2])]
        for start, last, peak, mean, sd in episodes(series, first):
            found.append((start, key, last, peak, mean, sd))
    found.sort(key=lambda e: (e[0], e[1][0], e[1][1], e[1][2], e[1][3], e[1][4], e[1][5] or ""))
    out = sys.stdout
    for start, key, last, peak, mean, sd in found:
        det = {"state": "Start", "eventSource": key[3], "eventName": key[4], "insightType": key[0]}
        if key[5] is not None:
            det["errorCode"] = key[5]
        rec = {"eventTime": time.strftime("%Y-%m-%dT%H:%M:00Z", time.gmtime(start * 60)),
               "recipientAccountId": key[1], "awsRegion": key[2], "insightDetails": det,
               "additionalEventData": {"model": MODEL, "direction": "increase", "firstCount": c.series[key][start],
                                       "peakCount": peak, "mean7d": round(mean, 6), "sd7d": round(sd, 6),
                                       "episodeMinutes": last - start + 1}}
        out.write(json.dumps(rec, separators=(",", ":")) + "\n")
    out.flush()
    print("naive_baseline: %d keys, %d episodes; read %.1fs, detect %.1fs"
          % (len(c.series), len(found), t_read - t_begin, time.monotonic() - t_read), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
