"""soundcard end to end through a real PulseAudio server: a null sink made the default,
tones played into it with paplay, and `--audio auto --audio-backend soundcard` hearing its
monitor through libpulse; the server killed and started again, and the bars coming back;
`slideshow devices` listing what each backend sees; and no server at all giving one line
and silence.

The server comes from the pulse_server fixture (tests/audio/conftest.py). soundcard is
imported only in the worker and command processes: on Linux its import connects to the
server of that moment and keeps that connection for the process's life."""

from __future__ import annotations

import importlib.util
import logging
import math
import subprocess
import sys
import time

import pytest

from slideshow.audio.capture import import_sounddevice
from slideshow.audio.service import AudioService
from tests.audio.conftest import start_pulse_server
from tests.audio.sounds import wait_for_published, write_tone_wav
from tests.machine import missing
from tests.support import REPO

pytestmark = pytest.mark.usefixtures("nothing_left_behind")


def needs_soundcard() -> None:
    if importlib.util.find_spec("soundcard") is None:
        missing("soundcard", "the soundcard package is not installed (pip install soundcard)")


def near(freq_hz: float):
    """A published value whose peak is within a tenth of an octave of `freq_hz`, loud."""
    return lambda b, seq: abs(math.log2(max(b.peak_hz, 1.0) / freq_hz)) < 0.1 \
        and b.bands.max() > 0.5


@pytest.mark.pulse
def test_soundcard_hears_the_default_speakers_monitor_and_follows_the_tone(pulse_server, tmp_path):
    needs_soundcard()
    tones = {700.0: tmp_path / "700.wav", 2500.0: tmp_path / "2500.wav"}
    for freq_hz, path in tones.items():
        write_tone_wav(path, freq_hz, seconds=20.0, rate=48000)
    with AudioService("auto", capture_backend="soundcard") as service:
        wait_for_published(service, lambda b, seq: service.source_label is not None)
        assert service.source_label == "device:Monitor of Null Output"
        for freq_hz, path in tones.items():
            player = subprocess.Popen(["paplay", f"--device={pulse_server}", str(path)],
                                      stderr=subprocess.PIPE)
            try:
                block, _, age_s = wait_for_published(service, near(freq_hz), timeout_s=10.0)
            finally:
                player.kill()
                player.wait()
            assert block.sample_rate == 48000 and not block.no_source and age_s < 0.1
        assert not service.warnings


@pytest.mark.pulse
def test_soundcard_hears_again_when_the_sound_server_comes_back(killable_pulse_server, tmp_path,
                                                                caplog, capfd):
    needs_soundcard()
    caplog.set_level(logging.INFO, logger="slideshow.audio")
    tone = tmp_path / "tone.wav"
    write_tone_wav(tone, 1000.0, seconds=30.0, rate=48000)
    lines = lambda: [r.getMessage() for r in caplog.records
                     if r.name == "slideshow.audio"]
    server = None
    try:
        with AudioService("auto", capture_backend="soundcard") as service:
            wait_for_published(service, lambda b, seq: service.source_label is not None)
            killable_pulse_server.kill()  # the sound server goes away mid-run
            killable_pulse_server.wait(5)
            deadline = time.monotonic() + 20.0
            while time.monotonic() < deadline and len(lines()) < 1:
                time.sleep(0.05)
            server = start_pulse_server("quiet_test")  # and comes back
            player = subprocess.Popen(["paplay", "--device=quiet_test", str(tone)],
                                      stderr=subprocess.PIPE)
            try:
                wait_for_published(service, near(1000.0), timeout_s=15.0)
            finally:
                player.kill()
                player.wait()
            assert service.restarts == 0  # the worker lived through it
    finally:
        if server is not None:
            server.kill()
            server.wait(5)
    said = lines()
    assert len(said) == 2, said
    assert said[0].startswith("audio device 'Monitor of Null Output' stopped delivering audio "
                              "(unplugged?) and cannot be opened again (soundcard could not "
                              "connect to the sound server")
    assert said[1] == "audio device 'Monitor of Null Output' delivers audio again"
    assert "Assertion" not in capfd.readouterr().err


@pytest.mark.pulse
def test_devices_lists_both_backends_and_says_which_would_capture(pulse_server):
    needs_soundcard()
    run = lambda *args: subprocess.run(
        [sys.executable, "-m", "slideshow", "devices", *args], cwd=REPO, capture_output=True,
        text=True, timeout=60)
    auto, forced = run(), run("--audio-backend", "soundcard")
    assert auto.returncode == 0 and forced.returncode == 0, auto.stderr + forced.stderr
    lines = auto.stdout.splitlines()
    assert "soundcard inputs (loopbacks marked):" in lines
    assert f"  loopback  Monitor of Null Output  (id {pulse_server}.monitor, 2 ch)" in lines
    if import_sounddevice() is not None:
        assert lines[0] == "sounddevice (PortAudio) input devices:"
        assert lines[-1].startswith(f"--audio auto would capture through sounddevice: pulse "
                                    f"({pulse_server}.monitor) (device ")
    assert forced.stdout.splitlines()[-1] == (
        f"--audio auto --audio-backend soundcard would capture through soundcard: Monitor of "
        f"Null Output (device {pulse_server}.monitor): the loopback of the default speaker "
        f"'Null Output': what it plays")


def test_no_sound_server_is_one_line_and_silence(tmp_path, monkeypatch, caplog, capfd):
    needs_soundcard()
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))  # no server's socket in it
    monkeypatch.setenv("PULSE_SERVER", f"unix:{runtime}/none")  # and none started for us
    caplog.set_level(logging.WARNING, logger="slideshow.audio")
    with AudioService("auto", capture_backend="soundcard") as service:
        block, _, _ = wait_for_published(service, lambda b, seq: b.hops > 30)
    lines = [r.getMessage() for r in caplog.records if r.name == "slideshow.audio"]
    assert lines == [("audio source auto: audio device: soundcard could not connect to the "
                      "sound server (no PulseAudio or PipeWire running?); the visualizer stays "
                      "silent")]
    assert block.no_source and block.silent
    assert capfd.readouterr().err == ""
