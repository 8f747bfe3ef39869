#!/bin/sh
# Demo: generate 21 days of a 2-account organisation with two injected bursts,
# score it with ctinsights, and summarise the Insights found.
#
#   sh benchmarks/demo.sh BUILD/ctinsights
#
# Writes demo-out/logs (generated once per seed; reused when present),
# demo-out/insights.ndjson (the Insights, AWS trail form, one per line) and
# demo-out/score.err (the engine's stderr).
# Environment: DEMO_OUT (default demo-out), DEMO_SEED (42), DEMO_DAYS (21).
set -eu

. "$(dirname "$0")/../tests/lib/engine_arg.sh"
bin=$(engine_arg demo "sh benchmarks/demo.sh BUILD/ctinsights" "$@") || exit 2

here=$(cd "$(dirname "$0")" && pwd)
out=${DEMO_OUT:-demo-out}
seed=${DEMO_SEED:-42}
days=${DEMO_DAYS:-21}
logs=$out/logs
stamp="seed=$seed days=$days accounts=2 regions=us-east-1,eu-west-1 burst format=s3"

mkdir -p "$out"
if [ -f "$out/logs.stamp" ] && [ -d "$logs/AWSLogs" ] && [ "$(cat "$out/logs.stamp")" = "$stamp" ]; then
    echo "demo: reusing $logs ($stamp)"
else
    echo "demo: generating $days days of CloudTrail logs into $logs ($stamp)"
    rm -f "$out/logs.stamp"
    python3 "$here/gen_org.py" --out "$logs" --seed "$seed" --days "$days" --accounts 2 \
        --regions us-east-1,eu-west-1 --burst --format s3 --force
    printf '%s\n' "$stamp" > "$out/logs.stamp"
fi

# What was injected (ground truth written by gen_org.py).
python3 - "$logs/gen_org.meta" <<'EOF'
import json, sys
try:
    meta = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    sys.exit(0)
print("demo: %d records in %d files; injected:" % (meta["records"], meta["files"]))
for b in meta["bursts"]:
    detail = ", ".join("%s %d" % kv for kv in sorted(b["counts"].items()))
    detail += "".join(", %s %d" % kv for kv in sorted(b["errors"].items()))
    print("  %-16s %s %-10s %s .. %s  %s" % (b["kind"], b["account"], b["region"],
                                            b["start"], b["end"], detail))
EOF

echo "demo: $bin score $logs > $out/insights.ndjson"
t0=$(date +%s)
rc=0
"$bin" score "$logs" > "$out/insights.ndjson" 2> "$out/score.err" || rc=$?
t1=$(date +%s)
if [ "$rc" -ne 0 ]; then
    echo "demo: ctinsights score exited with status $rc; its stderr (last lines of $out/score.err):" >&2
    tail -n 20 "$out/score.err" >&2
    exit "$rc"
fi
tail -n 3 "$out/score.err" | sed 's/^/  /'
echo "demo: scored in $((t1 - t0)) s; Insights (time  state  account  region  source  name  type  [errorCode]  baseline -> insight per minute):"

if command -v jq > /dev/null 2>&1; then
    jq -r '
      (if type == "object" and has("Records") then .Records[] elif type == "array" then .[] else . end)
      | select(type == "object" and .eventType == "AwsCloudTrailInsight")
      | .insightDetails as $d
      | ($d.insightContext.statistics // {}) as $s
      | [ .eventTime, $d.state, (.recipientAccountId // "-"), .awsRegion, $d.eventSource, $d.eventName,
          $d.insightType, ($d.errorCode // "-"),
          "\($s.baseline.average // "?") -> \($s.insight.average // "?")"
          + (if $s.insightDuration then " (\($s.insightDuration) min)" else "" end) ]
      | "  " + join("  ")
    ' "$out/insights.ndjson"
    starts=$(jq -r '(if type == "object" and has("Records") then .Records[] elif type == "array" then .[] else . end)
                    | select(type == "object" and .eventType == "AwsCloudTrailInsight"
                             and .insightDetails.state == "Start") | 1' "$out/insights.ndjson" | wc -l | tr -d ' ')
    echo "demo: $starts Insights started; records in $out/insights.ndjson"
else
    python3 - "$out/insights.ndjson" "$here" <<'EOF'
import json, sys
sys.path.insert(0, sys.argv[2])
from score_quality import records

starts = 0
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        line = line.strip()
        if not line:
            continue
        for r in records(json.loads(line)):
            if not isinstance(r, dict) or r.get("eventType") != "AwsCloudTrailInsight":
                continue
            d = r.get("insightDetails") or {}
            s = (d.get("insightContext") or {}).get("statistics") or {}
            dur = " (%s min)" % s["insightDuration"] if s.get("insightDuration") else ""
            print("  " + "  ".join(str(x) for x in (
                r.get("eventTime"), d.get("state"), r.get("recipientAccountId", "-"), r.get("awsRegion"),
                d.get("eventSource"), d.get("eventName"), d.get("insightType"), d.get("errorCode", "-"),
                "%s -> %s%s" % ((s.get("baseline") or {}).get("average", "?"),
                                (s.get("insight") or {}).get("average", "?"), dur))))
            starts += d.get("state") == "Start"
print("demo: %d Insights started; records in %s" % (starts, sys.argv[1]))
EOF
fi
