#!/usr/bin/env python3
# bench.py: run the benchmark workloads through Code Canvas and the official E2B SDK
#
# Copyright 2026 The Code Canvas Authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Alternates our C driver (A) and the SDK's Node driver (B) on the same engine, A B A B, after one
uncounted warm-up of each, and measures the machine's floor for the same work in each round. Prints,
per workload, both medians, min-max, the ratio ours/SDK and the floor, as a Markdown table.

The engine is already running (bench/run.sh starts it) and E2B_API_URL, E2B_SANDBOX_URL and
E2B_API_KEY point at it. Nothing here asserts on time."""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

MIB = 1024 * 1024

FULL = {"echo_n": 200, "stream_bytes": 256 * MIB, "many_n": 1000, "many_size": 4096,
        "big_bytes": 64 * MIB, "create_n": 50, "history_n": 100000, "pause_n": 20, "snap_n": 10,
        "live_n": 50, "idle_s": 10, "json_bytes": 15 * MIB}
QUICK = {"echo_n": 20, "stream_bytes": 16 * MIB, "many_n": 100, "many_size": 4096,
         "big_bytes": 4 * MIB, "create_n": 5, "history_n": 2000, "pause_n": 3, "snap_n": 2,
         "live_n": 10, "idle_s": 3, "json_bytes": 2 * MIB}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run_driver(argv, env=None):
    """One run of a driver: its JSON result line, or a dict with 'error'."""
    t0 = time.monotonic()
    proc = subprocess.run(argv, capture_output=True, text=True, env=env)
    wall = (time.monotonic() - t0) * 1000
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip() or proc.stdout.strip() or f"exit {proc.returncode}")[-400:]}
    try:
        result = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"error": f"no JSON result in {proc.stdout[-200:]!r}"}
    result["wall_ms"] = wall
    return result


def timed_shell(script, cwd=None):
    t0 = time.monotonic()
    subprocess.run(["bash", "-c", script], check=True, cwd=cwd,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.monotonic() - t0) * 1000


def proc_status_kb(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def median(values):
    return statistics.median(values) if values else None


def fmt_ms(v):
    if v is None:
        return "—"
    if v >= 100:
        return f"{v:.0f} ms"
    if v >= 10:
        return f"{v:.1f} ms"
    return f"{v:.2f} ms"


def fmt_range(values):
    if not values:
        return "—"
    return f"{fmt_ms(min(values))}–{fmt_ms(max(values))}"


class Workload:
    def __init__(self, key, title, cc_args, sdk_args, floor=None, bytes_moved=None, per_item=None):
        self.key, self.title = key, title
        self.cc_args, self.sdk_args = cc_args, sdk_args
        self.floor, self.bytes_moved, self.per_item = floor, bytes_moved, per_item
        self.results = {"ours": [], "sdk": []}
        self.errors = {"ours": [], "sdk": []}
        self.floor_ms = []


def make_floors(sizes, scratch):
    """The machine's own cost for the same work, without any sandbox or HTTP in between."""
    src_many = os.path.join(scratch, "many-src")
    for i in range(sizes["many_n"]):
        d = os.path.join(src_many, f"d{i % 10}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"f{i}.txt"), "wb") as f:
            f.write(b"x" * (sizes["many_size"] - 1) + b"\n")
    big = os.path.join(scratch, "big.bin")
    with open(big, "wb") as f:
        f.write(os.urandom(sizes["big_bytes"]))

    def echo():
        return timed_shell(f'for i in $(seq {sizes["echo_n"]}); do /bin/bash -c "echo $i" >/dev/null; done')

    def login_echo():
        # What every command really runs: the protocol's `/bin/bash -l -c` reads the system's
        # login profile, which costs more than the fork/exec itself on some machines.
        home = os.path.join(scratch, "home")
        os.makedirs(home, exist_ok=True)
        return timed_shell(f'for i in $(seq {sizes["echo_n"]}); do env -i HOME="{home}" PATH=/usr/bin:/bin '
                           f'/bin/bash -l -c "echo $i" >/dev/null; done')

    def bwrap_echo():
        # The sandbox's own spawn cost: a bubblewrap with the namespaces the engine asks for.
        return timed_shell(f'for i in $(seq {sizes["echo_n"]}); do bwrap --ro-bind / / --dev /dev --proc /proc '
                           f'--unshare-user --unshare-pid --unshare-ipc --unshare-uts --die-with-parent '
                           f'/bin/echo $i >/dev/null; done')

    def stream():
        return timed_shell(f'head -c {sizes["stream_bytes"]} /dev/zero | cat >/dev/null')

    def many():
        dst = os.path.join(scratch, "many-dst")
        ms = timed_shell(f'cp -r "{src_many}" "{dst}"')
        shutil.rmtree(dst)
        return ms

    def upload():
        dst = os.path.join(scratch, "big-copy.bin")
        ms = timed_shell(f'cat "{big}" | cat >"{dst}"')
        os.unlink(dst)
        return ms

    def download():
        return timed_shell(f'cat "{big}" | cat >/dev/null')

    return {"echo": echo, "login_echo": login_echo, "bwrap_echo": bwrap_echo, "stream": stream, "many": many, "upload": upload, "download": download}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cc-bench", required=True, help="the C driver (our core)")
    ap.add_argument("--node", default="node")
    ap.add_argument("--sdk-bench", required=True, help="sdk-bench.mjs")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", default="", help="comma-separated workload keys (a,a0,a2,b,c,d-up,d-down,h-up,h-json,h-down,h-create,e,e1,e2,e3,e1-offline,p,s,f,m-restore,m-live,m-idle,g,g-nogl)")
    ap.add_argument("--json", help="also write the raw results here")
    ap.add_argument("--out", help="also write the table here")
    ap.add_argument("--engine-pid", type=int, help="the engine, to report its peak RSS after each workload")
    ap.add_argument("--header", default="", help="a line printed above the table")
    ap.add_argument("--app", help="code-canvas, for (g)")
    ap.add_argument("--first-frame", help="cc-first-frame, for (g)")
    opts = ap.parse_args()

    sizes = QUICK if opts.quick else FULL
    cc = [opts.cc_bench]
    sdk = [opts.node, opts.sdk_bench]
    have_cc = os.access(opts.cc_bench, os.X_OK)
    scratch = tempfile.mkdtemp(prefix="cc-bench-floor.")
    floors = make_floors(sizes, scratch)

    s = sizes
    workloads = [
        Workload("a", f'{s["echo_n"]} sequential `echo` commands', ["echo", s["echo_n"]],
                 ["echo", s["echo_n"]], floors["echo"], per_item=s["echo_n"]),
        Workload("b", f'one command writing {s["stream_bytes"] // MIB} MiB to stdout',
                 ["stream", s["stream_bytes"]], ["stream", s["stream_bytes"]], floors["stream"],
                 bytes_moved=s["stream_bytes"]),
        Workload("c", f'upload {s["many_n"]} files of {s["many_size"] // 1024} KiB in one call',
                 ["upload-many", s["many_n"], s["many_size"]], ["upload-many", s["many_n"], s["many_size"]],
                 floors["many"], bytes_moved=s["many_n"] * s["many_size"]),
        Workload("d-up", f'upload one {s["big_bytes"] // MIB} MiB file', ["upload", s["big_bytes"]],
                 ["upload", s["big_bytes"]], floors["upload"], bytes_moved=s["big_bytes"]),
        Workload("d-down", f'download one {s["big_bytes"] // MIB} MiB file', ["download", s["big_bytes"]],
                 ["download", s["big_bytes"]], floors["download"], bytes_moved=s["big_bytes"]),
        Workload("h-up", f'the engine\'s longest wait to answer /health (asked every 0.5 ms) while it reads '
                 f'a {s["big_bytes"] // MIB} MiB upload', ["stall-upload", s["big_bytes"]], None, None),
        Workload("h-json", f'the same while it reads a {s["json_bytes"] // MIB} MiB JSON request (refused '
                 'once parsed)', ["stall-json", s["json_bytes"]], None, None),
        Workload("h-down", f'the same while it sends a {s["big_bytes"] // MIB} MiB download',
                 ["stall-download", s["big_bytes"]], None, None),
        Workload("h-create", f'the same while it makes {s["create_n"]} sandboxes back to back (create + '
                 'first command + kill)', ["stall-create", s["create_n"]], None, None),
        Workload("e", f'create + kill {s["create_n"]} sandboxes', ["create", s["create_n"]],
                 ["create", s["create_n"]], None, per_item=s["create_n"]),
        Workload("e1", f'create + first command + kill, {s["create_n"]} sandboxes', ["create-run", s["create_n"]],
                 ["create-run", s["create_n"]], None, per_item=s["create_n"]),
        Workload("e2", f'first command of a sandbox created 250 ms before (timed alone), {s["create_n"]} sandboxes',
                 ["create-settle-run", s["create_n"], 250], ["create-settle-run", s["create_n"], 250], None,
                 per_item=s["create_n"]),
        Workload("e3", f'create + first command + kill, each create 250 ms after the last kill (untimed), '
                 f'{s["create_n"]} sandboxes', ["create-paced-run", s["create_n"], 250],
                 ["create-paced-run", s["create_n"], 250], None, per_item=s["create_n"]),
        Workload("e1-offline", f'the same with allowInternetAccess false (no outbound network; SDK only, '
                 'our client does not offer it)', None, ["create-run", s["create_n"], 0], None,
                 per_item=s["create_n"]),
        Workload("p", f'pause + resume of a sandbox running a server, {s["pause_n"]} rounds', None,
                 ["pause-resume", s["pause_n"]], None, per_item=2 * s["pause_n"]),
        Workload("s", f'snapshot of a {s["many_n"]}-file sandbox, {s["snap_n"]} times', None,
                 ["snapshot", s["snap_n"], s["many_n"]], None, per_item=s["snap_n"]),
        Workload("f", f'cache hit on a project with {s["history_n"]} history records',
                 ["cache-hit", s["history_n"]], None, None),
        Workload("a0", f'{s["echo_n"]} sequential /bin/echo started directly (no login shell; diagnostic)',
                 ["echo-direct", s["echo_n"]], None, floors["bwrap_echo"] if shutil.which("bwrap") else None,
                 per_item=s["echo_n"]),
        Workload("a2", f'{s["echo_n"]} sequential `echo` through the product API (recorded, no cache)',
                 ["exec", s["echo_n"]], None, None, per_item=s["echo_n"]),
        Workload("m-restore", f're-create + restore a mirrored {s["many_n"]}-file workspace '
                 f'({s["many_size"] // 1024} KiB each; read against (c))',
                 ["mirror-restore", s["many_n"], s["many_size"]], None, None,
                 bytes_moved=s["many_n"] * s["many_size"]),
        Workload("m-live", f'{s["live_n"]} files written in a mirrored sandbox, each until it is in '
                 'the workspace', ["mirror-live", s["live_n"]], None, None, per_item=s["live_n"]),
        Workload("m-idle", f'a mirrored, watched 1000-file workspace left idle for {s["idle_s"]} s',
                 ["mirror-idle", s["idle_s"]], None, None),
    ]
    if opts.app and opts.first_frame:
        g = Workload("g", "code-canvas start to first frame (Xvfb), idle RSS after 3 s", [], None, None)
        g.argv = [opts.first_frame, "--idle-ms", "3000", "--", opts.app]
        workloads.append(g)
        # Xvfb has no GPU, so GTK's GL setup loads Mesa's software rasteriser (llvmpipe, ~50 MiB
        # of LLVM); the same start with GL off shows what is the app's own.
        g2 = Workload("g-nogl", "the same with GDK_DEBUG=gl-disable (no Mesa llvmpipe)", [], None, None)
        g2.argv = [opts.first_frame, "--idle-ms", "3000", "--", "env", "GDK_DEBUG=gl-disable", opts.app]
        workloads.append(g2)
    order = ["a", "a0", "a2", "b", "c", "d-up", "d-down", "h-up", "h-json", "h-down", "h-create", "e", "e1", "e2", "e3", "e1-offline", "p", "s", "f",
             "m-restore", "m-live", "m-idle", "g", "g-nogl"]
    workloads.sort(key=lambda w: order.index(w.key))
    if opts.only:
        keep = set(opts.only.split(","))
        workloads = [w for w in workloads if w.key in keep]

    driver_env = dict(os.environ)
    if opts.engine_pid:
        driver_env["CC_BENCH_ENGINE_PID"] = str(opts.engine_pid)
    for w in workloads:
        sides = []
        if getattr(w, "argv", None):
            sides.append(("ours", w.argv))
        elif have_cc and w.cc_args is not None:
            sides.append(("ours", cc + [str(a) for a in w.cc_args]))
        if w.sdk_args is not None:
            sides.append(("sdk", sdk + [str(a) for a in w.sdk_args]))
        log(f"[{w.key}] {w.title}: warm-up")
        for _side, argv in sides:
            run_driver(argv, driver_env)
        if w.floor:
            w.floor()
        for i in range(opts.runs):
            for side, argv in sides:
                r = run_driver(argv, driver_env)
                if "error" in r:
                    w.errors[side].append(r["error"])
                    log(f"[{w.key}] {side} run {i + 1}: FAILED: {r['error']}")
                else:
                    w.results[side].append(r)
                    log(f"[{w.key}] {side} run {i + 1}: {fmt_ms(r['ms'])}")
            # In the same round as the runs it is compared with: this machine's speed drifts
            # by a fifth within minutes, and a floor measured after all of them read that drift
            # as the engine's cost.
            if w.floor:
                w.floor_ms.append(w.floor())
        if opts.engine_pid:
            w.engine_hwm_kb = proc_status_kb(opts.engine_pid, "VmHWM:")
        if w.key == "a":
            w.login_floor_ms = [floors["login_echo"]() for _ in range(opts.runs)]
    shutil.rmtree(scratch, ignore_errors=True)

    report(workloads, sizes, opts, have_cc)


def side_stats(w, side):
    rs = w.results[side]
    out = {"ms": [r["ms"] for r in rs]}
    out["median"] = median(out["ms"])
    samples = [x for r in rs for x in r.get("samples", [])]
    out["p50_item"] = median(samples)
    out["rss_kb"] = max((r.get("peak_rss_kb") or 0 for r in rs), default=None) or None
    return out


def report(workloads, sizes, opts, have_cc):
    lines = []

    def print(text=""):  # noqa: A001 - the table goes to stdout and to --out
        lines.append(text)
        sys.stdout.write(text + "\n")

    if opts.header:
        print(opts.header)
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        with open("/proc/loadavg") as f:
            load = " ".join(f.read().split()[:3])
    except OSError:
        load = "unknown"
    print(f"Machine: {os.cpu_count()} cores, {cpu}, Linux {platform.release()}; load average at the end {load}")
    print(f"Runs: {opts.runs} counted after 1 warm-up, alternating ours/SDK, each round followed by its floor; sizes: {'quick' if opts.quick else 'full'}")
    print()
    print("| workload | ours median (min–max) | SDK median (min–max) | ours/SDK | floor median | notes |")
    print("|---|---|---|---|---|---|")
    raw = {}
    for w in workloads:
        ours, sdk = side_stats(w, "ours"), side_stats(w, "sdk")
        ratio = "—"
        if ours["median"] is not None and sdk["median"]:
            ratio = f"{ours['median'] / sdk['median']:.2f}×"
        notes = []
        if w.per_item:
            if ours["p50_item"] is not None:
                notes.append(f"ours p50/item {fmt_ms(ours['p50_item'])}")
            if sdk["p50_item"] is not None:
                notes.append(f"SDK p50/item {fmt_ms(sdk['p50_item'])}")
            if w.floor_ms:
                notes.append(f"floor/item {fmt_ms(median(w.floor_ms) / w.per_item)}")
                paired = [median(r["samples"]) / (f / w.per_item) - 1
                          for r, f in zip(w.results["ours"], w.floor_ms) if r.get("samples") and f]
                # Only where the floor is the same work: (a0)'s is a bubblewrap per command.
                if w.key == "a" and len(paired) == len(w.floor_ms):
                    notes.append(f"ours above the floor of its own round: median {median(paired) * 100:+.0f} % "
                                 f"({min(paired) * 100:+.0f} to {max(paired) * 100:+.0f} %)")
            if getattr(w, "login_floor_ms", None):
                notes.append(f"`bash -l -c echo`/item {fmt_ms(median(w.login_floor_ms) / w.per_item)}")
        if w.bytes_moved:
            for name, st in (("ours", ours), ("SDK", sdk)):
                if st["median"]:
                    notes.append(f"{name} {w.bytes_moved / MIB / (st['median'] / 1000):.0f} MiB/s")
        if w.key in ("b", "c", "d-up", "d-down") and getattr(w, "engine_hwm_kb", None):
            notes.append(f"engine peak RSS so far {w.engine_hwm_kb / 1024:.0f} MiB")
        if w.key.startswith("g") and ours["ms"]:
            rs = w.results["ours"]
            idle = median([r.get("idle_rss_kb") or 0 for r in rs])
            anon = median([r.get("rss_anon_kb") or 0 for r in rs])
            filed = median([r.get("rss_file_kb") or 0 for r in rs])
            notes.append(f"idle RSS median {idle / 1024:.0f} MiB ({anon / 1024:.0f} MiB anonymous, "
                         f"{filed / 1024:.0f} MiB mapped files)")
            cpu = [r["idle_cpu_percent"] for r in rs if r.get("idle_cpu_percent", -1) >= 0]
            if cpu:
                notes.append(f"idle CPU median {median(cpu):.1f}% of a core")
        if w.key == "m-restore" and ours["median"]:
            c = next((x for x in workloads if x.key == "c"), None)
            c_median = side_stats(c, "ours")["median"] if c else None
            if c_median:
                notes.append(f"{ours['median'] / c_median:.2f}× (c)'s batched upload of the same files "
                             f"({fmt_ms(c_median)})")
        if w.key == "m-idle" and ours["ms"]:
            rs = w.results["ours"]
            window = median([r["ms"] for r in rs])
            cpu = median([r.get("cpu_ms", 0) for r in rs])
            notes.append(f"CPU in the window: ours {fmt_ms(cpu)} ({100 * cpu / window:.2f}% of a core)")
            engine = [r["engine_cpu_ms"] for r in rs if r.get("engine_cpu_ms", -1) >= 0]
            if engine:
                notes.append(f"engine {fmt_ms(median(engine))} ({100 * median(engine) / window:.2f}% of a core)")
        if w.key.startswith("h-") and ours["ms"]:
            notes.append(f"/health answered in {fmt_ms(ours['p50_item'])} at the median, "
                         f"{len([x for r in w.results['ours'] for x in r['samples']]) // len(ours['ms'])} "
                         "times per run")
        if w.key == "b":
            for name, st in (("ours", ours), ("SDK", sdk)):
                if st["rss_kb"]:
                    notes.append(f"{name} peak RSS {st['rss_kb'] / 1024:.0f} MiB")
        for side in ("ours", "sdk"):
            if w.errors[side]:
                notes.append(f"{side}: {len(w.errors[side])} failed run(s): {w.errors[side][0][:120]}")
        ours_cell = f"{fmt_ms(ours['median'])} ({fmt_range(ours['ms'])})" if ours["ms"] else (
            "no peer of ours" if w.cc_args is None else "not built" if not have_cc else "failed")
        sdk_cell = f"{fmt_ms(sdk['median'])} ({fmt_range(sdk['ms'])})" if sdk["ms"] else ("no SDK peer" if w.sdk_args is None else "failed")
        floor_cell = fmt_ms(median(w.floor_ms)) if w.floor_ms else "—"
        print(f"| ({w.key}) {w.title} | {ours_cell} | {sdk_cell} | {ratio} | {floor_cell} | {'; '.join(notes)} |")
        raw[w.key] = {"title": w.title, "ours": w.results["ours"], "sdk": w.results["sdk"],
                      "errors": w.errors, "floor_ms": w.floor_ms}
    if opts.out:
        with open(opts.out, "w") as f:
            f.write("\n".join(lines) + "\n")
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump({"sizes": sizes, "runs": opts.runs, "workloads": raw}, f, indent=1)


if __name__ == "__main__":
    main()
