#!/usr/bin/env bash
# Whole-process benchmarks of the `earl` binary on the bundled data: what a user's command costs
# end to end (start-up, list load, index build, work, output). Prints the machine, the load
# average, and per run: wall time, CPU time, rows/s and peak RSS. docs/BENCHMARKS.md records
# the results; rerun this script to refresh them.
#
#   scripts/bench.sh                  # 1,000,000-row files (takes a few minutes)
#   ROWS=100000 scripts/bench.sh      # quicker
#
# Test data comes from earl-bulk's seeded generator (realistic customer rows with planted
# variants of listed names); everything stays under a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS="${ROWS:-1000000}"
QUERIES="${QUERIES:-10000}"
TARGET="${CARGO_TARGET_DIR:-target}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "== building release"
cargo build --release --quiet -p earl
cargo build --release --quiet -p earl-bulk --example gen_customers
EARL="$TARGET/release/earl"
GEN="$TARGET/release/examples/gen_customers"
DATA="$WORK/data"
mkdir -p "$DATA"

echo "== machine"
echo "cpus: $(nproc); $(lscpu | grep -m1 'Model name' | sed 's/  */ /g')"
echo "memory: $(free -h | awk '/Mem:/ {print $2}'); kernel $(uname -r); $(date -u +%FT%TZ)"

# run LABEL ROWS CMD...: wall, user+sys CPU, rows/s and peak RSS of one process.
# OK_CODES: exit codes that mean the run worked (bulk commands: 1 alerts, 3 row errors, 4 both).
run() {
    local label="$1" rows="$2"
    shift 2
    local ok="${OK_CODES:-0}"
    local t="$WORK/time.txt"
    local load
    load="$(cut -d' ' -f1 /proc/loadavg)"
    local rc=0
    /usr/bin/time -f '%e %U %S %M' -o "$t" "$@" >"$WORK/stdout.txt" 2>"$WORK/stderr.txt" || rc=$?
    if [[ " $ok " != *" $rc "* ]]; then
        echo "FAILED ($rc): $label" >&2
        cat "$WORK/stderr.txt" >&2
        exit 1
    fi
    # GNU time puts "Command exited with non-zero status N" first when the exit code is not 0.
    read -r wall user sys rss < <(tail -n 1 "$t")
    awk -v l="$label" -v n="$rows" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v ld="$load" \
        'BEGIN { printf "%-44s wall %7.2f s  cpu %7.2f s  %9s rows/s  rss %4d MB  (load %s)\n",
                 l, w, u + s, (n > 0 && w > 0) ? sprintf("%.0f", n / w) : "-", r / 1024, ld }'
}

echo "== generating test data ($ROWS rows, $QUERIES queries)"
"$GEN" --rows "$ROWS" --seed 1 -o "$WORK/customers.csv" >/dev/null
"$GEN" --rows "$QUERIES" --seed 2 -o "$WORK/q.csv" >/dev/null
# The generator's second column is the name; one name per line for `earl screen --input`.
python3 - "$WORK/q.csv" "$WORK/queries.txt" <<'PY'
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8", errors="replace") as f, \
        open(sys.argv[2], "w", encoding="utf-8") as out:
    rows = csv.reader(f)
    header = next(rows)
    col = header.index("name") if "name" in header else 1
    for r in rows:
        if len(r) > col and r[col].strip():
            out.write(r[col].replace("\n", " ") + "\n")
PY
NQ="$(wc -l <"$WORK/queries.txt")"

echo "== runs"
run "earl lists (start-up: load + index)" 0 "$EARL" --data-dir "$DATA" lists
run "earl check h100-to-shenzhen.json" 0 "$EARL" --data-dir "$DATA" check examples/h100-to-shenzhen.json
run "earl screen NAME (one query, whole process)" 1 "$EARL" --data-dir "$DATA" screen "HUAWEI TECHNOLOGY CO LTD" --json
# Exit 2: some generated lines are unusable on purpose (reported per line, the rest screened).
OK_CODES="0 2" run "earl screen --input ($NQ names, jsonl, 10 hits)" "$NQ" \
    "$EARL" --data-dir "$DATA" screen --input "$WORK/queries.txt" --format jsonl -o "$WORK/q.jsonl"
OK_CODES="0 1 3 4" run "earl screen-file ($ROWS rows csv)" "$ROWS" \
    "$EARL" --data-dir "$DATA" screen-file --progress never "$WORK/customers.csv" -o "$WORK/out.csv"
echo "== screen-file summary"
cat "$WORK/stderr.txt"

# An older snapshot 50 Entity List changes away from the bundled one: 40 entries the bundled
# list added since, 5 whose names changed, 5 it removed.
"$EARL" --data-dir "$DATA" lists export "$WORK/old" >/dev/null
python3 - "$WORK/old" <<'PY'
import hashlib, json, random, sys, os
d = sys.argv[1]
path = os.path.join(d, "us_bis_entity_list.jsonl")
lines = open(path, encoding="utf-8").read().splitlines()
rnd = random.Random(7)
idx = rnd.sample(range(len(lines)), 45)
drop, change = set(idx[:40]), idx[40:]
for i in change:
    e = json.loads(lines[i]); e["name"] = e["name"] + " Holdings"; lines[i] = json.dumps(e, ensure_ascii=False)
kept = [l for i, l in enumerate(lines) if i not in drop]
for k in range(5):
    kept.append(json.dumps({"id": f"EL-BENCH-removed-{k}", "list": "us_bis_entity_list",
                            "name": f"Benchmark Removed Entity {k} Trading Co", "country": "CN"}))
body = "".join(l + "\n" for l in kept).encode("utf-8")
open(path, "wb").write(body)
mpath = os.path.join(d, "manifest.json")
manifest = json.load(open(mpath, encoding="utf-8"))
for m in manifest:
    if m["id"] == "us_bis_entity_list":
        m["sha256"] = hashlib.sha256(body).hexdigest(); m["entry_count"] = len(kept)
json.dump(manifest, open(mpath, "w", encoding="utf-8"), indent=2)
PY
OK_CODES="0 1 3 4" run "earl rescreen --since (50 changes, $ROWS rows)" "$ROWS" \
    "$EARL" --data-dir "$DATA" rescreen --progress never --since "$WORK/old" "$WORK/customers.csv" -o "$WORK/re.csv"
echo "== rescreen summary"
cat "$WORK/stderr.txt"
