"""The deadline pacer: a stand-in for vsync when the swap does not block.

Where `SwapBlockDetector` says "paced" (Xvfb, headless, vsync forced off), the loop calls
`wait_for_deadline()` after the frame's GL work is finished and right before the swap, so
the swap, and the present timestamp taken when it returns, lands on the deadline. Waiting
*after* the swap instead looks clean from inside and is not: measured under Xvfb, the
program saw p99 16.7 ms while the swaps, timed from outside, had p99 21 ms
(docs/architecture.md, timing rule 2).

Deadlines lie on a fixed grid `t0 + n * period`, anchored by the first call, and behave
like a real vsync:

- on time: sleep until `spin_s` before the deadline, then spin on the clock until it.
  `time.sleep` overshoots by 0.1-0.25 ms here; the spin makes the deadline exact at the
  cost of about `spin_s` of CPU per frame. Under CPU contention spinning gave worse tails
  than sleeping, so `spin_s` is a setting and `spin_s=0` means sleep only.
- late (the frame's work ran past the deadline): like a swap that missed its vsync, wait
  for the next grid point not in the past. The grid does not move, so the display keeps
  its phase, and the present after a late frame comes k whole periods after the previous
  one: the `VsyncClock` downstream counts the k - 1 skipped grid points as missed vsyncs,
  exactly as it would on a blocking display. Presenting at once instead would put a frame
  between grid points, where the clock can only guess how many periods it spanned.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable


class DeadlinePacer:
    """Waits until the next point of a fixed `period_s` grid."""

    def __init__(
        self,
        period_s: float,
        spin_s: float = 0.001,
        now: Callable[[], float] = time.perf_counter,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if spin_s < 0:
            raise ValueError(f"spin_s must be 0 or more, got {spin_s!r}")
        self._check_period(period_s)
        self._period_s = float(period_s)
        self.spin_s = float(spin_s)
        self._now = now
        self._sleep = sleep
        self._origin_s: float | None = None  # grid point 0
        self._index = 0  # grid index of the last deadline returned
        self._deadline_s = 0.0
        self._deadlines_missed = 0

    @property
    def period_s(self) -> float:
        return self._period_s

    @period_s.setter
    def period_s(self, period_s: float) -> None:
        """A new rate takes effect from the last deadline: the next one is one new period on."""
        self._check_period(period_s)
        if self._origin_s is not None:
            self._origin_s, self._index = self._deadline_s, 0
        self._period_s = float(period_s)

    @property
    def deadlines_missed(self) -> int:
        """Grid points skipped because a frame arrived after them."""
        return self._deadlines_missed

    def wait_for_deadline(self, vsyncs: int = 1) -> float:
        """Waits for the grid point `vsyncs` after the last one (the next one not in the
        past when that has gone) and returns it (seconds, `now` clock). `vsyncs` > 1 is a
        planned reduced cadence (the governor's half or third rate).

        The first call anchors the grid at the present time and returns at once.
        """
        now_s = self._now()
        if self._origin_s is None:
            self._origin_s, self._index, self._deadline_s = now_s, 0, now_s
            return now_s
        index = self._index + max(1, vsyncs)
        if now_s > self._grid_s(index):
            index = self._first_index_at_or_after(now_s)
            self._deadlines_missed += index - (self._index + max(1, vsyncs))
        self._index = index
        self._deadline_s = self._grid_s(index)
        self._wait_until(self._deadline_s, now_s)
        return self._deadline_s

    def _grid_s(self, index: int) -> float:
        assert self._origin_s is not None
        return self._origin_s + index * self._period_s

    def _first_index_at_or_after(self, now_s: float) -> int:
        index = max(self._index + 1, math.ceil((now_s - self._grid_s(0)) / self._period_s))
        while self._grid_s(index) < now_s:  # ceil of a rounded quotient can land one short
            index += 1
        return index

    def _wait_until(self, deadline_s: float, now_s: float) -> None:
        remaining_s = deadline_s - now_s
        while remaining_s > self.spin_s:
            self._sleep(remaining_s - self.spin_s)
            remaining_s = deadline_s - self._now()
        if self.spin_s > 0:
            while self._now() < deadline_s:
                pass

    @staticmethod
    def _check_period(period_s: float) -> None:
        if not period_s > 0:
            raise ValueError(f"period_s must be above 0, got {period_s!r}")
