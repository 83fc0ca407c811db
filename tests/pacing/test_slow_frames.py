"""The slowest frames report: the longest intervals, longest first, with their phase
times, the time outside every phase, and the show's events around each."""

from __future__ import annotations

import pytest

from slideshow.pacing import FrameStats, FrameTick, PhaseTimer
from slideshow.pacing.fake_time import FakeTime
from slideshow.pacing.slow_frames import format_slowest, slowest_frames

PERIOD_S = 1 / 60
PHASES = ("work", "present")


def run_frames(frames: list[tuple[float, float, float]], first_frame: int = 0):
    """Frames of (outside_s, work_s, present_s): time before the frame's first phase, then
    its two phases; returns the stats and phase timer as the loop fills them."""
    fake = FakeTime()
    stats = FrameStats(PERIOD_S, capacity_frames=2)  # grows while recording
    phases = PhaseTimer(PHASES, capacity_frames=2, now=fake.now)
    last_present_s = fake.now()
    for index, (outside_s, work_s, present_s) in enumerate(frames):
        fake.advance(outside_s)
        phases.begin_frame()
        fake.advance(work_s)
        phases.mark("work")
        fake.advance(present_s)
        phases.mark("present")
        dt_s = fake.now() - last_present_s
        last_present_s = fake.now()
        vsyncs = max(1, round(dt_s / PERIOD_S))
        stats.record(FrameTick(first_frame + index, 0, dt_s, vsyncs, vsyncs - 1, 1, 0.0))
        phases.end_frame()
    return stats, phases


def test_longest_first_with_phases_outside_time_and_nearby_events():
    on_time = (0.0001, 0.002, PERIOD_S - 0.0021)
    frames = [on_time] * 10
    frames[3] = (0.0001, 0.040, 0.010)     # a long frame: the work phase took it
    frames[7] = (0.100, 0.002, 0.015)      # a longer one: time passed outside the phases
    stats, phases = run_frames(frames, first_frame=5)  # two unmeasured frames came first
    events = [(6, "photo taken: a.jpg"), (11, "transition begins: wipe-left"), (12, "transition ends"),
              (16, "composed")]
    slowest = slowest_frames(stats, phases, events, count=2)
    assert [entry["frame"] for entry in slowest] == [12, 8]
    longest, second = slowest
    assert longest["dt_ms"] == pytest.approx(117.0, abs=0.01)
    assert longest["outside_ms"] == pytest.approx(100.0, abs=0.01)
    assert longest["phase_ms"] == pytest.approx({"work": 2.0, "present": 15.0}, abs=0.001)
    assert longest["events"] == [[11, "transition begins: wipe-left"], [12, "transition ends"]]
    assert second["dt_ms"] == pytest.approx(50.1, abs=0.01)
    assert second["outside_ms"] == pytest.approx(0.1, abs=0.001)
    assert second["events"] == [[6, "photo taken: a.jpg"]]
    # at_s: when it was presented, from the start of the measurement
    assert longest["at_s"] == pytest.approx(6 * PERIOD_S + 0.0501 + 0.117, abs=1e-3)
    text = format_slowest(slowest)
    assert "frame 12 at" in text and "dt 117.000 ms" in text and "outside 100.00" in text
    assert "show: transition begins: wipe-left (frame 11); transition ends (frame 12)" in text


def test_fewer_frames_than_asked_for_gives_them_all_and_none_gives_nothing():
    stats, phases = run_frames([(0.0, 0.001, 0.015)] * 3)
    assert len(slowest_frames(stats, phases, [], count=5)) == 3
    empty_stats, empty_phases = run_frames([])
    assert slowest_frames(empty_stats, empty_phases, []) == []
