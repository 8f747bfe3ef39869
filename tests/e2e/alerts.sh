#!/bin/sh
# Alert delivery end to end: score --alert against scripted HTTP servers on
# loopback (tests/tools/http_sink.py) and commands, checking what the
# servers received.  Usage: sh tests/e2e/alerts.sh build/ctinsights
#
# Sinks that are down, slow, answer 500 then 200, 400, 429 with
# Retry-After; a restart mid-retry; no duplicates across a replay;
# PagerDuty pages grouped by principal, Slack, exec and EventBridge.
set -u
BIN=${1:?usage: alerts.sh CTINSIGHTS}
cd "$(dirname "$0")/../.." || exit 2
T=$(mktemp -d)
SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

LIMIT=tests/cases/limit-hit/input   # 2 Insights: 2 Starts, 2 Ends
IAM=tests/cases/iam-burst/input     # 3 IAM Insights of one principal
SECRET=s3cr3t-for-tests-only
export CTI_TEST_SECRET="$SECRET"

# A free loopback port.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_server NAME SCRIPT [PORT]: the server logs to $T/NAME.log; sets PORT.
start_server() {
    rm -f "$T/$1.port"
    python3 tests/tools/http_sink.py --port "${3:-0}" --port-file "$T/$1.port" \
        --log "$T/$1.log" --script "$2" --max-seconds 60 &
    SERVER_PID=$!
    i=0
    while [ ! -s "$T/$1.port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    PORT=$(cat "$T/$1.port")
}
stop_server() {
    kill "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=""
}

# webhook_config NAME URL [EXTRA...]: a webhook sink with fast retries.
webhook_config() {
    name=$1; url=$2; shift 2
    {
        echo "alerting: {drain_seconds: ${DRAIN:-20}}"
        echo "sinks:"
        echo "  - type: webhook"
        echo "    url: \"$url\""
        echo "    secret_env: CTI_TEST_SECRET"
        echo "    retry_initial: 0.1"
        echo "    retry_max: 0.5"
        for line in "$@"; do echo "    $line"; done
    } >"$T/$name.yaml"
}

run() { # NAME CONFIG INPUT [STATE]: rc in $RC, stderr in $T/NAME.err
    if [ -n "${4:-}" ]; then
        "$BIN" score --config "$2" --alert --state "$4" --no-progress "$3" \
            >"$T/$1.out" 2>"$T/$1.err"
    else
        "$BIN" score --config "$2" --alert --no-progress "$3" \
            >"$T/$1.out" 2>"$T/$1.err"
    fi
    RC=$?
}

# check_webhook LOG EXPECTED: every record of the run arrived once with a
# 2xx, Starts before their Ends, each signed with the secret over
# "TIMESTAMP.BODY" and a fresh timestamp.
check_webhook() {
    python3 - "$1" "$2" "$SECRET" <<'EOF'
import hashlib, hmac, json, sys, time
log, expected, secret = sys.argv[1], sys.argv[2], sys.argv[3].encode()
want = [json.loads(l) for l in open(expected)]
reqs = [json.loads(l) for l in open(log)]
ok = []
for r in reqs:
    h = {k.lower(): v for k, v in r["headers"].items()}
    ts, sig = h["x-ctinsights-timestamp"], h["x-ctinsights-signature"]
    mac = hmac.new(secret, (ts + "." + r["body"]).encode(), hashlib.sha256).hexdigest()
    assert sig == "sha256=" + mac, "bad signature"
    assert abs(time.time() - int(ts)) < 120, "stale timestamp"
    rec = json.loads(r["body"])
    assert h["x-ctinsights-event"] == rec["insightDetails"]["state"]
    ok.append(rec)
ids = [r["eventID"] for r in ok]
want_ids = [r["eventID"] for r in want]
assert set(ids) == set(want_ids), "records: %s vs %s" % (ids, want_ids)
seen = {}
for i, r in enumerate(ok):
    seen.setdefault((r["sharedEventID"], r["insightDetails"]["state"]), i)
for (sid, state), i in seen.items():
    if state == "End":
        assert seen[(sid, "Start")] < i, "End before Start"
print(len(reqs), "requests,", len(set(ids)), "records")
EOF
}

# --- 500 then 200: retried, delivered once each, in order, signed ---------
start_server flaky "500,200"
webhook_config flaky "http://127.0.0.1:$PORT/hook"
run flaky "$T/flaky.yaml" "$LIMIT" "$T/flaky.db"
stop_server
# the 500 answered request carries the same record as the next one
python3 -c "
import json,sys
r=[json.loads(l) for l in open('$T/flaky.log')]
assert len(r)==5, len(r)
assert r[0]['body']==r[1]['body']
" && [ "$RC" = 0 ] && grep -q "HTTP 500.*retrying" "$T/flaky.err" &&
    check_webhook "$T/flaky.log" tests/cases/limit-hit/expected.ndjson >/dev/null &&
    ok "500 then 200: retried, every record once, Start before End, signed" ||
    { fail "500 then 200 (rc $RC)"; cat "$T/flaky.err"; }
grep -q "$SECRET" "$T/flaky.err" && fail "the secret was printed"

# --- a replay of the same logs pages nobody --------------------------------
start_server replay "200"
webhook_config replay "http://127.0.0.1:$PORT/hook"
cp "$T/flaky.db" "$T/replay.db"
run replay "$T/replay.yaml" "$LIMIT" "$T/replay.db"
stop_server
# (the engine goes on from the state file: the same logs again are late
# and decide nothing; whatever is decided again is already stored)
if [ "$RC" = 0 ] && [ ! -s "$T/replay.log" ] &&
    grep -q "0 stored (0 already stored), 0 delivered" "$T/replay.err"; then
    ok "replay: nothing sent twice"
else
    fail "replay sent again (rc $RC)"; cat "$T/replay.err"
fi

# --- 400: a permanent failure, reported, exit 1 -----------------------------
start_server refused "400"
webhook_config refused "http://127.0.0.1:$PORT/hook"
run refused "$T/refused.yaml" "$LIMIT"
stop_server
if [ "$RC" = 1 ] && [ "$(wc -l <"$T/refused.log")" = 4 ] &&
    grep -q "sink 'webhook': Start .*: failed after 1 attempt: HTTP 400" "$T/refused.err" &&
    grep -q "4 failed" "$T/refused.err"; then
    ok "400: each alert tried once, reported as failed, exit 1"
else
    fail "400 (rc $RC)"; cat "$T/refused.err"
fi

# --- 429 with Retry-After: waits as asked -----------------------------------
start_server limited "429:1,200"
webhook_config limited "http://127.0.0.1:$PORT/hook"
run limited "$T/limited.yaml" "$LIMIT"
stop_server
python3 -c "
import json
r=[json.loads(l) for l in open('$T/limited.log')]
assert r[1]['t']-r[0]['t'] >= 0.9, (r[0]['t'], r[1]['t'])
" && [ "$RC" = 0 ] && ok "429: waited Retry-After before the retry" ||
    { fail "429 (rc $RC)"; cat "$T/limited.err"; }

# --- slow: a request past the timeout is retried ----------------------------
start_server slow "slow:3,200"
webhook_config slow "http://127.0.0.1:$PORT/hook" "timeout: 0.5"
run slow "$T/slow.yaml" "$LIMIT"
stop_server
if [ "$RC" = 0 ] && grep -q "Timeout was reached.*retrying" "$T/slow.err" &&
    check_webhook "$T/slow.log" tests/cases/limit-hit/expected.ndjson >/dev/null; then
    ok "slow: timed out, retried, delivered"
else
    fail "slow (rc $RC)"; cat "$T/slow.err"
fi

# --- down, then back: kept across the restart, delivered in order once -----
P=$(free_port)
DRAIN=1 webhook_config down "http://127.0.0.1:$P/hook"
run down "$T/down.yaml" "$LIMIT" "$T/down.db"
if [ "$RC" = 1 ] && grep -q "4 still waiting (kept in the state file" "$T/down.err"; then
    ok "down: exit 1, alerts kept"
else
    fail "down (rc $RC)"; cat "$T/down.err"
fi
start_server back "200" "$P"
run back "$T/down.yaml" "$LIMIT" "$T/down.db"
stop_server
if [ "$RC" = 0 ] && grep -q ", 4 delivered" "$T/back.err" &&
    [ "$(wc -l <"$T/back.log")" = 4 ] &&
    check_webhook "$T/back.log" tests/cases/limit-hit/expected.ndjson >/dev/null; then
    ok "back after a restart: every alert once, in order"
else
    fail "restart (rc $RC)"; cat "$T/back.err"
fi

# --- PagerDuty: one page for a principal's burst, trigger then resolve -----
start_server pd "202"
cat >"$T/pd.yaml" <<EOF
sinks:
  - type: pagerduty
    url: "http://127.0.0.1:$PORT/v2/enqueue"
    routing_key_env: CTI_TEST_SECRET
EOF
run pd "$T/pd.yaml" "$IAM"
stop_server
python3 - "$T/pd.log" "$SECRET" <<'EOF' && [ "$RC" = 0 ] &&
import json, sys
r = [json.loads(json.loads(l)["body"]) for l in open(sys.argv[1])]
assert [e["event_action"] for e in r] == ["trigger", "resolve"], r
assert r[0]["dedup_key"] == r[1]["dedup_key"] == "2a99a7d7-a0f1-8390-a2f8-960e80cbd4e1"
assert all(e["routing_key"] == sys.argv[2] for e in r)
p = r[0]["payload"]
assert p["severity"] == "error" and p["component"] == "iam.amazonaws.com", p
assert p["class"] == "iam-burst" and p["group"] == "111122223333"
assert "AttachUserPolicy" in p["summary"] and "+2 more" in p["summary"], p["summary"]
names = [i["insightDetails"]["eventName"] for i in p["custom_details"]["insights"]]
assert names == ["AttachUserPolicy", "CreateAccessKey", "CreateUser"], names
EOF
    ! grep -q "$SECRET" "$T/pd.err" &&
    ok "pagerduty: one page for 3 Insights, trigger then resolve, dedup_key" ||
    { fail "pagerduty (rc $RC)"; cat "$T/pd.err"; }

# --- a refusal that echoes the routing key: the key never shows -----------
start_server pd400 "400"
sed "s|http://127.0.0.1:[0-9]*/|http://127.0.0.1:$PORT/|" "$T/pd.yaml" >"$T/pd400.yaml"
run pd400 "$T/pd400.yaml" "$IAM"
stop_server
grep -q "$SECRET" "$T/pd400.log" && [ "$RC" = 1 ] &&
    grep -q 'HTTP 400 (refused; check the sink.s settings).*\[secret\]' "$T/pd400.err" &&
    ! grep -q "$SECRET" "$T/pd400.err" &&
    ok "pagerduty 400: reported with the routing key redacted" ||
    { fail "pagerduty 400 (rc $RC)"; cat "$T/pd400.err"; }

# --- Slack: text and blocks, firing then resolved ---------------------------
start_server slack "200"
echo "http://127.0.0.1:$PORT/services/T/B/x" >"$T/slack-url"
cat >"$T/slack.yaml" <<EOF
sinks:
  - type: slack
    url_file: $T/slack-url
    group_by: account
EOF
run slack "$T/slack.yaml" "$IAM"
stop_server
python3 - "$T/slack.log" <<'EOF' && [ "$RC" = 0 ] && ok "slack: firing and resolved messages with blocks" ||
import json, sys
r = [json.loads(json.loads(l)["body"]) for l in open(sys.argv[1])]
assert len(r) == 2, len(r)
assert "Firing" in r[0]["text"] and "Resolved" in r[1]["text"]
assert r[0]["blocks"][0]["type"] == "section"
assert any("CreateUser" in json.dumps(b) for b in r[0]["blocks"])
EOF
    { fail "slack (rc $RC)"; cat "$T/slack.err"; }

# --- exec: the record on stdin; 75 is retried, a timeout too; 3 fails ------
cat >"$T/exec.yaml" <<EOF
sinks:
  - type: exec
    argv: [sh, -c, 'cat >>"\$0"; echo >>"\$0.events" "\$CTINSIGHTS_EVENT"', $T/exec-stdin]
EOF
run exec "$T/exec.yaml" "$LIMIT"
python3 -c "
import json
r=[json.loads(l) for l in open('$T/exec-stdin')]
assert len(r)==4 and r[0]['eventType']=='AwsCloudTrailInsight'
" && [ "$RC" = 0 ] && [ "$(sort -u "$T/exec-stdin.events" | tr '\n' ' ')" = "End Start " ] &&
    ok "exec: every record on stdin, event in the environment" ||
    { fail "exec (rc $RC)"; cat "$T/exec.err"; }
cat >"$T/exec2.yaml" <<EOF
alerting: {drain_seconds: 20}
sinks:
  - type: exec
    argv: [sh, -c, 'cat >/dev/null; n=\$(cat "\$0" 2>/dev/null || echo 0); echo \$((n+1)) >"\$0"; [ \$n -ge 1 ] || exit 75', $T/exec2.count]
    retry_initial: 0.1
EOF
run exec2 "$T/exec2.yaml" "$LIMIT"
[ "$RC" = 0 ] && [ "$(cat "$T/exec2.count")" = 5 ] && grep -q "exited with status 75; retrying" "$T/exec2.err" &&
    ok "exec: exit 75 retried" || { fail "exec 75 (rc $RC)"; cat "$T/exec2.err"; }
cat >"$T/exec3.yaml" <<EOF
alerting: {drain_seconds: 3}
sinks:
  - {type: exec, argv: [sleep, 10], timeout: 0.3, retry_initial: 5}
  - {type: exec, argv: [sh, -c, 'exit 3']}
EOF
run exec3 "$T/exec3.yaml" "$LIMIT"
[ "$RC" = 1 ] && grep -q "sleep ran longer than 0.3s; killed; retrying" "$T/exec3.err" &&
    grep -q "sink 'exec-2': Start .*failed after 1 attempt: sh exited with status 3" "$T/exec3.err" &&
    ok "exec: a timeout is retried, exit 3 fails" || { fail "exec timeout (rc $RC)"; cat "$T/exec3.err"; }

# --- EventBridge envelopes to a file -----------------------------------------
cat >"$T/eb.yaml" <<EOF
sinks:
  - {type: eventbridge, path: $T/eb.ndjson}
EOF
run eb "$T/eb.yaml" "$LIMIT"
python3 -c "
import json
r=[json.loads(l) for l in open('$T/eb.ndjson')]
assert len(r)==4
e=r[0]
assert e['detail-type']=='AWS Insight via CloudTrail' and e['source']=='aws.cloudtrail'
assert e['account']=='111122223333' and e['region']=='us-east-1'
assert e['time']==e['detail']['eventTime'] and e['detail']['eventType']=='AwsCloudTrailInsight'
" && [ "$RC" = 0 ] && ok "eventbridge: envelopes in file" || { fail "eventbridge (rc $RC)"; cat "$T/eb.err"; }

# --- filters, and score without --alert sends nothing ------------------------
start_server filt "200"
webhook_config filt "http://127.0.0.1:$PORT/hook" "min_score: 100"
"$BIN" score --config "$T/filt.yaml" --no-progress "$LIMIT" >/dev/null 2>&1
n_without=$(wc -l <"$T/filt.log" 2>/dev/null || echo 0)
run filt "$T/filt.yaml" "$LIMIT"
stop_server
# only the error-rate Insight scores 100 or more: its Start and End
python3 -c "
import json
r=[json.loads(json.loads(l)['body']) for l in open('$T/filt.log')]
assert [x['insightDetails']['insightType'] for x in r]==['ApiErrorRateInsight']*2, r
" && [ "$n_without" = 0 ] && [ "$RC" = 0 ] &&
    ok "filters: min_score; nothing without --alert" || { fail "filters (rc $RC)"; cat "$T/filt.err"; }

# --- a secret that is not set: exit 2, the variable named -------------------
webhook_config nokey "http://127.0.0.1:9/hook"
CTI_TEST_SECRET= run nokey "$T/nokey.yaml" "$LIMIT"
[ "$RC" = 2 ] && grep -q "sink 'webhook' (webhook): the signing secret is not set; export CTI_TEST_SECRET" "$T/nokey.err" &&
    ok "a missing secret: exit 2, names the variable" || { fail "missing secret (rc $RC)"; cat "$T/nokey.err"; }

# --- tail: the daemon pages as it decides, 500 then 200, each record once ---
start_server tail "500,200"
webhook_config tail "http://127.0.0.1:$PORT/hook"
zcat "$LIMIT/events.ndjson.gz" > "$T/tail.ndjson"
"$BIN" tail --quiet --config "$T/tail.yaml" --state "$T/tail.db" --output "$T/tail.out" \
    "file:$T/tail.ndjson" 2>"$T/tail.err" &
TAIL_PID=$!
i=0
while [ "$(wc -l <"$T/tail.log" 2>/dev/null || echo 0)" -lt 4 ] && [ $i -lt 100 ]; do
    sleep 0.1; i=$((i + 1))
done
kill -TERM $TAIL_PID; wait $TAIL_PID; RC=$?
stop_server
[ "$RC" = 0 ] && check_webhook "$T/tail.log" tests/cases/limit-hit/expected.ndjson >/dev/null &&
    ok "tail: alerts as decided, retried, every record once" ||
    { fail "tail alerts (rc $RC)"; cat "$T/tail.err"; }
"$BIN" tail --quiet --config "$T/tail.yaml" "file:$T/tail.ndjson" >/dev/null 2>"$T/tail2.err"
[ $? = 2 ] && grep -q "need --state FILE" "$T/tail2.err" &&
    ok "tail: sinks need a state file" || fail "tail without a state file"

echo "$fails failed"
[ "$fails" -eq 0 ]
