"""The audio visualizer drawn over the photos: one owner of its GL objects and of the
animation state that sits between the published spectrum values and the pixels.

`update(values, dt_s)` takes the newest published values (anything with `bands`,
`waveform`, `kicks`, `snares`, `silent`, e.g. a `SpectrumFrame`; `None` is silence) and
advances the animation by `dt_s`; `draw()` draws into the bound framebuffer. Every mode is
one fragment shader under `shaders/visualizer/`, run over one quad covering the area.

Why it is built this way:

- The area is drawn by setting the viewport to it, so no mode can draw outside it, and a
  mode is a per-pixel function of a few uniforms and one small R32F texture (bands, peak
  caps, waveform: 12 KB rewritten per frame from one preallocated array).
- The animation is frame-rate independent: peak caps fall under constant gravity, which
  is integrated exactly (x -= v dt + g dt^2 / 2), so 1 x 1/30 s and 2 x 1/60 s land in
  the same place; glows decay by exp(-dt / tau); the idle fade is a linear ramp.
- Blending is premultiplied alpha (ONE, ONE_MINUS_SRC_ALPHA). Like every pass here it
  leaves blending off and the default blend function behind, and puts the viewport back:
  nothing on the frame path reads GL state (a glGet can stall a threaded driver).
"""

from __future__ import annotations

import math
from typing import Protocol

import moderngl
import numpy as np

from slideshow.errors import ConfigError
from slideshow.shader_files import shader_source
from slideshow.show.audio_overlay import VISUALIZER_MODE_CYCLE as MODE_CYCLE
from slideshow.show.audio_overlay import VISUALIZER_MODES as MODES
from slideshow.show.audio_overlay import VISUALIZER_OFF as OFF

MAX_BANDS = 256
MAX_WAVE_POINTS = 1024  # SpectrumConfig.waveform_points allows up to 1024

_BAR_CAP_PX = 2.0  # thickness of a peak cap
VALUE_TEXTURES = 3  # frames a value texture rests before it is written again
WARM_SIZE = 64  # warm_up draws into this square: any area still covers a few pixels of it
DEFAULT_COLOURS = ((0.15, 0.55, 1.0), (1.0, 0.3, 0.6))  # low end, high end; RGB 0..1

_BREATH_PERIOD_S = 4.0  # one slow breath of the idle line
_IDLE_Y = {"bars": 0.06, "scope": 0.5, "waves": 0.5}  # where each mode's idle line lies
_IDLE_ROWS_PX = 10  # the idle line's glow is below 1/255 this far from it
_SCOPE_HEIGHT = 0.42  # the waveform's peak reaches this fraction of the area above centre
_SCOPE_MIN_PEAK = 0.01  # the auto-scale never magnifies more than this peak (-40 dBFS)
_WAVE_CYCLES_PER_S = (0.23, -0.37, 0.61)  # phase speed of the bass, mid and treble waves


class VisualizerValues(Protocol):
    """What `update` reads; `SpectrumFrame` has all of it."""

    bands: np.ndarray  # 0..1 per band
    waveform: np.ndarray  # -1..1
    kicks: int  # kicks so far (a counter: a change is a kick)
    snares: int  # snares so far
    silent: bool


class Visualizer:
    """Draws one of `MODES` over `area` = (x, y, width, height), fractions 0..1 of the
    viewport found at draw time (normally the whole framebuffer), bottom-left origin."""

    def __init__(self, ctx: moderngl.Context, area: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 0.3),
                 mode: str = "bars", bands: int = 64,
                 colours: tuple[tuple[float, float, float], tuple[float, float, float]] = DEFAULT_COLOURS,
                 opacity: float = 0.85, mirror: bool = False, *,
                 cap_gravity_per_s2: float = 3.0, cap_hold_s: float = 0.2, glow_decay_s: float = 0.3,
                 idle_after_s: float = 1.0, fade_out_s: float = 0.8, fade_in_s: float = 0.25,
                 scope_release_s: float = 1.5) -> None:
        if not (1 <= bands <= MAX_BANDS):
            raise ConfigError(f"visualizer bands = {bands}: allowed 1..{MAX_BANDS}")
        x, y, w, h = (float(v) for v in area)
        if not (0.0 <= x and 0.0 <= y and w > 0.0 and h > 0.0 and x + w <= 1.0 + 1e-6 and y + h <= 1.0 + 1e-6):
            raise ConfigError(f"visualizer area = {area}: x, y, width, height must lie within 0..1")
        if len(colours) != 2 or any(len(c) != 3 for c in colours):
            raise ConfigError(f"visualizer colours = {colours}: two RGB triples (low, high), 0..1")
        self.ctx = ctx
        self.area = (x, y, w, h)
        self.bands = bands
        self.colours = colours
        self.opacity = min(max(float(opacity), 0.0), 1.0)
        self.mirror = mirror
        self.cap_gravity_per_s2 = cap_gravity_per_s2  # peak caps fall with this acceleration
        self.cap_hold_s = cap_hold_s  # a cap rests this long on its peak before falling
        self.glow_decay_s = glow_decay_s  # time constant of the kick / snare glow
        self.idle_after_s = idle_after_s  # silence this long starts the fade to idle
        self.fade_out_s, self.fade_in_s = fade_out_s, fade_in_s  # full ramps of the fade
        self.scope_release_s = scope_release_s  # time constant of the scope's peak follower

        # Animation state, all preallocated: update() writes into these in place.
        self._values = np.zeros((3, MAX_WAVE_POINTS), np.float32)  # bands, caps, waveform
        self._heights = self._values[0, :bands]
        self._caps = self._values[1, :bands]
        self._cap_speed = np.zeros(bands, np.float32)  # units/s, downward
        self._cap_hold = np.zeros(bands, np.float32)  # s left resting on the peak
        self._fall = np.zeros(bands, np.float32)  # scratch
        self._band_index: np.ndarray | None = None  # resampling map when counts differ
        self._wave_count = 2
        self.activity = 1.0  # 0..1, 1 with sound
        self.silent_s = 0.0  # how long the input has been silent
        self.pulse = self.flash = 0.0  # kick, snare glow 0..1
        self.scope_peak = _SCOPE_MIN_PEAK
        self.energy = [0.0, 0.0, 0.0]  # low, mid, high thirds of the bands
        self.phase = [0.0, 0.0, 0.0]  # waves, 0..1
        self.time_s = 0.0
        self._kicks: int | None = None
        self._snares: int | None = None

        # A ring of value textures, one written a frame: rewriting the texture the last
        # frame still reads makes the driver wait for that frame (seen on llvmpipe: the
        # draw phase's p99 went from 1 to 14 ms).
        self._textures = [ctx.texture((MAX_WAVE_POINTS, 3), 1, dtype="f4") for _ in range(VALUE_TEXTURES)]
        for texture in self._textures:
            texture.filter = moderngl.NEAREST, moderngl.NEAREST
        self._next_texture = 0
        self._programs = {name: ctx.program(
            vertex_shader=shader_source("visualizer/area.vert"),
            fragment_shader=shader_source("visualizer/common.glsl") + shader_source(f"visualizer/{name}.frag"))
            for name in MODES}
        # Bars with sound are drawn as geometry: only lit pixels are shaded (on llvmpipe a
        # 64-bar frame went from a shader over the whole area to the bars alone).
        self._programs["bars_geometry"] = ctx.program(
            vertex_shader=shader_source("visualizer/bars_geometry.vert"),
            fragment_shader=shader_source("visualizer/common.glsl")
            + shader_source("visualizer/bars_geometry.frag"))
        self._vaos = {name: ctx.vertex_array(program, []) for name, program in self._programs.items()}
        self.mode = ""
        self.set_mode(mode)

    def set_mode(self, name: str) -> None:
        if name not in MODE_CYCLE:
            raise ConfigError(f"visualizer mode = {name!r}: allowed {', '.join(MODE_CYCLE)}")
        self.mode = name

    def next_mode(self) -> str:
        """Steps to the next of `MODE_CYCLE` (bars, scope, waves, off, bars...); returns it."""
        self.set_mode(MODE_CYCLE[(MODE_CYCLE.index(self.mode) + 1) % len(MODE_CYCLE)])
        return self.mode

    def warm_up(self) -> None:
        """Draws every program once into the bound framebuffer, nothing visible: drivers
        compile at the first draw, which must not land in the frame after a v key. Drawn
        within a few pixels of the framebuffer: the compiles are the same, the pixels cost
        nothing before the first frame."""
        mode, activity, opacity = self.mode, self.activity, self.opacity
        self.opacity = 0.0
        viewport = self.ctx.viewport
        self.ctx.viewport = (viewport[0], viewport[1], WARM_SIZE, WARM_SIZE)
        try:
            for name in MODES:
                self.mode = name
                for look in (1.0, 0.5):  # bars: as geometry, then the fading look
                    self.activity = look
                    self.draw()
        finally:
            self.mode, self.activity, self.opacity = mode, activity, opacity
            self.ctx.viewport = viewport

    # ---- animation (no GL) ----

    def update(self, values: VisualizerValues | None, dt_s: float) -> None:
        """Takes the newest values and advances the animation by `dt_s` seconds."""
        dt_s = max(float(dt_s), 0.0)
        silent = values is None or bool(values.silent)
        if values is None:
            self._heights[:] = 0.0
            self._wave_count = 2
            self._values[2, :2] = 0.0
        else:
            self._take_bands(np.asarray(values.bands, np.float32))
            wave = np.asarray(values.waveform, np.float32)[:MAX_WAVE_POINTS]
            self._wave_count = max(len(wave), 2)
            self._values[2, :len(wave)] = wave
            self._values[2, len(wave):self._wave_count] = 0.0
            self._count_beats(int(values.kicks), int(values.snares))
        self.time_s += dt_s
        self._step_caps(dt_s)
        self._step_fade(silent, dt_s)
        decay = math.exp(-dt_s / self.glow_decay_s) if self.glow_decay_s > 0 else 0.0
        self.pulse *= decay
        self.flash *= decay
        peak = float(np.abs(self._values[2, :self._wave_count]).max())
        release = math.exp(-dt_s / self.scope_release_s) if self.scope_release_s > 0 else 0.0
        self.scope_peak = max(peak, self.scope_peak * release, _SCOPE_MIN_PEAK)
        for k, third in enumerate(np.array_split(self._heights, 3)):  # three views, no copies
            self.energy[k] = float(third.mean()) if len(third) else 0.0
            self.phase[k] = (self.phase[k] + _WAVE_CYCLES_PER_S[k] * dt_s) % 1.0

    def _take_bands(self, bands: np.ndarray) -> None:
        if len(bands) == self.bands:
            np.clip(bands, 0.0, 1.0, out=self._heights)
            return
        if self._band_index is None or self._band_index[1] != len(bands):
            index = (np.arange(self.bands) * len(bands)) // self.bands  # nearest-lower
            self._band_index = (index, len(bands))
        if len(bands) == 0:
            self._heights[:] = 0.0
            return
        np.take(bands, self._band_index[0], out=self._heights)
        np.clip(self._heights, 0.0, 1.0, out=self._heights)

    def _count_beats(self, kicks: int, snares: int) -> None:
        if self._kicks is not None and kicks != self._kicks:
            self.pulse = 1.0
        if self._snares is not None and snares != self._snares:
            self.flash = 1.0
        self._kicks, self._snares = kicks, snares

    def _step_caps(self, dt_s: float) -> None:
        """Caps rest `cap_hold_s` on a peak, then fall with constant gravity (integrated
        exactly, so any split of dt gives the same place) until they land on the bar."""
        caps, speed, hold, fall = self._caps, self._cap_speed, self._cap_hold, self._fall
        np.subtract(dt_s, hold, out=fall)
        np.maximum(fall, 0.0, out=fall)  # time spent falling this step
        np.subtract(hold, dt_s, out=hold)
        np.maximum(hold, 0.0, out=hold)
        caps -= speed * fall + 0.5 * self.cap_gravity_per_s2 * fall * fall
        speed += self.cap_gravity_per_s2 * fall
        landed = caps <= self._heights  # a bar at or above its cap lifts it and resets it
        caps[landed] = self._heights[landed]
        speed[landed] = 0.0
        hold[landed] = self.cap_hold_s

    def _step_fade(self, silent: bool, dt_s: float) -> None:
        if silent:
            quiet_before = self.silent_s
            self.silent_s += dt_s
            fading_s = self.silent_s - max(quiet_before, self.idle_after_s)
            if fading_s > 0:
                self.activity = max(0.0, self.activity - fading_s / max(self.fade_out_s, 1e-6))
        else:
            self.silent_s = 0.0
            self.activity = min(1.0, self.activity + dt_s / max(self.fade_in_s, 1e-6))

    # ---- drawing ----

    def draw(self) -> None:
        """Draws the current mode into the bound framebuffer, premultiplied alpha; leaves
        blending off with the default blend function, and the viewport as it found it."""
        if self.mode == OFF:
            return
        ctx = self.ctx
        viewport = ctx.viewport
        vx, vy, vw, vh = viewport
        x, y, w, h = self.area
        left, bottom = round(vx + x * vw), round(vy + y * vh)
        width, height = round(vx + (x + w) * vw) - left, round(vy + (y + h) * vh) - bottom
        if width <= 0 or height <= 0:
            return
        texture = self._textures[self._next_texture]
        self._next_texture = (self._next_texture + 1) % len(self._textures)
        texture.write(self._values)
        texture.use(0)
        geometry = self.mode == "bars" and self.activity >= 1.0
        name = "bars_geometry" if geometry else self.mode
        program = self._programs[name]
        self._set_uniforms(program, (width, height))
        rows = (0, height)
        if not geometry and self.activity <= 0.0:
            # Silence: only the idle line shows; its glow is gone within a few pixels, so
            # shading the rest of the area (on llvmpipe most of the frame's cost) is waste.
            line = _IDLE_Y[self.mode] * height
            rows = (max(0, math.floor(line - _IDLE_ROWS_PX)), min(height, math.ceil(line + _IDLE_ROWS_PX)))
        if not geometry:
            program["uv_rows"] = (rows[0] / height, rows[1] / height)
        ctx.viewport = (left, bottom + rows[0], width, rows[1] - rows[0])
        ctx.enable(moderngl.BLEND)
        ctx.blend_func = moderngl.ONE, moderngl.ONE_MINUS_SRC_ALPHA
        try:
            if geometry:
                slots = self.bands * (2 if self.mirror else 1)
                self._vaos[name].render(moderngl.TRIANGLES, vertices=12, instances=slots)
            else:
                self._vaos[name].render(moderngl.TRIANGLE_STRIP, vertices=4)
        finally:
            ctx.blend_func = moderngl.DEFAULT_BLENDING
            ctx.disable(moderngl.BLEND)
            ctx.viewport = viewport

    def _set_uniforms(self, program: moderngl.Program, area_px: tuple[int, int]) -> None:
        common = {
            "values": 0, "area_px": area_px, "low_colour": self.colours[0], "high_colour": self.colours[1],
            "opacity": self.opacity, "activity": self.activity, "idle_y": _IDLE_Y[self.mode],
            "breath": 0.5 + 0.5 * math.sin(2.0 * math.pi * self.time_s / _BREATH_PERIOD_S),
        }
        if self.mode == "bars":
            mode = {"band_count": self.bands, "mirror": self.mirror, "cap_px": _BAR_CAP_PX,
                    "pulse": self.pulse}
        elif self.mode == "scope":
            mode = {"wave_count": self._wave_count, "wave_gain": _SCOPE_HEIGHT / self.scope_peak,
                    "line_px": 1.25, "glow_px": 3.0, "pulse": self.pulse}
        else:
            mode = {"energy": tuple(self.energy), "phase": tuple(self.phase),
                    "pulse": self.pulse, "flash": self.flash}
        for name, value in {**common, **mode}.items():
            if name in program:  # the compiler drops uniforms a mode does not use
                program[name].value = value

    def release(self) -> None:
        for vao in self._vaos.values():
            vao.release()
        for program in self._programs.values():
            program.release()
        for texture in self._textures:
            texture.release()
