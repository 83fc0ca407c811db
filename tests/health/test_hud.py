"""The HUD (slideshow/health/hud.py with gpu/hud_graph.py, gpu/caption_layer.py and
gpu/frame_timer.py): its figures from the frame statistics, its graph's pixels on a real
EGL context, its text made off the render thread, its GPU time read back without waiting,
and nothing drawn while it is off."""

from __future__ import annotations

import time

import numpy as np
import pytest

from slideshow.gpu.caption_layer import CaptionLayer
from slideshow.gpu.frame_timer import FrameTimer
from slideshow.gpu.hud_graph import SAMPLES, HudGraph
from slideshow.health.hud import Hud, HudText, hud_lines
from slideshow.pacing import FrameStats, VsyncClock
from slideshow.pacing.fake_time import FakeTime

PERIOD_S = 1 / 60
SIZE = (480, 270)
MARGIN_PX = 8
BLUE = (0, 0, 255)


def stats_of(dt_periods: list[int]) -> FrameStats:
    time_ = FakeTime(start_s=10.0)
    clock = VsyncClock(PERIOD_S)
    clock.tick(time_.now())
    stats = FrameStats(PERIOD_S, 8192)
    for periods in dt_periods:
        time_.advance(periods * PERIOD_S)
        stats.record(clock.tick(time_.now()))
    return stats


def test_the_figures_count_the_last_second_and_the_last_minute():
    # At 60 Hz: 5 frames of 3 periods (10 missed vsyncs) more than a minute ago; in the last
    # minute 2 of 2 periods and 1 of 4 (5 missed), the 4-period one within the last second.
    periods = [1] * 3600 + [3] * 5 + [1] * 3200 + [2, 2] + [1] * 500 + [4] + [1] * 30
    lines = hud_lines(stats_of(periods), 0.42, PERIOD_S)
    assert lines[1] == "5 missed vsyncs in the last minute"
    assert lines[2] == "GPU 0.42 ms a frame"
    # The last second: the last 30 frames, the 4-period one and 26 before it.
    assert lines[0] == "57.0 fps   worst 66.7 ms"
    assert hud_lines(stats_of([]), None, PERIOD_S) == ["waiting for frames"]
    assert hud_lines(stats_of([1] * 10), None, PERIOD_S)[2] == "GPU time: not measured yet"


def test_planned_repeats_are_not_missed_vsyncs_and_the_governors_work_is_shown():
    class FakeGovernorState:  # what the frame-cost governor did last (slideshow/pacing/governor.py)
        last_scale, last_cadence = 0.71875, 2

    time_ = FakeTime(start_s=10.0)
    clock = VsyncClock(PERIOD_S)
    clock.tick(time_.now())
    stats = FrameStats(PERIOD_S, 512)
    # 40 frames at a planned half rate, one of them 3 periods late (1 missed), then 20 at 60.
    for periods, cadence in [(2, 2)] * 20 + [(3, 2)] + [(2, 2)] * 19 + [(1, 1)] * 20:
        time_.advance(periods * PERIOD_S)
        stats.record(clock.tick(time_.now(), cadence))
    lines = hud_lines(stats, None, PERIOD_S, governor=FakeGovernorState())
    assert lines[1] == "1 missed vsync in the last minute"
    assert lines[3] == "drawn at 72% size, every 2nd vsync"
    assert len(hud_lines(stats, None, PERIOD_S)) == 3  # no governor, no line
    FakeGovernorState.last_scale, FakeGovernorState.last_cadence = 1.0, 5  # a still held by plan
    assert hud_lines(stats, None, PERIOD_S, governor=FakeGovernorState())[3] == \
        "drawn at 100% size, every 5th vsync"


@pytest.fixture
def target(egl_surface):
    """A 480x270 framebuffer cleared to blue, bound, in the shared EGL context."""
    ctx = egl_surface.ctx
    fbo = ctx.simple_framebuffer(SIZE)
    fbo.use()
    fbo.clear(*(c / 255 for c in BLUE), 1.0)
    yield ctx, fbo
    fbo.release()
    egl_surface.use()


def pixels(fbo) -> np.ndarray:
    """(height, width, 3) rows bottom first (GL order): pixel (x, y) is [y, x]."""
    return np.frombuffer(fbo.read(components=3), np.uint8).reshape(SIZE[1], SIZE[0], 3)


def test_the_graph_draws_a_bar_per_frame_coloured_by_its_lateness(target):
    ctx, fbo = target
    graph = HudGraph(ctx, SIZE, MARGIN_PX)
    try:
        ring = np.zeros(SAMPLES, np.float32)
        period_ms = PERIOD_S * 1e3
        ring[:200] = period_ms      # on time: green, one period tall
        ring[200:210] = 3 * period_ms  # two vsyncs missed: red, the full height
        ring[220:230] = 2 * period_ms  # one missed: amber
        head = 17  # the ring's oldest entry: column 0 shows ring[17]
        graph.draw(np.roll(ring, head), head, period_ms)
        left, bottom, width, height = graph.rectangle()
        assert (width, height) == (240, 54)  # a column per frame; 3 periods tall
        image = pixels(fbo).astype(int)
    finally:
        graph.release()
    per_period_px = height / 3

    def at(column: int, periods: float) -> np.ndarray:
        return image[bottom + int(periods * per_period_px), left + column]

    green, red, amber = at(100, 0.5), at(205, 2.5), at(225, 1.5)
    assert green[1] > 150 and green[1] > green[0] + 60 and green[1] > green[2] + 60, green
    assert red[0] > 150 and red[0] > red[1] + 60, red
    assert amber[0] > 150 and amber[1] > 120 and amber[2] < 100, amber
    panel = at(100, 1.5)  # above an on-time bar: the dark panel over the blue
    assert panel[0] < 20 and panel[1] < 20 and 80 < panel[2] < 150, panel
    assert at(235, 0.5).tolist() == panel.tolist()  # no frame there yet: no bar
    for periods in (1, 2):  # the lines at one and two periods, across the whole graph
        line = image[bottom + round(periods * per_period_px), left + 235]
        assert line.min() > 150, (periods, line)
    assert image[bottom - 2, left + 100].tolist() == list(BLUE)  # outside: untouched
    assert image[bottom + 10, left - 2].tolist() == list(BLUE)


def make_hud(ctx, stats: FrameStats, visible: bool) -> tuple[Hud, list]:
    graph = HudGraph(ctx, SIZE, MARGIN_PX)
    layer = CaptionLayer(ctx, (200, 60), "bottom-right", MARGIN_PX, lift_px=graph.size[1] + 4)
    text = HudText(stats, PERIOD_S, 12, (200, 60))
    timer = FrameTimer()
    return Hud(stats, PERIOD_S, graph, layer, text, timer, visible=visible), [
        text.close, timer.release, layer.release, graph.release]


def test_an_off_hud_draws_nothing_and_its_text_thread_sleeps(target):
    ctx, fbo = target
    stats = stats_of([1] * 120)
    hud, closers = make_hud(ctx, stats, visible=False)
    try:
        for _ in range(5):
            hud.begin_frame()
            hud.draw()
        time.sleep(0.3)  # the text thread would have made an image by now were it on
        assert hud._text.take() is None
        assert (pixels(fbo) == BLUE).all()
    finally:
        for close in closers:
            close()


def test_an_on_hud_shows_its_graph_its_text_and_the_gpu_time(target):
    ctx, fbo = target
    stats = stats_of([1] * 120)
    hud, closers = make_hud(ctx, stats, visible=True)
    try:
        deadline = time.monotonic() + 60.0
        while time.monotonic() < deadline:  # frames, as the loop would run them
            fbo.clear(*(c / 255 for c in BLUE), 1.0)
            hud.begin_frame()
            hud.draw()
            ctx.finish()
            if hud._has_text and hud._text.gpu_ms is not None:
                break
            time.sleep(0.01)
        assert hud._has_text, "no text image within the deadline"
        assert hud._text.gpu_ms is not None and 0.0 <= hud._text.gpu_ms < 1000.0
        image = pixels(fbo)
        left, bottom, width, height = hud._graph.rectangle()
        above = image[bottom + height + 4: bottom + height + 60, left: left + width]
        assert (above != BLUE).any(axis=2).sum() > 200  # the text panel over the graph
        # The 120 frames measured before the HUD went on are not in its graph.
        assert (image[bottom + 5, left: left + width - 1] != image[bottom + 5, left]).sum() == 0
    finally:
        for close in closers:
            close()


def test_without_a_gpu_timer_the_figures_give_the_draw_and_finish_phases():
    from slideshow.loop import PHASES
    from slideshow.pacing import PhaseTimer

    clock = FakeTime(start_s=5.0)
    phases = PhaseTimer(PHASES, 256, now=clock.now)
    for index in range(100):  # the last 60 frames: draw 1 ms + finish 2 ms; before, 9 ms
        phases.begin_frame()
        clock.advance(0.001 if index >= 40 else 0.004)
        phases.mark("draw")
        clock.advance(0.002 if index >= 40 else 0.005)
        phases.mark("finish")
        phases.end_frame()
    lines = hud_lines(stats_of([1] * 100), None, PERIOD_S, phases)
    assert lines[2] == "draw + finish 3.00 ms a frame"
