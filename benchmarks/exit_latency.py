"""Exit latency: from the input that ends the show to every process of it gone.

    python3 benchmarks/exit_latency.py [--repeat 7] [--monitors 2]

Under X (Xvfb here): `python -m slideshow show` fullscreen on a fake monitor layout (the
test seam: `--monitors` rectangles side by side at 60 Hz), with the visualizer on the
synthetic beat, so decode workers, the FFT worker and their shared memory all exist. Once
every display presents, the pointer is moved through XTEST by 15 px (after a first move
that only sets the anchor), and the clock runs until the main process has exited, every
child it had is gone and /dev/shm holds none of its segments. For comparison, the same
show ended by SIGTERM (what a screensaver host sends), timed the same way.

Per path: median and [min-max] over the runs of: main process exit, all processes and
segments gone, and the show's own figure (input to windows, workers and shared memory
closed, printed by `slideshow show`).
"""

from __future__ import annotations

import argparse
import ctypes
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


class Pointer:
    def __init__(self) -> None:
        self.x = ctypes.CDLL("libX11.so.6")
        self.xtst = ctypes.CDLL("libXtst.so.6")
        self.x.XOpenDisplay.restype = ctypes.c_void_p
        self.x.XOpenDisplay.argtypes = [ctypes.c_char_p]
        self.x.XFlush.argtypes = [ctypes.c_void_p]
        self.xtst.XTestFakeMotionEvent.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int,
                                                   ctypes.c_int, ctypes.c_ulong]
        self.display = self.x.XOpenDisplay(None)
        if not self.display:
            sys.exit("no X display: run under Xvfb (DISPLAY=:99)")

    def move(self, x: int, y: int) -> None:
        self.xtst.XTestFakeMotionEvent(self.display, -1, x, y, 0)
        self.x.XFlush(self.display)


def children_of(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            match = re.search(r"^PPid:\s+(\d+)$", status.read_text(), re.M)
        except OSError:
            continue
        if match and int(match.group(1)) == pid:
            found.append(int(status.parent.name))
    return found


def running(pid: int) -> bool:
    """Alive and not a zombie: an orphan's exit status waits for whoever reaps orphans
    here (the container's init may take seconds); the process itself is gone."""
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def segments_of(pid: int) -> list[str]:
    return [name for name in os.listdir("/dev/shm") if name.startswith(f"sls{pid}-")]


def one_run(pointer: Pointer, layout: Path, end_by: str) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "SLIDESHOW_FAKE_MONITORS": str(layout)}
    pointer.move(1900, 1000)  # away from the windows while they open
    show = subprocess.Popen(
        [sys.executable, "-m", "slideshow", "show", "--seconds", "120", "--audio", "synthetic",
         "--transitions", "crossfade", "--log-level", "info"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    displays = len(layout.read_text().split(";"))
    presenting = threading.Event()
    out: list[str] = []

    def read_log() -> None:
        count = 0
        for line in show.stderr:  # type: ignore[union-attr]
            if "presenting paced" in line:
                count += 1
                if count == displays:
                    presenting.set()

    threading.Thread(target=read_log, daemon=True).start()
    threading.Thread(target=lambda: out.extend(show.stdout), daemon=True).start()  # type: ignore[arg-type]
    if not presenting.wait(60):
        show.kill()
        raise RuntimeError("the show did not start presenting")
    time.sleep(1.0)  # a photo up and the FFT worker running
    children = children_of(show.pid)
    if end_by == "input":
        pointer.move(100, 100)
        time.sleep(0.3)
        start_s = time.perf_counter()
        pointer.move(115, 100)
    else:
        start_s = time.perf_counter()
        show.send_signal(signal.SIGTERM)
    show.wait(30)
    exited_s = time.perf_counter() - start_s
    while any(running(pid) for pid in children) or segments_of(show.pid):
        time.sleep(0.001)
    gone_s = time.perf_counter() - start_s
    time.sleep(0.2)
    match = re.search(r"closed (\d+) ms after", "".join(out))
    return {"exit": exited_s * 1e3, "gone": gone_s * 1e3,
            "own": float(match.group(1)) if match else float("nan"), "children": len(children)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--monitors", type=int, default=2)
    args = parser.parse_args()
    pointer = Pointer()
    with tempfile.TemporaryDirectory() as folder:
        layout = Path(folder) / "monitors.txt"
        layout.write_text("; ".join(f"m{i}=480x270+{i * 500}+0@60" for i in range(args.monitors)))
        results: dict[str, list[dict[str, float]]] = {"input": [], "SIGTERM": []}
        for _ in range(args.repeat):
            for end_by in results:  # interleaved, so a busy neighbour slows both alike
                results[end_by].append(one_run(pointer, layout, end_by))
    print(f"{args.monitors} displays, {args.repeat} runs each; ms, median [min-max]")
    print(f"{'ended by':10} {'main exited':>22} {'all gone':>22} {'show says':>22}  processes")
    for end_by, runs in results.items():
        cells = []
        for key in ("exit", "gone", "own"):
            values = [run[key] for run in runs]
            if end_by == "SIGTERM" and key == "own":
                cells.append(f"{'-':>22}")
                continue
            cells.append(f"{statistics.median(values):8.0f} [{min(values):5.0f}-{max(values):5.0f}]".rjust(22))
        print(f"{end_by:10} {' '.join(cells)}  {int(statistics.median(r['children'] for r in runs))} children")
    return 0


if __name__ == "__main__":
    sys.exit(main())
