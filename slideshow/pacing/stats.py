"""Frame statistics: every present-to-present interval, its percentiles and its histogram.

This is the proof of smoothness that `slideshow bench` prints and writes as JSON, so it
keeps every dt (a preallocated float64 array, doubled when full) rather than a running
summary: percentiles of the tail need the data.

Histogram bins, all half-open [lo, hi) in milliseconds:

- 0.25 ms wide from 0 up to 2 x period (rounded up to a whole bin): fine enough to tell a
  paced 16.67 ms frame from 16.9 ms jitter, and to see a missed vsync land at 2 x period;
- 2 ms wide from there up to 4 x period (rounded up to a whole bin): the missed-vsync
  region, where the count matters more than the shape;
- one overflow bin for everything slower (stalls).

Bins start at 0, not at the period, so their labels are round numbers.
"""

from __future__ import annotations

import math

import numpy as np

from slideshow.pacing.clock import FrameTick

FINE_BIN_MS = 0.25
COARSE_BIN_MS = 2.0
_EIGHTHS = " ▏▎▍▌▋▊▉"  # index = eighths of a cell; "█" is a whole cell
_LOG_WHEN_ONE_BIN_HOLDS = 0.9  # share of frames in one bin that makes a linear chart useless


class FrameStats:
    """Collects the dt of every frame and summarises it."""

    def __init__(self, period_s: float, capacity_frames: int = 3600) -> None:
        if not period_s > 0:
            raise ValueError(f"period_s must be above 0, got {period_s!r}")
        self.period_s = float(period_s)
        self._dt_s = np.zeros(max(1, capacity_frames), dtype=np.float64)
        # The loop's frame number of each measured frame, to line slow frames up with events.
        self._frame_index = np.zeros(max(1, capacity_frames), dtype=np.int64)
        # Vsyncs each frame was planned to repeat (a governor's half or third rate).
        self._planned = np.zeros(max(1, capacity_frames), dtype=np.int8)
        self._frames = 0
        self._missed_vsyncs = 0
        self._planned_repeats = 0
        self._edges_ms = _bin_edges_ms(self.period_s * 1e3)

    @property
    def frames(self) -> int:
        return self._frames

    def record(self, tick: FrameTick) -> None:
        if self._frames == len(self._dt_s):
            self._dt_s = _grown(self._dt_s)
            self._frame_index = _grown(self._frame_index)
            self._planned = _grown(self._planned)
        self._dt_s[self._frames] = tick.dt_s
        self._frame_index[self._frames] = tick.frame_index
        self._planned[self._frames] = tick.planned
        self._frames += 1
        self._missed_vsyncs += tick.missed
        self._planned_repeats += tick.planned

    @property
    def missed_vsyncs(self) -> int:
        """Vsyncs missed so far, unplanned: a dt of k periods where c were planned (the
        cadence in force) missed k - c."""
        return self._missed_vsyncs

    @property
    def planned_repeats(self) -> int:
        """Vsyncs that showed a frame again by plan (a transition at half or third rate)."""
        return self._planned_repeats

    def dt_s_since(self, row: int) -> np.ndarray:
        """A copy of the dt (seconds) of the measured frames from `row` on. Safe to call from
        another thread while frames are recorded: rows only ever get appended, and a grown
        array keeps the rows before."""
        frames = self._frames
        return self._dt_s[row:frames].copy()

    def planned_since(self, row: int) -> np.ndarray:
        """A copy of the planned repeats of the measured frames from `row` on (as
        `dt_s_since`, and as safe from another thread)."""
        frames = self._frames
        return self._planned[row:frames].copy()

    def dt_s_of(self, row: int) -> float:
        """The dt (seconds) of measured frame `row`; no allocation beyond the float."""
        return float(self._dt_s[row])

    def timeline(self) -> tuple[np.ndarray, np.ndarray]:
        """Every measured frame in order: (the loop's frame index of each, its dt in
        seconds); copies, for reports and plots after a run."""
        return self._frame_index[: self._frames].copy(), self._dt_s[: self._frames].copy()

    def slowest(self, count: int) -> list[tuple[int, int, float, float]]:
        """The `count` longest intervals, longest first, as (row, frame index, dt_s, at_s):
        row is the measured frame's number (PhaseTimer's row), at_s the time it was
        presented, counted from the start of the measurement."""
        dt_s = self._dt_s[: self._frames]
        rows = np.argsort(dt_s, kind="stable")[::-1][:count]
        at_s = np.cumsum(dt_s)
        return [(int(row), int(self._frame_index[row]), float(dt_s[row]), float(at_s[row]))
                for row in rows]

    def summary(self) -> dict:
        """{"frames", "dt_ms": {p50, p90, p99, p999, max, mean}, "missed_vsyncs",
        "planned_repeats"}; ms, 3 decimals.

        Percentiles interpolate linearly between neighbouring frames (numpy's default).
        """
        dt_ms = self._dt_s[: self._frames] * 1e3
        if self._frames:
            p50, p90, p99, p999 = np.percentile(dt_ms, [50, 90, 99, 99.9])
            figures = {"p50": p50, "p90": p90, "p99": p99, "p999": p999,
                       "max": dt_ms.max(), "mean": dt_ms.mean()}
        else:
            figures = dict.fromkeys(("p50", "p90", "p99", "p999", "max", "mean"), 0.0)
        return {
            "frames": self._frames,
            "dt_ms": {name: round(float(value), 3) for name, value in figures.items()},
            "missed_vsyncs": self._missed_vsyncs,
            "planned_repeats": self._planned_repeats,
        }

    def histogram(self) -> list[tuple[float, float, int]]:
        """Every bin as (lo_ms, hi_ms, count); the last bin's hi is infinity."""
        dt_ms = self._dt_s[: self._frames] * 1e3
        bins = np.searchsorted(self._edges_ms, dt_ms, side="right") - 1
        counts = np.bincount(np.clip(bins, 0, None), minlength=len(self._edges_ms) - 1)
        return [(float(lo), float(hi), int(n))
                for lo, hi, n in zip(self._edges_ms[:-1], self._edges_ms[1:], counts)]

    def render_chart(self, width: int = 60, log_scale: bool | None = None) -> str:
        """The histogram as terminal text: one line per non-empty bin, empty runs as "⋮".

        `log_scale=None` picks a log scale when one bin holds 90 % of the frames, so the
        rare slow frames still show; the header says which scale is in use.
        """
        period_ms = self.period_s * 1e3
        header = (f"dt per frame: {self._frames} frames, period {period_ms:.3f} ms "
                  f"({1 / self.period_s:.2f} Hz)")
        if self._frames == 0:
            return header + "\n  (no frames recorded)"
        bins = self.histogram()
        counts = [n for _, _, n in bins]
        period_bin = int(np.searchsorted(self._edges_ms, period_ms, side="right")) - 1
        top = max(counts)
        if log_scale is None:
            log_scale = top >= _LOG_WHEN_ONE_BIN_HOLDS * self._frames and top < self._frames
        if log_scale:
            header += f"; bars log-scaled (one bin holds {100 * top / self._frames:.1f}% of frames)"
        else:
            header += "; bars linear"
        shown = [i for i, n in enumerate(counts) if n > 0 or i == period_bin]
        count_width = len(str(top))
        edge_width = max(len(f"{edge:.2f}") for i in shown for edge in bins[i][:2]
                         if not math.isinf(edge))
        lines = [header]
        for previous, i in zip([None, *shown], shown):
            if previous is not None and i > previous + 1:
                lines.append(f"  {'⋮':>{edge_width + 1}}")
            lo, hi, n = bins[i]
            scale = math.log1p(n) / math.log1p(top) if log_scale else n / top
            mark = "  ◀ period" if i == period_bin else ""
            lines.append(f"  {_label(lo, hi, edge_width)} |{_bar(scale, width)} {n:>{count_width}} "
                         f"({_percent(n, self._frames)}){mark}")
        s = self.summary()
        dt = s["dt_ms"]
        lines.append(f"  p50 {dt['p50']:.3f}  p90 {dt['p90']:.3f}  p99 {dt['p99']:.3f}  "
                     f"p99.9 {dt['p999']:.3f}  max {dt['max']:.3f} ms; "
                     f"missed vsyncs {s['missed_vsyncs']}")
        return "\n".join(lines)


def _grown(array: np.ndarray) -> np.ndarray:
    grown = np.zeros(2 * len(array), dtype=array.dtype)
    grown[: len(array)] = array
    return grown


def _bin_edges_ms(period_ms: float) -> np.ndarray:
    fine_bins = math.ceil(2 * period_ms / FINE_BIN_MS)
    fine_end_ms = fine_bins * FINE_BIN_MS
    coarse_bins = max(1, math.ceil((4 * period_ms - fine_end_ms) / COARSE_BIN_MS))
    return np.concatenate([
        np.arange(fine_bins + 1) * FINE_BIN_MS,  # whole multiples: labels stay exact
        fine_end_ms + np.arange(1, coarse_bins + 1) * COARSE_BIN_MS,
        [np.inf],
    ])


def _label(lo_ms: float, hi_ms: float, edge_width: int) -> str:
    if math.isinf(hi_ms):
        return f"{'≥ ' + format(lo_ms, '.2f'):>{2 * edge_width + 1}} ms"
    return f"{lo_ms:>{edge_width}.2f}-{hi_ms:<{edge_width}.2f} ms"


def _percent(count: int, total: int) -> str:
    share = 100 * count / total
    return "<0.1%" if 0 < share < 0.05 else f"{share:4.1f}%"


def _bar(fraction: float, width: int) -> str:
    """A bar `fraction` of `width` cells long, drawn to an eighth of a cell."""
    eighths = round(fraction * width * 8)
    if fraction > 0 and eighths == 0:
        eighths = 1  # a bin with frames in it never looks empty
    full, rest = divmod(eighths, 8)
    bar = "█" * full + (_EIGHTHS[rest] if rest else "")
    return bar.ljust(width)
