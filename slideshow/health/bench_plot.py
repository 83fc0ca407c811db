"""The picture of a bench run (`slideshow bench --plot FILE.png`, or `--from RUN.json` for a
saved run): one PNG, drawn with Pillow only, with one panel per display.

Each panel holds the dt histogram (bins of 0.25 ms, a log count axis, a line at each
multiple of the refresh period) above a timeline of the whole run (every measured frame's
dt against the seconds since measuring began, with transitions shaded, photo changes
ticked at the top, late photos ticked at the bottom and the slowest frames marked with
their dt). The header names the machine, the renderer and the show's settings.

This module owns the drawing and its pixel layout. It takes the figures as bench's JSON
has them (slideshow/commands/bench.py: `bench_figures`), so a saved report draws the same
picture as the run that wrote it. The layout is public (`plot_layout`, `PanelLayout`) so
that tests can compute where a bar or a mark must be and look there.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from PIL import Image, ImageDraw, ImageFont

# Colours (RGB). Shapes are drawn without antialiasing, so a shape's pixels are exactly its
# colour: tests look for these.
BACKGROUND = (255, 255, 255)
INK = (30, 30, 30)
FAINT_INK = (110, 110, 110)
GRID = (228, 228, 228)
BAR = (52, 101, 164)
DT_LINE = (28, 72, 130)  # darker than the bars: told apart by eye and by tests
PERIOD_LINE = (237, 125, 49)
TRANSITION_SPAN = (218, 232, 246)
PHOTO_TICK = (40, 40, 40)
SLOW_MARK = (200, 30, 45)
LATE_TICK = (140, 70, 170)

WIDTH_PX = 1600
MARGIN_LEFT_PX = 96  # room for the y axes' labels
MARGIN_RIGHT_PX = 64  # room for the timeline's period labels
HEADER_LINE_PX = 30
PANEL_TITLE_PX = 86  # the display's name, its summary line and the y axis's name
HISTOGRAM_PX = 250
AXIS_LABELS_PX = 48  # tick labels and the axis name under a plot
GAP_PX = 26
TIMELINE_PX = 300
LEGEND_PX = 34
PANEL_GAP_PX = 24
OVERFLOW_SLOT_PX = 44  # the histogram's bar for dts past its axis
TICK_LEN_PX = 12  # photo changes and late photos along the timeline's edges
SLOW_MARK_RADIUS_PX = 5

HISTOGRAM_BIN_MS = 0.25
MIN_PERIODS_SHOWN = 3.25  # the histogram's axis reaches at least past 3 periods
MAX_PERIODS_SHOWN = 10.25  # and at most this far; longer dts go to the overflow bar
TIMELINE_MIN_PERIODS = 2.5
TIMELINE_MAX_PERIODS = 8.0  # taller dts are drawn clipped at the top, with their value


# --- the run's times, from the timeline --------------------------------------------------

def period_ms(figures: dict[str, Any]) -> float:
    """The refresh period; the median dt stands in for a report without a rate."""
    refresh_hz = figures.get("refresh_hz") or 0.0
    if refresh_hz > 0:
        return 1000.0 / refresh_hz
    return float(figures["dt_ms"].get("p50") or 1000.0 / 60.0)


def _timeline(figures: dict[str, Any]) -> tuple[list[int], list[float], list[list[Any]]]:
    """(frame indexes, dt ms, events) of a report; empty for one written before timelines."""
    timeline = figures.get("timeline") or {}
    return list(timeline.get("frame", [])), list(timeline.get("dt_ms", [])), \
        list(timeline.get("events", []))


@dataclass(frozen=True)
class RunTimes:
    """When each measured frame was presented, in seconds since measuring began: the sum of
    the dts so far (the same clock as `slowest`'s at_s)."""

    frames: tuple[int, ...]  # loop frame indexes, ascending
    presented_s: tuple[float, ...]

    @property
    def end_s(self) -> float:
        return self.presented_s[-1] if self.presented_s else 0.0

    def at_s(self, frame: int) -> float:
        """When loop frame `frame` was presented; an event before the first measured frame
        (during warm-up) is at 0, one after the last at the end."""
        if not self.presented_s:
            return 0.0
        index = bisect.bisect_left(self.frames, frame)
        if index >= len(self.presented_s):
            return self.presented_s[-1]
        return self.presented_s[index] if self.frames[index] == frame or index else 0.0


def run_times(figures: dict[str, Any]) -> RunTimes:
    frames, dt_ms, _ = _timeline(figures)
    return RunTimes(tuple(frames), tuple(total / 1000.0 for total in itertools.accumulate(dt_ms)))


class TransitionSpan(NamedTuple):
    start_s: float
    end_s: float
    name: str


def transition_spans_s(figures: dict[str, Any]) -> list[TransitionSpan]:
    """Every transition, from its "transition begins: NAME" event to its "transition ends",
    in seconds; one still running at the end of the run ends there."""
    _, _, events = _timeline(figures)
    times = run_times(figures)
    spans: list[TransitionSpan] = []
    started: tuple[float, str] | None = None
    for frame, text in events:
        if text.startswith("transition begins"):
            if started is not None:  # a new one cut the last one short
                spans.append(TransitionSpan(started[0], times.at_s(frame), started[1]))
            started = (times.at_s(frame), text.partition(":")[2].strip())
        elif text.startswith("transition ends") and started is not None:
            spans.append(TransitionSpan(started[0], times.at_s(frame), started[1]))
            started = None
    if started is not None:
        spans.append(TransitionSpan(started[0], times.end_s, started[1]))
    return spans


def histogram_bins(figures: dict[str, Any]) -> list[tuple[float, float, int]]:
    """(lo_ms, hi_ms, count) of each non-empty bin. From the timeline, 0.25 ms wide all the
    way: the report's own histogram widens its bins past two periods (to keep the terminal
    chart short), which drawn to scale would make a few late frames look like a wall. A
    report without a timeline gives its own bins."""
    _, dt_ms, _ = _timeline(figures)
    if not dt_ms:
        return [(b["lo_ms"], b["hi_ms"], b["count"]) for b in figures.get("histogram", [])
                if b["count"] > 0]
    counts = Counter(math.floor(dt / HISTOGRAM_BIN_MS) for dt in dt_ms)
    return [(index * HISTOGRAM_BIN_MS, (index + 1) * HISTOGRAM_BIN_MS, count)
            for index, count in sorted(counts.items())]


def event_times_s(figures: dict[str, Any], prefix: str) -> list[float]:
    """When each event whose text starts with `prefix` happened, in seconds."""
    _, _, events = _timeline(figures)
    times = run_times(figures)
    return [times.at_s(frame) for frame, text in events if text.startswith(prefix)]


# --- layout ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rect:
    """A plot area in pixels; right and bottom are the last pixels inside it."""

    left: int
    top: int
    right: int
    bottom: int


@dataclass(frozen=True)
class Axis:
    """Maps values to pixels linearly, or by their logarithm; `lo_px` is where `lo` is drawn
    (the bottom of a y axis, whose pixels count downwards)."""

    lo: float
    hi: float
    lo_px: int
    hi_px: int
    log: bool = False

    def px(self, value: float) -> int:
        lo, hi = self.lo, self.hi
        if self.log:
            value, lo, hi = math.log10(max(value, lo)), math.log10(lo), math.log10(hi)
        fraction = (value - lo) / (hi - lo)
        return round(self.lo_px + fraction * (self.hi_px - self.lo_px))


@dataclass(frozen=True)
class PanelLayout:
    """Where one display's plots are, and their axes."""

    figures: dict[str, Any]
    top_px: int  # the panel's title line
    histogram: Rect
    histogram_x: Axis  # dt ms
    histogram_y: Axis  # frames, log
    overflow: Rect | None  # the bar of dts past histogram_x.hi, when there are any
    timeline: Rect
    timeline_x: Axis  # seconds since measuring began
    timeline_y: Axis  # dt ms
    period_ms: float
    times: RunTimes

    def histogram_x_px(self, dt_ms: float) -> int:
        return self.histogram_x.px(dt_ms)

    def histogram_y_px(self, count: float) -> int:
        return self.histogram_y.px(count)

    def timeline_x_px(self, seconds: float) -> int:
        return self.timeline_x.px(seconds)

    def timeline_y_px(self, dt_ms: float) -> int:
        return self.timeline_y.px(min(dt_ms, self.timeline_y.hi))

    def frame_x_px(self, frame: int) -> int:
        """The timeline's x of the loop frame `frame` (when it was presented)."""
        return self.timeline_x_px(self.times.at_s(frame))


@dataclass(frozen=True)
class PlotLayout:
    """The whole picture: its size, the header's lines and a panel per display, top down."""

    width_px: int
    height_px: int
    header_lines: list[str]
    panels: list[PanelLayout]


def _nice_step(span: float, max_ticks: int) -> float:
    """The smallest of 1, 2, 5 x 10^k that cuts `span` into at most `max_ticks` steps."""
    if span <= 0:
        return 1.0
    step = 10.0 ** math.floor(math.log10(span / max_ticks))
    for factor in (1, 2, 5, 10):
        if span / (step * factor) <= max_ticks:
            return step * factor
    return step * 10


def _histogram_x_hi_ms(bins: list[tuple[float, float, int]], period: float) -> float:
    top_ms = max((hi_ms for _, hi_ms, _ in bins), default=period)
    # Room past the longest bin, so its bar and a period line on it are not at the edge.
    wanted = max(MIN_PERIODS_SHOWN * period, top_ms + 0.35 * period)
    return min(wanted, MAX_PERIODS_SHOWN * period)


def _panel_layout(figures: dict[str, Any], top_px: int) -> PanelLayout:
    period = period_ms(figures)
    left, right = MARGIN_LEFT_PX, WIDTH_PX - MARGIN_RIGHT_PX - 1
    bins = histogram_bins(figures)
    x_hi_ms = _histogram_x_hi_ms(bins, period)
    has_overflow = any(hi_ms > x_hi_ms for _, hi_ms, _ in bins)
    hist_right = right - OVERFLOW_SLOT_PX if has_overflow else right
    hist_top = top_px + PANEL_TITLE_PX
    histogram = Rect(left, hist_top, hist_right, hist_top + HISTOGRAM_PX - 1)
    overflow = Rect(hist_right + 12, histogram.top, right, histogram.bottom) \
        if has_overflow else None
    # A log axis from half a frame, so a bin of one frame still shows a bar.
    most = max((count for _, _, count in bins), default=1)
    count_hi = 10.0 ** max(1, math.ceil(math.log10(most * 1.2)))
    histogram_x = Axis(0.0, x_hi_ms, histogram.left, histogram.right)
    histogram_y = Axis(0.5, count_hi, histogram.bottom, histogram.top, log=True)

    timeline_top = histogram.bottom + 1 + AXIS_LABELS_PX + GAP_PX
    timeline = Rect(left, timeline_top, right, timeline_top + TIMELINE_PX - 1)
    times = run_times(figures)
    end_s = times.end_s or float(figures.get("seconds") or 1.0)
    _, dt_ms, _ = _timeline(figures)
    top_dt_ms = max(dt_ms, default=float(figures["dt_ms"].get("max") or period))
    y_hi_ms = min(max(TIMELINE_MIN_PERIODS * period, top_dt_ms * 1.12),
                  TIMELINE_MAX_PERIODS * period)
    timeline_x = Axis(0.0, max(end_s, 1e-3), timeline.left, timeline.right)
    timeline_y = Axis(0.0, y_hi_ms, timeline.bottom, timeline.top)
    return PanelLayout(figures, top_px, histogram, histogram_x, histogram_y, overflow,
                       timeline, timeline_x, timeline_y, period, times)


def _panel_height_px() -> int:
    return (PANEL_TITLE_PX + HISTOGRAM_PX + AXIS_LABELS_PX + GAP_PX + TIMELINE_PX
            + AXIS_LABELS_PX + LEGEND_PX + PANEL_GAP_PX)


def _format_setting(key: str, value: Any) -> str:
    if isinstance(value, list | tuple):
        value = ",".join(str(item) for item in value)
        value = value if len(value) <= 48 else value[:45] + "..."
    if key.endswith("_s") and isinstance(value, int | float):
        return f"{key[:-2].replace('_', ' ')} {value:g} s"
    return f"{key.replace('_', ' ')} {value}"


def header_lines(displays: Sequence[dict[str, Any]]) -> list[str]:
    """The figure's labels: what ran, on what, with which settings."""
    first = displays[0]
    machine = first.get("machine") or {}
    names = ", ".join(str(figures.get("display", "?")) for figures in displays)
    lines = [f"slideshow bench: frame times (dt) of {len(displays)} display"
             f"{'s' if len(displays) > 1 else ''} ({names})"]
    machine_text = ", ".join(part for part in (
        machine.get("platform"), f"{machine['cpus']} CPUs" if machine.get("cpus") else None,
        f"Python {machine['python']}" if machine.get("python") else None) if part)
    lines.append(f"machine: {machine_text or 'unknown'}    "
                 f"renderer: {first.get('renderer', 'unknown')}")
    settings = first.get("settings")
    if settings:
        lines.append("settings: " + ", ".join(_format_setting(k, v) for k, v in settings.items()))
    return lines


def plot_layout(displays: Sequence[dict[str, Any]]) -> PlotLayout:
    """The pixel layout of the plot of `displays` (each display's figures, as in the JSON)."""
    if not displays:
        raise ValueError("nothing to plot: no display's figures")
    lines = header_lines(displays)
    top_px = 16 + HEADER_LINE_PX * len(lines) + 10
    panels = []
    for figures in displays:
        panels.append(_panel_layout(figures, top_px))
        top_px += _panel_height_px()
    return PlotLayout(WIDTH_PX, top_px, lines, panels)


# --- drawing -----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Fonts:
    title: ImageFont.FreeTypeFont | ImageFont.ImageFont
    text: ImageFont.FreeTypeFont | ImageFont.ImageFont
    small: ImageFont.FreeTypeFont | ImageFont.ImageFont


def _font(size_px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size_px)  # scalable with FreeType, Pillow >= 10.1
    except (TypeError, OSError, ImportError):
        return ImageFont.load_default()  # Pillow without FreeType: a small bitmap font


def _fonts() -> _Fonts:
    return _Fonts(title=_font(22), text=_font(16), small=_font(14))


def _dashed_vline(draw: ImageDraw.ImageDraw, x_px: int, top_px: int, bottom_px: int,
                  colour: tuple[int, int, int], dash_px: int = 6) -> None:
    for y_px in range(top_px, bottom_px + 1, 2 * dash_px):
        draw.line([(x_px, y_px), (x_px, min(y_px + dash_px - 1, bottom_px))], fill=colour, width=1)


def _dashed_hline(draw: ImageDraw.ImageDraw, y_px: int, left_px: int, right_px: int,
                  colour: tuple[int, int, int], dash_px: int = 8) -> None:
    for x_px in range(left_px, right_px + 1, 2 * dash_px):
        draw.line([(x_px, y_px), (min(x_px + dash_px - 1, right_px), y_px)], fill=colour, width=2)


def _text_size(draw: ImageDraw.ImageDraw, text: str, font: Any) -> tuple[int, int]:
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    return right - left, bottom - top


def _format_count(count: float) -> str:
    return f"{count / 1000:g}k" if count >= 10_000 else f"{count:g}"


def _draw_panel_title(draw: ImageDraw.ImageDraw, panel: PanelLayout, fonts: _Fonts) -> None:
    figures = panel.figures
    size = figures.get("size") or ["?", "?"]
    title = (f"display {figures.get('display', '?')}: {size[0]}x{size[1]} "
             f"{figures.get('surface', '')}, vsync {figures.get('vsync', '?')} at "
             f"{1000.0 / panel.period_ms:.2f} Hz (period {panel.period_ms:.3f} ms), "
             f"{figures['frames']} frames in {float(figures.get('seconds') or 0):.1f} s")
    draw.text((MARGIN_LEFT_PX - 70, panel.top_px), title, fill=INK, font=fonts.title)
    dt, gc = figures["dt_ms"], figures.get("gc") or {}
    summary = (f"dt ms  p50 {dt['p50']:.3f}  p90 {dt.get('p90', 0):.3f}  p99 {dt['p99']:.3f}  "
               f"p99.9 {dt.get('p999', 0):.3f}  max {dt.get('max', 0):.3f}     "
               f"missed vsyncs {figures['missed_vsyncs']}")
    if gc:
        summary += (f"     GC pauses inside a frame {gc.get('in_frame', 0)} "
                    f"(longest pause {gc.get('max_pause_ms', 0):.1f} ms)")
    draw.text((MARGIN_LEFT_PX - 70, panel.top_px + 30), summary, fill=FAINT_INK, font=fonts.text)


def _draw_histogram(draw: ImageDraw.ImageDraw, panel: PanelLayout, fonts: _Fonts) -> None:
    area, x_axis, y_axis = panel.histogram, panel.histogram_x, panel.histogram_y
    # Decades of the log count axis.
    decade = 1.0
    while decade <= y_axis.hi:
        y_px = y_axis.px(decade)
        draw.line([(area.left, y_px), (area.right, y_px)], fill=GRID)
        label = _format_count(decade)
        width, height = _text_size(draw, label, fonts.small)
        draw.text((area.left - 8 - width, y_px - height // 2 - 3), label, fill=INK,
                  font=fonts.small)
        decade *= 10
    # The dt axis's ticks.
    step_ms = _nice_step(x_axis.hi - x_axis.lo, 16)
    tick_ms = 0.0
    while tick_ms <= x_axis.hi + 1e-9:
        x_px = x_axis.px(tick_ms)
        draw.line([(x_px, area.bottom + 1), (x_px, area.bottom + 5)], fill=INK)
        label = f"{tick_ms:g}"
        width, _ = _text_size(draw, label, fonts.small)
        draw.text((x_px - width // 2, area.bottom + 8), label, fill=INK, font=fonts.small)
        tick_ms += step_ms
    has_timeline = bool(_timeline(panel.figures)[1])
    axis_name = f"dt (ms), bins of {HISTOGRAM_BIN_MS:g} ms" if has_timeline \
        else "dt (ms), the report's bins"
    width, _ = _text_size(draw, axis_name, fonts.text)
    draw.text(((area.left + area.right - width) // 2, area.bottom + 26), axis_name, fill=INK,
              font=fonts.text)
    draw.text((8, area.top - 24), "frames (log)", fill=INK, font=fonts.small)
    # The period multiples, behind the bars.
    multiple = 1
    while multiple * panel.period_ms <= x_axis.hi:
        x_px = x_axis.px(multiple * panel.period_ms)
        _dashed_vline(draw, x_px, area.top, area.bottom, PERIOD_LINE)
        label = f"{multiple}x period ({multiple * panel.period_ms:.2f} ms)" if multiple == 1 \
            else f"{multiple}x"
        width, _ = _text_size(draw, label, fonts.small)
        label_x_px = x_px + 4 if x_px + 4 + width < area.right - 2 else x_px - 4 - width
        draw.text((label_x_px, area.top + 2), label, fill=PERIOD_LINE, font=fonts.small)
        multiple += 1
    overflow_count = 0
    for lo_ms, hi_ms, count in histogram_bins(panel.figures):
        if hi_ms > x_axis.hi:
            overflow_count += count
            continue
        x0_px, x1_px = x_axis.px(lo_ms), x_axis.px(hi_ms)
        # A pixel's gap between neighbouring bars where they are wide enough to afford it.
        x1_px = max(x0_px, x1_px - 1 if x1_px - x0_px >= 3 else x1_px)
        draw.rectangle([x0_px, y_axis.px(count), x1_px, area.bottom], fill=BAR)
    if panel.overflow is not None and overflow_count:
        slot = panel.overflow
        draw.rectangle([slot.left + 6, y_axis.px(overflow_count), slot.right - 6, slot.bottom],
                       fill=BAR)
        label = f"> {x_axis.hi:.0f}"
        width, _ = _text_size(draw, label, fonts.small)
        draw.text(((slot.left + slot.right - width) // 2, slot.bottom + 8), label, fill=INK,
                  font=fonts.small)
        count_label = str(overflow_count)
        width, height = _text_size(draw, count_label, fonts.small)
        draw.text(((slot.left + slot.right - width) // 2, y_axis.px(overflow_count) - height - 8),
                  count_label, fill=INK, font=fonts.small)
    draw.rectangle([area.left, area.top, area.right, area.bottom], outline=INK)


def _draw_timeline(draw: ImageDraw.ImageDraw, panel: PanelLayout, fonts: _Fonts) -> None:
    area, x_axis, y_axis = panel.timeline, panel.timeline_x, panel.timeline_y
    figures = panel.figures
    _, dt_ms, _ = _timeline(figures)
    # Transitions first: everything else is drawn over their shade. Their names go along
    # the bottom, where a frame's dt never is, when they end before the next transition.
    placed: list[tuple[int, int, int, int]] = []  # text boxes, which later labels avoid
    spans = transition_spans_s(figures)
    for index, (start_s, end_s, name) in enumerate(spans):
        next_px = x_axis.px(spans[index + 1].start_s) if index + 1 < len(spans) else area.right
        x0_px, x1_px = x_axis.px(start_s), x_axis.px(end_s)
        if x1_px < x0_px:
            continue
        draw.rectangle([x0_px, area.top + 1, x1_px, area.bottom - 1], fill=TRANSITION_SPAN)
        width, height = _text_size(draw, name, fonts.small)
        if name and x0_px + 4 + width + 8 <= next_px:
            top = area.bottom - TICK_LEN_PX - height - 6
            draw.text((x0_px + 4, top - 3), name, fill=FAINT_INK, font=fonts.small)
            placed.append((x0_px + 4, top, x0_px + 4 + width, top + height + 4))
    # The dt axis's ticks and grid.
    step_ms = _nice_step(y_axis.hi, 8)
    tick_ms = 0.0
    while tick_ms <= y_axis.hi + 1e-9:
        y_px = y_axis.px(tick_ms)
        if tick_ms:
            draw.line([(area.left + 1, y_px), (area.right - 1, y_px)], fill=GRID)
        label = f"{tick_ms:g}"
        width, height = _text_size(draw, label, fonts.small)
        draw.text((area.left - 8 - width, y_px - height // 2 - 3), label, fill=INK,
                  font=fonts.small)
        tick_ms += step_ms
    draw.text((8, area.top - 24), "dt (ms)", fill=INK, font=fonts.small)
    # The seconds axis.
    step_s = _nice_step(x_axis.hi, 20)
    tick_s = 0.0
    while tick_s <= x_axis.hi + 1e-9:
        x_px = x_axis.px(tick_s)
        draw.line([(x_px, area.bottom + 1), (x_px, area.bottom + 5)], fill=INK)
        label = f"{tick_s:g}"
        width, _ = _text_size(draw, label, fonts.small)
        draw.text((x_px - width // 2, area.bottom + 8), label, fill=INK, font=fonts.small)
        tick_s += step_s
    axis_name = "seconds since measuring began (the sum of the dts)"
    width, _ = _text_size(draw, axis_name, fonts.text)
    draw.text(((area.left + area.right - width) // 2, area.bottom + 26), axis_name, fill=INK,
              font=fonts.text)
    # In the right margin, where no frame's mark or label can cover them.
    for multiple in (1, 2):
        y_px = y_axis.px(multiple * panel.period_ms)
        _dashed_hline(draw, y_px, area.left + 1, area.right - 1, PERIOD_LINE)
        label = f"{multiple}x"
        _, height = _text_size(draw, label, fonts.text)
        draw.text((area.right + 8, y_px - height // 2 - 4), label, fill=PERIOD_LINE,
                  font=fonts.text)
    if not dt_ms:
        draw.text((area.left + 20, area.top + 20), "this report has no timeline (bench before "
                  "timelines were recorded): only the histogram", fill=INK, font=fonts.text)
    else:
        points = [(x_axis.px(t_s), panel.timeline_y_px(dt))
                  for t_s, dt in zip(panel.times.presented_s, dt_ms, strict=True)]
        if len(points) == 1:
            points.append(points[0])
        draw.line(points, fill=DT_LINE, width=1)
    # Photo changes along the top edge, late photos along the bottom one.
    for at_s in event_times_s(figures, "transition begins"):
        x_px = x_axis.px(at_s)
        draw.line([(x_px, area.top + 1), (x_px, area.top + TICK_LEN_PX)], fill=PHOTO_TICK, width=2)
    for at_s in event_times_s(figures, "next photo late"):
        x_px = x_axis.px(at_s)
        draw.line([(x_px, area.bottom - TICK_LEN_PX), (x_px, area.bottom - 1)], fill=LATE_TICK,
                  width=2)
    _draw_slowest(draw, panel, fonts, placed)
    draw.rectangle([area.left, area.top, area.right, area.bottom], outline=INK)
    _draw_legend(draw, panel, fonts)


def _overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _draw_slowest(draw: ImageDraw.ImageDraw, panel: PanelLayout, fonts: _Fonts,
                  placed: list[tuple[int, int, int, int]]) -> None:
    """A ring on each of the slowest frames, with its dt beside it; a label that would
    cover another one (or a text box in `placed`) moves up, then below, then is left out
    (the ring stays)."""
    area = panel.timeline
    radius = SLOW_MARK_RADIUS_PX
    for entry in panel.figures.get("slowest") or []:
        x_px = panel.frame_x_px(entry["frame"])
        y_px = panel.timeline_y_px(entry["dt_ms"])
        draw.ellipse([x_px - radius, y_px - radius, x_px + radius, y_px + radius],
                     outline=SLOW_MARK, width=2)
        label = f"{entry['dt_ms']:.1f} ms"
        width, height = _text_size(draw, label, fonts.small)
        left = min(max(x_px - width // 2, area.left + 2), area.right - width - 2)
        for top in (y_px - radius - height - 6, y_px - radius - 2 * height - 10,
                    y_px + radius + 2, y_px + radius + height + 6):
            box = (left, top, left + width, top + height + 4)
            if top < area.top + 2 or box[3] > area.bottom - 2:
                continue
            if any(_overlaps(box, other) for other in placed):
                continue
            draw.text((left, top - 3), label, fill=SLOW_MARK, font=fonts.small)
            placed.append(box)
            break


def _draw_legend(draw: ImageDraw.ImageDraw, panel: PanelLayout, fonts: _Fonts) -> None:
    x_px, y_px = panel.timeline.left, panel.timeline.bottom + AXIS_LABELS_PX + 4
    for kind, text in (("span", "transition"), ("tick", "photo change (a transition begins)"),
                       ("ring", "slowest frames, with their dt"), ("late", "next photo late"),
                       ("line", "period multiples"), ("dt", "each frame's dt")):
        if kind == "span":
            draw.rectangle([x_px, y_px + 2, x_px + 22, y_px + 16], fill=TRANSITION_SPAN,
                           outline=FAINT_INK)
        elif kind == "tick":
            draw.line([(x_px + 11, y_px + 2), (x_px + 11, y_px + 16)], fill=PHOTO_TICK, width=2)
        elif kind == "ring":
            draw.ellipse([x_px + 6, y_px + 4, x_px + 16, y_px + 14], outline=SLOW_MARK, width=2)
        elif kind == "late":
            draw.line([(x_px + 11, y_px + 2), (x_px + 11, y_px + 16)], fill=LATE_TICK, width=2)
        elif kind == "line":
            _dashed_hline(draw, y_px + 9, x_px, x_px + 22, PERIOD_LINE, dash_px=5)
        else:
            draw.line([(x_px, y_px + 9), (x_px + 22, y_px + 9)], fill=DT_LINE, width=1)
        draw.text((x_px + 30, y_px), text, fill=INK, font=fonts.small)
        x_px += 30 + _text_size(draw, text, fonts.small)[0] + 28


def draw_plot(displays: Sequence[dict[str, Any]]) -> Image.Image:
    """The plot of `displays` (each display's figures, as in bench's JSON) as an RGB image."""
    layout = plot_layout(displays)
    image = Image.new("RGB", (layout.width_px, layout.height_px), BACKGROUND)
    draw = ImageDraw.Draw(image)
    fonts = _fonts()
    for index, line in enumerate(layout.header_lines):
        draw.text((MARGIN_LEFT_PX - 70, 16 + HEADER_LINE_PX * index), line, fill=INK,
                  font=fonts.title if index == 0 else fonts.text)
    for panel in layout.panels:
        _draw_panel_title(draw, panel, fonts)
        _draw_histogram(draw, panel, fonts)
        _draw_timeline(draw, panel, fonts)
    return image


def save_plot(displays: Sequence[dict[str, Any]], path: str | Path) -> None:
    """Draws `displays` and writes the PNG `path` (compressed hard: it is mostly flat colour)."""
    draw_plot(displays).save(path, format="PNG", optimize=True)
