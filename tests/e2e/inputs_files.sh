#!/bin/sh
# The stdin, file and dir inputs end to end, through
# tests/tools/input_driver: stdin to its end; a followed file through
# rotation, copytruncate and a kill -9; a watched folder through an
# inotify queue overflow and a kill -9.  After each restart the driver's
# engine state (driver_records) holds every record exactly once.
set -u
driver=$1
. "$(dirname "$0")/../lib/inputs.sh"
line() { rec "$1"; echo; }
# exactly_once DB ID... : the engine state holds each ID once, and no other.
exactly_once() {
    python3 - "$@" <<'EOF' || { echo "FAIL: records not exactly once"; fails=$((fails + 1)); }
import collections, sqlite3, sys
ids = [r[0] for r in sqlite3.connect(sys.argv[1]).execute("select event_id from driver_records")]
c = collections.Counter(ids)
want = set(sys.argv[2:])
assert set(c) == want, ("missing", sorted(want - set(c))[:5], "extra", sorted(set(c) - want)[:5])
assert all(n == 1 for n in c.values()), [k for k, n in c.items() if n > 1][:5]
EOF
}
wait_for() { # pattern file
    for _ in $(seq 100); do
        grep -q -- "$1" "$2" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "FAIL: timed out waiting for '$1' in $2"; fails=$((fails + 1))
}

# stdin: lines until its end, the last one without a newline too.
{ line s1; line s2; rec s3; } | "$driver" --db "$tmp/stdin.db" - >"$tmp/stdin.out" 2>"$tmp/stdin.err"
exactly_once "$tmp/stdin.db" s1 s2 s3

# file: follow through a rotation and a copytruncate, kill -9, restart.
printf 'sources:\n  file_rotate_wait_ms: 300\n  dir_settle_ms: 200\n' > "$tmp/c.yaml"
f=$tmp/ct.ndjson
line f1 > "$f"
"$driver" --config "$tmp/c.yaml" --db "$tmp/file.db" --checkpoint-ms 100 "file:$f" >"$tmp/file1.out" 2>"$tmp/file1.err" &
pid=$!; pids="$pids $pid"
wait_for "rec $f f1" "$tmp/file1.out"
line f2 >> "$f"
printf '%s' '{"eventID":"half' >> "$f"          # a half-written line
mv "$f" "$f.1"                                 # rotation: rename ...
printf '%s\n' '","eventVersion":"1.08"}' >> "$f.1"  # ... the writer finishes it
line f3 > "$f"                                  # ... and a new file
wait_for "rec $f f3" "$tmp/file1.out"
has "rotated file finished first" "rec $f.1@" "$tmp/file1.out"
has "half line delivered whole" "unit $f.1@" "$tmp/file1.out"
line f4 >> "$f"
wait_for "rec $f@.* f4" "$tmp/file1.out"
cp "$f" "$f.2"; : > "$f"                       # copytruncate
line f5 >> "$f"
wait_for "rec $f f5" "$tmp/file1.out"
has "truncation noticed" "truncated" "$tmp/file1.err"
sleep 0.3                                      # a checkpoint holds f5 now
line f6 >> "$f"
wait_for "f6" "$tmp/file1.out"
kill -9 $pid; wait $pid 2>/dev/null
line f7 >> "$f"
"$driver" --config "$tmp/c.yaml" --db "$tmp/file.db" --idle-exit-ms 800 "file:$f" >"$tmp/file2.out" 2>"$tmp/file2.err"
exactly_once "$tmp/file.db" f1 f2 f3 f4 f5 f6 f7 half

# dir: an inotify queue overflow (the driver stopped while 9000 files
# arrive) is survived by a rescan; kill -9 and restart read nothing twice.
d=$tmp/trail
mkdir -p "$d/AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/12"
"$driver" --config "$tmp/c.yaml" --db "$tmp/dir.db" --checkpoint-ms 100 "dir:$d" >"$tmp/dir1.out" 2>"$tmp/dir1.err" &
pid=$!; pids="$pids $pid"
sleep 0.5
kill -STOP $pid
python3 - "$d/AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/12" <<'EOF'
import gzip, json, sys
for i in range(9000):
    rec = {"eventVersion": "1.08", "eventID": "d%d" % i, "eventTime": "2024-03-12T14:07:12Z",
           "eventSource": "iam.amazonaws.com", "eventName": "CreateUser", "awsRegion": "us-east-1"}
    with gzip.open("%s/111122223333_CloudTrail_us-east-1_20240312T1400Z_%05d.json.gz" % (sys.argv[1], i), "wt") as f:
        json.dump({"Records": [rec]}, f)
EOF
kill -CONT $pid
wait_for "queue overflowed" "$tmp/dir1.err"
for _ in $(seq 100); do
    [ "$(grep -c '^unit ' "$tmp/dir1.out")" -ge 9000 ] && break
    sleep 0.1
done
sleep 0.3
kill -9 $pid; wait $pid 2>/dev/null
ids=$(python3 -c 'print(" ".join("d%d" % i for i in range(9000)))')
"$driver" --config "$tmp/c.yaml" --db "$tmp/dir.db" --idle-exit-ms 800 "dir:$d" >"$tmp/dir2.out" 2>"$tmp/dir2.err"
# shellcheck disable=SC2086
exactly_once "$tmp/dir.db" $ids
[ "$fails" -eq 0 ]
