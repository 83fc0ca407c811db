"""Every transition with every fit mode: photos decoded by the real decoder for each fit
mode and composed by the photo pass; each transition at progress 0 shows exactly the
composed old photo and at 1 the new one (within 1/255), and at 0.5 has changed a real share
of the picture from both (not a stray pixel)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from slideshow.config import FIT_MODES
from slideshow.gpu.photo_pass import PhotoPass
from slideshow.gpu.transitions import TransitionPass
from slideshow.transitions.files import TransitionLibrary
from slideshow.workers.decode import decode_image
from tests.gpu.pictures import changed, changed_share

DISPLAY = (96, 54)


def photo(path, size, seed: int) -> str:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size[1], 0:size[0]]
    pixels = np.stack([x * 255 // size[0], y * 255 // size[1], (x * y + seed * 40) % 256], -1)
    pixels = np.clip(pixels + rng.integers(0, 20, pixels.shape), 0, 255).astype(np.uint8)
    Image.fromarray(pixels).save(path)
    return str(path)


def composed_frames(ctx, surface, fit: str, paths: list[str]) -> tuple[PhotoPass, list[np.ndarray]]:
    """The two photos decoded for `fit` and composed; returns the pass (its frames hold
    them, old one in front) and each frame as shown (top row first)."""
    photo_pass = PhotoPass(ctx, DISPLAY, blur_background=fit == "blur")
    shown = []
    for path in paths:
        pixels, _ = decode_image(path, DISPLAY, fit)
        photo_pass.load_next(pixels)
        photo_pass.swap_photos()
        photo_pass.draw(0.0)
        shown.append(read(ctx))
    photo_pass.swap_photos()  # the first photo in front again, the second behind
    return photo_pass, shown


def read(ctx) -> np.ndarray:
    ctx.finish()
    width, height = DISPLAY
    return np.frombuffer(ctx.fbo.read(components=4), np.uint8).reshape(height, width, 4)[::-1].copy()


@pytest.mark.parametrize("fit", FIT_MODES)
def test_every_transition_is_exact_at_both_ends_in_every_fit_mode(egl_surface, tmp_path, fit):
    ctx = egl_surface.ctx
    target = ctx.framebuffer(color_attachments=[ctx.texture(DISPLAY, 4)])
    # A portrait and a small landscape: fit modes lay them out differently.
    paths = [photo(tmp_path / "portrait.png", (40, 70), 1), photo(tmp_path / "small.png", (60, 30), 2)]
    target.use()
    photo_pass, (old, new) = composed_frames(ctx, egl_surface, fit, paths)
    differ = changed(old, new)  # where the two composed photos differ: what a transition moves
    assert differ.mean() > 0.2
    front, back = photo_pass._frames[photo_pass._front], photo_pass._frames[1 - photo_pass._front]
    try:
        for transition in TransitionLibrary(builtin=True):
            transition_pass = TransitionPass(ctx, transition)
            try:
                for progress, expected in ((0.0, old), (1.0, new)):
                    target.use()
                    transition_pass.draw(front, back, progress)
                    got = read(ctx)
                    worst = int(np.abs(got[..., :3].astype(int) - expected[..., :3]).max())
                    assert worst <= 1, f"{transition.name} at {progress} with fit {fit}: off by {worst}"
                target.use()
                transition_pass.draw(front, back, 0.5)
                halfway = read(ctx)
                for end, photo_at_end in (("old", old), ("new", new)):
                    share = changed_share(halfway, photo_at_end, where=differ)
                    assert share > 0.1, f"{transition.name} at 0.5 with fit {fit}: " \
                        f"{share:.0%} of where the photos differ changed from the {end} photo"
            finally:
                transition_pass.release()
    finally:
        photo_pass.release()
        target.release()
        egl_surface.use()
