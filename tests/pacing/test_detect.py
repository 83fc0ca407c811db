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
    # Without the warm-up the same start is mistaken for a display that never waits, until
    # two windows of swaps waiting on the grid switch it back.
    naive = SwapBlockDetector(PERIOD_S, probe_frames=10, warmup_frames=0)
    verdicts = feed(naive, early + blocking_frames(30, work_s=0.002))
    assert verdicts[9] == "paced"
    assert verdicts[-1] == "blocking" and naive.switches == 1


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


def busy_start_on_xvfb(count: int, seed: int = 0) -> list[tuple[float, float]]:
    """Xvfb on a busy machine at start-up: llvmpipe rasterises inside swap + finish and the
    frame, slowed by the load, takes about a period, so the presents sit near the grid."""
    rng = np.random.default_rng(seed)
    return [(0.010 + rng.uniform(0, 0.002), PERIOD_S + rng.normal(0, 0.0008)) for _ in range(count)]


def uncapped_xvfb(count: int, seed: int = 1) -> list[tuple[float, float]]:
    """The same display once the load is gone, trusted as blocking: 4-6 ms presents."""
    rng = np.random.default_rng(seed)
    return [(0.002 + rng.uniform(0, 0.001), rng.uniform(0.004, 0.006)) for _ in range(count)]


def paced_xvfb_under_load(count: int, seed: int = 2) -> list[tuple[float, float]]:
    """Paced on Xvfb while busy: the swap (a copy to the X server) is slow and erratic,
    the presents stay on the pacer's grid (one deadline in ten missed)."""
    rng = np.random.default_rng(seed)
    return [(rng.uniform(0.0005, 0.012), PERIOD_S * (2 if i % 10 == 0 else 1) + rng.uniform(0, 0.0005))
            for i in range(count)]


def test_a_wrong_blocking_verdict_at_a_busy_start_switches_to_paced_after_two_windows():
    detector = SwapBlockDetector(PERIOD_S)
    verdicts = feed(detector, busy_start_on_xvfb(40))
    assert verdicts[-1] == "blocking"  # fooled, as 7 of 29 busy starts were
    verdicts = feed(detector, uncapped_xvfb(200))
    # Two windows of 30 frames against the verdict: the 60th uncapped frame switches it.
    assert verdicts[:59] == ["blocking"] * 59
    assert verdicts[59:] == ["paced"] * 141
    assert detector.switches == 1
    assert detector.median_interval_s == pytest.approx(0.005, abs=0.0005)


def test_one_odd_interval_or_one_odd_window_never_flips_it():
    # A real vsync with stalls: a 100 ms frame, then the driver's queue refills in three
    # quick swaps. Once per window, and once as a whole window of odd frames.
    stall = [(0.09, 0.100), (0.0003, 0.001), (0.0003, 0.001), (0.0003, 0.001)]
    detector = SwapBlockDetector(PERIOD_S)
    feed(detector, blocking_frames(40, work_s=0.004))
    assert detector.verdict == "blocking"
    for _ in range(10):
        verdicts = feed(detector, stall + blocking_frames(26, work_s=0.004))
    odd_window = (stall * 8)[:30]
    verdicts += feed(detector, odd_window + blocking_frames(30, work_s=0.004) + odd_window)
    assert set(verdicts) == {"blocking"} and detector.switches == 0


def test_a_paced_display_whose_swaps_start_waiting_switches_back_to_blocking():
    detector = SwapBlockDetector(PERIOD_S, prior="paced")
    feed(detector, paced_xvfb_under_load(100))
    assert detector.verdict == "paced"
    # The swap now waits for a vsync 7 ms after our deadline, every frame: steady and on grid.
    rng = np.random.default_rng(5)
    waiting = [(0.007 + rng.normal(0, 0.0002), PERIOD_S + rng.normal(0, 0.0002)) for _ in range(90)]
    verdicts = feed(detector, waiting)
    assert verdicts[-1] == "blocking" and detector.switches == 1
    assert verdicts.index("blocking") == 59  # two whole windows of 30 frames
    assert "blocks on vsync" in detector.describe()


def test_a_slow_erratic_swap_on_a_busy_machine_stays_paced():
    detector = SwapBlockDetector(PERIOD_S, prior="paced")
    assert feed(detector, paced_xvfb_under_load(3000)) == ["paced"] * 3000
    assert detector.median_swap_s > 0.25 * PERIOD_S  # slow: only its spread tells it apart
    assert detector.swap_spread_s > 0.1 * PERIOD_S


def test_each_switch_doubles_the_windows_the_next_one_needs():
    detector = SwapBlockDetector(PERIOD_S, probe_frames=10, warmup_frames=0)
    feed(detector, blocking_frames(10, work_s=0.004))
    rng = np.random.default_rng(6)
    waiting = [(0.007 + rng.normal(0, 0.0002), PERIOD_S + rng.normal(0, 0.0002)) for _ in range(200)]
    switched_at = []
    for segment in (uncapped_xvfb(200), waiting, uncapped_xvfb(200)):
        verdicts = feed(detector, segment)
        switched_at.append(verdicts.index(verdicts[-1]))
    assert switched_at == [19, 39, 79]  # 2, 4, then 8 windows of 10 frames
    assert detector.switches == 3 and detector.strikes_to_switch == 16


def test_a_prior_decides_at_once_and_is_then_only_checked():
    detector = SwapBlockDetector(PERIOD_S, prior="paced")
    assert detector.verdict == "paced"
    assert detector.observe(0.0005, 0.001) == "paced"
    with pytest.raises(ValueError):
        SwapBlockDetector(PERIOD_S, prior="maybe")
