"""When a photo was taken: EXIF DateTimeOriginal, else the file's modification time.

Only the `date` order asks, and only on the scan thread after the listing and the signature
pass, because it opens every file: Pillow parses just the header (about 0.1-0.3 ms a
photo), so 1,000,000 photos take minutes, once; the dates go into the index cache. EXIF
times carry no time zone and are read as local time, like the mtimes they are sorted with.
"""

from __future__ import annotations

import os
import warnings
from datetime import datetime

from PIL import Image

from slideshow.library.files import open_regular

_EXIF_IFD = 0x8769
_DATE_TIME_ORIGINAL = 0x9003
_DATE_TIME = 0x0132  # when the file was last changed by a camera or editor: second best


def date_taken(path: str) -> float | None:
    """Seconds since the epoch from the photo's EXIF, or None when it has no usable date.

    The file is opened without blocking, regular files only (library/files.py): Pillow's
    own `open(path)` would wait forever on a named pipe put where a photo was listed."""
    try:
        fd, _info = open_regular(path)
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as file, warnings.catch_warnings():  # closes fd
            warnings.simplefilter("ignore")  # corrupt EXIF, decompression bomb warnings
            with Image.open(file) as image:
                exif = image.getexif()
                value = exif.get_ifd(_EXIF_IFD).get(_DATE_TIME_ORIGINAL) or exif.get(_DATE_TIME)
    except Exception:  # noqa: BLE001 - anything Pillow cannot read has no date for us
        return None
    return parse_exif_time(value)


def parse_exif_time(value: object) -> float | None:
    """`"2021:07:14 18:03:22"` (local time) as seconds since the epoch; None if malformed."""
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value.strip("\0 ")[:19], "%Y:%m:%d %H:%M:%S").timestamp()
    except (ValueError, OverflowError, OSError):
        return None  # "0000:00:00 00:00:00" and other placeholders


def sort_time(path: str, use_exif: bool) -> float | None:
    """The key of the date (`use_exif`) or mtime order; None when the file is gone."""
    if use_exif:
        taken = date_taken(path)
        if taken is not None:
            return taken
    try:
        return os.stat(path).st_mtime
    except OSError:
        return None
