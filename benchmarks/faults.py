"""Issue 14 measured: nothing a photo, a feed, a stuck process or a setting can do stops
the show. Each fault is tried against the real show (`python -m slideshow bench
--headless`, or `listen`) and becomes a row of a table:

    fault | expected | seen | holds | recovery

`recovery` is the time to recover where the fault has one (photos again after the last
kill, the first line after a stop, the time to exit), '-' otherwise.

    python3 benchmarks/faults.py [--quick] [--only NAME ...] [--photos DIR] [--json FILE]

Faults, by name (--only): storm, stop, fifo4, fifoall, fifoback, exit (faults_workers.py:
the image workers killed, stopped, blocked on FIFOs, the photos back); big (3 GiB and 10 GiB sparse files
and a corrupt JPEG among the photos), values (bad settings), shm (/dev/shm full), index (a
crafted index cache), rocache (a read-only cache folder) (benchmarks/faults_inputs.py);
feeds (a 1 byte/s feed first, hostile feeds, loopback refused: benchmarks/faults_feeds.py);
and here: kill (SIGKILL of the show's main process), term (SIGTERM to its process group),
pulse (PulseAudio going away under `listen`). --quick leaves out the 60 to 100 s runs
(storm, stop, fifo4, fifoall, fifoback); the whole takes about 11 minutes.

Every child runs with XDG_CACHE_HOME and XDG_CONFIG_HOME in a temporary folder (no user
cache or config is read or written) and a marker in its environment: the last row says
whether any process carrying it, or any shared-memory segment of one, was left behind.
Exit status 0 when every row holds (a row skipped here, with its reason, does not fail).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import faults_feeds
import faults_inputs
import faults_workers
from faults_inputs import first
from faults_workers import (
    Row,
    Show,
    as_seconds,
    children_of,
    print_row,
    print_table,
    running,
)

MARKER = "SLIDESHOW_FAULTS_RUN"
SHM = Path("/dev/shm")
OURS = re.compile(r"^\d\d:\d\d:\d\d (DEBUG|INFO|WARNING|ERROR|CRITICAL) slideshow")


def segments_of(pids: set[int]) -> list[str]:
    return [path.name for path in SHM.glob("sls*")
            if (m := re.match(r"sls(\d+)-", path.name)) and int(m.group(1)) in pids]


def kill_main(photos: Path, work: Path) -> list[Row]:
    """SIGKILL of the main process: its children and segments must go by themselves."""
    show = Show(photos, 60, work, extra=("--visualizer", "bars", "--audio", "synthetic"))
    show.wait_start()
    show.sleep_until(4)
    pids = {show.process.pid, *children_of(show.process.pid)}
    segments = segments_of(pids)
    start = time.monotonic()
    show.process.kill()
    while time.monotonic() - start < 10 and (
            any(running(pid) for pid in pids - {show.process.pid}) or segments_of(pids)):
        time.sleep(0.005)
    gone_s = time.monotonic() - start
    show.process.wait(10)
    left = [pid for pid in pids if pid != show.process.pid and running(pid)]
    left_segments = segments_of(pids)
    return [Row("SIGKILL of the show's main process", "children and segments gone < 1 s",
                f"{len(pids) - 1} children, {len(segments)} segments; left after "
                f"{gone_s:.2f} s: {len(left)} processes, {len(left_segments)} segments",
                not left and not left_segments and gone_s < 1.0, as_seconds(gone_s))]


def term_group(photos: Path, work: Path) -> list[Row]:
    """SIGTERM to every process of the show at once, as a terminal's Ctrl-C or a service
    manager does: an expected stop, so no worker is reported as dead."""
    show = Show(photos, 60, work, extra=("--visualizer", "bars", "--audio", "synthetic"),
                session=True)
    show.wait_start()
    show.sleep_until(4)
    pids = children_of(show.process.pid)
    start = time.monotonic()
    os.killpg(show.process.pid, signal.SIGTERM)
    show.process.wait(30)
    while any(running(pid) for pid in pids) and time.monotonic() - start < 10:
        time.sleep(0.005)
    gone_s = time.monotonic() - start
    time.sleep(0.3)  # the reader threads take the last lines
    died = show.log(r"died|Traceback")
    return [Row("SIGTERM to the show's process group", "no 'died' line; all gone < 1 s",
                f"exit {show.process.returncode}; {len(died)} 'died' line(s)"
                + (f": {died[0][1][:90]!r}" if died else ""),
                not died and gone_s < 1.0, as_seconds(gone_s))]


def pulse_away(photos: Path, work: Path) -> list[Row]:
    """`listen --audio auto` on a PulseAudio of our own, which we stop at 6 s: PortAudio's
    own stderr lines while the worker retries must be summarised into our line."""
    if shutil.which("pulseaudio") is None:
        return [Row("PulseAudio going away", "PortAudio's lines summarised", "skipped: no "
                    "pulseaudio here", None)]
    home = work / "pulse"
    (home / "run").mkdir(parents=True)
    (home / "run").chmod(0o700)
    env = {**os.environ, "XDG_RUNTIME_DIR": str(home / "run"), "HOME": str(home),
           "PULSE_SERVER": f"unix:{home / 'run' / 'pulse' / 'native'}"}
    pulse = subprocess.Popen(
        ["pulseaudio", "--daemonize=no", "--exit-idle-time=-1", "--disallow-exit", "-n",
         "--load=module-native-protocol-unix", "--load=module-null-sink sink_name=faults",
         "--log-target=stderr"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    listen = None
    try:
        deadline = time.monotonic() + 10
        while subprocess.run(["pactl", "info"], env=env, capture_output=True,
                             check=False).returncode:
            if time.monotonic() > deadline or pulse.poll() is not None:
                return [Row("PulseAudio going away", "PortAudio's lines summarised",
                            "skipped: our PulseAudio did not start", None)]
            time.sleep(0.1)
        listen = subprocess.Popen(
            [sys.executable, "-m", "slideshow", "listen", "--audio", "auto", "--seconds", "20",
             "--json"], cwd=faults_workers.REPO, env={**env, "PYTHONPATH": str(
                 faults_workers.REPO)}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True, start_new_session=True)
        start = time.monotonic()
        said: list[tuple[float, str]] = []
        reader = threading.Thread(target=lambda: said.extend(
            (time.monotonic() - start, line.rstrip()) for line in listen.stderr), daemon=True)
        reader.start()
        time.sleep(6)
        away_s = time.monotonic() - start
        pulse.terminate()
        pulse.wait(10)
        listen.wait(60)
        reader.join(5)
    finally:
        for process in (listen, pulse):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
    ours = [(at, line) for at, line in said if OURS.match(line) and at > away_s]
    raw = [(at, line) for at, line in said if not OURS.match(line) and at > away_s]
    retrying = [line for at, line in raw if ours and at > ours[0][0] + 0.5]
    said_s = ours[0][0] - away_s if ours else None
    return [Row("PulseAudio going away under `listen`", "no raw PortAudio lines while it "
                "retries; our one line", f"{len(ours)} of our lines"
                + f" ({first(ours, 70)})"
                + f"; raw stderr lines: {len(raw)} in all, {len(retrying)} while retrying; "
                f"listen exit {listen.returncode if listen else None}",
                bool(ours) and len(ours) <= 2 and not retrying and listen is not None
                and listen.returncode == 0, as_seconds(said_s))]


def leftovers(marker: str, segments_before: set[str]) -> Row:
    """Processes carrying our marker (ours excepted), and new segments whose owner is one of
    them or gone."""
    alive = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        pid = int(environ.parent.name)
        try:
            if pid != os.getpid() and f"{MARKER}={marker}".encode() in environ.read_bytes():
                alive.append(pid)
        except OSError:
            continue
    segments = [path.name for path in SHM.glob("sls*") if path.name not in segments_before
                and (m := re.match(r"sls(\d+)-", path.name))
                and (int(m.group(1)) in alive or not running(int(m.group(1))))]
    fills = [path.name for path in SHM.glob("faults-*")]
    seen = f"{len(alive)} processes, {len(segments) + len(fills)} files in /dev/shm"
    if alive or segments or fills:
        seen += ": " + ", ".join([*map(str, alive), *segments, *fills])[:120]
    return Row("left behind by this script", "no process, no segment", seen,
               not (alive or segments or fills))


FAULTS: dict[str, tuple[Callable[[Path, Path], list[Row]], bool]] = {  # name: (run, long)
    **{name: (run, name != "exit") for name, run in faults_workers.FAULTS.items()},
    "big": (faults_inputs.big_and_corrupt, False),
    "values": (faults_inputs.bad_values, False),
    "shm": (faults_inputs.full_shm, False),
    "index": (faults_inputs.crafted_index, False),
    "rocache": (faults_inputs.read_only_cache, False),
    "feeds": (faults_feeds.feeds, False),
    "kill": (kill_main, False),
    "term": (term_group, False),
    "pulse": (pulse_away, False),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=Path, help="a folder of photos (copied, not changed)")
    parser.add_argument("--only", nargs="+", choices=list(FAULTS), metavar="NAME",
                        help=f"these faults only: {', '.join(FAULTS)}")
    parser.add_argument("--quick", action="store_true",
                        help="leave out the 60-100 s runs (storm, stop, fifo4, fifoall, fifoback)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the rows to FILE")
    args = parser.parse_args()
    names = args.only or [name for name, (_, long) in FAULTS.items()
                          if not (args.quick and long)]
    marker = secrets.token_hex(6)
    segments_before = {path.name for path in SHM.glob("sls*")}
    rows: list[Row] = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="faults-") as tmp:
        work = Path(tmp)
        os.environ.update({MARKER: marker, "XDG_CACHE_HOME": str(work / "cache"),
                           "XDG_CONFIG_HOME": str(work / "config")})
        photos = work / "photos"
        if args.photos:
            shutil.copytree(args.photos, photos)
        else:
            photos.mkdir()
            faults_workers.make_photos(photos)
        for name in names:
            run, _ = FAULTS[name]
            try:
                found = run(photos, work)
            except Exception as exc:  # noqa: BLE001 - one fault's harness failing is a row
                found = [Row(name, "the fault runs", f"the harness failed: {type(exc).__name__}: "
                             f"{str(exc)[:200]}", False)]
            for row in found:
                rows.append(row)
                print_row(row)
        time.sleep(0.5)  # a process that is on its way out
        rows.append(leftovers(marker, segments_before))
        print_row(rows[-1])
    load = os.getloadavg()
    print()
    print_table(rows)
    print(f"\nload average {load_before[0]:.2f} at the start, "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (1, 5, 15 min) at the end; "
          f"{os.cpu_count()} CPUs")
    if args.json:
        args.json.write_text(json.dumps({
            "rows": [row._asdict() for row in rows], "load_average": load,
            "load_average_at_start": load_before, "cpus": os.cpu_count(),
            "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}, indent=1))
    return 0 if all(row.holds is not False for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
