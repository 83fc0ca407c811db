"""Deciding, from measured swaps, whether the swap blocks on vsync, and checking it all run.

The frame loop is clocked by a swap that blocks until the vsync (docs/architecture.md,
timing rule 2). Some displays never block: Xvfb (its swap returns in about 0.5 ms),
headless surfaces, drivers that force vsync off. There the loop would run as fast as it
can, so it needs to know, and put a `DeadlinePacer` in front of the swap. A swap interval
of 1 is accepted and ignored where it does not block, so this is measured; where the
display says something first (glfw reports Xvfb's refresh as 0 Hz), that prior decides
the first verdict at once and the measuring only checks it.

The first verdict, over `probe_frames` frames after `warmup_frames` (without a prior):

    "paced"    when the frames outrun the display or are off the vsync grid (below);
    "blocking" otherwise: frames come one (or k) whole periods apart.

Then every window of `probe_frames` frames is read again, all run long, against the
verdict in force (the verdict can be wrong: a busy machine at start-up made Xvfb's frames
take about a period each, on the grid by chance, in 7 of 29 starts):

- blocking, and the window says "paced": median interval < 75 % of the period (frames
  outrun the display: Xvfb's uncapped 4-6 ms once the start-up load went), or the median
  distance of interval / period from a whole number over 15 % (off the vsync grid).
- paced, and the window says "blocking": the swap (taken after finish and the deadline,
  so it is the swap alone) lasts over 25 % of the period in most frames, and steadily
  (interquartile range under 10 % of the period), and the presents are on the grid. A swap
  that waits for a vsync ends at the vsync's phase, the same every frame; a slow copy
  on a busy machine (Xvfb's swap of a large window) varies from frame to frame.
  Known limit: a vsync that falls within a quarter period after our deadline makes a short
  swap; it is seen once the two clocks' phases drift apart (seconds at 0.1 % mismatch).

Hysteresis: a switch needs `strikes` windows in a row that disagree with the verdict
(2 at first, 0.5 s at 60 Hz), so no single odd interval, nor one odd window (a stall, a
driver refilling its queue), ever flips it; every switch doubles the windows the next one
needs (up to 16), so a display on the edge of a rule settles instead of flapping.
After a switch the next `warmup_frames` are skipped: the interval spanning the switch, and
a driver's queue filling again, say nothing about the new mode.

Why the grid and not the swap's duration for "blocking -> paced": on a software renderer
(Mesa's llvmpipe under Xvfb) the frame is rasterised inside swap + finish, so a swap that
never waits can still take most of a period, while a real blocking swap after a heavy frame
returns quickly. Only the spacing of presents tells them apart there.
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
_WAITING_SWAP = 0.25  # paced: median swap above this fraction of the period: it waits for something
_STEADY_SWAP = 0.10  # paced: swap interquartile range below this fraction: it ends on a fixed phase
_FIRST_STRIKES = 2  # windows in a row against the verdict before the first switch
_MAX_STRIKES = 16  # the doubling after each switch stops here (8 s of windows at 60 Hz)
VERDICTS = ("blocking", "paced")


class SwapBlockDetector:
    """Watches swap durations and frame intervals: a first verdict, then checks of it.

    `prior`: "paced" (or "blocking") when the display said so up front; the first verdict
    is then taken at once, and the windows only check it."""

    def __init__(
        self, nominal_period_s: float, probe_frames: int = 30, warmup_frames: int = 10,
        prior: str | None = None,
    ) -> None:
        if not nominal_period_s > 0:
            raise ValueError(f"nominal_period_s must be above 0, got {nominal_period_s!r}")
        if probe_frames < 1 or warmup_frames < 0:
            raise ValueError(
                f"probe_frames must be at least 1 and warmup_frames at least 0, "
                f"got {probe_frames!r} and {warmup_frames!r}")
        if prior is not None and prior not in VERDICTS:
            raise ValueError(f"prior must be one of {VERDICTS} or None, got {prior!r}")
        self.nominal_period_s = float(nominal_period_s)
        self.warmup_frames = warmup_frames
        self._swap_s = np.zeros(probe_frames, dtype=np.float64)
        self._interval_s = np.zeros(probe_frames, dtype=np.float64)
        self._observed = 0  # frames seen since the last verdict or switch
        self._verdict: str | None = prior
        self._strikes = 0  # windows in a row that disagreed with the verdict
        self.strikes_to_switch = _FIRST_STRIKES
        self.switches = 0
        self.median_swap_s = 0.0  # of the last window read, for the log line
        self.median_interval_s = 0.0
        self.median_grid_distance = 0.0  # median |interval / period - nearest whole number|
        self.swap_spread_s = 0.0  # interquartile range of the swap durations

    @property
    def verdict(self) -> str | None:
        """"blocking" or "paced" once decided; None while still measuring."""
        return self._verdict

    def observe(self, swap_duration_s: float, interval_s: float) -> str | None:
        """Records one frame: time spent in swap (+ finish when blocking; the swap alone when
        paced) and the present-to-present interval. Returns the verdict in force (None until
        the first one); it changes only after `strikes_to_switch` windows against it."""
        probe_index = self._observed - self.warmup_frames
        self._observed += 1
        if probe_index < 0:
            return self._verdict
        window = len(self._swap_s)
        self._swap_s[probe_index % window] = swap_duration_s
        self._interval_s[probe_index % window] = interval_s
        if (probe_index + 1) % window == 0:
            self._read_window()
        return self._verdict

    def describe(self) -> str:
        """One line for the log saying what is decided and what the last window measured."""
        if self._verdict is None:
            return f"swap timing: still measuring ({self._observed} frames seen)"
        waits = "does not block: pacing frames to deadlines" if self._verdict == "paced" \
            else "blocks on vsync"
        return f"swap {waits} ({self.measured()})"

    def measured(self) -> str:
        """What the last window measured, for a log line."""
        return (f"median swap {self.median_swap_s * 1e3:.2f} ms (spread "
                f"{self.swap_spread_s * 1e3:.2f}), median interval "
                f"{self.median_interval_s * 1e3:.2f} ms, grid distance "
                f"{self.median_grid_distance:.2f}, period {self.nominal_period_s * 1e3:.2f} ms")

    def _read_window(self) -> None:
        self._measure()
        if self._verdict is None:  # the first verdict: no hysteresis, nothing to undo yet
            self._verdict = "paced" if self._outruns_or_off_grid() else "blocking"
            self._observed = self.warmup_frames  # the next window starts now
            return
        against = (self._outruns_or_off_grid() if self._verdict == "blocking"
                   else self._swap_waits_on_grid())
        self._strikes = self._strikes + 1 if against else 0
        if self._strikes >= self.strikes_to_switch:
            self._verdict = "paced" if self._verdict == "blocking" else "blocking"
            self.switches += 1
            self._strikes = 0
            self.strikes_to_switch = min(_MAX_STRIKES, self.strikes_to_switch * 2)
            self._observed = 0  # skip the warm-up frames of the new mode

    def _measure(self) -> None:
        swap_s, interval_s = self._swap_s, self._interval_s
        # One sort for the median and the quartiles (this runs on the render thread, a
        # window every probe_frames frames, all run long).
        low_s, median_s, high_s = np.percentile(swap_s, (25, 50, 75))
        self.median_swap_s = float(median_s)
        self.swap_spread_s = float(high_s - low_s)
        self.median_interval_s = float(np.median(interval_s))
        periods = interval_s / self.nominal_period_s
        self.median_grid_distance = float(np.median(np.abs(periods - np.round(periods))))

    def _outruns_or_off_grid(self) -> bool:
        return (self.median_interval_s < _FAST_FRAMES * self.nominal_period_s
                or self.median_grid_distance > _OFF_GRID)

    def _swap_waits_on_grid(self) -> bool:
        period_s = self.nominal_period_s
        return (self.median_swap_s > _WAITING_SWAP * period_s
                and self.swap_spread_s < _STEADY_SWAP * period_s
                and not self._outruns_or_off_grid())
