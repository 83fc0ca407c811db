"""Two display-sized photo textures and the crossfade between them.

A photo arrives as RGBA rows at most the display's size (the worker already fitted it); it
is written into the top-left corner of a texture allocated once at the display's size, so
photos of any shape never reallocate GPU memory. The shader gets each photo's size and
its top-left corner on the display (centred: the letterbox) in pixels.
Uploads here are plain `texture.write`; the PBO uploader of the GPU issue replaces them.
"""

from __future__ import annotations

import numpy as np
import moderngl

from slideshow.gpu.shaders import shader_source


class PhotoPass:
    """Owns the two photo textures and the crossfade program."""

    def __init__(self, ctx: moderngl.Context, display_size: tuple[int, int]) -> None:
        self.ctx = ctx
        self.display_size = display_size
        self._program = ctx.program(
            vertex_shader=shader_source("fullscreen.vert"),
            fragment_shader=shader_source("crossfade.frag"),
        )
        self._vao = ctx.vertex_array(self._program, [])
        self._hold_program = ctx.program(
            vertex_shader=shader_source("fullscreen.vert"),
            fragment_shader=shader_source("photo.frag"),
        )
        self._hold_vao = ctx.vertex_array(self._hold_program, [])
        self._textures = [ctx.texture(display_size, 4) for _ in range(2)]
        black = np.zeros((display_size[1], display_size[0], 4), np.uint8)
        black[..., 3] = 255
        for texture in self._textures:
            texture.filter = (moderngl.LINEAR, moderngl.LINEAR)
            texture.repeat_x = texture.repeat_y = False
            texture.write(black)  # shown until the first photo arrives
        self._sizes = [display_size, display_size]
        self._front = 0  # index of the texture shown when progress == 0
        self._program["from_tex"] = 0
        self._program["to_tex"] = 1
        self._program["display_height"] = display_size[1]
        self._hold_program["display_height"] = display_size[1]

    def load_next(self, pixels: np.ndarray) -> None:
        """Uploads a (h, w, 4) uint8 photo into the texture that the next transition shows."""
        height, width = pixels.shape[:2]
        back = 1 - self._front
        self._textures[back].write(pixels, viewport=(0, 0, width, height))
        self._sizes[back] = (width, height)

    def swap_photos(self) -> None:
        """Makes the photo shown at the end of a transition the one shown at its start."""
        self._front = 1 - self._front

    def draw(self, progress: float) -> None:
        """Draws the old photo crossfaded into the new one; progress is 0..1."""
        front, back = self._front, 1 - self._front
        if progress <= 0.0 or progress >= 1.0:
            self._draw_one(front if progress <= 0.0 else back)
            return
        self._textures[front].use(0)
        self._textures[back].use(1)
        self._program["from_origin"] = self._origin(self._sizes[front])
        self._program["to_origin"] = self._origin(self._sizes[back])
        self._program["from_size"] = self._sizes[front]
        self._program["to_size"] = self._sizes[back]
        self._program["progress"] = float(min(max(progress, 0.0), 1.0))
        self._vao.render(moderngl.TRIANGLES, vertices=3)

    def _draw_one(self, index: int) -> None:
        self._textures[index].use(0)
        self._hold_program["origin"] = self._origin(self._sizes[index])
        self._hold_program["size"] = self._sizes[index]
        self._hold_vao.render(moderngl.TRIANGLES, vertices=3)

    def _origin(self, size: tuple[int, int]) -> tuple[int, int]:
        """The top-left pixel of a photo of `size` centred on the display."""
        return ((self.display_size[0] - size[0]) // 2, (self.display_size[1] - size[1]) // 2)

    def release(self) -> None:
        for texture in self._textures:
            texture.release()
        for vao, program in ((self._vao, self._program), (self._hold_vao, self._hold_program)):
            vao.release()
            program.release()
