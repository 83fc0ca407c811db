"""The parts a run is made of, typed: `SharedParts` (built once, shared by every display) and
`DisplayParts` (one display's, built on its render thread for its current size), and the
functions that build them from the config.

Each build pushes the parts' `close`/`release` onto an ExitStack as it makes them, so they
close in reverse order on every path out, an exception half-way through included.
Modules that load moderngl or start processes are imported where a part is built, never
at import time: `slideshow/run/` is imported by every command, GL or not.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING

from slideshow.config import Config, check_output_path
from slideshow.errors import SurfaceError
from slideshow.health.hud import Hud, HudText, text_size
from slideshow.health.perf import PerfReporter
from slideshow.library.cache import default_cache_dir
from slideshow.library.display_photos import DisplayPhotos
from slideshow.pacing import FrameStats, GcControl, PhaseTimer, cost_cache
from slideshow.pacing.frame_cost import FinishTimeCost
from slideshow.pacing.governor import (
    START_S,
    CostModel,
    FrameGovernor,
    GovernorSettings,
    is_still,
)
from slideshow.show.audio_overlay import AudioOverlay
from slideshow.show.captions import Captions, TextLayout, TextWorker
from slideshow.show.controls import ShowControls
from slideshow.show.history import PhotoHistory
from slideshow.show.timeline import AudioMotionSettings, KenBurnsSettings, Show

if TYPE_CHECKING:
    from slideshow.audio.service import AudioService
    from slideshow.gpu.frame_timer import FrameTimer
    from slideshow.gpu.photo_pass import PhotoPass
    from slideshow.gpu.scaled_target import ScaledTarget
    from slideshow.gpu.surface import Surface
    from slideshow.gpu.transition_deck import TransitionDeck
    from slideshow.gpu.transitions import TransitionPass
    from slideshow.gpu.visualizer import Visualizer
    from slideshow.loop import CostSource
    from slideshow.workers.pipeline import ImagePipeline
    from slideshow.workers.spare import SpareWorkers

log = logging.getLogger(__name__)

# GL_RENDERER names of software rasterisers: every held frame through a Ken Burns view is a
# filtered full-screen draw instead of a copy, which they cannot afford at 60 Hz.
SOFTWARE_RENDERERS = ("llvmpipe", "softpipe", "swrast", "software rasterizer", "swiftshader")
PERF_JSON_EVERY_S = 10.0  # show.perf_json without show.perf_every_s: windows of this length


@dataclass(frozen=True)
class SharedParts:
    """Built once per run before any display, closed after every display."""

    photos: DisplayPhotos
    gc_control: GcControl
    #: The FFT worker every display's visualizer reads; None when the visualizer is off.
    audio: AudioService | None
    #: Live frame metrics in the log (show.perf_every_s); None when off.
    perf: PerfReporter | None = None
    #: An image worker started at once, its imports done before a display needs it.
    spare_workers: SpareWorkers | None = None


@dataclass(frozen=True)
class DisplayParts:
    """One display's parts for one build (a resize builds them again)."""

    pipeline: ImagePipeline
    deck: TransitionDeck
    photo_pass: PhotoPass
    #: The visualizer and the audio values it draws; both None when it is off.
    overlay: AudioOverlay | None
    visualizer: Visualizer | None
    captions: Captions
    #: The frame-time graph and figures (key p).
    hud: Hud
    show: Show
    #: The scene the frame loop runs: the show with its keys and captions.
    controls: ShowControls
    #: Plans each frame's scale and cadence; its `settings.enabled` is False when off.
    governor: FrameGovernor
    #: What frames cost, for the governor (timer queries, or the measured finish time).
    cost: CostSource


def open_shared_parts(config: Config, stack: ExitStack) -> SharedParts:
    """A spare image worker, the garbage collector's control, the perf reporter, the photos
    and the audio worker."""
    # Deferred: it starts a process.
    from slideshow.workers.spare import SpareWorkers

    # First: its imports run beside everything up to the first frame, and the first photo
    # waits for its first decode (workers/spare.py).
    spare_workers = SpareWorkers(1)
    stack.callback(spare_workers.close)
    gc_control = GcControl(config.pacing.gc)
    stack.callback(gc_control.close)
    perf = None
    every_s = config.show.perf_every_s or (PERF_JSON_EVERY_S if config.show.perf_json else 0.0)
    if every_s > 0:
        # Checked before anything starts: a bad path would lose the whole run's windows.
        check_output_path("show.perf_json (--perf-json)", config.show.perf_json or None)
        perf = PerfReporter(every_s, gc_control, config.show.perf_json)
        stack.callback(perf.close)
    photos = DisplayPhotos(config)
    stack.callback(photos.close)
    return SharedParts(photos, gc_control, open_audio(config, stack), perf, spare_workers)


def open_audio(config: Config, stack: ExitStack) -> AudioService | None:
    """The FFT worker every display's visualizer reads, or None when the visualizer is off."""
    if config.visualizer.mode == "off":
        return None
    # Deferred: the audio worker's modules load pyfftw and sounddevice.
    from slideshow.audio.service import AudioService
    from slideshow.audio.spectrum import SpectrumConfig

    # config.py checked the band range and the source when it loaded.
    spectrum = SpectrumConfig(bands=config.audio.bands, low_hz=config.audio.low_hz,
                              high_hz=config.audio.high_hz)
    audio = AudioService(config.audio.source, spectrum, capture_backend=config.audio.backend)
    stack.callback(audio.close)
    return audio


def open_display_parts(surface: Surface, config: Config, shared: SharedParts, *, index: int,
                       name: str, keys: deque[str], history: PhotoHistory, stagger_s: float,
                       first_frame: int, stats: FrameStats, phases: PhaseTimer,
                       stack: ExitStack) -> DisplayParts:
    """Builds one display's parts on its render thread (its GL context is current) and
    warms up what would otherwise compile or allocate in the first frames; the transitions
    are made ready later, in the frames' slack (slideshow/gpu/transition_deck.py)."""
    # Deferred: these load moderngl or start worker processes.
    from slideshow.gpu.frame_timer import TimerQueryCost
    from slideshow.gpu.photo_pass import PhotoPass
    from slideshow.gpu.shader_warmer import ShaderWarmer
    from slideshow.gpu.transition_deck import TransitionDeck
    from slideshow.workers.image_worker import CappedDecoder
    from slideshow.workers.pipeline import ImagePipeline

    pipeline = ImagePipeline(
        next_path=shared.photos.for_display(index), target=surface.size, fit=config.show.fit,
        workers=config.workers.image_workers, ring_slots=config.workers.ring_slots,
        restart_budget=config.workers.restart_budget,
        decode_timeout_s=config.workers.decode_timeout_s,
        decoder=CappedDecoder(config.decode.max_file_bytes), spares=shared.spare_workers,
        # The photos' side logs each failed file once, however many displays try it.
        on_result=shared.photos.note_result, log_skipped=False)
    stack.callback(pipeline.close)
    wake = pipeline.supervisor.poke  # photos found after the library had none
    shared.photos.add_waker(wake)
    stack.callback(shared.photos.remove_waker, wake)
    transitions = config.transitions
    deck = TransitionDeck(surface.ctx, transitions.pool, transitions.easing, transitions.folder,
                          params=transitions.params)
    stack.callback(deck.release)
    # Started by the deck's first step; fills the driver's shader cache ahead of it.
    deck.warmer = ShaderWarmer(surface.kind, tuple(surface.size), deck.names, transitions.pool,
                               transitions.folder, transitions.params,
                               scaled=config.pacing.governor == "auto")
    stack.callback(deck.warmer.close)
    photo_pass = PhotoPass(surface.ctx, surface.size, deck=deck,
                           blur_background=config.show.fit == "blur")
    stack.callback(photo_pass.release)
    overlay, visualizer = open_overlay(surface, config, shared.audio, stack)
    show = Show(pipeline, photo_pass, overlay, config.show.interval_s, config.show.transition_s,
                upload_budget_s=config.pacing.upload_budget_ms / 1000.0, stagger_s=stagger_s,
                first_frame=first_frame, ken_burns=ken_burns_settings(config, surface.renderer),
                audio_motion=audio_motion_settings(config), display=name)
    captions = open_captions(surface, name, stack)
    surface.use()
    governor, cost, scaler = open_governor(surface, config, stats.period_s, deck, name, stack)
    if scaler is not None:
        # A transition's cost, timed once as it becomes ready, seeds the model: its first
        # frames are then drawn at the right scale and cadence instead of a guess.
        def calibrate(transition: str, transition_pass: TransitionPass) -> None:
            if transition in governor.model.motions:
                return  # known from the cost cache: its preparation step stays short
            scale = governor.settings.min_scale
            governor.seed(transition, scale, scaler.time_draw_ms(
                scale, lambda: photo_pass.draw_pass(transition_pass), surface.finish))
        deck.on_ready = calibrate
    # The governor's timer queries serve the HUD too (GL cannot nest two).
    timer = cost.timer if isinstance(cost, TimerQueryCost) else None
    hud, hud_warm_up = open_hud(surface, config, stats, phases, name, stack, timer,
                                governor if governor.settings.enabled else None)
    controls = ShowControls(show, keys, pipeline, history, deck=deck, modes=visualizer,
                            texts=captions, hud=hud, scaler=scaler, display=name)
    show.on_shown = controls.photo_shown
    surface.use()
    photo_pass.warm_up()
    captions.warm_up()
    for warm_up in hud_warm_up:
        warm_up()
    if visualizer is not None:
        visualizer.update(None, 0.0)
        visualizer.warm_up()  # compiled for real at its first draw: now, not in a frame
    if scaler is not None:
        # Drawn scaled, the same programs draw into another format (the offscreen texture):
        # for the driver another variant, compiled at its first draw; now, not in a frame.
        def warm_scaled() -> None:
            photo_pass.draw(0.5)
            photo_pass.draw(0.0)  # scaled, a held frame is a draw through the viewport
            if visualizer is not None:
                visualizer.warm_up()
        scaler.warm_up(warm_scaled)
        surface.finish()
    log.info("display %s: %d transitions, made ready while the show runs, on a %dx%d %s (%s)",
             name or "window", len(deck.names), *surface.size, surface.kind, surface.renderer)
    return DisplayParts(pipeline, deck, photo_pass, overlay, visualizer, captions, hud, show,
                        controls, governor, cost)


def governor_settings(config: Config) -> GovernorSettings:
    pacing = config.pacing
    return GovernorSettings(enabled=pacing.governor == "auto", min_scale=pacing.min_scale,
                            steady_cadence=pacing.cadence == "auto", drop=pacing.governor_drop)


def open_governor(surface: Surface, config: Config, period_s: float, deck: TransitionDeck,
                  name: str, stack: ExitStack
                  ) -> tuple[FrameGovernor, CostSource, ScaledTarget | None]:
    """The display's frame-cost governor with its cost model (remembered in the cache
    folder for this renderer and size), its cost source and its scaled target (None when
    the governor is off). Call it with the surface's framebuffer bound: it times an upscale."""
    # Deferred: these load moderngl.
    from slideshow.gpu.frame_timer import TimerQueryCost
    from slideshow.gpu.scaled_target import ScaledTarget

    settings = governor_settings(config)
    display = name or "window"
    size = (int(surface.size[0]), int(surface.size[1]))

    def on_drop(motion: str, cost_ms: float, scale: float) -> None:
        if settings.drop and motion in deck.names:
            deck.drop(motion)
            log.warning("display %s: transition %s left out of the pool: %.1f ms a frame at "
                        "scale %.2f of %dx%d, more than a third of the refresh rate allows "
                        "(pacing.governor_drop = false keeps it)", display, motion, cost_ms,
                        scale, *size)
        else:
            log.info("display %s: %s runs at its slowest cadence: %.1f ms a frame at scale "
                     "%.2f of %dx%d", display, motion, cost_ms, scale, *size)

    if not settings.enabled:
        return FrameGovernor(period_s, settings, size=size), FinishTimeCost(), None
    scaler = ScaledTarget(surface.ctx, size)
    stack.callback(scaler.release)
    path = cost_cache.cost_file(default_cache_dir(), surface.renderer, size)
    model = cost_cache.load(path, surface.renderer, size)
    if model is not None:
        log.info("display %s: frame costs from %s (%d transitions known)", display, path,
                 sum(not is_still(motion) for motion in model.motions))
    if model is None or model.upscale_ms <= 0.0:  # learned further as scaled frames come
        model = model or CostModel()
        model.upscale_ms = scaler.measure_upscale_ms(surface.finish)
    governor = FrameGovernor(period_s, settings, model, size, on_drop, start_s=START_S)
    stack.callback(cost_cache.save, path, governor.model, surface.renderer, size)
    cost: CostSource = FinishTimeCost()
    # llvmpipe answers a timer query's "is it ready?" by rasterising the frame so far and
    # times little of its real work: there the frame's own finish time is the cost.
    if not is_software(surface.renderer):
        try:
            cost = TimerQueryCost()
            stack.callback(cost.release)
        except SurfaceError as exc:
            log.info("display %s: no GPU timer queries (%s); the governor measures each "
                     "frame's finish instead", display, exc)
    return governor, cost, scaler


def open_overlay(surface: Surface, config: Config, audio: AudioService | None,
                 stack: ExitStack) -> tuple[AudioOverlay | None, Visualizer | None]:
    """A display's audio visualizer (its own GL objects, the shared worker's values), or
    (None, None) when off."""
    if audio is None:
        return None, None
    from slideshow.gpu.visualizer import Visualizer  # deferred: loads moderngl

    visualizer = Visualizer(surface.ctx, area=config.visualizer.area,
                            mode=config.visualizer.mode, bands=config.audio.bands,
                            colours=config.visualizer.colours,
                            opacity=config.visualizer.opacity, mirror=config.visualizer.mirror)
    stack.callback(visualizer.release)
    return AudioOverlay(audio, visualizer, latency_ms=config.audio.latency_ms), visualizer


def open_captions(surface: Surface, name: str, stack: ExitStack) -> Captions:
    """The caption and notice layers, and the worker thread that makes their text."""
    from slideshow.gpu.caption_layer import CaptionLayer  # deferred: loads moderngl

    layout = TextLayout.for_display(tuple(surface.size))
    layers = {"caption": CaptionLayer(surface.ctx, layout.caption_max, "top-left", layout.margin_px),
              "notice": CaptionLayer(surface.ctx, layout.notice_max, "top-right", layout.margin_px)}
    for layer in layers.values():
        stack.callback(layer.release)
    captions = Captions(TextWorker(layout, name), layers)
    stack.callback(captions.close)
    return captions


def open_hud(surface: Surface, config: Config, stats: FrameStats, phases: PhaseTimer, name: str,
             stack: ExitStack, governor_timer: FrameTimer | None = None,
             governor: FrameGovernor | None = None) -> tuple[Hud, list[Callable[[], None]]]:
    """The HUD (on from the start with show.hud) and what to warm up before the first frame:
    its graph pass, its text layer above the graph, its text thread and its GPU timer (the
    governor's, read through a view, when it has one: GL cannot nest two timer queries)."""
    # Deferred: these load moderngl.
    from slideshow.gpu.caption_layer import CaptionLayer
    from slideshow.gpu.frame_timer import FrameTimer, HudView
    from slideshow.gpu.hud_graph import HudGraph

    layout = TextLayout.for_display(tuple(surface.size))
    font_px = max(10, layout.font_px * 2 // 3)  # figures, not prose: smaller than captions
    graph = HudGraph(surface.ctx, tuple(surface.size), layout.margin_px)
    stack.callback(graph.release)
    layer = CaptionLayer(surface.ctx, text_size(surface.size, font_px), "bottom-right",
                         layout.margin_px, lift_px=graph.size[1] + layout.margin_px // 2)
    stack.callback(layer.release)
    text = HudText(stats, stats.period_s, font_px, text_size(surface.size, font_px), name,
                   phases=phases, governor=governor)
    stack.callback(text.close)
    timer: FrameTimer | HudView | None = None
    # llvmpipe answers a timer query's "is it ready?" by rasterising the frame so far (0.6 ms
    # a frame here) and times little of its real work: on a software renderer the HUD shows
    # the draw and finish phases instead, which is where such a renderer spends its time.
    if governor_timer is not None:
        timer = HudView(governor_timer)
    elif not is_software(surface.renderer):
        try:
            timer = FrameTimer()
        except SurfaceError as exc:  # a driver without timer queries: the phases instead
            log.info("display %s: no GPU timer queries (%s); the HUD shows the draw and "
                     "finish phases", name or "window", exc)
    if isinstance(timer, FrameTimer):
        stack.callback(timer.release)
    hud = Hud(stats, stats.period_s, graph, layer, text, timer, visible=config.show.hud)
    return hud, [graph.warm_up, layer.warm_up]


def ken_burns_settings(config: Config, renderer: str = "") -> KenBurnsSettings | None:
    """The show's Ken Burns settings, or None where it is off: off in the config, off for
    this fit mode, or "auto" on a software renderer."""
    ken_burns = config.ken_burns
    if ken_burns.enabled == "off" or config.show.fit not in ken_burns.fit_modes:
        return None
    if ken_burns.enabled == "auto" and is_software(renderer):
        log.info("Ken Burns is off on the software renderer %s (ken_burns.enabled = on turns it "
                 "on)", renderer)
        return None
    return KenBurnsSettings(ken_burns.zoom_min, ken_burns.zoom_max, ken_burns.zoom_per_s)


def is_software(renderer: str) -> bool:
    """Whether GL_RENDERER names a software rasteriser (SOFTWARE_RENDERERS)."""
    return any(name in renderer.lower() for name in SOFTWARE_RENDERERS)


def audio_motion_settings(config: Config) -> AudioMotionSettings | None:
    """None when the music moves nothing (the default)."""
    motion = config.audio_motion
    if motion.beat_zoom <= 0.0 and not motion.beat_transitions and not motion.energy:
        return None
    return AudioMotionSettings(motion.beat_zoom, motion.beat_transitions, motion.beat_wait_s,
                               motion.energy)

