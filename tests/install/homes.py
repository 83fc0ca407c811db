"""A temporary home for install tests: HOME and the XDG folders inside tmp_path, a PATH
whose `systemctl` is a fake that records its arguments (and fails when told to), and
`python -m slideshow` run in it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support import REPO

FAKE_SYSTEMCTL = """#!/bin/sh
echo "$*" >> "$SYSTEMCTL_LOG"
case "$*" in
    *--version*) echo "systemd 256 (256.7)"; echo "+PAM +AUDIT" ;;
esac
if [ -n "$SYSTEMCTL_FAILS" ]; then echo "Failed to connect to bus: No medium found" >&2; exit 1; fi
exit 0
"""


def home_env(tmp_path: Path, *, systemctl_fails: bool = False) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "systemctl"
    fake.write_text(FAKE_SYSTEMCTL)
    fake.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "BASH_COMPLETION"))}
    env.update(HOME=str(tmp_path / "home"), XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), PYTHONPATH=str(REPO),
               PATH=f"{bin_dir}:/usr/bin:/bin", SYSTEMCTL_LOG=str(tmp_path / "systemctl.log"))
    env.pop("DISPLAY", None)  # `config --edit` would start an editor
    env.pop("WAYLAND_DISPLAY", None)
    if systemctl_fails:
        env["SYSTEMCTL_FAILS"] = "1"
    (tmp_path / "home").mkdir(exist_ok=True)
    return env


def slideshow(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "slideshow", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def systemctl_calls(tmp_path: Path) -> list[str]:
    log = tmp_path / "systemctl.log"
    return log.read_text().splitlines() if log.exists() else []
