"""The transition engine on Mesa's llvmpipe: every transition starts on exactly the old
frame and ends on exactly the new one, gl-transitions files load unchanged, parameters
parse and take effect, a broken file is reported and skipped, geometry leaves no GL state
behind. The parsing and pool tests need no GL."""

from __future__ import annotations

import contextlib
import logging
import random
from pathlib import Path

import numpy as np
import pytest

from slideshow.gpu.transitions import TransitionPass, check_compiles, frame_texture
from slideshow.transitions.files import (
    TransitionError,
    TransitionLibrary,
    choose,
    load_file,
    parse_value,
)
from tests.gpu.pictures import changed_share, gradient, max_diff

BUILTINS = TransitionLibrary(builtin=True)
# 2:1 (the shared surface's shape) and 16:9, neither a multiple of every grid.
SIZES = [(64, 32), (96, 54)]

# Two files written here in the public gl-transitions collection's style (not copied from
# it): `// = default` comments after `;`, a `/* = default */` before it, a trailing remark,
# `precision` under `#ifdef GL_ES`, `#define`, `const`, helper functions, `.05`-style floats.
SWEEP = """\
// Author: slideshow test suite
// License: MIT

uniform vec2 direction; // = vec2(1.0, -1.0)
uniform float smoothness; // = 0.5 ; // how soft the moving edge is

const vec2 middle = vec2(0.5, 0.5);

vec4 transition (vec2 uv) {
  vec2 v = normalize(direction);
  v /= abs(v.x) + abs(v.y);
  float band = dot(uv - middle, v) + 0.5;
  float front = progress * (1.0 + smoothness) - smoothness;
  float m = 1.0 - smoothstep(front, front + smoothness, band);
  return mix(getFromColor(uv), getToColor(uv), m);
}
"""

IRIS = """\
// Author: slideshow test suite
// License: MIT
#ifdef GL_ES
precision mediump float;
#endif

#define RIM_GLOW 0.5

uniform vec2 center; // = vec2(0.5, 0.5)
uniform vec3 rimColor /* = vec3(0.1, 0.2, 0.3) */;
uniform bool grow; // = true
uniform float rim; // = .05
uniform ivec2 petals; // = ivec2(3,2)
uniform int waves;// = 4
uniform vec4 tint; // = vec4(1.0)
uniform float unused;

float farthest() {
  vec2 span = max(center, 1.0 - center) * vec2(ratio, 1.0);
  return length(span);
}

float wobble(vec2 p) {
  float a = atan(p.y, p.x);
  return 1.0 + 0.05 * sin(a * float(petals.x + petals.y + waves));
}

float covered(vec2 p, float t) {
  float dist = length(p) * wobble(p) / (farthest() * 1.05);
  float r = t * (1.0 + rim);
  return smoothstep(r - rim, r, dist);
}

vec4 transition (vec2 uv) {
  vec2 p = (uv - center) * vec2(ratio, 1.0);
  float m = grow ? 1.0 - covered(p, progress) : covered(p, 1.0 - progress);
  vec4 c = mix(getFromColor(uv), getToColor(uv), m);
  return mix(c, vec4(rimColor, 1.0) * tint, m * (1.0 - m) * 4.0 * RIM_GLOW);
}
"""

BROKEN = """\
// Author: slideshow test suite
vec4 transition(vec2 uv) {
  return getFromColor(uv).rgb;
}
"""


class Stage:
    """Two frame textures and an offscreen target of one size, on the shared context."""

    def __init__(self, surface, size: tuple[int, int]) -> None:
        self.surface, self.ctx, self.size = surface, surface.ctx, size
        self.old, self.new = gradient(*size), gradient(*size, mirrored=True)
        self.textures = [frame_texture(self.ctx, self.old), frame_texture(self.ctx, self.new)]
        self.colour = self.ctx.texture(size, 4)
        self.target = self.ctx.framebuffer(color_attachments=[self.colour])

    def draw(self, transition_pass: TransitionPass, progress: float) -> np.ndarray:
        """What the pass draws at `progress`, top row first."""
        self.target.use()
        self.target.clear(1.0, 0.0, 1.0, 1.0)  # magenta: a pixel left undrawn shows
        transition_pass.draw(*self.textures, progress)
        width, height = self.size
        return np.frombuffer(self.target.read(components=4), np.uint8).reshape(height, width, 4)[::-1]

    def release(self) -> None:
        self.surface.use()  # never leave a deleted framebuffer bound
        self.target.release()
        for texture in (self.colour, *self.textures):
            texture.release()


@contextlib.contextmanager
def stage(surface, size):
    staged = Stage(surface, size)
    try:
        yield staged
    finally:
        staged.release()


@contextlib.contextmanager
def transition_pass(ctx, transition, params=None, easing="linear"):
    built = TransitionPass(ctx, transition, params, easing)
    try:
        yield built
    finally:
        built.release()


def assert_exact_ends_and_a_real_middle(staged: Stage, built: TransitionPass) -> None:
    assert max_diff(staged.draw(built, 0.0), staged.old) <= 1
    assert max_diff(staged.draw(built, 1.0), staged.new) <= 1
    middle = staged.draw(built, 0.5)
    assert changed_share(middle, staged.old) > 0.1
    assert changed_share(middle, staged.new) > 0.1


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# ---- every built-in, on GL ----

def test_the_built_ins_are_all_there():
    assert {"crossfade", "slide-left", "slide-right", "slide-up", "slide-down",
            "wipe-left", "wipe-right", "wipe-up", "wipe-down", "wipe-down-right", "wipe-up-right",
            "blinds-horizontal", "blinds-vertical", "diffuse", "block-flip",
            "block-spin-grid", "block-spin-slab",
            "ripple", "warp-dissolve", "burn", "crumble",
            "particle-directional", "particle-swirl", "particle-converge",
            "cube-left", "cube-right", "cube-up", "cube-down", "doorway", "page-curl",
            "pixelize", "circle-open", "circle-close", "swirl", "zoom-blur", "glitch",
            "dreamy", "mosaic"} <= set(BUILTINS.names)
    assert not BUILTINS.failures


@pytest.mark.parametrize("name", BUILTINS.names)
def test_builtin_starts_on_the_old_frame_and_ends_on_the_new_exactly(egl_surface, name):
    for size in SIZES:
        with stage(egl_surface, size) as staged, \
                transition_pass(egl_surface.ctx, BUILTINS.get(name)) as built:
            assert_exact_ends_and_a_real_middle(staged, built)


def test_easing_reaches_the_shader(egl_surface):
    with stage(egl_surface, (64, 32)) as staged:
        crossfade = BUILTINS.get("crossfade")
        with transition_pass(egl_surface.ctx, crossfade) as linear, \
                transition_pass(egl_surface.ctx, crossfade, easing="ease-in-cubic") as eased:
            plain, slow = staged.draw(linear, 0.5), staged.draw(eased, 0.5)
    expected = staged.old * (1 - 0.125) + staged.new * 0.125  # 0.5 cubed
    assert max_diff(slow, expected) <= 1
    assert max_diff(plain, staged.old * 0.5 + staged.new * 0.5) <= 1


# ---- gl-transitions files, unchanged ----

@pytest.mark.parametrize("text", [SWEEP, IRIS], ids=["sweep", "iris"])
def test_gl_transitions_style_file_loads_unchanged_and_obeys_the_ends(egl_surface, tmp_path, text):
    library = TransitionLibrary(user_folder=tmp_path, builtin=False)
    write(tmp_path, "fixture.glsl", text)
    (transition,) = library.select([str(tmp_path / "fixture.glsl")])
    assert transition.source == text
    for size in SIZES:
        with stage(egl_surface, size) as staged, transition_pass(egl_surface.ctx, transition) as built:
            assert_exact_ends_and_a_real_middle(staged, built)


def test_defaults_of_every_type_are_parsed(tmp_path):
    (iris,) = load_file(write(tmp_path, "iris.glsl", IRIS))
    defaults = {name: (p.type, p.default) for name, p in iris.parameters.items()}
    assert defaults == {
        "center": ("vec2", (0.5, 0.5)),
        "rimColor": ("vec3", (0.1, 0.2, 0.3)),
        "grow": ("bool", True),
        "rim": ("float", 0.05),
        "petals": ("ivec2", (3, 2)),
        "waves": ("int", 4),
        "tint": ("vec4", (1.0, 1.0, 1.0, 1.0)),
        "unused": ("float", 0.0),
    }
    (sweep,) = load_file(write(tmp_path, "sweep.glsl", SWEEP))
    assert sweep.parameters["smoothness"].default == 0.5  # the trailing `; // ...` ignored
    assert sweep.name == "sweep" and sweep.duration_s is None and sweep.vertex is None


def test_values_parse_in_the_forms_a_user_writes():
    assert parse_value("vec2", "vec2(-1., .5)") == (-1.0, 0.5)
    assert parse_value("vec3", "0.25, 0.5, 1") == (0.25, 0.5, 1.0)
    assert parse_value("ivec2", "ivec2(4, 3)") == (4, 3)
    assert parse_value("bool", "false") is False
    with pytest.raises(ValueError):
        parse_value("int", "2.5")
    with pytest.raises(ValueError):
        parse_value("vec2", "vec3(1.0)")


def test_parameter_override_changes_the_output(egl_surface):
    blinds = BUILTINS.get("blinds-horizontal")
    with stage(egl_surface, (96, 54)) as staged, \
            transition_pass(egl_surface.ctx, blinds) as eight, \
            transition_pass(egl_surface.ctx, blinds, {"count": 3}) as three, \
            transition_pass(egl_surface.ctx, blinds.with_overrides({"vertical": "true"})) as turned:
        assert three.values["count"] == 3
        middle = staged.draw(eight, 0.5)
        assert changed_share(middle, staged.draw(three, 0.5)) > 0.1
        assert changed_share(middle, staged.draw(turned, 0.5)) > 0.1
        eight.set_params({"count": 3})
        assert max_diff(staged.draw(eight, 0.5), staged.draw(three, 0.5)) == 0


def test_unknown_parameter_or_bad_value_names_the_transition_and_parameter():
    wipe = BUILTINS.get("wipe-left")
    with pytest.raises(TransitionError, match=r"'wipe-left' has no parameter 'width'.*softness"):
        wipe.with_overrides({"width": 2})
    with pytest.raises(TransitionError, match=r"'wipe-left', parameter 'direction' \(vec2\)"):
        wipe.resolve({"direction": "vec2(1.0, 2.0, 3.0)"})


def test_variants_are_one_file_with_preset_parameters():
    left, right = BUILTINS.get("slide-left"), BUILTINS.get("slide-right")
    assert left.path == right.path and left.family == "slide"
    assert left.parameters["direction"].default == (-1.0, 0.0)
    assert right.parameters["direction"].default == (1.0, 0.0)
    assert [t.name for t in BUILTINS.select(["blinds"])] == ["blinds-horizontal", "blinds-vertical"]
    assert BUILTINS.get("block-spin-slab").duration_s == 2.0
    assert BUILTINS.get("block-spin-slab").with_overrides(duration_s=0.5).duration_s == 0.5


# ---- broken files ----

def test_broken_file_error_names_the_file_and_the_compile_log_line(egl_surface, tmp_path):
    path = write(tmp_path, "broken.glsl", BROKEN)
    (transition,) = load_file(path)
    with pytest.raises(TransitionError) as caught:
        TransitionPass(egl_surface.ctx, transition)
    message = str(caught.value)
    assert f"{path}:3:" in message  # the line of the bad return, in the user's file
    assert "error" in message


def test_library_skips_a_broken_file_with_one_log_line_and_keeps_the_rest(egl_surface, tmp_path, caplog):
    write(tmp_path, "broken.glsl", BROKEN)
    write(tmp_path, "sweep.glsl", SWEEP)
    write(tmp_path, "texture.glsl", "uniform sampler2D noise;\nvec4 transition(vec2 uv) "
          "{ return getToColor(uv); }\n")
    with caplog.at_level(logging.WARNING, logger="slideshow.transitions"):
        library = TransitionLibrary(user_folder=tmp_path)
        library.validate(check_compiles(egl_surface.ctx))
    assert "sweep" in library and "broken" not in library and "texture" not in library
    assert set(BUILTINS.names) <= set(library.names)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert any(str(tmp_path / "broken.glsl") in line and "error" in line for line in lines)
    assert any(str(tmp_path / "texture.glsl") in line and "sampler2D" in line for line in lines)
    assert set(library.failures) == {tmp_path / "broken.glsl", tmp_path / "texture.glsl"}


def test_unknown_name_lists_what_there_is():
    with pytest.raises(TransitionError, match="crossfade"):
        BUILTINS.select(["no-such-transition"])


# ---- geometry ----

def test_geometry_transition_restores_the_framebuffer_and_depth_test(egl_surface):
    ctx = egl_surface.ctx
    with stage(egl_surface, (64, 32)) as staged, \
            transition_pass(ctx, BUILTINS.get("block-spin-grid")) as spin, \
            transition_pass(ctx, BUILTINS.get("crossfade")) as fade:
        staged.draw(spin, 0.4)
        assert ctx.fbo is staged.target
        # A target whose depth buffer holds the nearest value: with the depth test left on,
        # nothing more could be drawn into it.
        depth = ctx.depth_renderbuffer((64, 32))
        colour = ctx.texture((64, 32), 4)
        target = ctx.framebuffer(color_attachments=[colour], depth_attachment=depth)
        try:
            target.use()
            target.clear(0.0, 0.0, 0.0, 1.0, depth=0.0)
            fade.draw(*staged.textures, 1.0)
            drawn = np.frombuffer(target.read(components=4), np.uint8).reshape(32, 64, 4)[::-1]
            assert max_diff(drawn, staged.new) <= 1
        finally:
            egl_surface.use()
            target.release()
            depth.release()
            colour.release()


def test_slab_turns_edge_on_in_the_middle(egl_surface):
    with stage(egl_surface, (96, 54)) as staged, \
            transition_pass(egl_surface.ctx, BUILTINS.get("block-spin-slab")) as slab:
        middle = staged.draw(slab, 0.5)
    background = (middle[..., :3] == 0).all(axis=2)
    assert background[:, :20].all() and background[:, -20:].all()  # the slab is edge-on
    assert not background[20:34, 44:52].all()  # ... and its lit side shows in the middle


# ---- the random pool ----

def test_choose_never_repeats_the_previous_transition():
    rng = random.Random(4)
    pool = ["crossfade", "wipe-left", "diffuse"]
    previous = None
    seen = set()
    for _ in range(200):
        chosen = choose(rng, pool, previous)
        assert chosen != previous
        seen.add(chosen)
        previous = chosen
    assert seen == set(pool)


def test_choose_from_one_repeats_it_and_from_none_says_so():
    assert choose(random.Random(1), ["crossfade"], "crossfade") == "crossfade"
    with pytest.raises(TransitionError, match="empty"):
        choose(random.Random(1), [])
