"""`slideshow check`: files and folders through the real worker pipeline, one line (or JSON
object) per file and a summary; run as `python3 -m slideshow check` in a subprocess."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from slideshow.commands.check import Result, check_files, collect_files, summarize
from slideshow.workers import decode
from tests.support import REPO
from tests.workers.hooks import solid_decoder, write_solid

pytestmark = pytest.mark.usefixtures("nothing_left_behind")

MS = r"\d+\.\d ms"


def run_check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "slideshow", "check", *args], cwd=REPO,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True,
                          text=True, timeout=60)


@pytest.fixture
def photo_folder(tmp_path: Path) -> Path:
    """Two good photos (one in a subfolder, stored sideways with EXIF orientation 6), two
    bad files, and hidden ones that must be skipped."""
    folder = tmp_path / "photos"
    (folder / "sub").mkdir(parents=True)
    (folder / ".cache").mkdir()
    split = np.zeros((100, 200, 3), np.uint8)
    split[:, 100:] = (0, 0, 255)
    split[:, :100] = (255, 0, 0)
    Image.fromarray(split).save(folder / "a_split.png")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to show: stored 80x60, shown 60x80
    Image.new("RGB", (80, 60), (0, 200, 0)).save(folder / "sub" / "sideways.jpg", exif=exif)
    (folder / "b_broken.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8)
    (folder / "c_empty.png").write_bytes(b"")
    Image.new("RGB", (8, 8)).save(folder / ".hidden.png")
    Image.new("RGB", (8, 8)).save(folder / ".cache" / "thumb.png")
    return folder


def test_collect_files_walks_folders_in_order_skips_hidden_and_reports_missing(photo_folder):
    files, missing = collect_files([str(photo_folder), str(photo_folder / "a_split.png"),
                                    str(photo_folder / "nope.jpg")])

    assert files == [str(photo_folder / name) for name in
                     ("a_split.png", "b_broken.jpg", "c_empty.png", "sub/sideways.jpg")]
    assert missing == [str(photo_folder / "nope.jpg")]


def test_check_files_reports_every_file_in_order_including_a_crashing_one(tmp_path):
    paths = [write_solid(tmp_path / "one.txt", (1, 1, 1)),
             write_solid(tmp_path / "crash.txt", (0, 0, 0)),
             str(tmp_path / "gone.txt"),
             write_solid(tmp_path / "two.txt", (2, 2, 2))]
    emitted: list[Result] = []

    results = check_files(paths, (16, 8), "fill", workers=1, decoder=solid_decoder,
                          emit=emitted.append)

    assert emitted == results
    assert [(r.path, r.ok, r.error_class) for r in results] == [
        (paths[0], True, None), (paths[1], False, "Quarantined"),
        (paths[2], False, "FileNotFoundError"), (paths[3], True, None)]
    assert (results[0].width, results[0].height, results[0].out_width, results[0].out_height,
            results[0].ms) == (32, 16, 16, 8, 1.5)
    assert results[0].line() == f"ok   32x16 -> 16x8  1.5 ms  {paths[0]}"
    assert results[1].line() == f"FAIL Quarantined: it crashed the image decoder twice  {paths[1]}"
    assert json.loads(results[1].json()) == {
        "path": paths[1], "ok": False, "width": None, "height": None, "out_width": None,
        "out_height": None, "ms": None,
        "error": {"class": "Quarantined", "reason": "it crashed the image decoder twice"}}
    assert summarize(results) == ("4 files: 2 ok, 2 failed (FileNotFoundError 1, Quarantined 1); "
                                  "median decode 1.5 ms")


def test_check_prints_a_line_per_file_and_a_summary(photo_folder):
    sideways_out = decode.output_size((60, 80), (64, 48), "fill")
    assert sideways_out == (64, 48)

    done = run_check(str(photo_folder), "--size", "64x48", "--fit", "fill", "--workers", "1")

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 5, done.stdout
    assert re.fullmatch(rf"ok   200x100 -> 64x48  {MS}  {photo_folder}/a_split\.png", lines[0])
    assert re.fullmatch(rf"FAIL DamagedImage: .+  {photo_folder}/b_broken\.jpg", lines[1])
    assert re.fullmatch(rf"FAIL UnreadableFile: .+  {photo_folder}/c_empty\.png", lines[2])
    assert re.fullmatch(rf"ok   60x80 -> 64x48  {MS}  {photo_folder}/sub/sideways\.jpg", lines[3])
    assert re.fullmatch(rf"4 files: 2 ok, 2 failed \(DamagedImage 1, UnreadableFile 1\); "
                        rf"median decode {MS}", lines[4])
    assert done.stderr == ""  # each failure is said once, on its own line


def test_check_json_gives_the_fields_of_each_file(photo_folder):

    done = run_check(str(photo_folder / "sub"), str(photo_folder / "c_empty.png"), "--json",
                     "--size", "64x48", "--fit", "fit")

    assert done.returncode == 0, done.stderr
    sideways, empty = [json.loads(line) for line in done.stdout.splitlines()]
    out_w, out_h = decode.output_size((60, 80), (64, 48), "fit")
    assert sideways["ms"] > 0
    assert sideways == {"path": str(photo_folder / "sub" / "sideways.jpg"), "ok": True,
                        "error": None, "width": 60, "height": 80, "out_width": out_w,
                        "out_height": out_h, "ms": sideways["ms"]}
    assert empty["path"] == str(photo_folder / "c_empty.png") and empty["ok"] is False
    assert empty["error"]["class"] == "UnreadableFile" and "empty" in empty["error"]["reason"]
    assert (empty["width"], empty["height"], empty["out_width"], empty["out_height"]) == (None,) * 4
    assert "2 files: 1 ok, 1 failed" in done.stderr  # the summary stays off stdout


def test_check_of_a_missing_path_is_a_usage_error_naming_it(tmp_path):
    missing = tmp_path / "no such folder"

    done = run_check(str(tmp_path), str(missing))

    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"slideshow check: error: no such file or folder: {missing}\n"


def test_check_with_a_bad_size_is_a_usage_error_naming_the_option(tmp_path):
    done = run_check(str(tmp_path), "--size", "huge")

    assert (done.returncode, done.stdout) == (2, "")
    assert "--size" in done.stderr and "WIDTHxHEIGHT" in done.stderr


def test_check_of_an_empty_folder_says_so_and_succeeds(tmp_path):
    assert check_files([], (64, 48), "fill") == []
    assert summarize([]) == "0 files: 0 ok, 0 failed"


def test_check_of_the_shared_photos_shows_each_upright_and_names_the_bad_ones(shared_photos):

    done = run_check(str(shared_photos), "--json", "--size", "320x180", "--workers", "1")

    assert done.returncode == 0, done.stderr
    results = {Path(r["path"]).relative_to(shared_photos).as_posix(): r
               for r in map(json.loads, done.stdout.splitlines())}
    orientation = {name: r for name, r in results.items()
                   if name.startswith("orientation/") and name.endswith(".jpg")}
    assert len(orientation) == 18
    for name, result in orientation.items():
        assert result["ok"], result
        shown = (1800, 1200) if "Landscape" in name else (1200, 1800)
        assert (result["width"], result["height"], result["out_width"], result["out_height"]) == \
            (*shown, 320, 180), name
    assert results["bad/corrupted.jpg"]["error"]["class"] == "DamagedImage"
    for name in ("ATTRIBUTION.md", "orientation/LICENSE"):
        assert results[name]["error"]["class"] == "UnsupportedFormat"  # said so, not skipped
    heic = [r for name, r in results.items() if name.startswith("heic/")]
    if importlib.util.find_spec("pillow_heif") is None:
        assert {r["error"]["class"] for r in heic} == {"UnsupportedFormat"}
        assert all("pillow-heif" in r["error"]["reason"] for r in heic)
    failed = sum(not r["ok"] for r in results.values())
    assert f"{len(results)} files: {len(results) - failed} ok, {failed} failed" in done.stderr


# What `pip install` writes as the `slideshow` command: it imports the command line at its top.
PIP_LAUNCHER = """import sys
from slideshow.cli import main
if __name__ == '__main__':
    sys.exit(main())
"""


def test_workers_spawned_from_the_installed_command_do_not_run_the_command_line_again(tmp_path):
    launcher = tmp_path / "slideshow"
    launcher.write_text(PIP_LAUNCHER)
    Image.new("RGB", (64, 48), (200, 10, 10)).save(tmp_path / "a.png")
    done = subprocess.run([sys.executable, str(launcher), "check", str(tmp_path / "a.png")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(REPO), "PYTHONPROFILEIMPORTTIME": "1"})
    imported = [line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines()
                if line.startswith("import time:")]

    assert done.returncode == 0 and "1 ok" in done.stdout, done.stdout + done.stderr[-2000:]
    # The worker process imported its own modules (the parent imports image_worker too) ...
    assert imported.count("slideshow.workers.image_worker") == 2
    # ... and not the command line, which only the launcher's own process ran.
    assert imported.count("slideshow.cli") == 1
