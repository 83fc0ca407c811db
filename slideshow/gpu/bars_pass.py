"""An instanced bar graph over the photo: the visualizer's drawing cost, until the audio
issue brings real spectrum modes. Heights come in as a numpy array each frame."""

from __future__ import annotations

import moderngl
import numpy as np

from slideshow.gpu.shaders import shader_source

MAX_BARS = 64


class BarsPass:
    def __init__(self, ctx: moderngl.Context, area: tuple[float, float, float, float] = (-0.9, -0.95, 1.8, 0.3)) -> None:
        self.ctx = ctx
        self._program = ctx.program(
            vertex_shader=shader_source("bars.vert"), fragment_shader=shader_source("bars.frag"))
        self._vao = ctx.vertex_array(self._program, [])
        self._program["area"] = area
        self._program["low_colour"] = (0.2, 0.6, 1.0, 0.55)
        self._program["high_colour"] = (1.0, 0.35, 0.6, 0.85)
        self._heights = self._program["heights"]

    def draw(self, heights: np.ndarray) -> None:
        """Draws len(heights) bars (at most 64); heights are 0..1."""
        count = min(len(heights), MAX_BARS)
        self._program["bar_count"] = count
        self._heights.write(np.ascontiguousarray(heights[:count], dtype=np.float32).tobytes()
                            .ljust(MAX_BARS * 4, b"\0"))
        self.ctx.enable(moderngl.BLEND)
        self.ctx.blend_func = moderngl.SRC_ALPHA, moderngl.ONE_MINUS_SRC_ALPHA
        self._vao.render(moderngl.TRIANGLE_STRIP, vertices=4, instances=count)
        self.ctx.disable(moderngl.BLEND)

    def warm_up(self) -> None:
        """Draws once (zero-height bars) so the driver compiles the program before the
        first frame rather than in it."""
        self.draw(np.zeros(MAX_BARS, np.float32))
        self.ctx.finish()

    def release(self) -> None:
        self._vao.release()
        self._program.release()
