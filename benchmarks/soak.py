"""A long run of the default show, sampled from outside: does anything grow?

    python3 benchmarks/soak.py [--minutes 60] [--sample-s 30] [--baseline-min 5] [--out F]

Runs the show as a user starts it (`python -m slideshow`, no folder: the built-in demo set,
the visualizer on whatever PulseAudio plays, rescans every minute), fullscreen on the X
display in $DISPLAY (Xvfb here), or `slideshow bench --headless` when there is none. It is
stopped by its own `--seconds`, so its exit path is part of the run.

Every `--sample-s` seconds, read from /proc: the show's resident memory, threads and open
descriptors; each child process's resident memory (image workers, the audio worker, the
resource tracker; named by role); the shared-memory segments of ours in /dev/shm. The
show's own perf lines (`--perf 30 --perf-json`) give photos shown and missed vsyncs.

Prints every sample, then per process its RSS after `--baseline-min` minutes, at the end and
its largest, as a change from that baseline (the goal: within 5 %), and the range of
threads, fds and segments (the goal: flat). After the exit: segments and children left
(the goal: none). `--out` also writes the samples as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEGMENT_PREFIX = "sls"  # slideshow/workers/shm.py SEGMENT_PREFIX (read, not imported: no numpy here)
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def status_field(pid: int, field: str) -> int | None:
    try:
        match = re.search(rf"^{field}:\s+(\d+)", Path(f"/proc/{pid}/status").read_text(), re.M)
    except OSError:
        return None
    return int(match.group(1)) if match else None


def children_of(pid: int) -> list[int]:
    # Every thread's list: the workers are started from the show's supervisor threads.
    found: list[int] = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(word) for word in children.read_text().split()]
        except OSError:
            continue
    return sorted(set(found))


def role_of(pid: int) -> str:
    """What a child of the show is, from its command line and scheduling class."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "gone"
    if "resource_tracker" in cmdline:
        return "resource tracker"
    try:
        if os.sched_getscheduler(pid) == os.SCHED_IDLE:
            return "image worker"  # the image worker lowers itself to SCHED_IDLE
    except OSError:
        return "gone"
    return "audio worker" if "multiprocessing" in cmdline else cmdline[:40]


def segments(pid: int | None = None) -> list[str]:
    prefix = SEGMENT_PREFIX + (str(pid) if pid is not None else "")
    try:
        return sorted(name for name in os.listdir("/dev/shm") if name.startswith(prefix))
    except OSError:
        return []


def sample(show_pid: int, started: float) -> dict:
    children = {}
    for child in children_of(show_pid):
        rss = status_field(child, "VmRSS")
        if rss is not None:
            children[f"{role_of(child)} {child}"] = rss
    try:
        fds = len(os.listdir(f"/proc/{show_pid}/fd"))
    except OSError:
        fds = -1
    return {"t_s": round(time.monotonic() - started, 1), "rss_kb": status_field(show_pid, "VmRSS"),
            "threads": status_field(show_pid, "Threads"), "fds": fds,
            "segments": len(segments(show_pid)), "children": children}


def read_perf(path: Path) -> list[dict]:
    try:
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    except (OSError, ValueError):
        return []


def change(now: float, base: float) -> str:
    return f"{(now - base) / base * 100:+.1f} %" if base else "n/a"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--sample-s", type=float, default=30.0)
    parser.add_argument("--baseline-min", type=float, default=5.0)
    parser.add_argument("--out", type=Path, help="also write the samples here as JSON")
    parser.add_argument("extra", nargs="*", help="more arguments for the show (after --)")
    args = parser.parse_args()

    seconds = args.minutes * 60
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        perf_path = Path(tmp) / "perf.jsonl"
        common = ["--seconds", str(seconds), "--perf", str(args.sample_s),
                  "--perf-json", str(perf_path), *args.extra]
        if os.environ.get("DISPLAY"):
            command = [sys.executable, "-m", "slideshow", "--no-exit-on-input", *common]
        else:
            command = [sys.executable, "-m", "slideshow", "bench", "--headless", *common]
        print("soak:", " ".join(command[1:]), flush=True)
        log = open(Path(tmp) / "show.log", "w")
        started = time.monotonic()
        show = subprocess.Popen(command, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                                stdout=log, stderr=subprocess.STDOUT)
        samples: list[dict] = []
        seen_children: set[int] = set()
        while show.poll() is None:
            # Samples at 5 s (the start) and then every sample_s.
            due = started + min(args.sample_s, 5.0) + len(samples) * args.sample_s
            while time.monotonic() < due and show.poll() is None:
                time.sleep(0.2)
            if show.poll() is not None:
                break
            row = sample(show.pid, started)
            seen_children.update(int(name.rsplit(" ", 1)[1]) for name in row["children"])
            samples.append(row)
            perf = read_perf(perf_path)
            shown = perf[-1]["photos"]["shown"] if perf else 0
            missed = sum(window.get("missed_vsyncs", 0) for window in perf)
            print(f"{row['t_s']:7.1f} s  rss {row['rss_kb'] / 1024:6.1f} MB  threads "
                  f"{row['threads']:3}  fds {row['fds']:3}  segments {row['segments']}  shown "
                  f"{shown:4}  missed {missed:5}  " + "  ".join(
                      f"{name} {kb / 1024:.1f} MB" for name, kb in sorted(row["children"].items())),
                  flush=True)
        exit_code = show.wait()
        ended = time.monotonic()
        time.sleep(0.5)
        left_segments = segments(show.pid)
        left_children = [pid for pid in seen_children if Path(f"/proc/{pid}").exists()
                         and "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()]
        log.close()
        log_text = (Path(tmp) / "show.log").read_text()
        perf = read_perf(perf_path)
    if args.out:
        args.out.write_text(json.dumps({"command": command, "samples": samples, "perf": perf}))

    print()
    print(f"ran {(ended - started) / 60:.1f} min, exit code {exit_code}; {len(samples)} samples")
    base_at = args.baseline_min * 60
    base = next((row for row in samples if row["t_s"] >= base_at), samples[0] if samples else None)
    if base is None:
        print("no samples: the show ended before the first one")
        print(log_text[-3000:])
        return 1
    after = [row for row in samples if row["t_s"] >= base["t_s"]]
    last = samples[-1]
    ok = True
    print(f"baseline: the sample at {base['t_s']:.0f} s")
    print(f"{'process':28} {'baseline MB':>11} {'end MB':>8} {'end':>8} {'max MB':>8} {'max':>8}")
    rows = [("show", base["rss_kb"], last["rss_kb"], max(row["rss_kb"] for row in after))]
    for name, kb in sorted(base["children"].items()):
        series = [row["children"][name] for row in after if name in row["children"]]
        rows.append((name, kb, series[-1], max(series)))
    for name, start_kb, end_kb, max_kb in rows:
        within = abs(end_kb - start_kb) <= 0.05 * start_kb and max_kb <= 1.05 * start_kb
        ok &= within
        print(f"{name:28} {start_kb / 1024:11.1f} {end_kb / 1024:8.1f} "
              f"{change(end_kb, start_kb):>8} {max_kb / 1024:8.1f} {change(max_kb, start_kb):>8}"
              f"  {'holds' if within else 'GREW'}")
    for key in ("threads", "fds", "segments"):
        values = [row[key] for row in samples]
        flat = min(values) == max(values)
        ok &= flat
        print(f"{key:8}: {min(values)} to {max(values)} over the run  "
              f"({'flat' if flat else 'NOT FLAT'})")
    children_names = {name for row in samples for name in row["children"]}
    print(f"child processes seen: {len(children_names)} ({', '.join(sorted(children_names))})")
    if perf:
        print(f"photos shown: {perf[-1]['photos']['shown']}; missed vsyncs: "
              f"{sum(w.get('missed_vsyncs', 0) for w in perf)} over {len(perf)} perf windows")
    tracebacks = log_text.count("Traceback")
    print(f"after the exit: segments left {len(left_segments)}, children left {len(left_children)}"
          f"; tracebacks in the log {tracebacks}")
    ok &= not left_segments and not left_children and exit_code == 0 and tracebacks == 0
    warnings = [line for line in log_text.splitlines() if "WARNING" in line or "ERROR" in line]
    for line in warnings[:10]:
        print("  log:", line)
    print("holds" if ok else "DOES NOT HOLD")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
