#!/bin/sh
# The fast extractor against jansson (tests/tools/fastdiff.c), with the SIMD
# and the scalar string scanner, over every file of the shared real-data
# folder, every golden case's input (damaged files included), the inputs
# fuzzing once found disagreements on (tests/fuzz/regressions) and freshly
# generated organisation logs (S3 layout and NDJSON) and LookupEvents
# shapes at their edges (tests/tools/lookup_shapes.py: pages, entries escaped
# every way, odd and damaged entries).
#
#   sh tests/e2e/fastdiff.sh BUILD
set -eu
build=$1
here=$(cd "$(dirname "$0")/.." && pwd)
data=${CTI_SHARED_DATA:-$here/../../shared/data}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fastdiff.XXXXXX")
trap 'rm -rf "$tmp"' EXIT HUP INT TERM
python3 "$here/../benchmarks/gen_org.py" --out "$tmp/s3" --days 2 --seed 3 --burst >/dev/null 2>&1
python3 "$here/../benchmarks/gen_org.py" --out "$tmp/nd" --days 2 --seed 3 --burst --format ndjson >/dev/null 2>&1
head -n 3000 "$tmp/nd/events.ndjson" > "$tmp/some.ndjson"
python3 "$here/tools/lookup_shapes.py" "$tmp/some.ndjson" "$tmp/lookup"
for bin in "$build/tests/fastdiff" "$build/tests/fastdiff-scalar"; do
    "$bin" "$data" "$here/cases" "$here/fuzz/regressions" "$tmp/s3" "$tmp/nd" "$tmp/lookup"
done
