"""Sound for the audio tests: a WAV tone written to disk, and waiting for the FFT worker to
publish a value that matches."""

from __future__ import annotations

import math
import time
import wave
from pathlib import Path

import numpy as np

from slideshow.audio.service import AudioService

START_S = 15.0  # spawn + numpy/pyfftw imports + FFT plans, with room for a loaded machine


def wait_for_published(service: AudioService, predicate=lambda block, seq: True, timeout_s: float = START_S):
    """The first value the worker publishes that `predicate(block, seq)` accepts, as
    (block, seq, age_s); fails after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        got = service.read()
        if got is not None and predicate(got[0], got[1]):
            return got
        time.sleep(0.01)
    raise AssertionError(f"no published value matched within {timeout_s} s")


def write_tone_wav(path: Path, freq_hz: float, seconds: float = 2.0, rate: int = 44100) -> None:
    t = np.arange(int(seconds * rate)) / rate
    samples = (0.5 * np.sin(2 * math.pi * freq_hz * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.repeat(samples, 2).tobytes())
