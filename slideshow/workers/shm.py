"""Named shared-memory segments: who creates them, who may unlink them, and what cleans up.

Rules (docs/architecture.md, "Shared memory", rule 1):

- The creating process owns a segment. `create_segment` registers it with that process's
  multiprocessing resource tracker, a helper process that unlinks every segment still
  registered when the creator dies, also by SIGKILL (the tracker sees its pipe close).
- An attaching process must never register: on Python 3.11/3.12 `SharedMemory(name)`
  registers unconditionally, and that breaks cleanup both ways. A standalone process gets
  its own tracker, which unlinks the segment (with a "leaked shared_memory" warning) when
  that process exits. A `spawn`ed or forked child shares its parent's tracker, whose
  bookkeeping is a set, so the child's register + unregister (the usual workaround)
  silently *removes the creator's registration* and the segment then outlives a SIGKILLed
  creator. `attach_segment` therefore keeps the registration from being sent at all
  (`track=False` on 3.13+).
- `sweep_orphans` is the defence in depth for when the tracker died too (the whole
  process group SIGKILLed, the OOM killer): segment names carry the owner's pid, and a
  segment whose owner is gone is unlinked at the next start.

Names are compact, `sls<pid>-<label>-<6 hex>`, because macOS caps shared-memory names at
31 characters including the leading slash; the longest here is 25 with it.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing import resource_tracker
from multiprocessing.shared_memory import SharedMemory
from pathlib import Path

from slideshow.errors import SharedMemoryShortage

SEGMENT_PREFIX = "sls"
_LABEL_CHARS = 6
_NAME_PATTERN = re.compile(rf"^{SEGMENT_PREFIX}(\d{{1,10}})-([a-z0-9]{{1,{_LABEL_CHARS}}})-([0-9a-f]{{6}})$")
_DEFAULT_SHM_DIR = "/dev/shm"


def create_segment(label: str, size: int) -> SharedMemory:
    """Create a zero-filled segment of `size` bytes owned by this process.

    `label` says what it holds (`frames`, `fft`); only its first letters and digits are
    kept in the name. Raises SharedMemoryShortage (a start-up error: one line, exit 2)
    when /dev/shm has no room for it.
    """
    if size <= 0:
        raise ValueError(f"a shared-memory segment needs a positive size, got {size}")
    short = re.sub(r"[^a-z0-9]", "", label.lower())[:_LABEL_CHARS] or "seg"
    while True:
        name = f"{SEGMENT_PREFIX}{os.getpid()}-{short}-{secrets.token_hex(3)}"
        try:
            # POSIX shm grows with ftruncate, which fills with zeros.
            segment = SharedMemory(name=name, create=True, size=size)
            break
        except FileExistsError:
            continue
        except OSError as error:
            if error.errno in (errno.ENOSPC, errno.ENOMEM):
                raise _shortage(error.errno, size) from error  # --debug logs it
            raise
    try:
        _reserve(segment, size)
    except OSError:
        segment.close()
        unlink_segment(segment)
        raise
    return segment


def _reserve(segment: SharedMemory, size: int) -> None:
    """Allocate the pages now, so a short /dev/shm (Docker gives 64 MiB) fails here with
    a message instead of a SIGBUS when a page is first touched, maybe mid-frame."""
    path = Path(_DEFAULT_SHM_DIR, segment.name)
    if not hasattr(os, "posix_fallocate") or not path.exists():
        return
    fd = os.open(path, os.O_RDWR)
    try:
        os.posix_fallocate(fd, 0, size)
    except OSError as error:
        if error.errno not in (errno.ENOSPC, errno.ENOMEM):
            return  # a filesystem that cannot fallocate: go on unreserved
        raise _shortage(error.errno, size) from error  # --debug logs it
    finally:
        os.close(fd)


def _shortage(error_number: int, size: int) -> SharedMemoryShortage:
    """The start-up error for a segment of `size` bytes that found no room, with the
    free space of /dev/shm measured now."""
    try:
        stats = os.statvfs(_DEFAULT_SHM_DIR)
        free = f"{_amount(stats.f_bavail * stats.f_frsize)} free in {_DEFAULT_SHM_DIR}"
    except (OSError, AttributeError):  # no such folder, or no statvfs (not POSIX)
        free = f"too little free in {_DEFAULT_SHM_DIR}"
    return SharedMemoryShortage(error_number, f"not enough shared memory: {_amount(size)} "
                                              f"asked, {free} (in a container, raise --shm-size)")


def _amount(size_bytes: int) -> str:
    """A byte count in the unit that shows it: a small segment (the FFT values take a
    few KiB) read "0.0 MiB asked" when only MiB were used."""
    if size_bytes >= 2**20 or size_bytes == 0:
        return f"{size_bytes / 2**20:.1f} MiB"
    if size_bytes >= 2**10:
        return f"{size_bytes / 2**10:.1f} KiB"
    return f"{size_bytes} bytes"


def attach_segment(name: str) -> SharedMemory:
    """Map an existing segment without registering it with any resource tracker, so
    this process neither unlinks it nor warns about it when it exits."""
    if sys.version_info >= (3, 13):
        return SharedMemory(name=name, track=False)  # type: ignore[call-arg]
    with _registration_dropped(name):
        return SharedMemory(name=name)


def unlink_segment(segment: SharedMemory) -> None:
    """Remove an owned segment's name and its tracker registration; a name already gone
    (removed from outside) is fine."""
    try:
        segment.unlink()
    except FileNotFoundError:
        if os.name == "posix":
            resource_tracker.unregister("/" + segment.name.lstrip("/"), "shared_memory")


def owner_pid(name: str) -> int | None:
    """The pid of the process that created a segment of this project, or None when
    `name` is not one of ours."""
    match = _NAME_PATTERN.match(name.lstrip("/"))
    return int(match.group(1)) if match else None


def project_segments(shm_dir: str | os.PathLike[str] = _DEFAULT_SHM_DIR) -> list[str]:
    """Names of this project's segments present now (empty where there is no such
    directory, as on macOS and Windows)."""
    try:
        entries = os.listdir(shm_dir)
    except OSError:
        return []
    return sorted(entry for entry in entries if owner_pid(entry) is not None)


def sweep_orphans(shm_dir: str | os.PathLike[str] = _DEFAULT_SHM_DIR) -> list[str]:
    """Unlink this project's segments whose creating process is gone; returns their
    names. A live owner's segments are never touched, whoever that owner is."""
    swept = []
    for name in project_segments(shm_dir):
        if not is_orphan(name):
            continue
        try:
            os.unlink(Path(shm_dir) / name)
        except FileNotFoundError:
            continue  # its tracker got there first
        swept.append(name)
    return swept


def is_orphan(name: str) -> bool:
    """Whether `name` is one of this project's segments and its creator is gone."""
    pid = owner_pid(name)
    return pid is not None and not _process_alive(pid)


def _process_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by another user
    return True


# Registrations to drop, by the tracker's name for them ("/name" on POSIX). The filter
# replaces `resource_tracker.register` only while an attach is in progress, and passes
# every other registration through, so a segment created by another thread meanwhile is
# still tracked.
_dropped_names: dict[str, int] = {}
_dropped_lock = threading.Lock()
_original_register = resource_tracker.register


def _register_unless_dropped(name: str, rtype: str) -> None:
    if rtype == "shared_memory" and name in _dropped_names:
        return
    _original_register(name, rtype)


@contextmanager
def _registration_dropped(name: str) -> Iterator[None]:
    tracked_name = "/" + name.lstrip("/") if os.name == "posix" else name
    with _dropped_lock:
        _dropped_names[tracked_name] = _dropped_names.get(tracked_name, 0) + 1
        resource_tracker.register = _register_unless_dropped
    try:
        yield
    finally:
        with _dropped_lock:
            _dropped_names[tracked_name] -= 1
            if not _dropped_names[tracked_name]:
                del _dropped_names[tracked_name]
            if not _dropped_names:
                resource_tracker.register = _original_register
