#!/bin/sh
# Order independence: the records of a golden case, shuffled and split into
# several files of different shapes (NDJSON, gzip, {"Records":[…]}), must
# give exactly the case's expected Insights; so must the files named in
# reverse order.
set -eu
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for case in iam-burst limit-hit; do
    for seed in 1 2 3; do
        rm -rf "$tmp/in"
        python3 - "$here/cases/$case/input/events.ndjson.gz" "$tmp/in" "$seed" <<'PY'
import gzip, json, os, random, sys
src, out, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = [l for l in gzip.open(src, "rt") if l.strip()]
rng = random.Random(seed)
rng.shuffle(lines)
os.makedirs(out)
parts = [lines[i::4] for i in range(4)]
open(f"{out}/p0.ndjson", "w").writelines(parts[0])
with gzip.open(f"{out}/p1.ndjson.gz", "wt") as f:
    f.writelines(parts[1])
with gzip.open(f"{out}/p2.json.gz", "wt") as f:
    json.dump({"Records": [json.loads(l) for l in parts[2]]}, f, indent=2)
open(f"{out}/p3.json", "w").write(json.dumps([json.loads(l) for l in parts[3]]))
PY
        "$bin" score --quiet --no-progress "$tmp/in" > "$tmp/got"
        diff -u "$here/cases/$case/expected.ndjson" "$tmp/got"
        "$bin" score --quiet --no-progress "$tmp/in/p3.json" "$tmp/in/p2.json.gz" \
            "$tmp/in/p1.ndjson.gz" "$tmp/in/p0.ndjson" > "$tmp/got"
        diff -u "$here/cases/$case/expected.ndjson" "$tmp/got"
    done
done
echo "shuffled inputs give the same Insights"
