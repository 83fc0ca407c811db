"""Transitions drawn: a transition file (slideshow/transitions/files.py) compiled inside
the wrapper (shaders/transition_wrapper.*.glsl) and drawn between two frame textures, with
its geometry stage when it has one; and stills of it for the contact sheet.

The two frames are display-sized and already composed (fit mode, letterbox, GL row order),
so the wrapper samples them at display uv and every transition works with every fit mode.
Each frame may be seen through a view (Ken Burns), applied in the wrapper.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import moderngl
import numpy as np

from slideshow.shader_files import shader_source
from slideshow.show.ken_burns import IDENTITY, View
from slideshow.transitions.easing import Easing, ease, easing_named
from slideshow.transitions.files import Transition, TransitionError, Value, VertexStage

# Mesa writes `1:12(3): error: ...`, NVIDIA `1(12) : error ...`: source string, line, column.
_LOG_LOCATION = re.compile(r"^(?P<source>\d+)(?::(?P<line>\d+)\((?P<col>\d+)\)|\((?P<nline>\d+)\))")
_FRAGMENT_SOURCE, _VERTEX_SOURCE = 1, 2  # `#line` source-string numbers, for error logs
_DEPTH_FAR = 1.0


def _wrap(template: str, source: str, source_number: int, define: str = "") -> str:
    """`template` with `source` pasted at its `#pragma transition_source` line; `#line`
    directives make compile logs count lines in the transition's own file."""
    lines = template.splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip() == "#pragma transition_source")
    pasted = [define, f"#line 1 {source_number}", source.rstrip("\n"), f"#line {at + 2} 0"]
    return "\n".join([*lines[:at], *filter(None, pasted), *lines[at + 1:]]) + "\n"


def build_program(ctx: moderngl.Context, transition: Transition) -> moderngl.Program:
    """Compiles `transition` inside the wrapper; raises TransitionError with the compile
    log, its locations written as `FILE:LINE:COLUMN`."""
    fragment = _wrap(shader_source("transition_wrapper.frag.glsl"), transition.source,
                     _FRAGMENT_SOURCE)
    stage = transition.vertex
    vertex = _wrap(shader_source("transition_wrapper.vert.glsl"),
                   stage.source if stage else "", _VERTEX_SOURCE,
                   "#define TRANSITION_VERTEX_STAGE" if stage else "")
    try:
        return ctx.program(vertex_shader=vertex, fragment_shader=fragment)
    except moderngl.Error as exc:
        files = {_FRAGMENT_SOURCE: transition.path, _VERTEX_SOURCE: stage.path if stage else None}
        raise TransitionError(f"transition {transition.name!r} ({transition.path}) does not "
                              f"compile:\n{_readable_log(str(exc), files)}") from None


def check_compiles(ctx: moderngl.Context) -> Callable[[Transition], None]:
    """For `TransitionLibrary.validate`: compiles a transition and throws the program away
    (raises TransitionError with the compiler's log)."""
    def check(transition: Transition) -> None:
        build_program(ctx, transition).release()
    return check


def _readable_log(text: str, files: Mapping[int, Path | None]) -> str:
    lines = []
    for line in text.splitlines():
        line = line.strip()
        if not line or set(line) == {"="} or line.endswith(("failed", "_shader")):
            continue
        match = _LOG_LOCATION.match(line)
        path = files.get(int(match["source"])) if match else None
        if match and path is not None:
            where = f"{path}:{match['line'] or match['nline']}"
            where += f":{match['col']}" if match["col"] else ""
            rest = line[match.end():]
            if rest.lstrip().startswith(":"):  # NVIDIA writes "0(3) : error", Mesa "0:3(12): error"
                rest = rest.lstrip()
            line = where + rest
        lines.append("  " + line)
    return "\n".join(lines) or "  (the driver gave no log)"


def frame_texture(ctx: moderngl.Context, rgba: np.ndarray) -> moderngl.Texture:
    """A frame texture from (h, w, 4) uint8 pixels, top row first (as PhotoPass composes:
    GL's bottom-up row order). For tests and stills; the show's frames come from PhotoPass."""
    height, width = rgba.shape[:2]
    return ctx.texture((width, height), 4, np.ascontiguousarray(rgba[::-1]).tobytes())


class TransitionPass:
    """One transition's program, ready to draw between two frame textures."""

    def __init__(self, ctx: moderngl.Context, transition: Transition,
                 params: Mapping[str, Any] | None = None,
                 easing: str | Easing = "linear") -> None:
        self.ctx = ctx
        self.transition = transition
        self._ease = easing_named(easing) if isinstance(easing, str) else (lambda t: ease(easing, t))
        self._program = build_program(ctx, transition)
        self._vao = ctx.vertex_array(self._program, [])
        # Clamp to the edge, as WebGL does for the public collection's files: a transition
        # that samples just outside 0..1 sees the border, not the opposite side.
        self._sampler = ctx.sampler(repeat_x=False, repeat_y=False)
        self._set_uniform("from_frame", 0)
        self._set_uniform("to_frame", 1)
        self.values: dict[str, Value] = {}
        self.set_params(params or {})
        self._target: moderngl.Framebuffer | None = None  # colour + depth, geometry only

    def set_params(self, params: Mapping[str, Any]) -> None:
        """Sets parameters (unnamed ones go back to their defaults)."""
        self.values = self.transition.resolve(params)
        for name, value in self.values.items():
            self._set_uniform(name, value)

    def _set_uniform(self, name: str, value: Value) -> None:
        member = self._program.get(name, None)
        if member is not None:  # the compiler drops uniforms a transition never reads
            member.value = value

    def draw(self, from_tex: moderngl.Texture, to_tex: moderngl.Texture, progress: float,
             ratio: float | None = None, from_view: View = IDENTITY,
             to_view: View = IDENTITY, audio_energy: float = 0.0) -> None:
        """Draws the transition at `progress` (0..1, before easing) into the bound
        framebuffer's viewport; `ratio` defaults to the viewport's width / height. The
        views (Ken Burns) say which part of each frame is shown: x, y, width, height;
        `audio_energy` (0..1) reaches the transitions that read it."""
        width, height = self.ctx.fbo.viewport[2:]
        self._set_uniform("progress", self._ease(progress))
        self._set_uniform("ratio", width / height if ratio is None else ratio)
        self._set_uniform("from_view", from_view)
        self._set_uniform("to_view", to_view)
        self._set_uniform("audio_energy", audio_energy)
        from_tex.use(0)
        to_tex.use(1)
        self._sampler.use(0)
        self._sampler.use(1)
        try:
            if self.transition.vertex is None:
                self._vao.render(moderngl.TRIANGLES, vertices=3)
            else:
                self._draw_geometry(self.transition.vertex, (width, height))
        finally:
            self._sampler.clear(0)
            self._sampler.clear(1)

    def warm_up(self, from_tex: moderngl.Texture, to_tex: moderngl.Texture,
                viewport: tuple[int, int, int, int]) -> None:
        """Draws once into `viewport` of the bound framebuffer (then restores its viewport):
        drivers compile a program for real at its first draw (llvmpipe's JIT), for the
        target's format, so this draw must go where the show's will. A geometry
        transition's own target is allocated now at the frames' size, not in a frame."""
        if self.transition.vertex is not None:
            self._target_covering(from_tex.size)
        framebuffer = self.ctx.fbo
        previous = framebuffer.viewport
        framebuffer.viewport = viewport
        try:
            self.draw(from_tex, to_tex, 0.5)
        finally:
            framebuffer.viewport = previous

    def _draw_geometry(self, stage: VertexStage, size: tuple[int, int]) -> None:
        previous = self.ctx.fbo
        # Sized as the whole framebuffer (warm_up allocates it so before the first frame)
        # and drawn through the viewport: a governor's scale that changes every frame
        # (slideshow/gpu/scaled_target.py) allocates nothing; the copy back writes outside
        # the viewport only what nobody reads.
        target = self._target_covering(tuple(previous.size))
        target.viewport = (0, 0, *size)
        target.use()
        target.clear(0.0, 0.0, 0.0, 1.0, depth=_DEPTH_FAR)
        self.ctx.enable(moderngl.DEPTH_TEST)
        try:
            self._vao.render(moderngl.TRIANGLES, vertices=stage.vertices,
                             instances=stage.instance_count(self.values))
        finally:
            self.ctx.disable(moderngl.DEPTH_TEST)
            previous.use()
        self.ctx.copy_framebuffer(previous, target)

    def _target_covering(self, size: tuple[int, int]) -> moderngl.Framebuffer:
        if self._target is not None and all(a >= b for a, b in zip(self._target.size, size)):
            return self._target
        self._release_target()
        self._target = self.ctx.framebuffer(color_attachments=[self.ctx.texture(size, 4)],
                                            depth_attachment=self.ctx.depth_renderbuffer(size))
        return self._target

    def _release_target(self) -> None:
        if self._target is not None:
            for attachment in (*self._target.color_attachments, self._target.depth_attachment):
                attachment.release()
            self._target.release()
            self._target = None

    def release(self) -> None:
        self._release_target()
        self._sampler.release()
        self._vao.release()
        self._program.release()


def render_stills(ctx: moderngl.Context, transition: Transition, from_rgba: np.ndarray,
                  to_rgba: np.ndarray, progresses: Sequence[float],
                  params: Mapping[str, Any] | None = None,
                  easing: str | Easing = "linear") -> list[np.ndarray]:
    """`transition` drawn between two (h, w, 4) images of one size at each progress, into
    an offscreen target; each still is (h, w, 4) uint8, top row first. Leaves the bound
    framebuffer bound."""
    height, width = from_rgba.shape[:2]
    previous = ctx.fbo
    textures = [frame_texture(ctx, from_rgba), frame_texture(ctx, to_rgba)]
    colour = ctx.texture((width, height), 4)
    target = ctx.framebuffer(color_attachments=[colour])
    transition_pass = TransitionPass(ctx, transition, params, easing)
    try:
        stills = []
        for progress in progresses:
            target.use()
            target.clear(0.0, 0.0, 0.0, 1.0)
            transition_pass.draw(*textures, progress)
            pixels = np.frombuffer(target.read(components=4), np.uint8)
            stills.append(pixels.reshape(height, width, 4)[::-1].copy())
        return stills
    finally:
        if previous is not None and not isinstance(previous.mglo, moderngl.InvalidObject):
            previous.use()
        transition_pass.release()
        target.release()
        for texture in (colour, *textures):
            texture.release()
