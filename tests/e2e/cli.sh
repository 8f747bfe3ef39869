#!/bin/sh
# The command line as a user meets it: exit codes and messages for bad
# options, bad paths and bad configs; --strict; output formats.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
bin=$1

"$bin" score >/dev/null 2>"$tmp/e"; check "no path" 2 $?
has "no path message" "no PATH given" "$tmp/e"
"$bin" score /nonexistent/logs >/dev/null 2>"$tmp/e"; check "missing path" 2 $?
has "missing path message" "/nonexistent/logs: No such file or directory; check the path" "$tmp/e"
"$bin" score --bogus x >/dev/null 2>"$tmp/e"; check "bad option" 2 $?
has "bad option message" "see 'ctinsights --help'" "$tmp/e"
"$bin" frobnicate >/dev/null 2>"$tmp/e"; check "bad command" 2 $?
"$bin" score --threads 0 "$here/cases" >/dev/null 2>"$tmp/e"; check "bad --threads" 2 $?
has "bad --threads message" "threads takes a number from 1 to 1024, not '0'" "$tmp/e"
"$bin" score --format xml "$here/cases" >/dev/null 2>"$tmp/e"; check "bad format" 2 $?
has "bad format message" "unknown --format 'xml'" "$tmp/e"
printf 'detector:\n  min_count: 5\n  bogus_key: 1\n' > "$tmp/bad.yaml"
"$bin" score --config "$tmp/bad.yaml" "$here/cases" >/dev/null 2>"$tmp/e"; check "bad config" 2 $?
has "bad config names file:line" "$tmp/bad.yaml:3:" "$tmp/e"
"$bin" check-config "$here/../config/ctinsights.yaml" >"$tmp/o" 2>&1; check "documented config is valid" 0 $?
"$bin" --help >"$tmp/o"; check "help" 0 $?
has "help lists formats" "records" "$tmp/o"

# A bad record is skipped with file:line, the run goes on and exits 0;
# --strict turns the skip into exit 1.
printf '%s\n' '{"eventVersion":"1.08","eventTime":"2026-01-01T00:00:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","awsRegion":"us-east-1","recipientAccountId":"111122223333","readOnly":false,"managementEvent":true}' \
    '{"eventVersion":"1.08", "eventTime": ' \
    '{"eventVersion":"1.08","eventTime":"2026-01-01T00:01:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","awsRegion":"us-east-1","recipientAccountId":"111122223333","readOnly":false,"managementEvent":true}' > "$tmp/mixed.ndjson"
"$bin" score --no-progress "$tmp/mixed.ndjson" >/dev/null 2>"$tmp/e"; check "bad line is not fatal" 0 $?
has "bad line named" "mixed.ndjson:2:" "$tmp/e"
has "counted records" "3 records: 2 counted for call rate" "$tmp/e"
has "skip counted by reason" "skipped truncated" "$tmp/e"
"$bin" score --strict --quiet "$tmp/mixed.ndjson" >/dev/null 2>&1; check "--strict fails on skips" 1 $?
"$bin" keys - < "$tmp/mixed.ndjson" > "$tmp/k" 2>/dev/null; check "keys from stdin" 0 $?
has "keys counts stdin records" '"count":2' "$tmp/k"

# Output forms
"$bin" score --quiet --format records "$here/cases/iam-burst/input" > "$tmp/r"; check "records format" 0 $?
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["Records"])>=2' "$tmp/r" || { echo "FAIL: records document"; fails=$((fails + 1)); }
"$bin" score --quiet --out "$tmp/s3" "$here/cases/iam-burst/input"; check "--out" 0 $?
n=$(find "$tmp/s3/AWSLogs" -path '*/CloudTrail-Insight/*' -name '*_CloudTrail-Insight_*.json.gz' | wc -l)
[ "$n" -ge 1 ] || { echo "FAIL: no S3-layout Insight file"; fails=$((fails + 1)); }
zcat $(find "$tmp/s3" -name '*.json.gz') | python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin]' \
    || { echo "FAIL: S3 files are not JSON"; fails=$((fails + 1)); }

# Empty or record-less input: nothing found, no failure.
printf '{}\n' > "$tmp/empty.json"
"$bin" keys "$tmp/empty.json" > "$tmp/k" 2>/dev/null; check "keys of no records" 0 $?
[ ! -s "$tmp/k" ] || { echo "FAIL: keys of no records printed something"; fails=$((fails + 1)); }
"$bin" score --quiet - < "$tmp/empty.json" > "$tmp/o"; check "score of no records from stdin" 0 $?

# Input far out of time order is read twice, sorted, and says so.
python3 -c '
import gzip, random, sys
lines = [l for l in gzip.open(sys.argv[1], "rt") if l.strip()]
random.Random(7).shuffle(lines)
open(sys.argv[2], "w").writelines(lines)' "$here/cases/iam-burst/input/events.ndjson.gz" "$tmp/shuffled.ndjson"
"$bin" score --no-progress "$tmp/shuffled.ndjson" > "$tmp/o" 2>"$tmp/e"; check "shuffled input" 0 $?
has "second pass reported" "read twice, the second time sorted" "$tmp/e"
cmp -s "$tmp/o" "$here/cases/iam-burst/expected.ndjson" || { echo "FAIL: shuffled input gives other Insights"; fails=$((fails + 1)); }

# A state file: scoring in two runs, the second going on from the first,
# finds what one run finds; the state lists the Insights and a key's
# baseline.
python3 -c '
import gzip, sys
lines = [l for l in gzip.open(sys.argv[1], "rt") if l.strip()]
lines.sort(key=lambda l: l[l.index("eventTime"):][12:32])
half = len(lines) // 2
open(sys.argv[2], "w").writelines(lines[:half])
open(sys.argv[3], "w").writelines(lines[half:])' "$here/cases/job-gap/input/events.ndjson.gz" "$tmp/h1.ndjson" "$tmp/h2.ndjson"
"$bin" score --quiet --state "$tmp/st.db" "$tmp/h1.ndjson" > "$tmp/o1"; check "score --state, first half" 0 $?
"$bin" score --quiet --state "$tmp/st.db" "$tmp/h2.ndjson" > "$tmp/o2"; check "score --state, second half" 0 $?
cat "$tmp/o1" "$tmp/o2" | cmp -s - "$here/cases/job-gap/expected.ndjson" || { echo "FAIL: two runs on a state differ from one:"; cat "$tmp/o1" "$tmp/o2"; fails=$((fails + 1)); }
"$bin" insights list --state "$tmp/st.db" > "$tmp/l"; check "insights list" 0 $?
cmp -s "$tmp/l" "$here/cases/job-gap/expected.ndjson" || { echo "FAIL: insights list"; cat "$tmp/l"; fails=$((fails + 1)); }
"$bin" insights list --state "$tmp/st.db" --open > "$tmp/l"; check "insights list --open" 0 $?
[ ! -s "$tmp/l" ] || { echo "FAIL: open Insights listed"; fails=$((fails + 1)); }
"$bin" insights list --state "$tmp/st.db" --from 2026-03-11T10:00Z --until 2026-03-11T10:01Z --name 'Put*' > "$tmp/l"
[ "$(wc -l < "$tmp/l")" -eq 2 ] || { echo "FAIL: insights list filters"; fails=$((fails + 1)); }
"$bin" insights list --state "$tmp/st.db" --from yesterday >/dev/null 2>"$tmp/e"; check "bad --from" 2 $?
"$bin" baseline --state "$tmp/st.db" 111122223333 us-east-1 ssm.amazonaws.com PutParameter > "$tmp/b"; check "baseline" 0 $?
python3 -c 'import json,sys; b=json.load(open(sys.argv[1])); assert b["schedule"]["periodMinutes"] == 10, b; assert len(b["slots"]) == 48' "$tmp/b" \
    || { echo "FAIL: baseline of the job"; fails=$((fails + 1)); }
"$bin" baseline --state "$tmp/st.db" 111122223333 us-east-1 ssm.amazonaws.com NoSuchApi >/dev/null 2>"$tmp/e"; check "baseline of an unknown key" 1 $?
has "unknown key named" "holds no ApiCallRateInsight key" "$tmp/e"
"$bin" score --quiet --state "$tmp/st.db" "$tmp/h1.ndjson" > "$tmp/o3" 2>"$tmp/e"; check "old input on a state" 0 $?
[ ! -s "$tmp/o3" ] || { echo "FAIL: old input on a state gave Insights again"; fails=$((fails + 1)); }
printf 'not a database' > "$tmp/bad.db"
"$bin" score --quiet --state "$tmp/bad.db" "$tmp/h1.ndjson" >/dev/null 2>"$tmp/e"; check "damaged state file" 2 $?
has "damaged state named" "$tmp/bad.db" "$tmp/e"

# Suppressed Insights are counted in the summary.
"$bin" score --no-progress --config "$here/cases/tuning/config.yaml" "$here/cases/iam-burst/input" >/dev/null 2>"$tmp/e"
check "tuning config" 0 $?
has "suppressed counted" "1 insights (0 still open, 1 suppressed)" "$tmp/e"
finish cli
