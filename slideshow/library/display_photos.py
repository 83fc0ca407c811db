"""The photos the displays draw from: the library (slideshow/library/) scanning the user's
folders, or the built-in demo set when there are none, mixed with images from feeds
(slideshow/feeds/) when some are configured; each display's next photo, and the pipelines
to wake when photos appear after a display found none.

Built before the displays, closed after them. The first photo is dealt as soon as the scan
finds it; start-up waits a moment only to tell "no photos at all" from "still looking".
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from slideshow.config import Config
from slideshow.errors import ConfigError
from slideshow.library.demo import ensure_demo_photos
from slideshow.library.library import PhotoLibrary

log = logging.getLogger(__name__)

FIRST_LOOK_S = 2.0  # how long start-up waits for a verdict on an empty-looking library


class DisplayPhotos:
    def __init__(self, config: Config) -> None:
        paths: list[Any] = list(config.show.paths)
        if not paths:
            paths = [ensure_demo_photos()[0].parent]
        self.library = PhotoLibrary(paths, order=config.show.order, rescan_s=config.show.rescan_s)
        self._wakers: set[Callable[[], None]] = set()
        self._lock = threading.Lock()
        self.library.on_available = self._wake_all
        self.library.start()
        self.feeds: Any = None
        self._feed_share = config.feeds.feed_share
        try:
            self._check_not_empty(config)
            if config.feeds.urls:
                # Feeds (HTTP, XML) only with feed URLs.
                from slideshow.feeds import AddressPolicy, FeedSource

                self.feeds = FeedSource(
                    config.feeds.urls, refresh_s=config.feeds.refresh_s,
                    max_bytes=int(config.feeds.max_mb * 2**20), timeout_s=config.feeds.timeout_s,
                    deadline_s=config.feeds.request_deadline_s, keep=config.feeds.keep,
                    policy=AddressPolicy(allow_private=config.feeds.allow_private),
                    on_new_photos=lambda paths: self._wake_all())
                self.feeds.start()
        except BaseException:
            self.library.close()
            raise

    def _check_not_empty(self, config: Config) -> None:
        deadline = time.monotonic() + FIRST_LOOK_S
        while time.monotonic() < deadline:
            stats = self.library.stats
            if stats.photos or stats.unchecked:
                return
            if self.library.wait_scanned(0.02):
                stats = self.library.stats
                if stats.photos or stats.unchecked:
                    return
                skipped = ", ".join(f"{count} {reason}" for reason, count in stats.skipped.items())
                raise ConfigError(
                    f"no photos found in {', '.join(config.show.paths)} (looked for JPEG, PNG, "
                    f"WebP, GIF, BMP, TIFF and HEIC files; hidden ones skipped"
                    + (f"; skipped: {skipped})" if skipped else ")"))
        log.info("still scanning the photo folders; the show starts with the first photo found")

    def for_display(self, index: int) -> Callable[[], str | None]:
        """Display `index`'s next photo (called on its pipeline's supervisor thread)."""
        local = functools.partial(self.library.next_path, index)
        if self.feeds is None:
            return local
        from slideshow.feeds import MixedPhotos  # feeds only with feed URLs

        return MixedPhotos(local, self.feeds, self._feed_share)

    def add_waker(self, wake: Callable[[], None]) -> None:
        """`wake()` is called when photos appear after `next_path` found none."""
        with self._lock:
            self._wakers.add(wake)

    def remove_waker(self, wake: Callable[[], None]) -> None:
        with self._lock:
            self._wakers.discard(wake)

    def _wake_all(self) -> None:
        with self._lock:
            wakers = list(self._wakers)
        for wake in wakers:
            wake()

    def close(self) -> None:
        if self.feeds is not None:
            self.feeds.close()
        self.library.close()
