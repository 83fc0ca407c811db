"""The index cache: one file per set of photo folders, under the per-user cache folder,
that lets a restart skip listing every folder whose mtime has not changed.

Layout (little-endian): a magic line; two uint64 sizes; a JSON header holding the roots,
the key kind and one record per folder (key, path, mtime_ns, dev, ino, photo count,
subfolders, skipped counts); every photo name in folder order, UTF-8 (surrogateescape,
for names that are not valid UTF-8) joined by NUL, which no file name contains; one state
byte per photo (its first bytes read or not); and in date/mtime order one float64 key per
photo. Folder paths are stored once, so 1,000,000 photos in 1,000 folders make about 15 MB,
written in a fraction of a second and read back with one `split`.

Written to a temporary file and renamed into place, so a crash leaves the old cache. A
cache that cannot be read, is damaged in any way (whatever its parse raises, RecursionError
from deeply nested JSON included), or is for other roots or another format, is ignored
(logged once): the library then scans cold and writes a new one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import struct
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import platformdirs

from slideshow.library.index import CHECKED, UNCHECKED, Folder, PhotoIndex

FORMAT = 1
_MAGIC = b"slideshow photo index\n"
_SIZES = struct.Struct("<QQ")  # header bytes, name bytes

log = logging.getLogger(__name__)


def default_cache_dir() -> Path:
    """The per-user cache folder (XDG on Linux, Library/Caches on macOS, AppData on Windows)."""
    return Path(platformdirs.user_cache_dir("slideshow"))


def cache_file(cache_dir: str | Path, roots: Sequence[str]) -> Path:
    """Where the index of exactly these roots is kept."""
    digest = hashlib.sha1("\0".join(roots).encode("utf-8", "surrogateescape")).hexdigest()
    return Path(cache_dir) / "library" / f"{digest[:16]}.index"


def save(path: Path, index: PhotoIndex, roots: Sequence[str], keys_kind: str | None) -> None:
    """Writes `index` to `path` atomically."""
    folders = list(index.folders())
    records, names, ids = [], [], []
    for folder in folders:
        folder_names = index.names_in(folder)
        names.extend(folder_names)
        ids.append(folder.ids)
        records.append([folder.key, None if folder.path == folder.key else folder.path,
                        folder.mtime_ns, folder.dev, folder.ino, len(folder_names),
                        list(folder.subdirs), folder.skipped])
    order = np.concatenate(ids) if ids else np.empty(0, np.int32)
    state = np.where(index.state[order] == CHECKED, CHECKED, UNCHECKED).astype(np.uint8)
    header = json.dumps({"format": FORMAT, "roots": list(roots), "keys": keys_kind,
                         "names_sorted": index.sort_names, "folders": records},
                        separators=(",", ":")).encode("utf-8")
    blob = "\0".join(names).encode("utf-8", "surrogateescape")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as file:
            file.write(_MAGIC)
            file.write(_SIZES.pack(len(header), len(blob)))
            file.write(header)
            file.write(blob)
            file.write(state.tobytes())
            if keys_kind is not None and index.keys is not None:
                file.write(index.keys[order].astype("<f8").tobytes())
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()


def load(path: Path, roots: Sequence[str], *, sort_names: bool,
         keys_kind: str | None) -> PhotoIndex | None:
    """The index saved at `path` for `roots`, or None when there is none usable."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("ignoring the photo index cache %s: %s", path, exc)
        return None
    try:
        return _parse(data, roots, sort_names, keys_kind)
    except Exception as exc:  # noqa: BLE001 - a damaged file fails in any way; a rescan fixes all
        # Not only ValueError and its kin: deeply nested JSON raises RecursionError, a header
        # of the wrong shape AttributeError, absurd sizes MemoryError or OverflowError. Any
        # of them escaping ended the scan thread and the start with a false "no photos found".
        log.warning("ignoring the photo index cache %s: it is damaged (%s); scanning anew",
                    path, _describe(exc))
        return None


def _describe(exc: BaseException) -> str:
    """The failure in a few words: a RecursionError's own text says little."""
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__


def _parse(data: bytes, roots: Sequence[str], sort_names: bool,
           keys_kind: str | None) -> PhotoIndex | None:
    if not data.startswith(_MAGIC):
        raise ValueError("not a photo index file")
    start = len(_MAGIC) + _SIZES.size
    header_size, names_size = _SIZES.unpack_from(data, len(_MAGIC))
    header = json.loads(data[start:start + header_size])
    if header["format"] != FORMAT or header["roots"] != list(roots):
        return None  # another version's, or (a hash collision) other folders'
    start += header_size
    blob = data[start:start + names_size].decode("utf-8", "surrogateescape")
    start += names_size
    records = header["folders"]
    counts = [int(r[5]) for r in records]
    total = sum(counts)
    names = blob.split("\0") if total else []
    state = np.frombuffer(data, np.uint8, total, start)
    start += total
    keys = None
    if header["keys"] is not None:
        keys = np.frombuffer(data, "<f8", total, start)
        start += 8 * total
    if len(names) != total or start != len(data):
        raise ValueError(f"{len(names)} names and {len(data) - start} extra bytes "
                         f"for {total} photos")
    if not np.isin(state, (UNCHECKED, CHECKED)).all():
        raise ValueError("unknown photo state")
    index = PhotoIndex(sort_names=sort_names, keyed=keys_kind is not None)
    folders = [Folder(r[0], r[1] if r[1] is not None else r[0], int(r[2]), int(r[3]), int(r[4]),
                      tuple(r[6]), dict(r[7])) for r in records]
    index.restore(folders, counts, names, state,
                  keys if header["keys"] == keys_kind else None, header["names_sorted"])
    return index
