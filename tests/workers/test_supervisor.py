"""Supervision with real processes killed for real: restart with backoff, retry once,
quarantine, the restart budget, close(), and workers outliving neither close() nor a
SIGKILLed parent. The decoder is the test hook in tests/workers/hooks.py (solid colours)."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from slideshow.workers.pipeline import ImagePipeline
from slideshow.workers.supervisor import Supervisor, default_worker_count
from tests.support import REPO, wait_for
from tests.workers.hooks import calls, solid_decoder, source, take_photos, write_solid

pytestmark = pytest.mark.usefixtures("nothing_left_behind")

FAST_BACKOFF_S = (0.01, 0.05)
LOG = "test.supervisor"


def solid_pipeline(paths: list[str], **options) -> ImagePipeline:
    options = {"workers": 1, "ring_slots": 3, "decoder": solid_decoder,
               "backoff_s": FAST_BACKOFF_S, "log": logging.getLogger(LOG), **options}
    return ImagePipeline(source(paths), (16, 8), "fill", **options)


def test_default_worker_count_is_one_per_display_below_the_core_count():
    assert default_worker_count(displays=1, cores=12) == 1
    assert default_worker_count(displays=3, cores=12) == 3
    assert default_worker_count(displays=3, cores=2) == 1
    assert default_worker_count(displays=2, cores=1) == 1


def test_a_decoder_hook_that_cannot_reach_a_spawned_worker_is_refused_at_once():
    with pytest.raises(TypeError, match="module-level function"):
        Supervisor(source([]), (16, 8), workers=1, decoder=lambda *args: None)


def test_worker_killed_during_a_decode_is_restarted_and_the_request_completes(tmp_path):
    paths = [write_solid(tmp_path / "slow.txt", (255, 0, 0)),
             write_solid(tmp_path / "a.txt", (0, 255, 0)),
             write_solid(tmp_path / "b.txt", (0, 0, 255))]

    with solid_pipeline(paths) as pipeline:
        wait_for((tmp_path / "slow.txt.started").exists, what="the slow decode to start")
        [pid] = pipeline.supervisor.worker_pids()
        os.kill(pid, signal.SIGKILL)
        photos = take_photos(pipeline, 3)
        restarts, new_pids = pipeline.restarts, pipeline.supervisor.worker_pids()

    assert photos == [("slow", (255, 0, 0, 255)), ("a", (0, 255, 0, 255)), ("b", (0, 0, 255, 255))]
    assert restarts == 1
    assert len(new_pids) == 1 and new_pids != [pid]
    # The killed request was retried once; the ones queued behind it were sent once.
    assert calls(tmp_path) == [paths[0], paths[0], paths[1], paths[2]]


def test_file_that_crashes_the_worker_twice_is_quarantined_and_the_show_goes_on(tmp_path, caplog):
    names = ["a", "crash", "b", "c", "d", "crash", "e"]
    colours = {name: (10 * i, 100, 200) for i, name in enumerate(names)}
    paths = [write_solid(tmp_path / f"{name}.txt", colours[name]) for name in names]
    crash = paths[1]
    caplog.set_level(logging.WARNING, logger=LOG)

    with solid_pipeline(paths) as pipeline:
        photos = take_photos(pipeline, 5)
        quarantined, restarts, failed = pipeline.quarantined, pipeline.restarts, pipeline.failed

    assert [name for name, _ in photos] == ["a", "b", "c", "d", "e"]
    assert [rgba for _, rgba in photos] == [(*colours[n], 255) for n in "abcde"]
    assert quarantined == (crash,)
    assert calls(tmp_path).count(crash) == 2  # never requested after the second crash
    assert restarts == 2 and failed == 0
    lines = [r for r in caplog.records if "quarantined" in r.getMessage()]
    assert len(lines) == 1 and lines[0].levelno == logging.WARNING
    assert crash in lines[0].getMessage()


def test_spent_restart_budget_gives_up_on_the_worker_with_one_error_line(tmp_path, caplog):
    paths = [write_solid(tmp_path / "kept.txt", (1, 2, 3)),
             write_solid(tmp_path / "crash.txt", (0, 0, 0)),
             write_solid(tmp_path / "never.txt", (0, 0, 0))]
    caplog.set_level(logging.WARNING, logger=LOG)

    with solid_pipeline(paths, restart_budget=1, ring_slots=2) as pipeline:
        wait_for(lambda: pipeline.live_workers == 0, what="the worker to be given up")
        kept = pipeline.take_ready()  # the show keeps what it has
        kept_path, kept_rgba = kept.path, tuple(kept.pixels[0, 0])
        kept.release()
        after = pipeline.take_ready()
        restarts = pipeline.restarts

    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert "giving up on it" in errors[0].getMessage()
    assert "photos it already has" in errors[0].getMessage()
    assert (kept_path, kept_rgba, after) == (paths[0], (1, 2, 3, 255), None)
    assert restarts == 1
    assert paths[2] not in calls(tmp_path)


def test_close_stops_a_worker_stuck_in_a_decode_and_is_idempotent(tmp_path):
    slow = write_solid(tmp_path / "slow.txt", (0, 0, 0))
    supervisor = Supervisor(source([slow]), (16, 8), workers=1, decoder=solid_decoder,
                            stop_timeout_s=0.2)
    wait_for((tmp_path / "slow.txt.started").exists, what="the slow decode to start")
    [pid] = supervisor.worker_pids()
    names = [ring.name for ring in supervisor.rings]

    started = time.monotonic()
    supervisor.close()
    supervisor.close()
    elapsed_s = time.monotonic() - started

    assert elapsed_s < 3.0
    assert not _alive(pid)
    assert not any(Path("/dev/shm", name).exists() for name in names)
    assert supervisor.worker_pids() == [] and supervisor.rings == ()


PARENT_SCRIPT = """
import sys, time
from pathlib import Path
from slideshow.workers.supervisor import Supervisor
from tests.workers.hooks import solid_decoder

slow = sys.argv[1]
paths = iter([slow])
supervisor = Supervisor(lambda: next(paths, None), (16, 8), workers=2, decoder=solid_decoder)
while not Path(slow + ".started").exists() or len(supervisor.worker_pids()) < 2:
    time.sleep(0.01)
print(*supervisor.worker_pids(), *[ring.name for ring in supervisor.rings], flush=True)
time.sleep(60)
"""


def test_workers_and_segments_go_when_the_parent_is_killed_with_sigkill(tmp_path):
    slow = write_solid(tmp_path / "slow.txt", (0, 0, 0))
    parent = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(PARENT_SCRIPT), slow],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        fields = parent.stdout.readline().split()
        assert len(fields) == 4, parent.stderr.read() if parent.poll() is not None else fields
        pids, names = [int(p) for p in fields[:2]], fields[2:]
        assert all(_alive(pid) for pid in pids)
        parent.kill()
        parent.wait()
        # One worker is busy in a 60 s decode: only the parent-death signal stops it soon.
        wait_for(lambda: not any(_alive(pid) for pid in pids), 5.0, "the workers to exit")
        wait_for(lambda: not any(Path("/dev/shm", n).exists() for n in names), 5.0,
                 "the rings to be unlinked")
    finally:
        parent.kill()
        parent.wait()
        parent.stdout.close()
        parent.stderr.close()


def _alive(pid: int) -> bool:
    """True while `pid` runs; a zombie (dead, not yet reaped by its new parent) is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
