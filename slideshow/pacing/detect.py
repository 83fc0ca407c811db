"""Deciding, from measured swaps, whether the swap blocks on vsync.

The frame loop is clocked by a swap that blocks until the vsync (docs/architecture.md,
timing rule 2). Some displays never block: Xvfb (its swap returns in about 0.5 ms),
headless surfaces, drivers that force vsync off. There the loop would run as fast as it
can, so it needs to know, and put a `DeadlinePacer` in front of the swap. Nothing reliable
says so up front (glfw reports Xvfb's refresh as 0 Hz and a swap interval of 1 is accepted
and ignored), so we measure.

The rule, over `probe_frames` frames after `warmup_frames`:

    "paced"    when median(present-to-present interval) < 75 % of the period
               (frames arrive faster than the display could show them),
               or when the intervals are off the vsync grid: the median distance of
               interval / period from a whole number is over 15 %;
    "blocking" otherwise: frames come one (or k) whole periods apart.

Why the grid and not the swap's duration: on a software renderer (Mesa's llvmpipe under
Xvfb) the frame is rasterised inside swap + finish, so a swap that never waits can still
take most of a period, while a real blocking swap after a heavy frame returns quickly.
Only the spacing of presents tells them apart: a blocking swap puts frames on the vsync
grid, a display that never waits puts them wherever the work ends.
Known limit: a nominal period that is wrong (a mode reported as 60 Hz on a 75 Hz display)
makes a blocking display look off the grid; `--vsync blocking` and `--rate` override.

Why a warm-up: drivers that queue frames ahead (render-ahead of 2-3 frames) return from
the first swaps at once, until the queue is full, and the first frames also pay for shader
compilation and first uploads. Those frames say nothing about the steady state.
"""

from __future__ import annotations

import numpy as np

_FAST_FRAMES = 0.75  # median interval below this fraction: frames outrun the display
_OFF_GRID = 0.15  # median distance of interval / period from a whole number above this: no vsync


class SwapBlockDetector:
    """Watches swap durations and frame intervals, then gives a verdict once."""

    def __init__(
        self, nominal_period_s: float, probe_frames: int = 30, warmup_frames: int = 10,
    ) -> None:
        if not nominal_period_s > 0:
            raise ValueError(f"nominal_period_s must be above 0, got {nominal_period_s!r}")
        if probe_frames < 1 or warmup_frames < 0:
            raise ValueError(
                f"probe_frames must be at least 1 and warmup_frames at least 0, "
                f"got {probe_frames!r} and {warmup_frames!r}")
        self.nominal_period_s = float(nominal_period_s)
        self.warmup_frames = warmup_frames
        self._swap_s = np.zeros(probe_frames, dtype=np.float64)
        self._interval_s = np.zeros(probe_frames, dtype=np.float64)
        self._observed = 0
        self._verdict: str | None = None
        self.median_swap_s = 0.0  # set with the verdict, for the log line
        self.median_interval_s = 0.0
        self.median_grid_distance = 0.0  # median |interval / period - nearest whole number|

    @property
    def verdict(self) -> str | None:
        """"blocking" or "paced" once decided; None while still measuring."""
        return self._verdict

    def observe(self, swap_duration_s: float, interval_s: float) -> str | None:
        """Records one frame: time spent in swap (+ finish) and present-to-present interval.

        Returns the verdict (None until decided); frames after the verdict are ignored.
        """
        if self._verdict is not None:
            return self._verdict
        probe_index = self._observed - self.warmup_frames
        self._observed += 1
        if probe_index < 0:
            return None
        self._swap_s[probe_index] = swap_duration_s
        self._interval_s[probe_index] = interval_s
        if probe_index + 1 == len(self._swap_s):
            self._decide()
        return self._verdict

    def describe(self) -> str:
        """One line for the log saying what was measured and decided."""
        if self._verdict is None:
            return f"swap timing: still measuring ({self._observed} frames seen)"
        waits = "does not block: pacing frames to deadlines" if self._verdict == "paced" \
            else "blocks on vsync"
        return (f"swap {waits} (median swap {self.median_swap_s * 1e3:.2f} ms, "
                f"median interval {self.median_interval_s * 1e3:.2f} ms, "
                f"period {self.nominal_period_s * 1e3:.2f} ms)")

    def _decide(self) -> None:
        self.median_swap_s = float(np.median(self._swap_s))
        self.median_interval_s = float(np.median(self._interval_s))
        fast_frames = self.median_interval_s < _FAST_FRAMES * self.nominal_period_s
        periods = self._interval_s / self.nominal_period_s
        self.median_grid_distance = float(np.median(np.abs(periods - np.round(periods))))
        off_grid = self.median_grid_distance > _OFF_GRID
        self._verdict = "paced" if fast_frames or off_grid else "blocking"
