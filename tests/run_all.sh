#!/bin/sh
# Runs every test suite against $BUILD (default build/) and ends with the
# line "N passed, N failed".  Suites: cmocka unit tests, golden end-to-end
# cases, order independence, CLI, the live inputs end to end (input_driver
# on loopback), the tail daemon (and kill -9 at random points; fed an S3
# sync in CloudTrail's delivery order, with restarts, against score), a tree
# of hostile files (loops, links, FIFOs, devices) beside a good one, alert
# delivery (scripted HTTP servers and a real Alertmanager on loopback), the
# shared real-data check, and the fast extractor against jansson.
set -u
BUILD=${BUILD:-build}
cd "$(dirname "$0")/.." || exit 2
pass=0
fail=0
run() { # name command...
    name=$1; shift
    if timeout "${TEST_TIMEOUT:-600}" "$@" >"$BUILD/tests/$name.log" 2>&1; then
        pass=$((pass + 1)); echo "ok   $name"
    else
        fail=$((fail + 1)); echo "FAIL $name (log: $BUILD/tests/$name.log)"
        sed 's/^/     | /' "$BUILD/tests/$name.log" | tail -n 30
    fi
}
mkdir -p "$BUILD/tests"
for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    run "$(basename "$t")" "$t"
done
for c in tests/cases/*/; do
    run "golden-$(basename "$c")" sh tests/e2e/golden.sh "$BUILD/ctinsights" "$c"
done
run order-independence sh tests/e2e/shuffle.sh "$BUILD/ctinsights"
run cli sh tests/e2e/cli.sh "$BUILD/ctinsights"
run inputs-files sh tests/e2e/inputs_files.sh "$BUILD/tests/input_driver"
run inputs-http sh tests/e2e/inputs_http.sh "$BUILD/tests/input_driver"
run tail sh tests/e2e/tail.sh "$BUILD/ctinsights"
run tail-crash sh tests/e2e/tail_crash.sh "$BUILD/ctinsights"
run tail-delivery sh tests/e2e/tail_delivery.sh "$BUILD/ctinsights"
run hostile-tree sh tests/e2e/hostile_tree.sh "$BUILD/ctinsights"
run alerts sh tests/e2e/alerts.sh "$BUILD/ctinsights"
run alertmanager sh tests/e2e/alertmanager.sh "$BUILD/ctinsights"
run shared-data sh tests/e2e/data_check.sh "$BUILD/ctinsights"
run fast-vs-jansson sh tests/e2e/fastdiff.sh "$BUILD"
run threads sh tests/e2e/threads.sh "$BUILD/ctinsights"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
