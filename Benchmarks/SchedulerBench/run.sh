#!/usr/bin/env bash
# Scheduler benchmark, run by `make bench`: a trigger every second for SCHED_BENCH_TICKS ticks (60), run by
# `mage start --role scheduler --role dispatcher`. Reports, from the store, each tick's schedule → run
# created (the scheduler) and schedule → first block running (scheduler and dispatcher), p50/p99, and the
# ticks missed or run twice. Reference, in the same run: `mage run` of the same pipeline, created → first
# block running (the same block start, with no scheduler and no queue).
# Usage: run.sh <release bin folder>
set -euo pipefail
bin=$1
ticks=${SCHED_BENCH_TICKS:-60}
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

mkdir -p "$work/project/pipelines/one"
printf 'project_uuid: scheduler_bench\n' >"$work/project/metadata.yaml"
cat >"$work/project/pipelines/one/metadata.yaml" <<'YAML'
blocks:
- {uuid: make_dataset, type: data_loader, plugin: churn_synthetic, configuration: {rows: 10, seed: 1}}
YAML
for _ in $(seq 1 20); do "$bin/mage" run "$work/project" one >/dev/null; done
cat >"$work/project/pipelines/one/triggers.yaml" <<'YAML'
triggers:
- name: every_second
  interval: 1
  start_time: 2025-01-01 00:00:00
  status: active
YAML

"$bin/mage" start "$work/project" --role scheduler --role dispatcher >"$work/mage.log" 2>&1 &
pid=$!
# The first tick comes within a second of the trigger's sync; then one a second.
sleep $((ticks + 3))
kill -TERM "$pid"
wait "$pid" || { echo "mage start exited with $?"; tail -20 "$work/mage.log"; exit 1; }
pid=

python3 - "$work/project/.mage_data/mage.db" "$ticks" <<'PY'
import sqlite3, sys
from datetime import datetime
database, ticks = sys.argv[1], int(sys.argv[2])
db = sqlite3.connect(database)
parse = lambda text: datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f")
def ms(a, b): return (parse(b) - parse(a)).total_seconds() * 1000
rows = db.execute("""SELECT r.execution_date, r.created_at, MIN(b.started_at), r.status FROM pipeline_runs r
                     JOIN block_runs b ON b.pipeline_run_id = r.id
                     WHERE r.execution_date IS NOT NULL GROUP BY r.id ORDER BY r.execution_date""").fetchall()
direct = sorted(ms(c, s) for c, s in db.execute("""SELECT r.created_at, MIN(b.started_at) FROM pipeline_runs r
                     JOIN block_runs b ON b.pipeline_run_id = r.id WHERE r.execution_date IS NULL GROUP BY r.id"""))
dates = [parse(r[0]) for r in rows]
first, last = dates[0], dates[-1]
expected = int(round((last - first).total_seconds())) + 1
duplicated = len(dates) - len(set(dates))
missed = expected - len(set(dates))
measured = [r for r in rows if r[2] is not None][:ticks]
created = sorted(ms(r[0], r[1]) for r in measured)
started = sorted(ms(r[0], r[2]) for r in measured)
def pct(values, q): return values[min(len(values) - 1, int(q * len(values)))]
print(f"Scheduler benchmark (a 1 s interval trigger, {len(measured)} ticks measured, one-block pipeline, release build)")
print(f"{'tick -> run created (scheduler)':52s} p50 {pct(created, 0.5):7.1f} ms   p99 {pct(created, 0.99):7.1f} ms")
print(f"{'tick -> first block running (goal p99 < 250 ms)':52s} p50 {pct(started, 0.5):7.1f} ms   p99 {pct(started, 0.99):7.1f} ms")
print(f"{'created -> first block running (reference)':52s} p50 {pct(direct, 0.5):7.1f} ms   p99 {pct(direct, 0.99):7.1f} ms   (mage run, no scheduler)")
print(f"{'ticks from first to last':52s} {expected}: missed {missed}, duplicated {duplicated}, not completed {sum(1 for r in rows if r[3] != 'completed')}")
if missed or duplicated: sys.exit("ticks missed or duplicated")
PY
