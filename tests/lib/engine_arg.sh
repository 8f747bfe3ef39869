# engine_arg — the ctinsights binary a script is given, checked.  Source
# it, then:  bin=$(engine_arg NAME "USAGE" "$@") || exit 2
# prints the path (./ added to a bare name) or, when it is missing or not
# an executable, says so on stderr as NAME and fails.
engine_arg() { # name usage [path]
    if [ $# -lt 3 ]; then
        echo "usage: $2" >&2
        return 2
    fi
    case $3 in
        */*) set -- "$1" "$2" "$3" "$3" ;;
        *) set -- "$1" "$2" "$3" "./$3" ;;
    esac
    if [ ! -x "$4" ]; then
        echo "$1: $3 is not an executable (build it first: make)" >&2
        return 2
    fi
    echo "$4"
}
