"""Ending a run cleanly on a signal: SIGTERM (what a screensaver host sends when it is done
with us) and SIGHUP set the run's stop event instead of killing the process half-way, so
the show closes its windows, workers and shared memory like any other ending."""

from __future__ import annotations

import signal
import threading
from typing import Any

from slideshow.run.report import ShowReport


class stop_on_signals:
    """Within the block, SIGTERM and SIGHUP set `stop` and mark the report "terminated";
    the previous handlers come back after it. Signal handlers can only be set on the main
    thread: elsewhere this does nothing."""

    def __init__(self, stop: threading.Event, report: ShowReport) -> None:
        self._stop, self._report = stop, report
        self._previous: dict[int, Any] = {}

    def _handle(self, signum: int, frame: object) -> None:
        self._report.exit_reason = "terminated"
        self._stop.set()

    def __enter__(self) -> stop_on_signals:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
                if signum is not None:
                    self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc_info: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
