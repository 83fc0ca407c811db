"""The show in windows: a borderless fullscreen window on each chosen monitor, or one plain
window, or one window embedded into a screensaver host's window; each rendered by its own
thread (slideshow/run/display.py).

The main thread stays here: it pumps the windows' events and applies the screensaver's
exit rule to them, opens a window for a monitor plugged in and closes the one whose
monitor went away (without a restart), and keeps an embedded window the size of its host,
closing the show when the host window is gone.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from slideshow.config import Config
from slideshow.errors import SurfaceError
from slideshow.run.display import DisplayRun, DisplaySettings
from slideshow.run.parts import SharedParts
from slideshow.run.report import ShowReport
from slideshow.run.signals import stop_on_signals
from slideshow.screensaver.input_exit import SHOW_KEYS, InputExitPolicy
from slideshow.show.controls import KEY_ACTIONS

if TYPE_CHECKING:
    from slideshow.gpu.desktop import Desktop
    from slideshow.gpu.monitors import Monitor
    from slideshow.gpu.window import WindowSurface

log = logging.getLogger(__name__)

PREVIEW_RATE_DIVISOR = 2  # the preview's lighter budget: every other vsync
BUILD_TIMEOUT_S = 120.0
EVENT_WAIT_S = 0.02  # the main thread's longest sleep between looks at its windows
HOTPLUG_EVERY_S = 0.25
EMBED_EVERY_S = 0.2
JOIN_TIMEOUT_S = 5.0


@dataclass
class _Display:
    surface: WindowSurface
    run: DisplayRun
    exit_policy: InputExitPolicy
    embedding: Embedding | None = None
    host_size: tuple[int, int] | None = None


class Embedding(Protocol):
    """A window put inside a host's window (slideshow/gpu/x11_embed.py, gpu/win32_embed.py)."""

    def parent_size(self) -> tuple[int, int] | None: ...
    def follow_parent(self) -> tuple[int, int] | None: ...
    def close(self) -> None: ...


class WindowedShow:
    """The show in windows, run by the main thread (`run`) until the show ends."""

    def __init__(self, config: Config, settings: DisplaySettings, shared: SharedParts, *,
                 parent_window: int | None = None, preview: bool = False,
                 now: Callable[[], float] = time.perf_counter) -> None:
        self.config, self.settings, self.shared = config, settings, shared
        self._now = now
        self.parent_window = parent_window
        self.preview = preview
        self.fullscreen = config.display.fullscreen and parent_window is None and not preview
        if preview:  # paced at half the rate: a preview is a thumbnail, not the show
            self.config = dataclasses.replace(
                config, display=dataclasses.replace(config.display, vsync="paced"))
        self._stop = threading.Event()
        self._go = threading.Event()
        self._displays: dict[str, _Display] = {}
        self._report = ShowReport()
        self._exit_asked_s: float | None = None
        self._next_index = 0  # each display's number, for its own photo sequence

    # -- the main thread's run -----------------------------------------------------------

    def run(self) -> ShowReport:
        from slideshow.gpu.desktop import Desktop  # deferred: loads glfw

        desktop = Desktop()
        try:
            with stop_on_signals(self._stop, self._report):
                try:
                    self._open_first(desktop)
                    self._pump(desktop)
                except KeyboardInterrupt:
                    log.info("interrupted")
                    self._report.exit_reason = "interrupted"
        finally:
            self._stop.set()
            self._go.set()  # a display still waiting to start must not wait for ever
            for name in list(self._displays):
                self._close_display(name)
            if self._exit_asked_s is not None:
                self._report.exit_s = round(self._now() - self._exit_asked_s, 4)
            desktop.release()
        return self._report

    def _open_first(self, desktop: Desktop) -> None:
        monitors: list[Monitor | None] = [None]
        if self.fullscreen:
            from slideshow.gpu.monitors import choose_monitors  # deferred: loads glfw

            monitors = choose_monitors(desktop.monitors(), self.config.display.monitor) or [None]
        for index, monitor in enumerate(monitors):
            self._open_display(monitor, stagger_s=index * self.config.show.interval_s / len(monitors))
        for display in self._displays.values():
            display.run.built.wait(BUILD_TIMEOUT_S)
            if display.run.error is not None:
                raise display.run.error
        self.shared.gc_control.freeze_after_startup()
        self._go.set()

    def _open_display(self, monitor: Monitor | None, stagger_s: float) -> None:
        from slideshow.gpu.window import (
            WindowSurface,  # deferred: loads glfw and moderngl
        )

        name = monitor.name if monitor is not None else "window"
        surface = WindowSurface(self.config.display.size, self.fullscreen, monitor=monitor,
                                attach_now=False, pump_events=False)
        display = _Display(surface, None,  # type: ignore[arg-type]
                           InputExitPolicy(enabled=self.fullscreen and self.config.display.exit_on_input))
        try:
            if self.parent_window is not None:
                display.embedding = embed(surface, self.parent_window)
                display.host_size = display.embedding.parent_size()
                if display.host_size:
                    # The embedding sized the window to its host; glfw hears of it only with
                    # the next events, after the display was built for the old size.
                    surface.size = display.host_size
        except BaseException:
            surface.release()
            raise
        self._wire_input(display)
        rate_hz = self.settings.rate_hz or surface.refresh_hz
        if self.preview:
            rate_hz = (rate_hz or 60.0) / PREVIEW_RATE_DIVISOR
        settings = dataclasses.replace(self.settings, name=name if monitor is not None else "",
                                       index=self._next_index, stagger_s=stagger_s, rate_hz=rate_hz)
        self._next_index += 1
        display.run = DisplayRun(surface, self.config, settings, self.shared, stop=self._stop,
                                 go=self._go)
        self._displays[name] = display
        display.run.start()

    def _close_display(self, name: str) -> None:
        display = self._displays.pop(name)
        display.run.close()
        display.run.join(JOIN_TIMEOUT_S)
        if display.run.report is not None:
            self._report.displays.append(display.run.report)
        if display.embedding is not None:
            display.embedding.close()
        if display.run.finished:
            display.surface.release()
        else:  # a render thread that does not end keeps its window; the process exit takes both
            log.error("display %s did not stop within %.0f s", name, JOIN_TIMEOUT_S)

    # -- events --------------------------------------------------------------------------

    def _wire_input(self, display: _Display) -> None:
        policy = display.exit_policy

        def on_key(name: str) -> None:
            if name in ("escape", "q"):
                self.request_exit("key")
            elif policy.on_key(name):
                self.request_exit("input")
            elif name in SHOW_KEYS:
                self.press(name)

        def on_pointer(x: float, y: float) -> None:
            if policy.on_motion(x, y):
                self.request_exit("input")

        def on_click() -> None:
            if policy.on_button():
                self.request_exit("input")

        display.surface.on_key = on_key
        display.surface.on_pointer = on_pointer
        display.surface.on_click = on_click

    def press(self, name: str) -> None:
        """A show key, pressed in any window: every display applies it at its next frame."""
        log.info("key %s: %s", name, KEY_ACTIONS.get(name, "nothing"))
        for display in self._displays.values():
            display.run.press(name)

    def request_exit(self, reason: str) -> None:
        if not self._stop.is_set():
            self._exit_asked_s = self._now()
            self._report.exit_reason = reason
            log.info("exiting: %s", reason)
            self._stop.set()

    def _pump(self, desktop: Desktop) -> None:
        next_hotplug_s = next_embed_s = 0.0
        follows_monitors = self.fullscreen and self.config.display.monitor == "all"
        while not self._stop.is_set():
            desktop.wait_events(EVENT_WAIT_S)
            for display in self._displays.values():
                if display.run.error is not None:
                    raise display.run.error
                if display.surface.should_close():
                    self.request_exit("window closed")
            if self._displays and all(d.run.finished for d in self._displays.values()):
                return  # every display ran its seconds or frames
            now_s = self._now()
            if follows_monitors and now_s >= next_hotplug_s:
                next_hotplug_s = now_s + HOTPLUG_EVERY_S
                if desktop.monitors_changed():
                    self._follow_monitors(desktop.monitors())
            if self.parent_window is not None and now_s >= next_embed_s:
                next_embed_s = now_s + EMBED_EVERY_S
                self._follow_host()

    def _follow_monitors(self, monitors: list[Monitor]) -> None:
        present = {monitor.name: monitor for monitor in monitors}
        for name in [name for name in self._displays if name not in present]:
            log.info("monitor %s went away: closing its window", name)
            self._close_display(name)
        for name, monitor in present.items():
            if name not in self._displays:
                log.info("monitor %s plugged in: opening a window on it", name)
                self._open_display(monitor, stagger_s=0.0)
        if not self._displays:
            log.info("no monitor left")
            self.request_exit("no monitor")

    def _follow_host(self) -> None:
        for display in self._displays.values():
            keep_host_errors_nonfatal()  # glfw may have put its own X error handler back
            assert display.embedding is not None  # every display is embedded, or none
            size = display.embedding.follow_parent()
            if size is None:
                self.request_exit("parent gone")
                return
            if size != display.host_size and size[0] > 0 and size[1] > 0:
                display.host_size = size
                display.surface.size = size  # the embedding resized the window itself


def embed(surface: WindowSurface, parent_window: int) -> Embedding:
    """Puts the window inside a screensaver host's window (X11 window id or Windows HWND)."""
    if sys.platform == "win32":
        from slideshow.gpu.win32_embed import Win32Embedding  # deferred: Windows only

        child = surface.win32_window_handle
        if child is None:
            raise SurfaceError("cannot get the window's handle to put it in the preview pane")
        return Win32Embedding(parent_window, child)
    child = surface.x11_window_id
    if child is None:
        raise SurfaceError("embedding into a window needs X11 (this session is not X11: "
                           "Wayland has no way to put one app's window inside another's)")
    from slideshow.gpu.x11_embed import X11Embedding  # deferred: loads libX11

    embedding = X11Embedding(parent_window, child)
    keep_host_errors_nonfatal()
    return embedding


def keep_host_errors_nonfatal() -> None:
    """The host may destroy its window, and ours inside it, at any moment: X errors on
    glfw's connection then must not end the process (Xlib's default handler exits)."""
    if sys.platform != "win32":
        from slideshow.gpu.x11_embed import (
            keep_x_errors_nonfatal,  # deferred: loads libX11
        )

        keep_x_errors_nonfatal()
