"""ImagePipeline, the render thread's side: request order across rings, refilling on
release, corrupt files skipped with one log line each, and the non-blocking take."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from slideshow.workers.pipeline import ImagePipeline
from tests.support import wait_for
from tests.workers.hooks import solid_decoder, source, take_photos, write_solid

pytestmark = pytest.mark.usefixtures("nothing_left_behind")

LOG = "test.pipeline"


def test_photos_come_out_in_request_order_across_rings(tmp_path):
    colours = [(40 * i, 255 - 40 * i, 7) for i in range(6)]
    paths = [write_solid(tmp_path / f"p{i}.txt", rgb) for i, rgb in enumerate(colours)]

    with ImagePipeline(source(paths), (16, 8), workers=2, ring_slots=3,
                       decoder=solid_decoder) as pipeline:
        wait_for(lambda: pipeline.decoded == 6, what="six decodes")
        photo = pipeline.take_ready()
        first = (photo.path, photo.width, photo.height, photo.source_size, photo.decode_ms,
                 photo.pixels.shape, photo.pixels.flags.writeable)
        photo.release()
        photo.release()  # idempotent
        rest = take_photos(pipeline, 5)
        assert pipeline.take_ready() is None

    assert first == (paths[0], 16, 8, (32, 16), 1.5, (8, 16, 4), False)
    assert [name for name, _ in rest] == ["p1", "p2", "p3", "p4", "p5"]
    assert [rgba for _, rgba in rest] == [(*rgb, 255) for rgb in colours[1:]]


def test_released_slots_are_filled_again_from_the_source(tmp_path):
    paths = [write_solid(tmp_path / f"p{i}.txt", (i, i, i)) for i in range(7)]

    with ImagePipeline(source(paths), (16, 8), workers=1, ring_slots=2,
                       decoder=solid_decoder) as pipeline:
        wait_for(lambda: pipeline.decoded == 2, what="the ring to fill")
        time.sleep(0.05)
        decoded_while_full = pipeline.decoded  # nothing more without a release
        photos = take_photos(pipeline, 7)

    assert decoded_while_full == 2
    assert [name for name, _ in photos] == [f"p{i}" for i in range(7)]


def test_a_held_photo_is_never_handed_out_twice(tmp_path):
    paths = [write_solid(tmp_path / f"p{i}.txt", (i, i, i)) for i in range(2)]

    with ImagePipeline(source(paths), (16, 8), workers=1, ring_slots=2,
                       decoder=solid_decoder) as pipeline:
        wait_for(lambda: pipeline.decoded == 2, what="two decodes")
        held = pipeline.take_ready()
        while_held = pipeline.take_ready()
        held.release()
        after = pipeline.take_ready()
        after_path = after.path
        after.release()

    assert Path(held.path).name == "p0.txt"
    assert while_held is None  # the ring shows its oldest READY slot, which is still held
    assert Path(after_path).name == "p1.txt"


def write_photo(path: Path, rgb: tuple[int, int, int], size=(64, 48)) -> str:
    Image.fromarray(np.full((size[1], size[0], 3), rgb, np.uint8)).save(path)
    return str(path)


def test_corrupt_files_are_skipped_with_one_log_line_each(tmp_path, caplog):
    good = write_photo(tmp_path / "good.png", (200, 10, 10))
    garbage = tmp_path / "garbage.jpg"
    garbage.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8)
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    text = tmp_path / "notes.txt"
    text.write_text("shopping list\n")
    missing = tmp_path / "vanished.jpg"
    after = write_photo(tmp_path / "after.png", (10, 200, 10))
    bad = [str(garbage), str(empty), str(text), str(missing)]
    caplog.set_level(logging.WARNING, logger=LOG)

    with ImagePipeline(source([good, *bad, after]), (32, 24), "fill", workers=1, ring_slots=2,
                       log=logging.getLogger(LOG)) as pipeline:
        photos = take_photos(pipeline, 2)
        wait_for(lambda: pipeline.failed == 4, what="four failures")
        decoded, failed = pipeline.decoded, pipeline.failed

    assert photos == [("good", (200, 10, 10, 255)), ("after", (10, 200, 10, 255))]
    assert (decoded, failed) == (2, 4)
    messages = [r.getMessage() for r in caplog.records if r.name == LOG]
    for path, error_class in zip(bad, ("DamagedImage", "UnreadableFile", "UnsupportedFormat",
                                       "UnreadableFile")):
        lines = [m for m in messages if path in m]
        assert len(lines) == 1, (path, messages)
        assert lines[0].startswith(f"skipping {path}: {error_class}: ")
    assert len(messages) == 4
