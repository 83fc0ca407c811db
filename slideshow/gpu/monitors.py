"""The monitors to show on: where each one is, its size and its refresh rate.

`glfw_monitors()` asks glfw (the real desktop). `FakeMonitorLayout` is the testing seam:
Xvfb has one screen, so a test describes the monitors it wants in a text file (named by
the SLIDESHOW_FAKE_MONITORS environment variable), and the show opens a borderless window
on each described rectangle of that one screen, paced at the described rate. Rewriting the
file while the show runs is a hotplug: a monitor added or removed.

A description is monitors separated by `;`, each `NAME=WxH+X+Y@HZ`, e.g.
`left=640x360+0+0@60; right=640x360+640+0@144`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from slideshow.errors import ConfigError

FAKE_MONITORS_VARIABLE = "SLIDESHOW_FAKE_MONITORS"
_MONITOR = re.compile(r"^\s*([\w.-]+)\s*=\s*(\d+)x(\d+)\+(-?\d+)\+(-?\d+)@(\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class Monitor:
    """One monitor: `name` is stable while it stays plugged in; geometry in screen pixels."""

    name: str
    x: int
    y: int
    width: int
    height: int
    refresh_hz: float  # 0.0 when the mode does not say
    fake: bool = False  # a FakeMonitorLayout rectangle: a borderless window, not fullscreen

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height


def parse_monitors(text: str) -> list[Monitor]:
    """Monitors from a description (see the module docstring); an empty text is none."""
    monitors = []
    for part in filter(str.strip, text.replace("\n", ";").split(";")):
        match = _MONITOR.match(part)
        if match is None:
            raise ConfigError(f"fake monitor {part.strip()!r}: expected NAME=WxH+X+Y@HZ, "
                              "e.g. left=640x360+0+0@60")
        name, width, height, x, y, rate = match.groups()
        monitors.append(Monitor(name, int(x), int(y), int(width), int(height), float(rate), fake=True))
    names = [monitor.name for monitor in monitors]
    if len(set(names)) != len(names):
        raise ConfigError(f"fake monitors: names must be distinct, got {', '.join(names)}")
    return monitors


class FakeMonitorLayout:
    """Monitors described in a file, re-read when the file changes (checked on `poll`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self.monitors: list[Monitor] = []
        self.poll()

    def poll(self) -> bool:
        """Re-reads the file if it changed; True when the monitors changed."""
        try:
            status = self.path.stat()
        except OSError:
            raise ConfigError(f"{FAKE_MONITORS_VARIABLE}={self.path}: no such file") from None
        stamp = (status.st_mtime_ns, status.st_size)
        if stamp == self._stamp:
            return False
        self._stamp = stamp
        monitors = parse_monitors(self.path.read_text())
        changed = monitors != self.monitors
        self.monitors = monitors
        return changed


def fake_layout_from_environment() -> FakeMonitorLayout | None:
    path = os.environ.get(FAKE_MONITORS_VARIABLE)
    return FakeMonitorLayout(Path(path)) if path else None


def glfw_monitors() -> list[Monitor]:
    """The desktop's monitors from glfw (initialised by the caller), primary first."""
    import glfw  # glfw's library loads only for real monitors: a fake layout needs none

    monitors = []
    for handle in glfw.get_monitors() or []:
        mode = glfw.get_video_mode(handle)
        x, y = glfw.get_monitor_pos(handle)
        name = glfw.get_monitor_name(handle)
        name = name.decode() if isinstance(name, bytes) else str(name)
        monitors.append(Monitor(f"{name}@{x},{y}", x, y, mode.size.width, mode.size.height,
                                float(mode.refresh_rate)))
    return monitors


def glfw_monitor_handle(monitor: Monitor) -> object | None:
    """The glfw handle of a real monitor, or None when it is gone (or fake)."""
    import glfw  # as in glfw_monitors: only for real monitors

    if monitor.fake:
        return None
    for handle in glfw.get_monitors() or []:
        x, y = glfw.get_monitor_pos(handle)
        name = glfw.get_monitor_name(handle)
        name = name.decode() if isinstance(name, bytes) else str(name)
        if f"{name}@{x},{y}" == monitor.name:
            return handle
    return None


def choose_monitors(monitors: list[Monitor], which: str) -> list[Monitor]:
    """`display.monitor`: "all", or one monitor's number (0 = primary)."""
    if which == "all":
        return list(monitors)
    if not which.isdigit():
        raise ConfigError(f"config key display.monitor = {which!r}: allowed values are all, "
                          "or a monitor's number (0 is the primary)")
    index = int(which)
    if not 0 <= index < len(monitors):
        raise ConfigError(f"config key display.monitor = {which!r}: there are {len(monitors)} "
                          f"monitors (0-{len(monitors) - 1}), or all")
    return [monitors[index]]
