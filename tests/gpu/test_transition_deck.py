"""The show's transitions: the configured pool is checked at construction (a bad pool
names the key and the choices, a file that does not compile is left out with a log line),
made ready one step at a time within the slack it is given, picked at random without
repeats among the ready ones only (none ready: the photo pass's own crossfade), never a
dropped one, and the photo pass draws the picked transition between its frames (exact at 0
and 1)."""

from __future__ import annotations

import logging
import math
import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from slideshow.errors import ConfigError
from slideshow.gpu.photo_pass import PhotoPass
from slideshow.gpu.transition_deck import (
    FORCE_AFTER_S,
    SEED_STEP_S,
    STEP_EMA_WEIGHT,
    TransitionDeck,
)
from slideshow.pacing.fake_time import FakeTime


def shown(surface) -> np.ndarray:
    surface.finish()
    return np.frombuffer(surface.read_pixels(), np.uint8).reshape(32, 64, 4)[::-1]


def solid(rgb) -> np.ndarray:
    pixels = np.empty((32, 64, 4), np.uint8)
    pixels[...] = (*rgb, 255)
    return pixels


def prepare_all(photo_pass: PhotoPass) -> None:
    while photo_pass.prepare_in_slack(math.inf) is not None:
        pass


@contextmanager
def deck_and_pass(surface, pool: tuple[str, ...], folder: Path,
                  **options: Any) -> Iterator[tuple[TransitionDeck, PhotoPass]]:
    """A deck of `pool` and the photo pass drawing it, the surface bound; both released."""
    deck = TransitionDeck(surface.ctx, pool, "linear", str(folder), **options)
    photo_pass = PhotoPass(surface.ctx, surface.size, deck=deck)
    try:
        surface.use()
        yield deck, photo_pass
    finally:
        photo_pass.release()
        deck.release()


def test_unknown_pool_name_names_the_key_and_the_choices(egl_surface, tmp_path):
    with pytest.raises(ConfigError) as info:
        TransitionDeck(egl_surface.ctx, ("wipe-sideways",), "linear", str(tmp_path))
    message = str(info.value)
    assert "transitions.pool" in message and "wipe-sideways" in message
    assert "crossfade" in message and "wipe-left" in message


def test_pool_by_family_and_name_and_no_repeat(egl_surface, tmp_path):
    deck = TransitionDeck(egl_surface.ctx, ("wipe", "crossfade"), "linear", str(tmp_path),
                          rng=random.Random(4))
    photo_pass = PhotoPass(egl_surface.ctx, egl_surface.size, deck=deck)
    try:
        assert set(deck.names) == {"crossfade", "wipe-right", "wipe-left", "wipe-up", "wipe-down",
                                   "wipe-down-right", "wipe-up-right"}
        prepare_all(photo_pass)
        picks = [deck.next().transition.name for _ in range(200)]
        assert all(a != b for a, b in zip(picks, picks[1:]))
        assert set(picks) == set(deck.names)
    finally:
        photo_pass.release()
        deck.release()


def test_a_user_file_that_does_not_compile_is_left_out_at_construction_with_its_name(
        egl_surface, tmp_path, caplog):
    (tmp_path / "broken.glsl").write_text("vec4 transition(vec2 uv) {\n  return 1.0;\n}\n")
    with caplog.at_level(logging.WARNING, logger="slideshow.transitions"):
        deck = TransitionDeck(egl_surface.ctx, ("all",), "linear", str(tmp_path))
    try:
        assert "broken" not in deck.names and "crossfade" in deck.names
        [line] = [r.getMessage() for r in caplog.records]
        assert str(tmp_path / "broken.glsl") in line and "error" in line
    finally:
        deck.release()
    with pytest.raises(ConfigError) as info:  # a pool of only that file: nothing to show
        TransitionDeck(egl_surface.ctx, ("broken",), "linear", str(tmp_path))
    assert "transitions.pool" in str(info.value) and "broken" in str(info.value)


def test_nothing_is_ready_before_a_step_and_a_change_then_uses_the_builtin_crossfade(
        egl_surface, tmp_path):
    with deck_and_pass(egl_surface, ("wipe-right",), tmp_path) as (deck, photo_pass):
        photo_pass.warm_up()
        assert deck.ready == [] and deck.next() is None and deck.pin_next() is None
        photo_pass.load_next(solid((255, 0, 0)))
        photo_pass.swap_photos()
        photo_pass.load_next(solid((0, 0, 255)))
        assert photo_pass.begin_transition() is None
        assert photo_pass.transition_name == "crossfade"
        egl_surface.use()
        photo_pass.draw(0.5)
        halfway = shown(egl_surface)[..., :3].astype(int)
        # A crossfade, not a wipe: both sides are the same mix of red and blue.
        assert np.abs(halfway[16, 2] - (128, 0, 128)).max() <= 2
        assert np.abs(halfway[16, 61] - halfway[16, 2]).max() <= 1


def test_steps_make_the_pool_ready_one_at_a_time_and_the_pick_sees_only_ready_ones(
        egl_surface, tmp_path):
    became_ready = []
    pool = ("wipe-left", "wipe-right", "crossfade")
    with deck_and_pass(egl_surface, pool, tmp_path, rng=random.Random(3)) as (deck, photo_pass):
        deck.on_ready = lambda name, transition_pass: became_ready.append(
            (name, transition_pass.transition.name))
        assert photo_pass.prepare_in_slack(math.inf) == "wipe-left"
        assert deck.ready == ["wipe-left"]
        assert {deck.next().transition.name for _ in range(20)} == {"wipe-left"}
        assert photo_pass.prepare_in_slack(math.inf) == "wipe-right"
        picks = {deck.next().transition.name for _ in range(40)}
        assert picks == {"wipe-left", "wipe-right"}
        assert photo_pass.prepare_in_slack(math.inf) == "crossfade"
        assert photo_pass.prepare_in_slack(math.inf) is None  # all ready
        assert became_ready == [(name, name) for name in deck.names]
        assert deck.steps == 3 and len(deck.step_s) == 3 and all(s > 0 for s in deck.step_s)
        # The warm-up drew into a corner and left the framebuffer's viewport as it was.
        assert egl_surface.ctx.fbo.viewport == (0, 0, *egl_surface.size)


def test_a_step_waits_for_a_slack_its_prediction_fits_and_learns_what_steps_cost(
        egl_surface, tmp_path):
    # Each reading of the fake clock moves it 50 ms on: a step (read before and after) costs
    # exactly 50 ms by its own measure.
    time = FakeTime(read_cost_s=0.050)
    pool = ("wipe-left", "wipe-right", "wipe-up")
    with deck_and_pass(egl_surface, pool, tmp_path, now=time.now) as (deck, photo_pass):
        assert photo_pass.prepare_in_slack(SEED_STEP_S * 0.9) is None
        assert photo_pass.prepare_in_slack(SEED_STEP_S * 1.1) == "wipe-left"
        assert deck.overran == 1 and deck.forced == 0
        learnt_s = SEED_STEP_S + STEP_EMA_WEIGHT * (0.050 - SEED_STEP_S)
        assert photo_pass.prepare_in_slack(learnt_s * 0.95) is None
        assert photo_pass.prepare_in_slack(learnt_s * 1.05) == "wipe-right"
        assert deck.ready == ["wipe-left", "wipe-right"]
        assert deck.step_s == pytest.approx([0.050, 0.050])


def test_a_costly_geometry_transition_waiting_first_does_not_hold_up_cheaper_ones(
        egl_surface, tmp_path):
    time = FakeTime(read_cost_s=0.2)  # the first step costs 200 ms
    pool = ("block-spin-grid", "block-spin-slab", "wipe-left")
    with deck_and_pass(egl_surface, pool, tmp_path, now=time.now) as (deck, photo_pass):
        assert photo_pass.prepare_in_slack(1.0) == "block-spin-grid"
        time.read_cost_s = 0.0
        # Geometry steps are now predicted at 67 ms, plain ones still at the seed.
        assert photo_pass.prepare_in_slack(0.02) == "wipe-left"
        assert photo_pass.prepare_in_slack(0.02) is None
        assert deck.ready == ["block-spin-grid", "wipe-left"]


def test_a_step_that_fits_no_slack_is_taken_once_it_has_waited_and_counted_as_forced(
        egl_surface, tmp_path):
    time = FakeTime()
    pool = ("wipe-left", "wipe-right")
    with deck_and_pass(egl_surface, pool, tmp_path, now=time.now) as (deck, photo_pass):
        waited_s = 0.0
        while photo_pass.prepare_in_slack(0.0) is None:
            assert waited_s < FORCE_AFTER_S  # not before it has waited that long
            time.advance(0.25)
            waited_s += 0.25
        assert waited_s == FORCE_AFTER_S
        assert deck.ready == ["wipe-left"] and deck.forced == 1
        assert photo_pass.prepare_in_slack(0.0) is None  # the wait starts again


def test_a_dropped_transition_is_never_picked_pinned_or_prepared_again(egl_surface, tmp_path):
    pool = ("wipe-left", "wipe-right", "wipe-up", "crossfade")
    with deck_and_pass(egl_surface, pool, tmp_path, rng=random.Random(5)) as (deck, photo_pass):
        photo_pass.prepare_in_slack(math.inf)
        photo_pass.prepare_in_slack(math.inf)
        assert deck.pin_next() == "wipe-left"
        dropping = deck.next()
        deck.drop("wipe-left", "too slow")
        deck.drop("crossfade", "too slow")  # not ready yet: it never will be
        assert deck.pinned is None and deck.dropped == {"wipe-left": "too slow",
                                                        "crossfade": "too slow"}
        prepare_all(photo_pass)
        assert deck.ready == ["wipe-right", "wipe-up"] == deck.names
        assert {deck.next().transition.name for _ in range(100)} == {"wipe-right", "wipe-up"}
        assert [deck.pin_next() for _ in range(3)] == ["wipe-right", "wipe-up", None]
        # The pass a running transition still draws stays valid until the deck is released.
        egl_surface.use()
        dropping.draw(*photo_pass._frames, 0.5)
        assert egl_surface.ctx.error == "GL_NO_ERROR"


class FakeWarmer:
    def __init__(self) -> None:
        self.running = True
        self.started = 0
        self.done: set[str] = set()

    def start(self) -> None:
        self.started += 1

    def finished(self) -> set[str]:
        return set(self.done)


def test_with_a_warmer_its_finished_transitions_go_first_and_no_other_while_it_runs(
        egl_surface, tmp_path):
    warmer = FakeWarmer()
    pool = ("wipe-left", "wipe-right", "wipe-up")
    with deck_and_pass(egl_surface, pool, tmp_path) as (deck, photo_pass):
        deck.warmer = warmer
        assert warmer.started == 0  # not before the show asks for a step
        assert photo_pass.prepare_in_slack(math.inf) is None
        assert warmer.started == 1
        warmer.done.add("wipe-up")
        assert photo_pass.prepare_in_slack(math.inf) == "wipe-up"
        assert photo_pass.prepare_in_slack(math.inf) is None
        warmer.running = False  # it ended (done, failed or out of time): the rest here
        assert photo_pass.prepare_in_slack(math.inf) == "wipe-left"
        assert photo_pass.prepare_in_slack(math.inf) == "wipe-right"


def test_a_geometry_transition_is_warmed_at_the_corner_with_its_target_at_display_size(
        egl_surface, tmp_path):
    with deck_and_pass(egl_surface, ("block-spin-grid",), tmp_path) as (deck, photo_pass):
        assert photo_pass.prepare_in_slack(math.inf) == "block-spin-grid"
        [spin] = deck.passes
        target = spin._target
        assert target is not None and target.size == egl_surface.size
        egl_surface.use()
        spin.draw(*photo_pass._frames, 0.4)  # a full-size frame: no new allocation
        assert spin._target is target


def test_photo_pass_draws_the_picked_transition_exact_at_the_ends(egl_surface, tmp_path):
    with deck_and_pass(egl_surface, ("wipe-right",), tmp_path) as (_, photo_pass):
        photo_pass.warm_up()
        egl_surface.use()
        prepare_all(photo_pass)
        photo_pass.load_next(solid((255, 0, 0)))
        photo_pass.swap_photos()
        photo_pass.load_next(solid((0, 0, 255)))
        assert photo_pass.begin_transition() is None  # wipe has no duration of its own
        egl_surface.use()
        photo_pass.draw(0.0)
        assert (shown(egl_surface)[..., :3] == (255, 0, 0)).all()
        photo_pass.draw(0.5)
        halfway = shown(egl_surface)
        # A wipe, not a crossfade: the left part is already blue, the right still red.
        assert tuple(halfway[16, 2, :3]) == (0, 0, 255)
        assert tuple(halfway[16, 61, :3]) == (255, 0, 0)
        photo_pass.draw(1.0)
        assert (shown(egl_surface)[..., :3] == (0, 0, 255)).all()


def test_params_setting_changes_a_parameter_and_a_duration(egl_surface, tmp_path):
    deck = TransitionDeck(egl_surface.ctx, ("blinds", "crossfade"), "linear", str(tmp_path),
                          params=("blinds.count=3", "crossfade.duration_s=4"))
    photo_pass = PhotoPass(egl_surface.ctx, egl_surface.size, deck=deck)
    try:
        egl_surface.use()
        prepare_all(photo_pass)
        by_name = {p.transition.name: p for p in deck.passes}
        assert by_name["blinds-horizontal"].values["count"] == 3
        assert by_name["blinds-vertical"].values["count"] == 3
        assert by_name["crossfade"].transition.duration_s == 4.0
    finally:
        photo_pass.release()
        deck.release()


@pytest.mark.parametrize("setting, words", [
    ("blinds.slats=3", ["blinds.slats=3", "no parameter 'slats'", "count"]),
    ("wobble.count=3", ["wobble.count=3", "names no transition", "crossfade"]),
    ("blinds.count", ["NAME.PARAMETER=VALUE"]),
    ("crossfade.duration_s=soon", ["crossfade.duration_s=soon"]),
])
def test_bad_params_setting_names_the_setting(egl_surface, tmp_path, setting, words):
    with pytest.raises(ConfigError) as info:
        TransitionDeck(egl_surface.ctx, ("blinds", "crossfade"), "linear", str(tmp_path), params=(setting,))
    assert all(word in str(info.value) for word in words), str(info.value)
