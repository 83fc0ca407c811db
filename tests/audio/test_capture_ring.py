"""CaptureRing: blocks written across the ring's end come back whole and in order."""

from __future__ import annotations

import numpy as np

from slideshow.audio.capture_ring import RING_S, CaptureRing


def counting(start: int, frames: int) -> np.ndarray:
    return np.arange(start, start + frames, dtype=np.float32).reshape(-1, 1).repeat(2, axis=1)


def test_blocks_across_the_end_come_back_in_order_and_once():
    ring = CaptureRing(sample_rate=100, channels=2)  # 200 frames
    ring.write(counting(0, 150))
    assert np.array_equal(ring.take(), counting(0, 150))
    ring.write(counting(150, 30))
    ring.write(counting(180, 40))  # wraps past frame 200
    assert np.array_equal(ring.take(), counting(150, 70))
    assert ring.take().shape == (0, 2)


def test_an_overrun_keeps_the_newest_ring_length():
    ring = CaptureRing(sample_rate=100, channels=2)
    size = int(100 * RING_S)
    ring.write(counting(0, 120))
    ring.write(counting(120, 3 * size))  # one block longer than the ring
    assert np.array_equal(ring.take(), counting(120 + 2 * size, size))


def test_arrivals_are_timed_only_when_asked():
    timed: list[float] = []
    ring = CaptureRing(100, 1, arrivals_s=timed)
    ring.write(np.zeros((10, 1), dtype=np.float32))
    ring.write(np.zeros((10, 1), dtype=np.float32))
    assert len(timed) == 2 and timed[0] <= timed[1]
    assert CaptureRing(100, 1).arrivals_s is None
