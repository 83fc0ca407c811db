"""VsyncClock: whole periods, missed vsyncs, catch-up steps and the measured period."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from slideshow.pacing import FrameTick, VsyncClock

START_S = 1000.0  # perf_counter-like origin, far from 0 so float rounding is realistic


def present_times_s(period_s: float, frames: int, jitter_s: float = 0.0, seed: int = 0,
                    vsync_steps: list[int] | None = None) -> list[float]:
    """Presents on a true vsync grid; `jitter_s` is noise in *reading* the time (not cumulative)."""
    rng = np.random.default_rng(seed)
    steps = vsync_steps if vsync_steps is not None else [1] * frames
    vsync_of_frame = np.concatenate(([0], np.cumsum(steps[: frames - 1])))
    return list(START_S + vsync_of_frame * period_s + rng.normal(0.0, jitter_s, frames))


def run(clock: VsyncClock, times_s: list[float]) -> list[FrameTick]:
    return [clock.tick(t) for t in times_s]


def test_first_tick_only_anchors():
    clock = VsyncClock(1 / 60)
    tick = clock.tick(START_S)
    assert tick == FrameTick(frame_index=0, vsync_index=0, dt_s=1 / 60, vsyncs=1, missed=0,
                             steps=1, anim_time_s=0.0)
    assert clock.frames == 1
    assert clock.missed_vsyncs == 0


@pytest.mark.parametrize("hz", [60.0, 75.0, 144.0])
def test_blocking_vsync_misses_nothing_and_steps_once(hz):
    period_s = 1 / hz
    clock = VsyncClock(period_s)
    ticks = run(clock, present_times_s(period_s, 1000, jitter_s=0.0002, seed=int(hz)))
    assert [t.vsyncs for t in ticks] == [1] * 1000
    assert [t.steps for t in ticks] == [1] * 1000
    assert sum(t.missed for t in ticks) == 0
    assert clock.missed_vsyncs == 0
    assert [t.vsync_index for t in ticks] == list(range(1000))
    assert [t.frame_index for t in ticks] == list(range(1000))
    assert clock.period_s == pytest.approx(period_s, rel=1e-3)


def test_a_50_ms_swap_at_60_hz_misses_two_vsyncs_and_steps_three_times():
    clock = VsyncClock(1 / 60)
    times_s = present_times_s(1 / 60, 10)
    run(clock, times_s)
    late = clock.tick(times_s[-1] + 0.050)
    assert (late.vsyncs, late.missed, late.steps) == (3, 2, 3)
    assert late.vsync_index == 9 + 3
    assert clock.missed_vsyncs == 2
    after = clock.tick(times_s[-1] + 0.050 + 1 / 60)
    assert (after.vsyncs, after.missed, after.steps) == (1, 0, 1)


@pytest.mark.parametrize("cap, expected_steps", [(4, 4), (2, 2), (20, 10)])
def test_catch_up_steps_are_capped(cap, expected_steps):
    clock = VsyncClock(1 / 60, max_catchup_steps=cap)
    clock.tick(START_S)
    stall = clock.tick(START_S + 10 / 60)
    assert (stall.vsyncs, stall.missed, stall.steps) == (10, 9, expected_steps)


def test_anim_time_is_vsync_index_whole_periods_exactly():
    period_s = 1 / 60
    steps = [1, 1, 3, 1, 2, 1, 1, 5, 1] * 50
    clock = VsyncClock(period_s)
    ticks = run(clock, present_times_s(period_s, len(steps), vsync_steps=steps))
    assert clock.period_s == period_s  # exact presents: the estimate never moved
    for tick in ticks:
        assert tick.anim_time_s == tick.vsync_index * period_s
    assert ticks[-1].vsync_index == sum(steps[:-1])


def test_anim_time_never_goes_back_when_the_period_is_refined():
    true_period_s = 1 / 60 * 0.98  # nominal 2 % long: the estimate drops during the run
    clock = VsyncClock(1 / 60)
    ticks = run(clock, present_times_s(true_period_s, 600, jitter_s=0.0003, seed=3))
    times = [t.anim_time_s for t in ticks]
    assert all(later > earlier for earlier, later in zip(times, times[1:]))
    # Each frame moves animation time by its vsyncs times the period in use at that frame.
    advances = np.diff(times)
    assert advances.min() == pytest.approx(true_period_s, rel=2e-3)
    assert advances.max() <= 1 / 60 * (1 + 1e-9)


@pytest.mark.parametrize("seed", range(5))
def test_estimate_converges_within_a_tenth_of_a_percent_under_half_a_ms_of_jitter(seed):
    true_period_s = 1 / 60
    clock = VsyncClock(true_period_s)
    run(clock, present_times_s(true_period_s, 600, jitter_s=0.0005, seed=seed))
    assert abs(clock.period_s / true_period_s - 1) < 0.001
    assert clock.missed_vsyncs == 0


@pytest.mark.parametrize("nominal_hz, true_hz", [
    (60.0, 59.94), (75.0, 74.97), (60.0, 60.0 / 1.02), (60.0, 60.0 * 1.02), (144.0, 143.856)])
def test_wrong_nominal_period_converges(nominal_hz, true_hz):
    clock = VsyncClock(1 / nominal_hz)
    run(clock, present_times_s(1 / true_hz, 600, jitter_s=0.0003, seed=11))
    assert abs(clock.period_s * true_hz - 1) < 0.001
    assert clock.refresh_hz == pytest.approx(true_hz, rel=1e-3)
    assert clock.missed_vsyncs == 0


def test_estimate_ignores_late_timestamps_and_real_misses():
    """5 % of presents read 3-12 ms late (a preempted thread) and 5 % of frames really late."""
    true_period_s = 1 / 60
    rng = np.random.default_rng(7)
    steps = list(np.where(rng.random(1200) < 0.05, 2, 1))
    times_s = present_times_s(true_period_s, 1200, jitter_s=0.0005, seed=8, vsync_steps=steps)
    late = rng.random(1200) < 0.05
    times_s = list(np.array(times_s) + late * rng.uniform(0.003, 0.012, 1200))
    clock = VsyncClock(true_period_s)
    run(clock, times_s)
    assert abs(clock.period_s / true_period_s - 1) < 0.001


def test_independent_interval_jitter_averages_down_with_the_window():
    """Jitter in each interval itself (not in reading the clock) can only be averaged: the
    error is about sd / sqrt(window), so 0.5 ms of it needs a window of thousands for 0.1 %."""
    true_period_s, jitter_s, window = 1 / 60, 0.0005, 4000
    rng = np.random.default_rng(5)
    times_s = list(START_S + np.cumsum(rng.normal(true_period_s, jitter_s, 6000)))
    clock = VsyncClock(true_period_s, window=window)
    run(clock, times_s)
    four_sigma = 4 * jitter_s / np.sqrt(window) / true_period_s
    assert abs(clock.period_s / true_period_s - 1) < four_sigma < 0.002


def test_frame_tick_is_frozen():
    tick = VsyncClock(1 / 60).tick(START_S)
    with pytest.raises(dataclasses.FrozenInstanceError):
        tick.steps = 2  # type: ignore[misc]


@pytest.mark.parametrize("kwargs", [
    {"nominal_period_s": 0.0}, {"nominal_period_s": -1.0},
    {"nominal_period_s": 1 / 60, "max_catchup_steps": 0},
    {"nominal_period_s": 1 / 60, "window": 4}])
def test_bad_arguments_are_refused(kwargs):
    with pytest.raises(ValueError):
        VsyncClock(**kwargs)


def test_a_paced_clock_keeps_its_nominal_period_however_the_intervals_drift():
    """Paced by our own deadlines (no vsync), intervals measure this machine's delays: a
    load that stretches every frame by 1.1 % must not become the refresh rate."""
    clock = VsyncClock(1 / 144)
    clock.refining = False
    run(clock, present_times_s(1 / 142.4, 600, jitter_s=0.0003, seed=3))
    assert clock.period_s == 1 / 144
    refined = VsyncClock(1 / 144)  # the same intervals, refining: the estimate follows them
    run(refined, present_times_s(1 / 142.4, 600, jitter_s=0.0003, seed=3))
    assert refined.refresh_hz == pytest.approx(142.4, rel=1e-3)


def test_uncapped_presents_after_a_wrong_blocking_verdict_leave_the_period_at_nominal():
    # Xvfb trusted as blocking: presents 4-6 ms apart, refining on. The estimate used to
    # walk 16.67 -> 13.6 -> 9.09 -> 4.55 -> 3.94 ms; none of these is a vsync of a 60 Hz mode.
    rng = np.random.default_rng(8)
    clock = VsyncClock(1 / 60)
    times_s = START_S + np.cumsum(rng.uniform(0.004, 0.006, 3000))
    periods_s = [clock.tick(t) and clock.period_s for t in times_s]
    assert min(periods_s) == max(periods_s) == 1 / 60


def test_a_run_of_short_intervals_cannot_walk_the_estimate_out_of_the_band():
    # Each stretch a little shorter than the last, each inside the gate of the estimate
    # the previous one left: gated around its own estimate alone, it followed them down.
    nominal_s = 1 / 60
    clock = VsyncClock(nominal_s)
    t_s, periods_s = START_S, []
    for fraction in (0.95, 0.88, 0.80, 0.72, 0.65, 0.55, 0.45, 0.30, 0.24):
        for _ in range(300):
            t_s += fraction * nominal_s
            clock.tick(t_s)
            periods_s.append(clock.period_s)
    assert min(periods_s) == pytest.approx(0.9 * nominal_s)
    assert max(periods_s) <= nominal_s
    # And the same upwards (a busy machine: long frames read as one slow vsync each).
    slow = VsyncClock(nominal_s)
    t_s = START_S
    for fraction in (1.05, 1.12, 1.2, 1.3, 1.4):
        for _ in range(300):
            t_s += fraction * nominal_s
            slow.tick(t_s)
            assert 0.9 * nominal_s <= slow.period_s <= 1.1 * nominal_s
    assert slow.period_s == pytest.approx(1.1 * nominal_s)


def test_busy_start_up_then_uncapped_keeps_the_period_within_ten_percent():
    # The start-up that fooled the detector: frames about a period apart with 1 ms of
    # noise while the machine is busy, then uncapped presents once it is not.
    rng = np.random.default_rng(9)
    nominal_s = 1 / 60
    clock = VsyncClock(nominal_s)
    intervals_s = np.concatenate((nominal_s + rng.normal(0, 0.001, 120) + rng.uniform(0, 0.004, 120),
                                  rng.uniform(0.004, 0.006, 2000)))
    for t_s in START_S + np.cumsum(intervals_s):
        clock.tick(t_s)
        assert abs(clock.period_s - nominal_s) <= 0.1 * nominal_s * (1 + 1e-12)


def test_turning_refining_off_puts_the_period_back_to_nominal_without_moving_time_back():
    nominal_s = 1 / 60
    clock = VsyncClock(nominal_s)
    times_s = present_times_s(1 / 63, 200)
    ticks = run(clock, times_s)  # trusted, measuring 63 Hz
    assert clock.period_s == pytest.approx(1 / 63, rel=1e-4)
    clock.refining = False  # the presenter switched to paced: our deadlines, nominal rate
    assert clock.period_s == nominal_s
    after = clock.tick(times_s[-1] + nominal_s)
    assert after.anim_time_s == pytest.approx(ticks[-1].anim_time_s + nominal_s)


def test_a_planned_half_rate_counts_planned_repeats_not_misses():
    PERIOD_S = 1 / 60
    clock = VsyncClock(PERIOD_S)
    clock.tick(0.0)
    on_plan = clock.tick(2 * PERIOD_S, cadence=2)
    assert (on_plan.vsyncs, on_plan.planned, on_plan.missed, on_plan.steps) == (2, 1, 0, 2)
    late = clock.tick(5 * PERIOD_S, cadence=2)  # 3 periods where 2 were planned
    assert (late.vsyncs, late.planned, late.missed, late.steps) == (3, 1, 1, 3)
    early = clock.tick(6 * PERIOD_S, cadence=3)  # sooner than planned is no miss either
    assert (early.vsyncs, early.planned, early.missed) == (1, 0, 0)
    assert clock.missed_vsyncs == 1
