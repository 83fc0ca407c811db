"""Scanning a large photo library: PhotoLibrary against `find PATH -type f | wc -l`.

    python3 benchmarks/library.py [--files 1000000] [--per-folder 1000] [--repeat 3]

Builds (once, then reuses) a tree of `--files` small files carrying a JPEG or PNG
signature, `--per-folder` to a folder, under the temp folder; sets the folders' mtimes a
day back (a library that was not written a second ago, whose mtimes the cache trusts).
Then, for each of `--repeat` rounds, in this order so that a busy neighbour slows them all:

- find: `find TREE -type f | wc -l`, the floor for listing a tree;
- cold scan, with an empty index cache: time to the first photo (`on_available`, then
  `next_path`), listing (every folder walked: every photo can be shown), and all (every
  photo also confirmed by its first 64 bytes, and the cache written);
- warm restart, with the cache the cold scan wrote: time to the first photo, and until every
  folder has been `stat`ed and found unchanged.

The page cache is warm for all of them (one untimed `find` first); a cold disk would slow
find and the scans alike. Last, the index's memory: tracemalloc's traced bytes held by a
PhotoLibrary after a cold scan and after a warm restart (index, shuffle pool, folder
records), per photo.
Figures are median (min-max) over the rounds.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from slideshow.library import PhotoLibrary

SIGNATURES = (b"\xff\xd8\xff\xe0", b"\x89PNG\r\n\x1a\n")
SUFFIXES = (".jpg", ".png")
DAY_S = 86400.0
GOALS = {"cold listing vs find": 2.0, "first photo s": 1.0, "warm restart s": 1.0,
         "bytes per photo": 200.0}


def build_tree(root: Path, files: int, per_folder: int) -> Path:
    """The tree for these sizes, built unless a finished one is there."""
    tree = root / f"{files}-{per_folder}"
    done = root / f"{files}-{per_folder}.done"  # beside the tree: the scan must not see it
    if done.exists():
        return tree
    if tree.exists():
        shutil.rmtree(tree)
    started = time.perf_counter()
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    for number in range(-(-files // per_folder)):
        folder = tree / f"{number // 100:04d}" / f"{number % 100:02d}"
        folder.mkdir(parents=True)
        for n in range(min(per_folder, files - number * per_folder)):
            fd = os.open(folder / f"IMG_{n:05d}{SUFFIXES[n % 2]}", flags, 0o644)
            os.write(fd, SIGNATURES[n % 2])
            os.close(fd)
    old = time.time() - DAY_S
    for folder, _dirs, _files in os.walk(tree):
        os.utime(folder, (old, old))
    done.touch()
    print(f"built {files:,} files in {tree} in {time.perf_counter() - started:.0f} s", flush=True)
    return tree


def time_find(tree: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(f"find '{tree}' -type f | wc -l", shell=True, check=True,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    assert int(done.stdout) > 0
    return elapsed


def time_scan(tree: Path, cache_dir: Path) -> dict[str, float]:
    """One library start: first photo, listing, all done; the library closed after."""
    available = threading.Event()
    library = PhotoLibrary([tree], cache_dir=cache_dir, rescan_s=0, on_available=available.set)
    started = time.perf_counter()
    library.start()
    if library.next_path() is None:
        available.wait()
    assert library.next_path() is not None
    first_s = time.perf_counter() - started
    library.wait_scanned()
    done_s = time.perf_counter() - started
    stats = library.stats
    library.close()
    return {"first": first_s, "listing": stats.listing_seconds, "all": done_s,
            "photos": stats.photos, "reused": stats.folders_reused}


def index_bytes_per_photo(tree: Path, cache_dir: Path) -> tuple[float, int]:
    """Traced bytes a started library holds once its scan is done, per photo; with an empty
    `cache_dir` that is after a cold scan, else after a warm restart."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    library = PhotoLibrary([tree], cache_dir=cache_dir, rescan_s=0)
    library.start()
    library.wait_scanned()
    library.next_path()
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    photos = library.stats.photos
    tracemalloc.stop()
    library.close()
    return held / photos, photos


def spread(values: list[float], unit: str = "s", digits: int = 3) -> str:
    return (f"{statistics.median(values):.{digits}f} {unit} "
            f"({min(values):.{digits}f}-{max(values):.{digits}f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1_000_000)
    parser.add_argument("--per-folder", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--root", type=Path,
                        default=Path(tempfile.gettempdir()) / "slideshow-bench-library",
                        help="where the tree is built and kept for the next run")
    args = parser.parse_args()
    tree = build_tree(args.root, args.files, args.per_folder)
    time_find(tree)  # the page cache: warm for every timed run alike
    rounds: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="slideshow-bench-cache-") as scratch:
        for round_ in range(args.repeat):
            cache_dir = Path(scratch) / f"round{round_}"
            rounds.setdefault("find", []).append(time_find(tree))
            cold = time_scan(tree, cache_dir)
            warm = time_scan(tree, cache_dir)
            assert cold["photos"] == warm["photos"] == args.files, (cold, warm)
            assert warm["reused"] > 0
            for name, value in (("cold first photo", cold["first"]),
                                ("cold listing", cold["listing"]), ("cold all", cold["all"]),
                                ("warm first photo", warm["first"]), ("warm all", warm["all"])):
                rounds.setdefault(name, []).append(value)
        memory = {"cold scan": index_bytes_per_photo(tree, Path(scratch) / "empty"),
                  "warm restart": index_bytes_per_photo(tree, Path(scratch) / "round0")}

    find_s = statistics.median(rounds["find"])
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores; {args.files:,} files, "
          f"{args.per_folder} per folder; median (min-max) of {args.repeat} rounds")
    print("| measure | time | vs find |")
    print("|---|---|---|")
    for name, values in rounds.items():
        print(f"| {name} | {spread(values)} | {statistics.median(values) / find_s:.2f}x |")
    for name, (per_photo, photos) in memory.items():
        print(f"| index memory after a {name} | {per_photo:.0f} bytes per photo "
              f"({photos:,} photos) | |")
    checks = {
        "cold listing vs find": statistics.median(rounds["cold listing"]) / find_s,
        "first photo s": max(statistics.median(rounds["cold first photo"]),
                             statistics.median(rounds["warm first photo"])),
        "warm restart s": statistics.median(rounds["warm all"]),
        "bytes per photo": max(per_photo for per_photo, _ in memory.values())}
    for name, value in checks.items():
        verdict = "ok" if value <= GOALS[name] else "MISSED"
        print(f"goal {name} <= {GOALS[name]:g}: {value:.3g} {verdict}")


if __name__ == "__main__":
    main()
