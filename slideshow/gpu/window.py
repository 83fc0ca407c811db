"""A glfw window surface: windowed, or borderless fullscreen on the primary monitor.

Swap interval 1 makes `swap()` wait for the monitor's vsync where the driver honours it;
whether it really blocks is measured by the loop, not assumed (under Xvfb it never does).
Events are polled, never waited for: the render thread's only wait is the swap.
"""

from __future__ import annotations

import glfw
import moderngl

from slideshow.errors import SurfaceError
from slideshow.gpu.surface import Surface

_KEY_NAMES = {
    glfw.KEY_ESCAPE: "escape", glfw.KEY_SPACE: "space", glfw.KEY_LEFT: "left",
    glfw.KEY_RIGHT: "right", glfw.KEY_UP: "up", glfw.KEY_DOWN: "down",
    glfw.KEY_ENTER: "enter", glfw.KEY_TAB: "tab",
}


def _glfw_error_text() -> str:
    code, text = glfw.get_error()
    return text.decode() if isinstance(text, bytes) else str(text or f"error {code}")


class WindowSurface(Surface):
    kind = "window"

    def __init__(self, size: tuple[int, int], fullscreen: bool, title: str = "slideshow") -> None:
        super().__init__()
        # Errors are read back with glfw.get_error() instead of raised from a callback.
        glfw.ERROR_REPORTING = False
        if not glfw.init():
            raise SurfaceError(
                f"cannot start glfw ({_glfw_error_text()}); is a display available "
                "(DISPLAY / WAYLAND_DISPLAY)? `slideshow bench --headless` renders without one")
        monitor = glfw.get_primary_monitor() if fullscreen else None
        mode = glfw.get_video_mode(monitor or glfw.get_primary_monitor()) \
            if glfw.get_primary_monitor() else None
        glfw.default_window_hints()
        glfw.window_hint(glfw.CONTEXT_VERSION_MAJOR, 3)
        glfw.window_hint(glfw.CONTEXT_VERSION_MINOR, 3)
        glfw.window_hint(glfw.OPENGL_PROFILE, glfw.OPENGL_CORE_PROFILE)
        glfw.window_hint(glfw.OPENGL_FORWARD_COMPAT, True)
        glfw.window_hint(glfw.DOUBLEBUFFER, True)
        if monitor is not None and mode is not None:
            # "Windowed fullscreen": matching the current mode means no mode switch, and
            # auto-iconify off keeps the show up when focus moves to another window.
            glfw.window_hint(glfw.RED_BITS, mode.bits.red)
            glfw.window_hint(glfw.GREEN_BITS, mode.bits.green)
            glfw.window_hint(glfw.BLUE_BITS, mode.bits.blue)
            glfw.window_hint(glfw.REFRESH_RATE, mode.refresh_rate)
            glfw.window_hint(glfw.AUTO_ICONIFY, False)
            width, height = mode.size.width, mode.size.height
        else:
            monitor = None
            width, height = size
        self._window = glfw.create_window(width, height, title, monitor, None)
        if not self._window:
            text = _glfw_error_text()
            glfw.terminate()
            raise SurfaceError(f"cannot open a {width}x{height} OpenGL 3.3 window: {text}")
        if monitor is not None:
            glfw.set_input_mode(self._window, glfw.CURSOR, glfw.CURSOR_HIDDEN)
        glfw.make_context_current(self._window)
        glfw.swap_interval(1)
        try:
            self.ctx = moderngl.create_context(require=330)
        except Exception as exc:
            glfw.destroy_window(self._window)
            glfw.terminate()
            raise SurfaceError(f"cannot create an OpenGL 3.3 context: {exc}") from None
        self.size = tuple(glfw.get_framebuffer_size(self._window))  # type: ignore[assignment]
        self.refresh_hz = float(mode.refresh_rate) if mode is not None else 0.0
        glfw.set_key_callback(self._window, self._key_event)
        glfw.set_framebuffer_size_callback(self._window, self._resized)
        self._released = False

    def _key_event(self, window: object, key: int, scancode: int, action: int, mods: int) -> None:
        if action != glfw.PRESS or self.on_key is None:
            return
        name = _KEY_NAMES.get(key)
        if name is None:
            name = (glfw.get_key_name(key, scancode) or f"key{key}").lower()
        self.on_key(name)

    def _resized(self, window: object, width: int, height: int) -> None:
        self.size = (width, height)

    def use(self) -> None:
        self.ctx.screen.use()
        self.ctx.viewport = (0, 0, *self.size)

    def poll(self) -> None:
        glfw.poll_events()

    def should_close(self) -> bool:
        return bool(glfw.window_should_close(self._window))

    def request_close(self) -> None:
        glfw.set_window_should_close(self._window, True)

    def swap(self) -> None:
        glfw.swap_buffers(self._window)

    def read_pixels(self) -> bytes:
        pixels = self.ctx.screen.read(components=4)
        # moderngl selects GL_COLOR_ATTACHMENT0 as the read buffer, which the default
        # framebuffer rejects with GL_INVALID_OPERATION while the read itself proceeds from
        # the back buffer. Clear that one flag so a later check does not blame a frame.
        error = self.ctx.error
        if error not in ("GL_NO_ERROR", "GL_INVALID_OPERATION"):
            raise RuntimeError(f"reading the window's pixels failed: {error}")
        return pixels

    def release(self) -> None:
        if self._released:
            return
        self._released = True
        self.ctx.release()
        glfw.destroy_window(self._window)
        glfw.terminate()
