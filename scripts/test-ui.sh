#!/usr/bin/env bash
# The browser test: headless Chromium, driven by Selenium (Tests/ui/test_ui.py), against a live web server
# over a temporary copy of the demo project. Builds nothing: it uses the debug `mage` already built
# (`make test` builds it; `make plugins` alone does too) with the Swift plugins in its plugins folder.
#
#   scripts/test-ui.sh            the whole test, from one prepared run of demo_mlops
#   UI_TEST_RUNS=2 scripts/test-ui.sh    more runs made with `mage run` before the server starts
#
# The server runs with MAGE_API_TOKEN set, so the page has to ask for the token the first time it changes
# something. Screenshots of each page and the server's log are kept in the folder printed, and the project
# copy too when the test fails.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=$(swift build --show-bin-path)
mage=$bin/mage
if [ ! -x "$mage" ]; then echo "no $mage: build first (make test, or make plugins)" >&2; exit 1; fi
for lib in MageDataLoaders MageTransformers MageModels MageExporters; do
    if [ ! -f "$bin/plugins/lib$lib.so" ]; then echo "$bin/plugins/lib$lib.so is missing: run make plugins" >&2; exit 1; fi
done
for tool in chromium chromedriver; do
    command -v "$tool" >/dev/null || { echo "$tool is missing: run scripts/requirements.sh test" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/swiftmage-ui.XXXXXX")
project=$work/mlops_demo
# The project's definition only: none of what a local `make demo` left in mlops_demo (store, registry, data).
mkdir -p "$project/plugins"
cp mlops_demo/metadata.yaml "$project/"
cp -r mlops_demo/pipelines "$project/"
cp mlops_demo/plugins/*.so "$project/plugins/" 2>/dev/null || true
# Triggers for the pipeline page's list; inactive, so a scheduler would run none of them.
cat > "$project/pipelines/demo_mlops/triggers.yaml" <<'YAML'
triggers:
- name: nightly
  schedule_interval: '0 2 * * *'
  start_time: 2026-12-01 00:00:00
  timezone: Europe/Berlin
  status: inactive
- name: webhook
  schedule_type: api
YAML
"$mage" triggers sync "$project" > "$work/triggers-sync.log" 2>&1 \
    || { echo "mage triggers sync $project failed; see $work/triggers-sync.log" >&2; exit 1; }

for _ in $(seq 1 "${UI_TEST_RUNS:-1}"); do
    "$mage" run "$project" demo_mlops > "$work/prepared-runs.log" 2>&1 \
        || { echo "mage run $project demo_mlops failed; see $work/prepared-runs.log" >&2; exit 1; }
done

token=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
# The web server and, in the same process, the dispatcher that runs what the page starts.
MAGE_API_TOKEN=$token "$mage" start "$project" --role web_server --role dispatcher --port 0 > "$work/server.out" 2> "$work/server.log" &
server=$!
stop_server() {
    if kill -0 "$server" 2>/dev/null; then kill -TERM "$server"; wait "$server" 2>/dev/null || true; fi
}
trap stop_server EXIT

# The server prints "web server of mlops_demo on http://127.0.0.1:<port> (pid <pid>)" once it listens.
url=""
for _ in $(seq 1 300); do
    url=$(grep '^web server of' "$work/server.out" 2>/dev/null | grep -o 'http://[0-9.]*:[0-9]*' | head -1 || true)
    if [ -n "$url" ] || ! kill -0 "$server" 2>/dev/null; then break; fi
    sleep 0.1
done
if [ -z "$url" ]; then echo "the web server did not start; see $work/server.log" >&2; exit 1; fi

echo "browser test against $url (screenshots, server log and project in $work)"
status=0
UI_BASE_URL=$url UI_API_TOKEN=$token UI_SCREENSHOTS=$work/screenshots python3 Tests/ui/test_ui.py || status=$?
stop_server
# The project copy (tens of MB of data and models) is kept only to look into a failure.
if [ "$status" = 0 ]; then rm -rf "$project"; fi
echo "screenshots: $work/screenshots"
exit $status
