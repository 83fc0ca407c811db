"""Fixtures shared across the test folders: the one EGL context for GL tests (with the GL
error state checked around each test, as moderngl's own suite does), the X display for
window tests, the shared photo folder when it exists, and the one leak check for tests that
start processes, shared memory or threads. A folder's own fixtures live in its conftest.py;
plain helpers in tests/support.py.

EGL and the X display are machine parts: without one, a test skips in a user's own run and
fails in CI (tests/machine.py)."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from multiprocessing import resource_tracker
from pathlib import Path

import pytest

from slideshow.errors import SurfaceError
from slideshow.gpu.headless import HeadlessSurface
from slideshow.workers.shm import owner_pid, project_segments
from tests.machine import in_ci, missing
from tests.support import OUR_PIDS, SHARED_PHOTOS

LEFTOVER_GRACE_S = 5.0  # a SIGKILLed creator's tracker, or a closing thread, needs a moment


def pytest_configure(config: pytest.Config) -> None:
    """The tests' own cache folder (the governor's frame costs, the photo index), so that no
    run depends on what an earlier one, or the user's show, left in ~/.cache. Mesa keeps its
    shader cache where it was: the GL tests would otherwise compile every shader cold."""
    if os.environ.get("SLIDESHOW_TEST_CACHE"):
        return  # set once per session, children included
    real = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    os.environ.setdefault("MESA_SHADER_CACHE_DIR", real)
    folder = tempfile.mkdtemp(prefix="slideshow-test-cache-")
    os.environ["XDG_CACHE_HOME"] = os.environ["SLIDESHOW_TEST_CACHE"] = folder
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


@pytest.fixture(scope="session")
def shared_photos() -> Path:
    if not SHARED_PHOTOS.is_dir():
        pytest.skip(f"the shared test photos are not here ({SHARED_PHOTOS}); "
                    "they exist only in the development workspace, not in a user's clone")
    return SHARED_PHOTOS


@pytest.fixture(scope="session")
def _egl_surface() -> Iterator[HeadlessSurface]:
    try:
        surface = HeadlessSurface((64, 32))
    except SurfaceError as exc:
        missing("EGL", f"{exc}")
    yield surface
    surface.release()


@pytest.fixture
def egl_surface(_egl_surface: HeadlessSurface) -> Iterator[HeadlessSurface]:
    """A 64x32 headless surface, made current (a test that ran the app headless in this
    process leaves its own, released, context current); the test fails if it leaves a GL
    error behind."""
    ctx = _egl_surface.ctx
    with ctx:
        assert ctx.error == "GL_NO_ERROR", "a GL error was pending before the test"
        _egl_surface.use()
        yield _egl_surface
        assert ctx.error == "GL_NO_ERROR"


@pytest.fixture
def x_display() -> str:
    display = os.environ.get("DISPLAY")
    if not display:
        missing("an X display", "DISPLAY is not set; run the tests through ./test.sh, which "
                "starts Xvfb (apt install xvfb)")
    return display


# ---- in CI, a test that needs a machine part never skips -------------------------------
# `missing` (tests/machine.py) already fails there; this also catches a skip from any other
# path (a helper or library that skips by itself) in a test that needs EGL, an X display or
# PulseAudio, by its fixtures or its markers. A skip or skipif marker is a condition written
# beside the test (another platform), not a part gone missing: it stays a skip.

PART_FIXTURES = {"egl_surface": "EGL", "_egl_surface": "EGL", "x_display": "an X display",
                 "pulse_server": "PulseAudio"}
PART_MARKERS = {"egl": "EGL", "window": "an X display", "pulse": "PulseAudio"}


def _parts_needed(item: pytest.Item) -> list[str]:
    fixtures = getattr(item, "fixturenames", ())
    parts = [part for name, part in PART_FIXTURES.items() if name in fixtures]
    parts += [part for name, part in PART_MARKERS.items() if item.get_closest_marker(name)]
    return sorted(set(parts))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    declared = item.get_closest_marker("skipif") or item.get_closest_marker("skip")
    if report.skipped and in_ci() and not declared and (parts := _parts_needed(item)):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = (f"skipped in CI, but it needs {' and '.join(parts)}, which CI has: "
                           f"{reason}")


# ---- what a test leaves behind -----------------------------------------------------------
# Modules that start worker processes, shared memory or threads opt in with
# `pytestmark = pytest.mark.usefixtures("nothing_left_behind")`.


def _child_pids() -> set[int]:
    """Live (not zombie) processes whose parent is this one; empty where /proc is absent."""
    children = set()
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == os.getpid() and state != "Z":
            children.add(int(entry))
    return children


def _leftovers(children_before: set[int], segments_before: set[str],
               threads_before: set[threading.Thread]) -> list[str]:
    left = []
    # active_children() also joins the finished ones, so a process that ended is not counted.
    if processes := multiprocessing.active_children():
        left.append(f"worker processes still alive: {processes}")
    tracker_pid = getattr(resource_tracker._resource_tracker, "_pid", None)  # lives all session
    if stray := sorted(_child_pids() - children_before - {tracker_pid}):
        left.append(f"child processes still alive: {stray}")
    if segments := sorted(n for n in set(project_segments()) - segments_before
                          if owner_pid(n) in OUR_PIDS):
        left.append(f"segments left in /dev/shm: {segments}")
    if threads := [t.name for t in threading.enumerate()
                   if t not in threads_before and t.is_alive()]:
        left.append(f"threads still running: {threads}")
    return left


@pytest.fixture
def nothing_left_behind() -> Iterator[None]:
    """Fails a test that leaves behind a child process still running, a thread, or a
    shared-memory segment in /dev/shm created by this process or a child it started
    (OUR_PIDS): close() must have joined and unlinked them. Other programs, other test runs
    among them, may use /dev/shm meanwhile; only our own segments count."""
    children_before = _child_pids()  # the resource tracker, started once per session
    segments_before = set(project_segments())
    threads_before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + LEFTOVER_GRACE_S
    while (left := _leftovers(children_before, segments_before, threads_before)) \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not left, "; ".join(left)
