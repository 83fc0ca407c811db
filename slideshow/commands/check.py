"""`slideshow check PATH...`: which photos can be shown, and why not.

Every file goes through the same worker pipeline as the show (supervised decode processes
writing into shared-memory rings) for one display size, so what `check` says is what the
show will do: the size the photo has once upright, the size it is decoded to, the decode
time, or the error class and the reason it will be skipped.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import queue
import statistics
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from slideshow.commands.options import add_config_options, config_from_args
from slideshow.config import Size, choices

DEFAULT_SIZE = Size(1920, 1080)
NOT_CHECKED = "NotChecked"  # the error class of files left when every worker was given up
_WAIT_S = 0.5  # how often the waiting main thread looks whether any worker is left


class Result(NamedTuple):
    path: str
    ok: bool
    error_class: str | None
    reason: str | None
    width: int | None  # the photo as shown, after EXIF orientation
    height: int | None
    out_width: int | None  # what the worker produced for the display
    out_height: int | None
    ms: float | None

    def line(self) -> str:
        if self.ok:
            return (f"ok   {self.width}x{self.height} -> {self.out_width}x{self.out_height}"
                    f"  {self.ms:.1f} ms  {self.path}")
        return f"FAIL {self.error_class}: {self.reason}  {self.path}"

    def json(self) -> str:
        error = None if self.ok else {"class": self.error_class, "reason": self.reason}
        return json.dumps({
            "path": self.path, "ok": self.ok, "error": error,
            "width": self.width, "height": self.height,
            "out_width": self.out_width, "out_height": self.out_height,
            "ms": None if self.ms is None else round(self.ms, 3)})


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check", help="decode photos the way the show does and report which cannot be shown",
        description="Runs files and folders (recursively; hidden files and folders skipped) "
        "through the show's decode workers for one display size and prints one line per file "
        "(ok, the photo's size once upright, the size decoded for the display, the decode "
        "time and the path; or FAIL, the error class, the reason and the path), then a "
        "summary. Exit status 0 when it ran, even if some files cannot be shown; 1 when files "
        "were left unchecked because every worker process kept crashing; 2 for bad usage.")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="photo files and folders")
    parser.add_argument(
        "--size", metavar="WxH",
        help=f"display size to decode for (default {DEFAULT_SIZE}; taking the primary "
        "display's size is not implemented yet)")
    parser.add_argument("--fit", choices=choices("show.fit"),
                        help="how a photo fits the display (default: the config's show.fit)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object per file (path, ok, error, width, height, "
                        "out_width, out_height, ms) instead of text; the summary goes to stderr")
    parser.add_argument(
        "--workers", metavar="N",
        help="decode processes (default: the config's workers.image_workers; 0 means one, "
        "as for a single display)")
    add_config_options(parser)


def run(args: argparse.Namespace) -> int:
    config = config_from_args(args, {
        "size": ("display.size", "--size"), "fit": ("show.fit", "--fit"),
        "workers": ("workers.image_workers", "--workers")})
    size = config.display.size if args.size is not None else DEFAULT_SIZE
    files, missing = collect_files(args.paths)
    if missing:
        print(f"slideshow check: error: no such file or folder: {', '.join(missing)}",
              file=sys.stderr)
        return 2
    # Heavy: the workers' module loads numpy, only to check.
    from slideshow.workers.image_worker import CappedDecoder

    results = check_files(files, size, config.show.fit, workers=config.workers.image_workers,
                          ring_slots=config.workers.ring_slots,
                          restart_budget=config.workers.restart_budget,
                          decoder=CappedDecoder(config.decode.max_file_bytes),
                          emit=(lambda r: print(r.json() if args.json else r.line(), flush=True)))
    print(summarize(results), file=sys.stderr if args.json else sys.stdout)
    return 1 if any(r.error_class == NOT_CHECKED for r in results) else 0


def collect_files(paths: Sequence[str]) -> tuple[list[str], list[str]]:
    """The files named and those under the folders named (sorted, hidden ones skipped),
    each once; and the paths that do not exist."""
    files: dict[str, None] = {}
    missing = []
    for text in paths:
        path = Path(text).expanduser()
        if path.is_dir():
            files.update(dict.fromkeys(_walk(path)))
        elif path.exists() or path.is_symlink():
            files[str(path)] = None
        else:
            missing.append(text)
    return list(files), missing


def _walk(folder: Path) -> Iterator[str]:
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if not name.startswith("."):
                yield os.path.join(root, name)


def check_files(files: Sequence[str], size: tuple[int, int], fit: str, *, workers: int = 0,
                ring_slots: int = 3, restart_budget: int = 5, emit=None,
                decoder=None) -> list[Result]:
    """Decodes `files` through an ImagePipeline; returns a Result per file, in order, and
    hands each to `emit` as soon as it and every file before it are done."""
    # Heavy: worker processes, only to check.
    from slideshow.workers.pipeline import ImagePipeline

    if not files:
        return []
    order = {path: position for position, path in enumerate(files)}
    pending = iter(files)
    finished: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
    results: list[Result | None] = [None] * len(files)
    shown = 0

    def emit_ready() -> None:
        nonlocal shown
        while shown < len(results) and results[shown] is not None:
            if emit is not None:
                emit(results[shown])
            shown += 1

    log = logging.getLogger("slideshow.check")
    with ImagePipeline(lambda: next(pending, None), (size[0], size[1]), fit, workers=workers,
                       ring_slots=ring_slots, restart_budget=restart_budget, decoder=decoder,
                       log=log, log_skipped=False,
                       on_result=lambda path, reply: finished.put((path, reply))) as pipeline:
        left = len(files)
        while left:
            try:
                path, reply = finished.get(timeout=_WAIT_S)
            except queue.Empty:
                if pipeline.live_workers == 0:
                    break
                continue
            # The slots are ours to free: the photos are not shown, only counted.
            while (photo := pipeline.take_ready()) is not None:
                photo.release()
            if results[order[path]] is None:
                left -= 1
            results[order[path]] = _result(path, reply)
            emit_ready()
    for position, path in enumerate(files):
        if results[position] is None:
            results[position] = Result(path, False, NOT_CHECKED, "no image worker process was "
                                       "left to decode it", None, None, None, None, None)
    emit_ready()
    return results  # type: ignore[return-value]


def _result(path: str, reply: Any) -> Result:
    if reply.ok:
        return Result(path, True, None, None, reply.source_width, reply.source_height,
                      reply.out_width, reply.out_height, reply.ms)
    ms = reply.ms if reply.ms else None
    return Result(path, False, reply.error_class, reply.reason, None, None, None, None, ms)


def summarize(results: Sequence[Result]) -> str:
    """`12 files: 9 ok, 3 failed (DamagedImage 2, UnsupportedFormat 1); median decode 38.2 ms`"""
    ok_ms = [r.ms for r in results if r.ok and r.ms is not None]
    failures = Counter(r.error_class for r in results if not r.ok)
    text = (f"{len(results)} file{'s' * (len(results) != 1)}: {len(ok_ms)} ok, "
            f"{sum(failures.values())} failed")
    if failures:
        text += " (" + ", ".join(f"{name} {n}" for name, n in sorted(failures.items())) + ")"
    if ok_ms:
        text += f"; median decode {statistics.median(ok_ms):.1f} ms"
    return text
