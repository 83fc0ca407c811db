"""The visualizer modes on Mesa's llvmpipe through EGL: bars, peak caps, mirroring, the
scope line and its auto-scale, the waves' response to energy, the idle fade, the area
bound, and the GL state left as found."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import moderngl
import numpy as np
import pytest

from slideshow.errors import ConfigError
from slideshow.gpu import gl_calls
from slideshow.gpu.visualizer import MODES, Visualizer

WIDTH, HEIGHT = 128, 64
INNER = (0.25, 0.25, 0.5, 0.5)  # area used where the surroundings must stay empty: x 32..95, y 16..47
GL_BLEND, GL_BLEND_SRC_RGB, GL_BLEND_DST_RGB = 0x0BE2, 0x80C9, 0x80C8


def values(bands=None, waveform=None, kicks: int = 0, snares: int = 0, silent: bool = False):
    """What the FFT worker publishes, in the shape `update` reads."""
    bands = np.zeros(8, np.float32) if bands is None else np.asarray(bands, np.float32)
    waveform = np.zeros(256, np.float32) if waveform is None else np.asarray(waveform, np.float32)
    return SimpleNamespace(bands=bands, waveform=waveform, kicks=kicks, snares=snares, silent=silent)


def sine(amplitude: float, cycles: float = 2.0, points: int = 256) -> np.ndarray:
    return (amplitude * np.sin(np.linspace(0.0, 2.0 * np.pi * cycles, points))).astype(np.float32)


@pytest.fixture
def target(egl_surface):
    """A WIDTH x HEIGHT offscreen framebuffer, bound and cleared to transparent black."""
    ctx = egl_surface.ctx
    colour = ctx.renderbuffer((WIDTH, HEIGHT), components=4)
    fbo = ctx.framebuffer(color_attachments=[colour])
    fbo.use()
    fbo.clear(0.0, 0.0, 0.0, 0.0)
    yield fbo
    fbo.release()
    colour.release()
    egl_surface.use()


@pytest.fixture
def make(egl_surface):
    made = []

    def make(**options) -> Visualizer:
        options.setdefault("opacity", 1.0)
        made.append(Visualizer(egl_surface.ctx, **options))
        return made[-1]

    yield make
    for visualizer in made:
        visualizer.release()


def alpha(fbo, visualizer: Visualizer) -> np.ndarray:
    """Draws on a cleared target; alpha 0..255, indexed [y, x] with y = 0 the bottom row."""
    fbo.clear(0.0, 0.0, 0.0, 0.0)
    visualizer.draw()
    visualizer.ctx.finish()
    return np.frombuffer(fbo.read(components=4), np.uint8).reshape(HEIGHT, WIDTH, 4)[..., 3]


def test_full_band_lights_its_whole_column_and_empty_bands_light_nothing(target, make):
    bars = make(area=(0, 0, 1, 1), bands=8)  # 16 px a slot
    bands = np.zeros(8)
    bands[2] = 1.0
    bars.update(values(bands), 1 / 60)
    shown = alpha(target, bars)
    assert (shown[:, 36] > 200).all()  # inside slot 2 (x 32..47), bottom to top
    assert (shown[:, :32] == 0).all() and (shown[:, 48:] == 0).all()


def test_mirror_puts_the_lowest_band_in_the_centre(target, make):
    bars = make(area=(0, 0, 1, 1), bands=8, mirror=True)  # 16 slots of 8 px
    bands = np.zeros(8)
    bands[0] = 1.0
    bars.update(values(bands), 1 / 60)
    shown = alpha(target, bars)
    assert (shown[:, 58] > 200).all() and (shown[:, 66] > 200).all()  # slots 7 and 8
    assert (shown[:, :56] == 0).all() and (shown[:, 72:] == 0).all()


def test_peak_cap_stays_above_a_dropped_bar_then_falls_onto_it(target, make):
    bars = make(area=(0, 0, 1, 1), bands=8, cap_gravity_per_s2=3.0, cap_hold_s=0.2)
    bars.update(values([1.0] + [0.0] * 7), 1 / 60)
    bars.update(values([0.2] + [0.0] * 7), 1 / 60)
    shown = alpha(target, bars)[:, 4]  # band 0
    assert (shown[HEIGHT - 2:] > 200).all(), "the cap rests at the top"
    assert (shown[20:HEIGHT - 3] == 0).all(), "nothing between the bar and the cap"
    assert (shown[:12] > 200).all(), "the bar is at 0.2"
    heights = [bars._caps[0]]
    for _ in range(10):
        bars.update(values([0.2] + [0.0] * 7), 0.1)
        heights.append(bars._caps[0])
    assert heights[1] == heights[0] == 1.0, "held for cap_hold_s"
    assert all(a >= b for a, b in itertools.pairwise(heights))
    fall_s = 5 * 0.1 + 1 / 60 - 0.2
    assert heights[5] == pytest.approx(1.0 - 0.5 * 3.0 * fall_s**2, abs=1e-5), "constant gravity"
    assert heights[-1] == pytest.approx(0.2), "landed on the bar"
    shown = alpha(target, bars)[:, 4]  # band 0
    assert (shown[:14] > 200).all() and (shown[16:] == 0).all(), "cap (2 px) sits on the bar"


@pytest.mark.parametrize("drop_to", [0.0, 0.3])
def test_peak_caps_fall_the_same_for_any_split_of_dt(make, drop_to):
    slow, fast = make(bands=4), make(bands=4)
    for visualizer in (slow, fast):
        visualizer.update(values([1.0, 0.8, 0.5, 0.1]), 1 / 60)
    dropped = values([drop_to] * 4)
    for _ in range(15):  # 0.5 s: through the hold and well into the fall
        slow.update(dropped, 1 / 30)
        fast.update(dropped, 1 / 60)
        fast.update(dropped, 1 / 60)
        np.testing.assert_allclose(slow._caps, fast._caps, atol=1e-5)
    assert slow._caps[0] < 0.9


def test_scope_draws_a_silent_waveform_as_a_line_through_the_centre(target, make):
    scope = make(area=INNER, mode="scope")
    scope.update(values(waveform=np.zeros(256)), 1 / 60)
    shown = alpha(target, scope)
    assert (shown[31:33, 34:94] > 200).all(), "the centre of the area is y = 32"
    assert shown[16:24].max() < 8 and shown[40:48].max() < 8, "8 px away only a trace of glow"


def test_scope_auto_scales_a_quiet_sine_to_reach_above_and_below_the_centre(target, make):
    scope = make(area=INNER, mode="scope")
    scope.update(values(waveform=sine(0.02)), 1 / 60)  # -34 dBFS
    shown = alpha(target, scope)
    assert (shown[40:48] > 200).any() and (shown[16:24] > 200).any()


def test_waves_grow_with_band_energy(target, make):
    waves = make(area=INNER, mode="waves")
    sums = []
    for energy in (0.0, 0.3, 0.6, 1.0):
        waves.update(values([energy] * 8), 1 / 60)
        sums.append(int(alpha(target, waves).sum()))
    assert sums[0] > 0 and all(a < b for a, b in itertools.pairwise(sums)), sums


@pytest.mark.parametrize("mode", MODES)
def test_silence_fades_to_a_dimmer_idle_look_and_sound_brings_it_back(target, make, mode):
    visualizer = make(area=INNER, mode=mode, idle_after_s=1.0, fade_out_s=0.8, fade_in_s=0.25)
    loud = values([0.7] * 8, sine(0.5))
    visualizer.update(loud, 1 / 60)
    with_sound = alpha(target, visualizer).mean()
    for _ in range(15):  # 0.5 s of silence: shorter than idle_after_s, nothing changes yet
        visualizer.update(values([0.7] * 8, sine(0.5), silent=True), 1 / 30)
    assert visualizer.activity == 1.0
    for _ in range(45):  # 1.5 s more: faded out
        visualizer.update(values([0.7] * 8, sine(0.5), silent=True), 1 / 30)
    idle = alpha(target, visualizer)
    assert 0 < idle.mean() < 0.5 * with_sound, "the idle line shows, dimmer than the mode"
    for _ in range(10):
        visualizer.update(loud, 1 / 30)
    assert alpha(target, visualizer).mean() == pytest.approx(with_sound, rel=0.1)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("silent", [False, True])
def test_nothing_is_drawn_outside_the_area(target, make, mode, silent):
    visualizer = make(area=INNER, mode=mode, mirror=True)
    for kicks in range(3):  # loud, kicking, clipping waveform: the most a mode draws
        visualizer.update(values([1.0] * 8, sine(1.5), kicks=kicks, snares=kicks, silent=silent), 1.5)
    shown = alpha(target, visualizer)
    inside = np.zeros_like(shown, bool)
    inside[16:48, 32:96] = True
    assert (shown[~inside] == 0).all()
    assert shown[inside].any()


def test_draw_leaves_blending_off_and_the_viewport_as_found(egl_surface, target, make):
    ctx = egl_surface.ctx
    gl = gl_calls.load()  # read back here, in the test only: the frame path never reads GL state
    visualizer = make(area=INNER, mode="scope")
    visualizer.update(values(waveform=sine(0.5)), 1 / 60)
    ctx.viewport = (3, 5, 100, 50)
    ctx.enable(moderngl.BLEND)
    ctx.blend_func = moderngl.SRC_ALPHA, moderngl.ONE_MINUS_SRC_ALPHA
    visualizer.draw()
    assert gl.get_integer(GL_BLEND) == 0 and ctx.viewport == (3, 5, 100, 50)
    assert (gl.get_integer(GL_BLEND_SRC_RGB), gl.get_integer(GL_BLEND_DST_RGB)) == (
        moderngl.SRC_ALPHA, moderngl.ONE_MINUS_SRC_ALPHA)
    assert ctx.error == "GL_NO_ERROR"


def test_every_mode_draws_without_gl_errors_and_premultiplied(egl_surface, target, make):
    visualizer = make(area=(0, 0, 1, 1), opacity=0.5)
    visualizer.update(values([0.9] * 8, sine(0.8), kicks=1), 1 / 60)
    for mode in MODES:
        visualizer.set_mode(mode)
        target.clear(0.0, 0.0, 0.0, 0.0)
        visualizer.draw()
        pixels = np.frombuffer(target.read(components=4), np.uint8).reshape(-1, 4).astype(int)
        assert (pixels[:, :3] <= pixels[:, 3:] + 1).all(), f"{mode}: colour above alpha"
        assert pixels[:, 3].max() <= 128 + 1, f"{mode}: opacity 0.5 caps alpha"
    assert egl_surface.ctx.error == "GL_NO_ERROR"


def test_unknown_mode_and_bad_area_name_what_is_allowed(make):
    visualizer = make()
    with pytest.raises(ConfigError, match="bars, scope, waves"):
        visualizer.set_mode("spiral")
    with pytest.raises(ConfigError, match="area"):
        make(area=(0.5, 0.0, 0.8, 0.3))


def test_band_counts_that_differ_are_resampled(target, make):
    bars = make(area=(0, 0, 1, 1), bands=8)
    bars.update(values([1.0] * 8 + [0.0] * 8), 1 / 60)  # 16 published bands onto 8 bars
    assert list(bars._heights) == [1.0] * 4 + [0.0] * 4


@pytest.mark.parametrize("mode", MODES)
def test_in_silence_only_the_rows_around_the_idle_line_are_shaded_and_nothing_is_lost(
        target, make, mode, monkeypatch):
    import slideshow.gpu.visualizer as visualizer_module

    visualizer = make(area=(0.0, 0.0, 1.0, 1.0), mode=mode, idle_after_s=0.0, fade_out_s=0.1)
    for _ in range(10):
        visualizer.update(values(silent=True), 1 / 30)
    assert visualizer.activity == 0.0
    banded = alpha(target, visualizer)
    monkeypatch.setattr(visualizer_module, "_IDLE_ROWS_PX", HEIGHT * 2)  # shade every row
    whole = alpha(target, visualizer)
    assert whole.any() and np.array_equal(banded, whole)
    line_rows = np.flatnonzero(whole.any(axis=1))
    assert line_rows.max() - line_rows.min() < 2 * 10  # the glow lies within the band
