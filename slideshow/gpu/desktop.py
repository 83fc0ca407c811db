"""The desktop as the main thread sees it: glfw started for the whole run, its events
pumped, and the monitors there are, with a flag when one is plugged in or removed.

glfw's event and window functions belong to the main thread; render threads only make
their context current and swap. Waiting for events goes through ctypes, which lets go of
the GIL, so the render threads run while the main thread sleeps here.
"""

from __future__ import annotations

import glfw

from slideshow.gpu.monitors import (
    FakeMonitorLayout,
    Monitor,
    fake_layout_from_environment,
    glfw_monitors,
)
from slideshow.gpu.window import start_glfw, stop_glfw


class Desktop:
    """glfw for one run, its monitors (real, or the fake layout of the testing seam)."""

    def __init__(self, fake_layout: FakeMonitorLayout | None = None) -> None:
        start_glfw()
        self._fake = fake_layout if fake_layout is not None else fake_layout_from_environment()
        self._changed = False
        if self._fake is None:
            glfw.set_monitor_callback(self._monitor_event)
        self._released = False

    def _monitor_event(self, monitor: object, event: int) -> None:
        self._changed = True

    @property
    def fake(self) -> bool:
        return self._fake is not None

    def monitors(self) -> list[Monitor]:
        return list(self._fake.monitors) if self._fake is not None else glfw_monitors()

    def monitors_changed(self) -> bool:
        """True once after a monitor was plugged in or removed (or the fake layout changed)."""
        if self._fake is not None:
            return self._fake.poll()
        changed, self._changed = self._changed, False
        return changed

    def wait_events(self, timeout_s: float) -> None:
        """Delivers pending window events (their callbacks run here), waiting at most
        `timeout_s` for one."""
        glfw.wait_events_timeout(timeout_s)

    def wake(self) -> None:
        """Ends a `wait_events` early (from any thread)."""
        glfw.post_empty_event()

    def release(self) -> None:
        if self._released:
            return
        self._released = True
        if self._fake is None:
            glfw.set_monitor_callback(None)
        stop_glfw()
