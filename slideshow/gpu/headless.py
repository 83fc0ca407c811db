"""A headless surface: an EGL standalone context drawing into an offscreen framebuffer.

Used by `slideshow bench --headless`, by tests on Mesa's llvmpipe, and on GPU machines with
no display. Nothing presents, so nothing blocks: the paced fallback is always the clock.
"""

from __future__ import annotations

import moderngl

from slideshow.errors import SurfaceError
from slideshow.gpu.surface import Surface


class HeadlessSurface(Surface):
    kind = "headless"
    swap_never_blocks = True

    def __init__(self, size: tuple[int, int]) -> None:
        super().__init__()
        try:
            self.ctx = moderngl.create_context(standalone=True, backend="egl", require=330)
        except Exception as exc:  # glcontext raises plain Exceptions with the EGL error text
            raise SurfaceError(
                f"cannot create a headless EGL context ({exc}); install Mesa's EGL "
                "(Debian/Ubuntu: apt-get install libegl1 libgl1-mesa-dri)") from None
        self.size = (int(size[0]), int(size[1]))
        self.refresh_hz = 0.0
        self._colour = self.ctx.renderbuffer(self.size, components=4)
        self._fbo = self.ctx.framebuffer(color_attachments=[self._colour])
        self._released = False

    def use(self) -> None:
        self._fbo.use()

    def swap(self) -> None:
        # Nothing to present: the loop's finish() has already made the frame's commands run.
        return None

    def read_pixels(self) -> bytes:
        return self._fbo.read(components=4)

    def release(self) -> None:
        if self._released:
            return
        self._released = True
        self._fbo.release()
        self._colour.release()
        self.ctx.release()
