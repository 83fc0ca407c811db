"""FailedPhotos: the photo files that failed to decode, each remembered with the file's size
and mtime when it failed, so that later rounds of the order skip it without a word until the
file changes, and each failure is logged once.

Shared by every display: their supervisor threads report failures and ask `is_known_bad`
before a photo is sent to a worker. A file is known bad while `os.stat` of its path gives
what it gave when the file failed: the same (size, mtime), or an error again (a file that
is gone, or a folder on a NAS that went away, stays known bad until it is back). Replaced,
rewritten or touched, it is tried again; decoded, it is forgotten.

Only a path already known bad is stat'ed, so a healthy photo costs one dict lookup. The
memory holds a path and two ints per failed file; the library's listing bounds it.
"""

from __future__ import annotations

import logging
import os
import threading

#: (st_size, st_mtime_ns) of a path, or None when os.stat failed.
Signature = tuple[int, int] | None


def file_signature(path: str) -> Signature:
    try:
        info = os.stat(path)  # follows a symlink, as the decoder's open does
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


class FailedPhotos:
    """See the module docstring. Any thread; one short lock hold per call, never around a
    stat or a log line."""

    def __init__(self, log: logging.Logger) -> None:
        self._log = log
        self._lock = threading.Lock()
        self._bad: dict[str, Signature] = {}
        self.skips = 0  # draws that skipped a known-bad file, in all

    def __len__(self) -> int:
        return len(self._bad)

    def record(self, path: str, error_class: str | None, reason: str | None, *,
               logged: bool = False) -> bool:
        """`path` failed to decode. Logs "skipping PATH: CLASS: REASON" unless it failed
        before as the same file, or `logged` says its failure was named already (a
        quarantine). True when this is news: a new file, or one that changed."""
        signature = file_signature(path)
        with self._lock:
            news = self._bad.get(path, ...) != signature
            self._bad[path] = signature
        if news and not logged:
            self._log.warning("skipping %s: %s: %s", path, error_class, reason)
        return news

    def forget(self, path: str) -> None:
        """`path` decoded: it is a photo like any other again."""
        with self._lock:
            self._bad.pop(path, None)

    def is_known_bad(self, path: str) -> bool:
        """True when `path` failed before and the file has not changed since; a changed
        one is forgotten (it gets a fresh try, and a fresh log line if it fails again)."""
        with self._lock:
            if path not in self._bad:
                return False
            recorded = self._bad[path]
        if file_signature(path) != recorded:
            with self._lock:
                if self._bad.get(path, ...) == recorded:
                    del self._bad[path]
            return False
        with self._lock:
            self.skips += 1
        return True
