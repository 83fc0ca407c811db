"""Fixtures of the audio/ tests: a PulseAudio server with a null sink to play into, and one
of a test's own that it may kill and start again. PulseAudio is a machine part: without it
the capture tests skip in a user's own run and fail in CI (tests/machine.py)."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator

import pytest

from tests.machine import missing

SINK = "slideshow_test"


def _pactl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["pactl", *args], capture_output=True, text=True, timeout=5)


def _reachable() -> bool:
    return shutil.which("pactl") is not None and _pactl("info").returncode == 0


def _private_runtime(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
                     name: str) -> None:
    """A runtime folder of the test's own, where a private PulseAudio server and its
    clients find each other (XDG_RUNTIME_DIR; no PULSE_SERVER pointing elsewhere)."""
    runtime = tmp_path_factory.mktemp(name)
    runtime.chmod(0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.delenv("PULSE_SERVER", raising=False)


@pytest.fixture
def pulse_server(tmp_path_factory: pytest.TempPathFactory,
                 monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A null sink made the default sink, on the server test.sh starts (or any reachable
    one); without one, on a private server started here. Yields the sink's name."""
    own = None
    if not _reachable():
        if shutil.which("pulseaudio") is None or shutil.which("pactl") is None:
            missing("PulseAudio", "no server can be reached and pulseaudio/pactl are not "
                    "installed (apt install pulseaudio pulseaudio-utils)")
        _private_runtime(tmp_path_factory, monkeypatch, "pulse")
        own = _spawn_server()
    previous = _pactl("get-default-sink").stdout.strip()
    loaded = _pactl("load-module", "module-null-sink", f"sink_name={SINK}")
    module = loaded.stdout.strip()
    assert loaded.returncode == 0, loaded.stderr
    assert _pactl("set-default-sink", SINK).returncode == 0
    yield SINK
    if previous and previous != SINK:
        _pactl("set-default-sink", previous)
    _pactl("unload-module", module)
    if own is not None:
        own.terminate()
        own.wait(5)


def _spawn_server() -> subprocess.Popen:
    """A PulseAudio server on this process's $XDG_RUNTIME_DIR, answering pactl."""
    server = subprocess.Popen(
        ["pulseaudio", "--daemonize=no", "--exit-idle-time=-1", "--disallow-exit", "-n",
         "--load=module-native-protocol-unix", "--log-target=stderr"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(50):
        if _reachable():
            return server
        time.sleep(0.1)
    server.kill()
    server.wait(5)
    missing("PulseAudio", "a server started here did not answer pactl within 5 s")


def start_pulse_server(sink: str) -> subprocess.Popen:
    """A PulseAudio server on this process's $XDG_RUNTIME_DIR with a null sink `sink` made
    the default; the caller kills it."""
    server = _spawn_server()
    assert _pactl("load-module", "module-null-sink", f"sink_name={sink}").returncode == 0
    assert _pactl("set-default-sink", sink).returncode == 0
    return server


@pytest.fixture
def killable_pulse_server(tmp_path_factory: pytest.TempPathFactory,
                          monkeypatch: pytest.MonkeyPatch) -> Iterator[subprocess.Popen]:
    """A PulseAudio server of this test's own (the shared one must live on), with a null
    sink `quiet_test` made the default; yields the server's process, for the test to kill
    (and start again with `start_pulse_server` on the same runtime folder)."""
    if shutil.which("pulseaudio") is None or shutil.which("pactl") is None:
        missing("PulseAudio", "pulseaudio/pactl are not installed (apt install pulseaudio "
                "pulseaudio-utils)")
    _private_runtime(tmp_path_factory, monkeypatch, "pulse-own")
    server = start_pulse_server("quiet_test")
    try:
        yield server
    finally:
        if server.poll() is None:
            server.kill()
        server.wait(5)
