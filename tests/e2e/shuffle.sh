#!/bin/sh
# Order independence: the records of a golden case, in every order and shape
# they really arrive in (tests/tools/reorder.py: time order, newest first,
# shuffled over four file shapes, an S3 tree of files each newest first,
# LookupEvents pages newest first as files and as lines, copies delivered
# twice), and on standard input forward and reversed, must give exactly the
# case's expected Insights; so must the shuffled files named in reverse
# order.  The summary says when the input was sorted and counts copies.
set -eu
. "$(dirname "$0")/../lib/e2e.sh"
bin=$1
same() { # label got
    if ! cmp -s "$want" "$2"; then
        echo "FAIL: $case: $1:"; diff -u "$want" "$2" | head -n 20; fails=$((fails + 1))
    fi
}
seed=0
for case in iam-burst limit-hit job-gap; do
    seed=$((seed + 1))
    want=$here/cases/$case/expected.ndjson
    rm -rf "$tmp/in"
    python3 "$here/tools/reorder.py" "$here/cases/$case/input/events.ndjson.gz" "$tmp/in" "$seed"
    for v in forward reversed shuffled file-reversed lookup-pages lookup-lines duplicated; do
        "$bin" score --no-progress "$tmp/in/$v" > "$tmp/got" 2> "$tmp/err"
        same "$v" "$tmp/got"
    done
    grep -q "read twice, the second time sorted" "$tmp/err" ||
        { echo "FAIL: $case: the summary does not say the input was sorted"; fails=$((fails + 1)); }
    grep -q "duplicate  *[1-9]" "$tmp/err" ||
        { echo "FAIL: $case: the summary does not count the copies"; fails=$((fails + 1)); }
    "$bin" score --quiet --no-progress "$tmp/in/shuffled/p3.json" "$tmp/in/shuffled/p2.json.gz" \
        "$tmp/in/shuffled/p1.ndjson.gz" "$tmp/in/shuffled/p0.ndjson" > "$tmp/got"
    same "shuffled files named in reverse order" "$tmp/got"
    for v in forward reversed; do
        "$bin" score --quiet --no-progress - < "$tmp/in/$v/events.ndjson" > "$tmp/got"
        same "standard input, $v" "$tmp/got"
    done
    "$bin" score --quiet --no-progress - < "$tmp/in/lookup-lines/pages.ndjson" > "$tmp/got"
    same "LookupEvents pages on standard input" "$tmp/got"
done
[ "$fails" -eq 0 ] || exit 1
echo "every order and shape gives the same Insights"
