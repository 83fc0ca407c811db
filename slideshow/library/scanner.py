"""Scanner: the passes the library's thread runs over the photo folders.

1. `walk`: every folder under the roots, depth first. A folder is `stat`ed; if its mtime
   (and device and inode) match its record in the index, its listing is reused (adding,
   removing or renaming an entry changes a folder's mtime, editing a file does not), else it
   is listed again with one `os.scandir` and its record replaced, names it had before keeping
   their ids. Links to folders are followed; a folder reached twice (its (st_dev, st_ino)
   seen before) is not walked again: a `symlink_loop` when it contains the link, else a
   `duplicate_folder`. Folders that were not reached by a complete walk are dropped.
   A folder whose mtime is within `RACY_S` of the clock is not trusted next time (a change
   in the same clock tick would not move it): it is listed again on the next walk.
2. `check_signatures`: the first bytes of every photo not yet confirmed, in batches.
3. `fill_keys` (date and mtime order only): the sort key of every photo lacking one.

Each pass stops early when `stop` is set; what it did is kept, and the cache saved then is
consistent, only less complete.
"""

from __future__ import annotations

import os
import stat
import threading
import time
from collections import Counter
from collections.abc import Sequence

import numpy as np

from slideshow.library.dates import sort_time
from slideshow.library.index import CHECKED, REFUSED, UNCHECKED
from slideshow.library.listing import (
    DUPLICATE_FOLDER,
    SYMLINK_LOOP,
    UNREADABLE_FOLDER,
    Gone,
    Scandir,
    check_signature,
    list_folder,
)
from slideshow.library.selection import FolderListing, Selection

RACY_S = 2.0  # a folder changed this recently is listed again next time (FAT's mtimes: 2 s)
BATCH = 512  # photos per lock hold: listed folders handed over, signatures, keys
HAND_OVER_S = 0.1  # listed folders wait at most this long to be handed over


class Scanner:
    """Runs the passes for `roots` (absolute, as given) into `selection`. The counters are
    read by the library's stats from other threads (plain ints: a snapshot is enough)."""

    def __init__(self, roots: Sequence[str], selection: Selection, stop: threading.Event,
                 scandir: Scandir = os.scandir) -> None:
        self._roots = list(roots)
        self._selection = selection
        self._stop = stop
        self._scandir = scandir
        self.walk_skipped: Counter[str] = Counter()  # this walk's: loops, unreadable folders
        self.entries = 0  # directory entries looked at by this walk (reused ones counted too)
        self.folders_listed = 0
        self.folders_reused = 0
        self.checked = 0  # signatures read by this check pass
        self._pending: list[FolderListing] = []  # listed, not yet handed to the selection
        self._pending_names = 0
        self._handed_at = time.monotonic()

    def walk(self) -> bool:
        """One walk over every root; False when stopped before the end."""
        self.walk_skipped = skipped = Counter()
        self.entries = self.folders_listed = self.folders_reused = 0
        visited: set[tuple[int, int]] = set()
        seen: set[str] = set()
        stack: list[tuple[str, frozenset[tuple[int, int]] | None]] = [
            (root, None) for root in reversed(self._roots)]  # None: a root
        while stack:
            if self._stop.is_set():
                self._hand_over(None)
                return False
            path, ancestors = stack.pop()
            try:
                info = os.stat(path)
            except FileNotFoundError:
                continue  # gone since its parent was listed; its record is dropped below
            except OSError:
                skipped[UNREADABLE_FOLDER] += 1
                continue
            if not stat.S_ISDIR(info.st_mode):
                if ancestors is None and stat.S_ISREG(info.st_mode):
                    self._visit_named_file(path, info)
                    seen.add(path)
                continue
            key = (info.st_dev, info.st_ino)
            if ancestors is not None and key in ancestors:
                skipped[SYMLINK_LOOP] += 1
                continue
            if key in visited:
                skipped[DUPLICATE_FOLDER] += 1
                continue
            visited.add(key)
            subdirs = self._visit_folder(path, info)
            if subdirs is None:
                continue
            seen.add(path)
            inner = (ancestors or frozenset()) | {key}
            stack.extend((os.path.join(path, name), inner) for name in reversed(subdirs))
        self._hand_over(None)
        index = self._selection.index
        self._selection.drop_folders([key for key in index.folder_keys() if key not in seen])
        return True

    def _visit_folder(self, path: str, info: os.stat_result) -> Sequence[str] | None:
        """The folder's subfolders, from its record or a new listing; None if unreadable."""
        record = self._selection.index.folder(path)  # no lock: only this thread writes
        if (record is not None and record.mtime_ns >= 0 and record.mtime_ns == info.st_mtime_ns
                and (record.dev, record.ino) == (info.st_dev, info.st_ino)):
            self.folders_reused += 1
            self.entries += len(record.ids) + len(record.subdirs) + sum(record.skipped.values())
            return record.subdirs
        try:
            listing = list_folder(path, self._scandir)
        except FileNotFoundError:
            return None
        except OSError:
            self.walk_skipped[UNREADABLE_FOLDER] += 1
            return None
        self.folders_listed += 1
        self.entries += listing.entries
        self._hand_over(FolderListing(path, path, _trusted_mtime(info), info.st_dev, info.st_ino,
                                      listing.names, listing.subdirs, listing.skipped))
        return listing.subdirs

    def _hand_over(self, listing: FolderListing | None) -> None:
        """Gives listings to the selection in batches, since the numpy work and the lock are
        paid per call (at 50 photos a folder, the walk of 200,000 took 0.29 s instead of
        0.31 s; Python's own scandir is most of the rest); at once while nothing can be
        shown yet, and at least every HAND_OVER_S."""
        if listing is not None:
            self._pending.append(listing)
            self._pending_names += len(listing.names)
        if self._pending and (listing is None or self._pending_names >= BATCH
                              or self._selection.index.count == 0
                              or time.monotonic() - self._handed_at >= HAND_OVER_S):
            self._selection.put_folders(self._pending)
            self._pending, self._pending_names = [], 0
            self._handed_at = time.monotonic()

    def _visit_named_file(self, path: str, info: os.stat_result) -> None:
        """A file given as a root: a record of its own, whatever its suffix."""
        record = self._selection.index.folder(path)
        self.entries += 1
        if record is not None and record.mtime_ns == info.st_mtime_ns >= 0:
            return
        self._hand_over(FolderListing(path, os.path.dirname(path), _trusted_mtime(info),
                                      info.st_dev, info.st_ino, [os.path.basename(path)], (), {}))

    def check_signatures(self) -> bool:
        """Reads the first bytes of every photo not yet confirmed; False when stopped."""
        self.checked = 0
        pending = self._selection.index.ids_where(UNCHECKED, REFUSED).tolist()
        for start in range(0, len(pending), BATCH):
            if self._stop.is_set():
                return False
            index = self._selection.index
            good: list[int] = []
            bad: list[tuple[int, str | None]] = []
            for photo in pending[start:start + BATCH]:
                path = index.path_of(photo)
                if path is None:
                    continue
                try:
                    reason = check_signature(path)
                except Gone:
                    bad.append((photo, None))
                    continue
                if reason is None:
                    good.append(photo)
                else:
                    bad.append((photo, reason))
            self._selection.settle_checks(good, bad)
            self.checked += len(good) + len(bad)
        return True

    def fill_keys(self, use_exif: bool) -> bool:
        """Sort keys (date taken or mtime) for photos lacking one; False when stopped."""
        index = self._selection.index
        if index.keys is None:
            return True
        pending = index.ids_where(UNCHECKED, CHECKED)
        pending = pending[np.isnan(index.keys[pending])].tolist()
        for start in range(0, len(pending), BATCH):
            if self._stop.is_set():
                return False
            photos, keys = [], []
            for photo in pending[start:start + BATCH]:
                path = index.path_of(photo)
                key = sort_time(path, use_exif) if path is not None else None
                if key is not None:
                    photos.append(photo)
                    keys.append(key)
            self._selection.set_keys(photos, keys)
        return True


def _trusted_mtime(info: os.stat_result) -> int:
    """The mtime to record, or -1 when it is too recent to prove the next one unchanged."""
    return info.st_mtime_ns if time.time_ns() - info.st_mtime_ns > RACY_S * 1e9 else -1
