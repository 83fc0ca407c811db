"""The photos on screen: two composed frames, and the transition between them.

A photo arrives as RGBA rows at most the display's size (the worker already fitted it).
The show uploads it through `TextureUploader` (a mapped PBO, strips within a per-frame
budget, a fence) into a staging texture, and then composes it once, in strips over a few
frames, into a display-sized frame texture: centred, over a black letterbox or (fit
"blur") a blurred copy of itself, transparency shown over that, rows in GL's bottom-up
order. Every frame after that is cheap: a held photo is a framebuffer blit, a transition
(from the TransitionDeck's ready ones, else the built-in crossfade) reads two whole frames. On llvmpipe
(2 cores, 1280x720) that took a held frame from about 7 ms of rasterising to well under
1 ms. Textures are allocated once at the display's size, so photos of any shape never
reallocate GPU memory. `load_next` uploads and composes at once, for tests and tools."""

from __future__ import annotations

import math
from collections.abc import Callable

import moderngl
import numpy as np

from slideshow.gpu.transition_deck import TransitionDeck
from slideshow.gpu.transitions import TransitionPass
from slideshow.gpu.upload import Fence, TextureUploader, UploadJob
from slideshow.shader_files import shader_source
from slideshow.show.ken_burns import IDENTITY, View

# A photo is composed in this many strips of rows, one strip a frame: a whole 1280x720
# frame cost llvmpipe 7-15 ms, on top of the frame's own work (seen: a missed vsync).
COMPOSE_STRIPS = 4
WARM_SIZE = 8  # the rows (compose) or square (draws) that warm_up draws into
# The blurred background: the photo shrunk to about this many rows (a box filter on the
# GPU, once per photo), read back bilinearly behind the photo, darkened.
BLUR_ROWS = 48.0
BLUR_DARKEN = 0.55


class PhotoPass:
    """Owns the staging texture, the two frame textures and their programs."""

    def __init__(self, ctx: moderngl.Context, display_size: tuple[int, int],
                 fence_factory: Callable[[], Fence] | None = None,
                 deck: TransitionDeck | None = None, blur_background: bool = False) -> None:
        self.ctx = ctx
        self.display_size = display_size
        self._staging = ctx.texture(display_size, 4)
        self._frames = [ctx.texture(display_size, 4) for _ in range(2)]
        self._targets = [ctx.framebuffer(color_attachments=[frame]) for frame in self._frames]
        for target in self._targets:
            target.clear(0.0, 0.0, 0.0, 1.0)  # black until the first photo arrives
        compose_source = shader_source("compose.frag")
        if blur_background:
            compose_source = compose_source.replace(
                "#version 330 core\n", "#version 330 core\n#define BLUR_BACKGROUND\n", 1)
        self._compose = ctx.program(vertex_shader=shader_source("fullscreen.vert"),
                                    fragment_shader=compose_source)
        self._compose["display_height"] = display_size[1]
        # The "blur" fit: a blurred, darkened, cover-scaled copy of the photo behind it.
        self.blur_background = blur_background
        self._reduce = max(1.0, display_size[1] / BLUR_ROWS)
        self._small: moderngl.Texture | None = None
        self._small_target: moderngl.Framebuffer | None = None
        if blur_background:
            self._small = ctx.texture((math.ceil(display_size[0] / self._reduce),
                                       math.ceil(display_size[1] / self._reduce)), 4)
            self._small.repeat_x = self._small.repeat_y = False
            self._small_target = ctx.framebuffer(color_attachments=[self._small])
            self._reduce_program = ctx.program(vertex_shader=shader_source("fullscreen.vert"),
                                               fragment_shader=shader_source("blur_reduce.frag"))
            self._reduce_program["reduce"] = self._reduce
            self._reduce_vao = ctx.vertex_array(self._reduce_program, [])
            self._compose["small_tex"] = 1
            self._compose["reduce"] = self._reduce
            self._compose["darken"] = BLUR_DARKEN
            self._staging.repeat_x = self._staging.repeat_y = False
            self._staging.filter = (moderngl.LINEAR, moderngl.LINEAR)
        self._compose_vao = ctx.vertex_array(self._compose, [])
        self._crossfade = ctx.program(vertex_shader=shader_source("fullscreen.vert"),
                                      fragment_shader=shader_source("crossfade.frag"))
        self._crossfade["from_tex"] = 0
        self._crossfade["to_tex"] = 1
        self._crossfade_vao = ctx.vertex_array(self._crossfade, [])
        # A held frame seen through a Ken Burns view: a filtered draw instead of the blit.
        self._view_program = ctx.program(vertex_shader=shader_source("fullscreen.vert"),
                                         fragment_shader=shader_source("view.frag"))
        self._view_vao = ctx.vertex_array(self._view_program, [])
        self.view_sampler = ctx.sampler(repeat_x=False, repeat_y=False)
        self._views = [IDENTITY, IDENTITY]  # the front frame's, the back frame's
        self._audio_energy = 0.0
        self._uploader = TextureUploader(ctx, display_size[0] * display_size[1] * 4,
                                         fence_factory=fence_factory)
        self._upload: UploadJob | None = None
        self._front = 0  # index of the frame shown when progress == 0
        # The transitions to draw between the frames; without a ready one, the built-in crossfade.
        self._deck = deck
        self._transition: TransitionPass | None = None
        self._staged_size = display_size
        self._composed_rows = 0  # rows of the back frame composed from the staged photo

    def load_next(self, pixels: np.ndarray) -> None:
        """Stages and composes a photo at once (tests, warm-up); the show spreads the
        steps over several frames."""
        self.stage(pixels)
        while not self.compose_step(strips=1):
            pass

    def stage(self, pixels: np.ndarray) -> None:
        """Uploads a (h, w, 4) uint8 photo, top row first, into the staging texture. The
        pixels are copied before this returns, so their ring slot can be released."""
        height, width = pixels.shape[:2]
        self._staging.write(pixels, viewport=(0, 0, width, height))
        self._staged_size = (width, height)
        self._composed_rows = 0

    def begin_upload(self, pixels: np.ndarray, copy_budget_s: float) -> bool:
        """Starts uploading a (h, w, 4) photo into the staging texture through a PBO; False
        when no buffer is free yet (try again next frame). The pixels must stay valid
        until `pump_upload` says they are copied."""
        job = self._uploader.begin(pixels, self._staging, copy_budget_s=copy_budget_s)
        if job is None:
            return False
        self._upload = job
        self._staged_size = (job.width, job.height)
        self._composed_rows = 0
        return True

    def pump_upload(self, budget_s: float) -> tuple[bool, bool]:
        """Moves the upload on within `budget_s`; returns (pixels copied out of the
        caller's memory, texture complete on the GPU)."""
        job = self._upload
        if job is None:
            return True, True
        self._uploader.pump(budget_s)
        if job.ready:
            self._upload = None
        return job.copied, job.ready

    def compose_step(self, strips: int | None = None) -> bool:
        """Composes the next 1/strips of the staged photo's frame (the frame the next
        transition shows); True once the whole frame is composed. Leaves the previously
        bound framebuffer bound."""
        width, height = self._staged_size
        display_width, display_height = self.display_size
        rows = -(-display_height // (strips or COMPOSE_STRIPS))
        first, last = self._composed_rows, min(display_height, self._composed_rows + rows)
        previous = self.ctx.fbo
        if first == 0 and self._small_target is not None:
            self._reduce_photo(width, height)
        target = self._targets[1 - self._front]
        target.use()
        target.scissor = (0, first, display_width, last - first)
        self._staging.use(0)
        if self._small is not None:
            self._small.use(1)
        self._compose["origin"] = ((display_width - width) // 2, (display_height - height) // 2)
        self._compose["size"] = (width, height)
        self._compose_vao.render(moderngl.TRIANGLES, vertices=3)
        target.scissor = None
        previous.use()
        self._composed_rows = last
        return last >= display_height

    def _reduce_photo(self, width: int, height: int) -> None:
        """Shrinks the staged photo into the small texture (the blurred background's
        source); only the texels covering the photo are written."""
        assert self._small_target is not None
        self._small_target.use()
        self._small_target.viewport = (0, 0, max(1, math.ceil(width / self._reduce)),
                                       max(1, math.ceil(height / self._reduce)))
        self._staging.use(0)
        self._reduce_vao.render(moderngl.TRIANGLES, vertices=3)

    def warm_up(self) -> None:
        """Runs every program of its own once, into the bound framebuffer and a frame
        still black (the deck's transitions are prepared while the show runs:
        `prepare_in_slack`).

        Drivers compile a shader for real at its first draw (llvmpipe's JIT took about
        30 ms): this moves that cost before the first frame instead of into the first
        transition. The uploader's buffers get their storage now too. Call it before the
        loop, with the surface's framebuffer bound."""
        # Each program is drawn over a few pixels only: its compile is the same, and drawn
        # over the whole frame they took 200 ms in all before the first frame here.
        self._staged_size, self._composed_rows = (1, 1), 0
        self.compose_step(strips=max(1, self.display_size[1] // WARM_SIZE))
        self._targets[1 - self._front].clear(0.0, 0.0, 0.0, 1.0)
        target = self.ctx.fbo
        self.ctx.copy_framebuffer(target, self._targets[self._front])  # a held frame's copy
        viewport = target.viewport
        target.viewport = (0, 0, WARM_SIZE, WARM_SIZE)
        try:
            self.draw(0.5)
            self._draw_view(self._frames[self._front], (0.1, 0.1, 0.8, 0.8))
        finally:
            target.viewport = viewport
        self._uploader.warm_up(self._staging)
        self.ctx.finish()

    def prepare_in_slack(self, slack_s: float) -> str | None:
        """Makes one more of the deck's transitions ready when that fits `slack_s` seconds
        (slideshow/gpu/transition_deck.py), drawing into a corner of the bound framebuffer
        that the next frame covers; returns its name, or None."""
        if self._deck is None:
            return None
        return self._deck.prepare_step(slack_s, self._frames[self._front],
                                       self._frames[1 - self._front])

    def begin_transition(self) -> float | None:
        """Picks the transition for the coming photo change among the deck's ready ones
        (the built-in crossfade while none is); returns its own duration in seconds when it
        has one (None: the show's)."""
        self._transition = self._deck.next() if self._deck is not None else None
        return self._transition.transition.duration_s if self._transition is not None else None

    @property
    def transition_name(self) -> str:
        """The transition the last `begin_transition` picked ("crossfade" for the built-in)."""
        return self._transition.transition.name if self._transition is not None else "crossfade"

    def swap_photos(self) -> None:
        """Makes the photo shown at the end of a transition the one shown at its start."""
        self._front = 1 - self._front

    def set_views(self, front: View, back: View) -> None:
        """The part of each frame to show (Ken Burns), x, y, width, height in 0..1: the
        front frame's (the photo shown at progress 0) and the back frame's."""
        self._views[0], self._views[1] = front, back

    def set_audio_energy(self, energy: float) -> None:
        """0..1, the bass energy the next transition frames get as `audio_energy`."""
        self._audio_energy = energy

    def draw(self, progress: float) -> None:
        """Draws the old photo crossfaded into the new one (progress 0..1) into the bound
        framebuffer, each through its view, by the transition `begin_transition` picked;
        without one (no deck, or none of its transitions ready yet), by the built-in
        crossfade."""
        if progress <= 0.0 or progress >= 1.0:
            role = 0 if progress <= 0.0 else 1
            shown = self._front if role == 0 else 1 - self._front
            target = self.ctx.fbo
            # The copy fills the whole target: drawn at a scale (slideshow/gpu/scaled_target.py)
            # only the viewport may be written, through a draw.
            if self._views[role] == IDENTITY and tuple(target.viewport[2:]) == self.display_size:
                self.ctx.copy_framebuffer(target, self._targets[shown])
            else:
                self._draw_view(self._frames[shown], self._views[role])
            return
        if self._transition is not None:
            self._transition.draw(self._frames[self._front], self._frames[1 - self._front],
                                  progress, from_view=self._views[0], to_view=self._views[1],
                                  audio_energy=self._audio_energy)
            return
        self._frames[self._front].use(0)
        self._frames[1 - self._front].use(1)
        self._crossfade["progress"] = float(progress)
        self._crossfade_vao.render(moderngl.TRIANGLES, vertices=3)

    def draw_pass(self, transition_pass: TransitionPass, progress: float = 0.5) -> None:
        """Draws `transition_pass` between the two frames into the bound framebuffer, as a
        transition would (a calibration of its cost: slideshow/run/parts.py)."""
        transition_pass.draw(self._frames[self._front], self._frames[1 - self._front], progress)

    def _draw_view(self, frame: moderngl.Texture, view: View) -> None:
        frame.use(0)
        self.view_sampler.use(0)
        try:
            self._view_program["view"] = view
            self._view_vao.render(moderngl.TRIANGLES, vertices=3)
        finally:
            self.view_sampler.clear(0)

    def release(self) -> None:
        self._uploader.release()
        self.view_sampler.release()
        self._view_vao.release()
        self._view_program.release()
        if self._small_target is not None and self._small is not None:
            self._small_target.release()
            self._small.release()
            self._reduce_vao.release()
            self._reduce_program.release()
        for target in self._targets:
            target.release()
        for texture in (*self._frames, self._staging):
            texture.release()
        for vao, program in ((self._compose_vao, self._compose),
                             (self._crossfade_vao, self._crossfade)):
            vao.release()
            program.release()
