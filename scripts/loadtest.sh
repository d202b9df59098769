#!/usr/bin/env bash
# Load test of `earl serve` on loopback: builds release, starts the server with a fresh audit
# database and a write token, drives GET /v1/screen (varied names) and POST /v1/check (varied
# shipments) with wrk, prints throughput and p50/p99 latency, and fails on any error or
# non-2xx answer. Every request is a recorded decision: each one is an fsynced audit append.
#
#   scripts/loadtest.sh                       # 60 s per endpoint, 32 connections
#   DURATION=10s CONNECTIONS=8 scripts/loadtest.sh
#
# Traffic goes to 127.0.0.1 only; wrk stops by itself after DURATION.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-60s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-2}"
PORT="${PORT:-18080}"
TARGET="${CARGO_TARGET_DIR:-target}"
BASE="http://127.0.0.1:${PORT}"

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
    if [[ -n "$SERVER_PID" ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

if ! command -v wrk >/dev/null 2>&1; then
    if [[ "$(id -u)" == 0 ]]; then
        apt-get install -y -qq wrk >/dev/null
    else
        echo "loadtest: wrk is missing (apt-get install wrk)" >&2
        exit 2
    fi
fi

echo "== building release"
cargo build --release --quiet -p earl-server --example serve
# EARL_USE_CLI=0 skips the CLI build and serves with the example binary (same server code).
if [[ "${EARL_USE_CLI:-1}" != 0 ]]; then
    cargo build --release --quiet -p earl || echo "(earl-cli did not build; using the example server)"
fi

EARL="$TARGET/release/earl"
DB="$WORK/audit.db"
if [[ "${EARL_USE_CLI:-1}" != 0 ]] && "$EARL" serve --help >/dev/null 2>&1 \
    && "$EARL" token --help >/dev/null 2>&1; then
    TOKEN="$("$EARL" --data-dir "$WORK" token create --name loadtest --scope write --db "$DB" | grep -oE 'earl_[0-9a-f]{12}_[0-9a-f]{64}' | head -1)"
    "$EARL" --data-dir "$WORK" serve --db "$DB" --addr "127.0.0.1:${PORT}" >"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    SERVER="earl serve"
else
    # Until the CLI wires `earl serve`, the example binary runs the same server code.
    "$TARGET/release/examples/serve" --db "$DB" --addr "127.0.0.1:${PORT}" --token loadtest \
        >"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    SERVER="examples/serve"
    for _ in $(seq 1 100); do
        grep -q '^TOKEN ' "$WORK/server.log" 2>/dev/null && break
        sleep 0.1
    done
    TOKEN="$(grep -oE 'earl_[0-9a-f]{12}_[0-9a-f]{64}' "$WORK/server.log" | head -1)"
fi
if [[ -z "${TOKEN:-}" ]]; then
    echo "loadtest: could not create a token" >&2
    exit 1
fi

started=$(date +%s)
until curl -fsS "$BASE/healthz" >/dev/null 2>&1; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "loadtest: server exited:" >&2
        cat "$WORK/server.log" >&2
        exit 1
    fi
    if (($(date +%s) - started > 120)); then
        echo "loadtest: server did not become healthy in 120 s" >&2
        exit 1
    fi
    sleep 0.2
done
echo "== server ($SERVER) healthy after $(($(date +%s) - started)) s"

# Shared Lua: the summary line, and the token from the environment.
cat >"$WORK/common.lua" <<'LUA'
token = os.getenv("EARL_TOKEN")
function done(summary, latency, requests)
    local e = summary.errors
    local secs = summary.duration / 1e6
    io.write(string.format(
        "RESULT requests=%d seconds=%.1f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d socket_errors=%d\n",
        summary.requests, secs, summary.requests / secs,
        latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
        latency.max / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
LUA

cat >"$WORK/screen.lua" <<'LUA'
dofile(os.getenv("EARL_LUA_DIR") .. "/common.lua")
local names = {
    "Huawei Technologies Co Ltd", "Semiconductor Manufacturing International Corporation",
    "华为技术有限公司", "中芯国际集成电路制造有限公司", "Inspur Group", "Sugon",
    "Totally Harmless Bakery GmbH", "Beijing Institute of Technology", "Hikvision",
    "Shanghai Micro Electronics Equipment", "Yangtze Memory Technologies", "Acme Robotics Ltd",
    "Moscow Institute of Physics and Technology", "Tianjin Phytium Information Technology",
    "iFlytek", "Zhejiang Dahua Technology", "Global Trading FZE", "Rostec", "Example Cloud Ltd",
    "深圳市大疆创新科技有限公司", "Nanjing University of Aeronautics and Astronautics",
}
local countries = { "", "&country=CN", "&country=RU", "&country=DE", "" }
local function enc(s)
    return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
local n = 0
function request()
    n = n + 1
    local name = names[(n % #names) + 1]
    -- Every third request carries a suffix, so not every name repeats verbatim.
    if n % 3 == 0 then name = name .. " " .. tostring(n % 50) end
    local path = "/v1/screen?name=" .. enc(name) .. countries[(n % #countries) + 1]
    return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end
LUA

cat >"$WORK/check.lua" <<'LUA'
dofile(os.getenv("EARL_LUA_DIR") .. "/common.lua")
local bodies = {
    '{"date":"2025-06-01","destination":"CN","items":[{"product":"nvidia-h100-sxm"}],"parties":[{"role":"end_user","name":"Example Cloud Ltd","country":"CN"}]}',
    '{"date":"2025-06-01","destination":"CN","items":[{"product":"nvidia-h20"}]}',
    '{"date":"2024-03-01","destination":"DE","items":[{"product":"nvidia-a100-sxm"}],"parties":[{"role":"consignee","name":"Muster Rechenzentrum GmbH","country":"DE"}]}',
    '{"date":"2025-06-01","destination":"VN","exporter":{"country":"US","headquarters":"US"},"items":[{"product":"nvidia-l40s"}]}',
    '{"date":"2025-06-01","destination":"AE","items":[{"chip":{"tops":{"fp16":990},"die_area_mm2":814,"datacenter":true}}]}',
    '{"date":"2023-06-01","destination":"CN","items":[{"product":"nvidia-a800-sxm"}],"parties":[{"role":"end_user","name":"Huawei Technologies Co Ltd","country":"CN"}]}',
}
local n = 0
function request()
    n = n + 1
    return wrk.format("POST", "/v1/check",
        { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" },
        bodies[(n % #bodies) + 1])
end
LUA

run() {
    local label="$1" script="$2" path="$3"
    echo "== $label: wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION} $path"
    EARL_TOKEN="$TOKEN" EARL_LUA_DIR="$WORK" \
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 10s -s "$script" "$BASE$path" \
        | tee "$WORK/$label.out"
}

run screen "$WORK/screen.lua" "/v1/screen"
run check "$WORK/check.lua" "/v1/check"

health="$(curl -fsS "$BASE/healthz")"
echo
echo "== summary ($(date -u +%Y-%m-%dT%H:%M:%SZ))"
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1), server and wrk on the same machine"
echo "server: $SERVER; audit log after the run: $health"
failed=0
for label in screen check; do
    line="$(grep '^RESULT ' "$WORK/$label.out" || true)"
    echo "$label: ${line#RESULT }"
    non2xx="$(sed -n 's/.*non2xx=\([0-9]*\).*/\1/p' <<<"$line")"
    sock="$(sed -n 's/.*socket_errors=\([0-9]*\).*/\1/p' <<<"$line")"
    if [[ -z "$line" || "$non2xx" != 0 || "$sock" != 0 ]]; then
        echo "loadtest: $label had errors (non2xx=${non2xx:-?}, socket_errors=${sock:-?})" >&2
        failed=1
    fi
done
if [[ "$failed" != 0 ]]; then
    tail -20 "$WORK/server.log" >&2
    exit 1
fi
echo "loadtest: OK (no errors, no non-2xx answers)"
