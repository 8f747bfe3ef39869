#!/bin/sh
# tail fed an S3 sync as CloudTrail really delivers it must decide what
# score decides.  benchmarks/gen_delivery.py lays 15 days of a small
# organisation (1 account x 2 regions; on the last day an IAM burst and
# RunInstances hitting the instance limit) out as delivered: a file per
# account/region about every 5 minutes, each event's lag up to 15 minutes,
# records and whole files now and then delivered twice.  The first 14 days
# are scored with `score --state` (a warm start); the last day is put into
# a watched folder by benchmarks/feed_delivery.py in delivery order, in
# bursts, while `tail --state dir:FOLDER` follows it: once uninterrupted,
# once killed with SIGKILL 5 times and restarted.  Checked:
#   - score over the delivered files (duplicates in them) gives the
#     Insights of every record once (gen_delivery's events.ndjson);
#   - each tail run's records (with the warm start's) are score's over
#     the same files, byte for byte after sorting, as far as tail has
#     decided (tests/tools/compare_insights.py: Starts decided, Ends ending,
#     before 60 minutes ahead of the newest event delivered), and so is
#     the number of maintenance-gap Starts;
#   - the run with restarts wrote the uninterrupted run's records;
#   - the summary's duplicate count is the copies of counted records
#     delivered (score: all; tail: the live day's).
set -u
. "$(dirname "$0")/../lib/e2e.sh"
bin=$(abs "$1")
cd "$tmp"
# Run a comparison; each "FAIL:" line it prints is a failed check.
compare() {
    python3 "$here/tools/compare_insights.py" "$@" > cmp.txt
    cat cmp.txt
    fails=$((fails + $(grep -c '^FAIL' cmp.txt)))
}
# The duplicate count of the last summary in a log, if any.
dup_count() {
    grep '^ctinsights:   duplicate ' "$1" | tail -n 1 | awk '{print $3}'
}
meta() { # a field of gen/gen_delivery.meta (dotted path)
    python3 -c 'import json, sys
v = json.load(open("gen/gen_delivery.meta"))
for k in sys.argv[1].split("."): v = v[k]
print(v)' "$1"
}

python3 "$root/benchmarks/gen_delivery.py" --out gen --seed 42 --accounts 1 --regions us-east-1,eu-west-1 \
    --days 15 --history-days 14 --burst --burst-day 14 --dup-files 0.01 --ndjson 2> gen.err ||
    { cat gen.err; exit 1; }
cat gen.err
# The state is saved every second (the feeder waits for the last files to
# be listed as read in it).  Time runs ~1000 times faster than the wall
# clock here: files the daemon finds by a scan (at a start, in a new day's
# folder) would settle for 2 s, hours of delivery at this pace, while later
# files overtook them under inotify; they are renamed in whole, so no
# settling is needed (see feed_delivery.py).
printf 'tail:\n  checkpoint_seconds: 1\nsources:\n  dir_settle_ms: 0\n' > cfg.yaml
# Compare what is decided before an hour ahead of the newest event delivered.
cutoff=$(python3 -c 'import sys, datetime as d
t = d.datetime.strptime(sys.argv[1], "%Y-%m-%dT%H:%M:%SZ") - d.timedelta(minutes=60)
print(t.strftime("%Y-%m-%dT%H:%M:00Z"))' "$(meta parts.live.newestEvent)")

# The reference: score over every delivered file, history and live.
"$bin" score --config cfg.yaml gen/history gen/live > score.ndjson 2> score.err || fail "score exited $?"
# Duplicates count once: score over every record once says the same.
"$bin" score --config cfg.yaml gen/events.ndjson > once.ndjson 2> once.err || fail "score of events.ndjson exited $?"
compare --cutoff 2100-01-01T00:00:00Z --want once.ndjson --want-label "every record once" \
    --got score.ndjson --label "score as delivered"
# The live day's injected bursts (an IAM burst, RunInstances hitting the
# instance limit) are what tail must decide as score does.
for api in CreateUser RunInstances; do
    grep -q "\"state\":\"Start\",\"eventSource\":\"[a-z0-9]*.amazonaws.com\",\"eventName\":\"$api\"" score.ndjson ||
        fail "score found no Start for the live day's $api burst"
done
n=$(dup_count score.err)
if [ -z "$n" ]; then
    fail "score's summary does not count the duplicates"
else
    want=$(( $(meta parts.history.countedDuplicateCopies) + $(meta parts.live.countedDuplicateCopies) ))
    [ "$n" -eq "$want" ] || fail "score counted $n duplicates, $want were delivered"
fi

run() { # name kills tick description
    "$bin" score --config cfg.yaml --state "$1.db" gen/history > "$1.hist" 2> "$1.hist.err" ||
        fail "$4: score --state exited $?"
    python3 "$root/benchmarks/feed_delivery.py" --from gen --to "$1.w" --part live --tick "$3" --pause 0.01 \
        --tail "$bin" --state "$1.db" --output "$1.out" --config cfg.yaml --kills "$2" --kill-seed 7 \
        --log "$1.log" 2> "$1.feed" || fail "$4: the feeder or the daemon failed"
    cat "$1.feed"
    late=$(grep '^ctinsights:   late ' "$1.log" | tail -n 1 | awk '{print $3}')
    echo "$4: late events (the last start's summary): ${late:-0}"
    grep 'watermark:' "$1.log" | tail -n 1
    compare --cutoff "$cutoff" --want score.ndjson --got "$1.hist" "$1.out" --label "$4"
}
run once 0 300 "tail, uninterrupted"
n=$(dup_count once.log)
if [ -z "$n" ]; then
    fail "tail's summary does not count the duplicates"
else
    want=$(meta parts.live.countedDuplicateCopies)
    [ "$n" -eq "$want" ] || fail "tail counted $n duplicates, $want were delivered in the live day"
fi
run kill 5 120 "tail, 5 SIGKILL restarts"
sort once.out > once.sorted
sort kill.out > kill.sorted
if ! cmp -s once.sorted kill.sorted; then
    fail "with restarts tail wrote other records than uninterrupted: $(comm -23 once.sorted kill.sorted | wc -l) only uninterrupted, $(comm -13 once.sorted kill.sorted | wc -l) only with restarts"
fi

finish tail-delivery
