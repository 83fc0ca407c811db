"""FrameRing: decoded frames handed from one worker process to one render thread through
shared memory, with no lock, no pipe and no syscall on the consumer's side.

Layout of the segment (all header fields are aligned 64-bit words):

    ring header   8 words   magic, version, slot_count, slot_bytes, data_offset,
                            last_sequence (written only by the producer), 2 spare
    slot records  16 words  state, sequence, request_id, width, height, stride,
                  per slot  pixel_format, error_code, decode_ms (float64), 7 spare
                            (128 bytes: a record never shares a cache line with another)
    slots         K x slot_bytes, each starting on a 4096-byte page

Each slot goes FREE -> WRITING -> READY -> FREE. Only the producer moves a slot out of
FREE or WRITING, only the consumer moves it out of READY, so a plain store of the state
word is the whole protocol: the producer writes pixels and fields first and the state word
last; the consumer loads the state word first and only then the fields and pixels.

Why plain numpy stores are enough: an aligned 8-byte store is single-copy atomic on
x86-64 and arm64, so a state word is never seen torn. x86-64 (TSO) also keeps stores in
program order and loads in program order, which is the release/acquire pair the protocol
needs. arm64 may reorder both; there we rely on the thousands of interpreter instructions
and the numpy calls between the pixel stores and the state store (and between the state
load and the pixel loads), which is not a formal barrier. A producer SIGKILLed between
claim and publish leaves its slot WRITING: the consumer never sees a torn frame, and
`reclaim_writing` frees the slot once the supervisor knows the producer is dead.

The last sequence number lives in the header, so a restarted producer that attaches to
the same ring keeps numbering where its predecessor stopped.
"""

from __future__ import annotations

import enum
import logging
import struct
from dataclasses import dataclass
from multiprocessing.shared_memory import SharedMemory

import numpy as np

from slideshow.workers.shm import attach_segment, create_segment, unlink_segment

log = logging.getLogger(__name__)


class SlotState(enum.IntEnum):
    FREE = 0
    WRITING = 1
    READY = 2


class PixelFormat(enum.IntEnum):
    RGBA8 = 1  # 4 bytes a pixel, R first; rows `stride` bytes apart


@dataclass(frozen=True, slots=True)
class SlotRecord:
    """A READY slot as the consumer took it."""

    index: int
    sequence: int  # 1, 2, 3... in publish order, per ring
    request_id: int
    width: int  # pixels
    height: int  # pixels
    stride: int  # bytes from one row to the next
    pixel_format: int  # a PixelFormat
    error_code: int  # 0 when the slot holds a frame; the worker's code otherwise
    decode_ms: float


_MAGIC = int.from_bytes(b"SLSRING1", "little")
_VERSION = 1
_HEADER_WORDS = 8
_RECORD_WORDS = 16
_PAGE_BYTES = 4096
_MAX_SLOTS = 64

# ring header words
_H_MAGIC, _H_VERSION, _H_SLOT_COUNT, _H_SLOT_BYTES, _H_DATA_OFFSET, _H_LAST_SEQUENCE = range(6)
# slot record words
_STATE, _SEQUENCE, _REQUEST_ID, _WIDTH, _HEIGHT, _STRIDE, _FORMAT, _ERROR, _DECODE_MS = range(9)

_FREE, _WRITING, _READY = int(SlotState.FREE), int(SlotState.WRITING), int(SlotState.READY)


def _round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple


class FrameRing:
    """K slots of `slot_bytes` each; one producer process, one consumer thread."""

    def __init__(self, segment: SharedMemory, *, owner: bool) -> None:
        self._segment = segment
        self.owner = owner
        self.name = segment.name.lstrip("/")
        self._closed = False
        self._unlinked = False
        # Checked through struct, not numpy: a refused segment must close without views.
        if segment.size < _HEADER_WORDS * 8:
            raise ValueError(f"shared-memory segment {self.name!r} is too small to be a FrameRing")
        magic, version, slot_count, slot_bytes, data_offset = struct.unpack_from("<5q", segment.buf, 0)
        if magic != _MAGIC or version != _VERSION:
            raise ValueError(f"shared-memory segment {self.name!r} is not a version-{_VERSION} FrameRing")
        slot_pitch = _round_up(slot_bytes, _PAGE_BYTES)
        if data_offset + slot_count * slot_pitch > segment.size:
            raise ValueError(f"FrameRing {self.name!r} is smaller than its header says")
        self.slot_count = slot_count
        self.slot_bytes = slot_bytes

        buf = segment.buf
        words = _HEADER_WORDS + slot_count * _RECORD_WORDS
        self._header = np.frombuffer(buf, dtype=np.int64, count=_HEADER_WORDS)
        records = np.frombuffer(buf, dtype=np.int64, count=words)[_HEADER_WORDS:]
        self._records = records.reshape(slot_count, _RECORD_WORDS)
        floats = np.frombuffer(buf, dtype=np.float64, count=words)[_HEADER_WORDS:]
        self._decode_ms = floats.reshape(slot_count, _RECORD_WORDS)[:, _DECODE_MS]
        self._states = self._records[:, _STATE]
        self._slots = [
            np.frombuffer(buf, dtype=np.uint8, count=slot_bytes, offset=data_offset + i * slot_pitch)
            for i in range(slot_count)
        ]
        self._next_claim = 0

    @classmethod
    def create(cls, slot_count: int, slot_bytes: int, label: str = "frames") -> "FrameRing":
        """A new ring owned by this process (the main process): all slots FREE."""
        if not 1 <= slot_count <= _MAX_SLOTS:
            raise ValueError(f"slot_count must be 1..{_MAX_SLOTS}, got {slot_count}")
        if slot_bytes < 1:
            raise ValueError(f"slot_bytes must be positive, got {slot_bytes}")
        data_offset = _round_up((_HEADER_WORDS + slot_count * _RECORD_WORDS) * 8, _PAGE_BYTES)
        size = data_offset + slot_count * _round_up(slot_bytes, _PAGE_BYTES)
        segment = create_segment(label, size)
        header = np.frombuffer(segment.buf, dtype=np.int64, count=_HEADER_WORDS)
        header[_H_SLOT_COUNT] = slot_count
        header[_H_SLOT_BYTES] = slot_bytes
        header[_H_DATA_OFFSET] = data_offset
        header[_H_VERSION] = _VERSION
        header[_H_MAGIC] = _MAGIC  # last: an attach before this point is refused
        del header
        ring = cls(segment, owner=True)
        ring._map_every_page()
        return ring

    @classmethod
    def attach(cls, name: str) -> "FrameRing":
        """The ring created elsewhere under `name` (in a worker process)."""
        segment = attach_segment(name)
        try:
            return cls(segment, owner=False)
        except ValueError:
            segment.close()
            raise

    # --- producer side (the worker process) ---

    def claim(self) -> int | None:
        """Take a FREE slot for writing and return its index, or None when every slot is
        WRITING or READY (the consumer is behind)."""
        states = self._states.tolist()
        for step in range(self.slot_count):
            index = (self._next_claim + step) % self.slot_count
            if states[index] == _FREE:
                self._states[index] = _WRITING
                self._next_claim = index + 1
                return index
        return None

    def pixels(self, index: int) -> np.ndarray:
        """The writable bytes of a claimed slot, `slot_bytes` long."""
        return self._slots[index]

    def publish(self, index: int, *, request_id: int, width: int, height: int, stride: int,
                decode_ms: float, pixel_format: int = PixelFormat.RGBA8, error_code: int = 0) -> int:
        """Hand a claimed slot to the consumer; returns its sequence number."""
        record = self._records[index]
        if int(record[_STATE]) != _WRITING:
            raise RuntimeError(f"publish of slot {index} of {self.name!r}, which was not claimed")
        last_row_end = stride * (height - 1) + width * 4 if height else 0
        if width < 0 or height < 0 or stride < width * 4 or last_row_end > self.slot_bytes:
            raise ValueError(f"a {width}x{height} frame with stride {stride} does not fit "
                             f"a {self.slot_bytes}-byte slot")
        sequence = int(self._header[_H_LAST_SEQUENCE]) + 1
        record[_SEQUENCE:_DECODE_MS] = (sequence, request_id, width, height, stride, int(pixel_format),
                                        error_code)
        self._decode_ms[index] = decode_ms
        self._header[_H_LAST_SEQUENCE] = sequence
        record[_STATE] = _READY  # last: everything above is in place before the consumer looks
        return sequence

    # --- consumer side (the render thread): a few loads, nothing that blocks ---

    def take(self) -> SlotRecord | None:
        """The READY slot published first, or None when none is READY. The slot stays the
        consumer's until `release`."""
        states = self._states.tolist()  # the state words first...
        best = -1
        best_sequence = 0
        for index, state in enumerate(states):
            if state == _READY:
                sequence = int(self._records[index, _SEQUENCE])  # ...then the fields
                if best < 0 or sequence < best_sequence:
                    best, best_sequence = index, sequence
        if best < 0:
            return None
        fields = self._records[best, :_DECODE_MS].tolist()
        return SlotRecord(best, fields[_SEQUENCE], fields[_REQUEST_ID], fields[_WIDTH], fields[_HEIGHT],
                          fields[_STRIDE], fields[_FORMAT], fields[_ERROR], float(self._decode_ms[best]))

    def view(self, record: SlotRecord) -> np.ndarray:
        """Read-only (height, width, 4) uint8 pixels of a taken slot, rows `stride` apart.
        Valid until `release`; copy out of it, don't keep it."""
        if record.pixel_format != PixelFormat.RGBA8:
            raise ValueError(f"slot {record.index} holds pixel format {record.pixel_format}, not RGBA8")
        pixels = np.ndarray((record.height, record.width, 4), dtype=np.uint8,
                            buffer=self._slots[record.index], strides=(record.stride, 4, 1))
        pixels.flags.writeable = False
        return pixels

    def release(self, index: int) -> None:
        """Give a taken slot back to the producer."""
        if int(self._states[index]) != _READY:
            raise RuntimeError(f"release of slot {index} of {self.name!r}, which was not READY")
        self._states[index] = _FREE

    # --- supervision ---

    def reclaim_writing(self) -> int:
        """Free the slots a dead producer left WRITING; returns how many. Call only once
        the producer is known dead (its sentinel fired), before starting its successor."""
        writing = np.flatnonzero(self._states == _WRITING)
        self._states[writing] = _FREE
        return len(writing)

    def slot_states(self) -> tuple[SlotState, ...]:
        """Every slot's state now, for logs and tests."""
        return tuple(SlotState(state) for state in self._states.tolist())

    @property
    def last_sequence(self) -> int:
        """The sequence number of the latest publish; 0 before the first."""
        return int(self._header[_H_LAST_SEQUENCE])

    # --- lifetime ---

    def _map_every_page(self) -> None:
        # The owner is the consumer. Mapping a 4K slot's 8100 pages on first touch made
        # its first copy out of each slot 33 ms instead of 7 ms here: pay that at
        # start-up, not in a frame. Writing zeros is harmless before anyone attaches.
        for pixels in self._slots:
            pixels[::_PAGE_BYTES] = 0

    def close(self) -> None:
        """Drop this side's mapping; idempotent. Views handed out must be dropped first,
        or the mapping stays until they are."""
        if self._closed:
            return
        self._closed = True
        self._header = self._records = self._decode_ms = self._states = None  # type: ignore[assignment]
        self._slots = []
        try:
            self._segment.close()
        except BufferError:
            # Views handed out still use the pages. They keep the mmap object alive and it
            # unmaps when the last one goes; the SharedMemory must stop trying to close it
            # (its __del__ would raise again). `_mmap` is CPython's SharedMemory internals.
            self._segment._mmap = None  # type: ignore[attr-defined]
            self._segment.close()
            log.warning("FrameRing %s closed while pixel views were still held; the mapping stays "
                        "until they are dropped", self.name)

    def unlink(self) -> None:
        """Remove the segment's name (owner only: on an attached ring this does nothing).
        Idempotent; mappings stay valid until closed."""
        if not self.owner or self._unlinked:
            return
        self._unlinked = True
        unlink_segment(self._segment)

    def __repr__(self) -> str:
        role = "owner" if self.owner else "attached"
        return f"<FrameRing {self.name} {self.slot_count}x{self.slot_bytes} B {role}>"
