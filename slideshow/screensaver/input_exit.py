"""The screensaver's exit-on-input rule, as pure logic: a key, a click, or the pointer
moving away, ends the show. No window system here; the window surface feeds it events.

The first motion event only sets the anchor: window systems send a synthetic one when a
window appears under the pointer (and a real one as it is created), so exiting on it
would end the show the instant it starts. Small jitter (a desk bump, an optical mouse on
glass) stays inside `threshold_px`. The show's own keys step through it instead of
ending it; `SHOW_KEYS` is the one list of them.
"""

from __future__ import annotations

import math

#: Keys the show handles itself (previous, next, pause, and the t / v / i toggles), by the
#: names the window surface reports; every other key ends a screensaver show.
SHOW_KEYS: frozenset[str] = frozenset({"left", "right", "space", "t", "v", "i", "p"})


class InputExitPolicy:
    """Decides when input ends the show. Each `on_*` returns True once the show should end
    (and stays True: `should_exit` remembers it). Disabled, it never asks to exit."""

    def __init__(self, threshold_px: float = 10.0, enabled: bool = True) -> None:
        if threshold_px < 0:
            raise ValueError(f"threshold_px must be 0 or more, not {threshold_px}")
        self.threshold_px = threshold_px
        self.enabled = enabled
        self._anchor: tuple[float, float] | None = None
        self._exit = False

    @property
    def should_exit(self) -> bool:
        return self._exit

    def on_motion(self, x: float, y: float) -> bool:
        """A pointer position in window pixels."""
        if self._anchor is None:
            self._anchor = (x, y)
        elif math.hypot(x - self._anchor[0], y - self._anchor[1]) > self.threshold_px:
            self._request_exit()
        return self._exit

    def on_button(self) -> bool:
        """Any mouse button press."""
        self._request_exit()
        return self._exit

    def on_key(self, name: str) -> bool:
        """A key press, by the surface's key name ("escape", "left", "q", ...)."""
        if name.lower() not in SHOW_KEYS:
            self._request_exit()
        return self._exit

    def _request_exit(self) -> None:
        if self.enabled:
            self._exit = True
