"""`slideshow bench --plot`: the picture of a known, synthetic run is read back and looked at
where the plot's own layout says each thing must be (the histogram's bars, the slow
frames' marks, the transition's shade); and one real headless bench writes a plot that
`--plot --from` its JSON draws again, pixel for pixel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from typing import Any

import pytest
from PIL import Image

from slideshow.health import bench_plot
from slideshow.health.bench_plot import (
    BACKGROUND,
    BAR,
    DT_LINE,
    PHOTO_TICK,
    SLOW_MARK,
    TRANSITION_SPAN,
    PanelLayout,
    draw_plot,
    plot_layout,
    run_times,
    save_plot,
    transition_spans_s,
)
from tests.support import EMPTY_TOML, REPO

PERIOD_MS = 1000.0 / 60.0
FRAMES = 600
FIRST_FRAME = 5  # loop frames before it were warm-up, not measured
SLOW_FRAMES = (150, 300, 450)  # 2 periods each
TRANSITION = (200, 260)  # loop frames where it begins and ends


def synthetic_figures(display: str = "window", slow_frames: tuple[int, ...] = SLOW_FRAMES,
                      slow_ms: float = 2 * PERIOD_MS) -> dict[str, Any]:
    """A bench report of 600 frames at one period, with `slow_frames` at `slow_ms`, a
    transition from frame 200 to 260, and the histogram and slowest frames that go with it."""
    frames = list(range(FIRST_FRAME, FIRST_FRAME + FRAMES))
    dt_ms = [round(slow_ms if frame in slow_frames else PERIOD_MS, 3) for frame in frames]
    bins = Counter(int(dt // 0.25) for dt in dt_ms)
    histogram = [{"lo_ms": index * 0.25, "hi_ms": index * 0.25 + 0.25, "count": count}
                 for index, count in sorted(bins.items())]
    times_s = run_times({"timeline": {"frame": frames, "dt_ms": dt_ms, "events": []}}).presented_s
    slowest = [{"frame": frame, "at_s": round(times_s[frames.index(frame)], 3),
                "dt_ms": round(slow_ms, 3), "phase_ms": {"draw": 1.0}, "outside_ms": 0.1,
                "events": []} for frame in slow_frames]
    events = [[FIRST_FRAME - 2, "photo taken: a.jpg"], [TRANSITION[0] - 1, "composed"],
              [TRANSITION[0], "transition begins: crossfade"], [TRANSITION[1], "transition ends"]]
    return {
        "frames": FRAMES, "seconds": round(sum(dt_ms) / 1000, 3), "refresh_hz": 60.0,
        "vsync": "paced",
        "dt_ms": {"p50": 16.667, "p90": 16.667, "p99": 33.333, "p999": 33.333,
                  "max": max(dt_ms), "mean": 16.75},
        "missed_vsyncs": len(slow_frames),
        "phase_ms": {"draw": {"p50": 1.0, "p99": 2.0, "max": 3.0}},
        "gc": {"collections": 2, "in_frame": 0, "max_pause_ms": 0.5},
        "histogram": histogram, "slowest": slowest,
        "timeline": {"frame": frames, "dt_ms": dt_ms, "events": events},
        "show": {"photos_shown": 2}, "audio": {}, "surface": "headless", "size": [1280, 720],
        "renderer": "llvmpipe (test)", "display": display,
        "machine": {"cpus": 2, "platform": "Linux-test", "python": "3.11"},
        "settings": {"interval_s": 2.0, "transition_s": 1.0, "pool": ["crossfade"]},
    }


def colour_count(image: Image.Image, colour: tuple[int, int, int],
                 box: tuple[int, int, int, int]) -> int:
    """Pixels of exactly `colour` in box (left, top, right, bottom), all inclusive."""
    left, top, right, bottom = box
    region = image.crop((left, top, right + 1, bottom + 1))
    return sum(count for count, pixel in region.getcolors(region.width * region.height)
               if pixel == colour)


def column(panel_rect: bench_plot.Rect, x_px: int) -> tuple[int, int, int, int]:
    return (x_px, panel_rect.top + 1, x_px, panel_rect.bottom - 1)


@pytest.fixture(scope="module")
def plotted() -> tuple[Image.Image, PanelLayout]:
    figures = synthetic_figures()
    return draw_plot([figures]), plot_layout([figures]).panels[0]


def test_the_picture_is_at_least_1200_by_700(plotted):
    image, _ = plotted
    assert image.width >= 1200 and image.height >= 700


def test_histogram_bars_stand_at_one_and_two_periods_as_tall_as_their_log_counts(plotted):
    image, panel = plotted
    area = panel.histogram
    for lo_ms, count in ((16.5, FRAMES - len(SLOW_FRAMES)), (33.25, len(SLOW_FRAMES))):
        x_px = panel.histogram_x_px(lo_ms + 0.125)
        top_px = panel.histogram_y_px(count)
        assert image.getpixel((x_px, area.bottom - 1)) == BAR
        assert image.getpixel((x_px, top_px + 1)) == BAR
        # Not taller than its count: nothing of the bar a few pixels above its top.
        assert colour_count(image, BAR, (x_px, area.top + 1, x_px, top_px - 3)) == 0
    # 597 frames stand higher than 3 on the log axis, and 3 higher than a single frame.
    assert panel.histogram_y_px(597) < panel.histogram_y_px(3) < panel.histogram_y_px(1) \
        < area.bottom


def test_an_empty_bin_has_no_bar(plotted):
    image, panel = plotted
    for empty_ms in (10.0, 25.0, 45.0):
        x_px = panel.histogram_x_px(empty_ms + 0.125)
        assert colour_count(image, BAR, column(panel.histogram, x_px)) == 0


def test_bins_are_a_quarter_ms_everywhere_though_the_reports_own_widen_in_the_tail():
    # The report's histogram groups the tail into 2 ms bins; the timeline has each dt.
    figures = synthetic_figures(slow_frames=(300,), slow_ms=50.1)
    figures["histogram"] = [b for b in figures["histogram"] if b["lo_ms"] < 20]
    figures["histogram"].append({"lo_ms": 49.5, "hi_ms": 51.5, "count": 1})
    panel = plot_layout([figures]).panels[0]
    image = draw_plot([figures])
    assert colour_count(image, BAR, column(panel.histogram, panel.histogram_x_px(50.125))) > 0
    for empty_ms in (49.625, 50.625, 51.375):
        x_px = panel.histogram_x_px(empty_ms)
        assert colour_count(image, BAR, column(panel.histogram, x_px)) == 0


def test_the_histogram_axis_reaches_past_three_periods(plotted):
    _, panel = plotted
    assert panel.histogram_x.lo == 0 and panel.histogram_x.hi >= 3 * PERIOD_MS


def test_slow_frames_are_marked_where_they_were_presented_and_nowhere_else(plotted):
    image, panel = plotted
    radius = bench_plot.SLOW_MARK_RADIUS_PX + 2
    for frame in SLOW_FRAMES:
        x_px, y_px = panel.frame_x_px(frame), panel.timeline_y_px(2 * PERIOD_MS)
        ring = (x_px - radius, y_px - radius, x_px + radius, y_px + radius)
        assert colour_count(image, SLOW_MARK, ring) > 8
        # The dt line reaches up to the slow frame.
        assert colour_count(image, DT_LINE, (x_px - 1, y_px - 2, x_px + 1, y_px + 2)) > 0
    for frame in (100, 380):  # ordinary frames: no ring near them
        x_px, y_px = panel.frame_x_px(frame), panel.timeline_y_px(PERIOD_MS)
        assert colour_count(image, SLOW_MARK, (x_px - 30, panel.timeline.top, x_px + 30,
                                               panel.timeline.bottom)) == 0
        assert colour_count(image, DT_LINE, (x_px, y_px - 1, x_px, y_px + 1)) > 0


def test_the_slow_frames_x_is_their_presentation_time(plotted):
    _, panel = plotted
    # Frame 150 is the 146th measured frame: 145 periods before it, and its own 2.
    at_s = (145 * PERIOD_MS + 2 * PERIOD_MS) / 1000
    assert abs(panel.frame_x_px(150) - panel.timeline_x_px(at_s)) <= 1


def test_the_transition_is_shaded_over_its_span_and_not_outside(plotted):
    image, panel = plotted
    [(start_s, end_s, name)] = transition_spans_s(panel.figures)
    assert name == "crossfade"
    x0_px, x1_px = panel.timeline_x_px(start_s), panel.timeline_x_px(end_s)
    assert x1_px - x0_px > 20  # a second of 10: wide enough to look inside
    height_px = panel.timeline.bottom - panel.timeline.top
    for x_px in (x0_px + 2, (x0_px + x1_px) // 2, x1_px - 2):
        assert colour_count(image, TRANSITION_SPAN, column(panel.timeline, x_px)) > height_px // 2
    for x_px in (x0_px - 3, x1_px + 3, panel.timeline.left + 5, panel.timeline.right - 5):
        assert colour_count(image, TRANSITION_SPAN, column(panel.timeline, x_px)) == 0


def test_the_photo_change_is_ticked_at_the_top_where_the_transition_begins(plotted):
    image, panel = plotted
    x_px = panel.frame_x_px(TRANSITION[0])
    top = panel.timeline.top
    assert colour_count(image, PHOTO_TICK, (x_px - 1, top + 2, x_px + 1, top + 8)) > 0
    elsewhere = panel.frame_x_px(400)
    assert colour_count(image, PHOTO_TICK, (elsewhere - 1, top + 2, elsewhere + 1, top + 8)) == 0


def test_events_before_the_first_measured_frame_are_at_zero_and_after_the_last_at_the_end():
    times = run_times(synthetic_figures())
    assert times.at_s(0) == 0.0 and times.at_s(FIRST_FRAME - 1) == 0.0
    assert times.at_s(FIRST_FRAME) == pytest.approx(PERIOD_MS / 1000, abs=1e-6)
    assert times.at_s(10_000) == times.end_s


def test_a_transition_still_running_at_the_end_is_shaded_to_the_end():
    figures = synthetic_figures()
    figures["timeline"]["events"] = [[590, "transition begins: wipe-left"]]
    [(start_s, end_s, name)] = transition_spans_s(figures)
    assert name == "wipe-left"
    assert end_s == run_times(figures).end_s and start_s < end_s


def test_several_displays_get_a_panel_each_one_below_the_other():
    displays = [synthetic_figures("DP-1"), synthetic_figures("HDMI-1", slow_frames=(100,))]
    layout = plot_layout(displays)
    first, second = layout.panels
    assert first.timeline.bottom < second.top_px and second.timeline.bottom < layout.height_px
    image = draw_plot(displays)
    assert image.size == (layout.width_px, layout.height_px)
    x_px = second.frame_x_px(100)
    y_px = second.timeline_y_px(2 * PERIOD_MS)
    assert colour_count(image, SLOW_MARK, (x_px - 7, y_px - 7, x_px + 7, y_px + 7)) > 8
    assert colour_count(image, SLOW_MARK, (second.frame_x_px(300) - 7, second.timeline.top,
                                           second.frame_x_px(300) + 7, second.timeline.bottom)) == 0


def test_a_frame_far_past_the_axes_goes_into_the_overflow_bar_and_is_clipped_in_the_timeline():
    figures = synthetic_figures(slow_frames=(300,), slow_ms=400.0)
    panel = plot_layout([figures]).panels[0]
    image = draw_plot([figures])
    assert panel.histogram_x.hi < 400 and panel.overflow is not None
    centre_px = (panel.overflow.left + panel.overflow.right) // 2
    assert image.getpixel((centre_px, panel.histogram.bottom - 1)) == BAR
    # Drawn at the top of the timeline, with its ring there.
    y_px = panel.timeline_y_px(400.0)
    assert y_px == panel.timeline.top
    x_px = panel.frame_x_px(300)
    assert colour_count(image, SLOW_MARK, (x_px - 7, y_px, x_px + 7, y_px + 7)) > 4


def test_a_report_without_a_timeline_still_draws_its_histogram():
    figures = synthetic_figures()
    del figures["timeline"], figures["slowest"]
    image = draw_plot([figures])
    panel = plot_layout([figures]).panels[0]
    assert image.getpixel((panel.histogram_x_px(16.625), panel.histogram.bottom - 1)) == BAR
    assert colour_count(image, DT_LINE, (panel.timeline.left + 1, panel.timeline.top + 1,
                                         panel.timeline.right - 1, panel.timeline.bottom - 1)) == 0


def test_save_plot_writes_a_png_that_reads_back_the_same(tmp_path):
    figures = synthetic_figures()
    save_plot([figures], tmp_path / "plot.png")
    with Image.open(tmp_path / "plot.png") as saved:
        assert saved.format == "PNG"
        assert saved.convert("RGB").tobytes() == draw_plot([figures]).tobytes()
    assert (tmp_path / "plot.png").stat().st_size < 300_000


def test_the_background_is_plain(plotted):
    image, _ = plotted
    assert image.getpixel((2, image.height - 2)) == BACKGROUND


# --- the command ---------------------------------------------------------------------------

def run_bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "slideshow", "bench", *args], cwd=REPO,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True,
                          text=True, timeout=180)


def test_bench_plots_a_real_run_and_the_saved_json_plots_the_same_picture(tmp_path):
    plot, saved, again = tmp_path / "run.png", tmp_path / "run.json", tmp_path / "again.png"
    done = run_bench("--headless", "--size", "160x90", "--frames", "150", "--interval", "0.5",
                     "--transition", "0.1", "--config", str(EMPTY_TOML), "--plot", str(plot),
                     "--json", str(saved))
    assert done.returncode == 0, done.stderr
    assert f"plot written to {plot}" in done.stdout
    figures = json.loads(saved.read_text())
    assert figures["settings"]["interval_s"] == 0.5 and figures["settings"]["transition_s"] == 0.1
    with Image.open(plot) as image:
        layout = plot_layout([figures])
        assert image.size == (layout.width_px, layout.height_px)
        assert image.width >= 1200 and image.height >= 700
        drawn = image.convert("RGB")
    # The run's 150 frames are in the histogram, near one period.
    panel = layout.panels[0]
    assert colour_count(drawn, BAR, (panel.histogram.left, panel.histogram.top,
                                     panel.histogram.right, panel.histogram.bottom)) > 0
    done = run_bench("--plot", str(again), "--from", str(saved))
    assert done.returncode == 0, done.stderr
    with Image.open(again) as replotted:
        assert replotted.convert("RGB").tobytes() == drawn.tobytes()


@pytest.mark.parametrize(("args", "message"), [
    (("--plot", "out.jpg"), "option --plot = 'out.jpg': the name must end in .png"),
    (("--plot", "no/such/folder/out.png"), "option --plot = 'no/such/folder/out.png': the folder"),
    (("--from", "run.json"), "option --from: only with --plot FILE.png"),
    (("--plot", "x.png", "--from", "missing.json"), "option --from: no such file: missing.json"),
    (("--plot", "x.png", "--from", "run.json", "--json", "y.json"),
     "option --from: nothing runs with it, so --json cannot go with it"),
])
def test_bad_plot_options_end_at_once_with_one_line(tmp_path, args, message):
    done = subprocess.run([sys.executable, "-m", "slideshow", "bench", "--headless",
                           "--config", str(EMPTY_TOML), *args], cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith(f"slideshow: error: {message}")
    assert not (tmp_path / "out.jpg").exists() and not (tmp_path / "x.png").exists()
