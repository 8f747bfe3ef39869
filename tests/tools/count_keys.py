#!/usr/bin/env python3
"""Independent per-key counter for CloudTrail Insights keys.

Written from the counting rules alone (not from the C engine), so that
`ctinsights keys PATH...` can be checked against it.

    count_keys.py PATH...

Prints NDJSON on stdout, one line per key with a non-zero count, sorted by
(insightType, account, region, eventSource, eventName, errorCode):

    {"insightType":"ApiCallRateInsight","account":"111122223333","region":"us-east-1",
     "eventSource":"ec2.amazonaws.com","eventName":"RunInstances","errorCode":null,"count":12}

Rules (summary):
  * folders are walked recursively; directories named CloudTrail-Digest,
    CloudTrail-Insight, CloudTrail-Aggregated or CloudTrail-Lake are skipped;
    files ending in .json .json.gz .jsonl .jsonl.gz .ndjson .ndjson.gz .gz are
    read; paths named explicitly are always read.  gzip is sniffed (1f 8b).
  * a file is a sequence of JSON values (one document, several concatenated,
    or NDJSON); a value that fails to parse is dropped and reading resumes at
    the next line.
  * containers: array -> each element dispatched; {"Records":[...]} -> records;
    {"Events":[...]} (LookupEvents) -> CloudTrailEvent string decoded, else the
    element; {"logEvents":[...]} (CloudWatch Logs) -> each message decoded,
    CONTROL_MESSAGE skipped; {"detail-type":..,"detail":..} -> detail;
    any other object -> record candidate.
  * a record counts only with a valid eventTime, non-empty eventSource,
    eventName, awsRegion, an account (recipientAccountId, else
    userIdentity.accountId), well-typed readOnly / managementEvent / errorCode,
    and not being an Insight record.
  * management = managementEvent is true or eventCategory == "Management".
    call-rate key +1: management and readOnly is false (exactly).
    error-rate key +1: management and errorCode is a non-empty string.
  * a counted record delivered again is counted once: records with the same
    non-empty eventID, account, region, eventTime (the text), eventSource,
    eventName, errorCode and principal (userIdentity.arn, else
    userIdentity.invokedBy) are one record.

Only the Python 3 standard library is used.
"""

import datetime
import json
import os
import re
import sys
import zlib

SKIP_DIRS = frozenset(
    ("CloudTrail-Digest", "CloudTrail-Insight", "CloudTrail-Aggregated", "CloudTrail-Lake")
)
SUFFIXES = (".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz", ".gz")

CALL = "ApiCallRateInsight"
ERROR = "ApiErrorRateInsight"

_TIME_RE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2}):([0-9]{2})"
    r"(?:\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?"
)
_WS = " \t\r\n"
# Bytes that are not UTF-8 come back from surrogateescape decoding as these.
_RAW_BYTE = re.compile("[\udc80-\udcff]")


def _reject_constant(name):
    # NaN / Infinity / -Infinity are not JSON.
    raise ValueError("non-JSON constant " + name)


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def parse_time(value):
    """UTC datetime for a valid eventTime string, else None."""
    if not isinstance(value, str):
        return None
    m = _TIME_RE.fullmatch(value)
    if not m:
        return None
    y, mo, d, h, mi, s = (int(g) for g in m.groups()[:6])
    try:
        t = datetime.datetime(y, mo, d, h, mi, s)
    except ValueError:
        return None
    tz = m.group(7)
    if tz and tz != "Z":
        oh, om = int(tz[1:3]), int(tz[4:6])
        if oh > 23 or om > 59:
            return None
        off = datetime.timedelta(hours=oh, minutes=om)
        try:
            t = t - off if tz[0] == "+" else t + off
        except OverflowError:
            return None
    return t


_BAD = object()  # marker: field present with an unusable type


def parse_bool(rec, name):
    """True/False, None when absent, _BAD for any other type or value."""
    if name not in rec:
        return None
    v = rec[name]
    if isinstance(v, bool):
        return v
    if isinstance(v, str):
        low = v.lower()
        if low == "true":
            return True
        if low == "false":
            return False
    return _BAD


def _nonempty_str(v):
    return isinstance(v, str) and v != ""


class Counter:
    def __init__(self):
        self.counts = {}
        self.seen = set()

    def add(self, key):
        self.counts[key] = self.counts.get(key, 0) + 1

    # -- records ---------------------------------------------------------
    def record(self, rec):
        if not isinstance(rec, dict):
            return
        if rec.get("eventType") == "AwsCloudTrailInsight" or rec.get("eventCategory") == "Insight":
            return
        if parse_time(rec.get("eventTime")) is None:
            return
        src, name, region = rec.get("eventSource"), rec.get("eventName"), rec.get("awsRegion")
        if not (_nonempty_str(src) and _nonempty_str(name) and _nonempty_str(region)):
            return
        account = rec.get("recipientAccountId")
        if not _nonempty_str(account):
            ui = rec.get("userIdentity")
            account = ui.get("accountId") if isinstance(ui, dict) else None
            if not _nonempty_str(account):
                return
        read_only = parse_bool(rec, "readOnly")
        mgmt_event = parse_bool(rec, "managementEvent")
        if read_only is _BAD or mgmt_event is _BAD:
            return
        err = rec.get("errorCode")
        if err is None or err == "":
            err = None
        elif not isinstance(err, str):
            return
        management = mgmt_event is True or rec.get("eventCategory") == "Management"
        if not management:
            return
        if read_only is not False and err is None:
            return
        if _nonempty_str(rec.get("eventID")):
            ui = rec.get("userIdentity")
            ui = ui if isinstance(ui, dict) else {}
            who = next((ui[k] for k in ("arn", "invokedBy") if _nonempty_str(ui.get(k))), None)
            copy = (rec["eventID"], account, region, rec["eventTime"], src, name, err, who)
            if copy in self.seen:
                return
            self.seen.add(copy)
        if read_only is False:
            self.add((CALL, account, region, src, name, None))
        if err is not None:
            self.add((ERROR, account, region, src, name, err))

    # -- containers ------------------------------------------------------
    def value(self, v, depth=0):
        if depth > 64:
            return
        if isinstance(v, list):
            for e in v:
                self.value(e, depth + 1)
            return
        if not isinstance(v, dict):
            return
        if isinstance(v.get("CloudTrailEvent"), str):  # one LookupEvents entry
            self.record(_loads(v["CloudTrailEvent"]))
            return
        recs = v.get("Records")
        if isinstance(recs, list):
            for r in recs:
                self.record(r)
            return
        events = v.get("Events")
        if isinstance(events, list):
            for e in events:
                if isinstance(e, dict) and isinstance(e.get("CloudTrailEvent"), str):
                    self.record(_loads(e["CloudTrailEvent"]))
                else:
                    self.record(e)
            return
        log_events = v.get("logEvents")
        if isinstance(log_events, list):
            if v.get("messageType") == "CONTROL_MESSAGE":
                return
            for e in log_events:
                if isinstance(e, dict) and isinstance(e.get("message"), str):
                    self.record(_loads(e["message"]))
            return
        if "detail-type" in v and "detail" in v:
            self.record(v["detail"])
            return
        self.record(v)

    # -- files -----------------------------------------------------------
    def text(self, text):
        if text.startswith("\ufeff"):
            text = text[1:]
        pos, n = 0, len(text)
        has_raw = _RAW_BYTE.search(text) is not None
        while True:
            while pos < n and text[pos] in _WS:
                pos += 1
            if pos >= n:
                return
            try:
                v, end = _DECODER.raw_decode(text, pos)
            except (ValueError, RecursionError):
                nl = text.find("\n", pos)
                if nl < 0:
                    return
                pos = nl + 1
                continue
            # A value holding bytes that are not UTF-8 is not JSON: drop it.
            if not (has_raw and _RAW_BYTE.search(text, pos, end)):
                self.value(v)
            pos = end

    def file(self, path):
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            print("count_keys: %s: %s" % (path, e.strerror), file=sys.stderr)
            return
        if data[:2] == b"\x1f\x8b":
            data = gunzip(data)
        self.text(data.decode("utf-8", "surrogateescape"))

    def path(self, path):
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
                for name in sorted(files):
                    if name.endswith(SUFFIXES):
                        self.file(os.path.join(root, name))
        elif os.path.exists(path):
            self.file(path)
        else:
            print("count_keys: %s: no such file or directory" % path, file=sys.stderr)


def _loads(s):
    try:
        return _DECODER.decode(s)
    except (ValueError, RecursionError):
        return None


def gunzip(data):
    """Decompress every gzip member; keep what decodes before any damage."""
    out = []
    while data:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            out.append(d.decompress(data))
            out.append(d.flush())
        except zlib.error:
            break
        if not d.eof:
            break
        data = d.unused_data
        if data[:2] != b"\x1f\x8b":
            break
    return b"".join(out)


def _utf8(s):
    try:
        return s.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogate from a \uD8xx escape
        return s.encode("utf-8", "surrogatepass")


def _sort_key(item):
    key = item[0]
    return tuple(
        _utf8(s) if i < 5 else (b"" if s is None else b"\x01" + _utf8(s))
        for i, s in enumerate(key)
    )


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2 if not argv else 0
    c = Counter()
    for p in argv:
        c.path(p)
    out = sys.stdout.buffer
    for key, n in sorted(c.counts.items(), key=_sort_key):
        obj = {
            "insightType": key[0],
            "account": key[1],
            "region": key[2],
            "eventSource": key[3],
            "eventName": key[4],
            "errorCode": key[5],
            "count": n,
        }
        line = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
        out.write(_utf8(line) + b"\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
