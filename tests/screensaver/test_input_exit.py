"""The screensaver's exit-on-input rule (slideshow.screensaver.input_exit): pure logic, no window."""

from __future__ import annotations

import pytest

from slideshow.screensaver.input_exit import SHOW_KEYS, InputExitPolicy


def test_first_motion_only_sets_the_anchor():
    policy = InputExitPolicy()
    assert policy.on_motion(500.0, 400.0) is False
    assert policy.should_exit is False


def test_motion_within_the_threshold_does_not_exit():
    policy = InputExitPolicy(threshold_px=10.0)
    policy.on_motion(100.0, 100.0)
    assert policy.on_motion(109.9, 100.0) is False
    assert policy.on_motion(107.0, 107.0) is False  # 9.9 px away diagonally
    assert policy.on_motion(100.0, 100.0) is False
    assert policy.should_exit is False


def test_motion_measures_from_the_anchor_not_the_last_position():
    policy = InputExitPolicy(threshold_px=10.0)
    policy.on_motion(0.0, 0.0)
    for x in range(1, 11):  # creeping 1 px at a time still ends up 10 px away...
        assert policy.on_motion(float(x), 0.0) is False
    assert policy.on_motion(10.5, 0.0) is True  # ...and past it exits


def test_motion_beyond_the_threshold_exits_and_stays_exited():
    policy = InputExitPolicy(threshold_px=10.0)
    policy.on_motion(100.0, 100.0)
    assert policy.on_motion(100.0, 111.0) is True
    assert policy.should_exit is True
    assert policy.on_motion(100.0, 100.0) is True  # coming back does not undo it


def test_diagonal_distance_is_euclidean():
    policy = InputExitPolicy(threshold_px=10.0)
    policy.on_motion(0.0, 0.0)
    assert policy.on_motion(7.0, 7.0) is False  # 9.9 px, though |dx| + |dy| = 14
    assert policy.on_motion(8.0, 7.0) is True  # 10.6 px


@pytest.mark.parametrize("key", sorted(SHOW_KEYS))
def test_the_shows_own_keys_do_not_exit(key):
    policy = InputExitPolicy()
    assert policy.on_key(key) is False
    assert policy.should_exit is False


def test_show_keys_are_exactly_the_navigation_and_toggles():
    assert SHOW_KEYS == {"left", "right", "space", "t", "v", "i", "p"}


@pytest.mark.parametrize("key", ["escape", "q", "a", "enter", "up", "key340"])
def test_any_other_key_exits(key):
    policy = InputExitPolicy()
    assert policy.on_key(key) is True
    assert policy.should_exit is True


def test_key_names_match_regardless_of_case():
    assert InputExitPolicy().on_key("T") is False
    assert InputExitPolicy().on_key("Left") is False


def test_a_click_exits():
    policy = InputExitPolicy()
    assert policy.on_button() is True
    assert policy.should_exit is True


def test_disabled_never_exits():
    policy = InputExitPolicy(enabled=False)
    policy.on_motion(0.0, 0.0)
    assert policy.on_motion(500.0, 500.0) is False
    assert policy.on_button() is False
    assert policy.on_key("escape") is False
    assert policy.should_exit is False


def test_a_zero_threshold_exits_on_any_movement():
    policy = InputExitPolicy(threshold_px=0.0)
    policy.on_motion(3.0, 3.0)
    assert policy.on_motion(3.0, 3.0) is False
    assert policy.on_motion(3.0, 3.5) is True


def test_a_negative_threshold_is_refused():
    with pytest.raises(ValueError, match="threshold_px"):
        InputExitPolicy(threshold_px=-1.0)
