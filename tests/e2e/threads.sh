#!/bin/sh
# Threads: the same Insights, keys, counts and messages with one reading
# thread and with several, on generated organisation logs among which
# damaged files are scattered (more than the 10 printed messages of a
# reason, spread over many files), and on the bad-input golden case.
#
#   sh tests/e2e/threads.sh BUILD/ctinsights
set -eu
bin=$1
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/threads.XXXXXX")
trap 'rm -rf "$tmp"' EXIT HUP INT TERM
python3 "$here/../benchmarks/gen_org.py" --out "$tmp/org" --days 8 --seed 5 --burst >/dev/null 2>&1
# Damage one file in 40: cut, garbled, or a bad record in the middle.
python3 - "$tmp/org" <<'PY'
import gzip, os, sys
files = sorted(os.path.join(d, f) for d, _, fs in os.walk(sys.argv[1]) for f in fs
               if f.endswith(".json.gz") and "Digest" not in d)
for i, path in enumerate(files[::40]):
    data = open(path, "rb").read()
    if i % 3 == 0:
        data = data[: len(data) // 2]
    elif i % 3 == 1:
        text = gzip.decompress(data).decode()
        data = gzip.compress(text.replace('"eventTime":', '"eventTime":x', 1).encode(), mtime=0)
    else:
        text = gzip.decompress(data).decode()
        data = gzip.compress(text.replace('"awsRegion":"', '"awsRegion":"\\x', 2).encode(), mtime=0)
    open(path, "wb").write(data)
PY
status=0
# Everything but the run time on the summary's first line.
strip() { sed 's/, [0-9.]* s$//' "$1"; }
compare() { # label args...
    label=$1; shift
    "$bin" "$@" --threads 1 >"$tmp/one.out" 2>"$tmp/one.err" || true
    strip "$tmp/one.err" > "$tmp/one.e"
    for n in 2 7; do
        "$bin" "$@" --threads $n >"$tmp/n.out" 2>"$tmp/n.err" || true
        strip "$tmp/n.err" > "$tmp/n.e"
        if ! cmp -s "$tmp/one.out" "$tmp/n.out" || ! cmp -s "$tmp/one.e" "$tmp/n.e"; then
            echo "FAIL: $label: --threads $n differs from --threads 1"
            diff "$tmp/one.out" "$tmp/n.out" | head -5
            diff "$tmp/one.e" "$tmp/n.e" | head -10
            status=1
        fi
    done
    echo "$label: $(grep -c . "$tmp/one.out" || true) output lines, $(grep -c 'ctinsights: .*(byte' "$tmp/one.err" || true) messages, same with 2 and 7 threads"
}
compare "score, damaged organisation logs" score --no-progress "$tmp/org"
compare "keys, damaged organisation logs" keys "$tmp/org"
compare "score, bad-input case" score --no-progress --config "$here/cases/bad-input/config.yaml" "$here/cases/bad-input/input"
exit $status
