"""One display's show: its photo pipeline, transitions, visualizer, show and frame loop,
built on the thread that renders it and closed there, in reverse order.

Every display keeps its own pacing: N windows with swap interval 1 swapped one after the
other from one thread run at refresh / N, so each display renders from its own thread,
blocked only on its own swap (or its own pacer), at its own monitor's rate. The main thread
owns the windows and their events (app.py); this module never calls glfw.

When the surface changes size (a resized window, an embedding host that resized), the
display's parts are rebuilt for the new size: photos are decoded for the size they are
shown at, so nothing else would be right. The measurements, the keys pressed and the
photos shown (what the previous key steps back through) carry on across a rebuild.

Keys reach the render thread through `press` (a deque append from the main thread);
the show's controls (slideshow/show/controls.py) take them at the start of each frame.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from slideshow.config import Config
from slideshow.loop import PHASES, FrameLoop
from slideshow.pacing import FrameStats, GcControl, PhaseTimer, VsyncClock
from slideshow.pacing.presenter import Presenter
from slideshow.pacing.slow_frames import slowest_frames
from slideshow.show.controls import ShowControls
from slideshow.show.history import PhotoHistory
from slideshow.show.timeline import AudioMotionSettings, KenBurnsSettings, Show

log = logging.getLogger(__name__)

FALLBACK_RATE_HZ = 60.0
_SHOW_COUNTS = ("photos_shown", "late_photos", "decoded", "failed", "worker_restarts")
KEYS_KEPT = 64  # keys pressed and not yet taken by the render thread (it takes them every frame)


@dataclass
class RunReport:
    """What one display's run measured; `slideshow bench` prints and writes it."""

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
    #: The slowest frames, explained (slideshow/pacing/slow_frames.py).
    slowest: list[dict[str, Any]] = field(default_factory=list)
    #: The last frame drawn, (height, width, 4) uint8 top row first, when asked for.
    last_frame: Any = None
    #: Which display: its monitor's name ("" for a plain window or headless).
    display: str = ""


@dataclass
class DisplaySettings:
    """What differs between the displays of one run."""

    name: str = ""
    index: int = 0  # the display's number: its own photo sequence and history
    rate_hz: float = 0.0  # the paced rate; 0: the surface's, else FALLBACK_RATE_HZ
    stagger_s: float = 0.0  # the first photo is held this much longer (displays take turns)
    seconds: float | None = None
    frames: int | None = None
    capture_last_frame: bool = False


class DisplayRun:
    """Builds and runs one display's show on the calling thread (`run`) or its own (`start`)."""

    def __init__(self, surface: Any, config: Config, settings: DisplaySettings, *,
                 photos: Any, gc_control: GcControl,
                 stop: threading.Event, open_overlay: Callable[[Any, ExitStack], tuple[Any, Any]],
                 go: threading.Event | None = None,
                 on_built: Callable[[], None] | None = None) -> None:
        self.surface, self.config, self.settings = surface, config, settings
        self._photos, self._gc, self._stop = photos, gc_control, stop  # photos: DisplayPhotos
        self._open_overlay = open_overlay
        self._go = go  # set by the app once every display is built and the GC is frozen
        self._on_built = on_built  # headless: freezes the GC itself
        #: Set once the parts are built (or building failed): the app then freezes the GC.
        self.built = threading.Event()
        self.report: RunReport | None = None
        self.error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._counts = dict.fromkeys(_SHOW_COUNTS, 0)
        self._close = threading.Event()
        self._keys: deque[str] = deque(maxlen=KEYS_KEPT)
        self._history = PhotoHistory()

    # -- control, from the main thread ---------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run_in_thread, daemon=True,
                                        name=f"render {self.settings.name or 'display'}")
        self._thread.start()

    def close(self) -> None:
        """Asks this display alone to end (its monitor was unplugged)."""
        self._close.set()

    def press(self, name: str) -> None:
        """A show key (slideshow/show/controls.py's KEY_ACTIONS) for the next frame; never waits."""
        self._keys.append(name)

    def join(self, timeout_s: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout_s)

    @property
    def finished(self) -> bool:
        return self._thread is not None and not self._thread.is_alive()

    def _run_in_thread(self) -> None:
        try:
            self.surface.attach()
            try:
                self.run()
            finally:
                self.surface.detach()
        except BaseException as exc:  # handed to the main thread, which raises it
            self.error = exc
            self.built.set()

    # -- the render thread ---------------------------------------------------------------

    def run(self) -> RunReport:
        """Builds the parts, runs frames until told to stop (or seconds/frames are done),
        rebuilding after a resize; returns (and keeps) the report."""
        settings, surface = self.settings, self.surface
        refresh_hz = settings.rate_hz or surface.refresh_hz or FALLBACK_RATE_HZ
        period_s = 1.0 / refresh_hz
        capacity = (settings.frames + 16 if settings.frames
                    else int((settings.seconds or 600.0) * refresh_hz * 1.25) + 1024)
        presenter = Presenter(surface, period_s, self.config.display.vsync,
                              self.config.pacing.spin_ms / 1000.0)
        clock = VsyncClock(period_s, max_catchup_steps=self.config.pacing.max_catchup_steps)
        stats = FrameStats(period_s, capacity)
        phases = PhaseTimer(PHASES, capacity)
        started_s = [0.0]
        measured_before = 0  # frames measured by the loops of earlier builds
        stagger_s = settings.stagger_s
        last: dict[str, Any] = {}
        events: list[tuple[int, str]] = []
        while True:
            size = tuple(surface.size)
            with ExitStack() as stack:
                show, parts = self._build(stack, stagger_s, first_frame=clock.frames)
                loop = FrameLoop(surface, parts["controls"], presenter, clock, stats, phases,
                                 self._gc)
                self.built.set()
                if self._on_built is not None:
                    self._on_built()
                    self._on_built = None
                if self._go is not None:
                    self._go.wait()

                def keep_going() -> bool:
                    if self._stop.is_set() or self._close.is_set() or tuple(surface.size) != size:
                        return False
                    measured = measured_before + loop.measured_frames
                    if measured == 0:
                        started_s[0] = time.perf_counter()
                        return True
                    if settings.frames is not None and measured >= settings.frames:
                        return False
                    return settings.seconds is None or time.perf_counter() - started_s[0] < settings.seconds

                loop.run(keep_going)
                measured_before += loop.measured_frames
                last = self._finish(show, parts)
                events += show.events
            if not self._resized_while_running(size):
                break
            log.info("display %s resized from %dx%d to %dx%d: rebuilding its show",
                     settings.name or "window", *size, *surface.size)
            stagger_s = 0.0
        elapsed_s = time.perf_counter() - started_s[0] if started_s[0] else 0.0
        self.report = RunReport(
            seconds=round(elapsed_s, 3), refresh_hz=round(1.0 / clock.period_s, 3),
            vsync=presenter.mode, size=tuple(surface.size), surface=surface.kind,
            renderer=surface.renderer, frames=stats.summary(), histogram=stats.histogram(),
            chart=stats.render_chart(), phase_ms=phases.percentiles_ms(), gc=self._gc.summary(),
            show={**self._counts, "transitions": last.get("transitions", []),
                  "gl_error": last.get("gl_error", "")},
            audio=last.get("audio", {"source": "off"}), slowest=slowest_frames(stats, phases, events),
            last_frame=last.get("last_frame"), display=settings.name)
        return self.report

    def _resized_while_running(self, size: tuple[int, int]) -> bool:
        return (tuple(self.surface.size) != size and not self._stop.is_set()
                and not self._close.is_set())

    def _build(self, stack: ExitStack, stagger_s: float, first_frame: int) -> tuple[Show, dict[str, Any]]:
        from slideshow.gpu.photo_pass import PhotoPass
        from slideshow.gpu.transition_deck import TransitionDeck
        from slideshow.workers.pipeline import ImagePipeline

        config, surface = self.config, self.surface
        pipeline = ImagePipeline(
            next_path=self._photos.for_display(self.settings.index), target=surface.size,
            fit=config.show.fit, workers=config.workers.image_workers,
            ring_slots=config.workers.ring_slots, restart_budget=config.workers.restart_budget)
        stack.callback(pipeline.close)
        wake = pipeline.supervisor.poke  # photos found after the library had none
        self._photos.add_waker(wake)
        stack.callback(self._photos.remove_waker, wake)
        deck = TransitionDeck(surface.ctx, config.transitions.pool, config.transitions.easing,
                              config.transitions.folder, params=config.transitions.params)
        stack.callback(deck.release)
        photo_pass = PhotoPass(surface.ctx, surface.size, deck=deck,
                               blur_background=config.show.fit == "blur")
        stack.callback(photo_pass.release)
        overlay, visualizer = self._open_overlay(surface.ctx, stack)
        show = Show(pipeline, photo_pass, overlay, config.show.interval_s, config.show.transition_s,
                    upload_budget_s=config.pacing.upload_budget_ms / 1000.0, stagger_s=stagger_s,
                    first_frame=first_frame, ken_burns=ken_burns_settings(config, surface.renderer),
                    audio_motion=audio_motion_settings(config))
        captions, layers = self._open_captions(stack)
        controls = ShowControls(show, self._keys, pipeline, self._history, deck=deck,
                                modes=visualizer, texts=captions)
        show.on_shown = controls.photo_shown
        surface.use()
        photo_pass.warm_up()
        for layer in layers:
            layer.warm_up()
        if visualizer is not None:
            visualizer.update(None, 0.0)
            visualizer.warm_up()  # compiled for real at its first draw: now, not in a frame
        log.info("display %s: %d transitions on a %dx%d %s (%s)", self.settings.name or "window",
                 len(deck.passes), *surface.size, surface.kind, surface.renderer)
        return show, {"pipeline": pipeline, "deck": deck, "overlay": overlay, "controls": controls}

    def _open_captions(self, stack: ExitStack) -> tuple[Any, list[Any]]:
        """The caption and notice layers, and the worker thread that makes their text."""
        from slideshow.gpu.caption_layer import CaptionLayer
        from slideshow.show.captions import Captions, TextLayout, TextWorker

        layout = TextLayout.for_display(tuple(self.surface.size))
        layers = {"caption": CaptionLayer(self.surface.ctx, layout.caption_max, "top-left",
                                          layout.margin_px),
                  "notice": CaptionLayer(self.surface.ctx, layout.notice_max, "top-right",
                                         layout.margin_px)}
        for layer in layers.values():
            stack.callback(layer.release)
        captions = Captions(TextWorker(layout, self.settings.name), layers)
        stack.callback(captions.close)
        return captions, list(layers.values())

    def _finish(self, show: Show, parts: dict[str, Any]) -> dict[str, Any]:
        """Figures of one build, taken before its parts close."""
        pipeline, deck, overlay = parts["pipeline"], parts["deck"], parts["overlay"]
        for name, value in (("photos_shown", show.photos_shown), ("late_photos", show.late_photos),
                            ("decoded", pipeline.decoded), ("failed", pipeline.failed),
                            ("worker_restarts", pipeline.restarts)):
            self._counts[name] += value
        last_frame = None
        if self.settings.capture_last_frame:
            # Drawn again because a swapped back buffer's content is undefined.
            self.surface.use()
            show.draw()
            self.surface.finish()
            width, height = self.surface.size
            last_frame = np.frombuffer(self.surface.read_pixels(), np.uint8).reshape(height, width, 4)[::-1]
        return {"transitions": deck.names, "gl_error": self.surface.ctx.error,
                "audio": overlay.summary() if overlay is not None else {"source": "off"},
                "last_frame": last_frame}


# GL_RENDERER names of software rasterisers: every held frame through a Ken Burns view is a
# filtered full-screen draw instead of a copy, which they cannot afford at 60 Hz.
SOFTWARE_RENDERERS = ("llvmpipe", "softpipe", "swrast", "software rasterizer", "swiftshader")


def ken_burns_settings(config: Config, renderer: str = "") -> KenBurnsSettings | None:
    """The show's Ken Burns settings, or None where it is off: off in the config, off for
    this fit mode, or "auto" on a software renderer."""
    ken_burns = config.ken_burns
    if ken_burns.enabled == "off" or config.show.fit not in ken_burns.fit_modes:
        return None
    if ken_burns.enabled == "auto" and any(name in renderer.lower() for name in SOFTWARE_RENDERERS):
        log.info("Ken Burns is off on the software renderer %s (ken_burns.enabled = on turns it "
                 "on)", renderer)
        return None
    return KenBurnsSettings(ken_burns.zoom_min, ken_burns.zoom_max, ken_burns.zoom_per_s)


def audio_motion_settings(config: Config) -> AudioMotionSettings | None:
    """None when the music moves nothing (the default)."""
    motion = config.audio_motion
    if motion.beat_zoom <= 0.0 and not motion.beat_transitions and not motion.energy:
        return None
    return AudioMotionSettings(motion.beat_zoom, motion.beat_transitions, motion.beat_wait_s,
                               motion.energy)
