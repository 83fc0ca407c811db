"""scripts/bootstrap.sh, run for real on a copy of the repository's pyproject.toml: the system
packages it asks for on a Raspberry Pi and on a PC (`uname -m` and `dpkg-query` are
stand-ins first on PATH, since no ARM machine is here), and the one-stamp rule that lets
./run.sh after ./test.sh skip the install. The venv's python is a stand-in that logs its
arguments, so no pip runs and nothing is downloaded."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import REPO

BUILD_PACKAGES = {"build-essential", "python3-dev", "libx11-dev", "libgl-dev", "libegl-dev"}
TEST_PACKAGES = {"xvfb", "x11-utils", "pulseaudio", "pulseaudio-utils", "libasound2-plugins",
                 "desktop-file-utils", "libxml2-utils", "systemd"}

pytestmark = pytest.mark.skipif(shutil.which("bash") is None or shutil.which("sha256sum") is None,
                                reason="needs bash and coreutils")


class Clone:
    """A throwaway clone: scripts/bootstrap.sh and pyproject.toml copied in, stand-ins for
    uname, dpkg-query and .venv/bin/python, and a log of every pip call."""

    def __init__(self, tmp_path: Path) -> None:
        self.root = tmp_path / "clone"
        (self.root / "scripts").mkdir(parents=True)
        shutil.copy2(REPO / "scripts" / "bootstrap.sh", self.root / "scripts" / "bootstrap.sh")
        shutil.copy2(REPO / "pyproject.toml", self.root / "pyproject.toml")
        self.shims = tmp_path / "shims"
        self.shims.mkdir()
        self.pip_log = tmp_path / "pip.log"
        self.installed = tmp_path / "dpkg-installed"  # one package name a line
        self.installed.write_text("")
        self.machine("x86_64")
        # "*" in the list: every package is installed.
        self.shim("dpkg-query", f'grep -qx -e "${{@: -1}}" -e "\\*" {self.installed} '
                                '&& printf "install ok installed"\nexit 0\n')
        self.shim("python3", f'exec {sys.executable} "$@"\n')  # the tests' own, found quickly

    def shim(self, name: str, body: str, folder: Path | None = None) -> None:
        path = (folder or self.shims) / name
        path.write_text("#!/usr/bin/env bash\n" + body)
        path.chmod(0o755)

    def machine(self, name: str) -> None:
        self.shim("uname", f"echo {name}\n")  # the script asks only `uname -m`

    def all_packages_installed(self) -> None:
        self.installed.write_text("*\n")

    def fake_venv(self, pip_exit: int = 0) -> None:
        """A .venv whose python logs `-m pip ...` calls; pip output is 60 noisy lines."""
        bin_dir = self.root / ".venv" / "bin"
        bin_dir.mkdir(parents=True, exist_ok=True)
        self.shim("python", f'echo "$*" >> {self.pip_log}\n'
                            'for i in $(seq 60); do echo "WARNING: noisy line $i"; done\n'
                            f'case "$*" in *"-e "*) exit {pip_exit} ;; esac\n', bin_dir)

    def run(self, *args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "PATH": f"{self.shims}{os.pathsep}{os.environ['PATH']}"}
        return subprocess.run(["bash", str(self.root / "scripts" / "bootstrap.sh"), *args],
                              env=env, capture_output=True, text=True, timeout=60, check=False)

    def pip_calls(self) -> list[str]:
        if not self.pip_log.exists():
            return []
        return [line for line in self.pip_log.read_text().splitlines() if "-e " in line]


def would_install(result: subprocess.CompletedProcess) -> set[str]:
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines()
                if line.startswith("bootstrap: would apt-get install: "))
    names = line.removeprefix("bootstrap: would apt-get install: ")
    return set() if names == "(nothing)" else set(names.split())


@pytest.fixture
def clone(tmp_path: Path) -> Clone:
    return Clone(tmp_path)


# --- which system packages -----------------------------------------------------------

def test_raspberry_pi_gets_a_compiler_and_headers_for_moderngl_and_glcontext(clone):
    clone.machine("aarch64")

    result = clone.run("--dry-run")

    wanted = would_install(result)
    assert BUILD_PACKAGES <= wanted
    assert {"libegl1", "libgl1", "libgl1-mesa-dri", "libportaudio2"} <= wanted
    assert not wanted & TEST_PACKAGES
    assert result.stderr == ("bootstrap: aarch64: moderngl and glcontext are built from source "
                             "(no wheels for it)\n")


def test_pc_installs_no_compiler_since_every_dependency_has_an_x86_64_wheel(clone):
    wanted = would_install(clone.run("--dry-run"))

    assert "libportaudio2" in wanted
    assert not wanted & BUILD_PACKAGES


def test_test_mode_adds_the_display_and_audio_servers(clone):
    clone.machine("aarch64")

    wanted = would_install(clone.run("--dry-run", "--test"))

    assert TEST_PACKAGES | BUILD_PACKAGES <= wanted


def test_installed_packages_are_not_asked_for_again(clone):
    clone.machine("aarch64")
    clone.all_packages_installed()

    assert would_install(clone.run("--dry-run", "--test")) == set()


def test_unknown_option_is_one_line_and_exit_2(clone):
    result = clone.run("--tset")

    assert result.returncode == 2
    assert result.stderr == ("bootstrap: unknown option --tset "
                             "(usage: scripts/bootstrap.sh [--test] [--dry-run])\n")


# --- the one stamp: what is installed in .venv ---------------------------------------

def test_run_after_test_does_not_reinstall(clone):
    clone.all_packages_installed()
    clone.fake_venv()

    first = clone.run("--test")
    second = clone.run()

    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert clone.pip_calls() == [f"-m pip install -q -e {clone.root}[test]"]
    assert second.stderr == ""
    assert "(nothing, .venv is up to date)" in clone.run("--dry-run").stdout


def test_test_after_run_installs_the_test_extra(clone):
    clone.all_packages_installed()
    clone.fake_venv()

    clone.run()
    clone.run("--test")
    clone.run("--test")

    assert clone.pip_calls() == [f"-m pip install -q -e {clone.root}",
                                 f"-m pip install -q -e {clone.root}[test]"]


def test_a_changed_pyproject_installs_again(clone):
    clone.all_packages_installed()
    clone.fake_venv()
    clone.run()
    pyproject = clone.root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"glfw>=', '"glfw >=', 1))

    clone.run()

    assert len(clone.pip_calls()) == 2


def test_an_install_says_two_lines_and_keeps_pips_output_aside(clone):
    clone.all_packages_installed()
    clone.fake_venv()

    result = clone.run("--test")

    lines = result.stderr.splitlines()
    assert result.returncode == 0 and result.stdout == ""
    assert lines[0] == "bootstrap: installing slideshow[test] into .venv"
    assert len(lines) == 2 and lines[1].startswith("bootstrap: done in ")


def test_a_failed_pip_shows_its_last_lines_and_leaves_no_stamp(clone):
    clone.all_packages_installed()
    clone.fake_venv(pip_exit=1)

    failed = clone.run()

    assert failed.returncode == 1
    assert f"bootstrap: failed: {clone.root}/.venv/bin/python -m pip install -q -e {clone.root}; " \
           "its last lines:" in failed.stderr
    assert failed.stderr.splitlines()[-1] == "WARNING: noisy line 60"
    assert "noisy line 40" not in failed.stderr  # the last 20 only
    assert not (clone.root / ".venv" / ".slideshow-install").exists()
    clone.fake_venv(pip_exit=0)
    assert clone.run().returncode == 0
    assert len(clone.pip_calls()) == 2  # tried again
