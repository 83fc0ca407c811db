"""Capture end to end through a real PulseAudio server: a null sink made the default, a
1 kHz tone played into it with paplay, and `--audio auto` hearing its monitor.

The server comes from the pulse_server fixture (tests/audio/conftest.py)."""

from __future__ import annotations

import math
import subprocess
import time

import pytest

from slideshow.audio.capture import import_sounddevice
from slideshow.audio.service import AudioService
from tests.audio.sounds import wait_for_published, write_tone_wav
from tests.machine import missing

pytestmark = [pytest.mark.pulse, pytest.mark.usefixtures("nothing_left_behind")]



def test_auto_hears_a_tone_played_into_the_default_sink(pulse_server, tmp_path):
    sd = import_sounddevice()
    if sd is None:
        missing("PortAudio", "sounddevice cannot load it (apt install libportaudio2)")
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
