"""Latency of the block log stream (GET /api/block_runs/<id>/logs/stream, Server-Sent Events), run by
WebBench/run.sh against a release web server: a block run is made running in the store, lines are
appended to its log at random intervals (as a block writes them), each carrying the time it was written,
and the time until the SSE event with that line reaches this client is measured. Beside it: a plain
GET /api/statuses round trip on the same server, and the server's CPU with streams open and idle (the
stream follows the file by polling).

Usage: log_stream.py <base url> <project folder> <server pid> [--lines 200]
"""
import argparse, http.client, os, random, sqlite3, statistics, threading, time
from datetime import datetime, timezone
from urllib.parse import urlparse

parser = argparse.ArgumentParser()
parser.add_argument("base")
parser.add_argument("project")
parser.add_argument("pid", type=int)
parser.add_argument("--lines", type=int, default=200)
parser.add_argument("--idle-streams", type=int, default=20)
parser.add_argument("--idle-seconds", type=float, default=5)
args = parser.parse_args()
url = urlparse(args.base)
db_path = os.path.join(args.project, ".mage_data", "mage.db")


def stamp():
    """A date as the store writes one (GRDB: UTC, milliseconds)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def running_block_run(db):
    """A pipeline run and its one block run, both running; the log file where the executor writes it."""
    with db:
        run = db.execute("INSERT INTO pipeline_runs (pipeline, status, variables, created_at) VALUES ('demo_mlops', 'running', '{}', ?)",
                         (stamp(),)).lastrowid
        block = db.execute("INSERT INTO block_runs (pipeline_run_id, block, status, attempts, started_at) "
                           "VALUES (?, 'make_dataset', 'running', 1, ?)", (run, stamp())).lastrowid
    log = os.path.join(args.project, ".mage_data", "pipelines", "demo_mlops", "runs", str(run), "make_dataset", "block.log")
    os.makedirs(os.path.dirname(log), exist_ok=True)
    open(log, "w").close()
    return run, block, log


def open_stream(block):
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    connection.request("GET", f"/api/block_runs/{block}/logs/stream")
    response = connection.getresponse()
    assert response.status == 200, response.status
    return connection, response


def percentiles(samples_ms):
    ordered = sorted(samples_ms)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def row(name, samples_ms):
    p50, p99 = percentiles(samples_ms)
    print(f"{name:<52} n={len(samples_ms):<4} p50 {p50:7.2f} ms   p99 {p99:7.2f} ms   max {max(samples_ms):7.2f} ms")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_share(seconds):
    start, began = cpu_seconds(args.pid), time.monotonic()
    time.sleep(seconds)
    return (cpu_seconds(args.pid) - start) / (time.monotonic() - began) * 100


db = sqlite3.connect(db_path, timeout=10)

# Reference: a plain round trip on one keep-alive connection.
reference = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
round_trips = []
for _ in range(args.lines):
    began = time.perf_counter_ns()
    reference.request("GET", "/api/statuses")
    reference.getresponse().read()
    round_trips.append((time.perf_counter_ns() - began) / 1e6)
reference.close()

# Lines written at random moments (5–45 ms apart, so they fall anywhere in the stream's poll period).
run, block, log = running_block_run(db)
connection, response = open_stream(block)
latencies = []
received = threading.Event()


def read_events():
    while len(latencies) < args.lines:
        line = response.readline()
        if not line:
            break
        text = line.decode().rstrip("\n")
        if text.startswith("data: bench line "):
            written = int(text.split()[-1])
            latencies.append((time.perf_counter_ns() - written) / 1e6)
    received.set()


reader = threading.Thread(target=read_events, daemon=True)
reader.start()
time.sleep(0.3)  # the stream is open and has read the (empty) log
fd = os.open(log, os.O_WRONLY | os.O_APPEND)
for i in range(args.lines):
    time.sleep(random.uniform(0.005, 0.045))
    os.write(fd, f"bench line {i} {time.perf_counter_ns()}\n".encode())
os.close(fd)
received.wait(10)
with db:
    db.execute("UPDATE block_runs SET status = 'completed', completed_at = ? WHERE id = ?", (stamp(), block))
    db.execute("UPDATE pipeline_runs SET status = 'completed', completed_at = ? WHERE id = ?", (stamp(), run))
connection.close()

print(f"Block log stream (SSE) latency, a line appended to a running block run's log until its event arrives, {args.lines} lines")
row("GET /api/statuses round trip (reference)", round_trips)
row("log line written → SSE event received", latencies)

# What following costs while nothing is written: the server's CPU with idle streams open, and without.
_, idle_block, _ = running_block_run(db)
quiet = cpu_share(args.idle_seconds)
streams = [open_stream(idle_block) for _ in range(args.idle_streams)]
time.sleep(0.5)
busy = cpu_share(args.idle_seconds)
for connection, _ in streams:
    connection.close()
print(f"server CPU, no stream open                           {quiet:5.1f}% of a core")
print(f"server CPU, {args.idle_streams} idle streams open                       {busy:5.1f}% of a core")
