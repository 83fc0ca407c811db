"""Faults against the image workers, tried on the real show as a user (or a hostile
neighbour) would, with the time each takes to recover.

    python3 benchmarks/faults_workers.py [--photos DIR] [--only NAME ...]

Each fault runs `python -m slideshow bench --headless --interval 1 --transition 0.3
--visualizer off PHOTOS --perf 1 --perf-json FILE` as a child process. The photos shown so
far are read from the perf JSON lines as they are appended (stamped on this script's
clock), the show's own log lines from its stderr. Image workers are the bench process's
children that run at SCHED_IDLE (the worker lowers itself; the resource tracker and the
FFT worker do not). Faults (times from the first perf line, when the show runs):

- kill storm: SIGKILL every image worker every 2 s from 10 s to 70 s of a 100 s run;
  goal: photos again within 10 s of the last kill, at least 35 shown in the run;
- stop all: SIGSTOP every image worker at 10 s of a 60 s run, never continued; goal: a log
  line within the deadline, at least 25 photos shown;
- FIFOs: at 8 s of a 60 s run, every 4th listed photo is replaced by a FIFO (no writer, so
  a plain open() blocks for good); goal: each that comes up in the run (each costs its
  worker two deadlines, so not all of them do) named in the log, at least 25 shown. And
  every listed photo replaced: nothing of the user's is left to show, so the goal there
  is a line within the deadline, one warning that the demo set stands in
  (library/stand_in.py) and at least 25 shown;
- FIFOs and back: every photo a FIFO at 8 s, the photos written back at 30 s of a 60 s
  run; goal: one stand-in warning, one line that the photos are back within 15 s (the next
  try, every 10 s, and the photos queued before it), at least 25 shown;
- exit: SIGTERM to the show 1 s after every image worker was SIGSTOPped, and while a
  worker is blocked in open() on a FIFO (and, for reference, with nothing wrong); goal:
  the show and all its processes gone in under 1 s.

`show.rescan_s=0`: the library does not look at the folders again during a run, so a FIFO
reaches only the decoder (the library's own scan of a FIFO is another matter).
Photos: --photos, else 40 generated 2400x1600 JPEGs in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from exit_latency import children_of  # the same /proc walk (benchmarks/ is on sys.path)
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[1]
PHOTO_COUNT = 40


def make_photos(folder: Path, count: int = PHOTO_COUNT) -> None:
    # Heavy: numpy and Pillow only when no --photos folder is given.
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(14)
    y, x = np.mgrid[0:1600, 0:2400]
    for index in range(count):
        r, g, b = rng.integers(0, 256, 3)
        pixels = np.stack([(x * r // 2400) % 256, (y * g // 1600) % 256,
                           ((x + y) * b // 4000) % 256], axis=-1).astype(np.uint8)
        Image.fromarray(pixels).save(folder / f"photo{index:02}.jpg", quality=85)


def running(pid: int) -> bool:
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def is_image_worker(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        return b"multiprocessing" in cmdline and os.sched_getscheduler(pid) == os.SCHED_IDLE
    except OSError:
        return False


class Show:
    """One bench run: its log lines and photo totals, stamped on our clock. `extra`
    arguments follow ours (the last of a repeated option wins), `launcher` stands for
    `-m slideshow` (a seam that patches first), `session` starts it in a process group of
    its own."""

    def __init__(self, photos: Path | None, seconds: float, work: Path, *,
                 extra: Sequence[str] = (), launcher: Sequence[str] = ("-m", "slideshow"),
                 session: bool = False) -> None:
        self.perf_path = work / f"perf-{time.monotonic_ns()}.jsonl"
        self.process = subprocess.Popen(
            [sys.executable, *launcher, "bench", "--headless", "--seconds", str(seconds),
             "--interval", "1", "--transition", "0.3", "--visualizer", "off",
             *([str(photos)] if photos else []), "--perf", "1", "--perf-json",
             str(self.perf_path), "--set", "show.rescan_s=0", *extra],
            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=session)
        self.t0 = time.monotonic()
        self.lines: list[tuple[float, str]] = []
        self.shown: list[tuple[float, int]] = []  # (our time, photos shown so far)
        self.started_s: float | None = None  # our time of the first perf line
        self._perf_offset = 0
        for stream in (self.process.stdout, self.process.stderr):
            threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def now(self) -> float:
        return time.monotonic() - self.t0

    def _read(self, stream) -> None:
        for line in stream:
            self.lines.append((self.now(), line.rstrip()))

    def poll(self) -> None:
        try:
            with open(self.perf_path) as file:
                file.seek(self._perf_offset)
                text = file.read()
        except OSError:
            return
        complete = text[:text.rfind("\n") + 1]
        self._perf_offset += len(complete)
        for line in complete.splitlines():
            shown = json.loads(line)["photos"]["shown"]
            if self.started_s is None:
                self.started_s = self.now()
            self.shown.append((self.now(), shown))

    def wait_start(self, timeout_s: float = 60.0) -> None:
        while self.started_s is None:
            if self.now() > timeout_s or self.process.poll() is not None:
                raise RuntimeError("the show did not start: " + "\n".join(
                    line for _, line in self.lines[-20:]))
            self.poll()
            time.sleep(0.05)

    def sleep_until(self, show_s: float) -> None:
        """Until `show_s` after the first perf line, polling the perf file."""
        while self.now() < self.started_s + show_s and self.process.poll() is None:
            self.poll()
            time.sleep(0.05)

    def workers(self) -> list[int]:
        return [pid for pid in children_of(self.process.pid) if is_image_worker(pid)]

    def finish(self, timeout_s: float = 120.0) -> None:
        while self.process.poll() is None and self.now() < timeout_s + 400:
            self.poll()
            time.sleep(0.1)
        self.process.wait(timeout_s)
        time.sleep(0.3)
        self.poll()

    def total_shown(self) -> int:
        return self.shown[-1][1] if self.shown else 0

    def shown_at(self, t: float) -> int:
        before = [n for at, n in self.shown if at <= t]
        return before[-1] if before else 0

    def next_photo_after(self, t: float) -> float | None:
        """Our time of the first perf window that counted a photo shown after `t`."""
        base = self.shown_at(t)
        return next((at for at, n in self.shown if at > t and n > base), None)

    def log(self, pattern: str, after: float = 0.0) -> list[tuple[float, str]]:
        return [(at, line) for at, line in self.lines if at >= after and re.search(pattern, line)]

    def tracebacks(self) -> int:
        return len(self.log("Traceback"))


def end_by_sigterm(show: Show) -> float:
    """SIGTERM; seconds until the show and every child of it are gone."""
    children = children_of(show.process.pid)
    start = time.monotonic()
    show.process.send_signal(signal.SIGTERM)
    show.process.wait(30)
    while any(running(pid) for pid in children):
        time.sleep(0.001)
    return time.monotonic() - start


class Row(NamedTuple):
    fault: str
    expected: str
    seen: str
    holds: bool | None  # None: not tried here (the seen column says why)
    recovery: str = "-"  # the time to recover, where the fault has one


def as_seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def verdict(holds: bool | None) -> str:
    return "skip" if holds is None else "yes" if holds else "NO"


def print_row(row: Row) -> None:
    print(" | ".join((*row[:3], verdict(row.holds), row.recovery)), flush=True)


def print_table(rows: Sequence[Row]) -> None:
    """The rows as a table: fault | expected | seen | holds | recovery."""
    head = Row("fault", "expected", "seen", True, "recovery")
    cells = [(r.fault, r.expected, r.seen, "holds" if r is head else verdict(r.holds),
              r.recovery) for r in (head, *rows)]
    widths = [max(len(c[i]) for c in cells) for i in range(5)]
    for c in cells:
        print(" | ".join(text.ljust(width) for text, width in zip(c, widths)).rstrip())


def kill_storm(photos: Path, work: Path) -> list[Row]:
    show = Show(photos, 100, work)
    show.wait_start()
    kills: list[float] = []
    for second in range(10, 71, 2):
        show.sleep_until(second)
        for pid in show.workers():
            os.kill(pid, signal.SIGKILL)
            kills.append(show.now())
    show.finish()
    last = kills[-1] if kills else 0.0
    resumed = show.next_photo_after(last)
    resume_s = None if resumed is None else resumed - last
    paused = show.log("restarts are paused")
    back = show.log("is decoding again")
    total = show.total_shown()
    seen = (f"{len(kills)} kills; photos again {resume_s:.1f} s (+-1) after the last; "
            if resume_s is not None else f"{len(kills)} kills; no photo after the last; ")
    seen += (f"{total} shown; pause lines {len(paused)}, back lines {len(back)}, "
             f"tracebacks {show.tracebacks()}")
    return [Row("kill storm (SIGKILL /2 s, 60 s)", "photos within 10 s of the last kill; >= 35 "
                "in 100 s", seen, resume_s is not None and resume_s <= 10 and total >= 35,
                as_seconds(resume_s))]


def stop_all(photos: Path, work: Path) -> list[Row]:
    show = Show(photos, 60, work)
    show.wait_start()
    show.sleep_until(10)
    stopped = show.workers()
    for pid in stopped:
        os.kill(pid, signal.SIGSTOP)
    stop_at = show.now()
    show.finish()
    noticed = show.log("decode deadline", stop_at)
    notice_s = noticed[0][0] - stop_at if noticed else None
    resumed = show.next_photo_after(noticed[0][0]) if noticed else None
    total = show.total_shown()
    after = total - show.shown_at(stop_at)
    seen = (f"{len(stopped)} stopped; logged {notice_s:.1f} s later: "
            f"{noticed[0][1].split(': ', 1)[-1][:90]!r}; photos again "
            f"{(resumed - stop_at) if resumed else float('nan'):.1f} s after the stop; "
            f"{total} shown ({after} after the stop)" if noticed
            else f"{len(stopped)} stopped; nothing logged; {total} shown")
    return [Row("every image worker SIGSTOPped (60 s)", "a line within the deadline (2 s + "
                "0.16 s/MP); >= 25 shown", seen, notice_s is not None and total >= 25,
                as_seconds(notice_s))]


def replace_with_fifos(folder: Path, every: int) -> list[Path]:
    replaced = []
    for index, path in enumerate(sorted(folder.glob("*.jpg"))):
        if index % every == 0:
            path.unlink()
            os.mkfifo(path)
            replaced.append(path)
    return replaced


def fifos(photos: Path, work: Path, every: int, seconds: float) -> list[Row]:
    folder = work / f"fifo-{every}"
    shutil.copytree(photos, folder)
    show = Show(folder, seconds, work)
    show.wait_start()
    show.sleep_until(8)
    replaced = replace_with_fifos(folder, every)
    fault_at = show.now()
    show.finish()
    noticed = show.log("decode deadline|not a regular|quarantined|skipping", fault_at)
    notice_s = noticed[0][0] - fault_at if noticed else None
    named = {str(p) for p in replaced if show.log(re.escape(str(p)), fault_at)}
    quarantined = show.log("quarantined", fault_at)
    total = show.total_shown()
    after = total - show.shown_at(fault_at)
    seen = (f"{len(replaced)} FIFOs; first line {notice_s:.1f} s after; {len(named)} came up "
            f"in the run and were named, "
            f"{len(quarantined)} quarantined; {total} shown ({after} after); "
            f"tracebacks {show.tracebacks()}" if noticed
            else f"{len(replaced)} FIFOs; nothing logged; {total} shown")
    if every == 1:
        # Nothing of the user's is left to show: the demo set stands in, after one warning.
        stand_in = show.log("demo photos stand in", fault_at)
        stand_in_s = stand_in[0][0] - fault_at if stand_in else None
        seen += (f"; stand-in warning {stand_in_s:.1f} s after ({len(stand_in)} line)"
                 if stand_in_s is not None else "; no stand-in warning")
        return [Row(f"every listed photo a FIFO ({seconds:.0f} s)", "logged within the "
                    "deadline; one stand-in warning; >= 25 shown", seen,
                    notice_s is not None and len(stand_in) == 1 and total >= 25
                    and show.process.returncode == 0 and show.tracebacks() == 0,
                    as_seconds(notice_s))]
    # Each FIFO costs its worker two deadlines (a try and the retry), so in a shuffled
    # order not every one comes up within the run: those that do must be named.
    return [Row(f"every {every}th photo a FIFO ({seconds:.0f} s)", "those that come up named "
                "in the log; >= 25 shown", seen, notice_s is not None and bool(named)
                and total >= 25 and show.tracebacks() == 0, as_seconds(notice_s))]


def fifos_then_back(photos: Path, work: Path) -> list[Row]:
    """Every photo a FIFO at 8 s, the photos written back (new files) at 30 s."""
    folder = work / "fifo-back"
    shutil.copytree(photos, folder)
    show = Show(folder, 60, work)
    show.wait_start()
    show.sleep_until(8)
    replaced = replace_with_fifos(folder, 1)
    fault_at = show.now()
    show.sleep_until(30)
    for path in replaced:
        path.unlink()
        shutil.copyfile(photos / path.name, path)
    back_at = show.now()
    show.finish()
    stand_in = show.log("demo photos stand in", fault_at)
    back = show.log("back to your photos", fault_at)
    back_s = back[0][0] - back_at if back else None
    total = show.total_shown()
    seen = (f"stand-in lines {len(stand_in)}; back line {back_s:.1f} s after the photos "
            if back_s is not None else f"stand-in lines {len(stand_in)}; no back line ")
    seen += f"({len(back)} line); {total} shown; tracebacks {show.tracebacks()}"
    return [Row("every photo a FIFO at 8 s, back at 30 s (60 s)", "one stand-in line; back "
                "within 15 s; >= 25 shown", seen,
                len(stand_in) == 1 and len(back) == 1 and back_s is not None and back_s <= 15
                and total >= 25 and show.tracebacks() == 0, as_seconds(back_s))]


def exits(photos: Path, work: Path) -> list[Row]:
    rows = []
    for fault in ("none", "SIGSTOP", "FIFO"):
        folder = work / f"exit-{fault}"
        shutil.copytree(photos, folder)
        show = Show(folder, 60, work)
        show.wait_start()
        show.sleep_until(6)
        detail = ""
        if fault == "SIGSTOP":
            for pid in show.workers():
                os.kill(pid, signal.SIGSTOP)
            show.sleep_until(7)
        elif fault == "FIFO":
            replace_with_fifos(folder, 1)
            blocked = _wait_blocked(show, 10.0)
            detail = f" (a worker in {blocked})" if blocked else " (no worker seen blocked)"
        exit_s = end_by_sigterm(show)
        rows.append(Row(f"exit, {fault if fault != 'none' else 'nothing wrong'}{detail}",
                        "all gone < 1 s", f"{exit_s * 1e3:.0f} ms", exit_s < 1.0,
                        as_seconds(exit_s)))
    return rows


def _wait_blocked(show: Show, timeout_s: float) -> str:
    """The kernel wait of a worker blocked opening a FIFO, once one is."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for pid in show.workers():
            try:
                wchan = Path(f"/proc/{pid}/wchan").read_text()
            except OSError:
                continue
            if "partner" in wchan or "fifo" in wchan or "pipe" in wchan:
                return wchan
        time.sleep(0.02)
    return ""


FAULTS: dict[str, Callable[[Path, Path], list[Row]]] = {
    "storm": kill_storm,
    "stop": stop_all,
    "fifo4": lambda photos, work: fifos(photos, work, 4, 60),
    "fifoall": lambda photos, work: fifos(photos, work, 1, 60),
    "fifoback": fifos_then_back,
    "exit": exits,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=Path, help="a folder of photos (copied, not changed)")
    parser.add_argument("--only", nargs="*", choices=list(FAULTS), help="these faults only")
    args = parser.parse_args()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="faults-") as tmp:
        work = Path(tmp)
        photos = work / "photos"
        if args.photos:
            shutil.copytree(args.photos, photos)
        else:
            photos.mkdir()
            make_photos(photos)
        for name in args.only or list(FAULTS):
            for row in FAULTS[name](photos, work):
                rows.append(row)
                print_row(row)
    print()
    print_table(rows)
    return 0 if all(row.holds is not False for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
