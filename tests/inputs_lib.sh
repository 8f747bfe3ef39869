# Shared by tests/inputs_*.sh (sourced): a scratch folder removed on exit
# with every driver started (add its pid to $pids), a failure count, and
# the record maker.
tmp=$(mktemp -d)
pids=""
cleanup() {
    for p in $pids; do kill -9 "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
fails=0
has() { # description pattern file
    if ! grep -q -- "$2" "$3"; then echo "FAIL: $1: no '$2' in:"; head -c 2000 "$3"; echo; fails=$((fails + 1)); fi
}
rec() { # eventID: one write record, no newline
    printf '{"eventVersion":"1.08","eventID":"%s","eventTime":"2024-03-12T14:07:12Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","awsRegion":"us-east-1","recipientAccountId":"111122223333","readOnly":false,"managementEvent":true}' "$1"
}
