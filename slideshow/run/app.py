"""The composition root: the one place that knows every part, builds them from the config,
runs the displays, and closes everything in reverse order (also on errors, Ctrl-C and
SIGTERM, which a screensaver host sends when it is done with us).

`run_show` builds the shared parts (slideshow/run/parts.py), then hands them to the
displays: headless, the one display renders on the calling thread; otherwise the main
thread owns glfw and the windows (slideshow/run/windowed.py) and each display renders on
its own thread (slideshow/run/display.py).

Start-up order matters for smoothness: workers are started and the GL objects created
before the garbage collector's state is frozen, so a full collection later never walks
the objects that live for the whole run.
"""

from __future__ import annotations

import logging
import threading
from contextlib import ExitStack

from slideshow.config import Config
from slideshow.run.display import DisplayRun, DisplaySettings
from slideshow.run.parts import SharedParts, open_shared_parts
from slideshow.run.report import ShowReport
from slideshow.run.signals import stop_on_signals
from slideshow.run.windowed import WindowedShow

log = logging.getLogger(__name__)


def run_show(config: Config, *, headless: bool = False, seconds: float | None = None,
             frames: int | None = None, capture_last_frame: bool = False,
             parent_window: int | None = None, preview: bool = False) -> ShowReport:
    """Runs the slideshow until every window closes, Esc/q, input (fullscreen, with
    `display.exit_on_input`), Ctrl-C, SIGTERM, or `seconds` / `frames` measured frames on
    each display. `parent_window`: embed the one window into that native window (an X11
    window id, or an HWND on Windows); `preview`: one small window that never exits on
    input and runs at half the refresh rate."""
    with ExitStack() as stack:
        shared = open_shared_parts(config, stack)
        settings = DisplaySettings(rate_hz=config.display.rate_hz, seconds=seconds, frames=frames,
                                   capture_last_frame=capture_last_frame)
        if headless:
            return _run_headless(config, settings, shared, stack)
        windowed = WindowedShow(config, settings, shared, parent_window=parent_window, preview=preview)
        return windowed.run()


def _run_headless(config: Config, settings: DisplaySettings, shared: SharedParts,
                  stack: ExitStack) -> ShowReport:
    from slideshow.gpu.headless import HeadlessSurface  # deferred: loads moderngl

    surface = HeadlessSurface(config.display.size)
    stack.callback(surface.release)
    stop = threading.Event()
    display = DisplayRun(surface, config, settings, shared, stop=stop,
                         on_built=shared.gc_control.freeze_after_startup)
    report = ShowReport()
    with stop_on_signals(stop, report):
        try:
            report.displays.append(display.run())
        except KeyboardInterrupt:
            log.info("interrupted")
            report.exit_reason = "interrupted"
            if display.report is not None:
                report.displays.append(display.report)
    return report
