"""Opening a photo file so that nothing named like a photo can hang or flood the reader:
regular files only, checked on the open descriptor, never a blocking open.

Shared by the library's reads (the signature pass in listing.py, the dates in dates.py) and
the decoder (workers/decode.py). Why each step:

- `O_NONBLOCK`: a plain `open()` of a FIFO waits for a writer, forever (the kernel's
  `wait_for_partner`); with `O_NONBLOCK` it returns at once, and is then refused below.
  On a regular file the flag changes nothing.
- The file's type is taken from `os.fstat` of the descriptor just opened, not from a
  `stat` of the path before the open: the path may be swapped for a pipe or a device in
  between, while the descriptor is the thing that will be read.
- `O_CLOEXEC`: a worker process started meanwhile does not inherit the descriptor.
- The size comes from the same `fstat`, so a caller can refuse a file by its size before
  reading a byte of it (a 3 GiB sparse file costs nothing to refuse).

No dependencies beyond the standard library, like formats.py.
"""

from __future__ import annotations

import errno
import os
import stat

# The default of `decode.max_file_mb`: the largest photo file the decoder reads, in MB
# (2**20 bytes, like feeds.max_mb). Far above any camera's file (a 100 MP raw-derived
# JPEG is about 60 MB, a 16-bit TIFF of it 600 MB is the odd one out), and far below what
# would hurt a worker: the decoder holds at most this much of a file at once.
MAX_FILE_MB_DEFAULT = 200.0

OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
              | getattr(os, "O_BINARY", 0))


class NotRegularFile(OSError):
    """The path names a folder, a named pipe, a device or a socket: refused, never read.
    `kind` says which, in words ("a named pipe (FIFO)")."""

    def __init__(self, path: str, kind: str) -> None:
        super().__init__(errno.EINVAL, f"{kind}, not a regular file", path)
        self.path = path
        self.kind = kind


# What each kind of file is called in a log line, by its st_mode test.
_KINDS = ((stat.S_ISREG, "a regular file"), (stat.S_ISDIR, "a folder"),
          (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def file_kind(mode: int) -> str:
    """What a file of this `st_mode` is, in words a user reads in a log line."""
    return next((kind for test, kind in _KINDS if test(mode)), "a special file")


def open_regular(path: str) -> tuple[int, os.stat_result]:
    """Opens `path` for reading without blocking; returns (descriptor, its fstat).

    The caller owns the descriptor. Raises NotRegularFile (the descriptor closed again)
    for anything but a regular file, and the OSError of `os.open` otherwise
    (FileNotFoundError, PermissionError, ...).
    """
    try:
        fd = os.open(path, OPEN_FLAGS)
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a Unix socket, or a device file with no device
            raise NotRegularFile(path, "a socket or a device") from None
        if exc.errno == errno.EISDIR:  # where a folder cannot be opened (Windows)
            raise NotRegularFile(path, "a folder") from None
        raise
    try:
        info = os.fstat(fd)
    except BaseException:
        os.close(fd)
        raise
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise NotRegularFile(path, file_kind(info.st_mode))
    return fd, info
