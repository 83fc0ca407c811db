"""GcControl: no collection inside a frame, full ones only between transitions, all timed.

These tests switch the process-wide collector off and freeze the heap; the fixture closes
every GcControl it made, so pytest and the other tests get the collector back as it was.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable, Iterator

import pytest

from slideshow.pacing import GcControl
from slideshow.pacing.fake_time import FakeTime


class Node:
    """Refers to itself: only the cycle collector can free it."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def make_gc_control() -> Iterator[Callable[..., GcControl]]:
    was_enabled, was_frozen = gc.isenabled(), gc.get_freeze_count()
    callbacks_before = len(gc.callbacks)
    gc.enable()
    made: list[GcControl] = []

    def make(mode: str, **kwargs) -> GcControl:
        made.append(GcControl(mode, **kwargs))
        return made[-1]

    try:
        yield make
    finally:
        for control in made:
            control.close()
        restored = (gc.isenabled(), gc.get_freeze_count(), len(gc.callbacks))
        if not was_enabled:
            gc.disable()
    assert restored == (True, was_frozen, callbacks_before)


def run_frames(control: GcControl, frames: int, cycles_per_frame: int = 2000,
               slack_s: float = 0.010, transition_active: bool = False) -> list[int | None]:
    collected = []
    for _ in range(frames):
        control.enter_frame()
        garbage = [Node() for _ in range(cycles_per_frame)]
        del garbage
        control.leave_frame()
        collected.append(control.collect_in_slack(slack_s, transition_active))
    return collected


def test_frames_that_make_garbage_never_collect_inside_a_frame(make_gc_control):
    control = make_gc_control("frame")
    control.freeze_after_startup()
    assert not gc.isenabled()
    run_frames(control, 50)
    summary = control.summary()
    assert summary["collections"] > 0
    assert summary["in_frame"] == 0
    assert summary["gen0"] + summary["gen1"] > 0


def test_leaving_python_in_charge_does_collect_inside_frames(make_gc_control):
    # The same run with Python's own collector: proves the test above can fail.
    control = make_gc_control("python")
    control.freeze_after_startup()
    assert gc.isenabled()
    collected = run_frames(control, 50)
    assert collected == [None] * 50  # nothing collected on purpose
    assert control.summary()["in_frame"] > 0


def test_garbage_made_in_a_frame_is_freed_in_the_slack_after_it(make_gc_control):
    control = make_gc_control("frame")
    control.freeze_after_startup()
    control.enter_frame()
    garbage = [Node() for _ in range(1000)]
    probe = weakref.ref(garbage[0])
    del garbage
    control.leave_frame()
    assert probe() is not None  # nothing collected during the frame
    assert control.collect_in_slack(0.010, transition_active=False) in (0, 1, 2)
    assert probe() is None


def test_no_full_collection_while_a_transition_runs(make_gc_control):
    control = make_gc_control("frame")
    control.freeze_after_startup()
    collected = run_frames(control, 400, transition_active=True)
    assert 2 not in collected
    assert control.summary()["gen2"] == 0
    assert gc.get_count()[2] >= gc.get_threshold()[2]  # a full collection is overdue
    assert control.collect_in_slack(0.010, transition_active=False) == 2
    assert control.summary()["gen2"] == 1


def test_too_little_slack_defers_collection(make_gc_control):
    control = make_gc_control("frame", young_min_slack_s=0.001)
    control.freeze_after_startup()
    collected = run_frames(control, 3, cycles_per_frame=1000, slack_s=0.0002)
    assert collected == [None] * 3
    assert control.summary()["collections"] == 0
    assert control.summary()["deferred"] == 3
    # Garbage twenty thresholds deep is collected in the slack there is.
    run_frames(control, 1, cycles_per_frame=20 * gc.get_threshold()[0], slack_s=0.0002)
    assert control.summary()["gen0"] == 1


def test_every_pause_is_timed_and_attributed(make_gc_control):
    fake = FakeTime()

    def collection_takes_2_ms(phase: str, info: dict) -> None:
        if phase == "stop":
            fake.advance(0.002)

    control = make_gc_control("python", now=fake.now)
    gc.callbacks.insert(0, collection_takes_2_ms)  # runs before the timing hook sees "stop"
    try:
        gc.collect(0)
        control.enter_frame()
        gc.collect(2)
        control.leave_frame()
    finally:
        gc.callbacks.remove(collection_takes_2_ms)
    assert control.summary() == {
        "collections": 2, "in_frame": 1, "max_pause_ms": 2.0, "total_pause_ms": 4.0,
        "gen0": 1, "gen1": 0, "gen2": 1, "deferred": 0}


def test_close_gives_the_collector_back(make_gc_control):
    frozen_before = gc.get_freeze_count()
    control = make_gc_control("frame")
    control.freeze_after_startup()
    assert not gc.isenabled() and gc.get_freeze_count() > frozen_before
    control.close()
    control.close()  # twice is harmless
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen_before
    assert control._on_collection not in gc.callbacks


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="frame, python"):
        GcControl("sometimes")
