"""RequestOrder: which path the supervisor sends to a worker next, and what a drop gives back.

Paths go out in this order: the ones the consumer asked for first (`ask_first`, e.g. the
show's previous photo), retries of requests a dead worker left unanswered, the source's
photos a drop gave back, then new ones from `next_path`.

A drop (`ask_first(..., drop_older=True)`) gives up every request made so far: their ids
fall below the new `watermark`, and the consumer releases such photos unshown as they turn
up. The source's photos among them that were never shown (the consumer reports shown ones
with `mark_shown`) go back in line, in their order, so that stepping back and forward
again skips none of them.

Threads: the consumer only appends to deques and bumps its own counter (`ask_first`,
`mark_shown`), then pokes the supervisor; everything else runs on the supervisor thread.
The drop is a handshake: `drop_pending` is True from the consumer's ask until the
supervisor thread has set the watermark (written before the counter it compares with).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Container, Sequence

# The source's photos requested and not yet marked shown are remembered (to give them back
# after a drop) up to this many: normally a ring's worth per worker, plus one held by the
# show; a consumer that never marks photos shown must not grow it without end.
UNSHOWN_KEPT = 256


class RequestOrder:
    def __init__(self, next_path: Callable[[], str | None], log: logging.Logger) -> None:
        self._next_path, self._log = next_path, log
        self._firsts: deque[str] = deque()  # asked for by the consumer
        self._retries: deque[str] = deque()  # re-sends of requests a worker left unanswered
        self._resume: deque[str] = deque()  # the source's photos a drop gave back
        self._unshown: dict[str, None] = {}  # the source's photos requested, not yet shown
        # From the consumer: (drop older requests?, paths to send first), and paths shown.
        self._orders: deque[tuple[bool, tuple[str, ...]]] = deque()
        self._shown: deque[str] = deque()
        #: Requests with an id below this were dropped: their photos are not to be shown.
        self.watermark = 1
        self._drops_asked = 0  # written by the consumer only
        self._drops_done = 0  # written by the supervisor thread only, after `watermark`

    # -- the consumer's side (one thread; never blocks) ------------------------------------

    def ask_first(self, paths: Sequence[str], drop_older: bool = False) -> None:
        if drop_older:
            self._drops_asked += 1
        self._orders.append((drop_older, tuple(str(p) for p in paths)))

    def mark_shown(self, path: str) -> None:
        self._shown.append(path)

    @property
    def drop_pending(self) -> bool:
        return self._drops_done != self._drops_asked

    # -- the supervisor thread ---------------------------------------------------------------

    def apply_orders(self, next_id: int) -> None:
        """Takes the consumer's orders; `next_id` is the id the next request will get."""
        while self._orders:
            drop_older, paths = self._orders.popleft()
            # Shown marks made before this order was appended are visible now: forget
            # them first, so a drop gives back only photos never shown.
            self._forget_shown()
            if drop_older:
                self._drop(next_id)
            self._firsts.extend(paths)
        self._forget_shown()

    def next(self, quarantined: Container[str], tries: int) -> str | None:
        """The next path to request, or None for "nothing now". `tries`: how many times
        to ask the source past quarantined paths before giving up for now."""
        for queue in (self._firsts, self._retries, self._resume):
            while queue:
                path = queue.popleft()
                if path not in quarantined:
                    if queue is self._resume:
                        self._remember_unshown(path)
                    return path
        # A source that only yields quarantined files must not keep this thread busy.
        for _ in range(tries):
            try:
                path = self._next_path()
            except Exception:
                self._log.exception("the photo source failed; asking it again later")
                return None
            if path is None:
                return None
            if path not in quarantined:
                self._remember_unshown(str(path))
                return str(path)
        return None

    def retry(self, paths: Sequence[str], request_ids: Sequence[int]) -> None:
        """Sends `paths` again before anything but the consumer's firsts, unless their
        requests were dropped (the source's among those are in line already)."""
        again = [path for path, request_id in zip(paths, request_ids)
                 if request_id >= self.watermark]
        self._retries.extendleft(reversed(again))

    def forget(self, path: str) -> None:
        """`path` failed or was quarantined: it is never to be given back."""
        self._unshown.pop(path, None)

    def _remember_unshown(self, path: str) -> None:
        self._unshown[path] = None
        if len(self._unshown) > UNSHOWN_KEPT:
            del self._unshown[next(iter(self._unshown))]

    def _forget_shown(self) -> None:
        while self._shown:
            self._unshown.pop(self._shown.popleft(), None)

    def _drop(self, next_id: int) -> None:
        """Everything requested so far is old: the source's unshown photos (sent, or given
        back by an earlier drop and not sent again yet) go back in line, in order; asked-for
        paths and retries of old requests are forgotten."""
        self.watermark = next_id
        again = list(self._unshown)
        # While a drop's photos are being sent again, no new one is asked of the source:
        # the sent ones came before those still waiting.
        again += [path for path in self._resume if path not in self._unshown]
        self._unshown.clear()
        self._resume = deque(again)
        self._firsts.clear()
        self._retries.clear()  # of old requests: the source's ones are in `again`
        self._drops_done += 1  # after the watermark: the consumer reads them the other way round
