# e2e — what the end-to-end tests (tests/e2e/*.sh) share.  Source it first:
#     . "$(dirname "$0")/../lib/e2e.sh"
# It sets here (the tests folder), root (the repository) and tmp (a scratch
# folder); at exit every process listed in $pids is killed and tmp removed
# (made writable first: tests take permissions away).  fails counts the
# failures that fail, check and has report; finish NAME ends the script with
# the verdict.
here=$(cd "$(dirname "$0")/.." && pwd)
root=$(dirname "$here")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ctinsights-test.XXXXXX")
pids=""
e2e_cleanup() {
    for p in $pids; do kill -9 "$p" 2>/dev/null; done
    chmod -R u+rwx "$tmp" 2>/dev/null
    rm -rf "$tmp"
}
trap e2e_cleanup EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
check() { # description expected-rc actual-rc
    if [ "$2" -ne "$3" ]; then fail "$1 (exit $3, expected $2)"; fi
}
has() { # description pattern file
    if ! grep -q -- "$2" "$3"; then fail "$1: no '$2' in:"; head -c 3000 "$3"; echo; fi
}
same() { # description want got
    cmp -s "$2" "$3" || { fail "$1:"; diff "$2" "$3" | head -c 3000; echo; }
}
# The absolute path of file $1 (a test may cd away).
abs() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
finish() { # name
    [ "$fails" -eq 0 ] && echo "$1: all checks passed"
    [ "$fails" -eq 0 ]
}
