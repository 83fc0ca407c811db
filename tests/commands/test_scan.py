"""`slideshow scan`: run as `python3 -m slideshow scan` in a subprocess, with the per-user
cache folder pointed into the test's tmp_path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from slideshow.commands.scan import Progress, describe
from slideshow.library import LibraryStats
from tests.library.trees import TREE_PHOTOS, TREE_SKIPPED, age_folders, make_tree
from tests.support import REPO


def run_scan(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "XDG_CACHE_HOME": str(tmp_path / "xdg-cache")}
    return subprocess.run([sys.executable, "-m", "slideshow", "scan", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def test_json_ends_the_output_with_photos_skipped_reasons_and_seconds(tmp_path):
    root = make_tree(tmp_path / "photos")
    done = run_scan(tmp_path, str(root), "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["photos"] == len(TREE_PHOTOS)
    assert summary["skipped"] == TREE_SKIPPED
    assert 0 < summary["seconds"] < 30 and summary["folders"] == 3
    assert summary["cache"].startswith(str(tmp_path / "xdg-cache" / "slideshow"))
    assert "7 photos in 3 folders" in done.stderr  # the text summary moves to stderr


def test_text_summary_names_each_reason_and_a_second_run_reuses_the_cache(tmp_path):
    root = make_tree(tmp_path / "photos")
    age_folders(root)
    first = run_scan(tmp_path, str(root))
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    skipped = ("skipped 10: broken_link 1, duplicate_folder 1, empty_file 1, hidden 2, "
               "not_an_image 2, other_suffix 1, special_file 1, symlink_loop 1")
    assert lines[0].startswith("7 photos in 3 folders (") and lines[0].endswith(skipped)
    assert lines[1].endswith("0 folders reused, 3 listed")
    again = run_scan(tmp_path, str(root)).stdout.splitlines()
    assert again[0].startswith("7 photos in 3 folders (") and again[0].endswith(skipped)
    assert again[1].endswith("3 folders reused, 0 listed")


def test_no_cache_scans_cold_and_writes_nothing(tmp_path):
    root = make_tree(tmp_path / "photos")
    done = run_scan(tmp_path, str(root), "--json", "--no-cache")
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["cache"] is None and summary["photos"] == len(TREE_PHOTOS)
    assert not (tmp_path / "xdg-cache").exists()


def test_a_path_that_does_not_exist_is_named_and_exits_2(tmp_path):
    root = make_tree(tmp_path / "photos")
    done = run_scan(tmp_path, str(root), str(tmp_path / "missing"), "--json")
    assert done.returncode == 2
    assert done.stderr.strip() == f"slideshow scan: error: no such file or folder: {tmp_path / 'missing'}"
    assert done.stdout == ""


class FakeTerminal:
    def __init__(self, tty: bool) -> None:
        self.tty, self.text = tty, ""

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


STATS = LibraryStats(photos=1200, unchecked=0, folders=3, scanning=True, phase="listing",
                     entries=2500, seconds=2.0)


def test_progress_rewrites_one_line_on_a_terminal():
    stream = FakeTerminal(tty=True)
    progress = Progress(stream)
    progress.show(STATS)
    progress.show(STATS)
    progress.end()
    line = "listing: 1,200 photos, 2,500 entries in 2.0 s (1,250 entries/s)"
    assert stream.text == f"\r{line}\x1b[K" * 2 + "\r\x1b[K"
    assert describe(STATS) == line


def test_progress_without_a_terminal_prints_a_line_every_few_seconds():
    stream = FakeTerminal(tty=False)
    now = [100.0]
    progress = Progress(stream, clock=lambda: now[0])
    for _ in range(30):  # 3 s of ticks: no line yet
        now[0] += 0.1
        progress.show(STATS)
    assert stream.text == ""
    for _ in range(30):
        now[0] += 0.1
        progress.show(STATS)
    progress.end()
    assert stream.text == describe(STATS) + "\n"
