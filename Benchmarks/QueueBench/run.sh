#!/usr/bin/env bash
# Run queue benchmark, run by `make bench`: how long a run waits between being queued and its first
# block running. Through the queue: POST /api/pipelines/<uuid>/pipeline_runs to a web server with its
# dispatcher in the same process (claim, pipeline load, code capture, first guarded writes). Reference,
# in the same run: `mage run`, which creates its run already claimed (the same path without the queue).
# Both read from the store: the first block's started_at minus the run's created_at; the block's own
# process start comes after that instant and is not counted.
# Usage: run.sh <release bin folder>
set -euo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
count=${BENCH_QUEUE_RUNS:-40}
source "$here/../bench_lib.sh"

mkdir -p "$work/project/pipelines/one"
printf 'project_uuid: queue_bench\n' >"$work/project/metadata.yaml"
cat >"$work/project/pipelines/one/metadata.yaml" <<'YAML'
blocks:
- {uuid: make_dataset, type: data_loader, plugin: churn_synthetic, configuration: {rows: 10, seed: 1}}
YAML

for _ in $(seq 1 "$count"); do "$bin/mage" run "$work/project" one >/dev/null; done

port=$(free_port)
"$bin/mage" start "$work/project" --role web_server --role dispatcher --port "$port" >"$work/web.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$port/api/statuses"

python3 - "http://127.0.0.1:$port" "$work/project/.mage_data/mage.db" "$count" <<'PY'
import json, sqlite3, sys, time, urllib.request
from datetime import datetime
base, database, count = sys.argv[1], sys.argv[2], int(sys.argv[3])

def call(method, path, body=None):
    request = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)

queued = []
for _ in range(count):
    run = call("POST", "/api/pipelines/one/pipeline_runs", {"pipeline_run": {}})["pipeline_run"]
    while run["status"] not in ("completed", "failed", "cancelled"):
        time.sleep(0.01)
        run = call("GET", f"/api/pipeline_runs/{run['id']}")["pipeline_run"]
    if run["status"] != "completed":
        sys.exit(f"run {run['id']} {run['status']}")
    queued.append(run["id"])

db = sqlite3.connect(database)
def waits(ids):
    parse = lambda text: datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f")
    rows = db.execute(f"""SELECT r.created_at, MIN(b.started_at) FROM pipeline_runs r JOIN block_runs b ON b.pipeline_run_id = r.id
                          WHERE r.id IN ({",".join("?" * len(ids))}) GROUP BY r.id""", ids).fetchall()
    return sorted((parse(started) - parse(created)).total_seconds() * 1000 for created, started in rows)
def pct(values, q): return values[min(len(values) - 1, int(q * len(values)))]
direct = waits([row[0] for row in db.execute("SELECT id FROM pipeline_runs WHERE id NOT IN (%s)" % ",".join("?" * len(queued)), queued)])
through = waits(queued)
print(f"Run queue benchmark ({count} runs each, one-block pipeline, release build)")
print(f"{'queued -> first block running':52s} p50 {pct(through, 0.5):7.1f} ms   p99 {pct(through, 0.99):7.1f} ms   (POST, dispatcher in the web server's process)")
print(f"{'created -> first block running (reference)':52s} p50 {pct(direct, 0.5):7.1f} ms   p99 {pct(direct, 0.99):7.1f} ms   (mage run, no queue)")
PY
