#!/bin/sh
# A tree of logs with hostile entries beside the good file: `score` and a
# `tail` dir: source give exactly the good file's Insights, read its records
# once, report each hostile entry by name (a loop once), and finish (a FIFO
# is never opened).  The good file is iam-burst's; beside it: a FIFO, links
# to /dev/zero and /dev/urandom, a dangling link, files and a folder with
# no read permission, an empty file, a truncated .json.gz, a .gz that is
# not gzip, binary garbage named .json, a huge single line, `ln -s .. loop`,
# a link and a hard link to the good file, and a link to a folder elsewhere
# holding a link to it; the good file also named on the command line.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
bin=$(abs "$1")
cd "$tmp" || exit 2
lines() { # description count pattern file: the pattern on exactly count lines
    n=$(grep -c -- "$3" "$4")
    [ "$n" -eq "$2" ] || { fail "$1: '$3' on $n lines, expected $2, in:"; head -c 4000 "$4"; echo; }
}
want="$here/cases/iam-burst/expected.ndjson"
good="$here/cases/iam-burst/input/events.ndjson.gz"
uid=$(id -u)

# ---- the tree
mkdir -p t/good t/locked elsewhere
cp "$good" t/good/events.ndjson.gz
(cd t/good && ln -s .. loop)                      # the loop
ln -s good/events.ndjson.gz t/link.json.gz        # a link to the good file
ln t/good/events.ndjson.gz t/hard.json.gz         # a hard link to it
ln -s ../t/good/events.ndjson.gz elsewhere/alias.json.gz
ln -s ../elsewhere t/away                         # a folder elsewhere, linking to it
mkfifo t/fifo.json
ln -s /dev/zero t/zero.json
ln -s /dev/urandom t/urandom.json.gz
ln -s /nonexistent/x.json t/dangling.json
echo '{"Records":[]}' > t/noperm.json
chmod 000 t/noperm.json
echo '{"Records":[]}' > t/locked/a.json
chmod 000 t/locked
: > t/empty.json
echo 'hello, not gzip' > t/notgz.gz
head -c 4096 /dev/urandom > t/garbage.json
python3 - <<'PY'
import gzip, json
# Records with no event fields, gzip'd and cut off: skipped, never counted.
body = json.dumps({"Records": [{"eventVersion": "1.08", "n": i} for i in range(5000)]})
gz = gzip.compress(body.encode())
open("t/trunc.json.gz", "wb").write(gz[: len(gz) // 2])
# One line of 3 MB, a record larger than input.max_record_bytes.
open("t/huge.json", "w").write(json.dumps({"eventVersion": "1.08", "x": "a" * 3000000}) + "\n")
PY

# ---- score, on all threads and on one: exactly the good file's Insights
for threads in 0 1; do
    targs=""
    [ "$threads" -eq 1 ] && targs="--threads 1"
    # shellcheck disable=SC2086
    timeout 60 "$bin" score --quiet --no-progress $targs t > o.$threads 2> e.$threads
    rc=$?
    [ "$rc" -eq 0 ] || fail "score ($threads threads) exit $rc"
    same "score of the tree ($threads threads) is the good file's" "$want" o.$threads
done
same "messages do not depend on the thread count" e.0 e.1

timeout 60 "$bin" score --no-progress t "$tmp/t/good/events.ndjson.gz" elsewhere/alias.json.gz \
    > o 2> e || fail "score with the good file named too: exit $?"
same "the good file named again and linked from elsewhere" "$want" o
lines "the good file's records, once" 1 "records: 1957 counted for call rate, 27 for error rate" e
lines "the loop, reported once" 1 "t/good/loop: loop: leads back to t, a folder the walk is in; passed over" e
lines "the loop counted once" 1 "passed over loop  *1$" e
lines "the links and the hard link read once" 1 "passed over same_file  *5$" e
lines "the link to the good file" 1 "t/link.json.gz: same_file:" e
lines "the hard link" 1 "t/hard.json.gz: same_file:" e
lines "the good file, read first through t/away" 1 "^ctinsights: t/good/events.ndjson.gz: same_file:" e
lines "the good file named" 1 "^ctinsights: $tmp/t/good/events.ndjson.gz: same_file:" e
lines "the link named" 1 "^ctinsights: elsewhere/alias.json.gz: same_file:" e
lines "the FIFO" 1 "t/fifo.json: not_a_file: a FIFO, not a regular file; passed over" e
lines "/dev/zero" 1 "t/zero.json: not_a_file: a character device, not a regular file; passed over" e
lines "/dev/urandom" 1 "t/urandom.json.gz: not_a_file: a character device" e
lines "special files counted" 1 "passed over not_a_file  *3$" e
lines "the dangling link" 1 "t/dangling.json (byte 0): read_error: cannot follow symbolic link: No such file" e
lines "the empty file" 1 "t/empty.json: empty: an empty file; passed over" e
lines "the truncated gzip" 1 "t/trunc.json.gz (byte [0-9]*): truncated: gzip data ends early" e
lines "the .gz that is not gzip" 1 "t/notgz.gz:1:1 (byte 0): not_cloudtrail:" e
lines "the garbage" 1 "t/garbage.json:1:1 (byte 0): not_cloudtrail:" e
lines "the huge line" 1 "t/huge.json:1:1 (byte 0): oversized:" e
if [ "$uid" -ne 0 ]; then # root reads them all the same
    lines "the file without permission" 1 "t/noperm.json (byte 0): read_error: cannot open: Permission denied" e
    lines "the folder without permission" 1 "t/locked (byte 0): read_error: cannot read folder: Permission denied" e
    lines "read errors counted" 1 "skipped read_error  *3$" e
else
    lines "read errors counted" 1 "skipped read_error  *1$" e
fi

# ---- out of time order across files, so read twice: told once all the same
mkdir -p s/x
zcat "$good" > all.ndjson
n=$(wc -l < all.ndjson)
tail -n $((n / 2)) all.ndjson > s/a.json   # the later half first
head -n $((n - n / 2)) all.ndjson > s/b.json
: > s/empty.json
ln -s .. s/x/loop
for threads in 0 1; do
    targs=""
    [ "$threads" -eq 1 ] && targs="--threads 1"
    # shellcheck disable=SC2086
    timeout 60 "$bin" score --no-progress $targs s > os 2> es || fail "score of s: exit $?"
    same "a tree read twice ($threads threads)" "$want" os
    lines "read twice" 1 "read twice, the second time sorted" es
    lines "the empty file, told once" 1 "s/empty.json: empty:" es
    lines "the loop, told once" 1 "s/x/loop: loop:" es
    lines "the loop, counted once in the pass that counts" 1 "passed over loop  *1$" es
done

# ---- tail with a dir: source: the same rules
printf 'sources:\n  dir_settle_ms: 100\n  dir_incomplete_ms: 300\n' > fast.yaml
"$bin" tail --config fast.yaml --state d.db --output od dir:t 2> ed & p=$!; pids="$pids $p"
i=0
while { [ ! -f od ] || [ "$(wc -l < od)" -lt 6 ] || ! grep -q trunc.json.gz ed; } && [ $i -lt 200 ]; do
    sleep 0.1; i=$((i + 1))
done
sleep 0.5
kill -TERM $p; wait $p || fail "tail exit $?"
same "a watched tree is the good file's" "$want" od
lines "tail: the good file's records, once" 1 "records: 1957 counted for call rate, 27 for error rate" ed
lines "tail: the loop, reported once" 1 "t/good/loop: loop:" ed
lines "tail: the links read once" 1 "passed over same_file  *3$" ed
lines "tail: the FIFO" 1 "t/fifo.json: not_a_file: a FIFO" ed
lines "tail: special files" 1 "passed over not_a_file  *3$" ed
lines "tail: the dangling link" 1 "t/dangling.json (byte 0): read_error: cannot follow symbolic link" ed
lines "tail: the empty file" 1 "t/empty.json: empty:" ed
lines "tail: the truncated gzip" 1 "t/trunc.json.gz (byte [0-9]*): truncated:" ed

# A link to the folder and to the good file, made while it runs, and a
# restart: nothing is read again.
"$bin" tail --config fast.yaml --state d.db --output od2 dir:t 2> ed2 & p=$!; pids="$pids $p"
sleep 0.5
ln -s good t/0-linked
ln -s good/events.ndjson.gz t/new-link.json.gz
sleep 1
kill -TERM $p; wait $p || fail "tail exit $?"
[ ! -s od2 ] || { fail "links made later were read again:"; head -c 2000 od2; echo; }
lines "tail: nothing read again" 1 "records: 0 counted" ed2

finish hostile_tree
