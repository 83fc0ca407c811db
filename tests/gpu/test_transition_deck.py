"""The show's transitions: the configured pool is compiled and picked at random without
repeats, a bad pool names the key and the choices, and the photo pass draws the picked
transition between its frames (exact at 0 and 1)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from slideshow.errors import ConfigError
from slideshow.gpu.photo_pass import PhotoPass
from slideshow.gpu.transition_deck import TransitionDeck


def shown(surface) -> np.ndarray:
    surface.finish()
    return np.frombuffer(surface.read_pixels(), np.uint8).reshape(32, 64, 4)[::-1]


def solid(rgb) -> np.ndarray:
    pixels = np.empty((32, 64, 4), np.uint8)
    pixels[...] = (*rgb, 255)
    return pixels


def test_unknown_pool_name_names_the_key_and_the_choices(egl_surface, tmp_path):
    with pytest.raises(ConfigError) as info:
        TransitionDeck(egl_surface.ctx, ("wipe-sideways",), "linear", str(tmp_path))
    message = str(info.value)
    assert "transitions.pool" in message and "wipe-sideways" in message
    assert "crossfade" in message and "wipe-left" in message


def test_pool_by_family_and_name_and_no_repeat(egl_surface, tmp_path):
    deck = TransitionDeck(egl_surface.ctx, ("wipe", "crossfade"), "linear", str(tmp_path),
                          rng=random.Random(4))
    try:
        assert set(deck.names) == {"crossfade", "wipe-right", "wipe-left", "wipe-up", "wipe-down",
                                   "wipe-down-right", "wipe-up-right"}
        picks = [deck.next().transition.name for _ in range(200)]
        assert all(a != b for a, b in zip(picks, picks[1:]))
        assert set(picks) == set(deck.names)
    finally:
        deck.release()


def test_photo_pass_draws_the_picked_transition_exact_at_the_ends(egl_surface, tmp_path):
    deck = TransitionDeck(egl_surface.ctx, ("wipe-right",), "linear", str(tmp_path))
    photo_pass = PhotoPass(egl_surface.ctx, egl_surface.size, deck=deck)
    try:
        photo_pass.warm_up()
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
    finally:
        photo_pass.release()
        deck.release()


def test_params_setting_changes_a_parameter_and_a_duration(egl_surface, tmp_path):
    deck = TransitionDeck(egl_surface.ctx, ("blinds", "crossfade"), "linear", str(tmp_path),
                          params=("blinds.count=3", "crossfade.duration_s=4"))
    try:
        by_name = {p.transition.name: p for p in deck.passes}
        assert by_name["blinds-horizontal"].values["count"] == 3
        assert by_name["blinds-vertical"].values["count"] == 3
        assert by_name["crossfade"].transition.duration_s == 4.0
    finally:
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
