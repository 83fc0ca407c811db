"""FrameBudget and PhaseTimer on fake time."""

from __future__ import annotations

import numpy as np
import pytest

from slideshow.pacing import FrameBudget, PhaseTimer
from slideshow.pacing.fake_time import FakeTime

PHASES = ("poll", "drain", "upload", "update", "draw", "swap")


def test_budget_counts_down_to_the_deadline_and_never_below_zero():
    fake = FakeTime(start_s=10.0)
    budget = FrameBudget(now=fake.now)
    assert budget.remaining_s() == 0.0  # no frame started: nothing to give
    assert not budget.has_s(0.0001)
    budget.start(10.0, 10.016)
    fake.advance(0.010)
    assert budget.remaining_s() == pytest.approx(0.006, abs=1e-12)
    assert budget.elapsed_s() == pytest.approx(0.010, abs=1e-12)
    assert budget.has_s(0.005)
    assert not budget.has_s(0.007)
    fake.advance(0.010)
    assert budget.remaining_s() == 0.0
    assert not budget.has_s(0.0)  # past the deadline even zero-cost work waits
    budget.start(10.020, 10.036)
    assert budget.remaining_s() == pytest.approx(0.016, abs=1e-12)


def test_upload_in_strips_stops_when_the_budget_runs_out():
    fake = FakeTime()
    budget = FrameBudget(now=fake.now)
    budget.start(fake.time_s, fake.time_s + 0.004)
    strips = 0
    while budget.has_s(0.0015):  # each strip costs 1.5 ms
        fake.advance(0.0015)
        strips += 1
    assert strips == 2


def run_scripted_frames(timer: PhaseTimer, fake: FakeTime, frames: int) -> None:
    """poll 0.1 ms, drain 0.2, upload 0..frames-1 x 0.01 ms, update 0.3, draw 1, swap 15."""
    for i in range(frames):
        timer.begin_frame()
        for name, seconds in zip(PHASES, (0.0001, 0.0002, i * 0.00001, 0.0003, 0.001, 0.015)):
            fake.advance(seconds)
            timer.mark(name)
        timer.end_frame()


def test_phase_percentiles_on_scripted_phases():
    fake = FakeTime()
    timer = PhaseTimer(PHASES, capacity_frames=16, now=fake.now)
    run_scripted_frames(timer, fake, 101)  # grows 16 -> 32 -> 64 -> 128 on the way
    assert timer.frames == 101
    p = timer.percentiles_ms()
    assert list(p) == list(PHASES)
    assert p["poll"] == {"p50": 0.1, "p99": 0.1, "max": 0.1}
    assert p["swap"] == {"p50": 15.0, "p99": 15.0, "max": 15.0}
    # upload took 0.00, 0.01, ..., 1.00 ms: p50 0.5, p99 0.99, max 1.0
    assert p["upload"] == {"p50": 0.5, "p99": 0.99, "max": 1.0}
    assert timer.last_frame_s()["upload"] == pytest.approx(0.001)


def test_a_phase_marked_twice_adds_up_and_an_unmarked_one_is_zero():
    fake = FakeTime()
    timer = PhaseTimer(("upload", "draw"), capacity_frames=2, now=fake.now)
    timer.begin_frame()
    fake.advance(0.002)
    timer.mark("upload")
    fake.advance(0.003)
    timer.mark("upload")
    timer.end_frame()
    assert timer.last_frame_s() == pytest.approx({"upload": 0.005, "draw": 0.0})


def test_marks_are_checked():
    timer = PhaseTimer(PHASES, capacity_frames=4, now=FakeTime().now)
    with pytest.raises(RuntimeError, match="begin_frame"):
        timer.mark("poll")
    timer.begin_frame()
    with pytest.raises(ValueError, match="poll, drain"):
        timer.mark("paint")
    with pytest.raises(ValueError):
        PhaseTimer(("a", "a"), capacity_frames=4)


def test_no_frames_gives_zeros():
    timer = PhaseTimer(("poll",), capacity_frames=4)
    assert timer.percentiles_ms() == {"poll": {"p50": 0.0, "p99": 0.0, "max": 0.0}}


def test_recording_a_frame_allocates_no_arrays():
    fake = FakeTime()
    timer = PhaseTimer(PHASES, capacity_frames=64, now=fake.now)
    storage = timer._durations_s
    run_scripted_frames(timer, fake, 64)
    assert timer._durations_s is storage  # filled in place, no regrowth yet
    assert np.count_nonzero(storage[:, -1]) == 64
