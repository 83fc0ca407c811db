"""`slideshow listen` as a user runs it: a subprocess, stdout not a terminal, JSON summary."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest

from tests.audio.sounds import write_tone_wav


def listen(*args: str, timeout_s: float = 60.0) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "slideshow", "listen", *args],
                          capture_output=True, text=True, timeout=timeout_s)


def test_listen_synthetic_json_summary_has_plausible_values():
    done = listen("--audio", "synthetic", "--seconds", "3", "--json")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1  # no live bars when stdout is not a terminal
    summary = json.loads(lines[0])
    assert summary["source"] == "synthetic" and summary["sample_rate"] == 48000
    assert 250 <= summary["hops"] <= 330  # 100 hops a second for 3 s
    assert len(summary["band_hz"]) == len(summary["band_mean"]) == 64
    assert 0.0 < max(summary["band_mean"]) <= 1.0
    assert summary["peak_hz"] < 200  # the kick drum is the loudest part of the mix
    assert 5 <= summary["beats"]["kicks"] <= 7 and 5 <= summary["beats"]["snares"] <= 7
    assert 0 < summary["hop_ms"]["median"] <= summary["hop_ms"]["p99"] < 50


def test_listen_wav_tone_peaks_near_the_tone(tmp_path):
    path = tmp_path / "tone.wav"
    write_tone_wav(path, 2000.0)
    done = listen("--audio", f"file:{path}", "--seconds", "1", "--json", "--bands", "32")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["sample_rate"] == 44100 and len(summary["band_mean"]) == 32
    assert abs(math.log2(summary["peak_hz"] / 2000.0)) < 0.15


def test_listen_text_file_says_so_once_and_hears_silence(tmp_path):
    path = tmp_path / "readme.txt"
    path.write_text("hello\n")
    done = listen("--audio", f"file:{path}", "--seconds", "1", "--json")
    assert done.returncode == 0, done.stderr
    naming = [line for line in done.stderr.splitlines() if str(path) in line]
    assert len(naming) == 1 and "not audio" in naming[0]
    summary = json.loads(done.stdout)
    assert summary["source"] == "silence" and not np.any(summary["band_mean"])
    assert summary["peak_hz"] == 0.0 and summary["beats"] == {"kicks": 0, "snares": 0}


def test_listen_off_without_json_prints_a_one_line_summary():
    done = listen("--audio", "off", "--seconds", "0.5")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("silence: ") and "peak 0 Hz" in done.stdout


def test_band_range_sets_the_first_and_last_band_edges():
    done = listen("--audio", "tone:1000", "--seconds", "0.5", "--json", "--bands", "16",
                  "--low-hz", "100", "--high-hz", "4000")
    assert done.returncode == 0, done.stderr
    band_hz = json.loads(done.stdout)["band_hz"]
    assert len(band_hz) == 16
    # Centres of log bands from 100 Hz to 4 kHz: the first above 100, the last below 4000.
    ratio = (4000 / 100) ** (1 / 16)
    assert band_hz[0] == pytest.approx(100 * ratio ** 0.5, rel=0.01)
    assert band_hz[-1] == pytest.approx(4000 / ratio ** 0.5, rel=0.01)


def test_a_band_range_narrower_than_an_octave_is_refused_naming_the_flags():
    done = listen("--audio", "off", "--seconds", "0.1", "--low-hz", "500", "--high-hz", "800")
    assert done.returncode == 2
    assert "--low-hz / --high-hz" in done.stderr and "at least 2 x low_hz" in done.stderr
