"""Bash completion (slideshow/install/completion.py), sourced into a real bash and asked
what it completes, the way bash asks it (COMP_WORDS, COMP_CWORD)."""

from __future__ import annotations

import shlex
import subprocess

import pytest

from slideshow.cli import build_parser
from slideshow.install.completion import bash_completion


def complete(tmp_path, line: str) -> list[str]:
    """What the completion offers for `line` with the cursor at its end."""
    script = tmp_path / "completion.bash"
    if not script.exists():
        script.write_text(bash_completion(build_parser()))
    words = line.split() + ([""] if line.endswith(" ") else [])
    code = (f"source {shlex.quote(str(script))}\n"
            f"COMP_WORDS=({' '.join(shlex.quote(w) for w in words)})\n"
            f"COMP_CWORD={len(words) - 1}\n_slideshow\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n")
    done = subprocess.run(["bash", "--norc", "--noprofile", "-c", code], cwd=tmp_path,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return [w for w in done.stdout.splitlines() if w]


@pytest.mark.parametrize("line, expected", [
    ("slideshow show --fit ", ["fill", "fit", "shrink", "blur"]),
    ("slideshow --visualizer s", ["scope"]),  # the show is the default command
    ("slideshow be", ["bench"]),
    ("slideshow bench --head", ["--headless"]),
    ("slideshow install --x", ["--xscreensaver", "--xscreensaver-config-dir"]),
    ("slideshow config --", ["--help", "--path", "--edit"]),
    ("slideshow --log-level w", ["warning"]),
])
def test_commands_options_and_choices_complete(tmp_path, line, expected):
    assert complete(tmp_path, line) == expected


def test_paths_complete_where_a_command_takes_them(tmp_path):
    (tmp_path / "photos").mkdir()
    (tmp_path / "photo.jpg").write_bytes(b"")
    assert complete(tmp_path, "slideshow pho") == ["photos"]  # commands, then folders
    assert complete(tmp_path, "slideshow show pho") == ["photo.jpg", "photos"]
    assert complete(tmp_path, "slideshow show --config pho") == ["photo.jpg", "photos"]
    assert complete(tmp_path, "slideshow devices pho") == []  # takes no path


def test_every_option_of_every_command_is_offered(tmp_path):
    parser = build_parser()
    commands = next(a for a in parser._actions if hasattr(a, "choices") and a.choices).choices
    assert complete(tmp_path, "slideshow ") [:len(commands)] == list(commands)
    for name, sub in commands.items():
        flags = sorted({o for a in sub._actions for o in a.option_strings if o.startswith("--")})
        assert sorted(set(complete(tmp_path, f"slideshow {name} --"))) == flags, name
