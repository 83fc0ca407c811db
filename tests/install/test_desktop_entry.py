"""The desktop entry (slideshow/install/desktop_entry.py), validated by
desktop-file-validate where it is installed."""

from __future__ import annotations

import subprocess

import pytest

from slideshow.install.desktop_entry import desktop_entry_text
from tests.machine import needs_tool


def entry(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line and
                not line.startswith("#"))


def test_exec_runs_the_launcher_with_the_dropped_folders():
    assert entry(desktop_entry_text("/home/me/.local/share/slideshow/bin/slideshow"))["Exec"] == \
        "/home/me/.local/share/slideshow/bin/slideshow show %F"


def test_a_launcher_path_with_reserved_characters_is_quoted_and_escaped():
    # The spec: quoted, `$` escaped with a backslash, then every backslash doubled.
    assert entry(desktop_entry_text("/home/J Doe/$x/100%/slideshow"))["Exec"] == \
        '"/home/J Doe/\\\\$x/100%%/slideshow" show %F'


@pytest.mark.parametrize("launcher", ["/home/me/.local/share/slideshow/bin/slideshow",
                                      "/home/J Doe/$x/slideshow"])
def test_desktop_file_validate_accepts_it(tmp_path, launcher):
    needs_tool("desktop-file-validate", "desktop-file-utils")
    path = tmp_path / "entry.desktop"
    path.write_text(desktop_entry_text(launcher))
    done = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout == done.stderr == "", done.stdout + done.stderr
    path.write_text(path.read_text().replace("Type=Application", "Type=Program"))
    assert subprocess.run(["desktop-file-validate", str(path)], capture_output=True).returncode != 0
