"""FrameStats: summary percentiles, histogram bins and the terminal chart."""

from __future__ import annotations

import numpy as np
import pytest

from slideshow.pacing import FrameStats, FrameTick

PERIOD_S = 1 / 60


def tick(dt_s: float, missed: int = 0) -> FrameTick:
    return FrameTick(frame_index=0, vsync_index=0, dt_s=dt_s, vsyncs=missed + 1, missed=missed,
                     steps=1, anim_time_s=0.0)


def stats_of(dts_s, missed=None, capacity_frames: int = 8) -> FrameStats:
    stats = FrameStats(PERIOD_S, capacity_frames=capacity_frames)
    for i, dt_s in enumerate(dts_s):
        stats.record(tick(dt_s, missed[i] if missed else 0))
    return stats


def test_summary_percentiles_on_known_data():
    dts_s = np.random.default_rng(0).permutation(np.arange(1, 1001)) / 1000  # 1..1000 ms
    stats = stats_of(dts_s)  # capacity 8 grows by doubling to 1024
    assert stats.summary() == {
        "frames": 1000,
        "dt_ms": {"p50": 500.5, "p90": 900.1, "p99": 990.01, "p999": 999.001,
                  "max": 1000.0, "mean": 500.5},
        "missed_vsyncs": 0,
        "planned_repeats": 0,
    }


def test_summary_counts_missed_vsyncs_and_rounds_to_microseconds():
    stats = stats_of([PERIOD_S] * 98 + [3 * PERIOD_S, 2 * PERIOD_S], missed=[0] * 98 + [2, 1])
    summary = stats.summary()
    assert summary["missed_vsyncs"] == 3
    assert summary["dt_ms"]["p50"] == 16.667
    assert summary["dt_ms"]["max"] == 50.0


def test_empty_summary_is_zeros():
    assert stats_of([]).summary() == {
        "frames": 0, "dt_ms": dict.fromkeys(("p50", "p90", "p99", "p999", "max", "mean"), 0.0),
        "missed_vsyncs": 0, "planned_repeats": 0}


def test_histogram_bins_are_a_quarter_ms_near_the_period_and_coarser_beyond():
    bins = stats_of([]).histogram()
    widths = {(lo, hi): hi - lo for lo, hi, _ in bins}
    fine = [(lo, hi) for lo, hi, _ in bins if hi <= 2 * 1000 * PERIOD_S + 0.25]
    assert fine[0] == (0.0, 0.25)
    assert fine[-1] == (33.25, 33.5)  # 2 x 16.667 ms, rounded up to a whole bin
    assert all(widths[b] == 0.25 for b in fine)
    coarse = [(lo, hi) for lo, hi, _ in bins if lo >= 33.5 and hi != float("inf")]
    assert coarse[0] == (33.5, 35.5) and coarse[-1] == (65.5, 67.5)  # up to 4 x period
    assert all(widths[b] == 2.0 for b in coarse)
    assert bins[-1][:2] == (67.5, float("inf"))
    assert [lo for lo, _, _ in bins[1:]] == [hi for _, hi, _ in bins[:-1]]  # contiguous


def test_histogram_counts_land_in_their_bins_and_add_up_to_frames():
    rng = np.random.default_rng(1)
    dts_s = list(rng.normal(PERIOD_S, 0.0002, 500)) + [0.0334, 0.050, 0.100]
    stats = stats_of(dts_s)
    bins = stats.histogram()
    assert sum(n for _, _, n in bins) == stats.frames == 503
    counts = {(lo, hi): n for lo, hi, n in bins}
    dts = np.array(dts_s)
    assert counts[(16.5, 16.75)] == np.count_nonzero((dts >= 0.0165) & (dts < 0.01675))
    assert counts[(16.5, 16.75)] > 200
    assert counts[(33.25, 33.5)] == 1  # a missed vsync lands near 2 x period
    assert counts[(49.5, 51.5)] == 1
    assert counts[(67.5, float("inf"))] == 1


def test_chart_shows_labels_counts_and_the_period_bin():
    stats = stats_of([0.0166] * 60 + [0.0169] * 30 + [0.0334] * 10)
    chart = stats.render_chart(width=40)
    lines = chart.splitlines()
    assert "100 frames" in lines[0] and "16.667 ms" in lines[0] and "linear" in lines[0]
    period_line = next(line for line in lines if "16.50-16.75 ms" in line)
    assert "60 (60.0%)" in period_line and "◀ period" in period_line
    assert "█" * 40 in period_line  # the largest bin fills the width
    assert any("16.75-17.00 ms" in line and "30 (30.0%)" in line for line in lines)
    assert any("33.25-33.50 ms" in line and "10 (10.0%)" in line for line in lines)
    assert sum(1 for line in lines if line.strip() == "⋮") == 1  # one empty run collapsed
    assert "p99" in lines[-1] and "missed vsyncs 0" in lines[-1]


def test_chart_uses_eighth_blocks_for_fractional_bar_ends():
    stats = stats_of([0.0166] * 64 + [0.0169] * 9)  # 9/64 of 8 cells = 1.125 cells
    line = next(line for line in stats.render_chart(width=8).splitlines() if "16.75-17.00" in line)
    assert "|█▏      " in line


def test_chart_switches_to_log_scale_when_one_bin_dominates_and_says_so():
    stats = stats_of([0.0166] * 990 + [0.0334] * 9 + [0.2])
    chart = stats.render_chart(width=30)
    assert "log-scaled" in chart.splitlines()[0] and "99.0%" in chart.splitlines()[0]
    slow = next(line for line in chart.splitlines() if "≥ 67.50 ms" in line)
    assert "1 (" in slow and slow.count("█") >= 2  # visible, not a sliver
    assert "linear" in stats.render_chart(width=30, log_scale=False).splitlines()[0]


def test_chart_of_nothing_says_so():
    assert "no frames recorded" in stats_of([]).render_chart()


def test_bad_period_is_refused():
    with pytest.raises(ValueError):
        FrameStats(0.0, capacity_frames=4)
