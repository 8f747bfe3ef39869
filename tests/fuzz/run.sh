#!/bin/sh
# make fuzz: run the fuzz target for a bounded time on a corpus seeded from
# the golden inputs and the shared real data (inflated), two jobs at most.
#
#   sh tests/fuzz/run.sh FUZZER WORKDIR SECONDS
set -eu
fuzzer=$1
work=$2
seconds=$3
here=$(cd "$(dirname "$0")" && pwd)
data=${CTI_SHARED_DATA:-$here/../../../shared/data}
mkdir -p "$work/corpus" "$work/seeds"
python3 - "$work/seeds" "$here/../cases" "$data" "$here/regressions" <<'PY'
import gzip, hashlib, os, sys
out = sys.argv[1]
for root in sys.argv[2:]:
    for d, _, files in os.walk(root):
        for f in files:
            if not (f.endswith((".json", ".ndjson", ".gz", ".jsonl")) or "regressions" in d):
                continue
            data = open(os.path.join(d, f), "rb").read()
            if data[:2] == b"\x1f\x8b":
                try:
                    data = gzip.decompress(data)
                except Exception:
                    continue
            for i in range(0, len(data), 16384):  # keep seeds small
                part = data[i:i + 16384]
                open(os.path.join(out, hashlib.sha1(part).hexdigest()), "wb").write(part)
PY
cd "$work"
"$fuzzer" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
    -dict="$here/json.dict" corpus seeds
