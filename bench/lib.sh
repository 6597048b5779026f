# bench/lib.sh — sourced by bench/run and each bench/<part>: the repository root, the release
# build, the lab (brought up only when down, taken down again only by whoever brought it up),
# the scratch directory and the results file that bench/table.py prints.
#
# A part run alone does all of this itself and prints its own rows; under bench/run (which
# exports BENCH_RESULTS and BENCH_READY) it only measures.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)
cd "$REPO_ROOT"
export PATH=/opt/swift/usr/bin:$PATH

bench_say() { printf 'bench: %s\n' "$*" >&2; }

# The lab components this process started, taken down again at exit.
BENCH_STARTED=()
BENCH_OWN_RESULTS=false

bench_exit() {
    local status=$?
    if ((${#BENCH_STARTED[@]} > 0)); then
        bench_say "taking down what this run brought up: ${BENCH_STARTED[*]}"
        scripts/lab down "${BENCH_STARTED[@]}" || true
    fi
    if $BENCH_OWN_RESULTS && [[ -s $BENCH_RESULTS ]]; then
        python3 "$BENCH_DIR/table.py" "$BENCH_RESULTS" || true
    fi
    [[ -n ${BENCH_WORK:-} && ${BENCH_WORK_OWN:-false} == true ]] && rm -rf "$BENCH_WORK"
    exit "$status"
}

# bench_begin COMPONENT...: the release build, the lab components named up (starting only
# those that are down), the lab's settings in the environment, a scratch directory.
bench_begin() {
    trap bench_exit EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    if [[ -z ${BENCH_READY:-} ]]; then
        bench_say "release build..."
        swift build -c release >/dev/null
        local component
        for component in "$@"; do
            if ! scripts/lab status "$component" >/dev/null 2>&1; then
                bench_say "lab component $component is not up: bringing it up (and down again at the end)"
                BENCH_STARTED+=("$component")
                scripts/lab up "$component"
            fi
        done
    fi
    export BIN=${BIN:-$(swift build -c release --show-bin-path)}
    eval "$(scripts/lab env)"
    if [[ -z ${BENCH_WORK:-} ]]; then
        BENCH_WORK=$(mktemp -d /tmp/kubectl-certs-bench.XXXXXX)
        BENCH_WORK_OWN=true
        export BENCH_WORK
    fi
    if [[ -z ${BENCH_RESULTS:-} ]]; then
        export BENCH_RESULTS=$BENCH_WORK/results.jsonl
        BENCH_OWN_RESULTS=true
    fi
    if [[ -n ${LAB_TSIG_SECRET:-} && ! -e $BENCH_WORK/tsig ]]; then
        (umask 077; printf '%s' "$LAB_TSIG_SECRET" >"$BENCH_WORK/tsig")
    fi
    export BENCH_TSIG_FILE=$BENCH_WORK/tsig
    # The Secrets' values never need to be in the environment of the measured commands.
    unset LAB_TSIG_SECRET LAB_TSIG_SHA512_SECRET LAB_TSIG_SHA1_SECRET LAB_TSIG_MD5_SECRET LAB_AWS_SECRET_ACCESS_KEY LAB_PDNS_API_KEY
    if [[ -n ${LAB_KUBECONFIG:-} ]]; then export KUBECONFIG=$LAB_KUBECONFIG; fi
}
