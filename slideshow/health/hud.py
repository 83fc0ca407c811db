"""The HUD: a frame-time graph and a few figures in a corner of each display, toggled with
the `p` key (`show.hud` / `--hud` start with it on), so a user whose show stutters sees it
happen, on their photos, monitor and music, like mpv's stats page or MangoHud.

It must not disturb what it measures. On the render thread it does, each frame it is on:
copy the newly measured frame times into a preallocated ring (a float or two), hand the
ring to the graph pass (a 1 KB texture write and one small draw), upload a text image when
a new one is ready (a few times a second), and time the frame's GPU work with a timer query
read back frames later, never waited for. Its figures are computed and its text rasterised
on a thread of its own (`HudText`), from the same preallocated frame statistics.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from slideshow.pacing import FrameStats, PhaseTimer
from slideshow.show.captions import FontBook, rasterise

log = logging.getLogger(__name__)

TEXT_EVERY_S = 0.25  # how often the figures are made again while the HUD is on
RENDER_FRAMES = 60  # frames whose draw + finish phases give the render time, without a timer
MINUTE_S = 60.0
JOIN_TIMEOUT_S = 2.0


class GraphPass(Protocol):
    """slideshow/gpu/hud_graph.py's HudGraph."""

    samples: int  # frame times it shows

    def draw(self, frame_ms: np.ndarray, head: int, period_ms: float) -> None: ...
    def release(self) -> None: ...


class TextLayer(Protocol):
    """slideshow/gpu/caption_layer.py's CaptionLayer."""

    def upload(self, pixels: np.ndarray) -> None: ...
    def draw(self, opacity: float) -> None: ...


class GpuTimer(Protocol):
    """slideshow/gpu/frame_timer.py's FrameTimer."""

    last_ms: float | None

    def begin(self) -> None: ...
    def end(self) -> None: ...


class GovernorState(Protocol):
    """slideshow/pacing/governor.py's FrameGovernor, as the HUD reads it."""

    last_scale: float
    last_cadence: int


def hud_lines(stats: FrameStats, gpu_ms: float | None, period_s: float,
              phases: PhaseTimer | None = None, governor: GovernorState | None = None
              ) -> list[str]:
    """The HUD's figures: frames/s over the last second, the worst frame time in it, vsyncs
    missed in the last minute (unplanned: a governor's half rate repeats frames on purpose),
    the last measured frame's GPU time (without a GPU timer, on a software renderer, the
    median time of the last frames' draw and finish phases), and what the frame-cost
    governor does now (the scale and cadence of the last frame)."""
    first = max(0, stats.frames - int(MINUTE_S / period_s * 1.5))
    recent_s = stats.dt_s_since(first)
    if len(recent_s) == 0:
        return ["waiting for frames"]
    planned = stats.planned_since(first)[: len(recent_s)]
    # Newest first: seconds back from now (a hair of slack: whole periods add up to exactly
    # a second, give or take rounding).
    elapsed_s = np.cumsum(recent_s[::-1]) - 1e-9
    last_second = recent_s[::-1][elapsed_s <= 1.0] if elapsed_s[0] <= 1.0 else recent_s[-1:]
    in_minute = elapsed_s <= MINUTE_S
    last_minute = recent_s[::-1][in_minute]
    # A frame time of k periods missed k - 1 vsyncs, less those planned (the clock's rule,
    # slideshow/pacing/clock.py).
    missed = int(np.maximum(np.rint(last_minute / period_s) - 1
                            - planned[::-1][in_minute], 0).sum())
    fps = len(last_second) / float(last_second.sum())
    if gpu_ms is not None:
        gpu = f"GPU {gpu_ms:.2f} ms a frame"
    elif phases is not None and phases.frames:
        rows = range(max(0, phases.frames - RENDER_FRAMES), phases.frames)
        render_ms = [sum(phases.frame_s(row)[name] for name in ("draw", "finish")) * 1e3
                     for row in rows]
        gpu = f"draw + finish {float(np.median(render_ms)):.2f} ms a frame"
    else:
        gpu = "GPU time: not measured yet"
    lines = [f"{fps:.1f} fps   worst {last_second.max() * 1e3:.1f} ms",
             f"{missed} missed vsync{'s' if missed != 1 else ''} in the last minute", gpu]
    if governor is not None:
        n = governor.last_cadence  # up to 3 for a motion, more for a still photo held by plan
        suffix = {2: "nd", 3: "rd"}.get(n, "th")
        cadence = "every vsync" if n == 1 else f"every {n}{suffix} vsync"
        lines.append(f"drawn at {governor.last_scale:.0%} size, {cadence}")
    return lines


class HudText:
    """A thread that makes the HUD's text image every TEXT_EVERY_S while the HUD is on;
    `take()` returns the newest finished image or None, without waiting."""

    def __init__(self, stats: FrameStats, period_s: float, font_px: int,
                 max_size: tuple[int, int], name: str = "",
                 phases: PhaseTimer | None = None, governor: GovernorState | None = None) -> None:
        self._stats, self._period_s, self._phases = stats, period_s, phases
        self._governor = governor
        self._font_px, self._max_size = font_px, max_size
        self._fonts = FontBook()
        self._done: deque[np.ndarray] = deque(maxlen=1)
        self._wake = threading.Event()  # set while the HUD is on
        self._stop = threading.Event()
        #: Written by the render thread: the GPU time it read back last.
        self.gpu_ms: float | None = None
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"hud text {name or 'window'}")
        self._thread.start()

    def set_on(self, on: bool) -> None:
        if on:
            self._wake.set()
        else:
            self._wake.clear()

    def take(self) -> np.ndarray | None:
        try:
            return self._done.popleft()
        except IndexError:
            return None

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(JOIN_TIMEOUT_S)

    def _run(self) -> None:
        while True:
            self._wake.wait()  # while the HUD is off, the thread sleeps here
            if self._stop.is_set():
                return
            try:
                lines = hud_lines(self._stats, self.gpu_ms, self._period_s, self._phases,
                                  self._governor)
                self._done.append(rasterise(lines, self._font_px, self._max_size, self._fonts))
            except Exception:  # the HUD's text must never end the show
                log.exception("could not make the HUD's text")
            if self._stop.wait(TEXT_EVERY_S):
                return


class Hud:
    """The render thread's side of one display's HUD (an optional layer: the show's
    controls guard its calls)."""

    def __init__(self, stats: FrameStats, period_s: float, graph: GraphPass, text_layer: TextLayer,
                 text: HudText, timer: GpuTimer | None, visible: bool = False) -> None:
        self._stats, self._period_ms = stats, period_s * 1e3
        self._graph, self._text_layer, self._text, self._timer = graph, text_layer, text, timer
        self._ring = np.zeros(graph.samples, np.float32)  # frame times in ms; 0: none yet
        self._head = 0  # the oldest entry, where the next one goes
        self._seen = stats.frames  # measured frames already in the ring
        self._has_text = False
        self.visible = False
        self.set_visible(visible)

    def set_visible(self, visible: bool) -> None:
        self.visible = visible
        self._text.set_on(visible)
        self._seen = self._stats.frames  # the graph starts from now: no stale burst

    def toggle(self) -> bool:
        self.set_visible(not self.visible)
        return self.visible

    def begin_frame(self) -> None:
        """At the start of the frame's drawing: the GPU timer starts."""
        if self.visible and self._timer is not None:
            self._timer.begin()

    def draw(self) -> None:
        """Ends the GPU timer, then draws the graph and the newest text over the frame."""
        if not self.visible:
            return
        if self._timer is not None:
            self._timer.end()
            self._text.gpu_ms = self._timer.last_ms
        frames = self._stats.frames
        while self._seen < frames:  # usually one frame; a catch-up after a stall, a few
            self._ring[self._head] = self._stats.dt_s_of(self._seen) * 1e3
            self._head = (self._head + 1) % len(self._ring)
            self._seen += 1
        self._graph.draw(self._ring, self._head, self._period_ms)
        image = self._text.take()
        if image is not None:
            self._text_layer.upload(image)
            self._has_text = True
        if self._has_text:
            self._text_layer.draw(1.0)


def text_size(display_size: Sequence[int], font_px: int) -> tuple[int, int]:
    """The largest text image: three lines, at most half the display wide."""
    width = max(1, min(int(display_size[0] * 0.5), font_px * 22))
    return width, max(1, min(int(display_size[1] * 0.5), round(font_px * 1.3) * 3 + 2 * font_px))
