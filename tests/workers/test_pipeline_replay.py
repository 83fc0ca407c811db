"""Steering the pipeline for the show's previous key, with real worker processes and rings:
paths asked for first reach the worker before the source's next ones, a drop releases the
photos decoded for the old sequence unshown (their slots decode the asked-for ones), and
the source's photos that were dropped unshown come again afterwards, in order."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from slideshow.workers.pipeline import ImagePipeline
from tests.support import wait_for
from tests.workers.hooks import calls, solid_decoder, source, take_photos, write_solid

pytestmark = pytest.mark.usefixtures("nothing_left_behind")


def solid_paths(folder: Path, names: list[str]) -> list[str]:
    return [write_solid(folder / f"{name}.txt", (10 * i, 20, 30)) for i, name in enumerate(names)]


def decoded_names(folder: Path) -> list[str]:
    return [Path(path).stem for path in calls(folder)]


def test_paths_asked_for_first_go_to_the_worker_before_the_source_paths(tmp_path):
    paths = solid_paths(tmp_path, ["p0", "p1", "p2", "p3"])
    (tmp_path / "x").mkdir()
    [extra] = solid_paths(tmp_path / "x", ["x"])  # its decodes are logged in x/calls.log
    with ImagePipeline(source(paths), (16, 8), workers=1, ring_slots=2,
                       decoder=solid_decoder) as pipeline:
        wait_for(lambda: pipeline.decoded == 2, what="the ring to fill")
        time.sleep(0.05)
        pipeline.request_first([extra])  # the ring is full: it waits for the next free slot
        photos = take_photos(pipeline, 5)
    assert [name for name, _ in photos] == ["p0", "p1", "x", "p2", "p3"]
    assert decoded_names(tmp_path) == ["p0", "p1", "p2", "p3"]
    assert decoded_names(tmp_path / "x") == ["x"]


def test_a_drop_releases_old_photos_unshown_and_gives_the_source_ones_back_in_order(tmp_path):
    paths = solid_paths(tmp_path, ["p0", "p1", "p2", "p3", "p4"])
    with ImagePipeline(source(paths), (16, 8), workers=1, ring_slots=2,
                       decoder=solid_decoder) as pipeline:
        first = take_photos(pipeline, 1)  # p0, as shown
        pipeline.mark_shown(paths[0])
        wait_for(lambda: pipeline.decoded == 3, what="the ring to fill again (p1, p2)")
        time.sleep(0.05)
        assert pipeline.decoded == 3  # both slots hold READY photos: nothing more is sent
        pipeline.request_first([paths[0]], drop_older=True)  # show p0 again
        # The ring was full of p1 and p2: only their release makes room for p0.
        again = take_photos(pipeline, 4)
    assert [name for name, _ in first] == ["p0"]
    assert [name for name, _ in again] == ["p0", "p1", "p2", "p3"]
    # p1 and p2 were decoded twice: dropped unshown, then asked for again.
    assert decoded_names(tmp_path)[:7] == ["p0", "p1", "p2", "p0", "p1", "p2", "p3"]


def test_photos_held_by_the_consumer_and_not_marked_shown_come_back_too(tmp_path):
    paths = solid_paths(tmp_path, ["p0", "p1", "p2", "p3"])
    with ImagePipeline(source(paths), (16, 8), workers=2, ring_slots=2,
                       decoder=solid_decoder) as pipeline:
        wait_for(lambda: pipeline.decoded == 4, what="four decodes")
        shown = pipeline.take_ready()
        shown.release()
        pipeline.mark_shown(shown.path)
        held = pipeline.take_ready()  # on its way to the screen, not shown yet
        pipeline.request_first([paths[0]], drop_older=True)
        held.release()  # the show gives it up once its pixels are copied out
        again = take_photos(pipeline, 4)
    assert (Path(shown.path).stem, Path(held.path).stem) == ("p0", "p1")
    assert [name for name, _ in again] == ["p0", "p1", "p2", "p3"]


def test_nothing_decoded_before_a_drop_is_handed_out_after_it(tmp_path):
    paths = solid_paths(tmp_path, [f"p{i}" for i in range(6)])
    with ImagePipeline(source(paths), (16, 8), workers=2, ring_slots=3,
                       decoder=solid_decoder) as pipeline:
        wait_for(lambda: pipeline.decoded == 6, what="six decodes")
        pipeline.request_first([paths[5]], drop_older=True)
        taken: list[tuple[str, int]] = []

        def take() -> bool:
            photo = pipeline.take_ready()
            if photo is not None:
                taken.append((Path(photo.path).stem, photo.request_id))
                photo.release()
            return len(taken) == 7

        wait_for(take, what="seven photos")
        watermark = pipeline.supervisor.watermark
    assert watermark == 7  # the six requests before the drop are below it
    assert all(request_id >= watermark for _, request_id in taken), taken
    assert [name for name, _ in taken] == ["p5", "p0", "p1", "p2", "p3", "p4", "p5"]
