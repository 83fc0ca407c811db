"""Selection: the library's shared state behind one lock, and the choice of the next photo.

It owns the PhotoIndex, the order dealing from it (ShuffleCycle or SortedOrder) and each
display's history. The scan thread writes through the `put_folder`-style methods, each one
short lock hold per folder or batch; `next_path` and `previous` run on the caller's thread
(the image supervisor's) and never wait for a scan, only for those short holds.

A photo listed by name but not yet confirmed by its first bytes can be dealt before the
scan thread gets to it: `next_path` then reads its 64 bytes itself, so a text file named
.jpg is never handed out, not even during the first seconds of a scan.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np

from slideshow.library.index import CHECKED, FREE, REFUSED, UNCHECKED, PhotoIndex
from slideshow.library.listing import Gone, check_signature
from slideshow.library.ordered import SortedOrder
from slideshow.library.shuffle import ShuffleCycle

#: The orders photos are dealt in (`show.order`): shuffle deals from a ShuffleCycle, the
#: others from a SortedOrder. config.py and the CLI offer these.
PHOTO_ORDERS = ("shuffle", "name", "date", "mtime")
HISTORY = 100  # photos remembered per display for previous()
_REFUSALS = 64  # unconfirmed photos next_path may find not to be photos in one call


class FolderListing(NamedTuple):
    """PhotoIndex.put_folder's arguments: one folder as listed."""

    key: str
    path: str
    mtime_ns: int
    dev: int
    ino: int
    names: Sequence[str]
    subdirs: Sequence[str]
    skipped: dict[str, int]


def _joined(arrays: list[np.ndarray]) -> np.ndarray:
    return arrays[0] if len(arrays) == 1 else np.concatenate(arrays) if arrays else _NONE


_NONE = np.empty(0, np.int32)


class _History:
    """One display's photos in the order dealt; `cursor` is the one shown now."""

    __slots__ = ("cursor", "entries")

    def __init__(self) -> None:
        self.entries: deque[tuple[int, str]] = deque(maxlen=HISTORY)  # (id, path)
        self.cursor = -1


class Selection:
    """See the module docstring. `recent` is how many of each display's latest photos a
    shuffle keeps off every display: the one on screen and those queued behind it."""

    def __init__(self, order: str, seed: int | None = None,
                 clock: Callable[[], float] = time.monotonic, recent: int = 4) -> None:
        self.lock = threading.Lock()
        self.order = order
        keyed = order in ("date", "mtime")
        self.index = PhotoIndex(sort_names=order != "shuffle", keyed=keyed)
        self._shuffle = ShuffleCycle(random.Random(seed)) if order == "shuffle" else None
        self._sorted = None if order == "shuffle" else SortedOrder(order, clock)
        self._recent = max(1, recent)
        self._histories: dict[int, _History] = {}
        self.scanning = False  # set by the library while a scan runs
        self.version = 0  # bumped by every change to the index: the cache is saved when it moved
        self.on_available: Callable[[], None] | None = None
        self._starved = False  # next_path found nothing since the last on_available

    # -- the scan thread's side ------------------------------------------------------------

    def adopt(self, index: PhotoIndex) -> None:
        """Takes over an index restored from the cache (this one must still be empty)."""
        with self.lock:
            self.index = index
            notify = self._changed(index.ids_where(UNCHECKED, CHECKED), None)
        self._notify(notify)

    def put_folders(self, records: Sequence[FolderListing]) -> None:
        """Records folders as just listed (PhotoIndex.put_folder), all in one lock hold:
        the scanner hands over small folders in batches."""
        added, removed = [], []
        with self.lock:
            for record in records:
                new, gone = self.index.put_folder(*record)
                added.append(new)
                removed.append(gone)
            notify = self._changed(_joined(added), _joined(removed))
            self.version += 1  # a new mtime or skip count goes into the cache too
        self._notify(notify)

    def drop_folders(self, keys: Sequence[str]) -> None:
        for key in keys:
            with self.lock:
                self._changed(None, self.index.drop_folder(key))
                self.version += 1

    def settle_checks(self, good: Sequence[int], bad: Sequence[tuple[int, str | None]]) -> None:
        """Results of reading first bytes: `good` are photos; `bad` are (id, reason) pairs,
        a reason of None meaning the file is gone."""
        with self.lock:
            state = self.index.state
            good_ids = np.array(good, np.int32)
            good_ids = good_ids[state[good_ids] != FREE]
            if self._shuffle is not None:  # refused by next_path meanwhile, yet a photo now
                self._shuffle.add(good_ids[state[good_ids] == REFUSED])
            state[good_ids] = CHECKED
            self.version += 1  # the states go into the cache
            self._changed(None, self.index.reject(bad))

    def set_keys(self, photos: Sequence[int], keys: Sequence[float]) -> None:
        with self.lock:
            if self.index.keys is not None:
                self.index.keys[np.array(photos, np.int64)] = keys
                self.version += 1
                if self._sorted is not None:
                    self._sorted.changed()

    def _changed(self, added: np.ndarray | None, removed: np.ndarray | None) -> bool:
        """Tells the order; True when a caller found nothing before and now may."""
        if added is not None and len(added) or removed is not None and len(removed):
            self.version += 1
        if self._shuffle is not None:
            if removed is not None:
                self._shuffle.remove(removed)
            if added is not None:
                self._shuffle.add(added)
        elif self._sorted is not None:
            self._sorted.changed()
        if self._starved and added is not None and len(added):
            self._starved = False
            return True
        return False

    def _notify(self, notify: bool) -> None:
        if notify and self.on_available is not None:
            self.on_available()  # outside the lock: it may well call next_path

    # -- the caller's side -----------------------------------------------------------------

    def next_path(self, display: int = 0) -> str | None:
        """The display's next photo: forward through its history after `previous`, else a
        new one. None when the library has none (yet)."""
        with self.lock:
            history = self._histories.get(display)
            if history is None:
                history = self._histories[display] = _History()
            while history.cursor < len(history.entries) - 1:
                history.cursor += 1
                photo, path = history.entries[history.cursor]
                if self.index.path_of(photo) == path:
                    return path
            for _ in range(_REFUSALS):
                photo = self._deal(display)
                if photo is None:
                    self._starved = True
                    return None
                if self.index.state[photo] == UNCHECKED and not self._confirm(photo):
                    continue
                path = self.index.path_of(photo)
                history.entries.append((photo, path))
                history.cursor = len(history.entries) - 1
                return path
            return None

    def previous(self, display: int = 0) -> str | None:
        """The photo the display showed before the current one (stepping back through its
        history), or None at the start of it."""
        with self.lock:
            history = self._histories.get(display)
            while history is not None and history.cursor > 0:
                history.cursor -= 1
                photo, path = history.entries[history.cursor]
                if self.index.path_of(photo) == path:
                    return path
            return None

    def _deal(self, display: int) -> int | None:
        if self._sorted is not None:
            return self._sorted.deal(self.index, self.scanning)
        own = self._histories[display].entries
        latest = [h.entries[-1][0] for h in self._histories.values() if h.entries]
        recent = {photo for h in self._histories.values()
                  for photo, _ in list(h.entries)[-self._recent:]}
        tiers = (recent, set(latest), {own[-1][0]} if own else set())
        return self._shuffle.deal(tiers, lambda: self.index.ids_where(UNCHECKED, CHECKED))

    def _confirm(self, photo: int) -> bool:
        """Reads an unconfirmed photo's first bytes; a file that is not a photo (or is gone)
        leaves the order now, and the scan thread drops it from the index."""
        try:
            good = check_signature(self.index.path_of(photo)) is None
        except Gone:
            good = False
        if good:
            self.index.state[photo] = CHECKED
            return True
        self.index.state[photo] = REFUSED
        if self._shuffle is not None:
            self._shuffle.remove(np.array([photo], np.int32))
        return False
