"""StandIn: the built-in demo set standing in for the user's photos while none of them can
be decoded (every one replaced by a FIFO, a folder of damaged files, a NAS gone with its
entries still listed), so the show moves on instead of holding its last photo for good.

DisplayPhotos reports what became of each photo the library dealt: `failed(path, listed)`
(its decode failed, or a draw skipped it as known bad) and `decoded(path)`. When the
distinct photos failed since the last one that decoded are as many as the library lists,
a whole round has failed: one warning, and `active` turns True. While it is, the displays
draw demo photos (`next_demo`), and once every `try_every_s` one draw looks for a photo of
theirs worth a try (`try_due`; a file that failed and has not changed since is not, so a
try costs stats, not decodes). The first photo of theirs that decodes ends the stand-in,
with one info line; a later whole round of failures starts another.

The demo photos are painted on a thread of this module's own (about half a second each at
1920x1080 on the 2-core box; a cached one is only found), never on a supervisor thread,
whose `close()` would otherwise wait for the paint. `wake()` pokes the pipelines when the
first one is ready. If none can be painted (a cache folder that cannot be written), the
thread pokes them every `try_every_s` instead, so the tries go on.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable

from slideshow.library.demo import DemoSet

#: How often, while the demo set stands in, one draw looks for a photo of the user's that
#: may decode now. Short enough that a fixed folder or a NAS that came back is seen within
#: a photo or two; a try of files known bad is a stat each, so trying often costs nothing.
TRY_EVERY_S = 10.0


class StandIn:
    """See the module docstring. `wake()` is called on the painting thread; `clock` times
    the tries (injected: tests step it)."""

    def __init__(self, demo: DemoSet, wake: Callable[[], None], log: logging.Logger, *,
                 clock: Callable[[], float] = time.monotonic, try_every_s: float = TRY_EVERY_S,
                 rng: random.Random | None = None) -> None:
        self._demo, self._wake, self._log = demo, wake, log
        self._clock, self.try_every_s = clock, try_every_s
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        self.active = False
        self._failing: set[str] = set()  # distinct photos failed since one last decoded
        self._since = 0.0  # on the clock: when the stand-in began
        self._next_try = 0.0  # on the clock
        self._painted: list[str] = []  # demo photos ready, appended by the painting thread
        self._turn = 0  # the next demo photo's position in _painted
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- outcomes (supervisor threads) -----------------------------------------------------

    def failed(self, path: str, listed: int) -> None:
        """A photo the library dealt failed (or was skipped as known bad); `listed` is how
        many photos the library lists now."""
        with self._lock:
            if self.active:
                return
            self._failing.add(path)
            if len(self._failing) < max(1, listed):
                return
            self._failing.clear()
            self.active = True
            self._since = self._clock()
            self._next_try = self._since + self.try_every_s
            start = self._thread is None
            if start:
                self._thread = threading.Thread(target=self._paint, name="slideshow-demo-paint",
                                                daemon=True)
        self._log.warning(
            "none of the %d photos listed could be decoded (each was named once above); the "
            "built-in demo photos stand in, and yours are tried again every %.0f s", listed,
            self.try_every_s)
        if start:
            self._thread.start()

    def decoded(self, path: str) -> None:
        """A photo the library dealt decoded: the round starts over, a stand-in ends."""
        with self._lock:
            self._failing.clear()
            ended, self.active = self.active, False
            lasted_s = self._clock() - self._since
        if ended:
            self._log.info("%s decoded: back to your photos (the demo photos stood in for "
                           "%.0f s)", path, lasted_s)

    # -- draws (supervisor threads) ----------------------------------------------------------

    def try_due(self) -> bool:
        """True once every `try_every_s` while active: this draw tries the user's photos."""
        with self._lock:
            now = self._clock()
            if not self.active or now < self._next_try:
                return False
            self._next_try = now + self.try_every_s
            return True

    def next_demo(self, known_bad: Callable[[str], bool]) -> str | None:
        """The next demo photo, round robin from a random start (consecutive draws, from
        any display, get different ones); None while none is painted yet or every one
        painted is `known_bad`."""
        with self._lock:
            painted = list(self._painted)
            if not painted:
                return None
            if self._turn == 0:
                self._turn = 1 + self._rng.randrange(len(painted))
            start = self._turn
            self._turn += 1
        for offset in range(len(painted)):
            path = painted[(start + offset) % len(painted)]
            if not known_bad(path):
                return path
        return None

    # -- the painting thread -----------------------------------------------------------------

    def _paint(self) -> None:
        for index in range(self._demo.count):
            if self._stop.is_set():
                return
            try:
                path = str(self._demo.paint(index))
            except OSError as exc:
                self._log.warning("could not paint the built-in demo photos in %s: %s",
                                  self._demo.path(index).parent, exc)
                break
            with self._lock:
                self._painted.append(path)
            if index == 0:
                self._wake()
        # Without a demo photo nothing draws: poke the pipelines so the tries go on.
        while not self._painted and not self._stop.wait(self.try_every_s):
            if self.active:
                self._wake()

    def close(self) -> None:
        """Stops the painting thread (after the photo it paints, if any) and joins it."""
        self._stop.set()
        if self._thread is not None and self._thread.is_alive():
            self._thread.join()
