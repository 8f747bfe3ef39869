#!/bin/sh
# ctinsights tail as a user runs it: the same Insights as score, a stop
# and a restart going on, a warm start from score --state, late events,
# a full state file, SIGHUP, and records POSTed over HTTP with /metrics.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
bin=$(abs "$1")
cd "$tmp"
# Wait until file $1 has $2 lines (at most 10 s).
wait_lines() {
    i=0
    while { [ ! -f "$1" ] || [ "$(wc -l < "$1")" -lt "$2" ]; } && [ $i -lt 100 ]; do
        sleep 0.1; i=$((i + 1))
    done
}
stop() { # pid: SIGTERM and wait
    kill -TERM "$1"; wait "$1"
}

zcat "$here/cases/iam-burst/input/events.ndjson.gz" > iam.ndjson
zcat "$here/cases/job-gap/input/events.ndjson.gz" > gap.ndjson
want_iam="$here/cases/iam-burst/expected.ndjson"
want_gap="$here/cases/job-gap/expected.ndjson"

# Standard input to its end: the Insights score finds, in its order.
"$bin" tail --quiet - < iam.ndjson > o; check "tail of stdin" 0 $?
same "tail of stdin is score" "$want_iam" o

# A followed file, stopped half-way and started again: the same records.
python3 - gap.ndjson h1.ndjson h2.ndjson <<'PY'
import sys
lines = open(sys.argv[1]).readlines()
open(sys.argv[2], "w").writelines(lines[:len(lines) // 2])
open(sys.argv[3], "w").writelines(lines[len(lines) // 2:])
PY
cp h1.ndjson f.ndjson
"$bin" tail --quiet --state t.db --output o2 file:f.ndjson & p=$!; pids="$pids $p"
sleep 1; stop $p; check "SIGTERM stops cleanly" 0 $?
cat h2.ndjson >> f.ndjson
"$bin" tail --quiet --state t.db --output o2 file:f.ndjson & p=$!; pids="$pids $p"
wait_lines o2 2; sleep 0.3; stop $p
same "stop and go on" "$want_gap" o2
"$bin" insights list --state t.db > l; same "the state lists what tail wrote" "$want_gap" l

# A warm start: score learns the first half, tail goes on with the second.
"$bin" score --quiet --state w.db h1.ndjson > o3; check "score --state" 0 $?
cp h2.ndjson w.ndjson
"$bin" tail --quiet --state w.db --output o4 file:w.ndjson & p=$!; pids="$pids $p"
wait_lines o4 2; sleep 0.3; stop $p
cat o3 o4 > o5; same "score then tail" "$want_gap" o5

# Late events: an event older than the watermark (15 minutes, the lateness
# before any is learned) after newer ones is counted into the baseline and
# reported; its minute is not judged again.  The watermark moves between
# units, so the late one comes in a unit of its own.
python3 - > late.ndjson <<'PY'
import json
def rec(t):
    return json.dumps({"eventVersion": "1.08", "eventTime": t, "eventSource": "iam.amazonaws.com",
                       "eventName": "CreateUser", "awsRegion": "us-east-1",
                       "recipientAccountId": "111122223333", "readOnly": False,
                       "managementEvent": True})
print(rec("2026-03-02T10:00:00Z"))
print(rec("2026-03-02T10:30:00Z"))
print(rec("2026-03-02T10:10:00Z"))
PY
{ head -n 2 late.ndjson; sleep 0.5; tail -n 1 late.ndjson; } |
    "$bin" tail --state late.db - > /dev/null 2> e; check "late events are not fatal" 0 $?
has "late counted" "late  *1 (counted after" e
has "late reported with its place" "<stdin>.*: 1 late event" e
has "the watermark in the summary" "watermark: 1 account/region decided before 2026-03-02T10:31:00Z" e
"$bin" baseline --state late.db 111122223333 us-east-1 iam.amazonaws.com CreateUser > b
has "a late event joins the baseline" '"events": *3' b

# A full state file: saving fails, is reported, the daemon goes on and
# writes every record; a stop then exits 1 (its state is not saved).
printf 'state:\n  max_bytes: 64K\n' > small.yaml
cp iam.ndjson full.ndjson
"$bin" tail --config small.yaml --state full.db --output o6 file:full.ndjson 2> e & p=$!; pids="$pids $p"
wait_lines o6 6; sleep 0.3; kill -TERM $p; wait $p; check "stop with a full state" 1 $?
has "full state reported" "cannot save the state (full)" e
same "records written while the state is full" "$want_iam" o6

# SIGHUP: the config is read again (a suppress rule now applies) and the
# output file is opened again (it was rotated away).
: > cfg.yaml
: > hup.ndjson
"$bin" tail --config cfg.yaml --state h.db --output o7 file:hup.ndjson 2> e & p=$!; pids="$pids $p"
sleep 0.5
mv o7 o7.rotated
printf 'suppress:\n  - match: {event_name: CreateUser}\n' > cfg.yaml
kill -HUP $p
i=0; until grep -q "config reloaded" e || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
cat iam.ndjson >> hup.ndjson
wait_lines o7 4; sleep 0.3
stop $p
has "reload reported" "config reloaded" e
[ "$(wc -l < o7)" -eq 4 ] && ! grep -q '"eventName":"CreateUser"' o7 \
    || { echo "FAIL: after SIGHUP: the rule does not apply, or the output was not reopened"; fails=$((fails + 1)); }

# HTTP: EventBridge events POSTed with the token come out as Insights;
# /metrics tells the engine's counters.
export CTINSIGHTS_HTTP_TOKEN=tail-test-token-0123456789
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" tail --state http.db --output o9 "http://127.0.0.1:$port" 2> e & p=$!; pids="$pids $p"
i=0; until curl -s -o /dev/null "http://127.0.0.1:$port/metrics" || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
python3 - iam.ndjson bodies <<'PY'
import json, os, sys
os.makedirs(sys.argv[2])
lines = open(sys.argv[1]).read().split("\n")
lines = [l for l in lines if l]
for i in range(0, len(lines), 500):
    env = [{"version": "0", "id": str(j), "detail-type": "AWS API Call via CloudTrail",
            "source": "aws.iam", "detail": json.loads(l)} for j, l in enumerate(lines[i:i + 500])]
    open(f"{sys.argv[2]}/{i:06d}.json", "w").write(json.dumps(env))
PY
for f in bodies/*.json; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $CTINSIGHTS_HTTP_TOKEN" \
        -H 'Content-Type: application/json' --data-binary "@$f" "http://127.0.0.1:$port/")
    [ "$code" = 200 ] || { echo "FAIL: POST $f answered $code"; fails=$((fails + 1)); }
done
wait_lines o9 6
same "records POSTed over HTTP" "$want_iam" o9
curl -s -H "Authorization: Bearer $CTINSIGHTS_HTTP_TOKEN" "http://127.0.0.1:$port/metrics" > m
has "metrics: events" 'ctinsights_events_total{type="ApiCallRateInsight"} 1957' m
has "metrics: keys" 'ctinsights_keys 8' m
has "metrics: open Insights" 'ctinsights_open_insights 0' m
has "metrics: checkpoint age" 'ctinsights_checkpoint_age_seconds' m
has "metrics: late" 'ctinsights_late_events_total 0' m
stop $p
if grep -q "$CTINSIGHTS_HTTP_TOKEN" e; then echo "FAIL: the token was printed"; fails=$((fails + 1)); fi

# A watched folder: the Insights score finds, each byte counted once.
mkdir -p watched && cp iam.ndjson watched/
"$bin" tail --state d.db --output o10 dir:watched 2> e10 & p=$!; pids="$pids $p"
wait_lines o10 6; sleep 0.3; stop $p
same "a watched folder is score" "$want_iam" o10
has "a watched folder's bytes counted once" "1.7 MB read, 1.7 MB JSON" e10

finish tail
