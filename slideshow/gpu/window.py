"""A glfw window surface: windowed, borderless fullscreen on a monitor, or a borderless
window on a described monitor rectangle (the multi-monitor testing seam).

The window is created on the main thread, which alone may call glfw's window and event
functions; the render thread then calls `attach()` to make the context current there and
build the moderngl context, and `detach()` when it is done. Events (keys, pointer, clicks)
are delivered on whichever thread pumps them: the main thread when several displays run
(`poll()` is then a no-op for the render thread), the loop itself otherwise.

Swap interval 1 makes `swap()` wait for the monitor's vsync where the driver honours it;
whether it really blocks is measured by the loop, not assumed (under Xvfb it never does).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import glfw
import moderngl

from slideshow.errors import SurfaceError
from slideshow.gpu.monitors import Monitor, glfw_monitor_handle
from slideshow.gpu.surface import Surface

_KEY_NAMES = {
    glfw.KEY_ESCAPE: "escape", glfw.KEY_SPACE: "space", glfw.KEY_LEFT: "left",
    glfw.KEY_RIGHT: "right", glfw.KEY_UP: "up", glfw.KEY_DOWN: "down",
    glfw.KEY_ENTER: "enter", glfw.KEY_TAB: "tab",
}

_glfw_users = 0  # windows open: glfw is initialised for the first, terminated after the last
_glfw_lock = threading.Lock()


def _glfw_error_text() -> str:
    code, text = glfw.get_error()
    return text.decode() if isinstance(text, bytes) else str(text or f"error {code}")


def start_glfw() -> None:
    """Initialises glfw for one more user (main thread)."""
    global _glfw_users
    with _glfw_lock:
        if _glfw_users == 0:
            # Errors are read back with glfw.get_error() instead of raised from a callback.
            glfw.ERROR_REPORTING = False
            if not glfw.init():
                raise SurfaceError(
                    f"cannot start glfw ({_glfw_error_text()}); is a display available "
                    "(DISPLAY / WAYLAND_DISPLAY)? `slideshow bench --headless` renders without one")
        _glfw_users += 1


def stop_glfw() -> None:
    """One user fewer; the last one terminates glfw (main thread)."""
    global _glfw_users
    with _glfw_lock:
        _glfw_users = max(0, _glfw_users - 1)
        if _glfw_users == 0:
            glfw.terminate()


def _primary_monitor_name() -> str:
    primary = glfw.get_primary_monitor()
    name = glfw.get_monitor_name(primary) if primary else None
    return name.decode() if isinstance(name, bytes) else str(name or "the monitor")


class WindowSurface(Surface):
    kind = "window"

    def __init__(self, size: tuple[int, int], fullscreen: bool, title: str = "slideshow", *,
                 monitor: Monitor | None = None, attach_now: bool = True,
                 pump_events: bool = True, visible: bool = True) -> None:
        """`monitor`: where a fullscreen window goes (default: the primary monitor); a fake
        one gets a borderless window on its rectangle. `attach_now`: make the context
        current on this thread now (one thread does everything); otherwise the render
        thread calls `attach()`. `pump_events`: `poll()` pumps glfw's events (only when the
        loop runs on the main thread). `visible`: False for a window never shown (its GL
        context and framebuffer are those of a shown one: the shader warmer's)."""
        super().__init__()
        start_glfw()
        self.on_pointer: Callable[[float, float], None] | None = None
        self.on_click: Callable[[], None] | None = None
        self.monitor = monitor
        self._pump_events = pump_events
        try:
            self._window, mode = self._create(size, fullscreen, title, monitor, visible)
        except BaseException:
            stop_glfw()
            raise
        self.size = tuple(glfw.get_framebuffer_size(self._window))  # type: ignore[assignment]
        if monitor is not None and monitor.refresh_hz:
            self.refresh_hz = monitor.refresh_hz
        else:
            self.refresh_hz = float(mode.refresh_rate) if mode is not None else 0.0
            if not self.refresh_hz:
                # A mode without a dot clock: a virtual X server (Xvfb reports its "screen"
                # output at 0 Hz), whose swap never waits. Measuring it first misjudged 7 of
                # 29 busy start-ups; the presenter paces at once and keeps checking.
                self.vsync_prior = (f"glfw reports {_primary_monitor_name()}'s refresh as 0 Hz "
                                    "(a virtual display such as Xvfb)")
        glfw.set_key_callback(self._window, self._key_event)
        glfw.set_cursor_pos_callback(self._window, self._pointer_event)
        glfw.set_mouse_button_callback(self._window, self._button_event)
        glfw.set_framebuffer_size_callback(self._window, self._resized)
        self._attached = False
        self._released = False
        if attach_now:
            self.attach()

    def _create(self, size: tuple[int, int], fullscreen: bool, title: str,
                monitor: Monitor | None, visible: bool) -> tuple[object, object | None]:
        primary = glfw.get_primary_monitor()
        handle = None
        if fullscreen and monitor is not None and not monitor.fake:
            handle = glfw_monitor_handle(monitor)
        elif fullscreen and monitor is None:
            handle = primary
        mode = glfw.get_video_mode(handle or primary) if (handle or primary) else None
        glfw.default_window_hints()
        glfw.window_hint(glfw.CONTEXT_VERSION_MAJOR, 3)
        glfw.window_hint(glfw.CONTEXT_VERSION_MINOR, 3)
        glfw.window_hint(glfw.OPENGL_PROFILE, glfw.OPENGL_CORE_PROFILE)
        glfw.window_hint(glfw.OPENGL_FORWARD_COMPAT, True)
        glfw.window_hint(glfw.DOUBLEBUFFER, True)
        # Auto-iconify off keeps a fullscreen show up when focus moves to another window.
        glfw.window_hint(glfw.AUTO_ICONIFY, False)
        glfw.window_hint(glfw.VISIBLE, visible)
        if handle is not None and mode is not None:
            # "Windowed fullscreen": matching the current mode means no mode switch.
            glfw.window_hint(glfw.RED_BITS, mode.bits.red)
            glfw.window_hint(glfw.GREEN_BITS, mode.bits.green)
            glfw.window_hint(glfw.BLUE_BITS, mode.bits.blue)
            glfw.window_hint(glfw.REFRESH_RATE, mode.refresh_rate)
            width, height = mode.size.width, mode.size.height
        elif fullscreen and monitor is not None:  # a fake monitor: a borderless rectangle
            glfw.window_hint(glfw.DECORATED, False)
            width, height = monitor.size
        else:
            handle = None
            width, height = size
        window = glfw.create_window(width, height, title, handle, None)
        if not window:
            raise SurfaceError(f"cannot open a {width}x{height} OpenGL 3.3 window: {_glfw_error_text()}")
        if fullscreen and monitor is not None and monitor.fake:
            glfw.set_window_pos(window, monitor.x, monitor.y)
        if fullscreen:
            glfw.set_input_mode(window, glfw.CURSOR, glfw.CURSOR_HIDDEN)
        return window, mode

    def attach(self) -> None:
        """Makes the window's context current on the calling thread (the render thread)
        and creates the moderngl context and swap interval there."""
        glfw.make_context_current(self._window)
        glfw.swap_interval(1)
        try:
            self.ctx = moderngl.create_context(require=330)
        except Exception as exc:
            glfw.make_context_current(None)
            raise SurfaceError(f"cannot create an OpenGL 3.3 context: {exc}") from None
        self._attached = True

    def detach(self) -> None:
        """Releases the moderngl context and the current-ness, on the render thread, so the
        main thread may destroy the window."""
        if self._attached:
            self._attached = False
            self.ctx.release()
            glfw.make_context_current(None)

    @property
    def x11_window_id(self) -> int | None:
        """The X11 window's id (for embedding into a screensaver host), None elsewhere."""
        return self._native_handle(glfw.get_x11_window)

    @property
    def win32_window_handle(self) -> int | None:
        """The window's HWND (for the Windows preview inside a host), None elsewhere."""
        return self._native_handle(glfw.get_win32_window)

    def _native_handle(self, getter: Callable[[object], object]) -> int | None:
        # glfw raises (or lacks the function) on a platform the window is not on.
        try:
            return int(getter(self._window)) or None
        except (AttributeError, NotImplementedError, glfw.GLFWError, TypeError):
            return None

    def _key_event(self, window: object, key: int, scancode: int, action: int, mods: int) -> None:
        if action != glfw.PRESS or self.on_key is None:
            return
        name = _KEY_NAMES.get(key)
        if name is None:
            name = (glfw.get_key_name(key, scancode) or f"key{key}").lower()
        self.on_key(name)

    def _pointer_event(self, window: object, x: float, y: float) -> None:
        if self.on_pointer is not None:
            self.on_pointer(x, y)

    def _button_event(self, window: object, button: int, action: int, mods: int) -> None:
        if action == glfw.PRESS and self.on_click is not None:
            self.on_click()

    def _resized(self, window: object, width: int, height: int) -> None:
        if width > 0 and height > 0:  # 0x0 while minimised: keep drawing at the last size
            self.size = (width, height)

    def use(self) -> None:
        self.ctx.screen.use()
        self.ctx.viewport = (0, 0, *self.size)

    def poll(self) -> None:
        if self._pump_events:
            glfw.poll_events()

    def should_close(self) -> bool:
        return bool(glfw.window_should_close(self._window))

    def request_close(self) -> None:
        glfw.set_window_should_close(self._window, True)

    def set_swap_interval(self, vsyncs: int) -> None:
        # The context is current on this (the render) thread, as glfw requires.
        glfw.swap_interval(vsyncs)

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
        self.detach()
        glfw.destroy_window(self._window)
        stop_glfw()
