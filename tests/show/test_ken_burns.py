"""Ken Burns: the saliency estimate, the motion's views (always inside the frame, zoom in
range, steady), and on the GPU, through the real show: over a whole hold and both
transitions, no pixel from outside the photo ever shows."""

from __future__ import annotations

import random

import numpy as np
import pytest

from slideshow.show.ken_burns import IDENTITY, KenBurnsMotion, plan_motion
from slideshow.workers.saliency import focus_point
from tests.support import EMPTY_TOML


def test_focus_of_a_flat_image_is_the_centre():
    assert focus_point(np.full((200, 300, 4), 128, np.uint8)) == (0.5, 0.5)


def test_focus_leans_toward_the_detail_but_not_to_the_edge():
    rng = np.random.default_rng(3)
    pixels = np.full((360, 640, 4), 90, np.uint8)
    pixels[20:120, 40:200, :3] = rng.integers(0, 255, (100, 160, 3))  # detail, top left
    x, y = focus_point(pixels)
    assert 0.2 < x < 0.45 and 0.15 < y < 0.45


@pytest.mark.parametrize("seed", range(20))
def test_views_stay_inside_the_frame_with_the_zoom_in_range(seed):
    rng = random.Random(seed)
    focus = (rng.random(), rng.random())  # anywhere, corners included
    motion = plan_motion(rng, focus, 9.0, zoom_min=1.0, zoom_max=1.3, zoom_per_s=0.05)
    assert 1.0 <= min(motion.zoom_from, motion.zoom_to)
    assert max(motion.zoom_from, motion.zoom_to) <= 1.3
    assert abs(motion.zoom_to - motion.zoom_from) == pytest.approx(min(0.3, 0.05 * 9.0))
    views = [motion.view_at(t / 10) for t in range(-10, 120)]  # before, through and after
    for x, y, w, h in views:
        assert x >= 0.0 and y >= 0.0 and x + w <= 1.0 + 1e-9 and y + h <= 1.0 + 1e-9
        assert w == h and 1 / 1.3 - 1e-9 <= w <= 1.0
    steps = [abs(b[0] - a[0]) + abs(b[2] - a[2]) for a, b in zip(views, views[1:])]
    assert max(steps) < 0.02  # a drift, never a jump


def test_zooming_in_ends_framed_on_the_focus():
    motion = KenBurnsMotion(1.0, 1.25, (0.5, 0.5), (0.7, 0.4), 5.0)
    assert motion.view_at(0.0) == IDENTITY
    x, y, w, h = motion.view_at(5.0)
    assert (x + w / 2, y + h / 2) == pytest.approx((0.6, 0.4))  # centre clamped to fit
    assert w == pytest.approx(0.8)


# -- on the GPU, through the real show -----------------------------------------------------

MAGENTA = (255, 0, 255)


class FakeGradientPhoto:
    """A decoded photo as the pipeline hands it out: a gradient (so motion shows), with
    its detail (focus) in a corner, the hardest place to frame."""

    def __init__(self, size: tuple[int, int], seed: int, focus: tuple[float, float]) -> None:
        width, height = size
        y, x = np.mgrid[0:height, 0:width]
        self.pixels = np.stack([40 + x * 150 // width, 40 + y * 150 // height,
                                np.full_like(x, 40 + 60 * seed), np.full_like(x, 255)], -1).astype(np.uint8)
        self.path = f"gradient-{seed}.png"
        self.focus = focus
        self.released = False

    def release(self) -> None:
        self.released = True


class FakePipeline:
    """Stands in for the image pipeline: the given photos, ready at once."""

    def __init__(self, photos: list[FakeGradientPhoto]) -> None:
        self.photos = photos

    def take_ready(self) -> FakeGradientPhoto | None:
        return self.photos.pop(0) if self.photos else None


def test_ken_burns_never_shows_anything_outside_the_photo_and_moves_through_transitions(egl_surface, tmp_path):
    from slideshow.gpu.photo_pass import PhotoPass
    from slideshow.gpu.transition_deck import TransitionDeck
    from slideshow.pacing import FrameBudget
    from slideshow.show.timeline import KenBurnsSettings, Show

    ctx, size = egl_surface.ctx, egl_surface.size
    deck = TransitionDeck(ctx, ("crossfade", "slide-left"), "linear", str(tmp_path))
    photo_pass = PhotoPass(ctx, size, deck=deck)
    egl_surface.use()
    while photo_pass.prepare_in_slack(1.0) is not None:  # both ready from the first change
        pass
    # Anything sampled outside a frame comes back magenta instead of the edge texel.
    for sampler in (photo_pass.view_sampler, *(p._sampler for p in deck.passes)):
        sampler.border_color = (1.0, 0.0, 1.0, 1.0)
    photos = FakePipeline([FakeGradientPhoto(size, seed, focus) for seed, focus in
                         enumerate([(0.0, 0.0), (1.0, 1.0), (1.0, 0.0)])])
    settings = KenBurnsSettings(zoom_min=1.0, zoom_max=1.4, zoom_per_s=0.5, seed=2)
    show = Show(photos, photo_pass, None, hold_s=0.4, transition_s=0.2, upload_budget_s=1.0,
                ken_burns=settings)
    budget = FrameBudget()
    budget.start(0.0, 1e9)
    held = []
    try:
        photo_pass.warm_up()
        for _ in range(150):  # 2.5 s at 60 Hz: three photos in, held, and out
            show.drain(budget)
            show.upload(budget)
            show.step(1 / 60)
            egl_surface.use()
            show.draw()
            egl_surface.finish()
            frame = np.frombuffer(egl_surface.read_pixels(), np.uint8).reshape(size[1], size[0], 4)
            assert not (frame[..., :3] == MAGENTA).all(axis=-1).any()
            if show.photos_shown in (1, 2) and not show.transition_active:
                held.append(frame.copy())  # (the last photo has no successor: it is held on)
        assert show.photos_shown >= 3
        assert ctx.error == "GL_NO_ERROR"
        moved = sum(not np.array_equal(a, b) for a, b in zip(held, held[1:]))
        assert moved > len(held) * 0.8  # the held photo drifts from frame to frame
    finally:
        photo_pass.release()
        deck.release()


def test_auto_is_off_on_a_software_renderer_and_on_for_a_gpu_and_fit_modes_apply():
    from slideshow.config import load_config
    from slideshow.run.parts import ken_burns_settings

    config = load_config(EMPTY_TOML)
    assert ken_burns_settings(config, "llvmpipe (LLVM 15.0.6, 256 bits)") is None
    assert ken_burns_settings(config, "NVIDIA H100 80GB HBM3/PCIe/SSE2") is not None
    assert ken_burns_settings(load_config(EMPTY_TOML, {"ken_burns.enabled": "on"}), "llvmpipe") is not None
    assert ken_burns_settings(load_config(EMPTY_TOML, {"show.fit": "fit"}), "NVIDIA") is None
    assert ken_burns_settings(load_config(EMPTY_TOML, {"ken_burns.enabled": "off"}), "NVIDIA") is None
