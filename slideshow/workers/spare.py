"""Image worker processes started before anything knows what they will decode for.

A spawned worker spends about 0.4 s importing numpy, Pillow and the decoder before its
first decode, and until now it was started with its display's parts, after the window
and the GL context: the first photo waited for it. `SpareWorkers` starts one as soon as
the show's shared parts are built; the worker imports what a decode needs and then waits,
at normal priority, for its setup (`WorkerSetup`: its ring's name and the decoder). A
display's supervisor takes the spare for its first worker's first start
(workers/supervisor.py) and from then on treats it as any worker it started itself.

A spare nobody took is asked to stop when the run ends (and, as every worker, it dies
with its parent). A spare that died before it was taken is simply not used: the
supervisor starts a worker of its own instead.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import NamedTuple

from slideshow.workers.image_worker import Decoder, run_spare_worker
from slideshow.workers.processes import stop_processes

log = logging.getLogger(__name__)

STOP_TIMEOUT_S = 1.0


class WorkerSetup(NamedTuple):
    """What a spare worker needs to become a display's worker (sent parent -> worker)."""

    ring_name: str
    decoder: Decoder | None


class SpareWorkers:
    """`count` spare image workers, started now; `take()` hands one out (or None)."""

    def __init__(self, count: int = 1) -> None:
        self._lock = threading.Lock()
        self._spares: list[tuple[BaseProcess, Connection]] = []
        context = multiprocessing.get_context("spawn")
        for index in range(count):
            parent_conn, child_conn = context.Pipe(duplex=True)
            process = context.Process(target=run_spare_worker, daemon=True,
                                      name=f"slideshow-image-spare-{index}",
                                      args=(child_conn, os.getpid()))
            try:
                process.start()
            except Exception as exc:  # out of memory or descriptors: the displays start their own
                parent_conn.close()
                log.info("a spare image worker could not be started: %s", exc)
                break
            finally:
                child_conn.close()
            self._spares.append((process, parent_conn))

    def take(self, setup: WorkerSetup) -> tuple[BaseProcess, Connection] | None:
        """A spare that is alive and has been sent `setup`, or None (none left)."""
        while True:
            with self._lock:
                if not self._spares:
                    return None
                process, conn = self._spares.pop(0)
            try:
                if process.is_alive():
                    conn.send(setup)
                    return process, conn
            except (OSError, ValueError):
                pass  # it died on the way: the caller starts one of its own
            stop_processes([(process, conn)], STOP_TIMEOUT_S)

    def close(self) -> None:
        """Stops the spares nobody took."""
        with self._lock:
            spares, self._spares = self._spares, []
        stop_processes(spares, STOP_TIMEOUT_S)

    def pids(self) -> list[int]:
        """The pids of the spares not taken yet (for logs and tests)."""
        with self._lock:
            return [process.pid for process, _ in self._spares if process.pid is not None]
