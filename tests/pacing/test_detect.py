"""SwapBlockDetector: telling a swap that waits for vsync from one that returns at once."""

from __future__ import annotations

import numpy as np
import pytest

from slideshow.pacing import SwapBlockDetector

PERIOD_S = 1 / 60


def feed(detector: SwapBlockDetector, frames: list[tuple[float, float]]) -> list[str | None]:
    return [detector.observe(swap_s, interval_s) for swap_s, interval_s in frames]


def xvfb_frames(count: int, seed: int = 0) -> list[tuple[float, float]]:
    """Swap returns in about 0.5 ms; the loop runs free at about 1 ms a frame."""
    rng = np.random.default_rng(seed)
    return [(0.0005 + rng.uniform(0, 0.0002), 0.001 + rng.uniform(0, 0.0003)) for _ in range(count)]


def blocking_frames(count: int, work_s: float, seed: int = 0) -> list[tuple[float, float]]:
    """Swap waits out the rest of the period after `work_s` of frame work."""
    rng = np.random.default_rng(seed)
    return [(PERIOD_S - work_s + rng.normal(0, 0.0002), PERIOD_S + rng.normal(0, 0.0002))
            for _ in range(count)]


def test_no_verdict_until_warm_up_and_probe_are_done():
    detector = SwapBlockDetector(PERIOD_S, probe_frames=30, warmup_frames=10)
    verdicts = feed(detector, xvfb_frames(39))
    assert verdicts == [None] * 39
    assert detector.verdict is None
    assert detector.observe(0.0005, 0.001) == "paced"
    assert detector.verdict == "paced"


def test_xvfb_like_swaps_are_paced():
    detector = SwapBlockDetector(PERIOD_S)
    feed(detector, xvfb_frames(40))
    assert detector.verdict == "paced"
    assert detector.median_swap_s == pytest.approx(0.0006, abs=0.0001)
    assert detector.median_interval_s == pytest.approx(0.00115, abs=0.0001)
    assert "does not block" in detector.describe()


@pytest.mark.parametrize("work_s", [0.001, 0.008, 0.014])
def test_real_blocking_swaps_are_blocking_even_after_heavy_frames(work_s):
    # 14 ms of work leaves a 2.7 ms swap: quick, but the frames still come a period apart.
    detector = SwapBlockDetector(PERIOD_S)
    feed(detector, blocking_frames(40, work_s))
    assert detector.verdict == "blocking"
    assert "blocks on vsync" in detector.describe()


def test_drivers_that_queue_frames_ahead_do_not_fool_it():
    # The first swaps return at once while the driver's queue fills, then they block.
    early = [(0.0003, 0.002)] * 10
    detector = SwapBlockDetector(PERIOD_S, probe_frames=30, warmup_frames=10)
    feed(detector, early + blocking_frames(30, work_s=0.002))
    assert detector.verdict == "blocking"
    # Without the warm-up the same start is mistaken for a display that never waits.
    naive = SwapBlockDetector(PERIOD_S, probe_frames=10, warmup_frames=0)
    feed(naive, early + blocking_frames(30, work_s=0.002))
    assert naive.verdict == "paced"


def test_slow_frames_off_the_vsync_grid_are_paced_even_when_swap_takes_long():
    # llvmpipe under Xvfb: the frame is rasterised inside swap + finish (12 ms), nothing
    # waits for a vsync, and frames land 0.8 and 1.3 periods apart, never on whole periods.
    detector = SwapBlockDetector(PERIOD_S)
    feed(detector, [(0.012, 0.8 * PERIOD_S), (0.012, 1.3 * PERIOD_S)] * 20)
    assert detector.verdict == "paced"
    assert detector.median_grid_distance == pytest.approx(0.25, abs=0.06)


def test_slow_blocking_frames_on_whole_periods_stay_blocking():
    # A heavy scene on a real vsync: every frame takes two periods, on the grid.
    rng = np.random.default_rng(3)
    detector = SwapBlockDetector(PERIOD_S)
    feed(detector, [(0.003, 2 * PERIOD_S + rng.normal(0, 0.0003)) for _ in range(40)])
    assert detector.verdict == "blocking"


def test_the_verdict_does_not_change_afterwards():
    detector = SwapBlockDetector(PERIOD_S, probe_frames=5, warmup_frames=0)
    feed(detector, xvfb_frames(5))
    assert feed(detector, blocking_frames(50, work_s=0.001)) == ["paced"] * 50
