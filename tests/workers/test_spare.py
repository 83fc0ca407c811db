"""Spare image workers (workers/spare.py), real spawned processes: a pipeline's first
worker is the spare started earlier, photos come through it as through any worker, a
crash of it is a death like any other, a spare killed before it was taken leaves the
pipeline to start its own, and one nobody took is stopped by close()."""

from __future__ import annotations

import multiprocessing
import os
import signal

import pytest

from slideshow.workers.pipeline import ImagePipeline
from slideshow.workers.spare import SpareWorkers
from tests.support import wait_for
from tests.workers.hooks import solid_decoder, source, take_photos, write_solid

pytestmark = pytest.mark.usefixtures("nothing_left_behind")


def pipeline_with(spares: SpareWorkers, paths: list[str]) -> ImagePipeline:
    return ImagePipeline(source(paths), (16, 8), "fill", workers=1, decoder=solid_decoder,
                         backoff_s=(0.01, 0.05), spares=spares)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_first_worker_is_the_spare_and_a_restart_is_a_worker_of_its_own(tmp_path):
    paths = [write_solid(tmp_path / f"{name}.txt", colour) for name, colour in
             (("a", (255, 0, 0)), ("slow", (0, 255, 0)), ("b", (0, 0, 255)))]
    spares = SpareWorkers(1)
    try:
        [spare] = spares.pids()
        with pipeline_with(spares, paths) as pipeline:
            assert take_photos(pipeline, 1) == [("a", (255, 0, 0, 255))]
            assert pipeline.supervisor.worker_pids() == [spare] and spares.pids() == []
            wait_for((tmp_path / "slow.txt.started").exists, what="the slow decode to start")
            os.kill(spare, signal.SIGKILL)  # a crash in the spare is a death like any other
            photos = take_photos(pipeline, 2)
            [restarted] = pipeline.supervisor.worker_pids()
    finally:
        spares.close()
    assert photos == [("slow", (0, 255, 0, 255)), ("b", (0, 0, 255, 255))]
    assert restarted != spare and pipeline.restarts == 1


def test_a_spare_that_died_before_it_was_taken_leaves_the_pipeline_its_own_worker(tmp_path):
    paths = [write_solid(tmp_path / "a.txt", (1, 2, 3))]
    spares = SpareWorkers(1)
    try:
        [spare] = spares.pids()
        os.kill(spare, signal.SIGKILL)
        wait_for(lambda: spare not in [p.pid for p in multiprocessing.active_children()],
                 what="the spare's death")  # (active_children reaps it)
        with pipeline_with(spares, paths) as pipeline:
            photos = take_photos(pipeline, 1)
            pids = pipeline.supervisor.worker_pids()
    finally:
        spares.close()
    assert photos == [("a", (1, 2, 3, 255))]
    assert len(pids) == 1 and pids != [spare] and pipeline.restarts == 0


def test_a_spare_nobody_took_is_stopped_by_close():
    spares = SpareWorkers(2)
    pids = spares.pids()
    spares.close()
    assert len(pids) == 2 and spares.pids() == []
    assert not any(alive(pid) for pid in pids)
