"""MixedPhotos: photos from local folders with feed photos mixed in at a given share.

Each draw is a feed photo with probability `feed_share` when the feed source has any,
else the local source's next photo. Feed photos are dealt in cycles: none is shown twice
before every one has been, photos that arrived after the first draw come first, newest
first (a new image of the day shows at the next feed draw), the rest in random order. When the local
source has nothing (returns None), feed photos are shown instead.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Protocol

from slideshow.errors import ConfigError


class PhotoFeed(Protocol):
    def photos(self) -> list[str]: ...


class MixedPhotos:
    """`local_next()` returns the next local path or None; `feed.photos()` lists the feed
    photos (FeedSource fits). `feed_share` is 0..1; `rng` makes the draws reproducible."""

    def __init__(self, local_next: Callable[[], str | None], feed: PhotoFeed,
                 feed_share: float = 0.25, rng: random.Random | None = None) -> None:
        if not 0.0 <= feed_share <= 1.0:
            raise ConfigError(f"feed_share = {feed_share!r}: must be 0..1")
        self._local_next = local_next
        self._feed = feed
        self.feed_share = feed_share
        self._rng = rng or random.Random()
        self._known: set[str] | None = None  # feed photos listed at the last draw
        self._fresh: list[str] = []  # arrived since, not shown yet: newest first
        self._shown: set[str] = set()  # shown in the current cycle
        self._last: str | None = None  # the last feed photo shown

    def __call__(self) -> str | None:
        return self.next_path()

    def next_path(self) -> str | None:
        """The next photo to show, or None when neither source has one."""
        listed = self._feed.photos()
        self._take_in(listed)
        if listed and self._rng.random() < self.feed_share:
            return self._next_feed(listed)
        path = self._local_next()
        if path is None and listed:
            return self._next_feed(listed)
        return path

    def _take_in(self, listed: list[str]) -> None:
        current = set(listed)
        if self._known is not None:  # what is there at the first draw is not news
            arrived = [p for p in listed if p not in self._known]
            self._fresh = arrived + [p for p in self._fresh if p in current]
        self._known = current
        self._shown &= current

    def _next_feed(self, listed: list[str]) -> str:
        if self._fresh:
            path = self._fresh.pop(0)
        else:
            left = [p for p in listed if p not in self._shown]
            if not left:  # a new cycle; not the photo just shown, unless it is the only one
                self._shown.clear()
                left = [p for p in listed if p != self._last] or listed
            path = left[self._rng.randrange(len(left))]
        self._shown.add(path)
        self._last = path
        return path
