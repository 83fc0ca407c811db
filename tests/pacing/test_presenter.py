"""The presenter: the order of finish/wait/swap in each mode, and detection of a swap that
blocks. A blocking vsync cannot run here (Xvfb never blocks), so it is faked: the fake
surface's swap moves fake time to the next vsync, as a driver with swap interval 1 does."""

from __future__ import annotations

import itertools
import math

import pytest

from slideshow.pacing.fake_time import FakeTime
from slideshow.pacing.presenter import Presenter

PERIOD_S = 1.0 / 60.0


class FakeSurface:
    """Records calls; `vsync_blocks` makes swap wait (in fake time) for the next vsync."""

    def __init__(self, time: FakeTime, vsync_blocks: bool, work_s: float = 0.002,
                 swap_cost_s: float = 0.0005) -> None:
        self.time, self.vsync_blocks = time, vsync_blocks
        self.work_s, self.swap_cost_s = work_s, swap_cost_s
        self.calls: list[str] = []
        self.swap_never_blocks = False
        self.vsync_prior = ""

    def finish(self) -> None:
        self.calls.append("finish")

    def swap(self) -> None:
        self.calls.append("swap")
        if self.vsync_blocks:
            next_vsync = math.floor(self.time.time_s / PERIOD_S + 1e-9) + 1
            self.time.time_s = next_vsync * PERIOD_S
        else:
            self.time.advance(self.swap_cost_s)


def run_frames(presenter: Presenter, surface: FakeSurface, count: int) -> list[float]:
    presents = []
    for _ in range(count):
        surface.time.advance(surface.work_s)  # the frame's work
        presents.append(presenter.present())
    return presents


def test_blocking_vsync_is_detected_and_swap_comes_before_finish():
    time = FakeTime(start_s=100.0)
    surface = FakeSurface(time, vsync_blocks=True)
    presenter = Presenter(surface, PERIOD_S, "auto", now=time.now, sleep=time.sleep)
    presents = run_frames(presenter, surface, 60)
    assert presenter.settled and presenter.mode == "blocking"
    assert surface.calls[:2] == ["swap", "finish"]
    intervals = [b - a for a, b in itertools.pairwise(presents)]
    assert all(abs(i - PERIOD_S) < 1e-9 for i in intervals)
    assert time.sleeps_s == []  # a blocking vsync is never paced on top


def test_non_blocking_swap_is_detected_and_then_paced_on_a_grid():
    time = FakeTime(start_s=100.0, read_cost_s=1e-6)
    surface = FakeSurface(time, vsync_blocks=False)
    presenter = Presenter(surface, PERIOD_S, "auto", spin_s=0.001, now=time.now, sleep=time.sleep)
    run_frames(presenter, surface, 41)  # first, warm-up and probe frames: unpaced, 2.5 ms apart
    assert presenter.settled and presenter.mode == "paced"
    surface.calls.clear()
    presents = run_frames(presenter, surface, 30)[1:]
    # Paced order: finish (the GL work done), wait for the deadline, then swap.
    assert surface.calls[:2] == ["finish", "swap"]
    intervals = [b - a for a, b in itertools.pairwise(presents)]
    assert all(i == pytest.approx(PERIOD_S, abs=2e-5) for i in intervals)
    assert time.sleeps_s, "the pacer sleeps most of the wait instead of spinning"


def test_forced_modes_skip_detection():
    time = FakeTime()
    surface = FakeSurface(time, vsync_blocks=False)
    assert Presenter(surface, PERIOD_S, "paced", now=time.now, sleep=time.sleep).settled
    blocking = Presenter(surface, PERIOD_S, "blocking", now=time.now, sleep=time.sleep)
    assert blocking.settled and blocking.mode == "blocking"
    surface.swap_never_blocks = True
    headless = Presenter(surface, PERIOD_S, "auto", now=time.now, sleep=time.sleep)
    assert headless.settled and headless.mode == "paced"


def test_presentation_time_is_taken_after_the_swap_returns():
    time = FakeTime(start_s=50.0)
    surface = FakeSurface(time, vsync_blocks=False, swap_cost_s=0.004)
    presenter = Presenter(surface, PERIOD_S, "paced", spin_s=0.0, now=time.now, sleep=time.sleep)
    first = presenter.present()
    assert first == pytest.approx(50.004)
    assert presenter.last_swap_s == pytest.approx(0.004)


def test_a_prior_paces_from_the_first_frame_and_says_why(caplog):
    time = FakeTime(start_s=100.0, read_cost_s=1e-6)
    surface = FakeSurface(time, vsync_blocks=False)
    surface.vsync_prior = "glfw reports screen's refresh as 0 Hz (a virtual display such as Xvfb)"
    with caplog.at_level("INFO", logger="slideshow.pacing.presenter"):
        presenter = Presenter(surface, PERIOD_S, "auto", now=time.now, sleep=time.sleep)
        presents = run_frames(presenter, surface, 300)
    assert presenter.settled and presenter.mode == "paced" and presenter.switches == 0
    intervals = [b - a for a, b in itertools.pairwise(presents)]
    assert all(i == pytest.approx(PERIOD_S, abs=2e-5) for i in intervals)
    assert [r.getMessage() for r in caplog.records] == [(
        "glfw reports screen's refresh as 0 Hz (a virtual display such as Xvfb): presenting paced "
        "at 60.00 Hz from the first frame, still watching the swaps")]


def test_a_busy_start_judged_blocking_is_switched_to_paced_with_one_log_line(caplog):
    # Xvfb at a busy start-up: each frame's work takes about a period, so the probe sees
    # frames on the grid; then the load goes and frames come every 4.5 ms, uncapped.
    time = FakeTime(start_s=100.0, read_cost_s=1e-6)
    surface = FakeSurface(time, vsync_blocks=False, work_s=PERIOD_S - 0.0005)
    with caplog.at_level("INFO", logger="slideshow.pacing.presenter"):
        presenter = Presenter(surface, PERIOD_S, "auto", spin_s=0.001, now=time.now, sleep=time.sleep)
        run_frames(presenter, surface, 41)
        assert presenter.mode == "blocking"  # fooled
        surface.work_s = 0.004
        run_frames(presenter, surface, 60)
        assert presenter.mode == "paced" and presenter.switches == 1
        presents = run_frames(presenter, surface, 60)[1:]
    intervals = [b - a for a, b in itertools.pairwise(presents)]
    assert all(i == pytest.approx(PERIOD_S, abs=2e-5) for i in intervals)
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0] == "swap blocks on vsync; presenting on vsync at 60.00 Hz"
    assert len(messages) == 2 and messages[1].startswith("presentation switched (median swap ")
    assert messages[1].endswith("median interval 4.50 ms, grid distance 0.27, period 16.67 ms): "
                                "swap does not block; presenting paced at 60.00 Hz")


def test_a_prior_that_is_wrong_is_switched_back_when_the_swap_waits_for_vsync(caplog):
    # glfw said 0 Hz, but the swap blocks: after each deadline it waits 14.7 ms for the vsync.
    time = FakeTime(start_s=100.0, read_cost_s=1e-6)
    surface = FakeSurface(time, vsync_blocks=True)
    surface.vsync_prior = "glfw reports 0 Hz"
    with caplog.at_level("INFO", logger="slideshow.pacing.presenter"):
        presenter = Presenter(surface, PERIOD_S, "auto", spin_s=0.0, now=time.now, sleep=time.sleep)
        run_frames(presenter, surface, 71)
        assert presenter.mode == "blocking" and presenter.switches == 1
        surface.calls.clear()
        presents = run_frames(presenter, surface, 30)
    assert surface.calls[:2] == ["swap", "finish"]
    intervals = [b - a for a, b in itertools.pairwise(presents)]
    assert all(abs(i - PERIOD_S) < 1e-5 for i in intervals)
    assert "swap blocks on vsync; presenting on vsync at 60.00 Hz" in caplog.records[-1].getMessage()


def test_a_planned_cadence_sets_the_swap_interval_when_blocking_and_waits_grid_points_when_paced():
    time = FakeTime(start_s=100.0)
    surface = FakeSurface(time, vsync_blocks=True)
    intervals: list[int] = []
    surface.set_swap_interval = intervals.append  # type: ignore[attr-defined]
    presenter = Presenter(surface, PERIOD_S, "blocking", now=time.now, sleep=time.sleep)
    for vsyncs in (1, 2, 2, 3, 1):
        presenter.present(vsyncs=vsyncs)
    assert intervals == [2, 3, 1]  # set only when it changes

    time = FakeTime(start_s=100.0, read_cost_s=1e-6)
    surface = FakeSurface(time, vsync_blocks=False)
    presenter = Presenter(surface, PERIOD_S, "paced", now=time.now, sleep=time.sleep)
    presents = [presenter.present(vsyncs=vsyncs) for vsyncs in (1, 2, 2, 3)]
    gaps = [round((b - a) / PERIOD_S, 3) for a, b in itertools.pairwise(presents)]
    assert gaps == [2.0, 2.0, 3.0]
