#!/bin/sh
# Runs every test suite against $BUILD (default build/) and ends with the
# line "N passed, N failed".  Suites: cmocka unit tests, golden end-to-end
# cases, order independence, the shared real-data check, and the fast
# extractor against jansson.
set -u
BUILD=${BUILD:-build}
cd "$(dirname "$0")/.." || exit 2
pass=0
fail=0
run() { # name command...
    name=$1; shift
    if "$@" >"$BUILD/tests/$name.log" 2>&1; then
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
    run "golden-$(basename "$c")" sh tests/golden.sh "$BUILD/ctinsights" "$c"
done
run order-independence sh tests/shuffle.sh "$BUILD/ctinsights"
run cli sh tests/cli.sh "$BUILD/ctinsights"
run shared-data sh tests/data_check.sh "$BUILD/ctinsights"
run fast-vs-jansson sh tests/fastdiff.sh "$BUILD"
run threads sh tests/threads.sh "$BUILD/ctinsights"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
