"""SortedOrder: the ordered modes. `name` walks folders in path order and each folder's
files by name (case-insensitive); `date` (date taken, from EXIF, else the file's mtime) and
`mtime` go oldest first, ties by name. After the last photo the order starts again.

The order is one int32 array of ids, rebuilt when the library changed: a concatenation for
`name` (folders keep their ids in name order), one stable argsort of the keys for the
others (about 0.15 s at 1,000,000 photos). It is rebuilt on the caller's thread (the
supervisor's, never the render thread), and while the scan runs at most every `rebuild_s`
seconds, since the date pass changes keys all the time. The position is kept on the last
photo dealt: photos added before it come in the next round, those after it in this one.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from slideshow.library.index import CHECKED, UNCHECKED, PhotoIndex


class SortedOrder:
    """Deals photos in `mode` order ("name", "date" or "mtime"), all displays from one
    sequence, so displays next to each other show neighbours in the order."""

    def __init__(self, mode: str, clock: Callable[[], float] = time.monotonic,
                 rebuild_s: float = 5.0) -> None:
        self.mode = mode
        self._clock, self._rebuild_s = clock, rebuild_s
        self._order = np.empty(0, np.int32)
        self._position = -1  # index in _order of the last photo dealt
        self._last: int | None = None
        self._dirty = True
        self._built_at: float | None = None

    def changed(self) -> None:
        """The library gained or lost photos, or keys changed."""
        self._dirty = True

    def deal(self, index: PhotoIndex, scanning: bool) -> int | None:
        """The photo after the last one dealt, or None when there are none."""
        if self._dirty and (not scanning or not len(self._order) or self._built_at is None
                            or self._clock() - self._built_at >= self._rebuild_s):
            self._rebuild(index)
        state = index.state
        for _ in range(len(self._order)):
            self._position = (self._position + 1) % len(self._order)
            photo = int(self._order[self._position])
            if state[photo] in (UNCHECKED, CHECKED):  # not removed since the rebuild
                self._last = photo
                return photo
        return None

    def _rebuild(self, index: PhotoIndex) -> None:
        order = index.name_order()
        if self.mode != "name" and index.keys is not None and len(order):
            order = order[np.argsort(index.keys[order], kind="stable")]  # NaN (not known) last
        self._order = order
        self._dirty = False
        self._built_at = self._clock()
        if self._last is not None:
            found = np.flatnonzero(order == self._last)
            if len(found):
                self._position = int(found[0])
                return
        self._position = min(self._position, len(order) - 1)
