"""A show run as users run it, for the run/ tests: `python -m slideshow ARGS` in a child
process with a fake monitor layout (Xvfb has one screen), its log read as it comes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.support import OUR_PIDS, REPO

QUIET = ["--visualizer", "off", "--transitions", "crossfade", "--log-level", "info"]


class ShowProcess:
    """`python -m slideshow ARGS` with a fake monitor layout; its log read as it comes."""

    def __init__(self, tmp_path: Path, layout: str, *args: str) -> None:
        self.layout = tmp_path / "monitors.txt"
        self.layout.write_text(layout)
        env = {**os.environ, "PYTHONPATH": str(REPO), "SLIDESHOW_FAKE_MONITORS": str(self.layout),
               "XDG_CONFIG_HOME": str(tmp_path / "config")}
        self.process = subprocess.Popen([sys.executable, "-m", "slideshow", *args], cwd=REPO, env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        OUR_PIDS.add(self.process.pid)
        self.log: list[str] = []  # stderr, as it comes
        self.out: list[str] = []  # stdout
        self._readers = [threading.Thread(target=self._read, args=(stream, lines), daemon=True)
                         for stream, lines in ((self.process.stderr, self.log),
                                               (self.process.stdout, self.out))]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _read(stream, lines: list[str]) -> None:
        for line in stream:
            lines.append(line)

    def wait_for_log(self, pattern: str, count: int = 1, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if sum(bool(re.search(pattern, line)) for line in list(self.log)) >= count:
                return
            assert self.process.poll() is None, "".join(self.log)
            time.sleep(0.05)
        raise AssertionError(f"no {pattern!r} in the log:\n{''.join(self.log)}")

    def finish(self, timeout_s: float = 60.0) -> str:
        """Waits for the exit; returns stdout. One that does not end is killed (so nothing
        outlives the test) and the test fails with its log."""
        try:
            self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
            raise AssertionError(f"the show did not end within {timeout_s} s:\n"
                                 + "".join(self.log)) from None
        for reader in self._readers:
            reader.join(5)
        assert self.process.returncode == 0, "".join(self.log)
        return "".join(self.out)
