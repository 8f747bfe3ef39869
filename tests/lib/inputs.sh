# inputs — shared by tests/e2e/inputs_*.sh (sourced): tests/lib/e2e.sh (a
# scratch folder removed on exit with every driver started: add its pid to
# $pids; a failure count) and the record maker.
. "$(dirname "$0")/../lib/e2e.sh"
rec() { # eventID: one write record, no newline
    printf '{"eventVersion":"1.08","eventID":"%s","eventTime":"2024-03-12T14:07:12Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","awsRegion":"us-east-1","recipientAccountId":"111122223333","readOnly":false,"managementEvent":true}' "$1"
}
