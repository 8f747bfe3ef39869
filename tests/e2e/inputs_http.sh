#!/bin/sh
# The http input end to end, through tests/tools/input_driver on loopback:
# the token (401/403), bad bodies (400), size limits (413), content types
# (415), methods (405), every sender's body shape, the Firehose answer,
# 503 while the engine refuses, /metrics, slow clients cut off without
# blocking others, and a kill -9 right after 200s: after a restart every
# record is in the engine's state exactly once.
set -u
driver=$1
. "$(dirname "$0")/../lib/inputs.sh"
check() { # description expected actual
    if [ "$2" != "$3" ]; then echo "FAIL: $1: got '$3', expected '$2'"; fails=$((fails + 1)); fi
}

export CTINSIGHTS_HTTP_TOKEN=test-token-0123456789abcdef
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
printf 'sources:\n  http_max_body_bytes: 64K\n  http_timeout_seconds: 2\n' > "$tmp/c.yaml"
mkdir "$tmp/state"

start() { # log-name extra-options...
    name=$1; shift
    "$driver" --config "$tmp/c.yaml" --db "$tmp/st.db" --state "$tmp/state" \
        --refuse-while "$tmp/refuse" "$@" "$url" >"$tmp/$name.out" 2>"$tmp/$name.err" &
    pid=$!
    pids="$pids $pid"
    for _ in $(seq 50); do
        grep -q listening "$tmp/$name.err" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "FAIL: driver did not start:"; cat "$tmp/$name.err"; exit 1
}
json_str() { python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))'; }
post() { # out-file curl-args... ; prints the status
    out=$1; shift
    curl -s -o "$out" -D "$out.h" -w '%{http_code}' -H 'Content-Type: application/json' "$@" "$url/"
}
auth="Authorization: Bearer $CTINSIGHTS_HTTP_TOKEN"

start run1 --checkpoint-ms 600000

# The token is required; its absence and a wrong one are told apart.
check "no token" 401 "$(post "$tmp/r" --data-binary "{\"Records\":[$(rec x)]}")"
has "401 names the headers" "Bearer TOKEN" "$tmp/r"
has "401 says how" "WWW-Authenticate: Bearer" "$tmp/r.h"
check "wrong token" 403 "$(post "$tmp/r" -H 'Authorization: Bearer wrong' --data-binary '{}')"
check "wrong firehose key" 403 "$(post "$tmp/r" -H 'X-Amz-Firehose-Access-Key: wrong' --data-binary '{}')"

# Bad bodies: 400 with the reason; the engine gets nothing.
check "bad base64" 400 "$(post "$tmp/r" -H "$auth" --data-binary 'aGVsb')"
has "bad base64 said" "not JSON, gzip or base64" "$tmp/r"
printf 'not gzip' > "$tmp/bad.gz"
check "bad gzip" 400 "$(post "$tmp/r" -H "$auth" -H 'Content-Encoding: gzip' --data-binary @"$tmp/bad.gz")"
rec g | gzip | head -c 30 > "$tmp/cut.gz"
check "cut gzip" 400 "$(post "$tmp/r" -H "$auth" --data-binary @"$tmp/cut.gz")"
check "not json" 400 "$(post "$tmp/r" -H "$auth" --data-binary '{"Records":[')"
check "firehose bad record" 400 "$(post "$tmp/r" -H "$auth" -H 'X-Amz-Firehose-Request-Id: fh-bad' \
    --data-binary '{"requestId":"fh-bad","timestamp":1,"records":[{"data":"@@"}]}')"
python3 - "$tmp/r" fh-bad <<'EOF' || fails=$((fails + 1))
import json, sys
r = json.load(open(sys.argv[1]))
assert r["requestId"] == sys.argv[2] and isinstance(r["timestamp"], int) and r["errorMessage"], r
EOF
head -c 100000 /dev/zero | tr '\0' ' ' > "$tmp/big"
check "oversized body" 413 "$(post "$tmp/r" -H "$auth" --data-binary @"$tmp/big")"
check "oversized chunked body" 413 "$(post "$tmp/r" -H "$auth" -H 'Transfer-Encoding: chunked' --data-binary @"$tmp/big")"
check "form content type" 415 "$(curl -s -o "$tmp/r" -w '%{http_code}' -H "$auth" -d 'a=1' "$url/")"
check "unknown encoding" 415 "$(post "$tmp/r" -H "$auth" -H 'Content-Encoding: br' --data-binary '{}')"
check "GET on ingest" 405 "$(curl -s -o "$tmp/r" -w '%{http_code}' -H "$auth" "$url/")"

# Every sender's shape is accepted and its records arrive.
check "records document" 200 "$(post "$tmp/r" -H "$auth" --data-binary "{\"Records\":[$(rec r1),$(rec r2)]}")"
check "eventbridge event" 200 "$(post "$tmp/r" -H "$auth" --data-binary \
    "{\"version\":\"0\",\"detail-type\":\"AWS API Call via CloudTrail\",\"source\":\"aws.iam\",\"detail\":$(rec eb1)}")"
check "eventbridge array" 200 "$(post "$tmp/r" -H "$auth" --data-binary \
    "[{\"detail-type\":\"x\",\"detail\":$(rec eb2)},{\"detail-type\":\"x\",\"detail\":$(rec eb3)}]")"
cwl="{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"111122223333\",\"logGroup\":\"ct\",\"logStream\":\"s\",\"subscriptionFilters\":[\"f\"],\"logEvents\":[{\"id\":\"1\",\"timestamp\":1,\"message\":$(rec cw1 | json_str)}]}"
printf '%s' "$cwl" | gzip > "$tmp/cwl.gz"
check "cloudwatch logs gzip body" 200 "$(post "$tmp/r" -H "$auth" -H 'Content-Type: application/octet-stream' --data-binary @"$tmp/cwl.gz")"
cwl2=$(printf '%s' "$cwl" | sed 's/cw1/cw2/' | gzip | base64 -w0)
check "cloudwatch logs base64 body" 200 "$(post "$tmp/r" -H "$auth" --data-binary "$cwl2")"
cwl3=$(printf '%s' "$cwl" | sed 's/cw1/cw3/' | gzip | base64 -w0)
check "lambda awslogs event" 200 "$(post "$tmp/r" -H "$auth" --data-binary "{\"awslogs\":{\"data\":\"$cwl3\"}}")"
d1=$(printf '%s' "$cwl" | sed 's/cw1/fh1/' | gzip | base64 -w0)
d2=$(rec fh2 | base64 -w0)
check "firehose delivery" 200 "$(post "$tmp/r" -H "X-Amz-Firehose-Access-Key: $CTINSIGHTS_HTTP_TOKEN" \
    -H 'X-Amz-Firehose-Request-Id: fh-ok' -H 'X-Amz-Firehose-Protocol-Version: 1.0' \
    --data-binary "{\"requestId\":\"fh-ok\",\"timestamp\":1578090901599,\"records\":[{\"data\":\"$d1\"},{\"data\":\"$d2\"}]}")"
python3 - "$tmp/r" fh-ok <<'EOF' || fails=$((fails + 1))
import json, sys
r = json.load(open(sys.argv[1]))
assert set(r) == {"requestId", "timestamp"} and r["requestId"] == sys.argv[2] and isinstance(r["timestamp"], int), r
EOF
has "firehose answer is JSON" "Content-Type: application/json" "$tmp/r.h"
rec nd1 > "$tmp/nd"; echo >> "$tmp/nd"; rec nd2 >> "$tmp/nd"; echo >> "$tmp/nd"
check "ndjson body" 200 "$(post "$tmp/r" -H "$auth" -H 'Content-Type: application/x-ndjson' --data-binary @"$tmp/nd")"

# 503 while the engine refuses, and the sender's retry then succeeds.
touch "$tmp/refuse"
check "engine refuses" 503 "$(post "$tmp/r" -H "$auth" --data-binary "{\"Records\":[$(rec busy1)]}")"
has "503 says when" "Retry-After: 1" "$tmp/r.h"
rm "$tmp/refuse"
check "retry accepted" 200 "$(post "$tmp/r" -H "$auth" --data-binary "{\"Records\":[$(rec busy1)]}")"

# /metrics: the daemon's text, then the input's counters; token required.
check "metrics without token" 401 "$(curl -s -o "$tmp/m" -w '%{http_code}' "$url/metrics")"
check "metrics" 200 "$(curl -s -o "$tmp/m" -D "$tmp/m.h" -w '%{http_code}' -H "$auth" "$url/metrics")"
has "daemon metrics served" "^ctinsights_driver_units 9$" "$tmp/m"
has "request counters" 'outcome="bad_body"} 5' "$tmp/m"
has "prometheus content type" "text/plain; version=0.0.4" "$tmp/m.h"

# Slow clients: headers trickling in never finish; others are served at
# once, and the slow ones are cut off after http_timeout_seconds.
python3 - "$port" "$CTINSIGHTS_HTTP_TOKEN" <<'EOF' || fails=$((fails + 1))
import socket, sys, time, urllib.request
port, token = int(sys.argv[1]), sys.argv[2]
slow = []
for i in range(5):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")
    slow.append(s)
t0 = time.time()
req = urllib.request.Request("http://127.0.0.1:%d/" % port, method="POST",
    data=b'{"Records":[]}', headers={"Authorization": "Bearer " + token,
                                     "Content-Type": "application/json"})
assert urllib.request.urlopen(req, timeout=5).status == 200
assert time.time() - t0 < 1.0, "a slow client delayed another"
deadline = time.time() + 6
for s in slow:
    s.settimeout(0.2)
    closed = False
    while time.time() < deadline and not closed:
        try:
            s.sendall(b"X-Slow: 1\r\n")
            closed = s.recv(100) == b""
        except socket.timeout:
            time.sleep(0.3)
        except OSError:
            closed = True
    assert closed, "a slow client was never cut off"
EOF

# Durability: every 200 above was spooled; kill -9 before any checkpoint,
# restart, and the engine state holds every record exactly once.
kill -9 $pid
wait $pid 2>/dev/null
start run2 --checkpoint-ms 100 --idle-exit-ms 1500
wait $pid
has "replayed after restart" "unit http:fh-ok" "$tmp/run2.out"
start run3 --checkpoint-ms 100 --idle-exit-ms 500
wait $pid
python3 - "$tmp/st.db" <<'EOF' || fails=$((fails + 1))
import collections, sqlite3, sys
ids = [r[0] for r in sqlite3.connect(sys.argv[1]).execute("select event_id from driver_records")]
want = {"r1", "r2", "eb1", "eb2", "eb3", "cw1", "cw2", "cw3", "fh1", "fh2", "nd1", "nd2", "busy1"}
c = collections.Counter(ids)
assert set(c) == want, sorted(set(c) ^ want)
assert all(n == 1 for n in c.values()), c
EOF
n=$(ls "$tmp/state"/http-*/ | wc -l)
[ "$n" -le 1 ] || { echo "FAIL: consumed spool files kept: $n"; fails=$((fails + 1)); }
if grep -q "$CTINSIGHTS_HTTP_TOKEN" "$tmp"/*.err; then echo "FAIL: the token was logged"; fails=$((fails + 1)); fi
[ "$fails" -eq 0 ]
