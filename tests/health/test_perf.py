"""Live frame metrics (slideshow/health/perf.py): the window's figures from the frames the
loop recorded, one log line and one JSON object per display per window; and `--perf` /
`--perf-json` on a real headless bench."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import pytest

from slideshow.health.perf import (
    DisplayCounts,
    DisplayHealth,
    PerfReporter,
    slowest_phase,
)
from slideshow.loop import PHASES
from slideshow.pacing import FrameStats, GcControl, PhaseTimer, VsyncClock
from slideshow.pacing.fake_time import FakeTime
from tests.support import EMPTY_TOML, REPO

PERIOD_S = 1 / 60
KEYS = {"t", "display", "fps", "frames", "dt_ms", "missed_vsyncs", "planned_repeats", "governor",
        "gc", "slowest_phase", "photos", "worker_restarts", "audio_age_ms"}


def record_frames(stats: FrameStats, phases: PhaseTimer, time: FakeTime, clock: VsyncClock,
                  dt_periods: list[int], slow_phase: str = "draw") -> None:
    """Frames whose present-to-present intervals are the given whole periods; a frame longer
    than a period spent its extra time in `slow_phase`."""
    for periods in dt_periods:
        phases.begin_frame()
        time.advance(0.002 + (periods - 1) * PERIOD_S)
        phases.mark(slow_phase)
        time.advance(periods * PERIOD_S - 0.002 - (periods - 1) * PERIOD_S)
        phases.mark("present")
        stats.record(clock.tick(time.now()))
        phases.end_frame()


@pytest.fixture
def measured():
    time = FakeTime(start_s=100.0)
    clock = VsyncClock(PERIOD_S)
    clock.tick(time.now())
    return time, clock, FrameStats(PERIOD_S, 64), PhaseTimer(PHASES, 64, now=time.now)


def test_a_window_reports_the_frames_since_the_last_one(measured, tmp_path, caplog):
    time, clock, stats, phases = measured
    gc_control = GcControl("python")
    out = tmp_path / "perf.jsonl"
    reporter = PerfReporter(3600.0, gc_control, str(out), now=time.now)  # the thread never fires
    try:
        counts = DisplayCounts(photos_shown=3, late_photos=1, failed=2, worker_restarts=1,
                               audio_age_ms=12.34)
        reporter.add(DisplayHealth("HDMI-1", stats, phases, lambda: counts))
        record_frames(stats, phases, time, clock, [1] * 58 + [3, 1])  # one frame missed 2 vsyncs
        with caplog.at_level(logging.INFO, logger="slideshow.health.perf"):
            reporter.report_now()
            record_frames(stats, phases, time, clock, [1] * 30)
            reporter.report_now()
            reporter.report_now()  # nothing new: no window
    finally:
        reporter.close()
        gc_control.close()
    first, second = (json.loads(line) for line in out.read_text().splitlines())
    assert set(first) == KEYS
    assert first["display"] == "HDMI-1" and first["frames"] == 60
    assert first["fps"] == pytest.approx(60 / (62 * PERIOD_S), abs=0.01)
    assert first["dt_ms"]["max"] == pytest.approx(50.0, abs=0.01)
    assert first["dt_ms"]["p50"] == pytest.approx(16.667, abs=0.01)
    assert first["missed_vsyncs"] == 2
    assert first["slowest_phase"] == "draw"
    assert first["photos"] == {"shown": 3, "late": 1, "failed": 2}
    assert first["worker_restarts"] == 1 and first["audio_age_ms"] == 12.3
    assert second["frames"] == 30 and second["missed_vsyncs"] == 0 and second["fps"] == 60.0
    assert second["t"] > first["t"]
    assert first["planned_repeats"] == 0
    assert first["governor"] == {"frames_scaled": 0, "frames_reduced_cadence": 0, "scale": 1.0,
                                 "cadence": 1}
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert lines[0].startswith("perf HDMI-1: 58.1 fps, dt p50 16.67 ")
    assert "max 50.00 ms, 2 missed vsyncs" in lines[0]
    assert "slowest frame in draw, photos 3 shown 1 late 2 failed, 1 worker restarts, " \
           "audio 12 ms old" in lines[0]


def test_a_window_counts_planned_repeats_and_the_governors_frames_apart_from_misses(measured,
                                                                                    caplog):
    time, clock, stats, phases = measured
    gc_control = GcControl("python")
    reporter = PerfReporter(3600.0, gc_control, "", now=time.now)
    totals = {"scaled": 0}
    try:
        reporter.add(DisplayHealth("DP-1", stats, phases, lambda: DisplayCounts(
            0, 0, 0, 0, None, frames_scaled=totals["scaled"], frames_reduced_cadence=10,
            scale=0.625, cadence=2)))
        for periods in [2] * 9 + [3]:  # a planned half rate, one frame a vsync late
            phases.begin_frame()
            time.advance(periods * PERIOD_S)
            phases.mark("present")
            stats.record(clock.tick(time.now(), 2))
            phases.end_frame()
        totals["scaled"] = 10
        with caplog.at_level(logging.INFO, logger="slideshow.health.perf"):
            reporter.report_now()
    finally:
        reporter.close()
        gc_control.close()
    [line] = [r.getMessage() for r in caplog.records]
    assert "1 missed vsyncs (10 planned repeats; 10 frames scaled, 10 at a reduced cadence)" \
        in line


def test_the_slowest_phase_is_present_only_when_the_swap_itself_came_late():
    work = {"poll": 0.0001, "drain": 0.0002, "upload": 0.004, "update": 0.0001,
            "draw": 0.003, "finish": 0.001}
    assert slowest_phase({**work, "present": 0.012}, PERIOD_S) == "upload"  # waiting for vsync
    assert slowest_phase({**work, "present": 0.030}, PERIOD_S) == "present"  # a late swap


def test_a_display_that_ends_reports_its_last_frames(measured, tmp_path):
    time, clock, stats, phases = measured
    gc_control = GcControl("python")
    out = tmp_path / "perf.jsonl"
    reporter = PerfReporter(3600.0, gc_control, str(out), now=time.now)
    try:
        reporter.add(DisplayHealth("", stats, phases, lambda: DisplayCounts(0, 0, 0, 0, None)))
        record_frames(stats, phases, time, clock, [1] * 10)
        reporter.remove("")
        record_frames(stats, phases, time, clock, [1] * 10)  # after it left: not reported
    finally:
        reporter.close()
        gc_control.close()
    [window] = [json.loads(line) for line in out.read_text().splitlines()]
    assert window["display"] == "window" and window["frames"] == 10
    assert window["audio_age_ms"] is None


def test_bench_perf_logs_and_writes_a_window_every_half_second(tmp_path):
    out = tmp_path / "perf.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "slideshow", "bench", "--headless", "--size", "160x90",
         "--seconds", "3", "--interval", "0.5", "--transition", "0.1", "--perf", "0.5",
         "--perf-json", str(out), "--config", str(EMPTY_TOML)],
        capture_output=True, text=True, timeout=180, cwd=REPO)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if "slideshow.health.perf: perf " in line]
    windows = [json.loads(line) for line in out.read_text().splitlines()]
    # 3 s of frames in windows of 0.5 s, and the last part when the display ends.
    assert len(lines) >= 4 and len(windows) == len(lines)
    for window in windows:
        assert set(window) == KEYS and window["display"] == "window" and window["frames"] > 0
        assert set(window["dt_ms"]) == {"p50", "p99", "max"} and window["fps"] > 0
        assert set(window["photos"]) == {"shown", "late", "failed"}
    assert [w["t"] for w in windows] == sorted(w["t"] for w in windows)
    assert sum(w["frames"] for w in windows) == json_frames(result.stdout)


def json_frames(stdout: str) -> int:
    """The bench's own count of measured frames, from its report's first line."""
    first = next(line for line in stdout.splitlines() if line.startswith("slideshow bench: "))
    return int(first.split()[2])


def test_a_perf_json_in_a_missing_folder_is_refused_before_the_run(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "slideshow", "bench", "--headless", "--size", "160x90",
         "--seconds", "3", "--perf-json", str(tmp_path / "missing" / "perf.jsonl"),
         "--config", str(EMPTY_TOML)], capture_output=True, text=True, timeout=180, cwd=REPO)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    [line] = [line for line in result.stderr.splitlines() if line.startswith("slideshow: error:")]
    assert "--perf-json" in line and "missing" in line
