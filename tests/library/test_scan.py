"""The library's scan on real files: what counts as a photo (by suffix, then by its first
bytes), what is skipped and why (counted exactly), links, loops, unreadable folders, files
that vanish, and photos handed out before a slow scan ends. The trees it scans are made by
tests/library/trees.py."""

from __future__ import annotations

import os
import threading
import time

import pytest

from slideshow.errors import ConfigError
from slideshow.library import SKIP_REASONS, PhotoLibrary
from slideshow.library.dates import date_taken
from slideshow.library.listing import check_signature, list_folder
from tests.library.trees import (
    JPEG_SIGNATURE,
    PNG_SIGNATURE,
    TREE_PHOTOS,
    TREE_SKIPPED,
    CountingScandir,
    all_paths,
    make_tree,
    relative,
    scan,
)

pytestmark = pytest.mark.usefixtures("nothing_left_behind")


def test_photos_and_skips_are_counted_exactly_with_their_reasons(tmp_path):
    root = make_tree(tmp_path / "photos")
    with scan([root], tmp_path) as library:
        stats = library.stats
        assert stats.photos == len(TREE_PHOTOS) and stats.unchecked == 0
        assert stats.skipped == dict(sorted(TREE_SKIPPED.items()))
        assert set(stats.skipped) <= set(SKIP_REASONS)
        assert stats.folders == 3  # root, sub, other: the loop and the second link not walked
        assert relative(all_paths(library, len(TREE_PHOTOS)), root) == TREE_PHOTOS


def test_a_folder_reached_through_a_link_and_directly_is_walked_by_its_own_path(tmp_path):
    root = make_tree(tmp_path / "photos")
    with scan([root], tmp_path) as library:
        paths = all_paths(library, len(TREE_PHOTOS))
    assert str(root / "other" / "f.tif") in paths
    assert not any("link_to_other" in p for p in paths)


def test_a_folder_that_cannot_be_listed_is_counted_and_the_rest_is_scanned(tmp_path):
    root = make_tree(tmp_path / "photos")
    scandir = CountingScandir(fail={str(root / "sub"): PermissionError(13, "Permission denied")})
    with scan([root], tmp_path, scandir=scandir) as library:
        stats = library.stats
        # sub's own entries (two photos, README, the loop) are not seen at all.
        expected = dict(TREE_SKIPPED, unreadable_folder=1, not_an_image=1)
        del expected["symlink_loop"]
        assert stats.skipped == dict(sorted(expected.items()))
        assert stats.photos == len(TREE_PHOTOS) - 2 and stats.folders == 2
        assert scandir.calls.count(str(root / "sub")) == 1


@pytest.mark.skipif(os.name == "posix" and os.geteuid() == 0,
                    reason="running as root, chmod 000 does not stop reading a folder; "
                    "test_a_folder_that_cannot_be_listed_... covers it through the scandir hook")
def test_a_folder_with_no_permissions_is_counted_unreadable(tmp_path):
    root = tmp_path / "photos"
    (root / "locked").mkdir(parents=True)
    (root / "ok.jpg").write_bytes(JPEG_SIGNATURE)
    (root / "locked" / "in.jpg").write_bytes(JPEG_SIGNATURE)
    os.chmod(root / "locked", 0)
    try:
        with scan([root], tmp_path) as library:
            assert library.stats.skipped == {"unreadable_folder": 1}
            assert library.stats.photos == 1
    finally:
        os.chmod(root / "locked", 0o755)


def test_files_named_directly_are_read_whatever_their_suffix(tmp_path):
    root = make_tree(tmp_path / "photos")
    named = [root / "a.jpg", root / "noext", root / "notes.txt"]
    with scan(named, tmp_path) as library:
        assert library.stats.photos == 2
        assert library.stats.skipped == {"not_an_image": 1}
        assert relative(all_paths(library, 2), root) == {"a.jpg", "noext"}


def test_a_path_that_does_not_exist_is_a_config_error_naming_it(tmp_path):
    with pytest.raises(ConfigError, match="nope"):
        PhotoLibrary([tmp_path, tmp_path / "nope"], cache_dir=tmp_path / "cache")


def test_the_first_photo_is_handed_out_while_a_slow_scan_still_runs(tmp_path):
    root = tmp_path / "photos"
    for n in range(6):
        (root / f"f{n}").mkdir(parents=True)
        (root / f"f{n}" / "p.jpg").write_bytes(JPEG_SIGNATURE)
    release = threading.Event()
    listed: list[str] = []

    def slow(path: str) -> None:
        listed.append(path)
        if len(listed) > 2:  # the root and the first folder go through, then it stalls
            assert release.wait(20)

    available = threading.Event()
    library = PhotoLibrary([root], cache_dir=tmp_path / "cache", rescan_s=0,
                           scandir=CountingScandir(before=slow), on_available=available.set)
    with library:
        try:
            assert library.next_path() is None  # nothing yet: the thread is not started
            library.start()
            assert available.wait(10), "on_available was not called"
            first = library.next_path()
            stats = library.stats
            assert first == str(root / "f0" / "p.jpg")
            assert stats.scanning and stats.phase == "listing" and stats.photos == 1
        finally:
            release.set()
        assert library.wait_scanned(10)
        assert library.stats.photos == 6


def test_a_text_file_named_jpg_is_never_handed_out_even_before_it_was_checked(tmp_path):
    root = tmp_path / "photos"
    (root / "later").mkdir(parents=True)
    (root / "good.jpg").write_bytes(JPEG_SIGNATURE)
    (root / "fake.jpg").write_text("text")
    release = threading.Event()
    scandir = CountingScandir(before=lambda p: p.endswith("later") and release.wait(20))
    library = PhotoLibrary([root], cache_dir=tmp_path / "cache", rescan_s=0, scandir=scandir)
    with library:
        try:
            library.start()
            deadline = time.monotonic() + 10
            while library.stats.photos < 2 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert library.stats.unchecked == 2  # listed by name; the check pass has not run
            shown = [library.next_path() for _ in range(6)]
            assert set(shown) == {str(root / "good.jpg")}
        finally:
            release.set()
        assert library.wait_scanned(10)
        assert library.stats.skipped == {"not_an_image": 1}
        assert library.stats.photos == 1


def test_files_and_folders_that_vanish_during_the_scan_are_tolerated(tmp_path):
    root = tmp_path / "photos"
    (root / "gone_folder").mkdir(parents=True)
    (root / "gone_folder" / "x.jpg").write_bytes(JPEG_SIGNATURE)
    (root / "stays.jpg").write_bytes(JPEG_SIGNATURE)
    (root / "vanishes.jpg").write_bytes(JPEG_SIGNATURE)

    class Vanishing(CountingScandir):
        def __call__(self, path: str):
            listing = super().__call__(path)
            if path == str(root):  # listed: now the file and the folder go away
                entries = list(listing)
                listing.close()
                (root / "vanishes.jpg").unlink()
                (root / "gone_folder" / "x.jpg").unlink()
                (root / "gone_folder").rmdir()
                return FakeScandirEntries(entries)
            return listing

    with scan([root], tmp_path, scandir=Vanishing()) as library:
        assert library.stats.photos == 1
        assert library.stats.skipped == {}
        assert all_paths(library, 3) == {str(root / "stays.jpg")}


class FakeScandirEntries(list):
    """A listing taken earlier, served like os.scandir's iterator."""

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        pass


def test_list_folder_sorts_names_by_suffix_without_reading_them(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    for name in ("A.JPEG", "b.Jpg", "c.heic", "d.mov", "e.xmp", "f", ".g.jpg"):
        (folder / name).write_bytes(b"")
    (folder / "sub").mkdir()
    listing = list_folder(str(folder))
    assert sorted(listing.names) == ["A.JPEG", "b.Jpg", "c.heic", "f"]
    assert listing.subdirs == ["sub"]
    assert listing.skipped == {"other_suffix": 2, "hidden": 1}
    assert listing.entries == 8


def test_list_folder_skips_a_hidden_photo_in_a_folder_of_nothing_but_photos(tmp_path):
    for name in ("a.jpg", ".b.jpg", "c.PNG"):  # every name a photo's: the quick path
        (tmp_path / name).write_bytes(b"")
    listing = list_folder(str(tmp_path))
    assert sorted(listing.names) == ["a.jpg", "c.PNG"]
    assert listing.skipped == {"hidden": 1}


def test_check_signature_tells_photos_from_other_bytes(tmp_path):
    cases = {"p.png": PNG_SIGNATURE, "j.jpg": JPEG_SIGNATURE, "t.jpg": b"hello",
             "e.jpg": b"", "h.heic": b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    reasons = {name: check_signature(str(tmp_path / name)) for name in cases}
    assert reasons == {"p.png": None, "j.jpg": None, "t.jpg": "not_an_image",
                       "e.jpg": "empty_file", "h.heic": None}


def _with_deadline(function, *args, deadline_s: float = 10.0):
    """`function(*args)` in a thread, joined with a deadline: a blocking open fails the
    test instead of hanging the run (the FIFO is then opened for writing to free it)."""
    result: list = []
    thread = threading.Thread(target=lambda: result.append(function(*args)), daemon=True)
    thread.start()
    thread.join(deadline_s)
    if thread.is_alive():
        try:
            os.close(os.open(args[0], os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass
        thread.join(deadline_s)
        pytest.fail(f"{function.__name__}({args[0]}) was still blocked after {deadline_s:g} s")
    return result[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX named pipes")
def test_a_photo_swapped_for_a_pipe_after_the_listing_is_skipped_without_waiting(tmp_path):
    """The listing saw a photo; by the signature pass (or the dates) its name is a FIFO.
    The type is checked on the open descriptor, so nothing waits for a writer."""
    fifo = tmp_path / "swapped.jpg"
    os.mkfifo(fifo)

    assert _with_deadline(check_signature, str(fifo)) == "special_file"
    assert _with_deadline(date_taken, str(fifo)) is None


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_link_to_a_device_is_skipped_as_special_not_read(tmp_path):
    link = tmp_path / "zero.jpg"
    link.symlink_to("/dev/zero")  # reads as endless zero bytes: "not an image" before

    assert _with_deadline(check_signature, str(link)) == "special_file"
    assert _with_deadline(date_taken, str(link)) is None


def test_a_folder_named_like_a_photo_is_skipped_as_special(tmp_path):
    (tmp_path / "album.jpg").mkdir()

    assert check_signature(str(tmp_path / "album.jpg")) == "special_file"
