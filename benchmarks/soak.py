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

Prints every sample, then per process its RSS after `--baseline-min` minutes and at the end,
each the median of `SETTLE_SAMPLES` samples (an image worker's RSS rises by ~10 MB while it
decodes and falls back: a sample caught in a decode is not growth), the change between them
(the goal: within 5 %), its largest sample for reference, and the range of threads, fds and
segments (the goal: flat). After the exit: segments and children left (the goal: none).
`--out` also writes the samples as JSON; `--from FILE` reads such a file and judges it again.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEGMENT_PREFIX = "sls"  # slideshow/workers/shm.py SEGMENT_PREFIX (read, not imported: no numpy here)
SETTLE_SAMPLES = 5  # samples whose median is a process's RSS at a point of the run


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


def run_show(minutes: float, sample_s: float, extra: list[str]) -> dict:
    """Runs the show for `minutes`, printing a sample every `sample_s`; the run's record."""
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        perf_path = Path(tmp) / "perf.jsonl"
        common = ["--seconds", str(minutes * 60), "--perf", str(sample_s),
                  "--perf-json", str(perf_path), *extra]
        if os.environ.get("DISPLAY"):
            command = [sys.executable, "-m", "slideshow", "--no-exit-on-input", *common]
        else:
            command = [sys.executable, "-m", "slideshow", "bench", "--headless", *common]
        print("soak:", " ".join(command[1:]), flush=True)
        log_path = Path(tmp) / "show.log"
        started = time.monotonic()
        with open(log_path, "w") as log:
            show = subprocess.Popen(command, cwd=REPO,
                                    env={**os.environ, "PYTHONPATH": str(REPO)},
                                    stdout=log, stderr=subprocess.STDOUT)
            samples: list[dict] = []
            seen_children: set[int] = set()
            while show.poll() is None:
                # Samples at 5 s (the start) and then every sample_s.
                due = started + min(sample_s, 5.0) + len(samples) * sample_s
                while time.monotonic() < due and show.poll() is None:
                    time.sleep(0.2)
                if show.poll() is not None:
                    break
                row = sample(show.pid, started)
                seen_children.update(int(name.rsplit(" ", 1)[1]) for name in row["children"])
                samples.append(row)
                print_sample(row, read_perf(perf_path))
            exit_code = show.wait()
        ended = time.monotonic()
        time.sleep(0.5)
        left_children = [pid for pid in seen_children if running(pid)]
        log_text = log_path.read_text()
        return {"command": command, "minutes": (ended - started) / 60, "exit_code": exit_code,
                "samples": samples, "perf": read_perf(perf_path),
                "segments_left": segments(show.pid), "children_left": left_children,
                "tracebacks": log_text.count("Traceback"),
                "warnings": [line for line in log_text.splitlines()
                             if "WARNING" in line or "ERROR" in line]}


def running(pid: int) -> bool:
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def print_sample(row: dict, perf: list[dict]) -> None:
    shown = perf[-1]["photos"]["shown"] if perf else 0
    missed = sum(window.get("missed_vsyncs", 0) for window in perf)
    print(f"{row['t_s']:7.1f} s  rss {row['rss_kb'] / 1024:6.1f} MB  threads "
          f"{row['threads']:3}  fds {row['fds']:3}  segments {row['segments']}  shown "
          f"{shown:4}  missed {missed:5}  " + "  ".join(
              f"{name} {kb / 1024:.1f} MB" for name, kb in sorted(row["children"].items())),
          flush=True)


def settled_kb(series: list[int]) -> float:
    return statistics.median(series[:SETTLE_SAMPLES])


def judge(record: dict, baseline_min: float) -> bool:
    """Prints the verdict of a run's record; True when everything holds."""
    samples = record["samples"]
    if not samples:
        print("no samples: the show ended before the first one")
        return False
    print(f"ran {record.get('minutes', samples[-1]['t_s'] / 60):.1f} min, exit code "
          f"{record.get('exit_code', 'not recorded')}; {len(samples)} samples")
    after = [row for row in samples if row["t_s"] >= baseline_min * 60] or samples
    print(f"baseline: the median of the {SETTLE_SAMPLES} samples from {after[0]['t_s']:.0f} s; "
          f"end: of the last {SETTLE_SAMPLES}")
    print(f"{'process':28} {'baseline MB':>11} {'end MB':>8} {'change':>8} {'max MB':>8}")
    series = {"show": [row["rss_kb"] for row in after]}
    for name in after[0]["children"]:
        series[name] = [row["children"][name] for row in after if name in row["children"]]
    ok = True
    for name, values in series.items():
        start_kb, end_kb = settled_kb(values), settled_kb(values[::-1])
        within = abs(end_kb - start_kb) <= 0.05 * start_kb
        ok &= within
        print(f"{name:28} {start_kb / 1024:11.1f} {end_kb / 1024:8.1f} "
              f"{(end_kb - start_kb) / start_kb * 100:+7.1f}% {max(values) / 1024:8.1f}"
              f"  {'holds' if within else 'GREW'}")
    for key in ("threads", "fds", "segments"):
        values = [row[key] for row in samples]
        flat = min(values) == max(values)
        ok &= flat
        print(f"{key:8}: {min(values)} to {max(values)} over the run  "
              f"({'flat' if flat else 'NOT FLAT'})")
    names = sorted({name for row in samples for name in row["children"]})
    print(f"child processes seen: {len(names)} ({', '.join(names)})")
    perf = record.get("perf") or []
    if perf:
        print(f"photos shown: {perf[-1]['photos']['shown']}; missed vsyncs: "
              f"{sum(w.get('missed_vsyncs', 0) for w in perf)} over {len(perf)} perf windows")
    if "segments_left" in record:
        print(f"after the exit: segments left {len(record['segments_left'])}, children left "
              f"{len(record['children_left'])}; tracebacks in the log {record['tracebacks']}")
        ok &= (not record["segments_left"] and not record["children_left"]
               and record["exit_code"] == 0 and record["tracebacks"] == 0)
        for line in record["warnings"][:10]:
            print("  log:", line)
    else:
        print("after the exit: not recorded in this file")
    print("holds" if ok else "DOES NOT HOLD")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--sample-s", type=float, default=30.0)
    parser.add_argument("--baseline-min", type=float, default=5.0)
    parser.add_argument("--out", type=Path, help="also write the run's record here as JSON")
    parser.add_argument("--from", dest="saved", type=Path,
                        help="judge a record written by --out instead of running the show")
    parser.add_argument("extra", nargs="*", help="more arguments for the show (after --)")
    args = parser.parse_args()
    if args.saved:
        record = json.loads(args.saved.read_text())
    else:
        record = run_show(args.minutes, args.sample_s, args.extra)
        if args.out:
            args.out.write_text(json.dumps(record))
        print()
    return 0 if judge(record, args.baseline_min) else 1


if __name__ == "__main__":
    sys.exit(main())
