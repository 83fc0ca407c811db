"""ImagePipeline: what the render thread talks to for decoded photos.

Paths go in through `next_path` (the photo source, asked on the supervisor thread whenever a
ring slot is free); display-ready photos come out of `take_ready()`, which reads ring slot
records from shared memory and never blocks or takes a lock. `release()` gives the slot
back and sends one byte to the supervisor's wake-up socket, so the freed slot is filled
again at once; that send (also made for each error record `take_ready()` clears away) is
the only system call on the render thread's side.

Request ids are ints in request order across all rings; the ring has no room for strings,
so the path (and the source size from the worker's reply) stays here, keyed by id. A slot
can turn READY a moment before its reply is read on the supervisor thread: such a photo
is handed out on a later call, once its path is known. Failed decodes arrive in the rings
as error records; they are released here silently, because the supervisor thread already
logged the file and the reason.

To show a chosen photo soon (the show's "previous" key), the consumer calls
`request_first(paths, drop_older=True)`: photos requested before the drop (request
ids below the supervisor's watermark) are released unshown here as they turn up, which
frees their slots for the chosen ones; until the supervisor has taken the drop,
`take_ready()` hands out nothing, so no old photo slips through.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np

from slideshow.workers.image_worker import Decoder, DecodeReply
from slideshow.workers.processes import Progress
from slideshow.workers.processes import progress as read_progress
from slideshow.workers.ring import FrameRing, SlotRecord
from slideshow.workers.spare import SpareWorkers
from slideshow.workers.supervisor import PAUSE_MAX_S, QUARANTINED, ResultHandler, Supervisor


class _Done(NamedTuple):
    path: str
    source_size: tuple[int, int]
    focus: tuple[float, float]


class ReadyPhoto:
    """A decoded photo in a ring slot, the render thread's until `release()`.

    `pixels` is a read-only (height, width, 4) uint8 RGBA view of shared memory: copy out
    of it (into a PBO), then release; it is not valid after that.
    """

    __slots__ = ("path", "width", "height", "pixels", "source_size", "decode_ms", "focus",
                 "request_id", "_pipeline", "_ring_index", "_slot", "_released")

    def __init__(self, pipeline: ImagePipeline, ring_index: int, slot: int, request_id: int,
                 path: str, pixels: np.ndarray, source_size: tuple[int, int],
                 decode_ms: float, focus: tuple[float, float] = (0.5, 0.5)) -> None:
        self.path = path
        self.height, self.width = int(pixels.shape[0]), int(pixels.shape[1])
        self.pixels = pixels
        self.source_size = source_size  # the photo as shown (after EXIF orientation), pixels
        self.decode_ms = decode_ms
        self.focus = focus  # where its detail is (workers/saliency.py), 0..1 from top-left
        self.request_id = request_id
        self._pipeline, self._ring_index, self._slot = pipeline, ring_index, slot
        self._released = False

    def release(self) -> None:
        self._pipeline.release(self)

    def __repr__(self) -> str:
        return (f"<ReadyPhoto {self.path} {self.width}x{self.height} "
                f"from {self.source_size[0]}x{self.source_size[1]} {self.decode_ms:.1f} ms>")


class ImagePipeline:
    """Keeps every worker's ring topped up with photos from `next_path`, decoded for a
    `target` (width, height) display with `fit`, and hands them to the render thread.

    `on_result(path, reply)`, when given, sees every finished request on the supervisor
    thread (the `check` command collects its report with it, and turns `log_skipped` off
    because it prints each failure itself). `decode_timeout_s` (0: sized from each photo's
    pixels), the restart budget and its pauses: workers/supervisor.py. `spares`: workers
    started earlier (workers/spare.py), one taken for the first worker's first start.
    """

    def __init__(self, next_path: Callable[[], str | None], target: tuple[int, int],
                 fit: str = "fill", *, workers: int = 0, ring_slots: int = 3,
                 restart_budget: int = 5, decoder: Decoder | None = None,
                 log: logging.Logger | None = None, on_result: ResultHandler | None = None,
                 log_skipped: bool = True, clock: Callable[[], float] = time.monotonic,
                 backoff_s: tuple[float, float] = (0.1, 5.0),
                 restart_window_s: float = 60.0, decode_timeout_s: float = 0.0,
                 pause_max_s: float = PAUSE_MAX_S,
                 progress: Callable[[int], Progress | None] = read_progress,
                 spares: SpareWorkers | None = None) -> None:
        self._log = log or logging.getLogger(__name__)
        self._on_result, self._log_skipped = on_result, log_skipped
        self._closed = False
        self._done: dict[int, _Done] = {}  # request id -> path of a decoded photo not yet taken
        self.decoded = 0
        self.failed = 0
        self._supervisor = Supervisor(
            next_path, target, fit, on_result=self._record, workers=workers,
            ring_slots=ring_slots, restart_budget=restart_budget, decoder=decoder,
            log=self._log, clock=clock, backoff_s=backoff_s, restart_window_s=restart_window_s,
            decode_timeout_s=decode_timeout_s, pause_max_s=pause_max_s, progress=progress,
            spares=spares)
        self._rings = self._supervisor.rings
        self._held: list[set[int]] = [set() for _ in self._rings]  # slots handed out, per ring

    @property
    def quarantined(self) -> tuple[str, ...]:
        return self._supervisor.quarantined

    @property
    def restarts(self) -> int:
        return self._supervisor.restarts

    @property
    def live_workers(self) -> int:
        return self._supervisor.live_workers

    @property
    def supervisor(self) -> Supervisor:
        return self._supervisor

    def request_first(self, paths: Sequence[str], *, drop_older: bool = False) -> None:
        """Decodes `paths` next, in order, before the source's photos. `drop_older`: every
        photo requested before is given up: decoded or in flight, it is released unshown,
        and the source's among them come again after `paths`. Never blocks."""
        self._supervisor.request_first(paths, drop_older=drop_older)

    def mark_shown(self, path: str) -> None:
        """`path` reached the screen: a later drop does not give it back."""
        self._supervisor.mark_shown(path)

    # -- render thread -------------------------------------------------------------------

    def take_ready(self) -> ReadyPhoto | None:
        """The READY photo requested first, across all rings, or None. Never blocks."""
        if self._closed or self._supervisor.drop_pending:
            return None  # (the drop is taken on the supervisor thread within a moment)
        watermark = self._supervisor.watermark
        best: tuple[int, int, SlotRecord, _Done] | None = None  # request id, ring, record, done
        for ring_index, ring in enumerate(self._rings):
            found = self._head(ring_index, ring, watermark)
            if found is not None and (best is None or found[0].request_id < best[0]):
                best = (found[0].request_id, ring_index, found[0], found[1])
        if best is None:
            return None
        request_id, ring_index, record, done = best
        del self._done[request_id]
        self._held[ring_index].add(record.index)
        return ReadyPhoto(self, ring_index, record.index, request_id, done.path,
                          self._rings[ring_index].view(record), done.source_size,
                          record.decode_ms, done.focus)

    def release(self, photo: ReadyPhoto) -> None:
        """Gives the photo's slot back to its worker; idempotent."""
        if photo._released or photo._pipeline is not self:
            return
        photo._released = True
        photo.pixels = None  # the view must not outlive the slot
        if self._closed:
            return
        self._held[photo._ring_index].discard(photo._slot)
        self._rings[photo._ring_index].release(photo._slot)
        self._supervisor.slot_freed(photo._ring_index)

    def _head(self, ring_index: int, ring: FrameRing,
              watermark: int) -> tuple[SlotRecord, _Done] | None:
        """The ring's oldest READY photo whose reply has arrived, after releasing the
        error records, abandoned requests and dropped photos in front of it."""
        while True:
            record = ring.take()
            if record is None or record.index in self._held[ring_index]:
                # The ring hands out its oldest READY slot: one not yet released hides
                # the ones behind it until it is.
                return None
            if not record.error_code and record.request_id >= watermark:
                pending = self._supervisor.is_pending(record.request_id)
                done = self._done.get(record.request_id)
                if done is not None:
                    return record, done
                if pending:
                    return None  # READY before its reply was read: next call
            # An error record (already logged), a slot published by a worker that died
            # before replying, whose request was sent again under a new id, or a photo
            # requested before a drop.
            self._done.pop(record.request_id, None)
            ring.release(record.index)
            self._supervisor.slot_freed(ring_index)

    # -- supervisor thread ---------------------------------------------------------------

    def _record(self, path: str, reply: DecodeReply) -> None:
        if reply.ok:
            if reply.request_id >= self._supervisor.watermark:  # else dropped: never taken
                self._done[reply.request_id] = _Done(
                    path, (reply.source_width, reply.source_height), reply.focus)
            self.decoded += 1
        elif reply.error_class != QUARANTINED:  # the supervisor logged that one
            self.failed += 1
            if self._log_skipped:
                self._log.warning("skipping %s: %s: %s", path, reply.error_class, reply.reason)
        if self._on_result is not None:
            self._on_result(path, reply)

    # -- lifetime ------------------------------------------------------------------------

    def close(self) -> None:
        """Stops the workers and frees the rings; photos still held become invalid."""
        self._closed = True
        self._supervisor.close()
        self._done.clear()

    def __enter__(self) -> ImagePipeline:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
