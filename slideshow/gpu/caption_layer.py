"""One corner's text on the GPU: a texture allocated once at the largest size a caption or
notice may take, rewritten only when new text arrives (slideshow/show/captions.py makes the
image on a worker thread), and drawn one texel per pixel over the frame, faded.

Like the visualizer it draws by setting the viewport to its rectangle, blends
premultiplied (ONE, ONE_MINUS_SRC_ALPHA), and leaves blending off, the default blend
function and the viewport behind, without reading GL state back.
"""

from __future__ import annotations

import moderngl
import numpy as np

from slideshow.shader_files import shader_source

CORNERS = ("top-left", "top-right", "bottom-right")


class CaptionLayer:
    """`max_size`: (width, height) in pixels the images may have; larger ones are cut.
    `corner`: one of CORNERS; `margin_px` from the viewport's edges; `lift_px`: a bottom
    corner's image sits this much higher (the HUD's text above its graph)."""

    def __init__(self, ctx: moderngl.Context, max_size: tuple[int, int], corner: str,
                 margin_px: int, lift_px: int = 0) -> None:
        if corner not in CORNERS:
            raise ValueError(f"corner must be one of {', '.join(CORNERS)}, not {corner!r}")
        self.ctx = ctx
        self.corner, self.margin_px, self.lift_px = corner, margin_px, lift_px
        self._max = (max(1, max_size[0]), max(1, max_size[1]))
        self._texture = ctx.texture(self._max, 4)
        self._program = ctx.program(vertex_shader=shader_source("fullscreen.vert"),
                                    fragment_shader=shader_source("caption.frag"))
        self._program["panel"] = 0
        self._vao = ctx.vertex_array(self._program, [])
        self.size = (0, 0)  # of the image uploaded last

    def upload(self, pixels: np.ndarray) -> None:
        """Writes a (height, width, 4) uint8 image, top row first, into the texture."""
        height, width = min(pixels.shape[0], self._max[1]), min(pixels.shape[1], self._max[0])
        if width <= 0 or height <= 0:
            self.size = (0, 0)
            return
        self._texture.write(np.ascontiguousarray(pixels[:height, :width]),
                            viewport=(0, 0, width, height))
        self.size = (width, height)

    def draw(self, opacity: float) -> None:
        """Draws the image in its corner of the viewport found (the whole framebuffer)."""
        width, height = self.size
        if width == 0 or opacity <= 0.0:
            return
        ctx = self.ctx
        viewport = ctx.viewport
        vx, vy, vw, vh = viewport
        if self.corner == "top-left":
            left = vx + self.margin_px
        else:
            left = vx + vw - self.margin_px - width
        bottom = vy + vh - self.margin_px - height
        if self.corner.startswith("bottom"):
            bottom = vy + self.margin_px + self.lift_px
        self._texture.use(0)
        self._program["origin"] = (left, bottom)
        self._program["size"] = (width, height)
        self._program["opacity"] = float(min(opacity, 1.0))
        ctx.viewport = (left, bottom, width, height)
        ctx.enable(moderngl.BLEND)
        ctx.blend_func = moderngl.ONE, moderngl.ONE_MINUS_SRC_ALPHA
        try:
            self._vao.render(moderngl.TRIANGLES, vertices=3)
        finally:
            ctx.blend_func = moderngl.DEFAULT_BLENDING
            ctx.disable(moderngl.BLEND)
            ctx.viewport = viewport

    def warm_up(self) -> None:
        """Draws once, invisibly: the driver compiles at the first draw, not in a frame."""
        size = self.size
        self.size = (1, 1)
        try:
            self.draw(1e-6)
        finally:
            self.size = size

    def release(self) -> None:
        self._vao.release()
        self._program.release()
        self._texture.release()
