"""The settings as text (slideshow/config.py's describe_settings and settings_template) and
`--help` (slideshow/cli.py): what `slideshow config` prints and `/c` writes loads through the
real config loader with every line uncommented; every help line fits 100 columns and the
top-level help names the config file and the screensaver hosts' flags."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from slideshow.cli import COMMANDS
from slideshow.config import Config, describe_settings, load_config
from tests.support import REPO


def run(tmp_path: Path, *args: str, columns: int = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(PYTHONPATH=str(REPO), XDG_CONFIG_HOME=str(tmp_path / "config"),
               COLUMNS=str(columns))
    return subprocess.run([sys.executable, "-m", "slideshow", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def uncomment_all(text: str) -> str:
    """Every line's first `#` taken off: what a user who uncomments everything gets."""
    return "\n".join(line[1:] if line.startswith("#") else line for line in text.splitlines())


def test_the_top_level_keys_come_before_the_first_table():
    # The bug: log_level printed after [workers] was read as workers.log_level.
    lines = describe_settings().splitlines()
    first_table = next(i for i, line in enumerate(lines) if line.startswith("["))
    assert lines[0].startswith("log_level = ") and 0 < first_table


def test_slideshow_config_with_every_line_uncommented_loads_as_the_defaults(tmp_path):
    done = run(tmp_path, "config")
    assert done.returncode == 0, done.stderr
    assert all(line == "" or line.startswith("#") for line in done.stdout.splitlines())
    path = tmp_path / "uncommented.toml"
    path.write_text(uncomment_all(done.stdout))
    assert load_config(path) == Config()
    assert "[workers]" in path.read_text() and 'log_level = "info"' in path.read_text()


def test_the_screensaver_settings_file_of_slash_c_loads_uncommented(tmp_path):
    done = run(tmp_path, "/c")
    file = tmp_path / "config/slideshow/config.toml"
    assert done.returncode == 0 and done.stdout == f"slideshow settings: {file}\n", done.stderr
    text = file.read_text()
    assert f"## This file is read from {file}" in text
    assert load_config(file) == Config()  # all commented out: the defaults
    file.write_text(uncomment_all(text))
    assert load_config(file) == Config()
    # A changed value in an uncommented line is read, in its section
    file.write_text(uncomment_all(text).replace("interval_s = 6.0", "interval_s = 9.0"))
    assert load_config(file).show.interval_s == 9.0
    assert run(tmp_path, "config", "--path").stdout == f"{file}\n"


def test_every_help_line_fits_100_columns_on_a_wide_terminal(tmp_path):
    checked = 0
    for args in [["--help"], *([name, "--help"] for name in COMMANDS)]:
        done = run(tmp_path, *args)
        assert done.returncode == 0, done.stderr
        long = [line for line in done.stdout.splitlines() if len(line) > 100]
        assert not long, f"{' '.join(args)}: {long}"
        checked += len(done.stdout.splitlines())
    assert checked > 300
    narrow = run(tmp_path, "--help", columns=60)
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 60


def test_help_names_the_config_file_and_the_hosts_flags(tmp_path):
    text = " ".join(run(tmp_path, "--help").stdout.split())
    assert f"Settings: {tmp_path / 'config/slideshow/config.toml'}" in text
    for flag in ("-root", "-window-id ID", "$XSCREENSAVER_WINDOW", "/s", "/p HWND", "/c",
                 "slideshow config", "slideshow install --xscreensaver", "--photo-frame"):
        assert flag in text, flag


@pytest.mark.parametrize("width", [60, 98])
def test_the_settings_block_keeps_to_its_width(width):
    assert max(len(line) for line in describe_settings(width).splitlines()) <= width
