"""The image decode worker process: requests in over a pipe, pixels out through a FrameRing.

A worker owns nothing: the parent creates its ring and its pipe, and the worker attaches to
the ring without registering it with a resource tracker. It serves one `DecodeRequest` at a
time: claim a slot, decode straight into it, publish it, and send a small `DecodeReply`.
A failed decode still publishes the slot, as an error record without pixels, so the
ring's consumer learns of it from shared memory alone; the reply carries the class and
the reason for the log.

Why the worker is so quiet and so easy to kill:

- It runs at the lowest CPU priority (nice 19 and SCHED_IDLE where the OS has them): with
  every core busy, a probe found that this gave the render thread the best frame-time tails.
- It ignores SIGINT (Ctrl-C reaches the whole process group; the parent handles it and
  stops the workers) and dies with its parent: EOF on the pipe, and on Linux
  PR_SET_PDEATHSIG so that even a worker in the middle of a long decode gets SIGTERM.
- It never waits for a free slot: the sender only sends while it knows one is free. If the
  ring is full anyway it answers `NO_FREE_SLOT` at once and the sender sends it again later.

Before each decode it tells the parent how many pixels the photo has (`DecodeStarted`, read
from the first `PROBE_BYTES` of the file's header, or `NOT_A_FILE` for a FIFO, device or
socket, or `UNSIZED`): the supervisor sizes the decode's deadline from it and kills a worker
that is past it (workers/supervisor.py). The probe never blocks: it opens the path as the
decoder does (library/files.py: without blocking, regular files only).
"""

from __future__ import annotations

import io
import os
import signal
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import NamedTuple

import numpy as np

from slideshow.library.files import NotRegularFile, open_regular
from slideshow.workers.processes import die_with_parent, lowest_priority
from slideshow.workers.ring import FrameRing
from slideshow.workers.saliency import focus_point

# decode_into(path, (width, height), fit, out) -> DecodeInfo; see workers/decode.py.
Decoder = Callable[[str, tuple[int, int], str, np.ndarray], object]

# The error class a reply names when the ring had no free slot; nothing was published.
NO_FREE_SLOT = "NoFreeSlot"
# The ring's error code for an exception that is not one of decode.py's typed errors
# (a decoder bug, MemoryError): any non-zero code marks an error record.
UNEXPECTED_ERROR_CODE = 255


@dataclass(frozen=True)
class CappedDecoder:
    """decode.py's `decode_into` with the show's file-size cap (`decode.max_file_mb`).

    A small picklable callable, handed to the pipeline as its decoder and so sent to each
    spawned worker: the setting reaches the worker without the show's process importing
    decode.py (which loads Pillow)."""

    max_file_bytes: int

    def __call__(self, path: str, target: tuple[int, int], fit: str, out: np.ndarray) -> object:
        # Heavy: Pillow's decoder loads in the worker process only (as in _default_decoder)
        from slideshow.workers.decode import decode_into

        return decode_into(path, target, fit, out, max_file_bytes=self.max_file_bytes)


class DecodeRequest(NamedTuple):
    """Decode `path` for a display of target_w x target_h pixels (sent parent -> worker)."""

    request_id: int
    path: str
    target_w: int
    target_h: int
    fit: str


class DecodeStarted(NamedTuple):
    """The worker took request `request_id` and is about to decode it (sent worker -> parent).
    `pixels`: width x height from the file's header, or UNSIZED, or NOT_A_FILE."""

    request_id: int
    pixels: int


# DecodeStarted.pixels when the header gave no size (not an image Pillow knows from its
# first bytes), and when the path is no regular file (a FIFO may block open() for ever).
UNSIZED = 0
NOT_A_FILE = -1
# How much of the file the size probe reads: a JPEG's frame header follows its EXIF block
# (at most 64 KiB) and any other APPn segments; 256 KiB is a page-cache copy of ~30 us.
PROBE_BYTES = 256 * 1024


class DecodeReply(NamedTuple):
    """What became of one request (sent worker -> parent). Sizes are 0 when unknown."""

    request_id: int
    ok: bool
    error_class: str | None  # e.g. "DamagedImage"; None when ok
    reason: str | None  # what a user can act on; None when ok
    source_width: int  # the photo as shown, after EXIF orientation
    source_height: int
    out_width: int  # what landed in the slot
    out_height: int
    ms: float  # decode time in ms
    focus: tuple[float, float] = (0.5, 0.5)  # where the photo's detail is, 0..1 from top-left


def run_worker(ring_name: str, conn: Connection, decoder: Decoder | None = None,
               parent_pid: int | None = None, first_at_normal_priority: bool = False) -> None:
    """The worker process's entry point; returns when told to stop (a `None` message) or
    when the parent is gone. `first_at_normal_priority`: the worker's imports and its first
    decode run at the priority it was started with, and only then does it drop to the
    lowest (the show's first start: nothing is on screen yet, and the first photo waits
    for this worker; at SCHED_IDLE beside the show's own start-up it got a core late)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    lowered = not first_at_normal_priority
    if lowered:
        lowest_priority()
    if parent_pid is not None and not die_with_parent(parent_pid):
        return

    decode = decoder if decoder is not None else _default_decoder()
    ring = FrameRing.attach(ring_name)

    def tell(message: DecodeStarted) -> None:
        try:
            conn.send(message)
        except OSError:
            pass  # the parent is gone: the next recv() ends the loop

    try:
        while True:
            try:
                request = conn.recv()
            except (EOFError, OSError):
                break  # the parent closed its end or died
            if request is None:
                break
            reply = serve(ring, request, decode, tell)
            try:
                conn.send(reply)
            except OSError:
                break
            if not lowered:
                lowest_priority()
                lowered = True
    finally:
        conn.close()
        ring.close()


def run_spare_worker(conn: Connection, parent_pid: int) -> None:
    """A spare worker's entry point (workers/spare.py): imports what a decode needs, then
    waits for its `WorkerSetup` and serves as `run_worker` does, its first decode at
    normal priority; returns at once on `None` or when the parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not die_with_parent(parent_pid):
        return
    # The imports this process was started early for: the decoder with Pillow's drivers.
    from PIL import Image

    from slideshow.workers import decode  # noqa: F401

    Image.init()
    try:
        setup = conn.recv()
    except (EOFError, OSError):
        setup = None
    if setup is None:
        conn.close()
        return
    run_worker(setup.ring_name, conn, setup.decoder, None, first_at_normal_priority=True)


def serve(ring: FrameRing, request: DecodeRequest, decode: Decoder,
          started: Callable[[DecodeStarted], None] | None = None) -> DecodeReply:
    """Decodes one request into a slot of `ring` and publishes it, pixels or error.
    `started`, when given, hears the photo's size before the decode begins."""
    index = ring.claim()
    if index is None:
        return DecodeReply(request.request_id, False, NO_FREE_SLOT,
                           "every ring slot was in use", 0, 0, 0, 0, 0.0)
    if started is not None:
        # After the claim: a WRITING slot is how the parent tells "died in a decode".
        started(DecodeStarted(request.request_id, probe_pixels(request.path)))
    start = time.perf_counter()
    try:
        info = decode(request.path, (request.target_w, request.target_h), request.fit,
                      ring.pixels(index))
    except Exception as exc:  # noqa: BLE001 - any failure becomes an error record
        ms = (time.perf_counter() - start) * 1e3
        ring.publish(index, request_id=request.request_id, width=0, height=0, stride=0,
                     decode_ms=ms, error_code=_error_code(exc))
        reason = getattr(exc, "reason", None) or str(exc) or type(exc).__name__
        return DecodeReply(request.request_id, False, type(exc).__name__, reason,
                           0, 0, 0, 0, ms)
    shown = np.ndarray((info.out_height, info.out_width, 4), np.uint8, buffer=ring.pixels(index),
                       strides=(info.stride, 4, 1))
    focus = focus_point(shown)  # for Ken Burns; a fraction of a ms, here rather than in a frame
    ring.publish(index, request_id=request.request_id, width=info.out_width,
                 height=info.out_height, stride=info.stride, decode_ms=info.ms)
    return DecodeReply(request.request_id, True, None, None, info.source_width,
                       info.source_height, info.out_width, info.out_height, info.ms, focus)


def probe_pixels(path: str) -> int:
    """width x height of the photo at `path` from its header, without ever blocking: a path
    that is no regular file is NOT_A_FILE (never opened); anything unreadable is UNSIZED
    (the decoder reports what is wrong with it)."""
    try:
        fd, _ = open_regular(path)  # never blocks; a FIFO or device raises NotRegularFile
    except NotRegularFile:
        return NOT_A_FILE
    except OSError:
        return UNSIZED
    try:
        with os.fdopen(fd, "rb") as file:
            head = file.read(PROBE_BYTES)
        # Heavy: as in _default_decoder (Pillow is loaded in the worker by then anyway).
        from PIL import Image

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a bomb warning: its size is all we want here
            with Image.open(io.BytesIO(head)) as image:
                width, height = image.size
        return max(UNSIZED, int(width) * int(height))
    except Exception:  # noqa: BLE001 - any failure: the size is unknown, the decode will say
        return UNSIZED


def _default_decoder() -> Decoder:
    # Heavy: Pillow's decoder loads in the worker process, never in the show's, which imports
    # this module for the workers' entry point
    from slideshow.workers.decode import decode_into

    return decode_into


def _error_code(exc: BaseException) -> int:
    try:
        # Heavy: as in _default_decoder.
        from slideshow.workers.decode import ERROR_CODES
    except ImportError:  # a test decoder without decode.py
        return UNEXPECTED_ERROR_CODE
    for cls in type(exc).__mro__:
        code = ERROR_CODES.get(cls)
        if code:
            return int(code)
    return UNEXPECTED_ERROR_CODE
