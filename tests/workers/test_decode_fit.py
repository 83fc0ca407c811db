"""Geometry of the decode: output sizes per fit mode, crop boxes, orientation and the
downscale plan, checked with numbers (and small pixel arrays for the box mapping)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from slideshow.workers.decode import output_size
from slideshow.workers.fit import (
    TRANSPOSES,
    oriented_size,
    plan,
    resample_filter,
    source_box,
    stored_box,
)


@pytest.mark.parametrize("source", [(6000, 4000), (1000, 3000), (640, 480), (1920, 1080), (7, 3)])
def test_fill_gives_exactly_the_target(source):
    assert output_size(source, (1920, 1080), "fill") == (1920, 1080)


@pytest.mark.parametrize("fit", ["fit", "blur"])
def test_fit_and_blur_contain_the_photo_keeping_its_aspect_and_may_upscale(fit):
    assert output_size((6000, 4000), (1920, 1080), fit) == (1620, 1080)
    assert output_size((4000, 1000), (1920, 1080), fit) == (1920, 480)
    assert output_size((640, 480), (1920, 1080), fit) == (1440, 1080)  # upscaled
    assert output_size((1920, 1080), (1920, 1080), fit) == (1920, 1080)


def test_shrink_never_exceeds_the_source_and_shrinks_like_fit():
    assert output_size((640, 480), (1920, 1080), "shrink") == (640, 480)
    assert output_size((6000, 4000), (1920, 1080), "shrink") == (1620, 1080)
    assert output_size((3000, 500), (1920, 1080), "shrink") == (1920, 320)
    for source in [(1921, 10), (10, 1081), (5000, 5000)]:
        w, h = output_size(source, (1920, 1080), "shrink")
        assert w <= min(source[0], 1920) and h <= min(source[1], 1080)


def test_extreme_aspect_never_gives_a_zero_side():
    assert output_size((100000, 1), (1920, 1080), "fit") == (1920, 1)
    assert output_size((1, 100000), (1920, 1080), "fit") == (1, 1080)


def test_bad_requests_are_value_errors_naming_what_is_allowed():
    with pytest.raises(ValueError, match="fill, fit, shrink, blur"):
        output_size((10, 10), (10, 10), "stretch")
    with pytest.raises(ValueError, match="at least 1x1"):
        output_size((10, 10), (0, 10), "fill")


def test_fill_crops_the_centre_with_the_target_aspect():
    assert source_box((6000, 4000), (1920, 1080), "fill") == pytest.approx(
        (0, 312.5, 6000, 3687.5))
    assert source_box((1000, 1000), (500, 1000), "fill") == pytest.approx((250, 0, 750, 1000))
    assert source_box((6000, 4000), (1920, 1080), "fit") == (0, 0, 6000, 4000)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_stored_box_is_the_same_pixels_as_the_shown_box(orientation):
    stored = np.arange(5 * 7, dtype=np.uint8).reshape(5, 7)  # 7 wide, 5 high
    image = Image.fromarray(stored)
    shown = image.transpose(TRANSPOSES[orientation]) if orientation in TRANSPOSES else image
    assert shown.size == oriented_size(image.size, orientation)
    box = (1, 2, 4, 3)  # off-centre on purpose; inside both 7x5 and 5x7
    x0, y0, x1, y1 = (int(v) for v in stored_box(box, image.size, orientation))
    crop = image.crop((x0, y0, x1, y1))
    crop = crop.transpose(TRANSPOSES[orientation]) if orientation in TRANSPOSES else crop
    assert np.array_equal(np.asarray(crop), np.asarray(shown.crop(box)))


def test_plan_asks_the_draft_for_the_shown_size_in_the_stored_frame():
    # 6000x4000 stored sideways (orientation 6): shown 4000x6000, fitted into 1080 high.
    the_plan, shown, out = plan((6000, 4000), 6, (1920, 1080), "fit")
    assert shown == (4000, 6000) and out == (720, 1080)
    assert the_plan.size == (1080, 720)  # the output, still sideways
    assert the_plan.draft_size == (1080, 720)
    assert the_plan.transpose is Image.Transpose.ROTATE_270


def test_plan_for_fill_keeps_enough_pixels_in_the_crop_for_the_output():
    the_plan, _, out = plan((6000, 4000), 1, (1920, 1080), "fill")
    assert out == (1920, 1080)
    assert the_plan.draft_size == (1920, 1280)  # the whole photo at the cover scale
    x0, y0, x1, y1 = the_plan.box
    assert (x1 - x0) * 1920 / 6000 == pytest.approx(1920)
    assert (y1 - y0) * 1280 / 4000 == pytest.approx(1080)


def test_filter_follows_the_draft_and_the_factor_left():
    lanczos, bicubic, hamming = (Image.Resampling.LANCZOS, Image.Resampling.BICUBIC,
                                 Image.Resampling.HAMMING)
    # full-resolution pixels: HAMMING keeps 42.8 dB and more
    assert resample_filter((0, 0, 2560, 1440), (1920, 1080), 1) == (hamming, None)
    # after a 1/2 draft: BICUBIC below 1.4x, HAMMING from there on
    assert resample_filter((0, 0, 2016, 1512), (1920, 1440), 2) == (bicubic, None)
    assert resample_filter((0, 0, 3000, 2000), (1920, 1280), 2) == (hamming, None)
    # after a 1/4 draft: LANCZOS up to 1.6x, then BICUBIC
    assert resample_filter((0, 0, 2064, 1376), (1920, 1280), 4) == (lanczos, None)
    assert resample_filter((0, 0, 1500, 1000), (820, 547), 4) == (bicubic, None)
    # upscaling
    assert resample_filter((0, 0, 1800, 1200), (1920, 1280), 1) == (bicubic, None)
    # 2x and more: BICUBIC, with reduce() first from 4x (Pillow's reducing_gap=2)
    assert resample_filter((0, 0, 6000, 4000), (1920, 1280), 1) == (bicubic, None)
    assert resample_filter((0, 0, 9000, 6000), (1920, 1280), 1) == (bicubic, 2.0)
