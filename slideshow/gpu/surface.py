"""The one small interface the frame loop draws through: a window or an offscreen target.

The loop never knows which it drives. A surface owns its GL context; `present()`'s pieces
(`finish`, `swap`) are separate because the order differs between a blocking vsync (swap,
then finish so the clock stays on the vsync) and the paced fallback (finish, wait, swap).
"""

from __future__ import annotations

import abc
from collections.abc import Callable

import moderngl

from slideshow.gpu import gl_calls


class Surface(abc.ABC):
    """Something to draw frames on, with its GL context."""

    ctx: moderngl.Context
    #: Framebuffer size in pixels.
    size: tuple[int, int]
    #: The monitor's refresh rate from its video mode, in Hz; 0.0 when unknown (Xvfb, headless).
    refresh_hz: float
    #: "window" or "headless": for reports only; the loop does not branch on it.
    kind: str
    #: True when swap() can never block (no display at all): detection can be skipped.
    swap_never_blocks: bool = False
    #: Why the display is expected not to block on vsync, for the log ("" when nothing
    #: says so): the presenter then paces from the first frame and only checks it.
    vsync_prior: str = ""

    def __init__(self) -> None:
        self.on_key: Callable[[str], None] | None = None

    @abc.abstractmethod
    def use(self) -> None:
        """Binds the surface's framebuffer for drawing."""

    def poll(self) -> None:
        """Handles pending window-system events without waiting."""

    def should_close(self) -> bool:
        return False

    def attach(self) -> None:
        """Makes the context current on the calling thread (a render thread); surfaces
        whose context is current where they were made need nothing."""

    def detach(self) -> None:
        """Gives the context up on the calling thread, before another thread releases it."""

    def finish(self) -> None:
        """Waits until the GPU has executed every command issued so far.

        Through ctypes, which lets go of the GIL while it waits (moderngl's finish keeps
        it): with a display per thread, the others run meanwhile."""
        gl_calls.load().glFinish()

    @abc.abstractmethod
    def swap(self) -> None:
        """Presents the frame drawn since the last swap."""

    def set_swap_interval(self, vsyncs: int) -> None:
        """Makes each swap wait for `vsyncs` vsyncs (the governor's steady half or third
        rate on a display whose swap blocks); nothing where nothing is presented."""

    def read_pixels(self) -> bytes:
        """The current framebuffer as RGBA rows, bottom row first (GL order); for tests."""
        self.use()
        return self.ctx.fbo.read(components=4) if self.ctx.fbo else b""

    @property
    def renderer(self) -> str:
        return str(self.ctx.info.get("GL_RENDERER", "unknown"))

    @abc.abstractmethod
    def release(self) -> None:
        """Frees the context and the window; idempotent."""
