#!/usr/bin/env python3
"""Large, realistic CloudTrail logs for the throughput benchmark (perf.py).

    gen_bulk.py --out DIR --records N [--accounts A] [--regions R] [--days D]
                [--write-share W] [--names N] [--seed S] [--format s3|ndjson|both]

Records are those of gen_org.py / ctgen.py (~1-1.5 KB: nested
userIdentity with sessionContext, requestParameters, responseElements,
tlsDetails, background errors), made once as a few hundred templates and
then stamped with a time, an account, a region and fresh IDs, so that
millions of records take minutes, not hours.  Accounts are drawn with
Zipf-like weights (a few busy accounts, a long tail), which is what spreads
the keys: with A accounts x R regions x the write APIs of the catalogue,
distinct call-rate keys reach the hundreds of thousands or millions
with --names (write calls named from a list of N synthesized write APIs,
CreateBucket, DeleteVolume …) and a larger --write-share.

--format s3 writes an organization trail as delivered:
    DIR/s3/AWSLogs/o-<org>/<acct>/CloudTrail/<region>/YYYY/MM/DD/
        <acct>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 alnum>.json.gz
one gzip {"Records":[...]} per account x region x 5-minute window that has
records; --format ndjson writes DIR/ndjson/events.ndjson (one record per
line, the same records in time order); both is the default.
DIR/gen_bulk.json records the options and the counts (records, bytes,
files, distinct call-rate and error-rate keys).  Deterministic for a seed.
Standard library only.
"""

import argparse
import bisect
import gzip
import json
import os
import random
import sys
import time
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import gen_org  # noqa: E402
from ctgen import WINDOW, fmt_time  # noqa: E402

TEMPLATE_ACCOUNT = "111122223333"
TEMPLATE_REGION = "us-east-1"
TEMPLATE_TIME = 1790000000  # a fixed second; replaced in every record
REGIONS = ["us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2", "eu-central-1",
           "ap-northeast-1", "sa-east-1", "ca-central-1"]
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def templates(seed, count):
    """count (json text, is_write, source, name, error) from gen_org's catalogue."""
    args = types.SimpleNamespace(seed=seed, days=1, start="2026-10-01", regions=[TEMPLATE_REGION],
                                 accounts=1, burst=False)
    org = gen_org.Org(args)
    rng = random.Random("%d:templates" % seed)
    people = org.people[0]
    apis, _cum, _tot = org.human_mix[TEMPLATE_REGION]
    reads = [a for a in apis if a[2]] + list(org.monitor_mix[0])
    writes = [a for a in apis if not a[2]]
    out = []
    for i in range(count):
        svc, api, ro, _w = (writes if i % 2 else reads)[rng.randrange(len(writes if i % 2 else reads))]
        who = [people["humans"][rng.randrange(3)], people["monitor"], people["ci"], people["param"]]
        p = who[rng.randrange(len(who))]
        org.rng = rng
        _t, _s, _ai, _r, text = org.record(TEMPLATE_TIME + rng.randrange(3600), 0, TEMPLATE_REGION, p,
                                           svc, api, ro)
        rec = json.loads(text)
        # one fixed time per template, replaced by the record's own
        text = text.replace('"eventTime":"%s"' % rec["eventTime"], '"eventTime":"@TIME@"', 1)
        text = text.replace('"eventID":"%s"' % rec["eventID"], '"eventID":"@ID@"', 1)
        text = text.replace(TEMPLATE_ACCOUNT, "@ACCT@").replace(TEMPLATE_REGION, "@REGION@")
        text = text.replace('"eventName":"%s"' % rec["eventName"], '"eventName":"@NAME@"', 1)
        out.append((text, not ro, rec["eventSource"], rec["eventName"], rec.get("errorCode")))
    return out


VERBS = ["Create", "Delete", "Update", "Put", "Attach", "Detach", "Modify", "Tag", "Untag", "Start", "Stop",
         "Enable", "Disable", "Register", "Deregister", "Associate", "Disassociate", "Reset", "Restore",
         "Import", "Export", "Copy", "Authorize", "Revoke", "Replace"]
NOUNS = ["Bucket", "Instance", "Volume", "Snapshot", "Role", "Policy", "User", "Function", "Table", "Queue",
         "Topic", "Stream", "Cluster", "Service", "Task", "Alarm", "Rule", "Secret", "Key", "Parameter",
         "Image", "Subnet", "Vpc", "Route", "Gateway", "Endpoint", "Certificate", "Domain", "Record",
         "Pipeline", "Job", "Crawler", "Database", "Index", "Schema", "Trail", "Group", "Profile",
         "Template", "Stack"]


def write_names(n):
    """n distinct write API names (Verb + Noun + a variant number when more are needed)."""
    names = []
    k = 0
    while len(names) < n:
        v, rest = VERBS[k % len(VERBS)], k // len(VERBS)
        noun, variant = NOUNS[rest % len(NOUNS)], rest // len(NOUNS)
        names.append("%s%s%s" % (v, noun, "V%d" % variant if variant else ""))
        k += 1
    return names


def account_ids(seed, n):
    rng = random.Random("%d:accounts" % seed)
    ids = set()
    while len(ids) < n:
        ids.add("%012d" % rng.randrange(10 ** 11, 10 ** 12))
    return sorted(ids)


class Writers:
    def __init__(self, root, fmt, org_id, seed):
        self.root, self.fmt, self.org_id = root, fmt, org_id
        self.rng = random.Random("%d:layout" % seed)
        self.files = 0
        self.bytes = 0
        self.dirs = set()
        self.nd = None
        if fmt in ("ndjson", "both"):
            os.makedirs(os.path.join(root, "ndjson"), exist_ok=True)
            self.nd = open(os.path.join(root, "ndjson", "events.ndjson"), "w", encoding="utf-8")

    def window(self, w_start, groups):
        """groups: {(acct, region): [json]} of one 5-minute window."""
        for (acct, region) in sorted(groups):
            lines = groups[(acct, region)]
            self.bytes += sum(len(x) for x in lines) + len(lines) + 13
            if self.nd:
                for x in lines:
                    self.nd.write(x)
                    self.nd.write("\n")
            if self.fmt not in ("s3", "both"):
                continue
            g = time.gmtime(w_start + WINDOW + 60 * self.rng.randint(1, 4))
            d = os.path.join(self.root, "s3", "AWSLogs", self.org_id, acct, "CloudTrail", region,
                             "%04d" % g.tm_year, "%02d" % g.tm_mon, "%02d" % g.tm_mday)
            if d not in self.dirs:
                os.makedirs(d, exist_ok=True)
                self.dirs.add(d)
            uniq = "".join(self.rng.choice(ALNUM) for _ in range(16))
            name = "%s_CloudTrail_%s_%s_%s.json.gz" % (acct, region, time.strftime("%Y%m%dT%H%MZ", g), uniq)
            body = ('{"Records":[' + ",".join(lines) + "]}").encode()
            with open(os.path.join(d, name), "wb") as f:
                f.write(gzip.compress(body, compresslevel=6, mtime=0))
            self.files += 1

    def close(self):
        if self.nd:
            self.nd.close()


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--records", type=int, required=True)
    ap.add_argument("--accounts", type=int, default=40)
    ap.add_argument("--regions", type=int, default=4, help="how many regions (of %d)" % len(REGIONS))
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--write-share", type=float, default=0.1, help="share of write calls (0..1)")
    ap.add_argument("--names", type=int, default=0,
                    help="give write calls one of this many API names (0: the catalogue's own)")
    ap.add_argument("--templates", type=int, default=400)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--format", choices=("s3", "ndjson", "both"), default="both")
    a = ap.parse_args(argv)
    if a.records < 1 or a.accounts < 1 or not 1 <= a.regions <= len(REGIONS) or a.days < 1 \
            or not 0 <= a.write_share <= 1:
        ap.error("out-of-range option")
    t0 = time.time()
    rng = random.Random("%d:bulk" % a.seed)
    tpl = templates(a.seed, a.templates)
    names = write_names(a.names) if a.names > 0 else None
    tw = [t for t in tpl if t[1]]
    tr = [t for t in tpl if not t[1]]
    accts = account_ids(a.seed, a.accounts)
    weights = [1.0 / (i + 1) ** 0.8 for i in range(a.accounts)]
    cum = []
    s = 0.0
    for w in weights:
        s += w
        cum.append(s)
    regions = REGIONS[:a.regions]
    start = 1790985600  # 2026-10-03T00:00:00Z
    windows = a.days * 86400 // WINDOW
    org_id = "o-" + "".join(random.Random(a.seed).choice("abcdefghijklmnopqrstuvwxyz0123456789")
                            for _ in range(10))
    out = Writers(a.out, a.format, org_id, a.seed)
    call_keys, error_keys = set(), set()
    seq = 0
    for w in range(windows):
        n = a.records * (w + 1) // windows - a.records * w // windows
        w_start = start + w * WINDOW
        groups = {}
        batch = []
        for _ in range(n):
            acct = accts[bisect.bisect_right(cum, rng.random() * s)]
            region = regions[rng.randrange(len(regions))]
            t = (tw if rng.random() < a.write_share else tr)
            text, is_write, src, name, err = t[rng.randrange(len(t))]
            if is_write and names:
                name = names[rng.randrange(len(names))]
            sec = w_start + rng.randrange(WINDOW)
            seq += 1
            line = (text.replace("@TIME@", fmt_time(sec), 1)
                    .replace("@ID@", "%08x-%04x-4%03x-a%03x-%012x" % (
                        seq & 0xffffffff, rng.getrandbits(16), rng.getrandbits(12), rng.getrandbits(12),
                        rng.getrandbits(48)), 1)
                    .replace("@ACCT@", acct).replace("@REGION@", region)
                    .replace("@NAME@", name, 1))
            if is_write:
                call_keys.add((acct, region, src, name))
            if err:
                error_keys.add((acct, region, src, name, err))
            batch.append((sec, line, acct, region))
        batch.sort(key=lambda r: r[0])
        for sec, line, acct, region in batch:
            groups.setdefault((acct, region), []).append(line)
        out.window(w_start, groups)
    out.close()
    meta = {"options": vars(a), "records": a.records, "json_bytes": out.bytes, "s3_files": out.files,
            "call_rate_keys": len(call_keys), "error_rate_keys": len(error_keys),
            "seconds": round(time.time() - t0, 1)}
    with open(os.path.join(a.out, "gen_bulk.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print("gen_bulk: %d records, %.1f MB JSON, %d S3 files, %d call-rate + %d error-rate keys, %.0f s"
          % (a.records, out.bytes / 1e6, out.files, len(call_keys), len(error_keys), time.time() - t0),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
