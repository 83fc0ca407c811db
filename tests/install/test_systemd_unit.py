"""The photo frame's unit (slideshow/install/systemd_unit.py), checked by
`systemd-analyze --user verify` where systemd is installed: it must pass without a
single warning (verify only warns about an unknown key, so a warning is a failure here)."""

from __future__ import annotations

import configparser
import subprocess

import pytest

from slideshow.install.systemd_unit import parse_systemd_version, unit_text
from tests.machine import needs_tool


def sections(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string(text)
    return parser


def test_the_unit_starts_with_the_session_restarts_on_failure_and_never_gives_up():
    unit = sections(unit_text("/home/me/bin/slideshow", ["/srv/photos"], 256))
    assert unit["Service"]["ExecStart"] == "/home/me/bin/slideshow show --no-exit-on-input /srv/photos"
    assert unit["Service"]["Restart"] == "on-failure"
    assert unit["Service"]["RestartSteps"] == "6" and unit["Service"]["RestartMaxDelaySec"] == "2min"
    assert unit["Unit"]["StartLimitIntervalSec"] == "0"
    assert unit["Unit"]["PartOf"] == unit["Install"]["WantedBy"] == "graphical-session.target"


@pytest.mark.parametrize("version", [252, None])
def test_older_or_unknown_systemd_gets_no_key_it_does_not_know(version):
    unit = sections(unit_text("/bin/slideshow", [], version))
    assert "RestartSteps" not in unit["Service"] and unit["Service"]["RestartSec"] == "5s"


def test_exec_start_words_are_quoted_for_systemd():
    unit = sections(unit_text("/home/a b/slideshow", ["/photos/100%", "/x/$HOME"], 252))
    assert unit["Service"]["ExecStart"] == \
        '"/home/a b/slideshow" show --no-exit-on-input /photos/100%% /x/$$HOME'


def test_the_version_comes_from_systemctls_first_line():
    assert parse_systemd_version("systemd 252 (252.38-1~deb12u1)\n+PAM +AUDIT") == 252
    assert parse_systemd_version("") is None and parse_systemd_version("other 1") is None


def test_systemd_analyze_verify_accepts_the_unit_without_a_warning(tmp_path):
    needs_tool("systemd-analyze", "systemd")
    launcher = tmp_path / "my photos" / "slideshow"
    launcher.parent.mkdir()
    launcher.write_text("#!/bin/sh\n")
    launcher.chmod(0o755)
    version = parse_systemd_version(subprocess.run(["systemctl", "--version"], capture_output=True,
                                                   text=True).stdout)
    unit = tmp_path / "photo-frame.service"
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)

    def verify() -> subprocess.CompletedProcess:
        return subprocess.run(["systemd-analyze", "--user", "verify", str(unit)],
                              capture_output=True, text=True, timeout=60,
                              env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                                   "XDG_RUNTIME_DIR": str(runtime)})

    unit.write_text(unit_text(str(launcher), ["/srv/100% photos"], version))
    done = verify()
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr
    # The check can fail: a key systemd does not know is a warning.
    unit.write_text(unit.read_text().replace("Restart=", "Restrat="))
    assert "Unknown key" in verify().stderr
