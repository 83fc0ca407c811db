"""The photos the displays draw from: the library (slideshow/library/) scanning the user's
folders, or the built-in demo set when there are none, mixed with images from feeds
(slideshow/feeds/) when some are configured; each display's next photo, and the pipelines
to wake when photos appear after a display found none.

What became of each decode comes back here (`note_result`, wired to every pipeline's
`on_result`): a photo that failed is logged once and then skipped quietly while the file
is unchanged (failed.py), and when a whole round of the user's photos has failed the demo
set stands in until one of them decodes again (stand_in.py).

Built before the displays, closed after them. The first photo is dealt as soon as the scan
finds it; start-up waits a moment only to tell "no photos at all" from "still looking".
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slideshow.config import Config
from slideshow.errors import ConfigError
from slideshow.library.demo import DemoSet
from slideshow.library.failed import FailedPhotos
from slideshow.library.library import PhotoLibrary
from slideshow.library.stand_in import TRY_EVERY_S, StandIn
from slideshow.workers.supervisor import QUARANTINED

if TYPE_CHECKING:
    from slideshow.workers.image_worker import DecodeReply

log = logging.getLogger(__name__)

FIRST_LOOK_S = 2.0  # how long start-up waits for a verdict on an empty-looking library
# Library photos one draw passes over as known bad before it sends the last of them to be
# decoded again (quietly, to end the draw): bounds one draw's stats. A larger library whose
# photos all fail again after one decoded is then found out a few hundred a draw.
DRAWS_PAST_BAD = 256
DEALT_KEPT = 1024  # library photos handed out and not yet decoded or failed, remembered


class DisplayPhotos:
    """`demo`: the demo set shown without folders and standing in for photos that cannot be
    decoded; `clock` and `try_every_s` time the stand-in's tries of the user's photos."""

    def __init__(self, config: Config, *, demo: DemoSet | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 try_every_s: float = TRY_EVERY_S) -> None:
        demo = demo or DemoSet()
        paths: list[Any] = list(config.show.paths)
        self.failed = FailedPhotos(log)
        # With no folder the demo set is the library: nothing could stand in for it.
        self.stand_in = (StandIn(demo, self._wake_all, log, clock=clock, try_every_s=try_every_s)
                         if paths else None)
        if not paths:
            paths = [demo.ensure()[0].parent]
        self.library = PhotoLibrary(paths, order=config.show.order, rescan_s=config.show.rescan_s)
        self._wakers: set[Callable[[], None]] = set()
        self._lock = threading.Lock()
        self._dealt: dict[str, None] = {}  # library photos handed out, outcome not yet known
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
        local = functools.partial(self._next_local, index)
        if self.feeds is None:
            return local
        from slideshow.feeds import MixedPhotos  # feeds only with feed URLs

        return MixedPhotos(local, self.feeds, self._feed_share)

    def note_result(self, path: str, reply: DecodeReply) -> None:
        """What became of one decode (any display's supervisor thread; its pipeline's
        `on_result`): a failure is logged once and remembered, a photo that decodes is
        forgotten as bad and ends a stand-in."""
        with self._lock:
            dealt = path in self._dealt  # the library's photo, not a demo or a feed one
            self._dealt.pop(path, None)
        if reply.ok:
            self.failed.forget(path)
            if dealt and self.stand_in is not None:
                self.stand_in.decoded(path)
            return
        self.failed.record(path, reply.error_class, reply.reason,
                           logged=reply.error_class == QUARANTINED)  # the supervisor named it
        if dealt and self.stand_in is not None:
            self.stand_in.failed(path, self.library.photo_count)

    def _next_local(self, display: int) -> str | None:
        """Display `display`'s next photo from the folders, or from the demo set while it
        stands in (then, now and then, a try of the folders' photos)."""
        stand_in = self.stand_in
        if stand_in is not None and stand_in.active:
            if stand_in.try_due():
                # Twice the listing: the rest of the shuffle's cycle, then a whole one, so a
                # try sees every photo (up to the cap); files known bad cost a stat each.
                limit = min(DRAWS_PAST_BAD, max(1, 2 * self.library.photo_count))
                path = self._draw(display, resend_bad=False, limit=limit)
                if path is not None:
                    return path
            return stand_in.next_demo(self.failed.is_known_bad)
        path = self._draw(display, resend_bad=True)
        if stand_in is not None and stand_in.active:  # that draw completed a failed round
            return stand_in.next_demo(self.failed.is_known_bad)
        return path

    def _draw(self, display: int, resend_bad: bool, limit: int = DRAWS_PAST_BAD) -> str | None:
        """The library's next photo for `display`, passing over files known bad (each one
        counts as failed in this round). After `limit` of them, the last one when
        `resend_bad` (its decode fails quietly, and its result brings the next draw), else
        None."""
        skipped: str | None = None
        passed = 0
        try:
            for _ in range(limit):
                path = self.library.next_path(display)
                if path is None:
                    return None
                if not self.failed.is_known_bad(path):
                    self._note_dealt(path)
                    return path
                skipped = path
                passed += 1
                if self.stand_in is not None:
                    self.stand_in.failed(path, self.library.photo_count)
                    if self.stand_in.active and resend_bad:
                        return None  # the round just failed: the caller takes a demo photo
            if resend_bad and skipped is not None:
                self._note_dealt(skipped)
                return skipped
            return None
        finally:
            if skipped is not None:
                log.debug("passed over %d photos that failed before and are unchanged since "
                          "(%d in all)", passed, self.failed.skips)

    def _note_dealt(self, path: str) -> None:
        with self._lock:
            self._dealt[path] = None
            if len(self._dealt) > DEALT_KEPT:  # requests given up (a drop) never report back
                del self._dealt[next(iter(self._dealt))]

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
        if self.stand_in is not None:
            self.stand_in.close()
        self.library.close()
