"""ShuffleCycle: deals every photo once per cycle, in random order, and keeps up with a
library that changes while it deals.

The photos not yet dealt this cycle sit at the front of a pool array; a photo's position in
the pool is kept per id, so dealing one (a random position, swapped with the last one
left), adding one (it joins the cycle now) and removing one are all O(1), at 8 bytes a
photo. When the pool is empty the next deal starts a new cycle with every photo.

A deal takes tiers of photos to avoid, strictest first: those on screen or queued for any
display, then each display's current photo, then the asking display's own last one. It
picks at random among the photos left in this cycle outside the strictest tier it can
satisfy, so a photo is never shown twice in a row across a cycle boundary and two displays
never show the same photo, unless the library is too small for that. A photo avoided is
not skipped: it stays in the cycle and comes later.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Sequence

import numpy as np

_TRIES = 16  # random picks before the allowed photos are listed outright


class ShuffleCycle:
    """Shuffled cycles over int photo ids; `rng` makes the order reproducible."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._pool = np.empty(0, np.int32)  # [0, left): not dealt yet this cycle
        self._left = 0
        self._slot = np.empty(0, np.int32)  # photo id -> position in the pool, or -1
        self.cycle = 0  # cycles started

    @property
    def left(self) -> int:
        """Photos still to be dealt in this cycle."""
        return self._left

    def add(self, photos: np.ndarray) -> None:
        """New photos join the current cycle."""
        if not len(photos):
            return
        self._grow_slots(int(photos.max()) + 1)
        fresh = photos[self._slot[photos] < 0]
        end = self._left + len(fresh)
        if end > len(self._pool):
            self._pool = np.concatenate([self._pool[:self._left],
                                         np.empty(max(end, 2 * len(self._pool)) - self._left, np.int32)])
        self._pool[self._left:end] = fresh
        self._slot[fresh] = np.arange(self._left, end, dtype=np.int32)
        self._left = end

    def remove(self, photos: np.ndarray) -> None:
        """Photos that are gone leave the cycle."""
        for photo in photos.tolist():
            if photo < len(self._slot) and self._slot[photo] >= 0:
                self._take(int(self._slot[photo]))

    def deal(self, avoid: Sequence[Collection[int]],
             everyone: Callable[[], np.ndarray]) -> int | None:
        """The next photo, or None when there are none. `everyone()` gives every photo's
        id; it is asked when a new cycle starts."""
        if self._left == 0:
            photos = everyone()
            if not len(photos):
                return None
            self.cycle += 1
            self.add(photos)
        for tier in (*avoid, ()):
            position = self._pick_outside(tier)
            if position is not None:
                photo = int(self._pool[position])
                self._take(position)
                return photo
        return None  # unreachable: the empty tier always allows a photo

    def _pick_outside(self, tier: Collection[int]) -> int | None:
        """A random pool position whose photo is not in `tier`, or None."""
        left = self._left
        for _ in range(_TRIES):
            position = self._rng.randrange(left)
            if int(self._pool[position]) not in tier:
                return position
        allowed = np.flatnonzero(~np.isin(self._pool[:left], np.fromiter(tier, np.int32)))
        return int(allowed[self._rng.randrange(len(allowed))]) if len(allowed) else None

    def _take(self, position: int) -> None:
        last = self._left - 1
        photo, moved = self._pool[position], self._pool[last]
        self._pool[position] = moved
        self._slot[moved] = position
        self._slot[photo] = -1
        self._left = last

    def _grow_slots(self, size: int) -> None:
        if size > len(self._slot):
            grown = np.full(max(size, 2 * len(self._slot)), -1, np.int32)
            grown[:len(self._slot)] = self._slot
            self._slot = grown
