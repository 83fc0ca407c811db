"""Faults a photo, a setting or the machine brings to the show's start and run, tried on
the real headless bench (issue 14, points 3, 6 and 7, and what already held):

- photos: a 3 GiB and a 10 GiB sparse file behind a JPEG header, and a corrupt JPEG,
  among good photos: the image workers' peak resident size (VmHWM, read from /proc every
  0.1 s), each refused with one line naming it, the show going on;
- settings: NaN, infinity, a negative duration, output files in a missing folder: exit 2,
  one line naming the setting, no traceback, before the run; a missing transitions folder:
  a warning naming it, the show runs;
- start-up: /dev/shm full (4 MiB free, then none): one line with the right figures, exit
  2; a crafted index cache (JSON nested 100,000 deep): logged once, rescanned, photos
  shown; a read-only cache folder: the show runs.

A full /dev/shm and a read-only cache folder are made in a mount namespace of their own
(`unshare --mount`, a small tmpfs mounted over the path): the machine's /dev/shm, and the
shows and soaks sharing it, never see them. Without unshare those rows are skipped.
Every command runs in a session of its own and is killed, with its group, at its limit.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import NamedTuple

from faults_workers import REPO, Row, Show, as_seconds, children_of, is_image_worker

BAD_VALUES = [  # (arguments, the setting the one line must name)
    (["--interval", "nan"], "show.interval_s"),
    (["--rate", "nan"], "display.rate_hz"),
    (["--set", "pacing.upload_budget_ms=nan"], "pacing.upload_budget_ms"),
    (["--set", "show.transition_s=inf"], "show.transition_s"),
    (["--seconds", "-1"], "--seconds"),
    (["--json", "/missing/dir/x.json"], "--json"),
    (["--screenshot", "/missing/dir/x.png"], "--screenshot"),
    (["--perf-json", "/missing/dir/x"], "--perf-json"),
    (["--plot", "/missing/dir/x.png"], "--plot"),
]
BEFORE_RUN_S = 3.0  # a refusal before the run: start-up and parsing only (the run is 20 s)
GIB = 2**30
ROUTINE = re.compile(r"^\d\d:\d\d:\d\d (INFO|DEBUG) ")


class Result(NamedTuple):
    code: int | None  # None: killed at its limit
    out: str
    err: str
    elapsed_s: float


def run_command(argv: list[str], limit_s: float, env: dict[str, str] | None = None) -> Result:
    """Runs `argv` in a session of its own; at `limit_s` the whole group is killed."""
    start = time.monotonic()
    process = subprocess.Popen(argv, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO),
                                                    **(env or {})},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        out, err = process.communicate(timeout=limit_s)
        code: int | None = process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        code = None
    return Result(code, out, err, time.monotonic() - start)


def bench_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "slideshow", "bench", "--headless", "--visualizer", "off",
            "--interval", "1", "--transition", "0.3", *args]


def shown(out: str) -> int:
    match = re.search(r"^photos: (\d+) shown", out, re.M)
    return int(match.group(1)) if match else 0


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def message(line: str) -> str:
    """A log line without its time, level and logger."""
    return re.sub(r"^\d\d:\d\d:\d\d [A-Z]+ [\w.]+: ", "", line)


def first(found: list[tuple[float, str]], width: int = 110) -> str:
    """The first of a show's log lines found, without its stamp, shortened, quoted."""
    return repr(message(found[0][1])[:width]) if found else "-"


def complaints(text: str) -> list[str]:
    """The lines of stderr that are not the log's routine INFO and DEBUG lines."""
    return [line for line in lines(text) if not ROUTINE.match(line)]


# -- photos ---------------------------------------------------------------------------------

def make_sparse(path: Path, size: int, header: bytes) -> None:
    """A file of `size` bytes that starts like a JPEG and takes a few KB on disk."""
    with open(path, "wb") as file:
        file.write(header)
        file.truncate(size)


def big_and_corrupt(photos: Path, work: Path) -> list[Row]:
    folder = work / "big"
    folder.mkdir()
    good = sorted(photos.glob("*.jpg"))[:12]
    for path in good:
        shutil.copy(path, folder)
    header = good[0].read_bytes()[:4096]
    big = {"3 GiB": folder / "big-3gib.jpg", "10 GiB": folder / "big-10gib.jpg"}
    make_sparse(big["3 GiB"], 3 * GIB, header)
    make_sparse(big["10 GiB"], 10 * GIB, header)
    corrupt = folder / "corrupt.jpg"
    corrupt.write_bytes(header[:600] + os.urandom(20000))
    show = Show(folder, 30, work)
    peak_kb: dict[int, int] = {}
    show.wait_start()
    while show.process.poll() is None and show.now() < 120:
        show.poll()
        for pid in children_of(show.process.pid):
            if is_image_worker(pid) and (kb := vm_hwm_kb(pid)):
                peak_kb[pid] = max(kb, peak_kb.get(pid, 0))
        time.sleep(0.1)
    show.finish()
    worker_peak_mb = max(peak_kb.values(), default=0) / 1024
    total = show.total_shown()
    # A file that fails is asked for again when the shuffle comes round to it: one line
    # each time it comes up.
    rows = []
    for label, path in big.items():
        named = show.log(re.escape(str(path)))
        typed = [(at, line) for at, line in named if "FileTooLarge" in line]
        seen = (f"{len(named)} line(s) naming it, {len(typed)} FileTooLarge: "
                f"{first(typed or named, 120)}; "
                f"image workers' peak RSS {worker_peak_mb:.0f} MB ({len(peak_kb)} seen); "
                f"{total} shown in 30 s; exit {show.process.returncode}")
        rows.append(Row(f"a {label} sparse JPEG among 12 photos", "worker < 1 GB resident; "
                        "FileTooLarge naming it, a line each time it comes up; the show "
                        "goes on", seen, len(typed) >= 1
                        and 0 < worker_peak_mb < 1024 and total >= 10
                        and show.process.returncode == 0))
    named = show.log(re.escape(str(corrupt)))
    skipped = [(at, line) for at, line in named if "skipping" in line]
    rows.append(Row("a corrupt JPEG among the photos", "skipped, a line naming it each time "
                    "it comes up", f"{len(named)} line(s), {len(skipped)} 'skipping': "
                    f"{first(named, 120)}; "
                    f"tracebacks {show.tracebacks()}", len(skipped) == len(named) >= 1
                    and show.tracebacks() == 0 and total >= 10))
    return rows


def vm_hwm_kb(pid: int) -> int:
    """The peak resident size of a process, in KiB; 0 once it is gone."""
    try:
        match = re.search(r"^VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
    except OSError:
        return 0
    return int(match.group(1)) if match else 0


# -- settings -------------------------------------------------------------------------------

def bad_values(photos: Path, work: Path) -> list[Row]:
    rows = []
    for args, setting in BAD_VALUES:
        result = run_command(bench_argv(str(photos), "--seconds", "20", *args), 60)
        said = complaints(result.err)
        holds = (result.code == 2 and len(said) == 1 and setting in said[0]
                 and "Traceback" not in result.err and result.elapsed_s < BEFORE_RUN_S)
        rows.append(Row(" ".join(args), f"exit 2, one line naming {setting}, before the run",
                        f"exit {result.code}, {len(said)} line(s): "
                        f"{(said or ['-'])[0][:120]!r}", holds, as_seconds(result.elapsed_s)))
    result = run_command(bench_argv(str(photos), "--seconds", "8", "--set",
                                    "transitions.folder=/missing"), 90)
    warned = [line for line in lines(result.err) if "WARNING" in line
              and "transitions.folder" in line and "/missing" in line]
    rows.append(Row("--set transitions.folder=/missing", "a warning naming it; the show runs",
                    f"exit {result.code}, {len(warned)} warning(s): "
                    f"{message((warned or ['-'])[0])[:90]!r}; "
                    f"{shown(result.out)} shown in 8 s",
                    result.code == 0 and len(warned) == 1 and shown(result.out) >= 3))
    return rows


# -- start-up -------------------------------------------------------------------------------

def namespaced(script: str, *args: str) -> list[str]:
    """`script` (sh) run in a mount namespace of its own, `args` as $1..."""
    return ["unshare", "--mount", "--propagation", "private", "sh", "-ec", script, "sh", *args]


def can_unshare() -> bool:
    try:
        return run_command(namespaced("mount -t tmpfs -o size=1m tmpfs /mnt"), 10).code == 0
    except OSError:
        return False


def full_shm(photos: Path, work: Path) -> list[Row]:
    if not can_unshare():
        return [Row("/dev/shm full", "one line, exit 2", "skipped: no mount namespace here "
                    "(unshare --mount needs root or user namespaces); the machine's /dev/shm "
                    "is not filled", None)]
    rows = []
    for free_mib in (4, 0):
        # A 64 MiB /dev/shm, as Docker gives, filled to `free_mib`; it goes with the
        # namespace, and the fill file is removed first all the same.
        script = ('mount -t tmpfs -o size=64m tmpfs /dev/shm; fallocate -l "$1" /dev/shm/fill; '
                  'shift; set +e; "$@"; code=$?; rm -f /dev/shm/fill; exit $code')
        result = run_command(namespaced(script, f"{64 - free_mib}m",
                                        *bench_argv(str(photos), "--seconds", "5")), 60)
        said = complaints(result.err)
        figures = re.search(r"([\d.]+) (KiB|MiB) asked, ([\d.]+) MiB free", result.err)
        holds = (result.code == 2 and len(said) == 1 and figures is not None
                 and float(figures.group(1)) > 0 and float(figures.group(3)) == free_mib
                 and "Traceback" not in result.err)
        rows.append(Row(f"/dev/shm full ({free_mib} MiB of 64 free)", "one line with the right "
                        "figures, exit 2", f"exit {result.code}, {len(said)} line(s): "
                        f"{(said or ['-'])[0][:120]!r}", holds, as_seconds(result.elapsed_s)))
    return rows


def crafted_index(photos: Path, work: Path) -> list[Row]:
    from slideshow.library import cache  # the show's own idea of where its index lives

    folder = work / "crafted"
    shutil.copytree(photos, folder)
    path = cache.cache_file(cache.default_cache_dir(), [os.path.abspath(folder)])
    path.parent.mkdir(parents=True, exist_ok=True)
    nested = b"[" * 100_000
    path.write_bytes(b"slideshow photo index\n" + len(nested).to_bytes(8, "little")
                     + (0).to_bytes(8, "little") + nested)
    show = Show(folder, 20, work)
    show.wait_start()
    show.finish()
    said = show.log(r"index cache")
    first_photo = show.next_photo_after(0.0)  # our clock starts with the show's process
    rewritten = path.read_bytes()[:64].count(b"[") < 32
    seen = (f"{len(said)} line(s): {first(said, 120)}; "
            f"{show.total_shown()} shown in 20 s; cache written anew: "
            f"{'yes' if rewritten else 'no'}; exit {show.process.returncode}")
    return [Row("index cache of JSON nested 100,000 deep", "logged once, rescanned, photos "
                "shown (recovery: the first photo, from the start)", seen, len(said) == 1
                and show.total_shown() >= 3 and rewritten and show.process.returncode == 0,
                as_seconds(first_photo))]


def read_only_cache(photos: Path, work: Path) -> list[Row]:
    if not can_unshare():
        return [Row("read-only cache folder", "the show runs", "skipped: no mount namespace "
                    "here (as root, permission bits do not stop a write)", None)]
    cache_home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    Path(cache_home).mkdir(parents=True, exist_ok=True)
    # As root, permission bits stop no write: a read-only mount does.
    script = 'mount -t tmpfs -o ro,size=1m tmpfs "$1"; shift; exec "$@"'
    result = run_command(namespaced(script, cache_home, *bench_argv(str(photos), "--seconds",
                                                                       "10")), 90)
    warned = [line for line in lines(result.err) if " WARNING " in line]
    by_logger = Counter(line.split()[2].removesuffix(":") for line in warned)
    about = [line for line in lines(result.err) if cache_home in line]  # Mesa's too
    return [Row("read-only cache folder", "the show runs; a line or two per cache",
                f"exit {result.code}, {shown(result.out)} shown in 10 s; {len(about)} lines "
                f"name the folder: {message((about or ['-'])[0])[:80]!r}; all warnings "
                f"{dict(by_logger)}", result.code == 0 and shown(result.out) >= 2
                and len(about) <= 3
                and "Traceback" not in result.err)]
