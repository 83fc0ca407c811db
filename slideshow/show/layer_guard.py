"""The error policy for the show's optional layers (the visualizer, captions and notices,
Ken Burns motion): a layer that raises must neither stop the show nor flood the log.

The first failure of a layer is logged with its traceback; later ones as one counted line
each; after `MAX_LAYER_ERRORS` the layer switches itself off (one more line says so) and the
photos go on without it. The core of a frame (the loop, uploads, the photo pass) has no
such guard: an exception there ends the run (slideshow/loop.py says how).

Logging is I/O on the render thread, which the frame path otherwise never does: it
happens only on a failure, at most `MAX_LAYER_ERRORS + 1` times a layer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

MAX_LAYER_ERRORS = 5


class LayerGuard:
    """Counts one optional layer's failures on one display. The caller wraps the layer's
    calls in `try` (free in Python 3.11 while nothing raises; no per-frame objects) and
    hands what it caught to `failed`:

        try:
            overlay.draw()
        except Exception as exc:
            guard.failed(exc)
    """

    def __init__(self, layer: str, display: str = "", max_errors: int = MAX_LAYER_ERRORS,
                 on_off: Callable[[], None] | None = None) -> None:
        self.layer, self.display = layer, display or "window"
        self.max_errors = max_errors
        self._on_off = on_off  # told once, when the layer is switched off
        self.errors = 0
        self.on = True

    def failed(self, exc: BaseException) -> None:
        """Counts a failure the caller caught; switches the layer off at the limit."""
        self.errors += 1
        if self.errors == 1:
            log.error("display %s: the %s failed; it is switched off after %d errors",
                      self.display, self.layer, self.max_errors, exc_info=exc)
        else:
            log.error("display %s: the %s failed again (%d of %d): %s: %s", self.display,
                      self.layer, self.errors, self.max_errors, type(exc).__name__, exc)
        if self.errors >= self.max_errors and self.on:
            self.on = False
            log.error("display %s: the %s is off for the rest of the run; the show goes on",
                      self.display, self.layer)
            if self._on_off is not None:
                self._on_off()
