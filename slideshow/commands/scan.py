"""`slideshow scan PATH...`: finds the photos under folders the way the show's library does,
shows its progress, and says what it found and what it skipped, and why.

The scan fills the same index cache the show starts from (unless `--no-cache`), so a scan
run once ahead makes the first start on a large library as quick as a restart.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import TextIO

from slideshow.library import LibraryStats, PhotoLibrary

_TICK_S = 0.1  # how often progress is looked at
_LINE_S = 5.0  # without a terminal, a progress line this often


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "scan", help="find the photos under folders, and the files skipped and why",
        description="Walks folders (recursively, following links, hidden files and folders "
        "skipped) as the show's library does: files with a photo suffix (or none) are confirmed "
        "by their first bytes. Progress goes to stderr (one line updated in place on a "
        "terminal); then a summary: photos found, and the files skipped counted by reason. "
        "Fills the index cache the show starts from. Exit status 0 when it ran, 2 for a path "
        "that does not exist.")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="photo folders and files")
    parser.add_argument("--json", action="store_true",
                        help="end with a one-line JSON summary on stdout (photos, skipped "
                        "{reason: count}, seconds, listing_seconds, folders, entries, "
                        "folders_listed, folders_reused, cache); the text summary goes to stderr")
    parser.add_argument("--no-cache", action="store_true",
                        help="neither read nor write the index cache: a cold scan")


def run(args: argparse.Namespace) -> int:
    missing = [p for p in args.paths if not os.path.lexists(os.path.expanduser(p))]
    if missing:
        print(f"slideshow scan: error: no such file or folder: {', '.join(missing)}",
              file=sys.stderr)
        return 2
    library = PhotoLibrary(args.paths, use_cache=not args.no_cache, rescan_s=0)
    progress = Progress(sys.stderr)
    library.start()
    try:
        while not library.wait_scanned(_TICK_S):
            progress.show(library.stats)
    finally:
        library.close()
    stats = library.stats
    progress.end()
    cache = str(library.cache_path) if library.cache_path is not None else None
    print(summarize(stats, cache), file=sys.stderr if args.json else sys.stdout)
    if args.json:
        print(json.dumps(summary_json(stats, cache)), flush=True)
    return 0


class Progress:
    """One line rewritten in place on a terminal; otherwise a line every few seconds."""

    def __init__(self, stream: TextIO, clock=time.monotonic) -> None:
        self._stream, self._clock = stream, clock
        self._tty = stream.isatty()
        self._last_line_at = clock()
        self._shown = False

    def show(self, stats: LibraryStats) -> None:
        if self._tty:
            self._stream.write(f"\r{describe(stats)}\x1b[K")
            self._stream.flush()
            self._shown = True
        elif self._clock() - self._last_line_at >= _LINE_S:
            self._last_line_at = self._clock()
            print(describe(stats), file=self._stream, flush=True)

    def end(self) -> None:
        if self._shown:
            self._stream.write("\r\x1b[K")
            self._stream.flush()


def describe(stats: LibraryStats) -> str:
    """`listing: 120,000 photos, 121,004 entries in 2.1 s (57,620 entries/s)`"""
    rate = stats.entries / stats.seconds if stats.seconds > 0 else 0.0
    text = (f"{stats.phase}: {stats.photos:,} photos, {stats.entries:,} entries in "
            f"{stats.seconds:.1f} s ({rate:,.0f} entries/s)")
    if stats.phase == "checking":
        text += f", {stats.unchecked:,} left to confirm"
    return text


def summarize(stats: LibraryStats, cache: str | None) -> str:
    """`7 photos in 3 folders (0.05 s, listed in 0.01 s); skipped 4: hidden 2, ...`"""
    skipped = sum(stats.skipped.values())
    text = (f"{stats.photos:,} photo{'s' * (stats.photos != 1)} in {stats.folders:,} "
            f"folder{'s' * (stats.folders != 1)} ({stats.seconds:.2f} s, listed in "
            f"{stats.listing_seconds:.2f} s); skipped {skipped:,}")
    if skipped:
        text += ": " + ", ".join(f"{reason} {n:,}" for reason, n in stats.skipped.items())
    if cache is not None:
        text += (f"\nindex cache {cache}: {stats.folders_reused:,} folders reused, "
                 f"{stats.folders_listed:,} listed")
    return text


def summary_json(stats: LibraryStats, cache: str | None) -> dict:
    return {"photos": stats.photos, "skipped": stats.skipped, "seconds": round(stats.seconds, 4),
            "listing_seconds": round(stats.listing_seconds, 4), "folders": stats.folders,
            "entries": stats.entries, "folders_listed": stats.folders_listed,
            "folders_reused": stats.folders_reused, "cache": cache}
