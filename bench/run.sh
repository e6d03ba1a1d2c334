#!/usr/bin/env bash
# Load harness: the mock (src/MockServer) against a bare Kestrel baseline (bench/Bench) in the same run.
# Usage: bench/run.sh [all|throughput|stalled]   (see bench/README.md)
#   all (default, about 6 minutes): throughput and peak RSS, mock vs bare baseline, then the stalled readers
#   throughput: only the throughput scenarios and peak RSS; stalled: only the stalled readers (mock only, about 1 minute)
# Knobs (environment): BENCH_REPS (3), BENCH_DURATION seconds per measured run (10), BENCH_CONNECTIONS (64),
# BENCH_THREADS wrk threads (2), BENCH_RSS_CONNECTIONS (256), BENCH_STALL_READERS (50), BENCH_STALL_SECONDS (10),
# BENCH_MOCK_PORT (18081), BENCH_BARE_PORT (18082), BENCH_WARMUP seconds per server and scenario (3).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-all}
[[ $# -le 1 && "$mode" =~ ^(all|throughput|stalled)$ ]] || { echo "usage: bench/run.sh [all|throughput|stalled]" >&2; exit 2; }

reps=${BENCH_REPS:-3}
duration=${BENCH_DURATION:-10}
connections=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-2}
rss_connections=${BENCH_RSS_CONNECTIONS:-256}
stall_readers=${BENCH_STALL_READERS:-50}
stall_seconds=${BENCH_STALL_SECONDS:-10}
mock_port=${BENCH_MOCK_PORT:-18081}
bare_port=${BENCH_BARE_PORT:-18082}
# 3 s as in every run recorded so far; the mock's JIT keeps speeding it up for about 40 s of saturating load (bench/README.md,
# issue 9, second slice): BENCH_WARMUP=60 measures closer to its steady state.
warmup=${BENCH_WARMUP:-3}
verify_seconds=2
script=bench/wrk/completions.lua
scenarios=(completion16 stream80 chat80)
# The chat80 fixture: the mock loads this directory with --fixtures; bench/Bench embeds the same file.
bench_fixtures=bench/fixtures
declare -A route=([completion16]=/v1/completions [stream80]=/v1/completions [chat80]=/v1/chat/completions)

for n in "$warmup" "$reps" "$duration" "$connections" "$threads" "$rss_connections" "$stall_readers" "$stall_seconds"; do
  [[ "$n" =~ ^[0-9]+$ && "$n" -ge 1 ]] || { echo "run.sh: knobs must be positive integers" >&2; exit 2; }
done
(( reps <= 10 && duration <= 60 )) || { echo "run.sh: at most 10 repetitions of at most 60 s" >&2; exit 2; }
(( stall_readers <= 500 && stall_seconds <= 60 )) || { echo "run.sh: at most 500 stalled readers for at most 60 s" >&2; exit 2; }
command -v wrk >/dev/null && command -v python3 >/dev/null && command -v curl >/dev/null && [[ -x /usr/bin/time ]] \
  || { echo "run.sh: needs wrk, python3, curl and /usr/bin/time" >&2; exit 2; }

out="bench/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
echo "results: $out"

# ---- build (Release) --------------------------------------------------------------------------------------------
declare -A dll
projects=(src/MockServer.Tool/MockServer.Tool.csproj)
[[ $mode == stalled ]] || projects+=(bench/Bench/Bench.csproj) # the stalled step runs the mock only
for project in "${projects[@]}"; do
  echo "building $project (Release)"
  dotnet build "$project" -c Release -nologo -v q >"$out/build-$(basename "$project" .csproj).log" 2>&1 \
    || { tail -20 "$out/build-$(basename "$project" .csproj).log"; exit 1; }
done
dll[mock]=$(dotnet msbuild src/MockServer.Tool/MockServer.Tool.csproj -p:Configuration=Release -getProperty:TargetPath)
dll[bare]=none
[[ $mode == stalled ]] || dll[bare]=$(dotnet msbuild bench/Bench/Bench.csproj -p:Configuration=Release -getProperty:TargetPath)
declare -A port=([mock]=$mock_port [bare]=$bare_port)

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git rev-parse HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (dirty)')"
  echo "machine: $(uname -srm), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
  echo "dotnet: $(dotnet --version); $(wrk -v 2>&1 | head -1)"
  echo "mode: $mode"
  echo "settings: reps=$reps duration=${duration}s connections=$connections threads=$threads rss_connections=$rss_connections stall_readers=$stall_readers stall_seconds=${stall_seconds}s"
  echo "gc: $(grep -ho '"System.GC.Server": [a-z]*' "${dll[mock]%.dll}.runtimeconfig.json" || echo 'System.GC.Server unset') (mock), $(grep -ho '"System.GC.Server": [a-z]*' "${dll[bare]%.dll}.runtimeconfig.json" 2>/dev/null || echo 'System.GC.Server unset') (bare)"
} | tee "$out/env.txt"

# ---- servers ----------------------------------------------------------------------------------------------------
declare -A pid=()
stop_server() {
  local name=$1
  if [[ -n "${pid[$name]:-}" ]]; then
    kill "${pid[$name]}" 2>/dev/null || true
    wait "${pid[$name]}" 2>/dev/null || true
    unset "pid[$name]"
  fi
}
cleanup() { stop_server mock; stop_server bare; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# Extra mock arguments and environment (the stalled step adds keys and the admin routes).
mock_args=()
mock_env=()
start_server() {
  local name=$1 url="http://127.0.0.1:${port[$1]}" extra=() envs=()
  [[ $name == mock ]] && extra=(--fixtures "$bench_fixtures" "${mock_args[@]}") && envs=("${mock_env[@]}")
  if curl -s -o /dev/null --max-time 1 "$url/health"; then
    echo "run.sh: something already answers on $url; set BENCH_${name^^}_PORT" >&2
    exit 1
  fi
  # Runtime defaults (server GC, as the Web SDK configures it); no GC overrides from the caller's environment.
  env -u DOTNET_gcServer -u DOTNET_GCHeapCount -u DOTNET_GCgen0size -u DOTNET_TieredPGO -u DOTNET_TieredCompilation "${envs[@]}" \
    dotnet "${dll[$name]}" --urls "$url" "${extra[@]}" --Logging:LogLevel:Default=None >"$out/server-$name.log" 2>&1 &
  pid[$name]=$!
  for _ in $(seq 1 100); do
    if curl -s -o /dev/null --max-time 1 "$url/health"; then
      return 0
    fi
    kill -0 "${pid[$name]}" 2>/dev/null || break
    sleep 0.1
  done
  echo "run.sh: $name did not start on $url:" >&2
  cat "$out/server-$name.log" >&2
  exit 1
}

cpu_seconds() { # utime + stime of a process, in seconds
  awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"
}

busy_seconds() { # non-idle CPU time of the whole machine (user nice system irq softirq steal), in seconds
  awk -v hz="$(getconf CLK_TCK)" '/^cpu / { print ($2 + $3 + $4 + $7 + $8 + $9) / hz }' /proc/stat
}

wrk_headers=() # e.g. (-H "Authorization: Bearer K") when the server has keys
# run_wrk PHASE SERVER SCENARIO REP SECONDS CONNECTIONS [VERIFY]: one wrk run, its result appended to runs.jsonl.
run_wrk() {
  local phase=$1 name=$2 scenario=$3 rep=$4 seconds=$5 conns=$6 verify=${7:-0}
  local url="http://127.0.0.1:${port[$name]}${route[$scenario]}" log="$out/wrk-$phase-$name-$scenario-$rep.txt"
  local cpu0 cpu1 busy0 busy1 wrk_cpu
  cpu0=$(cpu_seconds "${pid[$name]}")
  busy0=$(busy_seconds)
  # /usr/bin/time reports wrk's CPU (user and system seconds, timeout's included) into $log.times.
  BENCH_SCENARIO=$scenario BENCH_VERIFY=$verify BENCH_CHAT_PROMPT_TOKENS=${chat_prompt_tokens:-0} /usr/bin/time -f '%U %S' -o "$log.times" timeout $((seconds + 30)) \
    wrk -t"$threads" -c"$conns" -d"${seconds}s" --timeout 10s "${wrk_headers[@]}" -s "$script" "$url" >"$log" 2>&1 \
    || { echo "run.sh: wrk failed ($log)" >&2; cat "$log" >&2; exit 1; }
  cpu1=$(cpu_seconds "${pid[$name]}")
  busy1=$(busy_seconds)
  wrk_cpu=$(awk '{ printf "%.2f", $1 + $2 }' "$log.times")
  local json
  json=$(sed -n 's/^BENCH_JSON {//p' "$log")
  [[ -n "$json" ]] || { echo "run.sh: no result in $log" >&2; exit 1; }
  # CPU seconds of the server, of wrk, and of the whole machine (busy, all cores) during the run: what the
  # machine spent beyond server + wrk is other work (or steal) that shared the cores with the measurement.
  printf '{"phase":"%s","server":"%s","scenario":"%s","rep":%d,"connections":%d,"server_cpu_s":%s,"wrk_cpu_s":%s,"machine_busy_s":%s,"cores":%d,%s\n' \
    "$phase" "$name" "$scenario" "$rep" "$conns" "$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.2f", b - a }')" \
    "$wrk_cpu" "$(awk -v a="$busy0" -v b="$busy1" 'BEGIN { printf "%.2f", b - a }')" "$(nproc)" "$json" \
    >>"$out/runs.jsonl"
}

# check_last: the last run had no socket or status errors (and, when verifying, no bad response).
check_last() {
  python3 - "$out/runs.jsonl" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])
errors = {k: v for k, v in r["errors"].items() if v}
bad = r.get("verify", {}).get("bad", 0)
label = f'{r["phase"]} {r["server"]} {r["scenario"]} #{r["rep"]}'
if r["requests"] == 0 or errors or bad:
    print(f"run.sh: {label}: {r['requests']} requests, errors {errors}, {bad} bad responses {r.get('verify', {}).get('first_bad', '')}", file=sys.stderr)
    sys.exit(1)
print(f'  {label}: {r["requests"] / (r["duration_us"] / 1e6):,.0f} requests/s, {r["bytes"] / r["requests"]:.0f} bytes/response'
      + (f', {r["verify"]["checked"]} responses verified' if "verify" in r else ''))
PY
}

# bytes per response of the last measured run equals the verified run's: the measured responses are complete too.
check_bytes() {
  python3 - "$out/runs.jsonl" <<'PY'
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
last = runs[-1]
ref = next(r for r in runs if r["phase"] == "verify" and r["server"] == last["server"] and r["scenario"] == last["scenario"])
a, b = last["bytes"] / last["requests"], ref["bytes"] / ref["requests"]
if abs(a - b) > 0.01 * b:
    print(f"run.sh: {last['server']} {last['scenario']}: {a:.0f} bytes/response under load, {b:.0f} when verified", file=sys.stderr)
    sys.exit(1)
PY
}

# ---- throughput and peak RSS: mock vs bare -------------------------------------------------------------------------
throughput() {
  start_server mock
  start_server bare

  # ---- correctness, before any measurement ------------------------------------------------------------------------
  echo "checking responses"
  body16='{"model":"llama-8b","prompt":"Five reasons to learn Rust:\n1.","max_tokens":16}'
  body80='{"model":"llama-8b","prompt":"Five reasons to learn Rust:\n1.","max_tokens":80,"stream":true,"stream_options":{"include_usage":true}}'
  # Chat in the openai dialect (llama-8b-instruct's) with include_usage, as stream80 asks for usage: see bench/README.md.
  bodychat='{"model":"llama-8b-instruct","messages":[{"role":"user","content":"Give me five reasons to learn Rust."}],"max_tokens":80,"stream":true,"stream_options":{"include_usage":true}}'
  declare -A request_body=([completion16]=$body16 [stream80]=$body80 [chat80]=$bodychat)
  declare -A want_frames=([stream80]=82 [chat80]=84)
  for name in mock bare; do
    for scenario in "${scenarios[@]}"; do
      url="http://127.0.0.1:${port[$name]}${route[$scenario]}"
      status=$(curl -s --max-time 10 -o "$out/sample-$name-$scenario.txt" -w '%{http_code}' -H 'Content-Type: application/json' -d "${request_body[$scenario]}" "$url")
      [[ "$status" == 200 ]] || { echo "run.sh: $name $scenario answered $status" >&2; cat "$out/sample-$name-$scenario.txt" >&2; exit 1; }
    done
    for scenario in stream80 chat80; do
      frames=$(grep -c '^data: ' "$out/sample-$name-$scenario.txt")
      [[ "$frames" == "${want_frames[$scenario]}" && "$(tail -n 2 "$out/sample-$name-$scenario.txt" | head -1)" == "data: [DONE]" ]] \
        || { echo "run.sh: $name $scenario sent $frames events (want ${want_frames[$scenario]}, ending in [DONE])" >&2; exit 1; }
    done
  done
  # The chat80 usage check under load needs the conversation's prompt_tokens (the template's tokens): the mock's figure,
  # which the baseline must then repeat byte for byte (below).
  chat_prompt_tokens=$(grep -o '"choices":\[\],"usage":{"prompt_tokens":[0-9]*' "$out/sample-mock-chat80.txt" | grep -o '[0-9]*$') \
    || { echo "run.sh: no usage chunk in the mock's chat80 answer" >&2; exit 1; }
  echo "  chat80: prompt_tokens $chat_prompt_tokens"
  # The baseline must send the same bytes as the mock, apart from the id and created values.
  normalize() { sed -E 's/(chat)?cmpl-[0-9a-f]{16}/\1cmpl-ID/g; s/"created":[0-9]+/"created":0/g' "$1"; }
  for scenario in "${scenarios[@]}"; do
    if ! cmp -s <(normalize "$out/sample-mock-$scenario.txt") <(normalize "$out/sample-bare-$scenario.txt"); then
      echo "run.sh: the baseline's $scenario response differs from the mock's; update bench/Bench so the comparison stays fair:" >&2
      diff <(normalize "$out/sample-mock-$scenario.txt") <(normalize "$out/sample-bare-$scenario.txt") | head -10 >&2
      exit 1
    fi
  done
  echo "  both servers: 200, same JSON bytes (modulo id/created); stream80 82 and chat80 84 SSE events, ending in [DONE]"

  echo "warming up (${warmup}s per server and scenario)"
  for name in mock bare; do
    for scenario in "${scenarios[@]}"; do
      run_wrk warmup "$name" "$scenario" 0 "$warmup" "$connections"
      check_last
    done
  done

  echo "verifying every response under load (${verify_seconds}s each)"
  for name in mock bare; do
    for scenario in "${scenarios[@]}"; do
      run_wrk verify "$name" "$scenario" 0 "$verify_seconds" "$connections" 1
      check_last
    done
  done

  # ---- measurement: alternate mock and bare, swapping who goes first each repetition ------------------------------
  echo "measuring: $reps x ${duration}s per server and scenario, $connections connections, $threads wrk threads"
  for rep in $(seq 1 "$reps"); do
    order=(mock bare); (( rep % 2 == 0 )) && order=(bare mock)
    for scenario in "${scenarios[@]}"; do
      for name in "${order[@]}"; do
        run_wrk measure "$name" "$scenario" "$rep" "$duration" "$connections"
        check_last
        check_bytes
      done
    done
  done

  # ---- peak RSS with 256 concurrent streams: fresh process, short warm-up, then sample /proc/PID/status ----------
  echo "peak RSS: $rss_connections concurrent streams for ${duration}s on a fresh process"
  for name in mock bare; do
    stop_server "$name"
    start_server "$name"
    run_wrk rss-warmup "$name" completion16 0 2 "$connections"
    run_wrk rss-warmup "$name" stream80 0 2 "$connections"
    samples="$out/rss-samples-$name.txt"
    : >"$samples"
    (
      for _ in $(seq 1 $(( (duration + 5) * 10 ))); do
        grep -h '^VmRSS' "/proc/${pid[$name]}/status" 2>/dev/null | awk '{print $2}' >>"$samples" || exit 0
        sleep 0.1
      done
    ) &
    sampler=$!
    run_wrk rss "$name" stream80 0 "$duration" "$rss_connections"
    check_last
    check_bytes
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    hwm=$(awk '/^VmHWM/ {print $2}' "/proc/${pid[$name]}/status")
    python3 - "$out/runs.jsonl" "$samples" "$hwm" >"$out/rss-$name.json" <<'PY'
import json, sys
run = json.loads(open(sys.argv[1]).read().splitlines()[-1])
samples = [int(x) for x in open(sys.argv[2]).read().split()]
print(json.dumps({"vmhwm_kb": int(sys.argv[3]), "max_vmrss_kb": max(samples), "samples": len(samples),
                  "connections": run["connections"], "seconds": round(run["duration_us"] / 1e6), "streams_per_s": run["requests"] / (run["duration_us"] / 1e6)}))
PY
  done
}

# ---- stalled readers: 100,000-token streams whose readers stop reading, on a fresh mock -----------------------------
stalled() {
  echo "stalled readers: $stall_readers readers of 100,000-token streams, held ${stall_seconds}s, on a fresh mock"
  stop_server mock
  stop_server bare
  # Keys so the admin route can say how many tokens the stalled streams were charged (every flushed frame's), and
  # probes on their own key. Local bench keys, not secrets.
  mock_args=(--keys-file bench/stalled-keys.json --admin true)
  mock_env=(MockServer__AdminKey=bench-admin-key)
  wrk_headers=(-H "Authorization: Bearer bench-probe-key")
  start_server mock
  # A warmed-up server, as in the peak RSS step: its heaps have grown under load before the readers stall.
  run_wrk stalled-warmup mock completion16 0 2 "$connections"
  check_last
  run_wrk stalled-warmup mock stream80 0 2 "$connections"
  check_last
  timeout $((stall_seconds + 120)) python3 bench/stalled.py --port "$mock_port" --pid "${pid[mock]}" --out "$out/stalled.json" \
    --readers "$stall_readers" --hold "$stall_seconds" --key bench-stalled-key --key-name stalled \
    --probe-key bench-probe-key --admin-key bench-admin-key >"$out/stalled.txt" \
    || { cat "$out/stalled.txt"; echo "run.sh: the stalled-readers step failed" >&2; exit 1; }
  stop_server mock
  mock_args=()
  mock_env=()
  wrk_headers=()
}

# Not `cond || step`: errexit must hold inside the steps, and an if body keeps it.
if [[ $mode != stalled ]]; then
  throughput
fi
if [[ $mode != throughput ]]; then
  stalled
fi
cleanup

echo
python3 bench/summarize.py "$out" | tee "$out/summary.txt"
echo
echo "raw results: $out"
