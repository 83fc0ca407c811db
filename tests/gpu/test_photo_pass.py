"""The photo pass on Mesa's llvmpipe through EGL: exact pixels at progress 0 and 1,
letterboxing of photos smaller than the display, and the blurred background."""

from __future__ import annotations

import numpy as np
import pytest

from slideshow.gpu.photo_pass import PhotoPass
from tests.gpu.pictures import shown as frame
from tests.gpu.pictures import solid


def gradient(width: int, height: int) -> np.ndarray:
    """Every pixel different, so a flipped or shifted image cannot pass."""
    y, x = np.mgrid[0:height, 0:width]
    pixels = np.empty((height, width, 4), np.uint8)
    pixels[..., 0] = x * 255 // (width - 1)
    pixels[..., 1] = y * 255 // (height - 1)
    pixels[..., 2] = (x * 7 + y * 13) % 256
    pixels[..., 3] = 255
    return pixels


@pytest.fixture
def photo_pass(egl_surface):
    photo_pass = PhotoPass(egl_surface.ctx, egl_surface.size)
    yield photo_pass
    photo_pass.release()


def test_progress_zero_and_one_show_each_photo_exactly(egl_surface, photo_pass):
    old, new = gradient(64, 32), gradient(64, 32)[:, ::-1].copy()
    photo_pass.load_next(old)
    photo_pass.swap_photos()
    photo_pass.load_next(new)
    egl_surface.ctx.clear()
    photo_pass.draw(0.0)
    assert np.array_equal(frame(egl_surface), old)
    photo_pass.draw(1.0)
    assert np.array_equal(frame(egl_surface), new)


def test_halfway_is_an_even_mix(egl_surface, photo_pass):
    photo_pass.load_next(solid(64, 32, (200, 0, 0)))
    photo_pass.swap_photos()
    photo_pass.load_next(solid(64, 32, (0, 0, 100)))
    photo_pass.draw(0.5)
    pixel = frame(egl_surface)[16, 32]
    assert abs(int(pixel[0]) - 100) <= 1 and pixel[1] == 0 and abs(int(pixel[2]) - 50) <= 1


def test_smaller_photo_is_centred_with_black_bars(egl_surface, photo_pass):
    photo_pass.load_next(solid(32, 32, (0, 255, 0)))  # a square photo on a 2:1 display
    photo_pass.swap_photos()
    photo_pass.draw(0.0)
    shown = frame(egl_surface)
    assert (shown[:, 16:48, 1] == 255).all()
    assert (shown[:, :16, :3] == 0).all() and (shown[:, 48:, :3] == 0).all()


def test_swap_photos_makes_the_new_photo_the_old_one(egl_surface, photo_pass):
    photo_pass.load_next(solid(64, 32, (255, 0, 0)))
    photo_pass.swap_photos()
    photo_pass.load_next(solid(64, 32, (0, 0, 255)))
    photo_pass.swap_photos()
    photo_pass.draw(0.0)
    assert tuple(frame(egl_surface)[5, 5, :3]) == (0, 0, 255)


def test_warm_up_leaves_the_frames_black_and_the_next_photo_exact(egl_surface, photo_pass):
    photo_pass.warm_up()
    photo_pass.draw(1.0)
    assert (frame(egl_surface)[..., :3] == 0).all()
    photo = gradient(64, 32)
    photo_pass.load_next(photo)
    photo_pass.draw(1.0)
    assert np.array_equal(frame(egl_surface), photo)


def test_blur_fit_puts_a_darkened_copy_of_the_photo_behind_it(egl_surface):
    photo_pass = PhotoPass(egl_surface.ctx, egl_surface.size, blur_background=True)
    try:
        tall = np.empty((32, 16, 4), np.uint8)  # a portrait photo on a 2:1 display
        tall[...] = (200, 100, 40, 255)
        photo_pass.load_next(tall)
        photo_pass.draw(1.0)
        shown = frame(egl_surface)
        assert (shown[:, 24:40, :3] == (200, 100, 40)).all()  # the photo itself, exact
        side = shown[:, :20, :3].astype(int)
        # Behind it: the same colour, darkened (0.55), not the black letterbox.
        assert np.abs(side - np.array([110, 55, 22])).max() <= 3
    finally:
        photo_pass.release()


def test_without_blur_the_letterbox_stays_black(egl_surface, photo_pass):
    tall = np.empty((32, 16, 4), np.uint8)
    tall[...] = (200, 100, 40, 255)
    photo_pass.load_next(tall)
    photo_pass.draw(1.0)
    assert (frame(egl_surface)[:, :20, :3] == 0).all()
