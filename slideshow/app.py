"""The composition root: the one place that knows every part, builds them from the config,
runs the frame loop, and closes everything in reverse order (also on errors and Ctrl-C).

Start-up order matters for smoothness: workers are started and the GL objects created
before the garbage collector's state is frozen, so a full collection later never walks
the objects that live for the whole run.
"""

from __future__ import annotations

import logging
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from slideshow.config import Config
from slideshow.errors import ConfigError
from slideshow.loop import PHASES, FrameLoop
from slideshow.pacing import FrameStats, GcControl, PhaseTimer, VsyncClock
from slideshow.photo_list import ShuffledPhotos, expand_paths
from slideshow.presenter import Presenter
from slideshow.show import Show
from slideshow.slow_frames import slowest_frames

log = logging.getLogger(__name__)

FALLBACK_RATE_HZ = 60.0


@dataclass
class RunReport:
    """What a run measured; `slideshow bench` prints and writes it."""

    seconds: float
    refresh_hz: float
    vsync: str
    size: tuple[int, int]
    surface: str
    renderer: str
    frames: dict[str, Any]
    histogram: list[tuple[float, float, int]]
    chart: str
    phase_ms: dict[str, dict[str, float]]
    gc: dict[str, Any]
    show: dict[str, Any] = field(default_factory=dict)
    audio: dict[str, Any] = field(default_factory=dict)
    #: The slowest frames, explained (slideshow/slow_frames.py).
    slowest: list[dict[str, Any]] = field(default_factory=list)
    #: The last frame drawn, (height, width, 4) uint8 top row first, when asked for.
    last_frame: Any = None


def open_surface(config: Config, headless: bool):
    """A headless EGL target or a glfw window, per the config; gpu/ is imported lazily so
    `slideshow check` and `--help` never load GL libraries."""
    if headless:
        from slideshow.gpu.headless import HeadlessSurface

        return HeadlessSurface(config.display.size)
    from slideshow.gpu.window import WindowSurface

    return WindowSurface(config.display.size, config.display.fullscreen)


def photo_paths(config: Config) -> list[str]:
    if config.show.paths:
        paths = expand_paths(config.show.paths)
        if not paths:
            raise ConfigError(
                f"no photos found in {', '.join(config.show.paths)} "
                "(looked for .jpg .png .webp .gif .bmp .tif .heic files, hidden ones skipped)")
        return paths
    from slideshow.demo import ensure_demo_photos

    return [str(p) for p in ensure_demo_photos()]


def open_overlay(config: Config, ctx: Any, stack: ExitStack) -> tuple[Any, Any]:
    """The audio visualizer and the FFT worker feeding it, or (None, None) when off."""
    if config.visualizer.mode == "off":
        return None, None
    from slideshow.audio.service import AudioService
    from slideshow.audio.spectrum import SpectrumConfig
    from slideshow.gpu.visualizer import Visualizer
    from slideshow.overlay import AudioOverlay

    try:
        audio = AudioService(config.audio.source, SpectrumConfig(bands=config.audio.bands))
    except ValueError as exc:
        raise ConfigError(f"config key audio.source = {config.audio.source!r}: {exc}") from None
    stack.callback(audio.close)
    visualizer = Visualizer(ctx, area=parse_area(config.visualizer.area),
                            mode=config.visualizer.mode, bands=config.audio.bands,
                            colours=parse_colours(config.visualizer.colours),
                            opacity=config.visualizer.opacity, mirror=config.visualizer.mirror)
    stack.callback(visualizer.release)
    return AudioOverlay(audio, visualizer, latency_ms=config.audio.latency_ms), visualizer


def parse_area(text: str) -> tuple[float, float, float, float]:
    """`visualizer.area`: four parts of the display, x,y,width,height from the bottom left."""
    try:
        x, y, w, h = (float(part) for part in text.split(","))
    except ValueError:
        raise ConfigError(f"config key visualizer.area = {text!r}: expected x,y,width,height "
                          "as parts of the display, e.g. 0,0,1,0.3") from None
    if not (0 <= x < 1 and 0 <= y < 1 and 0 < w <= 1 - x + 1e-9 and 0 < h <= 1 - y + 1e-9):
        raise ConfigError(f"config key visualizer.area = {text!r}: each value is a part of the "
                          "display (0..1) and the area must lie inside it")
    return x, y, w, h


def parse_colours(text: str) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """`visualizer.colours`: two #rrggbb colours, low and high."""
    parts = [part.strip().lstrip("#") for part in text.split(",")]
    try:
        if len(parts) != 2 or any(len(p) != 6 for p in parts):
            raise ValueError
        low, high = (tuple(int(p[i:i + 2], 16) / 255.0 for i in (0, 2, 4)) for p in parts)
    except ValueError:
        raise ConfigError(f"config key visualizer.colours = {text!r}: expected two colours "
                          "as #rrggbb,#rrggbb, e.g. #268cff,#ff4d99") from None
    return low, high  # type: ignore[return-value]


def run_show(config: Config, *, headless: bool = False, seconds: float | None = None,
             frames: int | None = None, capture_last_frame: bool = False) -> RunReport:
    """Runs the slideshow until the window closes, Esc/q, Ctrl-C, or `seconds` of
    measured frames (or `frames` measured frames) have run; returns what was measured."""
    with ExitStack() as stack:
        surface = open_surface(config, headless)
        stack.callback(surface.release)
        refresh_hz = config.display.rate_hz or surface.refresh_hz or FALLBACK_RATE_HZ
        period_s = 1.0 / refresh_hz

        from slideshow.workers.pipeline import ImagePipeline

        paths = photo_paths(config)
        pipeline = ImagePipeline(
            next_path=ShuffledPhotos(paths),
            target=surface.size,
            fit=config.show.fit,
            workers=config.workers.image_workers,  # 0: one per display, at most cores - 1
            ring_slots=config.workers.ring_slots,
            restart_budget=config.workers.restart_budget,
        )
        stack.callback(pipeline.close)

        from slideshow.gpu.photo_pass import PhotoPass
        from slideshow.gpu.transition_deck import TransitionDeck

        deck = TransitionDeck(surface.ctx, config.transitions.pool, config.transitions.easing,
                              config.transitions.folder, params=config.transitions.params)
        stack.callback(deck.release)
        photo_pass = PhotoPass(surface.ctx, surface.size, deck=deck,
                               blur_background=config.show.fit == "blur")
        stack.callback(photo_pass.release)
        overlay, visualizer = open_overlay(config, surface.ctx, stack)
        show = Show(pipeline, photo_pass, overlay, config.show.interval_s, config.show.transition_s,
                    upload_budget_s=config.pacing.upload_budget_ms / 1000.0)

        stopping = False

        def on_key(name: str) -> None:
            nonlocal stopping
            if name in ("escape", "q"):
                stopping = True

        surface.on_key = on_key

        capacity = frames + 16 if frames else int((seconds or 600.0) * refresh_hz * 1.25) + 1024
        presenter = Presenter(surface, period_s, config.display.vsync, config.pacing.spin_ms / 1000.0)
        clock = VsyncClock(period_s, max_catchup_steps=config.pacing.max_catchup_steps)
        stats = FrameStats(period_s, capacity)
        phases = PhaseTimer(PHASES, capacity)
        gc_control = GcControl(config.pacing.gc)
        stack.callback(gc_control.close)
        loop = FrameLoop(surface, show, presenter, clock, stats, phases, gc_control)

        surface.use()
        photo_pass.warm_up()
        if visualizer is not None:
            visualizer.update(None, 0.0)
            visualizer.draw()  # compiled for real at its first draw: now, not in a frame
        gc_control.freeze_after_startup()
        started = [0.0]

        def keep_going() -> bool:
            if stopping:
                return False
            if loop.measured_frames == 0:
                started[0] = time.perf_counter()
                return True
            if frames is not None and loop.measured_frames >= frames:
                return False
            return seconds is None or time.perf_counter() - started[0] < seconds

        log.info("showing %d photos on a %dx%d %s (%s) with %d transitions", len(paths),
                 *surface.size, surface.kind, surface.renderer, len(deck.passes))
        try:
            loop.run(keep_going)
        except KeyboardInterrupt:
            log.info("interrupted")
        elapsed = time.perf_counter() - started[0] if started[0] else 0.0
        last_frame = None
        if capture_last_frame:
            # Drawn again because a swapped back buffer's content is undefined.
            surface.use()
            show.draw()
            surface.finish()
            width, height = surface.size
            last_frame = np.frombuffer(surface.read_pixels(), np.uint8).reshape(height, width, 4)[::-1]
        return RunReport(
            seconds=round(elapsed, 3),
            refresh_hz=round(1.0 / clock.period_s, 3),
            vsync=presenter.mode,
            size=tuple(surface.size),
            surface=surface.kind,
            renderer=surface.renderer,
            frames=stats.summary(),
            histogram=stats.histogram(),
            chart=stats.render_chart(),
            phase_ms=phases.percentiles_ms(),
            gc=gc_control.summary(),
            show={
                "photos_shown": show.photos_shown,
                "late_photos": show.late_photos,
                "decoded": pipeline.decoded,
                "failed": pipeline.failed,
                "worker_restarts": pipeline.restarts,
                "transitions": deck.names,
                "gl_error": surface.ctx.error,
            },
            audio=overlay.summary() if overlay is not None else {"source": "off"},
            slowest=slowest_frames(stats, phases, show.events),
            last_frame=last_frame,
        )
