#!/usr/bin/env python3
"""LookupEvents inputs at the edges, for the fast-vs-jansson comparison
(tests/e2e/fastdiff.sh): the fast extractor reads a LookupEvents entry's
CloudTrailEvent string itself, so every way that string and its entry can
be escaped, damaged or odd must give what jansson gives.

    lookup_shapes.py EVENTS.ndjson OUT

From the records of EVENTS.ndjson it writes into OUT:

  pages/page-N.json    pages as the CLI writes them (indent 4), newest first
  pages-lines.ndjson   the same pages, one per line
  entries.ndjson       one entry per line, each record escaped another way:
                       ASCII-only (\\uXXXX for everything past 0x7f,
                       surrogate pairs for emoji), every character that may
                       be escaped escaped, \\/ for slashes, blanks around the
                       record, keys reordered, CloudTrailEvent first or last
  odd.ndjson           entries that must be declined or rejected: inner
                       text that is not JSON, an inner array, inner trailing
                       text, an inner raw newline inside a string, a lone
                       surrogate, \\u0000, a record nested in an entry twice,
                       CloudTrailEvent null / a number / an object, two
                       CloudTrailEvent members (string last, string first),
                       an entry that is also a page, an escaped member name,
                       a line cut in the middle of the string
  odd-pages.json       a page whose Events mix good entries and damaged ones
                       (one not an object, one truncated at the end)

Standard library only; deterministic.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reorder  # noqa: E402


def every_escape(text):
    """The JSON string literal of text with every character escaped."""
    out = []
    for ch in text:
        cp = ord(ch)
        if cp > 0xFFFF:
            cp -= 0x10000
            out.append("\\u%04x\\u%04X" % (0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF)))
        else:
            out.append("\\u%04x" % cp)
    return '"' + "".join(out) + '"'


def entry_line(entry, ct_literal, first=False):
    """An entry as one JSON line with CloudTrailEvent written as given."""
    rest = {k: v for k, v in entry.items() if k != "CloudTrailEvent"}
    body = json.dumps(rest, separators=(",", ":"))[1:-1]
    ct = '"CloudTrailEvent":' + ct_literal
    if first:
        return "{" + ct + ("," + body if body else "") + "}"
    return "{" + (body + "," if body else "") + ct + "}"


def main():
    src, out = sys.argv[1], sys.argv[2]
    recs = sorted(reorder.load(src), key=lambda r: r["eventTime"])
    os.makedirs(os.path.join(out, "pages"), exist_ok=True)
    pages = reorder.lookup_pages(recs[::-1])
    for n, page in enumerate(pages, 1):
        with open(os.path.join(out, "pages", "page-%04d.json" % n), "w") as f:
            json.dump(page, f, indent=4)
    with open(os.path.join(out, "pages-lines.ndjson"), "w") as f:
        for page in pages:
            f.write(json.dumps(page, separators=(",", ":")) + "\n")

    lines = []
    for i, r in enumerate(recs):
        r = dict(r)
        if i % 7 == 0:
            r["userAgent"] = "console \u00e9\u4e2d\U0001F600 \"quoted\" back\\slash\ttab/"
        e = reorder.lookup_event(r)
        text = json.dumps(r, separators=(",", ":"), ensure_ascii=False)
        style = i % 6
        if style == 0:
            lit = json.dumps(json.dumps(r, separators=(",", ":")))  # ASCII, \u escapes
        elif style == 1:
            lit = every_escape(text)
        elif style == 2:
            lit = json.dumps(text, ensure_ascii=False).replace("/", "\\/")
        elif style == 3:
            lit = json.dumps(" \n\t" + json.dumps(r, indent=2) + "\r\n ")
        elif style == 4:
            lit = json.dumps(json.dumps(dict(reversed(list(r.items())))))
        else:
            lit = json.dumps(text, ensure_ascii=False)
        lines.append(entry_line(e, lit, first=i % 2 == 1))
    with open(os.path.join(out, "entries.ndjson"), "w") as f:
        f.write("\n".join(lines) + "\n")

    r = recs[0]
    e = reorder.lookup_event(r)
    good = json.dumps(r, separators=(",", ":"))
    odd = [
        entry_line(e, json.dumps(good[:-1])),                        # inner truncated
        entry_line(e, json.dumps("[" + good + "]")),                 # inner array
        entry_line(e, json.dumps(good + " x")),                      # inner trailing text
        entry_line(e, json.dumps(good + good)),                      # two inner values
        entry_line(e, json.dumps(good.replace('"eventName":"', '"eventName":"a\nb'))),
        entry_line(e, '"' + json.dumps(good)[1:-1] + '\\ud800"'),   # lone high surrogate
        entry_line(e, '"' + json.dumps(good)[1:-1] + '\\udc00"'),   # lone low surrogate
        entry_line(e, '"' + json.dumps(good)[1:-1] + '\\u0000"'),   # NUL
        entry_line(e, '"' + json.dumps(good)[1:-1] + '\\x"'),       # bad escape
        entry_line(e, json.dumps(json.dumps(e))),                    # an entry in an entry
        entry_line(e, "null"),
        entry_line(e, "42"),
        entry_line(e, json.dumps(r)),                                # an object, not a string
        entry_line(e, json.dumps(good)) [:-1] + ',"CloudTrailEvent":7}',
        '{"CloudTrailEvent":7,' + entry_line(e, json.dumps(good))[1:],
        entry_line(e, json.dumps(good))[:-1] + ',"Events":[]}',
        entry_line(e, json.dumps(good))[:-1] + ',"Records":[' + good + ']}',
        entry_line(e, json.dumps(good)).replace('"EventId"', '"Event\\u0049d"'),
        entry_line(e, json.dumps(good)).replace('"CloudTrailEvent"', '"CloudTrail\\u0045vent"'),
        entry_line(e, json.dumps(good))[:len(good) // 2],            # cut mid-string
        entry_line(e, json.dumps(good)) + " trailing",
        entry_line(e, json.dumps(" " * 3 + good.replace(":", " : ") + "\t")),
        entry_line(e, json.dumps(json.dumps({"eventVersion": "1.08"}))),  # not a record
        entry_line(e, json.dumps(good.replace('"eventTime":"', '"eventTime":"x'))),
    ]
    with open(os.path.join(out, "odd.ndjson"), "w") as f:
        f.write("\n".join(odd) + "\n")
    events = [reorder.lookup_event(x) for x in recs[1:6]]
    page = json.dumps({"Events": events}, indent=2)
    mixed = page.replace("[", "[\n 17,", 1)
    with open(os.path.join(out, "odd-pages.json"), "w") as f:
        f.write(mixed[:-20])


if __name__ == "__main__":
    main()
