#!/usr/bin/env python3
"""Stalled readers: N clients open 100,000-token streams, read the headers and the first frame, then stop reading.

While they hold, the server's memory is sampled (VmRSS every 100 ms, VmHWM at the end) and a probe client sends
ordinary requests (a completion16 and a stream80, alternating) to show the server stays responsive. At the end of the
hold it measures how far the streams got: bytes the clients read, bytes waiting in the clients' receive buffers and
in the server's send queues (/proc/net/tcp), and, after the clients close, the completion tokens the server charged
the stalled key (the tokens of every frame it flushed; README "Keys, budgets and rate limits"), read from the admin
route. Only 127.0.0.1 is contacted. Writes one JSON object to --out and prints a summary.

Usage: stalled.py --port P --pid PID --out FILE [--readers 50] [--hold 10] [--max-tokens 100000] [--rcvbuf 4096]
         --key K --probe-key K --admin-key K   (the keys of bench/stalled-keys.json; the admin key of the server)
"""
import argparse
import fcntl
import http.client
import json
import os
import socket
import statistics
import struct
import sys
import termios
import threading
import time

STALLED_BODY = '{{"model":"llama-8b","prompt":"Once upon a time","max_tokens":{max_tokens},"temperature":0,"stream":true}}'
PROBES = {
    "completion16": '{"model":"llama-8b","prompt":"Five reasons to learn Rust:\\n1.","max_tokens":16}',
    "stream80": '{"model":"llama-8b","prompt":"Five reasons to learn Rust:\\n1.","max_tokens":80,"stream":true,"stream_options":{"include_usage":true}}',
}
# Kestrel's default Limits.MaxResponseBufferSize: a flush completes once less than this waits in the connection's
# output pipe, so about this much of a stalled stream is flushed (charged) but not yet in the kernel's queues.
KESTREL_RESPONSE_BUFFER = 64 * 1024


def status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} for pid {pid}")


def cpu_seconds(pid):
    """utime + stime of a process, in seconds."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def open_stalled(port, key, body, rcvbuf, timeout):
    """Connects with a small receive buffer, sends the request, reads up to the end of the first SSE frame."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # Before connect, so the window the client advertises is small from the start.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(timeout)
    s.connect(("127.0.0.1", port))
    payload = body.encode()
    s.sendall((f"POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
               f"Authorization: Bearer {key}\r\nContent-Length: {len(payload)}\r\n\r\n").encode() + payload)
    data = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            raise RuntimeError(f"connection closed after {len(data)} bytes: {data[:200]!r}")
        data += chunk
        head_end = data.find(b"\r\n\r\n")
        if head_end >= 0 and data.find(b"\n\n", head_end + 4) >= 0:
            break
    head = data[:head_end].decode("latin-1")
    if not head.startswith("HTTP/1.1 200") or "text/event-stream" not in head.lower():
        raise RuntimeError(f"not a 200 event stream: {head!r}")
    return s, data, head_end + 4


def probe(port, key, scenario):
    """One ordinary request on a fresh connection; returns (seconds, ok)."""
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", "/v1/completions", PROBES[scenario],
                     {"Content-Type": "application/json", "Authorization": f"Bearer {key}"})
        response = conn.getresponse()
        body = response.read()
        elapsed = time.monotonic() - started
        if scenario == "stream80":
            ok = response.status == 200 and body.count(b"data: ") == 82 and body.endswith(b"data: [DONE]\n\n")
        else:
            ok = response.status == 200 and b'"completion_tokens":16' in body
        return elapsed, ok
    finally:
        conn.close()


def admin_usage(port, admin_key, name, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", f"/admin/keys/{name}", headers={"Authorization": f"Bearer {admin_key}"})
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET /admin/keys/{name}: {response.status} {body[:200]!r}")
        return json.loads(body)
    finally:
        conn.close()


def tcp_queues(server_port, client_ports):
    """(server send queue bytes, server-side connections open) for the connections from client_ports."""
    send_queue, open_conns = 0, 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            fields = line.split()
            local, remote, state, queues = fields[1], fields[2], fields[3], fields[4]
            if int(local.rsplit(":", 1)[1], 16) == server_port and int(remote.rsplit(":", 1)[1], 16) in client_ports:
                tx = int(queues.split(":")[0], 16)
                send_queue += tx
                open_conns += state == "01"  # ESTABLISHED
    return send_queue, open_conns


def unread(sock):
    buf = fcntl.ioctl(sock.fileno(), termios.FIONREAD, struct.pack("i", 0))
    return struct.unpack("i", buf)[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--readers", type=int, default=50)
    ap.add_argument("--hold", type=float, default=10)
    ap.add_argument("--max-tokens", type=int, default=100000)
    ap.add_argument("--rcvbuf", type=int, default=4096)
    ap.add_argument("--key", required=True)
    ap.add_argument("--key-name", default="stalled")
    ap.add_argument("--probe-key", required=True)
    ap.add_argument("--admin-key", required=True)
    a = ap.parse_args()
    pid = a.pid

    result = {"readers": a.readers, "hold_s": a.hold, "max_tokens": a.max_tokens, "rcvbuf_requested": a.rcvbuf}
    result["rss_before_kb"] = status_kb(pid, "VmRSS")
    result["hwm_before_kb"] = status_kb(pid, "VmHWM")
    idle = [(scenario, *probe(a.port, a.probe_key, scenario)) for scenario in ("completion16", "stream80") * 5]
    if not all(ok for _, _, ok in idle):
        raise RuntimeError("a probe failed before the readers stalled")
    result["probe_idle_ms"] = {s: [round(t * 1000, 2) for scenario, t, _ in idle if scenario == s] for s in ("completion16", "stream80")}

    # ---- sample memory every 100 ms and probe every 500 ms from before the first reader opens to the end of the hold
    samples, probes = [], []
    stop = threading.Event()
    started = time.monotonic()

    def sampler():
        while not stop.is_set():
            samples.append((round(time.monotonic() - started, 2), status_kb(pid, "VmRSS")))
            stop.wait(0.1)

    def prober():
        i = 0
        while not stop.is_set():
            scenario = "completion16" if i % 2 == 0 else "stream80"
            at = time.monotonic() - started
            elapsed, ok = probe(a.port, a.probe_key, scenario)
            probes.append({"scenario": scenario, "at_s": round(at, 2), "ms": round(elapsed * 1000, 2), "ok": ok})
            i += 1
            stop.wait(0.5)

    charged_before = admin_usage(a.port, a.admin_key, a.key_name)
    cpu_before = cpu_seconds(pid)
    threads = [threading.Thread(target=sampler), threading.Thread(target=prober)]
    for t in threads:
        t.start()

    # ---- open the stalled readers, then hold them ------------------------------------------------------------------
    body = STALLED_BODY.format(max_tokens=a.max_tokens)
    readers = []
    try:
        for _ in range(a.readers):
            readers.append(open_stalled(a.port, a.key, body, a.rcvbuf, timeout=30))
        result["open_s"] = round(time.monotonic() - started, 3)
        result["rcvbuf_effective"] = readers[0][0].getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
        client_ports = {s.getsockname()[1] for s, _, _ in readers}
        time.sleep(a.hold)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    result["server_cpu_hold_s"] = round(cpu_seconds(pid) - cpu_before, 2)

    # ---- how far the streams got: read by the clients, waiting in their buffers, queued by the server's kernel -----
    read_bytes = sum(len(d) for _, d, _ in readers)
    body_bytes = sum(len(d) - b for _, d, b in readers)
    frames_read = sum(d.count(b"data: ") for _, d, _ in readers)
    client_unread = sum(unread(s) for s, _, _ in readers)
    server_queue, still_open = tcp_queues(a.port, client_ports)
    result["hwm_kb"] = status_kb(pid, "VmHWM")
    result["rss_end_kb"] = status_kb(pid, "VmRSS")
    result["rss_samples"] = samples
    result["max_rss_kb"] = max(kb for _, kb in samples)
    result["probes"] = probes
    per_frame = body_bytes / frames_read  # chunked framing included, like the queued bytes
    w = result["wire"] = {
        "client_read_bytes": read_bytes, "frames_read": frames_read, "client_unread_bytes": client_unread,
        "server_send_queue_bytes": server_queue, "server_connections_open": still_open,
        "bytes_per_frame": round(per_frame, 1),
        # One token per frame here (greedy text; each frame carries one token).
        "frames_on_wire_est": round(frames_read + (client_unread + server_queue) / per_frame),
    }

    # ---- close, and read what the server charged the stalled key (the tokens of every frame it flushed) ------------
    cpu_close = cpu_seconds(pid)
    closed = time.monotonic()
    for s, _, _ in readers:
        s.close()
    # Poll until every stalled request has settled (nothing reserved). The answers' latency is also how responsive the
    # server is right after the readers leave; a slow answer is waited for, up to a minute in all.
    usage, slowest = None, 0.0
    while time.monotonic() - closed < 60:
        asked = time.monotonic()
        try:
            usage = admin_usage(a.port, a.admin_key, a.key_name, timeout=60)
        except TimeoutError:
            break
        slowest = max(slowest, time.monotonic() - asked)
        if usage["reserved_tokens"] == 0 and usage["requests"] - charged_before["requests"] >= a.readers:
            break
        time.sleep(0.1)
    result["settle_s"] = round(time.monotonic() - closed, 2)
    result["admin_slowest_after_close_ms"] = round(slowest * 1000, 1)
    if usage is None or usage["reserved_tokens"] != 0:
        raise RuntimeError(f"the stalled requests had not settled {result['settle_s']} s after the readers closed: {usage}")
    result["server_cpu_settle_s"] = round(cpu_seconds(pid) - cpu_close, 2)
    # The key's usage since before the readers opened (a server kept from an earlier run has charged it already).
    charged = usage["completion_tokens"] - charged_before["completion_tokens"]
    result["charged"] = {"completion_tokens": charged, "requests": usage["requests"] - charged_before["requests"],
                         "reserved_tokens": usage["reserved_tokens"]}
    result["charged_beyond_wire"] = charged - w["frames_on_wire_est"]
    time.sleep(1)
    result["probe_after_close_ms"] = round(probe(a.port, a.probe_key, "completion16")[0] * 1000, 2)
    result["rss_after_close_kb"] = status_kb(pid, "VmRSS")

    # ---- summary ----------------------------------------------------------------------------------------------------
    mb = lambda kb: f"{kb / 1024:.1f} MB"
    med = lambda xs: statistics.median(xs) if xs else float("nan")
    failed = [p for p in probes if not p["ok"]]
    lines = [
        f"{a.readers} readers stalled on {a.max_tokens:,}-token streams (SO_RCVBUF {a.rcvbuf} requested, "
        f"{result['rcvbuf_effective']} effective): all opened {result['open_s']:.1f} s after the first, then held {a.hold:g} s",
        f"server memory: VmRSS {mb(result['rss_before_kb'])} before; max sampled {mb(result['max_rss_kb'])} "
        f"({len(samples)} samples every 100 ms); VmHWM {mb(result['hwm_kb'])} (the process's lifetime peak, warm-up "
        f"included); {mb(result['rss_after_close_kb'])} after the readers closed",
        f"how far the streams got by the end of the hold: clients read {read_bytes:,} bytes ({frames_read} frames), "
        f"{client_unread:,} bytes waited unread in their buffers and {server_queue:,} in the server's socket send queues "
        f"(kernel memory, not the server's RSS): about {w['frames_on_wire_est']:,} frames = tokens "
        f"({w['frames_on_wire_est'] / a.readers:,.0f} per stream of {a.max_tokens:,}, {per_frame:.0f} bytes per frame); "
        f"{still_open} of {a.readers} connections still open on the server"
        + ("" if still_open == a.readers else " (the others were ended by the server, e.g. its write timeout, and their "
           "send queues are gone, so the frames are undercounted; the charge below counts them)"),
        f"server CPU from the first open to the end of the hold: {result['server_cpu_hold_s']:.2f} s (probes included)",
        f"after the readers closed: the stalled key was charged {charged:,} completion tokens "
        f"({charged / a.readers:,.0f} per stream)"
        + (f", {charged - w['frames_on_wire_est']:+,} against the frames on the wire (Kestrel's output buffer, "
           f"{KESTREL_RESPONSE_BUFFER // 1024} KB = {KESTREL_RESPONSE_BUFFER / per_frame:.0f} frames per connection, "
           f"explains up to {a.readers * KESTREL_RESPONSE_BUFFER / per_frame:,.0f})" if still_open == a.readers else "")
        + f"; all {result['charged']['requests']} requests settled in "
        f"{result['settle_s']:.2f} s, using {result['server_cpu_settle_s']:.2f} s of server CPU; the slowest admin "
        f"answer meanwhile took {result['admin_slowest_after_close_ms']:,.0f} ms",
    ]
    for scenario in ("completion16", "stream80"):
        ms = [p["ms"] for p in probes if p["scenario"] == scenario]
        lines.append(f"probe {scenario} while stalled: median {med(ms):.1f} ms, max {max(ms, default=float('nan')):.1f} ms "
                     f"({len(ms)} requests); idle before: median {med(result['probe_idle_ms'][scenario]):.1f} ms")
    lines.append(f"probes failed: {len(failed)}; completion16 1 s after the readers closed: {result['probe_after_close_ms']:.1f} ms")
    peak = max(result["max_rss_kb"], result["hwm_kb"])
    result["target"] = "MET" if peak < 250 * 1024 else "MISSED"
    lines.append(f"target, server under 250 MB with {a.readers} stalled readers: {result['target']} (peak {mb(peak)})")
    result["summary"] = lines
    with open(a.out, "w") as f:
        json.dump(result, f)
    for line in lines:
        print("  " + line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
