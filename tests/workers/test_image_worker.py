"""The image worker process on its own: a real spawned process, a real FrameRing, requests
and replies over a real pipe."""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from slideshow.workers import decode
from slideshow.workers.image_worker import (
    NO_FREE_SLOT,
    NOT_A_FILE,
    UNEXPECTED_ERROR_CODE,
    UNSIZED,
    DecodeReply,
    DecodeRequest,
    DecodeStarted,
    probe_pixels,
    run_worker,
)
from slideshow.workers.ring import FrameRing
from tests.support import wait_for
from tests.workers.hooks import solid_decoder, write_solid

pytestmark = pytest.mark.usefixtures("nothing_left_behind")

RED, BLUE = (255, 0, 0, 255), (0, 0, 255, 255)
REPLY_TIMEOUT_S = 10.0


@contextmanager
def running_worker(ring: FrameRing, decoder=None, first_at_normal_priority: bool = False
                   ) -> Iterator[tuple[BaseProcess, Connection]]:
    context = multiprocessing.get_context("spawn")
    parent_conn, child_conn = context.Pipe()
    process = context.Process(target=run_worker, args=(ring.name, child_conn, decoder, os.getpid(),
                                                       first_at_normal_priority), daemon=True)
    process.start()
    child_conn.close()
    try:
        yield process, parent_conn
    finally:
        parent_conn.close()
        process.join(5.0)
        if process.is_alive():
            process.kill()
            process.join()


@pytest.fixture
def ring():
    owned = FrameRing.create(2, 100 * 50 * 4, label="test")
    yield owned
    owned.close()
    owned.unlink()


def ask(conn, request: DecodeRequest, started: list | None = None) -> DecodeReply:
    """Sends `request` and returns its reply; the DecodeStarted that comes first (unless the
    ring was full) must name it, and goes to `started`."""
    conn.send(request)
    assert conn.poll(REPLY_TIMEOUT_S), "the worker did not answer"
    message = conn.recv()
    if isinstance(message, DecodeStarted):
        assert message.request_id == request.request_id
        if started is not None:
            started.append(message)
        assert conn.poll(REPLY_TIMEOUT_S), "the worker did not answer"
        message = conn.recv()
    return message


def red_blue_png(path: Path, width: int = 200, height: int = 100) -> str:
    """Left half red, right half blue."""
    pixels = np.zeros((height, width, 3), np.uint8)
    pixels[:, : width // 2] = (255, 0, 0)
    pixels[:, width // 2:] = (0, 0, 255)
    Image.fromarray(pixels).save(path)
    return str(path)


def test_request_round_trip_puts_the_decoded_pixels_in_a_ready_slot(ring, tmp_path):
    path = red_blue_png(tmp_path / "split.png")

    started = []
    with running_worker(ring) as (process, conn):
        reply = ask(conn, DecodeRequest(7, path, 100, 50, "fill"), started)
        record = ring.take()
        pixels = ring.view(record).copy()
        ring.release(record.index)
        conn.send(None)
        process.join(5.0)

    assert reply == DecodeReply(7, True, None, None, 200, 100, 100, 50, reply.ms, reply.focus)
    assert started == [DecodeStarted(7, 200 * 100)]  # the size, for the decode's deadline
    assert reply.focus[0] == pytest.approx(0.5, abs=0.05)  # the one edge: red | blue, mid-way
    assert reply.ms > 0
    assert (record.request_id, record.width, record.height, record.error_code) == (7, 100, 50, 0)
    assert pixels.shape == (50, 100, 4)
    assert tuple(pixels[25, 10]) == RED
    assert tuple(pixels[25, 90]) == BLUE
    assert tuple(pixels[0, 0]) == RED and tuple(pixels[49, 99]) == BLUE
    assert process.exitcode == 0  # the stop message ends it cleanly


def test_failed_decode_publishes_an_error_record_and_the_worker_keeps_serving(ring, tmp_path):
    broken = tmp_path / "broken.txt"
    broken.write_text("not three numbers")
    good = write_solid(tmp_path / "green.txt", (0, 255, 0))

    with running_worker(ring, solid_decoder) as (process, conn):
        failed = ask(conn, DecodeRequest(1, str(broken), 8, 4, "fill"))
        error_record = ring.take()
        ring.release(error_record.index)
        served = ask(conn, DecodeRequest(2, good, 8, 4, "fill"))
        record = ring.take()
        pixels = ring.view(record).copy()
        ring.release(record.index)

    assert (failed.request_id, failed.ok, failed.error_class) == (1, False, "ValueError")
    assert "invalid literal" in failed.reason
    assert (error_record.request_id, error_record.error_code) == (1, UNEXPECTED_ERROR_CODE)
    assert (error_record.width, error_record.height) == (0, 0)
    assert served.ok and (served.out_width, served.out_height) == (8, 4)
    assert (pixels == (0, 255, 0, 255)).all()


def test_typed_decode_error_names_its_class_and_code(ring, tmp_path):
    junk = tmp_path / "notes.jpg"
    junk.write_bytes(b"this is a text file, not a photo\n" * 20)

    with running_worker(ring) as (process, conn):
        reply = ask(conn, DecodeRequest(3, str(junk), 100, 50, "fill"))
        record = ring.take()
        ring.release(record.index)

    assert (reply.ok, reply.error_class) == (False, "UnsupportedFormat")
    assert "not an image" in reply.reason
    assert record.error_code == decode.ERROR_CODES[decode.UnsupportedFormat] != 0
    assert (record.width, record.height) == (0, 0)


def test_full_ring_is_answered_at_once_instead_of_waited_for(ring, tmp_path):
    path = write_solid(tmp_path / "grey.txt", (9, 9, 9))

    with running_worker(ring, solid_decoder) as (process, conn):
        replies = [ask(conn, DecodeRequest(i, path, 8, 4, "fill")) for i in (1, 2, 3)]
        states = ring.slot_states()

    assert [r.ok for r in replies] == [True, True, False]
    assert replies[2].error_class == NO_FREE_SLOT
    assert [int(s) for s in states] == [2, 2]  # both READY; nothing was overwritten


def test_worker_runs_at_idle_priority_ignores_sigint_and_exits_on_eof(ring, tmp_path):
    path = write_solid(tmp_path / "grey.txt", (9, 9, 9))

    with running_worker(ring, solid_decoder) as (process, conn):
        assert ask(conn, DecodeRequest(1, path, 8, 4, "fill")).ok  # it is up and serving
        niceness = os.getpriority(os.PRIO_PROCESS, process.pid)
        policy = os.sched_getscheduler(process.pid) if hasattr(os, "sched_getscheduler") else None
        os.kill(process.pid, signal.SIGINT)
        assert ask(conn, DecodeRequest(2, path, 8, 4, "fill")).request_id == 2  # still there
        conn.close()  # what the worker sees when its parent is gone
        process.join(5.0)

    assert niceness == 19
    if policy is not None:
        assert policy == os.SCHED_IDLE
    assert process.exitcode == 0


def test_a_first_start_worker_drops_to_the_lowest_priority_once_its_first_reply_is_sent(
        ring, tmp_path):
    path = write_solid(tmp_path / "grey.txt", (9, 9, 9))
    ours = os.getpriority(os.PRIO_PROCESS, 0)

    with running_worker(ring, solid_decoder, first_at_normal_priority=True) as (process, conn):
        assert ask(conn, DecodeRequest(1, path, 8, 4, "fill")).ok
        wait_for(lambda: os.getpriority(os.PRIO_PROCESS, process.pid) == 19,
                 what="the worker at nice 19 after its first reply")
        policy = os.sched_getscheduler(process.pid) if hasattr(os, "sched_getscheduler") else None
        record = ring.take()
        ring.release(record.index)
        assert ask(conn, DecodeRequest(2, path, 8, 4, "fill")).ok

    assert ours < 19  # (tests/workers/test_supervisor.py: normal during the first decode)
    if policy is not None:
        assert policy == os.SCHED_IDLE


def test_size_probe_reads_the_header_and_never_opens_what_is_no_regular_file(tmp_path):
    photo = red_blue_png(tmp_path / "photo.png", 300, 40)
    fifo = tmp_path / "fifo.jpg"
    os.mkfifo(fifo)  # no writer: opening it for reading would block for ever
    text = write_solid(tmp_path / "colour.txt", (1, 2, 3))

    assert probe_pixels(photo) == 300 * 40
    assert probe_pixels(str(fifo)) == NOT_A_FILE
    assert probe_pixels(text) == UNSIZED
    assert probe_pixels(str(tmp_path / "missing.jpg")) == UNSIZED
    assert probe_pixels(str(tmp_path)) == NOT_A_FILE
