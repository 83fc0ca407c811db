"""How the decoder opens a file (workers/decode.py over library/files.py): a named pipe, a
device, a socket or a folder where a photo was listed is refused at the open without
waiting; a file over `decode.max_file_mb` is refused by its size without being read (a
3 GiB sparse file among the photos); and a normal photo, streamed from the descriptor or
read once, decodes exactly as it did from memory. Then the same through a real worker: one
log line per refused file, naming it, and the show goes on."""

from __future__ import annotations

import io
import logging
import os
import resource
import socket
import stat
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from slideshow.workers import decode
from slideshow.workers.decode import (
    ERROR_CODES,
    FileTooLarge,
    NotAFile,
    UnreadableFile,
    decode_image,
)
from slideshow.workers.image_worker import CappedDecoder
from slideshow.workers.pipeline import ImagePipeline
from tests.support import wait_for
from tests.workers.hooks import source, take_photos

# A blocked open is the failure looked for: generous, yet a regression fails, not hangs.
DEADLINE_S = 10.0
GIB = 2**30

posix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX named pipes")


def photo(path: Path, size=(64, 48), format_="JPEG") -> Path:
    """Left half red, right half blue, a green band on top: sizes and orientations show."""
    pixels = np.zeros((size[1], size[0], 3), np.uint8)
    pixels[:, : size[0] // 2] = (255, 0, 0)
    pixels[:, size[0] // 2:] = (0, 0, 255)
    pixels[: size[1] // 4] = (0, 255, 0)
    Image.fromarray(pixels).save(path, format_)
    return path


def sparse_jpeg(path: Path, size_bytes: int) -> Path:
    """A real JPEG's bytes extended with a hole to `size_bytes` (`truncate -s`): a few KB on
    disk, whatever its size says."""
    photo(path)
    os.truncate(path, size_bytes)
    return path


def decode_with_deadline(path: str, **options) -> BaseException | np.ndarray:
    """decode_image in a thread, joined with a deadline: what it raised or returned. Fails
    (instead of hanging the run) when the decode is still blocked at the deadline."""
    outcome: list[BaseException | np.ndarray] = []

    def attempt() -> None:
        try:
            outcome.append(decode_image(path, (64, 32), "fit", **options)[0])
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome.append(exc)

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(DEADLINE_S)
    if thread.is_alive():
        _unblock(path)
        thread.join(DEADLINE_S)
        pytest.fail(f"decoding {path} was still blocked after {DEADLINE_S:g} s")
    return outcome[0]


def _unblock(path: str) -> None:
    """Lets a reader blocked opening a FIFO go: a writer opens it and closes it (EOF)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
    except OSError:
        pass


@posix_only
def test_a_named_pipe_is_refused_at_the_open_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "photo.jpg"
    os.mkfifo(fifo)

    error = decode_with_deadline(str(fifo))

    assert isinstance(error, NotAFile) and isinstance(error, UnreadableFile)
    assert str(error) == f"{fifo}: this is a named pipe (FIFO), not a photo file; not read"
    assert ERROR_CODES[NotAFile] not in (0, ERROR_CODES[UnreadableFile])


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_device_named_as_a_photo_is_refused_not_read_forever(tmp_path):
    link = tmp_path / "zero.jpg"
    link.symlink_to("/dev/zero")  # a library lists links to files; this one is a device

    for path in ("/dev/zero", str(link)):
        error = decode_with_deadline(path)
        assert isinstance(error, NotAFile), error
        assert str(error) == f"{path}: this is a character device, not a photo file; not read"


def test_a_folder_named_as_a_photo_is_refused(tmp_path):
    folder = tmp_path / "album.jpg"
    folder.mkdir()

    error = decode_with_deadline(str(folder))

    assert isinstance(error, NotAFile) and "a folder" in error.reason


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="needs Unix sockets")
def test_a_socket_named_as_a_photo_is_refused(tmp_path):
    path = tmp_path / "s.jpg"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        assert stat.S_ISSOCK(os.stat(path).st_mode)
        error = decode_with_deadline(str(path))
    finally:
        server.close()

    assert isinstance(error, NotAFile) and "socket" in error.reason


@pytest.mark.parametrize("size_bytes", [3 * GIB, 10 * GIB], ids=["3GiB", "10GiB"])
def test_a_huge_sparse_file_is_refused_by_its_size_without_being_read(tmp_path, size_bytes):
    try:
        path = sparse_jpeg(tmp_path / "huge.jpg", size_bytes)
    except OSError as exc:  # a file system without room for the size, sparse or not
        pytest.skip(f"cannot make a {size_bytes / GIB:g} GiB sparse file here: {exc}")
    peak_before_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    error = decode_with_deadline(str(path))

    peak_after_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert isinstance(error, FileTooLarge)
    assert str(error) == (f"{path}: the file is {size_bytes / GIB:.1f} GB, more than the "
                          f"200.0 MB allowed (decode.max_file_mb); not read")
    assert ERROR_CODES[FileTooLarge] not in (0, ERROR_CODES[decode.DecodeError])
    # Reading it would have taken gigabytes; a peak that grew at all grew by far less.
    assert peak_after_kib - peak_before_kib < 64 * 1024


def test_the_cap_is_the_file_size_in_bytes(tmp_path):
    path = photo(tmp_path / "p.png", format_="PNG")
    size_bytes = path.stat().st_size

    refused = decode_with_deadline(str(path), max_file_bytes=size_bytes - 1)
    shown = decode_with_deadline(str(path), max_file_bytes=size_bytes)

    assert isinstance(refused, FileTooLarge)
    assert isinstance(shown, np.ndarray) and shown.shape[0] == 32


def test_a_jpeg_that_grows_past_the_cap_while_read_is_refused_after_at_most_the_cap(tmp_path,
                                                                                  monkeypatch):
    """fstat's size is where the read stops only if the file stops there too."""
    path = photo(tmp_path / "growing.jpg", size=(256, 256))
    size_bytes = path.stat().st_size
    real_open = decode._open_file

    def grows_after_fstat(path_: str, max_file_bytes: int):
        file, fstat_size = real_open(path_, max_file_bytes)
        with open(path_, "ab") as more:
            more.write(bytes(size_bytes))  # twice the size now, past the cap below
        return file, fstat_size

    monkeypatch.setattr(decode, "_open_file", grows_after_fstat)

    error = decode_with_deadline(str(path), max_file_bytes=size_bytes + 100)

    assert isinstance(error, FileTooLarge) and "grew" in error.reason


@pytest.mark.parametrize("format_", ["JPEG", "PNG", "TIFF", "WEBP", "GIF", "BMP"])
def test_a_photo_decodes_exactly_as_it_did_from_memory(tmp_path, monkeypatch, format_):
    """Streaming from the descriptor (every format but JPEG) or reading once (JPEG) gives
    the pixels that reading the whole file into memory first gave, byte for byte."""
    path = photo(tmp_path / f"p.{format_.lower()}", size=(300, 200), format_=format_)
    streamed, info = decode_image(str(path), (120, 90), "fill")
    real_open = decode._open

    def from_memory(path_: str, source, kind: str):
        source.seek(0)
        return real_open(path_, io.BytesIO(source.read()), kind)

    monkeypatch.setattr(decode, "_open", from_memory)
    in_memory, info_in_memory = decode_image(str(path), (120, 90), "fill")

    assert streamed.shape == in_memory.shape == (90, 120, 4)
    assert np.array_equal(streamed, in_memory)
    assert (info.source_width, info.source_height, info.format) == \
        (info_in_memory.source_width, info_in_memory.source_height, format_)


def test_the_descriptor_is_closed_after_each_outcome(tmp_path):
    good = photo(tmp_path / "good.png", format_="PNG")
    damaged = tmp_path / "damaged.png"
    damaged.write_bytes(good.read_bytes()[:60])
    text = tmp_path / "text.jpg"
    text.write_text("not a photo")
    fd_folder = Path(f"/proc/{os.getpid()}/fd")
    if not fd_folder.is_dir():
        pytest.skip("needs /proc")
    before = len(os.listdir(fd_folder))

    for path in (good, damaged, text, good, damaged, text):
        decode_with_deadline(str(path), max_file_bytes=10**6)

    assert len(os.listdir(fd_folder)) == before


# -- through a real worker --------------------------------------------------------------

LOG = "test.decode_files"


def _peak_resident_mib(pid: int) -> float | None:
    """A process's peak resident memory (VmHWM) in MiB; None where /proc does not tell."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


@posix_only
@pytest.mark.usefixtures("nothing_left_behind")
def test_the_show_skips_each_refused_file_with_one_line_and_goes_on(tmp_path, caplog):
    before = photo(tmp_path / "before.jpg")
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    try:
        huge = sparse_jpeg(tmp_path / "huge.jpg", 3 * GIB)
        bigger = sparse_jpeg(tmp_path / "bigger.jpg", 10 * GIB)
    except OSError as exc:
        pytest.skip(f"cannot make large sparse files here: {exc}")
    over_cap = photo(tmp_path / "over_cap.png", size=(1200, 1200), format_="PNG")
    after = photo(tmp_path / "after.jpg")
    refused = {str(fifo): "NotAFile", str(huge): "FileTooLarge", str(bigger): "FileTooLarge",
               str(over_cap): "FileTooLarge"}
    caplog.set_level(logging.WARNING, logger=LOG)
    cap_bytes = over_cap.stat().st_size - 1  # decode.max_file_mb, as the show hands it on

    try:
        with ImagePipeline(source([str(before), *refused, str(after)]), (32, 24), "fill",
                           workers=1, ring_slots=2, decoder=CappedDecoder(cap_bytes),
                           log=logging.getLogger(LOG)) as pipeline:
            photos = take_photos(pipeline, 2, timeout_s=30.0)
            wait_for(lambda: pipeline.failed == len(refused), 30.0, "four refusals")
            (worker_pid,) = pipeline.supervisor.worker_pids()
            peak_mib = _peak_resident_mib(worker_pid)
            restarts = pipeline.restarts
    finally:
        _unblock(str(fifo))

    assert [name for name, _ in photos] == ["before", "after"]
    assert restarts == 0  # refused, not crashed or killed
    messages = [r.getMessage() for r in caplog.records if r.name == LOG]
    assert len(messages) == len(refused), messages
    for path, error_class in refused.items():
        (line,) = [m for m in messages if path in m]
        assert line.startswith(f"skipping {path}: {error_class}: "), line
    # The goal: a worker meeting 3 and 10 GiB files stays under 1 GB resident.
    assert peak_mib is None or peak_mib < 1024, f"the worker peaked at {peak_mib:.0f} MiB"
