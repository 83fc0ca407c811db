"""Ken Burns: a slow zoom and pan over each photo, planned once per photo, as a view of
its frame: the part of the composed frame the display shows at a given moment.

A view is (x, y, width, height) in the frame's texture coordinates (0..1, bottom-left
origin, GL's). It always lies inside 0..1, so nothing outside the photo can ever show:
the zoom is at least 1, and the centre is clamped to where the view fits. The motion runs
over the photo's whole time on screen, its transition in, its hold and its transition
out, so the outgoing photo keeps moving while the next one comes in. It is linear in
time (a steady drift, as a rostrum camera moves), and heads toward the photo's focus
point (workers/saliency.py) when zooming in, away from it when zooming out.

Pure logic: no GL, no clock; the show hands it the photo's age in seconds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

#: `ken_burns.enabled`: on, off, or auto (on except on a software renderer; the renderer
#: is known only once a display runs, so run/parts.py's ken_burns_settings decides).
ENABLED_CHOICES = ("auto", "on", "off")

View = tuple[float, float, float, float]
IDENTITY: View = (0.0, 0.0, 1.0, 1.0)


@dataclass(frozen=True)
class KenBurnsMotion:
    zoom_from: float
    zoom_to: float
    centre_from: tuple[float, float]
    centre_to: tuple[float, float]
    duration_s: float

    def view_at(self, age_s: float) -> View:
        """The view `age_s` seconds after the photo first appeared; still after the end."""
        t = min(max(age_s / self.duration_s, 0.0), 1.0) if self.duration_s > 0 else 1.0
        zoom = self.zoom_from + (self.zoom_to - self.zoom_from) * t
        size = 1.0 / max(zoom, 1.0)
        half = size / 2
        x = self.centre_from[0] + (self.centre_to[0] - self.centre_from[0]) * t
        y = self.centre_from[1] + (self.centre_to[1] - self.centre_from[1]) * t
        x = min(max(x, half), 1.0 - half)
        y = min(max(y, half), 1.0 - half)
        return (x - half, y - half, size, size)


def plan_motion(rng: random.Random, focus: tuple[float, float], duration_s: float,
                zoom_min: float, zoom_max: float, zoom_per_s: float) -> KenBurnsMotion:
    """A motion over `duration_s`: zooming in toward `focus` (x, y in GL's 0..1) or out
    from it, at random, changing the zoom by at most `zoom_per_s` each second and staying
    within zoom_min..zoom_max."""
    change = min(zoom_max - zoom_min, zoom_per_s * duration_s)
    near = zoom_min + rng.uniform(0.0, max(0.0, zoom_max - zoom_min - change))
    far = near + change
    centre = (0.5, 0.5)
    if rng.random() < 0.5:
        return KenBurnsMotion(near, far, centre, focus, duration_s)
    return KenBurnsMotion(far, near, focus, centre, duration_s)
