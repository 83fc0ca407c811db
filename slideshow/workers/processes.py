"""Ending worker processes: asked to stop, then terminated, then killed, each step with a
short timeout, so closing the program never hangs on a worker stuck in a decode or a
device call. A stopped process (SIGSTOP, or a debugger's) can act on neither the stop
message nor SIGTERM: it is killed at once. Nothing here joins without a timeout. Shared by
the image supervisor and the audio service."""

from __future__ import annotations

import signal
import time
from collections.abc import Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

# After SIGKILL a process is gone within microseconds unless it sleeps uninterruptibly in
# the kernel (a dead NFS server); then it is left, not waited for.
KILLED_WAIT_S = 1.0
# How a stop reaches every process of a group (a screensaver host, Ctrl-C, a closed
# terminal, a service manager): a worker ended by one of these is expected to be followed
# by its owner's own close(), so it is not reported as a death.
STOP_SIGNALS = frozenset(getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGHUP")
                         if hasattr(signal, name))


def stop_signal(exitcode: int | None) -> str | None:
    """The name of the stop signal that ended a process with `exitcode`, else None."""
    if exitcode is not None and -exitcode in STOP_SIGNALS:
        return signal.Signals(-exitcode).name
    return None


def stop_processes(processes: Sequence[tuple[BaseProcess, Connection | None]],
                   timeout_s: float) -> None:
    """Sends each process `None` (its stop message) over its pipe, waits up to `timeout_s`
    for all of them together, then terminates and finally kills what is left, and closes
    the process objects and pipes. A stopped process is killed first."""
    for process, conn in processes:
        if process.pid is not None and is_stopped(process.pid):
            _kill(process)
        elif conn is not None:
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
            _kill(process)
            process.join(KILLED_WAIT_S)
        if not process.is_alive():
            process.close()  # (close() refuses a process that runs; that one is left)
        if conn is not None:
            conn.close()


def is_stopped(pid: int) -> bool:
    """True when `pid` is stopped by a signal or traced (Linux; False where /proc is not)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as file:
            stat = file.read()
    except OSError:
        return False
    # The state follows the command name, which is in parentheses and may hold any byte.
    fields = stat.rsplit(b")", 1)[-1].split()
    return bool(fields) and fields[0] in (b"T", b"t")


def _kill(process: BaseProcess) -> None:
    try:
        process.kill()
    except (OSError, ValueError):
        pass  # gone already, or closed
