"""PhotoLibrary: the photos under a set of folders, scanned on a thread of its own and dealt
out one at a time per display. The one class the app and `slideshow scan` use.

The thread loads the index cache (when there is one, every cached photo can be shown at
once), walks the folders (reusing each one whose mtime is unchanged), confirms new files by
their first bytes, finds the dates for the date order, and saves the cache. Then it sleeps,
and walks again every `rescan_s` seconds (on the injected `clock`) or when `rescan()` asks,
so files added or removed while the show runs join or leave it.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

from slideshow.errors import ConfigError
from slideshow.library import cache
from slideshow.library.index import REFUSED, UNCHECKED
from slideshow.library.listing import Scandir
from slideshow.library.scanner import Scanner
from slideshow.library.selection import PHOTO_ORDERS, Selection

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LibraryStats:
    """A snapshot of what the library knows and what its thread is doing."""

    photos: int  # photos to show: found by name, most also confirmed by their first bytes
    unchecked: int  # of those, not yet confirmed by their first bytes
    folders: int
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> count (listing.SKIP_REASONS)
    scanning: bool = False  # a scan (the first, or a rescan) is running
    phase: str = "idle"  # "loading cache", "listing", "checking", "dating", "idle"
    entries: int = 0  # directory entries looked at by the current or last walk
    folders_listed: int = 0  # folders read with scandir by the current or last walk
    folders_reused: int = 0  # folders whose listing was reused (mtime unchanged)
    seconds: float = 0.0  # the first scan's time, so far or in all
    listing_seconds: float = 0.0  # the first scan's time until every folder was walked
    scans: int = 0  # scans completed: the first one, then each rescan


class PhotoLibrary:
    """Photos under `paths` (folders, walked recursively, or files), in `order` (one of
    selection.PHOTO_ORDERS; `seed` makes a shuffle reproducible).

    `next_path(display)` and `previous(display)` may be called from any thread and never wait
    for the scan. `on_available()` is called on the scan thread when `next_path` returned None
    and photos have appeared since: wire it to the image supervisor's `poke()`. The index
    cache lives in `cache_dir` (default: the per-user cache folder); `use_cache=False`
    neither reads nor writes it. `scandir` stands in for os.scandir (tests count, fail or
    slow down its calls). `rescan_s` of 0 turns periodic rescans off.
    """

    def __init__(self, paths: Iterable[str | Path], cache_dir: str | Path | None = None,
                 order: str = "shuffle", seed: int | None = None, *, use_cache: bool = True,
                 rescan_s: float = 60.0, on_available: Callable[[], None] | None = None,
                 clock: Callable[[], float] = time.monotonic, scandir: Scandir = os.scandir,
                 recent: int = 4) -> None:
        if order not in PHOTO_ORDERS:
            raise ConfigError(f"photo order {order!r}: allowed values are {', '.join(PHOTO_ORDERS)}")
        roots = list(dict.fromkeys(os.path.abspath(os.path.expanduser(os.fspath(p)))
                                   for p in paths))
        missing = [p for p in roots if not os.path.lexists(p)]
        if missing:
            raise ConfigError(f"photo path {', '.join(missing)} does not exist")
        self.roots = tuple(roots)
        self.order = order
        self._clock, self._rescan_s = clock, rescan_s
        self._selection = Selection(order, seed, clock, recent)
        self._selection.on_available = on_available
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._scanned = threading.Event()
        self._rescan_asked = False
        self._scanner = Scanner(roots, self._selection, self._stop, scandir)
        self.cache_path = (cache.cache_file(cache_dir or cache.default_cache_dir(), roots)
                           if use_cache else None)
        self._saved_version = -1
        self._phase = "idle"
        self._started_at: float | None = None
        self._seconds = self._listing_seconds = 0.0
        self._scans = 0
        self._thread = threading.Thread(target=self._run, name="slideshow-library", daemon=True)

    # -- the caller's side -----------------------------------------------------------------

    def start(self) -> None:
        """Starts the scan thread; photos become available as it finds them."""
        self._started_at = time.perf_counter()
        self._thread.start()

    def next_path(self, display: int = 0) -> str | None:
        """The next photo for `display`, or None when none has been found (yet)."""
        return self._selection.next_path(display)

    def previous(self, display: int = 0) -> str | None:
        """Steps `display` back to the photo before its current one; None at the start.
        `next_path(display)` then steps forward again through the same photos."""
        return self._selection.previous(display)

    @property
    def on_available(self) -> Callable[[], None] | None:
        """Called on the scan thread when photos appear after `next_path` returned None;
        may be set after construction (the supervisor is usually built after the library)."""
        return self._selection.on_available

    @on_available.setter
    def on_available(self, callback: Callable[[], None] | None) -> None:
        self._selection.on_available = callback

    def wait_scanned(self, timeout_s: float | None = None) -> bool:
        """Waits until the first scan (every pass) is done; False on timeout."""
        return self._scanned.wait(timeout_s)

    def rescan(self) -> None:
        """Asks the thread to walk the folders again now (a key, a resume from sleep)."""
        self._rescan_asked = True
        self._wake.set()

    def poke(self) -> None:
        """Has the thread look at the clock now: a rescan runs if one is due. The thread
        does so by itself on the real clock; a test stepping a fake clock calls this."""
        self._wake.set()

    @property
    def photo_count(self) -> int:
        """Photos listed now (confirmed or not yet): `stats.photos` without the rest."""
        return self._selection.index.count

    @property
    def stats(self) -> LibraryStats:
        selection, scanner = self._selection, self._scanner
        with selection.lock:
            index = selection.index
            photos, folders = index.count, index.folder_count
            unchecked = len(index.ids_where(UNCHECKED, REFUSED))
            # dict(): one C-level copy, as the scan thread may add a reason meanwhile.
            skipped = +index.skipped + Counter(dict(scanner.walk_skipped))  # `+`: no zeros
        seconds = self._seconds
        if self._started_at is not None and not self._scanned.is_set():
            seconds = time.perf_counter() - self._started_at
        return LibraryStats(photos, unchecked, folders, dict(sorted(skipped.items())),
                            selection.scanning, self._phase, scanner.entries,
                            scanner.folders_listed, scanner.folders_reused, seconds,
                            self._listing_seconds, self._scans)

    def close(self) -> None:
        """Stops the scan (what it found so far goes into the cache) and joins the thread."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the scan thread -------------------------------------------------------------------

    def _run(self) -> None:
        try:
            self._scan(first=True)
            self._scanned.set()
            due = self._clock() + self._rescan_s
            while not self._stop.is_set():
                timeout = max(0.0, due - self._clock()) if self._rescan_s > 0 else None
                self._wake.wait(timeout)
                self._wake.clear()
                if self._stop.is_set():
                    break
                if self._rescan_asked or (self._rescan_s > 0 and self._clock() >= due):
                    self._rescan_asked = False
                    self._scan(first=False)
                    due = self._clock() + self._rescan_s
        except Exception:
            log.exception("scanning the photo folders failed; showing the photos found so far")
        finally:
            self._selection.scanning = False
            self._phase = "idle"
            self._scanned.set()
            self._save()

    def _scan(self, first: bool) -> None:
        selection, scanner = self._selection, self._scanner
        selection.scanning = True
        if first and self.cache_path is not None:
            self._phase = "loading cache"
            index = cache.load(self.cache_path, self.roots, sort_names=self.order != "shuffle",
                               keys_kind=self._keys_kind())
            if index is not None:
                selection.adopt(index)
                self._saved_version = selection.version
        self._phase = "listing"
        done = scanner.walk()
        if first and self._started_at is not None:
            self._listing_seconds = time.perf_counter() - self._started_at
        self._phase = "checking"
        done = done and scanner.check_signatures()
        if self.order in ("date", "mtime"):
            self._phase = "dating"
            done = done and scanner.fill_keys(use_exif=self.order == "date")
        if first and self._started_at is not None:
            self._seconds = time.perf_counter() - self._started_at
        if done:
            self._save()
        selection.scanning = False
        self._phase = "idle"
        self._scans += 1

    def _save(self) -> None:
        """Writes the cache when the index changed since it was loaded or last saved."""
        selection = self._selection
        if self.cache_path is None or selection.version == self._saved_version:
            return
        version = selection.version
        try:
            cache.save(self.cache_path, selection.index, self.roots, self._keys_kind())
        except OSError as exc:
            log.warning("could not save the photo index cache %s: %s", self.cache_path, exc)
            return
        self._saved_version = version

    def _keys_kind(self) -> str | None:
        return self.order if self.order in ("date", "mtime") else None
