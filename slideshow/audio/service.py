"""AudioService: the FFT worker process, its LatestValue block, and the thread minding it.

The main process owns the block (it creates and unlinks it); the worker attaches and
writes. One background thread starts the worker and sleeps in a single
`multiprocessing.connection.wait()` on the worker's sentinel, its pipe and a wake-up
socket: it logs the worker's messages (the one warning about a source that failed), and
when the worker dies it starts a new one after an exponential backoff. The block keeps
its write count across workers, so readers see the sequence go on increasing.

A worker ended by SIGTERM, SIGINT or SIGHUP is not reported as a death: that is how a
stop reaches a whole process group (a screensaver host, Ctrl-C, a closed terminal), and
the service itself is then closed moments later. Such an end is logged at debug and the
restart waits `signal_grace_s`; a close() meanwhile ends it quietly, and only a worker
stopped by a signal from outside while the slideshow goes on is restarted, with a warning.

Readers call `latest(out)` from any thread: a seqlock copy, never a wait.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess

import numpy as np

from slideshow.audio.backends import check_backend
from slideshow.audio.block import AudioBlock, BlockLayout, unpack
from slideshow.audio.capture import SourceSpec, parse_spec
from slideshow.audio.spectrum import FftBackend, SpectrumConfig
from slideshow.audio.worker import run_audio_worker
from slideshow.workers.latest import LatestValue
from slideshow.workers.processes import stop_processes, stop_signal

_STEADY_S = 10.0  # a worker that lived this long resets the backoff


class AudioService:
    """Runs the FFT worker for `source_spec` (an `--audio` value, captured through
    `capture_backend`: auto, sounddevice or soundcard) and serves its newest bins."""

    def __init__(self, source_spec: str | SourceSpec = "auto",
                 config: SpectrumConfig = SpectrumConfig(), *, fft_backend: FftBackend = "auto",
                 capture_backend: str = "auto", log: logging.Logger | None = None,
                 backoff_s: tuple[float, float] = (0.1, 5.0), stop_timeout_s: float = 1.0,
                 signal_grace_s: float = 2.0) -> None:
        self.spec = parse_spec(source_spec) if isinstance(source_spec, str) else source_spec
        self.capture_backend = check_backend(capture_backend)  # ValueError names the choices
        self.config = config
        self.layout = BlockLayout.from_config(config)
        self.fft_backend = fft_backend
        self.restarts = 0
        self.source_label: str | None = None  # as the worker reported it
        self.warnings: list[str] = []
        self._log = log or logging.getLogger("slideshow.audio")
        self._backoff_first_s, self._backoff_max_s = backoff_s
        self._stop_timeout_s = stop_timeout_s
        self._signal_grace_s = signal_grace_s
        self._signalled: str | None = None  # the stop signal that ended the last worker
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None
        self._started_at = 0.0
        self._deaths = 0
        self._restart_at: float | None = None
        self._closing = False
        self._closed = False
        self._value = LatestValue.create(self.layout.count, np.float32, label="fft")
        self._wake_rx, self._wake_tx = socket.socketpair()
        self._thread = threading.Thread(target=self._run, name="slideshow-audio", daemon=True)
        try:
            self._thread.start()
        except BaseException:
            self.close()
            raise

    # -- for readers (any thread) ----------------------------------------------------------

    def latest(self, out: np.ndarray) -> tuple[int, float] | None:
        """Copies the newest published value into `out` (layout.count float32); returns
        (sequence, age_s) or None when nothing was published yet. Never waits."""
        got = self._value.read_into(out)
        if got is None:
            return None
        sequence, timestamp_s = got
        return sequence, time.monotonic() - timestamp_s

    def read(self) -> tuple[AudioBlock, int, float] | None:
        """`latest` into a fresh array, taken apart (for tools; a render loop uses `latest`)."""
        out = self.layout.empty()
        got = self.latest(out)
        return None if got is None else (unpack(out, self.layout), *got)

    @property
    def worker_pid(self) -> int | None:
        process = self._process  # the thread may replace it meanwhile
        try:
            return None if process is None else process.pid
        except ValueError:  # closed just now
            return None

    def close(self) -> None:
        """Stops the worker and the thread, unlinks the block. Idempotent."""
        if self._closed:
            return
        self._closed = self._closing = True
        try:
            self._wake_tx.send(b"x")
        except OSError:
            pass
        if self._thread.is_alive():
            self._thread.join()
        self._stop_worker()
        self._wake_tx.close()
        self._wake_rx.close()
        self._value.close()
        self._value.unlink()

    def __enter__(self) -> AudioService:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the thread ------------------------------------------------------------------------

    def _run(self) -> None:
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # Ctrl-C is the main thread's
        try:
            self._start()
            while not self._closing:
                handles: list[object] = [self._wake_rx]
                if self._process is not None:
                    handles.append(self._process.sentinel)
                if self._conn is not None:
                    handles.append(self._conn)
                timeout = None if self._restart_at is None else max(0.0, self._restart_at - time.monotonic())
                for ready in wait(handles, timeout):
                    if ready is self._conn:
                        self._read_messages()
                    elif self._process is not None and ready == self._process.sentinel:
                        self._bury()
                if self._restart_at is not None and time.monotonic() >= self._restart_at \
                        and not self._closing:
                    if self._signalled is not None:  # no close() followed: not the group's stop
                        self._log.warning("the audio worker was stopped by %s from outside "
                                          "the slideshow; starting it again", self._signalled)
                        self._signalled = None
                    self._start()
                    self.restarts += 1
        except Exception:
            self._log.exception("the audio worker's supervisor failed; the visualizer stays "
                                "as it is")
        finally:
            self._stop_worker()

    def _start(self) -> None:
        self._restart_at = None
        context = multiprocessing.get_context("spawn")
        parent_conn, child_conn = context.Pipe(duplex=True)
        process = context.Process(
            target=run_audio_worker, name="slideshow-audio", daemon=True,
            args=(self._value.name, self.spec, self.config, child_conn, self.fft_backend,
                  os.getpid(), self.capture_backend))
        try:
            process.start()
        except Exception as exc:  # noqa: BLE001 - out of memory or descriptors
            parent_conn.close()
            self._log.warning("the audio worker could not be started: %s", exc)
            self._schedule_restart()
            return
        finally:
            child_conn.close()
        self._process, self._conn = process, parent_conn
        self._started_at = time.monotonic()

    def _read_messages(self) -> None:
        conn = self._conn
        try:
            while conn is not None and conn.poll():
                message = conn.recv()
                if message[0] == "source":
                    self.source_label = message[1]
                elif message[0] == "warning" and message[1] not in self.warnings:
                    self.warnings.append(message[1])
                    self._log.warning("%s", message[1])
                elif message[0] == "info":  # the device is back: its warnings may come again
                    self.warnings = [w for w in self.warnings if "stopped delivering" not in w]
                    self._log.info("%s", message[1])
        except (EOFError, OSError):
            conn.close()
            self._conn = None

    def _bury(self) -> None:
        if self._conn is not None:
            self._read_messages()
        process = self._process
        process.join()
        exitcode = process.exitcode
        process.close()
        self._process = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._closing:
            return
        if time.monotonic() - self._started_at > _STEADY_S:
            self._deaths = 0
        if (signalled := stop_signal(exitcode)) is not None:
            # Most likely the whole group was told to stop and close() is on its way.
            self._signalled = signalled
            self._log.debug("the audio worker ended by %s; starting it again in %g s unless "
                            "the slideshow is stopping", self._signalled, self._signal_grace_s)
            self._schedule_restart(at_least_s=self._signal_grace_s)
            return
        self._log.warning("the audio worker died (exit status %s); starting it again", exitcode)
        self._schedule_restart()

    def _schedule_restart(self, at_least_s: float = 0.0) -> None:
        delay_s = min(self._backoff_max_s, self._backoff_first_s * 2 ** self._deaths)
        delay_s = max(delay_s, at_least_s)
        self._deaths += 1
        self._restart_at = time.monotonic() + delay_s

    def _stop_worker(self) -> None:
        process, conn = self._process, self._conn
        if process is None:
            return
        stop_processes([(process, conn)], self._stop_timeout_s)
        self._process = None
        self._conn = None
