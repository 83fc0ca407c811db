"""Dynamic resolution: what moves drawn smaller, then a filtered upscale to the screen.

The frame-cost governor (slideshow/pacing/governor.py) picks a scale for each moving frame.
`ScaledTarget.draw` runs the scene's drawing into an offscreen texture with the viewport
set to that fraction of the display's width and height (every pass here draws through the
viewport: transitions, the visualizer, Ken Burns views), then draws that corner of the
texture over the whole bound framebuffer, bilinear. The texture is allocated once at the
display's size, so a new scale every frame costs no allocation. At scale 1 the scene draws
straight into the bound framebuffer, as without a governor.

The upscale is not free where the GPU is the CPU: on llvmpipe it is a textured full-screen
draw (5.4 ms at 1280x720, 12.8 ms at 1920x1080 on the project's 2-core machine; a scaled
glBlitFramebuffer costs the same). `measure_upscale_ms` times it once at start so the
governor weighs it against what scaling saves.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import moderngl

from slideshow.shader_files import shader_source

# Timed upscales at start, after one untimed (the shader's first draw compiles it, and the
# target's memory is touched for the first time): the fastest is the governor's figure,
# the rest of the cost of a scaled frame is learned with the transition's own.
UPSCALE_RUNS = 5
WARM_SIZE = 64  # warm_up's corner, in pixels along the display's shorter side


class ScaledTarget:
    """An offscreen colour target at the display's size, drawn into at a scale."""

    def __init__(self, ctx: moderngl.Context, size: tuple[int, int]) -> None:
        self.ctx = ctx
        self.size = size
        self._texture = ctx.texture(size, 4)
        self._texture.repeat_x = self._texture.repeat_y = False
        self._texture.filter = (moderngl.LINEAR, moderngl.LINEAR)
        self._target = ctx.framebuffer(color_attachments=[self._texture])
        self._program = ctx.program(vertex_shader=shader_source("fullscreen.vert"),
                                    fragment_shader=shader_source("upscale.frag"))
        self._program["texel_size"] = (1.0 / size[0], 1.0 / size[1])
        self._vao = ctx.vertex_array(self._program, [])
        self.last_scale = 1.0

    def scaled_size(self, scale: float) -> tuple[int, int]:
        return (max(1, round(self.size[0] * scale)), max(1, round(self.size[1] * scale)))

    def draw(self, scale: float, draw: Callable[[], None]) -> None:
        """Runs `draw` at `scale` of the display's size and upscales the result into the
        bound framebuffer (at scale 1: straight into it). Leaves that framebuffer bound."""
        self.last_scale = scale
        if scale >= 1.0:
            draw()
            return
        with self._into_target(scale) as (width, height):
            draw()
        self._upscale(width, height)

    @contextmanager
    def _into_target(self, scale: float) -> Iterator[tuple[int, int]]:
        """The offscreen target bound, its viewport `scale` of the display's size (given);
        the viewport and the framebuffer bound before are put back after."""
        screen = self.ctx.fbo
        width, height = self.scaled_size(scale)
        self._target.use()
        self._target.viewport = (0, 0, width, height)
        try:
            yield width, height
        finally:
            self._target.viewport = (0, 0, *self.size)
            screen.use()

    def warm_up(self, draw: Callable[[], None]) -> None:
        """Runs `draw` into a corner of a few pixels of the offscreen target, then the
        upscale into the bound framebuffer: each program the scaled frames use is compiled
        for this target's format (another variant for llvmpipe), at almost no pixel cost."""
        self.draw(WARM_SIZE / min(self.size), draw)

    def _upscale(self, width: int, height: int) -> None:
        self._texture.use(0)
        self._program["region"] = (float(width), float(height))
        self._vao.render(moderngl.TRIANGLES, vertices=3)

    def time_draw_ms(self, scale: float, draw: Callable[[], None], finish: Callable[[], None],
                     now: Callable[[], float] = time.perf_counter) -> float:
        """How long `draw` takes at `scale` into the offscreen target, finished (a
        calibration: nothing reaches the screen); leaves the bound framebuffer bound."""
        finish()  # what was queued before is not this draw's cost
        started = now()
        with self._into_target(scale):
            draw()
            finish()
        return (now() - started) * 1e3

    def measure_upscale_ms(self, finish: Callable[[], None],
                           now: Callable[[], float] = time.perf_counter) -> float:
        """The upscale's cost in ms (the fastest of a few, each finished), drawn into the
        bound framebuffer: call it before the first frame, whose drawing covers it."""
        width, height = self.scaled_size(0.5)
        self._upscale(width, height)
        finish()
        runs = []
        for _ in range(UPSCALE_RUNS):
            started = now()
            self._upscale(width, height)
            finish()
            runs.append(now() - started)
        return min(runs) * 1e3

    def release(self) -> None:
        self._vao.release()
        self._program.release()
        self._target.release()
        self._texture.release()
