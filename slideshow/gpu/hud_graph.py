"""The HUD's frame-time graph on the GPU: the last SAMPLES frame times in a 1-row float
texture (a ring: each frame writes 1 KB, never a new object) drawn as bars by one small
fragment pass in a corner, with lines at one and two refresh periods.

Like the caption layer it draws by setting the viewport to its rectangle, blends
premultiplied, and leaves blending off, the default blend function and the viewport
behind.
"""

from __future__ import annotations

import moderngl
import numpy as np

from slideshow.shader_files import shader_source

SAMPLES = 240  # frames shown: 4 s at 60 Hz
GRAPH_PX = (240, 72)  # the largest: a column a frame (llvmpipe pays for every pixel)


class HudGraph:
    """`draw(frame_ms, head, period_ms)` in the bottom-right corner of the viewport found,
    `margin_px` from its edges."""

    def __init__(self, ctx: moderngl.Context, display_size: tuple[int, int], margin_px: int) -> None:
        self.ctx = ctx
        self.margin_px = margin_px
        self.samples = SAMPLES
        width, height = display_size
        self.size = (max(SAMPLES // 4, min(GRAPH_PX[0], width // 2)),
                     max(16, min(GRAPH_PX[1], height // 5)))
        self._texture = ctx.texture((SAMPLES, 1), 1, dtype="f4")
        self._texture.filter = moderngl.NEAREST, moderngl.NEAREST
        self._program = ctx.program(vertex_shader=shader_source("fullscreen.vert"),
                                    fragment_shader=shader_source("hud_graph.frag"))
        self._program["frame_ms"] = 0
        self._program["samples"] = SAMPLES
        self._program["size_px"] = tuple(float(v) for v in self.size)
        self._vao = ctx.vertex_array(self._program, [])

    def rectangle(self) -> tuple[int, int, int, int]:
        """(left, bottom, width, height) in the framebuffer, for the current viewport."""
        vx, vy, vw, _ = self.ctx.viewport
        width, height = self.size
        return vx + vw - self.margin_px - width, vy + self.margin_px, width, height

    def draw(self, frame_ms: np.ndarray, head: int, period_ms: float) -> None:
        """`frame_ms`: float32 (SAMPLES,), a ring whose oldest entry is at `head`; 0: none."""
        ctx = self.ctx
        self._texture.write(frame_ms)
        viewport = ctx.viewport
        left, bottom, width, height = self.rectangle()
        self._texture.use(0)
        self._program["head"] = head
        self._program["period_ms"] = period_ms
        self._program["origin"] = (left, bottom)
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
        """Draws once into a 1-pixel viewport: the driver compiles at the first draw."""
        size = self.size
        self.size = (1, 1)
        try:
            self.draw(np.zeros(SAMPLES, np.float32), 0, 16.667)
        finally:
            self.size = size

    def release(self) -> None:
        self._vao.release()
        self._program.release()
        self._texture.release()
