"""The FFT worker end to end: a real spawned worker process, real shared memory, the
main process reading the published block the way a render thread does."""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
import signal
import time

import numpy as np
import pytest

from slideshow.audio.block import BlockLayout, pack, unpack
from slideshow.audio.capture import SourceSpec, choose_device, parse_spec
from slideshow.audio.service import AudioService
from slideshow.audio.sources import ToneSource
from slideshow.audio.spectrum import Spectrum, SpectrumConfig
from tests.audio.sounds import START_S, wait_for_published, write_tone_wav

pytestmark = pytest.mark.usefixtures("nothing_left_behind")


def test_block_round_trip_keeps_every_field_and_hop_times():
    config = SpectrumConfig(bands=16, waveform_points=32)
    layout = BlockLayout.from_config(config)
    out = layout.empty()
    with Spectrum(config) as spectrum:
        source = ToneSource(1000.0)
        for hop in range(1, 41):
            frame = spectrum.process(source.read(480))
            pack(frame, out, layout, sample_rate=48000, hops=hop)
    block = unpack(out, layout)
    assert np.array_equal(block.bands, frame.bands)
    assert np.array_equal(block.waveform, frame.waveform)
    assert block.peak_hz == pytest.approx(frame.peak_hz)
    assert (block.hops, block.sample_rate, block.silent, block.no_source) == (40, 48000, False, False)
    assert len(block.hop_times_since(35)) == 5
    assert block.hop_times_since(35)[-1] == pytest.approx(frame.hop_ms)
    assert len(block.hop_times_since(0)) == 32  # only the ring's worth is kept


def test_synthetic_source_publishes_bars_and_two_kicks_a_second():
    with AudioService("synthetic") as service:
        first, seq0, _ = wait_for_published(service)
        started_s = time.monotonic()
        # Six more kicks: three seconds of the beat's own time, however long a loaded
        # machine takes to get there.
        block, seq, age_s = wait_for_published(
            service, lambda b, seq: b.kicks - first.kicks >= 6, timeout_s=3.0 + START_S)
        elapsed_s = time.monotonic() - started_s
    assert service.source_label == "synthetic"
    assert block.sample_rate == 48000
    # 120 bpm at 100 hops a second: 50 hops between kicks, counted in the same blocks as
    # the kicks, so the machine's speed does not enter.
    assert 245 <= block.hops - first.hops <= 305
    assert 5 <= block.snares - first.snares <= 7  # on the off-beats
    # Paced to real time: never ahead of the clock (a worker behind skips at most 0.25 s).
    assert seq - seq0 <= 100 * elapsed_s + 30
    assert age_s < 0.1
    assert block.bands.max() > 0.3 and not block.silent
    assert 0 < block.hop_ms < 20


def test_wav_file_tone_peaks_in_the_band_of_the_tone(tmp_path):
    path = tmp_path / "tone.wav"
    write_tone_wav(path, 1500.0)
    with AudioService(f"file:{path}") as service:
        block, _, _ = wait_for_published(service, lambda b, seq: b.hops > 30)
    assert service.source_label == f"file:{path}"
    assert block.sample_rate == 44100
    assert abs(math.log2(block.peak_hz / 1500.0)) < 0.1
    assert int(np.argmax(block.bands)) == int(np.argmin(np.abs(
        Spectrum(SpectrumConfig(sample_rate=44100)).band_hz - 1500.0)))


def test_text_file_as_audio_logs_one_line_and_publishes_silence(tmp_path, caplog):
    path = tmp_path / "notes.txt"
    path.write_text("not a song\n")
    with caplog.at_level(logging.WARNING, logger="slideshow.audio"):
        with AudioService(f"file:{path}") as service:
            block, _, _ = wait_for_published(service, lambda b, seq: b.hops > 20)
            # 20 more hops of silence: the worker went on without saying it again.
            block, _, _ = wait_for_published(service, lambda b, seq: b.hops > 40)
    lines = [r.getMessage() for r in caplog.records if r.name == "slideshow.audio"]
    assert len(lines) == 1 and str(path) in lines[0] and "not audio" in lines[0]
    assert block.no_source and block.silent
    assert not block.bands.any() and block.peak_hz == 0.0
    assert service.restarts == 0


def test_audio_off_publishes_silence():
    with AudioService("off") as service:
        block, _, _ = wait_for_published(service, lambda b, seq: b.hops > 10)
    assert service.source_label == "silence"
    assert block.silent and not block.bands.any() and block.kicks == 0 and not block.no_source


def test_killed_worker_is_restarted_and_the_sequence_goes_on(caplog):
    with AudioService("tone:1000") as service:
        _, seq_before, _ = wait_for_published(service, lambda b, seq: seq > 5)
        pid = service.worker_pid
        os.kill(pid, signal.SIGKILL)
        block, seq_after, age_s = wait_for_published(
            service, lambda b, seq: service.restarts == 1 and seq > seq_before + 20)
        assert service.worker_pid not in (None, pid)
    assert age_s < 0.1
    assert abs(math.log2(block.peak_hz / 1000.0)) < 0.1  # values resumed, not just counters
    assert any("audio worker died" in r.getMessage() for r in caplog.records)


def test_spec_parsing_names_every_kind():
    assert parse_spec("auto") == SourceSpec("auto")
    assert parse_spec("file:/a/b.wav") == SourceSpec("file", "/a/b.wav")
    assert parse_spec("Synthetic") == SourceSpec("synthetic")
    assert parse_spec("tone:440") == SourceSpec("tone", "440")
    assert parse_spec("3") == SourceSpec("device", "3")
    with pytest.raises(ValueError, match="tone:HZ"):
        parse_spec("tone:loud")


class _FakeSd:
    """The part of sounddevice that choose_device reads."""

    def __init__(self, devices, default_input=-1):
        self._devices = devices
        self.default = type("D", (), {"device": (default_input, -1)})()

    def query_devices(self):
        return self._devices

    def query_hostapis(self):
        return [{"name": "ALSA"}, {"name": "Windows WASAPI"}]


def _device(name, inputs=2, hostapi=0):
    return {"name": name, "max_input_channels": inputs, "hostapi": hostapi,
            "default_samplerate": 48000.0}


def test_auto_without_sound_server_falls_back_to_the_default_input(monkeypatch):
    monkeypatch.setattr("slideshow.audio.capture.default_sink_monitor", lambda: None)
    monkeypatch.setattr("sys.platform", "linux")
    sd = _FakeSd([_device("speakers", 0), _device("mic")], default_input=1)
    choice = choose_device(SourceSpec("auto"), sd)
    assert choice.device == 1 and "default input" in choice.reason and "pactl" in choice.reason


def test_auto_uses_the_pulse_device_with_the_default_sink_monitor(monkeypatch):
    monkeypatch.setattr("slideshow.audio.capture.default_sink_monitor", lambda: "out.monitor")
    monkeypatch.setattr("sys.platform", "linux")
    sd = _FakeSd([_device("mic"), _device("pulse")], default_input=0)
    choice = choose_device(SourceSpec("auto"), sd)
    assert choice.device == 1 and choice.env == {"PULSE_SOURCE": "out.monitor"}


def test_auto_on_windows_prefers_a_wasapi_loopback_device(monkeypatch):
    monkeypatch.setattr("sys.platform", "win32")
    sd = _FakeSd([_device("Mic", hostapi=1), _device("Speakers [Loopback]", hostapi=1)], 0)
    assert choose_device(SourceSpec("auto"), sd).device == 1


def test_no_input_device_is_no_device_with_a_reason(monkeypatch):
    monkeypatch.setattr("slideshow.audio.capture.default_sink_monitor", lambda: None)
    monkeypatch.setattr("sys.platform", "linux")
    choice = choose_device(SourceSpec("auto"), _FakeSd([_device("speakers", 0)]))
    assert choice.device is None and "no input device" in choice.reason


def test_missing_device_publishes_silence_with_one_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="slideshow.audio"):
        with AudioService("no-such-device-xyz") as service:
            block, _, _ = wait_for_published(service, lambda b, seq: b.hops > 10)
            # 20 more hops of silence: the worker went on without warning again.
            block, _, _ = wait_for_published(service, lambda b, seq: b.hops > 30)
    lines = [r.getMessage() for r in caplog.records if r.name == "slideshow.audio"]
    assert len(lines) == 1 and "no-such-device-xyz" in lines[0]
    assert block.no_source and block.silent


class FakeCaptureThatUnplugs:
    """Stands in for a capture stream whose device is unplugged (no device to unplug here):
    delivers a hop per take() until `unplug()`, then nothing, and reports itself inactive."""

    label = "device:USB mic"
    sample_rate = 48000

    def __init__(self) -> None:
        self.active = True
        self.closed = False

    def unplug(self) -> None:
        self.active = False

    def take(self) -> np.ndarray:
        return np.full((480, 1), 0.25, np.float32) if self.active else np.zeros((0, 1), np.float32)

    def close(self) -> None:
        self.closed = True


def test_an_unplugged_device_warns_once_gives_silence_and_is_reopened_when_back():

    from slideshow.audio.sources import AudioSourceError
    from slideshow.audio.worker import _CaptureFeed

    streams: list[FakeCaptureThatUnplugs] = []
    plugged = [True]

    def open_capture() -> FakeCaptureThatUnplugs:
        if not plugged[0]:
            raise AudioSourceError("USB mic", "no such device")
        streams.append(FakeCaptureThatUnplugs())
        return streams[-1]

    ours, theirs = multiprocessing.Pipe()
    feed = _CaptureFeed(open_capture, theirs, now=0.0)
    assert feed.chunk(0.01)[0, 0] == 0.25
    streams[0].unplug()
    plugged[0] = False
    hops = [feed.chunk(0.01 * i) for i in range(2, 400)]  # 4 s of hops with the device gone
    assert all(h is None or not h.any() for h in hops)  # nothing, then silence
    assert streams[0].closed
    messages = []
    while ours.poll():
        messages.append(ours.recv())
    assert [m[0] for m in messages] == ["warning"]  # once, not per retry
    assert "'USB mic' stopped delivering audio" in messages[0][1]
    plugged[0] = True
    hops = [feed.chunk(4.0 + 0.01 * i) for i in range(300)]
    assert len(streams) == 2 and hops[-1][0, 0] == 0.25  # reopened within the retry period
    assert ours.recv() == ("info", "audio device 'USB mic' delivers audio again")
