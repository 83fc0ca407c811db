"""Shared fixtures: one EGL context for GL tests (with the GL error state checked around
each test, as moderngl's own suite does), the shared photo folder when it exists, and
a display check for window tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_PHOTOS = Path(__file__).resolve().parents[2] / "shared" / "photos"


@pytest.fixture(scope="session")
def shared_photos() -> Path:
    if not SHARED_PHOTOS.is_dir():
        pytest.skip(f"the shared test photos are not here ({SHARED_PHOTOS}); "
                    "they exist only in the development workspace, not in a user's clone")
    return SHARED_PHOTOS


@pytest.fixture(scope="session")
def _egl_surface():
    from slideshow.errors import SurfaceError
    from slideshow.gpu.headless import HeadlessSurface

    try:
        surface = HeadlessSurface((64, 32))
    except SurfaceError as exc:
        pytest.skip(f"no EGL context here: {exc}")
    yield surface
    surface.release()


@pytest.fixture
def egl_surface(_egl_surface):
    """A 64x32 headless surface, made current (a test that ran the app headless in this
    process leaves its own, released, context current); the test fails if it leaves a GL
    error behind."""
    ctx = _egl_surface.ctx
    with ctx:
        assert ctx.error == "GL_NO_ERROR", "a GL error was pending before the test"
        _egl_surface.use()
        yield _egl_surface
        assert ctx.error == "GL_NO_ERROR"


def run_in_fresh_process(function, *args, timeout_s: float = 180.0):
    """Runs a module-level `function(*args)` in a new (spawned) Python process and returns
    its result. Window tests use it: a process with the shared EGL context current cannot
    also make a GLX context current (X error BadAccess from GLXMakeCurrent)."""
    import concurrent.futures
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(function, *args).result(timeout=timeout_s)


@pytest.fixture
def x_display() -> str:
    display = os.environ.get("DISPLAY")
    if not display:
        pytest.skip("no X display: run the tests through ./test.sh, which starts Xvfb")
    return display


# ---- shared memory: segments this test process (or a child it started) leaves behind ----
# Modules opt in with `pytestmark = pytest.mark.usefixtures("dev_shm_left_clean")`.

#: This process and the children its tests start: their segments are the ones to check.
OUR_PIDS = {os.getpid()}
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def dev_shm_left_clean():
    """No segment created by this process or a child it started stays in /dev/shm after
    a test. (Other programs, other test runs among them, may use /dev/shm meanwhile.)"""
    import time

    from slideshow.workers.shm import owner_pid, project_segments

    before = set(project_segments())
    yield
    deadline = time.monotonic() + 2.0  # a SIGKILLed creator's tracker needs a moment
    while True:
        left = [n for n in set(project_segments()) - before if owner_pid(n) in OUR_PIDS]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert not left, f"segments left in /dev/shm: {left}"


def start_python(*args: str):
    """`python args...` in the repository, pipes on every stream, its pid noted."""
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, *args], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    OUR_PIDS.add(child.pid)
    return child


# ---- image workers (section owned by the worker / supervisor / pipeline / check tests) ----
# Not autouse: those test modules opt in with
# `pytestmark = pytest.mark.usefixtures("no_worker_leftovers")`.


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


@pytest.fixture
def no_worker_leftovers():
    """Fails a test that leaves a child process running or one of this process's
    shared-memory segments in /dev/shm (close() must have joined and unlinked them)."""
    import multiprocessing

    from slideshow.workers.shm import owner_pid, project_segments

    children_before = _child_pids()  # the resource tracker, started once per session
    segments_before = set(project_segments())
    yield
    leftover = multiprocessing.active_children()
    assert not leftover, f"worker processes still alive after the test: {leftover}"
    from multiprocessing import resource_tracker

    tracker_pid = getattr(resource_tracker._resource_tracker, "_pid", None)  # lives all session
    stray = _child_pids() - children_before - {tracker_pid}
    assert not stray, f"child processes still alive after the test: {sorted(stray)}"
    segments = [n for n in set(project_segments()) - segments_before if owner_pid(n) == os.getpid()]
    assert not segments, f"segments left in /dev/shm: {segments}"
