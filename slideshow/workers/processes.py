"""Ending worker processes: asked to stop, then terminated, then killed, each step with a
short timeout, so closing the program never hangs on a worker stuck in a decode or a
device call. Shared by the image supervisor and the audio service."""

from __future__ import annotations

import time
from collections.abc import Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess


def stop_processes(processes: Sequence[tuple[BaseProcess, Connection | None]],
                   timeout_s: float) -> None:
    """Sends each process `None` (its stop message) over its pipe, waits up to `timeout_s`
    for all of them together, then terminates and finally kills what is left, and closes
    the process objects and pipes."""
    for _, conn in processes:
        if conn is not None:
            try:
                conn.send(None)
            except OSError:
                pass
    deadline = time.monotonic() + timeout_s
    for process, _ in processes:
        process.join(max(0.0, deadline - time.monotonic()))
    for process, conn in processes:
        if process.is_alive():
            process.terminate()
            process.join(0.5)
        if process.is_alive():
            process.kill()
            process.join()
        process.close()
        if conn is not None:
            conn.close()
