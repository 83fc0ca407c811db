"""The rule for a machine part a test needs and does not find (EGL, an X display, PulseAudio
and the PortAudio library that reaches it, the system tools that check what `slideshow
install` writes): in a user's own run the test skips, saying what
is missing and how to get it; in CI (CI=true) it fails. CI has every part, so a skip there
means a broken part, and a suite that skipped it would stay green: one fault in the
headless surface once turned every EGL test into a skip.

Kept apart from tests/support.py, which spawned worker processes import (through the
decoder hooks) and which therefore does without pytest."""

from __future__ import annotations

import os
import shutil
from typing import NoReturn

import pytest


def in_ci() -> bool:
    """Whether this run is CI's: CI services set CI=true (.ci/run runs there)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing(part: str, reason: str) -> NoReturn:
    """Ends the test for want of `part`: a skip in a user's own run, a failure in CI."""
    message = f"{part} is not available here: {reason}"
    if in_ci():
        pytest.fail(f"{message} (CI=true: a test that needs {part} must run, not skip)",
                    pytrace=False)
    pytest.skip(message)


def needs_tool(command: str, package: str) -> str:
    """The path of `command` (scripts/bootstrap.sh --test installs its Debian `package`);
    `missing` when it is not on PATH."""
    found = shutil.which(command)
    if found is None:
        missing(command, f"not installed (apt-get install {package})")
    return found
