#!/bin/sh
# kill -9 at random points while `tail` follows a file that grows, many
# times; then let it catch up.  The records it wrote, all runs together,
# must be exactly those of one uninterrupted run: none lost, none twice.
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")/.." && pwd)
kills=${KILLS:-25}
tmp=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
cd "$tmp"
# Three accounts' golden series, merged in time order: 12 records.
python3 - "$here/cases" <<'PY'
import gzip, json, sys
cases = {"iam-burst": "111122223333", "limit-hit": "444455556666", "job-gap": "777788889999"}
lines = []
for case, acct in cases.items():
    for l in gzip.open(f"{sys.argv[1]}/{case}/input/events.ndjson.gz", "rt"):
        if l.strip():
            lines.append(l.replace("111122223333", acct))
lines.sort(key=lambda l: json.loads(l)["eventTime"])
open("all.ndjson", "w").writelines(lines)
PY
# The reference: one run over the whole file.
"$bin" tail --quiet --state ref.db --output ref.ndjson file:all.ndjson &
pid=$!
sleep 2
kill -TERM $pid; wait $pid
want=$(wc -l < ref.ndjson)
[ "$want" -ge 10 ] || { echo "FAIL: the reference run wrote $want records"; exit 1; }

# The file grows by 60 lines every 20 ms (3 s in all) while tail is killed again and
# again.
: > in.ndjson
python3 - <<'PY' &
import time
lines = open("all.ndjson").readlines()
with open("in.ndjson", "a") as f:
    for i in range(0, len(lines), 60):
        f.writelines(lines[i:i + 60])
        f.flush()
        time.sleep(0.02)
PY
writer=$!
seed=$$
n=0
while [ "$n" -lt "$kills" ]; do
    "$bin" tail --quiet --state crash.db --output out.ndjson file:in.ndjson 2>>err.log &
    pid=$!
    seed=$(( (seed * 1103515245 + 12345) % 2147483648 ))
    sleep "0.$(printf '%02d' $(( seed % 30 + 3 )))"
    kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
    n=$((n + 1))
done
wait $writer
# The last run catches up and stops cleanly.
"$bin" tail --quiet --state crash.db --output out.ndjson file:in.ndjson 2>>err.log &
pid=$!
i=0
while [ "$(wc -l < out.ndjson)" -lt "$want" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.5
kill -TERM $pid; wait $pid
if ! cmp -s ref.ndjson out.ndjson; then
    echo "FAIL: after $kills kills the output differs from an uninterrupted run:"
    diff ref.ndjson out.ndjson | head -20
    cat err.log | head
    exit 1
fi
echo "$kills kills: the same $want records, once each"
