"""Capture end to end through a real PulseAudio server: a null sink made the default, a
1 kHz tone played into it with paplay, and `--audio auto` hearing its monitor.

Uses the server test.sh starts (or any reachable one); without one it starts a private
server itself, and skips when pulseaudio is not installed or refuses to start."""

from __future__ import annotations

import math
import shutil
import subprocess
import time

import pytest

from slideshow.audio.capture import import_sounddevice
from slideshow.audio.service import AudioService
from tests.audio.sounds import wait_for_published, write_tone_wav

pytestmark = pytest.mark.usefixtures("nothing_left_behind")

SINK = "slideshow_test"


def _pactl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["pactl", *args], capture_output=True, text=True, timeout=5)


def _reachable() -> bool:
    return shutil.which("pactl") is not None and _pactl("info").returncode == 0


@pytest.fixture
def pulse_server(tmp_path_factory, monkeypatch):
    own = None
    if not _reachable():
        if shutil.which("pulseaudio") is None or shutil.which("pactl") is None:
            pytest.skip("no PulseAudio server can be reached and pulseaudio/pactl are not "
                        "installed (apt install pulseaudio pulseaudio-utils)")
        runtime = tmp_path_factory.mktemp("pulse")
        runtime.chmod(0o700)
        monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
        monkeypatch.delenv("PULSE_SERVER", raising=False)
        own = subprocess.Popen(
            ["pulseaudio", "--daemonize=no", "--exit-idle-time=-1", "--disallow-exit", "-n",
             "--load=module-native-protocol-unix", "--log-target=stderr"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(50):
            if _reachable():
                break
            time.sleep(0.1)
        else:
            own.kill()
            own.wait()
            pytest.skip("no PulseAudio server can be reached, and one started here did not "
                        "answer pactl within 5 s")
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


def test_auto_hears_a_tone_played_into_the_default_sink(pulse_server, tmp_path):
    sd = import_sounddevice()
    if sd is None:
        pytest.skip("PortAudio is missing (apt install libportaudio2)")
    path = tmp_path / "tone.wav"
    write_tone_wav(path, 1000.0, seconds=20.0, rate=48000)
    player = subprocess.Popen(["paplay", f"--device={pulse_server}", str(path)],
                              stderr=subprocess.PIPE)
    try:
        with AudioService("auto") as service:
            # The sound server takes about a second to start the monitor stream; until then
            # the worker publishes silence. From the first sound, the tone must show within 1 s.
            wait_for_published(service, lambda b, seq: not b.silent, timeout_s=10.0)
            started = time.monotonic()
            block, _, age_s = wait_for_published(
                service, lambda b, seq: abs(math.log2(max(b.peak_hz, 1.0) / 1000.0)) < 0.1
                and b.bands.max() > 0.5, timeout_s=2.0)
            heard_after_s = time.monotonic() - started
            assert service.source_label == f"device:pulse ({pulse_server}.monitor)"
            assert not service.warnings
    finally:
        player.kill()
        player.wait()
    assert block.sample_rate in (44100, 48000)
    assert heard_after_s < 1.0 and age_s < 0.1
