#!/bin/sh
# Alertmanager end to end: a real Prometheus Alertmanager (Debian
# prometheus-alertmanager) on loopback, routing to a webhook receiver
# (tests/tools/http_sink.py).  score --alert over logs cut before the
# Insights end must leave one firing alert (the two Insights of one
# principal share a page), seen through Alertmanager's API v2 with its
# labels and annotations, and notified to the receiver; a second run over
# the whole logs with the same state must resolve it.
# Usage: sh tests/e2e/alertmanager.sh build/ctinsights
set -u
BIN=${1:?usage: alertmanager.sh CTINSIGHTS}
cd "$(dirname "$0")/../.." || exit 2
AM=$(command -v prometheus-alertmanager || command -v alertmanager)
[ -n "$AM" ] || { echo "prometheus-alertmanager is not installed"; exit 1; }
T=$(mktemp -d)
AM_PID=""
HOOK_PID=""
cleanup() {
    [ -n "$AM_PID" ] && kill "$AM_PID" 2>/dev/null && wait "$AM_PID" 2>/dev/null
    [ -n "$HOOK_PID" ] && kill "$HOOK_PID" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
die() { echo "FAIL: $*"; exit 1; }

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
# wait_for SECONDS COMMAND...: until the command succeeds.
wait_for() {
    n=$(($1 * 10)); shift
    while [ $n -gt 0 ]; do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1; n=$((n - 1))
    done
    return 1
}

python3 tests/tools/http_sink.py --port-file "$T/hook.port" --log "$T/hook.log" \
    --script 200 --max-seconds 120 &
HOOK_PID=$!
wait_for 5 test -s "$T/hook.port" || die "webhook receiver did not start"
HOOK=$(cat "$T/hook.port")
AMPORT=$(free_port)
cat >"$T/am.yml" <<EOF
route:
  receiver: hook
  group_by: [page]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs:
      - url: "http://127.0.0.1:$HOOK/am"
        send_resolved: true
EOF
"$AM" --config.file="$T/am.yml" --storage.path="$T/data" \
    --web.listen-address="127.0.0.1:$AMPORT" --cluster.listen-address= \
    --log.level=warn >"$T/am.log" 2>&1 &
AM_PID=$!
API="http://127.0.0.1:$AMPORT/api/v2"
wait_for 20 curl -sf "http://127.0.0.1:$AMPORT/-/ready" ||
    { cat "$T/am.log"; die "alertmanager did not start"; }

cat >"$T/ct.yaml" <<EOF
alerting: {drain_seconds: 20}
sinks:
  - type: alertmanager
    url: "http://127.0.0.1:$AMPORT/"
    resend_interval: 60
EOF

# The logs up to 14:33, before either Insight (14:30) has ended.
mkdir -p "$T/early"
gzip -dc tests/cases/limit-hit/input/events.ndjson.gz |
    python3 -c '
import json, sys
for line in sys.stdin:
    if json.loads(line)["eventTime"] < "2026-03-11T14:33":
        sys.stdout.write(line)' >"$T/early/events.ndjson"

"$BIN" score --config "$T/ct.yaml" --alert --state "$T/state.db" --no-progress \
    "$T/early" >"$T/early.out" 2>"$T/early.err" || { cat "$T/early.err"; die "first run"; }
grep -q "2 stored (0 already stored), 1 delivered, 1 merged into pages" "$T/early.err" ||
    { cat "$T/early.err"; die "first run did not deliver one page"; }

curl -sf "$API/alerts?active=true" >"$T/alerts.json" || die "cannot query alertmanager"
python3 - "$T/alerts.json" <<'EOF' || die "the firing alert is not as expected"
import json, sys
alerts = json.load(open(sys.argv[1]))
assert len(alerts) == 1, alerts
a = alerts[0]
l = a["labels"]
assert l["alertname"] == "CloudTrailInsight"
assert l["account"] == "111122223333" and l["region"] == "us-east-1"
assert l["eventSource"] == "ec2.amazonaws.com" and l["eventName"] == "RunInstances"
assert l["insightType"] == "ApiCallRateInsight" and l["category"] == "service-limit"
assert l["page"] == "c14bba7a-bcc7-8df1-aa53-a28637c19b82"
assert a["status"]["state"] == "active"
n = a["annotations"]
assert "RunInstances" in n["summary"] and "+1 more" in n["summary"], n
assert "baseline" in n["rates"] and "ci-deployer" in n["attributions"], n
assert "ApiErrorRateInsight" not in n["insights"] and "error rate" in n["insights"], n
assert a["startsAt"].startswith("2026-03-11T14:30:00")
EOF
echo "ok: firing alert in Alertmanager's API with labels and annotations"

# shellcheck disable=SC2016
notified() { # STATUS: the receiver got a notification with that status
    python3 -c '
import json, sys
for l in open(sys.argv[1]):
    b = json.loads(json.loads(l)["body"])
    if b["status"] == sys.argv[2] and b["alerts"][0]["labels"]["alertname"] == "CloudTrailInsight":
        sys.exit(0)
sys.exit(1)' "$T/hook.log" "$1"
}
wait_for 15 notified firing || die "the receiver got no firing notification"
echo "ok: the receiver was notified (firing)"

"$BIN" score --config "$T/ct.yaml" --alert --state "$T/state.db" --no-progress \
    tests/cases/limit-hit/input >"$T/full.out" 2>"$T/full.err" || { cat "$T/full.err"; die "second run"; }
grep -q "2 stored (2 already stored), 1 delivered, 1 merged into pages" "$T/full.err" ||
    { cat "$T/full.err"; die "second run did not resolve one page"; }
curl -sf "$API/alerts?active=true" >"$T/alerts2.json" || die "cannot query alertmanager"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); assert a == [], a' "$T/alerts2.json" ||
    die "the alert is still active after its End"
wait_for 15 notified resolved || die "the receiver got no resolved notification"
echo "ok: resolved in Alertmanager and notified"
echo "0 failed"
