"""Segment lifetime across real processes: who unlinks, what the resource tracker does
when a creator is SIGKILLed, and the orphan sweep."""

from __future__ import annotations

import errno
import logging
import os
import signal
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from slideshow.errors import SharedMemoryShortage, SlideshowError
from slideshow.workers.latest import LatestValue
from slideshow.workers.ring import FrameRing
from slideshow.workers.shm import (
    attach_segment,
    create_segment,
    owner_pid,
    project_segments,
    sweep_orphans,
    unlink_segment,
)
from tests.support import EMPTY_TOML, start_python

pytestmark = [pytest.mark.skipif(not Path("/dev/shm").is_dir(), reason="needs POSIX shared memory in /dev/shm"),
              pytest.mark.usefixtures("nothing_left_behind")]



def own_segments() -> set[str]:
    """This process's segments: other test runs on the machine come and go meanwhile."""
    return {name for name in project_segments() if owner_pid(name) == os.getpid()}


def wait_until_gone(names: list[str], timeout_s: float) -> list[str]:
    deadline = time.monotonic() + timeout_s
    while True:
        present = [n for n in names if Path("/dev/shm", n).exists()]
        if not present or time.monotonic() > deadline:
            return present
        time.sleep(0.02)


def test_segment_name_is_compact_names_its_owner_and_starts_zeroed():
    segment = create_segment("Frames-1080p", 10_000)
    try:
        assert len("/" + segment.name) <= 31  # macOS' limit, with the leading slash
        assert segment.name.startswith(f"sls{os.getpid()}-frames-")
        assert owner_pid(segment.name) == os.getpid()
        assert bytes(segment.buf[:10_000]) == bytes(10_000)
        assert segment.name in project_segments()
    finally:
        segment.close()
        unlink_segment(segment)


def test_close_and_unlink_leave_nothing_with_the_project_prefix():
    ring = FrameRing.create(3, 4096)
    latest = LatestValue.create(64, label="fft")
    attached_ring, attached_latest = FrameRing.attach(ring.name), LatestValue.attach(latest.name, 64)
    names = [ring.name, latest.name]
    assert set(names) <= own_segments()

    attached_ring.close()
    attached_latest.close()
    attached_ring.unlink()  # an attached side never unlinks
    assert set(names) <= own_segments()
    for owned in (ring, latest):
        owned.close()
        owned.unlink()
        owned.unlink()  # idempotent

    assert not set(names) & own_segments()


def test_attached_process_exit_neither_unlinks_nor_warns():
    ring = FrameRing.create(2, 64)
    latest = LatestValue.create(4)
    try:
        latest.write(np.array([1, 2, 3, 4], np.float32), 0.5)
        child = start_python("-c", textwrap.dedent("""
            import sys
            import numpy as np
            from slideshow.workers.latest import LatestValue
            from slideshow.workers.ring import FrameRing
            ring = FrameRing.attach(sys.argv[1])
            latest = LatestValue.attach(sys.argv[2], 4)
            out = np.zeros(4, np.float32)
            print(latest.read_into(out), out.tolist())
            index = ring.claim()
            ring.pixels(index)[:8] = 42
            ring.publish(index, request_id=9, width=2, height=1, stride=8, decode_ms=0.0)
            ring.close()
            latest.close()
        """), ring.name, latest.name)
        stdout, stderr = child.communicate(timeout=10)

        assert child.returncode == 0, stderr
        assert stdout.strip() == "(1, 0.5) [1.0, 2.0, 3.0, 4.0]"
        assert "resource_tracker" not in stderr and "leaked" not in stderr, stderr
        assert {ring.name, latest.name} <= own_segments()
        record = ring.take()
        assert record.request_id == 9
        assert ring.view(record).tobytes() == bytes([42] * 8)
    finally:
        for owned in (ring, latest):
            owned.close()
            owned.unlink()


# The creator's tracker must still hold the registrations after a spawned worker (which
# shares that tracker) attached and exited: the register-then-unregister workaround fails
# exactly here, and the segments would outlive the SIGKILL.
CREATOR_WITH_SPAWNED_WORKER = """
import multiprocessing as mp
import sys
import time

from slideshow.workers.latest import LatestValue
from slideshow.workers.ring import FrameRing


def attach_and_leave(ring_name, latest_name):
    FrameRing.attach(ring_name).close()
    LatestValue.attach(latest_name, 16).close()


if __name__ == "__main__":
    ring = FrameRing.create(2, 1 << 16)
    latest = LatestValue.create(16, label="fft")
    worker = mp.get_context("spawn").Process(target=attach_and_leave, args=(ring.name, latest.name))
    worker.start()
    worker.join()
    print(ring.name, latest.name, worker.exitcode, flush=True)
    time.sleep(60)
"""


def test_creator_killed_with_sigkill_leaves_no_segment(tmp_path):
    script = tmp_path / "creator.py"
    script.write_text(CREATOR_WITH_SPAWNED_WORKER)
    creator = start_python(str(script))
    try:
        ring_name, latest_name, worker_exit = creator.stdout.readline().split()
        assert worker_exit == "0"
        assert Path("/dev/shm", ring_name).exists() and Path("/dev/shm", latest_name).exists()
    finally:
        creator.send_signal(signal.SIGKILL)
        _, stderr = creator.communicate(timeout=10)

    # The creator's resource tracker sees its pipe close and unlinks what is registered.
    assert wait_until_gone([ring_name, latest_name], timeout_s=5.0) == [], stderr


def test_sweep_unlinks_only_segments_whose_owner_is_dead(tmp_path):
    finished = start_python("-c", "pass")
    finished.communicate()
    dead = f"sls{finished.pid}-frames-0a1b2c"
    alive = f"sls{os.getpid()}-frames-0a1b2c"
    strangers = ["psm_0a1b2c", "sls123-frames", f"xsls{finished.pid}-frames-0a1b2c"]
    for name in [dead, alive, *strangers]:
        (tmp_path / name).write_bytes(b"x")

    assert sweep_orphans(tmp_path) == [dead]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([alive, *strangers])


def test_sweep_removes_a_real_orphan_from_dev_shm():
    finished = start_python("-c", "pass")
    finished.communicate()
    orphan = f"sls{finished.pid}-test-ffffff"
    Path("/dev/shm", orphan).write_bytes(bytes(4096))  # what a SIGKILLed group leaves
    mine = create_segment("test", 4096)
    try:
        attach_segment(orphan).close()  # it is a real shm segment
        swept = sweep_orphans()
        assert orphan in swept and mine.name not in swept
        assert not Path("/dev/shm", orphan).exists() and Path("/dev/shm", mine.name).exists()
    finally:
        mine.close()
        unlink_segment(mine)


def test_a_short_dev_shm_fails_at_creation_with_a_message_and_leaves_nothing(monkeypatch):
    def no_space(fd, offset, length):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "posix_fallocate", no_space)
    before = own_segments()

    with pytest.raises(OSError, match="not enough shared memory: 64.0 MiB asked"):
        FrameRing.create(2, 32 << 20)
    assert own_segments() == before


class _Stats:
    """What os.statvfs says of a /dev/shm with `free_bytes` left."""

    def __init__(self, free_bytes: int) -> None:
        self.f_frsize, self.f_bavail = 4096, free_bytes // 4096


def short_dev_shm(monkeypatch: pytest.MonkeyPatch, free_bytes: int) -> None:
    """A /dev/shm with `free_bytes` left, without filling the real one: reserving pages
    fails as it does on a full tmpfs, and statvfs reports the free space."""
    def no_space(fd, offset, length):
        raise OSError(errno.ENOSPC, "No space left on device")

    real_statvfs = os.statvfs
    monkeypatch.setattr(os, "posix_fallocate", no_space)
    monkeypatch.setattr(os, "statvfs", lambda path: _Stats(free_bytes) if str(path) == "/dev/shm"
                        else real_statvfs(path))


@pytest.mark.parametrize("size, free, words", [
    (int(10.6 * 2**20), 10 * 2**20, "10.6 MiB asked, 10.0 MiB free"),
    (4096, 0, "4.0 KiB asked, 0.0 MiB free"),  # the FFT block: it said "0.0 MiB asked"
    (100, 0, "100 bytes asked, 0.0 MiB free"),
])
def test_a_short_dev_shm_names_what_was_asked_and_what_is_free(monkeypatch, size, free, words):
    short_dev_shm(monkeypatch, free)
    before = own_segments()

    with pytest.raises(SharedMemoryShortage) as caught:
        create_segment("fft", size)

    assert str(caught.value) == (f"not enough shared memory: {words} in /dev/shm "
                                 f"(in a container, raise --shm-size)")
    assert isinstance(caught.value, SlideshowError) and caught.value.errno == errno.ENOSPC
    assert own_segments() == before


@pytest.fixture
def root_log_level():
    """The CLI sets the root logger's level from the config: put it back afterwards."""
    level = logging.getLogger().level
    yield
    logging.getLogger().setLevel(level)


@pytest.mark.usefixtures("root_log_level")
def test_the_cli_reports_a_short_dev_shm_as_one_line_and_exit_2(monkeypatch, capsys, tmp_path):
    """The show's start-up fault, through a command that makes rings without GL (`check`
    builds the same worker pipeline as the show): one line, status 2, no traceback."""
    from PIL import Image

    from slideshow.cli import main

    Image.new("RGB", (32, 24), (200, 30, 40)).save(tmp_path / "p.png")
    short_dev_shm(monkeypatch, 10 * 2**20)
    before = own_segments()

    status = main(["check", str(tmp_path / "p.png"), "--size", "1920x1080",
                   "--config", str(EMPTY_TOML), "--set", "workers.image_workers=1"])

    captured = capsys.readouterr()
    assert status == 2
    assert captured.err == ("slideshow: error: not enough shared memory: 23.7 MiB asked, "
                            "10.0 MiB free in /dev/shm (in a container, raise --shm-size)\n")
    assert "Traceback" not in captured.out + captured.err
    assert own_segments() == before


@pytest.mark.usefixtures("root_log_level")
def test_debug_logs_the_cause_behind_the_one_line(monkeypatch, capsys, caplog, tmp_path):
    """`--debug` is `--log-level debug`: the same one line, and the ENOSPC behind it in
    the log with its traceback."""
    from PIL import Image

    from slideshow.cli import main

    Image.new("RGB", (32, 24), (200, 30, 40)).save(tmp_path / "p.png")
    short_dev_shm(monkeypatch, 0)

    status = main(["check", str(tmp_path / "p.png"), "--config", str(EMPTY_TOML),
                   "--set", "workers.image_workers=1", "--debug"])

    assert status == 2
    assert capsys.readouterr().err.startswith("slideshow: error: not enough shared memory: ")
    (cause,) = [r for r in caplog.records if r.getMessage() == "what caused the error below"]
    assert cause.levelno == logging.DEBUG and cause.exc_info[1].errno == errno.ENOSPC
