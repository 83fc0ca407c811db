"""GPU time of a stretch of a frame's commands, read without ever waiting: GL timer queries
(GL_TIME_ELAPSED) in a small ring, each read back two or more frames after it was issued,
once the driver says its result is available.

moderngl has timer queries, but reading one (`Query.elapsed`) waits for the GPU to finish
it; a frame that waits for the GPU's past is a frame late. Through ctypes (gl_calls.py) the
result is asked for only when GL_QUERY_RESULT_AVAILABLE says it is there.

`TimerQueryCost` is the frame-cost governor's source on drivers with timer queries: each
frame's draw timed under its frame number, handed back when the result is there. One
timer serves the governor and the HUD (GL cannot nest two GL_TIME_ELAPSED queries): the
HUD then reads it through `HudView`.
"""

from __future__ import annotations

import ctypes

from slideshow.gpu import gl_calls

QUERIES = 4  # in flight at once: results come back within a couple of frames


class FrameTimer:
    """`begin()` ... `end()` around the commands to time, once a frame; `last_ms` is the
    newest finished measurement (None before any). The context must be current."""

    def __init__(self) -> None:
        self._gl = gl_calls.load()
        self._names = (ctypes.c_uint * QUERIES)()
        self._gl.glGenQueries(QUERIES, self._names)
        self._issued = [False] * QUERIES  # a query ended and not read back yet
        self._tags = [-1] * QUERIES  # what each query timed (a frame number; -1: untagged)
        #: (tag, ms) of every finished measurement not taken yet (`take_finished`), oldest first.
        self.finished: list[tuple[int, float]] = []
        self._next = 0  # the query the next begin() uses
        self._running = False
        self._available = ctypes.c_int(0)  # preallocated: no per-frame ctypes objects
        self._elapsed_ns = ctypes.c_uint64(0)
        self.last_ms: float | None = None

    def begin(self, tag: int = -1) -> None:
        if self._running:
            return
        self.poll()
        if self._issued[self._next]:
            return  # every query still in flight: skip this frame rather than wait
        self._gl.glBeginQuery(gl_calls.GL_TIME_ELAPSED, self._names[self._next])
        self._tags[self._next] = tag
        self._running = True

    def end(self) -> None:
        if not self._running:
            return
        self._gl.glEndQuery(gl_calls.GL_TIME_ELAPSED)
        self._issued[self._next] = True
        self._next = (self._next + 1) % QUERIES
        self._running = False

    def poll(self) -> None:
        """Reads every issued query whose result is there, oldest first; never waits."""
        gl = self._gl
        for step in range(QUERIES):
            index = (self._next + step) % QUERIES  # the oldest issued comes first
            if not self._issued[index]:
                continue
            gl.glGetQueryObjectiv(self._names[index], gl_calls.GL_QUERY_RESULT_AVAILABLE,
                                  ctypes.byref(self._available))
            if not self._available.value:
                return  # the later ones cannot be ready before it
            gl.glGetQueryObjectui64v(self._names[index], gl_calls.GL_QUERY_RESULT,
                                     ctypes.byref(self._elapsed_ns))
            self.last_ms = self._elapsed_ns.value / 1e6
            self._issued[index] = False
            if self._tags[index] >= 0 and len(self.finished) < 4 * QUERIES:
                self.finished.append((self._tags[index], self.last_ms))

    def release(self) -> None:
        if self._running:
            self.end()
        self._gl.glDeleteQueries(QUERIES, self._names)


class TimerQueryCost:
    """slideshow/loop.py's CostSource from GL timer queries: each frame's draw, on the GPU."""

    def __init__(self, timer: FrameTimer | None = None) -> None:
        self.timer = timer or FrameTimer()

    def begin(self, frame: int) -> None:
        self.timer.begin(frame)

    def end(self) -> None:
        self.timer.end()

    def samples(self, frame_ms: float) -> list[tuple[int, float]]:
        self.timer.poll()
        finished, self.timer.finished = self.timer.finished, []
        return finished

    def release(self) -> None:
        self.timer.release()


class HudView:
    """The HUD's GpuTimer over a timer the governor runs: begin and end are the governor's."""

    def __init__(self, timer: FrameTimer) -> None:
        self._timer = timer

    def begin(self) -> None:
        pass

    def end(self) -> None:
        pass

    @property
    def last_ms(self) -> float | None:
        return self._timer.last_ms
