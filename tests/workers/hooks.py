"""Test-only decoder hooks for the worker, supervisor, pipeline and check tests; no tests here.

They run inside real worker processes, which are spawned, so they are module-level
functions that the worker imports by name. The file name chooses what happens:

- `crash` in the name: the worker SIGKILLs itself, as a decoder bug in C would kill it;
- `slow` in the name: the first attempt touches `<path>.started` and sleeps for a minute
  (the test kills the worker meanwhile); a later attempt decodes at once;
- `hang` in the name: every attempt sleeps for a minute (past any deadline a test sets);
- `spin` in the name: every attempt keeps a CPU busy for a minute (a decoder in a loop);
- anything else: `solid_decoder` fills the frame with the colour written in the file
  (`"r g b"`, e.g. `"255 0 0"`), `real_decoder` runs the real decoder.

Every call appends the path to `calls.log` beside it, so a test can count the attempts.
The helpers below the hooks drive a pipeline from a test.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from tests.support import wait_for

if TYPE_CHECKING:
    from slideshow.workers.pipeline import ImagePipeline

SLOW_S = 60.0


class SolidInfo(NamedTuple):
    source_width: int
    source_height: int
    out_width: int
    out_height: int
    stride: int
    ms: float
    format: str


def solid_decoder(path: str, target: tuple[int, int], fit: str, out: np.ndarray) -> SolidInfo:
    _act_on_name(path)
    red, green, blue = (int(v) for v in Path(path).read_text().split())
    width, height = target
    frame = out[:width * height * 4].reshape(height, width, 4)
    frame[...] = (red, green, blue, 255)
    return SolidInfo(width * 2, height * 2, width, height, width * 4, 1.5, "RGBA")


def real_decoder(path: str, target: tuple[int, int], fit: str, out: np.ndarray):
    _act_on_name(path)
    from slideshow.workers.decode import decode_into

    return decode_into(path, target, fit, out)


def write_solid(path: Path, rgb: tuple[int, int, int]) -> str:
    path.write_text(" ".join(str(v) for v in rgb))
    return str(path)


def calls(folder: Path) -> list[str]:
    log = folder / "calls.log"
    return log.read_text().splitlines() if log.exists() else []


def _act_on_name(path: str) -> None:
    with open(Path(path).parent / "calls.log", "a") as log:
        log.write(path + "\n")
    name = Path(path).name
    if "crash" in name:
        os.kill(os.getpid(), signal.SIGKILL)
    if "hang" in name:
        time.sleep(SLOW_S)
    if "spin" in name:
        end = time.monotonic() + SLOW_S
        while time.monotonic() < end:
            pass
    if "slow" in name:
        started = Path(path + ".started")
        if not started.exists():
            started.touch()
            time.sleep(SLOW_S)


# -- helpers for the tests --------------------------------------------------------------


def source(paths: list[str]) -> Callable[[], str | None]:
    remaining = iter(paths)
    return lambda: next(remaining, None)


def take_photos(pipeline: ImagePipeline, count: int,
                timeout_s: float = 15.0) -> list[tuple[str, tuple]]:
    """(path, RGBA at the centre) of the next `count` photos, each released at once."""
    taken: list[tuple[str, tuple]] = []

    def take() -> bool:
        photo = pipeline.take_ready()
        if photo is not None:
            centre = photo.pixels[photo.height // 2, photo.width // 2]
            taken.append((Path(photo.path).stem, tuple(centre)))
            photo.release()
        return len(taken) >= count

    wait_for(take, timeout_s, f"{count} photos (got {taken})")
    return taken
