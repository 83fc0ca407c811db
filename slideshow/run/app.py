"""The composition root: the one place that knows every part, builds them from the config,
runs the displays, and closes everything in reverse order (also on errors, Ctrl-C and
SIGTERM, which a screensaver host sends when it is done with us).

The main thread owns glfw: it creates a window per chosen monitor, pumps their events
(keys, pointer, clicks: the screensaver's exit rule), notices monitors plugged in or
removed and follows an embedding host's window. Each display renders on its own thread
(slideshow/run/display.py). Headless, the one display renders on the calling thread.

Start-up order matters for smoothness: workers are started and the GL objects created
before the garbage collector's state is frozen, so a full collection later never walks
the objects that live for the whole run.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from slideshow.config import Config
from slideshow.library.display_photos import DisplayPhotos
from slideshow.pacing import GcControl
from slideshow.run.display import DisplayRun, DisplaySettings, RunReport

log = logging.getLogger(__name__)

EVENT_WAIT_S = 0.02  # the main thread's longest sleep between looks at its windows
HOTPLUG_EVERY_S = 0.25
EMBED_EVERY_S = 0.2
JOIN_TIMEOUT_S = 5.0


@dataclass
class ShowReport:
    """What a run did: one report per display, and why it ended."""

    displays: list[RunReport] = field(default_factory=list)
    #: "done" (seconds or frames), "key", "input", "window closed", "parent gone",
    #: "interrupted" or "terminated".
    exit_reason: str = "done"
    #: Seconds from the input that ended the show to every display closed (or None).
    exit_s: float | None = None


def run_show(config: Config, *, headless: bool = False, seconds: float | None = None,
             frames: int | None = None, capture_last_frame: bool = False,
             parent_window: int | None = None, preview: bool = False) -> ShowReport:
    """Runs the slideshow until every window closes, Esc/q, input (fullscreen, with
    `display.exit_on_input`), Ctrl-C, SIGTERM, or `seconds` / `frames` measured frames on
    each display. `parent_window`: embed the one window into that native window (an X11
    window id, or an HWND on Windows); `preview`: one small window that never exits on
    input and runs at half the refresh rate."""
    with ExitStack() as stack:
        gc_control = GcControl(config.pacing.gc)
        stack.callback(gc_control.close)
        photos = DisplayPhotos(config)
        stack.callback(photos.close)
        audio = open_audio(config, stack)
        settings = DisplaySettings(rate_hz=config.display.rate_hz, seconds=seconds, frames=frames,
                                   capture_last_frame=capture_last_frame)

        def overlay(ctx: Any, display_stack: ExitStack) -> tuple[Any, Any]:
            return open_overlay(config, audio, ctx, display_stack)

        parts = {"photos": photos, "gc_control": gc_control, "open_overlay": overlay}
        if headless:
            return _run_headless(config, settings, parts, stack)
        from slideshow.run.windowed import WindowedShow

        windowed = WindowedShow(config, settings, parts, parent_window=parent_window, preview=preview)
        return windowed.run()


def _run_headless(config: Config, settings: DisplaySettings, parts: dict[str, Any],
                  stack: ExitStack) -> ShowReport:
    from slideshow.gpu.headless import HeadlessSurface

    surface = HeadlessSurface(config.display.size)
    stack.callback(surface.release)
    stop = threading.Event()
    display = DisplayRun(surface, config, settings, stop=stop,
                         on_built=parts["gc_control"].freeze_after_startup, **parts)
    report = ShowReport()
    with stop_on_signals(stop, report):
        try:
            display.run()
        except KeyboardInterrupt:
            log.info("interrupted")
            report.exit_reason = "interrupted"
    assert display.report is not None
    report.displays.append(display.report)
    return report


class stop_on_signals:
    """SIGTERM (and SIGHUP) set `stop` instead of killing the process half-way, so the
    show closes its windows, workers and shared memory; only on the main thread."""

    def __init__(self, stop: threading.Event, report: ShowReport,
                 on_stop: Callable[[], None] | None = None) -> None:
        self._stop, self._report, self._on_stop = stop, report, on_stop
        self._previous: dict[int, Any] = {}

    def _handle(self, signum: int, frame: object) -> None:
        self._report.exit_reason = "terminated"
        self._stop.set()
        if self._on_stop is not None:
            self._on_stop()

    def __enter__(self) -> stop_on_signals:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
                if signum is not None:
                    self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc_info: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)


def open_audio(config: Config, stack: ExitStack) -> Any:
    """The FFT worker every display's visualizer reads, or None when the visualizer is off."""
    if config.visualizer.mode == "off":
        return None
    from slideshow.audio.service import AudioService
    from slideshow.audio.spectrum import SpectrumConfig

    # config.py checked the band range and the source when it loaded.
    spectrum = SpectrumConfig(bands=config.audio.bands, low_hz=config.audio.low_hz,
                              high_hz=config.audio.high_hz)
    audio = AudioService(config.audio.source, spectrum)
    stack.callback(audio.close)
    return audio


def open_overlay(config: Config, audio: Any, ctx: Any, stack: ExitStack) -> tuple[Any, Any]:
    """A display's audio visualizer (its own GL objects, the shared worker's values), or
    (None, None) when off."""
    if audio is None:
        return None, None
    from slideshow.gpu.visualizer import Visualizer
    from slideshow.show.audio_overlay import AudioOverlay

    visualizer = Visualizer(ctx, area=config.visualizer.area,
                            mode=config.visualizer.mode, bands=config.audio.bands,
                            colours=config.visualizer.colours,
                            opacity=config.visualizer.opacity, mirror=config.visualizer.mirror)
    stack.callback(visualizer.release)
    return AudioOverlay(audio, visualizer, latency_ms=config.audio.latency_ms), visualizer

