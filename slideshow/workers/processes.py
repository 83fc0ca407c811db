"""Ending worker processes, and reading what one is doing: asked to stop, then terminated,
then killed, each step with a short timeout, so closing the program never hangs on a
worker stuck in a decode or a device call. A stopped process (SIGSTOP, or a debugger's) can
act on neither the stop message nor SIGTERM: it is killed at once. Nothing here joins
without a timeout. Shared by the image supervisor and the audio service.

`progress(pid)` (its scheduler state and the CPU time it has used, from /proc) lets the
supervisor tell a worker that is stuck (stopped, asleep in `open()` on a FIFO, spinning
for ever) from one that is only waiting for a CPU on a busy machine."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import time
from collections.abc import Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import NamedTuple

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


_CLOCK_TICKS_S = 1.0 / os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 0.01


class Progress(NamedTuple):
    """A process's scheduler state (R running or runnable, S asleep, D in the kernel,
    T stopped, ...) and the CPU seconds it has used, user and system."""

    state: str
    cpu_s: float


def progress(pid: int) -> Progress | None:
    """`pid`'s state and CPU time from /proc/PID/stat; None where there is no /proc (macOS,
    Windows) or the process is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as file:
            stat = file.read()
    except OSError:
        return None
    # The state follows the command name, which is in parentheses and may hold any byte;
    # utime and stime are the 12th and 13th fields after it (proc(5): fields 14 and 15).
    fields = stat.rsplit(b")", 1)[-1].split()
    try:
        return Progress(fields[0].decode(), (int(fields[11]) + int(fields[12])) * _CLOCK_TICKS_S)
    except (IndexError, ValueError):
        return None


def is_stopped(pid: int) -> bool:
    """True when `pid` is stopped by a signal or traced (Linux; False where /proc is not)."""
    found = progress(pid)
    return found is not None and found.state in ("T", "t")


def _kill(process: BaseProcess) -> None:
    try:
        process.kill()
    except (OSError, ValueError):
        pass  # gone already, or closed


def lowest_priority() -> None:
    """The lowest CPU priority this OS offers cheaply; best effort, never fatal."""
    if sys.platform == "win32":
        try:
            below_normal_priority_class = 0x4000
            kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
            kernel32.SetPriorityClass(kernel32.GetCurrentProcess(), below_normal_priority_class)
        except (OSError, AttributeError):
            pass
        return
    try:
        os.nice(19 - os.nice(0))
    except OSError:
        pass
    if hasattr(os, "sched_setscheduler") and hasattr(os, "SCHED_IDLE"):
        try:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        except OSError:
            pass


def die_with_parent(parent_pid: int) -> bool:
    """Asks Linux for SIGTERM when the parent dies; False when it is already gone."""
    if sys.platform.startswith("linux"):
        try:
            pr_set_pdeathsig = 1
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0)
        except (OSError, AttributeError):
            pass
    # The parent may have died before prctl took effect: then we were re-parented.
    return os.getppid() == parent_pid
