"""The index cache and rescans: a restart lists only the folders whose mtime changed, a
damaged cache means a cold scan, and rescans on the (fake) clock pick up added and removed
files while the show runs."""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

import pytest

from slideshow.library import PhotoLibrary, cache
from slideshow.pacing.fake_time import FakeTime
from tests.library.trees import (
    JPEG_SIGNATURE,
    TREE_PHOTOS,
    TREE_SKIPPED,
    CountingScandir,
    age_folders,
    all_paths,
    make_tree,
    relative,
    scan,
)

pytestmark = pytest.mark.usefixtures("nothing_left_behind")


def make_folders(root: Path, folders: int, per_folder: int) -> None:
    for f in range(folders):
        for n in range(per_folder):
            path = root / f"f{f}" / f"p{n}.jpg"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(JPEG_SIGNATURE)
    age_folders(root)


def wait_for(condition, timeout_s: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_a_restart_lists_again_only_the_folder_that_changed(tmp_path):
    root = tmp_path / "photos"
    make_folders(root, 4, 5)
    first = CountingScandir()
    with scan([root], tmp_path, scandir=first) as library:
        assert library.stats.photos == 20 and library.stats.folders_listed == 5
        assert library.cache_path.is_file()
        assert library.cache_path.is_relative_to(tmp_path / "cache")
    assert len(first.calls) == 5  # the root and four folders
    (root / "f2" / "new.jpg").write_bytes(JPEG_SIGNATURE)
    f1 = (root / "f1").stat()
    (root / "f1" / "p0.jpg").unlink()
    os.utime(root / "f1", ns=(f1.st_atime_ns, f1.st_mtime_ns))  # a change the mtime hides
    again = CountingScandir()
    with scan([root], tmp_path, scandir=again) as library:
        assert again.calls == [str(root / "f2")]
        stats = library.stats
        assert (stats.folders_listed, stats.folders_reused) == (1, 4)
        # f1's removal is not seen (its mtime was put back); f2's addition is.
        assert stats.photos == 21 and stats.unchecked == 0
        assert str(root / "f2" / "new.jpg") in all_paths(library, 21)


def test_counts_and_reasons_survive_a_restart_from_the_cache(tmp_path):
    root = make_tree(tmp_path / "photos")
    age_folders(root)
    with scan([root], tmp_path) as library:
        before = library.stats
    again = CountingScandir()
    with scan([root], tmp_path, scandir=again) as library:
        after = library.stats
        assert again.calls == []
        assert after.skipped == before.skipped == dict(sorted(TREE_SKIPPED.items()))
        assert after.photos == len(TREE_PHOTOS) and after.unchecked == 0
        assert relative(all_paths(library, len(TREE_PHOTOS)), root) == TREE_PHOTOS


def test_a_folder_whose_mtime_moved_with_nothing_changed_is_listed_once_then_reused(tmp_path):
    root = tmp_path / "photos"
    make_folders(root, 2, 2)
    with scan([root], tmp_path):
        pass
    os.utime(root / "f0", (time.time() - 7200,) * 2)
    runs = [CountingScandir(), CountingScandir()]
    for scandir in runs:
        with scan([root], tmp_path, scandir=scandir) as library:
            assert library.stats.photos == 4
    assert [run.calls for run in runs] == [[str(root / "f0")], []]


def test_a_folder_changed_just_before_the_scan_is_listed_again_next_time(tmp_path):
    root = tmp_path / "photos"
    make_folders(root, 2, 1)
    os.utime(root / "f1")  # now: a change within the same clock tick would not show
    with scan([root], tmp_path):
        pass
    again = CountingScandir()
    with scan([root], tmp_path, scandir=again):
        assert again.calls == [str(root / "f1")]


def test_a_damaged_cache_is_ignored_and_replaced(tmp_path, caplog):
    root = tmp_path / "photos"
    make_folders(root, 2, 3)
    with scan([root], tmp_path) as library:
        cache_path = library.cache_path
    data = cache_path.read_bytes()
    cache_path.write_bytes(data[:len(data) // 2])
    again = CountingScandir()
    with scan([root], tmp_path, scandir=again) as library:
        assert library.stats.photos == 6
    assert len(again.calls) == 3
    assert "damaged" in caplog.text
    third = CountingScandir()
    with scan([root], tmp_path, scandir=third):
        assert third.calls == []


def _damaged_header(header: bytes) -> bytes:
    """A cache file whose frame is right (magic, sizes) and whose JSON header is `header`."""
    return cache._MAGIC + cache._SIZES.pack(len(header), 0) + header


@pytest.mark.parametrize("content", [
    pytest.param(_damaged_header(b"[" * 100_000), id="nested-json-header"),
    pytest.param(b"[" * 100_000, id="nested-json-whole-file"),
    pytest.param(_damaged_header(b'{"format": 1, "roots": [], "keys": null, '
                                 b'"names_sorted": false, "folders": {"a": 1}}'),
                 id="folders-not-a-list"),
    pytest.param(_damaged_header(b"[1, 2]"), id="header-a-list"),
    pytest.param(_damaged_header(b"\xff\xfe not utf-8"), id="not-utf-8"),
    pytest.param(cache._MAGIC + cache._SIZES.pack(2**63, 2**63), id="absurd-sizes"),
])
def test_a_cache_damaged_in_any_way_means_one_line_and_a_full_scan(tmp_path, caplog, content):
    """Deeply nested JSON raised RecursionError past the cache's error handling, and the
    start ended with a false "no photos found"."""
    root = tmp_path / "photos"
    make_folders(root, 2, 3)
    with scan([root], tmp_path) as library:
        cache_path = library.cache_path
    if content.startswith(cache._MAGIC):  # the right roots, so the damage is what is read
        roots = f'"roots": {json.dumps([str(root)])}'.encode()
        content = content.replace(b'"roots": []', roots)
    cache_path.write_bytes(content)
    caplog.set_level(logging.WARNING, logger="slideshow.library.cache")
    again = CountingScandir()

    with scan([root], tmp_path, scandir=again) as library:
        assert library.stats.photos == 6
        assert len(all_paths(library, 6)) == 6

    assert len(again.calls) == 3  # every folder listed: the cache was not used
    lines = [r.getMessage() for r in caplog.records if r.name == "slideshow.library.cache"]
    assert len(lines) == 1 and "damaged" in lines[0] and str(cache_path) in lines[0], lines
    assert cache_path.read_bytes().startswith(cache._MAGIC)  # written anew, readable again
    with scan([root], tmp_path, scandir=(third := CountingScandir())):
        assert third.calls == []


def test_without_the_cache_nothing_is_read_or_written(tmp_path):
    root = tmp_path / "photos"
    make_folders(root, 1, 2)
    library = PhotoLibrary([root], cache_dir=tmp_path / "cache", use_cache=False, rescan_s=0)
    with library:
        library.start()
        assert library.wait_scanned(10)
        assert library.cache_path is None and library.stats.photos == 2
    assert not (tmp_path / "cache").exists()


def test_rescans_on_the_clock_pick_up_added_and_removed_photos(tmp_path):
    root = tmp_path / "photos"
    make_folders(root, 2, 2)
    clock = FakeTime()
    scandir = CountingScandir()
    library = PhotoLibrary([root], cache_dir=tmp_path / "cache", rescan_s=30.0,
                           clock=clock.now, scandir=scandir, seed=4)
    with library:
        library.start()
        assert library.wait_scanned(10)
        assert library.stats.scans == 1
        (root / "f0" / "added.jpg").write_bytes(JPEG_SIGNATURE)
        (root / "f1" / "p0.jpg").unlink()
        clock.advance(20.0)
        library.poke()
        time.sleep(0.2)
        assert library.stats.scans == 1, "rescanned before rescan_s had passed"
        clock.advance(11.0)
        library.poke()
        assert wait_for(lambda: library.stats.scans == 2)
        assert scandir.calls[-2:] == [str(root / "f0"), str(root / "f1")]
        dealt = [library.next_path() for _ in range(12)]
    assert str(root / "f0" / "added.jpg") in dealt
    assert str(root / "f1" / "p0.jpg") not in dealt
    assert len(set(dealt)) == 4


def test_rescan_asked_for_runs_at_once_and_a_removed_folder_leaves(tmp_path):
    root = tmp_path / "photos"
    make_folders(root, 2, 2)
    library = PhotoLibrary([root], cache_dir=tmp_path / "cache", rescan_s=0, seed=1)
    with library:
        library.start()
        assert library.wait_scanned(10)
        for path in (root / "f1").iterdir():
            path.unlink()
        (root / "f1").rmdir()
        library.rescan()
        assert wait_for(lambda: library.stats.scans == 2)
        assert library.stats.photos == 2 and library.stats.folders == 2
        assert all_paths(library, 6) == {str(root / "f0" / "p0.jpg"), str(root / "f0" / "p1.jpg")}


def test_photos_found_by_a_rescan_wake_a_caller_that_found_none(tmp_path):
    root = tmp_path / "photos"
    root.mkdir()
    calls = []
    library = PhotoLibrary([root], cache_dir=tmp_path / "cache", rescan_s=0,
                           on_available=lambda: calls.append(library.next_path()))
    with library:
        library.start()
        assert library.wait_scanned(10)
        assert library.next_path() is None
        (root / "new.jpg").write_bytes(JPEG_SIGNATURE)
        library.rescan()
        assert wait_for(lambda: library.stats.scans == 2)
    assert calls == [str(root / "new.jpg")]
