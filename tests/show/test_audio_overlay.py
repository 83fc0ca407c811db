"""The overlay between the FFT worker's published values and the visualizer: it draws the
newest value, or with `latency_ms` the newest one at least that old, and reports ages and
hop times. Published values are scripted here (times and contents chosen by the test);
the real worker and shared memory are covered by the bench and audio-worker tests."""

from __future__ import annotations

import numpy as np
import pytest

from slideshow.audio.block import BlockLayout, unpack
from slideshow.audio.spectrum import SpectrumConfig
from slideshow.show.audio_overlay import AudioOverlay


class FakePublisher:
    """Publishes value k (every band = k / 100) at time k * 10 ms, on a hand-set clock."""

    def __init__(self) -> None:
        self.layout = BlockLayout.from_config(SpectrumConfig(bands=16))
        self.source_label = "scripted"
        self.now_s = 0.0

    def latest(self, out: np.ndarray) -> tuple[int, float] | None:
        k = int(self.now_s * 100 + 1e-9)
        out[:] = 0.0
        out[:self.layout.bands] = k / 100.0
        return k, self.now_s - k / 100.0


class FakeVisualizer:
    """Stands in for the visualizer (no GL): records the first band of each update."""

    def __init__(self) -> None:
        self.seen: list[float] = []

    def update(self, values, dt_s: float) -> None:
        self.seen.append(-1.0 if values is None else float(values.bands[0]))

    def draw(self) -> None: ...


def run(latency_ms: float, seconds: float = 1.0) -> list[float]:
    publisher = FakePublisher()
    visualizer = FakeVisualizer()
    overlay = AudioOverlay(publisher, visualizer, latency_ms=latency_ms, now=lambda: publisher.now_s)
    for frame in range(int(seconds * 60)):
        publisher.now_s = frame / 60
        overlay.drain()
        overlay.step(1 / 60)
    return visualizer.seen


def test_without_latency_the_newest_value_is_drawn():
    seen = run(0.0)
    assert seen[-1] == pytest.approx(0.98, abs=1e-6)  # value 98 at t = 59/60 s


def test_latency_draws_the_value_published_that_long_ago():
    seen = run(200.0)
    assert seen[:12] == [-1.0] * 12  # nothing is 200 ms old yet: silence
    # At t = 59/60 s the newest value at least 200 ms old was published at 0.78 s.
    assert seen[-1] == pytest.approx(0.78, abs=0.011)


def test_summary_reports_source_and_ages():
    publisher = FakePublisher()
    overlay = AudioOverlay(publisher, FakeVisualizer(), now=lambda: publisher.now_s)
    for frame in range(30):
        publisher.now_s = frame / 60 + 0.004
        overlay.drain()
    summary = overlay.summary()
    assert summary["source"] == "scripted"
    assert 0 <= summary["age_ms"]["max"] <= 10.0


def test_unpacked_bands_match_what_was_published():
    publisher = FakePublisher()
    out = publisher.layout.empty()
    publisher.now_s = 0.25
    publisher.latest(out)
    assert np.allclose(unpack(out, publisher.layout).bands, 0.25)
