"""LatestValue: the newest complete value of a small array (FFT bands, a waveform) shared
by one writer process with any number of readers, through a seqlock in shared memory.

Where only the newest value matters, a queue is wrong (a slow reader falls behind and a
fast one waits). Here neither side ever waits: the writer writes, a reader copies and keeps
the copy only if the buffer's sequence word did not move meanwhile.

Two buffers, written in turn: write n goes to buffer n % 2 while readers copy write n - 1
from the other one, and the header's `latest` word moves to n only once write n is
complete. A reader therefore collides with the writer only when two whole writes happen
during its copy, not whenever one is in progress, and a writer preempted (or killed)
inside `write` leaves the previous value readable. Measured on this 2-core box with a
writer rewriting 64 KiB back to back: with one buffer more than a quarter of reads gave up
after 100 tries; with two, none did (median read 2.4 us).

Layout (aligned 64-bit words):

    header    magic, version, latest (number of the newest complete write), count,
              dtype code, 3 spare
    buffer 0  sequence, timestamp_s (float64), 6 spare, then `count` values
    buffer 1  the same, starting on the next 64-byte boundary

A buffer's sequence word is 2n - 1 (odd) while write n is going into it and 2n once it is
complete. An aligned 8-byte numpy store is single-copy atomic on x86-64 and arm64, so no
word is ever seen torn; x86-64 keeps stores and loads in program order, and on arm64 the
interpreter's work between the accesses stands in for barriers (not a formal guarantee).
"""

from __future__ import annotations

import struct
from multiprocessing.shared_memory import SharedMemory

import numpy as np
from numpy.typing import DTypeLike

from slideshow.workers.shm import attach_segment, create_segment, unlink_segment

_MAGIC = int.from_bytes(b"SLSLATE2", "little")
_VERSION = 2
_HEADER_WORDS = 8
_H_MAGIC, _H_VERSION, _H_LATEST, _H_COUNT, _H_DTYPE = range(5)
_B_SEQUENCE, _B_TIMESTAMP = range(2)
_BUFFER_HEADER_BYTES = 64
_READ_TRIES = 100  # each retry means two more writes landed meanwhile; then give up


def _dtype_code(dtype: np.dtype) -> int:
    return int.from_bytes(dtype.str.encode("ascii").ljust(8, b"\0"), "little")


def _buffer_pitch(count: int, dtype: np.dtype) -> int:
    return -(-(_BUFFER_HEADER_BYTES + count * dtype.itemsize) // 64) * 64


class LatestValue:
    """`count` values of `dtype`; one writer, readers in any process."""

    def __init__(self, segment: SharedMemory, count: int, dtype: DTypeLike, *, owner: bool) -> None:
        self._segment = segment
        self.owner = owner
        self.name = segment.name.lstrip("/")
        self.count = count
        self.dtype = np.dtype(dtype)
        self.missed_reads = 0  # reads that gave up because the writer lapped them every time
        self._closed = False
        self._unlinked = False
        # Checked through struct, not numpy: a refused segment must close without views.
        pitch = _buffer_pitch(count, self.dtype)
        if segment.size < _HEADER_WORDS * 8:
            raise ValueError(f"shared-memory segment {self.name!r} is too small to be a LatestValue")
        magic, version, _, stored_count, stored_dtype = struct.unpack_from("<5q", segment.buf, 0)
        if magic != _MAGIC or version != _VERSION:
            raise ValueError(f"shared-memory segment {self.name!r} is not a version-{_VERSION} LatestValue")
        layout_matches = stored_count == count and stored_dtype == _dtype_code(self.dtype)
        if not layout_matches or segment.size < _HEADER_WORDS * 8 + 2 * pitch:
            raise ValueError(f"LatestValue {self.name!r} holds {stored_count} values of another layout "
                             f"than the {count} x {self.dtype} asked for")
        self._header = np.frombuffer(segment.buf, dtype=np.int64, count=_HEADER_WORDS)
        offsets = [_HEADER_WORDS * 8 + b * pitch for b in (0, 1)]
        buf = segment.buf
        self._sequences = [np.frombuffer(buf, dtype=np.int64, count=1, offset=o) for o in offsets]
        self._timestamps = [np.frombuffer(buf, dtype=np.float64, count=1, offset=o + 8) for o in offsets]
        self._values = [np.frombuffer(buf, dtype=self.dtype, count=count, offset=o + _BUFFER_HEADER_BYTES)
                        for o in offsets]

    @classmethod
    def create(cls, count: int, dtype: DTypeLike = np.float32, label: str = "latest") -> "LatestValue":
        """A new block owned by this process; nothing written yet."""
        if count < 1:
            raise ValueError(f"a LatestValue needs at least one value, got count={count}")
        dtype = np.dtype(dtype)
        segment = create_segment(label, _HEADER_WORDS * 8 + 2 * _buffer_pitch(count, dtype))
        struct.pack_into("<5q", segment.buf, 0, 0, 0, 0, count, _dtype_code(dtype))
        struct.pack_into("<2q", segment.buf, 0, _MAGIC, _VERSION)  # last: an attach before this is refused
        return cls(segment, count, dtype, owner=True)

    @classmethod
    def attach(cls, name: str, count: int, dtype: DTypeLike = np.float32) -> "LatestValue":
        """The block created elsewhere under `name`; `count` and `dtype` must match."""
        segment = attach_segment(name)
        try:
            return cls(segment, count, dtype, owner=False)
        except ValueError:
            segment.close()
            raise

    def write(self, values: np.ndarray, timestamp_s: float) -> None:
        """Publish `values` (shape (count,)) taken at `timestamp_s`. One writer only."""
        if np.shape(values) != (self.count,):
            raise ValueError(f"LatestValue {self.name!r} holds {self.count} values, "
                             f"got shape {np.shape(values)}")
        number = int(self._header[_H_LATEST]) + 1
        buffer = number % 2
        sequence = self._sequences[buffer]
        sequence[0] = 2 * number - 1  # odd: readers of this buffer retry
        np.copyto(self._values[buffer], values)
        self._timestamps[buffer][0] = timestamp_s
        sequence[0] = 2 * number
        self._header[_H_LATEST] = number  # last: readers move to this buffer

    def read_into(self, out: np.ndarray) -> tuple[int, float] | None:
        """Copy the newest complete value into `out`; returns (sequence, timestamp_s),
        the sequence counting writes (1 after the first). None when nothing was written
        yet, or, in the rare case that the writer lapped every try, with `out` possibly
        torn: keep using the previous value then."""
        header = self._header
        for _ in range(_READ_TRIES):
            number = int(header[_H_LATEST])
            if number == 0:
                return None
            buffer = number % 2
            sequence = self._sequences[buffer]
            if int(sequence[0]) != 2 * number:
                continue  # the writer is already overwriting it with write number + 2
            np.copyto(out, self._values[buffer])
            timestamp_s = float(self._timestamps[buffer][0])
            if int(sequence[0]) == 2 * number:
                return number, timestamp_s
        self.missed_reads += 1
        return None

    def close(self) -> None:
        """Drop this side's mapping; idempotent."""
        if self._closed:
            return
        self._closed = True
        self._header = self._sequences = self._timestamps = self._values = None  # type: ignore[assignment]
        self._segment.close()

    def unlink(self) -> None:
        """Remove the segment's name (owner only: on an attached block this does
        nothing). Idempotent."""
        if not self.owner or self._unlinked:
            return
        self._unlinked = True
        unlink_segment(self._segment)

    def __repr__(self) -> str:
        role = "owner" if self.owner else "attached"
        return f"<LatestValue {self.name} {self.count} x {self.dtype} {role}>"
