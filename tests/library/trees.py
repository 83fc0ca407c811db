"""Photo folders on disk for the library tests (and `slideshow scan`'s): a tree with every
kind of entry the scan must count or skip, folder ages the index cache trusts, a scandir
that records what was listed, and a scan run to its end."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from PIL import Image

from slideshow.library import PhotoLibrary

JPEG_SIGNATURE = b"\xff\xd8\xff\xe0" + bytes(60)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n" + bytes(56)
LONG_AGO_S = time.time() - 3600  # folder mtimes this old are trusted by the cache

# What make_tree holds: the photos (relative paths) and the skips it must be counted with.
TREE_PHOTOS = {"a.jpg", "b.png", "c.JPG", "noext", "other/f.tif", "sub/d.webp", "sub/e.gif"}
TREE_SKIPPED = {"hidden": 2, "other_suffix": 1, "not_an_image": 2, "empty_file": 1,
                "symlink_loop": 1, "duplicate_folder": 1, "broken_link": 1, "special_file": 1}


def make_tree(root: Path) -> Path:
    """Real photos written by Pillow, files that only carry a photo's signature, non-photos,
    hidden entries, a link loop, a second link to a folder, a dangling link and a pipe."""
    (root / "sub").mkdir(parents=True)
    (root / "other").mkdir()
    (root / ".hiddendir").mkdir()
    Image.new("RGB", (8, 6), (200, 10, 10)).save(root / "a.jpg")
    Image.new("RGB", (8, 6), (10, 200, 10)).save(root / "b.png")
    (root / "c.JPG").write_bytes(JPEG_SIGNATURE)  # the suffix in upper case
    (root / "noext").write_bytes(PNG_SIGNATURE)  # no suffix: read, and it is a photo
    (root / "notes.txt").write_text("not a photo")  # never read
    (root / "fake.jpg").write_text("just text, named like a photo")
    (root / "empty.png").write_bytes(b"")
    Image.new("RGB", (4, 4)).save(root / ".hidden.jpg")
    Image.new("RGB", (4, 4)).save(root / ".hiddendir" / "x.jpg")  # inside: never looked at
    (root / "sub" / "d.webp").write_bytes(b"RIFF\x00\x00\x00\x00WEBPVP8 " + bytes(48))
    Image.new("P", (4, 4)).save(root / "sub" / "e.gif")
    (root / "sub" / "README").write_text("no suffix, not a photo")
    (root / "sub" / "loop").symlink_to(root, target_is_directory=True)
    (root / "other" / "f.tif").write_bytes(b"II*\x00" + bytes(60))
    (root / "link_to_other").symlink_to(root / "other", target_is_directory=True)
    (root / "dangling").symlink_to(root / "nowhere")
    os.mkfifo(root / "pipe")
    return root


def age_folders(root: Path) -> None:
    """Sets every folder's mtime an hour back: the cache trusts only mtimes that are not
    too recent, and a freshly written tree is."""
    for folder, _dirs, _files in os.walk(root):
        os.utime(folder, (LONG_AGO_S, LONG_AGO_S))


class CountingScandir:
    """os.scandir that records each folder listed; `fail` maps a folder to the OSError it
    raises, `before` is called with each folder before it is listed."""

    def __init__(self, fail: dict[str, OSError] | None = None, before=None) -> None:
        self.calls: list[str] = []
        self.fail = fail or {}
        self.before = before
        self.lock = threading.Lock()

    def __call__(self, path: str):
        with self.lock:
            self.calls.append(path)
        if self.before is not None:
            self.before(path)
        if path in self.fail:
            raise self.fail[path]
        return os.scandir(path)


def scan(paths, tmp_path: Path, **options) -> PhotoLibrary:
    library = PhotoLibrary(paths, cache_dir=tmp_path / "cache", rescan_s=0, **options)
    library.start()
    assert library.wait_scanned(30), "the scan did not finish"
    return library


def all_paths(library: PhotoLibrary, count: int) -> set[str]:
    return {library.next_path() for _ in range(count)}


def relative(paths, root: Path) -> set[str]:
    return {os.path.relpath(p, root) for p in paths}
