"""Supervisor: the image worker processes, their FrameRings, and the thread that feeds them.

The parent creates one FrameRing per worker (and is the only process that unlinks it), and
one background thread does everything else. That thread sleeps in a single
`multiprocessing.connection.wait()` on the workers' pipes, their process sentinels and a
wake-up socket; it never polls a healthy worker and sends no heartbeats. It wakes for:

- a reply: the request is done; its slot is READY (or an error record) in the ring;
- a sentinel: the worker died. Its WRITING slots are reclaimed, the request it was decoding
  is retried once, a file that killed or hung a worker twice is quarantined, and the
  worker is started again after an exponential backoff (the wait's timeout, not a sleep);
- a byte on the wake-up socket: the consumer released a slot of ring N (the byte is N),
  so one more request may go to worker N; or it asked for paths first (`request_first`,
  possibly dropping everything requested before: workers/request_order.py) and poked;
- the wait's timeout: a restart is due, or a decode is past its deadline.

Nothing is given up for good, and nothing is waited for without end:

- **Restart budget.** Past `restart_budget` restarts in `restart_window_s`, a worker's
  restarts pause instead of ending: the first pause is the backoff's cap, each further
  death without a decoded photo in between doubles it, up to `pause_max_s` (a minute). A
  worker that decodes photos between deaths is worth starting again soon, so its pauses do
  not grow; one that dies before decoding anything backs off to a try a minute. One
  warning says so when the pausing starts (with the time of the next try), one line when
  the worker decodes again. Deaths that a file is blamed for (a crash or a hang in its
  decode) do not spend the budget: quarantine bounds them to two per file.
- **Decode deadline.** The worker's current request (its oldest unanswered one) has a
  deadline from the moment it became current: `decode_timeout_s` when that is set, else
  `decode_deadline_s(pixels)` once the worker has said how big the photo is
  (`DecodeStarted`), `DEADLINE_BASE_S` before that, and `STARTUP_S` for a worker that has
  not said anything yet (spawning and importing). The deadline is for work, not for a turn
  at the CPU: a worker past it that is runnable (state R) yet has used less CPU time than
  the deadline allows is waiting on a busy machine (it runs at SCHED_IDLE), so its deadline
  moves by the CPU time it is still owed, up to `STARVED_MAX_S` from the decode's start
  (processes.progress reads /proc; elsewhere the deadline is wall time). A worker past it
  that is stopped, asleep (blocked in `open()` on a FIFO, a dead mount), spinning past its
  CPU allowance or starved past that bound is SIGKILLed; its death is handled as any
  other, so the file is retried once and then quarantined with one line naming it. Each worker has its own
  requests and ring, so a stuck worker never holds the others. The thread's wait has the
  nearest deadline or restart as its timeout, and none while nothing is in flight.
- **Exit.** `close()` kills a worker that is in a decode or stopped (it would not read its
  stop message for a while, if ever) and asks only idle ones to stop. A worker ended by
  SIGTERM, SIGINT or SIGHUP is how a stop of the whole process group looks from here
  (close() follows within moments): it is not reported as a death, no file is blamed, and
  its restart waits `SIGNAL_GRACE_S`; only a worker still missing then, stopped from
  outside while the show goes on, is started again with a warning.

Flow control is by credits: a worker is sent a request only while a slot of its ring is
known to be free, so a worker never waits for a slot and never spins. Worker processes are
started from this thread only, because Linux's parent-death signal follows the thread that
started a process, and this thread lives until `close()`.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import signal
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess

from slideshow.workers.image_worker import (
    NO_FREE_SLOT,
    NOT_A_FILE,
    Decoder,
    DecodeReply,
    DecodeRequest,
    DecodeStarted,
    run_worker,
)
from slideshow.workers.processes import Progress, stop_processes, stop_signal
from slideshow.workers.processes import progress as read_progress
from slideshow.workers.request_order import RequestOrder
from slideshow.workers.ring import FrameRing
from slideshow.workers.spare import SpareWorkers, WorkerSetup

# The error class of the result reported for a file when it is quarantined.
QUARANTINED = "Quarantined"
CRASHES_TO_QUARANTINE = 2  # deaths in a file's decode (crashes or deadline kills)

# The automatic decode deadline (workers.decode_timeout_s = 0): DEADLINE_BASE_S plus
# DEADLINE_PER_MP_S per megapixel, 10 s at 50 MP. Measured on the 2-core box a 24 MP JPEG
# decodes in 135 ms and a full-size one in 235 ms; PNG and TIFF take about 40 ms/MP: the
# deadline is some 20 to 40 times the work, so a loaded machine (the worker runs at
# SCHED_IDLE) is not taken for a hung one, yet a stuck worker is found within seconds.
DEADLINE_BASE_S = 2.0
DEADLINE_PER_MP_S = 0.16
# A photo whose size the header did not give is allowed what a 50 MP one is.
UNSIZED_PIXELS = 50_000_000
# A worker that has not said a word since it was started: it is spawning and importing.
STARTUP_S = 20.0
PAUSE_MAX_S = 60.0
# The longest a decode may wait for a CPU, from its start: on a machine so busy that an
# idle-priority worker gets no CPU for a minute, a new worker would fare no better, but the
# show must still hear of it (the kill's line) and a hung process must not hide as a slow one.
STARVED_MAX_S = 60.0
# A worker ended by a stop signal is started again after this, unless close() came first.
SIGNAL_GRACE_S = 2.0
_WAKE_ONLY = 255  # a wake byte that frees no slot: close(), poke() or request_first()

# on_result(path, reply), called on the supervisor thread for every finished request.
ResultHandler = Callable[[str, DecodeReply], None]


def decode_deadline_s(pixels: int, timeout_s: float = 0.0) -> float:
    """Seconds a worker may take over a photo of `pixels` (width x height; UNSIZED or
    NOT_A_FILE when unknown): `timeout_s` when set (> 0), else 2 s + 0.16 s per megapixel
    (2.5 s at 3 MP, 5.8 s at 24 MP, 10 s at 50 MP). A path that is no regular file gets
    the base: there is nothing to decode, only an open() that may never return."""
    if timeout_s > 0:
        return timeout_s
    if pixels == NOT_A_FILE:
        return DEADLINE_BASE_S
    if pixels <= 0:
        pixels = UNSIZED_PIXELS
    return DEADLINE_BASE_S + DEADLINE_PER_MP_S * pixels / 1e6


def pause_s(pauses: int, first_s: float, max_s: float = PAUSE_MAX_S) -> float:
    """The pause before a restart once the budget is spent, after `pauses` pauses in a row
    without a decoded photo: `first_s`, doubling, at most `max_s`."""
    return min(max_s, first_s * 2 ** min(pauses, 32))


def default_worker_count(displays: int = 1, cores: int | None = None) -> int:
    """One worker per display, at most one fewer than the cores, at least one."""
    if cores is None:
        try:
            cores = len(os.sched_getaffinity(0))
        except AttributeError:
            cores = os.cpu_count() or 1
    return max(1, min(displays, cores - 1))


@dataclass(eq=False)
class _Worker:
    index: int
    ring: FrameRing
    credits: int  # requests it may be sent now: free slots not yet promised to a request
    process: BaseProcess | None = None
    conn: Connection | None = None
    inflight: deque[tuple[int, str]] = field(default_factory=deque)  # (id, path) sent, unanswered
    deaths: int = 0  # deaths since its last reply: the backoff exponent
    restart_at: float | None = None  # on the clock; set while it waits to be started again
    restarts: deque[float] = field(default_factory=deque)  # restart times in the window
    heard: bool = False  # has this process sent anything since it was started?
    current_since: float | None = None  # when its oldest unanswered request became current
    current_pixels: int | None = None  # that request's size from DecodeStarted; None before
    current_cpu_s: float | None = None  # its CPU time then (None: not known, no /proc)
    owed_s: float = 0.0  # the deadline moved by this, for CPU time it waited for
    killed_past_s: float | None = None  # the deadline it was killed past, until it is buried
    paused: bool = False  # budget spent: restart_at is the end of a pause
    pauses: int = 0  # pauses in a row without a decoded photo: the pause's exponent
    paused_since: float | None = None  # wall time the pausing began; None when not pausing
    back_told: bool = False  # the "decoding again" line of this pausing was logged
    signalled: str | None = None  # the stop signal that ended it, until it is started again
    started: bool = False  # has it been started before (its first start is the show's)?


class Supervisor:
    """Starts and keeps `workers` image decode processes, each with its own FrameRing.

    `next_path()` is called on the supervisor thread whenever a slot is free and returns
    the next photo to decode, or None for "nothing now" (it is asked again at the next
    event, or after `poke()`). `on_result(path, reply)` is called on that thread for each
    finished request, and with error class `QUARANTINED` when a file is quarantined.
    The consumer reads `rings`, and calls `slot_freed(index)` after each ring release.
    """

    def __init__(self, next_path: Callable[[], str | None], target: tuple[int, int],
                 fit: str = "fill", *, on_result: ResultHandler | None = None,
                 workers: int = 0, ring_slots: int = 3, slot_bytes: int | None = None,
                 restart_budget: int = 5, decoder: Decoder | None = None,
                 log: logging.Logger | None = None, clock: Callable[[], float] = time.monotonic,
                 backoff_s: tuple[float, float] = (0.1, 5.0), restart_window_s: float = 60.0,
                 stop_timeout_s: float = 1.0, decode_timeout_s: float = 0.0,
                 pause_max_s: float = PAUSE_MAX_S,
                 progress: Callable[[int], Progress | None] = read_progress,
                 spares: SpareWorkers | None = None) -> None:
        if decoder is not None:
            _check_picklable(decoder)
        self._spares = spares
        self._on_result = on_result
        self._target, self._fit = (int(target[0]), int(target[1])), fit
        self._decoder, self._clock, self._progress = decoder, clock, progress
        self._log = log or logging.getLogger(__name__)
        self._budget, self._window_s = restart_budget, restart_window_s
        self._backoff_first_s, self._backoff_max_s = backoff_s
        self._stop_timeout_s = stop_timeout_s
        self._decode_timeout_s, self._pause_max_s = decode_timeout_s, pause_max_s
        self._next_id = 1  # request ids count up from 1, in the order requests are sent
        self._paths: dict[int, str] = {}  # request id -> path, for requests not yet answered
        self._order = RequestOrder(next_path, self._log)  # what to send next
        self._crashes: dict[str, int] = {}  # deaths in a file's decode, crashes and hangs
        self._hangs: dict[str, int] = {}  # of those, deadline kills
        self._quarantined: dict[str, None] = {}  # insertion-ordered set
        self.restarts = 0
        self.deadline_kills = 0
        self._closed = False
        self._closing = False
        count = workers or default_worker_count()
        slot_bytes = slot_bytes or self._target[0] * self._target[1] * 4
        self._workers: list[_Worker] = []
        # The wake-up channel: a socket pair rather than os.pipe() because wait() takes
        # sockets on Windows too. The sending end never blocks the render thread.
        self._wake_rx, self._wake_tx = socket.socketpair()
        self._wake_tx.setblocking(False)
        self._thread = threading.Thread(target=self._run, name="slideshow-supervisor", daemon=True)
        try:
            for index in range(count):
                ring = FrameRing.create(ring_slots, slot_bytes, label="frames")
                self._workers.append(_Worker(index, ring, credits=ring_slots))
            self._thread.start()
        except BaseException:
            self.close()
            raise

    # -- for the consumer (any thread) ---------------------------------------------------

    @property
    def rings(self) -> tuple[FrameRing, ...]:
        return tuple(w.ring for w in self._workers)

    @property
    def quarantined(self) -> tuple[str, ...]:
        return tuple(self._quarantined)

    @property
    def live_workers(self) -> int:
        """Workers that run or will be restarted soon: those whose restarts are paused (the
        restart budget spent) are not counted until they run again."""
        return sum(not w.paused for w in self._workers)

    def worker_pids(self) -> list[int]:
        """The pids of the worker processes running now (for logs and tests)."""
        processes = [w.process for w in self._workers]  # the thread may replace them meanwhile
        return [p.pid for p in processes if p is not None and p.pid is not None]

    def current_decodes(self) -> list[tuple[int, str, float]]:
        """(worker index, path, seconds left to its deadline) of each decode that a worker
        has begun (said DecodeStarted for) and not finished; for logs and tests, any thread
        (a snapshot that may be a moment old)."""
        now, found = self._clock(), []
        for worker in list(self._workers):
            try:
                path = worker.inflight[0][1]
            except IndexError:
                continue
            since, pixels = worker.current_since, worker.current_pixels
            if (since is not None and pixels is not None and worker.process is not None
                    and worker.killed_past_s is None):
                found.append((worker.index, path,
                              since + self._deadline_s(worker) + worker.owed_s - now))
        return found

    def is_pending(self, request_id: int) -> bool:
        """True while a request is sent and not yet answered."""
        return request_id in self._paths

    def slot_freed(self, index: int) -> None:
        """The consumer released a slot of ring `index`: one byte to the supervisor thread,
        the only system call on the render thread's side."""
        self._wake(index)

    def poke(self) -> None:
        """Asks for `next_path()` again, e.g. after the photo source found new files."""
        self._wake(_WAKE_ONLY)

    def request_first(self, paths: Sequence[str], *, drop_older: bool = False) -> None:
        """Decodes `paths`, in this order, before anything else not yet sent (after paths
        asked for earlier). `drop_older`: first gives up every request made so far
        (workers/request_order.py), in the same order so that nothing is sent in between;
        until this thread has taken it, `drop_pending` is True. From one consumer thread;
        never blocks."""
        self._order.ask_first(paths, drop_older)
        self._wake(_WAKE_ONLY)

    @property
    def drop_pending(self) -> bool:
        return self._order.drop_pending

    @property
    def watermark(self) -> int:
        """Requests with an id below this were dropped: their photos are not to be shown."""
        return self._order.watermark

    def mark_shown(self, path: str) -> None:
        """The consumer showed `path`: a later drop need not give it back. No system call."""
        self._order.mark_shown(path)

    def close(self) -> None:
        """Stops the workers, joins the thread, closes and unlinks the rings. Idempotent."""
        if self._closed:
            return
        if threading.current_thread() is self._thread:
            raise RuntimeError("Supervisor.close() called from next_path or on_result; "
                               "close it from the thread that owns it")
        self._closed = self._closing = True
        self._wake(_WAKE_ONLY)
        if self._thread.is_alive():
            self._thread.join()
        self._stop_workers()  # the thread did it on its way out, unless it never started
        for worker in self._workers:
            worker.ring.close()
            worker.ring.unlink()
        self._workers = []
        wake_tx, self._wake_tx = self._wake_tx, None
        wake_tx.close()
        self._wake_rx.close()

    def __enter__(self) -> Supervisor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _wake(self, byte: int) -> None:
        wake_tx = self._wake_tx
        if wake_tx is None:
            return
        try:
            wake_tx.send(bytes((byte,)))
        except OSError:
            pass  # a full buffer of unread wake bytes: the thread is gone, or closed

    # -- the supervisor thread -----------------------------------------------------------

    def _run(self) -> None:
        if hasattr(signal, "pthread_sigmask"):
            # Ctrl-C is the main thread's; blocked here, it is also blocked in every worker
            # started from here until the worker ignores it (the mask survives fork + exec).
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            for worker in self._workers:
                self._start(worker)
            while not self._closing:
                self._order.apply_orders(self._next_id)
                self._top_up()
                handles: dict[object, tuple[str, _Worker | None]] = {self._wake_rx: ("wake", None)}
                for worker in self._workers:
                    if worker.process is not None:
                        handles[worker.process.sentinel] = ("died", worker)
                        if worker.conn is not None:
                            handles[worker.conn] = ("reply", worker)
                for ready in wait(list(handles), self._wait_timeout()):
                    kind, worker = handles[ready]
                    if kind == "wake":
                        self._read_wake_bytes()
                    elif kind == "reply" and worker.conn is not None:
                        self._read_replies(worker)
                    elif kind == "died":
                        self._bury(worker)
                self._restart_due()
                self._kill_overdue()
        except Exception:
            self._log.exception("the image worker supervisor failed; no more photos will be "
                                "decoded")
        finally:
            self._stop_workers()

    def _start(self, worker: _Worker) -> bool:
        first = not worker.started
        worker.started = True
        worker.restart_at = None
        worker.paused = False
        worker.heard, worker.killed_past_s = False, None
        spare = (self._spares.take(WorkerSetup(worker.ring.name, self._decoder))
                 if first and self._spares is not None else None)
        if spare is not None:  # started at launch, its imports done or under way
            worker.process, worker.conn = spare
            return True
        context = multiprocessing.get_context("spawn")
        parent_conn, child_conn = context.Pipe(duplex=True)
        process = context.Process(
            target=run_worker, name=f"slideshow-image-{worker.index}", daemon=True,
            # The first start's imports and decode at normal priority: the first photo
            # waits for them (a restart runs beside frames on screen: lowest at once).
            args=(worker.ring.name, child_conn, self._decoder, os.getpid(), first))
        try:
            process.start()
        except Exception as exc:  # out of memory or file descriptors: like a death at start
            parent_conn.close()
            self._log.warning("image worker %d could not be started: %s", worker.index, exc)
            self._schedule_restart(worker)
            return False
        finally:
            child_conn.close()
        worker.process, worker.conn = process, parent_conn
        return True

    def _top_up(self) -> None:
        """Sends requests, round robin, to every running worker with a free slot."""
        while True:
            ready = [w for w in self._workers if w.conn is not None and w.credits > 0]
            if not ready:
                return
            for worker in ready:
                path = self._order.next(self._quarantined, len(self._quarantined) + 1)
                if path is None:
                    return
                request_id = self._next_id
                self._next_id += 1
                self._paths[request_id] = path
                if not worker.inflight:
                    self._make_current(worker)
                worker.inflight.append((request_id, path))
                worker.credits -= 1
                try:
                    worker.conn.send(DecodeRequest(request_id, path, *self._target, self._fit))
                except OSError:
                    pass  # it is dying; its sentinel fires next and the path is sent again

    def _read_wake_bytes(self) -> None:
        for byte in self._wake_rx.recv(4096):
            if byte < len(self._workers):
                worker = self._workers[byte]
                worker.credits = min(worker.credits + 1, worker.ring.slot_count)

    def _read_replies(self, worker: _Worker) -> None:
        conn = worker.conn
        try:
            while conn.poll():
                message = conn.recv()
                worker.heard = True
                if isinstance(message, DecodeStarted):
                    if worker.inflight and worker.inflight[0][0] == message.request_id:
                        # The decode's own deadline counts from here: the wait before it
                        # (a worker still starting up) had its own.
                        self._start_deadline(worker)
                        worker.current_pixels = message.pixels
                else:
                    self._handle_reply(worker, message)
        except (EOFError, OSError):
            # The worker closed its end: it is exiting, and its sentinel fires next.
            conn.close()
            worker.conn = None

    def _handle_reply(self, worker: _Worker, reply: DecodeReply) -> None:
        for position, (request_id, path) in enumerate(worker.inflight):
            if request_id == reply.request_id:
                del worker.inflight[position]
                break
        else:
            return  # an answer to a request already given up on
        # The next request (served in order) is current from now: its deadline starts.
        self._make_current(worker)
        worker.deaths = 0
        worker.pauses = 0
        if worker.paused_since is not None and not worker.back_told:
            worker.back_told = True
            self._log.info("image worker %d is decoding again (its restarts were paused at "
                           "%s)", worker.index, _wall(worker.paused_since))
        if reply.error_class == NO_FREE_SLOT:
            # Its credit was one too many (a slot published just before a crash); the
            # request goes out again once a slot is released (unless it was dropped).
            self._paths.pop(request_id, None)
            self._order.retry([path], [request_id])
            return
        if reply.ok:
            self._crashes.pop(path, None)
        else:
            self._order.forget(path)  # never shown, never to be given back
        self._report(path, reply)
        # Forget the id only after the result is reported, so a consumer that finds the
        # slot READY sees the request either pending or finished, never unknown.
        self._paths.pop(request_id, None)

    def _report(self, path: str, reply: DecodeReply) -> None:
        if self._on_result is None:
            return
        try:
            self._on_result(path, reply)
        except Exception:
            self._log.exception("handling the decode result of %s failed", path)

    def _bury(self, worker: _Worker) -> None:
        """Handles a dead worker: replies it sent first, then its slots and its requests."""
        if worker.conn is not None:
            self._read_replies(worker)
            if worker.conn is not None:
                worker.conn.close()
                worker.conn = None
        process = worker.process
        process.join()  # its sentinel fired: this only reaps it
        exitcode = process.exitcode
        process.close()
        worker.process = None
        killed_past_s, worker.killed_past_s = worker.killed_past_s, None
        # A WRITING slot means it died inside a decode: of the oldest unanswered request,
        # since it serves them in order. Without one it died starting up or between two
        # requests, and no file is to blame.
        decoding = worker.ring.reclaim_writing() > 0
        # Every unanswered request gives its credit back: the one being decoded lost its
        # WRITING slot just now, the queued ones never claimed one.
        unanswered = list(worker.inflight)
        worker.inflight.clear()
        worker.current_since = worker.current_pixels = worker.current_cpu_s = None
        worker.credits = min(worker.credits + len(unanswered), worker.ring.slot_count)
        for request_id, _ in unanswered:
            self._paths.pop(request_id, None)
        signalled = stop_signal(exitcode) if killed_past_s is None else None
        # A stop signal is no fault of the file it was decoding.
        suspect = unanswered[0][1] if unanswered and decoding and not signalled else None
        if signalled is not None:
            worker.signalled = signalled
            self._log.debug("image worker %d ended by %s; starting it again in %g s unless "
                            "the slideshow is stopping", worker.index, signalled, SIGNAL_GRACE_S)
        elif killed_past_s is not None:
            self._log.warning("image worker %d was past its %.1f s decode deadline%s (stopped, "
                              "hung or blocked); killed it", worker.index, killed_past_s,
                              f" on {suspect}" if suspect else "")
        else:
            self._log.warning("image worker %d died (%s)%s", worker.index,
                              _describe_exit(exitcode),
                              f" while decoding {suspect}" if suspect else "")
        requeue = unanswered[1 if suspect else 0:]
        if suspect is not None:
            crashes = self._crashes.get(suspect, 0) + 1
            self._crashes[suspect] = crashes
            if killed_past_s is not None:
                self._hangs[suspect] = self._hangs.get(suspect, 0) + 1
            if crashes >= CRASHES_TO_QUARANTINE:
                self._quarantine(suspect)
            else:
                requeue.insert(0, unanswered[0])  # the one retry
        # (Requests a drop gave up are not sent again: RequestOrder.retry skips them.)
        self._order.retry([path for _, path in requeue], [request_id for request_id, _ in requeue])
        self._schedule_restart(worker, blamed=suspect is not None)
        if signalled is not None and worker.restart_at is not None:
            worker.restart_at = max(worker.restart_at, self._clock() + SIGNAL_GRACE_S)

    def _quarantine(self, path: str) -> None:
        if path in self._quarantined:
            return
        self._quarantined[path] = None
        crashes, hangs = self._crashes.pop(path, 0), self._hangs.pop(path, 0)
        if hangs == 0:
            reason = "it crashed the image decoder twice"
        elif hangs >= crashes:
            reason = "it hung the image decoder twice (past its decode deadline)"
        else:
            reason = "it crashed or hung the image decoder twice"
        self._order.forget(path)
        self._log.warning("quarantined %s: %s; it will not be shown again", path, reason)
        self._report(path, DecodeReply(0, False, QUARANTINED, reason, 0, 0, 0, 0, 0.0))

    def _schedule_restart(self, worker: _Worker, blamed: bool = False) -> None:
        """Sets when a dead worker starts again: after the backoff, or, with the restart
        budget spent by deaths no file is blamed for, after a pause."""
        now = self._clock()
        while worker.restarts and now - worker.restarts[0] >= self._window_s:
            worker.restarts.popleft()
        if self._closing:
            return
        if not blamed and len(worker.restarts) >= self._budget:
            delay_s = pause_s(worker.pauses, self._backoff_max_s, self._pause_max_s)
            worker.pauses += 1
            worker.paused = True
            worker.restart_at = now + delay_s
            if worker.paused_since is None:
                worker.paused_since, worker.back_told = time.time(), False
                self._log.warning(
                    "image worker %d keeps dying: its restart budget (%d per %.0f s) is spent, "
                    "so its restarts are paused; next try in %.0f s, at %s (waits grow to "
                    "%.0f s while it dies without decoding a photo)", worker.index,
                    self._budget, self._window_s, delay_s, _wall(time.time() + delay_s),
                    self._pause_max_s)
            else:
                self._log.debug("image worker %d: restarts still paused; next try in %.1f s",
                                worker.index, delay_s)
            return
        if not blamed:
            # The window has room: a pausing spell, if any, is over.
            worker.paused_since, worker.pauses = None, 0
        worker.restarts.append(now)
        delay_s = min(self._backoff_max_s, self._backoff_first_s * 2 ** worker.deaths)
        worker.deaths += 1
        worker.restart_at = now + delay_s

    def _make_current(self, worker: _Worker) -> None:
        """The worker's oldest unanswered request (if any) is the one it serves from now."""
        self._start_deadline(worker)  # read only while it has a request in flight
        worker.current_pixels = None

    def _start_deadline(self, worker: _Worker) -> None:
        worker.current_since, worker.owed_s = self._clock(), 0.0
        found = self._progress(worker.process.pid) if worker.process is not None else None
        worker.current_cpu_s = found.cpu_s if found is not None else None

    def _deadline_at(self, worker: _Worker) -> float | None:
        """When the worker's current request is overdue, on the clock; None without one."""
        if (worker.process is None or not worker.inflight or worker.current_since is None
                or worker.killed_past_s is not None):
            return None
        return worker.current_since + self._deadline_s(worker) + worker.owed_s

    def _deadline_s(self, worker: _Worker) -> float:
        if not worker.heard:
            return STARTUP_S
        if self._decode_timeout_s > 0:
            return self._decode_timeout_s
        if worker.current_pixels is None:
            return DEADLINE_BASE_S  # sent, not yet taken: an idle worker takes it at once
        return decode_deadline_s(worker.current_pixels)

    def _wait_timeout(self) -> float | None:
        """Seconds until the next restart or deadline is due: the timeout of the thread's
        wait; None (no timeout) while no restart is due and nothing is in flight."""
        due = [w.restart_at for w in self._workers if w.restart_at is not None]
        due += [at for w in self._workers if (at := self._deadline_at(w)) is not None]
        return max(0.0, min(due) - self._clock()) if due else None

    def _kill_overdue(self) -> None:
        """SIGKILLs each worker past its deadline; its sentinel fires next and _bury does the
        rest (retry, quarantine, restart)."""
        now = self._clock()
        for worker in self._workers:
            at = self._deadline_at(worker)
            if at is None or at > now or self._closing or self._waiting_for_cpu(worker, now):
                continue
            worker.killed_past_s = at - worker.current_since
            self.deadline_kills += 1
            try:
                worker.process.kill()
            except (OSError, ValueError):
                pass  # it exited meanwhile: its sentinel tells

    def _waiting_for_cpu(self, worker: _Worker, now: float) -> bool:
        """True, with its deadline moved, when an overdue worker is runnable and has used
        less CPU time in this decode than the deadline allows (see the module docstring)."""
        found = self._progress(worker.process.pid) if worker.process is not None else None
        if found is None or found.state != "R" or worker.current_cpu_s is None:
            return False
        allowed_s = self._deadline_s(worker)
        used_s, elapsed_s = found.cpu_s - worker.current_cpu_s, now - worker.current_since
        if used_s >= allowed_s or elapsed_s >= STARVED_MAX_S:
            return False
        worker.owed_s = min(elapsed_s + allowed_s - used_s, STARVED_MAX_S) - allowed_s
        self._log.debug("image worker %d is waiting for a CPU (%.2f s of CPU in %.1f s): its "
                        "deadline moves %.1f s on", worker.index, used_s, elapsed_s,
                        allowed_s + worker.owed_s - elapsed_s)
        return True

    def _restart_due(self) -> None:
        now = self._clock()
        for worker in self._workers:
            if worker.restart_at is not None and worker.restart_at <= now and not self._closing:
                if worker.signalled is not None:  # no close() followed: not the group's stop
                    self._log.warning("image worker %d was stopped by %s from outside the "
                                      "slideshow; starting it again", worker.index,
                                      worker.signalled)
                    worker.signalled = None
                if self._start(worker):
                    self.restarts += 1

    def _stop_workers(self) -> None:
        """Kills the workers in a decode (they would read the stop message only after it,
        or never, if stopped or blocked), asks the others to stop, then terminates and
        kills what is left."""
        running = [w for w in self._workers if w.process is not None]
        for worker in running:
            if worker.inflight:
                try:
                    worker.process.kill()
                except (OSError, ValueError):
                    pass
        stop_processes([(w.process, w.conn) for w in running], self._stop_timeout_s)
        for worker in running:
            worker.process = None
            worker.conn = None
            worker.restart_at = None

def _check_picklable(decoder: Decoder) -> None:
    try:
        pickle.dumps(decoder)
    except Exception as exc:
        raise TypeError(f"decoder hook {decoder!r} cannot be sent to a spawned worker; it must be "
                        f"a module-level function: {exc}") from None


def _wall(seconds: float) -> str:
    """A wall-clock time for the log: 14:03:07."""
    return time.strftime("%H:%M:%S", time.localtime(seconds))


def _describe_exit(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit status {exitcode}"
