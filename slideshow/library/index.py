"""PhotoIndex: every photo the library knows, grouped by folder, stored compactly.

A photo is an int id. Per id the index keeps the file name (one str) and a few array
entries (folder number, state, and in date/mtime order a sort key); the folder's path is
stored once per folder, never per photo. Measured at 1,000,000 photos (benchmarks/library.py,
names like IMG_00001.jpg) the whole library holds 88 bytes a photo (102 at 50 photos a
folder), shuffle pool included; a list of their full path strings alone would take 120.
Ids of removed photos are reused, so the arrays do not grow with churn.

Not thread-safe: the scan thread is the only writer and calls in under the library's lock;
`state` may also be set by the library's selection (one byte written under that lock).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

# An id's state.
FREE = 0  # not a photo (never used, or removed)
UNCHECKED = 1  # listed by name; its first bytes not read yet
CHECKED = 2  # its first bytes say it is a photo
REFUSED = 3  # found not to be a photo when it was about to be shown; the scan drops it

_EMPTY = np.empty(0, np.int32)


class Folder:
    """One folder's record: what the walk reuses while the folder's mtime is unchanged."""

    __slots__ = ("dev", "ids", "ino", "key", "mtime_ns", "path", "prefix", "skipped", "subdirs")

    def __init__(self, key: str, path: str, mtime_ns: int, dev: int, ino: int,
                 subdirs: tuple[str, ...], skipped: dict[str, int]) -> None:
        self.key = key  # the folder's path; for a photo named directly, that file's path
        self.path = path  # the folder its photos are in
        self.prefix = os.path.join(path, "")  # the path with one separator at the end
        self.mtime_ns = mtime_ns  # when listed; -1: list again on the next visit
        self.dev, self.ino = dev, ino
        self.ids: np.ndarray = _EMPTY  # int32, in name order when the index sorts names
        self.subdirs = subdirs
        self.skipped = skipped  # reason -> count, for this folder's own entries


def name_key(name: str) -> str:
    """How names sort in the name-based orders: case-insensitive."""
    return name.casefold()


class PhotoIndex:
    """Folders and their photos. `sort_names` keeps each folder's ids in name order (the
    ordered modes need it); `keyed` adds a float64 sort key per photo (NaN: not known yet)."""

    def __init__(self, *, sort_names: bool = False, keyed: bool = False) -> None:
        self.sort_names = sort_names
        self._folders: list[Folder | None] = []
        self._by_key: dict[str, int] = {}
        self._free_folders: list[int] = []
        self._names: list[str | None] = []
        self._free_ids: list[int] = []
        self._folder_of = np.empty(0, np.int32)
        self.state = np.zeros(0, np.uint8)
        self.keys: np.ndarray | None = np.empty(0, np.float64) if keyed else None
        self.count = 0  # photos (ids not FREE)
        self.skipped: Counter[str] = Counter()  # the folders' skipped counts, summed

    # -- reading ---------------------------------------------------------------------------

    @property
    def folder_count(self) -> int:
        return len(self._by_key)

    def folder(self, key: str) -> Folder | None:
        number = self._by_key.get(key)
        return None if number is None else self._folders[number]

    def folders(self) -> Iterator[Folder]:
        return (f for f in self._folders if f is not None)

    def folder_keys(self) -> list[str]:
        return list(self._by_key)

    def name_of(self, photo: int) -> str | None:
        return self._names[photo] if 0 <= photo < len(self._names) else None

    def path_of(self, photo: int) -> str | None:
        name = self.name_of(photo)
        if name is None:
            return None
        return self._folders[self._folder_of[photo]].prefix + name

    def names_in(self, folder: Folder) -> list[str]:
        names = self._names
        return [names[i] for i in folder.ids.tolist()]  # type: ignore[misc]

    def ids_where(self, *states: int) -> np.ndarray:
        """Ids in any of `states`, ascending (int32)."""
        state = self.state[:len(self._names)]
        mask = state == states[0]
        for other in states[1:]:
            mask |= state == other
        return np.flatnonzero(mask).astype(np.int32)

    def name_order(self) -> np.ndarray:
        """Every photo, folder by folder in path order (names in order when sorted)."""
        folders = sorted(self.folders(), key=lambda f: [name_key(p) for p in f.key.split(os.sep)])
        arrays = [f.ids for f in folders if len(f.ids)]
        return np.concatenate(arrays) if arrays else _EMPTY

    # -- writing ---------------------------------------------------------------------------

    def put_folder(self, key: str, path: str, mtime_ns: int, dev: int, ino: int,
                   names: Sequence[str], subdirs: Sequence[str],
                   skipped: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
        """Records a folder as just listed; names it had before keep their ids (and state
        and key). Returns the ids (added, removed)."""
        number = self._by_key.get(key)
        if self.sort_names:
            names = sorted(names, key=name_key)
        if number is None:
            number = self._free_folders.pop() if self._free_folders else len(self._folders)
            folder = Folder(key, path, mtime_ns, dev, ino, tuple(subdirs), skipped)
            if number == len(self._folders):
                self._folders.append(folder)
            else:
                self._folders[number] = folder
            self._by_key[key] = number
            added = self._allocate(names, number)
            folder.ids, removed = added, _EMPTY
        else:
            folder = self._folders[number]
            self.skipped.subtract(folder.skipped)
            known = dict(zip(self.names_in(folder), folder.ids.tolist()))
            fresh = [n for n in names if n not in known]
            keep = set(names)
            removed = np.array([i for n, i in known.items() if n not in keep], np.int32)
            self._release(removed)
            added = self._allocate(fresh, number)
            new_ids = dict(zip(fresh, added.tolist()))
            folder.ids = np.array([known.get(n, new_ids.get(n)) for n in names], np.int32)
            folder.path, folder.prefix = path, os.path.join(path, "")
            folder.mtime_ns, folder.dev, folder.ino = mtime_ns, dev, ino
            folder.subdirs, folder.skipped = tuple(subdirs), skipped
        self.skipped.update(skipped)
        return added, removed

    def drop_folder(self, key: str) -> np.ndarray:
        """Forgets a folder that is gone; returns the ids removed."""
        number = self._by_key.pop(key)
        folder = self._folders[number]
        self._folders[number] = None
        self._free_folders.append(number)
        self.skipped.subtract(folder.skipped)
        self._release(folder.ids)
        return folder.ids

    def reject(self, photos: Iterable[tuple[int, str | None]]) -> np.ndarray:
        """Drops photos whose bytes turned out not to be a photo, counting each reason on
        its folder (or only drops it, for a reason of None: the file is gone)."""
        by_folder: dict[int, list[tuple[int, str | None]]] = {}
        for photo, reason in photos:
            if self.state[photo] != FREE:
                by_folder.setdefault(int(self._folder_of[photo]), []).append((photo, reason))
        dropped = []
        for number, items in by_folder.items():
            folder = self._folders[number]
            gone = np.array([photo for photo, _ in items], np.int32)
            folder.ids = folder.ids[~np.isin(folder.ids, gone)]
            counts = Counter(reason for _, reason in items if reason is not None)
            if counts:
                folder.skipped = dict(Counter(folder.skipped) + counts)
                self.skipped.update(counts)
            self._release(gone)
            dropped.append(gone)
        return np.concatenate(dropped) if dropped else _EMPTY

    def _allocate(self, names: Sequence[str], number: int) -> np.ndarray:
        if not self._free_ids:  # the usual case, and the cold scan's: slices, no fancy indexing
            start = len(self._names)
            end = start + len(names)
            self._grow(end)
            self._names.extend(names)
            self._folder_of[start:end] = number
            self.state[start:end] = UNCHECKED
            if self.keys is not None:
                self.keys[start:end] = np.nan
            self.count += len(names)
            return np.arange(start, end, dtype=np.int32)
        reused = [self._free_ids.pop() for _ in range(min(len(names), len(self._free_ids)))]
        start = len(self._names)
        end = start + len(names) - len(reused)
        self._grow(end)
        self._names.extend(names[len(reused):])
        for photo, name in zip(reused, names):
            self._names[photo] = name
        ids = np.concatenate([np.array(reused, np.int32), np.arange(start, end, dtype=np.int32)])
        self._folder_of[ids] = number
        self.state[ids] = UNCHECKED
        if self.keys is not None:
            self.keys[ids] = np.nan
        self.count += len(ids)
        return ids

    def _release(self, photos: np.ndarray) -> None:
        for photo in photos.tolist():
            self._names[photo] = None
        self.state[photos] = FREE
        self._free_ids.extend(photos.tolist())
        self.count -= len(photos)

    def _grow(self, size: int) -> None:
        if size <= len(self.state):
            return
        capacity = max(size, 2 * len(self.state), 1024)
        self._folder_of = _resized(self._folder_of, capacity, 0)
        self.state = _resized(self.state, capacity, FREE)
        if self.keys is not None:
            self.keys = _resized(self.keys, capacity, np.nan)

    # -- bulk restore (the cache) ----------------------------------------------------------

    def restore(self, folders: Sequence[Folder], counts: Sequence[int], names: list[str],
                state: np.ndarray, keys: np.ndarray | None, names_sorted: bool) -> None:
        """Fills an empty index from a cache: folder i holds the next counts[i] names
        (each folder's in name order when `names_sorted`)."""
        total = len(names)
        self._grow(total)
        self._names = names
        self.state[:total] = state
        if self.keys is not None and keys is not None:
            self.keys[:total] = keys
        self._folder_of[:total] = np.repeat(np.arange(len(folders), dtype=np.int32), counts)
        start = 0
        for number, (folder, count) in enumerate(zip(folders, counts)):
            ids = np.arange(start, start + count, dtype=np.int32)
            if self.sort_names and not names_sorted:
                ids = ids[np.array(sorted(range(count), key=lambda j: name_key(names[start + j])),
                                   np.int64)] if count else ids
            folder.ids = ids
            start += count
            self._folders.append(folder)
            self._by_key[folder.key] = number
            self.skipped.update(folder.skipped)
        self.count = int(np.count_nonzero(self.state[:total]))


def _resized(array: np.ndarray, capacity: int, fill: float) -> np.ndarray:
    grown = np.full(capacity, fill, array.dtype)
    grown[:len(array)] = array
    return grown
