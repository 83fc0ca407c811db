"""The vsync clock: turns the times frames were presented into whole refresh periods.

The display's vsync is the program's only clock (docs/architecture.md, timing rule 1).
After every swap the loop hands `VsyncClock.tick` the time the swap returned; the clock
answers how many refresh periods that frame took (k), how many vsyncs showed no new frame
(k - 1), how many fixed-timestep updates to run now (k, capped), and the animation time:
whole periods since the first frame. A late frame skips ahead instead of replaying stale
time, and the jitter in when our thread woke up never reaches the picture.

The period starts from the monitor's mode and is then measured, not trusted (as mpv's
vo.c does): modes say 60 Hz for panels running at 59.94, and virtual displays report
nothing at all. Every `_REFINE_EVERY` frames, over the last `window` intervals:

1. each interval is divided by its k, and those within +-10 % of the current estimate give
   a median: a centre that no stall or hiccup can drag (mpv style);
2. the estimate becomes elapsed time over elapsed vsyncs, summed over the intervals whose
   k is unambiguous around that centre.

Why not publish the median itself: with 0.5 ms of jitter a median of 240 intervals still
wanders by about 0.2 %. But the jitter is in *when we read the clock*, not in the vsync: a
late timestamp makes one interval long and the next short by the same amount, so a sum
of neighbouring intervals cancels it (error about jitter / window, 0.02 % at 0.5 ms).
Jitter that really is independent per interval can only be averaged: its error is
jitter / sqrt(window), so resolving 0.1 % at 0.5 ms of it takes a window of thousands.
A nominal period more than 10 % wrong never converges: pass the right mode, or the
`--rate`, for the clock to refine.

The estimate never leaves +-10 % of the nominal period (the monitor's mode, or the fallback
rate when it says nothing): samples are gated around the estimate *and* inside that band,
and the result is clamped to it. Gated around its own last estimate alone, a run of short
intervals moved the gate with it: on Xvfb, wrongly judged blocking, the estimate walked
16.67 -> 13.6 -> 9.09 -> 4.55 -> 3.94 ms. No display runs 10 % off its mode; an interval
that far off measures this machine, not the display.
While `refining` is off (paced by our own deadlines) the period is the nominal one, the
pacer's: turning it off puts a measured estimate back to nominal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_REFINE_EVERY = 16  # frames between estimates: a median every frame is wasted work
_MIN_SAMPLES = 16  # intervals measured before the first estimate replaces the nominal one
_GATE = 0.10  # interval / k further than this (relative) from the estimate: not a vsync sample
_BAND = 0.10  # the estimate stays within this (relative) of the nominal period
_CLEAR_K = 0.25  # |dt - k * centre| within this many periods: k is unambiguous
_MAX_SAMPLE_VSYNCS = 8  # longer intervals are stalls (a dragged window), not measurements
_DEADBAND = 1e-6  # relative change (1 ppm) below which the estimate is left alone


@dataclass(frozen=True, slots=True)
class FrameTick:
    """What one presented frame means in vsyncs. All times in seconds."""

    frame_index: int  # frames presented before this one (0 for the anchor frame)
    vsync_index: int  # whole refresh periods from the anchor frame to this one
    dt_s: float  # present-to-present interval; the period for the anchor frame
    vsyncs: int  # k: whole periods the interval spanned, at least 1
    missed: int  # vsyncs that showed the previous frame again unplanned: k - planned - 1
    steps: int  # fixed-timestep updates to run now: min(k, max_catchup_steps)
    anim_time_s: float  # animation time of this frame: vsync_index whole periods
    #: Vsyncs the previous frame was meant to stay on (a reduced cadence): min(k, cadence) - 1.
    planned: int = 0


class VsyncClock:
    """Counts refresh periods between presented frames and measures the period itself."""

    def __init__(
        self, nominal_period_s: float, max_catchup_steps: int = 4, window: int = 240,
    ) -> None:
        if not nominal_period_s > 0:
            raise ValueError(f"nominal_period_s must be above 0, got {nominal_period_s!r}")
        if max_catchup_steps < 1:
            raise ValueError(f"max_catchup_steps must be at least 1, got {max_catchup_steps!r}")
        if window < _MIN_SAMPLES:
            raise ValueError(f"window must be at least {_MIN_SAMPLES} intervals, got {window!r}")
        self.nominal_period_s = float(nominal_period_s)
        self.max_catchup_steps = max_catchup_steps
        self._period_s = self.nominal_period_s
        # Ring of recent present-to-present intervals, preallocated: tick writes one float.
        self._intervals_s = np.zeros(window, dtype=np.float64)
        self._filled = 0
        self._head = 0
        self._since_refine = 0
        self._last_present_s: float | None = None
        self._refining = True
        self._frame_index = -1
        self._vsync_index = 0
        self._missed_vsyncs = 0
        # Animation time is piecewise: whole periods since the last change of the estimate,
        # on top of the time reached then, so a refined period never moves it backwards.
        self._anim_base_s = 0.0
        self._anim_base_vsync = 0

    @property
    def refining(self) -> bool:
        """Whether presented intervals refine the period: only while a real vsync paces the
        frames. Paced by our own deadlines, the intervals measure this machine's delays, not
        a display: under load they dragged the estimate from 144 to 142.4 Hz."""
        return self._refining

    @refining.setter
    def refining(self, refining: bool) -> None:
        if self._refining and not refining:
            # The pacer paces at the nominal period: count vsyncs at that one. A wrong
            # "blocking" spell (Xvfb at a busy start-up) leaves an estimate that measured
            # nothing; the next refinement, if the swap blocks again, starts over from nominal.
            self._set_period_s(self.nominal_period_s)
        self._refining = refining

    @property
    def period_s(self) -> float:
        """The refresh period in use: nominal at first, then measured."""
        return self._period_s

    @property
    def refresh_hz(self) -> float:
        return 1.0 / self._period_s

    @property
    def missed_vsyncs(self) -> int:
        """Vsyncs, over the whole run, that showed no new frame unplanned."""
        return self._missed_vsyncs

    @property
    def frames(self) -> int:
        """Frames presented so far (ticks seen)."""
        return self._frame_index + 1

    def tick(self, present_s: float, cadence: int = 1) -> FrameTick:
        """Records a frame presented at `present_s` (taken right after the swap returned),
        `cadence` vsyncs after the previous one by plan (the governor's steady half or
        third rate): the vsyncs up to the planned one are planned repeats, not misses."""
        self._frame_index += 1
        last_s, self._last_present_s = self._last_present_s, present_s
        if last_s is None:
            # The anchor: nothing measured yet, so it counts as one on-time period.
            return FrameTick(0, 0, self._period_s, 1, 0, 1, self._anim_base_s)
        dt_s = present_s - last_s
        vsyncs = max(1, round(dt_s / self._period_s))
        self._vsync_index += vsyncs
        planned = min(vsyncs, max(1, cadence)) - 1
        missed = vsyncs - 1 - planned
        self._missed_vsyncs += missed
        periods_since_base = self._vsync_index - self._anim_base_vsync
        anim_time_s = self._anim_base_s + periods_since_base * self._period_s
        tick = FrameTick(
            self._frame_index, self._vsync_index, dt_s, vsyncs, missed,
            min(vsyncs, self.max_catchup_steps), anim_time_s, planned)
        self._remember(dt_s)
        return tick

    def _remember(self, dt_s: float) -> None:
        self._intervals_s[self._head] = dt_s
        self._head = (self._head + 1) % len(self._intervals_s)
        self._filled = min(self._filled + 1, len(self._intervals_s))
        self._since_refine += 1
        if self._refining and self._since_refine >= _REFINE_EVERY and self._filled >= _MIN_SAMPLES:
            self._since_refine = 0
            self._refine()

    def _refine(self) -> None:
        intervals_s = self._chronological_intervals_s()
        estimate_s = self._period_s
        centre_s = _robust_centre_s(intervals_s, estimate_s, self.nominal_period_s)
        if centre_s is None:
            return  # nothing here looks like a vsync of this display: keep what we have
        refined_s = _elapsed_over_vsyncs_s(intervals_s, centre_s)
        if refined_s is not None:
            low_s, high_s = (1 - _BAND) * self.nominal_period_s, (1 + _BAND) * self.nominal_period_s
            self._set_period_s(min(high_s, max(low_s, refined_s)))

    def _set_period_s(self, period_s: float) -> None:
        """A new period from now on; animation time reached so far stays (never backwards)."""
        if abs(period_s - self._period_s) > _DEADBAND * self._period_s:
            self._anim_base_s += (self._vsync_index - self._anim_base_vsync) * self._period_s
            self._anim_base_vsync = self._vsync_index
            self._period_s = period_s

    def _chronological_intervals_s(self) -> np.ndarray:
        if self._filled < len(self._intervals_s):
            return self._intervals_s[: self._filled]
        return np.concatenate((self._intervals_s[self._head:], self._intervals_s[: self._head]))


def _robust_centre_s(intervals_s: np.ndarray, estimate_s: float, nominal_s: float) -> float | None:
    """Median of interval / k over the intervals within +-10 % of the estimate (mpv style)
    and within +-10 % of the nominal period (so the gate cannot walk with the estimate)."""
    vsyncs = np.maximum(1.0, np.rint(intervals_s / estimate_s))
    per_vsync_s = intervals_s / vsyncs
    near = ((np.abs(per_vsync_s - estimate_s) <= _GATE * estimate_s)
            & (np.abs(per_vsync_s - nominal_s) <= _BAND * nominal_s)
            & (vsyncs <= _MAX_SAMPLE_VSYNCS))
    if np.count_nonzero(near) < _MIN_SAMPLES // 2:
        return None
    return float(np.median(per_vsync_s[near]))


def _elapsed_over_vsyncs_s(intervals_s: np.ndarray, centre_s: float) -> float | None:
    """Elapsed time over elapsed vsyncs between the presents whose timestamps look clean.

    A present is clean when the intervals on both sides of it have an unambiguous k. A
    timestamp read late (a preempted thread) spoils both its intervals, so it is skipped and
    the gap around it is counted as a whole; between clean presents the sum telescopes, so
    the jitter of every present in between cancels. Gaps that still are ambiguous, or
    longer than a stall, are left out.
    """
    vsyncs = np.maximum(1.0, np.rint(intervals_s / centre_s))
    clear = (np.abs(intervals_s - vsyncs * centre_s) <= _CLEAR_K * centre_s) & (
        vsyncs <= _MAX_SAMPLE_VSYNCS)
    # Present p ends interval p - 1 and starts interval p (present 0 starts the window).
    clean = np.empty(len(intervals_s) + 1, dtype=bool)
    clean[0], clean[-1] = clear[0], clear[-1]
    clean[1:-1] = clear[:-1] & clear[1:]
    present_times_s = np.concatenate(([0.0], np.cumsum(intervals_s)))[clean]
    gaps_s = np.diff(present_times_s)
    gap_vsyncs = np.rint(gaps_s / centre_s)
    usable = (gap_vsyncs >= 1) & (gap_vsyncs <= _MAX_SAMPLE_VSYNCS) & (
        np.abs(gaps_s - gap_vsyncs * centre_s) <= _CLEAR_K * centre_s)
    if not usable.any():
        return None
    return float(gaps_s[usable].sum() / gap_vsyncs[usable].sum())
