#!/usr/bin/env bash
# What `make build`, `make demo` and `make test` need from the system, checked before anything builds.
# Missing Debian packages are installed with apt-get when we are root; otherwise this stops with one line
# naming the exact command to run. Python packages (tests only) are installed with pip the same way.
#
#   scripts/requirements.sh build|demo|test|bench
set -euo pipefail

goal=${1:-build}
case "$goal" in build|demo|test|bench) ;; *) echo "usage: $0 build|demo|test|bench" >&2; exit 2 ;; esac

if ! command -v swift >/dev/null 2>&1; then
    echo "swift was not found on PATH: install Swift 6 (https://www.swift.org/install/linux/) and run make again" >&2
    exit 1
fi

# Debian package ← the check that says it is present. A check is a command name or pkg-config:<module>.
declare -A check=(
    [build-essential]=cc
    [pkg-config]=pkg-config
    [libffi-dev]=pkg-config:libffi
    [libsqlite3-dev]=pkg-config:sqlite3
    [libpq-dev]=pkg-config:libpq
    [libhiredis-dev]=pkg-config:hiredis
    [curl]=curl
    [postgresql]=postgres-server
    [redis-server]=redis-server
    [wrk]=wrk
    [chromium]=chromium
    [chromium-driver]=chromedriver
)
packages=(build-essential pkg-config libffi-dev libsqlite3-dev libpq-dev libhiredis-dev)
case "$goal" in
    demo) packages+=(curl) ;;
    test) packages+=(curl postgresql redis-server chromium chromium-driver) ;;
    bench) packages+=(curl wrk postgresql) ;;
esac

present() {
    local probe=$1
    case "$probe" in
        pkg-config:*) command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "${probe#pkg-config:}" ;;
        postgres-server) command -v initdb >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null ;;
        *) command -v "$probe" >/dev/null 2>&1 ;;
    esac
}

missing=()
for package in "${packages[@]}"; do
    present "${check[$package]}" || missing+=("$package")
done

if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing the missing system packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q >/dev/null
        apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
        for package in "${missing[@]}"; do
            present "${check[$package]}" || { echo "apt-get installed $package but it is still not usable" >&2; exit 1; }
        done
    else
        echo "missing system packages; install them with: sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
fi

# Python packages: the model-quality reference (scikit-learn, pandas), the OpenLineage schema checks
# (jsonschema), the prediction service's contract test (schemathesis), the browser test (selenium,
# driving the Debian chromium through its chromedriver; the test itself is plain unittest) and the cron
# reference (croniter).
if [ "$goal" = test ]; then
    python=(scikit-learn pandas jsonschema schemathesis selenium croniter)
    if ! command -v python3 >/dev/null 2>&1; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            apt-get install -y -q python3 python3-pip >/dev/null
        else
            echo "python3 was not found; install it with: sudo apt-get install -y python3 python3-pip" >&2
            exit 1
        fi
    fi
    # find_spec, not import: importing scikit-learn and schemathesis takes seconds.
    modules="sklearn pandas jsonschema referencing schemathesis selenium croniter"
    if ! python3 -c "import importlib.util, sys; sys.exit(any(importlib.util.find_spec(m) is None for m in sys.argv[1:]))" $modules; then
        echo "installing the Python packages the tests use: ${python[*]}"
        python3 -m pip install -q "${python[@]}" 2>/dev/null \
            || python3 -m pip install -q --break-system-packages "${python[@]}" 2>/dev/null \
            || { echo "the tests need Python packages; install them with: python3 -m pip install ${python[*]}" >&2; exit 1; }
    fi
fi
