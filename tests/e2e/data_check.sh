#!/bin/sh
# Data check: the engine must read every file of the shared real-data folder
# without crashing, and its per-key counts must agree with the independent
# counter tests/tools/count_keys.py — on the shared data and on freshly
# generated organisation logs (S3 layout and NDJSON).
#
#   sh tests/e2e/data_check.sh BUILD/ctinsights
#
# The shared data folder is ${CTI_SHARED_DATA:-<repo>/../shared/data} (the repo
# is cloned next to a shared/ folder). Exit 0 when everything agrees, 1 on a
# crash, a disagreement or a missing data folder, 2 on usage errors.
set -eu

. "$(dirname "$0")/../lib/engine_arg.sh"
bin=$(engine_arg data-check "sh tests/e2e/data_check.sh BUILD/ctinsights" "$@") || exit 2

here=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$here/.." && pwd)
data=${CTI_SHARED_DATA:-$here/../../shared/data}
if [ ! -d "$data" ]; then
    echo "data-check: FAIL: shared data folder not found: $data" >&2
    echo "data-check: the repo must be cloned next to shared/ (or set CTI_SHARED_DATA to the data folder)" >&2
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/data-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT HUP INT TERM

failed=0
total=0

# Canonical form of a keys NDJSON stream: each line re-serialised with a fixed
# member order, so that spacing / escaping differences do not count; the line
# order is kept (both sides must sort the same way).
canon() {
    python3 -c '
import json, sys
fields = ("insightType", "account", "region", "eventSource", "eventName", "errorCode", "count")
for n, line in enumerate(open(sys.argv[1], encoding="utf-8", errors="surrogateescape"), 1):
    if not line.strip():
        continue
    try:
        d = json.loads(line)
        print(json.dumps([d.get(f) for f in fields], ensure_ascii=True))
    except ValueError:
        print("UNPARSABLE line %d: %s" % (n, line.rstrip()[:200]))
' "$1"
}

# compare LABEL PATH: engine `keys` vs count_keys.py over PATH.
compare() {
    label=$1
    path=$2
    rc=0
    "$bin" keys "$path" > "$tmp/engine.keys" 2> "$tmp/engine.err" || rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "data-check: FAIL: $label: '$bin keys $path' exited with status $rc" >&2
        tail -n 20 "$tmp/engine.err" >&2
        failed=1
        return 0
    fi
    python3 "$root/tests/tools/count_keys.py" "$path" > "$tmp/python.keys"
    canon "$tmp/engine.keys" > "$tmp/engine.canon"
    canon "$tmp/python.keys" > "$tmp/python.canon"
    n=$(wc -l < "$tmp/python.canon" | tr -d ' ')
    if cmp -s "$tmp/engine.canon" "$tmp/python.canon"; then
        echo "data-check: $label: $n keys agree"
        total=$((total + n))
    else
        echo "data-check: FAIL: $label: 'ctinsights keys' and count_keys.py disagree" \
             "(- engine, + count_keys.py; [insightType, account, region, eventSource, eventName, errorCode, count]):" >&2
        diff -u "$tmp/engine.canon" "$tmp/python.canon" | sed -n '3,60p' >&2 || true
        failed=1
    fi
}

# (a) score the shared data: must not crash.
rc=0
"$bin" score "$data" > "$tmp/score.out" 2> "$tmp/score.err" || rc=$?
if [ "$rc" -ne 0 ]; then
    echo "data-check: FAIL: '$bin score $data' exited with status $rc" >&2
    tail -n 20 "$tmp/score.err" >&2
    failed=1
else
    bad=$(python3 -c '
import json, sys
bad = 0
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    if line.strip():
        try:
            json.loads(line)
        except ValueError:
            bad += 1
print(bad)
' "$tmp/score.out")
    if [ "$bad" -ne 0 ]; then
        echo "data-check: FAIL: 'score' printed $bad stdout lines that are not JSON" >&2
        failed=1
    else
        echo "data-check: score over $data: ok ($(grep -c . "$tmp/score.out" || true) output lines)"
    fi
fi

# (b) per-key counts agree with the independent counter.
compare "shared data" "$data"

python3 "$root/benchmarks/gen_org.py" --out "$tmp/org-s3" --days 3 --seed 7 2> "$tmp/gen.err" ||
    { cat "$tmp/gen.err" >&2; exit 1; }
compare "gen_org --days 3 --seed 7 (S3 layout)" "$tmp/org-s3"
python3 "$root/benchmarks/gen_org.py" --out "$tmp/org-nd" --days 3 --seed 7 --format ndjson 2> "$tmp/gen.err" ||
    { cat "$tmp/gen.err" >&2; exit 1; }
compare "gen_org --days 3 --seed 7 (NDJSON)" "$tmp/org-nd"

if [ "$failed" -ne 0 ]; then
    echo "data-check: FAILED" >&2
    exit 1
fi
echo "data-check: $total keys agree"
