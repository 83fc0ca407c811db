"""The ring between a capture backend's delivery and the FFT worker's hop loop.

Both backends write through one `CaptureRing`: sounddevice from PortAudio's callback
thread, soundcard from the reader thread of loopback.py. `write` copies each block into a
preallocated array (nothing allocated per block); `take` on the worker's thread returns
what arrived since its last look. One writer and one reader: the reader trusts the
`written` count, which the writer moves only after the copy, so it never sees a torn
block (a block the writer overwrote meanwhile is a ring overrun, two seconds behind).

`arrivals_s`, when a list is given, gets the monotonic time of each `write`: the seam
benchmarks/audio.py measures delivery intervals through; a show passes none.
"""

from __future__ import annotations

import time

import numpy as np

RING_S = 2.0  # seconds of audio the ring holds


class CaptureRing:
    """`channels` columns of float32 samples, `RING_S` seconds of them at `sample_rate`."""

    def __init__(self, sample_rate: int, channels: int,
                 arrivals_s: list[float] | None = None) -> None:
        self._ring = np.zeros((int(sample_rate * RING_S), channels), dtype=np.float32)
        self._out = np.zeros_like(self._ring)
        self._written = 0  # frames written, ever
        self._read = 0  # frames take() has returned, ever
        self.arrivals_s = arrivals_s

    def write(self, block: np.ndarray) -> None:
        """Appends `block` (frames x channels; at most the ring's length is kept)."""
        ring, size = self._ring, len(self._ring)
        frames = min(len(block), size)
        block = block[len(block) - frames:]
        start = self._written % size
        first = min(frames, size - start)
        ring[start:start + first] = block[:first]
        if first < frames:
            ring[: frames - first] = block[first:]
        self._written += frames
        if self.arrivals_s is not None:
            self.arrivals_s.append(time.monotonic())

    def take(self) -> np.ndarray:
        """The frames that arrived since the last call (a view, valid until the next
        call), at most the ring's length; empty when nothing came."""
        written, size = self._written, len(self._ring)
        count = min(written - self._read, size)
        start = (written - count) % size
        first = min(count, size - start)
        self._out[:first] = self._ring[start:start + first]
        self._out[first:count] = self._ring[: count - first]
        self._read = written
        return self._out[:count]
