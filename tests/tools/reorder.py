#!/usr/bin/env python3
"""Write the records of an NDJSON file (plain or gzip) in the orders and
shapes CloudTrail's consumers really receive them, one folder each, for the
order-independence test:

    reorder.py EVENTS.ndjson[.gz] OUT SEED

OUT/forward/       one NDJSON file, in eventTime order
OUT/reversed/      the same, newest first (as `tac` gives it)
OUT/shuffled/      four files of different shapes (NDJSON, gzip NDJSON,
                   gzip {"Records":[...]}, a JSON array), records shuffled
OUT/file-reversed/ an S3-like tree of 5-minute delivery files, each file's
                   records newest first
OUT/lookup-pages/  LookupEvents output as `aws cloudtrail lookup-events`
                   writes it: pages of 50 Events, newest first, with
                   NextToken, one page per file (page 1 = the newest)
OUT/lookup-lines/  the same pages, one page per line of one file
OUT/duplicated/    forward, with about 2% of the records delivered again
                   (same eventID) a few records after the original, and a
                   LookupEvents page fetched twice

Only the Python 3 standard library is used.
"""

import datetime
import gzip
import json
import os
import random
import sys

PAGE = 50  # LookupEvents' largest page


def load(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def ndjson(records):
    return "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in records)


def write(path, text, compress=False):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if compress:
        with gzip.open(path, "wt", encoding="utf-8") as f:
            f.write(text)
    else:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)


def minute_of(r):
    return r["eventTime"][:16]


def lookup_event(r):
    """One Events[] entry, as LookupEvents returns it."""
    who = r.get("userIdentity") or {}
    user = who.get("userName") or (who.get("arn") or "").rsplit("/", 1)[-1] or None
    e = {
        "EventId": r.get("eventID"),
        "EventName": r.get("eventName"),
        "ReadOnly": "true" if r.get("readOnly") else "false",
        "EventTime": r.get("eventTime"),
        "EventSource": r.get("eventSource"),
        "Resources": [],
        "CloudTrailEvent": json.dumps(r, separators=(",", ":")),
    }
    if who.get("accessKeyId"):
        e["AccessKeyId"] = who["accessKeyId"]
    if user:
        e["Username"] = user
    return e


def lookup_pages(newest_first):
    pages = []
    for i in range(0, len(newest_first), PAGE):
        page = {"Events": [lookup_event(r) for r in newest_first[i:i + PAGE]]}
        if i + PAGE < len(newest_first):
            page["NextToken"] = "token-%06d" % (i // PAGE + 1)
        pages.append(page)
    return pages


def s3_files(records):
    """(path, records) per account/region and 5-minute window, as a trail
    delivers them."""
    files = {}
    for r in records:
        t = datetime.datetime.strptime(r["eventTime"][:16], "%Y-%m-%dT%H:%M")
        t = t.replace(minute=t.minute // 5 * 5) + datetime.timedelta(minutes=5)
        acct, region = r["recipientAccountId"], r["awsRegion"]
        path = "AWSLogs/%s/CloudTrail/%s/%s/%s_CloudTrail_%s_%sZ_x.json.gz" % (
            acct, region, t.strftime("%Y/%m/%d"), acct, region, t.strftime("%Y%m%dT%H%M"))
        files.setdefault(path, []).append(r)
    return sorted(files.items())


def main():
    src, out, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rng = random.Random(seed)
    recs = load(src)
    fwd = sorted(recs, key=lambda r: r["eventTime"])  # stable: same-second order kept
    write(f"{out}/forward/events.ndjson", ndjson(fwd))
    write(f"{out}/reversed/events.ndjson", ndjson(fwd[::-1]))

    mixed = fwd[:]
    rng.shuffle(mixed)
    parts = [mixed[i::4] for i in range(4)]
    write(f"{out}/shuffled/p0.ndjson", ndjson(parts[0]))
    write(f"{out}/shuffled/p1.ndjson.gz", ndjson(parts[1]), compress=True)
    write(f"{out}/shuffled/p2.json.gz", json.dumps({"Records": parts[2]}, indent=2), compress=True)
    write(f"{out}/shuffled/p3.json", json.dumps(parts[3]))

    for path, rs in s3_files(fwd):
        write(f"{out}/file-reversed/{path}", json.dumps({"Records": rs[::-1]}), compress=True)

    pages = lookup_pages(fwd[::-1])
    for n, page in enumerate(pages, 1):
        write(f"{out}/lookup-pages/page-{n:05d}.json", json.dumps(page, indent=4))
    write(f"{out}/lookup-lines/pages.ndjson",
          "".join(json.dumps(p, separators=(",", ":")) + "\n" for p in pages))

    # At-least-once delivery: some records come twice, the copy up to 30
    # records after its original; a page fetched again by a retry.
    dup = []
    for i, r in enumerate(fwd):
        dup.append((i, r))
        if rng.random() < 0.02:
            dup.append((i + rng.randint(1, 30) + 0.5, r))
    dup.sort(key=lambda x: x[0])
    write(f"{out}/duplicated/events.ndjson", ndjson(r for _, r in dup))
    again = rng.randrange(len(pages))
    write(f"{out}/duplicated/pages/page-{again + 1:05d}-retry.json", json.dumps(pages[again]))
    for n, page in enumerate(pages, 1):
        write(f"{out}/duplicated/pages/page-{n:05d}.json", json.dumps(page))


if __name__ == "__main__":
    main()
