"""Easing curves: exact ends, never running backwards, names a user can look up."""

from __future__ import annotations

import pytest

from slideshow.errors import ConfigError
from slideshow.transitions.easing import EASINGS, easing_named


@pytest.mark.parametrize("name", EASINGS)
def test_curve_starts_at_exactly_zero_and_ends_at_exactly_one(name):
    curve = easing_named(name)
    assert curve(0.0) == 0.0
    assert curve(1.0) == 1.0


@pytest.mark.parametrize("name", EASINGS)
def test_curve_is_monotonic_and_stays_in_range(name):
    curve = easing_named(name)
    values = [curve(i / 1000) for i in range(1001)]
    assert all(b >= a for a, b in zip(values, values[1:]))
    assert all(0.0 <= v <= 1.0 for v in values)


def test_progress_outside_zero_to_one_is_clamped():
    curve = easing_named("ease-in-out-cubic")
    assert curve(-0.5) == 0.0 and curve(1.5) == 1.0


def test_in_out_curves_pass_through_the_middle():
    for name in ("linear", "ease-in-out-cubic", "ease-in-out-sine", "smoothstep"):
        assert easing_named(name)(0.5) == pytest.approx(0.5)


def test_ease_in_starts_slower_than_ease_out():
    assert easing_named("ease-in-cubic")(0.25) < 0.25 < easing_named("ease-out-cubic")(0.25)
    assert easing_named("ease-in-sine")(0.25) < 0.25 < easing_named("ease-out-sine")(0.25)


def test_unknown_name_lists_the_choices():
    with pytest.raises(ConfigError, match="ease-in-out-sine"):
        easing_named("bounce")
