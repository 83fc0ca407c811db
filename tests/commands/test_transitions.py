"""`slideshow transitions`: the listing, and the contact sheet rendered in its own process
(it makes its own EGL context, which must not replace the tests' shared one)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from slideshow.commands import transitions as command
from tests.machine import missing
from tests.support import REPO


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="slideshow")
    command.add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["transitions", *argv])


def run_command(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "slideshow", "transitions", *argv],
                          cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                          capture_output=True, text=True, timeout=120)


def test_listing_names_every_transition_with_parameters_defaults_and_file(capsys):
    assert command.run(parse()) == 0
    out = capsys.readouterr().out
    for name in ("crossfade", "slide-up", "wipe-down-right", "blinds-vertical", "diffuse",
                 "block-flip", "block-spin-grid"):
        assert f"\n{name}  (" in f"\n{out}"
    assert "shaders/transitions/wipe.glsl)" in out
    assert "    direction: vec2 = vec2(1.0, -1.0)" in out  # wipe-down-right's preset
    assert "    count: int = 8" in out and "    vertical: bool = true" in out
    assert "    duration_s = 2" in out


def test_listing_only_a_file_family(capsys):
    assert command.run(parse("--only", "slide")) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()
             if not line.startswith(" ")]
    assert names == ["slide-left", "slide-right", "slide-up", "slide-down"]


def test_size_must_be_w_by_h():
    with pytest.raises(SystemExit):
        parse("--size", "big")


@pytest.mark.egl
def test_contact_sheet_has_a_row_per_transition_and_a_column_per_progress(tmp_path):
    out = tmp_path / "sheet.png"
    result = run_command("--contact-sheet", str(out), "--only", "crossfade", "wipe-left",
                         "--size", "64x36")
    if result.returncode != 0 and "EGL" in result.stderr:
        missing("EGL", result.stderr.strip())
    assert result.returncode == 0, result.stderr
    with Image.open(out) as sheet:
        pixels = np.asarray(sheet.convert("RGB"))
    # header 18 + two rows of (36 + gap 4) + gap 4; labels, then five columns of 64 + 4.
    assert pixels.shape[0] == 18 + 2 * 40 + 4
    assert pixels.shape[1] > 5 * 68
    left = pixels.shape[1] - 5 * 68
    first_row = pixels[18:18 + 36]
    at_zero, at_one = first_row[:, left:left + 64], first_row[:, left + 4 * 68:left + 4 * 68 + 64]
    assert np.abs(at_zero.astype(int) - at_one.astype(int)).mean() > 10  # two different images


@pytest.mark.egl
def test_contact_sheet_of_user_images_and_a_file(tmp_path):
    for name, colour in (("a.png", (250, 0, 0)), ("b.png", (0, 0, 250))):
        Image.new("RGB", (80, 40), colour).save(tmp_path / name)
    fixture = tmp_path / "half.glsl"
    fixture.write_text("vec4 transition(vec2 uv) {\n"
                       "  return progress < 0.5 ? getFromColor(uv) : getToColor(uv);\n}\n")
    out = tmp_path / "sheet.png"
    result = run_command("--contact-sheet", str(out), "--from", str(tmp_path / "a.png"),
                         "--to", str(tmp_path / "b.png"), "--only", str(fixture), "--size", "32x16")
    if result.returncode != 0 and "EGL" in result.stderr:
        missing("EGL", result.stderr.strip())
    assert result.returncode == 0, result.stderr
    with Image.open(out) as sheet:
        pixels = np.asarray(sheet.convert("RGB"))
    left = pixels.shape[1] - 5 * 36
    row = pixels[18:18 + 16]
    colours = [tuple(row[8, left + column * 36 + 16]) for column in range(5)]
    assert colours == [(250, 0, 0)] * 2 + [(0, 0, 250)] * 3


def test_missing_image_is_a_clear_error(tmp_path):
    result = run_command("--contact-sheet", str(tmp_path / "x.png"),
                         "--from", str(tmp_path / "nope.jpg"))
    assert result.returncode == 2
    assert "nope.jpg" in result.stderr
