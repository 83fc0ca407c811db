"""Is the presentation verdict right, start after start, and does the clock stay at the rate?

Runs the real windowed `slideshow bench --seconds S --size 1280x720` `--starts` times on the
current DISPLAY, which must be one whose swap never blocks (Xvfb): there the right verdict
is "paced" in every start and for the whole run, and the clock must stay at the nominal
rate (60 Hz, the fallback, as Xvfb reports 0 Hz). Half the starts (`--busy-starts`) run
with two busy loops (`python -c 'while 1: pass'`) started before the launch and killed
`--busy-s` seconds after it, so they cover start-up: a screensaver often starts on a busy
machine, and start-up is when the verdict used to be taken, once.

For each start it reads the log (every "... presenting on vsync|paced at N Hz" line) and
the JSON (`vsync`, `refresh_hz`), and counts a wrong verdict when any verdict logged, or
the final one, says the swap blocks. It prints one row per start, then the totals.

    DISPLAY=:77 python3 benchmarks/presentation.py [--starts 20] [--busy-starts 10]
        [--seconds 5] [--nominal-hz 60]

Measured on the project's 2-core machine (Xvfb :77, llvmpipe, load average 10-16 from
other work), 20 starts each: before issue 13 (da29c84) 2 wrong verdicts (one busy start
presented on vsync for its whole run) and the clock 56.27-66.35 Hz, 19 of 20 starts more
than 0.1 % off 60 Hz (refined from the probe's frames); after, 0 wrong verdicts, 0
switches, the clock at 60.00 Hz in all 20 (glfw's 0 Hz prior paces from the first frame).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

# The presenter's verdict lines: the first verdict (or the prior) and every switch.
_VERDICT = re.compile(r"[^\n]*presenting (?:on vsync|paced) at [0-9.]+ Hz")


@dataclass
class Start:
    busy: bool
    verdicts: list[str]  # each verdict line logged, in order
    final: str  # the JSON's vsync
    refresh_hz: float
    frames: int
    seconds: float
    wall_s: float


def busy_loops(count: int) -> list[subprocess.Popen]:
    return [subprocess.Popen([sys.executable, "-c", "while 1: pass"]) for _ in range(count)]


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait()


def run_start(seconds: float, busy: bool, busy_s: float, out: Path) -> Start:
    loops = busy_loops(2) if busy else []
    started = time.perf_counter()
    try:
        bench = subprocess.Popen(
            [sys.executable, "-m", "slideshow", "bench", "--seconds", str(seconds), "--size", "1280x720",
             "--json", str(out), "--log-level", "info"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if loops:
            try:
                bench.wait(timeout=busy_s)
            except subprocess.TimeoutExpired:
                pass
            stop(loops)
        _, stderr = bench.communicate(timeout=300)
    finally:
        stop(loops)
    wall_s = time.perf_counter() - started
    if bench.returncode != 0:
        raise SystemExit(f"bench failed ({bench.returncode}):\n{stderr[-2000:]}")
    figures = json.loads(out.read_text())
    return Start(busy, _VERDICT.findall(stderr), figures["vsync"], figures["refresh_hz"],
                 figures["frames"]["count"] if isinstance(figures["frames"], dict) else figures["frames"],
                 figures["seconds"], wall_s)


def _short(line: str) -> str:
    """A verdict line without its timestamp and logger, and a prior's reason cut short."""
    text = line.split(": ", 1)[-1] if " slideshow." in line else line
    return text if len(text) <= 90 else text[:40] + " ... " + text[-45:]


def wrong(start: Start) -> int:
    """Verdicts that said the swap blocks (Xvfb's never does): logged ones and the final one."""
    logged = sum(1 for line in start.verdicts if "presenting on vsync" in line)
    return logged + (start.final != "paced")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--starts", type=int, default=20)
    parser.add_argument("--busy-starts", type=int, default=10, help="starts with two busy loops")
    parser.add_argument("--busy-s", type=float, default=12.0,
                        help="seconds after launch the busy loops are killed")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--nominal-hz", type=float, default=60.0)
    args = parser.parse_args()
    print(f"DISPLAY={os.environ.get('DISPLAY', '')}; {os.cpu_count()} cores; load "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; {args.starts} windowed starts of "
          f"bench --seconds {args.seconds:g} --size 1280x720, {args.busy_starts} with two busy loops "
          f"for the first {args.busy_s:g} s\n")
    print(f"{'#':>2} {'busy':>4} {'final':>8} {'clock Hz':>9} {'wrong':>5} {'frames':>6} {'wall s':>6}  verdicts logged")
    starts: list[Start] = []
    with tempfile.TemporaryDirectory() as tmp:
        # Busy and quiet starts spread evenly, so a change in the machine's load hits both.
        plan = [(i * args.busy_starts) // args.starts != ((i + 1) * args.busy_starts) // args.starts
                for i in range(args.starts)]
        for index, busy in enumerate(plan):
            start = run_start(args.seconds, busy, args.busy_s, Path(tmp) / f"{index}.json")
            starts.append(start)
            print(f"{index:>2} {'yes' if busy else 'no':>4} {start.final:>8} {start.refresh_hz:9.2f} "
                  f"{wrong(start):>5} {start.frames:>6} {start.wall_s:6.1f}  "
                  f"{' | '.join(_short(line) for line in start.verdicts)}",
                  flush=True)
    off_rate = [s for s in starts if abs(s.refresh_hz - args.nominal_hz) > 0.001 * args.nominal_hz]
    hz = [s.refresh_hz for s in starts]
    print(f"\nwrong verdicts: {sum(wrong(s) for s in starts)} in {len(starts)} starts "
          f"(busy: {sum(wrong(s) for s in starts if s.busy)}, quiet: "
          f"{sum(wrong(s) for s in starts if not s.busy)}); starts whose final verdict is wrong: "
          f"{sum(s.final != 'paced' for s in starts)}")
    print(f"clock Hz: median {statistics.median(hz):.2f}, min {min(hz):.2f}, max {max(hz):.2f}; "
          f"starts more than 0.1 % off {args.nominal_hz:g} Hz: {len(off_rate)}")
    print(f"load at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
