#!/usr/bin/env bash
# Serving benchmark, run by `make bench`: wrk on loopback with keep-alive, c=16 and c=64, against
# SwiftMage's prediction service (POST /predict beside GET /ping of the same server) and against the
# seed's Flask + scikit-learn service that reloads the model on every request. Prints requests/s, p50
# and p99 side by side. Usage: run.sh <release bin folder>
set -euo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
duration=${BENCH_DURATION:-10s}

source "$here/../bench_lib.sh"

# A trained, registered churn model in a copy of the demo project.
mkdir -p "$work/project"
cp -r "$here/../../mlops_demo/metadata.yaml" "$here/../../mlops_demo/pipelines" "$work/project/"
"$bin/mage" run "$work/project" demo_mlops >/dev/null

# The service in each audit mode, on the same store: batched answers before its audit row is
# committed, durable after (group commit).
start_service() { # mode port
    "$bin/mage" start "$work/project" --role prediction --port "$2" --audit "$1" >"$work/service-$1.log" 2>&1 &
    pids+=($!)
    wait_for "http://127.0.0.1:$2/ping"
}
port=$(free_port)
start_service batched "$port"
durable_port=$(free_port)
start_service durable "$durable_port"

reference_port=$(free_port)
data=$(ls "$work"/project/.mage_data/pipelines/demo_mlops/runs/*/make_dataset/output.csv | head -1)
python3 "$here/flask_reference.py" train --data "$data" --registry "$work/reference"
python3 "$here/flask_reference.py" serve --registry "$work/reference" --port "$reference_port" >"$work/flask.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$reference_port/ping"

echo "Serving benchmark (wrk, $duration per row, keep-alive, loopback)"
for c in 16 64; do
    measure "swiftmage GET /ping" "$c" "http://127.0.0.1:$port/ping" GET
    measure "swiftmage POST /predict (batched)" "$c" "http://127.0.0.1:$port/predict" POST
    measure "swiftmage POST /predict (durable)" "$c" "http://127.0.0.1:$durable_port/predict" POST
    measure "flask+sklearn POST /predict (seed)" "$c" "http://127.0.0.1:$reference_port/predict" POST
done
# Closed-loop wrk keeps every connection busy, so at saturation latency is mostly queueing (Little's law:
# mean = connections / throughput). Below saturation, 64 connections each sending one request per 12.8 ms
# (about 5,000 requests/s offered) show the service's own latency.
echo "Paced: 64 connections, one request per 12.8 ms each (about 5,000 req/s offered)"
measure "swiftmage GET /ping (paced)" 64 "http://127.0.0.1:$port/ping" GET 12.8
measure "swiftmage POST /predict (batched, paced)" 64 "http://127.0.0.1:$port/predict" POST 12.8
measure "swiftmage POST /predict (durable, paced)" 64 "http://127.0.0.1:$durable_port/predict" POST 12.8
