# Shared by the HTTP benchmarks (sourced): a work folder removed on exit with the servers started
# (append their pids to `pids`), free ports, waiting for a server, one wrk row per measure ($duration).
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 1 100); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "no answer from $1"; exit 1; }
measure() { # name connections url GET|POST [pace in ms per connection]
    local line post=
    [ "$4" = POST ] && post=1
    line=$(POST_EXAMPLE=$post PACE_MS=${5:-} wrk -t2 -c"$2" -d"$duration" --latency -s "$(dirname "${BASH_SOURCE[0]}")/ServingBench/client.lua" "$3" | grep '^RESULT')
    read -r _ rps p50 p99 errors <<<"$line"
    printf '%-52s c=%-3s %9s req/s   p50 %7s ms   p99 %7s ms   errors %s\n' "$1" "$2" "$rps" "$p50" "$p99" "$errors"
}
