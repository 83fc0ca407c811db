"""decode_image on the real photos in ../shared/photos (skipped where they are absent, as
in a user's clone): orientation, damaged files, camera JPEGs, TIFFs, HEIC."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageOps

from slideshow.workers.decode import DamagedImage, decode_image

pytestmark = pytest.mark.shared_photos


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255.0**2 / mse)


@pytest.mark.parametrize("kind,target", [("Landscape", (600, 400)), ("Portrait", (400, 600))])
def test_orientation_set_comes_out_upright_and_alike(shared_photos, kind, target):
    folder = shared_photos / "orientation"
    reference, _ = decode_image(str(folder / f"{kind}_1.jpg"), target, "fit")
    for n in (0, 2, 3, 4, 5, 6, 7, 8):
        pixels, info = decode_image(str(folder / f"{kind}_{n}.jpg"), target, "fit")

        assert pixels.shape == reference.shape, n
        assert info.source_width * target[1] == info.source_height * target[0], n
        # The files differ only in the digit drawn in the middle and JPEG noise.
        assert np.abs(pixels.astype(np.int16) - reference).mean() < 3, n


def test_corrupted_jpeg_is_damaged_not_shown_half_grey(shared_photos):
    path = shared_photos / "bad" / "corrupted.jpg"

    with pytest.raises(DamagedImage, match="invalid marker") as caught:
        decode_image(str(path), (1920, 1080), "fill")
    assert caught.value.path == str(path)


@pytest.mark.parametrize("name,size", [("image00971.jpg", (636, 227)), ("image01551.jpg", (61, 58))])
def test_photos_with_invalid_exif_blocks_still_decode(shared_photos, name, size):
    # Their metadata is an XMP packet where EXIF readers expect EXIF; the pixels are fine.
    pixels, info = decode_image(str(shared_photos / "bad" / name), size, "fit")

    assert (info.source_width, info.source_height) == size
    assert pixels.shape == (size[1], size[0], 4)
    assert pixels[..., :3].std() > 20  # a picture, not a grey fill


@pytest.mark.parametrize("name", ["42_IndexError.jpg", "jolla.jpg"])  # draft+LANCZOS, BICUBIC
def test_camera_photo_at_1080p_is_within_40_db_of_full_resolution_lanczos(shared_photos, name):
    path = shared_photos / "camera" / name
    pixels, info = decode_image(str(path), (1920, 1080), "fill")

    full = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    w, h = full.size
    crop_h = w * 1080 / 1920
    naive = full.resize((1920, 1080), Image.Resampling.LANCZOS,
                        box=(0, (h - crop_h) / 2, w, (h + crop_h) / 2))

    assert (info.out_width, info.out_height) == (1920, 1080)
    assert psnr(pixels[..., :3], np.asarray(naive)) >= 40


def test_every_camera_photo_decodes_opaque(shared_photos):
    for path in sorted((shared_photos / "camera").glob("*.jpg")):
        pixels, info = decode_image(str(path), (320, 180), "fit")

        assert info.format == "JPEG", path.name
        assert (pixels[..., 3] == 255).all(), path.name


def test_tiffs_decode_and_the_rgba_ones_display_profile_is_converted(shared_photos):
    path = shared_photos / "tiff" / "BSG1.tiff"  # RGBA with a "Color LCD" display profile
    stored = np.asarray(Image.open(path)).astype(np.int16)
    rgba, info = decode_image(str(path), (635, 348), "fit")
    rgb, _ = decode_image(str(shared_photos / "tiff" / "Picoawards.tiff"), (436, 547), "fit")

    assert info.format == "TIFF" and rgba.shape == (348, 635, 4)
    assert np.array_equal(rgba[..., 3], stored[..., 3])
    assert 1 < np.abs(rgba[..., :3] - stored[..., :3]).mean() < 15  # converted, not replaced
    assert rgb.shape == (547, 436, 4) and (rgb[..., 3] == 255).all()


def test_heic_photos_decode(shared_photos):
    # pillow-heif is a dependency: an iPhone's HEIC is an ordinary photo.
    pixels, info = decode_image(str(shared_photos / "heic" / "IMG_5195.HEIC"), (1920, 1080), "fit")
    small, small_info = decode_image(str(shared_photos / "heic" / "samplefilehub.heif"), (640, 426), "fit")

    assert info.format == "HEIF" and (info.source_width, info.source_height) == (2566, 3313)
    assert pixels.shape == (1080, 836, 4)
    assert small.shape == (426, 640, 4) and small_info.format == "HEIF"
