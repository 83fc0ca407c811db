"""DeadlinePacer on fake time: on the grid, spinning only at the end, keeping phase when late."""

from __future__ import annotations

import numpy as np
import pytest

from slideshow.pacing import DeadlinePacer, SwapBlockDetector, VsyncClock
from slideshow.pacing.fake_time import FakeTime

PERIOD_S = 1 / 60


def make_pacer(fake: FakeTime, spin_s: float = 0.001, period_s: float = PERIOD_S) -> DeadlinePacer:
    return DeadlinePacer(period_s, spin_s=spin_s, now=fake.now, sleep=fake.sleep)


def grid_index(deadline_s: float, origin_s: float, period_s: float = PERIOD_S) -> int:
    index = round((deadline_s - origin_s) / period_s)
    assert deadline_s == origin_s + index * period_s  # exactly on the grid
    return index


def test_first_call_anchors_the_grid_without_waiting():
    fake = FakeTime(start_s=500.0)
    pacer = make_pacer(fake)
    assert pacer.wait_for_deadline() == 500.0
    assert fake.sleeps_s == []
    assert fake.time_s == 500.0


def test_deadlines_lie_exactly_on_the_grid_and_are_met():
    fake = FakeTime(sleep_overshoot_s=0.0002, read_cost_s=0.00001)
    pacer = make_pacer(fake)
    origin_s = pacer.wait_for_deadline()
    rng = np.random.default_rng(1)
    for frame in range(1, 200):
        fake.advance(rng.uniform(0.001, 0.012))  # the frame's work
        deadline_s = pacer.wait_for_deadline()
        assert grid_index(deadline_s, origin_s) == frame
        # The read that ended the spin came at most one read (10 us) after the deadline.
        assert deadline_s <= fake.time_s - 0.00001 < deadline_s + 0.00001
    assert pacer.deadlines_missed == 0


def test_it_sleeps_once_then_spins_only_within_spin_s():
    fake = FakeTime(sleep_overshoot_s=0.0002, read_cost_s=0.00001, keep_readings=True)
    pacer = make_pacer(fake, spin_s=0.001)
    pacer.wait_for_deadline()
    for _ in range(50):
        fake.advance(0.004)
        reads_before, sleeps_before = len(fake.readings_s), len(fake.sleeps_s)
        deadline_s = pacer.wait_for_deadline()
        readings_s = fake.readings_s[reads_before:]
        assert len(fake.sleeps_s) - sleeps_before == 1
        # Entry read, then reads only from spin_s before the deadline (the sleep woke
        # 0.2 ms late, so 0.8 ms of spinning at 10 us a read is left).
        entry_s, spin_reads_s = readings_s[0], readings_s[1:]
        assert entry_s < deadline_s - 0.001
        assert all(deadline_s - 0.001 <= t < deadline_s + 0.00001 for t in spin_reads_s)
        assert spin_reads_s[-1] >= deadline_s > spin_reads_s[-2]
        assert 79 <= len(spin_reads_s) <= 82
        assert fake.sleeps_s[-1] == pytest.approx(deadline_s - entry_s - 0.001, abs=1e-9)


def test_spin_zero_means_sleep_only():
    fake = FakeTime(read_cost_s=0.0)
    pacer = make_pacer(fake, spin_s=0.0)
    pacer.wait_for_deadline()
    for frame in range(1, 20):
        fake.advance(0.003)
        reads_before = fake.reads
        deadline_s = pacer.wait_for_deadline()
        assert fake.reads - reads_before == 2  # on entry, and once after the sleep
        assert fake.sleeps_s[-1] == pytest.approx(PERIOD_S - 0.003, abs=1e-9)
        assert fake.time_s == deadline_s
    assert len(fake.sleeps_s) == 19


def test_a_late_frame_keeps_the_phase_and_the_clock_counts_the_skipped_vsyncs():
    fake = FakeTime(sleep_overshoot_s=0.0002, read_cost_s=0.00001)
    pacer, clock = make_pacer(fake), VsyncClock(PERIOD_S)
    work_s = [0.005] * 60
    work_s[20] = 0.040  # past two grid points
    work_s[40] = 0.020  # past one
    indices, ticks = [], []
    origin_s = None
    for work in work_s:
        fake.advance(work)
        deadline_s = pacer.wait_for_deadline()
        origin_s = deadline_s if origin_s is None else origin_s
        indices.append(grid_index(deadline_s, origin_s))
        fake.advance(0.0005)  # the swap itself, after the deadline
        ticks.append(clock.tick(fake.now()))
    # Frame 20 skips grid points 20 and 21, frame 40 skips 42; the grid never moves.
    assert indices == list(range(20)) + list(range(22, 42)) + list(range(43, 63))
    assert pacer.deadlines_missed == 3
    assert clock.missed_vsyncs == 3
    assert (ticks[20].vsyncs, ticks[20].missed, ticks[20].steps) == (3, 2, 3)
    assert (ticks[40].vsyncs, ticks[40].missed) == (2, 1)
    assert [t.vsync_index for t in ticks] == indices


def test_a_frame_arriving_exactly_on_a_grid_point_is_presented_there():
    fake = FakeTime()
    pacer = make_pacer(fake)
    origin_s = pacer.wait_for_deadline()
    fake.time_s = origin_s + 3 * PERIOD_S
    assert pacer.wait_for_deadline() == origin_s + 3 * PERIOD_S
    assert pacer.deadlines_missed == 2
    assert fake.sleeps_s == []


def test_a_new_period_starts_from_the_last_deadline():
    fake = FakeTime(read_cost_s=0.00001)
    pacer = make_pacer(fake)
    first_s = pacer.wait_for_deadline()
    fake.advance(0.002)
    last_s = pacer.wait_for_deadline()
    assert last_s == first_s + PERIOD_S
    pacer.period_s = 1 / 30
    assert pacer.period_s == 1 / 30
    fake.advance(0.002)
    assert pacer.wait_for_deadline() == last_s + 1 / 30
    fake.advance(0.002)
    assert pacer.wait_for_deadline() == last_s + 2 / 30


def test_paced_loop_on_a_display_that_never_blocks_looks_like_vsync_downstream():
    """Xvfb: swaps return in 0.5 ms. Detect it, then pace; the clock sees a clean 60 Hz."""
    fake = FakeTime(sleep_overshoot_s=0.0002, read_cost_s=0.00001)
    detector = SwapBlockDetector(PERIOD_S)
    rng = np.random.default_rng(4)
    last_present_s = fake.now()
    while detector.verdict is None:  # unpaced: the loop runs free while probing
        fake.advance(0.0005)
        swap_start_s = fake.now()
        fake.advance(0.0005)
        present_s = fake.now()
        detector.observe(present_s - swap_start_s, present_s - last_present_s)
        last_present_s = present_s
    assert detector.verdict == "paced"
    pacer, clock = make_pacer(fake), VsyncClock(PERIOD_S)
    for _ in range(600):
        fake.advance(rng.uniform(0.002, 0.012))
        pacer.wait_for_deadline()
        fake.advance(0.0005 + rng.uniform(0, 0.0001))
        clock.tick(fake.now())
    assert clock.missed_vsyncs == 0
    assert clock.period_s == pytest.approx(PERIOD_S, rel=1e-4)


@pytest.mark.parametrize("kwargs", [{"period_s": 0.0}, {"period_s": PERIOD_S, "spin_s": -0.001}])
def test_bad_arguments_are_refused(kwargs):
    with pytest.raises(ValueError):
        DeadlinePacer(**kwargs)


def test_a_planned_cadence_waits_that_many_grid_points_and_a_late_frame_the_next_one_after():
    fake = FakeTime(read_cost_s=0.00001)
    pacer = make_pacer(fake)
    origin_s = pacer.wait_for_deadline()
    fake.advance(0.020)  # a frame planned for 2 vsyncs (33.3 ms) that took 20 ms
    assert grid_index(pacer.wait_for_deadline(2), origin_s) == 2
    fake.advance(0.040)  # planned for 2, took 40 ms: the grid point after it, no earlier
    assert grid_index(pacer.wait_for_deadline(2), origin_s) == 5
    assert pacer.deadlines_missed == 1
    fake.advance(0.001)
    assert grid_index(pacer.wait_for_deadline(3), origin_s) == 8
