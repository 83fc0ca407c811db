"""One display's show: its parts (slideshow/run/parts.py) built on the thread that renders
it, its frame loop run, and its parts closed there, in reverse order.

Every display keeps its own pacing: N windows with swap interval 1 swapped one after the
other from one thread run at refresh / N, so each display renders from its own thread,
blocked only on its own swap (or its own pacer), at its own monitor's rate. The main thread
owns the windows and their events (slideshow/run/windowed.py); this module never calls glfw.

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
from typing import TYPE_CHECKING, Any

import numpy as np

from slideshow.config import Config
from slideshow.health.perf import DisplayCounts, DisplayHealth
from slideshow.loop import PHASES, FrameLoop
from slideshow.pacing import FrameStats, PhaseTimer, VsyncClock
from slideshow.pacing.launch import launch_time_s
from slideshow.pacing.presenter import Presenter
from slideshow.pacing.slow_frames import slowest_frames
from slideshow.run.parts import DisplayParts, SharedParts, open_display_parts
from slideshow.run.report import RunReport
from slideshow.show.history import PhotoHistory

if TYPE_CHECKING:
    from slideshow.gpu.surface import Surface

log = logging.getLogger(__name__)

FALLBACK_RATE_HZ = 60.0
_SHOW_COUNTS = ("photos_shown", "late_photos", "decoded", "failed", "worker_restarts")
_GOVERNOR_COUNTS = ("frames_scaled", "frames_reduced_cadence")
KEYS_KEPT = 64  # keys pressed and not yet taken by the render thread (it takes them every frame)
UNBOUNDED_RUN_S = 600.0  # a run without seconds or frames: the stats' capacity is sized for this


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


@dataclass
class _Timing:
    """What times and measures a display's frames; it lives across rebuilds."""

    presenter: Presenter
    clock: VsyncClock
    stats: FrameStats
    phases: PhaseTimer


@dataclass
class _BuildFigures:
    """What one build leaves for the report, taken before its parts close."""

    transitions: list[str] = field(default_factory=list)
    gl_error: str = ""
    audio: dict[str, Any] = field(default_factory=lambda: {"source": "off"})
    last_frame: np.ndarray | None = None
    governor: dict[str, Any] = field(default_factory=dict)
    preparation: dict[str, Any] = field(default_factory=dict)  # the deck's summary()


class DisplayRun:
    """Builds and runs one display's show on the calling thread (`run`) or its own (`start`).

    `go`: set by the app once every display is built and the GC is frozen (windowed);
    `on_built`: called once the first build is done (headless: it freezes the GC itself).
    `now`: the clock the run's length is measured with."""

    def __init__(self, surface: Surface, config: Config, settings: DisplaySettings,
                 shared: SharedParts, *, stop: threading.Event, go: threading.Event | None = None,
                 on_built: Callable[[], None] | None = None,
                 now: Callable[[], float] = time.perf_counter) -> None:
        self.surface, self.config, self.settings, self.shared = surface, config, settings, shared
        self._stop, self._go, self._on_built, self._now = stop, go, on_built, now
        #: Set once the parts are built (or building failed): the app then freezes the GC.
        self.built = threading.Event()
        self.report: RunReport | None = None
        self.error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._counts = dict.fromkeys(_SHOW_COUNTS + _GOVERNOR_COUNTS, 0)
        self._close = threading.Event()
        self._keys: deque[str] = deque(maxlen=KEYS_KEPT)
        self._history = PhotoHistory()
        self._started_s = 0.0  # when the first measured frame began; 0: not yet
        self._measured_before = 0  # frames measured by the loops of earlier builds
        self._events: list[tuple[int, str]] = []  # the show's events, every build's
        self._parts: DisplayParts | None = None  # the running build's, for the perf reporter
        # The process's launch on the presenter's clock (None: unknown), and the first frame
        # that showed a photo with its present time: the report's first_photo_s.
        self._launch_s = launch_time_s()
        self._first_photo: tuple[int, float] | None = None

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
        timing = self._make_timing()
        perf = self.shared.perf
        if perf is not None:
            perf.add(DisplayHealth(self.settings.name, timing.stats, timing.phases,
                                   self._health_counts))
        try:
            stagger_s = self.settings.stagger_s
            while True:
                size = tuple(self.surface.size)
                figures = self._run_one_build(timing, stagger_s)
                if not self._resized_while_running(size):
                    break
                log.info("display %s resized from %dx%d to %dx%d: rebuilding its show",
                         self.settings.name or "window", *size, *self.surface.size)
                stagger_s = 0.0  # the displays already take turns
        finally:
            if perf is not None:
                perf.remove(self.settings.name)
        self.report = self._make_report(timing, figures)
        return self.report

    def _health_counts(self) -> DisplayCounts:
        """The running totals, read by the perf reporter's thread: integers only, no lock."""
        counts, parts = self._counts, self._parts
        shown, late, failed, restarts, audio_ms = (counts["photos_shown"], counts["late_photos"],
                                                   counts["failed"], counts["worker_restarts"], None)
        scaled, reduced, scale, cadence = counts["frames_scaled"], counts["frames_reduced_cadence"], 1.0, 1
        if parts is not None:
            shown += parts.show.photos_shown
            late += parts.show.late_photos
            failed += parts.pipeline.failed
            restarts += parts.pipeline.restarts
            if parts.overlay is not None:
                audio_ms = parts.overlay.age_ms
            governor = parts.governor
            scaled += governor.frames_scaled
            reduced += governor.frames_reduced_cadence
            scale, cadence = governor.last_scale, governor.last_cadence
        return DisplayCounts(shown, late, failed, restarts, audio_ms, scaled, reduced, scale,
                             cadence)

    def _make_timing(self) -> _Timing:
        settings, surface = self.settings, self.surface
        refresh_hz = settings.rate_hz or surface.refresh_hz or FALLBACK_RATE_HZ
        period_s = 1.0 / refresh_hz
        capacity = (settings.frames + 16 if settings.frames
                    else int((settings.seconds or UNBOUNDED_RUN_S) * refresh_hz * 1.25) + 1024)
        pacing = self.config.pacing
        return _Timing(
            presenter=Presenter(surface, period_s, self.config.display.vsync, pacing.spin_ms / 1000.0),
            clock=VsyncClock(period_s, max_catchup_steps=pacing.max_catchup_steps),
            stats=FrameStats(period_s, capacity), phases=PhaseTimer(PHASES, capacity))

    def _run_one_build(self, timing: _Timing, stagger_s: float) -> _BuildFigures:
        """Builds the parts for the surface's current size, runs frames until the run ends
        or the size changes, and closes the parts."""
        size = tuple(self.surface.size)
        with ExitStack() as stack:
            parts = open_display_parts(
                self.surface, self.config, self.shared, index=self.settings.index,
                name=self.settings.name, keys=self._keys, history=self._history,
                stagger_s=stagger_s, first_frame=timing.clock.frames, stats=timing.stats,
                phases=timing.phases, stack=stack)
            loop = FrameLoop(self.surface, parts.controls, timing.presenter, timing.clock,
                             timing.stats, timing.phases, self.shared.gc_control,
                             display=self.settings.name, governor=parts.governor,
                             cost=parts.cost)
            self._wait_for_go()
            self._parts = parts
            try:
                loop.run(lambda: self._keep_going(loop, size))
            finally:
                self._measured_before += loop.measured_frames
                self._events += parts.show.events
                show = parts.show
                if self._first_photo is None and show.first_photo_present_s is not None:
                    self._first_photo = (show.first_photo_frame, show.first_photo_present_s)
            self._parts = None  # its counts go into self._counts next
            return self._take_figures(parts)

    def _wait_for_go(self) -> None:
        """Tells the app this display is built, then waits for every display to be."""
        self.built.set()
        if self._on_built is not None:
            self._on_built()
            self._on_built = None
        if self._go is not None:
            self._go.wait()

    def _keep_going(self, loop: FrameLoop, size: tuple[int, ...]) -> bool:
        """Asked before every frame: whether this build runs another."""
        if self._stop.is_set() or self._close.is_set() or tuple(self.surface.size) != size:
            return False
        measured = self._measured_before + loop.measured_frames
        if measured == 0:
            self._started_s = self._now()
            return True
        settings = self.settings
        if settings.frames is not None and measured >= settings.frames:
            return False
        return settings.seconds is None or self._now() - self._started_s < settings.seconds

    def _resized_while_running(self, size: tuple[int, ...]) -> bool:
        return (tuple(self.surface.size) != size and not self._stop.is_set()
                and not self._close.is_set())

    def _take_figures(self, parts: DisplayParts) -> _BuildFigures:
        """Figures of one build, taken before its parts close."""
        show, pipeline = parts.show, parts.pipeline
        for name, value in (("photos_shown", show.photos_shown), ("late_photos", show.late_photos),
                            ("decoded", pipeline.decoded), ("failed", pipeline.failed),
                            ("worker_restarts", pipeline.restarts),
                            ("frames_scaled", parts.governor.frames_scaled),
                            ("frames_reduced_cadence", parts.governor.frames_reduced_cadence)):
            self._counts[name] += value
        figures = _BuildFigures(transitions=parts.deck.names, gl_error=self.surface.ctx.error,
                                governor=parts.governor.summary(),
                                preparation=parts.deck.summary())
        if parts.overlay is not None:
            figures.audio = parts.overlay.summary()
        if self.settings.capture_last_frame:
            # Drawn again because a swapped back buffer's content is undefined; with the
            # captions and the HUD, as the viewer saw it.
            self.surface.use()
            parts.controls.draw()
            self.surface.finish()
            width, height = self.surface.size
            figures.last_frame = np.frombuffer(self.surface.read_pixels(), np.uint8).reshape(
                height, width, 4)[::-1]
        return figures

    def _make_report(self, timing: _Timing, figures: _BuildFigures) -> RunReport:
        elapsed_s = self._now() - self._started_s if self._started_s else 0.0
        stats, phases, surface = timing.stats, timing.phases, self.surface
        frame_index, dt_s = stats.timeline()
        first_frame, first_photo_s = None, None
        if self._first_photo is not None:
            first_frame, present_s = self._first_photo
            if self._launch_s is not None:
                first_photo_s = round(present_s - self._launch_s, 3)
        return RunReport(
            seconds=round(elapsed_s, 3), refresh_hz=round(1.0 / timing.clock.period_s, 3),
            vsync=timing.presenter.mode, size=tuple(surface.size), surface=surface.kind,
            renderer=surface.renderer, frames=stats.summary(), histogram=stats.histogram(),
            chart=stats.render_chart(), phase_ms=phases.percentiles_ms(),
            gc=self.shared.gc_control.summary(),
            show={**{name: self._counts[name] for name in _SHOW_COUNTS},
                  "transitions": figures.transitions, "gl_error": figures.gl_error,
                  "preparation": figures.preparation},
            first_photo_s=first_photo_s, first_photo_frame=first_frame,
            audio=figures.audio,
            # The last build's governor (its model is for its size), with every build's counts.
            governor={**figures.governor,
                      **{name: self._counts[name] for name in _GOVERNOR_COUNTS}},
            slowest=slowest_frames(stats, phases, self._events),
            last_frame=figures.last_frame, display=self.settings.name,
            timeline={"frame": frame_index.tolist(), "dt_ms": np.round(dt_s * 1e3, 3).tolist()},
            events=list(self._events))
