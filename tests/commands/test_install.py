"""`slideshow install` and `uninstall` run as `python -m slideshow` against a temporary home
(HOME and XDG_* inside tmp_path), with a fake `systemctl` on PATH that records what it is
asked (tests/install/homes.py): the files each flag writes, a second run that changes
nothing, the launcher actually run, and an uninstall that leaves the home as it was."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from slideshow.install.systemd_unit import UNIT_NAME
from tests.install.homes import home_env, slideshow, systemctl_calls
from tests.install.test_xscreensaver import USER_FILE, program_values

ALL = ("--xscreensaver", "--photo-frame", "--desktop", "--completion")


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != "systemctl.log"}


def installed(tmp_path: Path) -> dict[str, Path]:
    """Where each file must be, spelt out from the XDG folders home_env sets."""
    data, app = tmp_path / "data", "slideshow"
    return {"launcher": data / app / "bin" / app,
            "descriptor": data / app / "xscreensaver" / f"{app}.xml",
            "system descriptor": tmp_path / "xsconf" / f"{app}.xml",
            "unit": tmp_path / "config" / "systemd" / "user" / f"{app}.service",
            "desktop": data / "applications" / f"{app}.desktop",
            "completion": data / "bash-completion" / "completions" / app}


def test_install_writes_every_file_under_the_xdg_folders_and_a_second_run_changes_nothing(tmp_path):
    env = home_env(tmp_path)
    (tmp_path / "xsconf").mkdir()
    (tmp_path / "home/.xscreensaver").write_text(USER_FILE)
    photos = tmp_path / "photos"
    photos.mkdir()
    first = slideshow(env, "install", *ALL, "--xscreensaver-config-dir", str(tmp_path / "xsconf"),
                      str(photos))
    assert first.returncode == 0, first.stderr
    files = installed(tmp_path)
    assert all(path.is_file() for path in files.values()), first.stdout
    launcher = str(files["launcher"])
    assert os.access(launcher, os.X_OK)
    assert files["descriptor"].read_bytes() == files["system descriptor"].read_bytes()
    assert f"ExecStart={launcher} show --no-exit-on-input {photos}\n" in files["unit"].read_text()
    assert "RestartSteps=6" in files["unit"].read_text()  # the fake systemctl says 256
    assert f"Exec={launcher} show %F\n" in files["desktop"].read_text()
    assert "complete -o filenames -F _slideshow slideshow" in files["completion"].read_text()
    entries = program_values((tmp_path / "home/.xscreensaver").read_text())
    assert entries[0] == f'GL: "Slideshow" {launcher} --root --set show.paths={photos}'
    assert entries[1:] == program_values(USER_FILE)
    assert f"systemctl --user enable --now {UNIT_NAME}" in first.stdout
    assert systemctl_calls(tmp_path) == ["--user --version"]  # nothing enabled unasked

    before = snapshot(tmp_path)
    second = slideshow(env, "install", *ALL, "--xscreensaver-config-dir", str(tmp_path / "xsconf"),
                       str(photos))
    assert second.returncode == 0, second.stderr
    assert snapshot(tmp_path) == before  # not a byte, not a modification time
    assert "wrote" not in second.stdout and second.stdout.count("unchanged") == 7


def test_the_launcher_runs_the_installed_python_and_without_it_says_what_to_do(tmp_path):
    env = home_env(tmp_path)
    assert slideshow(env, "install", "--desktop").returncode == 0
    launcher = installed(tmp_path)["launcher"]
    done = subprocess.run([str(launcher), "--version"], env=env, capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("slideshow "), done.stderr
    # The environment moved away, and no slideshow on PATH
    launcher.write_text(launcher.read_text().replace("python=", "python=/gone/python #"))
    gone = subprocess.run([str(launcher), "--version"], env=env, capture_output=True, text=True)
    assert gone.returncode == 127
    assert gone.stderr.startswith("slideshow: /gone/python is gone and no slideshow is on PATH")
    # ... but one on PATH is used
    (tmp_path / "bin/slideshow").write_text("#!/bin/sh\necho other slideshow \"$@\"\n")
    (tmp_path / "bin/slideshow").chmod(0o755)
    other = subprocess.run([str(launcher), "--version"], env=env, capture_output=True, text=True)
    assert other.stdout == "other slideshow --version\n"


def test_enable_runs_systemctl_and_a_failure_is_one_line(tmp_path):
    env = home_env(tmp_path)
    done = slideshow(env, "install", "--photo-frame", "--enable")
    assert done.returncode == 0, done.stderr
    assert systemctl_calls(tmp_path) == ["--user --version", "--user daemon-reload",
                                         f"--user enable --now {UNIT_NAME}"]
    (tmp_path / "b").mkdir()
    failing = home_env(tmp_path / "b", systemctl_fails=True)
    failed = slideshow(failing, "install", "--photo-frame", "--enable")
    assert failed.returncode == 2
    assert failed.stderr == ("slideshow: error: systemctl --user daemon-reload failed (Failed to "
                             "connect to bus: No medium found); the unit is written: run "
                             f"`systemctl --user enable --now {UNIT_NAME}` in your desktop "
                             "session\n")
    assert installed(tmp_path / "b")["unit"].is_file()


def test_uninstall_leaves_the_home_as_it_was_and_keeps_what_the_user_wrote(tmp_path):
    env = home_env(tmp_path)
    (tmp_path / "xsconf").mkdir()
    xscreensaver = tmp_path / "home/.xscreensaver"
    xscreensaver.write_text(USER_FILE)
    own = installed(tmp_path)["desktop"]  # the user's own, of the same name
    own.parent.mkdir(parents=True)
    own.write_text("[Desktop Entry]\nType=Application\nName=Mine\nExec=mine\n")
    assert slideshow(env, "install", "--xscreensaver", "--photo-frame", "--completion",
                     "--xscreensaver-config-dir", str(tmp_path / "xsconf")).returncode == 0
    # uninstall only --completion: the launcher stays, the hosts still run it
    assert slideshow(env, "uninstall", "--completion").returncode == 0
    assert not installed(tmp_path)["completion"].exists()
    assert installed(tmp_path)["launcher"].exists()
    done = slideshow(env, "uninstall", "--xscreensaver-config-dir", str(tmp_path / "xsconf"))
    assert done.returncode == 0, done.stderr
    assert xscreensaver.read_text() == USER_FILE
    assert not any(path.exists() for name, path in installed(tmp_path).items()
                   if name != "desktop")
    assert f"--user disable --now {UNIT_NAME}" in systemctl_calls(tmp_path)
    assert [p for p in (tmp_path / "data").rglob("*") if p.is_file()] == [own]


def test_install_over_a_users_own_file_of_the_same_name_is_refused_for_that_file(tmp_path):
    env = home_env(tmp_path)
    own = installed(tmp_path)["desktop"]
    own.parent.mkdir(parents=True)
    own.write_text("[Desktop Entry]\nName=Mine\n")
    done = slideshow(env, "install", "--desktop")
    assert done.returncode == 2
    assert done.stderr == (f"slideshow: error: {own} is not one `slideshow install` wrote; "
                           "move it away to install ours\n")
    assert own.read_text() == "[Desktop Entry]\nName=Mine\n"


def test_bad_requests_are_one_line_and_status_2(tmp_path):
    env = home_env(tmp_path)
    for args, message in [
        ((), "name what to install: --xscreensaver, --photo-frame, --desktop and/or --completion"),
        (("--xscreensaver", "/a", "/b"), "xscreensaver's settings hold one photo folder; put "
         "several in the config file's show.paths (`slideshow config --edit`)"),
        (("--photo-frame", str(tmp_path / "nowhere")), f"PATH {tmp_path / 'nowhere'}: no such "
         "file or folder"),
    ]:
        done = slideshow(env, "install", *args)
        assert (done.returncode, done.stderr) == (2, f"slideshow: error: {message}\n")
    assert not (tmp_path / "data").exists() and not (tmp_path / "config").exists()
