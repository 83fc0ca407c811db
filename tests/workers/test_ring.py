"""FrameRing: slot states, ordering and pixels, in one process and across real ones,
including a producer SIGKILLed in the middle of a frame."""

from __future__ import annotations

import signal
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from slideshow.workers.ring import FrameRing, PixelFormat, SlotState
from slideshow.workers.shm import create_segment, project_segments, unlink_segment
from tests.support import start_python

pytestmark = pytest.mark.usefixtures("nothing_left_behind")



@pytest.fixture
def ring():
    owned = FrameRing.create(3, 16 * 8 * 4 + 64, label="test")
    yield owned
    owned.close()
    owned.unlink()


def pattern(request_id: int, height: int, stride: int) -> np.ndarray:
    """The bytes a test producer writes for a frame: every byte says where it is and
    which frame it belongs to."""
    return ((np.arange(height * stride, dtype=np.int64) * 7 + request_id * 31) % 251).astype(np.uint8)


def publish_pattern(ring: FrameRing, request_id: int, width: int, height: int, stride: int) -> int:
    index = ring.claim()
    ring.pixels(index)[:height * stride] = pattern(request_id, height, stride)
    return ring.publish(index, request_id=request_id, width=width, height=height, stride=stride,
                        decode_ms=1.25)


def expected_view(request_id: int, width: int, height: int, stride: int) -> np.ndarray:
    rows = pattern(request_id, height, stride).reshape(height, stride)
    return rows[:, :width * 4].reshape(height, width, 4)


def test_claim_hands_out_each_free_slot_once_then_none(ring):
    claimed = [ring.claim() for _ in range(3)]

    assert sorted(claimed) == [0, 1, 2]
    assert ring.claim() is None
    assert ring.slot_states() == (SlotState.WRITING,) * 3
    assert ring.take() is None  # WRITING is never visible to the consumer


def test_take_returns_frames_in_publish_order_whatever_their_slots(ring):
    a, b, c = ring.claim(), ring.claim(), ring.claim()
    for request_id, index in ((10, c), (11, a), (12, b)):
        ring.publish(index, request_id=request_id, width=4, height=2, stride=16, decode_ms=0.5)

    taken = []
    while (record := ring.take()) is not None:
        taken.append((record.request_id, record.sequence, record.index))
        ring.release(record.index)

    assert taken == [(10, 1, c), (11, 2, a), (12, 3, b)]
    assert ring.last_sequence == 3
    assert ring.slot_states() == (SlotState.FREE,) * 3


def test_view_honours_stride_and_is_read_only(ring):
    publish_pattern(ring, request_id=5, width=13, height=8, stride=13 * 4 + 12)

    record = ring.take()
    pixels = ring.view(record)

    assert (record.width, record.height, record.stride, record.decode_ms) == (13, 8, 64, 1.25)
    assert record.pixel_format == PixelFormat.RGBA8 and record.error_code == 0
    np.testing.assert_array_equal(pixels, expected_view(5, 13, 8, 64))
    with pytest.raises(ValueError):
        pixels[0, 0, 0] = 1
    del pixels
    ring.release(record.index)


def test_publish_refuses_unclaimed_slots_and_frames_that_do_not_fit(ring):
    with pytest.raises(RuntimeError, match="not claimed"):
        ring.publish(0, request_id=1, width=1, height=1, stride=4, decode_ms=0)
    index = ring.claim()
    with pytest.raises(ValueError, match="does not fit"):
        ring.publish(index, request_id=1, width=16, height=10, stride=64, decode_ms=0)
    with pytest.raises(ValueError, match="does not fit"):
        ring.publish(index, request_id=1, width=16, height=1, stride=32, decode_ms=0)
    assert ring.slot_states()[index] == SlotState.WRITING


def test_release_refuses_a_slot_that_is_not_ready(ring):
    index = ring.claim()
    with pytest.raises(RuntimeError, match="not READY"):
        ring.release(index)
    assert ring.slot_states()[index] == SlotState.WRITING


def test_error_frames_travel_with_their_code(ring):
    index = ring.claim()
    ring.publish(index, request_id=3, width=0, height=0, stride=0, decode_ms=2.0, error_code=17)

    record = ring.take()

    assert (record.request_id, record.error_code, ring.view(record).shape) == (3, 17, (0, 0, 4))


def test_attached_producer_continues_the_sequence_of_its_predecessor(ring):
    first = FrameRing.attach(ring.name)
    assert publish_pattern(first, 1, 4, 4, 16) == 1
    first.close()
    second = FrameRing.attach(ring.name)

    assert (second.slot_count, second.slot_bytes) == (ring.slot_count, ring.slot_bytes)
    assert publish_pattern(second, 2, 4, 4, 16) == 2
    second.close()
    assert [ring.take().sequence] == [1]  # the oldest first


def test_attach_refuses_a_segment_that_is_not_a_ring():
    segment = create_segment("junk", 8192)
    try:
        with pytest.raises(ValueError, match="not a version-1 FrameRing"):
            FrameRing.attach(segment.name)
    finally:
        segment.close()
        unlink_segment(segment)


def test_close_is_idempotent_and_unlink_works_after_close(ring):
    ring.close()
    ring.close()
    ring.unlink()
    assert ring.name not in project_segments()


PRODUCER = """
import sys, time
import numpy as np
from slideshow.workers.ring import FrameRing

ring = FrameRing.attach(sys.argv[1])
count = int(sys.argv[2])
deadline = time.monotonic() + 10
for request_id in range(100, 100 + count):
    width = 3 + request_id % 14
    height = 1 + request_id % 7
    stride = width * 4 + 4 * (request_id % 3)
    while (index := ring.claim()) is None:  # the consumer is behind: wait for a slot
        if time.monotonic() > deadline:
            sys.exit("consumer never freed a slot")
        time.sleep(0.0002)
    data = ((np.arange(height * stride, dtype=np.int64) * 7 + request_id * 31) % 251).astype(np.uint8)
    ring.pixels(index)[:height * stride] = data
    ring.publish(index, request_id=request_id, width=width, height=height, stride=stride,
                 decode_ms=request_id / 4)
ring.close()
"""


def test_frames_cross_processes_in_order_with_exact_pixels(ring):
    count = 60  # 20 times round the 3 slots
    producer = start_python("-c", textwrap.dedent(PRODUCER), ring.name, str(count))

    seen = []
    deadline = time.monotonic() + 10
    while len(seen) < count and time.monotonic() < deadline:
        record = ring.take()
        if record is None:
            time.sleep(0.0002)
            continue
        expected = expected_view(record.request_id, record.width, record.height, record.stride)
        assert np.array_equal(ring.view(record), expected), f"frame {record.request_id} arrived damaged"
        assert record.decode_ms == record.request_id / 4
        seen.append((record.sequence, record.request_id))
        ring.release(record.index)
    _, stderr = producer.communicate(timeout=10)

    assert producer.returncode == 0, stderr
    assert seen == [(sequence, 99 + sequence) for sequence in range(1, count + 1)]
    assert ring.take() is None


HANGING_PRODUCER = """
import sys
import numpy as np
from slideshow.workers.ring import FrameRing

ring = FrameRing.attach(sys.argv[1])
index = ring.claim()
ring.pixels(index)[:64] = 1
ring.publish(index, request_id=1, width=4, height=4, stride=16, decode_ms=0)
index = ring.claim()
ring.pixels(index)[:32] = 2  # half a frame...
print(index, flush=True)
sys.stdin.readline()  # ...and stuck until killed
"""


def test_producer_killed_mid_write_never_yields_a_torn_frame(ring):
    producer = start_python("-c", textwrap.dedent(HANGING_PRODUCER), ring.name)
    try:
        stuck_index = int(producer.stdout.readline())
        assert ring.slot_states()[stuck_index] == SlotState.WRITING
    finally:
        producer.send_signal(signal.SIGKILL)
        producer.communicate(timeout=10)
    assert producer.returncode == -signal.SIGKILL

    complete = ring.take()
    assert complete.request_id == 1 and ring.view(complete).tobytes() == bytes([1] * 64)
    ring.release(complete.index)
    assert ring.take() is None  # the half-written frame never shows
    assert ring.reclaim_writing() == 1
    assert ring.slot_states() == (SlotState.FREE,) * 3
    assert ring.reclaim_writing() == 0

    assert sorted(ring.claim() for _ in range(3)) == [0, 1, 2]  # every slot usable again
    ring.publish(stuck_index, request_id=2, width=1, height=1, stride=4, decode_ms=0)
    assert (ring.take().request_id, ring.last_sequence) == (2, 2)


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads /proc/self/maps")
def test_close_while_a_view_is_held_keeps_it_valid_and_unmaps_when_it_goes(ring, caplog):
    publish_pattern(ring, request_id=4, width=4, height=2, stride=16)
    pixels = ring.view(ring.take())

    def mapped() -> bool:
        return ring.name in Path("/proc/self/maps").read_text()

    ring.close()
    assert "still held" in caplog.text
    np.testing.assert_array_equal(pixels, expected_view(4, 4, 2, 16))
    assert mapped()
    del pixels
    assert not mapped()
