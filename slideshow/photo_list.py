"""The paths the show draws from, until the library issue brings scanning at scale:
files and folders expanded once (recursively, hidden entries skipped, likely photo
extensions only; the decoder checks the real format), shuffled, every photo once per
cycle, never the same photo twice in a row across cycles."""

from __future__ import annotations

import os
import random
import threading
from collections.abc import Iterable
from pathlib import Path

from slideshow.errors import ConfigError

PHOTO_SUFFIXES = frozenset({
    ".jpg", ".jpeg", ".jpe", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff",
    ".heic", ".heif", ".avif"})


def expand_paths(paths: Iterable[str | Path]) -> list[str]:
    """Files as given, folders walked recursively; hidden files and folders skipped."""
    found: list[str] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_file():
            found.append(str(path))
        elif path.is_dir():
            for folder, dirs, files in os.walk(path, followlinks=False):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(os.path.join(folder, name) for name in sorted(files)
                             if not name.startswith(".")
                             and os.path.splitext(name)[1].lower() in PHOTO_SUFFIXES)
        else:
            raise ConfigError(f"photo path {raw} does not exist")
    return found


class ShuffledPhotos:
    """A callable giving the next path: shuffled cycles without back-to-back repeats."""

    def __init__(self, paths: list[str], seed: int | None = None) -> None:
        self._paths = list(paths)
        self._random = random.Random(seed)
        self._cycle: list[str] = []
        self._last: str | None = None
        self._lock = threading.Lock()  # called from the supervisor thread, maybe others

    def __call__(self) -> str | None:
        with self._lock:
            if not self._paths:
                return None
            if not self._cycle:
                self._cycle = self._paths[:]
                self._random.shuffle(self._cycle)
                if len(self._cycle) > 1 and self._cycle[-1] == self._last:
                    self._cycle[0], self._cycle[-1] = self._cycle[-1], self._cycle[0]
            self._last = self._cycle.pop()
            return self._last
