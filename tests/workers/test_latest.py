"""LatestValue: the seqlock gives whole values, newest first, and never blocks."""

from __future__ import annotations

import signal
import textwrap
import time

import numpy as np
import pytest

from slideshow.workers.latest import LatestValue
from tests.support import start_python

pytestmark = pytest.mark.usefixtures("nothing_left_behind")



@pytest.fixture
def latest():
    owned = LatestValue.create(8, label="test")
    yield owned
    owned.close()
    owned.unlink()


def test_read_before_any_write_returns_none_and_leaves_out_alone(latest):
    out = np.full(8, -1.0, np.float32)

    assert latest.read_into(out) is None
    assert (out == -1.0).all()


def test_read_returns_the_newest_value_with_its_sequence_and_timestamp(latest):
    reader = LatestValue.attach(latest.name, 8)
    out = np.zeros(8, np.float32)
    latest.write(np.arange(8, dtype=np.float32), timestamp_s=1.5)
    latest.write(np.arange(8, dtype=np.float32) * 2, timestamp_s=2.5)

    assert reader.read_into(out) == (2, 2.5)
    np.testing.assert_array_equal(out, np.arange(8) * 2)
    reader.close()


def test_attach_refuses_another_count_or_dtype(latest):
    with pytest.raises(ValueError, match="layout"):
        LatestValue.attach(latest.name, 9)
    with pytest.raises(ValueError, match="layout"):
        LatestValue.attach(latest.name, 8, np.float64)


def test_write_refuses_values_of_another_shape(latest):
    with pytest.raises(ValueError, match="holds 8 values"):
        latest.write(np.zeros(9, np.float32), 0.0)
    assert latest.read_into(np.zeros(8, np.float32)) is None


def test_a_writer_dying_inside_write_leaves_the_previous_value_readable(latest, monkeypatch):
    latest.write(np.ones(8, np.float32), 1.0)

    def die(*args, **kwargs):
        raise SystemExit("killed inside write")

    monkeypatch.setattr(np, "copyto", die)
    with pytest.raises(SystemExit):
        latest.write(np.full(8, 2, np.float32), 2.0)
    monkeypatch.undo()
    out = np.zeros(8, np.float32)

    assert latest.read_into(out) == (1, 1.0) and (out == 1).all()
    successor = LatestValue.attach(latest.name, 8)
    successor.write(np.full(8, 3, np.float32), 3.0)
    assert latest.read_into(out) == (2, 3.0) and (out == 3).all()
    successor.close()


HAMMERING_WRITER = """
import sys, time
import numpy as np
from slideshow.workers.latest import LatestValue

latest = LatestValue.attach(sys.argv[1], int(sys.argv[2]))
values = np.empty(latest.count, np.float32)
stop = time.monotonic() + 5  # SIGKILLed long before, normally
counter = 0
while time.monotonic() < stop:
    counter += 1
    values.fill(counter)
    latest.write(values, timestamp_s=counter / 4)
"""


def test_reader_never_sees_a_mixed_array_while_a_writer_process_hammers_then_dies():
    count = 16384  # 64 KiB: an unguarded copy here catches a write midway ~1000 times a second
    latest = LatestValue.create(count, label="test")
    writer = start_python("-c", textwrap.dedent(HAMMERING_WRITER), latest.name, str(count))
    out = np.empty(count, np.float32)
    sequences = []
    try:
        stop = time.monotonic() + 5
        while time.monotonic() < stop and writer.poll() is None:
            result = latest.read_into(out)
            if result is None:
                continue
            if not sequences:
                stop = time.monotonic() + 0.6
            sequence, timestamp_s = result
            assert out.min() == out.max() == sequence, f"mixed value at sequence {sequence}"
            assert timestamp_s == sequence / 4
            sequences.append(sequence)
        writer.send_signal(signal.SIGKILL)  # most likely inside write()
        _, stderr = writer.communicate(timeout=10)
        assert writer.returncode == -signal.SIGKILL, stderr

        last, _ = latest.read_into(out)
        assert out.min() == out.max() == last >= sequences[-1]
        latest.write(np.zeros(count, np.float32), 0.0)  # a successor carries on numbering
        assert latest.read_into(out)[0] == last + 1
    finally:
        latest.close()
        latest.unlink()

    assert len(set(sequences)) >= 20, "the reader saw too few writes to mean anything"
    assert all(a <= b for a, b in zip(sequences, sequences[1:])), "a sequence went backwards"
