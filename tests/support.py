"""Plain helpers every test folder may import (`from tests.support import ...`); fixtures live
in the conftest.py files. Owns: where the repository and the test files are, the pids whose
shared memory the leak check claims (OUR_PIDS), starting Python children and fresh
processes, and polling against a deadline."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parents[1]
TESTS = REPO / "tests"
#: A config file with nothing in it: a test's settings are then the defaults and its overrides,
#: never the user's own config file.
EMPTY_TOML = TESTS / "empty.toml"
#: Real camera photos; they exist in the development workspace only, not in a user's clone.
SHARED_PHOTOS = REPO.parent / "shared" / "photos"

#: This process and the children its tests start: the shared-memory segments these created
#: are the ones the leak check (tests/conftest.py, nothing_left_behind) holds the test to.
OUR_PIDS: set[int] = {os.getpid()}

T = TypeVar("T")


def start_python(*args: str) -> subprocess.Popen:
    """`python args...` in the repository, pipes on every stream, its pid noted in OUR_PIDS."""
    child = subprocess.Popen([sys.executable, *args], cwd=REPO,
                             env={**os.environ, "PYTHONPATH": str(REPO)}, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    OUR_PIDS.add(child.pid)
    return child


def run_in_fresh_process(function: Callable[..., T], *args: Any, timeout_s: float = 180.0) -> T:
    """Runs a module-level `function(*args)` in a new (spawned) Python process and returns
    its result. Window tests use it: a process with the shared EGL context current cannot
    also make a GLX context current (X error BadAccess from GLXMakeCurrent)."""
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(function, *args).result(timeout=timeout_s)


def wait_for(condition: Callable[[], T], timeout_s: float = 10.0, what: str = "") -> T:
    """Polls `condition` until it returns something true, and returns that; fails after
    `timeout_s`. End-to-end tests wait for what they expect instead of sleeping a guessed
    time: on a loaded machine the thing comes later, never falsely sooner."""
    deadline = time.monotonic() + timeout_s
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:g} s waiting for {what or condition}")
        time.sleep(0.01)
    return result
