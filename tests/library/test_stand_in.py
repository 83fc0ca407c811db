"""Photos that cannot be decoded, with real worker processes and real files: a failed file
is named once and then passed over until it changes; when every listed photo fails (FIFOs
where the photos were, damaged JPEGs), one warning, the demo set stands in, the user's
photos are tried again on the injected clock, and the first that decodes brings them back
with one info line."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from slideshow.config import load_config
from slideshow.library.demo import DemoSet
from slideshow.library.display_photos import DisplayPhotos
from slideshow.library.failed import FailedPhotos
from slideshow.library.stand_in import StandIn
from slideshow.pacing.fake_time import FakeTime
from slideshow.workers.pipeline import ImagePipeline
from tests.support import EMPTY_TOML, wait_for

pytestmark = pytest.mark.usefixtures("nothing_left_behind")

LOG = "slideshow.library.display_photos"
TRY_EVERY_S = 10.0
DAMAGED = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8  # a JPEG's signature, then noise
STAND_IN_WARNING = "could be decoded"
BACK_LINE = "back to your photos"


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    """The library's index cache in the test's folder, not the user's."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def write_photo(path: Path, rgb: tuple[int, int, int]) -> Path:
    Image.new("RGB", (48, 32), rgb).save(path, "JPEG")
    return path


def photo_folder(folder: Path, count: int) -> list[Path]:
    folder.mkdir()
    return [write_photo(folder / f"photo{i}.jpg", (40 * i, 80, 160)) for i in range(count)]


def replace_with_fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


class Run:
    """DisplayPhotos and one display's real pipeline, wired as run/parts.py wires them, with
    a small demo set and a fake clock for the stand-in's tries."""

    def __init__(self, folder: Path, demo_folder: Path) -> None:
        self.clock = FakeTime()
        config = load_config(EMPTY_TOML, {"show.paths": [str(folder)], "show.rescan_s": 0})
        self.demo = DemoSet(demo_folder, count=3, size=(64, 48))
        self.photos = DisplayPhotos(config, demo=self.demo, clock=self.clock.now,
                                    try_every_s=TRY_EVERY_S)
        assert self.photos.library.wait_scanned(30)
        self.pipeline: ImagePipeline | None = None

    def start(self) -> None:
        self.pipeline = ImagePipeline(self.photos.for_display(0), (32, 24), workers=1,
                                      ring_slots=2, on_result=self.photos.note_result,
                                      log_skipped=False)
        self.photos.add_waker(self.pipeline.supervisor.poke)

    def take(self, count: int, timeout_s: float = 30.0) -> list[str]:
        """The paths of the next `count` photos out of the pipeline, each released at once."""
        taken: list[str] = []

        def take_one() -> bool:
            photo = self.pipeline.take_ready()
            if photo is not None:
                taken.append(photo.path)
                photo.release()
            return len(taken) >= count

        wait_for(take_one, timeout_s, f"{count} photos (got {taken})")
        return taken

    def is_demo(self, path: str) -> bool:
        return Path(path).parent == self.demo.folder

    def close(self) -> None:
        if self.pipeline is not None:
            self.pipeline.close()
        self.photos.close()


@pytest.fixture
def run_in(tmp_path) -> Iterator:
    runs: list[Run] = []

    def start(folder: Path) -> Run:
        runs.append(Run(folder, tmp_path / "demo"))
        return runs[-1]

    yield start
    for run in runs:
        run.close()


def messages(caplog, text: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOG and text in r.getMessage()]


def test_a_failed_photo_is_named_once_and_passed_over_until_it_changes(tmp_path, run_in, caplog):
    caplog.set_level(logging.INFO, logger=LOG)
    folder = tmp_path / "photos"
    folder.mkdir()
    good = [str(write_photo(folder / f"good{i}.jpg", (60 * i, 90, 30))) for i in range(3)]
    damaged = folder / "damaged.jpg"
    damaged.write_bytes(DAMAGED)
    run = run_in(folder)
    run.start()

    shown = run.take(12)  # four rounds of the three good photos
    assert sorted(set(shown)) == good
    assert messages(caplog, "skipping")[0].startswith(f"skipping {damaged}: DamagedImage: ")
    assert len(messages(caplog, "skipping")) == 1
    assert run.pipeline.failed == 1 and run.photos.failed.skips >= 3  # sent once, then passed over
    assert messages(caplog, STAND_IN_WARNING) == []

    write_photo(damaged, (250, 250, 250))  # repaired: a new size and mtime
    assert str(damaged) in run.take(12)
    assert len(messages(caplog, "skipping")) == 1
    assert len(run.photos.failed) == 0


def test_when_every_photo_fails_one_warning_and_the_demo_set_stands_in(tmp_path, run_in, caplog):
    caplog.set_level(logging.INFO, logger=LOG)
    paths = photo_folder(tmp_path / "photos", 4)
    run = run_in(paths[0].parent)
    # Listed as photos by the scan, then every one replaced: two by FIFOs (a plain open()
    # would wait for a writer for ever), two by damaged JPEGs.
    for path in paths[:2]:
        replace_with_fifo(path)
    for path in paths[2:]:
        path.write_bytes(DAMAGED)
    run.start()

    shown = run.take(9)  # three rounds of the demo set
    assert all(run.is_demo(path) for path in shown), shown
    assert len(set(shown)) == 3
    warnings = messages(caplog, STAND_IN_WARNING)
    assert warnings == [("none of the 4 photos listed could be decoded (each was named once "
                         "above); the built-in demo photos stand in, and yours are tried again "
                         "every 10 s")]
    for path in paths:
        assert len(messages(caplog, f"skipping {path}: ")) == 1, messages(caplog, "skipping")

    # (A photo dealt again before its failure came back fails once more, quietly.)
    failed = run.pipeline.failed
    for _ in range(3):  # tries of files unchanged since they failed: stats, no decode
        run.clock.advance(TRY_EVERY_S)
        assert all(run.is_demo(path) for path in run.take(3))
    assert run.pipeline.failed == failed
    assert len(messages(caplog, "skipping")) == 4
    assert len(messages(caplog, STAND_IN_WARNING)) == 1
    assert messages(caplog, BACK_LINE) == []


def test_the_users_photos_come_back_when_one_decodes_again(tmp_path, run_in, caplog):
    caplog.set_level(logging.INFO, logger=LOG)
    paths = photo_folder(tmp_path / "photos", 3)
    run = run_in(paths[0].parent)
    for path in paths:
        path.write_bytes(DAMAGED)
    run.start()
    assert all(run.is_demo(path) for path in run.take(3))

    fixed = write_photo(paths[1], (200, 200, 0))
    assert all(run.is_demo(path) for path in run.take(3))  # no try before the clock says so
    run.clock.advance(TRY_EVERY_S)
    shown = wait_for(lambda: (taken := run.take(1)) and not run.is_demo(taken[0]) and taken,
                     what="the repaired photo")
    assert shown == [str(fixed)]
    backs = messages(caplog, BACK_LINE)
    assert len(backs) == 1 and backs[0].startswith(f"{fixed} decoded: back to your photos")
    # Demo photos requested before it decoded (a ring's worth at most) still come; then
    # the repaired one is all there is to show: the others are known bad and unchanged.
    after = run.take(6)
    assert after[2:] == [str(fixed)] * 4 and all(run.is_demo(p) for p in after[:2]
                                                  if p != str(fixed)), after
    assert len(messages(caplog, STAND_IN_WARNING)) == 1
    assert len(messages(caplog, "skipping")) == 3


def test_a_known_bad_file_is_tried_again_once_it_changes_or_comes_back(tmp_path):
    failed = FailedPhotos(logging.getLogger("test.failed"))
    photo = write_photo(tmp_path / "photo.jpg", (1, 2, 3))
    gone = tmp_path / "on-the-nas.jpg"
    assert failed.record(str(photo), "DamagedImage", "truncated")
    assert not failed.record(str(photo), "DamagedImage", "truncated")  # the same file again
    assert failed.record(str(gone), "UnreadableFile", "no such file")
    assert failed.is_known_bad(str(photo)) and failed.is_known_bad(str(gone))

    stat = photo.stat()
    os.utime(photo, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # touched
    gone.write_bytes(DAMAGED)  # back
    assert not failed.is_known_bad(str(photo)) and not failed.is_known_bad(str(gone))
    assert len(failed) == 0
    assert failed.skips == 2


def test_a_round_needs_every_listed_photo_to_fail_and_tries_follow_the_clock(tmp_path):
    clock = FakeTime()
    log = logging.getLogger("test.stand_in")
    woken: list[float] = []
    stand_in = StandIn(DemoSet(tmp_path / "demo", count=2, size=(32, 24)),
                       lambda: woken.append(clock.now()), log, clock=clock.now, try_every_s=5.0)
    try:
        stand_in.failed("a", listed=3)
        stand_in.failed("a", listed=3)  # the same photo twice is one failure
        stand_in.failed("b", listed=3)
        stand_in.decoded("c")  # one that decodes: the round starts over
        stand_in.failed("a", listed=3)
        stand_in.failed("b", listed=3)
        assert not stand_in.active
        stand_in.failed("c", listed=3)
        assert stand_in.active
        first = wait_for(lambda: stand_in.next_demo(lambda path: False),
                         what="a painted demo photo")
        assert woken and Path(first).parent == tmp_path / "demo"  # the pipelines were poked

        assert not stand_in.try_due()
        clock.advance(5.0)
        assert stand_in.try_due() and not stand_in.try_due()  # once per period
        stand_in.decoded("c")
        assert not stand_in.active
        clock.advance(5.0)
        assert not stand_in.try_due()  # no stand-in, no tries
    finally:
        stand_in.close()


def test_demo_photos_are_dealt_in_turn_and_a_bad_one_is_passed_over(tmp_path):
    stand_in = StandIn(DemoSet(tmp_path / "demo", count=3, size=(32, 24)), lambda: None,
                       logging.getLogger("test.stand_in"))
    try:
        stand_in.failed("only", listed=1)
        wait_for(lambda: len({stand_in.next_demo(lambda path: False) for _ in range(3)}) == 3,
                 what="all three painted")
        dealt = [stand_in.next_demo(lambda path: False) for _ in range(6)]
        assert dealt[:3] == dealt[3:] and len(set(dealt)) == 3
        bad = dealt[0]
        assert bad not in [stand_in.next_demo(lambda path: path == bad) for _ in range(6)]
        assert stand_in.next_demo(lambda path: True) is None
    finally:
        stand_in.close()


def test_without_demo_photos_the_pipelines_are_still_poked_so_the_tries_go_on(tmp_path, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("where the demo folder's parent should be")
    log = logging.getLogger("test.stand_in")
    woken: list[int] = []
    stand_in = StandIn(DemoSet(blocker / "demo", count=2, size=(32, 24)),
                       lambda: woken.append(1), log, try_every_s=0.05)
    caplog.set_level(logging.WARNING, logger="test.stand_in")
    try:
        stand_in.failed("only", listed=1)
        wait_for(lambda: len(woken) >= 3, what="three pokes")
        assert stand_in.next_demo(lambda path: False) is None
    finally:
        stand_in.close()
    lines = [r.getMessage() for r in caplog.records if r.name == "test.stand_in"]
    assert len(lines) == 2 and lines[1].startswith(
        f"could not paint the built-in demo photos in {blocker / 'demo'}: "), lines
