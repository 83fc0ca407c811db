"""A hand-stepped clock for tests of anything that takes `now` and `sleep` (pyglet's way).

It lives in the package, not in tests/, because the frame loop's tests drive the same
pacing objects with it. It never really sleeps: `sleep(s)` moves fake time forward.
"""

from __future__ import annotations


class FakeTime:
    """Fake seconds: `now()` reads them, `sleep()` and `advance()` move them forward.

    `sleep_overshoot_s` models a sleep that wakes late (0.1-0.25 ms on a real box);
    `read_cost_s` is how far each `now()` moves time, so a loop spinning on `now()` ends.
    Every sleep and every reading is counted, and readings are kept when `keep_readings`.
    """

    def __init__(self, start_s: float = 1000.0, sleep_overshoot_s: float = 0.0,
                 read_cost_s: float = 0.0, keep_readings: bool = False) -> None:
        self.time_s = start_s
        self.sleep_overshoot_s = sleep_overshoot_s
        self.read_cost_s = read_cost_s
        self.sleeps_s: list[float] = []  # each sleep asked for, in order
        self.reads = 0
        self.readings_s: list[float] | None = [] if keep_readings else None

    def now(self) -> float:
        reading_s = self.time_s
        self.reads += 1
        if self.readings_s is not None:
            self.readings_s.append(reading_s)
        self.time_s += self.read_cost_s
        return reading_s

    def sleep(self, seconds: float) -> None:
        self.sleeps_s.append(seconds)
        self.time_s += max(0.0, seconds) + self.sleep_overshoot_s

    def advance(self, seconds: float) -> None:
        """Work that takes `seconds` (a frame's GL calls, a slow phase)."""
        self.time_s += seconds
