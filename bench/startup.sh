#!/usr/bin/env bash
# Time from starting the mock process to its first answered completion (the docs' logprobs example), in ms.
# Runs the Release build N times (default 7) on 127.0.0.1 and prints each time and the median.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
port=${BENCH_STARTUP_PORT:-18090}
dotnet build src/MockServer.Tool -c Release -v q -nologo >/dev/null
dll=src/MockServer.Tool/bin/Release/net10.0/MockServer.Tool.dll
body='{"model":"llama-8b","prompt":"The capital of France is","max_tokens":1,"logprobs":5}'
times=()
for _ in $(seq 1 "$runs"); do
  start=$(date +%s%N)
  dotnet "$dll" --urls "http://127.0.0.1:$port" --Logging:LogLevel:Default=None >/dev/null 2>&1 &
  pid=$!
  elapsed=""
  for _ in $(seq 1 1000); do   # polls every 10 ms, gives up after about 10 s
    if curl -sf -o /dev/null "http://127.0.0.1:$port/v1/completions" -H 'Content-Type: application/json' -d "$body"; then
      elapsed=$(( ($(date +%s%N) - start) / 1000000 )); break
    fi
    sleep 0.01
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
  [ -n "$elapsed" ] || { echo "the server did not answer within 10 s" >&2; exit 1; }
  times+=("$elapsed"); echo "first completion after ${elapsed} ms"
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print "median: " a[int((NR+1)/2)] " ms over " NR " starts"}'
