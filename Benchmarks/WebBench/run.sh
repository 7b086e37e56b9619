#!/usr/bin/env bash
# Web API benchmark, run by `make bench`: wrk on loopback with keep-alive at c=16 against the web server
# over a store of 10,000 pipeline runs: a page of runs, a filtered page deep in the list, one run with
# its block runs, beside GET /api/statuses of the same server (one count query) as the reference; then the
# block log stream's latency from a line's write to its SSE event (log_stream.py), beside a round trip.
# Usage: run.sh <release bin folder>
set -euo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
duration=${BENCH_DURATION:-10s}
runs=${BENCH_RUNS:-10000}
source "$here/../bench_lib.sh"

# One real run of the demo, then its rows copied into $runs runs (statuses varied), as a store that has
# served a long time would hold them.
mkdir -p "$work/project"
cp -r "$here/../../mlops_demo/metadata.yaml" "$here/../../mlops_demo/pipelines" "$work/project/"
"$bin/mage" run "$work/project" demo_mlops >/dev/null
python3 - "$work/project/.mage_data/mage.db" "$runs" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
count = int(sys.argv[2])
run = db.execute("SELECT pipeline, variables, created_at, completed_at FROM pipeline_runs ORDER BY id LIMIT 1").fetchone()
blocks = db.execute("SELECT block, status, attempts, started_at, completed_at FROM block_runs WHERE pipeline_run_id = 1").fetchall()
statuses = ["completed", "completed", "completed", "failed", "cancelled"]
with db:
    for i in range(count - 1):
        cur = db.execute("INSERT INTO pipeline_runs (pipeline, status, variables, created_at, completed_at) VALUES (?, ?, ?, ?, ?)",
                         (run[0], statuses[i % len(statuses)], run[1], run[2], run[3]))
        db.executemany("INSERT INTO block_runs (pipeline_run_id, block, status, attempts, started_at, completed_at) VALUES (?, ?, ?, ?, ?, ?)",
                       [(cur.lastrowid,) + tuple(b) for b in blocks])
print(f"store: {db.execute('SELECT COUNT(*) FROM pipeline_runs').fetchone()[0]} runs, "
      f"{db.execute('SELECT COUNT(*) FROM block_runs').fetchone()[0]} block runs")
PY

port=$(free_port)
"$bin/mage" start "$work/project" --role web_server --port "$port" >"$work/web.log" 2>&1 &
server=$!
pids+=($server)
wait_for "http://127.0.0.1:$port/api/statuses"
base="http://127.0.0.1:$port"

echo "Web API benchmark (wrk, $duration per row, keep-alive, loopback, $runs runs in the store)"
measure "GET /api/statuses (reference)" 16 "$base/api/statuses" GET
measure "GET /api/pipeline_runs?_limit=40" 16 "$base/api/pipeline_runs?_limit=40" GET
measure "GET /api/pipeline_runs?status[]=failed, _offset=1000" 16 "$base/api/pipeline_runs?pipeline_uuid=demo_mlops&status%5B%5D=failed&_limit=40&_offset=1000" GET
measure "GET /api/pipeline_runs/<id> with block runs" 16 "$base/api/pipeline_runs/$((runs / 2))" GET
echo
python3 "$here/log_stream.py" "$base" "$work/project" "$server"
