#!/bin/sh
# One golden end-to-end case: tests/cases/NAME/ holds
#   command         optional: the subcommand (default score)
#   args            arguments after `ctinsights CMD --quiet --no-progress`,
#                   one per line, paths relative to the case folder
#   input/...       the logs (generated or real excerpts)
#   config.yaml     optional, passed as --config when present
#   expected.ndjson the whole expected stdout
#   expected.stderr optional, the whole expected stderr (messages)
#   expected.rc     optional, the exit status (default 0)
# Set UPDATE=1 to rewrite the expected files from the current output.
set -eu
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
case_dir=$2
cd "$case_dir"
set --
if [ -f args ]; then
    while IFS= read -r a; do [ -n "$a" ] && set -- "$@" "$a"; done < args
fi
[ -f config.yaml ] && set -- --config config.yaml "$@"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cmd=score
[ -f command ] && cmd=$(cat command)
rc=0
"$bin" "$cmd" --quiet --no-progress "$@" >"$out/stdout" 2>"$out/stderr" || rc=$?
want_rc=0
[ -f expected.rc ] && want_rc=$(cat expected.rc)
if [ "${UPDATE:-0}" = 1 ]; then
    cp "$out/stdout" expected.ndjson
    [ -s "$out/stderr" ] && cp "$out/stderr" expected.stderr
    [ "$rc" -ne 0 ] && echo "$rc" > expected.rc
    exit 0
fi
status=0
if ! diff -u expected.ndjson "$out/stdout"; then status=1; fi
if [ -f expected.stderr ]; then
    diff -u expected.stderr "$out/stderr" || status=1
elif [ -s "$out/stderr" ]; then
    echo "unexpected stderr:"; cat "$out/stderr"; status=1
fi
if [ "$rc" -ne "$want_rc" ]; then
    echo "exit status $rc, expected $want_rc"; status=1
fi
exit $status
