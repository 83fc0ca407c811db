"""Time within one frame: how much is left (`FrameBudget`) and where it went (`PhaseTimer`).

Nothing on the render thread may wait (docs/architecture.md, timing rule 3): work that can
be split, such as texture uploads in strips or draining worker results, asks `FrameBudget`
whether this frame still has time and otherwise continues next frame. `PhaseTimer` records,
for every frame, how long each phase of the loop took, so a slow frame can be blamed on its
phase; the loop's phases are slideshow/loop.py's `PHASES` ("poll", "drain", "upload",
"update", "draw", "finish", "present", where "present" includes any pacer wait), but the
names are the caller's.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np


class FrameBudget:
    """The time left before this frame's deadline, on an injected clock."""

    def __init__(self, now: Callable[[], float] = time.perf_counter) -> None:
        self._now = now
        self._start_s = 0.0
        self._deadline_s = -math.inf  # no frame started: no time to give

    def start(self, frame_start_s: float, deadline_s: float) -> None:
        """Begins a frame that started at `frame_start_s` and must be done by `deadline_s`."""
        self._start_s = frame_start_s
        self._deadline_s = deadline_s

    @property
    def started_s(self) -> float:
        """When this frame began: in the frame loop, the previous frame's presentation."""
        return self._start_s

    def elapsed_s(self) -> float:
        return self._now() - self._start_s

    def remaining_s(self) -> float:
        """Seconds until the deadline; 0.0 once it has passed or before any `start`."""
        return max(0.0, self._deadline_s - self._now())

    def has_s(self, seconds: float) -> bool:
        """Whether `seconds` of work still fit before the deadline."""
        return self._deadline_s - self._now() >= seconds


class PhaseTimer:
    """Per-frame durations of named phases, kept for the whole run.

    Durations go into a preallocated float64 array [frames, phases]; a frame costs no
    allocation, and the array doubles when full (a rare, amortised copy). A phase marked
    twice in a frame adds up; a phase not marked took 0.
    """

    def __init__(
        self,
        phase_names: tuple[str, ...],
        capacity_frames: int = 3600,
        now: Callable[[], float] = time.perf_counter,
    ) -> None:
        if not phase_names or len(set(phase_names)) != len(phase_names):
            raise ValueError(f"phase_names must be distinct and not empty, got {phase_names!r}")
        self.phase_names = tuple(phase_names)
        self._column = {name: i for i, name in enumerate(self.phase_names)}
        self._durations_s = np.zeros((max(1, capacity_frames), len(self.phase_names)))
        self._now = now
        self._frames = 0
        self._in_frame = False
        self._last_mark_s = 0.0

    @property
    def frames(self) -> int:
        """Frames completed (`end_frame` calls)."""
        return self._frames

    def begin_frame(self) -> None:
        if self._frames == len(self._durations_s):
            grown = np.zeros((2 * len(self._durations_s), len(self.phase_names)))
            grown[: self._frames] = self._durations_s
            self._durations_s = grown
        self._durations_s[self._frames] = 0.0  # a begun frame that never ended is redone
        self._in_frame = True
        self._last_mark_s = self._now()

    def mark(self, name: str) -> None:
        """Ends phase `name`: it took the time since `begin_frame` or the previous mark."""
        now_s = self._now()
        if not self._in_frame:
            raise RuntimeError(f"mark({name!r}) outside a frame: call begin_frame() first")
        try:
            column = self._column[name]
        except KeyError:
            raise ValueError(
                f"unknown phase {name!r}; phases are {', '.join(self.phase_names)}") from None
        self._durations_s[self._frames, column] += now_s - self._last_mark_s
        self._last_mark_s = now_s

    def end_frame(self) -> None:
        if self._in_frame:
            self._frames += 1
            self._in_frame = False

    def last_frame_s(self) -> dict[str, float]:
        """Each phase's duration in the last completed frame (zeros before any)."""
        if self._frames == 0:
            return {name: 0.0 for name in self.phase_names}
        return self.frame_s(self._frames - 1)

    def frame_s(self, row: int) -> dict[str, float]:
        """Each phase's duration in completed frame `row` (0 = the first). Readable from
        another thread: a completed row is never written again."""
        if not 0 <= row < self._frames:
            raise IndexError(f"frame {row} not recorded; {self._frames} frames are")
        return {name: float(self._durations_s[row, i]) for i, name in enumerate(self.phase_names)}

    def percentiles_ms(self) -> dict[str, dict[str, float]]:
        """{phase: {"p50", "p99", "max"}} in milliseconds, rounded to 3 decimals."""
        if self._frames == 0:
            return {name: {"p50": 0.0, "p99": 0.0, "max": 0.0} for name in self.phase_names}
        durations_ms = self._durations_s[: self._frames] * 1e3
        p50, p99 = np.percentile(durations_ms, [50, 99], axis=0)
        peak = durations_ms.max(axis=0)
        return {
            name: {"p50": round(float(p50[i]), 3), "p99": round(float(p99[i]), 3),
                   "max": round(float(peak[i]), 3)}
            for i, name in enumerate(self.phase_names)
        }
