#!/usr/bin/env python3
"""Reads a bench/run.sh results directory (runs.jsonl, rss-*.json, stalled.json) and prints the table; writes summary.json."""
import json
import statistics
import sys
from pathlib import Path

# SSE events per stream, verified per response by the verification runs:
FRAMES = {
    "stream80": 82,  # 80 content events + the usage event + data: [DONE]
    "chat80": 84,  # the role chunk + 80 content deltas + the finish chunk + the usage chunk + data: [DONE]
}


def main(directory: Path) -> int:
    runs = [json.loads(line) for line in (directory / "runs.jsonl").read_text().splitlines() if line.strip()]
    measured = [r for r in runs if r["phase"] == "measure"]
    verified = {(r["server"], r["scenario"]): r for r in runs if r["phase"] == "verify"}

    def med(server, scenario, key):
        values = [key(r) for r in measured if r["server"] == server and r["scenario"] == scenario]
        return statistics.median(values), values

    rows = []
    summary = {"frames_per_stream": FRAMES, "metrics": {}}
    if measured:
        throughput(directory, measured, verified, med, rows, summary)
    stalled(directory, summary)
    (directory / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return 0


def throughput(directory, measured, verified, med, rows, summary):
    rps = lambda r: r["requests"] / (r["duration_us"] / 1e6)
    cpu_us = lambda r: r["server_cpu_s"] * 1e6 / r["requests"] if r["requests"] else float("nan")
    p50 = lambda r: r["latency_us"]["p50"] / 1000
    p99 = lambda r: r["latency_us"]["p99"] / 1000
    fps = lambda r: rps(r) * FRAMES[r["scenario"]]

    def row(label, scenario, key, fmt, higher_is_better, target=None):
        if not any(r["scenario"] == scenario for r in measured):
            return  # a results directory from before this scenario existed
        m, mv = med("mock", scenario, key)
        b, bv = med("bare", scenario, key)
        ratio = m / b if b else float("nan")
        verdict = ""
        if target is not None:
            verdict = "MET" if ratio >= target else "MISSED"
            verdict += f" (>= {target}x)"
        rows.append((label, fmt.format(m), fmt.format(b), f"{ratio:.2f}x", verdict))
        summary["metrics"][label] = {"mock_median": m, "bare_median": b, "ratio": ratio, "mock_runs": mv, "bare_runs": bv, "target": verdict}

    row("completion16 requests/s", "completion16", rps, "{:,.0f}", True, 0.8)
    row("completion16 p50 latency (ms)", "completion16", p50, "{:.2f}", False)
    row("completion16 p99 latency (ms)", "completion16", p99, "{:.2f}", False)
    row("completion16 server CPU us/request", "completion16", cpu_us, "{:.1f}", False)
    row("stream80 frames/s", "stream80", fps, "{:,.0f}", True, 0.8)
    row("stream80 streams/s", "stream80", rps, "{:,.0f}", True)
    row("stream80 p50 stream time (ms)", "stream80", p50, "{:.2f}", False)
    row("stream80 p99 stream time (ms)", "stream80", p99, "{:.2f}", False)
    row("stream80 server CPU us/stream", "stream80", cpu_us, "{:.1f}", False)
    row("chat80 frames/s", "chat80", fps, "{:,.0f}", True, 0.8)
    row("chat80 streams/s", "chat80", rps, "{:,.0f}", True)
    row("chat80 p50 stream time (ms)", "chat80", p50, "{:.2f}", False)
    row("chat80 p99 stream time (ms)", "chat80", p99, "{:.2f}", False)
    row("chat80 server CPU us/stream", "chat80", cpu_us, "{:.1f}", False)

    widths = [max(len(str(x[i])) for x in rows + [("metric", "mock", "bare", "mock/bare", "target")]) for i in range(5)]
    line = lambda cells: "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))
    print(line(("metric", "mock", "bare", "mock/bare", "target")))
    print(line(tuple("-" * w for w in widths)))
    for r in rows:
        print(line(r))

    reps = len([r for r in measured if r["server"] == "mock" and r["scenario"] == "completion16"])
    print(f"\nmedians of {reps} runs each; frames/s = streams/s x events per stream (stream80: {FRAMES['stream80']} = 80 content + usage + [DONE]; "
          f"chat80: {FRAMES['chat80']} = role + 80 content + finish + usage + [DONE]), "
          "frame count verified per response in the verification runs and bytes/response checked in every measured run")

    other = [max(0.0, r["machine_busy_s"] - r["server_cpu_s"] - r["wrk_cpu_s"]) / (r["cores"] * r["duration_us"] / 1e6)
             for r in measured if "machine_busy_s" in r]
    if other:
        print(f"other work on the machine during the measured runs: {min(other):.0%} to {max(other):.0%} of all cores "
              "(machine busy time minus server and wrk; 0% is a quiet machine)")
        summary["other_cpu_share"] = other
        share = lambda r: r["server_cpu_s"] / (r["cores"] * r["duration_us"] / 1e6)
        for scenario in [s for s in ("completion16", "stream80", "chat80") if any(r["scenario"] == s for r in measured)]:
            sm, _ = med("mock", scenario, share)
            sb, _ = med("bare", scenario, share)
            wm, _ = med("mock", scenario, lambda r: r["wrk_cpu_s"] / (r["cores"] * r["duration_us"] / 1e6))
            wb, _ = med("bare", scenario, lambda r: r["wrk_cpu_s"] / (r["cores"] * r["duration_us"] / 1e6))
            print(f"  {scenario}: server used {sm:.0%} (mock) / {sb:.0%} (bare) of the cores, wrk {wm:.0%} / {wb:.0%}")

    print("\nverification (every response checked under load):")
    for (server, scenario), r in sorted(verified.items()):
        v = r["verify"]
        print(f"  {server:4} {scenario:12} {v['checked']:>7} responses, {v['bad']} bad, {r['bytes'] / max(r['requests'], 1):.0f} bytes/response"
              + (f", {v['events']} events ({v['content_frames']} content)" if scenario in FRAMES else "")
              + (f"  FIRST BAD: {v['first_bad']}" if v["bad"] else ""))

    print("\npeak memory under concurrent streams (fresh process per server, short warm-up, then the stream80 load):")
    for server in ("mock", "bare"):
        path = directory / f"rss-{server}.json"
        if path.exists():
            rss = json.loads(path.read_text())
            summary[f"rss_{server}"] = rss
            target = ""
            if server == "mock":
                target = "  MET (< 150 MB)" if rss["vmhwm_kb"] < 150 * 1024 else "  MISSED (< 150 MB)"
            print(f"  {server}: VmHWM {rss['vmhwm_kb'] / 1024:.1f} MB, max sampled VmRSS {rss['max_vmrss_kb'] / 1024:.1f} MB "
                  f"({rss['samples']} samples), {rss['connections']} connections for {rss['seconds']} s, {rss['streams_per_s']:,.0f} streams/s{target}")


def stalled(directory, summary):
    """The stalled-readers step: bench/stalled.py wrote its figures and summary lines to stalled.json."""
    path = directory / "stalled.json"
    if not path.exists():
        return
    result = json.loads(path.read_text())
    print(f"\nstalled readers (fresh mock with keys and the admin route, warmed up, then {result['readers']} readers stop reading):")
    for line in result["summary"]:
        print(f"  {line}")
    summary["stalled"] = {k: v for k, v in result.items() if k not in ("rss_samples", "probes", "summary")}


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
