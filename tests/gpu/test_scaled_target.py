"""Dynamic resolution on Mesa's llvmpipe through EGL: a scene drawn at a scale and upscaled
covers the whole screen with the right picture; a held photo, a transition and a geometry
transition all draw through the scaled viewport; and a real show with a deliberately heavy
transition is drawn scaled by its governor with every frame on the vsync grid."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from slideshow.config import load_config
from slideshow.gpu.photo_pass import PhotoPass
from slideshow.gpu.scaled_target import ScaledTarget
from slideshow.gpu.transitions import TransitionPass, frame_texture
from slideshow.run.app import run_show
from slideshow.transitions.files import TransitionLibrary
from tests.gpu.pictures import gradient, max_diff, shown, solid
from tests.support import EMPTY_TOML

RED, BLUE = (220, 30, 40), (30, 60, 210)


@pytest.fixture
def scaled(egl_surface):
    target = ScaledTarget(egl_surface.ctx, egl_surface.size)
    yield target
    target.release()


def test_a_held_photo_drawn_at_half_scale_fills_the_screen_with_the_photo(egl_surface, scaled):
    photo_pass = PhotoPass(egl_surface.ctx, egl_surface.size)
    try:
        photo_pass.load_next(gradient(64, 32))
        photo_pass.swap_photos()
        egl_surface.ctx.clear(0.0, 1.0, 0.0, 1.0)  # green: any pixel not drawn shows
        scaled.draw(0.5, lambda: photo_pass.draw(0.0))
        half = shown(egl_surface)
        egl_surface.ctx.clear(0.0, 1.0, 0.0, 1.0)
        scaled.draw(1.0, lambda: photo_pass.draw(0.0))
        full = shown(egl_surface)
    finally:
        photo_pass.release()
    assert np.array_equal(full, gradient(64, 32))  # scale 1: exact, as without a governor
    # Half the rows and columns, filtered back up: the same picture within a few levels
    # per neighbouring pixel, never the green behind it, never a quarter of it enlarged.
    assert max_diff(half[..., :2], full[..., :2]) <= 12
    assert not np.any(np.all(half[..., :3] == (0, 255, 0), axis=-1))


def test_a_transition_and_a_geometry_transition_draw_through_the_scaled_viewport(
        egl_surface, scaled):
    ctx, (width, height) = egl_surface.ctx, egl_surface.size
    from_tex, to_tex = frame_texture(ctx, solid(width, height, RED)), frame_texture(ctx, solid(width, height, BLUE))
    library = TransitionLibrary()
    passes = [TransitionPass(ctx, library.get(name)) for name in ("crossfade", "block-spin-grid")]
    try:
        for transition_pass in passes:
            ctx.clear(0.0, 1.0, 0.0, 1.0)
            scaled.draw(0.5, lambda: transition_pass.draw(from_tex, to_tex, 1.0))
            end = shown(egl_surface)
            # At its end every transition shows the new photo, on the whole screen.
            assert np.abs(end[..., :3].astype(int) - BLUE).max() <= 3, transition_pass.transition.name
        geometry = passes[1]
        target = geometry._target
        for scale in (0.75, 0.5625, 1.0):  # a new scale every frame allocates nothing
            scaled.draw(scale, lambda: geometry.draw(from_tex, to_tex, 0.5))
            assert geometry._target is target and target.size == (width, height)
    finally:
        for transition_pass in passes:
            transition_pass.release()
        from_tex.release()
        to_tex.release()


def test_the_upscale_is_timed_with_the_finish_it_is_given(egl_surface, scaled):
    finishes = []

    def finish() -> None:
        finishes.append(1)
        egl_surface.finish()

    clock = iter(float(n) for n in range(100))
    upscale_ms = scaled.measure_upscale_ms(finish, now=lambda: next(clock))
    assert upscale_ms == 1000.0  # one tick of the fake clock a run, in ms
    assert len(finishes) == 6  # the untimed first one, then five timed


HEAVY = """// A deliberately heavy transition: the crossfade, after many texture reads per pixel.
uniform float heaviness; // = 30.0

vec4 transition(vec2 uv) {
    vec4 sum = vec4(0.0);
    for (int i = 0; i < int(heaviness); i++) {
        sum += getFromColor(fract(uv + float(i) * 0.0013)) * 1e-6;
    }
    return mix(getFromColor(uv), getToColor(uv), progress) + sum * 1e-9;
}
"""


def test_a_heavy_transition_is_drawn_scaled_with_every_frame_on_the_grid(tmp_path: Path):
    photos = tmp_path / "photos"
    photos.mkdir()
    for index, colour in enumerate((RED, BLUE, RED)):
        Image.new("RGB", (640, 360), colour).save(photos / f"photo-{index}.png")
    transitions = tmp_path / "transitions"
    transitions.mkdir()
    (transitions / "heavy.glsl").write_text(HEAVY, encoding="utf-8")
    config = load_config(EMPTY_TOML, {
        "show.paths": [str(photos)], "display.size": "640x360", "display.fullscreen": False,
        "show.interval_s": 0.5, "show.transition_s": 1.5, "workers.image_workers": 1,
        "visualizer.mode": "off", "transitions.folder": str(transitions),
        "transitions.pool": "heavy"})
    [report] = run_show(config, headless=True, seconds=6.0).displays
    governor = report.governor
    assert governor["mode"] == "auto" and governor["frames_scaled"] > 0
    assert 0.5 <= governor["scale"]["min"] < 1.0
    assert report.show["photos_shown"] >= 1 and report.show["transitions"] == ["heavy"]
    periods = np.array(report.timeline["dt_ms"]) / (1000.0 / report.refresh_hz)
    # Paced headless: every present on a grid point (a timestamp read late on a busy
    # machine moves one present, not the grid), whole periods apart.
    at = np.cumsum(periods)
    assert np.abs(at - np.rint(at)).max() < 0.3
    assert report.frames["planned_repeats"] + report.frames["missed_vsyncs"] == \
        int(np.rint(at[-1])) - len(periods)
