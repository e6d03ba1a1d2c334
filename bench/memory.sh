#!/usr/bin/env bash
# The journal's memory in process (bench/Memory): the mock with its journal at the default 1000 entries against the
# journal off (--journal-capacity 0), measured alternately in the same run, one fresh process per measurement.
# Usage: bench/memory.sh   Knobs: BENCH_REPS (3), BENCH_REQUESTS (100000), BENCH_WARMUP_REQUESTS (20000).
# Prints per variant the medians of: bytes allocated per request (client included), gen0/gen1/gen2 collections, the
# median promoted bytes per gen0 collection, CPU per request (client included), and the ratio journal on / off.
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${BENCH_REPS:-3}
requests=${BENCH_REQUESTS:-100000}
warmup=${BENCH_WARMUP_REQUESTS:-20000}
for n in "$reps" "$requests" "$warmup"; do
  [[ "$n" =~ ^[0-9]+$ && "$n" -ge 1 ]] || { echo "memory.sh: knobs must be positive integers" >&2; exit 2; }
done
out="bench/results/$(date -u +%Y%m%dT%H%M%SZ)-memory"
mkdir -p "$out"
dotnet build bench/Memory -c Release -nologo -v q >"$out/build.log" 2>&1 || { tail -20 "$out/build.log"; exit 1; }
dll=$(dotnet msbuild bench/Memory/Memory.csproj -p:Configuration=Release -getProperty:TargetPath)
echo "commit: $(git rev-parse HEAD)$(git diff --quiet HEAD || echo ' (dirty)')" | tee "$out/env.txt"
for rep in $(seq 1 "$reps"); do
  for capacity in 1000 0; do
    env -u DOTNET_gcServer -u DOTNET_GCgen0size timeout 600 dotnet "$dll" "$capacity" "$requests" "$warmup" \
      | sed -n 's/^BENCH_MEMORY //p' | tee -a "$out/runs.jsonl"
  done
done
python3 - "$out/runs.jsonl" <<'PY' | tee "$out/summary.txt"
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
keys = ["allocated_per_request", "gen0", "gen1", "gen2", "promoted_median_per_gen0", "cpu_us_per_request"]
med = {c: {k: statistics.median(r[k] for r in runs if r["journal"] == c) for k in keys} for c in (1000, 0)}
print(f"{'median of ' + str(len(runs) // 2) + ' runs':32} {'journal 1000':>14} {'journal off':>14} {'ratio':>7}")
for k in keys:
    on, off = med[1000][k], med[0][k]
    print(f"{k:32} {on:14.1f} {off:14.1f} {on / off if off else float('nan'):7.2f}")
PY
