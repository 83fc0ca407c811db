"""Launch to first photo: from the launch of the default show to the swap that first puts a
photo on screen, timed from outside, with a warm and with a cold shader cache.

    DISPLAY=:78 python3 benchmarks/first_photo.py [--runs 5] [--seconds 3]
        [--caches warm cold] [--repo PATH...]

Each run launches `slideshow bench --seconds S --json FILE` (the default show in a
1280x720 window; bench's flags only end it and save its figures) on the current DISPLAY,
which must be Xvfb (or another X server with the DAMAGE extension). `--repo A B` runs other
checkouts, run by run in turn (the before figure below is a worktree of e4e8a76 run beside
this one), so that a busy neighbour slows them alike. The show is started through a
script shaped as pip's `slideshow` launcher, as users start it. The bytecode of each checkout is
compiled first, into a temporary PYTHONPYCACHEPREFIX, as `pip install`
does: otherwise every run would compile the whole package from source (this machine sets
PYTHONDONTWRITEBYTECODE), 130 ms more to import the command line alone.

The outside figure, per run, from three pieces:
1. the launch: time.monotonic() in this process just before Popen forks the show;
2. the show's first frame, from outside: this process watches the X server's root window
   for windows created (SubstructureNotify), puts a DAMAGE object on each new 1280x720 one,
   and takes the server's timestamp of its first damage report. The server never paints a
   glfw window's content itself, so its first damage is the first swap into it once mapped
   (llvmpipe's swap puts the image into the window); X timestamps are CLOCK_MONOTONIC in ms,
   the clock of step 1. A probe window that swapped at t and t + 1 s got its reports at
   exactly those times, to the ms, and none before;
3. the swaps up to the first photo: ../shared/tools/swaptrace.c, preloaded, writes every
   swap-to-swap interval at exit; the show's JSON says the loop's index k of the first
   frame showing a photo (`first_photo_frame`, counted from 0). glfw swaps once before any
   frame, when it creates the window (a black clear, before the window is mapped, so it
   damages nothing): the swaps the trace holds beyond the loop's frames (the timeline's
   last index + 1), e, come before frame 0 (e was 1 in every run; a Python-level count of
   the loop's swaps and a backtrace of the first glXSwapBuffers showed which one it is).
   So the first damage is frame 0's swap, and frame k's is k intervals later: the trace's
   intervals e to e + k - 1.
outside = (first damage + sum of those k intervals) - launch. The program's own `first_photo_s`
(its start time in /proc/self/stat to the present of that frame) is printed beside it;
they should agree within a few ms plus up to one 10 ms clock tick (the kernel's start time
is rounded down, and the fork comes a moment after step 1). A checkout without
`first_photo_frame` (before issue 13's point 4) has k taken from its events: the frame
after its first "transition begins".

"warm": every run uses one MESA_SHADER_CACHE_DIR, filled by an untimed run first; "cold":
each run a fresh, empty one (as the first start after an install or a Mesa update). The
load average and a CPU probe (a fixed Python loop) are printed at the start and the end:
figures taken at different speeds do not compare, interleaved ones do.

Peers: xscreensaver's glslideshow is timed the same way when /usr/libexec/xscreensaver has
it; this machine's xscreensaver has no GL hacks (xscreensaver-gl is not installed), so
there is no peer figure here.

Measured on the project's 2-core machine (Xvfb, llvmpipe, 1280x720), launched as pip's
`slideshow` launcher runs it, `--repo` a worktree of e4e8a76 (the session before) and this
checkout (ceee508) interleaved, 3 runs each, load average 1.0-1.9, CPU probe 0.19-0.20 s;
seconds, median [min-max]:
                   warm cache            cold cache
  e4e8a76          1.664 [1.494-1.959]   2.607 [2.186-2.843]
  ceee508          1.149 [0.987-1.606]   2.172 [1.980-2.303]
(the slowest warm run of each is the sitting's first). The show's own first_photo_s read
0-10 ms above the outside figure in every run. Before, the photo came at frame 7-19: the
image worker, spawned with the display's parts at the lowest priority, re-ran the launcher
(and so imported the whole command line) and decoded beside the show's start-up, and the
first photo took 7 frames from its decode to the screen. Now it comes at frame 2 in every
run: a spare worker is started before the window, decodes its first photo at normal
priority, and the first photo is copied and composed in two frames; frame 0 itself comes
sooner (warm-ups over a few pixels, no compile check of the built-in transitions, no
pyGLFW version probe, fewer imports). With a cold cache the JIT of the programs warmed
before frame 0 is what remains (frame 0 at 1.9-2.2 s).
A session earlier, launched with `python -m slideshow` (which spares the workers the
launcher): 681749e, before the transitions were made ready in the slack, warm 2.31 s and
cold 7.05 s; the governor's merge warm 1.76 s and cold 2.80 s.
(An earlier version of this script kept PYTHONDONTWRITEBYTECODE, which this machine sets,
in the shows' environment: every run then compiled the standard library, numpy and Pillow
from source, and read 3.6-4.2 s for the same code.)
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import select
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from health import build_swaptrace  # noqa: E402  (benchmarks/ is no package)

REPO = Path(__file__).resolve().parents[1]
SIZE = (1280, 720)  # bench's window
PEERS = {"glslideshow": Path("/usr/libexec/xscreensaver/glslideshow")}
_CREATE_NOTIFY = 16
_SUBSTRUCTURE_NOTIFY_MASK = 1 << 19
_DAMAGE_REPORT_RAW_RECTANGLES = 0


class _CreateEvent(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                ("display", ctypes.c_void_p), ("parent", ctypes.c_ulong),
                ("window", ctypes.c_ulong), ("x", ctypes.c_int), ("y", ctypes.c_int),
                ("width", ctypes.c_int), ("height", ctypes.c_int),
                ("border_width", ctypes.c_int), ("override_redirect", ctypes.c_int)]


class _DamageEvent(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                ("display", ctypes.c_void_p), ("drawable", ctypes.c_ulong),
                ("damage", ctypes.c_ulong), ("level", ctypes.c_int), ("more", ctypes.c_int),
                ("timestamp", ctypes.c_ulong)]


class _Event(ctypes.Union):
    _fields_ = [("type", ctypes.c_int), ("create", _CreateEvent), ("damage", _DamageEvent),
                ("pad", ctypes.c_long * 24)]


class FirstDamage:
    """Watches the X server for new windows of SIZE and notes, per window, the server's
    timestamp of its first damage report as a time.monotonic() value."""

    def __init__(self) -> None:
        self.x11 = ctypes.CDLL("libX11.so.6")
        self.xdamage = ctypes.CDLL("libXdamage.so.1")
        x11, xdamage = self.x11, self.xdamage
        x11.XOpenDisplay.restype = ctypes.c_void_p
        x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
        x11.XDefaultRootWindow.restype = ctypes.c_ulong
        x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        x11.XSelectInput.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_long]
        for name in ("XPending", "XConnectionNumber", "XFlush"):
            getattr(x11, name).argtypes = [ctypes.c_void_p]
        x11.XNextEvent.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        xdamage.XDamageQueryExtension.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int),
                                                  ctypes.POINTER(ctypes.c_int)]
        xdamage.XDamageCreate.restype = ctypes.c_ulong
        xdamage.XDamageCreate.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int]
        self.display = x11.XOpenDisplay(None)
        if not self.display:
            sys.exit("no X display: run under Xvfb (DISPLAY=:78)")
        # A window gone before its damage object is made is a BadWindow: not ours to stop on.
        self._on_error = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)(
            lambda display, event: 0)
        x11.XSetErrorHandler(self._on_error)
        event_base, error_base = ctypes.c_int(), ctypes.c_int()
        if not xdamage.XDamageQueryExtension(self.display, ctypes.byref(event_base),
                                             ctypes.byref(error_base)):
            sys.exit("the X server has no DAMAGE extension")
        self._damage_type = event_base.value
        x11.XSelectInput(self.display, x11.XDefaultRootWindow(self.display),
                         _SUBSTRUCTURE_NOTIFY_MASK)
        x11.XFlush(self.display)
        self._lock = threading.Lock()
        # Per window created: [when (monotonic s), its id, its first damage or None]. The
        # server reuses ids once a client is gone: a damage belongs to the latest creation.
        self._created: list[list] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True, name="damage")
        self._thread.start()

    def _watch(self) -> None:
        x11, event = self.x11, _Event()
        fd = x11.XConnectionNumber(self.display)
        while not self._stop.is_set():
            while x11.XPending(self.display):
                x11.XNextEvent(self.display, ctypes.byref(event))
                if event.type == _CREATE_NOTIFY:
                    created = event.create
                    if (created.width, created.height) == SIZE:
                        self.xdamage.XDamageCreate(self.display, created.window,
                                                   _DAMAGE_REPORT_RAW_RECTANGLES)
                        x11.XFlush(self.display)
                        with self._lock:
                            self._created.append([time.monotonic(), created.window, None])
                elif event.type == self._damage_type:
                    damage = event.damage
                    with self._lock:
                        windows = [w for w in self._created if w[1] == damage.drawable]
                        if windows and windows[-1][2] is None:
                            windows[-1][2] = _unwrap_ms(damage.timestamp)
            select.select([fd], [], [], 0.05)

    def first_swap_after(self, launch_s: float) -> float | None:
        """The first damage of the first SIZE window created after `launch_s`."""
        with self._lock:
            windows = [first for created_s, _, first in self._created if created_s > launch_s]
            return windows[0] if windows else None

    def close(self) -> None:
        self._stop.set()
        self._thread.join(1.0)


def _unwrap_ms(server_ms: int) -> float:
    """An X timestamp (CLOCK_MONOTONIC ms, 32 bits) as a time.monotonic() value."""
    now_ms = time.monotonic() * 1000.0
    wraps = round((now_ms - server_ms) / 2**32)
    return (server_ms + wraps * 2**32) / 1000.0


def compile_bytecode(repo: Path, prefix: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(repo / "slideshow")],
                   env={**env, "PYTHONPYCACHEPREFIX": str(prefix)}, check=True,
                   stdout=subprocess.DEVNULL)


# What `pip install` writes as the `slideshow` command, the way users start the show (not
# `python -m slideshow`: spawned workers treat the two differently, see slideshow/cli.py).
LAUNCHER = """import sys
from slideshow.cli import main
if __name__ == '__main__':
    sys.exit(main())
"""


def write_launcher(folder: Path) -> Path:
    launcher = folder / "slideshow"
    if not launcher.exists():
        launcher.write_text(LAUNCHER)
    return launcher


def first_photo_frame(figures: dict) -> int | None:
    """The show's own index of its first photo frame, or (older checkouts) the frame after
    its first fade-in began."""
    if "first_photo_frame" in figures:
        return figures["first_photo_frame"]
    begun = [frame for frame, text in figures["timeline"]["events"]
             if text.startswith("transition begins")]
    return min(begun) + 1 if begun else None


def one_run(repo: Path, watch: FirstDamage, env: dict[str, str], folder: Path,
            seconds: float) -> dict[str, float | int | None]:
    out, trace = folder / "bench.json", folder / "swaps.txt"
    for path in (out, trace):
        path.unlink(missing_ok=True)
    env = {**env, "SWAPTRACE": str(trace)}
    command = [sys.executable, str(write_launcher(folder)), "bench", "--seconds", str(seconds),
               "--json", str(out)]
    launch_s = time.monotonic()
    subprocess.run(command, cwd=repo, env=env, check=True, timeout=120,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    figures = json.loads(out.read_text())
    intervals_s = [float(line) / 1e6 for line in trace.read_text().split()]
    frame = first_photo_frame(figures)
    loop_frames = max(figures["timeline"]["frame"]) + 1
    early = len(intervals_s) + 1 - loop_frames  # swaps before frame 0: glfw's clear
    first_swap_s = watch.first_swap_after(launch_s)
    outside_s = None
    if frame is not None and first_swap_s is not None and early >= 0:
        outside_s = first_swap_s + sum(intervals_s[early:early + frame]) - launch_s
    return {"outside": outside_s, "own": figures.get("first_photo_s"),
            "first_swap": None if first_swap_s is None else first_swap_s - launch_s,
            "frame": frame, "early_swaps": early}


def _spread(values: list[float | None]) -> str:
    known = [value for value in values if value is not None]
    if not known:
        return f"{'-':>20}"
    return f"{statistics.median(known):6.3f} [{min(known):.3f}-{max(known):.3f}]".rjust(20)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--caches", nargs="+", choices=("warm", "cold"), default=["warm", "cold"])
    parser.add_argument("--repo", type=Path, nargs="+", default=[REPO],
                        help="the checkouts to run, interleaved (default: this one)")
    args = parser.parse_args()
    repos = [repo.resolve() for repo in args.repo]
    watch = FirstDamage()
    print(f"DISPLAY={os.environ.get('DISPLAY', '')}; {os.cpu_count()} cores; load "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; CPU probe {cpu_probe_s():.2f} s; "
          f"{args.runs} runs per checkout and cache of bench --seconds {args.seconds:g}")
    cases = [(repo, cache) for repo in repos for cache in args.caches]
    results: dict[tuple[Path, str], list[dict[str, float | int | None]]] = {
        case: [] for case in cases}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            prefix = folder / "pyc"
            swaptrace = build_swaptrace(folder)
            if swaptrace is None:
                sys.exit("gcc and ../shared/tools/swaptrace.c are needed to time the swaps")
            for number, repo in enumerate(repos):
                compile_bytecode(repo, prefix)
                one_run(repo, watch, run_env(repo, prefix, swaptrace, folder / f"warm-{number}"),
                        folder, args.seconds)  # untimed: fills the warm cache
            print(f"{'#':>2} {'checkout':<24} {'cache':>5} {'outside s':>10} {'own s':>7} "
                  f"{'frame 0 s':>10} {'frame':>5} {'early swaps':>11}")
            for index in range(args.runs):
                for repo, cache in cases:  # interleaved: a busy neighbour slows all alike
                    number = repos.index(repo)
                    cache_dir = folder / (f"warm-{number}" if cache == "warm"
                                          else f"cold-{number}-{index}")
                    run = one_run(repo, watch, run_env(repo, prefix, swaptrace, cache_dir),
                                  folder, args.seconds)
                    results[(repo, cache)].append(run)
                    cells = [f"{run[key]:.3f}" if run[key] is not None else "-"
                             for key in ("outside", "own", "first_swap")]
                    print(f"{index:>2} {str(repo)[-24:]:<24} {cache:>5} {cells[0]:>10} "
                          f"{cells[1]:>7} {cells[2]:>10} "
                          f"{run['frame'] if run['frame'] is not None else '-':>5} "
                          f"{run['early_swaps']:>11}", flush=True)
    finally:
        watch.close()
    print(f"\nseconds, median [min-max] over {args.runs} runs")
    print(f"{'checkout':<24} {'cache':>5} {'outside':>20} {'the show says':>20}")
    for (repo, cache), runs in results.items():
        print(f"{str(repo)[-24:]:<24} {cache:>5} {_spread([run['outside'] for run in runs])} "
              f"{_spread([run['own'] for run in runs])}")
    for name, path in PEERS.items():
        if not path.exists():
            print(f"peer {name}: not installed here ({path}); no peer figure")
    print(f"load at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; CPU probe "
          f"{cpu_probe_s():.2f} s")
    return 0


def cpu_probe_s() -> float:
    """Seconds for a fixed pure-Python loop: this machine's speed drifted 2x within an hour
    (0.29 s, then 0.57 s, with nothing else running), which moves every figure here."""
    start_s = time.perf_counter()
    total = 0
    for number in range(3_000_000):
        total += number
    return time.perf_counter() - start_s


def run_env(repo: Path, prefix: Path, swaptrace: Path, shader_cache: Path) -> dict[str, str]:
    # Without PYTHONDONTWRITEBYTECODE (this machine sets it): the untimed first run writes
    # the bytecode of everything it imports (the standard library, numpy, Pillow, ...) into
    # the prefix, as an installed Python and pip have it. With it, every run compiled all
    # of them from source: 4.1 s to the first photo instead of 1.7-1.8 s.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPATH": str(repo), "PYTHONPYCACHEPREFIX": str(prefix),
            "LD_PRELOAD": str(swaptrace), "MESA_SHADER_CACHE_DIR": str(shader_cache)}


if __name__ == "__main__":
    sys.exit(main())
