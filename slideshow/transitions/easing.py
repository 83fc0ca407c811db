"""Easing curves: how a transition's progress (0..1, linear in time) is reshaped before
the shader sees it. Pure functions, no GL.

Every curve maps 0 to exactly 0 and 1 to exactly 1 (inputs are clamped to 0..1 first), so
a transition still starts on exactly the old photo and ends on exactly the new one, and
every curve is monotonic, so a transition never runs backwards.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from slideshow.errors import ConfigError

Easing = Callable[[float], float]


def linear(t: float) -> float:
    return t


def ease_in_cubic(t: float) -> float:
    return t * t * t


def ease_out_cubic(t: float) -> float:
    return 1.0 - (1.0 - t) ** 3


def ease_in_out_cubic(t: float) -> float:
    return 4.0 * t * t * t if t < 0.5 else 1.0 - (-2.0 * t + 2.0) ** 3 / 2.0


def ease_in_sine(t: float) -> float:
    return 1.0 - math.cos(t * math.pi / 2.0)


def ease_out_sine(t: float) -> float:
    return math.sin(t * math.pi / 2.0)


def ease_in_out_sine(t: float) -> float:
    return (1.0 - math.cos(t * math.pi)) / 2.0


def smoothstep(t: float) -> float:
    return t * t * (3.0 - 2.0 * t)


EASINGS: dict[str, Easing] = {
    "linear": linear,
    "ease-in-cubic": ease_in_cubic,
    "ease-out-cubic": ease_out_cubic,
    "ease-in-out-cubic": ease_in_out_cubic,
    "ease-in-sine": ease_in_sine,
    "ease-out-sine": ease_out_sine,
    "ease-in-out-sine": ease_in_out_sine,
    "smoothstep": smoothstep,
}


def easing_named(name: str) -> Easing:
    """The curve called `name` (see EASINGS), wrapped so that it clamps its input to 0..1
    and returns exactly 0.0 and 1.0 at the ends."""
    try:
        curve = EASINGS[name]
    except KeyError:
        raise ConfigError(f"unknown easing {name!r}; choose one of: {', '.join(EASINGS)}") from None
    return lambda t: ease(curve, t)


def ease(curve: Easing, t: float) -> float:
    """`curve(t)` with t clamped to 0..1 and the ends exact (cos(pi/2) is not quite 0)."""
    if t <= 0.0:
        return 0.0
    if t >= 1.0:
        return 1.0
    return min(1.0, max(0.0, curve(t)))
